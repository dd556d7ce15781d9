// Shared by the engine's fuzz targets: the built-in PII catalog compiled once, and a sink that writes each finding
// as "ENTITY@start-end:score:line:location " for comparing two scans.
#pragma once

#include <cstdlib>
#include <memory>
#include <string>

#include "tutela/pii/catalog.h"
#include "tutela/pii/engine.h"

namespace tutela::pii::fuzzing {

inline const std::shared_ptr<const Ruleset>& BuiltinRules() {
  static std::shared_ptr<const Ruleset> rules = [] {
    auto catalog = LoadCatalog(TUTELA_SOURCE_DIR "/catalog/pii");
    if (!catalog.ok()) std::abort();
    auto compiled = Ruleset::Compile(*catalog);
    if (!compiled.ok()) std::abort();
    return *compiled;
  }();
  return rules;
}

class DescribeSink : public Sink {
 public:
  void OnFinding(const Finding& finding) override {
    out += finding.entity->id + "@" + std::to_string(finding.start) + "-" + std::to_string(finding.end) + ":" +
           std::to_string(finding.score) + ":" + std::to_string(finding.line + lines_before) + ":" +
           std::string(finding.location) + " ";
  }
  std::string out;
  uint64_t lines_before = 0;  // added to each finding's line (the line ends of the parts before)
};

}  // namespace tutela::pii::fuzzing
