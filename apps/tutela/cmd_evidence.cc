// tutela evidence manifest | verify
#include <memory>
#include <sstream>

#include "commands.h"
#include "tutela/core/data.h"
#include "tutela/core/manifest.h"

namespace tutela::cli {
namespace {

struct EvidenceOptions {
  std::string directory;
  std::string manifest;
  std::string base;
  std::vector<std::string> include;
  std::vector<std::string> exclude;
  uint64_t max_size = 0;
  size_t threads = 0;
};

WalkOptions ToWalkOptions(const EvidenceOptions& options) {
  WalkOptions walk;
  walk.include = options.include;
  walk.exclude = options.exclude;
  walk.max_file_size = options.max_size;
  return walk;
}

void AddWalkFlags(CLI::App* command, EvidenceOptions& options) {
  command->add_option("--include", options.include, "Only files matching GLOB (repeatable)")->type_name("GLOB");
  command->add_option("--exclude", options.exclude, "Skip files and folders matching GLOB (repeatable)")
      ->type_name("GLOB");
  command->add_option("--max-size", options.max_size, "Skip files larger than BYTES")->type_name("BYTES");
  command->add_option("--threads", options.threads, "Hashing threads (default: all cores)")
      ->type_name("N")
      ->check(CLI::Range(0, kMaxThreads));
}

int RunManifest(const Context& context, const EvidenceOptions& options) {
  auto format = context.Format("evidence manifest", "json", {"json", "table"});
  if (!format.ok()) return ReportError(format.status());
  Progress progress(context, "hashing files");
  auto manifest = BuildManifest(options.directory, ToWalkOptions(options), options.threads,
                                [&progress](size_t done, size_t total) { progress.Update(done, total); });
  progress.Finish();
  if (!manifest.ok()) return ReportError(manifest.status());
  for (const std::string& problem : manifest->problems) Warn(problem);
  std::string text;
  if (*format == "json") {
    text = DumpJson(ManifestToJson(*manifest), 2) + "\n";
  } else {
    std::ostringstream out;
    uint64_t total = 0;
    for (const ManifestEntry& entry : manifest->files) {
      out << entry.sha256 << "  " << entry.size << "  " << entry.path << "\n";
      total += entry.size;
    }
    out << manifest->files.size() << " files, " << total << " bytes\n";
    text = out.str();
  }
  if (Status written = WriteOutput(context, text); !written.ok()) return ReportError(written);
  if (!context.output.empty() && context.output != "-") {
    Info(context, "wrote the manifest of " + std::to_string(manifest->files.size()) + " files to " + context.output);
  }
  return manifest->problems.empty() ? kExitClean : kExitError;
}

int RunVerify(const Context& context, const EvidenceOptions& options) {
  auto format = context.Format("evidence verify", "table", {"table", "json"});
  if (!format.ok()) return ReportError(format.status());
  auto document = LoadJsonFile(options.manifest);
  if (!document.ok()) return ReportError(document.status());
  auto manifest = ManifestFromJson(*document, options.manifest);
  if (!manifest.ok()) return ReportError(manifest.status());
  std::string base = options.base.empty() ? manifest->base : options.base;
  auto differences = VerifyManifest(*manifest, base, ToWalkOptions(options), options.threads);
  if (!differences.ok()) return ReportError(differences.status());

  static constexpr std::string_view kKindNames[] = {"missing", "changed", "added", "unreadable"};
  std::ostringstream out;
  if (*format == "json") {
    nlohmann::json list = nlohmann::json::array();
    for (const ManifestDifference& difference : *differences) {
      list.push_back({{"kind", kKindNames[static_cast<int>(difference.kind)]}, {"path", difference.path}});
    }
    out << DumpJson(nlohmann::json{{"base", base}, {"files", manifest->files.size()}, {"differences", list}}, 2)
        << "\n";
  } else {
    bool color = context.ColorStdout();
    for (const ManifestDifference& difference : *differences) {
      out << Style(color, "red", kKindNames[static_cast<int>(difference.kind)]) << "  " << difference.path << "\n";
    }
    if (differences->empty()) {
      out << Style(color, "green", "verified") << ": all " << manifest->files.size() << " files match the manifest\n";
    } else {
      out << differences->size() << " difference(s) from the manifest of " << manifest->files.size() << " files\n";
    }
  }
  if (Status written = WriteOutput(context, out.str()); !written.ok()) return ReportError(written);
  return differences->empty() ? kExitClean : kExitFindings;
}

}  // namespace

void AddEvidenceCommands(CLI::App& app, Context& context) {
  CLI::App* evidence = app.add_subcommand("evidence", "Evidence integrity: manifests of files with their SHA-256");
  evidence->require_subcommand(1);

  auto manifest_options = std::make_shared<EvidenceOptions>();
  CLI::App* manifest =
      evidence->add_subcommand("manifest",
                               "List every file under DIR with its size and SHA-256 (json by default; see "
                               "docs/formats/evidence-manifest.md)");
  manifest->add_option("DIR", manifest_options->directory, "Folder of evidence")->required()->type_name("DIR");
  AddWalkFlags(manifest, *manifest_options);
  manifest->callback([&context, manifest_options] {
    context.run = [&context, manifest_options] { return RunManifest(context, *manifest_options); };
  });

  auto verify_options = std::make_shared<EvidenceOptions>();
  CLI::App* verify = evidence->add_subcommand(
      "verify", "Re-hash the files of a manifest; exit 1 naming each file missing, changed or added");
  verify->add_option("MANIFEST", verify_options->manifest, "Manifest JSON from `tutela evidence manifest`")
      ->required()
      ->type_name("FILE");
  verify->add_option("--base", verify_options->base, "Folder to verify (default: the manifest's base)")
      ->type_name("DIR");
  AddWalkFlags(verify, *verify_options);
  verify->callback([&context, verify_options] {
    context.run = [&context, verify_options] { return RunVerify(context, *verify_options); };
  });
}

}  // namespace tutela::cli
