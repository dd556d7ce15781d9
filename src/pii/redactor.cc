#include "tutela/pii/redactor.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <future>
#include <mutex>
#include <nlohmann/json.hpp>

#include "tutela/core/bytes.h"
#include "tutela/core/crypto.h"
#include "tutela/core/csv.h"
#include "tutela/core/data.h"
#include "tutela/core/file_util.h"
#include "tutela/core/json_text.h"
#include "tutela/core/thread_pool.h"
#include "tutela/pii/structured.h"

namespace tutela::pii {
namespace {

// CsvParser's messages read "line N: what is wrong; the fix." with N counted from the start of the block it was given;
// as "source:LINE: what is wrong; the fix." with LINE counted in the file. (It read "q.csv: line 2: ...; add the
// missing '\"' or check the delimiter. (lines counted from 1); fix the CSV quoting".)
Status CsvError(std::string_view source, uint64_t first_line, const Status& status) {
  std::string_view message = status.message();
  if (message.starts_with("line ")) {
    uint64_t line = 0;
    size_t at = 5;
    while (at < message.size() && message[at] >= '0' && message[at] <= '9') line = line * 10 + (message[at++] - '0');
    if (at > 5 && message.substr(at, 2) == ": ") {
      return Status::InvalidArgument(std::string(source) + ":" + std::to_string(first_line + line - 1) + ": " +
                                     std::string(message.substr(at + 2)));
    }
  }
  return Status::InvalidArgument(std::string(source) + ": " + std::string(message));
}

struct Edit {
  size_t begin = 0;
  size_t end = 0;
  std::string text;  // final bytes
};

struct Hit {
  size_t begin = 0;
  size_t end = 0;
  const Entity* entity = nullptr;
};

class HitCollector : public Sink {
 public:
  explicit HitCollector(std::vector<Hit>* hits) : hits_(hits) {}
  void OnFinding(const Finding& finding) override {
    hits_->push_back({static_cast<size_t>(finding.start), static_cast<size_t>(finding.end), finding.entity});
  }

 private:
  std::vector<Hit>* hits_;
};

// Appends `text`, writing every ⟦ as ⟦⟦ when `escape` (runs that may write tokens).
void AppendEscaped(std::string& out, std::string_view text, bool escape) {
  if (!escape) {
    out.append(text);
    return;
  }
  size_t from = 0;
  for (size_t at = text.find(kTokenOpen); at != std::string_view::npos; at = text.find(kTokenOpen, from)) {
    out.append(text.substr(from, at - from));
    out.append(kTokenOpen).append(kTokenOpen);
    from = at + kTokenOpen.size();
  }
  out.append(text.substr(from));
}

std::string Escaped(std::string_view text, bool escape) {
  std::string out;
  AppendEscaped(out, text, escape);
  return out;
}

std::string Unescaped(std::string_view text) {
  std::string doubled = std::string(kTokenOpen) + std::string(kTokenOpen);
  std::string out;
  size_t from = 0;
  for (size_t at = text.find(doubled); at != std::string_view::npos; at = text.find(doubled, from)) {
    out.append(text.substr(from, at + kTokenOpen.size() - from));
    from = at + doubled.size();
  }
  out.append(text.substr(from));
  return out;
}

// Applies `edits` (sorted by begin) to `text`; the bytes between edits are copied (escaped when asked). Deletions
// that overlap merge; any other edit overlapping an earlier one is dropped (the earlier one covers it). The result
// is written into `out` (cleared first), whose storage a caller may hand in to be reused.
std::string Emit(std::string_view text, std::vector<Edit>& edits, bool escape, std::string out = {}) {
  std::stable_sort(edits.begin(), edits.end(), [](const Edit& a, const Edit& b) { return a.begin < b.begin; });
  out.clear();
  out.reserve(text.size() + text.size() / 8);
  size_t cursor = 0;
  for (const Edit& edit : edits) {
    if (edit.begin < cursor) {
      if (edit.text.empty()) cursor = std::max(cursor, edit.end);
      continue;
    }
    AppendEscaped(out, text.substr(cursor, edit.begin - cursor), escape);
    out += edit.text;
    cursor = edit.end;
  }
  AppendEscaped(out, text.substr(std::min(cursor, text.size())), escape);
  return out;
}

size_t LineStart(std::string_view text, size_t at) {
  size_t newline = at == 0 ? std::string_view::npos : text.rfind('\n', at - 1);
  return newline == std::string_view::npos ? 0 : newline + 1;
}

size_t LineEnd(std::string_view text, size_t at) {
  size_t newline = text.find('\n', at);
  return newline == std::string_view::npos ? text.size() : newline + 1;
}

uint64_t LineOf(std::string_view text, size_t at) {
  return 1 + static_cast<uint64_t>(CountByte(text.substr(0, std::min(at, text.size())), '\n'));
}

bool HasAlnum(std::string_view text) {
  return std::any_of(text.begin(), text.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); });
}

TokenEntity TokenEntityFor(const Catalog& catalog, std::string_view id) {
  TokenEntity entity;
  entity.id = id;
  if (const Entity* known = catalog.Find(id)) {
    entity.validator = FindValidator(known->validator);
    entity.check_last = known->check_last;
  }
  return entity;
}

// The JSON Pointer of a date-shift subject for the value at `pointer`: "*" segments of `subject` take the value's
// own segments, so /patients/*/dob with subject /patients/*/id pairs each date with its own patient.
std::string SubjectPointer(std::string_view subject, std::string_view pointer) {
  std::vector<std::string_view> own;
  for (size_t at = 0; at < pointer.size();) {
    size_t next = pointer.find('/', at + 1);
    if (next == std::string_view::npos) next = pointer.size();
    own.push_back(pointer.substr(at + 1, next - at - 1));
    at = next;
  }
  std::string out;
  size_t segment = 0;
  for (size_t at = 0; at < subject.size(); ++segment) {
    size_t next = subject.find('/', at + 1);
    if (next == std::string_view::npos) next = subject.size();
    std::string_view part = subject.substr(at + 1, next - at - 1);
    out += '/';
    out.append(part == "*" && segment < own.size() ? own[segment] : part);
    at = next;
  }
  return out;
}

// Where deleting the member (or array element) that holds a scalar starts and ends, with one adjacent comma.
std::pair<size_t, size_t> MemberSpan(std::string_view doc, const JsonScalar& scalar) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  size_t before = scalar.member_begin;
  while (before > 0 && space(doc[before - 1])) --before;
  if (before > 0 && doc[before - 1] == ',') return {before - 1, scalar.end};
  size_t after = scalar.end;
  while (after < doc.size() && space(doc[after])) ++after;
  if (after < doc.size() && doc[after] == ',') {
    ++after;
    while (after < doc.size() && space(doc[after])) ++after;
    return {scalar.member_begin, after};
  }
  return {scalar.member_begin, scalar.end};
}

constexpr size_t kMaxBlockGrowth = 256u << 20;  // a single record larger than this is refused

}  // namespace

Result<RedactFormat> ParseRedactFormat(std::string_view name, std::string_view path, char* delimiter) {
  auto ends_with = [&](std::string_view suffix) {
    if (path.size() < suffix.size()) return false;
    std::string tail(path.substr(path.size() - suffix.size()));
    std::transform(tail.begin(), tail.end(), tail.begin(), [](char c) { return static_cast<char>(std::tolower(c)); });
    return tail == suffix;
  };
  *delimiter = 0;
  if (name == "auto") {
    if (ends_with(".csv")) return RedactFormat::kCsv;
    if (ends_with(".tsv") || ends_with(".tab")) {
      *delimiter = '\t';
      return RedactFormat::kCsv;
    }
    if (ends_with(".ndjson") || ends_with(".jsonl")) return RedactFormat::kNdjson;
    if (ends_with(".json")) return RedactFormat::kJson;
    return RedactFormat::kText;
  }
  if (name == "text") return RedactFormat::kText;
  if (name == "csv") return RedactFormat::kCsv;
  if (name == "tsv") {
    *delimiter = '\t';
    return RedactFormat::kCsv;
  }
  if (name == "ndjson") return RedactFormat::kNdjson;
  if (name == "json") return RedactFormat::kJson;
  return Status::InvalidArgument("unknown input format \"" + std::string(name) +
                                 "\"; use auto, text, csv, tsv, ndjson or json.");
}

std::string_view RedactFormatName(RedactFormat format) {
  switch (format) {
    case RedactFormat::kText:
      return "text";
    case RedactFormat::kCsv:
      return "csv";
    case RedactFormat::kNdjson:
      return "ndjson";
    case RedactFormat::kJson:
      return "json";
  }
  return "text";
}

// ---------------------------------------------------------------------------------------------------------------
// Token manifest

std::string TokenManifest::MacWith(const TokenKey& key) const {
  // The manifest key is derived from the token key, so that it never equals a key that makes tokens; the mac covers
  // the manifest as written without its mac.
  Digest256 manifest_key = HmacSha256(key.material, "tutela token manifest v1");
  TokenManifest unsealed = *this;
  unsealed.mac.clear();
  return ToHex(HmacSha256(std::span<const uint8_t>(manifest_key.data(), manifest_key.size()), unsealed.ToJson()));
}

Status TokenManifest::Seal(const Keyring& keyring) {
  const TokenKey* key = keyring.Find(key_id);
  if (key == nullptr) return Status::NotFound("the keyring has no key " + key_id + " to seal the token manifest with.");
  mac = MacWith(*key);
  return Status::Ok();
}

Status TokenManifest::Verify(const Keyring& keyring, std::string_view source, bool* unsealed) const {
  *unsealed = mac.empty();
  if (mac.empty()) return Status::Ok();
  const TokenKey* key = keyring.Find(key_id);
  if (key == nullptr) {
    return Status::NotFound(std::string(source) + ": the token manifest was made with key " + key_id +
                            ", which the keyring does not hold; use the keyring that made it.");
  }
  if (!ConstantTimeEqual(MacWith(*key), mac)) {
    return Status::Corruption(std::string(source) +
                              ": the token manifest was changed after `tutela pii redact` wrote it (its check value "
                              "does not match); restore with the manifest redact wrote, or restored values would be "
                              "wrong.");
  }
  return Status::Ok();
}

std::string TokenManifest::ToJson() const {
  nlohmann::ordered_json doc;
  doc["format"] = "tutela.tokens/1";
  doc["key_id"] = key_id;
  doc["input_format"] = std::string(RedactFormatName(format));
  if (format == RedactFormat::kCsv) doc["delimiter"] = std::string(1, delimiter);
  doc["fields"] = nlohmann::ordered_json::array();
  for (const Field& field : fields) {
    nlohmann::ordered_json item;
    if (!field.column.empty()) item["column"] = field.column;
    if (!field.json_path.empty()) item["json_path"] = field.json_path;
    item["entity"] = field.entity;
    if (field.keep_first > 0) item["keep_first"] = field.keep_first;
    doc["fields"].push_back(item);
  }
  if (!mac.empty()) doc["mac"] = mac;
  return DumpJson(doc, 2) + "\n";
}

Result<TokenManifest> TokenManifest::Parse(std::string_view text, std::string_view source) {
  auto bad = [&](std::string_view what) {
    return Status::InvalidArgument(std::string(source) + ": not a token manifest (" + std::string(what) +
                                   "); give the .tokens.json file that `tutela pii redact` wrote with this output.");
  };
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) return bad("it is not a JSON object");
  if (JsonStringOr(doc, "format") != "tutela.tokens/1") return bad("\"format\" is not tutela.tokens/1");
  TokenManifest manifest;
  if (!doc["key_id"].is_string()) return bad("\"key_id\" is missing");
  manifest.key_id = doc["key_id"].get<std::string>();
  char delimiter = 0;
  if (!doc["input_format"].is_string()) return bad("\"input_format\" is missing");
  auto format = ParseRedactFormat(doc["input_format"].get<std::string>(), "", &delimiter);
  if (!format.ok() || *format == RedactFormat::kText) return bad("\"input_format\" is not csv, ndjson or json");
  manifest.format = *format;
  if (manifest.format == RedactFormat::kCsv) {
    if (!doc["delimiter"].is_string() || doc["delimiter"].get<std::string>().size() != 1) {
      return bad("\"delimiter\" must be one character");
    }
    manifest.delimiter = doc["delimiter"].get<std::string>()[0];
  }
  if (!doc["fields"].is_array()) return bad("\"fields\" must be a list");
  for (const nlohmann::json& item : doc["fields"]) {
    if (!item.is_object() || !item["entity"].is_string()) return bad("a field has no \"entity\"");
    Field field;
    field.entity = item["entity"].get<std::string>();
    if (item.contains("column") && item["column"].is_string()) field.column = item["column"].get<std::string>();
    if (item.contains("json_path") && item["json_path"].is_string()) {
      field.json_path = item["json_path"].get<std::string>();
    }
    if (field.column.empty() == field.json_path.empty()) return bad("a field needs exactly one of column, json_path");
    if (item.contains("keep_first")) {
      if (!item["keep_first"].is_number_unsigned() || item["keep_first"].get<uint64_t>() > 64) {
        return bad("\"keep_first\" must be a whole number from 0 to 64");
      }
      field.keep_first = item["keep_first"].get<size_t>();
    }
    manifest.fields.push_back(std::move(field));
  }
  if (doc.contains("mac")) {
    if (!doc["mac"].is_string() || doc["mac"].get<std::string>().size() != 64) return bad("\"mac\" is malformed");
    manifest.mac = doc["mac"].get<std::string>();
  }
  return manifest;
}

// ---------------------------------------------------------------------------------------------------------------
// Redactor

struct Redactor::Impl {
  std::shared_ptr<const Ruleset> ruleset;
  RedactionPolicy policy;
  RedactOptions options;
  std::unique_ptr<OperatorEngine> engine;
  std::unique_ptr<Tokenizer> tokenizer;
  bool escape = false;  // the run may write tokens: literal ⟦ is doubled
  std::string scan_name;
  // Scanners not in use, kept for the next block: a scanner's buffers (the first pass's, the matches') are sized by
  // the blocks it has seen, so a fresh one per block would allocate, and fault in, all of them again.
  mutable std::mutex idle_mutex;
  mutable std::vector<std::unique_ptr<Scanner>> idle_scanners;

  // CSV: the header, read from the first block.
  std::string header_raw;
  std::vector<std::string> columns;
  std::vector<const FieldRule*> column_rules;
  std::vector<int> subject_column;

  const Catalog& catalog() const { return ruleset->catalog(); }

  TokenOptions TokenOptionsFor(const OperatorSpec& spec, bool json_escapes, bool json_number) const {
    TokenOptions token_options;
    token_options.valid_tokens = spec.valid_tokens || options.valid_tokens;
    token_options.json_escapes = json_escapes;
    token_options.json_number = json_number;
    token_options.keep_first = spec.keep_first;
    return token_options;
  }

  void CountToken(const Token& token, RedactStats& stats) const {
    ++stats.tokens;
    if (token.valid) ++stats.valid_tokens;
  }

  // The replacement of a value detection found. `json_escapes`: the value is raw JSON string text.
  Result<std::string> ApplyFound(std::string_view value, const Entity& entity, bool json_escapes, bool json_number,
                                 RedactStats& stats, bool* drop) const {
    const OperatorSpec& spec = policy.ForEntity(entity.id);
    ++stats.values[entity.id];
    if (spec.kind == OperatorKind::kTokenize) {
      TokenOptions token_options = TokenOptionsFor(spec, json_escapes, json_number);
      TUTELA_ASSIGN_OR_RETURN(Token token,
                              tokenizer->Tokenize(value, TokenEntityFor(catalog(), entity.id), token_options));
      CountToken(token, stats);
      return tokenizer->Annotate(entity.id, token, token_options);
    }
    TUTELA_ASSIGN_OR_RETURN(OperatorResult result, engine->Apply(spec, {value, entity.id, {}}));
    if (result.suppress) *drop = true;
    return Escaped(result.text, escape);
  }

  // The replacement of a whole declared field. `*bare` tells whether a token was written bare.
  Result<std::string> ApplyDeclared(std::string_view value, const FieldRule& rule, std::string_view name,
                                    std::string_view subject, bool json_escapes, bool json_number, RedactStats& stats,
                                    bool* drop) const {
    std::string_view entity_id = rule.entity.empty() ? name : std::string_view(rule.entity);
    if (rule.spec.kind == OperatorKind::kTokenize) {
      if (!HasAlnum(value)) return Escaped(value, escape);  // nothing to hide, and nothing a token could carry
      TokenEntity entity = TokenEntityFor(catalog(), entity_id);
      TokenOptions token_options = TokenOptionsFor(rule.spec, json_escapes, json_number);
      TUTELA_ASSIGN_OR_RETURN(Token token, tokenizer->Tokenize(value, entity, token_options));
      ++stats.values[std::string(entity_id)];
      CountToken(token, stats);
      if (!entity.check_last || token.check_mode) {
        ++stats.bare_tokens;
        return Escaped(token.text, escape);
      }
      return tokenizer->Annotate(entity_id, token, token_options);
    }
    ++stats.values[std::string(entity_id)];
    TUTELA_ASSIGN_OR_RETURN(OperatorResult result, engine->Apply(rule.spec, {value, entity_id, subject}));
    if (result.suppress) *drop = true;
    return Escaped(result.text, escape);
  }

  Result<std::vector<Hit>> Scan(std::string_view text, size_t skip_prefix) const {
    std::vector<Hit> hits;
    HitCollector collector(&hits);
    std::unique_ptr<Scanner> scanner;
    {
      std::lock_guard<std::mutex> lock(idle_mutex);
      if (!idle_scanners.empty()) {
        scanner = std::move(idle_scanners.back());
        idle_scanners.pop_back();
      }
    }
    if (scanner == nullptr) {
      TUTELA_ASSIGN_OR_RETURN(scanner, Scanner::Create(ruleset, options.scan));
    }
    Status scanned = scanner->ScanBuffer(text, scan_name, collector);
    {
      std::lock_guard<std::mutex> lock(idle_mutex);
      idle_scanners.push_back(std::move(scanner));
    }
    TUTELA_RETURN_IF_ERROR(scanned);
    std::vector<Hit> kept;
    kept.reserve(hits.size());
    for (Hit& hit : hits) {
      if (hit.begin < skip_prefix) continue;
      hit.begin -= skip_prefix;
      hit.end -= skip_prefix;
      kept.push_back(hit);
    }
    std::sort(kept.begin(), kept.end(), [](const Hit& a, const Hit& b) { return a.begin < b.begin; });
    return kept;
  }

  static Status At(std::string_view source, std::string_view block, uint64_t first_line, size_t at,
                   const Status& status) {
    return status.WithContext(std::string(source) + ":" + std::to_string(first_line + LineOf(block, at) - 1));
  }

  Result<std::string> RedactText(std::string_view block, std::string_view source, uint64_t first_line,
                                 RedactStats& stats, std::string storage) const {
    TUTELA_ASSIGN_OR_RETURN(std::vector<Hit> hits, Scan(block, 0));
    std::vector<Edit> edits;
    std::vector<std::pair<size_t, size_t>> drops;
    for (const Hit& hit : hits) {
      bool drop = false;
      auto text = ApplyFound(block.substr(hit.begin, hit.end - hit.begin), *hit.entity, false, false, stats, &drop);
      if (!text.ok()) return At(source, block, first_line, hit.begin, text.status());
      if (drop) {
        drops.emplace_back(LineStart(block, hit.begin), LineEnd(block, hit.end > hit.begin ? hit.end - 1 : hit.end));
      } else {
        edits.push_back({hit.begin, hit.end, std::move(*text)});
      }
    }
    for (const auto& [begin, end] : drops) {
      edits.push_back({begin, end, ""});
      ++stats.records_dropped;
    }
    return Emit(block, edits, escape, std::move(storage));
  }

  // Before the first block of a CSV input: the delimiter (sniffed unless given) and the header. `head` starts the
  // input; called again with more of it when the first record was not complete.
  Status StartCsv(std::string_view head, std::string_view source) {
    if (options.delimiter == 0) options.delimiter = SniffCsvDelimiter(head.substr(0, 65536));
    Status header = ReadHeader(head);
    if (!header.ok()) return Status::InvalidArgument(std::string(source) + ": " + header.message());
    return Status::Ok();
  }

  Status ReadHeader(std::string_view block) {
    header_raw.clear();
    columns.clear();
    column_rules.clear();
    subject_column.clear();
    CsvParser parser(options.delimiter);
    bool found = false;
    CsvRecord header;
    auto consumed = parser.Parse(block, true, [&](const CsvRecord& record) {
      if (!found) header = record;
      found = true;
    });
    if (!consumed.ok() && !found) return consumed.status();
    if (!found) return Status::Ok();
    header_raw = std::string(block.substr(0, header.end));
    for (const CsvField& field : header.fields) columns.push_back(field.value);
    for (const std::string& name : columns) column_rules.push_back(policy.ForColumn(name));
    for (const FieldRule* rule : column_rules) {
      int subject = -1;
      if (rule != nullptr && !rule->subject.empty()) {
        for (size_t idx = 0; idx < columns.size(); ++idx) {
          if (columns[idx] == rule->subject) subject = static_cast<int>(idx);
        }
      }
      subject_column.push_back(subject);
    }
    return Status::Ok();
  }

  Result<std::string> RedactCsv(std::string_view block, bool first, std::string_view source, uint64_t first_line,
                                RedactStats& stats, std::string storage) const {
    std::vector<Hit> hits;
    if (first) {
      TUTELA_ASSIGN_OR_RETURN(hits, Scan(block, 0));
    } else {
      std::string text = header_raw + std::string(block);
      TUTELA_ASSIGN_OR_RETURN(hits, Scan(text, header_raw.size()));
    }
    std::vector<CsvRecord> records;
    CsvParser parser(options.delimiter);
    auto parsed = parser.Parse(block, true, [&](const CsvRecord& record) { records.push_back(record); });
    if (!parsed.ok()) return CsvError(source, first_line, parsed.status());
    std::vector<Edit> edits;
    size_t next_hit = 0;
    const char delimiter = options.delimiter;
    for (size_t record_idx = 0; record_idx < records.size(); ++record_idx) {
      const CsvRecord& record = records[record_idx];
      if (first && record_idx == 0) {
        while (next_hit < hits.size() && hits[next_hit].begin < record.end) ++next_hit;
        continue;
      }
      std::vector<Edit> record_edits;
      bool drop = false;
      for (size_t field_idx = 0; field_idx < record.fields.size() && !drop; ++field_idx) {
        const CsvField& field = record.fields[field_idx];
        std::vector<Hit> field_hits;
        while (next_hit < hits.size() && hits[next_hit].begin < field.end) {
          if (hits[next_hit].begin >= field.begin) field_hits.push_back(hits[next_hit]);
          ++next_hit;
        }
        const FieldRule* rule = field_idx < column_rules.size() ? column_rules[field_idx] : nullptr;
        if (rule != nullptr) {
          if (rule->skip || field.value.empty()) continue;
          int subject_idx = subject_column[field_idx];
          std::string_view subject;
          if (subject_idx >= 0 && static_cast<size_t>(subject_idx) < record.fields.size()) {
            subject = record.fields[static_cast<size_t>(subject_idx)].value;
          }
          auto text = ApplyDeclared(field.value, *rule, columns[field_idx], subject, false, false, stats, &drop);
          if (!text.ok()) {
            return text.status().WithContext(std::string(source) + ":" + std::to_string(first_line + record.line - 1) +
                                             ": column \"" + columns[field_idx] + "\"");
          }
          record_edits.push_back({field.begin, field.end, tutela::CsvField(*text, delimiter, field.quoted)});
          continue;
        }
        if (field_hits.empty()) continue;
        // Detected values inside a free field: rebuild the field from its raw bytes with the replacements in.
        std::string raw;
        size_t cursor = field.begin;
        bool needs_quotes = false;
        for (const Hit& hit : field_hits) {
          size_t end = std::min(hit.end, field.quoted ? field.end - 1 : field.end);
          if (hit.begin < cursor || end <= hit.begin) continue;
          auto text = ApplyFound(block.substr(hit.begin, end - hit.begin), *hit.entity, false, false, stats, &drop);
          if (!text.ok()) return At(source, block, first_line, hit.begin, text.status());
          AppendEscaped(raw, block.substr(cursor, hit.begin - cursor), escape);
          if (field.quoted) {
            for (char c : *text) {
              if (c == '"') raw += '"';
              raw += c;
            }
          } else {
            needs_quotes =
                needs_quotes || text->find_first_of(std::string{delimiter, '"', '\r', '\n'}) != std::string::npos;
            raw += *text;
          }
          cursor = end;
        }
        AppendEscaped(raw, block.substr(cursor, field.end - cursor), escape);
        if (needs_quotes) raw = tutela::CsvField(raw, delimiter, true);
        record_edits.push_back({field.begin, field.end, std::move(raw)});
      }
      while (next_hit < hits.size() && hits[next_hit].begin < record.end) ++next_hit;
      if (drop) {
        edits.push_back({record.begin, record.end, ""});
        ++stats.records_dropped;
      } else {
        for (Edit& edit : record_edits) edits.push_back(std::move(edit));
      }
    }
    // The edits are final bytes; copied stretches are escaped by Emit.
    return Emit(block, edits, escape, std::move(storage));
  }

  // Redacts one JSON document `doc` that starts at `base` in the block; `hits` are block offsets.
  Status RedactJsonDocument(std::string_view doc, size_t base, std::string_view source, const std::vector<Hit>& hits,
                            size_t& next_hit, std::vector<Edit>& edits, RedactStats& stats) const {
    std::vector<JsonScalar> scalars;
    TUTELA_RETURN_IF_ERROR(WalkJson(doc, source, [&](const JsonScalar& scalar) { scalars.push_back(scalar); }));
    std::map<std::string, std::string, std::less<>> by_pointer;
    bool needs_subjects = false;
    for (const auto& [path, rule] : policy.json_path_rules()) needs_subjects |= !rule.subject.empty();
    if (needs_subjects) {
      for (const JsonScalar& scalar : scalars) by_pointer[scalar.pointer] = scalar.value;
    }
    auto remove_member = [&](const JsonScalar& scalar) {
      auto [begin, end] = MemberSpan(doc, scalar);
      edits.push_back({base + begin, base + end, ""});
      ++stats.records_dropped;
    };
    size_t scalar_idx = 0;
    auto where = [&](size_t offset) { return std::string(source) + ":" + std::to_string(LineOf(doc, offset)); };
    // Scalars with a rule.
    std::vector<bool> declared(scalars.size(), false);
    for (size_t idx = 0; idx < scalars.size(); ++idx) {
      const JsonScalar& scalar = scalars[idx];
      const FieldRule* rule = policy.ForJsonPath(scalar.pointer);
      if (rule == nullptr) continue;
      declared[idx] = true;
      if (rule->skip) continue;
      bool is_number = scalar.is_number();
      if (!scalar.is_string && !is_number) continue;
      std::string subject;
      if (!rule->subject.empty()) {
        auto found = by_pointer.find(SubjectPointer(rule->subject, scalar.pointer));
        if (found != by_pointer.end()) subject = found->second;
      }
      bool drop = false;
      bool tokenize = rule->spec.kind == OperatorKind::kTokenize;
      std::string_view raw_inner = doc.substr(scalar.begin + 1, scalar.end - scalar.begin - 2);
      std::string_view input =
          tokenize ? (scalar.is_string ? raw_inner : doc.substr(scalar.begin, scalar.end - scalar.begin))
                   : std::string_view(scalar.value);
      std::string_view name = scalar.pointer;
      for (const auto& [path, candidate] : policy.json_path_rules()) {
        if (&candidate == rule) name = path;
      }
      auto text =
          ApplyDeclared(input, *rule, name, subject, tokenize && scalar.is_string, tokenize && is_number, stats, &drop);
      if (!text.ok()) {
        return text.status().WithContext(where(scalar.begin) + ": " + scalar.pointer);
      }
      if (drop) {
        remove_member(scalar);
        continue;
      }
      std::string replacement;
      if (tokenize) {
        bool bare = !StartsWithTokenAnnotation(*text);
        replacement = scalar.is_string || !bare ? "\"" + *text + "\"" : *text;
      } else {
        AppendJsonString(replacement, *text);
      }
      edits.push_back({base + scalar.begin, base + scalar.end, std::move(replacement)});
    }
    // Detected values.
    std::vector<bool> number_done(scalars.size(), false);
    while (next_hit < hits.size() && hits[next_hit].begin < base + doc.size()) {
      const Hit& hit = hits[next_hit++];
      if (hit.begin < base) continue;
      size_t begin = hit.begin - base, end = std::min(hit.end - base, doc.size());
      while (scalar_idx < scalars.size() && scalars[scalar_idx].end <= begin) ++scalar_idx;
      bool inside = scalar_idx < scalars.size() && scalars[scalar_idx].begin <= begin;
      if (inside && declared[scalar_idx]) continue;
      bool drop = false;
      if (inside && !scalars[scalar_idx].is_string) {
        if (number_done[scalar_idx]) continue;
        number_done[scalar_idx] = true;
        const JsonScalar& scalar = scalars[scalar_idx];
        auto text =
            ApplyFound(doc.substr(scalar.begin, scalar.end - scalar.begin), *hit.entity, false, true, stats, &drop);
        if (!text.ok()) return text.status().WithContext(where(begin));
        if (drop) {
          remove_member(scalar);
          continue;
        }
        std::string replacement;
        if (StartsWithTokenAnnotation(*text)) {
          replacement = "\"" + *text + "\"";
        } else {
          AppendJsonString(replacement, *text);
        }
        edits.push_back({base + scalar.begin, base + scalar.end, std::move(replacement)});
        continue;
      }
      if (inside) end = std::min(end, scalars[scalar_idx].end - 1);
      if (end <= begin) continue;
      auto text = ApplyFound(doc.substr(begin, end - begin), *hit.entity, true, false, stats, &drop);
      if (!text.ok()) return text.status().WithContext(where(begin));
      if (drop && inside) {
        remove_member(scalars[scalar_idx]);
        continue;
      }
      std::string quoted;
      AppendJsonString(quoted, *text);
      edits.push_back({base + begin, base + end, quoted.substr(1, quoted.size() - 2)});
    }
    return Status::Ok();
  }

  Result<std::string> RedactJson(std::string_view block, bool ndjson, std::string_view source, uint64_t first_line,
                                 RedactStats& stats, std::string storage) const {
    TUTELA_ASSIGN_OR_RETURN(std::vector<Hit> hits, Scan(block, 0));
    std::vector<Edit> edits;
    size_t next_hit = 0;
    if (!ndjson) {
      TUTELA_RETURN_IF_ERROR(RedactJsonDocument(block, 0, source, hits, next_hit, edits, stats));
    } else {
      uint64_t line = first_line;
      for (size_t at = 0; at < block.size(); ++line) {
        size_t end = LineEnd(block, at);
        std::string_view doc = block.substr(at, end - at);
        if (doc.find_first_not_of(" \t\r\n") != std::string_view::npos) {
          std::string name = std::string(source) + " line " + std::to_string(line);
          TUTELA_RETURN_IF_ERROR(RedactJsonDocument(doc, at, name, hits, next_hit, edits, stats));
        }
        at = end;
      }
    }
    return Emit(block, edits, escape, std::move(storage));
  }

  // The redacted block, written into `storage` (its capacity reused).
  Result<std::string> RedactBlock(std::string_view block, bool first, std::string_view source, uint64_t first_line,
                                  RedactStats& stats, std::string storage = {}) const {
    switch (options.format) {
      case RedactFormat::kText:
        return RedactText(block, source, first_line, stats, std::move(storage));
      case RedactFormat::kCsv:
        return RedactCsv(block, first, source, first_line, stats, std::move(storage));
      case RedactFormat::kNdjson:
        return RedactJson(block, true, source, first_line, stats, std::move(storage));
      case RedactFormat::kJson:
        return RedactJson(block, false, source, first_line, stats, std::move(storage));
    }
    return Status::Internal("unknown format");
  }

  // How many bytes of `buffer` form whole units of work (0: need more input).
  Result<size_t> Cut(std::string_view buffer, bool at_end) const {
    if (at_end || options.format == RedactFormat::kJson) return at_end ? buffer.size() : 0;
    if (options.format == RedactFormat::kCsv) {
      CsvParser parser(options.delimiter, kMaxBlockGrowth);
      return parser.Parse(buffer, false, [](const CsvRecord&) {});
    }
    size_t cut = buffer.rfind('\n');
    if (cut == std::string_view::npos) return size_t{0};
    ++cut;
    if (options.format == RedactFormat::kText) {
      // Keep a PEM block whole: cut before a BEGIN line whose END has not arrived yet.
      // The last BEGIN line before the cut.
      const size_t begin = FindLast(buffer.substr(0, cut), "-----BEGIN ");
      if (begin != std::string_view::npos && buffer.find("-----END ", begin) >= cut) {
        size_t line = LineStart(buffer, begin);
        if (line > 0) cut = line;
      }
    }
    return cut;
  }
};

Redactor::Redactor(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Redactor::~Redactor() = default;

Result<std::unique_ptr<Redactor>> Redactor::Create(std::shared_ptr<const Ruleset> ruleset, RedactionPolicy policy,
                                                   const Keyring* keyring, RedactOptions options) {
  for (OperatorKind kind : {OperatorKind::kHash, OperatorKind::kDateShift, OperatorKind::kTokenize}) {
    if (keyring == nullptr && policy.Uses(kind)) {
      return Status::InvalidArgument("the " + std::string(OperatorName(kind)) +
                                     " operator needs a key; give --key-file (make one with `tutela keys create`).");
    }
  }
  auto impl = std::make_unique<Impl>();
  impl->ruleset = std::move(ruleset);
  impl->options = options;
  if (keyring != nullptr) {
    impl->engine = std::make_unique<OperatorEngine>(keyring->active().material);
    TUTELA_ASSIGN_OR_RETURN(impl->tokenizer, Tokenizer::Create(*keyring));
  } else {
    TUTELA_ASSIGN_OR_RETURN(std::string unused_key, RandomBytes(32));
    impl->engine = std::make_unique<OperatorEngine>(unused_key);
  }
  impl->escape = policy.Uses(OperatorKind::kTokenize);
  impl->policy = std::move(policy);
  switch (options.format) {
    case RedactFormat::kText:
      impl->scan_name = "input.txt";
      break;
    case RedactFormat::kCsv:
      impl->scan_name = options.delimiter == '\t' ? "input.tsv" : "input.csv";
      break;
    case RedactFormat::kNdjson:
      impl->scan_name = "input.ndjson";
      break;
    case RedactFormat::kJson:
      impl->scan_name = "input.json";
      break;
  }
  return std::unique_ptr<Redactor>(new Redactor(std::move(impl)));
}

bool Redactor::writes_bare_tokens() const {
  if (impl_->options.format == RedactFormat::kText) return false;
  const auto& rules =
      impl_->options.format == RedactFormat::kCsv ? impl_->policy.column_rules() : impl_->policy.json_path_rules();
  return std::any_of(rules.begin(), rules.end(), [](const auto& rule) {
    return !rule.second.skip && rule.second.spec.kind == OperatorKind::kTokenize;
  });
}

TokenManifest Redactor::manifest() const {
  TokenManifest manifest;
  manifest.key_id = impl_->tokenizer ? impl_->tokenizer->active_key_id() : "";
  manifest.format = impl_->options.format;
  manifest.delimiter = impl_->options.delimiter == 0 ? ',' : impl_->options.delimiter;
  if (impl_->options.format == RedactFormat::kCsv) {
    for (size_t idx = 0; idx < impl_->columns.size(); ++idx) {
      const FieldRule* rule = impl_->column_rules[idx];
      if (rule == nullptr || rule->skip || rule->spec.kind != OperatorKind::kTokenize) continue;
      manifest.fields.push_back(
          {impl_->columns[idx], "", rule->entity.empty() ? impl_->columns[idx] : rule->entity, rule->spec.keep_first});
    }
  } else {
    for (const auto& [path, rule] : impl_->policy.json_path_rules()) {
      if (rule.skip || rule.spec.kind != OperatorKind::kTokenize) continue;
      manifest.fields.push_back({"", path, rule.entity, rule.spec.keep_first});
    }
  }
  return manifest;
}

Status Redactor::Redact(int in_fd, std::string_view source, const std::function<Status(std::string_view)>& write,
                        RedactStats* stats) {
  Impl& impl = *impl_;
  ThreadPool pool(impl.options.threads);
  struct Pending {
    std::future<Result<std::string>> output;
    std::shared_ptr<ByteBuffer> piece;
    std::shared_ptr<RedactStats> stats;
  };
  std::deque<Pending> pending;
  const size_t max_pending = pool.size() * 2;
  // Blocks read and blocks written are a few MiB each: their storage is kept and reused, so a new block neither
  // copies what was read nor asks the kernel for fresh pages (and read buffers are not zero-filled before read()).
  std::vector<ByteBuffer> spare_in;
  std::vector<std::string> spare_out;
  auto take_spare = [](auto& spares) {
    typename std::decay_t<decltype(spares)>::value_type storage;
    if (!spares.empty()) {
      storage = std::move(spares.back());
      spares.pop_back();
      storage.clear();
    }
    return storage;
  };
  auto drain_one = [&]() -> Status {
    Pending front = std::move(pending.front());
    pending.pop_front();
    Result<std::string> output = front.output.get();
    if (front.piece.use_count() == 1) spare_in.push_back(std::move(*front.piece));
    if (!output.ok()) return output.status();
    for (const auto& [entity, count] : front.stats->values) stats->values[entity] += count;
    stats->tokens += front.stats->tokens;
    stats->bare_tokens += front.stats->bare_tokens;
    stats->valid_tokens += front.stats->valid_tokens;
    stats->records_dropped += front.stats->records_dropped;
    stats->bytes_out += output->size();
    Status written = write(*output);
    spare_out.push_back(std::move(*output));
    return written;
  };
  auto drain_all = [&](Status status) -> Status {
    while (!pending.empty()) {
      Status drained = drain_one();
      if (status.ok()) status = drained;
    }
    return status;
  };

  ByteBuffer buffer;
  bool first = true;
  bool at_end = false;
  uint64_t line = 1;
  const size_t block = std::max<size_t>(impl.options.block_size, 4096);
  auto read_more = [&](size_t want) -> Status {
    TUTELA_ASSIGN_OR_RETURN(size_t got, ReadAppend(in_fd, buffer, want, source));
    stats->bytes_in += got;
    at_end = got == 0;
    return Status::Ok();
  };
  while (true) {
    // JSON is one document: read it whole. Everything else: about one block at a time.
    while (!at_end && (buffer.size() < block || impl.options.format == RedactFormat::kJson)) {
      if (Status read = read_more(std::max<size_t>(block - std::min(block, buffer.size()), 65536)); !read.ok()) {
        return drain_all(read);
      }
    }
    if (first && impl.options.format == RedactFormat::kCsv) {
      if (Status started = impl.StartCsv(View(buffer), source); !started.ok()) return drain_all(started);
    }
    auto cut = impl.Cut(View(buffer), at_end);
    if (!cut.ok()) return drain_all(CsvError(source, line, cut.status()));
    size_t take = *cut;
    if (take == 0) {
      if (at_end) break;
      if (buffer.size() > kMaxBlockGrowth) {
        return drain_all(Status::InvalidArgument(std::string(source) + ":" + std::to_string(line) +
                                                 ": a single record is larger than 256 MiB; split the input"));
      }
      // Not one whole record yet: read more.
      if (Status read = read_more(block); !read.ok()) return drain_all(read);
      continue;
    }
    // The piece is the buffer itself; only what follows the cut moves, to a spare buffer.
    ByteBuffer rest = take_spare(spare_in);
    rest.assign(buffer.begin() + static_cast<std::ptrdiff_t>(take), buffer.end());
    buffer.resize(take);
    auto piece = std::make_shared<ByteBuffer>(std::move(buffer));
    buffer = std::move(rest);
    auto piece_stats = std::make_shared<RedactStats>();
    uint64_t piece_line = line;
    line += static_cast<uint64_t>(CountByte(View(*piece), '\n'));
    bool piece_first = first;
    first = false;
    std::string name(source);
    auto storage = std::make_shared<std::string>(take_spare(spare_out));
    pending.push_back({pool.Submit([&impl, piece, piece_stats, piece_first, name, piece_line, storage]() mutable {
                         auto output = impl.RedactBlock(View(*piece), piece_first, name, piece_line, *piece_stats,
                                                        std::move(*storage));
                         piece.reset();  // before the result is ready: the driver then holds the only reference
                         return output;
                       }),
                       piece, piece_stats});
    if (pending.size() >= max_pending) {
      if (Status drained = drain_one(); !drained.ok()) return drain_all(drained);
    }
    if (at_end && buffer.empty()) break;
  }
  return drain_all(Status::Ok());
}

Result<std::string> Redactor::RedactBuffer(std::string_view input, std::string_view source, RedactStats* stats) {
  Impl& impl = *impl_;
  stats->bytes_in += input.size();
  if (impl.options.format == RedactFormat::kCsv) TUTELA_RETURN_IF_ERROR(impl.StartCsv(input, source));
  TUTELA_ASSIGN_OR_RETURN(std::string out, impl.RedactBlock(input, true, source, 1, *stats));
  stats->bytes_out += out.size();
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Restore

namespace {

// Restores the annotated tokens of `text` (and writes each doubled ⟦ once), whose first line is line `first_line` of
// `source`.
Result<std::string> RestoreAnnotated(std::string_view text, std::string_view source, uint64_t first_line,
                                     const Tokenizer& tokenizer, const Catalog& catalog, RestoreStats* stats) {
  std::string out;
  out.reserve(text.size());
  size_t from = 0;
  for (size_t at = text.find(kTokenOpen); at != std::string_view::npos; at = text.find(kTokenOpen, from)) {
    out.append(text.substr(from, at - from));
    if (text.substr(at + kTokenOpen.size(), kTokenOpen.size()) == kTokenOpen) {
      out.append(kTokenOpen);
      from = at + 2 * kTokenOpen.size();
      continue;
    }
    TokenAnnotation annotation;
    size_t length = ParseTokenAnnotation(text, at, &annotation);
    if (length == 0) {
      // A lone ⟦ that does not start a token: text written by a run without tokens. Keep it.
      out.append(kTokenOpen);
      from = at + kTokenOpen.size();
      continue;
    }
    TokenEntity entity = TokenEntityFor(catalog, annotation.entity);
    TokenOptions options;
    options.json_escapes = annotation.json_escapes;
    options.json_number = annotation.json_number;
    options.keep_first = annotation.keep_first;
    auto restored = tokenizer.Restore(annotation.token, annotation.key_id, entity, annotation.check_mode, options);
    if (!restored.ok()) {
      return restored.status().WithContext(std::string(source) + ":" +
                                           std::to_string(first_line - 1 + LineOf(text, at)));
    }
    from = at + length;
    if (annotation.json_number && !out.empty() && out.back() == '"' && from < text.size() && text[from] == '"') {
      out.pop_back();
      ++from;
    }
    out += *restored;
    ++stats->values;
    stats->key_ids.insert(annotation.key_id);
  }
  out.append(text.substr(std::min(from, text.size())));
  return out;
}

}  // namespace

Result<std::string> RestoreTokens(std::string_view input, std::string_view source, const Tokenizer& tokenizer,
                                  const Catalog& catalog, const TokenManifest* manifest, RestoreStats* stats) {
  std::string staged;
  std::string_view text = input;
  // 1. Bare tokens in the fields the manifest names.
  if (manifest != nullptr && !manifest->fields.empty()) {
    std::vector<Edit> edits;
    auto restore_bare = [&](std::string_view token, const TokenManifest::Field& field, bool json_escapes,
                            bool json_number, size_t at) -> Result<std::string> {
      std::string_view entity_id = field.entity.empty() ? std::string_view(field.json_path) : field.entity;
      TokenEntity entity = TokenEntityFor(catalog, entity_id);
      TokenOptions options;
      options.json_escapes = json_escapes;
      options.json_number = json_number;
      options.keep_first = field.keep_first;
      auto restored = tokenizer.Restore(Unescaped(token), manifest->key_id, entity, entity.check_last, options);
      if (!restored.ok()) {
        return restored.status().WithContext(std::string(source) + ":" + std::to_string(LineOf(input, at)));
      }
      ++stats->values;
      stats->key_ids.insert(manifest->key_id);
      return Escaped(*restored, true);
    };
    if (manifest->format == RedactFormat::kCsv) {
      CsvParser parser(manifest->delimiter);
      std::vector<const TokenManifest::Field*> by_column;
      bool header = true;
      Status failed;
      auto parsed = parser.Parse(input, true, [&](const CsvRecord& record) {
        if (!failed.ok()) return;
        if (header) {
          header = false;
          for (const CsvField& cell : record.fields) {
            const TokenManifest::Field* match = nullptr;
            for (const TokenManifest::Field& field : manifest->fields) {
              if (field.column == cell.value) match = &field;
            }
            by_column.push_back(match);
          }
          for (const TokenManifest::Field& field : manifest->fields) {
            if (std::find(by_column.begin(), by_column.end(), &field) == by_column.end()) {
              failed =
                  Status::InvalidArgument(std::string(source) + ": the token manifest names column \"" + field.column +
                                          "\", which the header lacks; give the manifest of "
                                          "this file");
            }
          }
          return;
        }
        for (size_t idx = 0; idx < record.fields.size() && idx < by_column.size(); ++idx) {
          const CsvField& cell = record.fields[idx];
          if (by_column[idx] == nullptr || !HasAlnum(cell.value) || StartsWithTokenAnnotation(cell.value)) continue;
          auto restored = restore_bare(cell.value, *by_column[idx], false, false, cell.begin);
          if (!restored.ok()) {
            failed = restored.status();
            return;
          }
          edits.push_back({cell.begin, cell.end, tutela::CsvField(*restored, manifest->delimiter, cell.quoted)});
        }
      });
      if (!parsed.ok()) return Status::InvalidArgument(std::string(source) + ": " + parsed.status().message());
      TUTELA_RETURN_IF_ERROR(failed);
    } else {
      auto walk = [&](std::string_view doc, size_t base, std::string_view name) -> Status {
        Status failed;
        TUTELA_RETURN_IF_ERROR(WalkJson(doc, name, [&](const JsonScalar& scalar) {
          if (!failed.ok()) return;
          const TokenManifest::Field* match = nullptr;
          for (const TokenManifest::Field& field : manifest->fields) {
            if (JsonPointerMatches(field.json_path, scalar.pointer)) match = &field;
          }
          if (match == nullptr) return;
          bool is_number = scalar.is_number();
          if (!scalar.is_string && !is_number) return;
          std::string_view raw = scalar.is_string ? doc.substr(scalar.begin + 1, scalar.end - scalar.begin - 2)
                                                  : doc.substr(scalar.begin, scalar.end - scalar.begin);
          if (!HasAlnum(raw) || StartsWithTokenAnnotation(raw)) return;
          TokenManifest::Field field = *match;
          if (field.entity.empty()) field.entity = field.json_path;
          auto restored = restore_bare(raw, field, scalar.is_string, is_number, base + scalar.begin);
          if (!restored.ok()) {
            failed = restored.status();
            return;
          }
          edits.push_back(
              {base + scalar.begin, base + scalar.end, scalar.is_string ? "\"" + *restored + "\"" : *restored});
        }));
        return failed;
      };
      if (manifest->format == RedactFormat::kJson) {
        TUTELA_RETURN_IF_ERROR(walk(input, 0, source));
      } else {
        uint64_t line = 1;
        for (size_t at = 0; at < input.size(); ++line) {
          size_t end = LineEnd(input, at);
          std::string_view doc = input.substr(at, end - at);
          if (doc.find_first_not_of(" \t\r\n") != std::string_view::npos) {
            TUTELA_RETURN_IF_ERROR(walk(doc, at, std::string(source) + " line " + std::to_string(line)));
          }
          at = end;
        }
      }
    }
    staged = Emit(input, edits, false);
    text = staged;
  }
  // 2. Annotated tokens and doubled ⟦ everywhere.
  return RestoreAnnotated(text, source, 1, tokenizer, catalog, stats);
}

Status RestoreTokenStream(int in_fd, std::string_view source, const Tokenizer& tokenizer, const Catalog& catalog,
                          const std::function<Status(std::string_view)>& write, RestoreStats* stats,
                          Sha256Hasher* input_hash, size_t block_size) {
  block_size = std::max<size_t>(block_size, 1);
  ByteBuffer buffer;
  uint64_t line = 1;  // the line the buffer starts on
  bool at_end = false;
  size_t wanted = block_size;
  while (true) {
    while (!at_end && buffer.size() < wanted) {
      const size_t old = buffer.size();
      TUTELA_ASSIGN_OR_RETURN(size_t got, ReadAppend(in_fd, buffer, std::max<size_t>(wanted - old, 65536), source));
      if (input_hash != nullptr) input_hash->Update(View(buffer).substr(old));
      at_end = got == 0;
    }
    const std::string_view view = View(buffer);
    size_t cut = view.size();
    if (!at_end) {
      // After the last line end; but before the line of the last ⟦ when no ⟧ follows it yet (its annotation may go
      // on past the cut: ParseTokenAnnotation reads to the first ⟧, as it would over the whole input).
      const size_t newline = view.rfind('\n');
      cut = newline == std::string_view::npos ? 0 : newline + 1;
      const size_t open = FindLast(view.substr(0, cut), kTokenOpen);
      if (open != std::string_view::npos && view.find(kTokenClose, open) >= cut) cut = LineStart(view, open);
      if (cut == 0) {  // not one whole line (or annotation) yet: read more
        wanted = buffer.size() + block_size;
        continue;
      }
    }
    const std::string_view block = view.substr(0, cut);
    TUTELA_ASSIGN_OR_RETURN(std::string restored, RestoreAnnotated(block, source, line, tokenizer, catalog, stats));
    TUTELA_RETURN_IF_ERROR(write(restored));
    if (at_end) return Status::Ok();
    line += CountByte(block, '\n');
    buffer.erase(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(cut));
    wanted = block_size;
  }
}

}  // namespace tutela::pii
