// Evidence manifests: the size and SHA-256 of every file under a folder, and their verification.
//
// Auditors accept evidence (exports, screenshots, reports) when its integrity can be shown later. A manifest lists
// each file's path relative to the manifest's base folder, its size and SHA-256; VerifyManifest re-hashes the files and
// names each one that is missing, changed or new. The JSON form is specified in docs/formats/evidence-manifest.md.
// Files are hashed in parallel on a ThreadPool.
// Thread-safety: functions are reentrant.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tutela/core/file_walker.h"
#include "tutela/core/status.h"
#include "tutela/core/time.h"

namespace tutela {

struct ManifestEntry {
  std::string path;  // '/'-separated, relative to the base folder
  uint64_t size = 0;
  std::string sha256;  // lower-case hex
};

struct Manifest {
  std::string base;  // the folder the paths are relative to, as given
  Timestamp created{};
  std::vector<ManifestEntry> files;   // sorted by path
  std::vector<std::string> problems;  // files that could not be read, as sentences
};

// Called on the calling thread after each file is hashed, with files done and files in all.
using ManifestProgress = std::function<void(size_t done, size_t total)>;

// Hashes every file under `base` that passes `options`. Files that cannot be read are listed in `problems`.
// NotFound when `base` does not exist.
Result<Manifest> BuildManifest(const std::filesystem::path& base, const WalkOptions& options, size_t threads = 0,
                               const ManifestProgress& progress = {});

nlohmann::json ManifestToJson(const Manifest& manifest);
// InvalidArgument naming the field when the document is not a manifest (`source` names the file in messages).
Result<Manifest> ManifestFromJson(const nlohmann::json& document, std::string_view source);

struct ManifestDifference {
  enum class Kind { kMissing, kChanged, kAdded, kUnreadable };
  Kind kind;
  std::string path;
};

// Compares `manifest` with the files now under `base` (using the same walk options). Empty when they match.
Result<std::vector<ManifestDifference>> VerifyManifest(const Manifest& manifest, const std::filesystem::path& base,
                                                       const WalkOptions& options, size_t threads = 0);

}  // namespace tutela
