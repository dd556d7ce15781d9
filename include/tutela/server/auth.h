// Credentials for the server: roles, Argon2id password hashes, random secrets (session ids, CSRF and API tokens,
// stored only as SHA-256 digests), TOTP second factors (RFC 6238 through liboath).
//
// Thread-safety: every function is reentrant.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tutela/core/status.h"

namespace tutela::server {

// What a user may do (docs/server.md, "Roles"):
//   admin       everything in the tenant, users and API tokens; in the operator tenant also other tenants
//   compliance  assessments, findings, exceptions (propose and approve)
//   privacy     the privacy programme: register, risk, purposes, incidents
//   auditor     read-only over everything, with evidence and proofs
//   customer    the report portal only
enum class Role { kAdmin, kCompliance, kPrivacy, kAuditor, kCustomer };
inline constexpr Role kAllRoles[] = {Role::kAdmin, Role::kCompliance, Role::kPrivacy, Role::kAuditor, Role::kCustomer};
std::string_view RoleName(Role role);
std::optional<Role> ParseRole(std::string_view text);

// Argon2id in the PHC string form ($argon2id$v=19$m=...,t=...,p=...$salt$hash) with a fresh 16-byte salt.
// InvalidArgument for a password shorter than 12 characters or longer than 1024 bytes.
Result<std::string> HashPassword(std::string_view password);
// True when `password` matches the PHC string (constant time in the password).
bool VerifyPassword(std::string_view password, const std::string& encoded);
// Checks a new password: 12 to 1024 bytes. InvalidArgument with the rule otherwise.
Status CheckPasswordRules(std::string_view password);

// `bytes` random bytes (OpenSSL's CSPRNG) as unpadded base64url.
std::string NewSecret(size_t bytes = 32);
// A one-time password for a new account: 20 characters from an alphabet without look-alikes.
std::string NewOneTimePassword();
// An id for a record: `prefix` + 20 random base32 characters (100 bits).
std::string NewId(std::string_view prefix);
// Lowercase hex SHA-256: how session ids and API tokens are stored.
std::string SecretDigest(std::string_view secret);

// TOTP (RFC 6238: SHA-1, 30 s, 6 digits). A new secret is 20 random bytes, given as base32 for authenticator apps.
std::string NewTotpSecret();
// The otpauth:// URI an authenticator app scans.
std::string TotpUri(std::string_view issuer, std::string_view account, std::string_view secret_base32);
// True when `code` is valid at `unix_time` within one step either side (clock drift).
bool VerifyTotp(std::string_view secret_base32, std::string_view code, int64_t unix_time);
// The code at `unix_time` (tests and enrolment checks).
Result<std::string> TotpCode(std::string_view secret_base32, int64_t unix_time);

}  // namespace tutela::server
