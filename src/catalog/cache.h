// A loaded, validated catalog kept on disk so that the next command does not parse the YAML again.
//
// Parsing the built-in catalog's ~650 KiB of YAML with yaml-cpp takes about 0.1 s of CPU, more than the rest of a
// `tutela catalog` command and a fifth of assessing a 100k-resource plan. A catalog that loaded without a single
// problem is written to $XDG_CACHE_HOME/tutela/catalog-KEY.bin (KEY: a hash of the list of source files), holding
// the SHA-256 of every source file's path and bytes and of the binary's identity (size, time and inode of
// /proc/self/exe); a later load reads the sources (cheap), and uses the cached catalog only when that digest
// matches, so any edit, added or removed file, or another build of the program, rebuilds it. The file carries its own
// SHA-256, so a damaged cache is ignored, never trusted. TUTELA_NO_CACHE=1 turns the cache off.
//
// Internal to the catalog module.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "tutela/catalog/catalog.h"

namespace tutela::catalog {

class CatalogCodec {
 public:
  // The catalog in the cache's binary form, tagged with `sources_digest` (32 bytes).
  static std::string Encode(const Catalog& catalog, std::string_view sources_digest);
  // The catalog back (its cache_file() set to `cache_file`), or nullopt when `bytes` is not an intact cache file of
  // this format for `sources_digest`.
  static std::optional<Catalog> Decode(std::string_view bytes, std::string_view sources_digest, std::string cache_file);
};

}  // namespace tutela::catalog
