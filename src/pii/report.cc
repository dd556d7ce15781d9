// Masked previews, keyed fingerprints, the findings collector and the PII inventory (see report.h).
#include "tutela/pii/report.h"

#include <sys/stat.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <iomanip>
#include <set>
#include <sstream>

#include "tutela/core/crypto.h"
#include "tutela/core/csv.h"
#include "tutela/core/data.h"
#include "tutela/core/file_util.h"
#include "tutela/core/json_text.h"
#include "tutela/pii/extract.h"

namespace tutela::pii {
namespace {

bool IsAlnum(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

int SensitivityRank(std::string_view sensitivity) {
  return sensitivity == "high" ? 3 : sensitivity == "medium" ? 2 : sensitivity == "low" ? 1 : 0;
}
std::string_view SensitivityName(int rank) {
  return rank == 3 ? "high" : rank == 2 ? "medium" : rank == 1 ? "low" : "none";
}

std::string FormatScore(double score) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(2) << score;
  return out.str();
}

nlohmann::json FindingJson(const StoredFinding& finding) {
  nlohmann::json json = {{"entity", finding.entity},
                         {"category", finding.category},
                         {"path", finding.path},
                         {"start", finding.start},
                         {"end", finding.end},
                         {"line", finding.line},
                         {"score", std::round(finding.score * 100) / 100},
                         {"preview", finding.preview},
                         {"fingerprint", finding.fingerprint}};
  if (!finding.location.empty()) json["location"] = finding.location;
  return json;
}

}  // namespace

std::filesystem::path DefaultFingerprintKeyPath() { return UserDataPath("fingerprint.key"); }

Result<std::string> LoadOrCreateFingerprintKey(const std::filesystem::path& path) {
  std::error_code error;
  if (std::filesystem::exists(path, error)) {
    TUTELA_ASSIGN_OR_RETURN(std::string text, ReadFile(path, 4096));
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
    auto key = FromHex(text);
    if (!key.ok() || key->size() < 16) {
      return Status::InvalidArgument(path.string() +
                                     ": not a fingerprint key (expected at least 32 hexadecimal "
                                     "digits); remove it to create a new key or restore the right file.");
    }
    return *key;
  }
  if (path.has_parent_path()) {
    std::filesystem::create_directories(path.parent_path(), error);
    if (error) return ErrnoStatus(error.value(), "create the folder of", path);
    ::chmod(path.parent_path().c_str(), 0700);
  }
  TUTELA_ASSIGN_OR_RETURN(std::string key, RandomBytes(32));
  std::string hex = ToHex(std::span(reinterpret_cast<const uint8_t*>(key.data()), key.size()));
  TUTELA_RETURN_IF_ERROR(WriteFileAtomic(path, hex + "\n", 0600));
  return key;
}

std::string NormalizeValue(const Entity& entity, std::string_view value) {
  std::string out;
  if (entity.id == "EMAIL_ADDRESS") {
    for (char c : value) out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    return out;
  }
  if (entity.category == "credential" || entity.id == "IP_ADDRESS") return std::string(value);
  for (char c : value) {
    if (c == ' ' || c == '-' || c == '(' || c == ')' || c == '.' || c == '/') continue;
    out += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  }
  return out;
}

std::string Fingerprint(const HmacSha256Key& key, const Entity& entity, std::string_view value) {
  Digest256 digest = key.Compute(entity.id + ":" + NormalizeValue(entity, value));
  return "hmac-sha256:" + ToHex(std::span(digest.data(), 16));
}

std::string MaskValue(const Entity& entity, std::string_view value) {
  if (entity.id == "PRIVATE_KEY") return std::string(value);  // the BEGIN line carries no secret
  std::string out(value);
  size_t keep_from = out.size();
  if (entity.id == "EMAIL_ADDRESS") {
    size_t at = out.find('@');
    for (size_t i = 1; i < at; ++i) out[i] = '*';
    return out;
  }
  size_t alnum = 0;
  for (char c : out) alnum += IsAlnum(c) ? 1 : 0;
  // Keep the last 4 characters of long values, the last 2 of short ones, none of credentials.
  size_t keep = entity.category == "credential" ? 4 : alnum >= 12 ? 4 : alnum >= 8 ? 2 : 0;
  if (entity.category == "credential") {
    // Keep the public prefix (AKID/AKIA) that says what it is; hide the rest.
    for (size_t i = 4; i < out.size(); ++i) out[i] = '*';
    return out;
  }
  size_t seen = 0;
  for (size_t i = out.size(); i-- > 0;) {
    if (!IsAlnum(out[i])) continue;
    if (seen++ < keep) {
      keep_from = i;
      continue;
    }
    out[i] = '*';
  }
  (void)keep_from;
  return out;
}

FindingCollector::FindingCollector(const Catalog& catalog, std::string key, bool show_values)
    : catalog_(catalog), key_(key), show_values_(show_values) {}

void FindingCollector::OnFinding(const Finding& finding) {
  StoredFinding stored;
  stored.entity = finding.entity->id;
  stored.category = finding.entity->category;
  stored.path = std::string(finding.path);
  stored.location = std::string(finding.location);
  stored.start = finding.start;
  stored.end = finding.end;
  stored.line = finding.line;
  stored.score = finding.score;
  stored.preview = show_values_ ? std::string(finding.value) : MaskValue(*finding.entity, finding.value);
  stored.fingerprint = Fingerprint(key_, *finding.entity, finding.value);
  std::string rendered = render_ ? render_(stored) : std::string();
  std::lock_guard lock(mutex_);
  ++finding_count_;
  auto& [count, max_score] = totals_[stored.path].entities[stored.entity];
  ++count;
  max_score = std::max(max_score, stored.score);
  if (stored.location.rfind("column ", 0) == 0) ++columns_[{stored.path, stored.location.substr(7)}][stored.entity];
  if (stream_) {
    stream_(stored, rendered);
  } else {
    findings_.push_back(std::move(stored));
  }
}

void FindingCollector::OnFileDone(std::string_view path, uint64_t bytes) {
  std::lock_guard lock(mutex_);
  ++files_;
  bytes_ += bytes;
  scanned_paths_.emplace_back(path);
}

void FindingCollector::OnError(const Status& status) {
  std::lock_guard lock(mutex_);
  errors_.push_back(status.message());
}

void FindingCollector::OnSkipped(std::string_view path, std::string_view reason) {
  std::lock_guard lock(mutex_);
  skipped_.emplace_back(std::string(path), std::string(reason));
}

void FindingCollector::Sort() {
  // Within one input, findings keep the order the scan delivered them (one worker per input): offset order for plain
  // files, segment order (member, sheet, paragraph, page, table) inside containers, whose offsets are per segment.
  std::stable_sort(findings_.begin(), findings_.end(),
                   [](const StoredFinding& a, const StoredFinding& b) { return a.path < b.path; });
  std::sort(errors_.begin(), errors_.end());
  std::sort(skipped_.begin(), skipped_.end());
}

nlohmann::json FindingCollector::Summary() const {
  std::map<std::string, uint64_t> entities;
  for (const auto& [path, totals] : totals_) {
    for (const auto& [entity, stats] : totals.entities) entities[entity] += stats.first;
  }
  nlohmann::json column_list = nlohmann::json::array();
  for (const auto& [key, counts] : columns_) {
    auto best = std::max_element(counts.begin(), counts.end(),
                                 [](const auto& a, const auto& b) { return a.second < b.second; });
    column_list.push_back({{"path", key.first}, {"column", key.second}, {"entity", best->first}, {"counts", counts}});
  }
  nlohmann::json skipped = nlohmann::json::array();
  for (const auto& [path, reason] : skipped_) skipped.push_back({{"path", path}, {"reason", reason}});
  return {{"files", files_},        {"bytes", bytes_},    {"findings", finding_count_}, {"entities", entities},
          {"columns", column_list}, {"skipped", skipped}, {"errors", errors_}};
}

namespace {

// A JSON number as nlohmann-json writes a double: the shortest text that reads back the same, with ".0" on whole
// numbers.
void AppendJsonDouble(std::string& out, double value) {
  char buffer[32];
  auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value);
  std::string_view text(buffer, error == std::errc() ? static_cast<size_t>(end - buffer) : 0);
  out.append(text);
  if (text.find_first_of(".e") == std::string_view::npos) out += ".0";
}

void AppendField(std::string& out, std::string_view key, std::string_view value) {
  out += key;
  AppendJsonString(out, value);
}

void AppendField(std::string& out, std::string_view key, uint64_t value) {
  out += key;
  char buffer[24];
  auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, static_cast<size_t>(end - buffer));
}

}  // namespace

// Written by hand (this is per finding, on the hot path of a streamed scan), with FindingJson's keys in the order
// nlohmann-json sorts them, so that the line is byte for byte what `DumpJson(FindingJson(finding))` gives.
std::string FindingNdjsonLine(const StoredFinding& finding) {
  std::string line;
  line.reserve(192 + finding.path.size() + finding.location.size());
  AppendField(line, "{\"category\":", finding.category);
  AppendField(line, ",\"end\":", finding.end);
  AppendField(line, ",\"entity\":", finding.entity);
  AppendField(line, ",\"fingerprint\":", finding.fingerprint);
  AppendField(line, ",\"line\":", finding.line);
  if (!finding.location.empty()) AppendField(line, ",\"location\":", finding.location);
  AppendField(line, ",\"path\":", finding.path);
  AppendField(line, ",\"preview\":", finding.preview);
  line += ",\"score\":";
  AppendJsonDouble(line, std::round(finding.score * 100) / 100);
  AppendField(line, ",\"start\":", finding.start);
  line += "}\n";
  return line;
}

std::string RenderFindings(const FindingCollector& collector, std::string_view format, bool color) {
  std::ostringstream out;
  if (format == "json") {
    nlohmann::json list = nlohmann::json::array();
    for (const StoredFinding& finding : collector.findings()) list.push_back(FindingJson(finding));
    out << DumpJson(nlohmann::json{{"findings", list}, {"summary", collector.Summary()}}, 2) << "\n";
  } else if (format == "ndjson") {
    for (const StoredFinding& finding : collector.findings()) out << FindingNdjsonLine(finding);
  } else if (format == "sarif") {
    std::set<std::string> used;
    for (const StoredFinding& finding : collector.findings()) used.insert(finding.entity);
    nlohmann::json rules = nlohmann::json::array();
    for (const std::string& id : used) {
      const Entity* entity = collector.catalog().Find(id);
      if (entity == nullptr) continue;
      rules.push_back({{"id", id},
                       {"shortDescription", {{"text", entity->description}}},
                       {"properties", {{"category", entity->category}, {"sensitivity", entity->sensitivity}}}});
    }
    nlohmann::json results = nlohmann::json::array();
    for (const StoredFinding& f : collector.findings()) {
      const Entity* entity = collector.catalog().Find(f.entity);
      std::string sensitivity = entity != nullptr ? entity->sensitivity : "low";
      nlohmann::json region = {{"startLine", f.line}, {"byteOffset", f.start}, {"byteLength", f.end - f.start}};
      nlohmann::json location = {{"physicalLocation", {{"artifactLocation", {{"uri", f.path}}}, {"region", region}}}};
      if (!f.location.empty()) location["logicalLocations"] = nlohmann::json::array({{{"name", f.location}}});
      results.push_back({{"ruleId", f.entity},
                         {"level", sensitivity == "high"     ? "error"
                                   : sensitivity == "medium" ? "warning"
                                                             : "note"},
                         {"message", {{"text", f.entity + " " + f.preview + " (score " + FormatScore(f.score) + ")"}}},
                         {"locations", nlohmann::json::array({location})},
                         {"partialFingerprints", {{"tutelaValue/v1", f.fingerprint}}},
                         {"properties", {{"score", std::round(f.score * 100) / 100}, {"category", f.category}}}});
    }
    nlohmann::json sarif = {
        {"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
        {"version", "2.1.0"},
        {"runs",
         nlohmann::json::array(
             {{{"tool",
                {{"driver",
                  {{"name", "tutela"}, {"informationUri", "https://github.com/tutela/tutela"}, {"rules", rules}}}}},
               {"results", results}}})}};
    out << DumpJson(sarif, 2) << "\n";
  } else if (format == "csv") {
    out << "entity,category,path,location,start,end,line,score,preview,fingerprint\n";
    for (const StoredFinding& f : collector.findings()) {
      out << f.entity << "," << f.category << "," << CsvField(f.path, ',', true) << ","
          << CsvField(f.location, ',', true) << "," << f.start << "," << f.end << "," << f.line << ","
          << FormatScore(f.score) << "," << CsvField(f.preview, ',', true) << "," << f.fingerprint << "\n";
    }
  } else {
    for (const StoredFinding& f : collector.findings()) {
      std::string where = f.path + ":" + std::to_string(f.line);
      if (!f.location.empty()) where += " (" + f.location + ")";
      std::string entity = color ? "\033[1m" + f.entity + "\033[0m" : f.entity;
      out << where << "  " << entity << "  " << FormatScore(f.score) << "  " << f.preview << "  " << f.fingerprint
          << "\n";
    }
    nlohmann::json summary = collector.Summary();
    out << collector.finding_count() << " finding(s) in " << collector.files() << " file(s), " << collector.bytes()
        << " bytes";
    if (!collector.errors().empty()) out << ", " << collector.errors().size() << " error(s)";
    out << "\n";
    for (const auto& [entity, count] : summary["entities"].items()) out << "  " << entity << ": " << count << "\n";
    for (const auto& column : summary["columns"]) {
      out << "  column " << column["column"].get<std::string>() << " of " << column["path"].get<std::string>() << ": "
          << column["entity"].get<std::string>() << "\n";
    }
  }
  return out.str();
}

nlohmann::json BuildInventory(const FindingCollector& collector, const Catalog& catalog,
                              const std::vector<std::string>& roots, std::string_view generated_at) {
  nlohmann::json stores = nlohmann::json::array();
  for (const std::string& root : roots) {
    const bool database = IsPostgresUri(root);
    std::string store = root == "-" ? "<stdin>" : database ? RedactUri(root) : root;
    std::error_code error;
    std::string kind = root == "-"                                  ? "stream"
                       : database                                   ? "database"
                       : std::filesystem::is_directory(root, error) ? "directory"
                                                                    : "file";
    std::map<std::string, std::pair<uint64_t, double>> per_entity;
    std::set<std::string> files;
    auto inside = [&](std::string_view path) {
      return path == store || (kind == "directory" && path.rfind(root + (root.back() == '/' ? "" : "/"), 0) == 0);
    };
    for (const auto& [path, totals] : collector.totals_by_path()) {
      if (!inside(path)) continue;
      for (const auto& [entity, stats] : totals.entities) {
        if (catalog.Find(entity) == nullptr) continue;
        auto& [count, max_score] = per_entity[entity];
        count += stats.first;
        max_score = std::max(max_score, stats.second);
        files.insert(path);
      }
    }
    uint64_t scanned =
        static_cast<uint64_t>(std::count_if(collector.scanned_paths().begin(), collector.scanned_paths().end(),
                                            [&](const std::string& path) { return inside(path); }));
    // Errors name their file first ("PATH: ..."); a root that could not be read at all names the root.
    nlohmann::json errors = nlohmann::json::array();
    for (const std::string& message : collector.errors()) {
      std::string_view text = message;
      if (text.rfind(store + ":", 0) == 0 || (kind == "directory" && inside(text.substr(0, text.find(':'))))) {
        errors.push_back(message);
      }
    }
    std::set<std::string> categories, jurisdictions, laws;
    int max_rank = 0;
    nlohmann::json entities = nlohmann::json::array();
    uint64_t total = 0;
    for (const auto& [id, stats] : per_entity) {
      const Entity* entity = catalog.Find(id);
      if (entity == nullptr) continue;
      categories.insert(entity->category);
      jurisdictions.insert(entity->jurisdictions.begin(), entity->jurisdictions.end());
      laws.insert(entity->sensitive_under.begin(), entity->sensitive_under.end());
      max_rank = std::max(max_rank, SensitivityRank(entity->sensitivity));
      total += stats.first;
      entities.push_back({{"id", id},
                          {"category", entity->category},
                          {"count", stats.first},
                          {"max_score", std::round(stats.second * 100) / 100},
                          {"sensitivity", entity->sensitivity},
                          {"sensitive_under", entity->sensitive_under},
                          {"jurisdictions", entity->jurisdictions}});
    }
    stores.push_back({{"store", store},
                      {"kind", kind},
                      {"complete", errors.empty()},
                      {"files_scanned", scanned},
                      {"errors", errors},
                      {"files_with_findings", files.size()},
                      {"findings", total},
                      {"max_sensitivity", SensitivityName(max_rank)},
                      {"categories", categories},
                      {"jurisdictions", jurisdictions},
                      {"sensitive_under", laws},
                      {"entities", entities}});
  }
  return {{"format", "tutela-pii-inventory"},
          {"version", 1},
          {"generated_at", generated_at},
          {"generator", "tutela pii scan"},
          {"stores", stores}};
}

}  // namespace tutela::pii
