#include "tutela/core/crypto.h"

#include <gtest/gtest.h>

#include <string>

#include "test_support.h"

namespace tutela {
namespace {

std::string Hex(const Digest256& digest) { return ToHex(digest); }

// FIPS 180-2 examples.
TEST(Sha256Test, KnownVectors) {
  EXPECT_EQ(Hex(Sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Hex(Sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Hex(Sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256Test, IncrementalMatchesOneShot) {
  Sha256Hasher hasher;
  hasher.Update("ab");
  hasher.Update("c");
  EXPECT_EQ(Hex(hasher.Finish()), Hex(Sha256("abc")));
  hasher.Update("abc");  // reusable after Finish
  EXPECT_EQ(Hex(hasher.Finish()), Hex(Sha256("abc")));
}

TEST(Sha256Test, FileDigest) {
  testing::TempDir dir;
  std::string content(3 << 20, 'x');  // spans several read chunks
  testing::WriteFile(dir / "big", content);
  auto digest = Sha256File(dir / "big");
  ASSERT_TRUE(digest.ok());
  EXPECT_EQ(Hex(*digest), Hex(Sha256(content)));
  EXPECT_EQ(Sha256File(dir / "absent").status().code(), StatusCode::kNotFound);
}

// RFC 4231 test cases 1 and 2.
TEST(HmacSha256Test, Rfc4231Vectors) {
  EXPECT_EQ(Hex(HmacSha256(std::string(20, '\x0b'), "Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(Hex(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(HmacSha256KeyTest, MatchesOneShotHmacIncludingLongKeys) {
  for (std::string key : {std::string(20, '\x0b'), std::string("Jefe"), std::string(131, '\xaa'), std::string()}) {
    HmacSha256Key keyed(key);
    for (std::string_view data :
         {"Hi There", "", "what do ya want for nothing?", "Test Using Larger Than Block-Size Key - Hash Key First"}) {
      EXPECT_EQ(Hex(keyed.Compute(data)), Hex(HmacSha256(key, data))) << key.size() << " " << data;
    }
  }
  // RFC 4231 test case 6: a 131-byte key.
  EXPECT_EQ(
      Hex(HmacSha256Key(std::string(131, '\xaa')).Compute("Test Using Larger Than Block-Size Key - Hash Key First")),
      "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(HmacSha256KeyTest, TwoKeysOnOneThreadDoNotMix) {
  HmacSha256Key first("first key");
  HmacSha256Key second("second key");
  EXPECT_EQ(Hex(first.Compute("x")), Hex(HmacSha256("first key", "x")));
  EXPECT_EQ(Hex(second.Compute("x")), Hex(HmacSha256("second key", "x")));
  EXPECT_EQ(Hex(first.Compute("x")), Hex(HmacSha256("first key", "x")));
}

TEST(HexTest, RoundTripAndErrors) {
  auto bytes = FromHex("00ff7A");
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(*bytes, std::string("\x00\xff\x7a", 3));
  EXPECT_EQ(ToHex(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes->data()), bytes->size())), "00ff7a");
  EXPECT_FALSE(FromHex("abc").ok());
  EXPECT_FALSE(FromHex("zz").ok());
}

TEST(RandomTest, ProducesDistinctBytes) {
  auto a = RandomBytes(32);
  auto b = RandomBytes(32);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->size(), 32u);
  EXPECT_NE(*a, *b);
}

TEST(ConstantTimeEqualTest, Compares) {
  EXPECT_TRUE(ConstantTimeEqual("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEqual("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEqual("abc", "ab"));
}

}  // namespace
}  // namespace tutela
