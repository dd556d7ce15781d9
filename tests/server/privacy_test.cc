// The privacy office over real HTTP against SQLite and a real PostgreSQL server: the register (upload, lint, sync
// with the tenant's PII inventory, versions), risk with and without the inventory and an assessment, purpose
// decisions on the tamper-evident disclosure log, and incidents with per-jurisdiction deadlines (GDPR's 72 hours from
// discovery), calendars, updates and notifications recorded as sent; roles, tenant isolation and the audit trail.
#include <gtest/gtest.h>

#include "api_fixture.h"
#include "tutela/core/time.h"
#include "tutela/pims/disclosure_log.h"
#include "tutela/server/database.h"

namespace tutela::server {
namespace {

class PrivacyTest : public ServerFixture {
 protected:
  std::string RegisterText() { return ReadFile(SourceDir() / "examples/pims/register.yaml"); }
  std::string IncidentText() { return ReadFile(SourceDir() / "examples/pims/incident.yaml"); }

  void UploadRegister(Client& client) {
    Response put = client.Call("PUT", "/api/v1/register", RegisterText());
    ASSERT_EQ(put.status, 200) << put.raw;
  }

  std::string TenantId(const std::string& tenant) {
    Client admin = As(tenant, "admin");
    return admin.Get("/api/v1/whoami").body["tenant"]["id"].get<std::string>();
  }

  // What the PII area stores: the tenant's inventory as record pii_inventory/current (docs/formats/pii-inventory.md).
  void PutInventory(const std::string& tenant) {
    std::string id = TenantId(tenant);
    auto database = OpenDatabase(options_.database, options_.data);
    ASSERT_TRUE(database.ok()) << database.status().ToString();
    auto store = Store::Open(std::move(*database));
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    TenantData data = (*store)->ForTenant(id);
    Record record;
    record.kind = "pii_inventory";
    record.id = "current";
    record.state = "done";
    record.body = json::parse(ReadFile(SourceDir() / "examples/pims/pii-inventory.json"));
    ASSERT_TRUE(data.Put(record).ok());
  }

  static const json* Notification(const json& incident, const std::string& jurisdiction, const std::string& audience) {
    for (const auto& item : incident["assessment"]["notifications"]) {
      if (item["jurisdiction"] == jurisdiction && item["audience"] == audience && item["report"] == "initial") {
        return &item;
      }
    }
    return nullptr;
  }
};

TEST_P(PrivacyTest, TheRegisterIsUploadedLintedVersionedAndRefusedWhenBroken) {
  Client pat = As("acme", "pat");
  Response empty = pat.Get("/api/v1/register");
  ASSERT_EQ(empty.status, 200) << empty.raw;
  EXPECT_TRUE(empty.body["register"].is_null());

  Response put = pat.Call("PUT", "/api/v1/register", RegisterText());
  ASSERT_EQ(put.status, 200) << put.raw;
  EXPECT_EQ(put.body["version"], 1);
  EXPECT_EQ(put.body["activities"], 2);
  EXPECT_TRUE(put.body["lint"].is_array());

  Response got = pat.Get("/api/v1/register");
  ASSERT_EQ(got.status, 200) << got.raw;
  ASSERT_EQ(got.body["register"]["activities"].size(), 2u);
  EXPECT_EQ(got.body["register"]["activities"][0]["id"], "PA-PAYMENTS");
  EXPECT_EQ(got.body["register"]["activities"][0]["jurisdictions"], json({"SG", "EU"}));
  EXPECT_EQ(got.body["uploaded_by"], "pat");
  EXPECT_TRUE(got.body["sync"].is_null()) << "no inventory yet";
  EXPECT_TRUE(got.body["previous_versions"].empty());

  // Missing "purpose": refused with the place, and the stored register is unchanged.
  std::string broken =
      "activities:\n  - id: PA-X\n    legal_basis: contract\n    data_subjects: [staff]\n"
      "    pii: [EMAIL_ADDRESS]\n    data_stores: [{store: s3://x}]\n    retention: P1Y\n"
      "    jurisdictions: [EU]\n";
  Response bad = pat.Call("PUT", "/api/v1/register", broken);
  EXPECT_EQ(bad.status, 400) << bad.raw;
  EXPECT_EQ(bad.body["error"]["code"], "invalid");
  std::string message = bad.body["error"]["message"];
  EXPECT_TRUE(message.starts_with("the uploaded register:2:")) << message;
  EXPECT_NE(message.find("purpose"), std::string::npos) << message;
  Response bad_yaml = pat.Call("PUT", "/api/v1/register", "activities: [ {id: x");
  EXPECT_EQ(bad_yaml.status, 400) << bad_yaml.raw;
  EXPECT_EQ(pat.Call("PUT", "/api/v1/register", "").status, 400);
  EXPECT_EQ(pat.Get("/api/v1/register").body["version"], 1);

  // JSON is a register too; a lint error (an unknown jurisdiction) is reported, not refused.
  json register_json = {{"activities",
                         {{{"id", "PA-HR"},
                           {"purpose", "payroll"},
                           {"legal_basis", "employment"},
                           {"data_subjects", {"staff"}},
                           {"pii", {"EMAIL_ADDRESS"}},
                           {"data_stores", {{{"store", "s3://hr"}}}},
                           {"retention", "P6Y"},
                           {"jurisdictions", {"EU", "XX"}}}}}};
  Response as_json = pat.Call("PUT", "/api/v1/register", register_json.dump(2));
  ASSERT_EQ(as_json.status, 200) << as_json.raw;
  EXPECT_EQ(as_json.body["version"], 2);
  bool unknown = false;
  for (const auto& finding : as_json.body["lint"]) {
    unknown = unknown ||
              (finding["kind"] == "error" && finding["message"].get<std::string>().find("\"XX\"") != std::string::npos);
  }
  EXPECT_TRUE(unknown) << as_json.raw;
  Response second = pat.Get("/api/v1/register");
  EXPECT_EQ(second.body["register"]["activities"][0]["id"], "PA-HR");
  ASSERT_EQ(second.body["previous_versions"].size(), 1u);
  EXPECT_EQ(second.body["previous_versions"][0]["version"], 1);

  json entries = AuditEntries("acme");
  EXPECT_TRUE(HasEntry(entries, "register.upload", "ok"));
  EXPECT_TRUE(HasEntry(entries, "register.upload", "refused"));
}

// Regression: a register or incident over 1 MiB was refused with 400 (invalid) where HTTP has 413 (too large), and
// PATCH on a known route answered 404 where every other wrong method answers 405 with Allow.
TEST_P(PrivacyTest, RegressionAnOversizedDocumentIs413AndPatchIs405) {
  Client pat = As("acme", "pat");
  const std::string big = "# padding\n" + std::string(size_t{1} << 20, '#') + "\n" + RegisterText();
  Response put = pat.Call("PUT", "/api/v1/register", big);
  EXPECT_EQ(put.status, 413) << put.raw;
  EXPECT_EQ(put.body["error"]["code"], "too_large");
  EXPECT_NE(put.body["error"]["message"].get<std::string>().find("larger than 1 MiB"), std::string::npos) << put.raw;
  EXPECT_TRUE(pat.Get("/api/v1/register").body["register"].is_null()) << "nothing stored";
  Response incident = pat.Call("POST", "/api/v1/incidents", "# padding\n" + std::string(size_t{1} << 20, '#'));
  EXPECT_EQ(incident.status, 413) << incident.raw;
  // Exactly 1 MiB is still taken (the limit is inclusive).
  std::string fits = RegisterText();
  fits += "#" + std::string((size_t{1} << 20) - fits.size() - 2, '#') + "\n";
  ASSERT_EQ(fits.size(), size_t{1} << 20);
  EXPECT_EQ(pat.Call("PUT", "/api/v1/register", fits).status, 200);
  Response patch = pat.Call("PATCH", "/api/v1/register", RegisterText());
  EXPECT_EQ(patch.status, 405) << patch.raw;
  std::string allow;
  for (const auto& [name, value] : patch.headers) {
    if (name == "Allow") allow = value;
  }
  EXPECT_NE(allow.find("PUT"), std::string::npos) << allow;
  EXPECT_EQ(pat.Call("PATCH", "/api/v1/nothing-here", "{}").status, 404);
  // A route's own 404 keeps its message (the server's catch-all for unknown routes used to replace it).
  Response missing = pat.Get("/api/v1/incidents/no-such-incident");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.body["error"]["message"].get<std::string>().find("no such API route"), std::string::npos)
      << missing.raw;
}

TEST_P(PrivacyTest, RiskUsesTheInventoryAndTheLatestAssessmentWhenThereAreSome) {
  Client pat = As("acme", "pat");
  Response none = pat.Get("/api/v1/risk");
  EXPECT_EQ(none.status, 409) << none.raw;
  EXPECT_EQ(none.body["error"]["code"], "not_ready");
  UploadRegister(pat);

  Response plain = pat.Get("/api/v1/risk");
  ASSERT_EQ(plain.status, 200) << plain.raw;
  ASSERT_EQ(plain.body["activities"].size(), 2u);
  EXPECT_TRUE(plain.body["assessment"].is_null());
  EXPECT_TRUE(plain.body["inventory"].is_null());
  const json& payments = plain.body["activities"][0];
  EXPECT_EQ(payments["activity"], "PA-PAYMENTS");
  EXPECT_EQ(payments["inherent"], payments["likelihood"].get<int>() * payments["impact"].get<int>());
  EXPECT_FALSE(payments["impact_assessment"].empty()) << "one entry per jurisdiction: " << payments.dump();
  auto factor = [](const json& activity, const std::string& name) {
    for (const auto& item : activity["factors"]) {
      if (item["name"] == name) return item;
    }
    return json();
  };
  std::string volume_without = factor(plain.body["activities"][1], "volume").value("why", "");

  // With the PII inventory: the volume comes from its counts, and sync shows the undeclared health entity.
  PutInventory("acme");
  Response with_inventory = pat.Get("/api/v1/risk");
  ASSERT_EQ(with_inventory.status, 200) << with_inventory.raw;
  EXPECT_EQ(with_inventory.body["inventory"]["stores"], 2);
  EXPECT_NE(factor(with_inventory.body["activities"][1], "volume").value("why", ""), volume_without);
  Response synced = pat.Get("/api/v1/register");
  ASSERT_TRUE(synced.body["sync"].is_array()) << synced.raw;
  bool undeclared = false;
  for (const auto& finding : synced.body["sync"]) {
    undeclared = undeclared || (finding["kind"] == "undeclared" && finding["message"].get<std::string>().find(
                                                                       "MEDICAL_RECORD_NUMBER") != std::string::npos);
  }
  EXPECT_TRUE(undeclared) << synced.body["sync"].dump();

  // With a finished assessment: its results on the register's Terraform addresses give the measures' status.
  Client carol = As("acme", "carol");
  std::string assessment = Assess(carol);
  Response with_assessment = carol.Get("/api/v1/risk");  // compliance may read risk
  ASSERT_EQ(with_assessment.status, 200) << with_assessment.raw;
  EXPECT_EQ(with_assessment.body["assessment"], assessment);
  const json& assessed = with_assessment.body["activities"][0];
  EXPECT_FALSE(assessed["measures_status"].empty()) << assessed.dump();
  EXPECT_FALSE(factor(assessed, "exposure").is_null() && factor(assessed, "encryption").is_null()) << assessed.dump();
}

TEST_P(PrivacyTest, DecisionsAreDecidedAgainstTheRegisterAndLoggedForDisclosure) {
  Client pat = As("acme", "pat");
  Response early = pat.Post("/api/v1/decisions", {{"activity", "PA-PAYMENTS"},
                                                  {"purpose", "payment_processing"},
                                                  {"requester", "card acquirer"},
                                                  {"data", {"CREDIT_CARD"}}});
  EXPECT_EQ(early.status, 409) << early.raw;
  UploadRegister(pat);

  Response permit = pat.Post("/api/v1/decisions", {{"activity", "PA-PAYMENTS"},
                                                   {"purpose", "payment_processing"},
                                                   {"requester", "card acquirer"},
                                                   {"data", {"CREDIT_CARD", "EMAIL_ADDRESS"}}});
  ASSERT_EQ(permit.status, 201) << permit.raw;
  EXPECT_EQ(permit.body["decision"], "permit");
  EXPECT_EQ(permit.body["rule"], "permit");
  EXPECT_EQ(permit.body["obligations"]["retention"], "P7Y");
  EXPECT_EQ(permit.body["disclosure_log"]["index"], 0);
  EXPECT_EQ(permit.body["decided_by"], "pat");

  Response deny = pat.Post(
      "/api/v1/decisions",
      {{"activity", "PA-PAYMENTS"}, {"purpose", "marketing"}, {"requester", "card acquirer"}, {"data", "CREDIT_CARD"}});
  ASSERT_EQ(deny.status, 201) << deny.raw;
  EXPECT_EQ(deny.body["decision"], "deny");
  EXPECT_EQ(deny.body["rule"], "purpose-limitation");
  EXPECT_EQ(deny.body["disclosure_log"]["index"], 1);

  Response unknown =
      pat.Post("/api/v1/decisions",
               {{"activity", "PA-NOPE"}, {"purpose", "x"}, {"requester", "y"}, {"data", {"EMAIL_ADDRESS"}}});
  EXPECT_EQ(unknown.status, 400) << unknown.raw;
  EXPECT_NE(unknown.body["error"]["message"].get<std::string>().find("PA-PAYMENTS"), std::string::npos);
  EXPECT_EQ(pat.Post("/api/v1/decisions", {{"activity", "PA-PAYMENTS"}, {"purpose", "payment_processing"}}).status,
            400);

  Client erin = As("acme", "erin");
  Response list = erin.Get("/api/v1/decisions");
  ASSERT_EQ(list.status, 200) << list.raw;
  ASSERT_EQ(list.body["decisions"].size(), 2u);
  EXPECT_EQ(list.body["decisions"][0]["decision"], "deny");  // newest first
  EXPECT_EQ(list.body["disclosure_log"]["size"], 2);
  EXPECT_EQ(erin.Get("/api/v1/decisions?decision=permit").body["decisions"].size(), 1u);

  // The per-tenant disclosure log holds both decisions, in order.
  auto log = pims::DisclosureLog::Open(options_.data / "disclosures" / (TenantId("acme") + ".log"), true);
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  auto entries = (*log)->Entries();
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ((*entries)[0].kind, "decision");
  EXPECT_EQ((*entries)[1].details.value("decision", ""), "deny");

  EXPECT_TRUE(HasEntry(AuditEntries("acme"), "decision.record", "ok"));
  // Another tenant has its own (empty) log.
  Client globex = As("globex", "admin");
  Response other = globex.Get("/api/v1/decisions");
  EXPECT_TRUE(other.body["decisions"].empty()) << other.raw;
  EXPECT_TRUE(other.body["disclosure_log"].is_null()) << other.raw;
}

TEST_P(PrivacyTest, AnIncidentGetsDeadlinesPerJurisdictionFromItsDiscoveryTime) {
  Client pat = As("acme", "pat");
  // Discovered an hour ago: GDPR's regulator notice is due 72 hours after discovery (catalog/jurisdictions/eu.yaml).
  Timestamp discovered = std::chrono::floor<std::chrono::seconds>(NowUtc()) - std::chrono::hours(1);
  std::string text =
      "id: INC-7\ntitle: Support export mailed to the wrong address\ndiscovered_at: " + FormatRfc3339(discovered) +
      "\naffected:\n  - categories: [EMAIL_ADDRESS, PHONE_NUMBER]\n"
      "    subjects: {EU: 1200, SG: 10}\n    risk_of_harm: high\n";
  Response created = pat.Call("POST", "/api/v1/incidents", text);
  ASSERT_EQ(created.status, 201) << created.raw;
  std::string id = created.body["id"];
  EXPECT_EQ(created.body["incident"], "INC-7");
  EXPECT_EQ(created.body["state"], "open");
  const json* eu = Notification(created.body, "EU", "regulator");
  ASSERT_NE(eu, nullptr) << created.raw;
  EXPECT_TRUE((*eu)["required"].get<bool>());
  EXPECT_EQ((*eu)["deadline"], FormatRfc3339(discovered + std::chrono::hours(72)));
  EXPECT_EQ((*eu)["clock_start"], "discovery");
  EXPECT_FALSE((*eu)["overdue"].get<bool>());
  EXPECT_TRUE((*eu)["sent"].is_null());
  EXPECT_EQ(created.body["notifications"]["overdue"], 0);
  EXPECT_FALSE(created.body["server_time"].get<std::string>().empty());

  // The calendar has the deadline as an event.
  Response calendar = pat.Get("/api/v1/incidents/" + id + "/calendar");
  ASSERT_EQ(calendar.status, 200);
  EXPECT_NE(calendar.raw.find("BEGIN:VCALENDAR"), std::string::npos);
  std::string deadline = FormatRfc3339(discovered + std::chrono::hours(72));  // 2026-11-30T21:00:00Z
  std::string ics_time = deadline.substr(0, 4) + deadline.substr(5, 2) + deadline.substr(8, 2) + "T" +
                         deadline.substr(11, 2) + deadline.substr(14, 2) + deadline.substr(17, 2) + "Z";
  EXPECT_NE(calendar.raw.find(ics_time), std::string::npos) << calendar.raw;
  bool calendar_type = false;
  for (const auto& [name, value] : calendar.headers) {
    calendar_type = calendar_type || (name == "Content-Type" && value.starts_with("text/calendar"));
  }
  EXPECT_TRUE(calendar_type);

  // Recording the EU notice as sent: once.
  std::string sent_path =
      "/api/v1/incidents/" + id + "/notifications/" + std::to_string((*eu)["index"].get<int>()) + "/sent";
  Response sent = pat.Post(sent_path, {{"reference", "DPA case 2026-77"}});
  ASSERT_EQ(sent.status, 200) << sent.raw;
  const json* eu_sent = Notification(sent.body, "EU", "regulator");
  ASSERT_NE(eu_sent, nullptr);
  EXPECT_EQ((*eu_sent)["sent"]["by"], "pat");
  EXPECT_EQ((*eu_sent)["sent"]["reference"], "DPA case 2026-77");
  EXPECT_EQ(sent.body["notifications"]["sent"], 1);
  EXPECT_EQ(pat.Post(sent_path).status, 409);
  EXPECT_EQ(pat.Post("/api/v1/incidents/" + id + "/notifications/999/sent").status, 404);
  EXPECT_EQ(pat.Post("/api/v1/incidents/" + id + "/notifications/x/sent").status, 404);
  EXPECT_EQ(pat.Post(sent_path, {{"sent_at", "yesterday"}}).status, 400);

  // The same incident again is a conflict; an update re-assesses and keeps what was sent.
  EXPECT_EQ(pat.Call("POST", "/api/v1/incidents", text).status, 409);
  std::string updated_text = text;
  updated_text.replace(updated_text.find("SG: 10"), 6, "SG: 900");
  Response updated = pat.Call("PUT", "/api/v1/incidents/" + id, updated_text);
  ASSERT_EQ(updated.status, 200) << updated.raw;
  EXPECT_EQ(updated.body["revision"], 2);
  const json* eu_after = Notification(updated.body, "EU", "regulator");
  ASSERT_NE(eu_after, nullptr);
  EXPECT_FALSE((*eu_after)["sent"].is_null()) << "a sent notice stays sent across revisions";
  std::string renamed = text;
  renamed.replace(renamed.find("INC-7"), 5, "INC-8");
  Response wrong_id = pat.Call("PUT", "/api/v1/incidents/" + id, renamed);
  EXPECT_EQ(wrong_id.status, 400) << wrong_id.raw;

  // A breach long ago is overdue where nothing was sent.
  Response old = pat.Call("POST", "/api/v1/incidents?resolve=none", IncidentText());
  ASSERT_EQ(old.status, 201) << old.raw;
  const json* old_eu = Notification(old.body, "EU", "regulator");
  ASSERT_NE(old_eu, nullptr);
  EXPECT_EQ((*old_eu)["deadline"], "2026-03-05T09:00:00Z");  // discovered 2026-03-02T09:00:00Z + 72 h
  EXPECT_TRUE((*old_eu)["overdue"].get<bool>());
  EXPECT_GT(old.body["notifications"]["overdue"].get<int>(), 0);

  // The list, newest first, with the counts; the auditor reads it.
  Client erin = As("acme", "erin");
  Response list = erin.Get("/api/v1/incidents");
  ASSERT_EQ(list.status, 200) << list.raw;
  ASSERT_EQ(list.body["incidents"].size(), 2u);
  for (const auto& item : list.body["incidents"]) {
    EXPECT_FALSE(item.contains("assessment"));
    if (item["incident"] == "INC-1") {
      EXPECT_EQ(item["state"], "open");
      EXPECT_GT(item["notifications"]["overdue"].get<int>(), 0);
    } else {
      EXPECT_EQ(item["incident"], "INC-7");
      EXPECT_EQ(item["notifications"]["sent"], 1);
    }
  }
  EXPECT_EQ(erin.Get("/api/v1/incidents/" + id).body["assessment"]["incident"], "INC-7");

  json entries = AuditEntries("acme");
  EXPECT_TRUE(HasEntry(entries, "incident.create", "ok"));
  EXPECT_TRUE(HasEntry(entries, "incident.update", "ok"));
  EXPECT_TRUE(HasEntry(entries, "incident.update", "refused"));
  EXPECT_TRUE(HasEntry(entries, "incident.notification_sent", "ok"));
}

TEST_P(PrivacyTest, IncidentsAreResolvedAgainstTheRegisterAndBadOnesRefused) {
  Client pat = As("acme", "pat");
  UploadRegister(pat);
  Response resolved = pat.Call("POST", "/api/v1/incidents", IncidentText());
  ASSERT_EQ(resolved.status, 201) << resolved.raw;
  ASSERT_EQ(resolved.body["resolved_with"].size(), 1u);
  EXPECT_NE(resolved.body["resolved_with"][0].get<std::string>().find("register"), std::string::npos);

  // A store the register does not know is refused naming it; ?resolve=none takes the incident as it is.
  std::string unknown_store =
      "id: INC-2\ndiscovered_at: 2026-03-02T09:00:00Z\naffected:\n  - store: s3://elsewhere\n"
      "    categories: [EMAIL_ADDRESS]\n    subjects: {EU: 5}\n    risk_of_harm: low\n";
  Response refused = pat.Call("POST", "/api/v1/incidents", unknown_store);
  EXPECT_EQ(refused.status, 400) << refused.raw;
  EXPECT_NE(refused.body["error"]["message"].get<std::string>().find("s3://elsewhere"), std::string::npos);
  EXPECT_EQ(pat.Call("POST", "/api/v1/incidents?resolve=none", unknown_store).status, 201);
  EXPECT_EQ(pat.Call("POST", "/api/v1/incidents?resolve=maybe", unknown_store).status, 400);

  // Bad documents: the place and the field.
  Response no_time = pat.Call("POST", "/api/v1/incidents", "id: INC-3\naffected: []\n");
  EXPECT_EQ(no_time.status, 400) << no_time.raw;
  EXPECT_TRUE(no_time.body["error"]["message"].get<std::string>().starts_with("the uploaded incident:")) << no_time.raw;
  Response bad_jurisdiction =
      pat.Call("POST", "/api/v1/incidents?resolve=none",
               "id: INC-4\ndiscovered_at: 2026-03-02T09:00:00Z\naffected:\n  - categories: [EMAIL_ADDRESS]\n"
               "    subjects: {MARS: 5}\n    risk_of_harm: low\n");
  EXPECT_EQ(bad_jurisdiction.status, 400) << bad_jurisdiction.raw;
  EXPECT_NE(bad_jurisdiction.body["error"]["message"].get<std::string>().find("MARS"), std::string::npos);
  Response bad_json = pat.Call("POST", "/api/v1/incidents", "{\"id\": \"INC-5\",\n \"discovered_at\": }");
  EXPECT_EQ(bad_json.status, 400) << bad_json.raw;

  // JSON, with tabs, is an incident too.
  std::string as_json =
      "{\n\t\"id\": \"INC-6\",\n\t\"discovered_at\": \"2026-03-02T09:00:00Z\",\n\t\"affected\": [{\"categories\": "
      "[\"EMAIL_ADDRESS\"], \"subjects\": {\"EU\": 5}, \"risk_of_harm\": \"high\"}]\n}";
  Response json_incident = pat.Call("POST", "/api/v1/incidents?resolve=none", as_json);
  ASSERT_EQ(json_incident.status, 201) << json_incident.raw;
  EXPECT_EQ(json_incident.body["incident"], "INC-6");
  EXPECT_TRUE(HasEntry(AuditEntries("acme"), "incident.create", "refused"));
}

TEST_P(PrivacyTest, RolesAndTenantsAreKeptApart) {
  Client pat = As("acme", "pat");
  UploadRegister(pat);
  Response incident = pat.Call("POST", "/api/v1/incidents", IncidentText());
  ASSERT_EQ(incident.status, 201) << incident.raw;
  std::string id = incident.body["id"];

  // Customers see nothing of the privacy office; compliance reads risk only; auditors read; privacy and admin write.
  Client cust = As("acme", "cust");
  Client carol = As("acme", "carol");
  Client erin = As("acme", "erin");
  Client admin = As("acme", "admin");
  std::vector<std::pair<std::string, std::string>> reads = {{"GET", "/api/v1/register"},
                                                            {"GET", "/api/v1/decisions"},
                                                            {"GET", "/api/v1/incidents"},
                                                            {"GET", "/api/v1/incidents/" + id},
                                                            {"GET", "/api/v1/incidents/" + id + "/calendar"}};
  std::vector<std::pair<std::string, std::string>> writes = {
      {"PUT", "/api/v1/register"},
      {"POST", "/api/v1/decisions"},
      {"POST", "/api/v1/incidents"},
      {"PUT", "/api/v1/incidents/" + id},
      {"POST", "/api/v1/incidents/" + id + "/notifications/0/sent"}};
  for (const auto& [method, path] : reads) {
    EXPECT_EQ(cust.Call(method, path).status, 403) << path;
    EXPECT_EQ(carol.Call(method, path).status, 403) << path;
    EXPECT_EQ(erin.Call(method, path).status, 200) << path;
    EXPECT_EQ(admin.Call(method, path).status, 200) << path;
  }
  for (const auto& [method, path] : writes) {
    EXPECT_EQ(cust.Call(method, path, "{}").status, 403) << path;
    EXPECT_EQ(carol.Call(method, path, "{}").status, 403) << path;
    EXPECT_EQ(erin.Call(method, path, "{}").status, 403) << path;
  }
  EXPECT_EQ(cust.Get("/api/v1/risk").status, 403);
  EXPECT_EQ(carol.Get("/api/v1/risk").status, 200);
  EXPECT_EQ(erin.Get("/api/v1/risk").status, 200);
  EXPECT_EQ(admin.Call("PUT", "/api/v1/register", RegisterText()).status, 200);

  // Another tenant: the incident's id is not found by any route, and its lists are its own.
  Client globex = As("globex", "admin");
  EXPECT_EQ(globex.Get("/api/v1/incidents/" + id).status, 404);
  EXPECT_EQ(globex.Get("/api/v1/incidents/" + id + "/calendar").status, 404);
  EXPECT_EQ(globex.Call("PUT", "/api/v1/incidents/" + id, IncidentText()).status, 404);
  EXPECT_EQ(globex.Post("/api/v1/incidents/" + id + "/notifications/0/sent").status, 404);
  EXPECT_TRUE(globex.Get("/api/v1/incidents").body["incidents"].empty());
  EXPECT_TRUE(globex.Get("/api/v1/register").body["register"].is_null());
  EXPECT_EQ(globex.Get("/api/v1/risk").status, 409);
  EXPECT_EQ(globex
                .Post("/api/v1/decisions", {{"activity", "PA-PAYMENTS"},
                                            {"purpose", "payment_processing"},
                                            {"requester", "card acquirer"},
                                            {"data", {"CREDIT_CARD"}}})
                .status,
            409);
  // acme's incident is untouched.
  Response still = pat.Get("/api/v1/incidents/" + id);
  EXPECT_EQ(still.body["revision"], 1);
  EXPECT_EQ(still.body["notifications"]["sent"], 0);
}

TEST_P(PrivacyTest, ThePageScriptIsServedAndAddsBothPages) {
  Response script = Client(server_->port()).Get("/assets/privacy.js");
  ASSERT_EQ(script.status, 200);
  EXPECT_NE(script.raw.find("pages[\"privacy\"]"), std::string::npos);
  EXPECT_NE(script.raw.find("pages[\"incidents\"]"), std::string::npos);
  EXPECT_EQ(script.raw.find("innerHTML"), std::string::npos) << "values go into the page as text";
}

INSTANTIATE_TEST_SUITE_P(Backends, PrivacyTest, ::testing::Values("sqlite", "postgresql"), Backend);

}  // namespace
}  // namespace tutela::server
