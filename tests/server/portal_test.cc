// The customer portal over real HTTP, on SQLite and on a real PostgreSQL server: reports uploaded as PDFs (good and
// bad), listed by framework with their certifications, the NDA before a customer's download, downloads stamped on
// every page with the recipient (read back with poppler), the audit trail, roles and tenant isolation.
#include <gtest/gtest.h>
#include <poppler-document.h>
#include <poppler-page.h>

#include <memory>

#include "api_fixture.h"
#include "tutela/core/crypto.h"

namespace tutela::server {
namespace {

// Each page's text, as poppler extracts it; empty when the PDF does not load.
std::vector<std::string> PageTexts(const std::string& pdf, std::string* notice = nullptr) {
  std::unique_ptr<poppler::document> document(
      poppler::document::load_from_raw_data(pdf.data(), static_cast<int>(pdf.size())));
  std::vector<std::string> texts;
  if (!document) return texts;
  for (int i = 0; i < document->pages(); ++i) {
    std::unique_ptr<poppler::page> page(document->create_page(i));
    auto bytes = page->text().to_utf8();
    texts.emplace_back(bytes.begin(), bytes.end());
  }
  if (notice != nullptr) {
    auto bytes = document->info_key("TutelaNotice").to_utf8();
    notice->assign(bytes.begin(), bytes.end());
  }
  return texts;
}

std::string Sha256Hex(const std::string& data) {
  Digest256 digest = Sha256(data);
  return ToHex(std::span<const uint8_t>(digest.data(), digest.size()));
}

class PortalTest : public ServerFixture {
 protected:
  void SetUp() override {
    options_.catalog_dirs = {SourceDir() / "examples/catalog/portfolio.yaml"};
    ServerFixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    auto added = AddUser(options_, "globex", "gcust", Role::kCustomer, kPassword);
    ASSERT_TRUE(added.ok()) << added.status().ToString();
  }

  // POST /api/v1/reports with a raw body (the fixture's client sends JSON).
  Response Upload(Client& client, const std::string& query, const std::string& body,
                  const std::string& content_type = "application/pdf") {
    httplib::Client http("127.0.0.1", server_->port());
    http.set_read_timeout(60, 0);
    httplib::Headers headers = {{"Cookie", client.cookie_}, {"X-CSRF-Token", client.csrf_}};
    auto result = http.Post("/api/v1/reports" + query, headers, body, content_type);
    Response response;
    if (!result) return response;
    response.status = result->status;
    response.raw = result->body;
    response.body = json::parse(result->body, nullptr, false);
    return response;
  }

  std::string UploadSoc2(Client& client, bool nda = true) {
    Response created = Upload(client,
                              "?framework=soc2-tsc-2017&kind=soc2&title=SOC%202%20Type%20II%202025&period=2025&nda=" +
                                  std::string(nda ? "true" : "false"),
                              MakePdf({"Original page one", "Original page two"}));
    EXPECT_EQ(created.status, 201) << created.raw;
    return created.body.value("id", "");
  }
};

TEST_P(PortalTest, UploadTakesAPdfAndRefusesWhatIsNotOne) {
  Client admin = As("acme", "admin");
  std::string pdf = MakePdf({"Original page one", "Original page two"});
  Response created =
      Upload(admin, "?framework=soc2-tsc-2017&kind=soc2&title=SOC%202%20Type%20II&period=2025-01-01%2F2025-12-31", pdf);
  ASSERT_EQ(created.status, 201) << created.raw;
  EXPECT_EQ(created.body["state"], "published");
  EXPECT_EQ(created.body["pages"], 2);
  EXPECT_EQ(created.body["nda"], true);  // the default
  EXPECT_EQ(created.body["sha256"], Sha256Hex(pdf));
  EXPECT_EQ(created.body["certifications"], json::array({"excloud-soc2"}));

  struct Bad {
    std::string query, body, content_type, why;
  };
  std::string good_query = "?framework=soc2-tsc-2017&kind=soc2&title=x";
  for (const Bad& bad : std::vector<Bad>{
           {good_query, "not a pdf at all", "application/pdf", "no %PDF- header"},
           {good_query, "%PDF-1.4\ngarbage with no objects\n", "application/pdf", "a header and nothing else"},
           {good_query, pdf.substr(0, pdf.size() / 2), "application/pdf", "truncated"},
           {good_query, pdf, "application/json", "wrong content type"},
           {"?framework=no-such&kind=soc2&title=x", pdf, "application/pdf", "unknown framework"},
           {"?framework=soc2-tsc-2017&kind=novel&title=x", pdf, "application/pdf", "unknown kind"},
           {"?framework=soc2-tsc-2017&kind=soc2", pdf, "application/pdf", "no title"},
           {good_query + "&nda=maybe", pdf, "application/pdf", "bad nda flag"},
       }) {
    Response refused = Upload(admin, bad.query, bad.body, bad.content_type);
    EXPECT_EQ(refused.status, 400) << bad.why << ": " << refused.raw;
    EXPECT_EQ(refused.body["error"]["code"], "invalid") << bad.why;
  }
  // Listed by framework with the certification's validity.
  Response list = As("acme", "cust").Get("/api/v1/reports");
  ASSERT_EQ(list.status, 200) << list.raw;
  ASSERT_EQ(list.body["frameworks"].size(), 1u);
  const json& framework = list.body["frameworks"][0];
  EXPECT_EQ(framework["id"], "soc2-tsc-2017");
  ASSERT_EQ(framework["certifications"].size(), 1u);
  EXPECT_EQ(framework["certifications"][0]["id"], "excloud-soc2");
  EXPECT_TRUE(framework["certifications"][0].contains("status"));
  ASSERT_EQ(framework["reports"].size(), 1u);
  EXPECT_EQ(framework["reports"][0]["nda_accepted"], false);
  EXPECT_FALSE(framework["reports"][0].contains("uploaded_by"));  // staff detail
  EXPECT_TRUE(list.body["nda"]["template"].get<bool>());
  json entries = AuditEntries("acme");
  EXPECT_TRUE(HasEntry(entries, "report.upload", "ok"));
  EXPECT_TRUE(HasEntry(entries, "report.upload", "invalid"));
}

TEST_P(PortalTest, ACustomerAcceptsTheNdaThenGetsACopyStampedWithTheirNameOnEveryPage) {
  Client carol = As("acme", "carol");
  std::string id = UploadSoc2(carol);
  ASSERT_FALSE(id.empty());
  Client customer = As("acme", "cust");
  Response refused = customer.Get("/api/v1/reports/" + id + "/download");
  EXPECT_EQ(refused.status, 403) << refused.raw;
  EXPECT_EQ(refused.body["error"]["code"], "nda_required");

  Response nda = customer.Get("/api/v1/reports/" + id + "/nda");
  ASSERT_EQ(nda.status, 200) << nda.raw;
  EXPECT_EQ(nda.body["required"], true);
  EXPECT_NE(nda.body["text"].get<std::string>().find("TEMPLATE"), std::string::npos);
  EXPECT_EQ(nda.body["sha256"], Sha256Hex(nda.body["text"]));
  EXPECT_TRUE(nda.body["accepted"].is_null());
  EXPECT_EQ(customer.Post("/api/v1/reports/" + id + "/nda", {{"accept", false}, {"name", "Jane Roe"}}).status, 400);
  EXPECT_EQ(customer.Post("/api/v1/reports/" + id + "/nda", {{"accept", true}, {"company", "Example Corp"}}).status,
            400);
  EXPECT_EQ(customer
                .Post("/api/v1/reports/" + id + "/nda",
                      {{"accept", true}, {"name", "Jane Roe"}, {"company", "Example Corp"}, {"sha256", "00"}})
                .status,
            409);
  Response accepted = customer.Post(
      "/api/v1/reports/" + id + "/nda",
      {{"accept", true}, {"name", "Jane Roe"}, {"company", "Example Corp"}, {"sha256", nda.body["sha256"]}});
  ASSERT_EQ(accepted.status, 200) << accepted.raw;
  EXPECT_EQ(accepted.body["nda_sha256"], nda.body["sha256"]);
  EXPECT_EQ(customer.Get("/api/v1/reports").body["frameworks"][0]["reports"][0]["nda_accepted"], true);

  Response download = customer.Get("/api/v1/reports/" + id + "/download");
  ASSERT_EQ(download.status, 200) << download.raw.substr(0, 300);
  bool pdf_type = false;
  for (const auto& [name, value] : download.headers) {
    if (name == "Content-Type") pdf_type = value == "application/pdf";
  }
  EXPECT_TRUE(pdf_type);
  ASSERT_TRUE(download.raw.starts_with("%PDF-"));
  std::string notice;
  std::vector<std::string> pages = PageTexts(download.raw, &notice);
  ASSERT_EQ(pages.size(), 2u);
  EXPECT_NE(pages[0].find("Original page one"), std::string::npos) << pages[0];
  EXPECT_NE(pages[1].find("Original page two"), std::string::npos) << pages[1];
  for (const std::string& text : pages) {
    EXPECT_NE(text.find("Jane Roe"), std::string::npos) << text;
    EXPECT_NE(text.find("Example Corp"), std::string::npos) << text;
    EXPECT_NE(text.find("not for redistribution"), std::string::npos) << text;
    EXPECT_NE(text.find("tenant acme"), std::string::npos) << text;
  }
  EXPECT_NE(notice.find("Provided to Jane Roe (Example Corp) on "), std::string::npos) << notice;
  // Every download is a fresh copy.
  Response again = customer.Get("/api/v1/reports/" + id + "/download");
  ASSERT_EQ(again.status, 200);
  EXPECT_NE(Sha256Hex(again.raw), Sha256Hex(download.raw));

  // The audit trail: the acceptance with the NDA's digest, the refusal and the downloads with what was sent — and
  // never the signatory's name.
  json entries = AuditEntries("acme");
  EXPECT_TRUE(HasEntry(entries, "report.download", "nda_required"));
  bool accept_logged = false, download_logged = false;
  for (const auto& entry : entries) {
    if (entry["action"] == "report.nda_accept" && entry["target"] == id) {
      accept_logged = entry["details"]["nda_sha256"] == nda.body["sha256"];
      EXPECT_EQ(entry["details"]["nda_version"], nda.body["version"]);
    }
    if (entry["action"] == "report.download" && entry["outcome"] == "ok" &&
        entry["details"]["sha256"] == Sha256Hex(download.raw)) {
      download_logged = true;
    }
    EXPECT_EQ(entry.dump().find("Jane Roe"), std::string::npos) << entry.dump();
  }
  EXPECT_TRUE(accept_logged);
  EXPECT_TRUE(download_logged);

  // Staff see who accepted and who downloaded which copy.
  Response activity = As("acme", "erin").Get("/api/v1/reports/" + id + "/activity");
  ASSERT_EQ(activity.status, 200) << activity.raw;
  ASSERT_EQ(activity.body["acceptances"].size(), 1u);
  EXPECT_EQ(activity.body["acceptances"][0]["company"], "Example Corp");
  EXPECT_EQ(activity.body["downloads"].size(), 2u);
}

TEST_P(PortalTest, TheProvidersOwnNdaReplacesTheTemplateAndIsAcceptedAfresh) {
  Client carol = As("acme", "carol");
  std::string id = UploadSoc2(carol);
  Client customer = As("acme", "cust");
  json accept = {{"accept", true}, {"name", "Jane Roe"}, {"company", "Example Corp"}};
  ASSERT_EQ(customer.Post("/api/v1/reports/" + id + "/nda", accept).status, 200);
  ASSERT_EQ(customer.Get("/api/v1/reports/" + id + "/download").status, 200);
  // The provider puts its legal text in the data folder: the acceptance of the template no longer counts.
  std::filesystem::create_directories(options_.data / "portal");
  testing::WriteFile(options_.data / "portal" / "nda.txt", "Example Cloud confidentiality terms, version 7.\n");
  Response nda = customer.Get("/api/v1/reports/" + id + "/nda");
  ASSERT_EQ(nda.status, 200);
  EXPECT_FALSE(nda.body["template"].get<bool>());
  EXPECT_EQ(nda.body["text"], "Example Cloud confidentiality terms, version 7.\n");
  EXPECT_TRUE(nda.body["accepted"].is_null());
  EXPECT_EQ(customer.Get("/api/v1/reports/" + id + "/download").status, 403);
  ASSERT_EQ(customer.Post("/api/v1/reports/" + id + "/nda", accept).status, 200);
  EXPECT_EQ(customer.Get("/api/v1/reports/" + id + "/download").status, 200);
}

TEST_P(PortalTest, StaffAndReportsWithoutAnNdaAreStampedWithTheAccountName) {
  Client carol = As("acme", "carol");
  std::string id = UploadSoc2(carol, false);
  Response staff = carol.Get("/api/v1/reports/" + id + "/download");
  ASSERT_EQ(staff.status, 200);
  for (const std::string& text : PageTexts(staff.raw)) EXPECT_NE(text.find("carol (compliance)"), std::string::npos);
  Response customer = As("acme", "cust").Get("/api/v1/reports/" + id + "/download");
  ASSERT_EQ(customer.status, 200) << customer.raw;
  std::vector<std::string> pages = PageTexts(customer.raw);
  ASSERT_EQ(pages.size(), 2u);
  for (const std::string& text : pages) EXPECT_NE(text.find("cust (customer)"), std::string::npos) << text;
}

TEST_P(PortalTest, WrongRoleIs403) {
  Client admin = As("acme", "admin");
  std::string id = UploadSoc2(admin);
  std::string pdf = MakePdf({"x"});
  Client customer = As("acme", "cust");
  Client auditor = As("acme", "erin");
  Client compliance = As("acme", "carol");
  Client privacy = As("acme", "pat");
  EXPECT_EQ(Upload(customer, "?framework=soc2-tsc-2017&kind=soc2&title=x", pdf).status, 403);
  EXPECT_EQ(Upload(auditor, "?framework=soc2-tsc-2017&kind=soc2&title=x", pdf).status, 403);
  EXPECT_EQ(Upload(privacy, "?framework=soc2-tsc-2017&kind=soc2&title=x", pdf).status, 403);
  for (Client* client : {&auditor, &compliance, &customer}) {
    Response refused = client->Call("DELETE", "/api/v1/reports/" + id);
    EXPECT_EQ(refused.status, 403) << refused.raw;
    EXPECT_EQ(refused.body["error"]["code"], "forbidden");
  }
  json accept = {{"accept", true}, {"name", "Staff Member"}, {"company", "Acme"}};
  EXPECT_EQ(compliance.Post("/api/v1/reports/" + id + "/nda", accept).status, 403);
  EXPECT_EQ(admin.Post("/api/v1/reports/" + id + "/nda", accept).status, 403);
  EXPECT_EQ(customer.Get("/api/v1/reports/" + id + "/activity").status, 403);
  EXPECT_EQ(privacy.Get("/api/v1/reports/" + id + "/activity").status, 403);

  // Withdrawn: gone for customers, kept for staff and the audit trail.
  Response withdrawn = admin.Call("DELETE", "/api/v1/reports/" + id);
  ASSERT_EQ(withdrawn.status, 200) << withdrawn.raw;
  EXPECT_EQ(withdrawn.body["state"], "withdrawn");
  EXPECT_EQ(admin.Call("DELETE", "/api/v1/reports/" + id).status, 409);
  EXPECT_EQ(customer.Get("/api/v1/reports/" + id).status, 404);
  EXPECT_EQ(customer.Get("/api/v1/reports/" + id + "/download").status, 404);
  EXPECT_TRUE(customer.Get("/api/v1/reports").body["frameworks"].empty());
  EXPECT_EQ(auditor.Get("/api/v1/reports/" + id).body["state"], "withdrawn");
  EXPECT_TRUE(HasEntry(AuditEntries("acme"), "report.withdraw", "ok"));
}

TEST_P(PortalTest, AnotherTenantSeesNoReport) {
  Client admin = As("acme", "admin");
  std::string id = UploadSoc2(admin);
  Client acme_customer = As("acme", "cust");
  ASSERT_EQ(
      acme_customer
          .Post("/api/v1/reports/" + id + "/nda", {{"accept", true}, {"name", "Jane Roe"}, {"company", "Example Corp"}})
          .status,
      200);
  Client outsider = As("globex", "gcust");
  Client globex_admin = As("globex", "admin");
  for (Client* client : {&outsider, &globex_admin}) {
    Response list = client->Get("/api/v1/reports");
    ASSERT_EQ(list.status, 200);
    EXPECT_TRUE(list.body["frameworks"].empty()) << list.raw;
    for (const std::string& path : {"/api/v1/reports/" + id, "/api/v1/reports/" + id + "/nda",
                                    "/api/v1/reports/" + id + "/download", "/api/v1/reports/" + id + "/activity"}) {
      Response response = client->Get(path);
      if (client == &outsider && path.ends_with("/activity")) {
        EXPECT_EQ(response.status, 403) << path;  // the role is checked first
        continue;
      }
      EXPECT_EQ(response.status, 404) << path << ": " << response.raw;
      EXPECT_EQ(response.raw.find("acme"), std::string::npos) << path;
    }
  }
  EXPECT_EQ(
      outsider.Post("/api/v1/reports/" + id + "/nda", {{"accept", true}, {"name", "Eve"}, {"company", "X"}}).status,
      404);
  EXPECT_EQ(globex_admin.Call("DELETE", "/api/v1/reports/" + id).status, 404);
  // Globex's own upload stays in globex.
  std::string theirs = UploadSoc2(globex_admin);
  EXPECT_EQ(acme_customer.Get("/api/v1/reports/" + theirs).status, 404);
  EXPECT_EQ(acme_customer.Get("/api/v1/reports").body["frameworks"][0]["reports"].size(), 1u);
  EXPECT_EQ(admin.Get("/api/v1/reports/" + id).status, 200);
}

// Damaged PDFs (cut short or with bytes overwritten) are refused or accepted, never a crash; whatever is accepted
// can be downloaded.
TEST_P(PortalTest, MalformedPdfsNeverCrashTheServer) {
  Client admin = As("acme", "admin");
  std::string pdf = MakePdf({"Original page one", "Original page two", "Original page three"});
  std::vector<std::string> variants;
  for (size_t cut : {10u, 100u, 300u, 500u}) variants.push_back(pdf.substr(0, std::min(cut, pdf.size())));
  for (size_t at = 20; at < pdf.size(); at += pdf.size() / 12) {
    std::string damaged = pdf;
    for (size_t k = at; k < std::min(at + 8, damaged.size()); ++k) damaged[k] = static_cast<char>(0xff - k % 7);
    variants.push_back(damaged);
  }
  variants.push_back("%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 1 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF");
  for (const std::string& variant : variants) {
    Response response = Upload(admin, "?framework=soc2-tsc-2017&kind=soc2&title=damaged&nda=false", variant);
    ASSERT_TRUE(response.status == 201 || response.status == 400) << response.status << " " << response.raw;
    if (response.status == 201) {
      Response download = admin.Get("/api/v1/reports/" + response.body["id"].get<std::string>() + "/download");
      EXPECT_EQ(download.status, 200) << download.raw.substr(0, 300);
    }
  }
  EXPECT_EQ(admin.Get("/api/v1/whoami").status, 200);
}

INSTANTIATE_TEST_SUITE_P(Backends, PortalTest, ::testing::Values("sqlite", "postgresql"), Backend);

}  // namespace
}  // namespace tutela::server
