// The privacy office: the register of processing (upload, lint, sync with the PII inventory), risk evaluation,
// purpose decisions with the per-tenant disclosure log, and incidents with breach assessments and per-jurisdiction
// notification deadlines (docs/server.md, "Privacy office"; the engines are the pims module, docs/pims.md).
//
// Records of the tenant (TenantData):
//   register/current            the register's text and who uploaded it; earlier texts as register_version records
//   pii_inventory/current       the PII inventory document (docs/formats/pii-inventory.md), written by the PII area
//   decision/dc_*               one purpose decision with its disclosure-log index
//   incident/in_*               the incident document's text, its breach assessment, ICS calendar and sent notices;
//                               earlier revisions as incident_version records
// Only entity ids, categories and counts go in: the register and incident formats hold no PII values.
#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

#include "api.h"
#include "tutela/core/crypto.h"
#include "tutela/core/data.h"
#include "tutela/core/time.h"
#include "tutela/pims/breach.h"
#include "tutela/pims/decide.h"
#include "tutela/pims/disclosure_log.h"
#include "tutela/pims/jurisdiction.h"
#include "tutela/pims/register.h"
#include "tutela/pims/risk.h"

namespace tutela::server {
namespace {
namespace fs = std::filesystem;

constexpr size_t kMaxDocument = 1 << 20;  // a register or incident document (1 MiB is thousands of activities)

// The jurisdiction rules, loaded once (immutable afterwards; shared by every request).
const Result<pims::JurisdictionSet>& Rules() {
  static const Result<pims::JurisdictionSet> rules =
      pims::JurisdictionSet::LoadDirectory(pims::DefaultJurisdictionsDirectory());
  return rules;
}

Reply RulesUnavailable() {
  return FromStatus(Status::Internal("the jurisdiction rules did not load: " + Rules().status().message()));
}

// The per-tenant disclosure logs, each opened once per process (a DisclosureLog holds its file's write lock).
Result<pims::DisclosureLog*> DisclosureLogFor(const Services& services, const std::string& tenant) {
  static std::mutex mutex;
  static std::map<fs::path, std::unique_ptr<pims::DisclosureLog>> logs;
  fs::path path = services.options.data / "disclosures" / (tenant + ".log");
  std::lock_guard lock(mutex);
  auto found = logs.find(path);
  if (found != logs.end()) return found->second.get();
  TUTELA_ASSIGN_OR_RETURN(auto log, pims::DisclosureLog::Open(path));
  pims::DisclosureLog* raw = log.get();
  logs.emplace(path, std::move(log));
  return raw;
}

nlohmann::json HeadJson(const ledger::TreeHead& head) { return {{"size", head.size}, {"root", ToHex(head.root)}}; }

std::string Now() { return FormatRfc3339(NowUtc()); }

// 413 for a document body over kMaxDocument, before anything reads it.
std::optional<Reply> TooLargeDocument(const Call& call, const std::string& source) {
  if (call.request.body.size() <= kMaxDocument) return std::nullopt;
  return Error(413, "too_large", source + " is larger than 1 MiB; split it or remove what is not needed.");
}

// The request body as a document for the YAML-reading engines: YAML as sent; JSON checked as JSON first (so a JSON
// syntax error names its line and column) and, when it holds tabs (which YAML does not take as indentation),
// re-written without them.
Result<std::string> DocumentText(const Call& call, const std::string& source) {
  const std::string& body = call.request.body;
  size_t first = body.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) {
    return Status::InvalidArgument(source + " is empty; send the document (YAML or JSON) as the request body.");
  }
  if (body.size() > kMaxDocument) {
    return Status::InvalidArgument(source + " is larger than 1 MiB; split it or remove what is not needed.");
  }
  if (body[first] == '{') {
    TUTELA_ASSIGN_OR_RETURN(nlohmann::json document, ParseJson(body, source));
    if (body.find('\t') != std::string::npos) return DumpJson(document, 2);
  }
  return body;
}

// ---- Register and PII inventory ----

struct LoadedRegister {
  Record record;
  pims::ProcessingRegister processing;
};

// The tenant's current register, parsed; nullopt when none was uploaded.
Result<std::optional<LoadedRegister>> CurrentRegister(TenantData& data) {
  TUTELA_ASSIGN_OR_RETURN(auto record, data.Get("register", "current"));
  if (!record) return std::optional<LoadedRegister>();
  std::string source = "the register (version " + std::to_string(record->body.value("version", 0)) + ")";
  TUTELA_ASSIGN_OR_RETURN(pims::ProcessingRegister processing,
                          pims::ParseRegister(record->body.value("text", ""), source));
  return std::optional<LoadedRegister>(LoadedRegister{std::move(*record), std::move(processing)});
}

struct Inventory {
  bool present = false;
  std::vector<pims::InventoryStore> stores;
  std::string error;  // the inventory exists but does not parse
  nlohmann::json info = nullptr;
};

// The tenant's PII inventory (record pii_inventory/current, the documented inventory document), when there is one.
Result<Inventory> CurrentInventory(TenantData& data) {
  TUTELA_ASSIGN_OR_RETURN(auto record, data.Get("pii_inventory", "current"));
  Inventory inventory;
  if (!record) return inventory;
  inventory.present = true;
  auto stores = pims::ParsePiiInventory(record->body, "the tenant's PII inventory");
  if (stores.ok()) {
    inventory.stores = std::move(*stores);
  } else {
    inventory.error = stores.status().message();
  }
  inventory.info = {{"updated", record->updated},
                    {"generated_at", record->body.value("generated_at", "")},
                    {"stores", inventory.stores.size()},
                    {"error", inventory.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(inventory.error)}};
  return inventory;
}

nlohmann::json RegisterJson(const pims::ProcessingRegister& processing) {
  nlohmann::json activities = nlohmann::json::array();
  for (const pims::Activity& activity : processing.activities) {
    nlohmann::json stores = nlohmann::json::array();
    for (const pims::DataStore& store : activity.data_stores) {
      stores.push_back({{"store", store.store}, {"terraform", store.terraform}, {"region", store.region}});
    }
    nlohmann::json transfers = nlohmann::json::array();
    for (const pims::Transfer& transfer : activity.transfers) {
      transfers.push_back({{"from", transfer.from}, {"to", transfer.to}, {"mechanism", transfer.mechanism}});
    }
    activities.push_back({{"id", activity.id},
                          {"name", activity.name},
                          {"purpose", activity.purpose},
                          {"legal_basis", activity.legal_basis},
                          {"data_subjects", activity.data_subjects},
                          {"pii", activity.pii},
                          {"data_stores", stores},
                          {"recipients", activity.recipients},
                          {"sub_processors", activity.sub_processors},
                          {"transfers", transfers},
                          {"retention", activity.retention},
                          {"security_measures", activity.security_measures},
                          {"jurisdictions", activity.jurisdictions},
                          {"where", activity.where}});
  }
  return {{"controller", processing.controller}, {"activities", activities}};
}

size_t CountSeverity(const std::vector<pims::RegisterFinding>& findings, std::string_view severity) {
  size_t count = 0;
  for (const auto& finding : findings) count += finding.severity == severity ? 1 : 0;
  return count;
}

Reply PutRegister(Call& call, Services& services) {
  if (!Rules().ok()) return RulesUnavailable();
  const std::string source = "the uploaded register";
  if (auto refused = TooLargeDocument(call, source)) {
    services.Audit(call, "register.upload", "current", "refused");
    return *refused;
  }
  auto text = DocumentText(call, source);
  auto parsed = text.ok() ? pims::ParseRegister(*text, source) : Result<pims::ProcessingRegister>(text.status());
  if (!parsed.ok()) {
    services.Audit(call, "register.upload", "current", "refused");
    return Error(400, "invalid", parsed.status().message());
  }
  std::vector<pims::RegisterFinding> lint = pims::LintRegister(*parsed, *Rules());
  Record record;
  Status saved = call.data->Transaction([&]() -> Status {
    TUTELA_ASSIGN_OR_RETURN(auto previous, call.data->Get("register", "current"));
    int version = 1;
    if (previous) {
      version = previous->body.value("version", 0) + 1;
      Record old;
      old.kind = "register_version";
      old.id = NewId("rv_");
      old.state = "superseded";
      old.body = previous->body;
      TUTELA_RETURN_IF_ERROR(call.data->Put(old));
    }
    record.kind = "register";
    record.id = "current";
    record.state = CountSeverity(lint, "error") > 0 ? "errors" : "ok";
    record.body = {{"text", *text},
                   {"version", version},
                   {"controller", parsed->controller},
                   {"activities", parsed->activities.size()},
                   {"uploaded_by", call.principal->user.name},
                   {"uploaded_at", Now()}};
    return call.data->Put(record);
  });
  if (!saved.ok()) return FromStatus(saved);
  services.Audit(call, "register.upload", "current", "ok",
                 {{"version", record.body["version"]},
                  {"activities", parsed->activities.size()},
                  {"lint_errors", CountSeverity(lint, "error")},
                  {"lint_warnings", CountSeverity(lint, "warning")}});
  return Json({{"version", record.body["version"]},
               {"activities", parsed->activities.size()},
               {"lint", pims::FindingsToJson(lint)}});
}

Reply GetRegister(Call& call, Services&) {
  if (!Rules().ok()) return RulesUnavailable();
  auto loaded = CurrentRegister(*call.data);
  if (!loaded.ok()) return FromStatus(loaded.status());
  auto inventory = CurrentInventory(*call.data);
  if (!inventory.ok()) return FromStatus(inventory.status());
  if (!*loaded) {
    return Json(
        {{"register", nullptr}, {"inventory", inventory->info}, {"lint", nlohmann::json::array()}, {"sync", nullptr}});
  }
  const LoadedRegister& current = **loaded;
  RecordQuery query;
  query.limit = 50;
  auto versions = call.data->List("register_version", query);
  if (!versions.ok()) return FromStatus(versions.status());
  nlohmann::json history = nlohmann::json::array();
  for (const Record& version : *versions) {
    history.push_back({{"id", version.id},
                       {"version", version.body.value("version", 0)},
                       {"uploaded_by", version.body.value("uploaded_by", "")},
                       {"uploaded_at", version.body.value("uploaded_at", "")}});
  }
  nlohmann::json sync = nullptr;
  if (inventory->present && inventory->error.empty()) {
    sync = pims::FindingsToJson(pims::SyncRegister(current.processing, inventory->stores));
  }
  return Json({{"register", RegisterJson(current.processing)},
               {"version", current.record.body.value("version", 0)},
               {"uploaded_by", current.record.body.value("uploaded_by", "")},
               {"uploaded_at", current.record.body.value("uploaded_at", "")},
               {"text", current.record.body.value("text", "")},
               {"previous_versions", history},
               {"lint", pims::FindingsToJson(pims::LintRegister(current.processing, *Rules()))},
               {"inventory", inventory->info},
               {"sync", sync}});
}

// ---- Risk ----

// The results of the newest finished assessment, read from its documented results document; nullopt when none.
Result<std::optional<std::pair<std::string, std::vector<pims::AssessmentResult>>>> LatestAssessment(
    Call& call, Services& services) {
  RecordQuery query;
  query.state = "done";
  query.limit = 1;
  TUTELA_ASSIGN_OR_RETURN(auto records, call.data->List("assessment", query));
  using Latest = std::optional<std::pair<std::string, std::vector<pims::AssessmentResult>>>;
  if (records.empty()) return Latest();
  const std::string& id = records.front().id;
  fs::path document = services.options.data / "results" / call.data->tenant_id() / (id + ".json");
  TUTELA_ASSIGN_OR_RETURN(nlohmann::json json, LoadJsonFile(document));
  TUTELA_ASSIGN_OR_RETURN(auto results, pims::ParseAssessmentResults(json, "assessment " + id));
  return Latest(std::make_pair(id, std::move(results)));
}

Reply GetRisk(Call& call, Services& services) {
  if (!Rules().ok()) return RulesUnavailable();
  auto loaded = CurrentRegister(*call.data);
  if (!loaded.ok()) return FromStatus(loaded.status());
  if (!*loaded) return Error(409, "not_ready", "there is no register yet; upload one with PUT /api/v1/register.");
  auto inventory = CurrentInventory(*call.data);
  if (!inventory.ok()) return FromStatus(inventory.status());
  auto assessment = LatestAssessment(call, services);
  if (!assessment.ok()) return FromStatus(assessment.status());
  const std::vector<pims::AssessmentResult>* results = *assessment ? &(*assessment)->second : nullptr;
  auto risks = pims::EvaluateRisk((*loaded)->processing, *Rules(), inventory->stores, results);
  nlohmann::json out = pims::RiskToJson(risks);
  out["register_version"] = (*loaded)->record.body.value("version", 0);
  out["inventory"] = inventory->info;
  out["assessment"] = *assessment ? nlohmann::json((*assessment)->first) : nlohmann::json(nullptr);
  return Json(out);
}

// ---- Purpose decisions ----

nlohmann::json DecisionJson(const Record& record) {
  nlohmann::json body = record.body;
  body["id"] = record.id;
  body["created"] = record.created;
  return body;
}

Reply PostDecision(Call& call, Services& services) {
  if (!Rules().ok()) return RulesUnavailable();
  Reply error;
  auto body = JsonBody(call, &error);
  if (!body) return error;
  BodyFields fields(*body);
  pims::DecisionRequest request;
  request.activity = fields.Text("activity");
  request.purpose = fields.Text("purpose");
  request.requester = fields.Text("requester");
  request.data = fields.TextList("data");
  if (auto refused = fields.Refusal()) return *refused;
  if (request.activity.empty()) return Error(400, "invalid", "name the register \"activity\" the request is under.");
  auto loaded = CurrentRegister(*call.data);
  if (!loaded.ok()) return FromStatus(loaded.status());
  if (!*loaded) return Error(409, "not_ready", "there is no register yet; upload one with PUT /api/v1/register.");
  auto decision = pims::Decide((*loaded)->processing, *Rules(), request);
  if (!decision.ok()) {
    // An unknown activity is a fault of the request, not a missing resource.
    return Error(400, "invalid", decision.status().message());
  }
  auto log = DisclosureLogFor(services, call.data->tenant_id());
  if (!log.ok()) return FromStatus(log.status());
  Timestamp at = NowUtc();
  // Every decision, permit or deny, is on the tamper-evident disclosure log before it is answered.
  auto index = (*log)->RecordDecision(request, *decision, at);
  if (!index.ok()) return FromStatus(index.status());
  Record record;
  record.kind = "decision";
  record.id = NewId("dc_");
  record.state = decision->permit ? "permit" : "deny";
  record.body = pims::DecisionToJson(request, *decision);
  record.body["decided_by"] = call.principal->user.name;
  record.body["decided_at"] = FormatRfc3339(at);
  record.body["register_version"] = (*loaded)->record.body.value("version", 0);
  record.body["disclosure_log"] = {{"index", *index}, {"tree", HeadJson((*log)->Head())}};
  if (Status saved = call.data->Put(record); !saved.ok()) return FromStatus(saved);
  services.Audit(call, "decision.record", record.id, "ok",
                 {{"activity", request.activity},
                  {"decision", record.state},
                  {"rule", decision->rule},
                  {"disclosure_log_index", *index}});
  return Json(DecisionJson(record), 201);
}

Reply ListDecisions(Call& call, Services& services) {
  RecordQuery query = ListQuery(call, 200, 1000);
  query.state = call.Query("decision");
  auto records = call.data->List("decision", query);
  if (!records.ok()) return FromStatus(records.status());
  std::vector<nlohmann::json> list;
  for (const Record& record : *records) list.push_back(DecisionJson(record));
  // Records made within one second tie on their creation time; the disclosure log's order is the real one.
  auto index = [](const nlohmann::json& item) { return item["disclosure_log"].value("index", uint64_t{0}); };
  std::stable_sort(list.begin(), list.end(), [&](const nlohmann::json& a, const nlohmann::json& b) {
    return query.newest_first ? index(a) > index(b) : index(a) < index(b);
  });
  nlohmann::json head = nullptr;
  if (fs::exists(services.options.data / "disclosures" / (call.data->tenant_id() + ".log"))) {
    auto log = DisclosureLogFor(services, call.data->tenant_id());
    if (!log.ok()) return FromStatus(log.status());
    head = HeadJson((*log)->Head());
  }
  return Json({{"decisions", nlohmann::json(list)}, {"disclosure_log", head}});
}

// ---- Incidents ----

std::string NotificationKey(const nlohmann::json& notification) {
  return notification.value("jurisdiction", "") + "/" + notification.value("audience", "") + "/" +
         notification.value("report", "");
}

// The stored assessment with each notification's index, whether it was sent and whether it is overdue now, and the
// counts of required, sent and overdue notifications and the next unmet deadline.
nlohmann::json Annotate(const nlohmann::json& assessment, const nlohmann::json& sent, const std::string& now,
                        nlohmann::json* summary) {
  nlohmann::json out = assessment;
  size_t required = 0, done = 0, overdue = 0;
  nlohmann::json next = nullptr;
  size_t index = 0;
  for (auto& notification : out["notifications"]) {
    notification["index"] = index++;
    auto found = sent.find(NotificationKey(notification));
    notification["sent"] = found != sent.end() ? *found : nlohmann::json(nullptr);
    bool is_sent = found != sent.end();
    bool late = notification.value("required", false) && !is_sent && notification["deadline"].is_string() &&
                notification["deadline"].get<std::string>() < now;
    notification["overdue"] = late;
    if (!notification.value("required", false)) continue;
    ++required;
    done += is_sent ? 1 : 0;
    overdue += late ? 1 : 0;
    if (!is_sent && notification["deadline"].is_string() &&
        (next.is_null() || notification["deadline"].get<std::string>() < next.get<std::string>())) {
      next = notification["deadline"];
    }
  }
  *summary = {{"required", required}, {"sent", done}, {"overdue", overdue}, {"next_deadline", next}};
  return out;
}

// "open" while a required notification is unsent, "notified" once all are sent, "no_notice_required" without any.
std::string IncidentState(const nlohmann::json& counts) {
  if (counts["required"] == 0) return "no_notice_required";
  return counts["required"] == counts["sent"] ? "notified" : "open";
}

nlohmann::json IncidentJson(const Record& record, bool full) {
  std::string now = Now();
  nlohmann::json counts;
  nlohmann::json assessment = Annotate(record.body.value("assessment", nlohmann::json::object()),
                                       record.body.value("sent", nlohmann::json::object()), now, &counts);
  nlohmann::json out = {{"id", record.id},
                        {"incident", record.body.value("incident", "")},
                        {"title", record.body.value("title", "")},
                        {"discovered_at", assessment.value("discovered_at", "")},
                        {"state", IncidentState(counts)},
                        {"notifications", counts},
                        {"revision", record.body.value("revision", 1)},
                        {"created", record.created},
                        {"updated", record.updated},
                        {"created_by", record.body.value("created_by", "")},
                        {"server_time", now}};
  if (full) {
    out["assessment"] = std::move(assessment);
    out["text"] = record.body.value("text", "");
    out["resolved_with"] = record.body.value("resolved_with", nlohmann::json::array());
  }
  return out;
}

// Parses and assesses an incident document from the request, resolved against the tenant's register and PII
// inventory unless ?resolve=none. `error` is set on a bad document.
struct Assessed {
  pims::Incident incident;
  pims::BreachAssessment assessment;
  std::string text;
  nlohmann::json resolved_with = nlohmann::json::array();
};

Result<Assessed> AssessFromRequest(Call& call) {
  const std::string source = "the uploaded incident";
  TUTELA_ASSIGN_OR_RETURN(std::string text, DocumentText(call, source));
  std::string resolve = call.Query("resolve", "register");
  if (resolve != "register" && resolve != "none") {
    return Status::InvalidArgument("?resolve must be \"register\" (the default) or \"none\".");
  }
  Assessed out;
  pims::IncidentSources sources;
  std::optional<LoadedRegister> processing;
  Inventory inventory;
  if (resolve == "register") {
    TUTELA_ASSIGN_OR_RETURN(processing, CurrentRegister(*call.data));
    if (processing) {
      sources.processing = &processing->processing;
      sources.register_source =
          "the tenant's register (version " + std::to_string(processing->record.body.value("version", 0)) + ")";
      out.resolved_with.push_back(sources.register_source);
    }
    TUTELA_ASSIGN_OR_RETURN(inventory, CurrentInventory(*call.data));
    if (inventory.present && inventory.error.empty()) {
      sources.inventory = &inventory.stores;
      sources.inventory_source = "the tenant's PII inventory";
      out.resolved_with.push_back(sources.inventory_source);
    }
  }
  TUTELA_ASSIGN_OR_RETURN(out.incident, pims::ParseIncident(text, source, *Rules(), sources));
  out.assessment = pims::AssessBreach(out.incident, *Rules());
  out.text = std::move(text);
  return out;
}

void FillIncident(Record& record, const Assessed& assessed, const std::string& user) {
  record.body["incident"] = assessed.incident.id;
  record.body["title"] = assessed.incident.title;
  record.body["text"] = assessed.text;
  record.body["assessment"] = pims::BreachToJson(assessed.assessment);
  record.body["calendar"] = pims::BreachToIcs(assessed.assessment, NowUtc());
  record.body["resolved_with"] = assessed.resolved_with;
  record.body["updated_by"] = user;
  if (!record.body.contains("sent")) record.body["sent"] = nlohmann::json::object();
}

Reply CreateIncident(Call& call, Services& services) {
  if (!Rules().ok()) return RulesUnavailable();
  if (auto refused = TooLargeDocument(call, "the uploaded incident")) {
    services.Audit(call, "incident.create", "", "refused");
    return *refused;
  }
  auto assessed = AssessFromRequest(call);
  if (!assessed.ok()) {
    services.Audit(call, "incident.create", "", "refused");
    return assessed.status().code() == StatusCode::kInvalidArgument ? Error(400, "invalid", assessed.status().message())
                                                                    : FromStatus(assessed.status());
  }
  RecordQuery query;
  query.limit = 100000;
  auto existing = call.data->List("incident", query);
  if (!existing.ok()) return FromStatus(existing.status());
  for (const Record& other : *existing) {
    if (other.body.value("incident", "") == assessed->incident.id) {
      return Error(409, "conflict",
                   "incident \"" + assessed->incident.id + "\" exists already (" + other.id +
                       "); update it with PUT /api/v1/incidents/" + other.id + ".");
    }
  }
  Record record;
  record.kind = "incident";
  record.id = NewId("in_");
  record.state = "open";
  record.body = {{"revision", 1}, {"created_by", call.principal->user.name}};
  FillIncident(record, *assessed, call.principal->user.name);
  record.state = IncidentJson(record, false)["state"].get<std::string>();
  if (Status saved = call.data->Put(record); !saved.ok()) return FromStatus(saved);
  nlohmann::json out = IncidentJson(record, true);
  services.Audit(call, "incident.create", record.id, "ok",
                 {{"incident", assessed->incident.id},
                  {"notifications_required", out["notifications"]["required"]},
                  {"next_deadline", out["notifications"]["next_deadline"]}});
  Reply reply = Json(out, 201);
  reply.headers.emplace_back("Location", "/api/v1/incidents/" + record.id);
  return reply;
}

Reply ListIncidents(Call& call, Services&) {
  RecordQuery query = ListQuery(call, 200, 1000);
  query.state.clear();  // not a filter here: an incident's state (open, notified) is computed, not stored
  auto records = call.data->List("incident", query);
  if (!records.ok()) return FromStatus(records.status());
  nlohmann::json list = nlohmann::json::array();
  for (const Record& record : *records) list.push_back(IncidentJson(record, false));
  return Json({{"incidents", list}, {"server_time", Now()}});
}

Reply GetIncident(Call& call, Services&) {
  auto record = call.data->Get("incident", call.Param("id"));
  if (!record.ok()) return FromStatus(record.status());
  if (!*record) return Error(404, "not_found", "no such incident.");
  return Json(IncidentJson(**record, true));
}

Reply IncidentCalendar(Call& call, Services&) {
  auto record = call.data->Get("incident", call.Param("id"));
  if (!record.ok()) return FromStatus(record.status());
  if (!*record) return Error(404, "not_found", "no such incident.");
  Reply reply;
  reply.body = (*record)->body.value("calendar", "");
  reply.content_type = "text/calendar; charset=utf-8";
  reply.headers.emplace_back("Content-Disposition", "attachment; filename=\"incident-" + (*record)->id + ".ics\"");
  return reply;
}

Reply UpdateIncident(Call& call, Services& services) {
  if (!Rules().ok()) return RulesUnavailable();
  if (auto refused = TooLargeDocument(call, "the uploaded incident")) return *refused;
  auto assessed = AssessFromRequest(call);
  Reply reply;
  Status status = call.data->Transaction([&]() -> Status {
    TUTELA_ASSIGN_OR_RETURN(auto found, call.data->Get("incident", call.Param("id")));
    if (!found) {
      reply = Error(404, "not_found", "no such incident.");
      return Status::Ok();
    }
    if (!assessed.ok()) {
      reply = assessed.status().code() == StatusCode::kInvalidArgument
                  ? Error(400, "invalid", assessed.status().message())
                  : FromStatus(assessed.status());
      return Status::Ok();
    }
    Record record = std::move(*found);
    std::string name = record.body.value("incident", "");
    if (assessed->incident.id != name) {
      reply = Error(400, "invalid",
                    "the uploaded incident's id is \"" + assessed->incident.id + "\" but this incident is \"" + name +
                        "\"; keep the id (or open a new incident with POST /api/v1/incidents).");
      return Status::Ok();
    }
    Record old;
    old.kind = "incident_version";
    old.id = NewId("iv_");
    old.state = "superseded";
    old.body = {{"incident_record", record.id},
                {"revision", record.body.value("revision", 1)},
                {"text", record.body.value("text", "")},
                {"assessment", record.body.value("assessment", nlohmann::json::object())}};
    TUTELA_RETURN_IF_ERROR(call.data->Put(old));
    record.body["revision"] = record.body.value("revision", 1) + 1;
    FillIncident(record, *assessed, call.principal->user.name);
    nlohmann::json out = IncidentJson(record, true);
    record.state = out["state"].get<std::string>();
    TUTELA_RETURN_IF_ERROR(call.data->Put(record));
    reply = Json(out);
    return Status::Ok();
  });
  if (!status.ok()) return FromStatus(status);
  if (reply.status != 404) {
    services.Audit(call, "incident.update", call.Param("id"), reply.status == 200 ? "ok" : "refused");
  }
  return reply;
}

Reply MarkNotificationSent(Call& call, Services& services) {
  Reply error;
  auto body = JsonBody(call, &error, /*optional=*/true);
  if (!body) return error;
  BodyFields fields(*body);
  std::string reference = fields.Text("reference");
  bool dated = fields.Has("sent_at");
  std::string given_at = fields.Text("sent_at");
  if (auto refused = fields.Refusal()) return *refused;
  if (reference.size() > 200) return Error(400, "invalid", "\"reference\" is at most 200 characters.");
  std::string sent_at = Now();
  if (dated) {
    auto parsed = ParseRfc3339(given_at);
    if (!parsed.ok()) return Error(400, "invalid", "\"sent_at\" must be an RFC 3339 time (2026-03-04T10:00:00Z).");
    if (*parsed > NowUtc() + std::chrono::minutes(5)) return Error(400, "invalid", "\"sent_at\" is in the future.");
    sent_at = FormatRfc3339(*parsed);
  }
  std::string index_text = call.Param("n");
  Reply reply;
  nlohmann::json details;
  Status status = call.data->Transaction([&]() -> Status {
    TUTELA_ASSIGN_OR_RETURN(auto found, call.data->Get("incident", call.Param("id")));
    if (!found) {
      reply = Error(404, "not_found", "no such incident.");
      return Status::Ok();
    }
    Record record = std::move(*found);
    const nlohmann::json& notifications = record.body["assessment"]["notifications"];
    char* end = nullptr;
    unsigned long long index = std::strtoull(index_text.c_str(), &end, 10);
    if (index_text.empty() || *end != '\0' || index >= notifications.size()) {
      reply = Error(404, "not_found", "the incident has no notification " + index_text + ".");
      return Status::Ok();
    }
    const nlohmann::json& notification = notifications[index];
    std::string key = NotificationKey(notification);
    if (record.body["sent"].contains(key)) {
      reply = Error(409, "conflict", "notification " + index_text + " (" + key + ") is already recorded as sent.");
      return Status::Ok();
    }
    record.body["sent"][key] = {{"at", sent_at}, {"by", call.principal->user.name}, {"reference", reference}};
    nlohmann::json out = IncidentJson(record, true);
    record.state = out["state"].get<std::string>();
    TUTELA_RETURN_IF_ERROR(call.data->Put(record));
    details = {{"notification", key},
               {"sent_at", sent_at},
               {"deadline", notification["deadline"]},
               {"late", notification["deadline"].is_string() && notification["deadline"].get<std::string>() < sent_at}};
    reply = Json(out);
    return Status::Ok();
  });
  if (!status.ok()) return FromStatus(status);
  if (reply.status == 200) services.Audit(call, "incident.notification_sent", call.Param("id"), "ok", details);
  return reply;
}

}  // namespace

void AddPrivacyRoutes(std::vector<Route>& routes) {
  const std::vector<Role> writers = {Role::kAdmin, Role::kPrivacy};
  const std::vector<Role> readers = {Role::kAdmin, Role::kPrivacy, Role::kAuditor};
  const std::vector<Role> risk_readers = {Role::kAdmin, Role::kPrivacy, Role::kAuditor, Role::kCompliance};
  routes.push_back({{"PUT", "/api/v1/register", true, writers, "upload the register of processing"}, PutRegister});
  routes.push_back({{"GET", "/api/v1/register", true, readers, "read the register of processing"}, GetRegister});
  routes.push_back({{"GET", "/api/v1/risk", true, risk_readers, "evaluate privacy risk"}, GetRisk});
  routes.push_back({{"POST", "/api/v1/decisions", true, writers, "decide purpose requests"}, PostDecision});
  routes.push_back({{"GET", "/api/v1/decisions", true, readers, "read purpose decisions"}, ListDecisions});
  routes.push_back({{"POST", "/api/v1/incidents", true, writers, "open incidents"}, CreateIncident});
  routes.push_back({{"GET", "/api/v1/incidents", true, readers, "read incidents"}, ListIncidents});
  routes.push_back({{"GET", "/api/v1/incidents/{id}", true, readers, "read incidents"}, GetIncident});
  routes.push_back({{"PUT", "/api/v1/incidents/{id}", true, writers, "update incidents"}, UpdateIncident});
  routes.push_back(
      {{"GET", "/api/v1/incidents/{id}/calendar", true, readers, "read incident deadlines"}, IncidentCalendar});
  routes.push_back({{"POST", "/api/v1/incidents/{id}/notifications/{n}/sent", true, writers, "record notifications"},
                    MarkNotificationSent});
}

}  // namespace tutela::server
