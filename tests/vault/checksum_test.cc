// vault checksums: the x-amz-checksum-* algorithms against published check values, base64, and S3's error codes.
#include "tutela/vault/checksum.h"

#include <gtest/gtest.h>

#include "tutela/core/crypto.h"
#include "tutela/vault/store.h"

namespace tutela::vault {
namespace {

std::string Hex(const std::string& bytes) {
  return ToHex(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
}

TEST(ChecksumTest, CheckValuesOfEachAlgorithm) {
  // The standard check input "123456789": CRC-32 cbf43926, CRC-32C e3069283 (RFC 3720 B.4 catalogue values).
  EXPECT_EQ(Hex(ComputeChecksum("CRC32", "123456789")), "cbf43926");
  EXPECT_EQ(Hex(ComputeChecksum("CRC32C", "123456789")), "e3069283");
  EXPECT_EQ(Hex(ComputeChecksum("SHA1", "abc")), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(Hex(ComputeChecksum("SHA256", "abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(ComputeChecksum("MD4", "abc"), "");
}

TEST(ChecksumTest, HeaderNamesMapToAlgorithms) {
  EXPECT_EQ(ChecksumAlgorithmOfHeader("x-amz-checksum-crc32c"), "CRC32C");
  EXPECT_EQ(ChecksumAlgorithmOfHeader("X-Amz-Checksum-SHA256"), "SHA256");
  EXPECT_EQ(ChecksumAlgorithmOfHeader("x-amz-checksum-algorithm"), std::nullopt);
  EXPECT_EQ(ChecksumAlgorithmOfHeader("x-amz-checksum-type"), std::nullopt);
  EXPECT_EQ(ChecksumAlgorithmOfHeader("content-md5"), std::nullopt);
}

TEST(ChecksumTest, Base64RoundTripAndRefusals) {
  for (std::string text : {"", "f", "fo", "foo", "foob", "fooba", "foobar"}) {
    EXPECT_EQ(Base64Decode(Base64Encode(text)), text);
  }
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Decode("Zm8"), std::nullopt);       // not a multiple of 4
  EXPECT_EQ(Base64Decode("Z=8="), std::nullopt);      // padding in the middle
  EXPECT_EQ(Base64Decode("Zm8*"), std::nullopt);      // not the alphabet
  EXPECT_EQ(Base64Decode("Zm8=Zm8="), std::nullopt);  // padding before the end
}

TEST(ChecksumTest, VerifyGivesS3Codes) {
  std::string data = "123456789";
  std::string crc = Base64Encode(ComputeChecksum("CRC32", data));
  std::string sha = Base64Encode(ComputeChecksum("SHA256", data));
  EXPECT_TRUE(VerifyChecksums({{"CRC32", crc}, {"SHA256", sha}}, data).ok());
  S3Error bad = S3ErrorOf(VerifyChecksums({{"CRC32", crc}}, "123456780"));
  EXPECT_EQ(bad.http_status, 400);
  EXPECT_EQ(bad.code, "BadDigest");
  EXPECT_NE(bad.message.find("CRC32"), std::string::npos);
  S3Error invalid = S3ErrorOf(VerifyChecksums({{"SHA256", crc}}, data));  // a 4-byte value for a 32-byte digest
  EXPECT_EQ(invalid.http_status, 400);
  EXPECT_EQ(invalid.code, "InvalidRequest");
  EXPECT_NE(invalid.message.find("x-amz-checksum-sha256"), std::string::npos);
  EXPECT_EQ(S3ErrorOf(VerifyChecksums({{"CRC32C", "not base64!"}}, data)).code, "InvalidRequest");
}

}  // namespace
}  // namespace tutela::vault
