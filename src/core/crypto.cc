#include "tutela/core/crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <cstring>
#include <fstream>
#include <vector>

#include "tutela/core/file_util.h"

namespace tutela {

struct Sha256Hasher::Impl {
  EVP_MD_CTX* context = nullptr;
};

Sha256Hasher::Sha256Hasher() : impl_(std::make_unique<Impl>()) {
  impl_->context = EVP_MD_CTX_new();
  if (impl_->context == nullptr || EVP_DigestInit_ex(impl_->context, EVP_sha256(), nullptr) != 1) std::abort();
}

Sha256Hasher::~Sha256Hasher() { EVP_MD_CTX_free(impl_->context); }

void Sha256Hasher::Update(std::string_view data) {
  if (EVP_DigestUpdate(impl_->context, data.data(), data.size()) != 1) std::abort();
}

Digest256 Sha256Hasher::Finish() {
  Digest256 digest{};
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(impl_->context, digest.data(), &length) != 1 || length != digest.size()) std::abort();
  if (EVP_DigestInit_ex(impl_->context, EVP_sha256(), nullptr) != 1) std::abort();
  return digest;
}

Digest256 Sha256(std::string_view data) {
  Digest256 digest{};
  if (EVP_Digest(data.data(), data.size(), digest.data(), nullptr, EVP_sha256(), nullptr) != 1) std::abort();
  return digest;
}

Digest256 HmacSha256(std::span<const uint8_t> key, std::string_view data) {
  Digest256 digest{};
  unsigned int length = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const uint8_t*>(data.data()),
           data.size(), digest.data(), &length) == nullptr) {
    std::abort();
  }
  return digest;
}

Digest256 HmacSha256(std::string_view key, std::string_view data) {
  return HmacSha256(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(key.data()), key.size()), data);
}

struct HmacSha256Key::Impl {
  EVP_MD_CTX* inner = nullptr;  // SHA-256 state after absorbing key ^ ipad
  EVP_MD_CTX* outer = nullptr;  // SHA-256 state after absorbing key ^ opad
};

namespace {

// Working contexts per thread, re-seeded from a key's pad states by EVP_MD_CTX_copy_ex (a memcpy of the state).
struct ThreadHmacState {
  EVP_MD_CTX* work = EVP_MD_CTX_new();
  ~ThreadHmacState() { EVP_MD_CTX_free(work); }
};

}  // namespace

HmacSha256Key::HmacSha256Key(std::string_view key) : impl_(std::make_unique<Impl>()) {
  // RFC 2104: keys longer than the block are hashed first; then padded to the 64-byte block.
  uint8_t block[64] = {0};
  if (key.size() > sizeof block) {
    Digest256 hashed = Sha256(key);
    std::memcpy(block, hashed.data(), hashed.size());
  } else {
    std::memcpy(block, key.data(), key.size());
  }
  uint8_t ipad[64], opad[64];
  for (size_t byte_idx = 0; byte_idx < sizeof block; ++byte_idx) {
    ipad[byte_idx] = block[byte_idx] ^ 0x36;
    opad[byte_idx] = block[byte_idx] ^ 0x5c;
  }
  impl_->inner = EVP_MD_CTX_new();
  impl_->outer = EVP_MD_CTX_new();
  if (impl_->inner == nullptr || impl_->outer == nullptr ||
      EVP_DigestInit_ex(impl_->inner, EVP_sha256(), nullptr) != 1 ||
      EVP_DigestUpdate(impl_->inner, ipad, sizeof ipad) != 1 ||
      EVP_DigestInit_ex(impl_->outer, EVP_sha256(), nullptr) != 1 ||
      EVP_DigestUpdate(impl_->outer, opad, sizeof opad) != 1) {
    std::abort();
  }
  OPENSSL_cleanse(block, sizeof block);
  OPENSSL_cleanse(ipad, sizeof ipad);
  OPENSSL_cleanse(opad, sizeof opad);
}

HmacSha256Key::~HmacSha256Key() {
  if (impl_) {
    EVP_MD_CTX_free(impl_->inner);
    EVP_MD_CTX_free(impl_->outer);
  }
}

HmacSha256Key::HmacSha256Key(HmacSha256Key&&) noexcept = default;
HmacSha256Key& HmacSha256Key::operator=(HmacSha256Key&&) noexcept = default;

Digest256 HmacSha256Key::Compute(std::string_view data) const {
  thread_local ThreadHmacState state;
  Digest256 inner_digest{};
  Digest256 digest{};
  unsigned int length = 0;
  if (state.work == nullptr || EVP_MD_CTX_copy_ex(state.work, impl_->inner) != 1 ||
      EVP_DigestUpdate(state.work, data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(state.work, inner_digest.data(), &length) != 1 ||
      EVP_MD_CTX_copy_ex(state.work, impl_->outer) != 1 ||
      EVP_DigestUpdate(state.work, inner_digest.data(), inner_digest.size()) != 1 ||
      EVP_DigestFinal_ex(state.work, digest.data(), &length) != 1) {
    std::abort();
  }
  return digest;
}

Result<Digest256> Sha256File(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return ErrnoStatus(errno, "open", path);
  Sha256Hasher hasher;
  std::vector<char> buffer(1 << 20);
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    std::streamsize got = in.gcount();
    if (got > 0) hasher.Update(std::string_view(buffer.data(), static_cast<size_t>(got)));
  }
  if (in.bad()) return Status::IoError(path.string() + ": cannot read to the end; check the disk and the file.");
  return hasher.Finish();
}

std::string ToHex(std::span<const uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.resize(bytes.size() * 2);
  for (size_t byte_idx = 0; byte_idx < bytes.size(); ++byte_idx) {
    hex[2 * byte_idx] = kDigits[bytes[byte_idx] >> 4];
    hex[2 * byte_idx + 1] = kDigits[bytes[byte_idx] & 0xF];
  }
  return hex;
}

Result<std::string> FromHex(std::string_view hex) {
  if (hex.size() % 2 != 0) {
    return Status::InvalidArgument("hexadecimal text has an odd number of digits (" + std::to_string(hex.size()) +
                                   "); every byte takes two digits.");
  }
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string bytes(hex.size() / 2, '\0');
  for (size_t byte_idx = 0; byte_idx < bytes.size(); ++byte_idx) {
    int high = nibble(hex[2 * byte_idx]);
    int low = nibble(hex[2 * byte_idx + 1]);
    if (high < 0 || low < 0) {
      return Status::InvalidArgument("hexadecimal text has a non-hex character at position " +
                                     std::to_string(2 * byte_idx + (high < 0 ? 0 : 1) + 1) +
                                     "; only 0-9 and a-f are allowed.");
    }
    bytes[byte_idx] = static_cast<char>((high << 4) | low);
  }
  return bytes;
}

Result<std::string> RandomBytes(size_t count) {
  std::string bytes(count, '\0');
  if (count > 0 && RAND_bytes(reinterpret_cast<uint8_t*>(bytes.data()), static_cast<int>(count)) != 1) {
    return Status::Internal("the system random number generator failed; check that /dev/urandom is available.");
  }
  return bytes;
}

bool ConstantTimeEqual(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace tutela
