// Byte-level helpers for the engines that walk large buffers.
// Thread-safety: reentrant.
#pragma once

#include <cstddef>
#include <string_view>

namespace tutela {

// How many bytes of `text` equal `byte` (e.g. the newlines before an offset, for line numbers). Counts 16 bytes at a
// time with SSE2, several times faster than std::count, which g++ widens to 64-bit lanes.
size_t CountByte(std::string_view text, char byte);

}  // namespace tutela
