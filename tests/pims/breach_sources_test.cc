// `breach assess --register/--pii-inventory`: affected stores and activities resolved against the register and the
// PII inventory, left-out categories filled (and the notices they trigger), and the exact errors for unknown stores,
// unknown activities and contradictions.
#include <gtest/gtest.h>

#include <cstdlib>

#include "test_support.h"
#include "tutela/pims/breach.h"

namespace tutela::pims {
namespace {

const JurisdictionSet& Rules() {
  static const JurisdictionSet* rules = [] {
    auto loaded = JurisdictionSet::LoadDirectory(testing::SourceDir() / "catalog/jurisdictions");
    if (!loaded.ok()) std::abort();
    return new JurisdictionSet(std::move(loaded).value());
  }();
  return *rules;
}

const char* kRegister = R"(activities:
  - id: PA-HR
    purpose: payroll
    legal_basis: employment
    data_subjects: [employees]
    pii: [EMAIL_ADDRESS, PERSON]
    data_stores:
      - {store: s3://hr, terraform: aws_s3_bucket.hr}
    retention: P5Y
    security_measures: [CRY-02]
    jurisdictions: [KR]
  - id: PA-SHOP
    purpose: orders
    legal_basis: contract
    data_subjects: [customers]
    pii: [EMAIL_ADDRESS]
    data_stores:
      - {store: cos://orders, terraform: tencentcloud_cos_bucket.orders}
      - {store: /srv/orders-export}
    retention: P2Y
    security_measures: [CRY-02]
    jurisdictions: [SG]
)";

// What a `tutela pii scan --inventory` of the HR bucket finds: resident registration numbers nobody declared.
const std::vector<InventoryStore> kInventory = {
    {"s3://hr/2026/staff.csv",
     {{"EMAIL_ADDRESS", 40}, {"KR_RRN", 40}},
     {{"EMAIL_ADDRESS", "contact"}, {"KR_RRN", "national_id"}},
     {"contact", "national_id"}},
    {"/scans/lab", {{"MEDICAL_RECORD_NUMBER", 3}}, {{"MEDICAL_RECORD_NUMBER", "health"}}, {"health"}},
    {"/scans/clean", {}, {}, {}}};  // scanned, nothing found

struct Fixture {
  ProcessingRegister processing;
  IncidentSources sources;
  Fixture(bool with_register, bool with_inventory) {
    auto parsed = ParseRegister(kRegister, "register.yaml");
    if (!parsed.ok()) std::abort();
    processing = std::move(parsed).value();
    if (with_register) {
      sources.processing = &processing;
      sources.register_source = "register.yaml";
    }
    if (with_inventory) {
      sources.inventory = &kInventory;
      sources.inventory_source = "inventory.json";
    }
  }
};

std::string Incident(const std::string& entry) {
  return "id: INC-S\ndiscovered_at: 2026-03-02T09:00:00Z\naffected:\n" + entry;
}

const Notification* Find(const BreachAssessment& assessment, const std::string& jurisdiction, Audience audience) {
  for (const Notification& item : assessment.notifications) {
    if (item.jurisdiction == jurisdiction && item.audience == audience && item.report == "initial") return &item;
  }
  return nullptr;
}

TEST(BreachSources, LeftOutCategoriesComeFromRegisterAndInventoryAndTriggerKoreanNotice) {
  Fixture fixture(true, true);
  auto incident = ParseIncident(Incident("  - store: s3://hr\n    subjects: {KR: 5}\n    risk_of_harm: low\n"),
                                "incident.yaml", Rules(), fixture.sources);
  ASSERT_TRUE(incident.ok()) << incident.status().ToString();
  const AffectedData& data = incident->affected[0];
  EXPECT_EQ(data.categories, (std::vector<std::string>{"EMAIL_ADDRESS", "KR_RRN", "PERSON", "contact", "national_id"}));
  EXPECT_EQ(data.activities, std::vector<std::string>{"PA-HR"});
  EXPECT_EQ(data.terraform, std::vector<std::string>{"aws_s3_bucket.hr"});
  ASSERT_EQ(incident->notes.size(), 1u);
  EXPECT_EQ(incident->notes[0],
            "affected[0] (s3://hr): categories taken from register activity PA-HR and PII inventory store "
            "s3://hr/2026/staff.csv: EMAIL_ADDRESS, KR_RRN, PERSON, contact, national_id. List them in the incident "
            "if less was exposed.");
  BreachAssessment assessment = AssessBreach(*incident, Rules());
  const Notification* pipc = Find(assessment, "KR", Audience::kRegulator);
  ASSERT_NE(pipc, nullptr);
  EXPECT_TRUE(pipc->required);  // 5 people, but resident registration numbers: sensitive, regardless of scale
  EXPECT_EQ(pipc->deadline, ParseRfc3339("2026-03-05T09:00:00Z").value());
  EXPECT_NE(assessment.plan[0].detail.find("Terraform resources to lock down: aws_s3_bucket.hr. Register activities "
                                           "concerned: PA-HR."),
            std::string::npos)
      << assessment.plan[0].detail;
  EXPECT_EQ(assessment.notes[0], incident->notes[0]);
}

TEST(BreachSources, StatedCategoriesAreKeptAndWhatTheStoreHoldsBeyondThemIsNoted) {
  Fixture fixture(true, true);
  auto incident =
      ParseIncident(Incident("  - store: s3://hr\n    categories: [EMAIL_ADDRESS]\n    subjects: {KR: 5, SG: 2}\n"
                             "    risk_of_harm: low\n"),
                    "incident.yaml", Rules(), fixture.sources);
  ASSERT_TRUE(incident.ok()) << incident.status().ToString();
  EXPECT_EQ(incident->affected[0].categories, std::vector<std::string>{"EMAIL_ADDRESS"});
  ASSERT_EQ(incident->notes.size(), 2u);
  EXPECT_EQ(incident->notes[0],
            "affected[0] (s3://hr): register activity PA-HR and PII inventory store s3://hr/2026/staff.csv also list "
            "KR_RRN, PERSON, not named as affected; confirm they were not exposed.");
  EXPECT_EQ(incident->notes[1],
            "affected[0] (s3://hr): subjects in SG, which activity PA-HR does not list among its jurisdictions; "
            "update the register.");
  const Notification* pipc = Find(AssessBreach(*incident, Rules()), "KR", Audience::kRegulator);
  ASSERT_NE(pipc, nullptr);
  EXPECT_FALSE(pipc->required);  // only e-mail addresses of 5 people, no attack: below every KR trigger
}

TEST(BreachSources, AnActivityBringsItsStoresAndTerraformAddresses) {
  Fixture fixture(true, false);
  auto incident = ParseIncident(Incident("  - activity: PA-SHOP\n    subjects: {SG: 700}\n    risk_of_harm: low\n"),
                                "incident.yaml", Rules(), fixture.sources);
  ASSERT_TRUE(incident.ok()) << incident.status().ToString();
  EXPECT_EQ(incident->affected[0].categories, std::vector<std::string>{"EMAIL_ADDRESS"});
  EXPECT_EQ(incident->affected[0].terraform, std::vector<std::string>{"tencentcloud_cos_bucket.orders"});
  const Notification* pdpc = Find(AssessBreach(*incident, Rules()), "SG", Audience::kRegulator);
  ASSERT_NE(pdpc, nullptr);
  EXPECT_TRUE(pdpc->required);  // 700 >= 500
}

TEST(BreachSources, TerraformAddressAndInventoryPathsResolve) {
  Fixture fixture(true, true);
  auto by_address = ParseIncident(
      Incident("  - store: tencentcloud_cos_bucket.orders\n    subjects: {SG: 1}\n    risk_of_harm: low\n"),
      "incident.yaml", Rules(), fixture.sources);
  ASSERT_TRUE(by_address.ok()) << by_address.status().ToString();
  EXPECT_EQ(by_address->affected[0].activities, std::vector<std::string>{"PA-SHOP"});
  // A store only the inventory knows (a scanned folder) is accepted, with what the scan found.
  auto scanned = ParseIncident(Incident("  - store: /scans/lab\n    subjects: {US-HIPAA: 3}\n    risk_of_harm: high\n"),
                               "incident.yaml", Rules(), fixture.sources);
  ASSERT_TRUE(scanned.ok()) << scanned.status().ToString();
  EXPECT_EQ(scanned->affected[0].categories, (std::vector<std::string>{"MEDICAL_RECORD_NUMBER", "health"}));
  EXPECT_TRUE(scanned->affected[0].activities.empty());
}

struct BadCase {
  const char* name;
  bool with_register;
  bool with_inventory;
  const char* entry;
  const char* error;
};

TEST(BreachSources, UnknownStoresActivitiesAndContradictionsAreRefusedNamingTheField) {
  const BadCase cases[] = {
      {"unknown store, register and inventory", true, true,
       "  - store: s3://nowhere\n    categories: [EMAIL_ADDRESS]\n    subjects: {SG: 1}\n    risk_of_harm: low\n",
       "incident.yaml:4:12: field \"affected[0].store\" \"s3://nowhere\" is not a data store in register.yaml nor "
       "inventory.json; correct it, add it to the register, or scan it."},
      {"unknown store, register only", true, false,
       "  - store: s3://hr-old\n    subjects: {SG: 1}\n    risk_of_harm: low\n",
       "incident.yaml:4:12: field \"affected[0].store\" \"s3://hr-old\" is not a data store in register.yaml; correct "
       "it, add it to the register, or scan it."},
      {"unknown activity", true, false, "  - activity: PA-NOPE\n    subjects: {SG: 1}\n    risk_of_harm: low\n",
       "incident.yaml:4:15: field \"affected[0].activity\" names unknown activity \"PA-NOPE\"; register.yaml has "
       "PA-HR, PA-SHOP."},
      {"activity does not declare the store", true, false,
       "  - activity: PA-HR\n    store: cos://orders\n    subjects: {SG: 1}\n    risk_of_harm: low\n",
       "incident.yaml:4:15: field \"affected[0].activity\" is contradictory: activity PA-HR does not declare store "
       "\"cos://orders\" (its stores: s3://hr); correct the store or the activity."},
      {"nothing known for the store", false, true,
       "  - store: /scans/clean\n    subjects: {SG: 1}\n    risk_of_harm: low\n",
       "incident.yaml:4:5: field \"affected[0].categories\" is missing and neither the register nor the PII inventory "
       "lists PII for this store; list the categories affected."},
  };
  for (const BadCase& bad : cases) {
    SCOPED_TRACE(bad.name);
    Fixture fixture(bad.with_register, bad.with_inventory);
    auto incident = ParseIncident(Incident(bad.entry), "incident.yaml", Rules(), fixture.sources);
    ASSERT_FALSE(incident.ok());
    EXPECT_EQ(incident.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(incident.status().message(), bad.error);
  }
}

}  // namespace
}  // namespace tutela::pims
