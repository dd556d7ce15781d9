// The on-disk cache of a loaded catalog: a second load reads it and gives the same catalog, any change to a source
// file rebuilds it, a damaged cache is ignored, a catalog with problems is never cached, TUTELA_NO_CACHE turns it
// off, and old cache files are pruned.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>

#include "test_support.h"
#include "tutela/catalog/catalog.h"

namespace tutela::catalog {
namespace {

namespace fs = std::filesystem;
using tutela::testing::ReadFile;
using tutela::testing::SourceDir;
using tutela::testing::TempDir;
using tutela::testing::WriteFile;

// Points XDG_CACHE_HOME at a fresh folder for the test and restores the environment after it.
class CatalogCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const char* old = std::getenv("XDG_CACHE_HOME")) saved_ = old;
    ::setenv("XDG_CACHE_HOME", cache_.path().c_str(), 1);
    ::unsetenv("TUTELA_NO_CACHE");
  }
  void TearDown() override {
    if (saved_) {
      ::setenv("XDG_CACHE_HOME", saved_->c_str(), 1);
    } else {
      ::unsetenv("XDG_CACHE_HOME");
    }
    ::unsetenv("TUTELA_NO_CACHE");
  }

  fs::path CacheFolder() const { return cache_.path() / "tutela"; }
  std::vector<fs::path> CacheFiles() const {
    std::vector<fs::path> files;
    std::error_code ignored;
    for (const auto& entry : fs::directory_iterator(CacheFolder(), ignored)) {
      if (entry.path().filename().string().rfind("catalog-", 0) == 0) files.push_back(entry.path());
    }
    return files;
  }

  // The good fixture catalog plus one user framework in a folder of its own, so the test can edit it.
  LoadOptions UserOptions() {
    fs::path user = work_ / "user";
    if (!fs::exists(user)) {
      fs::create_directories(user);
      fs::copy(SourceDir() / "tests/catalog/data/good", user, fs::copy_options::recursive);
    }
    LoadOptions options;
    options.include_builtin = false;
    options.directories = {user};
    return options;
  }

  static void ExpectSame(const Catalog& a, const Catalog& b) {
    EXPECT_TRUE(a.frameworks() == b.frameworks());
    EXPECT_TRUE(a.controls() == b.controls());
    EXPECT_TRUE(a.certifications() == b.certifications());
    EXPECT_EQ(a.files(), b.files());
    // The indexes are rebuilt too.
    for (const Framework& framework : a.frameworks()) {
      ASSERT_NE(b.FindFramework(framework.id), nullptr) << framework.id;
      EXPECT_EQ(b.FindFramework(framework.id)->id, framework.id);
    }
    for (const Control& control : a.controls()) {
      ASSERT_NE(b.FindControl(control.id), nullptr) << control.id;
      EXPECT_EQ(b.FindControl(control.id)->id, control.id);
    }
  }

  TempDir cache_;
  TempDir work_;
  std::optional<std::string> saved_;
};

TEST_F(CatalogCacheTest, TheShippedCatalogComesFromTheCacheTheSecondTimeAndIsTheSame) {
  std::vector<Status> problems;
  Catalog parsed = LoadCatalogCollecting(LoadOptions{}, &problems);
  ASSERT_TRUE(problems.empty()) << problems.front().message();
  EXPECT_EQ(parsed.cache_file(), "");
  ASSERT_EQ(CacheFiles().size(), 1u);

  Catalog cached = LoadCatalogCollecting(LoadOptions{}, &problems);
  EXPECT_TRUE(problems.empty());
  EXPECT_EQ(fs::path(cached.cache_file()), CacheFiles()[0]);
  ExpectSame(parsed, cached);
  // The records are whole: a requirement keeps its mappings, attributes and place; a control its owners.
  const Framework* pci = cached.FindFramework("pci-dss-4.0");
  ASSERT_NE(pci, nullptr);
  EXPECT_EQ(pci->requirements.size(), parsed.FindFramework("pci-dss-4.0")->requirements.size());
  EXPECT_FALSE(pci->requirements.front().where.empty());
}

TEST_F(CatalogCacheTest, EditingASourceFileRebuildsTheCache) {
  std::vector<Status> problems;
  LoadOptions options = UserOptions();
  LoadCatalogCollecting(options, &problems);
  ASSERT_TRUE(problems.empty()) << problems.front().message();
  ASSERT_NE(LoadCatalogCollecting(options, &problems).cache_file(), "");

  // Same size, other bytes: the cache is keyed by content, not by size or time.
  fs::path file = options.directories[0] / "fw-a.yaml";
  ASSERT_TRUE(fs::exists(file)) << "fixture renamed? " << file;
  std::string text = ReadFile(file);
  std::string name = LoadCatalogCollecting(options, &problems).FindFramework("fw-a")->name;
  size_t at = text.find(name);
  ASSERT_NE(at, std::string::npos);
  std::string renamed(name.size(), 'Z');
  text.replace(at, name.size(), renamed);
  WriteFile(file, text);

  Catalog edited = LoadCatalogCollecting(options, &problems);
  EXPECT_EQ(edited.cache_file(), "");
  EXPECT_EQ(edited.FindFramework("fw-a")->name, renamed);
  Catalog again = LoadCatalogCollecting(options, &problems);
  EXPECT_NE(again.cache_file(), "");
  EXPECT_EQ(again.FindFramework("fw-a")->name, renamed);

  // A file added to the folder is read too.
  WriteFile(options.directories[0] / "zz-extra.yaml", ReadFile(options.directories[0] / "fw-b.yaml"));
  Catalog added = LoadCatalogCollecting(options, &problems);
  EXPECT_EQ(added.cache_file(), "");
  EXPECT_FALSE(problems.empty());  // fw-b twice: a duplicate id, reported and not cached
}

TEST_F(CatalogCacheTest, ADamagedCacheFileIsIgnoredAndRewritten) {
  std::vector<Status> problems;
  LoadOptions options = UserOptions();
  Catalog parsed = LoadCatalogCollecting(options, &problems);
  ASSERT_EQ(CacheFiles().size(), 1u);
  fs::path cache = CacheFiles()[0];
  std::string bytes = ReadFile(cache);
  for (size_t at : {size_t{3}, bytes.size() / 2, bytes.size() - 1}) {
    std::string damaged = bytes;
    damaged[at] = static_cast<char>(damaged[at] ^ 0x20);
    WriteFile(cache, damaged);
    Catalog loaded = LoadCatalogCollecting(options, &problems);
    EXPECT_TRUE(problems.empty());
    EXPECT_EQ(loaded.cache_file(), "") << "byte " << at;
    ExpectSame(parsed, loaded);
    EXPECT_EQ(ReadFile(cache), bytes) << "the cache is written again after a damaged one";
  }
  WriteFile(cache, bytes.substr(0, bytes.size() / 3));  // truncated
  EXPECT_EQ(LoadCatalogCollecting(options, &problems).cache_file(), "");
  EXPECT_TRUE(problems.empty());
}

TEST_F(CatalogCacheTest, ACatalogWithProblemsIsNeverCachedSoLintSeesThemEveryTime) {
  LoadOptions options = UserOptions();
  WriteFile(options.directories[0] / "broken.yaml", "kind: framework\nid: [\n");
  for (int run = 0; run < 2; ++run) {
    std::vector<Status> problems;
    Catalog catalog = LoadCatalogCollecting(options, &problems);
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_NE(problems[0].message().find("broken.yaml:"), std::string::npos) << problems[0].message();
    EXPECT_EQ(catalog.cache_file(), "");
  }
  EXPECT_TRUE(CacheFiles().empty());
}

TEST_F(CatalogCacheTest, NoCacheWithTutelaNoCache) {
  ::setenv("TUTELA_NO_CACHE", "1", 1);
  std::vector<Status> problems;
  LoadOptions options = UserOptions();
  LoadCatalogCollecting(options, &problems);
  EXPECT_EQ(LoadCatalogCollecting(options, &problems).cache_file(), "");
  EXPECT_TRUE(problems.empty());
  EXPECT_TRUE(CacheFiles().empty());
}

TEST_F(CatalogCacheTest, OnlyTheNewestEightCacheFilesAreKept) {
  fs::create_directories(CacheFolder());
  auto old_time = fs::file_time_type::clock::now() - std::chrono::hours(24);
  for (int index = 0; index < 10; ++index) {
    fs::path stale = CacheFolder() / ("catalog-stale" + std::to_string(index) + ".bin");
    WriteFile(stale, "stale");
    fs::last_write_time(stale, old_time + std::chrono::minutes(index));
  }
  WriteFile(CacheFolder() / "pii-patterns-x.hsdb", "other caches are left alone");
  std::vector<Status> problems;
  LoadCatalogCollecting(UserOptions(), &problems);
  std::vector<fs::path> left = CacheFiles();
  EXPECT_EQ(left.size(), 8u);
  EXPECT_FALSE(fs::exists(CacheFolder() / "catalog-stale0.bin"));
  EXPECT_FALSE(fs::exists(CacheFolder() / "catalog-stale2.bin"));
  EXPECT_TRUE(fs::exists(CacheFolder() / "catalog-stale9.bin"));
  EXPECT_TRUE(fs::exists(CacheFolder() / "pii-patterns-x.hsdb"));
}

}  // namespace
}  // namespace tutela::catalog
