// The API over real HTTP on loopback, against a real SQLite file and — the same suite — a real PostgreSQL server
// started in a temporary folder: authentication, CSRF, roles, tenant isolation, lockout, session fixation, API
// tokens, TOTP, assessments as jobs, the exception workflow, the audit ledger and the OpenAPI document.
#include <gtest/gtest.h>

#include <set>

#include "api_fixture.h"
#include "tutela/core/time.h"
#include "tutela/ledger/merkle.h"

namespace tutela::server {
namespace {

class ApiTest : public ServerFixture {};

TEST_P(ApiTest, LoginGivesAHardenedSessionCookieAndACsrfToken) {
  Client client(server_->port());
  Response login = client.Login("acme", "carol");
  ASSERT_EQ(login.status, 200) << login.raw;
  EXPECT_EQ(login.body["csrf_token"].get<std::string>().size(), 64u);
  std::string cookie;
  for (const auto& [name, value] : login.headers) {
    if (name == "Set-Cookie") cookie = value;
  }
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("Path=/"), std::string::npos) << cookie;
  EXPECT_EQ(cookie.find("Secure"), std::string::npos) << "no TLS here: " << cookie;
  Response me = client.Get("/api/v1/whoami");
  ASSERT_EQ(me.status, 200) << me.raw;
  EXPECT_EQ(me.body["user"]["name"], "carol");
  EXPECT_EQ(me.body["role"], "compliance");
  EXPECT_EQ(me.body["tenant"]["name"], "acme");
  EXPECT_EQ(me.body["csrf_token"], login.body["csrf_token"]);
  EXPECT_FALSE(me.body["user"].contains("password_hash"));
  EXPECT_EQ(me.raw.find("$argon2id"), std::string::npos);
  // Wrong password, unknown user, unknown tenant: one answer for all three.
  for (const auto& [tenant, user, password] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"acme", "carol", "wrong password!"}, {"acme", "nobody", kPassword}, {"nowhere", "carol", kPassword}}) {
    Response refused = Client(server_->port()).Login(tenant, user, password);
    EXPECT_EQ(refused.status, 401) << refused.raw;
    EXPECT_EQ(refused.body["error"]["message"], "the tenant, user name or password is wrong.");
  }
  EXPECT_EQ(client.Post("/api/v1/logout").status, 200);
  EXPECT_EQ(client.Get("/api/v1/whoami").status, 401);
}

TEST_P(ApiTest, EveryAuthenticatedRouteAnswers401WithoutCredentials) {
  Client anonymous(server_->port());
  size_t checked = 0;
  for (const RouteInfo& route : server_->routes()) {
    if (!route.authenticated) continue;
    std::string path = route.path;
    for (size_t at; (at = path.find('{')) != std::string::npos;) path.replace(at, path.find('}') - at + 1, "x1");
    Response response = anonymous.Call(route.method, path, "{}");
    EXPECT_EQ(response.status, 401) << route.method << " " << path << ": " << response.raw;
    EXPECT_EQ(response.body["error"]["code"], "unauthenticated") << route.method << " " << path;
    ++checked;
  }
  EXPECT_GT(checked, 30u);
  // A made-up cookie is no session (a session id is only ever made by the server).
  anonymous.cookie_ = "tutela_session=" + std::string(64, 'a');
  EXPECT_EQ(anonymous.Get("/api/v1/whoami").status, 401);
}

TEST_P(ApiTest, WrongRoleIs403) {
  Client customer = As("acme", "cust");
  EXPECT_EQ(customer.Get("/api/v1/assessments").status, 403);
  EXPECT_EQ(customer.Get("/api/v1/frameworks").status, 403);
  EXPECT_EQ(customer.Get("/api/v1/certifications").status, 200);  // the portal's part
  Client auditor = As("acme", "erin");
  EXPECT_EQ(auditor.Get("/api/v1/assessments").status, 200);
  Response upload = auditor.Call("POST", "/api/v1/assessments", "{}");
  EXPECT_EQ(upload.status, 403) << upload.raw;
  EXPECT_EQ(upload.body["error"]["code"], "forbidden");
  EXPECT_EQ(auditor.Post("/api/v1/exceptions", {{"check", "*"}}).status, 403);
  Client compliance = As("acme", "carol");
  EXPECT_EQ(compliance.Get("/api/v1/users").status, 403);
  EXPECT_EQ(compliance.Get("/api/v1/audit").status, 403);
  EXPECT_EQ(compliance.Post("/api/v1/users", {{"name", "x"}, {"role", "admin"}}).status, 403);
  // Tenant admins manage their users, not other tenants.
  Client admin = As("acme", "admin");
  EXPECT_EQ(admin.Get("/api/v1/users").status, 200);
  EXPECT_EQ(admin.Get("/api/v1/tenants").status, 403);
}

TEST_P(ApiTest, StateChangingRequestsWithTheCookieNeedTheCsrfToken) {
  Client client = As("acme", "carol");
  json exception = {{"check", "*"}, {"reason", "a reason long enough"}, {"expires", "2099-01-01"}};
  Response missing = client.Call("POST", "/api/v1/exceptions", exception.dump(), false);
  EXPECT_EQ(missing.status, 403) << missing.raw;
  EXPECT_EQ(missing.body["error"]["code"], "csrf");
  std::string right = client.csrf_;
  client.csrf_ = std::string(64, '0');
  EXPECT_EQ(client.Post("/api/v1/exceptions", exception).status, 403);
  client.csrf_ = right;
  EXPECT_EQ(client.Post("/api/v1/exceptions", exception).status, 201);
  // Reads need no token.
  EXPECT_EQ(client.Call("GET", "/api/v1/exceptions", "", false).status, 200);
}

TEST_P(ApiTest, RepeatedFailedLoginsLockTheAccount) {
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Client(server_->port()).Login("acme", "dave", "not the password").status, 401);
  Response locked = Client(server_->port()).Login("acme", "dave");  // the right password, too late
  EXPECT_EQ(locked.status, 429) << locked.raw;
  EXPECT_EQ(locked.body["error"]["code"], "locked");
  json entries = AuditEntries("acme");
  EXPECT_TRUE(HasEntry(entries, "login", "failed"));
  EXPECT_TRUE(HasEntry(entries, "login", "failed_and_locked"));
  EXPECT_TRUE(HasEntry(entries, "login", "locked"));
  // An admin unlocks it.
  Client admin = As("acme", "admin");
  Response users = admin.Get("/api/v1/users");
  std::string dave;
  for (const auto& user : users.body["users"]) {
    if (user["name"] == "dave") dave = user["id"];
  }
  EXPECT_EQ(admin.Call("PUT", "/api/v1/users/" + dave, json{{"unlock", true}}.dump()).status, 200);
  EXPECT_EQ(Client(server_->port()).Login("acme", "dave").status, 200);
}

TEST_P(ApiTest, LoginNeverKeepsASessionIdFromBefore) {
  Client client = As("acme", "carol");
  std::string first = client.cookie_;
  // Log in again with the old cookie still sent: a new session id, and the old one no longer works.
  Response again = client.Login("acme", "carol");
  ASSERT_EQ(again.status, 200);
  EXPECT_NE(client.cookie_, first);
  Client stale(server_->port());
  stale.cookie_ = first;
  EXPECT_EQ(stale.Get("/api/v1/whoami").status, 401);
  EXPECT_EQ(client.Get("/api/v1/whoami").status, 200);
}

TEST_P(ApiTest, TheFirstAdminMustReplaceTheOneTimePassword) {
  ASSERT_FALSE(one_time_password_.empty());
  Client root(server_->port());
  Response login = root.Login("provider", "root", one_time_password_);
  ASSERT_EQ(login.status, 200) << login.raw;
  EXPECT_TRUE(login.body["password_change_required"].get<bool>());
  Response blocked = root.Get("/api/v1/tenants");
  EXPECT_EQ(blocked.status, 403);
  EXPECT_EQ(blocked.body["error"]["code"], "password_change_required");
  EXPECT_EQ(
      root.Post("/api/v1/me/password", {{"current_password", one_time_password_}, {"new_password", "short"}}).status,
      400);
  ASSERT_EQ(
      root.Post("/api/v1/me/password", {{"current_password", one_time_password_}, {"new_password", kPassword}}).status,
      200);
  Response tenants = root.Get("/api/v1/tenants");
  ASSERT_EQ(tenants.status, 200) << tenants.raw;
  EXPECT_EQ(tenants.body["tenants"].size(), 3u);
  // The operator's admin makes a tenant; its admin gets a one-time password, shown once.
  Response created = root.Post("/api/v1/tenants", {{"name", "initech"}});
  ASSERT_EQ(created.status, 201) << created.raw;
  Client initech(server_->port());
  EXPECT_EQ(initech.Login("initech", "admin", created.body["one_time_password"]).status, 200);
  EXPECT_EQ(root.Post("/api/v1/tenants", {{"name", "initech"}}).status, 409);
  EXPECT_EQ(root.Post("/api/v1/tenants", {{"name", "Bad Name"}}).status, 400);
}

TEST_P(ApiTest, NoTenantEverSeesAnotherTenantsData) {
  Client carol = As("acme", "carol");
  std::string assessment = Assess(carol);
  ASSERT_FALSE(assessment.empty());
  std::string job = carol.Get("/api/v1/assessments/" + assessment).body.value("job", "");
  Response proposed = carol.Post("/api/v1/exceptions", {{"check", "*"},
                                                        {"resource", "aws_s3_bucket.scratch"},
                                                        {"reason", "acme's private reason"},
                                                        {"expires", "2099-01-01"}});
  ASSERT_EQ(proposed.status, 201);
  std::string exception = proposed.body["id"];
  Response token = carol.Post("/api/v1/tokens", {{"name", "ci"}});
  ASSERT_EQ(token.status, 201) << token.raw;

  Client gina = As("globex", "gina");
  // By id: 404, exactly as for an id that does not exist.
  for (const std::string& path :
       {"/api/v1/assessments/" + assessment, "/api/v1/assessments/" + assessment + "/findings",
        "/api/v1/assessments/" + assessment + "/document",
        "/api/v1/assessments/" + assessment + "/frameworks/pci-dss-4.0", "/api/v1/jobs/" + job}) {
    Response response = gina.Get(path);
    EXPECT_EQ(response.status, 404) << path << ": " << response.raw;
    EXPECT_EQ(response.raw.find("acme"), std::string::npos) << path;
  }
  // Writes by id.
  EXPECT_EQ(gina.Post("/api/v1/exceptions/" + exception + "/approve").status, 404);
  EXPECT_EQ(gina.Post("/api/v1/exceptions/" + exception + "/reject").status, 404);
  Client globex_admin = As("globex", "admin");
  EXPECT_EQ(globex_admin.Call("DELETE", "/api/v1/tokens/" + token.body["id"].get<std::string>()).status, 404);
  Response acme_users = As("acme", "admin").Get("/api/v1/users");
  std::string carol_id;
  for (const auto& user : acme_users.body["users"]) {
    if (user["name"] == "carol") carol_id = user["id"];
  }
  EXPECT_EQ(globex_admin.Call("PUT", "/api/v1/users/" + carol_id, json{{"disabled", true}}.dump()).status, 404);
  EXPECT_EQ(carol.Get("/api/v1/whoami").status, 200);  // carol is still in
  // By listing and by search.
  EXPECT_TRUE(gina.Get("/api/v1/assessments").body["assessments"].empty());
  EXPECT_TRUE(gina.Get("/api/v1/assessments?q=upload").body["assessments"].empty());
  EXPECT_TRUE(gina.Get("/api/v1/exceptions").body["exceptions"].empty());
  EXPECT_TRUE(gina.Get("/api/v1/readiness").body["assessment"].is_null());
  EXPECT_TRUE(globex_admin.Get("/api/v1/tokens?all=1").body["tokens"].empty());
  for (const auto& user : globex_admin.Get("/api/v1/users").body["users"]) EXPECT_NE(user["name"], "carol");
  for (const auto& entry : globex_admin.Get("/api/v1/audit?limit=1000").body["entries"]) {
    EXPECT_EQ(entry["raw"].dump().find("acme"), std::string::npos);
    EXPECT_NE(entry.value("actor", ""), "carol") << entry.dump();
  }
  // acme still sees its own.
  EXPECT_EQ(carol.Get("/api/v1/assessments").body["assessments"].size(), 1u);
}

TEST_P(ApiTest, AnAssessmentRunsAsAJobAndRollsUp) {
  Client carol = As("acme", "carol");
  std::string id = Assess(carol, "?service_model=iaas&name=plan.json");
  Response list = carol.Get("/api/v1/assessments");
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.body["assessments"].size(), 1u);
  EXPECT_EQ(list.body["assessments"][0]["id"], id);
  Response detail = carol.Get("/api/v1/assessments/" + id);
  ASSERT_EQ(detail.status, 200);
  EXPECT_EQ(detail.body["state"], "done") << detail.raw;
  EXPECT_EQ(detail.body["summary"]["resources"], 15);
  EXPECT_GT(detail.body["summary"]["counts"]["fail"].get<int>(), 0);
  EXPECT_EQ(detail.body["name"], "plan.json");
  Response readiness = carol.Get("/api/v1/readiness");
  ASSERT_EQ(readiness.status, 200);
  EXPECT_EQ(readiness.body["assessment"], id);
  EXPECT_GT(readiness.body["frameworks"].size(), 20u);
  // Drill-down: requirement -> checks -> resources.
  Response pci = carol.Get("/api/v1/assessments/" + id + "/frameworks/pci-dss-4.0?status=failed");
  ASSERT_EQ(pci.status, 200) << pci.raw;
  ASSERT_FALSE(pci.body["requirements"].empty());
  bool has_finding = false;
  for (const auto& requirement : pci.body["requirements"]) {
    EXPECT_EQ(requirement["status"], "failed");
    has_finding = has_finding || !requirement["findings"].empty();
  }
  EXPECT_TRUE(has_finding);
  Response findings = carol.Get("/api/v1/assessments/" + id + "/findings?status=fail");
  ASSERT_EQ(findings.status, 200);
  EXPECT_GT(findings.body["total"].get<int>(), 0);
  // The documented results format, streamed.
  Response document = carol.Get("/api/v1/assessments/" + id + "/document");
  ASSERT_EQ(document.status, 200);
  EXPECT_EQ(document.body["format"], "tutela-assessment-results/0");
  EXPECT_EQ(carol.Get("/api/v1/assessments/as_doesnotexist").status, 404);
  EXPECT_EQ(carol.Get("/api/v1/assessments/" + id + "/frameworks/nope").status, 404);
}

TEST_P(ApiTest, BadUploadsAreRefusedOrFailWithAClearMessage) {
  Client carol = As("acme", "carol");
  Response not_json = carol.Call("POST", "/api/v1/assessments", "hello");
  EXPECT_EQ(not_json.status, 400);
  EXPECT_EQ(carol.Call("POST", "/api/v1/assessments?service_model=cloud", "{}").status, 400);
  EXPECT_EQ(carol.Call("POST", "/api/v1/assessments?framework=nope", "{}").status, 400);
  Response broken = carol.Call("POST", "/api/v1/assessments", "{\"resource_changes\": [");
  ASSERT_EQ(broken.status, 202);
  std::string job = broken.body["job"];
  Response status;
  for (int i = 0; i < 200; ++i) {
    status = carol.Get("/api/v1/jobs/" + job);
    if (status.body.value("state", "") == "failed") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(status.body["state"], "failed") << status.raw;
  std::string message = status.body["message"];
  EXPECT_NE(message.find("the uploaded document"), std::string::npos) << message;
  EXPECT_EQ(message.find("blobs"), std::string::npos) << message;
  EXPECT_EQ(carol.Get("/api/v1/assessments/" + broken.body["id"].get<std::string>()).body["state"], "failed");
  Response garbage = carol.Call("POST", "/api/v1/exceptions", "not json");
  EXPECT_EQ(garbage.status, 400);
  EXPECT_EQ(garbage.body["error"]["code"], "invalid");
}

// Regression: a job that finished before its submitter stored the job id on the assessment was overwritten back to
// "queued" (the submitter wrote its stale copy of the record after the worker's).
TEST_P(ApiTest, RegressionAFastJobIsNotOverwrittenByItsSubmitter) {
  Client carol = As("acme", "carol");
  std::vector<std::pair<std::string, std::string>> submitted;
  for (int i = 0; i < 10; ++i) {
    Response broken = carol.Call("POST", "/api/v1/assessments", "{\"resource_changes\": [");
    ASSERT_EQ(broken.status, 202);
    submitted.emplace_back(broken.body["id"], broken.body["job"]);
  }
  for (const auto& [id, job] : submitted) {
    for (int i = 0; i < 400 && carol.Get("/api/v1/jobs/" + job).body.value("state", "") != "failed"; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    Response assessment = carol.Get("/api/v1/assessments/" + id);
    EXPECT_EQ(assessment.body["state"], "failed") << assessment.raw;
    EXPECT_EQ(assessment.body["job"], job) << assessment.raw;
  }
}

TEST_P(ApiTest, ExceptionsNeedASecondPersonAndApplyToTheNextAssessment) {
  Client carol = As("acme", "carol");
  Client dave = As("acme", "dave");
  std::string first = Assess(carol);
  Response failing = carol.Get("/api/v1/assessments/" + first + "/findings?status=fail");
  ASSERT_FALSE(failing.body["findings"].empty());
  json target = failing.body["findings"][0];
  Response proposed = carol.Post("/api/v1/exceptions", {{"check", target["check"]},
                                                        {"resource", target["resource"]},
                                                        {"reason", "compensating control in place"},
                                                        {"expires", "2099-12-31"}});
  ASSERT_EQ(proposed.status, 201) << proposed.raw;
  std::string id = proposed.body["id"];
  Response self = carol.Post("/api/v1/exceptions/" + id + "/approve");
  EXPECT_EQ(self.status, 403);
  EXPECT_EQ(self.body["error"]["code"], "four_eyes");
  Response approved = dave.Post("/api/v1/exceptions/" + id + "/approve", {{"comment", "checked the WAF"}});
  ASSERT_EQ(approved.status, 200) << approved.raw;
  EXPECT_EQ(approved.body["state"], "approved");
  EXPECT_EQ(approved.body["approved_by"], "dave");
  EXPECT_EQ(dave.Post("/api/v1/exceptions/" + id + "/approve").status, 409);
  std::string second = Assess(carol);
  Response excepted = carol.Get("/api/v1/assessments/" + second + "/findings?status=excepted");
  ASSERT_EQ(excepted.status, 200);
  bool found = false;
  for (const auto& finding : excepted.body["findings"]) {
    found = found || (finding["check"] == target["check"] && finding["resource"] == target["resource"] &&
                      finding["exception"] == id);
  }
  EXPECT_TRUE(found) << excepted.raw;
  // Bad proposals.
  EXPECT_EQ(carol
                .Post("/api/v1/exceptions",
                      {{"check", "no-such-check"}, {"reason", "long enough reason"}, {"expires", "2099-01-01"}})
                .status,
            400);
  EXPECT_EQ(
      carol.Post("/api/v1/exceptions", {{"check", "*"}, {"reason", "long enough reason"}, {"expires", "2001-01-01"}})
          .status,
      400);
  json entries = AuditEntries("acme");
  EXPECT_TRUE(HasEntry(entries, "exception.approve", "ok"));
  EXPECT_TRUE(HasEntry(entries, "exception.approve", "refused"));
}

TEST_P(ApiTest, ApiTokensAreScopedAndRevocable) {
  Client carol = As("acme", "carol");
  Response made = carol.Post("/api/v1/tokens", {{"name", "dashboards"}, {"role", "auditor"}, {"expires_days", 30}});
  ASSERT_EQ(made.status, 201) << made.raw;
  EXPECT_EQ(made.body["role"], "auditor");
  EXPECT_EQ(carol.Post("/api/v1/tokens", {{"name", "x"}, {"role", "admin"}}).status, 400);  // more than carol has
  Client robot(server_->port());
  robot.bearer_ = made.body["token"];
  EXPECT_EQ(robot.Get("/api/v1/whoami").body["via"], "token");
  EXPECT_EQ(robot.Get("/api/v1/assessments").status, 200);
  EXPECT_EQ(robot.Call("POST", "/api/v1/assessments", "{}").status, 403);   // read-only scope
  EXPECT_EQ(robot.Post("/api/v1/tokens", {{"name", "more"}}).status, 403);  // a token makes no tokens
  // A compliance token writes without any CSRF token (no cookie involved).
  Response writer = carol.Post("/api/v1/tokens", {{"name", "ci"}});
  Client ci(server_->port());
  ci.bearer_ = writer.body["token"];
  EXPECT_EQ(ci.Call("POST", "/api/v1/exceptions",
                    json{{"check", "*"}, {"reason", "from the pipeline"}, {"expires", "2099-01-01"}}.dump(), false)
                .status,
            201);
  const std::string token_path = "/api/v1/tokens/" + made.body["id"].get<std::string>();
  Response revoked = carol.Call("DELETE", token_path);
  ASSERT_EQ(revoked.status, 200);
  EXPECT_EQ(robot.Get("/api/v1/assessments").status, 401);
  // Regression: revoking again rewrote the revocation time and logged another revocation. Now it changes nothing.
  Response again = carol.Call("DELETE", token_path);
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.body["at"], revoked.body["at"]);
  size_t revocations = 0;
  for (const auto& entry : AuditEntries("acme")) {
    if (entry.value("action", "") == "token.revoke" && entry.value("target", "") == made.body["id"]) ++revocations;
  }
  EXPECT_EQ(revocations, 1u);
  robot.bearer_ = "tutela_" + std::string(64, 'f');
  EXPECT_EQ(robot.Get("/api/v1/whoami").status, 401);
}

// A field of the wrong type (a number where the API takes text, text where it takes a number, a list for an
// object) is the client's mistake: 400 with a sentence, never 500 "internal".
TEST_P(ApiTest, AWronglyTypedFieldIsABadRequestNotAnInternalError) {
  Client carol = As("acme", "carol");
  const std::vector<std::pair<std::string, json>> cases = {
      {"/api/v1/tokens", json{{"name", 5}}},
      {"/api/v1/tokens", json{{"name", "x"}, {"role", 7}}},
      {"/api/v1/tokens", json{{"name", "x"}, {"expires_days", "thirty"}}},
      {"/api/v1/exceptions", json{{"check", 5}, {"reason", "r"}, {"expires", "2099-01-01"}}},
      {"/api/v1/exceptions", json{{"check", "*"}, {"reason", json::array()}, {"expires", "2099-01-01"}}},
      {"/api/v1/exceptions", json{{"check", "*"}, {"reason", "r"}, {"expires", 20990101}}},
  };
  for (const auto& [path, body] : cases) {
    Response answer = carol.Post(path, body);
    EXPECT_EQ(answer.status, 400) << path << " " << body.dump() << " -> " << answer.raw;
  }
  Response login = Client(server_->port()).Post("/api/v1/login", json{{"tenant", 1}, {"user", 2}, {"password", 3}});
  EXPECT_EQ(login.status, 400) << login.raw;
}

TEST_P(ApiTest, ASecondFactorIsAskedForOnceEnrolled) {
  Client erin = As("acme", "erin");
  Response setup = erin.Post("/api/v1/me/totp");
  ASSERT_EQ(setup.status, 200) << setup.raw;
  std::string secret = setup.body["secret"];
  EXPECT_TRUE(setup.body["uri"].get<std::string>().starts_with("otpauth://totp/"));
  int64_t now = std::chrono::duration_cast<std::chrono::seconds>(NowUtc().time_since_epoch()).count();
  EXPECT_EQ(erin.Post("/api/v1/me/totp/confirm", {{"code", "000000"}}).status, 400);
  ASSERT_EQ(erin.Post("/api/v1/me/totp/confirm", {{"code", *TotpCode(secret, now)}}).status, 200);
  Response without = Client(server_->port()).Login("acme", "erin");
  EXPECT_EQ(without.status, 401);
  EXPECT_EQ(without.body["error"]["code"], "totp_required");
  EXPECT_EQ(Client(server_->port()).Login("acme", "erin", kPassword, "123456").status, 401);
  EXPECT_EQ(Client(server_->port()).Login("acme", "erin", kPassword, *TotpCode(secret, now)).status, 200);
}

TEST_P(ApiTest, SecurityEventsAreOnTheLedgerWithInclusionProofs) {
  Client admin = As("acme", "admin");
  Response users = admin.Get("/api/v1/users");
  std::string erin;
  for (const auto& user : users.body["users"]) {
    if (user["name"] == "erin") erin = user["id"];
  }
  Client erin_client = As("acme", "erin");
  ASSERT_EQ(admin.Call("PUT", "/api/v1/users/" + erin, json{{"role", "compliance"}}.dump()).status, 200);
  EXPECT_EQ(erin_client.Get("/api/v1/whoami").status, 401);  // a role change ends the user's sessions
  Response audit = admin.Get("/api/v1/audit");
  ASSERT_EQ(audit.status, 200);
  json change;
  for (const auto& entry : audit.body["entries"]) {
    if (entry["action"] == "user.role_change") change = entry;
    EXPECT_EQ(entry.dump().find(kPassword), std::string::npos);
  }
  ASSERT_FALSE(change.is_null()) << audit.raw;
  EXPECT_EQ(change["details"]["role"]["to"], "compliance");
  Response proof = admin.Get("/api/v1/audit/" + std::to_string(change["index"].get<uint64_t>()) + "/proof");
  ASSERT_EQ(proof.status, 200) << proof.raw;
  auto hash = [](const json& hex) {
    ledger::Hash out{};
    std::string text = hex.get<std::string>();
    for (size_t i = 0; i < out.size(); ++i)
      out[i] = static_cast<uint8_t>(std::stoi(text.substr(2 * i, 2), nullptr, 16));
    return out;
  };
  std::vector<ledger::Hash> path;
  for (const auto& item : proof.body["proof"]) path.push_back(hash(item));
  EXPECT_TRUE(ledger::VerifyInclusion(hash(proof.body["leaf_hash"]), proof.body["index"], proof.body["tree"]["size"],
                                      path, hash(proof.body["tree"]["root"]))
                  .ok());
  // Another tenant's entry is not shown, not even its proof.
  Client globex = As("globex", "admin");
  EXPECT_EQ(globex.Get("/api/v1/audit/" + std::to_string(change["index"].get<uint64_t>()) + "/proof").status, 404);
}

// Several instances share the database and the data folder: each writes its own audit ledger, and every instance
// lists and proves the entries of all of them.
TEST_P(ApiTest, InstancesSharingADatabaseShowOneAuditTrail) {
  ServerOptions second_options = options_;
  second_options.instance = "b";
  auto second = Server::Open(second_options);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  ASSERT_TRUE((*second)->Bind().ok());
  std::thread thread([&] { (void)(*second)->Run(); });
  Client on_b((*second)->port());
  ASSERT_EQ(on_b.Login("acme", "carol").status, 200);  // a login on instance b
  Client admin_on_a = As("acme", "admin");             // the session is in the shared database:
  Client admin_on_b((*second)->port());
  admin_on_b.cookie_ = admin_on_a.cookie_;
  EXPECT_EQ(admin_on_b.Get("/api/v1/whoami").status, 200);  // it works on either instance
  Response audit = admin_on_a.Get("/api/v1/audit?limit=1000");
  ASSERT_EQ(audit.status, 200) << audit.raw;
  json from_b;
  for (const auto& entry : audit.body["entries"]) {
    if (entry["log"] == "audit-b.log" && entry["actor"] == "carol") from_b = entry;
  }
  ASSERT_FALSE(from_b.is_null()) << audit.raw;
  EXPECT_EQ(audit.body["trees"].size(), 2u);
  Response proof =
      admin_on_a.Get("/api/v1/audit/" + std::to_string(from_b["index"].get<uint64_t>()) + "/proof?log=audit-b.log");
  ASSERT_EQ(proof.status, 200) << proof.raw;
  EXPECT_EQ(proof.body["entry"]["actor"], "carol");
  EXPECT_EQ(admin_on_a.Get("/api/v1/audit/0/proof?log=audit-zz.log").status, 404);
  (*second)->Stop();
  thread.join();
}

TEST_P(ApiTest, TheOpenApiDocumentDescribesExactlyTheRoutes) {
  Response document = Client(server_->port()).Get("/api/v1/openapi.json");
  ASSERT_EQ(document.status, 200);
  EXPECT_EQ(document.body["openapi"].get<std::string>().substr(0, 2), "3.");
  std::set<std::string> documented;
  for (const auto& [path, methods] : document.body["paths"].items()) {
    for (const auto& [method, operation] : methods.items()) {
      std::string upper = method;
      for (char& c : upper) c = static_cast<char>(std::toupper(c));
      documented.insert(upper + " " + path);
      EXPECT_TRUE(operation.contains("responses")) << path;
    }
  }
  std::set<std::string> served = {"GET /api/v1/openapi.json"};
  for (const RouteInfo& route : server_->routes()) served.insert(route.method + " " + route.path);
  EXPECT_EQ(documented, served);
}

TEST_P(ApiTest, TheWebUiIsServedWithAStrictContentSecurityPolicy) {
  httplib::Client client("127.0.0.1", server_->port());
  auto page = client.Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("<script src=\"/assets/app.js\""), std::string::npos);
  EXPECT_NE(page->get_header_value("Content-Security-Policy").find("script-src 'self'"), std::string::npos);
  EXPECT_EQ(page->get_header_value("X-Frame-Options"), "DENY");
  auto script = client.Get("/assets/app.js");
  ASSERT_TRUE(script);
  EXPECT_EQ(script->status, 200);
  EXPECT_NE(script->get_header_value("Content-Type").find("javascript"), std::string::npos);
  EXPECT_EQ(client.Get("/assets/nope.js")->status, 404);
  auto unknown = client.Get("/api/v1/nothing-here");
  EXPECT_EQ(unknown->status, 404);
  EXPECT_NE(unknown->body.find("not_found"), std::string::npos);
  auto wrong_method = client.Delete("/api/v1/readiness");
  EXPECT_EQ(wrong_method->status, 405);
  EXPECT_EQ(wrong_method->get_header_value("Allow"), "GET");
}

TEST_P(ApiTest, CertificationsFilterByRegionAndService) {
  Client customer = As("acme", "cust");
  Response all = customer.Get("/api/v1/certifications?as_of=2026-06-01");
  ASSERT_EQ(all.status, 200);
  EXPECT_EQ(all.body["as_of"], "2026-06-01");
  EXPECT_EQ(customer.Get("/api/v1/certifications?as_of=June").status, 400);
  Response none = customer.Get("/api/v1/certifications?region=no-such-region");
  EXPECT_TRUE(none.body["certifications"].empty());
  Client carol = As("acme", "carol");
  Response crosswalk = carol.Get("/api/v1/crosswalk?from=iso-27001-2022&to=pci-dss-4.0");
  ASSERT_EQ(crosswalk.status, 200);
  EXPECT_GT(crosswalk.body["summary"]["total"].get<int>(), 0);
  EXPECT_EQ(carol.Get("/api/v1/frameworks/pci-dss-4.0").body["id"], "pci-dss-4.0");
  EXPECT_EQ(carol.Get("/api/v1/frameworks/nope").status, 404);
  Response requirement = carol.Get("/api/v1/requirements?framework=pci-dss-4.0&id=3.5.1");
  ASSERT_EQ(requirement.status, 200) << requirement.raw;
  EXPECT_FALSE(requirement.body["control_details"].empty());
  EXPECT_EQ(carol.Get("/api/v1/responsibility?service_model=saas").body["service_model"], "saas");
}

INSTANTIATE_TEST_SUITE_P(Backends, ApiTest, ::testing::Values("sqlite", "postgresql"), Backend);

}  // namespace
}  // namespace tutela::server
