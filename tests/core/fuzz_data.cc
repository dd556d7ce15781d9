// Fuzz target: the JSON and YAML adapters turn any input into a value or a one-line error — never a crash or an
// escaped exception. Input starting with '{' or '[' goes to JSON, everything else to YAML; both see it too.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "tutela/core/data.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto json = tutela::ParseJson(text, "fuzz.json");
  if (!json.ok() && json.status().message().find('\n') != std::string_view::npos) std::abort();
  auto yaml = tutela::ParseYaml(text, "fuzz.yaml");
  if (!yaml.ok() && yaml.status().message().rfind("fuzz.yaml", 0) != 0) std::abort();
  return 0;
}
