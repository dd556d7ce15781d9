// Purpose decisions: one case per deciding rule, with the exact outcome and obligations.
#include "tutela/pims/decide.h"

#include <gtest/gtest.h>

#include "test_support.h"

namespace tutela::pims {
namespace {

const char* kRegister = R"(activities:
  - id: PA-HR
    purpose: payroll
    legal_basis: legal_obligation
    data_subjects: [employees]
    pii: [PERSON, IBAN, health]
    data_stores: [{store: /srv/hr}]
    recipients: [payroll-bureau]
    sub_processors: [hosting-co]
    transfers: [{from: EU, to: SG, mechanism: SCCs}]
    retention: P10Y
    jurisdictions: [EU]
  - id: PA-NEWS
    purpose: marketing_newsletter
    legal_basis: legitimate_interests
    data_subjects: [customers]
    pii: [EMAIL_ADDRESS]
    data_stores: [{store: /srv/crm}]
    retention: P1Y
    jurisdictions: [SG]
)";

struct Case {
  std::string name;
  DecisionRequest request;
  std::string expected;  // "permit|deny rule [mask...]"
};

TEST(Decide, EachRuleDecidesItsCase) {
  auto processing = ParseRegister(kRegister, "register.yaml");
  ASSERT_TRUE(processing.ok()) << processing.status().ToString();
  auto rules = JurisdictionSet::LoadDirectory(testing::SourceDir() / "catalog/jurisdictions");
  ASSERT_TRUE(rules.ok());
  const std::vector<Case> cases = {
      {"permitted, health masked",
       {"PA-HR", "payroll", "payroll-bureau", {"PERSON", "health"}},
       "permit permit health"},
      {"sub-processor permitted", {"PA-HR", "payroll", "hosting-co", {"IBAN"}}, "permit permit"},
      {"other purpose", {"PA-HR", "analytics", "payroll-bureau", {"PERSON"}}, "deny purpose-limitation"},
      {"undeclared recipient", {"PA-HR", "payroll", "ad-network", {"PERSON"}}, "deny recipient-declared"},
      {"undeclared data", {"PA-HR", "payroll", "payroll-bureau", {"PERSON", "US_SSN"}}, "deny data-minimisation"},
      {"marketing without consent",
       {"PA-NEWS", "marketing_newsletter", "self", {"EMAIL_ADDRESS"}},
       "deny marketing-consent"},
  };
  for (const Case& item : cases) {
    SCOPED_TRACE(item.name);
    auto decision = Decide(*processing, *rules, item.request);
    ASSERT_TRUE(decision.ok()) << decision.status().ToString();
    std::string actual = std::string(decision->permit ? "permit " : "deny ") + decision->rule;
    for (const std::string& field : decision->mask) actual += " " + field;
    EXPECT_EQ(actual, item.expected);
    if (decision->permit) {
      EXPECT_EQ(decision->retention, "P10Y");
      EXPECT_EQ(decision->transfers, std::vector<std::string>{"EU -> SG (SCCs)"});
      EXPECT_TRUE(decision->record_disclosure);
    }
  }
  auto missing = Decide(*processing, *rules, {"PA-NONE", "payroll", "x", {"PERSON"}});
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(missing.status().message(), "register.yaml: no activity \"PA-NONE\"; the activities are PA-HR, PA-NEWS.");
}

}  // namespace
}  // namespace tutela::pims
