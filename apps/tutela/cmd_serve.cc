// tutela serve | tenants init|add|list | users add — glue over server::Server and the data-folder functions.
#include <pthread.h>
#include <signal.h>

#include <fstream>
#include <thread>

#include "commands.h"
#include "tutela/core/data.h"
#include "tutela/core/file_util.h"
#include "tutela/server/server.h"

namespace tutela::cli {
namespace {

struct ServeOptions {
  std::string data;
  std::string database;
  std::string listen = "127.0.0.1:8080";
  std::string tls_cert;
  std::string tls_key;
  std::vector<std::string> catalog_dirs;
  std::string vault;
  std::string instance;
  std::string port_file;
  size_t job_threads = 1;
  // tenants / users
  std::string name;
  std::string tenant;
  std::string role;
  std::string password_file;
  std::string admin = "admin";
  bool one_time = false;
};

server::ServerOptions ToServerOptions(const ServeOptions& options) {
  server::ServerOptions out;
  out.data = options.data;
  out.database = options.database;
  out.tls_cert = options.tls_cert;
  out.tls_key = options.tls_key;
  for (const std::string& dir : options.catalog_dirs) out.catalog_dirs.emplace_back(dir);
  out.job_threads = options.job_threads;
  out.vault = options.vault;
  out.instance = options.instance;
  return out;
}

bool IsLoopback(const std::string& host) {
  return host == "127.0.0.1" || host == "localhost" || host == "::1" || host.starts_with("127.");
}

void PrintOneTimePassword(const Context& context, const server::InitResult& init) {
  if (init.one_time_password.empty()) return;
  // Printed to stderr even with --quiet: it is shown once and there is no other way to get in.
  std::fprintf(stderr,
               "tutela: initialised; log in as tenant \"%s\", user \"%s\", one-time password: %s\n"
               "tutela: the password must be changed at first login.\n",
               init.tenant.name.c_str(), init.admin.c_str(), init.one_time_password.c_str());
  (void)context;
}

int RunServe(const Context& context, const ServeOptions& options) {
  server::ServerOptions server_options = ToServerOptions(options);
  if (Status listen = ParseListen(options.listen, &server_options.host, &server_options.port); !listen.ok()) {
    return ReportError(listen);
  }
  if (!IsLoopback(server_options.host) && server_options.tls_cert.empty()) {
    Warn("listening on " + options.listen +
         " without TLS: passwords and session cookies cross the network in the clear; give --tls-cert and "
         "--tls-key, or put a TLS proxy in front.");
  }
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto opened = server::Server::Open(server_options);
  if (!opened.ok()) return ReportError(opened.status());
  server::Server& server = **opened;
  PrintOneTimePassword(context, server.init());
  if (Status bound = server.Bind(); !bound.ok()) return ReportError(bound);
  if (!options.port_file.empty()) {
    if (Status written = WriteFileAtomic(options.port_file, std::to_string(server.port()) + "\n"); !written.ok()) {
      return ReportError(written);
    }
  }
  std::string scheme = server_options.tls_cert.empty() ? "http" : "https";
  Info(context, "serving the compliance centre on " + scheme + "://" + server_options.host + ":" +
                    std::to_string(server.port()) + "/ (data " + options.data + ")");
  std::thread waiter([&server, signals] {
    int received = 0;
    sigwait(&signals, &received);
    server.Stop();
  });
  Status ran = server.Run();
  pthread_kill(waiter.native_handle(), SIGTERM);  // wake the waiter if the server stopped by itself
  waiter.join();
  Info(context, "stopped");
  return ran.ok() ? kExitClean : ReportError(ran);
}

int RunTenantsInit(const Context& context, const ServeOptions& options) {
  std::string tenant = options.tenant.empty() ? "operator" : options.tenant;
  auto init = server::InitDataFolder(ToServerOptions(options), tenant, options.admin);
  if (!init.ok()) return ReportError(init.status());
  if (init->one_time_password.empty()) {
    Info(context, options.data + " is already initialised (operator tenant \"" + init->tenant.name + "\").");
    return kExitClean;
  }
  PrintOneTimePassword(context, *init);
  return kExitClean;
}

int RunTenantsAdd(const Context& context, const ServeOptions& options) {
  auto tenant = server::AddTenant(ToServerOptions(options), options.name);
  if (!tenant.ok()) return ReportError(tenant.status());
  Info(context, "tenant \"" + tenant->name + "\" added (" + tenant->id + "); add its users with `tutela users add`.");
  return kExitClean;
}

int RunTenantsList(const Context& context, const ServeOptions& options) {
  auto format = context.Format("tenants list", "table", {"table", "json"});
  if (!format.ok()) return ReportError(format.status());
  auto tenants = server::ListTenants(ToServerOptions(options));
  if (!tenants.ok()) return ReportError(tenants.status());
  std::string out;
  if (*format == "json") {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& tenant : *tenants) list.push_back(server::TenantJson(tenant));
    out = DumpJson(nlohmann::json{{"tenants", list}}, 2) + "\n";
  } else {
    for (const auto& tenant : *tenants) {
      out += tenant.name + (tenant.is_operator ? " (operator)" : "") + "  " + tenant.id + "  " + tenant.created + "\n";
    }
  }
  if (Status written = WriteOutput(context, out); !written.ok()) return ReportError(written);
  return kExitClean;
}

int RunUsersAdd(const Context& context, const ServeOptions& options) {
  auto role = server::ParseRole(options.role);
  if (!role) {
    return ReportError(Status::InvalidArgument("--role \"" + options.role +
                                               "\" is not a role; use admin, compliance, privacy, auditor or "
                                               "customer."));
  }
  if (options.one_time == !options.password_file.empty()) {
    return ReportError(Status::InvalidArgument("give either --password-file FILE or --one-time."));
  }
  std::string text;
  if (options.one_time) {
    text = server::NewOneTimePassword();
  } else {
    auto password = ReadFile(options.password_file, 4096);
    if (!password.ok()) return ReportError(password.status().WithContext("--password-file"));
    text = *password;
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  }
  auto user = server::AddUser(ToServerOptions(options), options.tenant, options.name, *role, text, options.one_time);
  if (!user.ok()) {
    return ReportError(options.one_time ? user.status() : user.status().WithContext(options.password_file));
  }
  Info(context, "user \"" + user->name + "\" (" + options.role + ") added to tenant \"" + options.tenant + "\".");
  if (options.one_time) {
    // Shown once, even with --quiet: there is no other way to get in.
    std::fprintf(stderr, "tutela: one-time password for \"%s\" in tenant \"%s\": %s (to be changed at first login)\n",
                 user->name.c_str(), options.tenant.c_str(), text.c_str());
  }
  return kExitClean;
}

void AddDataOption(CLI::App* command, ServeOptions& options) {
  command->add_option("--data", options.data, "The server's data folder")->required();
  command->add_option("--database", options.database,
                      "sqlite:PATH or postgresql://USER@HOST:PORT/DB (default: SQLite in the data folder)");
}

}  // namespace

void AddServeCommands(CLI::App& app, Context& context) {
  auto options = std::make_shared<ServeOptions>();
  CLI::App* serve = app.add_subcommand("serve", "Serve the compliance centre: HTTP API and web UI (docs/server.md)");
  AddDataOption(serve, *options);
  serve->add_option("--listen", options->listen, "HOST:PORT to listen on (default 127.0.0.1:8080; port 0: any)");
  serve->add_option("--tls-cert", options->tls_cert, "PEM certificate: serve HTTPS only");
  serve->add_option("--tls-key", options->tls_key, "PEM private key of --tls-cert");
  serve->add_option("--catalog-dir", options->catalog_dirs, "Extra catalog folder, e.g. a provider portfolio");
  serve->add_option("--vault", options->vault, "A vault data folder to browse (read-only) in the UI and API");
  serve->add_option("--instance", options->instance,
                    "This instance's name when several share the database and data folder (its own audit ledger)");
  serve->add_option("--jobs", options->job_threads, "Worker threads for assessments and scans (default 1)")
      ->check(CLI::Range(0, kMaxThreads));
  serve->add_option("--port-file", options->port_file, "Write the bound port here once listening (tests, scripts)");
  serve->callback([&context, options] { context.run = [&context, options] { return RunServe(context, *options); }; });

  CLI::App* tenants = app.add_subcommand("tenants", "Tenants of a server data folder");
  tenants->require_subcommand(1);
  CLI::App* init = tenants->add_subcommand(
      "init", "Create the data folder, its operator tenant and first admin (prints a one-time password)");
  AddDataOption(init, *options);
  init->add_option("--tenant", options->tenant, "The operator tenant's name (default operator)");
  init->add_option("--admin", options->admin, "The first admin's user name (default admin)");
  init->callback(
      [&context, options] { context.run = [&context, options] { return RunTenantsInit(context, *options); }; });
  CLI::App* add = tenants->add_subcommand("add", "Add a tenant");
  AddDataOption(add, *options);
  add->add_option("NAME", options->name, "Tenant name: a-z, 0-9, '.', '_' and '-'")->required();
  add->callback(
      [&context, options] { context.run = [&context, options] { return RunTenantsAdd(context, *options); }; });
  CLI::App* list = tenants->add_subcommand("list", "List the tenants");
  AddDataOption(list, *options);
  list->callback(
      [&context, options] { context.run = [&context, options] { return RunTenantsList(context, *options); }; });

  CLI::App* users = app.add_subcommand("users", "Users of a server data folder");
  users->require_subcommand(1);
  CLI::App* user_add = users->add_subcommand("add", "Add a user to a tenant");
  AddDataOption(user_add, *options);
  user_add->add_option("--tenant", options->tenant, "The tenant's name")->required();
  user_add->add_option("--name", options->name, "The user name")->required();
  user_add->add_option("--role", options->role, "admin, compliance, privacy, auditor or customer")->required();
  user_add->add_option("--password-file", options->password_file, "A file holding the password (12+ characters)");
  user_add->add_flag("--one-time", options->one_time,
                     "Make a one-time password instead (printed once; to be changed at first login)");
  user_add->callback(
      [&context, options] { context.run = [&context, options] { return RunUsersAdd(context, *options); }; });
}

}  // namespace tutela::cli
