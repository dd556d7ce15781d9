// Fuzz target for the engine's first pass (src/pii/gate.cc): for any input, scanning with the first pass finds the
// same findings (entity, span, score, line) as scanning every byte with every pattern, at the lowest threshold and
// at the default one, as one buffer. A difference aborts, with both lists printed.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "fuzz_rules.h"

namespace {

std::string Scan(std::string_view text, bool first_pass, double min_score) {
  tutela::pii::ScanOptions options;
  options.first_pass = first_pass;
  options.min_score = min_score;
  auto scanner = tutela::pii::Scanner::Create(tutela::pii::fuzzing::BuiltinRules(), options);
  if (!scanner.ok()) std::abort();
  tutela::pii::fuzzing::DescribeSink sink;
  if (!(*scanner)->ScanBuffer(text, "fuzz", sink).ok()) std::abort();
  return sink.out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (double min_score : {0.0, 0.5}) {
    std::string gated = Scan(text, true, min_score), full = Scan(text, false, min_score);
    if (gated != full) {
      std::fprintf(stderr, "first pass: %s\nfull scan:  %s\n", gated.c_str(), full.c_str());
      std::abort();
    }
  }
  return 0;
}
