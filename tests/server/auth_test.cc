// Credentials and the database layer: Argon2id hashes, password rules, TOTP against RFC 6238's test vector, ids,
// roles, and schema migrations on a real SQLite file.
#include "tutela/server/auth.h"

#include <gtest/gtest.h>

#include <set>

#include "test_support.h"
#include "tutela/server/database.h"
#include "tutela/server/store.h"

namespace tutela::server {
namespace {

using testing::TempDir;

TEST(PasswordTest, HashesWithArgon2idAndVerifies) {
  auto hash = HashPassword("correct horse battery");
  ASSERT_TRUE(hash.ok()) << hash.status().ToString();
  EXPECT_TRUE(hash->starts_with("$argon2id$v=19$m=19456,t=2,p=1$")) << *hash;
  EXPECT_TRUE(VerifyPassword("correct horse battery", *hash));
  EXPECT_FALSE(VerifyPassword("correct horse batterY", *hash));
  EXPECT_FALSE(VerifyPassword("", *hash));
  EXPECT_FALSE(VerifyPassword("correct horse battery", ""));
  // A fresh salt each time.
  EXPECT_NE(*hash, *HashPassword("correct horse battery"));
}

TEST(PasswordTest, RulesRefuseShortAndHugePasswords) {
  EXPECT_EQ(HashPassword("short").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CheckPasswordRules(std::string(1025, 'x')).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(CheckPasswordRules("twelve chars").ok());
}

TEST(TotpTest, MatchesRfc6238TestVector) {
  // RFC 6238 Appendix B, SHA-1 secret "12345678901234567890" (base32 below): at 59 s the 8-digit code is 94287082,
  // so the 6-digit code is 287082; at 1111111109 s, 07081804 -> 081804.
  const std::string secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
  EXPECT_EQ(*TotpCode(secret, 59), "287082");
  EXPECT_EQ(*TotpCode(secret, 1111111109), "081804");
  EXPECT_TRUE(VerifyTotp(secret, "287082", 59));
  EXPECT_TRUE(VerifyTotp(secret, "287082", 59 + 30));  // one step of drift
  EXPECT_FALSE(VerifyTotp(secret, "287082", 59 + 95));
  EXPECT_FALSE(VerifyTotp(secret, "28708", 59));
  EXPECT_FALSE(VerifyTotp(secret, "abcdef", 59));
  std::string fresh = NewTotpSecret();
  EXPECT_EQ(fresh.size(), 32u);  // 20 bytes in base32
  EXPECT_TRUE(VerifyTotp(fresh, *TotpCode(fresh, 1000000), 1000000));
  EXPECT_EQ(TotpUri("Tutela acme", "alice", "ABC"),
            "otpauth://totp/Tutela%20acme:alice?secret=ABC&issuer=Tutela%20acme&algorithm=SHA1&digits=6&period=30");
}

TEST(SecretTest, IdsAndSecretsAreUniqueAndWellFormed) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string id = NewId("as_");
    ASSERT_EQ(id.size(), 23u);
    ASSERT_EQ(id.find_first_not_of("abcdefghijklmnopqrstuvwxyz234567", 3), std::string::npos) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
  EXPECT_EQ(NewSecret(32).size(), 64u);
  std::string password = NewOneTimePassword();
  EXPECT_EQ(password.size(), 20u);
  EXPECT_EQ(password.find_first_of("0O1lI"), std::string::npos) << password;
  EXPECT_EQ(SecretDigest("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(RoleTest, NamesRoundTrip) {
  for (Role role : kAllRoles) EXPECT_EQ(ParseRole(RoleName(role)), role);
  EXPECT_FALSE(ParseRole("root").has_value());
}

TEST(DatabaseTest, MigratesOnceAndRefusesANewerSchema) {
  TempDir dir;
  auto database = OpenDatabase("", dir.path());
  ASSERT_TRUE(database.ok()) << database.status().ToString();
  auto version = Migrate(**database);
  ASSERT_TRUE(version.ok()) << version.status().ToString();
  EXPECT_EQ(*version, SchemaVersion());
  EXPECT_EQ(*Migrate(**database), SchemaVersion());  // idempotent
  auto rows = (*database)->Query("SELECT COUNT(*) FROM schema_migrations");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ((*rows)[0].Int(0), SchemaVersion());
  ASSERT_TRUE((*database)->Query("INSERT INTO schema_migrations (version, what, applied) VALUES (999, 'x', 'y')").ok());
  auto newer = Migrate(**database);
  EXPECT_EQ(newer.status().code(), StatusCode::kCorruption);
  EXPECT_NE(newer.status().message().find("run a newer Tutela"), std::string::npos) << newer.status().message();
}

TEST(DatabaseTest, TransactionsRollBackOnError) {
  TempDir dir;
  auto database = OpenDatabase("sqlite:" + (dir / "x.db").string(), dir.path());
  ASSERT_TRUE(database.ok());
  ASSERT_TRUE((*database)->Query("CREATE TABLE t (v TEXT)").ok());
  Status failed = (*database)->Transaction([&]() -> Status {
    EXPECT_TRUE((*database)->Query("INSERT INTO t (v) VALUES (?)", {std::string("a")}).ok());
    return Status::InvalidArgument("stop");
  });
  EXPECT_EQ(failed.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ((*(*database)->Query("SELECT COUNT(*) FROM t"))[0].Int(0), 0);
  EXPECT_EQ(OpenDatabase("mysql://x", dir.path()).status().code(), StatusCode::kInvalidArgument);
  auto bad = (*database)->Query("SELEC nonsense");
  EXPECT_EQ(bad.status().code(), StatusCode::kIoError);
  EXPECT_NE(bad.status().message().find("SELEC nonsense"), std::string::npos) << bad.status().message();
}

TEST(StoreTest, TenantDataNeverReachesAnotherTenant) {
  TempDir dir;
  auto database = OpenDatabase("", dir.path());
  ASSERT_TRUE(database.ok());
  auto store = Store::Open(std::move(*database));
  ASSERT_TRUE(store.ok());
  auto a = (*store)->CreateTenant("acme", false);
  auto b = (*store)->CreateTenant("globex", false);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ((*store)->CreateTenant("acme", false).status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ((*store)->CreateTenant("Bad Name", false).status().code(), StatusCode::kInvalidArgument);
  TenantData data_a = (*store)->ForTenant(a->id);
  TenantData data_b = (*store)->ForTenant(b->id);
  Record record{"assessment", "as_1", "done", "", "", {{"secret", "acme-only"}}};
  ASSERT_TRUE(data_a.Put(record).ok());
  EXPECT_TRUE(data_a.Get("assessment", "as_1")->has_value());
  EXPECT_FALSE(data_b.Get("assessment", "as_1")->has_value());
  EXPECT_TRUE(data_b.List("assessment")->empty());
  RecordQuery search;
  search.search = "acme-only";
  EXPECT_EQ(data_a.List("assessment", search)->size(), 1u);
  EXPECT_TRUE(data_b.List("assessment", search)->empty());
  ASSERT_TRUE(data_b.Delete("assessment", "as_1").ok());
  EXPECT_TRUE(data_a.Get("assessment", "as_1")->has_value());  // B's delete did not reach A's record
  // The same user name in two tenants is two users.
  ASSERT_TRUE(data_a.CreateUser("alice", Role::kAdmin, "x", false).ok());
  ASSERT_TRUE(data_b.CreateUser("alice", Role::kAuditor, "y", false).ok());
  EXPECT_EQ((*data_a.FindUserByName("alice"))->role, Role::kAdmin);
  EXPECT_EQ((*data_b.FindUserByName("alice"))->role, Role::kAuditor);
  EXPECT_EQ(data_a.CreateUser("alice", Role::kAdmin, "x", false).status().code(), StatusCode::kAlreadyExists);
}

}  // namespace
}  // namespace tutela::server
