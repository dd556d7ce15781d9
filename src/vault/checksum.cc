#include "tutela/vault/checksum.h"

#include <openssl/evp.h>
#include <zlib.h>

#include <algorithm>
#include <cctype>

#include "tutela/ledger/log.h"

namespace tutela::vault {
namespace {

constexpr std::string_view kBase64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string BigEndian32(uint32_t value) {
  std::string out(4, '\0');
  for (int byte = 0; byte < 4; ++byte) out[byte] = static_cast<char>((value >> (24 - 8 * byte)) & 0xFF);
  return out;
}

std::string Digest(const EVP_MD* md, std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, md, nullptr);
  return std::string(reinterpret_cast<const char*>(digest), length);
}

}  // namespace

std::optional<std::string> ChecksumAlgorithmOfHeader(std::string_view header_name) {
  constexpr std::string_view kPrefix = "x-amz-checksum-";
  if (header_name.size() <= kPrefix.size()) return std::nullopt;
  std::string lower(header_name);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  if (!lower.starts_with(kPrefix)) return std::nullopt;
  std::string algorithm = lower.substr(kPrefix.size());
  std::transform(algorithm.begin(), algorithm.end(), algorithm.begin(),
                 [](unsigned char c) { return std::toupper(c); });
  if (algorithm == "CRC32" || algorithm == "CRC32C" || algorithm == "SHA1" || algorithm == "SHA256") return algorithm;
  return std::nullopt;
}

std::string ComputeChecksum(std::string_view algorithm, std::string_view data) {
  if (algorithm == "CRC32") {
    uLong crc = crc32(0L, Z_NULL, 0);
    // zlib takes uInt lengths: feed large bodies in pieces.
    for (size_t done = 0; done < data.size();) {
      size_t piece = std::min<size_t>(data.size() - done, 1u << 30);
      crc = crc32(crc, reinterpret_cast<const Bytef*>(data.data() + done), static_cast<uInt>(piece));
      done += piece;
    }
    return BigEndian32(static_cast<uint32_t>(crc));
  }
  if (algorithm == "CRC32C") return BigEndian32(ledger::Crc32c(data));
  if (algorithm == "SHA1") return Digest(EVP_sha1(), data);
  if (algorithm == "SHA256") return Digest(EVP_sha256(), data);
  return "";
}

Status VerifyChecksums(const std::vector<Checksum>& checksums, std::string_view data) {
  return VerifyChecksums(checksums, [&](std::string_view algorithm) { return ComputeChecksum(algorithm, data); });
}

Status VerifyChecksums(const std::vector<Checksum>& checksums,
                       const std::function<std::string(std::string_view algorithm)>& compute) {
  for (const Checksum& checksum : checksums) {
    std::string header = "x-amz-checksum-" + checksum.algorithm;
    std::transform(header.begin(), header.end(), header.begin(), [](unsigned char c) { return std::tolower(c); });
    std::string computed = compute(checksum.algorithm);
    std::optional<std::string> sent = Base64Decode(checksum.value);
    if (computed.empty() || !sent || sent->size() != computed.size()) {
      return Status::InvalidArgument("InvalidRequest: Value for " + header + " header is invalid.");
    }
    if (*sent != computed) {
      return Status::InvalidArgument("BadDigest: The " + checksum.algorithm +
                                     " you specified did not match the calculated checksum.");
    }
  }
  return Status::Ok();
}

ChecksumHasher::ChecksumHasher(std::string algorithm) : algorithm_(std::move(algorithm)) {
  const EVP_MD* md = algorithm_ == "SHA1"     ? EVP_sha1()
                     : algorithm_ == "SHA256" ? EVP_sha256()
                     : algorithm_ == "MD5"    ? EVP_md5()
                                              : nullptr;
  if (md != nullptr) {
    EVP_MD_CTX* context = EVP_MD_CTX_new();
    EVP_DigestInit_ex(context, md, nullptr);
    md_context_ = context;
  }
  if (algorithm_ == "CRC32") crc_ = static_cast<uint32_t>(crc32(0L, Z_NULL, 0));
}

ChecksumHasher::~ChecksumHasher() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(md_context_)); }

ChecksumHasher::ChecksumHasher(ChecksumHasher&& other) noexcept
    : algorithm_(std::move(other.algorithm_)), crc_(other.crc_), md_context_(other.md_context_) {
  other.md_context_ = nullptr;
}

void ChecksumHasher::Update(std::string_view piece) {
  if (md_context_ != nullptr) {
    EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(md_context_), piece.data(), piece.size());
  } else if (algorithm_ == "CRC32") {
    for (size_t done = 0; done < piece.size();) {
      size_t part = std::min<size_t>(piece.size() - done, 1u << 30);
      crc_ = static_cast<uint32_t>(
          crc32(crc_, reinterpret_cast<const Bytef*>(piece.data() + done), static_cast<uInt>(part)));
      done += part;
    }
  } else if (algorithm_ == "CRC32C") {
    crc_ = ledger::Crc32c(piece, crc_);
  }
}

std::string ChecksumHasher::Finish() {
  if (md_context_ != nullptr) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(md_context_), digest, &length);
    return std::string(reinterpret_cast<const char*>(digest), length);
  }
  if (algorithm_ == "CRC32" || algorithm_ == "CRC32C") return BigEndian32(crc_);
  return "";
}

std::string Base64Encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (size_t at = 0; at < bytes.size(); at += 3) {
    uint32_t group = static_cast<uint8_t>(bytes[at]) << 16;
    if (at + 1 < bytes.size()) group |= static_cast<uint8_t>(bytes[at + 1]) << 8;
    if (at + 2 < bytes.size()) group |= static_cast<uint8_t>(bytes[at + 2]);
    out.push_back(kBase64[(group >> 18) & 63]);
    out.push_back(kBase64[(group >> 12) & 63]);
    out.push_back(at + 1 < bytes.size() ? kBase64[(group >> 6) & 63] : '=');
    out.push_back(at + 2 < bytes.size() ? kBase64[group & 63] : '=');
  }
  return out;
}

std::optional<std::string> Base64Decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (size_t at = 0; at < text.size(); at += 4) {
    uint32_t group = 0;
    int padding = 0;
    for (int index = 0; index < 4; ++index) {
      char c = text[at + index];
      uint32_t value = 0;
      if (c == '=') {
        // Padding only at the very end, in the last two places.
        if (at + 4 != text.size() || index < 2) return std::nullopt;
        ++padding;
      } else {
        if (padding > 0) return std::nullopt;
        size_t found = kBase64.find(c);
        if (found == std::string_view::npos) return std::nullopt;
        value = static_cast<uint32_t>(found);
      }
      group = (group << 6) | value;
    }
    out.push_back(static_cast<char>((group >> 16) & 0xFF));
    if (padding < 2) out.push_back(static_cast<char>((group >> 8) & 0xFF));
    if (padding < 1) out.push_back(static_cast<char>(group & 0xFF));
  }
  return out;
}

}  // namespace tutela::vault
