// Ed25519 signed tree heads: sign, verify, round-trip through JSON and a key file; every altered field is refused.
#include "tutela/ledger/tree_head.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "test_support.h"

namespace tutela::ledger {
namespace {

TEST(TreeHeadTest, SignVerifyAndRefuseAlterations) {
  auto signer = Signer::Generate();
  ASSERT_TRUE(signer.ok());
  TreeHead head{42, LeafHash("x")};
  Timestamp time = *ParseRfc3339("2026-11-22T07:00:00.123456Z");
  auto signed_head = SignTreeHead(**signer, head, time);
  ASSERT_TRUE(signed_head.ok());
  EXPECT_EQ(signed_head->signature.size(), 64u);
  EXPECT_TRUE(VerifyTreeHead(*signed_head, (*signer)->public_key()).ok());

  SignedTreeHead bad = *signed_head;
  bad.size = 43;
  EXPECT_EQ(VerifyTreeHead(bad).code(), StatusCode::kCorruption);
  bad = *signed_head;
  bad.root[0] ^= 1;
  EXPECT_FALSE(VerifyTreeHead(bad).ok());
  bad = *signed_head;
  bad.time += std::chrono::microseconds(1);
  EXPECT_FALSE(VerifyTreeHead(bad).ok());
  bad = *signed_head;
  bad.signature[10] ^= 1;
  EXPECT_FALSE(VerifyTreeHead(bad).ok());
  auto other = Signer::Generate();
  EXPECT_FALSE(VerifyTreeHead(*signed_head, (*other)->public_key()).ok());

  auto parsed = TreeHeadFromJson(TreeHeadToJson(*signed_head), "head.json");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_TRUE(VerifyTreeHead(*parsed, (*signer)->public_key()).ok());
  EXPECT_EQ(parsed->size, 42u);
  EXPECT_FALSE(TreeHeadFromJson(nlohmann::json{{"size", 1}}, "head.json").ok());
}

// Regression: a kept head with "time": "2026-02-30T00:00:00Z" or a non-hex "root" was refused with a message that
// named neither the file nor the field ("hexadecimal text has a non-hex character at position 1; ...").
TEST(TreeHeadTest, ABadTimeOrHexFieldIsRefusedNamingTheFileAndField) {
  auto signer = Signer::Generate();
  ASSERT_TRUE(signer.ok());
  auto signed_head = SignTreeHead(**signer, TreeHead{1, LeafHash("x")}, *ParseRfc3339("2026-11-22T07:00:00Z"));
  ASSERT_TRUE(signed_head.ok());
  nlohmann::json json = TreeHeadToJson(*signed_head);
  nlohmann::json bad_time = json;
  bad_time["time"] = "2026-02-30T00:00:00Z";
  auto refused = TreeHeadFromJson(bad_time, "head.json");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().message().rfind("head.json: field \"time\": ", 0), 0u) << refused.status().message();
  EXPECT_NE(refused.status().message().find("day 30 does not exist"), std::string::npos);
  for (const char* name : {"root", "public_key", "signature"}) {
    nlohmann::json bad_hex = json;
    bad_hex[name] = "zz" + bad_hex[name].get<std::string>().substr(2);
    auto bad = TreeHeadFromJson(bad_hex, "head.json");
    ASSERT_FALSE(bad.ok()) << name;
    EXPECT_EQ(bad.status().message().rfind("head.json: field \"" + std::string(name) + "\": ", 0), 0u)
        << bad.status().message();
  }
}

TEST(TreeHeadTest, KeyFileRoundTripsWithPrivateMode) {
  tutela::testing::TempDir dir;
  auto first = Signer::LoadOrCreate(dir / "key.pem");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto perms = std::filesystem::status(dir / "key.pem").permissions();
  EXPECT_EQ(perms & std::filesystem::perms::group_read, std::filesystem::perms::none);
  EXPECT_EQ(perms & std::filesystem::perms::others_read, std::filesystem::perms::none);
  auto second = Signer::LoadOrCreate(dir / "key.pem");
  ASSERT_TRUE(second.ok());
  EXPECT_EQ((*first)->public_key(), (*second)->public_key());
  auto signature = (*second)->Sign("message");
  ASSERT_TRUE(signature.ok());
  EXPECT_TRUE(VerifySignature((*first)->public_key(), "message", *signature).ok());
  EXPECT_FALSE(VerifySignature((*first)->public_key(), "messagE", *signature).ok());

  tutela::testing::WriteFile(dir / "bad.pem", "not a key");
  EXPECT_EQ(Signer::Load(dir / "bad.pem").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace tutela::ledger
