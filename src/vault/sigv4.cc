#include "tutela/vault/sigv4.h"

#include <algorithm>
#include <cstdio>
#include <set>

#include "tutela/core/crypto.h"

namespace tutela::vault {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr std::string_view kStreaming = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
constexpr std::string_view kStreamingUnsignedTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";
const std::string kEmptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

Status Err(std::string_view code, const std::string& message) {
  std::string text = std::string(code) + ": " + message;
  return code == "XAmzContentSHA256Mismatch" || code == "AuthorizationHeaderMalformed" || code == "InvalidArgument"
             ? Status::InvalidArgument(text)
             : Status::PermissionDenied(text);
}

std::string HexOf(const Digest256& digest) { return ToHex(digest); }

std::string Trim(std::string_view value) {
  std::string out;
  bool space = false;
  for (char c : value) {
    if (c == ' ' || c == '\t') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

std::string Header(const SigV4Request& request, const std::string& name) {
  auto found = request.headers.find(name);
  return found == request.headers.end() ? "" : found->second;
}

std::string Query(const SigV4Request& request, const std::string& name) {
  auto found = request.query.find(name);
  return found == request.query.end() ? "" : found->second;
}

// "20260101T000000Z" → Timestamp.
Result<Timestamp> ParseAmzDate(const std::string& text) {
  if (text.size() != 16 || text[8] != 'T' || text[15] != 'Z') {
    return Err("AccessDenied", "X-Amz-Date \"" + text + "\" is not in the form YYYYMMDDTHHMMSSZ.");
  }
  std::string rfc = text.substr(0, 4) + "-" + text.substr(4, 2) + "-" + text.substr(6, 2) + "T" + text.substr(9, 2) +
                    ":" + text.substr(11, 2) + ":" + text.substr(13, 2) + "Z";
  auto parsed = ParseRfc3339(rfc);
  if (!parsed.ok()) return Err("AccessDenied", "X-Amz-Date \"" + text + "\" is not a valid time.");
  return *parsed;
}

std::string AmzDate(Timestamp time) {
  std::string rfc = FormatRfc3339(time);  // 2026-01-01T00:00:00Z
  return rfc.substr(0, 4) + rfc.substr(5, 2) + rfc.substr(8, 2) + "T" + rfc.substr(11, 2) + rfc.substr(14, 2) +
         rfc.substr(17, 2) + "Z";
}

// Decodes a whole aws-chunked body (the request was read before it was authenticated).
Result<std::string> DecodeChunked(std::string_view body, ChunkedContext context,
                                  std::vector<std::pair<std::string, std::string>>* trailers) {
  std::string out;
  ChunkedDecoder decoder(std::move(context));
  TUTELA_RETURN_IF_ERROR(decoder.Feed(body, [&](std::string_view piece) {
    out.append(piece);
    return Status::Ok();
  }));
  TUTELA_RETURN_IF_ERROR(decoder.Finish());
  *trailers = decoder.trailers();
  return out;
}

}  // namespace

Digest256 SigningKey(std::string_view secret, std::string_view date, std::string_view region) {
  Digest256 key = HmacSha256("AWS4" + std::string(secret), date);
  key = HmacSha256(key, region);
  key = HmacSha256(key, "s3");
  return HmacSha256(key, "aws4_request");
}

ChunkedDecoder::ChunkedDecoder(ChunkedContext context)
    : context_(std::move(context)), previous_(context_.seed_signature) {}

Status ChunkedDecoder::Feed(std::string_view data, const std::function<Status(std::string_view)>& out) {
  constexpr size_t kMaxHeader = 4096, kMaxTrailers = 16384;
  while (!data.empty()) {
    switch (state_) {
      case State::kHeader: {
        size_t newline = data.find('\n');
        size_t take = newline == std::string_view::npos ? data.size() : newline + 1;
        line_.append(data.substr(0, take));
        data.remove_prefix(take);
        if (line_.size() > kMaxHeader) return Err("InvalidArgument", "an aws-chunked chunk header is too long.");
        if (newline != std::string_view::npos) TUTELA_RETURN_IF_ERROR(EndOfHeader());
        break;
      }
      case State::kData: {
        size_t take = static_cast<size_t>(std::min<uint64_t>(remaining_, data.size()));
        std::string_view piece = data.substr(0, take);
        if (context_.signed_chunks) hasher_.Update(piece);
        TUTELA_RETURN_IF_ERROR(out(piece));
        remaining_ -= take;
        data.remove_prefix(take);
        if (remaining_ == 0) state_ = State::kDataEnd;
        break;
      }
      case State::kDataEnd: {  // the CRLF after a chunk's data
        size_t take = std::min<size_t>(2 - line_.size(), data.size());
        line_.append(data.substr(0, take));
        data.remove_prefix(take);
        if (line_.size() < 2) break;
        if (line_ != "\r\n") return Err("InvalidArgument", "an aws-chunked chunk is not followed by CRLF.");
        line_.clear();
        TUTELA_RETURN_IF_ERROR(EndOfChunk());
        state_ = State::kHeader;
        break;
      }
      case State::kTrailers:
        line_.append(data);
        data = {};
        if (line_.size() > kMaxTrailers) return Err("InvalidArgument", "the aws-chunked trailers are too long.");
        break;
      case State::kDone:
        return Err("InvalidArgument", "data follows the end of the aws-chunked body.");
    }
  }
  return Status::Ok();
}

Status ChunkedDecoder::EndOfHeader() {
  std::string_view line = line_;
  if (line.size() < 2 || line.substr(line.size() - 2) != "\r\n") {
    return Err("InvalidArgument", "an aws-chunked chunk header is malformed.");
  }
  line.remove_suffix(2);
  size_t semicolon = line.find(';');
  std::string size_text(line.substr(0, semicolon));
  char* end = nullptr;
  unsigned long long size = std::strtoull(size_text.c_str(), &end, 16);
  if (size_text.empty() || size_text.size() > 16 ||
      size_text.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos || end == nullptr || *end != '\0') {
    return Err("InvalidArgument", "an aws-chunked chunk header is malformed.");
  }
  signature_.clear();
  if (context_.signed_chunks) {
    std::string_view ext = semicolon == std::string_view::npos ? "" : line.substr(semicolon + 1);
    constexpr std::string_view kPrefix = "chunk-signature=";
    if (!ext.starts_with(kPrefix)) return Err("SignatureDoesNotMatch", "a chunk carries no chunk-signature.");
    signature_ = ext.substr(kPrefix.size());
  }
  line_.clear();
  remaining_ = size;
  if (size == 0) {
    // The zero-length chunk: its signature covers no data; trailer lines (or the final CRLF) follow.
    TUTELA_RETURN_IF_ERROR(EndOfChunk());
    state_ = State::kTrailers;
  } else {
    state_ = State::kData;
  }
  return Status::Ok();
}

Status ChunkedDecoder::EndOfChunk() {
  Digest256 digest = hasher_.Finish();
  if (!context_.signed_chunks) return Status::Ok();
  std::string to_sign = "AWS4-HMAC-SHA256-PAYLOAD\n" + context_.amz_date + "\n" + context_.scope + "\n" + previous_ +
                        "\n" + kEmptySha256 + "\n" + HexOf(digest);
  std::string expected = HexOf(HmacSha256(context_.key, to_sign));
  if (!ConstantTimeEqual(expected, signature_)) {
    return Err("SignatureDoesNotMatch", "the signature of an aws-chunked chunk does not match.");
  }
  previous_ = std::move(expected);
  return Status::Ok();
}

void ChunkedDecoder::ParseTrailers() {
  // "name:value" lines; they are not part of the object.
  std::string_view rest = line_;
  while (!rest.empty()) {
    size_t end = rest.find("\r\n");
    std::string_view trailer = rest.substr(0, end);
    rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 2);
    size_t colon = trailer.find(':');
    if (colon == std::string_view::npos) continue;
    std::string name(trailer.substr(0, colon));
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    std::string_view value = trailer.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\r')) value.remove_suffix(1);
    trailers_.emplace_back(std::move(name), std::string(value));
  }
}

Status ChunkedDecoder::Finish() {
  // The body ends with the final chunk, its trailer lines if any, and an empty line.
  if (state_ != State::kTrailers || !std::string_view(line_).ends_with("\r\n")) {
    return Err("InvalidArgument", "the aws-chunked body is truncated.");
  }
  ParseTrailers();
  line_.clear();
  state_ = State::kDone;
  return Status::Ok();
}

std::string UriEncode(std::string_view text, bool encode_slash) {
  std::string out;
  for (unsigned char c : text) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '~' || (c == '/' && !encode_slash)) {
      out.push_back(static_cast<char>(c));
    } else {
      char buffer[4];
      std::snprintf(buffer, sizeof buffer, "%%%02X", c);
      out += buffer;
    }
  }
  return out;
}

std::string CanonicalRequest(const SigV4Request& request, std::string_view signed_headers,
                             std::string_view payload_hash, bool presigned) {
  std::vector<std::pair<std::string, std::string>> params;
  for (const auto& [name, value] : request.query) {
    if (presigned && name == "X-Amz-Signature") continue;
    params.emplace_back(UriEncode(name, true), UriEncode(value, true));
  }
  std::sort(params.begin(), params.end());
  std::string query;
  for (const auto& [name, value] : params) {
    if (!query.empty()) query += '&';
    query += name + "=" + value;
  }
  std::string headers;
  size_t start = 0;
  while (start <= signed_headers.size()) {
    size_t end = signed_headers.find(';', start);
    if (end == std::string_view::npos) end = signed_headers.size();
    std::string name(signed_headers.substr(start, end - start));
    std::string value;
    auto range = request.headers.equal_range(name);
    for (auto it = range.first; it != range.second; ++it) value += (value.empty() ? "" : ",") + Trim(it->second);
    headers += name + ":" + value + "\n";
    start = end + 1;
  }
  return request.method + "\n" + UriEncode(request.path, false) + "\n" + query + "\n" + headers + "\n" +
         std::string(signed_headers) + "\n" + std::string(payload_hash);
}

std::string SignString(std::string_view secret, std::string_view date, std::string_view region,
                       std::string_view string_to_sign) {
  return HexOf(HmacSha256(SigningKey(secret, date, region), string_to_sign));
}

Result<AuthResult> Authenticate(const SigV4Request& request, const std::vector<Credentials>& users, Timestamp now,
                                std::chrono::seconds max_skew) {
  bool presigned = request.query.contains("X-Amz-Signature");
  std::string credential, signed_headers, signature, amz_date;
  if (presigned) {
    if (Query(request, "X-Amz-Algorithm") != kAlgorithm) {
      return Err("AccessDenied", "only AWS4-HMAC-SHA256 presigned URLs are accepted.");
    }
    credential = Query(request, "X-Amz-Credential");
    signed_headers = Query(request, "X-Amz-SignedHeaders");
    signature = Query(request, "X-Amz-Signature");
    amz_date = Query(request, "X-Amz-Date");
  } else {
    std::string authorization = Header(request, "authorization");
    if (authorization.empty()) return Err("AccessDenied", "the request is not signed; sign it with AWS SigV4.");
    if (!authorization.starts_with(kAlgorithm)) {
      return Err("AccessDenied", "only AWS4-HMAC-SHA256 signatures are accepted.");
    }
    auto field = [&](std::string_view name) {
      size_t at = authorization.find(name);
      if (at == std::string::npos) return std::string();
      at += name.size();
      size_t end = authorization.find_first_of(", ", at);
      return authorization.substr(at, end == std::string::npos ? std::string::npos : end - at);
    };
    credential = field("Credential=");
    signed_headers = field("SignedHeaders=");
    signature = field("Signature=");
    amz_date = Header(request, "x-amz-date");
  }
  // Credential = AK/date/region/s3/aws4_request
  std::vector<std::string> parts;
  for (size_t start = 0;;) {
    size_t slash = credential.find('/', start);
    parts.push_back(credential.substr(start, slash == std::string::npos ? std::string::npos : slash - start));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  if (parts.size() != 5 || parts[3] != "s3" || parts[4] != "aws4_request" || signature.empty() ||
      signed_headers.empty()) {
    return Err("AuthorizationHeaderMalformed", "the credential scope or signature is malformed.");
  }
  auto user = std::find_if(users.begin(), users.end(), [&](const Credentials& c) { return c.access_key == parts[0]; });
  if (user == users.end()) {
    return Err("InvalidAccessKeyId", "the access key id you provided does not exist in our records.");
  }
  TUTELA_ASSIGN_OR_RETURN(Timestamp signed_at, ParseAmzDate(amz_date));
  if (presigned) {
    long long expires = std::atoll(Query(request, "X-Amz-Expires").c_str());
    if (expires <= 0 || expires > 604800) return Err("AuthorizationQueryParametersError", "X-Amz-Expires is invalid.");
    if (now > signed_at + std::chrono::seconds(expires)) return Err("AccessDenied", "the presigned URL has expired.");
    if (signed_at - now > max_skew) return Err("RequestTimeTooSkewed", "the presigned URL is dated in the future.");
  } else if (signed_at - now > max_skew || now - signed_at > max_skew) {
    return Err("RequestTimeTooSkewed", "the difference between the request time and the server's time is too large.");
  }
  std::string payload_hash = presigned ? "UNSIGNED-PAYLOAD" : Header(request, "x-amz-content-sha256");
  if (payload_hash.empty()) payload_hash = HexOf(Sha256(request.body));
  std::string scope = parts[1] + "/" + parts[2] + "/s3/aws4_request";
  std::string canonical = CanonicalRequest(request, signed_headers, payload_hash, presigned);
  std::string to_sign = std::string(kAlgorithm) + "\n" + amz_date + "\n" + scope + "\n" + HexOf(Sha256(canonical));
  Digest256 key = SigningKey(user->secret_key, parts[1], parts[2]);
  std::string expected = HexOf(HmacSha256(key, to_sign));
  if (!ConstantTimeEqual(expected, signature)) {
    return Err("SignatureDoesNotMatch",
               "the request signature we calculated does not match the signature you provided; check your key and "
               "signing method.");
  }
  AuthResult result{*user, "", {}, "", "", std::nullopt};
  std::optional<ChunkedContext> chunked;
  if (payload_hash == kStreaming || payload_hash == kStreamingUnsignedTrailer) {
    chunked =
        ChunkedContext{payload_hash == kStreaming, payload_hash == kStreaming ? signature : "", key, amz_date, scope};
  }
  if (request.body_deferred) {
    bool hex = payload_hash.size() == 64 && payload_hash.find_first_not_of("0123456789abcdef") == std::string::npos;
    if (payload_hash != "UNSIGNED-PAYLOAD" && !hex && !chunked) {
      return Err("InvalidArgument",
                 "a streamed body needs x-amz-content-sha256 of a SHA-256, UNSIGNED-PAYLOAD or aws-chunked.");
    }
    if (hex) result.expected_sha256 = payload_hash;
    result.chunked = std::move(chunked);
    return result;
  }
  if (payload_hash == kStreaming || payload_hash == kStreamingUnsignedTrailer) {
    TUTELA_ASSIGN_OR_RETURN(result.body, DecodeChunked(request.body, *chunked, &result.trailers));
  } else if (payload_hash == "UNSIGNED-PAYLOAD") {
    result.body = request.body;
  } else {
    std::string body_sha256 = HexOf(Sha256(request.body));
    if (!ConstantTimeEqual(body_sha256, payload_hash)) {
      return Err("XAmzContentSHA256Mismatch", "the x-amz-content-sha256 you specified did not match what we received.");
    }
    result.body = request.body;
    result.body_sha256 = std::move(body_sha256);
  }
  return result;
}

void SignRequest(SigV4Request& request, const Credentials& user, std::string_view region, Timestamp now,
                 bool unsigned_payload) {
  std::string amz_date = AmzDate(now);
  std::string date = amz_date.substr(0, 8);
  std::string payload_hash = unsigned_payload ? "UNSIGNED-PAYLOAD" : HexOf(Sha256(request.body));
  request.headers.erase("authorization");
  request.headers.erase("x-amz-date");
  request.headers.erase("x-amz-content-sha256");
  request.headers.emplace("x-amz-date", amz_date);
  request.headers.emplace("x-amz-content-sha256", payload_hash);
  std::set<std::string> names;
  for (const auto& [name, value] : request.headers) names.insert(name);
  std::string signed_headers;
  for (const std::string& name : names) signed_headers += (signed_headers.empty() ? "" : ";") + name;
  std::string scope = date + "/" + std::string(region) + "/s3/aws4_request";
  std::string canonical = CanonicalRequest(request, signed_headers, payload_hash, false);
  std::string to_sign = std::string(kAlgorithm) + "\n" + amz_date + "\n" + scope + "\n" + HexOf(Sha256(canonical));
  std::string signature = SignString(user.secret_key, date, region, to_sign);
  request.headers.emplace("authorization", std::string(kAlgorithm) + " Credential=" + user.access_key + "/" + scope +
                                               ", SignedHeaders=" + signed_headers + ", Signature=" + signature);
}

}  // namespace tutela::vault
