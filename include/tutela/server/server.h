// tutela serve: the compliance centre — a JSON API under /api/v1/ and the web UI, over every engine, with tenants,
// users, roles, sessions and API tokens (docs/server.md).
//
// A data folder holds everything one deployment keeps: the SQLite database (unless --database names PostgreSQL),
// uploaded plans and results (blobs/), and the tamper-evident audit ledger of security-relevant actions
// (audit.log, RFC 9162 via the ledger module).
//
// Ownership: a Server owns its store, catalog, checks, ledger and worker threads. Thread-safety: Stop() may be called
// from any thread while Run() blocks in another; everything else is called from one thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "tutela/core/status.h"
#include "tutela/server/auth.h"
#include "tutela/server/store.h"

namespace tutela::server {

struct ServerOptions {
  std::filesystem::path data;  // the data folder (created when missing)
  std::string database;        // "" (SQLite in the data folder), "sqlite:PATH" or "postgresql://..."
  std::string host = "127.0.0.1";
  int port = 8080;                 // 0: any free port (see Server::port())
  std::filesystem::path tls_cert;  // PEM; with tls_key, serve HTTPS only
  std::filesystem::path tls_key;
  std::vector<std::filesystem::path> catalog_dirs;  // read after the built-in catalog (e.g. a provider portfolio)
  std::filesystem::path checks;                     // empty: the built-in checks
  std::filesystem::path vault;                      // a vault data folder to browse read-only; empty: none
  // This instance's name when several share the database and the data folder: each writes its own audit ledger
  // (audit-NAME.log; a ledger has one writer) and reads all of them. Empty: audit.log.
  std::string instance;
  size_t job_threads = 1;     // assessments and scans run on these
  int max_failed_logins = 5;  // then the account is locked for `lockout`
  std::chrono::seconds lockout = std::chrono::minutes(15);
  std::chrono::seconds session_idle = std::chrono::hours(1);
  std::chrono::seconds session_lifetime = std::chrono::hours(12);
  size_t max_upload_bytes = size_t{1} << 30;
};

// This instance's audit ledger in the data folder: audit.log, or audit-INSTANCE.log.
std::filesystem::path AuditLogPath(const ServerOptions& options);

struct InitResult {
  Tenant tenant;
  std::string admin;
  std::string one_time_password;  // empty when the folder was already initialised
};

// Creates the data folder and its database; when no tenant exists yet, creates the operator tenant and its first
// admin with a one-time password that must be changed at first login.
Result<InitResult> InitDataFolder(const ServerOptions& options, std::string_view tenant = "operator",
                                  std::string_view admin = "admin");
// `tutela tenants add`: AlreadyExists for a taken name.
Result<Tenant> AddTenant(const ServerOptions& options, std::string_view name);
// `tutela users add`: NotFound for an unknown tenant; InvalidArgument for a short password.
Result<User> AddUser(const ServerOptions& options, std::string_view tenant, std::string_view name, Role role,
                     std::string_view password, bool must_change_password = false);
// `tutela tenants list`.
Result<std::vector<Tenant>> ListTenants(const ServerOptions& options);

// One route of the API, as registered (the OpenAPI document is checked against these).
struct RouteInfo {
  std::string method;  // "GET", "POST", "PUT", "DELETE"
  std::string path;    // OpenAPI form: /api/v1/assessments/{id}
  bool authenticated = true;
  std::vector<Role> roles;  // who may call it; empty with authenticated: every role
  std::string summary;
};

class Server {
 public:
  // Opens the data folder (initialising it when new), loads the catalog and the checks, opens the ledger, and marks
  // jobs a previous process left unfinished as failed.
  static Result<std::unique_ptr<Server>> Open(ServerOptions options);
  ~Server();

  // Binds the listening socket. IoError naming host:port when it is taken.
  Status Bind();
  int port() const;
  // Serves until Stop(); in-flight requests and running jobs finish first.
  Status Run();
  void Stop();

  const std::vector<RouteInfo>& routes() const;
  // Initialisation printed at Open() when the folder was new (the one-time admin password), else empty.
  const InitResult& init() const;

  struct Impl;

 private:
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tutela::server
