// Reports and the customer portal: audit reports (SOC 1/2/3, ISO certificates, PCI attestations, ...) uploaded by the
// provider as PDFs and listed by framework with the catalog's certification records; customers accept an NDA before
// a download; every download is a fresh copy stamped on every page with who received it, when, and for which tenant.
//
// Records (this tenant's data, docs/server.md "Customer portal and reports"):
//   report          rp_...  state published | withdrawn; the PDF is a blob (DATA/blobs) named by its SHA-256
//   report_nda      na_...  one per report and user: the latest acceptance (name, company, NDA text SHA-256)
//   report_download dl_...  one per download: who, when, the notice stamped, the SHA-256 of the bytes sent
// Audit ledger: report.upload, report.withdraw, report.nda_accept, report.download (ok | nda_required).
// qpdf: no PointerHolder compatibility (std::shared_ptr throughout).
#define POINTERHOLDER_TRANSITION 4
#include <cmath>
#include <cstdio>
#include <qpdf/Buffer.hh>
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFObjectHandle.hh>
#include <qpdf/QPDFPageDocumentHelper.hh>
#include <qpdf/QPDFPageObjectHelper.hh>
#include <qpdf/QPDFWriter.hh>

#include "api.h"
#include "tutela/catalog/json.h"
#include "tutela/core/crypto.h"
#include "tutela/core/file_util.h"
#include "tutela/core/time.h"

namespace tutela::server {
namespace {
namespace fs = std::filesystem;

constexpr size_t kMaxReportBytes = size_t{64} << 20;
constexpr std::string_view kReportKinds[] = {"soc1",    "soc2", "soc3",     "iso-certificate", "pci-aoc",
                                             "pci-roc", "c5",   "csa-star", "pentest-summary", "bridge-letter",
                                             "other"};

// The built-in NDA: a short template in our own words, to be replaced by the provider's legal text
// (DATA/portal/nda.txt). It is not legal advice and has not been reviewed by a lawyer.
constexpr std::string_view kNdaTemplate =
    "TEMPLATE - replace this text with the provider's own non-disclosure terms (DATA/portal/nda.txt).\n"
    "\n"
    "1. The report you are about to download describes the provider's controls and was prepared for the provider's "
    "customers. It is confidential.\n"
    "2. You may use it only to evaluate the provider's services for your organisation, and share it only with your "
    "employees, auditors and advisers who need it for that purpose and are bound to keep it confidential.\n"
    "3. You will not publish it, pass it to anyone else, or remove the notice that names you as its recipient.\n"
    "4. Every copy is marked with your name, your company and the time of the download, and each download is "
    "recorded.\n"
    "5. These terms apply until the provider makes the report public or tells you otherwise in writing.\n"
    "\n"
    "By accepting you confirm that you may accept these terms for the company you name.\n";
constexpr std::string_view kNdaTemplateVersion = "template-1";

std::string Sha256Hex(std::string_view data) {
  Digest256 digest = Sha256(data);
  return ToHex(std::span<const uint8_t>(digest.data(), digest.size()));
}

struct Nda {
  std::string text;
  std::string version;
  std::string sha256;
  bool is_template = true;
};

// The provider's text when DATA/portal/nda.txt exists, else the built-in template.
Nda CurrentNda(const Services& services) {
  Nda nda;
  fs::path custom = services.options.data / "portal" / "nda.txt";
  std::error_code error;
  if (fs::exists(custom, error)) {
    auto text = ReadFile(custom, 1 << 20);
    if (text.ok() && !text->empty()) {
      nda.text = std::move(*text);
      nda.sha256 = Sha256Hex(nda.text);
      nda.version = "custom-" + nda.sha256.substr(0, 12);
      nda.is_template = false;
      return nda;
    }
    std::fprintf(stderr, "tutela serve: warning: %s: unreadable or empty; serving the built-in NDA template.\n",
                 custom.c_str());
  }
  nda.text = std::string(kNdaTemplate);
  nda.sha256 = Sha256Hex(nda.text);
  nda.version = std::string(kNdaTemplateVersion);
  return nda;
}

// ---- PDF stamping (libqpdf) ----

// UTF-8 to a PDF literal string in WinAnsiEncoding (what the standard Helvetica font shows); characters outside it
// become '?'. The document-info entry keeps the full text.
std::string PdfLiteral(std::string_view utf8) {
  std::string out = "(";
  auto octal = [&](unsigned byte) {
    char buffer[8];
    std::snprintf(buffer, sizeof buffer, "\\%03o", byte & 0xffu);
    out += buffer;
  };
  for (size_t i = 0; i < utf8.size();) {
    unsigned char c = static_cast<unsigned char>(utf8[i]);
    uint32_t code = 0;
    size_t length = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (length == 0 || i + length > utf8.size()) {
      out += '?';
      ++i;
      continue;
    }
    code = length == 1 ? c : c & (0x7f >> length);
    for (size_t k = 1; k < length; ++k) code = (code << 6) | (static_cast<unsigned char>(utf8[i + k]) & 0x3f);
    i += length;
    if (code < 0x20 || code == 0x7f) {
      out += ' ';
    } else if (code == '(' || code == ')' || code == '\\') {
      out += '\\';
      out += static_cast<char>(code);
    } else if (code < 0x80) {
      out += static_cast<char>(code);
    } else if (code >= 0xa0 && code <= 0xff) {
      octal(code);
    } else if (code == 0x2014) {
      octal(0x97);  // em dash
    } else if (code == 0x2013) {
      octal(0x96);
    } else if (code == 0x2018 || code == 0x2019) {
      octal(code == 0x2018 ? 0x91 : 0x92);
    } else if (code == 0x201c || code == 0x201d) {
      octal(code == 0x201c ? 0x93 : 0x94);
    } else if (code == 0x20ac) {
      octal(0x80);
    } else {
      out += '?';
    }
  }
  return out + ")";
}

// The text's width in Helvetica, in ems (close enough to fit a line on a page).
double WidthEm(std::string_view text) {
  double width = 0;
  for (unsigned char c : text) {
    if ((c & 0xc0) == 0x80) continue;  // UTF-8 continuation
    width += c == ' ' ? 0.278 : (c >= 'A' && c <= 'Z') ? 0.68 : (c >= '0' && c <= '9') ? 0.556 : 0.52;
  }
  return std::max(width, 1.0);
}

std::string Number(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2f", value);
  return buffer;
}

// A resource name not yet used in `dictionary`.
std::string FreeName(QPDFObjectHandle dictionary, const std::string& base) {
  std::string name = base;
  for (int i = 1; dictionary.hasKey(name); ++i) name = base + std::to_string(i);
  return name;
}

// `resources[key]` as a direct dictionary of this page's own, made when missing.
QPDFObjectHandle OwnSubdictionary(QPDFObjectHandle resources, const std::string& key) {
  QPDFObjectHandle dictionary = resources.getKey(key);
  if (!dictionary.isDictionary()) {
    dictionary = QPDFObjectHandle::newDictionary();
  } else {
    dictionary = dictionary.shallowCopy();
  }
  resources.replaceKey(key, dictionary);
  return dictionary;
}

struct Stamped {
  std::string pdf;
  int pages = 0;
};

// Adds `headline` diagonally across every page in translucent grey and `notice` as a line at its foot, and `notice`
// to the document information (/TutelaNotice). The original content is wrapped in q/Q and left as it was. Never
// throws: a PDF qpdf cannot read or write is InvalidArgument with qpdf's reason.
Result<Stamped> StampPdf(const std::string& input, const std::string& headline, const std::string& notice) {
  try {
    QPDF pdf;
    pdf.setSuppressWarnings(true);
    pdf.setAttemptRecovery(false);
    pdf.processMemoryFile("the PDF", input.data(), input.size());
    if (pdf.isEncrypted()) {
      return Status::InvalidArgument(
          "the PDF is encrypted; upload it without encryption, since the server stamps every copy it hands out.");
    }
    QPDFPageDocumentHelper document(pdf);
    document.pushInheritedAttributesToPage();
    std::vector<QPDFPageObjectHelper> pages = document.getAllPages();
    if (pages.empty()) return Status::InvalidArgument("the PDF has no pages.");
    QPDFObjectHandle font = pdf.makeIndirectObject(
        QPDFObjectHandle::parse("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"));
    QPDFObjectHandle translucent =
        pdf.makeIndirectObject(QPDFObjectHandle::parse("<< /Type /ExtGState /ca 0.35 /CA 0.35 >>"));
    const std::string headline_literal = PdfLiteral(headline), notice_literal = PdfLiteral(notice);
    const double headline_em = WidthEm(headline), notice_em = WidthEm(notice);
    for (QPDFPageObjectHelper& page : pages) {
      QPDFObjectHandle page_object = page.getObjectHandle();
      QPDFObjectHandle resources = page_object.getKey("/Resources");
      resources = resources.isDictionary() ? resources.shallowCopy() : QPDFObjectHandle::newDictionary();
      page_object.replaceKey("/Resources", resources);
      QPDFObjectHandle fonts = OwnSubdictionary(resources, "/Font");
      QPDFObjectHandle states = OwnSubdictionary(resources, "/ExtGState");
      std::string font_name = FreeName(fonts, "/TutelaNoticeFont");
      std::string state_name = FreeName(states, "/TutelaNoticeGS");
      fonts.replaceKey(font_name, font);
      states.replaceKey(state_name, translucent);

      QPDFObjectHandle::Rectangle box = page.getCropBox().getArrayAsRectangle();
      double x0 = std::min(box.llx, box.urx), y0 = std::min(box.lly, box.ury);
      double width = std::fabs(box.urx - box.llx), height = std::fabs(box.ury - box.lly);
      if (width < 72 || height < 72) {  // no usable box: assume US Letter
        x0 = 0;
        y0 = 0;
        width = 612;
        height = 792;
      }
      double angle = std::atan2(height, width);
      double c = std::cos(angle), s = std::sin(angle);
      double diagonal = std::hypot(width, height);
      double size = std::clamp(0.75 * diagonal / headline_em, 6.0, 48.0);
      double text_width = headline_em * size;
      double cx = x0 + width / 2, cy = y0 + height / 2;
      double x = cx - c * text_width / 2 + s * size / 3;
      double y = cy - s * text_width / 2 - c * size / 3;
      double foot = std::clamp(0.92 * width / notice_em, 4.0, 8.0);
      double foot_x = x0 + std::max(4.0, (width - notice_em * foot) / 2);
      std::string stamp = "\nQ\nq " + state_name + " gs 0.4 g BT " + font_name + " " + Number(size) + " Tf " +
                          Number(c) + " " + Number(s) + " " + Number(-s) + " " + Number(c) + " " + Number(x) + " " +
                          Number(y) + " Tm " + headline_literal + " Tj ET Q\nq 0.35 g BT " + font_name + " " +
                          Number(foot) + " Tf 1 0 0 1 " + Number(foot_x) + " " + Number(y0 + 8) + " Tm " +
                          notice_literal + " Tj ET Q\n";
      page.addPageContents(QPDFObjectHandle::newStream(&pdf, "q\n"), true);
      page.addPageContents(QPDFObjectHandle::newStream(&pdf, stamp), false);
    }
    QPDFObjectHandle trailer = pdf.getTrailer();
    QPDFObjectHandle info = trailer.getKey("/Info");
    if (!info.isDictionary()) {
      info = pdf.makeIndirectObject(QPDFObjectHandle::newDictionary());
      trailer.replaceKey("/Info", info);
    }
    info.replaceKey("/TutelaNotice", QPDFObjectHandle::newUnicodeString(notice));
    QPDFWriter writer(pdf);
    writer.setOutputMemory();
    writer.setDecodeLevel(qpdf_dl_none);  // copy the original streams as they are (no decompression bombs)
    writer.write();
    std::shared_ptr<Buffer> buffer = writer.getBufferSharedPointer();
    Stamped out;
    out.pdf.assign(reinterpret_cast<const char*>(buffer->getBuffer()), buffer->getSize());
    out.pages = static_cast<int>(pages.size());
    return out;
  } catch (const std::exception& error) {
    return Status::InvalidArgument(std::string("the PDF cannot be read (") + error.what() + ").");
  }
}

// ---- records ----

bool IsCustomer(const Call& call) { return call.principal->role == Role::kCustomer; }

std::string Today() { return FormatDate(NowUtc()); }

std::string AcceptanceId(const std::string& report, const std::string& user) { return "na_" + report + "_" + user; }

// A report the caller may see: customers see published ones only. nullopt with `error` set otherwise.
std::optional<Record> VisibleReport(Call& call, Reply* error) {
  auto found = call.data->Get("report", call.Param("id"));
  if (!found.ok()) {
    *error = FromStatus(found.status());
    return std::nullopt;
  }
  if (!*found || (IsCustomer(call) && (*found)->state != "published")) {
    *error = Error(404, "not_found", "no such report.");
    return std::nullopt;
  }
  return std::move(**found);
}

// The caller's acceptance of the current NDA for the report, if any.
Result<std::optional<Record>> CurrentAcceptance(Call& call, const std::string& report, const Nda& nda) {
  TUTELA_ASSIGN_OR_RETURN(auto found, call.data->Get("report_nda", AcceptanceId(report, call.principal->user.id)));
  if (!found || found->body.value("nda_sha256", "") != nda.sha256) return std::optional<Record>();
  return found;
}

nlohmann::json CertificationsJson(const Services& services, const std::string& framework) {
  nlohmann::json list = nlohmann::json::array();
  std::string today = Today();
  for (const catalog::Certification& record : services.catalog.certifications()) {
    if (record.framework == framework) list.push_back(catalog::CertificationJson(record, today));
  }
  return list;
}

nlohmann::json ReportJson(const Call& call, const Record& record) {
  nlohmann::json body = {{"id", record.id},
                         {"state", record.state},
                         {"framework", record.body.value("framework", "")},
                         {"title", record.body.value("title", "")},
                         {"kind", record.body.value("kind", "")},
                         {"period", record.body.value("period", "")},
                         {"nda", record.body.value("nda", true)},
                         {"pages", record.body.value("pages", 0)},
                         {"bytes", record.body.value("bytes", 0)},
                         {"uploaded", record.created}};
  if (!IsCustomer(call)) {
    body["sha256"] = record.body.value("sha256", "");
    body["uploaded_by"] = record.body.value("uploaded_by", "");
    body["certifications"] = record.body.value("certifications", nlohmann::json::array());
    if (record.state == "withdrawn") {
      body["withdrawn_by"] = record.body.value("withdrawn_by", "");
      body["withdrawn_at"] = record.body.value("withdrawn_at", "");
    }
  }
  return body;
}

// Free text from a query or JSON field: trimmed, 1..max characters, no control characters.
std::optional<std::string> CleanText(std::string text, size_t max) {
  size_t first = text.find_first_not_of(" \t");
  size_t last = text.find_last_not_of(" \t");
  text = first == std::string::npos ? "" : text.substr(first, last - first + 1);
  if (text.empty() || text.size() > max) return std::nullopt;
  for (unsigned char c : text) {
    if (c < 0x20 || c == 0x7f) return std::nullopt;
  }
  return text;
}

// ---- handlers ----

Reply UploadReport(Call& call, Services& services) {
  std::string framework_id = call.Query("framework");
  const catalog::Framework* framework = services.catalog.FindFramework(framework_id);
  if (framework == nullptr) {
    return Error(400, "invalid", "?framework: no framework \"" + framework_id + "\" in the catalog (GET /frameworks).");
  }
  auto title = CleanText(call.Query("title"), 200);
  if (!title) return Error(400, "invalid", "?title: give the report's title (1-200 characters, one line).");
  std::string kind = call.Query("kind");
  if (std::find(std::begin(kReportKinds), std::end(kReportKinds), kind) == std::end(kReportKinds)) {
    std::string known;
    for (std::string_view name : kReportKinds) known += (known.empty() ? "" : ", ") + std::string(name);
    return Error(400, "invalid", "?kind must be one of " + known + ".");
  }
  std::string nda_text = call.Query("nda", "true");
  if (nda_text != "true" && nda_text != "false") return Error(400, "invalid", "?nda must be true or false.");
  std::string period;
  if (!call.Query("period").empty()) {
    auto clean = CleanText(call.Query("period"), 100);
    if (!clean)
      return Error(400, "invalid", "?period: at most 100 characters on one line (e.g. 2025-01-01/2025-12-31).");
    period = *clean;
  }
  std::string content_type = call.request.get_header_value("Content-Type");
  if (!content_type.starts_with("application/pdf") && !content_type.starts_with("application/octet-stream")) {
    return Error(400, "invalid", "send the report as the request body with \"Content-Type: application/pdf\".");
  }
  const std::string& body = call.request.body;
  if (body.size() > kMaxReportBytes) {
    return Error(413, "too_large", "a report may be at most 64 MiB.");
  }
  if (!body.starts_with("%PDF-")) {
    return Error(400, "invalid", "the request body is not a PDF (it does not start with \"%PDF-\").");
  }
  // A trial stamp: what every download will do, so that a PDF accepted here can always be handed out.
  auto trial = StampPdf(body, "upload check", "upload check");
  if (!trial.ok()) {
    services.Audit(call, "report.upload", "", "invalid", {{"framework", framework_id}, {"bytes", body.size()}});
    return Error(400, "invalid",
                 "the uploaded report: " + trial.status().message() + " Export or print it to PDF again and retry.");
  }
  auto digest = services.PutBlob(body);
  if (!digest.ok()) return FromStatus(digest.status());
  nlohmann::json certifications = nlohmann::json::array();
  for (const catalog::Certification& record : services.catalog.certifications()) {
    if (record.framework == framework_id) certifications.push_back(record.id);
  }
  Record record;
  record.kind = "report";
  record.id = NewId("rp_");
  record.state = "published";
  record.body = {{"framework", framework_id},
                 {"title", *title},
                 {"kind", kind},
                 {"period", period},
                 {"nda", nda_text == "true"},
                 {"sha256", *digest},
                 {"bytes", body.size()},
                 {"pages", trial->pages},
                 {"certifications", certifications},
                 {"uploaded_by", call.principal->user.name}};
  if (Status saved = call.data->Put(record); !saved.ok()) return FromStatus(saved);
  services.Audit(call, "report.upload", record.id, "ok",
                 {{"framework", framework_id},
                  {"kind", kind},
                  {"sha256", *digest},
                  {"bytes", body.size()},
                  {"pages", trial->pages},
                  {"nda", nda_text == "true"}});
  Reply reply = Json(ReportJson(call, record), 201);
  reply.headers.emplace_back("Location", "/api/v1/reports/" + record.id);
  return reply;
}

Reply ListReports(Call& call, Services& services) {
  RecordQuery query;
  query.limit = 10000;
  query.newest_first = true;
  if (IsCustomer(call)) {
    query.state = "published";
  } else {
    query.state = call.Query("state");
  }
  auto records = call.data->List("report", query);
  if (!records.ok()) return FromStatus(records.status());
  Nda nda = CurrentNda(services);
  std::map<std::string, nlohmann::json> by_framework;
  for (const Record& record : *records) {
    nlohmann::json item = ReportJson(call, record);
    if (item["nda"].get<bool>()) {
      auto accepted = CurrentAcceptance(call, record.id, nda);
      if (!accepted.ok()) return FromStatus(accepted.status());
      item["nda_accepted"] = accepted->has_value();
    } else {
      item["nda_accepted"] = nullptr;
    }
    by_framework[item["framework"].get<std::string>()].push_back(std::move(item));
  }
  nlohmann::json frameworks = nlohmann::json::array();
  for (auto& [id, reports] : by_framework) {
    const catalog::Framework* known = services.catalog.FindFramework(id);
    frameworks.push_back({{"id", id},
                          {"name", known ? known->name : id},
                          {"certifications", CertificationsJson(services, id)},
                          {"reports", std::move(reports)}});
  }
  std::sort(frameworks.begin(), frameworks.end(),
            [](const nlohmann::json& a, const nlohmann::json& b) { return a["name"] < b["name"]; });
  return Json({{"as_of", Today()},
               {"nda", {{"version", nda.version}, {"sha256", nda.sha256}, {"template", nda.is_template}}},
               {"frameworks", frameworks}});
}

Reply GetReport(Call& call, Services& services) {
  Reply error;
  auto record = VisibleReport(call, &error);
  if (!record) return error;
  nlohmann::json body = ReportJson(call, *record);
  Nda nda = CurrentNda(services);
  auto accepted = CurrentAcceptance(call, record->id, nda);
  if (!accepted.ok()) return FromStatus(accepted.status());
  body["nda_accepted"] = body["nda"].get<bool>() ? nlohmann::json(accepted->has_value()) : nlohmann::json(nullptr);
  const catalog::Framework* known = services.catalog.FindFramework(body["framework"].get<std::string>());
  body["framework_name"] = known ? known->name : body["framework"].get<std::string>();
  body["certification_details"] = CertificationsJson(services, body["framework"].get<std::string>());
  return Json(body);
}

Reply WithdrawReport(Call& call, Services& services) {
  Reply reply;
  Status status = call.data->Transaction([&]() -> Status {
    auto found = call.data->Get("report", call.Param("id"));
    if (!found.ok()) return found.status();
    if (!*found) {
      reply = Error(404, "not_found", "no such report.");
      return Status::Ok();
    }
    Record record = **found;
    if (record.state == "withdrawn") {
      reply = Error(409, "conflict", "the report is already withdrawn.");
      return Status::Ok();
    }
    record.state = "withdrawn";
    record.body["withdrawn_by"] = call.principal->user.name;
    record.body["withdrawn_at"] = FormatRfc3339(NowUtc());
    TUTELA_RETURN_IF_ERROR(call.data->Put(record));
    reply = Json(ReportJson(call, record));
    return Status::Ok();
  });
  if (!status.ok()) return FromStatus(status);
  if (reply.status != 404) {
    services.Audit(call, "report.withdraw", call.Param("id"), reply.status == 200 ? "ok" : "refused");
  }
  return reply;
}

nlohmann::json AcceptanceJson(const Record& record) {
  return {{"accepted_at", record.body.value("accepted_at", "")},
          {"name", record.body.value("name", "")},
          {"company", record.body.value("company", "")},
          {"nda_version", record.body.value("nda_version", "")},
          {"nda_sha256", record.body.value("nda_sha256", "")}};
}

Reply GetNda(Call& call, Services& services) {
  Reply error;
  auto record = VisibleReport(call, &error);
  if (!record) return error;
  Nda nda = CurrentNda(services);
  auto accepted = CurrentAcceptance(call, record->id, nda);
  if (!accepted.ok()) return FromStatus(accepted.status());
  return Json({{"report", record->id},
               {"required", record->body.value("nda", true)},
               {"version", nda.version},
               {"sha256", nda.sha256},
               {"template", nda.is_template},
               {"text", nda.text},
               {"accepted", *accepted ? AcceptanceJson(**accepted) : nlohmann::json(nullptr)}});
}

Reply AcceptNda(Call& call, Services& services) {
  Reply error;
  auto record = VisibleReport(call, &error);
  if (!record) return error;
  auto body = JsonBody(call, &error);
  if (!body) return error;
  BodyFields fields(*body);
  bool accept = fields.Bool("accept", false);
  std::string name_text = fields.Text("name");
  std::string company_text = fields.Text("company");
  std::string seen = fields.Text("sha256");
  if (auto refused = fields.Refusal()) return *refused;
  if (!accept) {
    return Error(400, "invalid", "send {\"accept\": true, \"name\": ..., \"company\": ...} to accept the NDA.");
  }
  auto name = CleanText(name_text, 120);
  if (!name || name->size() < 2) return Error(400, "invalid", "\"name\": your full name (2-120 characters).");
  auto company = CleanText(company_text, 120);
  if (!company) return Error(400, "invalid", "\"company\": the company you accept for (1-120 characters).");
  Nda nda = CurrentNda(services);
  if (!seen.empty() && seen != nda.sha256) {
    return Error(409, "conflict", "the NDA text has changed since it was read; read it again (GET .../nda).");
  }
  Record acceptance;
  acceptance.kind = "report_nda";
  acceptance.id = AcceptanceId(record->id, call.principal->user.id);
  acceptance.state = "accepted";
  acceptance.body = {{"report", record->id},
                     {"user_id", call.principal->user.id},
                     {"user", call.principal->user.name},
                     {"name", *name},
                     {"company", *company},
                     {"nda_version", nda.version},
                     {"nda_sha256", nda.sha256},
                     {"accepted_at", FormatRfc3339(NowUtc())}};
  if (Status saved = call.data->Put(acceptance); !saved.ok()) return FromStatus(saved);
  // The ledger proves what was accepted and by which account; the signatory's name and company stay in the tenant's
  // record, and the ledger holds only their digest.
  services.Audit(call, "report.nda_accept", record->id, "ok",
                 {{"nda_version", nda.version},
                  {"nda_sha256", nda.sha256},
                  {"signatory_sha256", Sha256Hex(*name + "\n" + *company)}});
  nlohmann::json out = AcceptanceJson(acceptance);
  out["report"] = record->id;
  return Json(out);
}

// A file name from the title: letters, digits and dashes.
std::string FileName(const std::string& title, const std::string& id) {
  std::string name;
  for (unsigned char c : title) {
    if (std::isalnum(c)) {
      name += static_cast<char>(c);
    } else if (!name.empty() && name.back() != '-') {
      name += '-';
    }
    if (name.size() >= 60) break;
  }
  while (!name.empty() && name.back() == '-') name.pop_back();
  return (name.empty() ? "report" : name) + "-" + id + ".pdf";
}

Reply DownloadReport(Call& call, Services& services) {
  Reply error;
  auto record = VisibleReport(call, &error);
  if (!record) return error;
  Nda nda = CurrentNda(services);
  auto accepted = CurrentAcceptance(call, record->id, nda);
  if (!accepted.ok()) return FromStatus(accepted.status());
  const Principal& principal = *call.principal;
  bool needs_nda = record->body.value("nda", true);
  if (IsCustomer(call) && needs_nda && !*accepted) {
    services.Audit(call, "report.download", record->id, "nda_required");
    return Error(403, "nda_required",
                 "accept the non-disclosure terms first (GET, then POST /api/v1/reports/" + record->id + "/nda).");
  }
  std::string recipient =
      *accepted ? (*accepted)->body.value("name", "") + " (" + (*accepted)->body.value("company", "") + ")"
                : principal.user.name + " (" + std::string(RoleName(principal.role)) + ")";
  std::string download_id = NewId("dl_");
  std::string when = FormatRfc3339(NowUtc());
  std::string notice = "Provided to " + recipient + " on " + when.substr(0, 10) + " " + when.substr(11, 5) +
                       " UTC \u2014 confidential; not for redistribution \u00b7 tenant " + principal.tenant.name +
                       " \u00b7 copy " + download_id;
  std::string headline = "Provided to " + recipient + " \u00b7 " + when.substr(0, 10) + " \u2014 confidential";
  auto original = ReadFile(services.BlobPath(record->body.value("sha256", "")), kMaxReportBytes + 1);
  if (!original.ok()) return FromStatus(original.status());
  auto stamped = StampPdf(*original, headline, notice);
  if (!stamped.ok()) {
    std::fprintf(stderr, "tutela serve: error: report %s: %s\n", record->id.c_str(),
                 stamped.status().message().c_str());
    return Error(500, "internal", "the report could not be stamped; the error is in the server's log.");
  }
  std::string sent = Sha256Hex(stamped->pdf);
  Record download;
  download.kind = "report_download";
  download.id = download_id;
  download.state = "sent";
  download.body = {{"report", record->id},
                   {"user_id", principal.user.id},
                   {"user", principal.user.name},
                   {"role", RoleName(principal.role)},
                   {"notice", notice},
                   {"nda_version", *accepted ? (*accepted)->body.value("nda_version", "") : ""},
                   {"sha256", sent},
                   {"bytes", stamped->pdf.size()},
                   {"at", when}};
  if (Status saved = call.data->Put(download); !saved.ok()) return FromStatus(saved);
  services.Audit(call, "report.download", record->id, "ok",
                 {{"download", download_id},
                  {"sha256", sent},
                  {"bytes", stamped->pdf.size()},
                  {"source_sha256", record->body.value("sha256", "")},
                  {"pages", stamped->pages},
                  {"nda_sha256", *accepted ? (*accepted)->body.value("nda_sha256", "") : ""}});
  Reply reply;
  reply.body = std::move(stamped->pdf);
  reply.content_type = "application/pdf";
  reply.headers.emplace_back("Content-Disposition",
                             "attachment; filename=\"" + FileName(record->body.value("title", ""), record->id) + "\"");
  reply.headers.emplace_back("X-Tutela-Download", download_id);
  return reply;
}

// Staff: who accepted the NDA and who downloaded which copy.
Reply ReportActivity(Call& call, Services&) {
  Reply error;
  auto record = VisibleReport(call, &error);
  if (!record) return error;
  RecordQuery query;
  query.search = record->id;
  query.limit = 5000;
  nlohmann::json acceptances = nlohmann::json::array();
  auto accepted = call.data->List("report_nda", query);
  if (!accepted.ok()) return FromStatus(accepted.status());
  for (const Record& item : *accepted) {
    if (item.body.value("report", "") != record->id) continue;
    nlohmann::json entry = AcceptanceJson(item);
    entry["user"] = item.body.value("user", "");
    acceptances.push_back(std::move(entry));
  }
  nlohmann::json downloads = nlohmann::json::array();
  auto sent = call.data->List("report_download", query);
  if (!sent.ok()) return FromStatus(sent.status());
  for (const Record& item : *sent) {
    if (item.body.value("report", "") != record->id) continue;
    downloads.push_back({{"id", item.id},
                         {"at", item.body.value("at", "")},
                         {"user", item.body.value("user", "")},
                         {"role", item.body.value("role", "")},
                         {"notice", item.body.value("notice", "")},
                         {"sha256", item.body.value("sha256", "")},
                         {"bytes", item.body.value("bytes", 0)}});
  }
  return Json({{"report", record->id}, {"acceptances", acceptances}, {"downloads", downloads}});
}

}  // namespace

void AddPortalRoutes(std::vector<Route>& routes) {
  const std::vector<Role> uploaders = {Role::kAdmin, Role::kCompliance};
  const std::vector<Role> reviewers = {Role::kAdmin, Role::kCompliance, Role::kAuditor};
  routes.push_back({{"POST", "/api/v1/reports", true, uploaders, "upload reports"}, UploadReport});
  routes.push_back({{"GET", "/api/v1/reports", true, {}, "read reports"}, ListReports});
  routes.push_back({{"GET", "/api/v1/reports/{id}", true, {}, "read reports"}, GetReport});
  routes.push_back(
      {{"DELETE", "/api/v1/reports/{id}", true, Roles({Role::kAdmin}), "withdraw reports"}, WithdrawReport});
  routes.push_back({{"GET", "/api/v1/reports/{id}/nda", true, {}, "read the NDA"}, GetNda});
  routes.push_back(
      {{"POST", "/api/v1/reports/{id}/nda", true, Roles({Role::kCustomer}), "accept an NDA (customers do)"},
       AcceptNda});
  routes.push_back({{"GET", "/api/v1/reports/{id}/download", true, {}, "download reports"}, DownloadReport});
  routes.push_back({{"GET", "/api/v1/reports/{id}/activity", true, reviewers, "read a report's NDA and download log"},
                    ReportActivity});
}

}  // namespace tutela::server
