// Bad input never crashes: every prefix and seeded byte mutations of the golden incidents, the rule files and a
// register go through the parsers, which must return a value or an error (a crash or abort fails the run).
#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "test_support.h"
#include "tutela/pims/breach.h"
#include "tutela/pims/register.h"
#include "tutela/pims/risk.h"

namespace tutela::pims {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> Variants(const std::string& text, uint32_t seed) {
  std::vector<std::string> out;
  for (size_t cut = 0; cut < text.size(); cut += 7) out.push_back(text.substr(0, cut));
  std::mt19937 random(seed);
  const std::string alphabet = ":-[]{}\n #&*!|>'\"0aZ\t,";
  for (int round = 0; round < 200; ++round) {
    std::string mutated = text;
    for (int edit = 0; edit < 3 && !mutated.empty(); ++edit) {
      mutated[random() % mutated.size()] = alphabet[random() % alphabet.size()];
    }
    out.push_back(std::move(mutated));
  }
  return out;
}

TEST(PimsRobustness, MutatedInputsNeverCrashTheParsers) {
  auto rules = JurisdictionSet::LoadDirectory(testing::SourceDir() / "catalog/jurisdictions");
  ASSERT_TRUE(rules.ok());
  size_t parsed = 0;
  size_t refused = 0;
  for (const auto& entry : fs::directory_iterator(testing::SourceDir() / "tests/pims/breach_cases")) {
    if (entry.path().extension() != ".yaml") continue;
    for (const std::string& variant : Variants(testing::ReadFile(entry.path()), 1)) {
      auto incident = ParseIncident(variant, "fuzz.yaml", *rules);
      if (incident.ok()) {
        ++parsed;
        (void)BreachToJson(AssessBreach(*incident, *rules));
      } else {
        ++refused;
        EXPECT_FALSE(incident.status().message().empty());
      }
    }
  }
  for (const auto& entry : fs::directory_iterator(testing::SourceDir() / "catalog/jurisdictions")) {
    if (entry.path().extension() != ".yaml") continue;
    for (const std::string& variant : Variants(testing::ReadFile(entry.path()), 2)) {
      auto jurisdiction = JurisdictionSet::ParseFile(variant, "fuzz.yaml");
      jurisdiction.ok() ? ++parsed : ++refused;
    }
  }
  for (const std::string& variant :
       Variants(testing::ReadFile(testing::SourceDir() / "examples/pims/register.yaml"), 3)) {
    auto processing = ParseRegister(variant, "fuzz.yaml");
    processing.ok() ? ++parsed : ++refused;
  }
  EXPECT_GT(parsed, 0u);
  EXPECT_GT(refused, 0u);
}

// The same for what `breach assess --register/--pii-inventory` and `pims risk --assessment` read: mutated incidents
// resolved against the sample register and inventory, and mutated inventory and assessment-results JSON.
TEST(PimsRobustness, MutatedSourcesNeverCrashResolutionOrRisk) {
  auto rules = JurisdictionSet::LoadDirectory(testing::SourceDir() / "catalog/jurisdictions");
  ASSERT_TRUE(rules.ok());
  auto processing = LoadRegister(testing::SourceDir() / "examples/pims/register.yaml");
  ASSERT_TRUE(processing.ok());
  auto inventory_json =
      nlohmann::json::parse(testing::ReadFile(testing::SourceDir() / "examples/pims/pii-inventory.json"));
  auto inventory = ParsePiiInventory(inventory_json, "inventory.json");
  ASSERT_TRUE(inventory.ok());
  IncidentSources sources{&*processing, "register.yaml", &*inventory, "inventory.json"};
  size_t parsed = 0;
  size_t refused = 0;
  std::string incident = testing::ReadFile(testing::SourceDir() / "examples/pims/incident.yaml");
  incident += "  - activity: PA-SUPPORT\n    subjects: {EU: 3}\n    risk_of_harm: low\n";
  for (const std::string& variant : Variants(incident, 4)) {
    auto result = ParseIncident(variant, "fuzz.yaml", *rules, sources);
    if (result.ok()) {
      ++parsed;
      (void)BreachToMarkdown(AssessBreach(*result, *rules));
    } else {
      ++refused;
      EXPECT_FALSE(result.status().message().empty());
    }
  }
  const std::string results =
      R"({"format": "tutela-assessment-results/0", "results": [{"check": "tc-cos-encryption", "resource": )"
      R"("module.archive.tencentcloud_cos_bucket.this", "status": "pass", "severity": "high", "controls": ["CRY-02"]},)"
      R"( {"check": "tc-mysql-no-internet", "resource": "tencentcloud_mysql_instance.orders", "status": "fail", )"
      R"("severity": "critical", "controls": ["NET-03"]}]})";
  for (const std::string& variant : Variants(results, 5)) {
    nlohmann::json document = nlohmann::json::parse(variant, nullptr, /*allow_exceptions=*/false);
    auto parsed_results = ParseAssessmentResults(document, "results.json");
    if (!parsed_results.ok()) {
      ++refused;
      continue;
    }
    ++parsed;
    (void)RiskToMarkdown(EvaluateRisk(*processing, *rules, *inventory, &*parsed_results));
  }
  for (const std::string& variant : Variants(inventory_json.dump(), 6)) {
    nlohmann::json document = nlohmann::json::parse(variant, nullptr, /*allow_exceptions=*/false);
    auto parsed_inventory = ParsePiiInventory(document, "inventory.json");
    if (!parsed_inventory.ok()) {
      ++refused;
      continue;
    }
    ++parsed;
    (void)SyncRegister(*processing, *parsed_inventory);
    (void)RiskToJson(EvaluateRisk(*processing, *rules, *parsed_inventory));
  }
  EXPECT_GT(parsed, 0u);
  EXPECT_GT(refused, 0u);
}

}  // namespace
}  // namespace tutela::pims
