// Fuzz target for the engine's first pass (src/pii/gate.cc): for any input, scanning with the first pass finds the
// same findings (entity, span, score, line) as scanning every byte with every pattern, at the lowest threshold and
// at the default one, as one buffer. A difference aborts, with both lists printed.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "tutela/pii/catalog.h"
#include "tutela/pii/engine.h"

namespace {

class Collect : public tutela::pii::Sink {
 public:
  void OnFinding(const tutela::pii::Finding& finding) override {
    out += finding.entity->id + "@" + std::to_string(finding.start) + "-" + std::to_string(finding.end) + ":" +
           std::to_string(finding.score) + ":" + std::to_string(finding.line) + " ";
  }
  std::string out;
};

const std::shared_ptr<const tutela::pii::Ruleset>& Rules() {
  static std::shared_ptr<const tutela::pii::Ruleset> rules = [] {
    auto catalog = tutela::pii::LoadCatalog(TUTELA_SOURCE_DIR "/catalog/pii");
    if (!catalog.ok()) std::abort();
    auto compiled = tutela::pii::Ruleset::Compile(*catalog);
    if (!compiled.ok()) std::abort();
    return *compiled;
  }();
  return rules;
}

std::string Scan(std::string_view text, bool first_pass, double min_score) {
  tutela::pii::ScanOptions options;
  options.first_pass = first_pass;
  options.min_score = min_score;
  auto scanner = tutela::pii::Scanner::Create(Rules(), options);
  if (!scanner.ok()) std::abort();
  Collect sink;
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
