// tutela pii scan | redact | restore — find PII, de-identify it, and reverse tokenization
// (library: tutela/pii/engine.h, report.h, redactor.h, restore_audit.h).
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <optional>

#include "commands.h"
#include "tutela/core/crypto.h"
#include "tutela/core/data.h"
#include "tutela/core/file_util.h"
#include "tutela/core/time.h"
#include "tutela/pii/catalog.h"
#include "tutela/pii/engine.h"
#include "tutela/pii/extract.h"
#include "tutela/pii/redactor.h"
#include "tutela/pii/report.h"
#include "tutela/pii/restore_audit.h"

namespace tutela::cli {
namespace {

struct PiiScanOptions {
  std::vector<std::string> paths;
  std::string catalog;
  double min_score = 0.5;
  size_t threads = 0;
  std::vector<std::string> include;
  std::vector<std::string> exclude;
  uint64_t max_size = 0;
  bool show_values = false;
  std::string key_file;
  std::string inventory;
  std::string fail_on;
  size_t chunk_size = 1 << 20;
  pii::ExtractOptions extract;
};

// The PII catalog given by --catalog, or the built-in one.
Result<pii::Catalog> LoadPiiCatalog(const std::string& catalog_option) {
  return pii::LoadCatalog(catalog_option.empty() ? pii::DefaultCatalogPath() : std::filesystem::path(catalog_option));
}

Result<std::shared_ptr<const pii::Ruleset>> LoadRuleset(const std::string& catalog_option) {
  TUTELA_ASSIGN_OR_RETURN(pii::Catalog catalog, LoadPiiCatalog(catalog_option));
  return pii::Ruleset::Compile(std::move(catalog));
}

int SensitivityRank(std::string_view level) {
  return level == "high" ? 3 : level == "medium" ? 2 : level == "low" ? 1 : level == "any" ? 0 : -1;
}

int RunScan(const Context& context, const PiiScanOptions& options) {
  auto format = context.Format("pii scan", "table", {"table", "json", "ndjson", "csv", "sarif"});
  if (!format.ok()) return ReportError(format.status());
  if (!options.fail_on.empty() && SensitivityRank(options.fail_on) < 0) {
    return ReportError(
        Status::InvalidArgument("--fail-on \"" + options.fail_on + "\" is not a level; use any, low, medium or high."));
  }
  if (!(options.min_score >= 0 && options.min_score <= 1)) {  // NaN too: it compares false with everything
    return ReportError(Status::InvalidArgument("--min-score must be a number between 0 and 1."));
  }
  auto ruleset = LoadRuleset(options.catalog);
  if (!ruleset.ok()) return ReportError(ruleset.status());
  std::filesystem::path key_path =
      options.key_file.empty() ? pii::DefaultFingerprintKeyPath() : std::filesystem::path(options.key_file);
  auto key = pii::LoadOrCreateFingerprintKey(key_path);
  if (!key.ok()) return ReportError(key.status());

  if (!options.extract.encoding.empty()) {
    if (Status known = pii::CheckEncoding(options.extract.encoding); !known.ok()) return ReportError(known);
  }
  if (options.extract.max_depth < 1 || !(options.extract.max_ratio >= 1)) {
    return ReportError(Status::InvalidArgument("--max-depth and --max-ratio must be at least 1."));
  }
  pii::ScanOptions scan;
  scan.min_score = options.min_score;
  scan.chunk_size = options.chunk_size;
  WalkOptions walk;
  walk.include = options.include;
  walk.exclude = options.exclude;
  walk.max_file_size = options.max_size;
  const pii::Catalog& compiled = (*ruleset)->catalog();
  pii::FindingCollector collector(compiled, *key, options.show_values);
  // NDJSON streams: each finding is written as it is found, so memory stays bounded whatever the input. The other
  // formats are sorted documents and hold the (masked) findings until the end.
  if (*format == "ndjson") {
    Status streamed = WriteOutputStream(context, [&](const OutputSink& sink) {
      std::string pending;
      Status failed;
      auto flush = [&] {
        if (failed.ok() && !pending.empty()) failed = sink(pending);
        pending.clear();
      };
      collector.SetStream(
          [&](const pii::StoredFinding&, std::string_view line) {
            pending += line;
            if (pending.size() >= (1u << 16)) flush();
          },
          pii::FindingNdjsonLine);
      Status scanned = pii::ScanPaths(*ruleset, options.paths, walk, scan, options.threads, options.extract, collector);
      if (!scanned.ok()) collector.OnError(scanned);
      flush();
      return failed;
    });
    if (!streamed.ok()) return ReportError(streamed);
    collector.Sort();
  } else {
    Status scanned = pii::ScanPaths(*ruleset, options.paths, walk, scan, options.threads, options.extract, collector);
    if (!scanned.ok()) collector.OnError(scanned);
    collector.Sort();
    std::string text = pii::RenderFindings(collector, *format, context.ColorStdout());
    if (Status written = WriteOutput(context, text); !written.ok()) return ReportError(written);
  }
  if (!options.inventory.empty()) {
    nlohmann::json inventory = pii::BuildInventory(collector, compiled, options.paths, FormatRfc3339(NowUtc()));
    if (Status written = WriteFileAtomic(options.inventory, DumpJson(inventory, 2) + "\n"); !written.ok()) {
      return ReportError(written);
    }
    Info(context, "wrote the PII inventory to " + options.inventory);
  }
  for (const std::string& error : collector.errors()) Warn(error);
  if (!collector.errors().empty()) return kExitError;
  if (!options.fail_on.empty()) {
    int gate = SensitivityRank(options.fail_on);
    for (const auto& [path, totals] : collector.totals_by_path()) {
      for (const auto& [id, stats] : totals.entities) {
        const pii::Entity* entity = compiled.Find(id);
        if (entity != nullptr && SensitivityRank(entity->sensitivity) >= gate) return kExitFindings;
      }
    }
  }
  return kExitClean;
}

struct PiiRedactOptions {
  std::string input;
  std::string policy;
  std::string op;
  std::string key_file;
  std::string catalog;
  std::string manifest;
  double min_score = 0.5;
  size_t threads = 0;
  bool valid_tokens = false;
};

struct PiiRestoreOptions {
  std::string input;
  std::string key_file;
  std::string manifest;
  std::string audit_log;
  std::string catalog;
};

bool SamePath(const std::string& a, const std::string& b) {
  std::error_code error;
  return std::filesystem::equivalent(a, b, error);
}

int RunRedact(const Context& context, const PiiRedactOptions& options) {
  auto format_name = context.Format("pii redact", "auto", {"auto", "text", "csv", "tsv", "ndjson", "json"});
  if (!format_name.ok()) return ReportError(format_name.status());
  pii::RedactOptions redact;
  auto format = pii::ParseRedactFormat(*format_name, options.input, &redact.delimiter);
  if (!format.ok()) return ReportError(format.status());
  redact.format = *format;
  redact.threads = options.threads;
  redact.valid_tokens = options.valid_tokens;
  redact.scan.min_score = options.min_score;
  if (!(options.min_score >= 0 && options.min_score <= 1)) {  // NaN too: it compares false with everything
    return ReportError(Status::InvalidArgument("--min-score must be a number between 0 and 1."));
  }
  pii::RedactionPolicy policy;
  if (!options.policy.empty()) {
    auto loaded = pii::RedactionPolicy::Load(options.policy);
    if (!loaded.ok()) return ReportError(loaded.status());
    policy = std::move(*loaded);
  }
  if (!options.op.empty()) {
    auto kind = pii::ParseOperatorKind(options.op);
    if (!kind.ok()) return ReportError(kind.status().WithContext("--operator"));
    pii::OperatorSpec spec;
    spec.kind = *kind;
    policy.SetDefault(spec);
  }
  std::optional<pii::Keyring> keyring;
  if (!options.key_file.empty()) {
    auto loaded = pii::Keyring::Load(options.key_file);
    if (!loaded.ok()) return ReportError(loaded.status());
    keyring = std::move(*loaded);
  }
  auto ruleset = LoadRuleset(options.catalog);
  if (!ruleset.ok()) return ReportError(ruleset.status());
  auto redactor = pii::Redactor::Create(*ruleset, std::move(policy), keyring ? &*keyring : nullptr, redact);
  if (!redactor.ok()) return ReportError(redactor.status());

  const bool to_stdout = context.output.empty() || context.output == "-";
  const bool from_stdin = options.input == "-";
  if (!to_stdout && !from_stdin && SamePath(options.input, context.output)) {
    return ReportError(Status::InvalidArgument("--output " + context.output +
                                               " is the input file; write the de-identified copy to another file."));
  }
  std::string manifest_path = options.manifest;
  if ((*redactor)->writes_bare_tokens() && manifest_path.empty()) {
    if (to_stdout) {
      return ReportError(Status::InvalidArgument(
          "the policy tokenizes declared fields, and restore needs the token manifest to find them: give "
          "--output FILE (the manifest goes to FILE.tokens.json) or --token-manifest FILE."));
    }
    manifest_path = context.output + ".tokens.json";
  }
  int fd = from_stdin ? STDIN_FILENO : ::open(options.input.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ReportError(ErrnoStatus(errno, "open", options.input));
  std::string display = from_stdin ? "<stdin>" : options.input;

  pii::RedactStats stats;
  // The manifest is written before the output is committed: no tokenized output exists without its manifest.
  Status redacted = WriteOutputStream(context, [&](const OutputSink& sink) -> Status {
    TUTELA_RETURN_IF_ERROR((*redactor)->Redact(fd, display, sink, &stats));
    if (manifest_path.empty() || !(*redactor)->writes_bare_tokens()) return Status::Ok();
    pii::TokenManifest manifest = (*redactor)->manifest();
    if (keyring) TUTELA_RETURN_IF_ERROR(manifest.Seal(*keyring));
    return WriteFileAtomic(manifest_path, manifest.ToJson());
  });
  if (!from_stdin) ::close(fd);
  if (!redacted.ok()) return ReportError(redacted);  // the temporary file is removed; the old output stays
  uint64_t values = 0;
  std::string by_entity;
  for (const auto& [entity, count] : stats.values) {
    values += count;
    by_entity += (by_entity.empty() ? "" : ", ") + entity + " " + std::to_string(count);
  }
  std::string summary = "de-identified " + std::to_string(values) + " value" + (values == 1 ? "" : "s");
  if (!by_entity.empty()) summary += " (" + by_entity + ")";
  summary += " in " + display;
  if (stats.records_dropped > 0) summary += "; dropped " + std::to_string(stats.records_dropped) + " by suppress";
  if (stats.tokens > 0) {
    summary += "; " + std::to_string(stats.tokens) + " token" + (stats.tokens == 1 ? "" : "s") + " (" +
               std::to_string(stats.bare_tokens) + " bare, " + std::to_string(stats.valid_tokens) +
               " with a valid check character)";
  }
  if (!to_stdout) summary += "; wrote " + context.output;
  if (!manifest_path.empty() && (*redactor)->writes_bare_tokens()) summary += " and " + manifest_path;
  Info(context, summary);
  return kExitClean;
}

int RunRestore(const Context& context, const PiiRestoreOptions& options) {
  auto format = context.Format("pii restore", "auto", {"auto"});
  if (!format.ok()) return ReportError(format.status());
  auto keyring = pii::Keyring::Load(options.key_file);
  if (!keyring.ok()) return ReportError(keyring.status());
  auto tokenizer = pii::Tokenizer::Create(*keyring);
  if (!tokenizer.ok()) return ReportError(tokenizer.status());
  // Restore needs the entities' validators, not the compiled pattern database.
  auto catalog = LoadPiiCatalog(options.catalog);
  if (!catalog.ok()) return ReportError(catalog.status());
  const bool from_stdin = options.input == "-";
  std::string manifest_path = options.manifest;
  std::error_code error;
  if (manifest_path.empty() && !from_stdin && std::filesystem::exists(options.input + ".tokens.json", error)) {
    manifest_path = options.input + ".tokens.json";
  }
  std::string display = from_stdin ? "<stdin>" : options.input;
  std::filesystem::path audit_path =
      options.audit_log.empty() ? pii::DefaultRestoreAuditLogPath() : std::filesystem::path(options.audit_log);
  auto audit = [&](const std::string& input_sha256, const pii::RestoreStats& stats) {
    pii::RestoreAuditRecord record = pii::CurrentRestoreAuditRecord();
    record.input = from_stdin ? "-" : std::filesystem::absolute(options.input, error).string();
    record.input_sha256 = input_sha256;
    record.output = context.output.empty() || context.output == "-"
                        ? "-"
                        : std::filesystem::absolute(context.output, error).string();
    record.values = stats.values;
    record.key_ids.assign(stats.key_ids.begin(), stats.key_ids.end());
    return pii::AppendRestoreAudit(audit_path, record);
  };
  auto done = [&](const pii::RestoreStats& stats, uint64_t index) {
    if (stats.values == 0) Warn(display + " holds no tokens: nothing was restored.");
    Info(context, "restored " + std::to_string(stats.values) + " value" + (stats.values == 1 ? "" : "s") + " from " +
                      display + "; audit entry " + std::to_string(index) + " in " + audit_path.string());
    return kExitClean;
  };
  // Without a manifest, into a file (not standard output, a device or a FIFO, where output would appear before its
  // audit entry): streamed block by block in bounded memory. The audit entry is written before the file is
  // committed, as redact writes its manifest, so the file appears only after it.
  const bool to_file =
      !context.output.empty() && context.output != "-" &&
      (!std::filesystem::exists(context.output, error) || std::filesystem::is_regular_file(context.output, error));
  if (manifest_path.empty() && to_file) {
    int fd = from_stdin ? STDIN_FILENO : ::open(options.input.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return ReportError(ErrnoStatus(errno, "open", options.input));
    pii::RestoreStats stats;
    uint64_t index = 0;
    Status restored = WriteOutputStream(context, [&](const OutputSink& sink) -> Status {
      Sha256Hasher hasher;
      TUTELA_RETURN_IF_ERROR(pii::RestoreTokenStream(fd, display, **tokenizer, *catalog, sink, &stats, &hasher));
      TUTELA_ASSIGN_OR_RETURN(index, audit(ToHex(hasher.Finish()), stats));
      return Status::Ok();
    });
    if (!from_stdin) ::close(fd);
    if (!restored.ok()) return ReportError(restored);  // the temporary file is removed; the old output stays
    return done(stats, index);
  }
  std::string input;
  if (from_stdin) {
    char chunk[1 << 16];
    while (true) {
      ssize_t got = ::read(STDIN_FILENO, chunk, sizeof chunk);
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) return ReportError(ErrnoStatus(errno, "read", "standard input"));
      if (got == 0) break;
      input.append(chunk, static_cast<size_t>(got));
    }
  } else {
    auto read = ReadFile(options.input, uint64_t{1} << 36);
    if (!read.ok()) return ReportError(read.status());
    input = std::move(*read);
  }
  std::optional<pii::TokenManifest> manifest;
  if (!manifest_path.empty()) {
    auto text = ReadFile(manifest_path, 16 << 20);
    if (!text.ok()) return ReportError(text.status());
    auto parsed = pii::TokenManifest::Parse(*text, manifest_path);
    if (!parsed.ok()) return ReportError(parsed.status());
    bool unsealed = false;
    if (Status checked = parsed->Verify(*keyring, manifest_path, &unsealed); !checked.ok()) {
      return ReportError(checked);
    }
    if (unsealed) {
      Warn(manifest_path +
           " carries no check value (written by an older Tutela): a changed manifest cannot be "
           "detected; redact again to get a sealed one.");
    }
    manifest = std::move(*parsed);
  }
  pii::RestoreStats stats;
  auto restored = pii::RestoreTokens(input, display, **tokenizer, *catalog, manifest ? &*manifest : nullptr, &stats);
  if (!restored.ok()) return ReportError(restored.status());

  // The audit record goes first: no restored output exists without its entry in the log.
  auto index = audit(ToHex(Sha256(input)), stats);
  if (!index.ok()) return ReportError(index.status());
  if (Status written = WriteOutput(context, *restored); !written.ok()) return ReportError(written);
  return done(stats, *index);
}

int RunRestores(const Context& context, const std::string& audit_log) {
  auto format = context.Format("pii restores", "table", {"table", "json"});
  if (!format.ok()) return ReportError(format.status());
  std::filesystem::path path = audit_log.empty() ? pii::DefaultRestoreAuditLogPath() : std::filesystem::path(audit_log);
  auto log = pii::ReadRestoreAudit(path);
  if (!log.ok()) return ReportError(log.status());
  std::string text;
  if (*format == "json") {
    nlohmann::json entries = nlohmann::json::array();
    for (const std::string& entry : log->entries) entries.push_back(nlohmann::json::parse(entry, nullptr, false));
    text = DumpJson(nlohmann::json{{"log", path.string()},
                                   {"tree_head", {{"size", log->tree_size}, {"root", log->tree_root}}},
                                   {"entries", entries}},
                    2) +
           "\n";
  } else {
    for (size_t index = 0; index < log->entries.size(); ++index) {
      nlohmann::json entry = nlohmann::json::parse(log->entries[index], nullptr, false);
      if (!entry.is_object()) {
        text += std::to_string(index) + "  (not a restore record)\n";
        continue;
      }
      text += std::to_string(index) + "  " + JsonStringOr(entry, "at") + "  " + JsonStringOr(entry, "user") + "@" +
              JsonStringOr(entry, "host") + "  restored " +
              std::to_string(entry.contains("values") && entry["values"].is_number_unsigned()
                                 ? entry["values"].get<uint64_t>()
                                 : 0) +
              " value(s) of " + JsonStringOr(entry, "input") + " -> " + JsonStringOr(entry, "output") + "\n";
    }
    text += std::to_string(log->tree_size) + " entries; tree root " + log->tree_root + "\n";
  }
  if (Status written = WriteOutput(context, text); !written.ok()) return ReportError(written);
  return kExitClean;
}

}  // namespace

void AddPiiCommands(CLI::App& app, Context& context) {
  CLI::App* pii = app.add_subcommand("pii", "Discover PII, de-identify it, and restore tokenized data");
  pii->require_subcommand(1);
  auto options = std::make_shared<PiiScanOptions>();
  CLI::App* scan = pii->add_subcommand("scan",
                                       "Scan files, folders (recursively), archives, documents, databases or - (stdin) "
                                       "for PII; prints masked findings (table by default; "
                                       "json, ndjson, csv, sarif; see docs/pii.md)");
  scan->add_option("PATH", options->paths,
                   "Files or folders to scan (archives, Office files, PDF and SQLite included); - reads standard "
                   "input; postgres://user@host/db scans a PostgreSQL database")
      ->required()
      ->type_name("PATH");
  scan->add_option("--catalog", options->catalog, "PII entity catalog file or folder (default: catalog/pii)")
      ->type_name("PATH");
  scan->add_option("--min-score", options->min_score, "Report findings scoring at least this (0..1, default 0.5)")
      ->type_name("SCORE");
  scan->add_option("--threads", options->threads, "Files scanned in parallel (default: all cores)")
      ->type_name("N")
      ->check(CLI::Range(0, kMaxThreads));
  scan->add_option("--include", options->include, "Only files matching GLOB (repeatable)")->type_name("GLOB");
  scan->add_option("--exclude", options->exclude, "Skip files and folders matching GLOB (repeatable)")
      ->type_name("GLOB");
  scan->add_option("--max-size", options->max_size, "Skip files larger than BYTES")->type_name("BYTES");
  scan->add_flag("--show-values", options->show_values, "Print raw values instead of masked previews (careful)");
  scan->add_option("--fingerprint-key-file", options->key_file,
                   "Secret key for fingerprints (default: $XDG_DATA_HOME/tutela/fingerprint.key, created 0600)")
      ->type_name("FILE");
  scan->add_option("--inventory", options->inventory,
                   "Also write the data-store inventory (docs/formats/pii-inventory.md) to FILE")
      ->type_name("FILE");
  scan->add_option("--fail-on", options->fail_on,
                   "Exit 1 when a finding's entity has this sensitivity or higher: any, low, medium, high")
      ->type_name("LEVEL");
  scan->add_option("--chunk-size", options->chunk_size,
                   "Bytes read per step when streaming (4 KiB to 1 GiB, default 1 MiB)")
      ->type_name("BYTES");
  scan->add_option("--encoding", options->extract.encoding,
                   "Text encoding of the inputs when not UTF-8: GB18030, GBK, BIG5, SHIFT_JIS, EUC-KR, UTF-16LE, ... "
                   "(default: UTF-8, or UTF-16 when a BOM says so)")
      ->type_name("NAME");
  scan->add_option("--max-depth", options->extract.max_depth, "Archives nested deeper are skipped (default 5)")
      ->type_name("N");
  scan->add_option("--max-expanded-size", options->extract.max_expanded_bytes,
                   "Stop unpacking an input after BYTES (archive-bomb limit; default 8 GiB)")
      ->type_name("BYTES");
  scan->add_option("--max-ratio", options->extract.max_ratio,
                   "Stop unpacking an input that grows more than RATIO times its packed size (default 200)")
      ->type_name("RATIO");
  scan->add_option("--sample-rows", options->extract.sample_rows,
                   "PostgreSQL (postgres://... paths): rows read per table (default 1000)")
      ->type_name("N");
  scan->add_flag("--full", options->extract.full, "PostgreSQL: read every row instead of a sample");
  scan->callback([&context, options] { context.run = [&context, options] { return RunScan(context, *options); }; });

  auto redact_options = std::make_shared<PiiRedactOptions>();
  CLI::App* redact = pii->add_subcommand(
      "redact",
      "De-identify a file or - (stdin): text, CSV/TSV, NDJSON or JSON, structure kept byte for byte "
      "(--format auto|text|csv|tsv|ndjson|json; see docs/pii-protection.md)");
  redact->add_option("INPUT", redact_options->input, "File to de-identify; - reads standard input")
      ->required()
      ->type_name("INPUT");
  redact
      ->add_option("--policy", redact_options->policy,
                   "Redaction policy (docs/formats/redaction-policy.md); default: replace every entity with <ENTITY>")
      ->type_name("FILE");
  redact
      ->add_option("--operator", redact_options->op,
                   "Default operator: redact, replace, mask, hash, generalize, date-shift, suppress, tokenize")
      ->type_name("OP");
  redact->add_option("--key-file", redact_options->key_file, "Keyring for hash, date-shift and tokenize")
      ->type_name("KEYFILE");
  redact
      ->add_option("--token-manifest", redact_options->manifest,
                   "Where to write the token manifest (default: OUTPUT.tokens.json when declared fields are tokenized)")
      ->type_name("FILE");
  redact->add_flag("--valid-tokens", redact_options->valid_tokens,
                   "Give tokens valid check characters (realistic test data); default: forced invalid");
  redact->add_option("--min-score", redact_options->min_score, "Detection threshold (0..1, default 0.5)")
      ->type_name("SCORE");
  redact->add_option("--threads", redact_options->threads, "Worker threads (default: all cores)")
      ->type_name("N")
      ->check(CLI::Range(0, kMaxThreads));
  redact->add_option("--catalog", redact_options->catalog, "PII entity catalog file or folder")->type_name("PATH");
  redact->callback([&context, redact_options] {
    context.run = [&context, redact_options] { return RunRedact(context, *redact_options); };
  });

  auto restore_options = std::make_shared<PiiRestoreOptions>();
  CLI::App* restore = pii->add_subcommand(
      "restore",
      "Reverse tokenize exactly (byte for byte) with the keyring; other operators are one-way. Every restore is "
      "recorded in a tamper-evident audit log");
  restore->add_option("INPUT", restore_options->input, "Tokenized file; - reads standard input")
      ->required()
      ->type_name("INPUT");
  restore->add_option("--key-file", restore_options->key_file, "Keyring that made the tokens")
      ->required()
      ->type_name("KEYFILE");
  restore
      ->add_option("--token-manifest", restore_options->manifest,
                   "Token manifest of the input (default: INPUT.tokens.json when it exists)")
      ->type_name("FILE");
  restore
      ->add_option("--audit-log", restore_options->audit_log,
                   "Restore audit log (default: $XDG_DATA_HOME/tutela/pii-restores.log)")
      ->type_name("FILE");
  restore->add_option("--catalog", restore_options->catalog, "PII entity catalog file or folder")->type_name("PATH");
  restore->callback([&context, restore_options] {
    context.run = [&context, restore_options] { return RunRestore(context, *restore_options); };
  });

  auto restores_log = std::make_shared<std::string>();
  CLI::App* restores = pii->add_subcommand(
      "restores", "List the restore audit log (who restored how many values of which file, when) with its tree head");
  restores->add_option("--audit-log", *restores_log, "Restore audit log (default: as for restore)")->type_name("FILE");
  restores->callback([&context, restores_log] {
    context.run = [&context, restores_log] { return RunRestores(context, *restores_log); };
  });
}

}  // namespace tutela::cli
