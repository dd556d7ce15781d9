// PII scans and the PII inventory (docs/formats/pii-inventory.md); the vault browser with verification and proofs.
//
// PII. An inventory arrives two ways: uploaded as a document (`tutela pii scan --inventory` output), validated
// strictly and reduced to the documented fields; or made by a scan job over an uploaded file. Either way it is kept as
// a version (record kind "pii_inventory_version") and merged, store by store (the newest wins), into the tenant's
// current inventory: record kind "pii_inventory", id "current", whose body is itself a valid inventory document.
// Owners live beside it (records "pii_store", id = the store's id: "st_" + SHA-256 of the store name), so the
// document keeps the documented format. A scan's upload is written to DATA/pii-uploads/ (0600) and deleted when the
// job ends, whatever its outcome; findings are kept as counts, masked previews and keyed fingerprints only (the key
// per tenant in DATA/keys/, 0600). No raw value reaches a record, a file, a response or the ledger.
//
// Vault. `--vault DIR` names a vault data folder (docs/formats/vault-store.md) that `tutela vault serve` may be
// serving at the same time. Listings read meta.sqlite through a read-only SQLite connection (the documented
// tables; no lock, no recovery, no write), and proofs read ledger.log read-only, as `tutela vault proof` does, against
// the latest signed tree head of heads.jsonl. Verification needs the store itself (vault::Store::Verify), which takes
// the vault's lock: it runs as a job and fails with a clear message while another process holds the vault. Only the
// operator tenant's admins, compliance users and auditors see the vault; for everyone else it does not exist (404).
#include <sqlite3.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <set>

#include "api.h"
#include "tutela/core/crypto.h"
#include "tutela/core/data.h"
#include "tutela/core/file_util.h"
#include "tutela/core/sqlite.h"
#include "tutela/core/time.h"
#include "tutela/ledger/log.h"
#include "tutela/ledger/tree_head.h"
#include "tutela/pii/catalog.h"
#include "tutela/pii/engine.h"
#include "tutela/pii/extract.h"
#include "tutela/pii/report.h"
#include "tutela/vault/store.h"

namespace tutela::server {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;

constexpr size_t kMaxSampleFindings = 200;
constexpr size_t kMaxDistinctValues = 1000000;  // fingerprints counted for "distinct_values", at most
constexpr const char* kInventoryFormat = "tutela-pii-inventory";

// ---- PII inventory ----

std::string StoreId(std::string_view store) {
  Digest256 digest = Sha256(store);
  return "st_" + ToHex(std::span<const uint8_t>(digest.data(), 12));
}

int SensitivityRank(std::string_view level) {
  return level == "high" ? 3 : level == "medium" ? 2 : level == "low" ? 1 : level == "none" ? 0 : -1;
}

// Strict reading of one inventory document: every documented field checked, only documented fields kept (an
// uploaded document cannot smuggle values into the records). InvalidArgument naming "the uploaded inventory" and
// the JSON pointer of the first problem.
class InventoryReader {
 public:
  Result<json> Read(const json& root) {
    if (!root.is_object()) return Bad("", "the document is not a JSON object");
    if (root.value("format", json()) != kInventoryFormat) {
      return Bad("/format", "must be \"tutela-pii-inventory\" (the file `tutela pii scan --inventory` writes)");
    }
    const json& version = Field(root, "version");
    if (!version.is_number_integer() || version.get<int64_t>() < 1) return Bad("/version", "must be the integer 1");
    if (version.get<int64_t>() != 1) {
      return Bad("/version", "version " + DumpJson(version) + " is newer than this server understands (1)");
    }
    const json& generated = Field(root, "generated_at");
    if (!generated.is_string() || !ParseRfc3339(generated.get<std::string>()).ok()) {
      return Bad("/generated_at", "must be an RFC 3339 time");
    }
    const json& generator = Field(root, "generator");
    if (!generator.is_string() || generator.get<std::string>().size() > 200) {
      return Bad("/generator", "must be a string naming the producing tool");
    }
    const json& stores = Field(root, "stores");
    if (!stores.is_array()) return Bad("/stores", "must be an array of store objects");
    json out_stores = json::array();
    std::set<std::string> names;
    for (size_t i = 0; i < stores.size(); ++i) {
      std::string at = "/stores/" + std::to_string(i);
      auto store = ReadStore(stores[i], at);
      if (!store.ok()) return store.status();
      if (!names.insert((*store)["store"].get<std::string>()).second) {
        return Bad(at + "/store", "the store " + DumpJson((*store)["store"]) + " is listed twice");
      }
      out_stores.push_back(std::move(*store));
    }
    return json{{"format", kInventoryFormat},
                {"version", 1},
                {"generated_at", generated},
                {"generator", generator},
                {"stores", out_stores}};
  }

 private:
  static const json& Field(const json& object, const char* key) {
    static const json missing;
    auto found = object.find(key);
    return found == object.end() ? missing : *found;
  }
  static Status Bad(const std::string& pointer, const std::string& problem) {
    return Status::InvalidArgument("the uploaded inventory, at " + (pointer.empty() ? "/" : pointer) + ": " + problem +
                                   " (docs/formats/pii-inventory.md).");
  }
  static bool Count(const json& value) {
    return value.is_number_unsigned() || (value.is_number_integer() && value >= 0);
  }
  Result<json> Strings(const json& object, const char* key, const std::string& at, bool required = true) {
    const json& value = Field(object, key);
    if (value.is_null() && !required) return json::array();
    if (!value.is_array()) return Bad(at + "/" + key, "must be an array of strings");
    for (size_t i = 0; i < value.size(); ++i) {
      if (!value[i].is_string() || value[i].get<std::string>().size() > 1000) {
        return Bad(at + "/" + key + "/" + std::to_string(i), "must be a string");
      }
    }
    return value;
  }
  Result<json> ReadStore(const json& store, const std::string& at) {
    if (!store.is_object()) return Bad(at, "each store must be an object");
    const json& name = Field(store, "store");
    if (!name.is_string() || name.get<std::string>().empty() || name.get<std::string>().size() > 1000) {
      return Bad(at + "/store", "must be the store's name (a non-empty string)");
    }
    const json& kind = Field(store, "kind");
    static const std::set<std::string> kinds = {"directory", "file", "stream", "database", "archive"};
    if (!kind.is_string() || !kinds.contains(kind.get<std::string>())) {
      return Bad(at + "/kind", "must be \"directory\", \"file\", \"stream\" or \"database\"");
    }
    json out = {{"store", name}, {"kind", kind}};
    for (const char* key : {"files_with_findings", "findings"}) {
      if (!Count(Field(store, key))) return Bad(at + "/" + key, "must be a non-negative integer");
      out[key] = Field(store, key);
    }
    const json& complete = Field(store, "complete");
    if (!complete.is_null() && !complete.is_boolean()) return Bad(at + "/complete", "must be true or false");
    out["complete"] = complete.is_null() ? true : complete.get<bool>();
    const json& scanned = Field(store, "files_scanned");
    if (!scanned.is_null() && !Count(scanned)) return Bad(at + "/files_scanned", "must be a non-negative integer");
    if (!scanned.is_null()) out["files_scanned"] = scanned;
    auto errors = Strings(store, "errors", at, false);
    if (!errors.ok()) return errors.status();
    out["errors"] = *errors;
    const json& max = Field(store, "max_sensitivity");
    if (!max.is_string() || SensitivityRank(max.get<std::string>()) < 0) {
      return Bad(at + "/max_sensitivity", "must be \"high\", \"medium\", \"low\" or \"none\"");
    }
    out["max_sensitivity"] = max;
    for (const char* key : {"categories", "jurisdictions", "sensitive_under"}) {
      auto list = Strings(store, key, at);
      if (!list.ok()) return list.status();
      out[key] = *list;
    }
    const json& entities = Field(store, "entities");
    if (!entities.is_array()) return Bad(at + "/entities", "must be an array of entity objects");
    json out_entities = json::array();
    int highest = 0;
    for (size_t i = 0; i < entities.size(); ++i) {
      std::string where = at + "/entities/" + std::to_string(i);
      const json& entity = entities[i];
      if (!entity.is_object()) return Bad(where, "each entity must be an object");
      const json& id = Field(entity, "id");
      if (!id.is_string() || id.get<std::string>().empty() || id.get<std::string>().size() > 100) {
        return Bad(where + "/id", "must be a catalog entity id such as \"EMAIL_ADDRESS\"");
      }
      const json& category = Field(entity, "category");
      if (!category.is_string()) return Bad(where + "/category", "must be a string");
      if (!Count(Field(entity, "count"))) return Bad(where + "/count", "must be a non-negative integer");
      const json& score = Field(entity, "max_score");
      if (!score.is_number() || score.get<double>() < 0 || score.get<double>() > 1) {
        return Bad(where + "/max_score", "must be a number from 0 to 1");
      }
      const json& sensitivity = Field(entity, "sensitivity");
      if (!sensitivity.is_string() || SensitivityRank(sensitivity.get<std::string>()) < 1) {
        return Bad(where + "/sensitivity", "must be \"high\", \"medium\" or \"low\"");
      }
      highest = std::max(highest, SensitivityRank(sensitivity.get<std::string>()));
      json item = {{"id", id},
                   {"category", category},
                   {"count", Field(entity, "count")},
                   {"max_score", score},
                   {"sensitivity", sensitivity}};
      for (const char* key : {"sensitive_under", "jurisdictions"}) {
        auto list = Strings(entity, key, where);
        if (!list.ok()) return list.status();
        item[key] = *list;
      }
      out_entities.push_back(std::move(item));
    }
    if (highest != SensitivityRank(max.get<std::string>())) {
      return Bad(at + "/max_sensitivity", "is " + DumpJson(max) + " but the highest sensitivity of its entities is \"" +
                                              std::string(highest == 3   ? "high"
                                                          : highest == 2 ? "medium"
                                                          : highest == 1 ? "low"
                                                                         : "none") +
                                              "\"");
    }
    out["entities"] = std::move(out_entities);
    return out;
  }
};

// Merges `incoming` (a valid inventory) into the tenant's current inventory, store by store, and keeps the version.
Status MergeInventory(TenantData& data, const json& incoming, const json& version_info) {
  return data.Transaction([&]() -> Status {
    TUTELA_ASSIGN_OR_RETURN(auto current, data.Get("pii_inventory", "current"));
    json document = current ? current->body
                            : json{{"format", kInventoryFormat},
                                   {"version", 1},
                                   {"generated_at", ""},
                                   {"generator", "tutela serve"},
                                   {"stores", json::array()}};
    json stores = json::array();
    std::set<std::string> replaced;
    for (const auto& store : incoming["stores"]) replaced.insert(store["store"].get<std::string>());
    for (const auto& store : document["stores"]) {
      if (!replaced.contains(store.value("store", ""))) stores.push_back(store);
    }
    for (const auto& store : incoming["stores"]) stores.push_back(store);
    document["stores"] = std::move(stores);
    document["generated_at"] = FormatRfc3339(NowUtc());
    document["generator"] = "tutela serve";
    Record merged;
    merged.kind = "pii_inventory";
    merged.id = "current";
    merged.state = "current";
    merged.body = std::move(document);
    TUTELA_RETURN_IF_ERROR(data.Put(merged));
    Record version;
    version.kind = "pii_inventory_version";
    version.id = NewId("piv_");
    version.state = "merged";
    version.body = version_info;
    version.body["inventory"] = incoming;
    return data.Put(version);
  });
}

Reply UploadInventory(Call& call, Services& services) {
  json document = json::parse(call.request.body, nullptr, false);
  if (document.is_discarded()) {
    return Error(400, "invalid",
                 "the uploaded inventory is not JSON; send the file `tutela pii scan --inventory FILE` writes.");
  }
  auto inventory = InventoryReader().Read(document);
  if (!inventory.ok()) {
    services.Audit(call, "pii.inventory.upload", "", "refused");
    return FromStatus(inventory.status());
  }
  json info = {{"source", "upload"},
               {"uploaded_by", call.principal->user.name},
               {"stores", (*inventory)["stores"].size()},
               {"generated_at", (*inventory)["generated_at"]}};
  if (Status merged = MergeInventory(*call.data, *inventory, info); !merged.ok()) return FromStatus(merged);
  json ids = json::array();
  for (const auto& store : (*inventory)["stores"]) {
    ids.push_back({{"id", StoreId(store["store"].get<std::string>())}, {"store", store["store"]}});
  }
  services.Audit(call, "pii.inventory.upload", "current", "ok", {{"stores", ids.size()}});
  return Json({{"stores", ids}}, 201);
}

Reply GetInventory(Call& call, Services&) {
  auto current = call.data->Get("pii_inventory", "current");
  if (!current.ok()) return FromStatus(current.status());
  RecordQuery query;
  query.limit = 100000;
  auto owners = call.data->List("pii_store", query);
  if (!owners.ok()) return FromStatus(owners.status());
  std::map<std::string, json> owner_of;
  for (const Record& record : *owners) owner_of[record.id] = record.body;
  json stores = json::array();
  uint64_t findings = 0;
  std::map<std::string, uint64_t> by_sensitivity = {{"high", 0}, {"medium", 0}, {"low", 0}, {"none", 0}};
  if (*current) {
    for (const auto& store : (*current)->body["stores"]) {
      json item = store;
      std::string id = StoreId(store.value("store", ""));
      item["id"] = id;
      auto owner = owner_of.find(id);
      item["owner"] = owner == owner_of.end() ? "" : owner->second.value("owner", "");
      findings += store.value("findings", uint64_t{0});
      ++by_sensitivity[store.value("max_sensitivity", "none")];
      stores.push_back(std::move(item));
    }
  }
  return Json({{"generated_at", *current ? (*current)->body.value("generated_at", "") : ""},
               {"updated", *current ? (*current)->updated : ""},
               {"findings", findings},
               {"by_sensitivity", by_sensitivity},
               {"stores", stores}});
}

Reply SetStoreOwner(Call& call, Services& services) {
  Reply error;
  auto body = JsonBody(call, &error);
  if (!body) return error;
  BodyFields fields(*body);
  bool given = fields.Has("owner");
  std::string owner = fields.Text("owner");
  if (auto refused = fields.Refusal()) return *refused;
  if (!given || owner.size() > 200) {
    return Error(400, "invalid", "send {\"owner\": \"...\"} (a team or person, at most 200 characters; \"\" clears).");
  }
  std::string id = call.Param("id");
  Reply reply;
  Status status = call.data->Transaction([&]() -> Status {
    TUTELA_ASSIGN_OR_RETURN(auto current, call.data->Get("pii_inventory", "current"));
    std::string name;
    if (current) {
      for (const auto& store : current->body["stores"]) {
        if (StoreId(store.value("store", "")) == id) name = store.value("store", "");
      }
    }
    if (name.empty()) {
      reply = Error(404, "not_found", "no such store in the PII inventory.");
      return Status::Ok();
    }
    Record record;
    record.kind = "pii_store";
    record.id = id;
    record.state = "owned";
    record.body = {
        {"store", name}, {"owner", owner}, {"set_by", call.principal->user.name}, {"set_at", FormatRfc3339(NowUtc())}};
    TUTELA_RETURN_IF_ERROR(call.data->Put(record));
    reply = Json({{"id", id}, {"store", name}, {"owner", owner}});
    return Status::Ok();
  });
  if (!status.ok()) return FromStatus(status);
  if (reply.status == 200) services.Audit(call, "pii.store.owner", id);
  return reply;
}

// ---- PII scans ----

fs::path UploadFolder(const Services& services) { return services.options.data / "pii-uploads"; }

// DATA/pii-uploads/TENANT.SCAN.NAME: the extractors tell the kind of file by its name (.csv, .zip, .xlsx, ...).
fs::path UploadPath(const Services& services, const std::string& tenant, const std::string& scan,
                    const std::string& name) {
  std::string safe;
  for (char c : name) safe += std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' ? c : '_';
  return UploadFolder(services) / (tenant + "." + scan + "." + safe);
}

// The PII ruleset, compiled once per process on first use (compiling takes a moment; the catalog is built in).
Result<std::shared_ptr<const pii::Ruleset>> Ruleset() {
  static std::mutex mutex;
  static std::shared_ptr<const pii::Ruleset> ruleset;
  std::lock_guard lock(mutex);
  if (!ruleset) {
    TUTELA_ASSIGN_OR_RETURN(pii::Catalog catalog, pii::LoadCatalog(pii::DefaultCatalogPath()));
    TUTELA_ASSIGN_OR_RETURN(ruleset, pii::Ruleset::Compile(std::move(catalog)));
  }
  return ruleset;
}

// The tenant's fingerprint key: DATA/keys/TENANT.pii-fingerprint.key, 32 random bytes made once, mode 0600.
Result<std::string> FingerprintKey(const Services& services, const std::string& tenant) {
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  return pii::LoadOrCreateFingerprintKey(services.options.data / "keys" / (tenant + ".pii-fingerprint.key"));
}

// The name a scan is known by: its last path component, printable ASCII, at most 200 characters.
std::string CleanName(std::string name) {
  size_t slash = name.find_last_of("/\\");
  if (slash != std::string::npos) name = name.substr(slash + 1);
  std::string out;
  for (char c : name) {
    if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f) out += c;
  }
  if (out.size() > 200) out.resize(200);
  return out;
}

json ScanJson(const Record& record) { return RecordJson(record); }

Result<json> RunScan(Services& services, TenantData& data, const json& input, const Progress& progress) {
  std::string id = input.value("scan", "");
  fs::path upload = UploadPath(services, data.tenant_id(), id, input.value("name", ""));
  struct Cleanup {
    fs::path path;
    ~Cleanup() {
      std::error_code error;
      fs::remove(path, error);
    }
  } cleanup{upload};
  TUTELA_ASSIGN_OR_RETURN(Record record, StartJobRecord(data, "pii_scan", id));
  const std::string name = record.body.value("name", "upload");
  auto fail = [&](const Status& status) { return FailJobRecord(data, record, status); };
  progress(5, "loading the PII catalog");
  auto ruleset = Ruleset();
  if (!ruleset.ok()) return fail(ruleset.status());
  auto key = FingerprintKey(services, data.tenant_id());
  if (!key.ok()) return fail(key.status());
  pii::ScanOptions options;
  auto scanner = pii::Scanner::Create(*ruleset, options);
  if (!scanner.ok()) return fail(scanner.status());
  const pii::Catalog& catalog = (*ruleset)->catalog();
  pii::FindingCollector collector(catalog, *key, /*show_values=*/false);
  // Findings are streamed, not held: the first ones are kept as samples (entity, where, masked preview, keyed
  // fingerprint — never the value), the rest only counted, so memory stays bounded whatever the upload.
  json samples = json::array();
  std::set<std::string> fingerprints;
  bool distinct_capped = false;
  collector.SetStream([&](const pii::StoredFinding& finding, std::string_view) {
    if (fingerprints.size() < kMaxDistinctValues) {
      fingerprints.insert(finding.fingerprint);
    } else {
      distinct_capped = true;
    }
    if (samples.size() >= kMaxSampleFindings) return;
    samples.push_back({{"entity", finding.entity},
                       {"category", finding.category},
                       {"location", finding.location},
                       {"line", finding.line},
                       {"score", std::round(finding.score * 100) / 100},
                       {"preview", finding.preview},
                       {"fingerprint", finding.fingerprint}});
  });
  std::string store = record.body.value("store", "upload");
  progress(20, "scanning");
  pii::ExtractOptions extract;
  extract.max_expanded_bytes = std::min<uint64_t>(extract.max_expanded_bytes, uint64_t{2} << 30);
  // Findings name the file as uploaded (CSV columns and JSON fields are recognised by that name).
  Status scanned = pii::ScanInput(**scanner, upload, name, extract, collector);
  if (!scanned.ok()) {
    // The message names the stored upload; the user knows it by its name.
    std::string message = scanned.message();
    for (size_t at; (at = message.find(upload.string())) != std::string::npos;) {
      message.replace(at, upload.string().size(), name);
    }
    collector.OnError(Status::InvalidArgument(message));
  }
  collector.Sort();
  progress(80, "summarising");
  json inventory = pii::BuildInventory(collector, catalog, {name}, FormatRfc3339(NowUtc()));
  inventory["generator"] = "tutela serve (pii scan)";
  for (auto& item : inventory["stores"]) {
    item["store"] = store;
    item["kind"] = "file";
  }
  json summary = collector.Summary();
  summary["distinct_values"] = fingerprints.size();
  summary["distinct_values_capped"] = distinct_capped;
  json info = {{"source", "scan"}, {"scan", id}, {"uploaded_by", record.body.value("created_by", "")}};
  if (Status merged = MergeInventory(data, inventory, info); !merged.ok()) return fail(merged);
  record.state = "done";
  record.body["summary"] = summary;
  record.body["findings"] = samples;
  record.body["findings_truncated"] = collector.finding_count() > samples.size();
  record.body["inventory"] = inventory["stores"][0];
  record.body["store_id"] = StoreId(store);
  record.body["finished"] = FormatRfc3339(NowUtc());
  TUTELA_RETURN_IF_ERROR(data.Put(record));
  services.AuditAs(data.tenant_id(), record.body.value("created_by", ""), input.value("client", ""), "pii.scan.done",
                   id, collector.errors().empty() ? "ok" : "incomplete",
                   {{"findings", collector.finding_count()}, {"store", StoreId(store)}});
  return json{{"scan", id}, {"findings", collector.finding_count()}};
}

Reply CreateScan(Call& call, Services& services) {
  const std::string& body = call.request.body;
  if (body.empty()) {
    return Error(400, "invalid",
                 "send the file to scan as the request body (text, CSV, JSON, NDJSON, an archive, an Office file, a "
                 "PDF or a SQLite file), with ?name=FILE.");
  }
  std::string name = CleanName(call.Query("name", "upload"));
  if (name.empty()) name = "upload";
  std::string store = call.Query("store");
  if (store.size() > 1000) return Error(400, "invalid", "?store: at most 1000 characters.");
  if (store.empty()) store = name;
  std::error_code error;
  fs::create_directories(UploadFolder(services), error);
  fs::permissions(UploadFolder(services), fs::perms::owner_all, error);
  Record record;
  record.kind = "pii_scan";
  record.id = NewId("ps_");
  record.state = "queued";
  record.body = {{"name", name},
                 {"store", store},
                 {"bytes", body.size()},
                 {"created_by", call.principal->user.name},
                 {"summary", nullptr}};
  fs::path upload = UploadPath(services, call.data->tenant_id(), record.id, name);
  if (Status written = WriteFileAtomic(upload, body, 0600); !written.ok()) return FromStatus(written);
  if (Status saved = call.data->Put(record); !saved.ok()) {
    fs::remove(upload, error);
    return FromStatus(saved);
  }
  auto job =
      services.jobs->Submit(*call.data, "pii_scan", {{"scan", record.id}, {"name", name}, {"client", call.Client()}});
  if (!job.ok()) {
    fs::remove(upload, error);
    return FromStatus(job.status());
  }
  // The record is not written again here: the job may already have moved it on (running, done), and a second Put
  // would set it back to "queued". The job's id is in the reply.
  services.Audit(call, "pii.scan", record.id, "ok", {{"bytes", body.size()}, {"store", StoreId(store)}});
  return Queued(record.id, job->id, "/api/v1/pii/scans/" + record.id);
}

Reply ListScans(Call& call, Services&) {
  auto records = call.data->List("pii_scan", ListQuery(call, 100, 500));
  if (!records.ok()) return FromStatus(records.status());
  json list = json::array();
  for (const Record& record : *records) {
    json item = ScanJson(record);
    item.erase("findings");
    item.erase("inventory");
    list.push_back(std::move(item));
  }
  return Json({{"scans", list}});
}

Reply GetScan(Call& call, Services&) {
  auto record = call.data->Get("pii_scan", call.Param("id"));
  if (!record.ok()) return FromStatus(record.status());
  if (!*record) return Error(404, "not_found", "no such scan.");
  return Json(ScanJson(**record));
}

// ---- Vault ----

// nullopt when the caller may browse the vault; else the reply (404 for everyone but the operator's staff).
std::optional<Reply> VaultGate(const Call& call, const Services& services) {
  if (services.options.vault.empty() || !call.principal->tenant.is_operator) {
    return Error(404, "not_found", "no vault is browsable here.");
  }
  if (!fs::exists(services.options.vault / "ledger.log") || !fs::exists(services.options.vault / "meta.sqlite")) {
    return Error(409, "not_ready",
                 "the vault folder given with --vault holds no vault yet (ledger.log or meta.sqlite is missing).");
  }
  return std::nullopt;
}

// A read-only connection to the vault's metadata (docs/formats/vault-store.md), closed when it goes.
class VaultMeta {
 public:
  ~VaultMeta() {
    if (db_ != nullptr) sqlite3_close(db_);
  }
  Status Open(const fs::path& dir) {
    fs::path path = dir / "meta.sqlite";
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
      return Status::IoError(path.string() + ": cannot open the vault's metadata read-only (" +
                             (db_ ? sqlite3_errmsg(db_) : "out of memory") + ").");
    }
    sqlite3_busy_timeout(db_, 5000);
    return Status::Ok();
  }
  sqlite3* db() { return db_; }

 private:
  sqlite3* db_ = nullptr;
};

constexpr const char* kVersionSelect =
    "SELECT bucket, key, version_id, seq, delete_marker, size, md5, sha256, content_type, last_modified, lock_mode, "
    "retain_until, legal_hold, etag FROM versions ";

json VersionJson(const sqlite::Stmt& row, const std::string& now) {
  std::string etag = row.Text(13).empty() ? row.Text(6) : row.Text(13);
  std::string until = row.Text(11);
  bool delete_marker = row.Int(4) != 0;
  std::string mode = row.Text(10);
  return {{"bucket", row.Text(0)},
          {"key", row.Text(1)},
          {"version_id", row.Text(2)},
          {"ledger_index", row.Int(3)},
          {"delete_marker", delete_marker},
          {"size", row.Int(5)},
          {"etag", delete_marker ? "" : etag},
          {"sha256", row.Text(7)},
          {"content_type", row.Text(8)},
          {"last_modified", row.Text(9)},
          {"retention", {{"mode", mode}, {"until", until}, {"active", !mode.empty() && !until.empty() && until > now}}},
          {"legal_hold", row.Int(12) != 0}};
}

Reply VaultBuckets(Call& call, Services& services) {
  if (auto gate = VaultGate(call, services)) return *gate;
  VaultMeta meta;
  if (Status opened = meta.Open(services.options.vault); !opened.ok()) return FromStatus(opened);
  sqlite::Stmt buckets(meta.db(),
                       "SELECT b.name, b.created, b.versioning, b.lock_enabled, b.default_mode, b.default_days, "
                       "b.default_years, (SELECT COUNT(DISTINCT key) FROM versions v WHERE v.bucket = b.name), "
                       "(SELECT COUNT(*) FROM versions v WHERE v.bucket = b.name), "
                       "(SELECT COALESCE(SUM(size), 0) FROM versions v WHERE v.bucket = b.name) "
                       "FROM buckets b ORDER BY b.name");
  json list = json::array();
  while (buckets.Step()) {
    json item = {{"name", buckets.Text(0)},       {"created", buckets.Text(1)},
                 {"versioning", buckets.Text(2)}, {"object_lock", buckets.Int(3) != 0},
                 {"keys", buckets.Int(7)},        {"versions", buckets.Int(8)},
                 {"bytes", buckets.Int(9)}};
    if (!buckets.Text(4).empty()) {
      item["default_retention"] = {{"mode", buckets.Text(4)}, {"days", buckets.Int(5)}, {"years", buckets.Int(6)}};
    }
    list.push_back(std::move(item));
  }
  if (!buckets.status().ok()) return FromStatus(buckets.status());
  return Json({{"buckets", list}});
}

Reply VaultObjects(Call& call, Services& services) {
  if (auto gate = VaultGate(call, services)) return *gate;
  std::string bucket = call.Query("bucket");
  if (bucket.empty()) return Error(400, "invalid", "name the bucket: ?bucket=NAME.");
  std::string prefix = call.Query("prefix");
  std::string after = call.Query("after");
  size_t limit = std::clamp<size_t>(std::strtoull(call.Query("limit", "1000").c_str(), nullptr, 10), 1, 5000);
  VaultMeta meta;
  if (Status opened = meta.Open(services.options.vault); !opened.ok()) return FromStatus(opened);
  sqlite::Stmt exists(meta.db(), "SELECT 1 FROM buckets WHERE name = ?");
  exists.Bind(1, bucket);
  if (!exists.Step()) {
    if (!exists.status().ok()) return FromStatus(exists.status());
    return Error(404, "not_found", "no bucket \"" + bucket + "\" in the vault.");
  }
  sqlite::Stmt rows(meta.db(), std::string(kVersionSelect) +
                                   "WHERE bucket = ? AND substr(key, 1, length(?)) = ? AND key > ? "
                                   "ORDER BY key, seq DESC");
  rows.Bind(1, bucket).Bind(2, prefix).Bind(3, prefix).Bind(4, after);
  std::string now = FormatRfc3339(NowUtc(), TimePrecision::kMicroseconds);
  json objects = json::array();
  bool truncated = false;
  while (rows.Step()) {
    json version = VersionJson(rows, now);
    std::string key = version["key"];
    if (objects.empty() || objects.back()["key"] != key) {
      if (objects.size() >= limit) {
        truncated = true;
        break;
      }
      objects.push_back({{"key", key}, {"versions", json::array()}});
      version["is_latest"] = true;
    } else {
      version["is_latest"] = false;
    }
    version.erase("bucket");
    version.erase("key");
    objects.back()["versions"].push_back(std::move(version));
  }
  if (!rows.status().ok()) return FromStatus(rows.status());
  for (auto& object : objects) {
    const json& latest = object["versions"][0];
    object["deleted"] = latest["delete_marker"];
    object["size"] = latest["size"];
    object["legal_hold"] = false;
    object["retained"] = false;
    for (const auto& version : object["versions"]) {
      object["legal_hold"] = object["legal_hold"].get<bool>() || version["legal_hold"].get<bool>();
      object["retained"] = object["retained"].get<bool>() || version["retention"]["active"].get<bool>();
    }
  }
  return Json({{"bucket", bucket}, {"prefix", prefix}, {"truncated", truncated}, {"objects", objects}});
}

// The version named by ?bucket=&key=&version= (the newest when version is empty); 404 reply when absent.
std::optional<json> FindVersion(Call& call, Services& services, Reply* error) {
  std::string bucket = call.Query("bucket");
  std::string key = call.Query("key");
  std::string version = call.Query("version");
  if (bucket.empty() || key.empty()) {
    *error = Error(400, "invalid", "name the object: ?bucket=NAME&key=KEY[&version=ID].");
    return std::nullopt;
  }
  VaultMeta meta;
  if (Status opened = meta.Open(services.options.vault); !opened.ok()) {
    *error = FromStatus(opened);
    return std::nullopt;
  }
  sqlite::Stmt rows(meta.db(), std::string(kVersionSelect) + "WHERE bucket = ? AND key = ? ORDER BY seq DESC");
  rows.Bind(1, bucket).Bind(2, key);
  std::string now = FormatRfc3339(NowUtc(), TimePrecision::kMicroseconds);
  bool first = true;
  while (rows.Step()) {
    json found = VersionJson(rows, now);
    found["is_latest"] = first;
    first = false;
    if (version.empty() || found["version_id"] == version) return found;
  }
  if (!rows.status().ok()) {
    *error = FromStatus(rows.status());
    return std::nullopt;
  }
  *error = Error(404, "not_found", "no such object version in the vault.");
  return std::nullopt;
}

Reply VaultObject(Call& call, Services& services) {
  if (auto gate = VaultGate(call, services)) return *gate;
  Reply error;
  auto version = FindVersion(call, services, &error);
  if (!version) return error;
  return Json(*version);
}

// The newest signed tree head of heads.jsonl, checked against its own key; nullopt when none was signed yet.
Result<std::optional<ledger::SignedTreeHead>> LatestSignedHead(const fs::path& dir) {
  std::ifstream heads(dir / "heads.jsonl");
  std::string line, last;
  size_t number = 0, last_number = 0;
  while (std::getline(heads, line)) {
    ++number;
    if (line.find_first_not_of(" \t\r") != std::string::npos) {
      last = line;
      last_number = number;
    }
  }
  if (last.empty()) return std::optional<ledger::SignedTreeHead>();
  json parsed = json::parse(last, nullptr, false);
  std::string where = (dir / "heads.jsonl").string() + ":" + std::to_string(last_number);
  if (parsed.is_discarded()) return Status::Corruption(where + ": not JSON.");
  TUTELA_ASSIGN_OR_RETURN(ledger::SignedTreeHead head, ledger::TreeHeadFromJson(parsed, where));
  TUTELA_RETURN_IF_ERROR(ledger::VerifyTreeHead(head));
  return std::optional<ledger::SignedTreeHead>(head);
}

Reply VaultProof(Call& call, Services& services) {
  if (auto gate = VaultGate(call, services)) return *gate;
  json version;
  uint64_t index = 0;
  if (!call.Query("index").empty()) {
    char* end = nullptr;
    std::string text = call.Query("index");
    index = std::strtoull(text.c_str(), &end, 10);
    if (end == text.c_str() || *end != '\0') return Error(400, "invalid", "?index must be a ledger index (0, 1, ...).");
  } else {
    Reply error;
    auto found = FindVersion(call, services, &error);
    if (!found) return error;
    version = *found;
    index = version["ledger_index"].get<uint64_t>();
  }
  auto log = ledger::Log::Open(services.options.vault / "ledger.log", {.create_if_missing = false, .read_only = true});
  if (!log.ok()) return FromStatus(log.status());
  if (index >= (*log)->size()) {
    return Error(404, "not_found", "the vault's ledger has no entry " + std::to_string(index) + " yet.");
  }
  auto signed_head = LatestSignedHead(services.options.vault);
  if (!signed_head.ok()) return FromStatus(signed_head.status());
  uint64_t size = (*log)->size();
  json head_json = nullptr;
  std::string note;
  if (*signed_head && (*signed_head)->size > index && (*signed_head)->size <= (*log)->size()) {
    size = (*signed_head)->size;
    head_json = ledger::TreeHeadToJson(**signed_head);
  } else {
    note = *signed_head ? "the entry is newer than the latest signed tree head; the proof is against the current "
                          "ledger, unsigned until `tutela vault head` (or the vault's shutdown) signs one"
                        : "the vault has no signed tree head yet; the proof is against the current ledger";
  }
  auto root = (*log)->RootAt(size);
  if (!root.ok()) return FromStatus(root.status());
  if (!head_json.is_null() && *root != (*signed_head)->root) {
    services.Audit(call, "vault.proof", std::to_string(index), "mismatch");
    return Error(409, "conflict",
                 "the vault's ledger does not match its signed tree head of size " + std::to_string(size) +
                     "; run `tutela vault verify`.");
  }
  auto proof = (*log)->ProveInclusion(index, size);
  if (!proof.ok()) return FromStatus(proof.status());
  auto leaf = (*log)->LeafHashAt(index);
  if (!leaf.ok()) return FromStatus(leaf.status());
  if (Status checked = ledger::VerifyInclusion(*leaf, index, size, *proof, *root); !checked.ok()) {
    return FromStatus(checked);
  }
  auto entry = (*log)->Entry(index);
  if (!entry.ok()) return FromStatus(entry.status());
  json hashes = json::array();
  for (const ledger::Hash& hash : *proof) hashes.push_back(ToHex(hash));
  json entry_json = json::parse(*entry, nullptr, false);
  services.Audit(call, "vault.proof", std::to_string(index));
  return Json({{"index", index},
               {"tree_size", size},
               {"leaf_hash", ToHex(*leaf)},
               {"root", ToHex(*root)},
               {"proof", hashes},
               {"signed_tree_head", head_json},
               {"note", note},
               {"entry", entry_json.is_discarded() ? json(*entry) : entry_json},
               {"version", version.is_null() ? json(nullptr) : version}});
}

Result<json> RunVaultVerify(Services& services, TenantData& data, const json& input, const Progress& progress) {
  static std::mutex mutex;  // one verification at a time: the store's lock is per process too
  std::lock_guard lock(mutex);
  const fs::path& dir = services.options.vault;
  auto finish = [&](std::string_view outcome, const json& details) {
    services.AuditAs(data.tenant_id(), input.value("actor", ""), input.value("client", ""), "vault.verify.done",
                     dir.filename().string(), outcome, details);
  };
  if (dir.empty() || !fs::exists(dir / "ledger.log")) {
    finish("failed", json::object());
    return Status::NotFound("no vault to verify (ledger.log is missing).");
  }
  progress(5, "opening the vault");
  auto store = vault::Store::Open(dir);
  if (!store.ok()) {
    finish("failed", json::object());
    if (store.status().code() == StatusCode::kIoError) {
      return Status::IoError(
          "the vault is open in another process (`tutela vault serve`?): " + store.status().message() +
          " Verify while it is stopped, or run `tutela vault verify` where it runs.");
    }
    return store.status();
  }
  progress(20, "re-hashing every version against the ledger");
  auto report = (*store)->Verify();
  if (!report.ok()) {
    finish("failed", json::object());
    return report.status();
  }
  json problems = json::array();
  for (const auto& problem : report->problems) {
    problems.push_back({{"subject", problem.subject}, {"problem", problem.problem}});
  }
  json result = {{"verified", report->problems.empty()},
                 {"versions_checked", report->versions_checked},
                 {"bytes_hashed", report->bytes_hashed},
                 {"ledger_entries", report->ledger_entries},
                 {"tree_size", report->head.size},
                 {"root", ToHex(report->head.root)},
                 {"problems", problems}};
  Record record;
  record.kind = "vault_verification";
  record.id = input.value("verification", NewId("vv_"));
  record.state = report->problems.empty() ? "verified" : "problems";
  record.body = result;
  record.body["requested_by"] = input.value("actor", "");
  TUTELA_RETURN_IF_ERROR(data.Put(record));
  finish(report->problems.empty() ? "ok" : "problems",
         {{"versions", report->versions_checked}, {"problems", problems.size()}});
  return result;
}

Reply VaultVerify(Call& call, Services& services) {
  if (auto gate = VaultGate(call, services)) return *gate;
  std::string id = NewId("vv_");
  auto job =
      services.jobs->Submit(*call.data, "vault_verify",
                            {{"verification", id}, {"actor", call.principal->user.name}, {"client", call.Client()}});
  if (!job.ok()) return FromStatus(job.status());
  services.Audit(call, "vault.verify", id, "queued");
  return Json({{"id", id}, {"job", job->id}, {"state", "queued"}}, 202);
}

Reply VaultVerifications(Call& call, Services& services) {
  if (auto gate = VaultGate(call, services)) return *gate;
  RecordQuery query;
  query.limit = 50;
  auto records = call.data->List("vault_verification", query);
  if (!records.ok()) return FromStatus(records.status());
  json list = json::array();
  for (const Record& record : *records) {
    json item = record.body;
    item["id"] = record.id;
    item["state"] = record.state;
    item["created"] = record.created;
    list.push_back(std::move(item));
  }
  return Json({{"verifications", list}});
}

}  // namespace

void RegisterDataJobs(Services& services) {
  // An upload left by a stopped server belongs to a job that Open() marks failed: remove it (it may hold PII).
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(UploadFolder(services), error)) fs::remove(entry.path(), error);
  services.jobs->Register("pii_scan", [&services](TenantData& data, const json& input, const Progress& progress) {
    return RunScan(services, data, input, progress);
  });
  services.jobs->Register("vault_verify", [&services](TenantData& data, const json& input, const Progress& progress) {
    return RunVaultVerify(services, data, input, progress);
  });
}

void AddDataRoutes(std::vector<Route>& routes) {
  const std::vector<Role> writers = {Role::kAdmin, Role::kPrivacy, Role::kCompliance};
  const std::vector<Role> vault = {Role::kAdmin, Role::kCompliance, Role::kAuditor};
  routes.push_back({{"POST", "/api/v1/pii/inventories", true, writers, "upload a PII inventory"}, UploadInventory});
  routes.push_back({{"GET", "/api/v1/pii/inventory", true, kStaff, "read the PII inventory"}, GetInventory});
  routes.push_back({{"PUT", "/api/v1/pii/stores/{id}", true, writers, "set a PII store's owner"}, SetStoreOwner});
  routes.push_back({{"POST", "/api/v1/pii/scans", true, writers, "scan a file for PII"}, CreateScan});
  routes.push_back({{"GET", "/api/v1/pii/scans", true, kStaff, "read PII scans"}, ListScans});
  routes.push_back({{"GET", "/api/v1/pii/scans/{id}", true, kStaff, "read PII scans"}, GetScan});
  routes.push_back({{"GET", "/api/v1/vault/buckets", true, vault, "browse the vault"}, VaultBuckets});
  routes.push_back({{"GET", "/api/v1/vault/objects", true, vault, "browse the vault"}, VaultObjects});
  routes.push_back({{"GET", "/api/v1/vault/object", true, vault, "browse the vault"}, VaultObject});
  routes.push_back({{"GET", "/api/v1/vault/proof", true, vault, "prove a vault record"}, VaultProof});
  routes.push_back({{"POST", "/api/v1/vault/verify", true, vault, "verify the vault"}, VaultVerify});
  routes.push_back({{"GET", "/api/v1/vault/verifications", true, vault, "browse the vault"}, VaultVerifications});
}

}  // namespace tutela::server
