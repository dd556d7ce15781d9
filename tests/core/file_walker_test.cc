#include "tutela/core/file_walker.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "test_support.h"

namespace tutela {
namespace {

struct GlobCase {
  const char* pattern;
  const char* path;
  bool matches;
};

TEST(GlobTest, GoldenCases) {
  const GlobCase cases[] = {
      {"*.csv", "customers.csv", true},
      {"*.csv", "customers.csv.bak", false},
      {"*.csv", "a/customers.csv", false},
      {"data/*.csv", "data/x.csv", true},
      {"data/*.csv", "data/sub/x.csv", false},
      {"data/**/*.csv", "data/sub/deep/x.csv", true},
      {"data/**/*.csv", "data/x.csv", true},
      {"**/secret", "a/b/secret", true},
      {"**/secret", "secret", true},
      {"**", "anything/at/all", true},
      {"file?.txt", "file1.txt", true},
      {"file?.txt", "file10.txt", false},
      {"[abc].log", "b.log", true},
      {"[!abc].log", "b.log", false},
      {"[a-c].log", "c.log", true},
      {"[a-c].log", "d.log", false},
      {"*", "", true},
      {"a*b*c", "axxbyyc", true},
      {"a*b*c", "axxbyy", false},
      {"[.log", "[.log", true},
  };
  for (const GlobCase& glob_case : cases) {
    EXPECT_EQ(GlobMatch(glob_case.pattern, glob_case.path), glob_case.matches)
        << glob_case.pattern << " vs " << glob_case.path;
  }
}

// Regression: backtracking over every split point of `**` took exponential time (found by fuzz_glob; the fuzzer's
// input is kept in tests/core/fuzz_corpus/glob/regression-doublestar-exponential-time). Before the fix this test hung.
TEST(GlobTest, RegressionDoubleStarExponentialTime) {
  std::string pattern;
  for (int repeat = 0; repeat < 40; ++repeat) pattern += "**a";
  pattern += "b";
  std::string path(300, 'a');
  EXPECT_FALSE(GlobMatch(pattern, path));
  EXPECT_TRUE(GlobMatch(pattern, path + "b"));
  EXPECT_FALSE(GlobMatch(std::string(2000, '*'), "x")) << "overlong patterns never match";
}

class WalkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::WriteFile(dir_ / "a.csv", "1");
    testing::WriteFile(dir_ / "b.json", "22");
    testing::WriteFile(dir_ / "sub/c.csv", "333");
    testing::WriteFile(dir_ / "sub/deeper/d.txt", "4444");
    testing::WriteFile(dir_ / "node_modules/e.csv", "55555");
    testing::WriteFile(dir_ / ".hidden/f.csv", "6");
  }

  std::vector<std::string> Walk(const WalkOptions& options, std::vector<WalkIssue>* issues = nullptr) {
    std::vector<std::string> seen;
    Status status = WalkFiles(
        {dir_.path()}, options,
        [&](const WalkEntry& entry) {
          seen.push_back(entry.relative);
          return true;
        },
        [&](const WalkIssue& issue) {
          if (issues != nullptr) issues->push_back(issue);
        });
    EXPECT_TRUE(status.ok()) << status.message();
    return seen;
  }

  testing::TempDir dir_;
};

TEST_F(WalkTest, VisitsEverythingInSortedOrder) {
  std::vector<std::string> expected{".hidden/f.csv",      "a.csv",     "b.json",
                                    "node_modules/e.csv", "sub/c.csv", "sub/deeper/d.txt"};
  EXPECT_EQ(Walk({}), expected);
}

TEST_F(WalkTest, IncludeExcludeAndHidden) {
  WalkOptions options;
  options.include = {"*.csv"};
  options.exclude = {"node_modules"};
  options.include_hidden = false;
  EXPECT_EQ(Walk(options), (std::vector<std::string>{"a.csv", "sub/c.csv"}));
}

TEST_F(WalkTest, AnchoredExcludePrunesADirectory) {
  WalkOptions options;
  options.exclude = {"sub/deeper/"};
  std::vector<std::string> seen = Walk(options);
  EXPECT_EQ(std::count(seen.begin(), seen.end(), "sub/deeper/d.txt"), 0);
  EXPECT_EQ(std::count(seen.begin(), seen.end(), "sub/c.csv"), 1);
}

TEST_F(WalkTest, SizeLimitReportsSkippedFiles) {
  WalkOptions options;
  options.max_file_size = 3;
  std::vector<WalkIssue> issues;
  std::vector<std::string> seen = Walk(options, &issues);
  EXPECT_EQ(seen, (std::vector<std::string>{".hidden/f.csv", "a.csv", "b.json", "sub/c.csv"}));
  ASSERT_EQ(issues.size(), 2u);
  EXPECT_EQ(issues[0].kind, WalkIssueKind::kSkippedTooLarge);
  EXPECT_NE(issues[0].status.message().find("size limit"), std::string::npos);
}

TEST_F(WalkTest, SymlinkLoopTerminates) {
  std::filesystem::create_directory_symlink(dir_.path(), dir_ / "sub/loop");
  WalkOptions options;
  options.follow_symlinks = true;
  std::vector<WalkIssue> issues;
  std::vector<std::string> seen = Walk(options, &issues);
  EXPECT_EQ(seen.size(), 6u);
  bool loop_reported = false;
  for (const WalkIssue& issue : issues) loop_reported |= issue.kind == WalkIssueKind::kSkippedSymlinkLoop;
  EXPECT_TRUE(loop_reported);
}

TEST_F(WalkTest, SymlinksNotFollowedByDefault) {
  std::filesystem::create_directory_symlink(dir_ / "sub", dir_ / "link");
  EXPECT_EQ(Walk({}).size(), 6u);
}

TEST_F(WalkTest, BrokenLinkIsReportedAndWalkGoesOn) {
  std::filesystem::create_symlink(dir_ / "nowhere", dir_ / "broken");
  WalkOptions options;
  options.follow_symlinks = true;
  std::vector<WalkIssue> issues;
  EXPECT_EQ(Walk(options, &issues).size(), 6u);
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].kind, WalkIssueKind::kError);
}

TEST_F(WalkTest, UnreadableDirectoryIsReported) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads every directory";
  std::filesystem::permissions(dir_ / "sub", std::filesystem::perms::none);
  std::vector<WalkIssue> issues;
  Walk({}, &issues);
  EXPECT_EQ(issues.size(), 1u);
}

TEST_F(WalkTest, StopsWhenCallbackSaysSo) {
  int visited = 0;
  Status status = WalkFiles({dir_.path()}, {}, [&](const WalkEntry&) { return ++visited < 2; });
  EXPECT_TRUE(status.ok());
  EXPECT_EQ(visited, 2);
}

TEST_F(WalkTest, FileRootAndMissingRoot) {
  std::vector<std::string> seen;
  Status status = WalkFiles({dir_ / "a.csv", dir_ / "missing"}, {}, [&](const WalkEntry& entry) {
    seen.push_back(entry.relative);
    return true;
  });
  EXPECT_EQ(status.code(), StatusCode::kNotFound);
  EXPECT_EQ(seen, (std::vector<std::string>{"a.csv"}));
}

// Regression: `evidence manifest DIR --include ''` (or a pattern over 1024 bytes) matched nothing and gave an empty
// manifest, exit 0.
TEST(WalkPatternTest, APatternThatCanMatchNothingIsRefused) {
  testing::TempDir dir;
  testing::WriteFile(dir / "a.csv", "x");
  auto count = [&](const WalkOptions& options) {
    return WalkFiles(
        {dir.path()}, options, [](const WalkEntry&) { return true; }, nullptr);
  };
  WalkOptions empty;
  empty.include = {""};
  Status refused = count(empty);
  EXPECT_EQ(refused.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(refused.message(),
            "--include: an empty glob pattern matches nothing; remove it or give one such as *.csv.");
  WalkOptions long_pattern;
  long_pattern.exclude = {std::string(1025, 'a')};
  EXPECT_NE(count(long_pattern).message().find("--exclude: a glob pattern of 1025 bytes is over the limit of 1024"),
            std::string::npos);
  WalkOptions fine;
  fine.include = {"*.csv", "["};
  EXPECT_TRUE(count(fine).ok());
}

}  // namespace
}  // namespace tutela
