// Data-driven tests of every built-in check (fixtures/<provider>.yaml), plus the operators and the loader's errors.
#include "tutela/policy/checks.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "test_support.h"
#include "tutela/core/data.h"

namespace tutela::policy {
namespace {

using inventory::Estate;
using tutela::testing::SourceDir;

nlohmann::json ToJson(const YAML::Node& node) {
  if (node.IsMap()) {
    nlohmann::json object = nlohmann::json::object();
    for (const auto& entry : node) object[entry.first.Scalar()] = ToJson(entry.second);
    return object;
  }
  if (node.IsSequence()) {
    nlohmann::json array = nlohmann::json::array();
    for (const auto& item : node) array.push_back(ToJson(item));
    return array;
  }
  if (node.IsNull()) return nullptr;
  const std::string& text = node.Scalar();
  if (node.Tag() == "!") return text;
  if (text == "true") return true;
  if (text == "false") return false;
  char* end = nullptr;
  long long number = std::strtoll(text.c_str(), &end, 10);
  if (!text.empty() && end == text.c_str() + text.size()) return number;
  return text;
}

// Builds a Terraform plan (format 1.2) holding `resources` in the root module, with their after_unknown.
std::string PlanOf(const YAML::Node& resources) {
  nlohmann::json planned = nlohmann::json::array();
  nlohmann::json changes = nlohmann::json::array();
  int position = 0;
  for (const YAML::Node& resource : resources) {
    std::string type = resource["type"].Scalar();
    std::string name = "r" + std::to_string(position++);
    std::string address = type + "." + name;
    planned.push_back({{"address", address},
                       {"mode", "managed"},
                       {"type", type},
                       {"name", name},
                       {"provider_name", "registry.terraform.io/hashicorp/x"},
                       {"values", ToJson(resource["values"])}});
    nlohmann::json unknown = resource["unknown"] ? ToJson(resource["unknown"]) : nlohmann::json::object();
    changes.push_back(
        {{"address", address},
         {"mode", "managed"},
         {"type", type},
         {"name", name},
         {"change", {{"actions", {"create"}}, {"after", ToJson(resource["values"])}, {"after_unknown", unknown}}}});
  }
  nlohmann::json plan = {{"format_version", "1.2"},
                         {"planned_values", {{"root_module", {{"resources", planned}}}}},
                         {"resource_changes", changes}};
  return plan.dump();
}

const CheckSet& BuiltIn() {
  static CheckSet* checks = [] {
    auto loaded = CheckSet::LoadDirectory(SourceDir() / "catalog/checks");
    EXPECT_TRUE(loaded.ok()) << loaded.status().ToString();
    return new CheckSet(loaded.ok() ? std::move(loaded).value() : CheckSet());
  }();
  return *checks;
}

class FixtureTest : public ::testing::TestWithParam<std::string> {};

TEST_P(FixtureTest, EveryCaseGivesItsExpectedOutcome) {
  const std::string provider = GetParam();
  auto fixtures = LoadYamlFile(SourceDir() / "tests/policy/fixtures" / (provider + ".yaml"));
  ASSERT_TRUE(fixtures.ok()) << fixtures.status().ToString();
  const CheckSet& checks = BuiltIn();
  size_t provider_checks = 0;
  for (const Check& check : checks.checks()) {
    if (check.provider != provider) continue;
    ++provider_checks;
    const YAML::Node cases = (*fixtures)[check.id];
    ASSERT_TRUE(cases && cases.IsSequence()) << "no fixtures for " << check.id;
    bool saw_pass = false, saw_fail = false;
    for (const YAML::Node& test_case : cases) {
      std::string expect = test_case["expect"].Scalar();
      saw_pass |= expect == "pass";
      saw_fail |= expect == "fail";
      Estate estate;
      Status added = estate.AddText(PlanOf(test_case["resources"]), check.id);
      ASSERT_TRUE(added.ok()) << added.ToString();
      ResourceFacts facts;
      if (test_case["pii"]) {
        facts.pii.resize(estate.resources().size());
        for (const YAML::Node& label : test_case["pii"]) facts.pii[0].push_back(label.Scalar());
      }
      Outcome outcome = EvaluateOne(check, estate, 0, test_case["pii"] ? &facts : nullptr);
      EXPECT_EQ(OutcomeName(outcome), expect) << check.id << " at fixture line " << test_case.Mark().line + 1;
    }
    EXPECT_TRUE(saw_pass && saw_fail) << check.id << " needs a passing and a failing case";
  }
  EXPECT_GE(provider_checks, 20u);
  for (const auto& entry : *fixtures) {
    EXPECT_GE(checks.Find(entry.first.Scalar()), 0) << "fixtures for unknown check " << entry.first.Scalar();
  }
}

INSTANTIATE_TEST_SUITE_P(Providers, FixtureTest, ::testing::Values("aws", "tencentcloud"));

TEST(CheckSetTest, IndexesByType) {
  const CheckSet& checks = BuiltIn();
  const std::vector<uint32_t>* bucket = checks.ForType("aws_s3_bucket");
  ASSERT_NE(bucket, nullptr);
  EXPECT_GE(bucket->size(), 5u);
  EXPECT_EQ(checks.ForType("aws_nothing"), nullptr);
  for (const Check& check : checks.checks()) {
    EXPECT_FALSE(check.controls.empty()) << check.id;
    EXPECT_FALSE(check.terraform.empty()) << check.id;
  }
}

constexpr std::string_view kHeader = "source: test\nchecks:\n";

Status Load(std::string_view body) {
  CheckSet set;
  return set.AddYaml(std::string(kHeader) + std::string(body), "bad.yaml");
}

TEST(CheckSetTest, RejectsBadDefinitionsWithTheirLine) {
  const std::string valid =
      "  - id: x\n    title: t\n    severity: high\n    provider: aws\n    resource_types: [aws_s3_bucket]\n"
      "    message: m\n    remediation: {text: r, terraform: t}\n    controls: [CRY-01]\n";
  EXPECT_TRUE(Load(valid + "    condition: {attr: a, exists: true}\n").ok());
  struct Case {
    std::string body;
    std::string expected;
  } cases[] = {
      {valid + "    condition: {attr: a, frobnicate: 1}\n", "bad.yaml:11:"},
      {valid + "    condition: {attr: a, exists: true, equals: 1}\n", "one operator"},
      {valid + "    condition: {pii: []}\n", "`pii` needs a label"},
      {valid + "    condition: {pii: [sensitive, {a: b}]}\n", "`pii` labels must be strings"},
      {valid + "    condition: {attr: a, regex: \"(\"}\n", "invalid regular expression"},
      {valid + "    condition: {attr: a, cidr_contains: nonsense}\n", "IPv4 or IPv6"},
      {valid + "    condition: {attr: \"a..b\", exists: true}\n", "empty step"},
      {valid + "    condition: {attr: a, gt: many}\n", "takes a number"},
      {valid + "    condition: {attr: a, port_overlaps: [22, ssh]}\n", "bad.yaml:11:46: a port must be a number"},
      {valid + "    condition: {ports: {from: f, to: t}, overlaps: [1433-1434, any]}\n",
       "bad.yaml:11:64: a port must be a number"},
      {valid + "    condition: {attr: a, exists: true}\n    colour: red\n", "unknown field \"colour\""},
      {valid + "    condition: {attr: a, exists: true}\n" + valid + "    condition: {attr: a, exists: true}\n",
       "already defined"},
      {"  - id: y\n    title: t\n    severity: severe\n    provider: aws\n    resource_types: [aws_s3_bucket]\n"
       "    message: m\n    remediation: {text: r, terraform: t}\n    controls: [C]\n    condition: {attr: a, "
       "exists: true}\n",
       "severity \"severe\""},
      {"  - id: y\n    title: t\n    severity: low\n    provider: aws\n    resource_types: [tencentcloud_cos_bucket]\n"
       "    message: m\n    remediation: {text: r, terraform: t}\n    controls: [C]\n    condition: {attr: a, "
       "exists: true}\n",
       "does not belong to provider aws"},
  };
  for (const Case& test_case : cases) {
    Status status = Load(test_case.body);
    EXPECT_FALSE(status.ok()) << test_case.body;
    EXPECT_NE(status.message().find(test_case.expected), std::string::npos) << status.message();
  }
}

// Evaluates `condition` (YAML) on a resource with `values` (JSON) and `unknown` (JSON) in a one-resource plan.
std::string Evaluate(std::string_view condition, std::string_view values, std::string_view unknown = "{}") {
  CheckSet set;
  std::string yaml = std::string(kHeader) +
                     "  - {id: t, title: t, severity: low, provider: aws, resource_types: [aws_x], message: m, "
                     "remediation: {text: r, terraform: t}, controls: [C], condition: " +
                     std::string(condition) + "}\n";
  Status loaded = set.AddYaml(yaml, "inline.yaml");
  if (!loaded.ok()) return loaded.ToString();
  set.Index();
  std::string plan = R"({"format_version":"1.0","planned_values":{"root_module":{"resources":[{"address":"aws_x.a",)"
                     R"("type":"aws_x","name":"a","values":)" +
                     std::string(values) +
                     R"(}]}},"resource_changes":[{"address":"aws_x.a","type":"aws_x","change":{"actions":["create"],)"
                     R"("after_unknown":)" +
                     std::string(unknown) + "}}]}";
  Estate estate;
  Status added = estate.AddText(plan, "plan");
  if (!added.ok()) return added.ToString();
  return std::string(OutcomeName(EvaluateOne(set.checks()[0], estate, 0)));
}

TEST(ConditionTest, Operators) {
  EXPECT_EQ(Evaluate("{attr: n, gt: 3}", R"({"n": 4})"), "pass");
  EXPECT_EQ(Evaluate("{attr: n, le: 3}", R"({"n": 4})"), "fail");
  EXPECT_EQ(Evaluate("{attr: n, equals: 4}", R"({"n": "4"})"), "pass");
  EXPECT_EQ(Evaluate("{attr: s, regex: \"^arn:aws:kms:\"}", R"({"s": "arn:aws:kms:eu-west-1:1:key/x"})"), "pass");
  EXPECT_EQ(Evaluate("{attr: s, regex: \"^arn:aws:kms:\"}", R"({"s": "alias/x"})"), "fail");
  EXPECT_EQ(Evaluate("{attr: s, in: [a, b]}", R"({"s": "b"})"), "pass");
  EXPECT_EQ(Evaluate("{attr: s, not_in: [a, b]}", R"({"s": "b"})"), "fail");
  EXPECT_EQ(Evaluate("{attr: \"l[1].v\", equals: 2}", R"({"l": [{"v": 1}, {"v": 2}]})"), "pass");
  EXPECT_EQ(Evaluate("{attr: l.1.v, equals: 2}", R"({"l": [{"v": 1}, {"v": 2}]})"), "pass");
  EXPECT_EQ(Evaluate("{attr: l, length_ge: 2}", R"({"l": [1, 2]})"), "pass");
  EXPECT_EQ(Evaluate("{attr: c, cidr_contains: 10.1.2.3}", R"({"c": ["192.168.0.0/16", "10.0.0.0/8"]})"), "pass");
  EXPECT_EQ(Evaluate("{attr: c, cidr_contains: 0.0.0.0/0}", R"({"c": "0.0.0.0/1"})"), "fail");
  EXPECT_EQ(Evaluate("{attr: c, cidr_contains: \"2001:db8::1\"}", R"({"c": "2001:db8::/32"})"), "pass");
  EXPECT_EQ(Evaluate("{attr: p, port_overlaps: [22]}", R"({"p": "20-25"})"), "pass");
  EXPECT_EQ(Evaluate("{attr: p, port_overlaps: [22]}", R"({"p": "80,443"})"), "fail");
  EXPECT_EQ(Evaluate("{attr: p, port_overlaps: [3389]}", R"({"p": "ALL"})"), "pass");
  EXPECT_EQ(Evaluate("{ports: {from: f, to: t}, overlaps: [1433-1434]}", R"({"f": 1434, "t": 1500})"), "pass");
  EXPECT_EQ(Evaluate("{ports: {from: f, to: t}, overlaps: [22]}", R"({"f": 80, "t": 80})"), "fail");
  EXPECT_EQ(Evaluate("{attr: l, all_items: {attr: e, equals: true}}", R"({"l": [{"e": true}, {"e": false}]})"), "fail");
  EXPECT_EQ(Evaluate("{attr: d, json: {attr: a.b, equals: 1}}", R"({"d": "{\"a\": {\"b\": 1}}"})"), "pass");
  EXPECT_EQ(Evaluate("{attr: d, json: {attr: a, exists: true}}", R"({"d": "not json"})"), "unknown");
}

TEST(ConditionTest, UnknownIsNotFalse) {
  // Unknown at plan time: any operator is unknown, and the logic is three-valued.
  EXPECT_EQ(Evaluate("{attr: e, equals: true}", "{}", R"({"e": true})"), "unknown");
  EXPECT_EQ(Evaluate("{attr: e, exists: false}", "{}", R"({"e": true})"), "unknown");
  EXPECT_EQ(Evaluate("{not: {attr: e, equals: true}}", "{}", R"({"e": true})"), "unknown");
  EXPECT_EQ(Evaluate("{any: [{attr: e, equals: true}, {attr: f, equals: 1}]}", R"({"f": 1})", R"({"e": true})"),
            "pass");
  EXPECT_EQ(Evaluate("{all: [{attr: e, equals: true}, {attr: f, equals: 1}]}", R"({"f": 2})", R"({"e": true})"),
            "fail");
  EXPECT_EQ(Evaluate("{attr: b.c, equals: 1}", R"({"b": [{}]})", R"({"b": [{"c": true}]})"), "unknown");
  // A nested unknown below a known block, reached through any_item.
  EXPECT_EQ(
      Evaluate("{attr: l, any_item: {attr: x, equals: 1}}", R"({"l": [{"x": 2}, {}]})", R"({"l": [{}, {"x": true}]})"),
      "unknown");
  // Known false stays false.
  EXPECT_EQ(Evaluate("{attr: e, equals: true}", R"({"e": false})", R"({"e": false})"), "fail");
}

// Regression: `assess --checks EMPTY_FOLDER` assessed with no checks and reported "0 results", exit 0.
TEST(CheckSetTest, AFolderWithoutCheckFilesIsRefused) {
  tutela::testing::TempDir dir;
  tutela::testing::WriteFile(dir / "README.md", "not a check\n");
  auto loaded = CheckSet::LoadDirectory(dir.path());
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().code(), StatusCode::kNotFound);
  EXPECT_NE(loaded.status().message().find(": no check files (*.yaml) in this folder; pass the folder of check YAML"),
            std::string::npos)
      << loaded.status().message();
}

}  // namespace
}  // namespace tutela::policy
