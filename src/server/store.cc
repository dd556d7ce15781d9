#include "tutela/server/store.h"

#include <algorithm>
#include <cctype>

#include "tutela/core/data.h"
#include "tutela/core/time.h"

namespace tutela::server {
namespace {

std::string Now() { return FormatRfc3339(NowUtc()); }

SqlParam OrNull(const std::string& text) {
  if (text.empty()) return nullptr;
  return text;
}

constexpr const char* kUserColumns =
    "id, name, role, password_hash, must_change_password, disabled, totp_secret, failed_logins, locked_until, created";

User ToUser(const SqlRow& row) {
  User user;
  user.id = row.Text(0);
  user.name = row.Text(1);
  user.role = ParseRole(row.Text(2)).value_or(Role::kCustomer);  // an unknown role gets the least
  user.password_hash = row.Text(3);
  user.must_change_password = row.Int(4) != 0;
  user.disabled = row.Int(5) != 0;
  user.totp_secret = row.Text(6);
  user.failed_logins = row.Int(7);
  user.locked_until = row.Text(8);
  user.created = row.Text(9);
  return user;
}

constexpr const char* kTokenColumns = "id, tenant_id, user_id, name, role, created, expires, revoked, last_used";

ApiToken ToToken(const SqlRow& row) {
  ApiToken token;
  token.id = row.Text(0);
  token.tenant = row.Text(1);
  token.user = row.Text(2);
  token.name = row.Text(3);
  token.role = ParseRole(row.Text(4)).value_or(Role::kCustomer);
  token.created = row.Text(5);
  token.expires = row.Text(6);
  token.revoked = row.Text(7);
  token.last_used = row.Text(8);
  return token;
}

Tenant ToTenant(const SqlRow& row) { return Tenant{row.Text(0), row.Text(1), row.Int(2) != 0, row.Text(3)}; }

Result<Record> ToRecord(const SqlRow& row) {
  Record record;
  record.kind = row.Text(0);
  record.id = row.Text(1);
  record.state = row.Text(2);
  record.created = row.Text(3);
  record.updated = row.Text(4);
  record.body = nlohmann::json::parse(row.Text(5), nullptr, false);
  if (record.body.is_discarded()) {
    return Status::Corruption("record " + record.kind + "/" + record.id + ": its stored body is not JSON.");
  }
  return record;
}

bool ContainsIgnoringCase(std::string_view haystack, std::string_view needle) {
  auto found = std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
  });
  return found != haystack.end();
}

}  // namespace

nlohmann::json TenantJson(const Tenant& tenant) {
  return {{"id", tenant.id}, {"name", tenant.name}, {"operator", tenant.is_operator}, {"created", tenant.created}};
}

Status CheckName(std::string_view what, std::string_view name) {
  bool ok = !name.empty() && name.size() <= 64 && std::isalnum(static_cast<unsigned char>(name[0]));
  for (char c : name) {
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.');
  }
  if (!ok) {
    return Status::InvalidArgument(std::string(what) + " \"" + std::string(name.substr(0, 64)) +
                                   "\" is not a valid name; use 1 to 64 of a-z, 0-9, '.', '_' and '-', starting "
                                   "with a letter or digit.");
  }
  return Status::Ok();
}

// ---- Store ----

Result<std::unique_ptr<Store>> Store::Open(std::unique_ptr<Database> database) {
  TUTELA_ASSIGN_OR_RETURN(int version, Migrate(*database));
  (void)version;
  return std::unique_ptr<Store>(new Store(std::move(database)));
}

Result<Tenant> Store::CreateTenant(std::string_view name, bool is_operator) {
  TUTELA_RETURN_IF_ERROR(CheckName("tenant", name));
  Tenant tenant{NewId("tn_"), std::string(name), is_operator, Now()};
  Status status = database_->Transaction([&]() -> Status {
    TUTELA_ASSIGN_OR_RETURN(auto existing, database_->Query("SELECT id FROM tenants WHERE name = ?", {tenant.name}));
    if (!existing.empty()) return Status::AlreadyExists("tenant \"" + tenant.name + "\" already exists.");
    TUTELA_ASSIGN_OR_RETURN(auto inserted,
                            database_->Query("INSERT INTO tenants (id, name, operator, created) VALUES (?, ?, ?, ?)",
                                             {tenant.id, tenant.name, int64_t{is_operator ? 1 : 0}, tenant.created}));
    (void)inserted;
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return tenant;
}

Result<std::vector<Tenant>> Store::ListTenants() {
  TUTELA_ASSIGN_OR_RETURN(auto rows, database_->Query("SELECT id, name, operator, created FROM tenants ORDER BY name"));
  std::vector<Tenant> tenants;
  for (const SqlRow& row : rows) tenants.push_back(ToTenant(row));
  return tenants;
}

Result<std::optional<Tenant>> Store::FindTenantByName(std::string_view name) {
  TUTELA_ASSIGN_OR_RETURN(auto rows, database_->Query("SELECT id, name, operator, created FROM tenants WHERE name = ?",
                                                      {std::string(name)}));
  if (rows.empty()) return std::optional<Tenant>();
  return std::optional<Tenant>(ToTenant(rows[0]));
}

Result<std::optional<Tenant>> Store::GetTenant(std::string_view id) {
  TUTELA_ASSIGN_OR_RETURN(
      auto rows, database_->Query("SELECT id, name, operator, created FROM tenants WHERE id = ?", {std::string(id)}));
  if (rows.empty()) return std::optional<Tenant>();
  return std::optional<Tenant>(ToTenant(rows[0]));
}

Result<std::optional<Session>> Store::FindSession(std::string_view id_digest) {
  TUTELA_ASSIGN_OR_RETURN(auto rows, database_->Query("SELECT id_hash, tenant_id, user_id, csrf, created, expires, "
                                                      "last_seen FROM sessions WHERE id_hash = ?",
                                                      {std::string(id_digest)}));
  if (rows.empty()) return std::optional<Session>();
  const SqlRow& row = rows[0];
  return std::optional<Session>(
      Session{row.Text(0), row.Text(1), row.Text(2), row.Text(3), row.Text(4), row.Text(5), row.Text(6)});
}

Result<std::optional<ApiToken>> Store::FindToken(std::string_view secret_digest) {
  TUTELA_ASSIGN_OR_RETURN(
      auto rows, database_->Query(std::string("SELECT ") + kTokenColumns + " FROM api_tokens WHERE secret_hash = ?",
                                  {std::string(secret_digest)}));
  if (rows.empty()) return std::optional<ApiToken>();
  return std::optional<ApiToken>(ToToken(rows[0]));
}

Status Store::DeleteExpiredSessions(std::string_view now) {
  return database_->Query("DELETE FROM sessions WHERE expires < ?", {std::string(now)}).status();
}

// ---- TenantData: every statement below binds tenant_ ----

Result<User> TenantData::CreateUser(std::string_view name, Role role, std::string password_hash,
                                    bool must_change_password) {
  TUTELA_RETURN_IF_ERROR(CheckName("user", name));
  User user;
  user.id = NewId("us_");
  user.name = name;
  user.role = role;
  user.password_hash = std::move(password_hash);
  user.must_change_password = must_change_password;
  user.created = Now();
  Database& db = store_->database();
  Status status = db.Transaction([&]() -> Status {
    TUTELA_ASSIGN_OR_RETURN(auto existing,
                            db.Query("SELECT id FROM users WHERE tenant_id = ? AND name = ?", {tenant_, user.name}));
    if (!existing.empty()) return Status::AlreadyExists("user \"" + user.name + "\" already exists in this tenant.");
    TUTELA_ASSIGN_OR_RETURN(
        auto inserted,
        db.Query("INSERT INTO users (tenant_id, id, name, role, password_hash, must_change_password, disabled, "
                 "totp_secret, failed_logins, locked_until, created) VALUES (?, ?, ?, ?, ?, ?, 0, NULL, 0, NULL, ?)",
                 {tenant_, user.id, user.name, std::string(RoleName(role)), user.password_hash,
                  int64_t{must_change_password ? 1 : 0}, user.created}));
    (void)inserted;
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return user;
}

Result<std::optional<User>> TenantData::FindUserByName(std::string_view name) {
  TUTELA_ASSIGN_OR_RETURN(auto rows, store_->database().Query(std::string("SELECT ") + kUserColumns +
                                                                  " FROM users WHERE tenant_id = ? AND name = ?",
                                                              {tenant_, std::string(name)}));
  if (rows.empty()) return std::optional<User>();
  return std::optional<User>(ToUser(rows[0]));
}

Result<std::optional<User>> TenantData::GetUser(std::string_view id) {
  TUTELA_ASSIGN_OR_RETURN(auto rows, store_->database().Query(std::string("SELECT ") + kUserColumns +
                                                                  " FROM users WHERE tenant_id = ? AND id = ?",
                                                              {tenant_, std::string(id)}));
  if (rows.empty()) return std::optional<User>();
  return std::optional<User>(ToUser(rows[0]));
}

Result<std::vector<User>> TenantData::ListUsers() {
  TUTELA_ASSIGN_OR_RETURN(auto rows, store_->database().Query(std::string("SELECT ") + kUserColumns +
                                                                  " FROM users WHERE tenant_id = ? ORDER BY name",
                                                              {tenant_}));
  std::vector<User> users;
  for (const SqlRow& row : rows) users.push_back(ToUser(row));
  return users;
}

Status TenantData::UpdateUser(const User& user) {
  return store_->database()
      .Query(
          "UPDATE users SET role = ?, password_hash = ?, must_change_password = ?, disabled = ?, totp_secret = ?, "
          "failed_logins = ?, locked_until = ? WHERE tenant_id = ? AND id = ?",
          {std::string(RoleName(user.role)), user.password_hash, int64_t{user.must_change_password ? 1 : 0},
           int64_t{user.disabled ? 1 : 0}, OrNull(user.totp_secret), user.failed_logins, OrNull(user.locked_until),
           tenant_, user.id})
      .status();
}

Status TenantData::CreateSession(const Session& session) {
  return store_->database()
      .Query(
          "INSERT INTO sessions (id_hash, tenant_id, user_id, csrf, created, expires, last_seen) VALUES "
          "(?, ?, ?, ?, ?, ?, ?)",
          {session.id_digest, tenant_, session.user, session.csrf, session.created, session.expires, session.last_seen})
      .status();
}

Status TenantData::DeleteSession(std::string_view id_digest) {
  return store_->database()
      .Query("DELETE FROM sessions WHERE tenant_id = ? AND id_hash = ?", {tenant_, std::string(id_digest)})
      .status();
}

Status TenantData::DeleteUserSessions(std::string_view user_id, std::string_view keep) {
  return store_->database()
      .Query("DELETE FROM sessions WHERE tenant_id = ? AND user_id = ? AND id_hash <> ?",
             {tenant_, std::string(user_id), std::string(keep)})
      .status();
}

Status TenantData::TouchSession(std::string_view id_digest, std::string_view now) {
  return store_->database()
      .Query("UPDATE sessions SET last_seen = ? WHERE tenant_id = ? AND id_hash = ?",
             {std::string(now), tenant_, std::string(id_digest)})
      .status();
}

Status TenantData::CreateToken(const ApiToken& token, std::string_view secret_digest) {
  return store_->database()
      .Query(
          "INSERT INTO api_tokens (id, secret_hash, tenant_id, user_id, name, role, created, expires, revoked, "
          "last_used) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)",
          {token.id, std::string(secret_digest), tenant_, token.user, token.name, std::string(RoleName(token.role)),
           token.created, OrNull(token.expires)})
      .status();
}

Result<std::vector<ApiToken>> TenantData::ListTokens(std::string_view user_id) {
  std::string sql = std::string("SELECT ") + kTokenColumns + " FROM api_tokens WHERE tenant_id = ?";
  std::vector<SqlParam> params = {tenant_};
  if (!user_id.empty()) {
    sql += " AND user_id = ?";
    params.emplace_back(std::string(user_id));
  }
  TUTELA_ASSIGN_OR_RETURN(auto rows, store_->database().Query(sql + " ORDER BY created", params));
  std::vector<ApiToken> tokens;
  for (const SqlRow& row : rows) tokens.push_back(ToToken(row));
  return tokens;
}

Result<std::optional<ApiToken>> TenantData::GetToken(std::string_view id) {
  TUTELA_ASSIGN_OR_RETURN(auto rows, store_->database().Query(std::string("SELECT ") + kTokenColumns +
                                                                  " FROM api_tokens WHERE tenant_id = ? AND id = ?",
                                                              {tenant_, std::string(id)}));
  if (rows.empty()) return std::optional<ApiToken>();
  return std::optional<ApiToken>(ToToken(rows[0]));
}

Status TenantData::RevokeToken(std::string_view id, std::string_view now) {
  return store_->database()
      .Query("UPDATE api_tokens SET revoked = ? WHERE tenant_id = ? AND id = ? AND revoked IS NULL",
             {std::string(now), tenant_, std::string(id)})
      .status();
}

Status TenantData::TouchToken(std::string_view id, std::string_view now) {
  return store_->database()
      .Query("UPDATE api_tokens SET last_used = ? WHERE tenant_id = ? AND id = ?",
             {std::string(now), tenant_, std::string(id)})
      .status();
}

Status TenantData::Put(Record& record) {
  std::string now = Now();
  if (record.created.empty()) record.created = now;
  record.updated = now;
  return store_->database()
      .Query(
          "INSERT INTO records (tenant_id, kind, id, state, created, updated, body) VALUES (?, ?, ?, ?, ?, ?, ?) "
          "ON CONFLICT (tenant_id, kind, id) DO UPDATE SET state = excluded.state, updated = excluded.updated, "
          "body = excluded.body",
          {tenant_, record.kind, record.id, record.state, record.created, record.updated, DumpJson(record.body)})
      .status();
}

Result<std::optional<Record>> TenantData::Get(std::string_view kind, std::string_view id) {
  TUTELA_ASSIGN_OR_RETURN(auto rows, store_->database().Query("SELECT kind, id, state, created, updated, body FROM "
                                                              "records WHERE tenant_id = ? AND kind = ? AND id = ?",
                                                              {tenant_, std::string(kind), std::string(id)}));
  if (rows.empty()) return std::optional<Record>();
  TUTELA_ASSIGN_OR_RETURN(Record record, ToRecord(rows[0]));
  return std::optional<Record>(std::move(record));
}

Result<std::vector<Record>> TenantData::List(std::string_view kind, const RecordQuery& query) {
  std::string sql = "SELECT kind, id, state, created, updated, body FROM records WHERE tenant_id = ? AND kind = ?";
  std::vector<SqlParam> params = {tenant_, std::string(kind)};
  if (!query.state.empty()) {
    sql += " AND state = ?";
    params.emplace_back(query.state);
  }
  sql += query.newest_first ? " ORDER BY created DESC, id DESC" : " ORDER BY created, id";
  if (query.search.empty()) {
    sql += " LIMIT ? OFFSET ?";
    params.emplace_back(static_cast<int64_t>(query.limit));
    params.emplace_back(static_cast<int64_t>(query.offset));
  }
  TUTELA_ASSIGN_OR_RETURN(auto rows, store_->database().Query(sql, params));
  std::vector<Record> records;
  size_t skipped = 0;
  for (const SqlRow& row : rows) {
    // Search looks at the body as stored; the same rows, the same answer on both engines.
    if (!query.search.empty()) {
      if (!ContainsIgnoringCase(row.Text(5), query.search)) continue;
      if (skipped++ < query.offset) continue;
      if (records.size() >= query.limit) break;
    }
    TUTELA_ASSIGN_OR_RETURN(Record record, ToRecord(row));
    records.push_back(std::move(record));
  }
  return records;
}

Result<size_t> TenantData::Count(std::string_view kind, std::string_view state) {
  std::string sql = "SELECT COUNT(*) FROM records WHERE tenant_id = ? AND kind = ?";
  std::vector<SqlParam> params = {tenant_, std::string(kind)};
  if (!state.empty()) {
    sql += " AND state = ?";
    params.emplace_back(std::string(state));
  }
  TUTELA_ASSIGN_OR_RETURN(auto rows, store_->database().Query(sql, params));
  return static_cast<size_t>(rows.empty() ? 0 : rows[0].Int(0));
}

Status TenantData::Delete(std::string_view kind, std::string_view id) {
  return store_->database()
      .Query("DELETE FROM records WHERE tenant_id = ? AND kind = ? AND id = ?",
             {tenant_, std::string(kind), std::string(id)})
      .status();
}

Status TenantData::Transaction(const std::function<Status()>& work) { return store_->database().Transaction(work); }

}  // namespace tutela::server
