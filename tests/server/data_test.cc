// The PII inventory, PII scans and the vault browser over real HTTP, against SQLite and a real PostgreSQL.
#include <set>

#include "api_fixture.h"
#include "tutela/core/crypto.h"
#include "tutela/ledger/log.h"
#include "tutela/ledger/merkle.h"
#include "tutela/ledger/tree_head.h"
#include "tutela/vault/store.h"

namespace tutela::server {
namespace {

namespace fs = std::filesystem;

// Known PII values (as in tests/pii): none of them may appear anywhere the server writes or answers.
constexpr char kCustomers[] =
    "id,name,email,national_id,card_number\n"
    "1,Li Wei,li.wei@corp-mail.cn,11010519491231002X,4539 1488 0343 6467\n"
    "2,Kim Minji,minji.kim@mail.co.kr,900101-1234568,\n";
const std::vector<std::string> kRawValues = {"li.wei@corp-mail.cn", "minji.kim@",       "11010519491231002X",
                                             "4539 1488 0343 6467", "4539148803436467", "900101-1234568"};

json Inventory() {
  return json::parse(R"({
    "format": "tutela-pii-inventory", "version": 1, "generated_at": "2026-11-22T07:23:37Z",
    "generator": "tutela pii scan",
    "stores": [{
      "store": "crm", "kind": "directory", "complete": true, "files_scanned": 2, "errors": [],
      "files_with_findings": 1, "findings": 5, "max_sensitivity": "high",
      "categories": ["contact", "national_id"], "jurisdictions": ["CN", "GLOBAL"], "sensitive_under": ["CN-PIPL"],
      "entities": [
        {"id": "CN_RESIDENT_ID", "category": "national_id", "count": 1, "max_score": 1.0, "sensitivity": "high",
         "sensitive_under": ["CN-PIPL"], "jurisdictions": ["CN"]},
        {"id": "EMAIL_ADDRESS", "category": "contact", "count": 4, "max_score": 0.9, "sensitivity": "low",
         "sensitive_under": [], "jurisdictions": ["GLOBAL"]}]
    }]})");
}

json StoreNamed(const json& inventory, const std::string& name) {
  for (const auto& store : inventory["stores"]) {
    if (store.value("store", "") == name) return store;
  }
  return nullptr;
}

// Polls a job until it ends; returns its record.
json WaitForJob(Client& client, const std::string& job) {
  json status;
  for (int i = 0; i < 1200; ++i) {
    status = client.Get("/api/v1/jobs/" + job).body;
    std::string state = status.value("state", "");
    if (state == "done" || state == "failed") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return status;
}

class DataTest : public ServerFixture {};

TEST_P(DataTest, AnUploadedInventoryIsValidatedStrictlyAndMergedByStore) {
  Client pat = As("acme", "pat");
  Response created = pat.Post("/api/v1/pii/inventories", Inventory());
  ASSERT_EQ(created.status, 201) << created.raw;
  ASSERT_EQ(created.body["stores"].size(), 1u);
  std::string crm = created.body["stores"][0]["id"];
  EXPECT_TRUE(crm.starts_with("st_"));

  json inventory = pat.Get("/api/v1/pii/inventory").body;
  json store = StoreNamed(inventory, "crm");
  ASSERT_TRUE(store.is_object()) << inventory.dump();
  EXPECT_EQ(store["id"], crm);
  EXPECT_EQ(store["findings"], 5);
  EXPECT_EQ(store["max_sensitivity"], "high");
  EXPECT_EQ(store["entities"].size(), 2u);
  EXPECT_EQ(store["sensitive_under"], json::array({"CN-PIPL"}));
  EXPECT_EQ(store["owner"], "");
  EXPECT_EQ(inventory["by_sensitivity"]["high"], 1);

  // Each bad document is refused with the place named, and nothing changes.
  auto refused = [&](json document, const std::string& place) {
    Response response = pat.Post("/api/v1/pii/inventories", document);
    EXPECT_EQ(response.status, 400) << place << ": " << response.raw;
    EXPECT_NE(response.body["error"].value("message", "").find(place), std::string::npos) << response.raw;
  };
  json bad = Inventory();
  bad["format"] = "something-else";
  refused(bad, "/format");
  bad = Inventory();
  bad["version"] = 2;
  refused(bad, "/version");
  bad = Inventory();
  bad["stores"][0]["entities"][1]["count"] = -1;
  refused(bad, "/stores/0/entities/1/count");
  bad = Inventory();
  bad["stores"][0]["max_sensitivity"] = "low";
  refused(bad, "/stores/0/max_sensitivity");
  bad = Inventory();
  bad["stores"][0].erase("kind");
  refused(bad, "/stores/0/kind");
  bad = Inventory();
  bad["generated_at"] = "yesterday";
  refused(bad, "/generated_at");
  Response not_json = pat.Call("POST", "/api/v1/pii/inventories", "{not json");
  EXPECT_EQ(not_json.status, 400);

  // Fields outside the format (here a value someone added) are not kept.
  json next = Inventory();
  next["stores"][0]["store"] = "hr";
  next["stores"][0]["sample"] = "li.wei@corp-mail.cn";
  next["stores"][0]["entities"][0]["example"] = "11010519491231002X";
  ASSERT_EQ(pat.Post("/api/v1/pii/inventories", next).status, 201);
  json replaced = Inventory();
  replaced["stores"][0]["findings"] = 4;
  replaced["stores"][0]["entities"].erase(0);
  replaced["stores"][0]["max_sensitivity"] = "low";
  ASSERT_EQ(pat.Post("/api/v1/pii/inventories", replaced).status, 201);
  inventory = pat.Get("/api/v1/pii/inventory").body;
  EXPECT_EQ(inventory["stores"].size(), 2u);
  EXPECT_EQ(StoreNamed(inventory, "crm")["findings"], 4);
  EXPECT_EQ(StoreNamed(inventory, "crm")["max_sensitivity"], "low");
  EXPECT_TRUE(StoreNamed(inventory, "hr").is_object());
  EXPECT_FALSE(StoreNamed(inventory, "hr").contains("sample"));
  EXPECT_EQ(inventory.dump().find("li.wei@"), std::string::npos);

  EXPECT_TRUE(HasEntry(AuditEntries("acme"), "pii.inventory.upload", "ok"));
  EXPECT_TRUE(HasEntry(AuditEntries("acme"), "pii.inventory.upload", "refused"));

  // The privacy office reads the merged record as a documented inventory document.
  Response register_view = pat.Get("/api/v1/register");
  ASSERT_EQ(register_view.status, 200) << register_view.raw;
  EXPECT_TRUE(register_view.body["inventory"]["error"].is_null()) << register_view.raw;
  EXPECT_EQ(register_view.body["inventory"]["stores"], 2) << register_view.raw;
}

TEST_P(DataTest, StoresHaveOwnersOnlyTheTenantSees) {
  Client carol = As("acme", "carol");
  Response created = carol.Post("/api/v1/pii/inventories", Inventory());
  ASSERT_EQ(created.status, 201) << created.raw;
  std::string crm = created.body["stores"][0]["id"];
  Response set = carol.Call("PUT", "/api/v1/pii/stores/" + crm, json{{"owner", "CRM team"}}.dump());
  ASSERT_EQ(set.status, 200) << set.raw;
  EXPECT_EQ(StoreNamed(carol.Get("/api/v1/pii/inventory").body, "crm")["owner"], "CRM team");
  EXPECT_EQ(carol.Call("PUT", "/api/v1/pii/stores/st_000000000000000000000000", R"({"owner":"x"})").status, 404);
  EXPECT_EQ(carol.Call("PUT", "/api/v1/pii/stores/" + crm, R"({"owner":5})").status, 400);
  EXPECT_TRUE(HasEntry(AuditEntries("acme"), "pii.store.owner", "ok"));

  // Roles: auditors read but do not write; customers see nothing of it.
  Client erin = As("acme", "erin");
  EXPECT_EQ(erin.Get("/api/v1/pii/inventory").status, 200);
  EXPECT_EQ(erin.Call("PUT", "/api/v1/pii/stores/" + crm, R"({"owner":"me"})").status, 403);
  EXPECT_EQ(erin.Post("/api/v1/pii/inventories", Inventory()).status, 403);
  EXPECT_EQ(erin.Call("POST", "/api/v1/pii/scans?name=a.txt", "x").status, 403);
  Client cust = As("acme", "cust");
  EXPECT_EQ(cust.Get("/api/v1/pii/inventory").status, 403);
  EXPECT_EQ(cust.Get("/api/v1/pii/scans").status, 403);

  // Another tenant: an empty inventory, and acme's store does not exist for it.
  Client globex = As("globex", "admin");
  EXPECT_TRUE(globex.Get("/api/v1/pii/inventory").body["stores"].empty());
  EXPECT_EQ(globex.Call("PUT", "/api/v1/pii/stores/" + crm, R"({"owner":"us"})").status, 404);
  EXPECT_EQ(StoreNamed(carol.Get("/api/v1/pii/inventory").body, "crm")["owner"], "CRM team");
}

// Every file under `dir` (recursively) as one string per file.
std::vector<std::pair<std::string, std::string>> FilesUnder(const fs::path& dir) {
  std::vector<std::pair<std::string, std::string>> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) files.emplace_back(entry.path().string(), ReadFile(entry.path()));
  }
  return files;
}

TEST_P(DataTest, AScanCountsThePiiInAFileAndKeepsNoRawValue) {
  Client pat = As("acme", "pat");
  Response created = pat.Call("POST", "/api/v1/pii/scans?name=customers.csv&store=crm%2Fcustomers", kCustomers);
  ASSERT_EQ(created.status, 202) << created.raw;
  std::string id = created.body["id"];
  json job = WaitForJob(pat, created.body["job"]);
  ASSERT_EQ(job.value("state", ""), "done") << job.dump();

  Response scan = pat.Get("/api/v1/pii/scans/" + id);
  ASSERT_EQ(scan.status, 200);
  EXPECT_EQ(scan.body["state"], "done");
  const json& entities = scan.body["summary"]["entities"];
  EXPECT_EQ(entities.value("EMAIL_ADDRESS", 0), 2) << scan.raw;
  EXPECT_EQ(entities.value("CN_RESIDENT_ID", 0), 1) << scan.raw;
  EXPECT_EQ(entities.value("CREDIT_CARD", 0), 1) << scan.raw;
  ASSERT_FALSE(scan.body["findings"].empty());
  for (const auto& finding : scan.body["findings"]) {
    EXPECT_TRUE(finding.value("fingerprint", "").starts_with("hmac-sha256:")) << finding.dump();
    EXPECT_NE(finding.value("preview", "").find('*'), std::string::npos) << finding.dump();
  }
  EXPECT_EQ(scan.body["inventory"]["store"], "crm/customers");
  EXPECT_EQ(pat.Get("/api/v1/pii/scans").body["scans"].size(), 1u);

  // The scan's store is in the inventory, with its counts.
  json inventory = pat.Get("/api/v1/pii/inventory").body;
  json store = StoreNamed(inventory, "crm/customers");
  ASSERT_TRUE(store.is_object()) << inventory.dump();
  EXPECT_EQ(store["kind"], "file");
  EXPECT_EQ(store["max_sensitivity"], "high");
  EXPECT_GE(store["findings"].get<int>(), 4);
  EXPECT_EQ(store["id"], scan.body["store_id"]);

  // No raw value in any answer, and nowhere in the data folder (database, ledger, keys, uploads) or the database.
  for (const std::string& value : kRawValues) {
    EXPECT_EQ(scan.raw.find(value), std::string::npos) << value;
    EXPECT_EQ(inventory.dump().find(value), std::string::npos) << value;
    EXPECT_EQ(job.dump().find(value), std::string::npos) << value;
  }
  server_->Stop();
  thread_.join();
  server_.reset();
  EXPECT_TRUE(fs::is_empty(options_.data / "pii-uploads"));
  fs::path key = options_.data / "keys";
  ASSERT_TRUE(fs::exists(key));
  for (const auto& entry : fs::directory_iterator(key)) {
    EXPECT_EQ(fs::status(entry.path()).permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write);
  }
  std::string everything;
  for (const auto& [path, content] : FilesUnder(options_.data)) everything += content;
  if (GetParam() == "postgresql") {
    auto dump = postgres_->Psql("COPY (SELECT * FROM records) TO STDOUT", "t" + std::to_string(databases_));
    ASSERT_EQ(dump.exit_code, 0) << dump.err;
    ASSERT_NE(dump.out.find("pii_scan"), std::string::npos);
    everything += dump.out;
  } else {
    ASSERT_NE(everything.find("pii_scan"), std::string::npos);  // the database file was read
  }
  for (const std::string& value : kRawValues) EXPECT_EQ(everything.find(value), std::string::npos) << value;
}

TEST_P(DataTest, ScansBelongToTheirTenant) {
  Client pat = As("acme", "pat");
  Response created = pat.Call("POST", "/api/v1/pii/scans?name=notes.txt", "email li.wei@corp-mail.cn\n");
  ASSERT_EQ(created.status, 202) << created.raw;
  WaitForJob(pat, created.body["job"]);
  Client globex = As("globex", "admin");
  EXPECT_EQ(globex.Get("/api/v1/pii/scans/" + created.body["id"].get<std::string>()).status, 404);
  EXPECT_EQ(globex.Get("/api/v1/jobs/" + created.body["job"].get<std::string>()).status, 404);
  EXPECT_TRUE(globex.Get("/api/v1/pii/scans").body["scans"].empty());
  EXPECT_TRUE(globex.Get("/api/v1/pii/inventory").body["stores"].empty());
  EXPECT_EQ(pat.Call("POST", "/api/v1/pii/scans?name=empty.txt", "").status, 400);
  // Without --vault there is no vault, for anyone.
  EXPECT_EQ(globex.Get("/api/v1/vault/buckets").status, 404);
  EXPECT_TRUE(HasEntry(AuditEntries("acme"), "pii.scan", "ok"));
  EXPECT_TRUE(HasEntry(AuditEntries("acme"), "pii.scan.done", "ok"));
}

TEST_P(DataTest, ArchivesAreScannedInsideAndABrokenOneIsAnIncompleteStore) {
  Client carol = As("acme", "carol");
  // A zip with the CSV inside (made by Python's zipfile, as a user's export would be).
  auto zipped = testing::RunProcess(
      {"/usr/bin/python3", "-c",
       "import io,sys,zipfile\nb=io.BytesIO()\nz=zipfile.ZipFile(b,'w',zipfile.ZIP_DEFLATED)\n"
       "z.writestr('exports/customers.csv',sys.stdin.read())\nz.close()\nsys.stdout.buffer.write(b.getvalue())"},
      kCustomers);
  ASSERT_EQ(zipped.exit_code, 0) << zipped.err;
  Response created = carol.Call("POST", "/api/v1/pii/scans?name=export.zip", zipped.out);
  ASSERT_EQ(created.status, 202) << created.raw;
  ASSERT_EQ(WaitForJob(carol, created.body["job"]).value("state", ""), "done");
  json scan = carol.Get("/api/v1/pii/scans/" + created.body["id"].get<std::string>()).body;
  EXPECT_EQ(scan["summary"]["entities"].value("CN_RESIDENT_ID", 0), 1) << scan.dump();
  ASSERT_FALSE(scan["findings"].empty());
  EXPECT_NE(scan["findings"][0].value("location", "").find("exports/customers.csv"), std::string::npos) << scan.dump();
  EXPECT_EQ(scan["inventory"]["complete"], true);

  // A truncated archive: the scan ends, its store is marked incomplete, and the error names the upload by its name.
  Response broken = carol.Call("POST", "/api/v1/pii/scans?name=broken.zip", zipped.out.substr(0, 40));
  ASSERT_EQ(broken.status, 202);
  ASSERT_EQ(WaitForJob(carol, broken.body["job"]).value("state", ""), "done");
  json bad = carol.Get("/api/v1/pii/scans/" + broken.body["id"].get<std::string>()).body;
  EXPECT_EQ(bad["inventory"]["complete"], false) << bad.dump();
  ASSERT_FALSE(bad["summary"]["errors"].empty()) << bad.dump();
  std::string error = bad["summary"]["errors"][0];
  EXPECT_NE(error.find("broken.zip"), std::string::npos) << error;
  EXPECT_EQ(error.find("pii-uploads"), std::string::npos) << error;
  EXPECT_EQ(StoreNamed(carol.Get("/api/v1/pii/inventory").body, "broken.zip")["complete"], false);
  EXPECT_TRUE(HasEntry(AuditEntries("acme"), "pii.scan.done", "incomplete"));
}

// Regression: the request that queued a scan wrote its record a second time after queuing the job, so a job that
// finished first was set back to "queued".
TEST_P(DataTest, AFastScanIsNeverSetBackToQueued) {
  Client pat = As("acme", "pat");
  for (int i = 0; i < 10; ++i) {
    Response created = pat.Call("POST", "/api/v1/pii/scans?name=n" + std::to_string(i) + ".txt", "nothing here\n");
    ASSERT_EQ(created.status, 202) << created.raw;
    ASSERT_EQ(WaitForJob(pat, created.body["job"]).value("state", ""), "done");
    EXPECT_EQ(pat.Get("/api/v1/pii/scans/" + created.body["id"].get<std::string>()).body["state"], "done") << i;
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, DataTest, ::testing::Values("sqlite", "postgresql"), Backend);

// ---- The vault browser ----

class VaultBrowserTest : public ServerFixture {
 protected:
  void SetUp() override {
    fs::path vault_dir = dir_.path() / "vault";
    {
      auto store = vault::Store::Open(vault_dir);
      ASSERT_TRUE(store.ok()) << store.status().ToString();
      vault::Caller alice{"alice", false};
      ASSERT_TRUE((*store)->CreateBucket(alice, "records", true).ok());
      auto put = [&](const std::string& key, std::string_view data, bool lock) {
        vault::PutObjectRequest request;
        request.bucket = "records";
        request.key = key;
        request.data = data;
        if (lock) {
          request.checksum_header = true;
          request.lock_mode = "COMPLIANCE";
          request.retain_until = NowUtc() + std::chrono::hours(24 * 30);
        }
        auto version = (*store)->PutObject(alice, request);
        EXPECT_TRUE(version.ok()) << version.status().ToString();
        return version.ok() ? *version : vault::ObjectVersion{};
      };
      put("2026/a.json", "first", false);
      put("2026/a.json", "second", false);
      locked_ = put("2026/b.json", "kept for a month", true);
      held_ = put("other.txt", "held", false);
      ASSERT_TRUE((*store)->PutObjectLegalHold(alice, "records", "other.txt", held_.version_id, "ON").ok());
      ASSERT_TRUE((*store)->SignTreeHead().ok());
      public_key_ = (*store)->public_key();
    }
    options_.vault = vault_dir;
    ServerFixture::SetUp();
    if (HasFatalFailure() || IsSkipped()) return;
    ASSERT_TRUE(AddUser(options_, "provider", "va", Role::kAuditor, kPassword).ok());
    ASSERT_TRUE(AddUser(options_, "provider", "vc", Role::kCompliance, kPassword).ok());
    ASSERT_TRUE(AddUser(options_, "provider", "vp", Role::kPrivacy, kPassword).ok());
  }

  vault::ObjectVersion locked_;
  vault::ObjectVersion held_;
  std::string public_key_;
};

TEST_P(VaultBrowserTest, TheOperatorsStaffBrowseBucketsObjectsAndVersions) {
  Client va = As("provider", "va");
  Response buckets = va.Get("/api/v1/vault/buckets");
  ASSERT_EQ(buckets.status, 200) << buckets.raw;
  ASSERT_EQ(buckets.body["buckets"].size(), 1u);
  EXPECT_EQ(buckets.body["buckets"][0]["name"], "records");
  EXPECT_EQ(buckets.body["buckets"][0]["object_lock"], true);
  EXPECT_EQ(buckets.body["buckets"][0]["versions"], 4);

  Response objects = va.Get("/api/v1/vault/objects?bucket=records&prefix=2026/");
  ASSERT_EQ(objects.status, 200) << objects.raw;
  ASSERT_EQ(objects.body["objects"].size(), 2u);
  const json& a = objects.body["objects"][0];
  EXPECT_EQ(a["key"], "2026/a.json");
  ASSERT_EQ(a["versions"].size(), 2u);
  EXPECT_EQ(a["versions"][0]["is_latest"], true);
  EXPECT_EQ(a["versions"][0]["size"], 6);
  EXPECT_EQ(a["versions"][1]["is_latest"], false);
  const json& b = objects.body["objects"][1];
  EXPECT_EQ(b["versions"][0]["retention"]["mode"], "COMPLIANCE");
  EXPECT_EQ(b["versions"][0]["retention"]["active"], true);
  EXPECT_EQ(b["versions"][0]["etag"], locked_.etag);
  EXPECT_EQ(b["retained"], true);

  Response held = va.Get("/api/v1/vault/object?bucket=records&key=other.txt&version=" + held_.version_id);
  ASSERT_EQ(held.status, 200) << held.raw;
  EXPECT_EQ(held.body["legal_hold"], true);
  EXPECT_EQ(held.body["ledger_index"], held_.sequence);
  EXPECT_EQ(va.Get("/api/v1/vault/object?bucket=records&key=missing").status, 404);
  EXPECT_EQ(va.Get("/api/v1/vault/objects?bucket=nope").status, 404);
  EXPECT_EQ(va.Get("/api/v1/vault/objects").status, 400);

  // Only the operator tenant's admins, compliance users and auditors.
  EXPECT_EQ(As("provider", "vc").Get("/api/v1/vault/buckets").status, 200);
  EXPECT_EQ(As("provider", "vp").Get("/api/v1/vault/buckets").status, 403);
  Client acme = As("acme", "admin");
  for (const char* path : {"/api/v1/vault/buckets", "/api/v1/vault/objects?bucket=records",
                           "/api/v1/vault/object?bucket=records&key=other.txt",
                           "/api/v1/vault/proof?bucket=records&key=other.txt", "/api/v1/vault/verifications"}) {
    EXPECT_EQ(acme.Get(path).status, 404) << path;
  }
  EXPECT_EQ(acme.Post("/api/v1/vault/verify").status, 404);
  EXPECT_EQ(As("acme", "erin").Get("/api/v1/vault/buckets").status, 404);
}

TEST_P(VaultBrowserTest, ProofsVerifyAgainstTheSignedTreeHead) {
  Client va = As("provider", "va");
  Response proof = va.Get("/api/v1/vault/proof?bucket=records&key=2026/b.json");
  ASSERT_EQ(proof.status, 200) << proof.raw;
  EXPECT_EQ(proof.body["index"], locked_.sequence);
  ASSERT_TRUE(proof.body["signed_tree_head"].is_object()) << proof.raw;
  auto head = ledger::TreeHeadFromJson(proof.body["signed_tree_head"], "reply");
  ASSERT_TRUE(head.ok()) << head.status().ToString();
  EXPECT_TRUE(ledger::VerifyTreeHead(*head, public_key_).ok());
  EXPECT_EQ(proof.body["tree_size"], head->size);
  EXPECT_EQ(proof.body["root"], ToHex(head->root));

  auto hash = [](const json& hex) {
    ledger::Hash out{};
    auto raw = FromHex(hex.get<std::string>());
    EXPECT_TRUE(raw.ok() && raw->size() == out.size());
    if (raw.ok() && raw->size() == out.size()) std::copy(raw->begin(), raw->end(), out.begin());
    return out;
  };
  std::vector<ledger::Hash> path;
  for (const auto& item : proof.body["proof"]) path.push_back(hash(item));
  // The leaf is the vault's own ledger entry for that version.
  auto log = ledger::Log::Open(options_.vault / "ledger.log", {.create_if_missing = false, .read_only = true});
  ASSERT_TRUE(log.ok());
  auto leaf = (*log)->LeafHashAt(locked_.sequence);
  ASSERT_TRUE(leaf.ok());
  EXPECT_EQ(proof.body["leaf_hash"], ToHex(*leaf));
  EXPECT_TRUE(ledger::VerifyInclusion(*leaf, locked_.sequence, head->size, path, head->root).ok());
  // A changed proof does not verify.
  if (!path.empty()) {
    path[0][0] ^= 1;
    EXPECT_FALSE(ledger::VerifyInclusion(*leaf, locked_.sequence, head->size, path, head->root).ok());
  }
  EXPECT_EQ(va.Get("/api/v1/vault/proof?index=100000").status, 404);
  EXPECT_EQ(va.Get("/api/v1/vault/proof?index=x").status, 400);
  EXPECT_TRUE(HasEntry(va.Get("/api/v1/audit?limit=1000").body["entries"], "vault.proof", "ok"));
}

TEST_P(VaultBrowserTest, VerificationIsAJobAndWaitsForTheVaultToBeFree) {
  Client vc = As("provider", "vc");
  Response started = vc.Post("/api/v1/vault/verify");
  ASSERT_EQ(started.status, 202) << started.raw;
  json job = WaitForJob(vc, started.body["job"]);
  ASSERT_EQ(job.value("state", ""), "done") << job.dump();
  EXPECT_EQ(job["result"]["verified"], true) << job.dump();
  EXPECT_EQ(job["result"]["versions_checked"], 4);
  json list = vc.Get("/api/v1/vault/verifications").body["verifications"];
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["state"], "verified");

  {
    // While another process (here: this one, as `tutela vault serve` would) holds the vault, listing still works
    // and verification fails with a clear message.
    auto store = vault::Store::Open(options_.vault);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    EXPECT_EQ(vc.Get("/api/v1/vault/buckets").status, 200);
    Response again = vc.Post("/api/v1/vault/verify");
    ASSERT_EQ(again.status, 202);
    json failed = WaitForJob(vc, again.body["job"]);
    EXPECT_EQ(failed.value("state", ""), "failed");
    EXPECT_NE(failed.value("message", "").find("another process"), std::string::npos) << failed.dump();
  }
  json entries = As("provider", "va").Get("/api/v1/audit?limit=1000").body["entries"];
  EXPECT_TRUE(HasEntry(entries, "vault.verify", "queued"));
  EXPECT_TRUE(HasEntry(entries, "vault.verify.done", "ok"));
  EXPECT_TRUE(HasEntry(entries, "vault.verify.done", "failed"));
}

INSTANTIATE_TEST_SUITE_P(Backends, VaultBrowserTest, ::testing::Values("sqlite", "postgresql"), Backend);

}  // namespace
}  // namespace tutela::server
