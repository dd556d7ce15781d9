#include "tutela/core/manifest.h"

#include <algorithm>
#include <future>
#include <map>

#include "tutela/core/crypto.h"
#include "tutela/core/json_text.h"
#include "tutela/core/thread_pool.h"

namespace tutela {
namespace {

constexpr std::string_view kManifestFormat = "tutela.evidence-manifest/1";

}  // namespace

Result<Manifest> BuildManifest(const std::filesystem::path& base, const WalkOptions& options, size_t threads,
                               const ManifestProgress& progress) {
  std::vector<WalkEntry> entries;
  Manifest manifest;
  manifest.base = base.string();
  manifest.created = NowUtc();
  Status walked = WalkFiles(
      {base}, options,
      [&](const WalkEntry& entry) {
        // JSON holds only UTF-8: such a name would be written with U+FFFD and `verify` would then call the file
        // missing. Report it instead, as an unreadable file is.
        if (!IsUtf8(entry.relative)) {
          manifest.problems.push_back(entry.path.string() +
                                      ": the file name is not UTF-8, so a manifest cannot record it exactly; rename "
                                      "it to UTF-8 (e.g. `convmv -f latin1 -t utf8`) and run again.");
          return true;
        }
        entries.push_back(entry);
        return true;
      },
      [&](const WalkIssue& issue) {
        if (issue.kind == WalkIssueKind::kError) manifest.problems.push_back(issue.status.message());
        // A FIFO, socket or device named as the evidence itself gave an empty manifest, exit 0; inside a folder such
        // entries are skipped (they have no content to hash).
        if (issue.kind == WalkIssueKind::kSkippedSpecial && issue.path == base) {
          manifest.problems.push_back(base.string() +
                                      ": not a regular file or folder (a FIFO, socket or device), so there is nothing "
                                      "to hash; name the evidence folder or file.");
        }
      });
  TUTELA_RETURN_IF_ERROR(walked);

  ThreadPool pool(threads);
  std::vector<std::future<Result<Digest256>>> digests;
  digests.reserve(entries.size());
  for (const WalkEntry& entry : entries) {
    digests.push_back(pool.Submit([path = entry.path] { return Sha256File(path); }));
  }
  for (size_t entry_idx = 0; entry_idx < entries.size(); ++entry_idx) {
    Result<Digest256> digest = digests[entry_idx].get();
    if (progress) progress(entry_idx + 1, entries.size());
    if (!digest.ok()) {
      manifest.problems.push_back(digest.status().message());
      continue;
    }
    manifest.files.push_back({entries[entry_idx].relative, entries[entry_idx].size, ToHex(*digest)});
  }
  std::sort(manifest.files.begin(), manifest.files.end(),
            [](const ManifestEntry& a, const ManifestEntry& b) { return a.path < b.path; });
  return manifest;
}

nlohmann::json ManifestToJson(const Manifest& manifest) {
  nlohmann::json files = nlohmann::json::array();
  uint64_t total = 0;
  for (const ManifestEntry& entry : manifest.files) {
    files.push_back({{"path", entry.path}, {"size", entry.size}, {"sha256", entry.sha256}});
    total += entry.size;
  }
  return {{"format", kManifestFormat},
          {"base", manifest.base},
          {"created", FormatRfc3339(manifest.created)},
          {"summary", {{"files", manifest.files.size()}, {"bytes", total}, {"problems", manifest.problems.size()}}},
          {"files", files},
          {"problems", manifest.problems}};
}

Result<Manifest> ManifestFromJson(const nlohmann::json& document, std::string_view source) {
  auto bad = [&](std::string_view problem) {
    return Status::InvalidArgument(std::string(source) + ": not an evidence manifest (" + std::string(problem) +
                                   "); create one with `tutela evidence manifest`.");
  };
  if (!document.is_object()) return bad("the document is not a JSON object");
  // json::value() throws type_error 302 when the member has another type ("base": 5 was an internal error).
  if (!document.contains("format") || !document["format"].is_string() || document["format"] != kManifestFormat) {
    return bad("\"format\" must be \"" + std::string(kManifestFormat) + "\"");
  }
  Manifest manifest;
  if (document.contains("base")) {
    if (!document["base"].is_string()) return bad("\"base\" must be a string, the folder the paths are under");
    manifest.base = document["base"].get<std::string>();
  }
  if (document.contains("created") && document["created"].is_string()) {
    auto created = ParseRfc3339(document["created"].get<std::string>());
    if (!created.ok()) return created.status().WithContext(std::string(source) + ": \"created\"");
    manifest.created = *created;
  }
  if (!document.contains("files") || !document["files"].is_array()) return bad("\"files\" must be an array");
  size_t file_idx = 0;
  for (const nlohmann::json& file : document["files"]) {
    std::string where = "files[" + std::to_string(file_idx++) + "]";
    if (!file.is_object() || !file.contains("path") || !file["path"].is_string() || !file.contains("sha256") ||
        !file["sha256"].is_string() || !file.contains("size") || !file["size"].is_number_unsigned()) {
      return bad(where + " needs \"path\", \"size\" and \"sha256\"");
    }
    manifest.files.push_back(
        {file["path"].get<std::string>(), file["size"].get<uint64_t>(), file["sha256"].get<std::string>()});
  }
  return manifest;
}

Result<std::vector<ManifestDifference>> VerifyManifest(const Manifest& manifest, const std::filesystem::path& base,
                                                       const WalkOptions& options, size_t threads) {
  TUTELA_ASSIGN_OR_RETURN(Manifest current, BuildManifest(base, options, threads));
  std::map<std::string, const ManifestEntry*> now;
  for (const ManifestEntry& entry : current.files) now[entry.path] = &entry;
  std::vector<ManifestDifference> differences;
  for (const ManifestEntry& expected : manifest.files) {
    auto found = now.find(expected.path);
    if (found == now.end()) {
      differences.push_back({ManifestDifference::Kind::kMissing, expected.path});
      continue;
    }
    if (found->second->sha256 != expected.sha256 || found->second->size != expected.size) {
      differences.push_back({ManifestDifference::Kind::kChanged, expected.path});
    }
    now.erase(found);
  }
  for (const auto& [path, entry] : now) differences.push_back({ManifestDifference::Kind::kAdded, path});
  for (const std::string& problem : current.problems) {
    differences.push_back({ManifestDifference::Kind::kUnreadable, problem});
  }
  return differences;
}

}  // namespace tutela
