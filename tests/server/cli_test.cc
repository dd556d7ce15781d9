// `tutela tenants`, `tutela users` and `tutela serve` as a user runs them: the real binary, a real data folder, a real
// listening socket (plain and TLS), stopped with SIGTERM.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <chrono>
#include <future>
#include <nlohmann/json.hpp>
#include <thread>

#include "test_support.h"

namespace tutela::testing {
namespace {

// Runs `tutela serve ARGS --port-file ...` in the background; Stop() sends SIGTERM and returns how it ended.
class Served {
 public:
  Served(const TempDir& dir, std::vector<std::string> args) : dir_(dir) {
    std::string command = "exec '" + TutelaBinary().string() + "' serve";
    for (const std::string& arg : args) command += " '" + arg + "'";
    command += " --port-file '" + (dir / "port").string() + "'";
    result_ = std::async(std::launch::async, [this, command] {
      return RunProcess({"sh", "-c", "echo $$ > '" + (dir_ / "pid").string() + "'; " + command});
    });
    for (int i = 0; i < 300 && port_ == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      if (std::filesystem::exists(dir / "port")) port_ = std::stoi(ReadFile(dir / "port"));
      if (result_.wait_for(std::chrono::seconds(0)) == std::future_status::ready) break;
    }
  }
  int port() const { return port_; }
  ProcessResult Stop() {
    if (std::filesystem::exists(dir_ / "pid")) ::kill(std::stoi(ReadFile(dir_ / "pid")), SIGTERM);
    return result_.get();
  }

 private:
  const TempDir& dir_;
  int port_ = 0;
  std::future<ProcessResult> result_;
};

TEST(ServeCliTest, InitialisesTenantsAndUsersFromTheCommandLine) {
  TempDir dir;
  std::string data = (dir / "data").string();
  auto init = RunTutela({"tenants", "init", "--data", data, "--tenant", "provider"});
  ASSERT_EQ(init.exit_code, 0) << init.err;
  EXPECT_NE(init.err.find("one-time password: "), std::string::npos) << init.err;
  EXPECT_NE(init.err.find("tenant \"provider\", user \"admin\""), std::string::npos) << init.err;
  auto again = RunTutela({"tenants", "init", "--data", data});
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_EQ(again.err.find("one-time password"), std::string::npos) << again.err;
  EXPECT_EQ(RunTutela({"tenants", "add", "--data", data, "acme"}).exit_code, 0);
  auto duplicate = RunTutela({"tenants", "add", "--data", data, "acme"});
  EXPECT_EQ(duplicate.exit_code, 2);
  EXPECT_NE(duplicate.err.find("already exists"), std::string::npos) << duplicate.err;
  WriteFile(dir / "short", "tooshort\n");
  auto weak = RunTutela({"users", "add", "--data", data, "--tenant", "acme", "--name", "carol", "--role", "compliance",
                         "--password-file", (dir / "short").string()});
  EXPECT_EQ(weak.exit_code, 2);
  EXPECT_NE(weak.err.find("shorter than 12"), std::string::npos) << weak.err;
  WriteFile(dir / "pw", "correct horse battery\n");
  auto role = RunTutela({"users", "add", "--data", data, "--tenant", "acme", "--name", "carol", "--role", "root",
                         "--password-file", (dir / "pw").string()});
  EXPECT_EQ(role.exit_code, 2);
  EXPECT_NE(role.err.find("is not a role"), std::string::npos) << role.err;
  auto nowhere = RunTutela({"users", "add", "--data", data, "--tenant", "initech", "--name", "carol", "--role",
                            "compliance", "--password-file", (dir / "pw").string()});
  EXPECT_EQ(nowhere.exit_code, 2);
  EXPECT_NE(nowhere.err.find("tenant \"initech\" does not exist"), std::string::npos) << nowhere.err;
  ASSERT_EQ(RunTutela({"users", "add", "--data", data, "--tenant", "acme", "--name", "carol", "--role", "compliance",
                       "--password-file", (dir / "pw").string()})
                .exit_code,
            0);
  auto list = RunTutela({"tenants", "list", "--data", data, "--format", "json"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  auto tenants = nlohmann::json::parse(list.out)["tenants"];
  ASSERT_EQ(tenants.size(), 2u);
  EXPECT_EQ(tenants[0]["name"], "acme");
  EXPECT_EQ(tenants[1]["operator"], true);

  // Served: the user logs in over HTTP (the trailing newline of the password file is not part of the password).
  Served served(dir, {"--data", data, "--listen", "127.0.0.1:0"});
  ASSERT_GT(served.port(), 0);
  httplib::Client client("127.0.0.1", served.port());
  auto login =
      client.Post("/api/v1/login", R"({"tenant":"acme","username":"carol","password":"correct horse battery"})",
                  "application/json");
  ASSERT_TRUE(login);
  EXPECT_EQ(login->status, 200) << login->body;
  auto stopped = served.Stop();
  EXPECT_EQ(stopped.exit_code, 0) << stopped.err;
  EXPECT_NE(stopped.err.find("serving the compliance centre on http://127.0.0.1:"), std::string::npos) << stopped.err;
}

// Regression: `tenants list --data /mistyped` created the folder and a database, printed nothing and exited 0.
TEST(ServeCliTest, TenantsAndUsersCommandsOnAMissingDataFolderSayToInitAndCreateNothing) {
  TempDir dir;
  std::string data = (dir / "typo").string();
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"tenants", "list", "--data", data},
        std::vector<std::string>{"tenants", "add", "--data", data, "acme"},
        std::vector<std::string>{"users", "add", "--data", data, "--tenant", "acme", "--name", "carol", "--role",
                                 "compliance", "--one-time"}}) {
    auto result = RunTutela(args);
    EXPECT_EQ(result.exit_code, 2) << args[0] << " " << args[1];
    EXPECT_NE(result.err.find(data + ": not an initialised server data folder; create it with `tutela tenants init"),
              std::string::npos)
        << result.err;
    EXPECT_FALSE(std::filesystem::exists(data)) << args[0] << " " << args[1] << " created the folder";
  }
  std::filesystem::create_directories(dir / "empty");
  auto empty = RunTutela({"tenants", "list", "--data", (dir / "empty").string()});
  EXPECT_EQ(empty.exit_code, 2);
  EXPECT_TRUE(std::filesystem::is_empty(dir / "empty")) << "no database is created";
}

TEST(ServeCliTest, WarnsWithoutTlsBeyondLoopbackAndServesHttpsWithACertificate) {
  TempDir dir;
  std::string data = (dir / "data").string();
  Served open(dir, {"--data", data, "--listen", "0.0.0.0:0"});
  ASSERT_GT(open.port(), 0);
  auto plain = open.Stop();
  EXPECT_NE(plain.err.find("warning: listening on 0.0.0.0:0 without TLS"), std::string::npos) << plain.err;
  EXPECT_NE(plain.err.find("one-time password"), std::string::npos) << plain.err;  // a new folder is initialised

  auto made = RunProcess({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                          "/CN=localhost", "-keyout", (dir / "key.pem").string(), "-out", (dir / "cert.pem").string()});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  std::filesystem::remove(dir / "port");
  Served tls(dir, {"--data", data, "--listen", "127.0.0.1:0", "--tls-cert", (dir / "cert.pem").string(), "--tls-key",
                   (dir / "key.pem").string()});
  ASSERT_GT(tls.port(), 0);
  httplib::SSLClient client("127.0.0.1", tls.port());
  client.enable_server_certificate_verification(false);
  auto page = client.Get("/api/v1/openapi.json");
  ASSERT_TRUE(page) << httplib::to_string(page.error());
  EXPECT_EQ(page->status, 200);
  EXPECT_EQ(page->get_header_value("Strict-Transport-Security"), "max-age=31536000");
  auto login =
      client.Post("/api/v1/login", R"({"tenant":"operator","username":"admin","password":"x"})", "application/json");
  ASSERT_TRUE(login);
  EXPECT_EQ(login->status, 401);
  EXPECT_EQ(httplib::Client("127.0.0.1", tls.port()).Get("/api/v1/openapi.json").error() == httplib::Error::Success,
            false);  // no plain HTTP on the TLS port
  auto stopped = tls.Stop();
  EXPECT_NE(stopped.err.find("https://127.0.0.1:"), std::string::npos) << stopped.err;
}

TEST(ServeCliTest, BadSettingsAreOneClearSentence) {
  TempDir dir;
  auto database = RunTutela({"serve", "--data", (dir / "d").string(), "--database", "mysql://x"});
  EXPECT_EQ(database.exit_code, 2);
  EXPECT_NE(database.err.find("--database mysql://x: expected sqlite:PATH or postgresql://"), std::string::npos)
      << database.err;
  auto listen = RunTutela({"serve", "--data", (dir / "d").string(), "--listen", "localhost"});
  EXPECT_EQ(listen.exit_code, 2);
  EXPECT_NE(listen.err.find("must be HOST:PORT"), std::string::npos) << listen.err;
  auto half = RunTutela({"serve", "--data", (dir / "d").string(), "--tls-cert", "x.pem"});
  EXPECT_EQ(half.exit_code, 2);
  EXPECT_NE(half.err.find("--tls-cert and --tls-key go together"), std::string::npos) << half.err;
  auto postgres = RunTutela({"serve", "--data", (dir / "d").string(), "--database",
                             "postgresql://u:secret@/db?host=" + (dir / "nowhere").string()});
  EXPECT_EQ(postgres.exit_code, 2);
  EXPECT_NE(postgres.err.find("cannot connect to PostgreSQL"), std::string::npos) << postgres.err;
  EXPECT_EQ(postgres.err.find("secret"), std::string::npos) << postgres.err;
}

}  // namespace
}  // namespace tutela::testing
