// Accounts: login, logout, whoami, password and TOTP of the caller; users, tenants and API tokens (admins); the
// audit ledger (admins, auditors).
#include <chrono>
#include <map>
#include <memory>

#include "api.h"
#include "tutela/core/crypto.h"
#include "tutela/core/time.h"

namespace tutela::server {
namespace {

constexpr const char* kWrongCredentials = "the tenant, user name or password is wrong.";

std::string HexOf(const Digest256& digest) { return ToHex(std::span<const uint8_t>(digest.data(), digest.size())); }

std::string Later(std::chrono::seconds by) {
  return FormatRfc3339(NowUtc() + std::chrono::duration_cast<std::chrono::microseconds>(by));
}

nlohmann::json UserJson(const User& user) {
  return {{"id", user.id},
          {"name", user.name},
          {"role", RoleName(user.role)},
          {"disabled", user.disabled},
          {"password_change_required", user.must_change_password},
          {"totp", !user.totp_secret.empty()},
          {"locked_until", user.locked_until.empty() ? nlohmann::json(nullptr) : nlohmann::json(user.locked_until)},
          {"created", user.created}};
}

nlohmann::json TokenJson(const ApiToken& token) {
  auto or_null = [](const std::string& text) { return text.empty() ? nlohmann::json(nullptr) : nlohmann::json(text); };
  return {{"id", token.id},
          {"name", token.name},
          {"user", token.user},
          {"role", RoleName(token.role)},
          {"created", token.created},
          {"expires", or_null(token.expires)},
          {"revoked", or_null(token.revoked)},
          {"last_used", or_null(token.last_used)}};
}

std::string SessionCookie(const std::string& value, const Services& services, bool clear) {
  std::string cookie = "tutela_session=" + value + "; Path=/; HttpOnly; SameSite=Strict";
  if (!services.options.tls_cert.empty()) cookie += "; Secure";
  cookie += clear ? "; Max-Age=0" : "; Max-Age=" + std::to_string(services.options.session_lifetime.count());
  return cookie;
}

// The same work as a real check, so that an unknown tenant or user cannot be told apart by the time a login takes.
void SpendPasswordCheck(std::string_view password) {
  static const std::string decoy = HashPassword("decoy-password-for-timing").value_or("");
  (void)VerifyPassword(password, decoy);
}

Reply Login(Call& call, Services& services) {
  Reply error;
  auto body = JsonBody(call, &error);
  if (!body) return error;
  BodyFields fields(*body);
  std::string tenant_name = fields.Text("tenant");
  std::string username = fields.Text("username");
  std::string password = fields.Text("password");
  std::string totp = fields.Text("totp");
  if (auto refused = fields.Refusal()) return *refused;
  if (tenant_name.empty() || username.empty() || password.empty()) {
    return Error(400, "invalid", "give \"tenant\", \"username\" and \"password\" as JSON strings.");
  }
  if (!services.AllowLoginAttempt(call.Client())) {
    services.AuditAs("", username, call.Client(), "login", tenant_name + "/" + username, "rate_limited", {});
    Reply reply = Error(429, "rate_limited", "too many login attempts from this address; wait a minute.");
    reply.headers.emplace_back("Retry-After", "60");
    return reply;
  }
  Store& store = *services.store;
  auto tenant = store.FindTenantByName(tenant_name);
  if (!tenant.ok()) return FromStatus(tenant.status());
  if (!*tenant) {
    SpendPasswordCheck(password);
    services.AuditAs("", username, call.Client(), "login", tenant_name + "/" + username, "failed",
                     {{"reason", "unknown tenant"}});
    return Error(401, "unauthenticated", kWrongCredentials);
  }
  TenantData data = store.ForTenant((*tenant)->id);
  auto found = data.FindUserByName(username);
  if (!found.ok()) return FromStatus(found.status());
  if (!*found) {
    SpendPasswordCheck(password);
    services.AuditAs((*tenant)->id, username, call.Client(), "login", username, "failed", {{"reason", "unknown user"}});
    return Error(401, "unauthenticated", kWrongCredentials);
  }
  User user = **found;
  std::string now = FormatRfc3339(NowUtc());
  if (!user.locked_until.empty() && user.locked_until > now) {
    SpendPasswordCheck(password);
    services.AuditAs((*tenant)->id, username, call.Client(), "login", user.id, "locked", {});
    Reply reply = Error(429, "locked",
                        "too many failed logins: the account is locked until " + user.locked_until +
                            "; an admin can unlock it sooner.");
    reply.headers.emplace_back("Retry-After", std::to_string(services.options.lockout.count()));
    return reply;
  }
  bool password_ok = VerifyPassword(password, user.password_hash) && !user.disabled;
  bool totp_missing = password_ok && !user.totp_secret.empty() && totp.empty();
  bool totp_ok = user.totp_secret.empty() ||
                 (!totp.empty() &&
                  VerifyTotp(user.totp_secret, totp,
                             std::chrono::duration_cast<std::chrono::seconds>(NowUtc().time_since_epoch()).count()));
  if (totp_missing) {
    return Error(401, "totp_required", "this account has a second factor; send the 6-digit code as \"totp\".");
  }
  if (!password_ok || !totp_ok) {
    ++user.failed_logins;
    std::string outcome = "failed";
    if (user.failed_logins >= services.options.max_failed_logins) {
      user.locked_until = Later(services.options.lockout);
      user.failed_logins = 0;
      outcome = "failed_and_locked";
    }
    if (Status saved = data.UpdateUser(user); !saved.ok()) return FromStatus(saved);
    services.AuditAs((*tenant)->id, username, call.Client(), "login", user.id, outcome,
                     {{"reason", !password_ok ? "wrong password or disabled" : "wrong second factor"}});
    return Error(401, "unauthenticated", kWrongCredentials);
  }
  user.failed_logins = 0;
  user.locked_until.clear();
  if (Status saved = data.UpdateUser(user); !saved.ok()) return FromStatus(saved);

  // A fresh session every time: a session id known before login (fixation) is never kept.
  if (std::string presented = CookieValue(call.request, "tutela_session"); !presented.empty()) {
    (void)data.DeleteSession(SecretDigest(presented));
  }
  std::string secret = NewSecret(32);
  Session session;
  session.id_digest = SecretDigest(secret);
  session.user = user.id;
  session.csrf = NewSecret(32);
  session.created = now;
  session.expires = Later(services.options.session_lifetime);
  session.last_seen = now;
  if (Status created = data.CreateSession(session); !created.ok()) return FromStatus(created);
  services.AuditAs((*tenant)->id, username, call.Client(), "login", user.id, "ok", {});
  Reply reply = Json({{"csrf_token", session.csrf},
                      {"user", UserJson(user)},
                      {"tenant", TenantJson(**tenant)},
                      {"password_change_required", user.must_change_password}});
  reply.headers.emplace_back("Set-Cookie", SessionCookie(secret, services, false));
  return reply;
}

Reply Logout(Call& call, Services& services) {
  if (!call.principal->session_digest.empty()) {
    if (Status deleted = call.data->DeleteSession(call.principal->session_digest); !deleted.ok()) {
      return FromStatus(deleted);
    }
  }
  services.Audit(call, "logout", call.principal->user.id);
  Reply reply = Json({{"logged_out", true}});
  reply.headers.emplace_back("Set-Cookie", SessionCookie("", services, true));
  return reply;
}

Reply Whoami(Call& call, Services&) {
  const Principal& principal = *call.principal;
  nlohmann::json body = {{"user", UserJson(principal.user)},
                         {"tenant", TenantJson(principal.tenant)},
                         {"role", RoleName(principal.role)},
                         {"via", principal.token_id.empty() ? "session" : "token"}};
  // A reloaded page's script has lost the token given at login; only a same-origin script can read this (no CORS).
  if (!principal.session_digest.empty()) body["csrf_token"] = principal.csrf;
  return Json(body);
}

Reply ChangePassword(Call& call, Services& services) {
  Reply error;
  auto body = JsonBody(call, &error);
  if (!body) return error;
  BodyFields fields(*body);
  std::string current = fields.Text("current_password");
  std::string next = fields.Text("new_password");
  if (auto refused = fields.Refusal()) return *refused;
  User user = call.principal->user;
  if (!VerifyPassword(current, user.password_hash)) {
    services.Audit(call, "password.change", user.id, "failed", {{"reason", "wrong current password"}});
    return Error(403, "forbidden", "the current password is wrong.");
  }
  if (Status rules = CheckPasswordRules(next); !rules.ok()) return FromStatus(rules);
  if (next == current) return Error(400, "invalid", "the new password is the same as the current one.");
  auto hash = HashPassword(next);
  if (!hash.ok()) return FromStatus(hash.status());
  user.password_hash = *hash;
  user.must_change_password = false;
  if (Status saved = call.data->UpdateUser(user); !saved.ok()) return FromStatus(saved);
  // Every other session of the user ends; this one goes on.
  if (Status ended = call.data->DeleteUserSessions(user.id, call.principal->session_digest); !ended.ok()) {
    return FromStatus(ended);
  }
  services.Audit(call, "password.change", user.id);
  return Json({{"user", UserJson(user)}});
}

Reply StartTotp(Call& call, Services& services) {
  Record pending;
  pending.kind = "totp_enrolment";
  pending.id = call.principal->user.id;
  pending.state = "pending";
  std::string secret = NewTotpSecret();
  pending.body = {{"secret", secret}};
  if (Status saved = call.data->Put(pending); !saved.ok()) return FromStatus(saved);
  services.Audit(call, "totp.enrol.start", call.principal->user.id);
  return Json({{"secret", secret},
               {"uri", TotpUri("Tutela " + call.principal->tenant.name, call.principal->user.name, secret)}});
}

Reply ConfirmTotp(Call& call, Services& services) {
  Reply error;
  auto body = JsonBody(call, &error);
  if (!body) return error;
  BodyFields fields(*body);
  std::string code = fields.Text("code");
  if (auto refused = fields.Refusal()) return *refused;
  auto pending = call.data->Get("totp_enrolment", call.principal->user.id);
  if (!pending.ok()) return FromStatus(pending.status());
  if (!*pending) return Error(404, "not_found", "no second factor is being set up; start with POST /api/v1/me/totp.");
  std::string secret = (*pending)->body.value("secret", "");
  int64_t now = std::chrono::duration_cast<std::chrono::seconds>(NowUtc().time_since_epoch()).count();
  if (!VerifyTotp(secret, code, now)) {
    return Error(400, "invalid", "the code does not match; check the authenticator app's clock and try again.");
  }
  User user = call.principal->user;
  user.totp_secret = secret;
  if (Status saved = call.data->UpdateUser(user); !saved.ok()) return FromStatus(saved);
  (void)call.data->Delete("totp_enrolment", user.id);
  services.Audit(call, "totp.enable", user.id);
  return Json({{"user", UserJson(user)}});
}

Reply DisableTotp(Call& call, Services& services) {
  Reply error;
  auto body = JsonBody(call, &error);
  if (!body) return error;
  BodyFields fields(*body);
  std::string password = fields.Text("password");
  if (auto refused = fields.Refusal()) return *refused;
  User user = call.principal->user;
  if (!VerifyPassword(password, user.password_hash)) {
    return Error(403, "forbidden", "the password is wrong.");
  }
  user.totp_secret.clear();
  if (Status saved = call.data->UpdateUser(user); !saved.ok()) return FromStatus(saved);
  services.Audit(call, "totp.disable", user.id);
  return Json({{"user", UserJson(user)}});
}

Reply ListUsers(Call& call, Services&) {
  auto users = call.data->ListUsers();
  if (!users.ok()) return FromStatus(users.status());
  nlohmann::json list = nlohmann::json::array();
  for (const User& user : *users) list.push_back(UserJson(user));
  return Json({{"users", list}});
}

Reply CreateUser(Call& call, Services& services) {
  Reply error;
  auto body = JsonBody(call, &error);
  if (!body) return error;
  BodyFields fields(*body);
  std::string role_name = fields.Text("role");
  std::string password = fields.Text("password");
  std::string name = fields.Text("name");
  if (auto refused = fields.Refusal()) return *refused;
  auto role = ParseRole(role_name);
  if (!role) return Error(400, "invalid", "\"role\" must be admin, compliance, privacy, auditor or customer.");
  bool one_time = password.empty();
  if (one_time) password = NewOneTimePassword();
  auto hash = HashPassword(password);
  if (!hash.ok()) return FromStatus(hash.status());
  auto user = call.data->CreateUser(name, *role, *hash, one_time);
  if (!user.ok()) return FromStatus(user.status());
  services.Audit(call, "user.create", user->id, "ok", {{"name", user->name}, {"role", RoleName(*role)}});
  nlohmann::json reply = {{"user", UserJson(*user)}};
  if (one_time) reply["one_time_password"] = password;
  return Json(reply, 201);
}

Reply UpdateUser(Call& call, Services& services) {
  Reply error;
  auto body = JsonBody(call, &error);
  if (!body) return error;
  BodyFields fields(*body);
  bool change_role = fields.Has("role");
  std::string role_name = fields.Text("role");
  bool change_disabled = fields.Has("disabled");
  bool disabled = fields.Bool("disabled", false);
  bool unlock = fields.Bool("unlock", false);
  if (auto refused = fields.Refusal()) return *refused;
  auto found = call.data->GetUser(call.Param("id"));
  if (!found.ok()) return FromStatus(found.status());
  if (!*found) return Error(404, "not_found", "no such user in this tenant.");
  User user = **found;
  bool self = user.id == call.principal->user.id;
  nlohmann::json changes = nlohmann::json::object();
  bool end_sessions = false;
  if (change_role) {
    auto role = ParseRole(role_name);
    if (!role) return Error(400, "invalid", "\"role\" must be admin, compliance, privacy, auditor or customer.");
    if (self && *role != user.role) return Error(400, "invalid", "an admin cannot change their own role.");
    if (*role != user.role) {
      changes["role"] = {{"from", RoleName(user.role)}, {"to", RoleName(*role)}};
      user.role = *role;
      end_sessions = true;
    }
  }
  if (change_disabled) {
    if (self && disabled) return Error(400, "invalid", "an admin cannot disable their own account.");
    if (disabled != user.disabled) {
      changes["disabled"] = disabled;
      user.disabled = disabled;
      end_sessions = end_sessions || disabled;
    }
  }
  if (unlock) {
    changes["unlocked"] = true;
    user.locked_until.clear();
    user.failed_logins = 0;
  }
  if (Status saved = call.data->UpdateUser(user); !saved.ok()) return FromStatus(saved);
  if (end_sessions) (void)call.data->DeleteUserSessions(user.id);
  services.Audit(call, changes.contains("role") ? "user.role_change" : "user.update", user.id, "ok", changes);
  return Json({{"user", UserJson(user)}});
}

// Tenants are managed from the operator tenant only (the route already admits admins only).
std::optional<Reply> RefuseOutsideOperator(const Call& call) {
  if (call.principal->tenant.is_operator) return std::nullopt;
  return Error(403, "forbidden", "only admins of the operator tenant manage tenants.");
}

Reply TenantsList(Call& call, Services& services) {
  if (auto refused = RefuseOutsideOperator(call)) return *refused;
  auto tenants = services.store->ListTenants();
  if (!tenants.ok()) return FromStatus(tenants.status());
  nlohmann::json list = nlohmann::json::array();
  for (const Tenant& tenant : *tenants) list.push_back(TenantJson(tenant));
  return Json({{"tenants", list}});
}

Reply TenantsCreate(Call& call, Services& services) {
  if (auto refused = RefuseOutsideOperator(call)) return *refused;
  Reply error;
  auto body = JsonBody(call, &error);
  if (!body) return error;
  BodyFields fields(*body);
  std::string admin = fields.Text("admin", "admin");
  std::string name = fields.Text("name");
  if (auto refused = fields.Refusal()) return *refused;
  if (admin.empty()) admin = "admin";
  if (Status valid = CheckName("user", admin); !valid.ok()) return FromStatus(valid);
  auto tenant = services.store->CreateTenant(name, false);
  if (!tenant.ok()) return FromStatus(tenant.status());
  std::string password = NewOneTimePassword();
  auto hash = HashPassword(password);
  if (!hash.ok()) return FromStatus(hash.status());
  TenantData data = services.store->ForTenant(tenant->id);
  auto user = data.CreateUser(admin, Role::kAdmin, *hash, true);
  if (!user.ok()) return FromStatus(user.status());
  services.Audit(call, "tenant.create", tenant->id, "ok", {{"name", tenant->name}, {"admin", admin}});
  return Json({{"tenant", TenantJson(*tenant)}, {"admin", UserJson(*user)}, {"one_time_password", password}}, 201);
}

Reply ListTokens(Call& call, Services&) {
  bool all = call.Query("all") == "1" && call.principal->role == Role::kAdmin;
  auto tokens = call.data->ListTokens(all ? "" : call.principal->user.id);
  if (!tokens.ok()) return FromStatus(tokens.status());
  nlohmann::json list = nlohmann::json::array();
  for (const ApiToken& token : *tokens) list.push_back(TokenJson(token));
  return Json({{"tokens", list}});
}

Reply CreateToken(Call& call, Services& services) {
  if (!call.principal->token_id.empty()) {
    return Error(403, "forbidden", "an API token cannot make another; log in to make tokens.");
  }
  Reply error;
  auto body = JsonBody(call, &error);
  if (!body) return error;
  BodyFields fields(*body);
  ApiToken token;
  token.name = fields.Text("name");
  bool narrower = fields.Has("role");
  std::string role_name = fields.Text("role");
  bool expires = fields.Has("expires_days");
  int64_t days = fields.Integer("expires_days", 0, 1, 3650);
  if (auto refused = fields.Refusal()) return *refused;
  if (token.name.empty() || token.name.size() > 100) return Error(400, "invalid", "give the token a \"name\" (1–100).");
  token.role = call.principal->role;
  if (narrower) {
    auto role = ParseRole(role_name);
    if (!role || (*role != call.principal->role && *role != Role::kAuditor)) {
      return Error(400, "invalid", "a token's \"role\" is your own role or auditor (read-only).");
    }
    token.role = *role;
  }
  if (expires) token.expires = Later(std::chrono::hours(24) * days);
  token.id = NewId("tk_");
  token.tenant = call.principal->tenant.id;
  token.user = call.principal->user.id;
  token.created = FormatRfc3339(NowUtc());
  std::string secret = "tutela_" + NewSecret(32);
  if (Status created = call.data->CreateToken(token, SecretDigest(secret)); !created.ok()) return FromStatus(created);
  services.Audit(call, "token.create", token.id, "ok", {{"name", token.name}, {"role", RoleName(token.role)}});
  nlohmann::json reply = TokenJson(token);
  reply["token"] = secret;
  return Json(reply, 201);
}

Reply RevokeToken(Call& call, Services& services) {
  auto token = call.data->GetToken(call.Param("id"));
  if (!token.ok()) return FromStatus(token.status());
  if (!*token || ((*token)->user != call.principal->user.id && call.principal->role != Role::kAdmin)) {
    return Error(404, "not_found", "no such token.");
  }
  // Revoking again changes nothing: the first revocation's time stays, and the audit log holds one entry for it.
  if (!(*token)->revoked.empty()) return Json({{"revoked", true}, {"at", (*token)->revoked}});
  const std::string now = FormatRfc3339(NowUtc());
  if (Status revoked = call.data->RevokeToken((*token)->id, now); !revoked.ok()) return FromStatus(revoked);
  services.Audit(call, "token.revoke", (*token)->id);
  return Json({{"revoked", true}, {"at", now}});
}

// Every instance's audit ledger in the data folder: this instance's own (open for writing) and, read-only, those of
// the other instances sharing the folder and database. Keyed by file name.
struct AuditLogs {
  std::map<std::string, ledger::Log*> logs;
  std::vector<std::unique_ptr<ledger::Log>> opened;
};

Result<AuditLogs> OpenAuditLogs(Services& services) {
  AuditLogs result;
  std::filesystem::path own = AuditLogPath(services.options);
  result.logs[own.filename().string()] = services.audit.get();
  std::error_code error;
  for (const auto& item : std::filesystem::directory_iterator(services.options.data, error)) {
    std::string name = item.path().filename().string();
    if (!name.starts_with("audit") || !name.ends_with(".log") || result.logs.count(name)) continue;
    ledger::LogOptions options;
    options.read_only = true;
    options.create_if_missing = false;
    TUTELA_ASSIGN_OR_RETURN(auto log, ledger::Log::Open(item.path(), options));
    result.logs[name] = log.get();
    result.opened.push_back(std::move(log));
  }
  return result;
}

nlohmann::json TreeJson(const std::string& log, const ledger::TreeHead& head) {
  return {{"log", log}, {"size", head.size}, {"root", HexOf(head.root)}};
}

// The tenant's entries of the audit ledgers, newest first, each with its ledger file and index, and every ledger's
// current tree head ("tree" is this instance's).
Reply ListAudit(Call& call, Services& services) {
  auto logs = OpenAuditLogs(services);
  if (!logs.ok()) return FromStatus(logs.status());
  size_t limit = std::min<size_t>(1000, std::strtoull(call.Query("limit", "100").c_str(), nullptr, 10));
  size_t offset = std::strtoull(call.Query("offset", "0").c_str(), nullptr, 10);
  std::vector<nlohmann::json> entries;
  nlohmann::json trees = nlohmann::json::array();
  for (const auto& [name, log] : logs->logs) {
    ledger::TreeHead head = log->Head();
    trees.push_back(TreeJson(name, head));
    for (uint64_t index = head.size; index-- > 0;) {
      auto text = log->Entry(index);
      if (!text.ok()) return FromStatus(text.status());
      nlohmann::json entry = nlohmann::json::parse(*text, nullptr, false);
      if (!entry.is_object() || entry.value("tenant", "") != call.principal->tenant.id) continue;
      entry["index"] = index;
      entry["log"] = name;
      entries.push_back(std::move(entry));
    }
  }
  std::stable_sort(entries.begin(), entries.end(), [](const nlohmann::json& a, const nlohmann::json& b) {
    return a.value("at", "") > b.value("at", "");
  });
  nlohmann::json page = nlohmann::json::array();
  for (size_t i = offset; i < entries.size() && page.size() < limit; ++i) page.push_back(std::move(entries[i]));
  std::string own = AuditLogPath(services.options).filename().string();
  return Json({{"tree", TreeJson(own, services.audit->Head())}, {"trees", trees}, {"entries", page}});
}

Reply AuditProof(Call& call, Services& services) {
  auto logs = OpenAuditLogs(services);
  if (!logs.ok()) return FromStatus(logs.status());
  auto found = logs->logs.find(call.Query("log", AuditLogPath(services.options).filename().string()));
  if (found == logs->logs.end()) return Error(404, "not_found", "no such audit ledger.");
  ledger::Log& log = *found->second;
  uint64_t index = std::strtoull(call.Param("index").c_str(), nullptr, 10);
  ledger::TreeHead head = log.Head();
  auto text = index < head.size ? log.Entry(index) : Result<std::string>(Status::NotFound(""));
  if (!text.ok()) return Error(404, "not_found", "no such audit entry.");
  nlohmann::json entry = nlohmann::json::parse(*text, nullptr, false);
  if (!entry.is_object() || entry.value("tenant", "") != call.principal->tenant.id) {
    return Error(404, "not_found", "no such audit entry.");
  }
  auto proof = log.ProveInclusion(index, head.size);
  if (!proof.ok()) return FromStatus(proof.status());
  auto leaf = log.LeafHashAt(index);
  if (!leaf.ok()) return FromStatus(leaf.status());
  nlohmann::json hashes = nlohmann::json::array();
  for (const auto& hash : *proof) hashes.push_back(HexOf(hash));
  return Json({{"index", index},
               {"log", found->first},
               {"entry", entry},
               {"leaf_hash", HexOf(*leaf)},
               {"tree", TreeJson(found->first, head)},
               {"proof", hashes}});
}

}  // namespace

void AddAuthRoutes(std::vector<Route>& routes) {
  const std::vector<Role> any;
  const std::vector<Role> admin = {Role::kAdmin};
  routes.push_back({{"POST", "/api/v1/login", false, any, "log in"}, Login});
  routes.push_back({{"POST", "/api/v1/logout", true, any, "log out"}, Logout});
  routes.push_back({{"GET", "/api/v1/whoami", true, any, "see who is logged in"}, Whoami});
  routes.push_back({{"POST", "/api/v1/me/password", true, any, "change their password"}, ChangePassword});
  routes.push_back({{"POST", "/api/v1/me/totp", true, any, "set up a second factor"}, StartTotp});
  routes.push_back({{"POST", "/api/v1/me/totp/confirm", true, any, "confirm a second factor"}, ConfirmTotp});
  routes.push_back({{"DELETE", "/api/v1/me/totp", true, any, "remove their second factor"}, DisableTotp});
  routes.push_back({{"GET", "/api/v1/users", true, admin, "list users"}, ListUsers});
  routes.push_back({{"POST", "/api/v1/users", true, admin, "create users"}, CreateUser});
  routes.push_back({{"PUT", "/api/v1/users/{id}", true, admin, "change users"}, UpdateUser});
  routes.push_back({{"GET", "/api/v1/tenants", true, admin, "list tenants"}, TenantsList});
  routes.push_back({{"POST", "/api/v1/tenants", true, admin, "create tenants"}, TenantsCreate});
  routes.push_back({{"GET", "/api/v1/tokens", true, any, "list API tokens"}, ListTokens});
  routes.push_back({{"POST", "/api/v1/tokens", true, any, "make API tokens"}, CreateToken});
  routes.push_back({{"DELETE", "/api/v1/tokens/{id}", true, any, "revoke API tokens"}, RevokeToken});
  routes.push_back(
      {{"GET", "/api/v1/audit", true, {Role::kAdmin, Role::kAuditor}, "read the audit ledger"}, ListAudit});
  routes.push_back(
      {{"GET", "/api/v1/audit/{index}/proof", true, {Role::kAdmin, Role::kAuditor}, "read the audit ledger"},
       AuditProof});
}

}  // namespace tutela::server
