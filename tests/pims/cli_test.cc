// End-to-end tests of `tutela breach assess` and `tutela pims jurisdictions` running the real binary.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "test_support.h"

namespace tutela::testing {
namespace {

const std::string kIncident = R"(id: INC-1
discovered_at: 2026-03-02T09:00:00Z
assessed_at: 2026-03-03T09:00:00Z
affected:
  - store: cos://payments-archive
    categories: [CREDIT_CARD, EMAIL_ADDRESS]
    subjects: {SG: 620, EU: 40, US-HIPAA: 0}
    encryption: {at_rest: true, algorithm: AES-256-GCM, key_compromised: true}
    unauthorized_acquisition: true
    risk_of_harm: significant
)";

TEST(BreachCli, AssessWritesJsonWithAbsoluteDeadlinesAndCalendar) {
  TempDir dir;
  WriteFile(dir / "incident.yaml", kIncident);
  ProcessResult result = RunTutela({"breach", "assess", (dir / "incident.yaml").string(), "--ics",
                                    (dir / "deadlines.ics").string(), "--output", (dir / "out.json").string()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  nlohmann::json report = nlohmann::json::parse(ReadFile(dir / "out.json"));
  ASSERT_EQ(report["notifications"].size(), 4u);  // EU and SG x regulator, individuals; nothing for US-HIPAA: 0
  const nlohmann::json& sg = report["notifications"][2];
  EXPECT_EQ(sg["jurisdiction"], "SG");
  EXPECT_EQ(sg["audience"], "regulator");
  EXPECT_EQ(sg["required"], true);
  EXPECT_EQ(sg["deadline"], "2026-03-06T09:00:00Z");                          // 3 calendar days from assessed_at
  EXPECT_EQ(report["notifications"][0]["deadline"], "2026-03-05T09:00:00Z");  // EU: 72 h from discovery
  bool rotate = false;
  for (const auto& step : report["plan"]) rotate = rotate || step["id"] == "rotate-keys";
  EXPECT_TRUE(rotate);
  std::string ics = ReadFile(dir / "deadlines.ics");
  EXPECT_NE(ics.find("DTSTART:20260306T090000Z"), std::string::npos);
  EXPECT_NE(ics.find("DTSTART:20260305T090000Z"), std::string::npos);
}

TEST(BreachCli, MarkdownAndHtmlRender) {
  TempDir dir;
  WriteFile(dir / "incident.yaml", kIncident);
  ProcessResult markdown = RunTutela({"breach", "assess", (dir / "incident.yaml").string(), "--format", "markdown"});
  ASSERT_EQ(markdown.exit_code, 0) << markdown.err;
  EXPECT_NE(markdown.out.find("| SG | regulator | **yes** | 2026-03-06T09:00:00Z |"), std::string::npos);
  EXPECT_NE(markdown.out.find("## Response plan"), std::string::npos);
  ProcessResult html = RunTutela({"breach", "assess", (dir / "incident.yaml").string(), "--format", "html"});
  ASSERT_EQ(html.exit_code, 0) << html.err;
  EXPECT_EQ(html.out.rfind("<!doctype html>", 0), 0u);
}

TEST(BreachCli, BadIncidentExitsTwoNamingTheFieldAndWritesNothing) {
  TempDir dir;
  WriteFile(dir / "incident.yaml", "id: X\ndiscovered_at: yesterday\naffected: []\n");
  ProcessResult result = RunTutela({"breach", "assess", (dir / "incident.yaml").string(), "--output",
                                    (dir / "out.json").string(), "--ics", (dir / "x.ics").string()});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("incident.yaml:2:16: field \"discovered_at\": \""), std::string::npos) << result.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "out.json"));
  EXPECT_FALSE(std::filesystem::exists(dir / "x.ics"));
}

TEST(BreachCli, BadRuleFolderExitsTwoWithFileAndLine) {
  TempDir dir;
  WriteFile(dir / "incident.yaml", kIncident);
  WriteFile(dir / "rules/zz.yaml", "id: ZZ\nname: x\nsource: x\nregulator: x\nfoo: 1\n");
  ProcessResult result =
      RunTutela({"breach", "assess", (dir / "incident.yaml").string(), "--jurisdictions", (dir / "rules").string()});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("zz.yaml:5:1: unknown field \"foo\""), std::string::npos) << result.err;
}

TEST(BreachCli, ExampleIncidentAssesses) {
  ProcessResult result = RunTutela({"breach", "assess", (SourceDir() / "examples/pims/incident.yaml").string()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  nlohmann::json report = nlohmann::json::parse(result.out);
  EXPECT_EQ(report["incident"], "INC-1");
}

TEST(PimsCli, JurisdictionsListsElevenRegimes) {
  ProcessResult result = RunTutela({"pims", "jurisdictions", "--format", "json"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(nlohmann::json::parse(result.out).size(), 11u);
}

}  // namespace
}  // namespace tutela::testing

namespace tutela::testing {
namespace {

TEST(PimsCli, RegisterLintAndSyncExitCodes) {
  ProcessResult lint = RunTutela({"pims", "register", "lint", (SourceDir() / "examples/pims/register.yaml").string()});
  EXPECT_EQ(lint.exit_code, 0) << lint.err;
  EXPECT_NE(lint.out.find("2 activities, 0 finding(s)"), std::string::npos);
  ProcessResult sync =
      RunTutela({"pims", "register", "sync", (SourceDir() / "examples/pims/register.yaml").string(), "--pii-inventory",
                 (SourceDir() / "examples/pims/pii-inventory.json").string(), "--format", "json"});
  EXPECT_EQ(sync.exit_code, 1) << sync.err;  // undeclared MEDICAL_RECORD_NUMBER in the support exports
  auto report = nlohmann::json::parse(sync.out);
  EXPECT_EQ(report["findings"][0]["kind"], "undeclared");
  TempDir dir;
  WriteFile(dir / "register.yaml", "activities:\n  - id: A\n    purpose: p\n    legal_basis: whim\n");
  ProcessResult bad = RunTutela({"pims", "register", "lint", (dir / "register.yaml").string()});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("register.yaml:4:18: activity A: legal_basis must be one of"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace tutela::testing

namespace tutela::testing {
namespace {

TEST(PimsCli, DecidePermitsAndDeniesWithExitCodes) {
  TempDir dir;
  std::string reg = (SourceDir() / "examples/pims/register.yaml").string();
  ProcessResult permit = RunTutela({"pims", "decide", "--log", (dir / "disclosures.log").string(), "--register", reg,
                                    "--activity", "PA-SUPPORT", "--purpose", "customer_support", "--requester", "self",
                                    "--data", "EMAIL_ADDRESS", "PERSON"});
  ASSERT_EQ(permit.exit_code, 0) << permit.err;
  auto json = nlohmann::json::parse(permit.out);
  EXPECT_EQ(json["decision"], "permit");
  EXPECT_EQ(json["obligations"]["retention"], "P2Y");
  ProcessResult deny =
      RunTutela({"pims", "decide", "--log", (dir / "disclosures.log").string(), "--register", reg, "--activity",
                 "PA-SUPPORT", "--purpose", "customer_support", "--requester", "self", "--data", "CREDIT_CARD"});
  EXPECT_EQ(deny.exit_code, 1);
  EXPECT_EQ(nlohmann::json::parse(deny.out)["rule"], "data-minimisation");
  EXPECT_EQ(nlohmann::json::parse(deny.out)["disclosure_log"]["index"], 1) << "denials are logged too";
}

TEST(PimsCli, DisclosuresAreLoggedListedAndTamperEvident) {
  TempDir dir;
  std::string log = (dir / "disclosures.log").string();
  std::string reg = (SourceDir() / "examples/pims/register.yaml").string();
  ASSERT_EQ(RunTutela({"pims", "decide", "--log", log, "--register", reg, "--activity", "PA-SUPPORT", "--purpose",
                       "customer_support", "--requester", "self", "--data", "EMAIL_ADDRESS"})
                .exit_code,
            0);
  ProcessResult disclosed =
      RunTutela({"pims", "disclose", "--log", log, "--activity", "PA-SUPPORT", "--recipient", "Example Court", "--kind",
                 "authority", "--data", "EMAIL_ADDRESS", "--basis", "court order 2026/17", "--subjects", "1"});
  ASSERT_EQ(disclosed.exit_code, 0) << disclosed.err;
  EXPECT_NE(disclosed.err.find("recorded disclosure 1"), std::string::npos) << disclosed.err;

  ProcessResult listed = RunTutela({"pims", "disclosures", "--log", log, "--format", "json"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  auto json = nlohmann::json::parse(listed.out);
  ASSERT_EQ(json["entries"].size(), 2u);
  EXPECT_EQ(json["entries"][0]["kind"], "decision");
  EXPECT_EQ(json["entries"][1]["details"]["recipient_kind"], "authority");
  EXPECT_EQ(json["tree_head"]["size"], 2);
  EXPECT_EQ(json["tree_head"]["root"].get<std::string>().size(), 64u);

  // Change one byte inside the first entry: the log refuses to open rather than list altered history.
  std::string bytes = ReadFile(log);
  size_t at = bytes.find("customer_support");
  ASSERT_NE(at, std::string::npos);
  bytes[at] = 'C';
  WriteFile(log, bytes);
  ProcessResult tampered = RunTutela({"pims", "disclosures", "--log", log});
  EXPECT_EQ(tampered.exit_code, 2);
  EXPECT_NE(tampered.err.find(log), std::string::npos) << tampered.err;
}

TEST(PimsCli, DiscloseRefusesAnUnknownRecipientKindAndListingNeedsALog) {
  TempDir dir;
  ProcessResult bad = RunTutela({"pims", "disclose", "--log", (dir / "d.log").string(), "--activity", "A",
                                 "--recipient", "R", "--kind", "friend", "--data", "X", "--basis", "B"});
  EXPECT_EQ(bad.exit_code, 2);
  ProcessResult missing = RunTutela({"pims", "disclosures", "--log", (dir / "none.log").string()});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("no disclosure log there yet"), std::string::npos) << missing.err;
}

}  // namespace
}  // namespace tutela::testing

namespace tutela::testing {
namespace {

TEST(PimsCli, RiskOnTheExampleRegister) {
  ProcessResult result =
      RunTutela({"pims", "risk", "--register", (SourceDir() / "examples/pims/register.yaml").string(),
                 "--pii-inventory", (SourceDir() / "examples/pims/pii-inventory.json").string()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  auto json = nlohmann::json::parse(result.out);
  ASSERT_EQ(json["activities"].size(), 2u);
  EXPECT_EQ(json["activities"][0]["activity"], "PA-PAYMENTS");
  EXPECT_EQ(json["activities"][0]["level"], "medium");
}

}  // namespace
}  // namespace tutela::testing

namespace tutela::testing {
namespace {

TEST(BreachCli, RegisterAndInventoryResolveStoresAndAnUnknownStoreExitsTwo) {
  std::string reg = (SourceDir() / "examples/pims/register.yaml").string();
  std::string inventory = (SourceDir() / "examples/pims/pii-inventory.json").string();
  ProcessResult result = RunTutela({"breach", "assess", (SourceDir() / "examples/pims/incident.yaml").string(),
                                    "--register", reg, "--pii-inventory", inventory});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.err.find("not used"), std::string::npos) << "the options are used now: " << result.err;
  auto report = nlohmann::json::parse(result.out);
  EXPECT_EQ(report["notes"][1],
            "affected[1] (s3://support-exports/2026-02): register activity PA-SUPPORT and PII inventory store "
            "s3://support-exports/2026-02/tickets.csv also list MEDICAL_RECORD_NUMBER, not named as affected; confirm "
            "they were not exposed.");
  EXPECT_NE(report["plan"][0]["detail"].get<std::string>().find(
                "Terraform resources to lock down: module.archive.tencentcloud_cos_bucket.this."),
            std::string::npos);

  TempDir dir;
  WriteFile(dir / "incident.yaml",
            "id: X\ndiscovered_at: 2026-03-02T09:00:00Z\naffected:\n  - store: s3://unknown-bucket\n"
            "    subjects: {SG: 3}\n    risk_of_harm: low\n");
  ProcessResult bad = RunTutela({"breach", "assess", (dir / "incident.yaml").string(), "--register", reg, "--output",
                                 (dir / "out.json").string()});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("incident.yaml:4:12: field \"affected[0].store\" \"s3://unknown-bucket\" is not a data store "
                         "in " +
                         reg),
            std::string::npos)
      << bad.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "out.json"));
}

}  // namespace
}  // namespace tutela::testing

namespace tutela::testing {
namespace {

TEST(PimsCli, DisclosureLogHeadsAreSignedProvenAndVerified) {
  TempDir dir;
  std::string log = (dir / "disclosures.log").string();
  std::string reg = (SourceDir() / "examples/pims/register.yaml").string();
  for (const char* recipient : {"Example Court", "Example Police"}) {
    ASSERT_EQ(RunTutela({"pims", "disclose", "--log", log, "--activity", "PA-SUPPORT", "--recipient", recipient,
                         "--kind", "authority", "--data", "EMAIL_ADDRESS", "--basis", "legal order"})
                  .exit_code,
              0);
  }
  ProcessResult head =
      RunTutela({"pims", "disclosures", "head", "--log", log, "--output", (dir / "head.json").string()});
  ASSERT_EQ(head.exit_code, 0) << head.err;
  auto signed_head = nlohmann::json::parse(ReadFile(dir / "head.json"));
  EXPECT_EQ(signed_head["size"], 2);
  EXPECT_EQ(signed_head["signature"].get<std::string>().size(), 128u);
  EXPECT_TRUE(std::filesystem::exists(dir / "disclosures-key.pem"));
  EXPECT_EQ(std::filesystem::status(dir / "disclosures-key.pem").permissions() & std::filesystem::perms::group_read,
            std::filesystem::perms::none);

  // The inclusion proof carries the entry; its leaf hash and the audit path give the signed root.
  ProcessResult proof = RunTutela({"pims", "disclosures", "proof", "inclusion", "--log", log, "--index", "1"});
  ASSERT_EQ(proof.exit_code, 0) << proof.err;
  auto inclusion = nlohmann::json::parse(proof.out);
  EXPECT_EQ(inclusion["root"], signed_head["root"]);
  EXPECT_NE(inclusion["entry"].get<std::string>().find("Example Police"), std::string::npos);
  EXPECT_EQ(inclusion["proof"].size(), 1u);

  // Later entries keep the old head verifiable; the consistency proof links the two trees.
  ASSERT_EQ(RunTutela({"pims", "disclose", "--log", log, "--activity", "PA-SUPPORT", "--recipient", "Example Auditor",
                       "--kind", "third-party", "--data", "EMAIL_ADDRESS", "--basis", "audit contract"})
                .exit_code,
            0);
  ProcessResult consistency = RunTutela({"pims", "disclosures", "proof", "consistency", "--log", log, "--old", "2"});
  ASSERT_EQ(consistency.exit_code, 0) << consistency.err;
  EXPECT_EQ(nlohmann::json::parse(consistency.out)["old_root"], signed_head["root"]);
  ProcessResult verified = RunTutela({"pims", "disclosures", "verify", (dir / "head.json").string(), "--log", log,
                                      "--public-key", signed_head["public_key"].get<std::string>()});
  EXPECT_EQ(verified.exit_code, 0) << verified.err;
  EXPECT_EQ(verified.out.rfind("consistent: the head of 2 entries signed at ", 0), 0u) << verified.out;

  // A rewritten log (same length, other content) fails against the kept head: exit 1.
  std::string rewritten = (dir / "rewritten.log").string();
  for (const char* recipient : {"Example Court", "Someone Else"}) {
    ASSERT_EQ(RunTutela({"pims", "disclose", "--log", rewritten, "--activity", "PA-SUPPORT", "--recipient", recipient,
                         "--kind", "authority", "--data", "EMAIL_ADDRESS", "--basis", "legal order"})
                  .exit_code,
              0);
  }
  ProcessResult failed = RunTutela({"pims", "disclosures", "verify", (dir / "head.json").string(), "--log", rewritten});
  EXPECT_EQ(failed.exit_code, 1);
  EXPECT_NE(failed.out.find("history was rewritten"), std::string::npos) << failed.out;
  ProcessResult out_of_range = RunTutela({"pims", "disclosures", "proof", "inclusion", "--log", log, "--index", "9"});
  EXPECT_EQ(out_of_range.exit_code, 2);
}

}  // namespace
}  // namespace tutela::testing

namespace tutela::testing {
namespace {

// The real chain: `tutela assess` on the sample plan, then `pims risk --assessment` on the sample register, whose
// payments activity keeps its archive in a private, encrypted bucket and its orders in a MySQL instance that is open
// to the internet and unencrypted.
TEST(PimsCli, RiskReadsTheAssessmentOfTheSamplePlan) {
  TempDir dir;
  ProcessResult assess = RunTutela({"assess", (SourceDir() / "examples/assess/plan.json").string(), "--format", "json",
                                    "--output", (dir / "results.json").string()});
  ASSERT_TRUE(assess.exit_code == 0 || assess.exit_code == 1) << assess.err;
  ProcessResult result = RunTutela(
      {"pims", "risk", "--register", (SourceDir() / "examples/pims/register.yaml").string(), "--pii-inventory",
       (SourceDir() / "examples/pims/pii-inventory.json").string(), "--assessment", (dir / "results.json").string()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const nlohmann::json payments = nlohmann::json::parse(result.out)["activities"][0];
  ASSERT_EQ(payments["activity"], "PA-PAYMENTS");
  ASSERT_EQ(payments["factors"].size(), 7u);
  EXPECT_EQ(payments["factors"][5]["name"], "exposure");
  EXPECT_EQ(payments["factors"][5]["value"], 3);
  EXPECT_EQ(payments["factors"][5]["why"],
            "reachable from outside: tc-mysql-no-internet on tencentcloud_mysql_instance.orders: fail (critical)");
  EXPECT_EQ(payments["factors"][6]["value"], 3);  // the orders database is stored in clear
  EXPECT_EQ(payments["likelihood"], 3);
  EXPECT_EQ(payments["residual_likelihood"], 3);  // CRY-02 fails on the database: declared measures do not count
  EXPECT_EQ(payments["measures_status"][0]["control"], "CRY-02");
  EXPECT_EQ(payments["measures_status"][0]["status"], "fail");
  EXPECT_EQ(payments["level"], "high");

  WriteFile(dir / "bad.json", R"({"format": "tutela-pii-inventory", "results": []})");
  ProcessResult bad = RunTutela({"pims", "risk", "--register", (SourceDir() / "examples/pims/register.yaml").string(),
                                 "--assessment", (dir / "bad.json").string()});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("bad.json: \"format\" is \"tutela-pii-inventory\""), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace tutela::testing

namespace tutela::testing {
namespace {

// The inventory pims reads is the one `tutela pii scan --inventory` writes (docs/formats/pii-inventory.md): scan a
// folder for real, then sync a register against it and take a breach's categories from it.
TEST(PimsCli, ReadsTheInventoryThatPiiScanWrites) {
  TempDir dir;
  WriteFile(dir / "hr/staff.csv", "name,rrn,email\nKim,900101-1234568,kim@example.com\n");
  ProcessResult scan =
      RunTutela({"pii", "scan", (dir / "hr").string(), "--inventory", (dir / "inventory.json").string()});
  ASSERT_EQ(scan.exit_code, 0) << scan.err;
  auto inventory = nlohmann::json::parse(ReadFile(dir / "inventory.json"));
  ASSERT_EQ(inventory["format"], "tutela-pii-inventory");
  ASSERT_EQ(inventory["version"], 1);
  std::string store = (dir / "hr").string();
  WriteFile(dir / "register.yaml",
            "activities:\n  - id: PA-HR\n    purpose: payroll\n    legal_basis: employment\n"
            "    data_subjects: [employees]\n    pii: [contact]\n    data_stores: [{store: " +
                store + "}]\n    retention: P5Y\n    jurisdictions: [KR]\n");
  ProcessResult sync = RunTutela({"pims", "register", "sync", (dir / "register.yaml").string(), "--pii-inventory",
                                  (dir / "inventory.json").string(), "--format", "json"});
  EXPECT_EQ(sync.exit_code, 1) << sync.err;  // KR_RRN is undeclared; the e-mail is covered by the category
  auto findings = nlohmann::json::parse(sync.out)["findings"];
  ASSERT_EQ(findings.size(), 1u) << sync.out;
  EXPECT_EQ(findings[0]["kind"], "undeclared");
  EXPECT_EQ(findings[0]["message"].get<std::string>().rfind("KR_RRN found 1 time(s) in " + store, 0), 0u);

  WriteFile(dir / "incident.yaml", "id: INC-HR\ndiscovered_at: 2026-03-02T09:00:00Z\naffected:\n  - store: " + store +
                                       "\n    subjects: {KR: 1}\n    risk_of_harm: low\n");
  ProcessResult breach = RunTutela(
      {"breach", "assess", (dir / "incident.yaml").string(), "--pii-inventory", (dir / "inventory.json").string()});
  ASSERT_EQ(breach.exit_code, 0) << breach.err;
  auto report = nlohmann::json::parse(breach.out);
  EXPECT_EQ(report["notifications"][0]["rule"], "KR-PIPC");
  EXPECT_EQ(report["notifications"][0]["required"], true);  // one person, but a resident registration number
}

}  // namespace
}  // namespace tutela::testing
