// S3 additional checksums (`x-amz-checksum-crc32`, `-crc32c`, `-sha1`, `-sha256`): the value a client sends is the
// base64 of the big-endian CRC or of the digest of the whole body (or part). The vault verifies every one it is sent
// against the bytes it received, with S3's answers: 400 InvalidRequest for a value that is not base64 of the right
// length, 400 BadDigest when it does not match.
// Thread-safety: all functions are reentrant.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tutela/core/status.h"

namespace tutela::vault {

struct Checksum {
  std::string algorithm;  // upper case: "CRC32", "CRC32C", "SHA1", "SHA256"
  std::string value;      // base64, as the client sent it
};

// The algorithm named by a header ("x-amz-checksum-crc32c" → "CRC32C", any case); nullopt for other headers,
// including x-amz-checksum-algorithm and x-amz-checksum-type, and for algorithms the vault does not know.
std::optional<std::string> ChecksumAlgorithmOfHeader(std::string_view header_name);

// The raw checksum bytes of `data` (4 for CRCs, 20 for SHA1, 32 for SHA256); empty for an unknown algorithm.
std::string ComputeChecksum(std::string_view algorithm, std::string_view data);

// OK when every checksum matches `data`; InvalidRequest / BadDigest as above (the message names the header).
Status VerifyChecksums(const std::vector<Checksum>& checksums, std::string_view data);
// The same against values computed elsewhere (e.g. while a body streamed in): `computed(algorithm)` returns the raw
// checksum, or "" for an algorithm that was not computed (InvalidRequest).
Status VerifyChecksums(const std::vector<Checksum>& checksums,
                       const std::function<std::string(std::string_view algorithm)>& computed);

// Incremental computation of one algorithm (for bodies that arrive in pieces).
class ChecksumHasher {
 public:
  explicit ChecksumHasher(std::string algorithm);  // "CRC32", "CRC32C", "SHA1", "SHA256", or "MD5"
  ~ChecksumHasher();
  ChecksumHasher(ChecksumHasher&& other) noexcept;
  ChecksumHasher(const ChecksumHasher&) = delete;
  ChecksumHasher& operator=(const ChecksumHasher&) = delete;
  ChecksumHasher& operator=(ChecksumHasher&&) = delete;
  void Update(std::string_view piece);
  // The raw checksum of everything updated so far ("" for an unknown algorithm); call once, at the end.
  std::string Finish();
  const std::string& algorithm() const { return algorithm_; }

 private:
  std::string algorithm_;
  uint32_t crc_ = 0;
  void* md_context_ = nullptr;  // EVP_MD_CTX for the digests
};

// Standard base64 (RFC 4648 §4, with padding).
std::string Base64Encode(std::string_view bytes);
// nullopt when `text` is not canonical padded base64.
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace tutela::vault
