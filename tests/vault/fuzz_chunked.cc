// Fuzz target for the aws-chunked decoder (untrusted request bodies). Decoding the input in one piece and in two
// pieces split at any point gives the same outcome: both fail, or both succeed with the same bytes and trailers.
// The first input byte picks the split and whether chunk signatures are expected (they never match here, which
// exercises the refusal paths).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "tutela/vault/sigv4.h"

namespace {

struct Outcome {
  bool ok = false;
  std::string bytes;
  std::vector<std::pair<std::string, std::string>> trailers;
};

Outcome Decode(std::string_view text, size_t split, bool signed_chunks) {
  tutela::vault::ChunkedContext context;
  context.signed_chunks = signed_chunks;
  context.seed_signature = std::string(64, '0');
  context.amz_date = "20261130T000000Z";
  context.scope = "20261130/us-east-1/s3/aws4_request";
  tutela::vault::ChunkedDecoder decoder(context);
  Outcome outcome;
  auto out = [&](std::string_view piece) {
    outcome.bytes.append(piece);
    return tutela::Status::Ok();
  };
  if (!decoder.Feed(text.substr(0, split), out).ok() || !decoder.Feed(text.substr(split), out).ok() ||
      !decoder.Finish().ok()) {
    return outcome;
  }
  outcome.ok = true;
  outcome.trailers = decoder.trailers();
  return outcome;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  bool signed_chunks = (data[0] & 1) != 0;
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  size_t split = text.empty() ? 0 : (data[0] >> 1) % (text.size() + 1);
  Outcome whole = Decode(text, text.size(), signed_chunks);
  Outcome pieces = Decode(text, split, signed_chunks);
  if (whole.ok != pieces.ok) std::abort();
  if (whole.ok && (whole.bytes != pieces.bytes || whole.trailers != pieces.trailers)) std::abort();
  if (whole.ok && whole.bytes.size() > text.size()) std::abort();
  return 0;
}
