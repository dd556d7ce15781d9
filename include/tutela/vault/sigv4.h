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
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tutela/core/crypto.h"
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
  // not; the payload hash must then be a hex SHA-256, UNSIGNED-PAYLOAD or an aws-chunked one. AuthResult's
  // expected_sha256 carries a signed hash for the caller to compare once the body is in, and `chunked` what an
  // aws-chunked body needs to be decoded and verified (ChunkedDecoder).
  bool body_deferred = false;
};

// RFC 3986 percent-encoding as SigV4 wants it (unreserved kept; '/' kept when !encode_slash).
std::string UriEncode(std::string_view text, bool encode_slash);

// Builds the canonical request for `signed_headers` (lower-case, ';'-separated) and `payload_hash`.
std::string CanonicalRequest(const SigV4Request& request, std::string_view signed_headers,
                             std::string_view payload_hash, bool presigned);

// The SigV4 signing key for S3: HMAC chain of "AWS4"+secret over date (YYYYMMDD), region, "s3", "aws4_request".
Digest256 SigningKey(std::string_view secret, std::string_view date, std::string_view region);

// Hex HMAC signature of `string_to_sign` with the key derived from secret, date (YYYYMMDD), region and "s3".
std::string SignString(std::string_view secret, std::string_view date, std::string_view region,
                       std::string_view string_to_sign);

// With SigV4Request::body_deferred and an aws-chunked payload, what decoding and verifying the chunks needs.
struct ChunkedContext {
  bool signed_chunks = false;  // STREAMING-AWS4-HMAC-SHA256-PAYLOAD: each chunk's signature chains from the last
  std::string seed_signature;  // the request's own signature, which the first chunk's chains from
  Digest256 key{};
  std::string amz_date;
  std::string scope;
};

// Decodes an aws-chunked body as it arrives ("SIZE;chunk-signature=SIG\r\nDATA\r\n" ... "0;...\r\n" then
// trailer lines), verifying each signed chunk when it is complete. Decoded bytes go to `out` as they arrive, before
// their chunk's signature is checked: the caller must discard them unless every Feed and Finish() succeeded.
// Header and trailer lines are limited to 4 KiB and 16 KiB. Errors carry S3 codes as above.
class ChunkedDecoder {
 public:
  explicit ChunkedDecoder(ChunkedContext context);
  Status Feed(std::string_view data, const std::function<Status(std::string_view)>& out);
  // The final zero-length chunk and its trailers have arrived (the body must end there).
  Status Finish();
  // Trailers (lower-case name, value), e.g. ("x-amz-checksum-crc32", "..."), once Finish() succeeded.
  const std::vector<std::pair<std::string, std::string>>& trailers() const { return trailers_; }

 private:
  enum class State { kHeader, kData, kDataEnd, kTrailers, kDone };
  Status EndOfHeader();
  Status EndOfChunk();
  void ParseTrailers();

  ChunkedContext context_;
  State state_ = State::kHeader;
  std::string line_;        // the header line (or the trailers) being read
  uint64_t remaining_ = 0;  // bytes of the current chunk still to come
  std::string signature_;   // the current chunk's signature
  std::string previous_;    // the signature the current chunk chains from
  Sha256Hasher hasher_;     // SHA-256 of the current chunk's data
  std::vector<std::pair<std::string, std::string>> trailers_;
};

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
  // With SigV4Request::body_deferred and an aws-chunked payload: decode the body with a ChunkedDecoder on this.
  std::optional<ChunkedContext> chunked;
};

// Authenticates `request` (Authorization header or presigned query) against `users` at `now` with `max_skew`.
// On success returns the user and the (decoded) body.
Result<AuthResult> Authenticate(const SigV4Request& request, const std::vector<Credentials>& users, Timestamp now,
                                std::chrono::seconds max_skew = std::chrono::minutes(15));

// Client side (tests and the benchmark): adds x-amz-date, x-amz-content-sha256 and Authorization to `request`.
void SignRequest(SigV4Request& request, const Credentials& user, std::string_view region, Timestamp now,
                 bool unsigned_payload = false);

}  // namespace tutela::vault
