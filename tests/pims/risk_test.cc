// Risk evaluation: exact factors, scores and impact-assessment outcomes for a small register.
#include "tutela/pims/risk.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "test_support.h"
#include "tutela/core/data.h"
#include "tutela/core/file_util.h"

namespace tutela::pims {
namespace {

const char* kRegister = R"(activities:
  - id: PA-HEALTH
    purpose: telehealth
    legal_basis: explicit_consent
    data_subjects: [patients]
    pii: [health, EMAIL_ADDRESS]
    data_stores: [{store: s3://clinic}]
    recipients: [lab]
    retention: P10Y
    jurisdictions: [EU, CN, SG]
  - id: PA-NEWS
    purpose: newsletter
    legal_basis: consent
    data_subjects: [customers]
    pii: [EMAIL_ADDRESS]
    data_stores: [{store: /srv/crm}]
    retention: P1Y
    security_measures: [CRY-01]
    jurisdictions: [EU]
)";

TEST(Risk, ScoresFactorsAndImpactAssessments) {
  auto processing = ParseRegister(kRegister, "register.yaml");
  ASSERT_TRUE(processing.ok()) << processing.status().ToString();
  auto rules = JurisdictionSet::LoadDirectory(testing::SourceDir() / "catalog/jurisdictions");
  ASSERT_TRUE(rules.ok());
  std::vector<InventoryStore> inventory = {{"s3://clinic/records.csv", {{"EMAIL_ADDRESS", 150000}}, {}, {"health"}},
                                           {"/srv/crm/list.csv", {{"EMAIL_ADDRESS", 20}}, {}, {}}};
  auto risks = EvaluateRisk(*processing, *rules, inventory);
  ASSERT_EQ(risks.size(), 2u);

  const ActivityRisk& health = risks[0];
  EXPECT_EQ(health.impact, 3);      // sensitive, and 150,000 >= 100,000
  EXPECT_EQ(health.likelihood, 2);  // one recipient
  EXPECT_EQ(health.inherent, 6);
  EXPECT_EQ(health.residual, 6);  // no measures declared: no reduction
  EXPECT_EQ(health.level, "high");
  ASSERT_EQ(health.impact_assessments.size(), 3u);
  EXPECT_TRUE(health.impact_assessments[0].required);  // EU: high risk, sensitive at large scale
  EXPECT_EQ(health.impact_assessments[0].reason.substr(health.impact_assessments[0].reason.find("triggered")),
            "triggered by high_risk, sensitive_large_scale");
  EXPECT_TRUE(health.impact_assessments[1].required);  // CN: sensitive, disclosure, high risk
  EXPECT_EQ(health.impact_assessments[1].citation, "PIPL Art 55");
  EXPECT_FALSE(health.impact_assessments[2].required);  // SG: no rule in the catalog

  const ActivityRisk& news = risks[1];
  EXPECT_EQ(news.impact, 1);
  EXPECT_EQ(news.likelihood, 1);
  EXPECT_EQ(news.residual, 1);
  EXPECT_EQ(news.level, "low");
  EXPECT_FALSE(news.impact_assessments[0].required);

  // Without an inventory the volume is assumed medium.
  auto assumed = EvaluateRisk(*processing, *rules, {});
  EXPECT_EQ(assumed[1].factors[1].value, 2);
  EXPECT_EQ(assumed[1].factors[1].why, "not in the PII inventory; assumed medium");
}

// Golden cases with assessment results: tests/pims/risk_cases/NAME.register.yaml + NAME.assessment.json (+ optional
// NAME.inventory.json) -> NAME.expected.json, the whole `pims risk` JSON. TUTELA_UPDATE_GOLDEN=1 rewrites them.
TEST(RiskGolden, AssessmentResultsSetExposureEncryptionAndResidualExactly) {
  namespace fs = std::filesystem;
  fs::path directory = testing::SourceDir() / "tests/pims/risk_cases";
  auto rules = JurisdictionSet::LoadDirectory(testing::SourceDir() / "catalog/jurisdictions");
  ASSERT_TRUE(rules.ok());
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(directory)) {
    std::string file = entry.path().filename().string();
    const std::string suffix = ".register.yaml";
    if (file.size() > suffix.size() && file.compare(file.size() - suffix.size(), suffix.size(), suffix) == 0) {
      names.push_back(file.substr(0, file.size() - suffix.size()));
    }
  }
  std::sort(names.begin(), names.end());
  ASSERT_GE(names.size(), 6u);
  bool update = std::getenv("TUTELA_UPDATE_GOLDEN") != nullptr;
  for (const std::string& name : names) {
    SCOPED_TRACE(name);
    auto processing = LoadRegister(directory / (name + ".register.yaml"));
    ASSERT_TRUE(processing.ok()) << processing.status().ToString();
    auto document = LoadJsonFile(directory / (name + ".assessment.json"));
    ASSERT_TRUE(document.ok()) << document.status().ToString();
    auto results = ParseAssessmentResults(*document, name);
    ASSERT_TRUE(results.ok()) << results.status().ToString();
    std::vector<InventoryStore> inventory;
    if (fs::exists(directory / (name + ".inventory.json"))) {
      auto json = LoadJsonFile(directory / (name + ".inventory.json"));
      ASSERT_TRUE(json.ok());
      auto parsed = ParsePiiInventory(*json, name);
      ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
      inventory = *parsed;
    }
    std::string actual = RiskToJson(EvaluateRisk(*processing, *rules, inventory, &*results)).dump(2) + "\n";
    fs::path expected = directory / (name + ".expected.json");
    if (update) {
      ASSERT_TRUE(WriteFileAtomic(expected, actual).ok());
      continue;
    }
    ASSERT_TRUE(fs::exists(expected)) << "missing " << expected;
    EXPECT_EQ(testing::ReadFile(expected), actual);
  }
}

// Regression for the reconciliation with the PII catalog: a Hong Kong identity card number is sensitive personal
// information under the CN file (as CN_RESIDENT_ID is), so a CN activity holding it scores sensitivity 3.
TEST(Risk, HongKongIdCardIsSensitiveUnderPipl) {
  auto processing = ParseRegister(R"(activities:
  - id: PA-KYC
    purpose: kyc
    legal_basis: legal_obligation
    data_subjects: [customers]
    pii: [HK_ID_CARD]
    data_stores: [{store: s3://kyc}]
    retention: P5Y
    security_measures: [CRY-02]
    jurisdictions: [CN]
)",
                                  "register.yaml");
  ASSERT_TRUE(processing.ok()) << processing.status().ToString();
  auto rules = JurisdictionSet::LoadDirectory(testing::SourceDir() / "catalog/jurisdictions");
  ASSERT_TRUE(rules.ok());
  auto risks = EvaluateRisk(*processing, *rules, {});
  EXPECT_EQ(risks[0].factors[0].value, 3);
  EXPECT_EQ(risks[0].factors[0].why, "sensitive: HK_ID_CARD (CN)");
  EXPECT_TRUE(risks[0].impact_assessments[0].required);  // PIPL Art 55: sensitive
}

TEST(RiskGolden, WithoutAssessmentTheEncryptedCaseKeepsItsImpact) {
  // The private-encrypted register without results: no exposure or encryption factor, residual 1 x 2.
  auto processing = LoadRegister(testing::SourceDir() / "tests/pims/risk_cases/private-encrypted.register.yaml");
  ASSERT_TRUE(processing.ok());
  auto rules = JurisdictionSet::LoadDirectory(testing::SourceDir() / "catalog/jurisdictions");
  ASSERT_TRUE(rules.ok());
  auto risks = EvaluateRisk(*processing, *rules, {});
  ASSERT_EQ(risks.size(), 1u);
  EXPECT_EQ(risks[0].factors.size(), 5u);
  EXPECT_EQ(risks[0].residual_impact, 2);
  EXPECT_EQ(risks[0].residual, 2);
  EXPECT_TRUE(risks[0].measures_status.empty());
}

TEST(RiskAssessmentInput, BadResultsAreRefusedNamingThePlace) {
  struct Case {
    const char* json;
    const char* error;
  };
  const Case cases[] = {
      {R"([1, 2])",
       "results.json: not assessment results (no \"results\" list); pass the file written by `tutela assess "
       "--format json` (docs/formats/assessment-results.md)."},
      {R"({"format": "tutela-pii-inventory", "results": []})",
       "results.json: \"format\" is \"tutela-pii-inventory\", not tutela-assessment-results/N; pass the file "
       "written by `tutela assess --format json`."},
      {R"({"results": [{"check": "c", "resource": "r", "status": "pass"}, {"check": "c", "status": "fail"}]})",
       "results.json: results[1] needs \"check\", \"resource\" and \"status\" (text)."},
      {R"({"results": [{"check": "c", "resource": "r", "status": "pass", "controls": "CRY-02"}]})",
       "results.json: results[0].controls must be a list of ids."},
  };
  for (const Case& bad : cases) {
    SCOPED_TRACE(bad.json);
    auto parsed = ParseAssessmentResults(nlohmann::json::parse(bad.json), "results.json");
    ASSERT_FALSE(parsed.ok());
    EXPECT_EQ(parsed.status().message(), bad.error);
  }
  // Fields the format may add later are ignored; a result without severity or controls is read.
  auto extra = ParseAssessmentResults(
      nlohmann::json::parse(R"({"results": [{"check": "c", "resource": "r", "status": "pass", "new_field": 1}]})"),
      "results.json");
  ASSERT_TRUE(extra.ok());
  EXPECT_EQ((*extra)[0].severity, "");
}

}  // namespace
}  // namespace tutela::pims
