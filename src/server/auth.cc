#include "tutela/server/auth.h"

#include <argon2.h>
#include <liboath/oath.h>

#include <cstdlib>
#include <mutex>

#include "tutela/core/crypto.h"

namespace tutela::server {
namespace {

// OWASP's recommended Argon2id settings (19 MiB, 2 passes, 1 lane): about 30 ms a hash on the standard machine.
constexpr uint32_t kArgonTime = 2;
constexpr uint32_t kArgonMemoryKiB = 19 * 1024;
constexpr uint32_t kArgonLanes = 1;
constexpr size_t kSaltBytes = 16;
constexpr size_t kHashBytes = 32;

std::string Random(size_t count) {
  auto bytes = RandomBytes(count);
  if (!bytes.ok()) std::abort();  // no entropy: nothing secure can be made; never fall back to a weak source
  return std::move(*bytes);
}

void InitOath() {
  static std::once_flag once;
  std::call_once(once, [] { oath_init(); });
}

}  // namespace

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kAdmin:
      return "admin";
    case Role::kCompliance:
      return "compliance";
    case Role::kPrivacy:
      return "privacy";
    case Role::kAuditor:
      return "auditor";
    case Role::kCustomer:
      return "customer";
  }
  return "customer";
}

std::optional<Role> ParseRole(std::string_view text) {
  for (Role role : kAllRoles) {
    if (RoleName(role) == text) return role;
  }
  return std::nullopt;
}

Status CheckPasswordRules(std::string_view password) {
  if (password.size() < 12) {
    return Status::InvalidArgument("the password is shorter than 12 characters; choose a longer one.");
  }
  if (password.size() > 1024) return Status::InvalidArgument("the password is longer than 1024 bytes.");
  return Status::Ok();
}

Result<std::string> HashPassword(std::string_view password) {
  TUTELA_RETURN_IF_ERROR(CheckPasswordRules(password));
  std::string salt = Random(kSaltBytes);
  std::string encoded(argon2_encodedlen(kArgonTime, kArgonMemoryKiB, kArgonLanes, kSaltBytes, kHashBytes, Argon2_id),
                      '\0');
  int rc = argon2id_hash_encoded(kArgonTime, kArgonMemoryKiB, kArgonLanes, password.data(), password.size(),
                                 salt.data(), salt.size(), kHashBytes, encoded.data(), encoded.size());
  if (rc != ARGON2_OK) return Status::Internal(std::string("Argon2id failed: ") + argon2_error_message(rc));
  encoded.resize(encoded.find('\0'));
  return encoded;
}

bool VerifyPassword(std::string_view password, const std::string& encoded) {
  if (encoded.empty() || password.size() > 1024) return false;
  return argon2id_verify(encoded.c_str(), password.data(), password.size()) == ARGON2_OK;
}

std::string NewSecret(size_t bytes) {
  std::string raw = Random(bytes);
  return ToHex(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(raw.data()), raw.size()));
}

std::string NewOneTimePassword() {
  static constexpr std::string_view kAlphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  std::string out;
  while (out.size() < 20) {
    for (unsigned char byte : Random(32)) {
      // Rejection sampling keeps every character equally likely.
      if (byte >= 256 / kAlphabet.size() * kAlphabet.size()) continue;
      out += kAlphabet[byte % kAlphabet.size()];
      if (out.size() == 20) break;
    }
  }
  return out;
}

std::string NewId(std::string_view prefix) {
  static constexpr std::string_view kBase32 = "abcdefghijklmnopqrstuvwxyz234567";
  std::string out(prefix);
  for (unsigned char byte : Random(20)) out += kBase32[byte % 32];  // 256 is a multiple of 32: uniform
  return out;
}

std::string SecretDigest(std::string_view secret) {
  Digest256 digest = Sha256(secret);
  return ToHex(std::span<const uint8_t>(digest.data(), digest.size()));
}

std::string NewTotpSecret() {
  InitOath();
  std::string raw = Random(20);
  char* encoded = nullptr;
  size_t length = 0;
  if (oath_base32_encode(raw.data(), raw.size(), &encoded, &length) != OATH_OK) std::abort();
  std::string out(encoded, length);
  free(encoded);
  while (!out.empty() && out.back() == '=') out.pop_back();
  return out;
}

std::string TotpUri(std::string_view issuer, std::string_view account, std::string_view secret_base32) {
  auto escape = [](std::string_view text) {
    std::string out;
    for (unsigned char c : text) {
      if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
        out += static_cast<char>(c);
      } else {
        static constexpr char kHex[] = "0123456789ABCDEF";
        out += '%';
        out += kHex[c >> 4];
        out += kHex[c & 15];
      }
    }
    return out;
  };
  return "otpauth://totp/" + escape(issuer) + ":" + escape(account) + "?secret=" + std::string(secret_base32) +
         "&issuer=" + escape(issuer) + "&algorithm=SHA1&digits=6&period=30";
}

namespace {

std::optional<std::string> DecodeBase32(std::string_view secret_base32) {
  InitOath();
  std::string padded(secret_base32);
  while (padded.size() % 8 != 0) padded += '=';
  char* raw = nullptr;
  size_t length = 0;
  if (oath_base32_decode(padded.data(), padded.size(), &raw, &length) != OATH_OK) return std::nullopt;
  std::string out(raw, length);
  free(raw);
  return out;
}

}  // namespace

Result<std::string> TotpCode(std::string_view secret_base32, int64_t unix_time) {
  auto secret = DecodeBase32(secret_base32);
  if (!secret) return Status::InvalidArgument("the TOTP secret is not base32.");
  char code[7] = {};
  if (oath_totp_generate(secret->data(), secret->size(), static_cast<time_t>(unix_time), 30, 0, 6, code) != OATH_OK) {
    return Status::Internal("TOTP generation failed.");
  }
  return std::string(code, 6);
}

bool VerifyTotp(std::string_view secret_base32, std::string_view code, int64_t unix_time) {
  if (code.size() != 6) return false;
  for (char c : code) {
    if (c < '0' || c > '9') return false;
  }
  auto secret = DecodeBase32(secret_base32);
  if (!secret) return false;
  std::string otp(code);
  return oath_totp_validate(secret->data(), secret->size(), static_cast<time_t>(unix_time), 30, 0, 1, otp.c_str()) >= 0;
}

}  // namespace tutela::server
