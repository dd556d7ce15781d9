#include "tutela/pii/keyring.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "test_support.h"

namespace tutela::pii {
namespace {

using tutela::testing::ReadFile;
using tutela::testing::TempDir;
using tutela::testing::WriteFile;

TEST(KeyringTest, GenerateSaveLoadRoundTrip) {
  TempDir dir;
  auto keyring = Keyring::Generate();
  ASSERT_TRUE(keyring.ok());
  EXPECT_EQ(keyring->active().material.size(), 32u);
  EXPECT_EQ(keyring->active().id.size(), 9u);
  EXPECT_EQ(keyring->active().id[0], 'k');
  ASSERT_TRUE(keyring->Save(dir / "keys.json", false).ok());
  struct stat info {};
  ASSERT_EQ(::stat((dir / "keys.json").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  auto loaded = Keyring::Load(dir / "keys.json");
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_EQ(loaded->active().id, keyring->active().id);
  EXPECT_EQ(loaded->active().material, keyring->active().material);
}

TEST(KeyringTest, RefusesToOverwrite) {
  TempDir dir;
  auto first = Keyring::Generate();
  auto second = Keyring::Generate();
  ASSERT_TRUE(first->Save(dir / "keys.json", false).ok());
  std::string before = ReadFile(dir / "keys.json");
  EXPECT_EQ(second->Save(dir / "keys.json", false).code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(ReadFile(dir / "keys.json"), before);
}

TEST(KeyringTest, RotationKeepsOlderKeys) {
  auto keyring = Keyring::Generate();
  std::string first = keyring->active().id;
  auto second = keyring->Rotate();
  ASSERT_TRUE(second.ok());
  EXPECT_NE(*second, first);
  EXPECT_EQ(keyring->active().id, *second);
  ASSERT_NE(keyring->Find(first), nullptr);
  EXPECT_EQ(keyring->keys().size(), 2u);
  EXPECT_EQ(keyring->Find("k00000000"), nullptr);
}

TEST(KeyringTest, RefusesAFileOthersCanRead) {
  TempDir dir;
  ASSERT_TRUE(Keyring::Generate()->Save(dir / "keys.json", false).ok());
  std::filesystem::permissions(dir / "keys.json", std::filesystem::perms::others_read,
                               std::filesystem::perm_options::add);
  auto loaded = Keyring::Load(dir / "keys.json");
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(loaded.status().message().find("chmod 600"), std::string::npos);
}

TEST(KeyringTest, DetectsDamagedKeyWithoutRevealingIt) {
  TempDir dir;
  auto keyring = Keyring::Generate();
  ASSERT_TRUE(keyring->Save(dir / "keys.json", false).ok());
  std::string text = ReadFile(dir / "keys.json");
  size_t at = text.find("\"material\": \"") + 13;
  std::string material = text.substr(at, 64);
  text[at] = text[at] == '0' ? '1' : '0';  // one flipped digit
  WriteFile(dir / "keys.json", text);
  std::filesystem::permissions(dir / "keys.json",
                               std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
                               std::filesystem::perm_options::replace);
  auto loaded = Keyring::Load(dir / "keys.json");
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().code(), StatusCode::kCorruption);
  EXPECT_NE(loaded.status().message().find("does not match its check value"), std::string::npos);
  EXPECT_EQ(loaded.status().message().find(material.substr(1)), std::string::npos) << "no key material in messages";
}

TEST(KeyringTest, CorruptFilesAreNamed) {
  TempDir dir;
  for (const char* content : {"not json", "{\"format\": \"other\"}", "{\"format\": \"tutela.keyring/1\", \"keys\": []}",
                              "{\"format\": \"tutela.keyring/1\", \"keys\": [{\"id\": \"k1\"}]}"}) {
    WriteFile(dir / "keys.json", content);
    std::filesystem::permissions(dir / "keys.json",
                                 std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
                                 std::filesystem::perm_options::replace);
    auto loaded = Keyring::Load(dir / "keys.json");
    ASSERT_FALSE(loaded.ok()) << content;
    EXPECT_EQ(loaded.status().code(), StatusCode::kCorruption) << content;
    EXPECT_EQ(loaded.status().message().rfind((dir / "keys.json").string() + ": not a valid Tutela key file", 0), 0u);
  }
  EXPECT_EQ(Keyring::Load(dir / "missing.json").status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace tutela::pii
