// Register of processing: strict parsing with field-naming errors, lint findings, and sync with a PII inventory.
#include "tutela/pims/register.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "test_support.h"
#include "tutela/core/data.h"

namespace tutela::pims {
namespace {

const JurisdictionSet& Rules() {
  static const JurisdictionSet rules =
      std::move(JurisdictionSet::LoadDirectory(testing::SourceDir() / "catalog/jurisdictions")).value();
  return rules;
}

const char* kRegister = R"(controller: Example
activities:
  - id: PA-1
    purpose: payments
    legal_basis: contract
    data_subjects: [customers]
    pii: [CREDIT_CARD, EMAIL_ADDRESS]
    data_stores: [{store: s3://pay}]
    retention: P7Y
    security_measures: [CRY-01]
    jurisdictions: [SG, EU]
  - id: PA-2
    purpose: wellness
    legal_basis: legitimate_interests
    data_subjects: [employees]
    pii: [health, EMAIL_ADDRESS]
    data_stores: [{store: /srv/hr}]
    transfers: [{from: EU, to: CN}]
    retention: P1Y
    jurisdictions: [EU, XX]
)";

std::vector<std::string> Render(const std::vector<RegisterFinding>& findings) {
  std::vector<std::string> out;
  for (const RegisterFinding& finding : findings) {
    out.push_back(finding.severity + " | " + finding.where + " | " + finding.activity + " | " + finding.message);
  }
  return out;
}

TEST(Register, LintReportsUnknownJurisdictionTransferWithoutMechanismAndSensitiveBasis) {
  auto processing = ParseRegister(kRegister, "register.yaml");
  ASSERT_TRUE(processing.ok()) << processing.status().ToString();
  std::vector<std::string> expected = {
      "error | register.yaml:12:5 | PA-2 | unknown jurisdiction \"XX\"; the jurisdictions are CN, DE, EU, ID, JP, KR, "
      "MY, PH, SG, TH, US-HIPAA.",
      "error | register.yaml:18:17 | PA-2 | transfer EU -> CN has no mechanism; name one (adequacy, SCCs, standard "
      "contract, consent, ...).",
      "warning | register.yaml:12:5 | PA-2 | health is sensitive under EU (GDPR Art 9(1), Art 10) but the legal "
      "basis is legitimate_interests; record the separate condition (e.g. explicit_consent).",
      "warning | register.yaml:12:5 | PA-2 | no security_measures; list the unified control ids that protect this "
      "processing.",
  };
  EXPECT_EQ(Render(LintRegister(*processing, Rules())), expected);
}

TEST(Register, SyncReportsUndeclaredAndUnseen) {
  auto processing = ParseRegister(kRegister, "register.yaml");
  ASSERT_TRUE(processing.ok());
  auto document = ParseJson(R"({"stores": [
      {"store": "s3://pay/2026/a.csv", "entities": {"CREDIT_CARD": 10, "US_SSN": 2}, "categories": ["financial"]},
      {"store": "s3://payroll/x.csv", "entities": {"EMAIL_ADDRESS": 1}},
      {"store": "/srv/hr/notes.txt", "entities": {"EMAIL_ADDRESS": 4}, "categories": ["health"]}]})",
                            "inv.json");
  ASSERT_TRUE(document.ok());
  auto inventory = ParsePiiInventory(*document, "inv.json");
  ASSERT_TRUE(inventory.ok()) << inventory.status().ToString();
  std::vector<std::string> expected = {
      "undeclared | s3://pay/2026/a.csv |  | US_SSN found 2 time(s) in s3://pay/2026/a.csv, but no activity using this "
      "store declares it; add it to an activity's pii (and data_stores) or remove the data.",
      "undeclared | s3://payroll/x.csv |  | EMAIL_ADDRESS found 1 time(s) in s3://payroll/x.csv, a store no activity "
      "declares; add it to an activity's pii (and data_stores) or remove the data.",
      "unseen | s3://pay | PA-1 | EMAIL_ADDRESS is declared for s3://pay but was not found there; remove it from the "
      "register or check the scan.",
  };
  EXPECT_EQ(Render(SyncRegister(*processing, *inventory)), expected);
}

// Regression: an inventory store the scan could not read completely made every declared entity look unseen.
TEST(Register, SyncDoesNotCallDataUnseenInAStoreThatWasNotFullyScanned) {
  auto processing = ParseRegister(kRegister, "register.yaml");
  ASSERT_TRUE(processing.ok());
  auto document = ParseJson(R"({"format": "tutela-pii-inventory", "version": 1, "stores": [
      {"store": "s3://pay/2026/a.csv", "complete": false, "files_scanned": 0, "errors": ["cannot read"],
       "entities": [], "categories": []}]})",
                            "inv.json");
  ASSERT_TRUE(document.ok());
  auto inventory = ParsePiiInventory(*document, "inv.json");
  ASSERT_TRUE(inventory.ok()) << inventory.status().ToString();
  auto findings = Render(SyncRegister(*processing, *inventory));
  ASSERT_FALSE(findings.empty());
  EXPECT_EQ(findings[0],
            "unseen | s3://pay | PA-1 | store s3://pay was not fully scanned (the inventory marks it incomplete), so "
            "what was not found there proves nothing; fix the scan errors and scan it again.");
  for (const std::string& finding : findings) EXPECT_EQ(finding.find("but was not found there"), std::string::npos);
  auto bad = ParseJson(R"({"stores": [{"store": "crm", "complete": "no"}]})", "inv.json");
  EXPECT_EQ(ParsePiiInventory(*bad, "inv.json").status().message(),
            "inv.json: stores[0].complete must be true or false.");
}

TEST(Register, SyncReadsInventoryVersionOneWithPerEntityCategories) {
  auto processing = ParseRegister(R"(activities:
  - id: PA-1
    purpose: support
    legal_basis: contract
    data_subjects: [customers]
    pii: [contact]
    data_stores: [{store: crm}]
    retention: P1Y
    jurisdictions: [EU]
)",
                                  "register.yaml");
  ASSERT_TRUE(processing.ok()) << processing.status().ToString();
  auto document = ParseJson(R"({"format": "tutela-pii-inventory", "version": 1, "stores": [
      {"store": "crm", "categories": ["contact", "health"], "entities": [
        {"id": "EMAIL_ADDRESS", "category": "contact", "count": 4},
        {"id": "MEDICAL_RECORD_NUMBER", "category": "health", "count": 1}]}]})",
                            "inv.json");
  ASSERT_TRUE(document.ok());
  auto inventory = ParsePiiInventory(*document, "inv.json");
  ASSERT_TRUE(inventory.ok()) << inventory.status().ToString();
  // "contact" covers EMAIL_ADDRESS only: the health entity is undeclared although the store also holds contact data.
  std::vector<std::string> expected = {
      "undeclared | crm |  | MEDICAL_RECORD_NUMBER found 1 time(s) in crm, but no activity using this store declares "
      "it; "
      "add it to an activity's pii (and data_stores) or remove the data."};
  EXPECT_EQ(Render(SyncRegister(*processing, *inventory)), expected);

  auto future = ParseJson(R"({"format": "tutela-pii-inventory", "version": 2, "stores": []})", "inv.json");
  ASSERT_TRUE(future.ok());
  EXPECT_EQ(ParsePiiInventory(*future, "inv.json").status().message(),
            "inv.json: PII inventory version 2 is not supported (this tutela reads version 1); upgrade tutela.");
  auto bad = ParseJson(R"({"stores": [{"store": "crm", "entities": [{"id": "X"}]}]})", "inv.json");
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(ParsePiiInventory(*bad, "inv.json").status().message(),
            "inv.json: stores[0].entities[0] needs \"id\" (text) and \"count\" (a whole number).");
}

TEST(Register, BadRegistersNameTheField) {
  struct Case {
    const char* text;
    const char* error;
  };
  const Case cases[] = {
      {"activities: []\n", "register.yaml:1:13: the register needs \"activities\": a non-empty list."},
      {"activities:\n  - id: A\n    purpose: p\n    legal_basis: whim\n",
       "register.yaml:4:18: activity A: legal_basis must be one of consent, contract, legal_obligation, "
       "vital_interests, public_task, legitimate_interests, employment, explicit_consent."},
      {"activities:\n  - id: A\n    purpose: p\n    legal_basis: consent\n    data_subjects: [x]\n    pii: [EMAIL]\n"
       "    retention: P1Y\n    jurisdictions: [EU]\n",
       "register.yaml:2:5: activity A needs \"data_stores\": a list of {store, terraform, region}."},
      {"activities:\n  - id: A\n    purpos: p\n",
       "register.yaml:3:5: unknown field \"purpos\" in an activity; the "
       "fields are id, name, purpose, legal_basis, data_subjects, pii, data_stores, recipients, sub_processors, "
       "transfers, retention, security_measures, jurisdictions."},
      {"activities:\n  - id: A\n    purpose: p\n    legal_basis: consent\n    data_subjects: []\n",
       "register.yaml:5:20: activity A field \"data_subjects\" must not be empty."},
  };
  for (const Case& item : cases) {
    auto parsed = ParseRegister(item.text, "register.yaml");
    ASSERT_FALSE(parsed.ok()) << item.text;
    EXPECT_EQ(parsed.status().message(), item.error);
  }
}

TEST(Register, ExampleRegisterIsClean) {
  auto processing = LoadRegister(testing::SourceDir() / "examples/pims/register.yaml");
  ASSERT_TRUE(processing.ok()) << processing.status().ToString();
  EXPECT_TRUE(LintRegister(*processing, Rules()).empty());
}

}  // namespace
}  // namespace tutela::pims

namespace tutela::pims {
namespace {

// The PII catalog says, per entity, under which laws it is sensitive (`sensitive_under`, our reading); the
// jurisdiction files are what pims decides with. Every such claim must be matched by the jurisdiction's sensitive
// lists (the entity id or its category), except the differences listed here, which are reported to the PII
// catalog's owner: the statutory lists in the reference facts do not name national identity numbers for these laws.
TEST(InventoryReconciliation, PiiCatalogSensitiveUnderMatchesTheJurisdictionFiles) {
  const std::map<std::string, std::vector<std::string>> law_to_jurisdictions = {
      {"CN-PIPL", {"CN"}}, {"EU-GDPR", {"EU", "DE"}}, {"ID-PDP", {"ID"}}, {"JP-APPI", {"JP"}},
      {"KR-PIPA", {"KR"}}, {"MY-PDPA", {"MY"}},       {"PH-DPA", {"PH"}}, {"SG-PDPA", {"SG"}},
      {"TH-PDPA", {"TH"}}, {"US-HIPAA", {"US-HIPAA"}}};
  const std::set<std::string> known_differences = {
      "JP_MY_NUMBER JP-APPI",    // APPI Art 2(3) special-care list has no ID numbers (My Number Act is separate)
      "MY_NRIC MY-PDPA",         // PDPA s4 sensitive data: health, politics, religion, offences, biometrics
      "ID_NIK ID-PDP",           // UU 27/2022 Art 4(2) specific data does not list the NIK
      "TH_NATIONAL_ID TH-PDPA",  // PDPA s26 does not list national ID numbers
  };
  auto catalog = LoadYamlFile(testing::SourceDir() / "catalog/pii/entities.yaml");
  ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
  size_t claims = 0;
  std::vector<std::string> missing;
  for (const auto& entity : (*catalog)["entities"]) {
    std::string id = entity["id"].Scalar();
    std::string category = entity["category"].Scalar();
    for (const auto& law : entity["sensitive_under"]) {
      auto mapped = law_to_jurisdictions.find(law.Scalar());
      ASSERT_NE(mapped, law_to_jurisdictions.end()) << "unknown law id " << law.Scalar() << " on " << id;
      ++claims;
      for (const std::string& jurisdiction : mapped->second) {
        const Jurisdiction* rules = Rules().Find(jurisdiction);
        ASSERT_NE(rules, nullptr) << jurisdiction;
        if (rules->IsSensitive(id) || rules->IsSensitive(category)) continue;
        if (known_differences.count(id + " " + law.Scalar()) > 0) continue;
        missing.push_back(id + " (" + category + ") under " + law.Scalar() + " -> " + jurisdiction);
      }
    }
  }
  EXPECT_GE(claims, 20u);
  EXPECT_TRUE(missing.empty()) << "sensitive in catalog/pii but not in catalog/jurisdictions: "
                               << ::testing::PrintToString(missing);
}

}  // namespace
}  // namespace tutela::pims
