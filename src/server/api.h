// Internal to src/server: what every API handler sees — the call (request, the authenticated principal, its
// tenant's data), the reply, and the services shared by the handlers. Handlers are plain functions registered in a
// table by the api_*.cc files; authentication, CSRF, roles and the tenant scope are applied before any handler runs,
// in one place (Server::Impl::Dispatch).
#pragma once

#include <httplib.h>

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "tutela/catalog/catalog.h"
#include "tutela/ledger/log.h"
#include "tutela/policy/checks.h"
#include "tutela/server/jobs.h"
#include "tutela/server/server.h"
#include "tutela/server/store.h"

namespace tutela::server {

struct Principal {
  Tenant tenant;
  User user;
  Role role = Role::kCustomer;  // the user's role, or the token's narrower one
  std::string session_digest;   // set when authenticated by the session cookie
  std::string csrf;             // that session's CSRF token
  std::string token_id;         // set when authenticated by an API token
};

struct Call {
  const httplib::Request& request;
  std::map<std::string, std::string> params;  // path parameters, e.g. {"id": "as_..."}
  std::optional<Principal> principal;         // set for authenticated routes
  std::optional<TenantData> data;             // the principal's tenant, the only data a handler can reach

  std::string Param(const std::string& name) const;
  std::string Query(const std::string& name, const std::string& fallback = "") const;
  // The client address, for the audit trail and the login limiter.
  std::string Client() const { return request.remote_addr; }
};

struct Reply {
  int status = 200;
  std::string body;  // JSON unless content_type says otherwise
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::filesystem::path file;  // when set, the body is this file, streamed (large result documents)
};

Reply Json(const nlohmann::json& body, int status = 200);
// {"error": {"code": CODE, "message": MESSAGE}} — CODE is a stable machine word (not_found, forbidden, ...).
Reply Error(int status, std::string_view code, std::string_view message);
// Maps a library Status: InvalidArgument 400, NotFound 404, AlreadyExists 409, PermissionDenied 403, others 500
// (whose message is logged, not sent).
Reply FromStatus(const Status& status);
// The record a job works on (kind `kind`, id `id`), set to "running"; NotFound when it is gone.
Result<Record> StartJobRecord(TenantData& data, std::string_view kind, const std::string& id);
// Marks that record failed with the status's message (kept in "error") and returns the status.
Status FailJobRecord(TenantData& data, Record& record, const Status& status);
// A record as the API shows it: its body with "id", "state", "created" and "updated" added.
nlohmann::json RecordJson(const Record& record);
// The paging and filters of a list request: ?limit (default `default_limit`, at most `max_limit`), ?offset,
// ?state and ?q (text search).
RecordQuery ListQuery(const Call& call, size_t default_limit, size_t max_limit);
// 202 for work queued as a job: {"id", "job", "state": "queued"} and Location: `location`.
Reply Queued(const std::string& id, const std::string& job, const std::string& location);
// A cookie's value from the Cookie header; "" when absent.
std::string CookieValue(const httplib::Request& request, std::string_view name);
// The request body as a JSON object; nullopt (with `error` set to a 400 reply naming what was sent instead: nothing,
// not JSON, or JSON that is not an object) when it is not one. With `optional`, an empty body is an empty object.
std::optional<nlohmann::json> JsonBody(const Call& call, Reply* error, bool optional = false);

// The members of an untrusted JSON object (a request body), read with their types checked. A member of another type
// is the client's mistake, never a server error: the first one is kept and Refusal() is the 400 reply naming it and
// the type expected (`field "purpose" must be a string.`). An absent or null member gives the fallback. Read every
// member of a request through this, never with `.value()`, `.get<>()`, `.at()` or `operator[]` (a type_error they
// throw is answered 500), then `if (auto refused = fields.Refusal()) return *refused;` before acting on them.
class BodyFields {
 public:
  explicit BodyFields(const nlohmann::json& body) : body_(body) {}
  // True when the member is there and not null.
  bool Has(const char* key) const;
  std::string Text(const char* key, std::string_view fallback = "");
  bool Bool(const char* key, bool fallback);
  // A whole number from `min` to `max` (a fraction, or a number out of range, is refused).
  int64_t Integer(const char* key, int64_t fallback, int64_t min, int64_t max);
  // A list of strings, or one string of comma-separated items; empty items are dropped.
  std::vector<std::string> TextList(const char* key);
  // The 400 reply for the first member of the wrong type; nullopt while every member read had the right type.
  std::optional<Reply> Refusal() const;

 private:
  const nlohmann::json* Find(const char* key) const;
  void Wrong(const char* key, std::string_view expected);

  const nlohmann::json& body_;
  std::string problem_;
};

// Everything the handlers share. Thread-safe: the catalog and checks are immutable; the store and ledger lock.
struct Services {
  ServerOptions options;
  std::unique_ptr<Store> store;
  catalog::Catalog catalog;
  policy::CheckSet checks;
  std::unique_ptr<ledger::Log> audit;
  std::unique_ptr<Jobs> jobs;

  // Appends a security-relevant event to the audit ledger: {at, tenant, actor, action, target, client, outcome,
  // details}. Never a password, a token or a PII value.
  void Audit(const Call& call, std::string_view action, std::string_view target, std::string_view outcome = "ok",
             const nlohmann::json& details = nlohmann::json::object());
  void AuditAs(std::string_view tenant, std::string_view actor, std::string_view client, std::string_view action,
               std::string_view target, std::string_view outcome, const nlohmann::json& details);
  // The blob store under DATA/blobs: content-addressed (SHA-256) files written atomically.
  Result<std::string> PutBlob(std::string_view content);
  std::filesystem::path BlobPath(std::string_view digest) const;

  // At most 20 login attempts a minute from one client address (password spraying); false when over.
  bool AllowLoginAttempt(const std::string& client);
  std::mutex limiter_mutex;
  std::map<std::string, std::vector<std::chrono::steady_clock::time_point>> login_attempts;
};

using Handler = std::function<Reply(Call&, Services&)>;

struct Route {
  RouteInfo info;
  Handler handler;
};

// Route tables of the api_*.cc files.
void AddAuthRoutes(std::vector<Route>& routes);
void AddCatalogRoutes(std::vector<Route>& routes);
void AddAssessmentRoutes(std::vector<Route>& routes);
void AddPrivacyRoutes(std::vector<Route>& routes);  // register, risk, purpose decisions, incidents (api_privacy.cc)
void AddPortalRoutes(std::vector<Route>& routes);   // reports and the customer portal (api_portal.cc)
void AddDataRoutes(std::vector<Route>& routes);     // PII scans and inventory, the vault browser (api_data.cc)

// Shorthands for route tables.
inline std::vector<Role> Roles(std::initializer_list<Role> roles) { return roles; }
inline const std::vector<Role> kStaff = {Role::kAdmin, Role::kCompliance, Role::kPrivacy, Role::kAuditor};

// Job runners, registered by Open() before the workers start: assessments (api_assess.cc), PII scans (api_data.cc).
void RegisterAssessmentJobs(Services& services);
void RegisterDataJobs(Services& services);

}  // namespace tutela::server
