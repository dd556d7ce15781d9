// No request can make the server answer 500 or drop the connection. Every route that takes a body (the table below,
// checked against the routes the server registers, so a new one cannot be forgotten) gets mutated bodies: each
// top-level member of a good body replaced in turn by a value of every JSON type, and whole bodies that are not a
// JSON object, not JSON, empty, huge or deeply nested. Every GET route gets hostile query parameters. The answer is
// always a 4xx in the documented error shape (or a success), a member of the wrong type is a 400 naming it, and the
// server answers afterwards. Over real HTTP on loopback, on SQLite and on a real PostgreSQL server.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <set>

#include "api_fixture.h"
#include "tutela/core/data.h"
#include "tutela/vault/store.h"

namespace tutela::server {
namespace {

// One route that takes a body, with the user who may call it and a good body whose members are mutated.
struct BodyRoute {
  std::string method;
  std::string path;   // as registered; {id} and {n} are filled in with real ones
  std::string user;   // an acme user; "operator" for the operator tenant's admin; "" for no login; "logout" for a
                      // session of its own
  std::string body;   // a good (or nearly good) body
  std::string query;  // appended to the path
  // The body is a JSON object read member by member: a member of another JSON type (not null) is a 400 naming it,
  // and a body that is not a JSON object is a 400.
  bool typed = false;
  std::string content_type = "application/json";
};

// YAML as JSON (for the YAML example documents): integers, numbers, booleans and nulls as themselves.
json YamlToJson(const YAML::Node& node) {
  if (node.IsMap()) {
    json out = json::object();
    for (const auto& item : node) out[item.first.as<std::string>()] = YamlToJson(item.second);
    return out;
  }
  if (node.IsSequence()) {
    json out = json::array();
    for (const auto& item : node) out.push_back(YamlToJson(item));
    return out;
  }
  if (!node.IsScalar()) return nullptr;
  std::string text = node.Scalar();
  if (node.Tag() != "!") {  // a plain (unquoted) scalar may be a number, a boolean or null
    if (text == "true" || text == "false") return text == "true";
    if (text == "null" || text == "~") return nullptr;
    json number = json::parse(text, nullptr, false);
    if (number.is_number()) return number;
  }
  return text;
}

std::string ExampleAsJson(const std::string& file) {
  auto parsed = ParseYaml(ReadFile(SourceDir() / file), file);
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
  return parsed.ok() ? YamlToJson(*parsed).dump() : "{}";
}

const json kInventory = json::parse(R"({
  "format": "tutela-pii-inventory", "version": 1, "generated_at": "2026-11-22T07:23:37Z",
  "generator": "tutela pii scan",
  "stores": [{
    "store": "crm", "kind": "directory", "complete": true, "files_scanned": 2, "errors": [],
    "files_with_findings": 1, "findings": 4, "max_sensitivity": "low",
    "categories": ["contact"], "jurisdictions": ["GLOBAL"], "sensitive_under": [],
    "entities": [{"id": "EMAIL_ADDRESS", "category": "contact", "count": 4, "max_score": 0.9, "sensitivity": "low",
                  "sensitive_under": [], "jurisdictions": ["GLOBAL"]}]}]})");

// Every route that is not a GET. Order matters where a call changes what later ones see: the NDA is accepted before
// the report is withdrawn, the exception decided before it is revoked.
std::vector<BodyRoute> BodyRoutes() {
  std::string incident = ExampleAsJson("examples/pims/incident.yaml");
  return {
      {"POST", "/api/v1/login", "",
       json{{"tenant", "acme"}, {"username", "erin"}, {"password", "not erin's password"}, {"totp", "123456"}}.dump(),
       "", true},
      {"POST", "/api/v1/logout", "logout", "{}"},
      {"POST", "/api/v1/me/password", "admin",
       json{{"current_password", "not the password at all"}, {"new_password", "another long password"}}.dump(), "",
       true},
      {"POST", "/api/v1/me/totp", "admin", "{}"},
      {"POST", "/api/v1/me/totp/confirm", "admin", json{{"code", "000000"}}.dump(), "", true},
      {"DELETE", "/api/v1/me/totp", "admin", json{{"password", "not the password at all"}}.dump(), "", true},
      {"POST", "/api/v1/users", "admin",
       json{{"name", "newcomer"}, {"role", "auditor"}, {"password", "a long enough password"}}.dump(), "", true},
      {"PUT", "/api/v1/users/{id}", "admin", json{{"role", "compliance"}, {"disabled", false}, {"unlock", true}}.dump(),
       "", true},
      {"POST", "/api/v1/tenants", "operator", json{{"name", "newco"}, {"admin", "boss"}}.dump(), "", true},
      {"POST", "/api/v1/tokens", "admin", json{{"name", "robot"}, {"role", "auditor"}, {"expires_days", 30}}.dump(), "",
       true},
      {"DELETE", "/api/v1/tokens/{id}", "admin", "{}"},
      {"POST", "/api/v1/assessments", "admin",
       json{{"format_version", "1.0"}, {"resource_changes", json::array()}}.dump(), "?name=mutated.json"},
      {"POST", "/api/v1/exceptions", "admin",
       json{{"check", "*"}, {"resource", "*"}, {"reason", "an accepted risk for this test"}, {"expires", "2099-01-01"}}
           .dump(),
       "", true},
      {"POST", "/api/v1/exceptions/{id}/approve", "admin", json{{"comment", "fine"}}.dump(), "", true},
      {"POST", "/api/v1/exceptions/{id}/reject", "admin", json{{"comment", "no"}}.dump(), "", true},
      {"POST", "/api/v1/exceptions/{id}/revoke", "admin", json{{"comment", "over"}}.dump(), "", true},
      {"POST", "/api/v1/pii/inventories", "admin", kInventory.dump(), "", true},
      {"PUT", "/api/v1/pii/stores/{id}", "admin", json{{"owner", "data team"}}.dump(), "", true},
      {"POST", "/api/v1/pii/scans", "admin", json{{"contact", "someone@example.com"}}.dump(), "?name=x.json"},
      {"POST", "/api/v1/vault/verify", "operator", "{}"},
      {"POST", "/api/v1/reports", "admin", "{}", "?framework=soc2-tsc-2017&kind=soc2&title=T"},
      {"POST", "/api/v1/reports/{id}/nda", "cust",
       json{{"accept", true}, {"name", "Jane Roe"}, {"company", "Buyer Ltd"}, {"sha256", ""}}.dump(), "", true},
      {"DELETE", "/api/v1/reports/{id}", "admin", "{}"},
      {"PUT", "/api/v1/register", "admin", ExampleAsJson("examples/pims/register.yaml")},
      {"POST", "/api/v1/decisions", "admin",
       json{{"activity", "PA-PAYMENTS"},
            {"purpose", "payment_processing"},
            {"requester", "billing"},
            {"data", "EMAIL_ADDRESS"}}
           .dump(),
       "", true},
      {"POST", "/api/v1/incidents", "admin", incident},
      {"PUT", "/api/v1/incidents/{id}", "admin", incident},
      {"POST", "/api/v1/incidents/{id}/notifications/{n}/sent", "admin",
       json{{"reference", "case 1"}, {"sent_at", "2026-03-04T10:00:00Z"}}.dump(), "", true},
  };
}

// Values each member is replaced by in turn: one of every JSON type, and a few that stretch one.
std::vector<std::pair<std::string, json>> MemberValues() {
  return {{"number", 12},
          {"negative", -1},
          {"fraction", 1.5},
          {"huge", json::parse("18446744073709551615")},
          {"string", "x"},
          {"text with NUL", std::string("a\0b", 3)},
          {"long string", std::string(100000, 'a')},
          {"null", nullptr},
          {"array", json::array({1})},
          {"object", json{{"a", 1}}},
          {"true", true},
          {"false", false}};
}

// Whole bodies that are not a good JSON object.
std::vector<std::pair<std::string, std::string>> WholeBodies() {
  return {{"array", "[]"},
          {"string", "\"x\""},
          {"number", "12"},
          {"null", "null"},
          {"true", "true"},
          {"empty object", "{}"},
          {"empty", ""},
          {"not json", "not json"},
          {"truncated", "{\"a\": "},
          {"1 MB string", "\"" + std::string(1 << 20, 'a') + "\""},
          {"number overflow", "{\"a\": 1e400}"},
          {"big integer", "{\"a\": 123456789012345678901234567890}"},
          {"not UTF-8", "{\"a\": \"\xff\xfe\"}"},
          {"NUL escape", "{\"a\": \"\\u0000\"}"},
          {"lone surrogate", "{\"a\": \"\\ud800\"}"},
          {"deep arrays", std::string(100000, '[') + std::string(100000, ']')},
          {"deep objects",
           [] {
             std::string text;
             for (int i = 0; i < 20000; ++i) text += "{\"a\":";
             return text + "1" + std::string(20000, '}');
           }()},
          {"deep YAML", std::string(100000, '[')},
          {"YAML not UTF-8", "id: \xff\xfe\ntitle: \xc3\n"},
          {"YAML with NUL", std::string("id: a\0b\n", 8)},
          {"YAML alias", "a: &a [1]\nb: *a\nc: *b\n"},
          {"YAML alias bomb", [] {
             // Nine levels of ten aliases each: a billion leaves if anything expands them.
             std::string text = "l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n";
             for (int i = 1; i <= 9; ++i) {
               std::string previous = "*l" + std::to_string(i - 1);
               text += "l" + std::to_string(i) + ": &l" + std::to_string(i) + " [" + previous;
               for (int j = 1; j < 10; ++j) text += ", " + previous;
               text += "]\n";
             }
             return text;
           }()}};
}

// Every query parameter any handler reads, and hostile values for them.
const std::vector<std::string> kQueryNames = {
    "limit",  "offset",   "state",  "q",        "framework", "id",  "from",    "to",     "service_model", "as_of",
    "region", "service",  "status", "severity", "bucket",    "key", "version", "index",  "log",           "resolve",
    "all",    "decision", "name",   "title",    "kind",      "nda", "period",  "prefix", "after",         "store"};
const std::vector<std::pair<std::string, std::string>> kQueryValues = {{"empty", ""},
                                                                       {"negative", "-1"},
                                                                       {"huge", "99999999999999999999999999"},
                                                                       {"not UTF-8", "%FF%FE"},
                                                                       {"NUL", "a%00b"},
                                                                       {"a date", "2026-13-45"},
                                                                       {"long", std::string(20000, 'a')},
                                                                       {"path", "..%2F..%2Fetc%2Fpasswd"}};

// Every query parameter set to `value`.
std::string HostileQuery(const std::string& value) {
  std::string query;
  for (const std::string& name : kQueryNames) query += (query.empty() ? "?" : "&") + name + "=" + value;
  return query;
}

const char* TypeOf(const json& value) {
  if (value.is_number()) return "number";  // integer, unsigned and float alike
  return value.type_name();
}

class BadInputTest : public ServerFixture {
 protected:
  void SetUp() override {
    // A small vault for the operator's staff to browse (its routes read bucket, key, version and index).
    std::filesystem::path vault_dir = dir_.path() / "vault";
    {
      auto store = vault::Store::Open(vault_dir);
      ASSERT_TRUE(store.ok()) << store.status().ToString();
      vault::Caller alice{"alice", false};
      ASSERT_TRUE((*store)->CreateBucket(alice, "records", true).ok());
      vault::PutObjectRequest request;
      request.bucket = "records";
      request.key = "2026/a.json";
      request.data = "{}";
      ASSERT_TRUE((*store)->PutObject(alice, request).ok());
      ASSERT_TRUE((*store)->SignTreeHead().ok());
    }
    options_.vault = vault_dir;
    ServerFixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    auto added = AddUser(options_, "provider", "opadmin", Role::kAdmin, kPassword);
    ASSERT_TRUE(added.ok()) << added.status().ToString();
  }

  // Makes one of everything a route with a path parameter needs, and returns the parameters by route.
  std::map<std::string, std::map<std::string, std::string>> MakeTargets(Client& admin, Client& carol) {
    std::map<std::string, std::map<std::string, std::string>> out;
    json users = admin.Get("/api/v1/users").body["users"];
    for (const auto& user : users) {
      if (user.value("name", "") == "dave") out["/api/v1/users/{id}"]["id"] = user["id"];
    }
    Response token = admin.Post("/api/v1/tokens", {{"name", "to revoke"}});
    EXPECT_EQ(token.status, 201) << token.raw;
    out["/api/v1/tokens/{id}"]["id"] = token.body.value("id", "");
    // One exception to approve and revoke, one to reject: proposed by carol, decided by the admin.
    json proposal = {{"check", "*"}, {"reason", "an accepted risk for this test"}, {"expires", "2099-01-01"}};
    for (const char* decision : {"approve", "reject"}) {
      Response proposed = carol.Post("/api/v1/exceptions", proposal);
      EXPECT_EQ(proposed.status, 201) << proposed.raw;
      out["/api/v1/exceptions/{id}/" + std::string(decision)]["id"] = proposed.body.value("id", "");
    }
    out["/api/v1/exceptions/{id}/revoke"]["id"] = out["/api/v1/exceptions/{id}/approve"]["id"];
    Response inventory = admin.Post("/api/v1/pii/inventories", kInventory);
    EXPECT_EQ(inventory.status, 201) << inventory.raw;
    out["/api/v1/pii/stores/{id}"]["id"] = inventory.body["stores"][0].value("id", "");
    Response report = admin.Call("POST", "/api/v1/reports?framework=soc2-tsc-2017&kind=soc2&title=T", MakePdf({"page"}),
                                 true, "application/pdf");
    EXPECT_EQ(report.status, 201) << report.raw;
    out["/api/v1/reports/{id}"]["id"] = report.body.value("id", "");
    out["/api/v1/reports/{id}/nda"]["id"] = report.body.value("id", "");
    Response registered = admin.Call("PUT", "/api/v1/register", ReadFile(SourceDir() / "examples/pims/register.yaml"),
                                     true, "application/yaml");
    EXPECT_EQ(registered.status, 200) << registered.raw;
    Response incident = admin.Call("POST", "/api/v1/incidents", ReadFile(SourceDir() / "examples/pims/incident.yaml"),
                                   true, "application/yaml");
    EXPECT_EQ(incident.status, 201) << incident.raw;
    out["/api/v1/incidents/{id}"]["id"] = incident.body.value("id", "");
    out["/api/v1/incidents/{id}/notifications/{n}/sent"] = {{"id", incident.body.value("id", "")}, {"n", "0"}};
    return out;
  }

  static std::string Fill(std::string path, const std::map<std::string, std::string>& params) {
    for (const auto& [name, value] : params) {
      std::string hole = "{" + name + "}";
      for (size_t at; (at = path.find(hole)) != std::string::npos;) path.replace(at, hole.size(), value);
    }
    // A parameter nothing was made for: an id that does not exist.
    for (size_t open; (open = path.find('{')) != std::string::npos;) {
      path.replace(open, path.find('}', open) - open + 1, "nope");
    }
    return path;
  }
};

// The message of an error reply; "" for anything else.
std::string ErrorMessage(const Response& response) {
  const json& body = response.body;
  if (!body.is_object() || !body.contains("error") || !body["error"].is_object()) return "";
  return JsonStringOr(body["error"], "message");
}

// What every answer must be: an answer (not a dropped connection), never a server error, and an error in the
// documented shape {"error": {"code", "message"}}.
void ExpectNoServerError(const Response& response, const std::string& what) {
  ASSERT_NE(response.status, 0) << what << ": the connection was dropped (or the server died)";
  EXPECT_LT(response.status, 500) << what << ": " << response.raw.substr(0, 300);
  if (response.status >= 400) {
    json error = response.body.is_object() ? response.body.value("error", json()) : json();
    EXPECT_TRUE(error.is_object() && error.value("code", json()).is_string() &&
                error.value("message", json()).is_string())
        << what << ": " << response.status << " is not in the documented error shape: " << response.raw.substr(0, 300);
  }
}

TEST_P(BadInputTest, TheTableCoversEveryRouteThatTakesABody) {
  std::set<std::string> table;
  for (const BodyRoute& route : BodyRoutes()) {
    EXPECT_TRUE(table.insert(route.method + " " + route.path).second) << route.method << " " << route.path;
  }
  std::set<std::string> registered;
  for (const RouteInfo& route : server_->routes()) {
    if (route.method != "GET") registered.insert(route.method + " " + route.path);
  }
  EXPECT_EQ(table, registered) << "add the new route (a user who may call it and a good body) to BodyRoutes()";
}

TEST_P(BadInputTest, NoMutatedBodyIsAServerErrorOrADroppedConnection) {
  Client admin = As("acme", "admin");
  Client carol = As("acme", "carol");
  Client customer = As("acme", "cust");
  Client op = As("provider", "opadmin");
  Client logout = As("acme", "admin");
  Client anonymous(server_->port());
  auto targets = MakeTargets(admin, carol);
  auto client_for = [&](const std::string& user) -> Client& {
    return user == "cust"       ? customer
           : user == "operator" ? op
           : user == "logout"   ? logout
           : user.empty()       ? anonymous
                                : admin;
  };

  size_t sent = 0;
  for (const BodyRoute& route : BodyRoutes()) {
    Client& client = client_for(route.user);
    std::string path = Fill(route.path, targets[route.path]) + route.query;
    std::string name = route.method + " " + route.path;
    auto send = [&](const std::string& body) {
      ++sent;
      return client.Call(route.method, path, body, true, route.content_type);
    };
    json good = json::parse(route.body);
    ASSERT_TRUE(good.is_object()) << name;
    for (const auto& [member, value] : good.items()) {
      for (const auto& [kind, replacement] : MemberValues()) {
        json body = good;
        body[member] = replacement;
        std::string what = name + " with \"" + member + "\" as " + kind;
        Response response = send(body.dump(-1, ' ', false, json::error_handler_t::replace));
        ExpectNoServerError(response, what);
        if (HasFatalFailure()) return;
        if (route.typed && !replacement.is_null() && std::string(TypeOf(replacement)) != TypeOf(value)) {
          EXPECT_EQ(response.status, 400) << what << ": " << response.raw.substr(0, 300);
          std::string message = ErrorMessage(response);
          EXPECT_NE(message.find(member), std::string::npos) << what << ": the message does not name it: " << message;
        }
      }
    }
    for (const auto& [kind, body] : WholeBodies()) {
      std::string what = name + " with a body that is " + kind;
      Response response = send(body);
      ExpectNoServerError(response, what);
      if (HasFatalFailure()) return;
      bool object = json::parse(body, nullptr, false).is_object();
      if (route.typed && !object && !(body.empty() && route.path.find("/exceptions/") != std::string::npos) &&
          !(body.empty() && route.path.ends_with("/sent"))) {
        EXPECT_EQ(response.status, 400) << what << ": " << response.raw.substr(0, 300);
      }
    }
    // The good body under other content types (a form is parsed by the HTTP library before the handler runs).
    for (const char* type : {"application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/plain",
                             "application/json; charset=latin1"}) {
      if (route.user.empty()) continue;
      ++sent;
      Response response = client.Call(route.method, path, route.body, true, type);
      ExpectNoServerError(response, name + " sent as " + type);
      if (HasFatalFailure()) return;
    }
    // The good body with every query parameter hostile (not for the login: its attempts are limited per address).
    for (const auto& [kind, value] : kQueryValues) {
      if (route.user.empty()) continue;
      ++sent;
      Response response = client.Call(route.method, Fill(route.path, targets[route.path]) + HostileQuery(value),
                                      route.body, true, route.content_type);
      ExpectNoServerError(response, name + " with every query parameter " + kind);
      if (HasFatalFailure()) return;
    }
    // The same route with an id that does not exist.
    if (route.path.find('{') != std::string::npos) {
      Response response = send(route.body);
      ExpectNoServerError(response, name + " (good body)");
      Response missing =
          client.Call(route.method, Fill(route.path, {}) + route.query, route.body, true, route.content_type);
      ExpectNoServerError(missing, name + " with an id that does not exist");
    }
  }
  EXPECT_GT(sent, 1000u);  // the table ran
  // The jobs the mutated uploads queued (PII scans of deeply nested or huge bodies, assessments of odd plans) all
  // run to an end, done or failed, without taking the server down.
  bool busy = true;
  for (int i = 0; i < 1200 && busy; ++i) {
    busy = false;
    for (const std::string kind : {"pii/scans", "assessments"}) {
      Response list = admin.Get("/api/v1/" + kind + "?limit=500");
      ASSERT_EQ(list.status, 200) << kind << ": " << list.raw.substr(0, 300);
      std::string key = kind == "assessments" ? "assessments" : "scans";
      for (const auto& item : list.body[key]) {
        std::string state = item.value("state", "");
        busy = busy || state == "queued" || state == "running";
      }
    }
    if (busy) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_FALSE(busy) << "the queued jobs did not finish in two minutes";
  // The server is still up and still serves its users.
  EXPECT_EQ(Client(server_->port()).Get("/api/v1/openapi.json").status, 200);
  EXPECT_EQ(admin.Get("/api/v1/whoami").status, 200);
  EXPECT_EQ(admin.Get("/api/v1/incidents").status, 200);
}

// Every GET route, with every query parameter any handler reads set to something hostile.
TEST_P(BadInputTest, NoHostileQueryIsAServerError) {
  Client admin = As("acme", "admin");
  Client carol = As("acme", "carol");
  Client op = As("provider", "opadmin");
  auto targets = MakeTargets(admin, carol);
  std::string assessment = Assess(admin);
  for (const RouteInfo& route : server_->routes()) {
    if (route.method != "GET") continue;
    std::map<std::string, std::string> params = {
        {"id", assessment}, {"framework", "soc2-tsc-2017"}, {"index", "0"}, {"n", "0"}};
    for (const auto& [path, made] : targets) {
      if (route.path.starts_with(path.substr(0, path.find('{')))) {
        for (const auto& [name, value] : made) params[name] = value;
      }
    }
    if (route.path.starts_with("/api/v1/frameworks/")) params["id"] = "soc2-tsc-2017";
    if (route.path.starts_with("/api/v1/vault/")) {
      // Each query parameter hostile in turn, the others naming a real object.
      for (const auto& [kind, value] : kQueryValues) {
        for (const char* name : {"bucket", "key", "version", "index", "prefix", "after", "limit"}) {
          std::map<std::string, std::string> query = {{"bucket", "records"}, {"key", "2026%2Fa.json"}};
          query[name] = value;
          std::string text;
          for (const auto& [key, item] : query) text += (text.empty() ? "?" : "&") + key + "=" + item;
          ExpectNoServerError(op.Get(route.path + text), "GET " + route.path + " with " + name + " " + kind);
          if (HasFatalFailure()) return;
        }
      }
    }
    if (route.path.starts_with("/api/v1/controls/")) params["id"] = "nope";
    for (Client* client : {&admin, &op}) {
      for (const auto& [kind, value] : kQueryValues) {
        std::string query = HostileQuery(value);
        std::string path = BadInputTest::Fill(route.path, params);
        Response response = client->Get(path + query);
        ExpectNoServerError(response, "GET " + route.path + " with every parameter " + kind);
        if (HasFatalFailure()) return;
      }
      // Each path parameter hostile in turn.
      for (const auto& [name, value] : params) {
        if (route.path.find("{" + name + "}") == std::string::npos) continue;
        for (const std::string& bad : std::vector<std::string>{"%FF%FE", "a%00b", "..", std::string(5000, 'a')}) {
          std::map<std::string, std::string> hostile = params;
          hostile[name] = bad;
          Response response = client->Get(BadInputTest::Fill(route.path, hostile));
          ExpectNoServerError(response, "GET " + route.path + " with {" + name + "} = " + bad.substr(0, 20));
          if (HasFatalFailure()) return;
        }
      }
    }
  }
  EXPECT_EQ(admin.Get("/api/v1/whoami").status, 200);
  EXPECT_EQ(op.Get("/api/v1/vault/objects?bucket=records").status, 200);  // the vault routes were really reached
}

// A YAML document (register, incident) that is good but for a byte that is not UTF-8 in a value, or a NUL.
TEST_P(BadInputTest, AGoodYamlDocumentWithABadByteIsNotAServerError) {
  Client admin = As("acme", "admin");
  std::string register_text = ReadFile(SourceDir() / "examples/pims/register.yaml");
  std::string incident_text = ReadFile(SourceDir() / "examples/pims/incident.yaml");
  for (const std::string& bad : {std::string("\xff\xfe"), std::string("a\0b", 3), std::string("\xc3")}) {
    std::string text = register_text;
    text.replace(text.find("Example Payments"), 7, bad);
    ExpectNoServerError(admin.Call("PUT", "/api/v1/register", text, true, "application/yaml"), "register");
    text = incident_text;
    text.replace(text.find("Payments archive"), 8, bad);
    Response created = admin.Call("POST", "/api/v1/incidents", text, true, "application/yaml");
    ExpectNoServerError(created, "incident");
    if (created.status == 201) {
      ExpectNoServerError(admin.Get("/api/v1/incidents/" + created.body.value("id", "")), "the incident read back");
      ExpectNoServerError(admin.Get("/api/v1/incidents"), "the incidents listed");
    }
    ExpectNoServerError(admin.Get("/api/v1/register"), "the register read back");
    ExpectNoServerError(admin.Get("/api/v1/risk"), "the risk");
  }
}

// Credentials that are malformed are 401 (or 403 for a CSRF token), never a server error.
TEST_P(BadInputTest, NoHostileCredentialIsAServerError) {
  Client admin = As("acme", "admin");
  const std::vector<std::string> values = {"",
                                           "Bearer",
                                           "Bearer ",
                                           "Bearer \xff\xfe",
                                           "Basic YTpi",
                                           "Bearer tutela_" + std::string(5000, 'f'),
                                           std::string(6000, 'x')};
  for (const std::string& value : values) {
    httplib::Client http("127.0.0.1", server_->port());
    for (const auto& [name, header] : std::vector<std::pair<std::string, std::string>>{
             {"Authorization", value}, {"Cookie", "tutela_session=" + value}, {"Cookie", value}}) {
      auto result = http.Get("/api/v1/whoami", httplib::Headers{{name, header}});
      ASSERT_TRUE(result) << name << ": " << value.substr(0, 20) << ": the connection was dropped";
      EXPECT_TRUE(result->status == 401 || result->status == 400)
          << name << " " << value.substr(0, 20) << ": " << result->status << " " << result->body;
    }
    // A logged-in session with a hostile CSRF token.
    auto result = http.Post("/api/v1/tokens", httplib::Headers{{"Cookie", admin.cookie_}, {"X-CSRF-Token", value}},
                            R"({"name": "x"})", "application/json");
    ASSERT_TRUE(result);
    EXPECT_EQ(result->status, 403) << value.substr(0, 20) << ": " << result->body;
  }
  EXPECT_EQ(admin.Get("/api/v1/whoami").status, 200);
}

// ---- Regression tests: the bugs the suite above found ----

// `{"unlock": "yes"}` reached `body.value("unlock", false)`, which threw type_error 302: 500 "internal".
TEST_P(BadInputTest, ANonBooleanUnlockIsRefusedWith400NotAServerError) {
  Client admin = As("acme", "admin");
  std::string dave;
  json users = admin.Get("/api/v1/users").body["users"];
  for (const auto& user : users) {
    if (user.value("name", "") == "dave") dave = user.value("id", "");
  }
  ASSERT_FALSE(dave.empty());
  for (const json& value : {json("yes"), json(1), json::array(), json::object()}) {
    Response refused = admin.Call("PUT", "/api/v1/users/" + dave, json{{"unlock", value}}.dump());
    EXPECT_EQ(refused.status, 400) << value.dump() << " -> " << refused.raw;
    EXPECT_EQ(ErrorMessage(refused), "field \"unlock\" must be true or false.");
  }
  EXPECT_EQ(admin.Call("PUT", "/api/v1/users/" + dave, json{{"unlock", true}}.dump()).status, 200);
  EXPECT_EQ(admin.Call("PUT", "/api/v1/users/" + dave, json{{"unlock", nullptr}}.dump()).status, 200);  // absent
}

// A password that was not a string was taken as no password: the user was made with a one-time password (201) that
// the admin had not asked for.
TEST_P(BadInputTest, AMistypedPasswordIsRefusedNotReplacedByAOneTimePassword) {
  Client admin = As("acme", "admin");
  Response refused = admin.Post("/api/v1/users", {{"name", "newcomer"}, {"role", "auditor"}, {"password", 12345678}});
  EXPECT_EQ(refused.status, 400) << refused.raw;
  EXPECT_EQ(ErrorMessage(refused), "field \"password\" must be a string.");
  json users = admin.Get("/api/v1/users").body["users"];
  ASSERT_TRUE(users.is_array());
  for (const auto& user : users) EXPECT_NE(user.value("name", ""), "newcomer");
}

// A resource that was not a string (say a list of addresses) was taken as none, and an exception without a resource
// covers every resource: a mistyped exception widened itself to the whole estate.
TEST_P(BadInputTest, AMistypedExceptionResourceIsRefusedNotWidenedToEveryResource) {
  Client carol = As("acme", "carol");
  Response refused = carol.Post("/api/v1/exceptions", {{"check", "*"},
                                                       {"resource", json::array({"aws_s3_bucket.logs"})},
                                                       {"reason", "an accepted risk for this test"},
                                                       {"expires", "2099-01-01"}});
  EXPECT_EQ(refused.status, 400) << refused.raw;
  EXPECT_EQ(ErrorMessage(refused), "field \"resource\" must be a string.");
  EXPECT_EQ(carol.Get("/api/v1/exceptions").body["exceptions"].size(), 0u);
}

// A decision's body is optional, but one that is sent must be a JSON object: "not json" (or a numeric comment) was
// ignored and the exception decided without the comment the caller meant to record.
TEST_P(BadInputTest, ADecisionBodyThatIsNotAJsonObjectIsRefusedNotIgnored) {
  Client carol = As("acme", "carol");
  Client admin = As("acme", "admin");
  Response proposed = carol.Post(
      "/api/v1/exceptions", {{"check", "*"}, {"reason", "an accepted risk for this test"}, {"expires", "2099-01-01"}});
  ASSERT_EQ(proposed.status, 201) << proposed.raw;
  std::string approve = "/api/v1/exceptions/" + proposed.body.value("id", "") + "/approve";
  EXPECT_EQ(admin.Call("POST", approve, "not json").status, 400);
  EXPECT_EQ(ErrorMessage(admin.Call("POST", approve, "[]")),
            "the request body is a JSON array, not an object; send a JSON object.");
  Response numeric = admin.Post(approve, {{"comment", 5}});
  EXPECT_EQ(numeric.status, 400) << numeric.raw;
  EXPECT_EQ(ErrorMessage(numeric), "field \"comment\" must be a string.");
  Response approved = admin.Call("POST", approve, "");  // no body at all: still fine
  ASSERT_EQ(approved.status, 200) << approved.raw;
  EXPECT_EQ(approved.body.value("state", ""), "approved");
  Response again = admin.Call("POST", approve, "");
  EXPECT_EQ(ErrorMessage(again), "the exception is approved; only a proposed one can be approved.");
  Response rejected = admin.Call("POST", "/api/v1/exceptions/" + proposed.body.value("id", "") + "/reject", "");
  EXPECT_EQ(ErrorMessage(rejected),
            "the exception is approved; only a proposed one can be rejected.");  // not "rejectd"
}

// On PostgreSQL an id or a list filter that is not UTF-8 reached the database, which refused the text: 500.
TEST_P(BadInputTest, ANonUtf8IdOrQueryIsRefusedWith400NotADatabaseError) {
  Client admin = As("acme", "admin");
  Response id = admin.Get("/api/v1/assessments/%FF");
  EXPECT_EQ(id.status, 400) << id.raw;
  EXPECT_EQ(ErrorMessage(id), "the path segment {id} is not UTF-8 text.");
  Response query = admin.Get("/api/v1/exceptions?state=%FF");
  EXPECT_EQ(query.status, 400) << query.raw;
  EXPECT_EQ(ErrorMessage(query), "the query parameter \"state\" is not UTF-8 text.");
  EXPECT_EQ(admin.Get("/api/v1/exceptions?q=%00").status, 400);
  EXPECT_EQ(admin.Get("/api/v1/exceptions?q=caf%C3%A9").status, 200);  // UTF-8 is fine
}

// A URL over the HTTP library's 8 KiB limit was answered 414 with an empty body, not the documented error shape.
TEST_P(BadInputTest, AnOverlongUrlIsAnsweredInTheErrorShape) {
  Client admin = As("acme", "admin");
  Response response = admin.Get("/api/v1/exceptions?q=" + std::string(10000, 'a'));
  EXPECT_EQ(response.status, 414);
  EXPECT_EQ(response.body["error"]["code"], "too_large") << response.raw;
}

INSTANTIATE_TEST_SUITE_P(Backends, BadInputTest, ::testing::Values("sqlite", "postgresql"), Backend);

}  // namespace
}  // namespace tutela::server
