#include "tutela/core/file_walker.h"

#include <sys/stat.h>

#include <algorithm>
#include <array>
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

// Glob matching as memoized recursion over (pattern position, path position): every pair is decided at most once,
// so matching takes polynomial time whatever the pattern (plain backtracking over `**` is exponential — the
// fuzz_glob regression input pins that).
class GlobMatcher {
 public:
  GlobMatcher(std::string_view pattern, std::string_view path) : pattern_(pattern), path_(path) {
    size_t cells = (pattern.size() + 1) * (path.size() + 1);
    if (cells <= inline_memo_.size()) {
      memo_ = inline_memo_.data();
      std::fill_n(memo_, cells, kUnknown);
    } else {
      heap_memo_.assign(cells, kUnknown);
      memo_ = heap_memo_.data();
    }
  }

  bool Match(size_t p, size_t s) {
    uint8_t& cell = memo_[p * (path_.size() + 1) + s];
    if (cell == kUnknown) cell = Decide(p, s) ? kYes : kNo;
    return cell == kYes;
  }

 private:
  static constexpr uint8_t kUnknown = 0, kNo = 1, kYes = 2;

  bool Decide(size_t p, size_t s) {
    if (p == pattern_.size()) return s == path_.size();
    char pc = pattern_[p];
    if (pc == '*' && p + 1 < pattern_.size() && pattern_[p + 1] == '*') {
      // '**' matches any sequence including '/'; "**/" may also match nothing.
      size_t rest = p + 2;
      bool slash = rest < pattern_.size() && pattern_[rest] == '/';
      size_t tail = slash ? rest + 1 : rest;
      for (size_t start = s; start <= path_.size(); ++start) {
        if (slash && start != s && path_[start - 1] != '/') continue;
        if (Match(tail, start)) return true;
      }
      return false;
    }
    if (pc == '*') return Match(p + 1, s) || (s < path_.size() && path_[s] != '/' && Match(p, s + 1));
    if (s == path_.size()) return false;
    if (pc == '?') return path_[s] != '/' && Match(p + 1, s + 1);
    if (pc == '[') {
      size_t after = p;
      bool matched = false;
      if (MatchClass(pattern_, &after, path_[s], &matched)) return matched && Match(after, s + 1);
      // A '[' without its ']' is an ordinary character.
    }
    return pc == path_[s] && Match(p + 1, s + 1);
  }

  std::string_view pattern_;
  std::string_view path_;
  std::array<uint8_t, 2048> inline_memo_;
  std::vector<uint8_t> heap_memo_;
  uint8_t* memo_;
};

bool GlobMatchAt(std::string_view pattern, std::string_view path) {
  // Bounds keep the recursion depth (|pattern| + |path|) and the memo small; no real path or glob comes near them.
  if (pattern.size() > 1024 || path.size() > 16384) return false;
  GlobMatcher matcher(pattern, path);
  return matcher.Match(0, 0);
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
  // Patterns that can match nothing made `--include ''` (or one over the length limit) give an empty result, exit 0.
  for (const std::vector<std::string>* patterns : {&options.include, &options.exclude}) {
    for (const std::string& pattern : *patterns) {
      const char* flag = patterns == &options.include ? "--include" : "--exclude";
      if (pattern.empty()) {
        return Status::InvalidArgument(std::string(flag) +
                                       ": an empty glob pattern matches nothing; remove it or give one such as *.csv.");
      }
      if (pattern.size() > 1024) {
        return Status::InvalidArgument(std::string(flag) + ": a glob pattern of " + std::to_string(pattern.size()) +
                                       " bytes is over the limit of 1024 and would match nothing; shorten it.");
      }
    }
  }
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
