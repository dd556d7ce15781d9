// Digests, keyed digests and randomness over OpenSSL.
//
// SHA-256 for content integrity (evidence manifests, vault ETags beside MD5, Merkle leaves), HMAC-SHA256 for keyed
// fingerprints of PII values (never an unkeyed hash of a value) and request signing, and a CSPRNG for keys and ids.
// Thread-safety: functions are reentrant; a Sha256Hasher is used by one thread at a time.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "tutela/core/status.h"

namespace tutela {

using Digest256 = std::array<uint8_t, 32>;

Digest256 Sha256(std::string_view data);
Digest256 HmacSha256(std::span<const uint8_t> key, std::string_view data);
Digest256 HmacSha256(std::string_view key, std::string_view data);

// HMAC-SHA256 under one fixed key, for hashing many short values (PII fingerprints, keyed-hash operators): the
// key's inner and outer pad states are computed once, so each value costs two SHA-256 compressions plus the data
// instead of a key setup. Compute() is const and thread-safe (per-thread working state).
class HmacSha256Key {
 public:
  explicit HmacSha256Key(std::string_view key);
  ~HmacSha256Key();
  HmacSha256Key(HmacSha256Key&&) noexcept;
  HmacSha256Key& operator=(HmacSha256Key&&) noexcept;
  HmacSha256Key(const HmacSha256Key&) = delete;
  HmacSha256Key& operator=(const HmacSha256Key&) = delete;

  Digest256 Compute(std::string_view data) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// SHA-256 of a file's contents, read in chunks (constant memory). Errors name the path.
Result<Digest256> Sha256File(const std::filesystem::path& path);

// Incremental SHA-256.
class Sha256Hasher {
 public:
  Sha256Hasher();
  ~Sha256Hasher();
  Sha256Hasher(const Sha256Hasher&) = delete;
  Sha256Hasher& operator=(const Sha256Hasher&) = delete;
  void Update(std::string_view data);
  // Returns the digest; the hasher is then reset for reuse.
  Digest256 Finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Lower-case hexadecimal.
std::string ToHex(std::span<const uint8_t> bytes);
// Decodes hexadecimal (either case); InvalidArgument on odd length or a non-hex character.
Result<std::string> FromHex(std::string_view hex);

// `count` bytes from the operating system's CSPRNG (OpenSSL RAND_bytes). Internal error if it fails.
Result<std::string> RandomBytes(size_t count);

// Compares in time independent of where the inputs differ (for MACs and signatures).
bool ConstantTimeEqual(std::string_view a, std::string_view b);

}  // namespace tutela
