// End-to-end: tutela keys create | rotate | list.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "test_support.h"

namespace tutela {
namespace {

using testing::ReadFile;
using testing::RunTutela;
using testing::TempDir;

TEST(KeysCliTest, CreateRotateList) {
  TempDir dir;
  auto created = RunTutela({"keys", "create", "--output", "keys.json"}, {}, dir.path());
  ASSERT_EQ(created.exit_code, 0) << created.err;
  EXPECT_TRUE(created.out.empty());
  EXPECT_NE(created.err.find("(mode 0600) with active key k"), std::string::npos) << created.err;
  struct stat info {};
  ASSERT_EQ(::stat((dir / "keys.json").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);

  auto rotated = RunTutela({"keys", "rotate", "--key-file", "keys.json"}, {}, dir.path());
  ASSERT_EQ(rotated.exit_code, 0) << rotated.err;
  EXPECT_NE(rotated.err.find("1 older key(s) kept"), std::string::npos) << rotated.err;

  auto listed = RunTutela({"keys", "list", "--key-file", "keys.json", "--format", "json"}, {}, dir.path());
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find("\"active\": true"), std::string::npos);
  EXPECT_NE(listed.out.find("\"active\": false"), std::string::npos);
  EXPECT_EQ(listed.out.find("material"), std::string::npos) << "list never shows key material";
}

TEST(KeysCliTest, CreateRefusesToOverwriteAndLeavesFileIntact) {
  TempDir dir;
  ASSERT_EQ(RunTutela({"keys", "create", "-o", "keys.json"}, {}, dir.path()).exit_code, 0);
  std::string before = ReadFile(dir / "keys.json");
  auto again = RunTutela({"keys", "create", "-o", "keys.json"}, {}, dir.path());
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_NE(again.err.find("already exists and will not be overwritten"), std::string::npos) << again.err;
  EXPECT_EQ(ReadFile(dir / "keys.json"), before);
}

TEST(KeysCliTest, CreateNeedsAFile) {
  TempDir dir;
  auto run = RunTutela({"keys", "create"}, {}, dir.path());
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("needs --output KEYFILE"), std::string::npos);
}

TEST(KeysCliTest, RotateRefusesAWorldReadableKeyFile) {
  TempDir dir;
  ASSERT_EQ(RunTutela({"keys", "create", "-o", "keys.json"}, {}, dir.path()).exit_code, 0);
  std::filesystem::permissions(dir / "keys.json", std::filesystem::perms::others_read,
                               std::filesystem::perm_options::add);
  std::string before = ReadFile(dir / "keys.json");
  auto run = RunTutela({"keys", "rotate", "--key-file", "keys.json"}, {}, dir.path());
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("chmod 600 keys.json"), std::string::npos) << run.err;
  EXPECT_EQ(ReadFile(dir / "keys.json"), before);
}

}  // namespace
}  // namespace tutela
