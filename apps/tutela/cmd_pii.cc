// tutela pii scan — find PII in files, folders and standard input (library: tutela/pii/engine.h, report.h).
#include <memory>

#include "commands.h"
#include "tutela/core/file_util.h"
#include "tutela/core/time.h"
#include "tutela/pii/catalog.h"
#include "tutela/pii/engine.h"
#include "tutela/pii/report.h"

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
};

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
  if (options.min_score < 0 || options.min_score > 1) {
    return ReportError(Status::InvalidArgument("--min-score must be between 0 and 1."));
  }
  std::filesystem::path catalog_path =
      options.catalog.empty() ? pii::DefaultCatalogPath() : std::filesystem::path(options.catalog);
  auto catalog = pii::LoadCatalog(catalog_path);
  if (!catalog.ok()) return ReportError(catalog.status());
  auto ruleset = pii::Ruleset::Compile(*catalog);
  if (!ruleset.ok()) return ReportError(ruleset.status());
  std::filesystem::path key_path =
      options.key_file.empty() ? pii::DefaultFingerprintKeyPath() : std::filesystem::path(options.key_file);
  auto key = pii::LoadOrCreateFingerprintKey(key_path);
  if (!key.ok()) return ReportError(key.status());

  pii::ScanOptions scan;
  scan.min_score = options.min_score;
  scan.chunk_size = options.chunk_size;
  WalkOptions walk;
  walk.include = options.include;
  walk.exclude = options.exclude;
  walk.max_file_size = options.max_size;
  const pii::Catalog& compiled = (*ruleset)->catalog();
  pii::FindingCollector collector(compiled, *key, options.show_values);
  Status scanned = pii::ScanPaths(*ruleset, options.paths, walk, scan, options.threads, collector);
  if (!scanned.ok()) collector.OnError(scanned);
  collector.Sort();

  std::string text = pii::RenderFindings(collector, *format, context.ColorStdout());
  if (Status written = WriteOutput(context, text); !written.ok()) return ReportError(written);
  if (!options.inventory.empty()) {
    nlohmann::json inventory = pii::BuildInventory(collector, compiled, options.paths, FormatRfc3339(NowUtc()));
    if (Status written = WriteFileAtomic(options.inventory, inventory.dump(2) + "\n"); !written.ok()) {
      return ReportError(written);
    }
    Info(context, "wrote the PII inventory to " + options.inventory);
  }
  for (const std::string& error : collector.errors()) Warn(error);
  if (!collector.errors().empty()) return kExitError;
  if (!options.fail_on.empty()) {
    int gate = SensitivityRank(options.fail_on);
    for (const pii::StoredFinding& finding : collector.findings()) {
      const pii::Entity* entity = compiled.Find(finding.entity);
      if (entity != nullptr && SensitivityRank(entity->sensitivity) >= gate) return kExitFindings;
    }
  }
  return kExitClean;
}

}  // namespace

void AddPiiCommands(CLI::App& app, Context& context) {
  CLI::App* pii = app.add_subcommand("pii", "Discover PII in files, folders and standard input");
  pii->require_subcommand(1);
  auto options = std::make_shared<PiiScanOptions>();
  CLI::App* scan = pii->add_subcommand(
      "scan",
      "Scan files, folders (recursively) or - (stdin) for PII; prints masked findings (table by default; "
      "json, ndjson, csv, sarif; see docs/pii.md)");
  scan->add_option("PATH", options->paths, "Files or folders to scan; - reads standard input")
      ->required()
      ->type_name("PATH");
  scan->add_option("--catalog", options->catalog, "PII entity catalog file or folder (default: catalog/pii)")
      ->type_name("PATH");
  scan->add_option("--min-score", options->min_score, "Report findings scoring at least this (0..1, default 0.5)")
      ->type_name("SCORE");
  scan->add_option("--threads", options->threads, "Files scanned in parallel (default: all cores)")->type_name("N");
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
  scan->add_option("--chunk-size", options->chunk_size, "Bytes read per step when streaming (default 1 MiB)")
      ->type_name("BYTES");
  scan->callback([&context, options] { context.run = [&context, options] { return RunScan(context, *options); }; });
}

}  // namespace tutela::cli
