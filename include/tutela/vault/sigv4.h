// AWS Signature Version 4 for the vault's S3 API: canonical requests, signing keys, and verification of the
// Authorization header, presigned URLs and aws-chunked (STREAMING-AWS4-HMAC-SHA256-PAYLOAD) bodies.
//
// Verification works on a transport-neutral SigV4Request (decoded path, decoded query parameters, lower-case header
// names) so the server and the tests share it. Errors are Status values carrying the S3 error code as store.h
// describes ("SignatureDoesNotMatch: ...", "InvalidAccessKeyId: ...", "AccessDenied: ...", "RequestTimeTooSkewed:
// ...", "XAmzContentSHA256Mismatch: ...").
// Thread-safety: all functions are reentrant.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "tutela/core/status.h"
#include "tutela/core/time.h"

namespace tutela::vault {

struct Credentials {
  std::string user;
  std::string access_key;
  std::string secret_key;
  bool bypass_governance = false;
};

struct SigV4Request {
  std::string method;
  std::string path;                                 // decoded, starting with '/'
  std::multimap<std::string, std::string> query;    // decoded
  std::multimap<std::string, std::string> headers;  // lower-case names
  std::string body;
  // The body has not been read yet (it streams in after authentication): the signature is checked, the payload is
  // not; the payload hash must then be a hex SHA-256 or UNSIGNED-PAYLOAD, and AuthResult::expected_sha256 carries
  // the signed hash for the caller to compare once the body is in.
  bool body_deferred = false;
};

// RFC 3986 percent-encoding as SigV4 wants it (unreserved kept; '/' kept when !encode_slash).
std::string UriEncode(std::string_view text, bool encode_slash);

// Builds the canonical request for `signed_headers` (lower-case, ';'-separated) and `payload_hash`.
std::string CanonicalRequest(const SigV4Request& request, std::string_view signed_headers,
                             std::string_view payload_hash, bool presigned);

// Hex HMAC signature of `string_to_sign` with the key derived from secret, date (YYYYMMDD), region and "s3".
std::string SignString(std::string_view secret, std::string_view date, std::string_view region,
                       std::string_view string_to_sign);

struct AuthResult {
  Credentials user;
  std::string body;  // the payload, decoded from aws-chunked when it was sent that way
  // aws-chunked trailers (lower-case name, value), e.g. ("x-amz-checksum-crc32", "...").
  std::vector<std::pair<std::string, std::string>> trailers;
  // Lower-case hex SHA-256 of `body` when the signature covered it (a signed payload hash, now verified); empty
  // otherwise. Saves hashing a large body twice.
  std::string body_sha256;
  // With SigV4Request::body_deferred: the signed payload hash (lower-case hex), empty for UNSIGNED-PAYLOAD.
  std::string expected_sha256;
};

// Authenticates `request` (Authorization header or presigned query) against `users` at `now` with `max_skew`.
// On success returns the user and the (decoded) body.
Result<AuthResult> Authenticate(const SigV4Request& request, const std::vector<Credentials>& users, Timestamp now,
                                std::chrono::seconds max_skew = std::chrono::minutes(15));

// Client side (tests and the benchmark): adds x-amz-date, x-amz-content-sha256 and Authorization to `request`.
void SignRequest(SigV4Request& request, const Credentials& user, std::string_view region, Timestamp now,
                 bool unsigned_payload = false);

}  // namespace tutela::vault
