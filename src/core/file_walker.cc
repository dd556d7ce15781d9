#include "tutela/core/file_walker.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <set>
#include <utility>

#include "tutela/core/file_util.h"

namespace tutela {
namespace {

namespace fs = std::filesystem;

// Matches one character class starting at pattern[*pos] == '['; advances *pos past ']'. Returns false on a
// malformed class (no closing bracket), in which case '[' is taken literally by the caller.
bool MatchClass(std::string_view pattern, size_t* pos, char c, bool* matched) {
  size_t cursor = *pos + 1;
  bool negate = false;
  if (cursor < pattern.size() && (pattern[cursor] == '!' || pattern[cursor] == '^')) {
    negate = true;
    ++cursor;
  }
  bool hit = false;
  bool first = true;
  while (cursor < pattern.size() && (pattern[cursor] != ']' || first)) {
    first = false;
    char low = pattern[cursor];
    char high = low;
    if (cursor + 2 < pattern.size() && pattern[cursor + 1] == '-' && pattern[cursor + 2] != ']') {
      high = pattern[cursor + 2];
      cursor += 2;
    }
    if (c >= low && c <= high) hit = true;
    ++cursor;
  }
  if (cursor >= pattern.size()) return false;
  *pos = cursor + 1;
  *matched = (hit != negate) && c != '/';
  return true;
}

bool GlobMatchAt(std::string_view pattern, std::string_view path) {
  size_t p = 0;
  size_t s = 0;
  // Backtracking points for the last '*' (single segment) — '**' is handled by recursion.
  size_t star_p = std::string_view::npos;
  size_t star_s = 0;
  while (s < path.size() || p < pattern.size()) {
    if (p < pattern.size()) {
      char pc = pattern[p];
      if (pc == '*' && p + 1 < pattern.size() && pattern[p + 1] == '*') {
        // '**' matches any sequence including '/'. "**/" may also match nothing.
        size_t rest = p + 2;
        bool slash = rest < pattern.size() && pattern[rest] == '/';
        std::string_view tail = pattern.substr(slash ? rest + 1 : rest);
        for (size_t start = s; start <= path.size(); ++start) {
          if (slash && start != s && path[start - 1] != '/') continue;
          if (GlobMatchAt(tail, path.substr(start))) return true;
        }
        return false;
      }
      if (pc == '*') {
        star_p = p++;
        star_s = s;
        continue;
      }
      if (s < path.size()) {
        if (pc == '?' && path[s] != '/') {
          ++p;
          ++s;
          continue;
        }
        if (pc == '[') {
          size_t cursor = p;
          bool matched = false;
          if (MatchClass(pattern, &cursor, path[s], &matched)) {
            if (matched) {
              p = cursor;
              ++s;
              continue;
            }
          } else if (path[s] == '[') {
            ++p;
            ++s;
            continue;
          }
        } else if (pc == path[s]) {
          ++p;
          ++s;
          continue;
        }
      }
    }
    // Mismatch: let the last '*' absorb one more character, but never a '/'.
    if (star_p != std::string_view::npos && star_s < path.size() && path[star_s] != '/') {
      p = star_p + 1;
      s = ++star_s;
      continue;
    }
    return false;
  }
  return true;
}

bool MatchesAny(const std::vector<std::string>& patterns, std::string_view relative) {
  std::string_view name = relative;
  if (size_t slash = relative.rfind('/'); slash != std::string_view::npos) name = relative.substr(slash + 1);
  for (const std::string& pattern : patterns) {
    std::string_view view = pattern;
    bool anchored = view.find('/') != std::string_view::npos;
    if (!view.empty() && view.front() == '/') view.remove_prefix(1);
    if (!view.empty() && view.back() == '/') view.remove_suffix(1);  // "build/" = the directory build
    if (anchored ? GlobMatch(view, relative) : GlobMatch(view, name)) return true;
  }
  return false;
}

struct Walker {
  const WalkOptions& options;
  const std::function<bool(const WalkEntry&)>& on_file;
  const std::function<void(const WalkIssue&)>& on_issue;
  std::set<std::pair<dev_t, ino_t>> visited_directories;
  bool stopped = false;

  void Issue(WalkIssueKind kind, const fs::path& path, Status status) {
    if (on_issue) on_issue(WalkIssue{kind, path, std::move(status)});
  }

  bool Hidden(const std::string& name) const { return !options.include_hidden && !name.empty() && name[0] == '.'; }

  void VisitFile(const fs::path& path, const std::string& relative, const struct stat& info) {
    if (!options.include.empty() && !MatchesAny(options.include, relative)) return;
    uint64_t size = static_cast<uint64_t>(info.st_size);
    if (options.max_file_size != 0 && size > options.max_file_size) {
      Issue(WalkIssueKind::kSkippedTooLarge, path,
            Status::InvalidArgument(path.string() + ": skipped, " + std::to_string(size) + " bytes is over the size " +
                                    "limit of " + std::to_string(options.max_file_size) +
                                    "; raise the limit to include it."));
      return;
    }
    if (!on_file(WalkEntry{path, relative, size})) stopped = true;
  }

  void VisitDirectory(const fs::path& directory, const std::string& prefix, const struct stat& info) {
    if (!visited_directories.insert({info.st_dev, info.st_ino}).second) {
      Issue(WalkIssueKind::kSkippedSymlinkLoop, directory,
            Status::InvalidArgument(directory.string() + ": skipped, a symbolic link leads back to a directory " +
                                    "already visited (a loop)."));
      return;
    }
    std::vector<std::string> names;
    std::error_code error;
    fs::directory_iterator iterator(directory, fs::directory_options::none, error);
    if (error) {
      Issue(WalkIssueKind::kError, directory, ErrnoStatus(error.value(), "list", directory));
      return;
    }
    for (; iterator != fs::directory_iterator(); iterator.increment(error)) {
      if (error) break;
      names.push_back(iterator->path().filename().string());
    }
    if (error) Issue(WalkIssueKind::kError, directory, ErrnoStatus(error.value(), "list", directory));
    std::sort(names.begin(), names.end());
    for (const std::string& name : names) {
      if (stopped) return;
      if (Hidden(name)) continue;
      std::string relative = prefix.empty() ? name : prefix + "/" + name;
      Visit(directory / name, relative, /*is_root=*/false);
    }
  }

  void Visit(const fs::path& path, const std::string& relative, bool is_root) {
    struct stat info {};
    if (::lstat(path.c_str(), &info) != 0) {
      Issue(WalkIssueKind::kError, path, ErrnoStatus(errno, "read", path));
      return;
    }
    bool is_link = S_ISLNK(info.st_mode);
    if (is_link) {
      if (!options.follow_symlinks && !is_root) return;
      if (::stat(path.c_str(), &info) != 0) {
        Issue(WalkIssueKind::kError, path, ErrnoStatus(errno, "follow the symbolic link", path));
        return;
      }
    }
    if (!is_root && !options.exclude.empty() && MatchesAny(options.exclude, relative)) return;
    if (S_ISDIR(info.st_mode)) {
      VisitDirectory(path, relative, info);
    } else if (S_ISREG(info.st_mode)) {
      VisitFile(path, relative, info);
    } else if (!is_root || !is_link) {
      Issue(WalkIssueKind::kSkippedSpecial, path,
            Status::InvalidArgument(path.string() + ": skipped, not a regular file or directory."));
    }
  }
};

}  // namespace

bool GlobMatch(std::string_view pattern, std::string_view path) { return GlobMatchAt(pattern, path); }

Status WalkFiles(const std::vector<std::filesystem::path>& roots, const WalkOptions& options,
                 const std::function<bool(const WalkEntry&)>& on_file,
                 const std::function<void(const WalkIssue&)>& on_issue) {
  Walker walker{options, on_file, on_issue, {}, false};
  Status result;
  for (const fs::path& root : roots) {
    if (walker.stopped) break;
    struct stat info {};
    if (::stat(root.c_str(), &info) != 0) {
      if (result.ok()) result = ErrnoStatus(errno, "read", root);
      continue;
    }
    // A root that is a file is matched by its name; a root directory contributes paths relative to itself.
    std::string relative = S_ISDIR(info.st_mode) ? "" : root.filename().string();
    walker.Visit(root, relative, /*is_root=*/true);
  }
  return result;
}

}  // namespace tutela
