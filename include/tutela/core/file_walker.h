// Recursive file discovery with include/exclude globs, size limits and symlink-loop protection.
//
// WalkFiles() visits the regular files under one or more roots in a stable (sorted) order and calls `on_file` for
// each file that passes the filters. Problems with one path — unreadable directory, broken link, a file over the
// size limit, a symlink loop — are reported to `on_issue` and the walk goes on (ripgrep's rule: one bad file does not
// stop a scan). Symbolic links are followed only when `follow_symlinks` is set, and then each directory is entered at
// most once (by device and inode), so loops terminate.
//
// Glob syntax (gitignore-like): `*` matches within one path segment, `**` across segments, `?` one character,
// `[abc]`/`[a-z]`/`[!a]` a character class. A pattern without `/` matches the file or directory name anywhere; a
// pattern with `/` matches the path relative to the root. Excluding a directory prunes everything below it.
// Thread-safety: WalkFiles is reentrant; callbacks run on the calling thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "tutela/core/status.h"

namespace tutela {

// True when `path` (relative, '/'-separated) matches `pattern` under the rules above. Time is polynomial in the
// lengths whatever the pattern; a pattern over 1024 bytes or a path over 16384 bytes never matches.
bool GlobMatch(std::string_view pattern, std::string_view path);

struct WalkOptions {
  std::vector<std::string> include;  // when non-empty, a file must match at least one
  std::vector<std::string> exclude;  // files and directories matching any are skipped
  uint64_t max_file_size = 0;        // 0 = no limit; larger files are reported as skipped
  bool follow_symlinks = false;
  bool include_hidden = true;  // false skips names starting with '.'
};

struct WalkEntry {
  std::filesystem::path path;  // as reached from the root (root / relative)
  std::string relative;        // '/'-separated path relative to its root; the file name when the root is a file
  uint64_t size = 0;
};

enum class WalkIssueKind { kError, kSkippedTooLarge, kSkippedSymlinkLoop, kSkippedSpecial };

struct WalkIssue {
  WalkIssueKind kind;
  std::filesystem::path path;
  Status status;  // a sentence naming the path and the problem
};

// Visits files. `on_file` returns false to stop the walk early. Returns NotFound when a root does not exist
// (after visiting the roots that do); per-path problems go to `on_issue` (may be empty to ignore them).
Status WalkFiles(const std::vector<std::filesystem::path>& roots, const WalkOptions& options,
                 const std::function<bool(const WalkEntry&)>& on_file,
                 const std::function<void(const WalkIssue&)>& on_issue = {});

}  // namespace tutela
