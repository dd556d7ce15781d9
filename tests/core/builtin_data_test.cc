#include "tutela/core/builtin_data.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "test_support.h"

namespace tutela {
namespace {

TEST(BuiltinDataTest, SourceTreeCatalogInDevelopmentBuilds) {
  ::unsetenv("TUTELA_CATALOG_DIR");
  EXPECT_TRUE(std::filesystem::equivalent(BuiltinCatalogRoot(), testing::SourceDir() / "catalog"));
  EXPECT_TRUE(std::filesystem::is_directory(BuiltinCatalogRoot() / "pii"));
  EXPECT_TRUE(std::filesystem::is_directory(BuiltinCatalogRoot() / "jurisdictions"));
  EXPECT_TRUE(std::filesystem::is_directory(BuiltinCatalogRoot() / "checks"));
}

TEST(BuiltinDataTest, EnvironmentOverridesEverything) {
  ::setenv("TUTELA_CATALOG_DIR", "/opt/site-catalog", 1);
  EXPECT_EQ(BuiltinCatalogRoot(), std::filesystem::path("/opt/site-catalog"));
  ::unsetenv("TUTELA_CATALOG_DIR");
}

}  // namespace
}  // namespace tutela
