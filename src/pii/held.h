// Internal to the pii module: a finding held past its Sink call (the Finding's views point into the scanner's
// buffer, which the next chunk overwrites), for the code that must reorder or annotate findings before handing them
// on: a large file scanned in parts (engine.cc) and the JSON key paths placed after the scan (extract_json.cc).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tutela/pii/engine.h"

namespace tutela::pii {

struct HeldFinding {
  const Entity* entity = nullptr;
  std::string location, value;
  uint64_t start = 0, end = 0, line = 0;
  double score = 0;
};

inline HeldFinding Hold(const Finding& finding) {
  return {finding.entity,
          std::string(finding.location),
          std::string(finding.value),
          finding.start,
          finding.end,
          finding.line,
          finding.score};
}

// Hands `held` to `sink` as a finding of `path`, `lines_before` added to its line (modulo 2^64).
inline void HandOver(const HeldFinding& held, std::string_view path, uint64_t lines_before, Sink& sink) {
  Finding finding;
  finding.entity = held.entity;
  finding.path = path;
  finding.location = held.location;
  finding.start = held.start;
  finding.end = held.end;
  finding.line = held.line + lines_before;
  finding.score = held.score;
  finding.value = held.value;
  sink.OnFinding(finding);
}

}  // namespace tutela::pii
