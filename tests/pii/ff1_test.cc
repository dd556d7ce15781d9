// FF1 against the NIST SP 800-38G sample vectors (the published FF1 examples, samples 1-9), plus round trips,
// determinism, tweak separation and refusals.
#include "tutela/pii/ff1.h"

#include <gtest/gtest.h>

#include <ostream>
#include <random>
#include <string>

#include "tutela/core/crypto.h"

namespace tutela::pii {
namespace {

struct Ff1Vector {
  const char* name;
  const char* key_hex;
  uint32_t radix;
  const char* tweak_hex;
  const char* plaintext;
  const char* ciphertext;
};

constexpr const char* kKey128 = "2b7e151628aed2a6abf7158809cf4f3c";
constexpr const char* kKey192 = "2b7e151628aed2a6abf7158809cf4f3cef4359d8d580aa4f";
constexpr const char* kKey256 = "2b7e151628aed2a6abf7158809cf4f3cef4359d8d580aa4f7f036d6f04fc6a94";
constexpr const char* kTweak10 = "39383736353433323130";
constexpr const char* kTweak11 = "3737373770717273373737";
constexpr const char* kBase36 = "0123456789abcdefghijklmnopqrstuvwxyz";

const Ff1Vector kVectors[] = {
    {"sample1_aes128", kKey128, 10, "", "0123456789", "2433477484"},
    {"sample2_aes128", kKey128, 10, kTweak10, "0123456789", "6124200773"},
    {"sample3_aes128", kKey128, 36, kTweak11, "0123456789abcdefghi", "a9tv40mll9kdu509eum"},
    {"sample4_aes192", kKey192, 10, "", "0123456789", "2830668132"},
    {"sample5_aes192", kKey192, 10, kTweak10, "0123456789", "2496655549"},
    {"sample6_aes192", kKey192, 36, kTweak11, "0123456789abcdefghi", "xbj3kv35jrawxv32ysr"},
    {"sample7_aes256", kKey256, 10, "", "0123456789", "6657667009"},
    {"sample8_aes256", kKey256, 10, kTweak10, "0123456789", "1001623463"},
    {"sample9_aes256", kKey256, 36, kTweak11, "0123456789abcdefghi", "xs8a0azh2avyalyzuwd"},
};

// Names the case in test listings instead of dumping its bytes.
void PrintTo(const Ff1Vector& value, std::ostream* out) { *out << value.name; }

class Ff1VectorTest : public ::testing::TestWithParam<Ff1Vector> {};

TEST_P(Ff1VectorTest, EncryptsAndDecryptsLikeNist) {
  const Ff1Vector& vector = GetParam();
  auto key = FromHex(vector.key_hex);
  auto tweak = FromHex(vector.tweak_hex);
  ASSERT_TRUE(key.ok() && tweak.ok());
  auto ff1 = Ff1::Create(*key, vector.radix);
  ASSERT_TRUE(ff1.ok()) << ff1.status().message();
  auto alphabet = Alphabet::Create(std::string_view(kBase36).substr(0, vector.radix));
  ASSERT_TRUE(alphabet.ok());
  auto encrypted = Ff1EncryptText(*ff1, *alphabet, vector.plaintext, *tweak);
  ASSERT_TRUE(encrypted.ok()) << encrypted.status().message();
  EXPECT_EQ(*encrypted, vector.ciphertext);
  auto decrypted = Ff1DecryptText(*ff1, *alphabet, vector.ciphertext, *tweak);
  ASSERT_TRUE(decrypted.ok()) << decrypted.status().message();
  EXPECT_EQ(*decrypted, vector.plaintext);
}

INSTANTIATE_TEST_SUITE_P(Nist, Ff1VectorTest, ::testing::ValuesIn(kVectors),
                         [](const ::testing::TestParamInfo<Ff1Vector>& info) { return info.param.name; });

Ff1 MakeFf1(uint32_t radix) {
  auto key = FromHex(kKey256);
  return std::move(Ff1::Create(*key, radix)).value();
}

TEST(Ff1Test, RoundTripsManyLengthsAndRadixes) {
  std::mt19937 random(20261122);
  for (uint32_t radix : {2u, 10u, 26u, 36u, 62u, 256u, 65536u}) {
    Ff1 ff1 = MakeFf1(radix);
    for (size_t length : {20u, 21u, 32u, 33u, 64u, 100u}) {
      std::vector<uint16_t> numerals(length);
      for (uint16_t& numeral : numerals) numeral = static_cast<uint16_t>(random() % radix);
      auto encrypted = ff1.Encrypt(numerals, "tweak");
      ASSERT_TRUE(encrypted.ok()) << encrypted.status().message();
      EXPECT_EQ(encrypted->size(), length);
      for (uint16_t numeral : *encrypted) EXPECT_LT(numeral, radix);
      auto decrypted = ff1.Decrypt(*encrypted, "tweak");
      ASSERT_TRUE(decrypted.ok());
      EXPECT_EQ(*decrypted, numerals) << "radix " << radix << " length " << length;
    }
  }
}

TEST(Ff1Test, DeterministicPerTweakAndDifferentAcrossTweaks) {
  Ff1 ff1 = MakeFf1(10);
  auto digits = *Alphabet::Create("0123456789");
  std::string card = "4111111111111111";
  auto first = Ff1EncryptText(ff1, digits, card, "CREDIT_CARD");
  auto again = Ff1EncryptText(ff1, digits, card, "CREDIT_CARD");
  auto other = Ff1EncryptText(ff1, digits, card, "US_NPI");
  ASSERT_TRUE(first.ok() && again.ok() && other.ok());
  EXPECT_EQ(*first, *again);
  EXPECT_NE(*first, *other);
  EXPECT_NE(*first, card);
  EXPECT_EQ(first->size(), card.size());
}

TEST(Ff1Test, RefusesDomainsBelowOneMillion) {
  Ff1 ff1 = MakeFf1(10);
  auto digits = *Alphabet::Create("0123456789");
  auto short_value = Ff1EncryptText(ff1, digits, "12345", "");
  ASSERT_FALSE(short_value.ok());
  EXPECT_NE(short_value.status().message().find("fewer than 1,000,000"), std::string::npos);
  EXPECT_TRUE(Ff1EncryptText(ff1, digits, "123456", "").ok());
}

TEST(Ff1Test, RefusesBadKeysRadixesAndNumerals) {
  EXPECT_FALSE(Ff1::Create(std::string(20, 'k'), 10).ok());
  EXPECT_FALSE(Ff1::Create(std::string(32, 'k'), 1).ok());
  EXPECT_FALSE(Ff1::Create(std::string(32, 'k'), 65537).ok());
  Ff1 ff1 = MakeFf1(10);
  std::vector<uint16_t> bad{1, 2, 3, 4, 5, 6, 10};
  EXPECT_FALSE(ff1.Encrypt(bad, "").ok());
}

TEST(AlphabetTest, MapsAndRefusesWithoutEchoingTheValue) {
  EXPECT_FALSE(Alphabet::Create("a").ok());
  EXPECT_FALSE(Alphabet::Create("abca").ok());
  auto alphabet = *Alphabet::Create("0123456789");
  auto numerals = alphabet.ToNumerals("S1234567D");
  ASSERT_FALSE(numerals.ok());
  EXPECT_EQ(numerals.status().message(), "the value has a character outside the alphabet at position 1.");
}

}  // namespace
}  // namespace tutela::pii
