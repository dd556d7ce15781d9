// End-to-end tests of `tutela assess` on the bundled sample estate: framework roll-up, shared responsibility,
// exceptions, PII inventory, and every output format.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "test_support.h"

namespace {

using tutela::testing::ReadFile;
using tutela::testing::RunTutela;
using tutela::testing::SourceDir;
using tutela::testing::TempDir;
using tutela::testing::WriteFile;

std::string Example(const char* name) { return (SourceDir() / "examples/assess" / name).string(); }

nlohmann::json Json(const std::vector<std::string>& args) {
  std::vector<std::string> all = {"assess", Example("plan.json"), "--format", "json", "--date", "2026-12-01"};
  all.insert(all.end(), args.begin(), args.end());
  auto run = RunTutela(all, {}, SourceDir());
  EXPECT_EQ(run.exit_code, 0) << run.err;
  return nlohmann::json::parse(run.out);
}

TEST(AssessRollUpCliTest, FrameworkFilterFillsRequirementsAndCounts) {
  nlohmann::json document = Json({"--framework", "pci-dss-4.0", "--framework", "iso-27001-2022"});
  ASSERT_EQ(document["frameworks"].size(), 2u);
  EXPECT_EQ(document["frameworks"][0]["id"], "pci-dss-4.0");
  for (const auto& framework : document["frameworks"]) {
    const auto& counts = framework["requirements"];
    EXPECT_EQ(counts["total"].get<int>(), counts["passed"].get<int>() + counts["failed"].get<int>() +
                                              counts["manual"].get<int>() + counts["inherited"].get<int>() +
                                              counts["not_applicable"].get<int>() + counts["unknown"].get<int>() +
                                              counts["excepted"].get<int>());
    EXPECT_GT(counts["failed"].get<int>(), 0);
    EXPECT_GT(counts["manual"].get<int>(), 0);
    EXPECT_EQ(counts["inherited"], 0);  // no service model, no portfolio
    for (const auto& requirement : framework["requirement_results"]) {
      if (requirement["status"] == "manual") {
        EXPECT_FALSE(requirement["evidence_needed"].empty()) << requirement;
      }
    }
  }
  bool saw = false;
  for (const auto& result : document["results"]) {
    for (const auto& [framework, ids] : result["requirements"].items()) {
      EXPECT_TRUE(framework == "pci-dss-4.0" || framework == "iso-27001-2022") << framework;
    }
    if (result["check"] == "aws-s3-encryption") {
      saw = true;
      EXPECT_EQ(result["requirements"]["iso-27001-2022"], nlohmann::json::array({"A.8.24"}));
    }
  }
  EXPECT_TRUE(saw);
}

TEST(AssessRollUpCliTest, PortfolioMakesProviderRequirementsInheritedWithTheCertificate) {
  nlohmann::json document = Json({"--framework", "iso-27001-2022", "--service-model", "iaas", "--provider-portfolio",
                                  (SourceDir() / "examples/catalog/portfolio.yaml").string()});
  EXPECT_EQ(document["service_model"], "iaas");
  const auto& framework = document["frameworks"][0];
  EXPECT_GT(framework["requirements"]["inherited"].get<int>(), 0);
  // The sample plan mixes AWS and Tencent Cloud; the sample portfolio's records are Tencent Cloud's only.
  for (const auto& requirement : framework["requirement_results"]) {
    if (requirement["status"] != "inherited") continue;
    EXPECT_TRUE(requirement["inherited_from"].is_null()) << requirement;
    const auto& providers = requirement["inherited_by_provider"];
    ASSERT_EQ(providers.size(), 2u) << requirement;
    EXPECT_EQ(providers[0]["provider"], "aws");
    EXPECT_TRUE(providers[0]["certification"].is_null());
    EXPECT_EQ(providers[1]["provider"], "tencentcloud");
    EXPECT_EQ(providers[1]["certification"], "excloud-iso27001");
  }
}

TEST(AssessRollUpCliTest, ExceptionsApplyAndExpiredOnesAreReported) {
  auto run = RunTutela({"assess", Example("plan.json"), "--format", "json", "--date", "2026-12-01", "--exceptions",
                        Example("exceptions.yaml"), "--framework", "pci-dss-4.0"},
                       {}, SourceDir());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("bastion-ssh-migration"), std::string::npos) << run.err;
  nlohmann::json document = nlohmann::json::parse(run.out);
  std::map<std::string, nlohmann::json> results;
  for (const auto& result : document["results"])
    results[result["check"].get<std::string>() + " " + result["resource"].get<std::string>()] = result;
  EXPECT_EQ(results["aws-s3-versioning aws_s3_bucket.scratch"]["status"], "excepted");
  EXPECT_EQ(results["aws-s3-versioning aws_s3_bucket.scratch"]["exception"], "scratch-versioning");
  EXPECT_EQ(results["aws-s3-versioning aws_s3_bucket.scratch"]["evaluated_status"], "fail");
  EXPECT_EQ(results["aws-sg-ssh-rdp-open aws_security_group.bastion"]["status"], "fail");  // expired exception
  EXPECT_EQ(document["summary"]["excepted"], 1);
  std::map<std::string, std::string> states;
  for (const auto& exception : document["exceptions"]) states[exception["id"]] = exception["state"];
  EXPECT_EQ(states["bastion-ssh-migration"], "expired");
  EXPECT_EQ(states["scratch-versioning"], "active");
  EXPECT_EQ(document["frameworks"][0]["requirements"]["excepted"], 1);
  // --fail-on still gates on the expired exception's failure.
  EXPECT_EQ(
      RunTutela({"assess", Example("plan.json"), "--date", "2026-12-01", "--exceptions", Example("exceptions.yaml"),
                 "--check", "aws-sg-ssh-rdp-open", "--fail-on", "critical", "--quiet"},
                {}, SourceDir())
          .exit_code,
      1);
}

TEST(AssessRollUpCliTest, PiiInventoryRaisesSeverityAndAppliesPiiChecks) {
  nlohmann::json document = Json({"--pii-inventory", Example("pii-inventory.json"), "--framework", "pci-dss-4.0"});
  bool saw_pii_check = false;
  for (const auto& result : document["results"]) {
    if (result["resource"] != "aws_s3_bucket.scratch") continue;
    EXPECT_EQ(result["pii_store"], "s3://example-scratch/exports");
    if (result["check"] == "aws-s3-encryption") {
      EXPECT_EQ(result["severity"], "critical");
      EXPECT_EQ(result["check_severity"], "high");
    }
    if (result["check"] == "aws-s3-sensitive-pii-kms") {
      saw_pii_check = true;
      EXPECT_EQ(result["status"], "fail");
    }
  }
  EXPECT_TRUE(saw_pii_check);
  // Without the inventory the PII checks do not apply.
  for (const auto& result : Json({"--framework", "pci-dss-4.0"})["results"]) {
    if (result["check"] == "aws-s3-sensitive-pii-kms") {
      EXPECT_EQ(result["status"], "not_applicable");
    }
  }
}

TEST(AssessRollUpCliTest, EveryOutputFormatIsProduced) {
  TempDir dir;
  auto run_format = [&](const std::string& format) {
    auto out = (dir.path() / ("out." + format)).string();
    auto run = RunTutela({"assess", Example("plan.json"), "--format", format, "--output", out, "--framework",
                          "pci-dss-4.0", "--exceptions", Example("exceptions.yaml"), "--date", "2026-12-01"},
                         {}, SourceDir());
    EXPECT_EQ(run.exit_code, 0) << format << ": " << run.err;
    return ReadFile(out);
  };
  nlohmann::json sarif = nlohmann::json::parse(run_format("sarif"));
  EXPECT_EQ(sarif["version"], "2.1.0");
  const auto& sarif_run = sarif["runs"][0];
  EXPECT_GT(sarif_run["tool"]["driver"]["rules"].size(), 80u);
  bool suppressed = false;
  for (const auto& result : sarif_run["results"]) {
    EXPECT_EQ(sarif_run["tool"]["driver"]["rules"][result["ruleIndex"].get<size_t>()]["id"], result["ruleId"]);
    suppressed |= result.contains("suppressions");
  }
  EXPECT_TRUE(suppressed);

  std::string junit = run_format("junit");
  EXPECT_EQ(junit.rfind("<?xml", 0), 0u);
  EXPECT_NE(junit.find("<failure type=\"critical\""), std::string::npos);
  size_t failures = 0;
  for (size_t at = junit.find("<failure "); at != std::string::npos; at = junit.find("<failure ", at + 1)) ++failures;
  EXPECT_GT(failures, 0u);
  EXPECT_NE(junit.find("failures=\"" + std::to_string(failures) + "\""), std::string::npos) << junit.substr(0, 200);

  nlohmann::json oscal = nlohmann::json::parse(run_format("oscal"));
  const auto& results = oscal["assessment-results"]["results"][0];
  EXPECT_FALSE(oscal["assessment-results"]["metadata"]["oscal-version"].get<std::string>().empty());
  EXPECT_FALSE(results["observations"].empty());
  bool not_satisfied = false;
  for (const auto& finding : results["findings"]) {
    not_satisfied |= finding["target"]["status"]["state"] == "not-satisfied";
  }
  EXPECT_TRUE(not_satisfied);

  std::string html = run_format("html");
  EXPECT_EQ(html.rfind("<!doctype html>", 0), 0u);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("src=\"http"), std::string::npos);
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_NE(html.find("id=\"fw-pci-dss-4_0\""), std::string::npos);
  EXPECT_NE(html.find("href=\"#check-aws-s3-encryption\""), std::string::npos);
  EXPECT_NE(html.find("aws_s3_bucket.scratch"), std::string::npos);

  std::string csv = run_format("csv");
  EXPECT_EQ(csv.rfind("check,resource,status,severity,equivalents,controls,message\n", 0), 0u);
  EXPECT_NE(csv.find("aws-s3-versioning,aws_s3_bucket.scratch,excepted,"), std::string::npos);
}

TEST(AssessRollUpCliTest, BadExceptionsFileExitsTwoWithoutOutput) {
  TempDir dir;
  WriteFile(dir.path() / "exceptions.yaml",
            "exceptions:\n  - check: aws-s3-versioning\n    reason: r\n    approver: a\n");
  auto out = dir.path() / "out.json";
  auto run = RunTutela({"assess", Example("plan.json"), "--exceptions", (dir.path() / "exceptions.yaml").string(),
                        "--format", "json", "--output", out.string()},
                       {}, SourceDir());
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("exceptions.yaml:2:5"), std::string::npos) << run.err;
  EXPECT_FALSE(std::filesystem::exists(out));
  auto bad_model = RunTutela({"assess", Example("plan.json"), "--service-model", "onprem"}, {}, SourceDir());
  EXPECT_EQ(bad_model.exit_code, 2);
  auto bad_framework = RunTutela({"assess", Example("plan.json"), "--framework", "nope"}, {}, SourceDir());
  EXPECT_EQ(bad_framework.exit_code, 2);
  EXPECT_NE(bad_framework.err.find("--framework nope"), std::string::npos);
}

}  // namespace
