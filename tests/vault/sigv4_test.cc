// SigV4: the examples of AWS's S3 SigV4 documentation (GET with an Authorization header, a presigned GET), a
// client→server round trip, and every refusal code.
#include "tutela/vault/sigv4.h"

#include <gtest/gtest.h>

#include "tutela/core/crypto.h"
#include "tutela/vault/checksum.h"
#include "tutela/vault/store.h"

namespace tutela::vault {
namespace {

const Credentials kExampleUser{"example", "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", false};
const std::string kEmptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

Timestamp At(const char* text) { return *ParseRfc3339(text); }

std::string CodeOf(const Status& status) { return S3ErrorOf(status).code; }

TEST(SigV4Test, AwsDocumentationGetObjectExample) {
  SigV4Request request;
  request.method = "GET";
  request.path = "/test.txt";
  request.headers = {{"host", "examplebucket.s3.amazonaws.com"},
                     {"range", "bytes=0-9"},
                     {"x-amz-content-sha256", kEmptyHash},
                     {"x-amz-date", "20130524T000000Z"},
                     {"authorization",
                      "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
                      "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
                      "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"}};
  auto result = Authenticate(request, {kExampleUser}, At("2013-05-24T00:05:00Z"));
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->user.user, "example");

  EXPECT_EQ(CodeOf(Authenticate(request, {kExampleUser}, At("2013-05-24T00:20:00Z")).status()), "RequestTimeTooSkewed");
  Credentials wrong = kExampleUser;
  wrong.secret_key = "not-it";
  EXPECT_EQ(CodeOf(Authenticate(request, {wrong}, At("2013-05-24T00:00:00Z")).status()), "SignatureDoesNotMatch");
  EXPECT_EQ(CodeOf(Authenticate(request, {}, At("2013-05-24T00:00:00Z")).status()), "InvalidAccessKeyId");
  request.headers.find("range")->second = "bytes=0-10";  // a signed header changed in transit
  EXPECT_EQ(CodeOf(Authenticate(request, {kExampleUser}, At("2013-05-24T00:00:00Z")).status()),
            "SignatureDoesNotMatch");
}

TEST(SigV4Test, AwsDocumentationPresignedExample) {
  SigV4Request request;
  request.method = "GET";
  request.path = "/test.txt";
  request.headers = {{"host", "examplebucket.s3.amazonaws.com"}};
  request.query = {{"X-Amz-Algorithm", "AWS4-HMAC-SHA256"},
                   {"X-Amz-Credential", "AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request"},
                   {"X-Amz-Date", "20130524T000000Z"},
                   {"X-Amz-Expires", "86400"},
                   {"X-Amz-SignedHeaders", "host"},
                   {"X-Amz-Signature", "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"}};
  auto result = Authenticate(request, {kExampleUser}, At("2013-05-24T12:00:00Z"));
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(CodeOf(Authenticate(request, {kExampleUser}, At("2013-05-25T00:00:01Z")).status()), "AccessDenied");
}

TEST(SigV4Test, SignedRequestRoundTripAndPayloadHash) {
  Credentials user{"alice", "AKALICE", "alice-secret", false};
  SigV4Request request;
  request.method = "PUT";
  request.path = "/bucket/a key/with+odd=chars";
  request.query = {{"versionId", "x y"}};
  request.headers = {{"host", "127.0.0.1:9000"}, {"content-type", "text/plain"}};
  request.body = "payload";
  Timestamp now = At("2026-11-22T07:00:00Z");
  SignRequest(request, user, "us-east-1", now);
  auto result = Authenticate(request, {user}, now);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->body, "payload");
  request.body = "tampered";
  EXPECT_EQ(CodeOf(Authenticate(request, {user}, now).status()), "XAmzContentSHA256Mismatch");

  SigV4Request unsigned_request;
  unsigned_request.method = "GET";
  unsigned_request.path = "/";
  EXPECT_EQ(CodeOf(Authenticate(unsigned_request, {user}, now).status()), "AccessDenied");
}

// aws-chunked with a trailing checksum (what current AWS CLIs send): the trailer is handed back for verification.
TEST(SigV4Test, UnsignedPayloadTrailerYieldsTheChecksumTrailer) {
  Credentials user{"alice", "AKALICE", "alice-secret", false};
  const std::string kMode = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";
  SigV4Request request;
  request.method = "PUT";
  request.path = "/bucket/key";
  request.headers = {{"host", "127.0.0.1:9000"},
                     {"x-amz-date", "20261122T070000Z"},
                     {"x-amz-content-sha256", kMode},
                     {"x-amz-trailer", "x-amz-checksum-crc32"}};
  std::string crc = Base64Encode(ComputeChecksum("CRC32", "hello"));
  request.body = "5\r\nhello\r\n0\r\nx-amz-checksum-crc32:" + crc + "\r\n\r\n";
  std::string signed_headers = "host;x-amz-content-sha256;x-amz-date;x-amz-trailer";
  std::string canonical = CanonicalRequest(request, signed_headers, kMode, false);
  std::string to_sign =
      "AWS4-HMAC-SHA256\n20261122T070000Z\n20261122/us-east-1/s3/aws4_request\n" + ToHex(Sha256(canonical));
  std::string signature = SignString(user.secret_key, "20261122", "us-east-1", to_sign);
  request.headers.emplace("authorization",
                          "AWS4-HMAC-SHA256 Credential=AKALICE/20261122/us-east-1/s3/aws4_request, SignedHeaders=" +
                              signed_headers + ", Signature=" + signature);
  auto result = Authenticate(request, {user}, At("2026-11-22T07:00:00Z"));
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->body, "hello");
  ASSERT_EQ(result->trailers.size(), 1u);
  EXPECT_EQ(result->trailers[0].first, "x-amz-checksum-crc32");
  EXPECT_EQ(result->trailers[0].second, crc);
  EXPECT_TRUE(VerifyChecksums({{"CRC32", result->trailers[0].second}}, result->body).ok());
  EXPECT_TRUE(result->body_sha256.empty());  // the payload was not signed
}

// AWS's published example of a signed streaming upload ("Transferring payload in multiple chunks"): 66,560 bytes of
// 'a' in a 64 KiB chunk, a 1 KiB chunk and the final empty one, with the documented seed and chunk signatures. The
// decoder is fed in pieces of every awkward size, as the network delivers them.
std::string ExampleChunkedBody(bool corrupt) {
  std::string body;
  for (auto [size, signature] :
       {std::pair<size_t, const char*>{65536, "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648"},
        {1024, "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497"},
        {0, "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9"}}) {
    char header[32];
    std::snprintf(header, sizeof header, "%zx", size);
    body += std::string(header) + ";chunk-signature=" + signature + "\r\n";
    std::string data(size, 'a');
    if (corrupt && size == 1024) data[10] = 'b';
    body += data + "\r\n";
  }
  return body;
}

ChunkedContext ExampleChunkedContext() {
  ChunkedContext context;
  context.signed_chunks = true;
  context.seed_signature = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";
  context.key = SigningKey("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "20130524", "us-east-1");
  context.amz_date = "20130524T000000Z";
  context.scope = "20130524/us-east-1/s3/aws4_request";
  return context;
}

TEST(SigV4Test, StreamedChunkedBodyMatchesAwsPublishedSignatures) {
  const std::string body = ExampleChunkedBody(false);
  for (size_t piece : {size_t{1}, size_t{7}, size_t{4096}, size_t{70000}, body.size()}) {
    ChunkedDecoder decoder(ExampleChunkedContext());
    std::string decoded;
    for (size_t at = 0; at < body.size(); at += piece) {
      Status fed = decoder.Feed(std::string_view(body).substr(at, piece), [&](std::string_view data) {
        decoded.append(data);
        return Status::Ok();
      });
      ASSERT_TRUE(fed.ok()) << "piece " << piece << ": " << fed.ToString();
    }
    ASSERT_TRUE(decoder.Finish().ok()) << piece;
    EXPECT_EQ(decoded, std::string(66560, 'a')) << piece;
  }
}

TEST(SigV4Test, StreamedChunkedBodyRefusesAChangedByteATruncationAndMissingSignatures) {
  auto run = [](const std::string& body, ChunkedContext context) {
    ChunkedDecoder decoder(std::move(context));
    Status fed = decoder.Feed(body, [](std::string_view) { return Status::Ok(); });
    return fed.ok() ? decoder.Finish() : fed;
  };
  EXPECT_EQ(CodeOf(run(ExampleChunkedBody(true), ExampleChunkedContext())), "SignatureDoesNotMatch");
  std::string body = ExampleChunkedBody(false);
  EXPECT_EQ(CodeOf(run(body.substr(0, 60000), ExampleChunkedContext())), "InvalidArgument");  // truncated
  EXPECT_EQ(CodeOf(run(body.substr(0, body.size() - 2), ExampleChunkedContext())), "InvalidArgument");
  ChunkedContext other_seed = ExampleChunkedContext();
  other_seed.seed_signature[0] = '5';
  EXPECT_EQ(CodeOf(run(body, other_seed)), "SignatureDoesNotMatch");
  std::string unsigned_header = body;
  unsigned_header.replace(0, unsigned_header.find("\r\n"), "10000");
  EXPECT_EQ(CodeOf(run(unsigned_header, ExampleChunkedContext())), "SignatureDoesNotMatch");
  EXPECT_EQ(CodeOf(run("zz;chunk-signature=x\r\n", ExampleChunkedContext())), "InvalidArgument");
  EXPECT_EQ(CodeOf(run("-1;chunk-signature=x\r\n", ExampleChunkedContext())), "InvalidArgument");
  EXPECT_EQ(CodeOf(run("0x10;chunk-signature=x\r\n", ExampleChunkedContext())), "InvalidArgument");
  EXPECT_EQ(CodeOf(run(std::string(5000, '1'), ExampleChunkedContext())), "InvalidArgument");  // endless header
  // The same chunks without signatures decode when the payload is declared unsigned.
  ChunkedContext unsigned_context;
  std::string plain = "5\r\nhello\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n";
  ChunkedDecoder decoder(unsigned_context);
  std::string decoded;
  ASSERT_TRUE(decoder
                  .Feed(plain,
                        [&](std::string_view data) {
                          decoded.append(data);
                          return Status::Ok();
                        })
                  .ok());
  ASSERT_TRUE(decoder.Finish().ok());
  EXPECT_EQ(decoded, "hello");
  ASSERT_EQ(decoder.trailers().size(), 1u);
  EXPECT_EQ(decoder.trailers()[0].second, "AAAAAA==");
}

// A body that streams in after authentication: the signature is checked now, the payload hash handed back.
TEST(SigV4Test, DeferredBodyHandsBackTheSignedPayloadHash) {
  Credentials user{"alice", "AKALICE", "alice-secret", false};
  SigV4Request request;
  request.method = "PUT";
  request.path = "/bucket/key";
  request.headers = {{"host", "127.0.0.1:9000"}};
  request.body = "streamed later";
  Timestamp now = At("2026-11-22T07:00:00Z");
  SignRequest(request, user, "us-east-1", now);
  request.body.clear();
  request.body_deferred = true;
  auto result = Authenticate(request, {user}, now);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->expected_sha256, ToHex(Sha256("streamed later")));
  SignRequest(request, user, "us-east-1", now, /*unsigned_payload=*/true);
  result = Authenticate(request, {user}, now);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_TRUE(result->expected_sha256.empty());
  request.headers.find("authorization")->second += "0";  // still refused when the signature is wrong
  EXPECT_EQ(CodeOf(Authenticate(request, {user}, now).status()), "SignatureDoesNotMatch");
}

}  // namespace
}  // namespace tutela::vault
