// Fuzz target: ParseRfc3339 never crashes, and whatever it accepts formats and re-parses to the same instant.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "tutela/core/time.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = tutela::ParseRfc3339(text);
  if (parsed.ok()) {
    auto again = tutela::ParseRfc3339(tutela::FormatRfc3339(*parsed, tutela::TimePrecision::kMicroseconds));
    if (!again.ok() || *again != *parsed) std::abort();
  }
  (void)tutela::ParseDate(text);
  return 0;
}
