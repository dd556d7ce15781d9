// The server test fixture: a real Server on a loopback port over a fresh data folder, on SQLite or on a real
// PostgreSQL server (one per test binary, a new database per test), with tenants "acme" and "globex" and their users
// (every role), plus an HTTP client with its own cookie jar. Parameterise a suite with ::testing::Values("sqlite",
// "postgresql").
#pragma once

#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "test_support.h"
#include "tutela/server/server.h"

namespace tutela::server {

using nlohmann::json;
using testing::PostgresServer;
using testing::ReadFile;
using testing::SourceDir;
using testing::TempDir;

inline constexpr const char* kPassword = "correct horse battery";

struct Response {
  int status = 0;
  json body;
  httplib::Headers headers;
  std::string raw;
};

// One HTTP client with its own cookie jar, CSRF token and optional bearer token.
class Client {
 public:
  explicit Client(int port) : client_("127.0.0.1", port) { client_.set_read_timeout(60, 0); }

  Response Call(const std::string& method, const std::string& path, const std::string& body = "", bool send_csrf = true,
                const std::string& content_type = "application/json") {
    httplib::Headers headers;
    if (!cookie_.empty()) headers.emplace("Cookie", cookie_);
    if (!bearer_.empty()) headers.emplace("Authorization", "Bearer " + bearer_);
    if (send_csrf && !csrf_.empty() && method != "GET") headers.emplace("X-CSRF-Token", csrf_);
    httplib::Result result = method == "GET"     ? client_.Get(path, headers)
                             : method == "POST"  ? client_.Post(path, headers, body, content_type)
                             : method == "PUT"   ? client_.Put(path, headers, body, content_type)
                             : method == "PATCH" ? client_.Patch(path, headers, body, content_type)
                                                 : client_.Delete(path, headers, body, content_type);
    Response response;
    if (!result) return response;
    response.status = result->status;
    response.headers = result->headers;
    response.raw = result->body;
    response.body = json::parse(result->body, nullptr, false);
    for (const auto& [name, value] : result->headers) {
      if (name == "Set-Cookie" && value.starts_with("tutela_session=")) cookie_ = value.substr(0, value.find(';'));
    }
    return response;
  }
  Response Get(const std::string& path) { return Call("GET", path); }
  Response Post(const std::string& path, const json& body = json::object()) { return Call("POST", path, body.dump()); }

  Response Login(const std::string& tenant, const std::string& user, const std::string& password = kPassword,
                 const std::string& totp = "") {
    json body = {{"tenant", tenant}, {"username", user}, {"password", password}};
    if (!totp.empty()) body["totp"] = totp;
    Response response = Call("POST", "/api/v1/login", body.dump());
    if (response.status == 200) csrf_ = response.body.value("csrf_token", "");
    return response;
  }

  std::string cookie_;
  std::string csrf_;
  std::string bearer_;

 private:
  httplib::Client client_;
};

// A small valid PDF written by hand: one page per text, Helvetica, the font and the media box inherited from the page
// tree (as many real PDFs do), and an exact cross-reference table.
inline std::string MakePdf(const std::vector<std::string>& texts) {
  std::vector<std::string> objects;
  size_t count = texts.size();
  // 1 catalog, 2 pages, 3 font, then per page: page, contents.
  std::string kids;
  for (size_t i = 0; i < count; ++i) kids += std::to_string(4 + 2 * i) + " 0 R ";
  objects.push_back("<< /Type /Catalog /Pages 2 0 R >>");
  objects.push_back("<< /Type /Pages /Kids [" + kids + "] /Count " + std::to_string(count) +
                    " /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> >>");
  objects.push_back("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>");
  for (size_t i = 0; i < count; ++i) {
    objects.push_back("<< /Type /Page /Parent 2 0 R /Contents " + std::to_string(5 + 2 * i) + " 0 R >>");
    std::string content = "BT /F1 20 Tf 72 700 Td (" + texts[i] + ") Tj ET";
    objects.push_back("<< /Length " + std::to_string(content.size()) + " >>\nstream\n" + content + "\nendstream");
  }
  std::string pdf = "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n";
  std::vector<size_t> offsets;
  for (size_t i = 0; i < objects.size(); ++i) {
    offsets.push_back(pdf.size());
    pdf += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
  }
  size_t xref = pdf.size();
  pdf += "xref\n0 " + std::to_string(objects.size() + 1) + "\n0000000000 65535 f \n";
  for (size_t offset : offsets) {
    char line[32];
    std::snprintf(line, sizeof line, "%010zu 00000 n \n", offset);
    pdf += line;
  }
  pdf += "trailer\n<< /Size " + std::to_string(objects.size() + 1) + " /Root 1 0 R >>\nstartxref\n" +
         std::to_string(xref) + "\n%%EOF\n";
  return pdf;
}

inline std::string Backend(const ::testing::TestParamInfo<std::string>& info) { return info.param; }

class ServerFixture : public ::testing::TestWithParam<std::string> {
 protected:
  static void SetUpTestSuite() {}
  static void TearDownTestSuite() { postgres_.reset(); }

  // Adjust options_ (e.g. options_.vault) in a subclass's SetUp before calling this.
  void SetUp() override {
    options_.data = dir_.path() / "data";
    options_.port = 0;
    options_.max_failed_logins = 3;
    if (GetParam() == "postgresql") {
      if (!postgres_) {
        std::string why;
        bool skip = false;
        postgres_ = PostgresServer::Start(&why, &skip);
        if (skip) GTEST_SKIP() << why;
        ASSERT_NE(postgres_, nullptr) << why;
      }
      std::string database = "t" + std::to_string(++databases_);
      auto created = postgres_->Psql("CREATE DATABASE " + database);
      ASSERT_EQ(created.exit_code, 0) << created.err;
      options_.database = postgres_->Uri("tutela", database);
    }
    auto init = InitDataFolder(options_, "provider", "root");
    ASSERT_TRUE(init.ok()) << init.status().ToString();
    one_time_password_ = init->one_time_password;
    for (const char* tenant : {"acme", "globex"}) ASSERT_TRUE(AddTenant(options_, tenant).ok());
    for (const auto& [tenant, user, role] :
         std::vector<std::tuple<std::string, std::string, Role>>{{"acme", "admin", Role::kAdmin},
                                                                 {"acme", "carol", Role::kCompliance},
                                                                 {"acme", "dave", Role::kCompliance},
                                                                 {"acme", "erin", Role::kAuditor},
                                                                 {"acme", "cust", Role::kCustomer},
                                                                 {"acme", "pat", Role::kPrivacy},
                                                                 {"globex", "admin", Role::kAdmin},
                                                                 {"globex", "gina", Role::kCompliance}}) {
      auto added = AddUser(options_, tenant, user, role, kPassword);
      ASSERT_TRUE(added.ok()) << added.status().ToString();
    }
    auto server = Server::Open(options_);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(*server);
    ASSERT_TRUE(server_->Bind().ok());
    thread_ = std::thread([this] { (void)server_->Run(); });
    // Wait until it answers.
    for (int i = 0; i < 100; ++i) {
      if (Client(server_->port()).Get("/api/v1/openapi.json").status == 200) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

  void TearDown() override {
    if (server_) {
      server_->Stop();
      thread_.join();
      server_.reset();
    }
  }

  Client As(const std::string& tenant, const std::string& user) {
    Client client(server_->port());
    Response login = client.Login(tenant, user);
    EXPECT_EQ(login.status, 200) << tenant << "/" << user << ": " << login.raw;
    return client;
  }

  // Uploads the example plan and waits for its job; returns the assessment id.
  std::string Assess(Client& client, const std::string& query = "") {
    std::string plan = ReadFile(SourceDir() / "examples/assess/plan.json");
    Response created = client.Call("POST", "/api/v1/assessments" + query, plan);
    EXPECT_EQ(created.status, 202) << created.raw;
    std::string job = created.body.value("job", "");
    for (int i = 0; i < 600; ++i) {
      Response status = client.Get("/api/v1/jobs/" + job);
      std::string state = status.body.value("state", "");
      if (state == "done") break;
      EXPECT_NE(state, "failed") << status.raw;
      if (state == "failed") break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return created.body.value("id", "");
  }

  // The tenant's audit entries (newest first), read as its admin.
  json AuditEntries(const std::string& tenant) {
    Client admin = As(tenant, "admin");
    return admin.Get("/api/v1/audit?limit=1000").body["entries"];
  }

  static inline std::unique_ptr<PostgresServer> postgres_;
  static inline int databases_ = 0;
  TempDir dir_;
  ServerOptions options_;
  std::string one_time_password_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
};

// True when the audit entries hold one with this action and outcome.
inline bool HasEntry(const json& entries, const std::string& action, const std::string& outcome) {
  for (const auto& entry : entries) {
    if (entry.value("action", "") == action && entry.value("outcome", "") == outcome) return true;
  }
  return false;
}

}  // namespace tutela::server
