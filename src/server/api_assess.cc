// Assessments as jobs (upload a plan or snapshot, run every check, roll up to every framework), readiness, findings,
// the exception workflow (propose, approve by someone else, reject, revoke; expiry), and job status.
//
// A finished assessment keeps the documented results document (docs/formats/assessment-results.md) as a file, and
// the server reads that document — not the engine's structs — for the summary and the drill-down it serves.
#include <simdjson.h>

#include "api.h"
#include "tutela/assess/assessment.h"
#include "tutela/core/data.h"
#include "tutela/core/file_util.h"
#include "tutela/core/time.h"
#include "tutela/inventory/estate.h"

namespace tutela::server {
namespace {
namespace fs = std::filesystem;

constexpr size_t kMaxFindings = 20000;

fs::path ResultsFolder(const Services& services, const std::string& tenant) {
  return services.options.data / "results" / tenant;
}

std::string Today() { return FormatDate(NowUtc()); }

nlohmann::json Element(simdjson::dom::element element) {
  return nlohmann::json::parse(simdjson::minify(element), nullptr, false);
}

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> out;
  size_t at = 0;
  while (at <= text.size() && !text.empty()) {
    size_t comma = text.find(',', at);
    if (comma == std::string::npos) comma = text.size();
    if (comma > at) out.push_back(text.substr(at, comma - at));
    at = comma + 1;
  }
  return out;
}

// The tenant's approved exceptions as the engine takes them (expired ones too: the engine reports them expired).
Result<std::vector<assess::Exception>> ApprovedExceptions(TenantData& data) {
  RecordQuery query;
  query.state = "approved";
  query.limit = 100000;
  query.newest_first = false;
  TUTELA_ASSIGN_OR_RETURN(auto records, data.List("exception", query));
  std::vector<assess::Exception> exceptions;
  for (const Record& record : records) {
    assess::Exception exception;
    exception.id = record.id;
    exception.check = record.body.value("check", "");
    exception.requirement = record.body.value("requirement", "");
    exception.resource = record.body.value("resource", "*");
    exception.reason = record.body.value("reason", "");
    exception.approver = record.body.value("approved_by", "");
    exception.expires = record.body.value("expires", "");
    exception.where = "exception " + record.id;
    exceptions.push_back(std::move(exception));
  }
  return exceptions;
}

// Reads the results document and writes the summary into the record and the drill-down file beside it.
Status Digest(const fs::path& document, const fs::path& details_path, nlohmann::json* summary) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto error = parser.load(document.string()).get(root)) {
    return Status::Corruption(document.string() + ": the results document does not parse (" +
                              std::string(simdjson::error_message(error)) + ").");
  }
  nlohmann::json frameworks = nlohmann::json::array();
  nlohmann::json drill = nlohmann::json::object();
  simdjson::dom::array list;
  if (!root["frameworks"].get(list)) {
    for (simdjson::dom::element framework : list) {
      std::string_view id;
      if (framework["id"].get(id)) continue;
      nlohmann::json item = {{"id", id},
                             {"name", Element(framework["name"])},
                             {"score", Element(framework["score"])},
                             {"requirements", Element(framework["requirements"])}};
      frameworks.push_back(std::move(item));
      drill[std::string(id)] = Element(framework["requirement_results"]);
    }
  }
  nlohmann::json findings = nlohmann::json::array();
  size_t total_findings = 0;
  simdjson::dom::array results;
  if (!root["results"].get(results)) {
    for (simdjson::dom::element result : results) {
      std::string_view status;
      if (result["status"].get(status) || status == "pass" || status == "not_applicable") continue;
      ++total_findings;
      if (findings.size() < kMaxFindings) findings.push_back(Element(result));
    }
  }
  nlohmann::json checks = nlohmann::json::object();
  simdjson::dom::object check_map;
  if (!root["checks"].get(check_map)) {
    for (auto field : check_map) {
      checks[std::string(field.key)] = {{"title", Element(field.value["title"])},
                                        {"severity", Element(field.value["severity"])}};
    }
  }
  *summary = {{"date", Element(root["date"])},
              {"service_model", Element(root["service_model"])},
              {"regions", Element(root["regions"])},
              {"counts", Element(root["summary"])},
              {"frameworks", frameworks},
              {"findings", total_findings},
              {"exceptions", root["exceptions"].error() ? nlohmann::json::array() : Element(root["exceptions"])}};
  nlohmann::json details = {
      {"frameworks", drill}, {"findings", findings}, {"findings_total", total_findings}, {"checks", checks}};
  return WriteFileAtomic(details_path, DumpJson(details), 0600);
}

// The job: parse the upload, assess, write the document, digest it.
Result<nlohmann::json> RunAssessment(Services& services, TenantData& data, const nlohmann::json& input,
                                     const Progress& progress) {
  std::string id = input.value("assessment", "");
  TUTELA_ASSIGN_OR_RETURN(Record record, StartJobRecord(data, "assessment", id));
  auto fail = [&](const Status& status) { return FailJobRecord(data, record, status); };

  fs::path upload = services.BlobPath(record.body["input"].value("sha256", ""));
  inventory::Estate estate;
  if (Status parsed = estate.AddFile(upload); !parsed.ok()) {
    // The message names the stored blob; the user knows it as their upload.
    std::string message = parsed.message();
    for (size_t at; (at = message.find(upload.string())) != std::string::npos;) {
      message.replace(at, upload.string().size(), "the uploaded document");
    }
    return fail(Status::InvalidArgument(message));
  }
  progress(30, "assessing " + std::to_string(estate.resources().size()) + " resources");
  assess::Options options;
  for (const auto& framework : record.body.value("frameworks", nlohmann::json::array())) {
    options.frameworks.push_back(framework.get<std::string>());
  }
  if (std::string model = record.body.value("service_model", ""); !model.empty()) {
    options.service_model = catalog::ParseServiceModel(model);
  }
  auto exceptions = ApprovedExceptions(data);
  if (!exceptions.ok()) return fail(exceptions.status());
  options.exceptions = std::move(*exceptions);
  options.today = Today();
  auto assessment = assess::Assess(services.checks, estate, services.catalog, std::move(options));
  if (!assessment.ok()) return fail(assessment.status());
  progress(70, "writing results");

  fs::path folder = ResultsFolder(services, data.tenant_id());
  std::error_code error;
  fs::create_directories(folder, error);
  AtomicFileWriter writer;
  Status written = writer.Open(folder / (id + ".json"), 0600);
  if (written.ok()) {
    std::string name = record.body.value("name", "upload");
    written = assess::WriteJson(*assessment, {name}, [&](std::string_view piece) { return writer.Write(piece); });
  }
  if (written.ok()) written = writer.Commit();
  if (!written.ok()) return fail(written);
  progress(85, "summarising");
  nlohmann::json summary;
  if (Status digested = Digest(folder / (id + ".json"), folder / (id + ".details.json"), &summary); !digested.ok()) {
    return fail(digested);
  }
  summary["resources"] = estate.resources().size();
  record.state = "done";
  record.body["summary"] = std::move(summary);
  record.body["finished"] = FormatRfc3339(NowUtc());
  TUTELA_RETURN_IF_ERROR(data.Put(record));
  return nlohmann::json{{"assessment", id}};
}

Reply CreateAssessment(Call& call, Services& services) {
  const std::string& body = call.request.body;
  size_t first = body.find_first_not_of(" \t\r\n");
  if (first == std::string::npos || body[first] != '{') {
    return Error(400, "invalid",
                 "send a Terraform plan or state (terraform show -json) or a snapshot as the JSON request body.");
  }
  std::string model = call.Query("service_model");
  if (!model.empty() && !catalog::ParseServiceModel(model)) {
    return Error(400, "invalid", "?service_model must be iaas, paas or saas.");
  }
  std::vector<std::string> frameworks = SplitList(call.Query("framework"));
  for (const std::string& framework : frameworks) {
    if (services.catalog.FindFramework(framework) == nullptr) {
      return Error(400, "invalid", "?framework: no framework \"" + framework + "\" in the catalog.");
    }
  }
  std::string name = call.Query("name", "upload.json");
  if (name.size() > 200) name.resize(200);
  auto digest = services.PutBlob(body);
  if (!digest.ok()) return FromStatus(digest.status());
  Record record;
  record.kind = "assessment";
  record.id = NewId("as_");
  record.state = "queued";
  record.body = {{"name", name},
                 {"input", {{"sha256", *digest}, {"bytes", body.size()}}},
                 {"service_model", model},
                 {"frameworks", frameworks},
                 {"created_by", call.principal->user.name},
                 {"summary", nullptr}};
  // The record gets its job id before the job can run (a worker that finished first would otherwise be overwritten).
  auto job =
      services.jobs->Submit(*call.data, "assessment", {{"assessment", record.id}}, [&](const std::string& job_id) {
        record.body["job"] = job_id;
        return call.data->Put(record);
      });
  if (!job.ok()) return FromStatus(job.status());
  services.Audit(call, "assessment.create", record.id, "ok", {{"name", name}, {"bytes", body.size()}});
  return Queued(record.id, job->id, "/api/v1/assessments/" + record.id);
}

Reply ListAssessments(Call& call, Services&) {
  auto records = call.data->List("assessment", ListQuery(call, 100, 500));
  if (!records.ok()) return FromStatus(records.status());
  nlohmann::json list = nlohmann::json::array();
  for (const Record& record : *records) {
    nlohmann::json item = RecordJson(record);
    // The list carries what a chart over time needs; frameworks and exceptions are in the record itself.
    if (item["summary"].is_object()) {
      item["summary"].erase("frameworks");
      item["summary"].erase("exceptions");
    }
    list.push_back(std::move(item));
  }
  return Json({{"assessments", list}});
}

Result<std::optional<Record>> FindAssessment(Call& call) { return call.data->Get("assessment", call.Param("id")); }

Reply GetAssessment(Call& call, Services&) {
  auto record = FindAssessment(call);
  if (!record.ok()) return FromStatus(record.status());
  if (!*record) return Error(404, "not_found", "no such assessment.");
  return Json(RecordJson(**record));
}

Result<nlohmann::json> LoadDetails(Call& call, Services& services, const Record& record) {
  fs::path path = ResultsFolder(services, call.data->tenant_id()) / (record.id + ".details.json");
  TUTELA_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  nlohmann::json details = nlohmann::json::parse(text, nullptr, false);
  if (details.is_discarded()) return Status::Corruption(path.string() + ": not JSON.");
  return details;
}

// The finished assessment named by the path and its drill-down; nullopt with `error` set otherwise.
std::optional<std::pair<Record, nlohmann::json>> DoneAssessment(Call& call, Services& services, Reply* error) {
  auto record = FindAssessment(call);
  if (!record.ok()) {
    *error = FromStatus(record.status());
  } else if (!*record) {
    *error = Error(404, "not_found", "no such assessment.");
  } else if ((*record)->state != "done") {
    *error = Error(409, "not_ready", "the assessment is " + (*record)->state + ".");
  } else if (auto details = LoadDetails(call, services, **record); !details.ok()) {
    *error = FromStatus(details.status());
  } else {
    return std::make_pair(std::move(**record), std::move(*details));
  }
  return std::nullopt;
}

Reply AssessmentFramework(Call& call, Services& services) {
  Reply error;
  auto done = DoneAssessment(call, services, &error);
  if (!done) return error;
  auto record = &done->first;
  auto details = &done->second;
  std::string framework = call.Param("framework");
  auto found = (*details)["frameworks"].find(framework);
  if (found == (*details)["frameworks"].end()) {
    return Error(404, "not_found", "the assessment has no framework \"" + framework + "\".");
  }
  nlohmann::json requirements = *found;
  // Each requirement with the findings of its checks, so the UI can go requirement -> checks -> resources.
  std::map<std::string, nlohmann::json> by_check;
  for (const auto& finding : (*details)["findings"]) {
    by_check[finding.value("check", "")].push_back({{"resource", finding.value("resource", "")},
                                                    {"status", finding.value("status", "")},
                                                    {"severity", finding.value("severity", "")},
                                                    {"message", finding.value("message", "")},
                                                    {"remediation", finding.value("remediation", "")}});
  }
  const catalog::Framework* known = services.catalog.FindFramework(framework);
  std::string status_filter = call.Query("status");
  nlohmann::json out = nlohmann::json::array();
  for (auto& requirement : requirements) {
    if (!status_filter.empty() && requirement.value("status", "") != status_filter) continue;
    if (known != nullptr) {
      if (const catalog::Requirement* detail = known->FindRequirement(requirement.value("id", ""))) {
        requirement["title"] = detail->title;
        requirement["section"] = detail->section;
      }
    }
    nlohmann::json failing = nlohmann::json::array();
    for (const auto& check : requirement.value("checks", nlohmann::json::array())) {
      auto hit = by_check.find(check.get<std::string>());
      if (hit == by_check.end()) continue;
      for (const auto& finding : hit->second) {
        nlohmann::json item = finding;
        item["check"] = check;
        failing.push_back(std::move(item));
      }
    }
    requirement["findings"] = std::move(failing);
    out.push_back(std::move(requirement));
  }
  return Json({{"assessment", record->id},
               {"framework", framework},
               {"name", known ? known->name : framework},
               {"requirements", out}});
}

Reply AssessmentFindings(Call& call, Services& services) {
  Reply error;
  auto done = DoneAssessment(call, services, &error);
  if (!done) return error;
  auto record = &done->first;
  auto details = &done->second;
  std::string status = call.Query("status");
  std::string severity = call.Query("severity");
  std::string search = call.Query("q");
  size_t limit = std::min<size_t>(5000, std::strtoull(call.Query("limit", "500").c_str(), nullptr, 10));
  size_t offset = std::strtoull(call.Query("offset", "0").c_str(), nullptr, 10);
  nlohmann::json out = nlohmann::json::array();
  size_t matched = 0;
  for (const auto& finding : (*details)["findings"]) {
    if (!status.empty() && finding.value("status", "") != status) continue;
    if (!severity.empty() && finding.value("severity", "") != severity) continue;
    if (!search.empty() && finding.value("resource", "").find(search) == std::string::npos &&
        finding.value("check", "").find(search) == std::string::npos) {
      continue;
    }
    if (matched++ < offset || out.size() >= limit) continue;
    nlohmann::json item = finding;
    const auto& check = (*details)["checks"][finding.value("check", "")];
    if (check.is_object()) item["title"] = check.value("title", "");
    out.push_back(std::move(item));
  }
  return Json({{"assessment", record->id},
               {"total", matched},
               {"truncated", (*details).value("findings_total", size_t{0}) > kMaxFindings},
               {"findings", out}});
}

Reply AssessmentDocument(Call& call, Services& services) {
  auto record = FindAssessment(call);
  if (!record.ok()) return FromStatus(record.status());
  if (!*record) return Error(404, "not_found", "no such assessment.");
  if ((*record)->state != "done") return Error(409, "not_ready", "the assessment is " + (*record)->state + ".");
  Reply reply;
  reply.file = ResultsFolder(services, call.data->tenant_id()) / ((*record)->id + ".json");
  reply.headers.emplace_back("Content-Disposition", "attachment; filename=\"assessment-" + (*record)->id + ".json\"");
  services.Audit(call, "assessment.download", (*record)->id);
  return reply;
}

// The latest finished assessment's score per framework: the readiness page, and the endpoint `make bench` drives.
Reply Readiness(Call& call, Services&) {
  RecordQuery query;
  query.state = "done";
  query.limit = 1;
  auto records = call.data->List("assessment", query);
  if (!records.ok()) return FromStatus(records.status());
  if (records->empty()) return Json({{"assessment", nullptr}, {"frameworks", nlohmann::json::array()}});
  const Record& record = records->front();
  const nlohmann::json& summary = record.body["summary"];
  return Json({{"assessment", record.id},
               {"name", record.body.value("name", "")},
               {"date", summary.value("date", "")},
               {"counts", summary.value("counts", nlohmann::json::object())},
               {"frameworks", summary.value("frameworks", nlohmann::json::array())}});
}

Reply GetJob(Call& call, Services&) {
  auto record = call.data->Get("job", call.Param("id"));
  if (!record.ok()) return FromStatus(record.status());
  if (!*record) return Error(404, "not_found", "no such job.");
  return Json(RecordJson(**record));
}

// ---- Exceptions ----

nlohmann::json ExceptionJson(const Record& record) {
  nlohmann::json body = RecordJson(record);
  body["expired"] = record.state == "approved" && body.value("expires", "") < Today();
  return body;
}

Reply ListExceptions(Call& call, Services&) {
  auto records = call.data->List("exception", ListQuery(call, 200, 1000));
  if (!records.ok()) return FromStatus(records.status());
  nlohmann::json list = nlohmann::json::array();
  for (const Record& record : *records) list.push_back(ExceptionJson(record));
  return Json({{"exceptions", list}});
}

Reply ProposeException(Call& call, Services& services) {
  Reply error;
  auto body = JsonBody(call, &error);
  if (!body) return error;
  BodyFields fields(*body);
  std::string check = fields.Text("check");
  std::string requirement = fields.Text("requirement");
  std::string resource = fields.Text("resource");
  std::string reason = fields.Text("reason");
  std::string expires = fields.Text("expires");
  if (auto refused = fields.Refusal()) return *refused;
  if (check.empty() == requirement.empty()) {
    return Error(400, "invalid", "name either a \"check\" (an id or \"*\") or a \"requirement\" (FRAMEWORK:ID).");
  }
  if (!check.empty() && check != "*") {
    bool known = false;
    for (const policy::Check& candidate : services.checks.checks()) known = known || candidate.id == check;
    if (!known) return Error(400, "invalid", "no check \"" + check + "\".");
  }
  if (!requirement.empty()) {
    size_t colon = requirement.find(':');
    const catalog::Framework* framework =
        colon == std::string::npos ? nullptr : services.catalog.FindFramework(requirement.substr(0, colon));
    if (framework == nullptr || framework->FindRequirement(requirement.substr(colon + 1)) == nullptr) {
      return Error(400, "invalid", "no requirement \"" + requirement + "\"; write it as FRAMEWORK:ID.");
    }
  }
  if (reason.size() < 10) return Error(400, "invalid", "give a \"reason\" an auditor can follow (10+ characters).");
  auto date = ParseDate(expires);
  if (!date.ok() || FormatDate(*date) != expires) return Error(400, "invalid", "\"expires\" must be YYYY-MM-DD.");
  if (expires < Today()) return Error(400, "invalid", "\"expires\" is in the past.");
  Record record;
  record.kind = "exception";
  record.id = NewId("ex_");
  record.state = "proposed";
  record.body = {{"check", check},
                 {"requirement", requirement},
                 {"resource", resource.empty() ? "*" : resource},
                 {"reason", reason},
                 {"expires", expires},
                 {"proposed_by", call.principal->user.name},
                 {"proposed_at", FormatRfc3339(NowUtc())}};
  if (Status saved = call.data->Put(record); !saved.ok()) return FromStatus(saved);
  services.Audit(call, "exception.propose", record.id, "ok", {{"check", check}, {"requirement", requirement}});
  return Json(ExceptionJson(record), 201);
}

// approve | reject | revoke, with the state each needs and four eyes on approval.
Reply DecideException(Call& call, Services& services, const std::string& decision) {
  Reply error;
  auto body = JsonBody(call, &error, /*optional=*/true);
  if (!body) return error;
  BodyFields fields(*body);
  bool commented = fields.Has("comment");
  std::string comment = fields.Text("comment");
  if (auto refused = fields.Refusal()) return *refused;
  Reply reply;
  Status status = call.data->Transaction([&]() -> Status {
    auto found = call.data->Get("exception", call.Param("id"));
    if (!found.ok()) return found.status();
    if (!*found) {
      reply = Error(404, "not_found", "no such exception.");
      return Status::Ok();
    }
    Record record = **found;
    const std::string& user = call.principal->user.name;
    std::string needed = decision == "revoke" ? "approved" : "proposed";
    if (record.state != needed) {
      reply = Error(409, "conflict",
                    "the exception is " + record.state + "; only a " + needed + " one can be " +
                        (decision == "approve"  ? "approved"
                         : decision == "reject" ? "rejected"
                                                : "revoked") +
                        ".");
      return Status::Ok();
    }
    if (decision == "approve" && record.body.value("proposed_by", "") == user) {
      reply = Error(403, "four_eyes", "an exception is approved by someone other than who proposed it.");
      return Status::Ok();
    }
    record.state = decision == "approve" ? "approved" : decision == "reject" ? "rejected" : "revoked";
    std::string by = decision == "approve" ? "approved" : decision == "reject" ? "rejected" : "revoked";
    record.body[by + "_by"] = user;
    record.body[by + "_at"] = FormatRfc3339(NowUtc());
    if (commented) record.body[by + "_comment"] = comment;
    TUTELA_RETURN_IF_ERROR(call.data->Put(record));
    reply = Json(ExceptionJson(record));
    return Status::Ok();
  });
  if (!status.ok()) return FromStatus(status);
  services.Audit(call, "exception." + decision, call.Param("id"), reply.status == 200 ? "ok" : "refused");
  return reply;
}

}  // namespace

void RegisterAssessmentJobs(Services& services) {
  services.jobs->Register("assessment",
                          [&services](TenantData& data, const nlohmann::json& input, const Progress& progress) {
                            return RunAssessment(services, data, input, progress);
                          });
}

void AddAssessmentRoutes(std::vector<Route>& routes) {
  const std::vector<Role> writers = {Role::kAdmin, Role::kCompliance};
  routes.push_back({{"POST", "/api/v1/assessments", true, writers, "run assessments"}, CreateAssessment});
  routes.push_back({{"GET", "/api/v1/assessments", true, kStaff, "read assessments"}, ListAssessments});
  routes.push_back({{"GET", "/api/v1/assessments/{id}", true, kStaff, "read assessments"}, GetAssessment});
  routes.push_back({{"GET", "/api/v1/assessments/{id}/frameworks/{framework}", true, kStaff, "read assessments"},
                    AssessmentFramework});
  routes.push_back(
      {{"GET", "/api/v1/assessments/{id}/findings", true, kStaff, "read assessments"}, AssessmentFindings});
  routes.push_back(
      {{"GET", "/api/v1/assessments/{id}/document", true, kStaff, "read assessments"}, AssessmentDocument});
  routes.push_back({{"GET", "/api/v1/readiness", true, kStaff, "read assessments"}, Readiness});
  routes.push_back({{"GET", "/api/v1/jobs/{id}", true, {}, "read jobs"}, GetJob});
  routes.push_back({{"GET", "/api/v1/exceptions", true, kStaff, "read exceptions"}, ListExceptions});
  routes.push_back({{"POST", "/api/v1/exceptions", true, writers, "propose exceptions"}, ProposeException});
  routes.push_back({{"POST", "/api/v1/exceptions/{id}/approve", true, writers, "approve exceptions"},
                    [](Call& call, Services& services) { return DecideException(call, services, "approve"); }});
  routes.push_back({{"POST", "/api/v1/exceptions/{id}/reject", true, writers, "reject exceptions"},
                    [](Call& call, Services& services) { return DecideException(call, services, "reject"); }});
  routes.push_back({{"POST", "/api/v1/exceptions/{id}/revoke", true, writers, "revoke exceptions"},
                    [](Call& call, Services& services) { return DecideException(call, services, "revoke"); }});
}

}  // namespace tutela::server
