// Fuzz target: GlobMatch terminates quickly on any pattern and path (input: pattern, NUL, path).
#include <cstdint>
#include <string_view>

#include "tutela/core/file_walker.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t split = input.find('\0');
  std::string_view pattern = input.substr(0, split);
  std::string_view path = split == std::string_view::npos ? std::string_view() : input.substr(split + 1);
  (void)tutela::GlobMatch(pattern, path);
  return 0;
}
