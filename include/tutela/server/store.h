// The server's data layer, and the one place where tenants are kept apart.
//
// Store holds what exists across tenants: the tenants themselves, and the lookups of a presented credential (a
// session id or an API token, each found by its SHA-256 digest) that tell which tenant and user a request is from.
// Everything that belongs to a tenant — users, sessions, tokens and every record (assessments, exceptions, jobs,
// scans, incidents, ...) — is reachable only through a TenantData, which Store hands out for one tenant id and which
// binds that id into every statement it runs. Handlers never write SQL and never see a tenant id they could swap:
// a foreign id simply is not found (the API answers 404).
//
// Records are JSON documents with a kind, an id, a state and timestamps; their bodies follow the formats of
// docs/server.md.
//
// Ownership: Store owns the Database; a TenantData borrows the Store and must not outlive it.
// Thread-safety: all methods may be called from many threads.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tutela/core/status.h"
#include "tutela/server/auth.h"
#include "tutela/server/database.h"

namespace tutela::server {

struct Tenant {
  std::string id;
  std::string name;
  bool is_operator = false;  // the tenant created at init: its admins manage the other tenants
  std::string created;
};

// {id, name, operator, created}: the API's and `tutela tenants list --format json`'s view of a tenant.
nlohmann::json TenantJson(const Tenant& tenant);

struct User {
  std::string id;
  std::string name;
  Role role = Role::kAuditor;
  std::string password_hash;  // Argon2id PHC string
  bool must_change_password = false;
  bool disabled = false;
  std::string totp_secret;  // base32; empty: no second factor
  int64_t failed_logins = 0;
  std::string locked_until;  // RFC 3339; empty: not locked
  std::string created;
};

struct Session {
  std::string id_digest;  // SHA-256 of the cookie value
  std::string tenant;
  std::string user;
  std::string csrf;
  std::string created;
  std::string expires;
  std::string last_seen;
};

struct ApiToken {
  std::string id;
  std::string tenant;
  std::string user;
  std::string name;
  Role role = Role::kAuditor;  // the token acts with this role, never more than its user's
  std::string created;
  std::string expires;  // empty: does not expire
  std::string revoked;  // RFC 3339 when revoked
  std::string last_used;
};

struct Record {
  std::string kind;
  std::string id;
  std::string state;
  std::string created;
  std::string updated;
  nlohmann::json body;
};

struct RecordQuery {
  std::string state;   // only this state; empty: any
  std::string search;  // only records whose body contains this text (case-sensitive); empty: all
  size_t limit = 100;
  size_t offset = 0;
  bool newest_first = true;
};

class Store;

class TenantData {
 public:
  const std::string& tenant_id() const { return tenant_; }

  // Users. AlreadyExists when the name is taken in this tenant.
  Result<User> CreateUser(std::string_view name, Role role, std::string password_hash, bool must_change_password);
  Result<std::optional<User>> FindUserByName(std::string_view name);
  Result<std::optional<User>> GetUser(std::string_view id);
  Result<std::vector<User>> ListUsers();
  Status UpdateUser(const User& user);

  // Sessions of this tenant's users.
  Status CreateSession(const Session& session);
  Status DeleteSession(std::string_view id_digest);
  // Ends every session of the user but `keep` (a session digest; empty: none kept).
  Status DeleteUserSessions(std::string_view user_id, std::string_view keep = {});
  Status TouchSession(std::string_view id_digest, std::string_view now);

  // API tokens.
  Status CreateToken(const ApiToken& token, std::string_view secret_digest);
  Result<std::vector<ApiToken>> ListTokens(std::string_view user_id);  // empty user: every token of the tenant
  Result<std::optional<ApiToken>> GetToken(std::string_view id);
  Status RevokeToken(std::string_view id, std::string_view now);
  Status TouchToken(std::string_view id, std::string_view now);

  // Records. Put inserts or replaces (created is kept on replace); Get is nullopt for an id of another kind or tenant.
  Status Put(Record& record);
  Result<std::optional<Record>> Get(std::string_view kind, std::string_view id);
  Result<std::vector<Record>> List(std::string_view kind, const RecordQuery& query = {});
  Result<size_t> Count(std::string_view kind, std::string_view state = {});
  Status Delete(std::string_view kind, std::string_view id);

  // Runs `work` in one database transaction (for read-modify-write of records).
  Status Transaction(const std::function<Status()>& work);

 private:
  friend class Store;
  TenantData(Store& store, std::string tenant) : store_(&store), tenant_(std::move(tenant)) {}
  Store* store_;
  std::string tenant_;
};

class Store {
 public:
  // Migrates the schema and returns the store.
  static Result<std::unique_ptr<Store>> Open(std::unique_ptr<Database> database);

  Database& database() { return *database_; }

  // Tenants. Names: 1–64 of [a-z0-9-], starting with a letter. AlreadyExists for a taken name.
  Result<Tenant> CreateTenant(std::string_view name, bool is_operator);
  Result<std::vector<Tenant>> ListTenants();
  Result<std::optional<Tenant>> FindTenantByName(std::string_view name);
  Result<std::optional<Tenant>> GetTenant(std::string_view id);

  // The one door to a tenant's data.
  TenantData ForTenant(const std::string& tenant_id) { return TenantData(*this, tenant_id); }

  // A presented credential, looked up by its digest across tenants (the credential names its tenant).
  Result<std::optional<Session>> FindSession(std::string_view id_digest);
  Result<std::optional<ApiToken>> FindToken(std::string_view secret_digest);
  // Removes sessions that expired before `now`.
  Status DeleteExpiredSessions(std::string_view now);

 private:
  explicit Store(std::unique_ptr<Database> database) : database_(std::move(database)) {}
  std::unique_ptr<Database> database_;
};

// Checks a tenant or user name: 1–64 characters of [a-z0-9._-] starting with a letter or digit.
Status CheckName(std::string_view what, std::string_view name);

}  // namespace tutela::server
