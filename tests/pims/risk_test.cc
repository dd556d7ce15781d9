// Risk evaluation: exact factors, scores and impact-assessment outcomes for a small register.
#include "tutela/pims/risk.h"

#include <gtest/gtest.h>

#include "test_support.h"

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

}  // namespace
}  // namespace tutela::pims
