#include "tutela/server/server.h"

#include <atomic>
#include <fstream>
#include <set>

#include "api.h"
#include "tutela/core/builtin_data.h"
#include "tutela/core/crypto.h"
#include "tutela/core/data.h"
#include "tutela/core/file_util.h"
#include "tutela/core/json_text.h"
#include "tutela/core/time.h"
#include "web_assets.h"

namespace tutela::server {
namespace fs = std::filesystem;

// ---- Call, Reply helpers ----

std::string Call::Param(const std::string& name) const {
  auto found = params.find(name);
  return found == params.end() ? std::string() : found->second;
}

std::string Call::Query(const std::string& name, const std::string& fallback) const {
  return request.has_param(name) ? request.get_param_value(name) : fallback;
}

Reply Json(const nlohmann::json& body, int status) {
  Reply reply;
  reply.status = status;
  reply.body = DumpJson(body, -1);
  return reply;
}

Reply Error(int status, std::string_view code, std::string_view message) {
  return Json({{"error", {{"code", code}, {"message", message}}}}, status);
}

Reply FromStatus(const Status& status) {
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
      return Error(400, "invalid", status.message());
    case StatusCode::kNotFound:
      return Error(404, "not_found", status.message());
    case StatusCode::kAlreadyExists:
      return Error(409, "conflict", status.message());
    case StatusCode::kPermissionDenied:
      return Error(403, "forbidden", status.message());
    default:
      std::fprintf(stderr, "tutela serve: error: %s\n", status.ToString().c_str());
      return Error(500, "internal", "the server could not complete the request; the error is in the server's log.");
  }
}

Result<Record> StartJobRecord(TenantData& data, std::string_view kind, const std::string& id) {
  TUTELA_ASSIGN_OR_RETURN(auto loaded, data.Get(kind, id));
  if (!loaded) return Status::NotFound(std::string(kind) + " " + id + " is gone.");
  Record record = std::move(*loaded);
  record.state = "running";
  TUTELA_RETURN_IF_ERROR(data.Put(record));
  return record;
}

Status FailJobRecord(TenantData& data, Record& record, const Status& status) {
  record.state = "failed";
  record.body["error"] = status.message();
  (void)data.Put(record);
  return status;
}

nlohmann::json RecordJson(const Record& record) {
  nlohmann::json body = record.body;
  body["id"] = record.id;
  body["state"] = record.state;
  body["created"] = record.created;
  body["updated"] = record.updated;
  return body;
}

RecordQuery ListQuery(const Call& call, size_t default_limit, size_t max_limit) {
  RecordQuery query;
  query.limit = std::min<size_t>(
      max_limit, std::strtoull(call.Query("limit", std::to_string(default_limit)).c_str(), nullptr, 10));
  query.offset = std::strtoull(call.Query("offset", "0").c_str(), nullptr, 10);
  query.state = call.Query("state");
  query.search = call.Query("q");
  return query;
}

Reply Queued(const std::string& id, const std::string& job, const std::string& location) {
  Reply reply = Json({{"id", id}, {"job", job}, {"state", "queued"}}, 202);
  reply.headers.emplace_back("Location", location);
  return reply;
}

std::optional<nlohmann::json> JsonBody(const Call& call, Reply* error, bool optional) {
  const std::string& text = call.request.body;
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
    if (optional) return nlohmann::json::object();
    *error = Error(400, "invalid", "the request body is empty; send a JSON object.");
    return std::nullopt;
  }
  nlohmann::json body = nlohmann::json::parse(text, nullptr, false);
  if (body.is_discarded()) {
    *error = Error(400, "invalid", "the request body is not JSON; send a JSON object.");
    return std::nullopt;
  }
  if (!body.is_object()) {
    std::string what = body.is_array()  ? "a JSON array"
                       : body.is_null() ? "JSON null"
                                        : std::string("a JSON ") + body.type_name();
    *error = Error(400, "invalid", "the request body is " + what + ", not an object; send a JSON object.");
    return std::nullopt;
  }
  return body;
}

const nlohmann::json* BodyFields::Find(const char* key) const {
  if (!body_.is_object()) return nullptr;
  auto found = body_.find(key);
  return found == body_.end() || found->is_null() ? nullptr : &*found;
}

bool BodyFields::Has(const char* key) const { return Find(key) != nullptr; }

void BodyFields::Wrong(const char* key, std::string_view expected) {
  if (problem_.empty()) problem_ = "field \"" + std::string(key) + "\" must be " + std::string(expected) + ".";
}

std::string BodyFields::Text(const char* key, std::string_view fallback) {
  const nlohmann::json* value = Find(key);
  if (value == nullptr) return std::string(fallback);
  if (!value->is_string()) {
    Wrong(key, "a string");
    return std::string(fallback);
  }
  return value->get<std::string>();
}

bool BodyFields::Bool(const char* key, bool fallback) {
  const nlohmann::json* value = Find(key);
  if (value == nullptr) return fallback;
  if (!value->is_boolean()) {
    Wrong(key, "true or false");
    return fallback;
  }
  return value->get<bool>();
}

int64_t BodyFields::Integer(const char* key, int64_t fallback, int64_t min, int64_t max) {
  const nlohmann::json* value = Find(key);
  if (value == nullptr) return fallback;
  bool ok = false;
  int64_t number = 0;
  if (value->is_number_unsigned()) {  // may be above INT64_MAX
    uint64_t positive = value->get<uint64_t>();
    ok = max >= 0 && positive <= static_cast<uint64_t>(max);
    number = ok ? static_cast<int64_t>(positive) : 0;
  } else if (value->is_number_integer()) {
    number = value->get<int64_t>();
    ok = number <= max;
  }
  if (!ok || number < min) {
    Wrong(key, "a whole number from " + std::to_string(min) + " to " + std::to_string(max));
    return fallback;
  }
  return number;
}

std::vector<std::string> BodyFields::TextList(const char* key) {
  std::vector<std::string> out;
  const nlohmann::json* value = Find(key);
  if (value == nullptr) return out;
  if (value->is_string()) {
    const std::string& text = value->get_ref<const std::string&>();
    size_t at = 0;
    while (at <= text.size()) {
      size_t comma = text.find(',', at);
      if (comma == std::string::npos) comma = text.size();
      std::string item = text.substr(at, comma - at);
      item.erase(0, item.find_first_not_of(' '));
      item.erase(item.find_last_not_of(' ') + 1);
      if (!item.empty()) out.push_back(item);
      at = comma + 1;
    }
    return out;
  }
  bool strings = value->is_array();
  for (size_t i = 0; strings && i < value->size(); ++i) strings = (*value)[i].is_string();
  if (!strings) {
    Wrong(key, "a list of strings (or one comma-separated string)");
    return {};
  }
  for (const auto& item : *value) {
    if (!item.get_ref<const std::string&>().empty()) out.push_back(item.get<std::string>());
  }
  return out;
}

std::optional<Reply> BodyFields::Refusal() const {
  if (problem_.empty()) return std::nullopt;
  return Error(400, "invalid", problem_);
}

std::string CookieValue(const httplib::Request& req, std::string_view name) {
  std::string cookies = req.get_header_value("Cookie");
  size_t at = 0;
  while (at < cookies.size()) {
    size_t end = cookies.find(';', at);
    if (end == std::string::npos) end = cookies.size();
    std::string_view part(cookies.data() + at, end - at);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    if (part.size() > name.size() && part.substr(0, name.size()) == name && part[name.size()] == '=') {
      return std::string(part.substr(name.size() + 1));
    }
    at = end + 1;
  }
  return "";
}

// ---- Services ----

void Services::AuditAs(std::string_view tenant, std::string_view actor, std::string_view client,
                       std::string_view action, std::string_view target, std::string_view outcome,
                       const nlohmann::json& details) {
  nlohmann::json entry = {{"at", FormatRfc3339(NowUtc(), TimePrecision::kMilliseconds)},
                          {"tenant", tenant},
                          {"actor", actor},
                          {"client", client},
                          {"action", action},
                          {"target", target},
                          {"outcome", outcome},
                          {"details", details}};
  auto appended = audit->Append(DumpJson(entry));
  if (!appended.ok()) {
    std::fprintf(stderr, "tutela serve: error: audit ledger: %s\n", appended.status().ToString().c_str());
  }
}

void Services::Audit(const Call& call, std::string_view action, std::string_view target, std::string_view outcome,
                     const nlohmann::json& details) {
  std::string tenant = call.principal ? call.principal->tenant.id : "";
  std::string actor = call.principal ? call.principal->user.name : "";
  if (call.principal && !call.principal->token_id.empty()) actor += " (token " + call.principal->token_id + ")";
  AuditAs(tenant, actor, call.Client(), action, target, outcome, details);
}

fs::path Services::BlobPath(std::string_view digest) const {
  return options.data / "blobs" / std::string(digest.substr(0, 2)) / std::string(digest);
}

Result<std::string> Services::PutBlob(std::string_view content) {
  Digest256 digest = Sha256(content);
  std::string hex = ToHex(std::span<const uint8_t>(digest.data(), digest.size()));
  fs::path path = BlobPath(hex);
  std::error_code error;
  if (fs::exists(path, error)) return hex;
  fs::create_directories(path.parent_path(), error);
  if (error)
    return Status::IoError(path.parent_path().string() + ": cannot create the folder (" + error.message() + ").");
  TUTELA_RETURN_IF_ERROR(WriteFileAtomic(path, content, 0600));
  return hex;
}

bool Services::AllowLoginAttempt(const std::string& client) {
  auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(limiter_mutex);
  if (login_attempts.size() > 10000) login_attempts.clear();  // bounded memory under a flood of addresses
  auto& times = login_attempts[client];
  std::erase_if(times, [&](auto at) { return now - at > std::chrono::minutes(1); });
  if (times.size() >= 20) return false;
  times.push_back(now);
  return true;
}

fs::path AuditLogPath(const ServerOptions& options) {
  return options.data / (options.instance.empty() ? std::string("audit.log") : "audit-" + options.instance + ".log");
}

// ---- Setup: the data folder, tenants and users from the command line ----

namespace {

Result<std::unique_ptr<Store>> OpenStore(const ServerOptions& options) {
  std::error_code error;
  fs::create_directories(options.data, error);
  if (error) {
    return Status::IoError(options.data.string() + ": cannot create the data folder (" + error.message() + ").");
  }
  fs::permissions(options.data, fs::perms::owner_all, fs::perm_options::replace, error);
  TUTELA_ASSIGN_OR_RETURN(auto database, OpenDatabase(options.database, options.data));
  return Store::Open(std::move(database));
}

// `tenants add|list` and `users add` work on a data folder that `tenants init` (or `serve`) made; they must not make
// one. Before, a mistyped --data made `tenants list` create the folder and a database and print nothing (exit 0).
Status RequireInitialised(const ServerOptions& options) {
  std::error_code error;
  bool default_sqlite = options.database.empty() || options.database == "sqlite:";
  if (fs::is_directory(options.data, error) && (!default_sqlite || fs::exists(options.data / "tutela.db", error))) {
    return Status::Ok();
  }
  return Status::NotFound(options.data.string() +
                          ": not an initialised server data folder; create it with `tutela tenants init --data " +
                          options.data.string() + "`, or correct --data.");
}

Result<std::unique_ptr<Store>> OpenInitialisedStore(const ServerOptions& options) {
  TUTELA_RETURN_IF_ERROR(RequireInitialised(options));
  TUTELA_ASSIGN_OR_RETURN(auto store, OpenStore(options));
  TUTELA_ASSIGN_OR_RETURN(auto tenants, store->ListTenants());
  if (tenants.empty()) {
    return Status::NotFound(options.data.string() +
                            ": the server database has no operator tenant yet; create it with `tutela tenants init "
                            "--data " +
                            options.data.string() + "`.");
  }
  return store;
}

Result<InitResult> Initialise(Store& store, std::string_view tenant_name, std::string_view admin) {
  InitResult result;
  TUTELA_ASSIGN_OR_RETURN(auto tenants, store.ListTenants());
  if (!tenants.empty()) {
    for (const Tenant& tenant : tenants) {
      if (tenant.is_operator) result.tenant = tenant;
    }
    return result;
  }
  TUTELA_ASSIGN_OR_RETURN(result.tenant, store.CreateTenant(tenant_name, true));
  result.admin = admin;
  result.one_time_password = NewOneTimePassword();
  TUTELA_ASSIGN_OR_RETURN(std::string hash, HashPassword(result.one_time_password));
  TenantData data = store.ForTenant(result.tenant.id);
  TUTELA_ASSIGN_OR_RETURN(User user, data.CreateUser(admin, Role::kAdmin, std::move(hash), true));
  (void)user;
  return result;
}

}  // namespace

Result<InitResult> InitDataFolder(const ServerOptions& options, std::string_view tenant, std::string_view admin) {
  TUTELA_ASSIGN_OR_RETURN(auto store, OpenStore(options));
  return Initialise(*store, tenant, admin);
}

Result<Tenant> AddTenant(const ServerOptions& options, std::string_view name) {
  TUTELA_ASSIGN_OR_RETURN(auto store, OpenInitialisedStore(options));
  return store->CreateTenant(name, false);
}

Result<std::vector<Tenant>> ListTenants(const ServerOptions& options) {
  TUTELA_ASSIGN_OR_RETURN(auto store, OpenInitialisedStore(options));
  return store->ListTenants();
}

Result<User> AddUser(const ServerOptions& options, std::string_view tenant, std::string_view name, Role role,
                     std::string_view password, bool must_change_password) {
  TUTELA_ASSIGN_OR_RETURN(auto store, OpenInitialisedStore(options));
  TUTELA_ASSIGN_OR_RETURN(auto found, store->FindTenantByName(tenant));
  if (!found) {
    return Status::NotFound("tenant \"" + std::string(tenant) + "\" does not exist in " + options.data.string() +
                            "; list them with `tutela tenants list --data " + options.data.string() + "`.");
  }
  TUTELA_ASSIGN_OR_RETURN(std::string hash, HashPassword(password));
  TenantData data = store->ForTenant(found->id);
  return data.CreateUser(name, role, std::move(hash), must_change_password);
}

// ---- The server ----

struct Server::Impl {
  Services services;
  InitResult init;
  std::vector<Route> routes;
  std::vector<RouteInfo> route_infos;
  std::unique_ptr<httplib::Server> http;
  int port = 0;
  std::atomic<bool> stopped{false};

  void Register();
  void Send(httplib::Response& res, const Reply& reply) const;
  std::optional<Reply> Authenticate(Call& call);
  Reply Dispatch(const Route& route, const httplib::Request& req, std::map<std::string, std::string> params);
  // Finds the route for a request under /api/v1/ (404, or 405 with Allow, when none fits) and dispatches it.
  Reply RouteRequest(const httplib::Request& req);
  std::vector<std::vector<std::string_view>> route_segments;  // per route, views into routes[i].info.path
};

namespace {

// A path split at '/', without empty pieces: "/api/v1/jobs/{id}" -> {"api", "v1", "jobs", "{id}"}.
std::vector<std::string_view> Segments(std::string_view path) {
  std::vector<std::string_view> out;
  size_t at = 0;
  while (at < path.size()) {
    size_t slash = path.find('/', at);
    if (slash == std::string_view::npos) slash = path.size();
    if (slash > at) out.push_back(path.substr(at, slash - at));
    at = slash + 1;
  }
  return out;
}

// True when `path` fits the route's segments ("{name}" takes any one segment, recorded in `params`).
bool MatchSegments(const std::vector<std::string_view>& route, const std::vector<std::string_view>& path,
                   std::map<std::string, std::string>* params) {
  if (route.size() != path.size()) return false;
  for (size_t i = 0; i < route.size(); ++i) {
    if (route[i].size() > 2 && route[i].front() == '{' && route[i].back() == '}') {
      if (params != nullptr) (*params)[std::string(route[i].substr(1, route[i].size() - 2))] = std::string(path[i]);
    } else if (route[i] != path[i]) {
      return false;
    }
  }
  return true;
}

bool IsSafeMethod(const std::string& method) { return method == "GET" || method == "HEAD" || method == "OPTIONS"; }

}  // namespace

void Server::Impl::Send(httplib::Response& res, const Reply& reply) const {
  res.status = reply.status;
  for (const auto& [name, value] : reply.headers) res.set_header(name, value);
  if (reply.file.empty()) {
    res.set_content(reply.body, reply.content_type);
    return;
  }
  std::error_code error;
  uintmax_t size = fs::file_size(reply.file, error);
  auto stream = std::make_shared<std::ifstream>(reply.file, std::ios::binary);
  if (error || !*stream) {
    Send(res, Error(500, "internal", "a stored file is missing; the error is in the server's log."));
    std::fprintf(stderr, "tutela serve: error: %s: cannot read the stored file.\n", reply.file.c_str());
    return;
  }
  res.set_content_provider(static_cast<size_t>(size), reply.content_type,
                           [stream](size_t offset, size_t length, httplib::DataSink& sink) {
                             std::vector<char> buffer(std::min<size_t>(length, 1 << 20));
                             stream->seekg(static_cast<std::streamoff>(offset));
                             stream->read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
                             std::streamsize got = stream->gcount();
                             if (got <= 0) return false;
                             return sink.write(buffer.data(), static_cast<size_t>(got));
                           });
}

// Returns an error reply when the request may not go on; fills call.principal and call.data otherwise.
std::optional<Reply> Server::Impl::Authenticate(Call& call) {
  const httplib::Request& req = call.request;
  Store& store = *services.store;
  std::string now = FormatRfc3339(NowUtc());
  std::string authorization = req.get_header_value("Authorization");
  Principal principal;
  std::string user_id;
  std::string token_last_used;
  if (!authorization.empty()) {
    if (!authorization.starts_with("Bearer ")) {
      return Error(401, "unauthenticated", "the Authorization header must be \"Bearer TOKEN\".");
    }
    auto token = store.FindToken(SecretDigest(authorization.substr(7)));
    if (!token.ok()) return FromStatus(token.status());
    if (!*token || !(*token)->revoked.empty() || (!(*token)->expires.empty() && (*token)->expires < now)) {
      return Error(401, "unauthenticated", "the API token is not valid (unknown, revoked or expired).");
    }
    principal.token_id = (*token)->id;
    principal.role = (*token)->role;
    token_last_used = (*token)->last_used;
    user_id = (*token)->user;
    auto tenant = store.GetTenant((*token)->tenant);
    if (!tenant.ok() || !*tenant) return Error(401, "unauthenticated", "the API token's tenant no longer exists.");
    principal.tenant = **tenant;
  } else {
    std::string cookie = CookieValue(req, "tutela_session");
    if (cookie.empty())
      return Error(401, "unauthenticated", "log in first (POST /api/v1/login) or send a Bearer token.");
    std::string digest = SecretDigest(cookie);
    auto session = store.FindSession(digest);
    if (!session.ok()) return FromStatus(session.status());
    if (!*session) return Error(401, "unauthenticated", "the session is not valid; log in again.");
    Timestamp idle_limit =
        NowUtc() - std::chrono::duration_cast<std::chrono::microseconds>(services.options.session_idle);
    if ((*session)->expires < now || (*session)->last_seen < FormatRfc3339(idle_limit)) {
      (void)store.ForTenant((*session)->tenant).DeleteSession(digest);
      return Error(401, "unauthenticated", "the session has expired; log in again.");
    }
    if (!IsSafeMethod(req.method)) {
      std::string csrf = req.get_header_value("X-CSRF-Token");
      if (csrf.empty() || !ConstantTimeEqual(csrf, (*session)->csrf)) {
        return Error(403, "csrf",
                     "a state-changing request with the session cookie needs the X-CSRF-Token header "
                     "given at login.");
      }
    }
    principal.session_digest = digest;
    principal.csrf = (*session)->csrf;
    user_id = (*session)->user;
    auto tenant = store.GetTenant((*session)->tenant);
    if (!tenant.ok() || !*tenant) return Error(401, "unauthenticated", "the session's tenant no longer exists.");
    principal.tenant = **tenant;
    // last_seen is written at most once a minute: a busy UI should not turn every read into a write.
    Timestamp touch_after = NowUtc() - std::chrono::minutes(1);
    if ((*session)->last_seen < FormatRfc3339(touch_after)) {
      (void)store.ForTenant(principal.tenant.id).TouchSession(digest, now);
    }
  }
  TenantData data = store.ForTenant(principal.tenant.id);
  auto user = data.GetUser(user_id);
  if (!user.ok()) return FromStatus(user.status());
  if (!*user || (*user)->disabled) return Error(401, "unauthenticated", "the account is disabled or gone.");
  principal.user = **user;
  if (principal.token_id.empty()) {
    principal.role = principal.user.role;
  } else if (principal.role != principal.user.role && principal.role != Role::kAuditor) {
    // The user's role changed after the token was made: the token may not keep what the user lost.
    return Error(401, "unauthenticated", "the API token's role is no longer the user's; make a new token.");
  } else if (token_last_used < FormatRfc3339(NowUtc() - std::chrono::minutes(1))) {
    (void)data.TouchToken(principal.token_id, now);  // at most once a minute, like a session's last_seen
  }
  call.principal = std::move(principal);
  call.data.emplace(std::move(data));
  return std::nullopt;
}

Reply Server::Impl::RouteRequest(const httplib::Request& req) {
  std::vector<std::string_view> path = Segments(req.path);
  std::string allowed;
  for (size_t i = 0; i < routes.size(); ++i) {
    if (!MatchSegments(route_segments[i], path, nullptr)) continue;
    if (routes[i].info.method != req.method) {
      allowed += (allowed.empty() ? "" : ", ") + routes[i].info.method;
      continue;
    }
    std::map<std::string, std::string> params;
    MatchSegments(route_segments[i], path, &params);
    return Dispatch(routes[i], req, std::move(params));
  }
  if (!allowed.empty()) {
    Reply reply =
        Error(405, "method_not_allowed", req.method + " is not allowed on " + req.path + "; use " + allowed + ".");
    reply.headers.emplace_back("Allow", allowed);
    return reply;
  }
  return Error(404, "not_found", "no such API route: " + req.method + " " + req.path + ".");
}

Reply Server::Impl::Dispatch(const Route& route, const httplib::Request& req,
                             std::map<std::string, std::string> params) {
  // Ids and query values reach the database as text: one that is not UTF-8 (or holds NUL) is the client's mistake,
  // not a database error (PostgreSQL refuses such text, which was answered 500).
  auto text = [](const std::string& value) { return IsUtf8(value) && value.find('\0') == std::string::npos; };
  for (const auto& [name, value] : params) {
    if (!text(value)) return Error(400, "invalid", "the path segment {" + name + "} is not UTF-8 text.");
  }
  for (const auto& [name, value] : req.params) {
    if (!text(name) || !text(value)) {
      return Error(400, "invalid",
                   "the query parameter \"" + (text(name) ? name : std::string("?")) + "\" is not UTF-8 text.");
    }
  }
  Call call{req, std::move(params), std::nullopt, std::nullopt};
  if (route.info.authenticated) {
    if (auto refused = Authenticate(call)) return *refused;
    const Principal& principal = *call.principal;
    static const std::set<std::string> kAllowedBeforeChange = {"/api/v1/whoami", "/api/v1/logout",
                                                               "/api/v1/me/password"};
    if (principal.user.must_change_password && !kAllowedBeforeChange.count(route.info.path)) {
      return Error(403, "password_change_required",
                   "this account has a one-time password; set a new one with POST /api/v1/me/password first.");
    }
    const auto& roles = route.info.roles;
    if (!roles.empty() && std::find(roles.begin(), roles.end(), principal.role) == roles.end()) {
      return Error(403, "forbidden",
                   "the role \"" + std::string(RoleName(principal.role)) + "\" may not " + route.info.summary + ".");
    }
  }
  return route.handler(call, services);
}

void Server::Impl::Register() {
  AddAuthRoutes(routes);
  AddCatalogRoutes(routes);
  AddAssessmentRoutes(routes);
  AddPrivacyRoutes(routes);
  AddPortalRoutes(routes);
  AddDataRoutes(routes);
  route_infos.clear();
  for (const Route& route : routes) route_infos.push_back(route.info);

  route_segments.clear();
  for (const Route& route : routes) route_segments.push_back(Segments(route.info.path));
  http->Get("/api/v1/openapi.json", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(std::string(OpenApiDocument()), "application/json");
  });
  // Every other /api/v1/ request goes through one handler and the route table: segment comparison, not a regular
  // expression per route, and 405 (with Allow) for a known path with another method.
  httplib::Server::Handler api = [this](const httplib::Request& req, httplib::Response& res) {
    Send(res, RouteRequest(req));
  };
  for (auto add : {&httplib::Server::Get, &httplib::Server::Post, &httplib::Server::Put, &httplib::Server::Delete,
                   &httplib::Server::Patch}) {
    (http.get()->*add)(R"(/api/v1/.*)", api);
  }
  // The web UI: a few static files compiled into the binary (web_assets.h).
  http->Get("/", [](const httplib::Request&, httplib::Response& res) {
    const WebAsset* asset = FindWebAsset("index.html");
    res.set_content(std::string(asset->content), std::string(asset->content_type));
  });
  http->Get(R"(/assets/([A-Za-z0-9._-]+))", [](const httplib::Request& req, httplib::Response& res) {
    const WebAsset* asset = FindWebAsset(req.matches[1].str());
    if (asset == nullptr) {
      res.status = 404;
      res.set_content("not found\n", "text/plain");
      return;
    }
    res.set_header("Cache-Control", "no-cache");
    res.set_content(std::string(asset->content), std::string(asset->content_type));
  });
  bool tls = !services.options.tls_cert.empty();
  http->set_post_routing_handler([tls](const httplib::Request& req, httplib::Response& res) {
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_header("X-Frame-Options", "DENY");
    res.set_header("Referrer-Policy", "no-referrer");
    res.set_header("Content-Security-Policy",
                   "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                   "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
    if (tls) res.set_header("Strict-Transport-Security", "max-age=31536000");
    if (req.path.starts_with("/api/") && !res.has_header("Cache-Control")) res.set_header("Cache-Control", "no-store");
  });
  // httplib calls this for every answer of 400 or more, the routes' own included: only its own bodiless answers are
  // rewritten (a route's 404 or 413 keeps the message it gave).
  http->set_error_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    if (res.status == 404 && req.path.starts_with("/api/")) {
      Send(res, Error(404, "not_found", "no such API route: " + req.method + " " + req.path + "."));
    } else if (res.status == 413) {
      Send(res, Error(413, "too_large",
                      "the request body is too large; send JSON with \"Content-Type: application/json\" (form-encoded "
                      "bodies are limited to 8 KiB) and within the server's upload limit."));
    } else if (res.status == 414) {
      // The request line is refused before it is parsed (req.path is empty): answered for every path.
      Send(res, Error(414, "too_large",
                      "the request's URL is too long (at most 8 KiB); send long values in a JSON request body."));
    } else if (res.status == 400) {
      Send(res, Error(400, "invalid", "the request is not well-formed HTTP."));
    }
  });
  http->set_exception_handler([this](const httplib::Request&, httplib::Response& res, std::exception_ptr error) {
    std::string what = "unknown";
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    std::fprintf(stderr, "tutela serve: error: a handler failed: %s\n", what.c_str());
    Send(res, Error(500, "internal", "the server could not complete the request; the error is in the server's log."));
  });
  http->set_payload_max_length(services.options.max_upload_bytes);
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() {
  Stop();
  if (impl_->services.jobs) impl_->services.jobs->Stop();
}

Result<std::unique_ptr<Server>> Server::Open(ServerOptions options) {
  auto impl = std::make_unique<Impl>();
  Services& services = impl->services;
  services.options = options;
  TUTELA_ASSIGN_OR_RETURN(services.store, OpenStore(options));
  TUTELA_ASSIGN_OR_RETURN(impl->init, Initialise(*services.store, "operator", "admin"));
  catalog::LoadOptions catalog_options;
  catalog_options.directories = options.catalog_dirs;
  TUTELA_ASSIGN_OR_RETURN(services.catalog, catalog::LoadCatalog(catalog_options));
  fs::path checks = options.checks.empty() ? BuiltinCatalogRoot() / "checks" : options.checks;
  TUTELA_ASSIGN_OR_RETURN(services.checks, policy::CheckSet::LoadDirectory(checks));
  if (!options.instance.empty()) TUTELA_RETURN_IF_ERROR(CheckName("--instance", options.instance));
  TUTELA_ASSIGN_OR_RETURN(services.audit, ledger::Log::Open(AuditLogPath(options)));
  services.jobs = std::make_unique<Jobs>(*services.store, options.job_threads);
  RegisterAssessmentJobs(services);
  RegisterDataJobs(services);
  TUTELA_RETURN_IF_ERROR(services.jobs->FailUnfinished());
  (void)services.store->DeleteExpiredSessions(FormatRfc3339(NowUtc()));

  if (!options.tls_cert.empty() || !options.tls_key.empty()) {
    if (options.tls_cert.empty() || options.tls_key.empty()) {
      return Status::InvalidArgument("--tls-cert and --tls-key go together; give both or neither.");
    }
    auto tls = std::make_unique<httplib::SSLServer>(options.tls_cert.c_str(), options.tls_key.c_str());
    if (!tls->is_valid()) {
      return Status::InvalidArgument(options.tls_cert.string() + ", " + options.tls_key.string() +
                                     ": cannot load the TLS certificate and key; check they are PEM and match.");
    }
    impl->http = std::move(tls);
  } else {
    impl->http = std::make_unique<httplib::Server>();
  }
  // cpp-httplib gives each connection a thread while it is kept alive: enough threads that a browser's and a few
  // scripts' keep-alive connections never queue behind each other, and connections kept for many requests.
  impl->http->new_task_queue = [] { return new httplib::ThreadPool(64); };
  impl->http->set_keep_alive_max_count(1000);
  impl->http->set_keep_alive_timeout(5);
  impl->http->set_tcp_nodelay(true);  // headers and body go out as separate writes: no 40 ms Nagle stalls
  impl->Register();
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Status Server::Bind() {
  const ServerOptions& options = impl_->services.options;
  if (options.port == 0) {
    impl_->port = impl_->http->bind_to_any_port(options.host);
    if (impl_->port <= 0) return Status::IoError(options.host + ": cannot listen on any port.");
  } else {
    if (!impl_->http->bind_to_port(options.host, options.port)) {
      return Status::IoError(options.host + ":" + std::to_string(options.port) +
                             ": cannot listen there (in use, or not an address of this machine); choose another "
                             "--listen.");
    }
    impl_->port = options.port;
  }
  return Status::Ok();
}

int Server::port() const { return impl_->port; }

Status Server::Run() {
  impl_->services.jobs->Start();
  bool served = impl_->http->listen_after_bind();
  impl_->services.jobs->Stop();
  if (!served && !impl_->stopped) return Status::IoError("the HTTP listener stopped unexpectedly.");
  return Status::Ok();
}

void Server::Stop() {
  impl_->stopped = true;
  if (impl_->http) impl_->http->stop();
}

const std::vector<RouteInfo>& Server::routes() const { return impl_->route_infos; }

const InitResult& Server::init() const { return impl_->init; }

}  // namespace tutela::server
