// Byte-level helpers for the engines that walk large buffers.
// Thread-safety: reentrant.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "tutela/core/status.h"

namespace tutela {

// How many bytes of `text` equal `byte` (e.g. the newlines before an offset, for line numbers). Counts 16 bytes at a
// time with SSE2, several times faster than std::count, which g++ widens to 64-bit lanes.
size_t CountByte(std::string_view text, char byte);

// The offset of the last occurrence of `needle` in `text`, or std::string_view::npos. Compares 16 positions at a
// time with the needle's first and last bytes (SSE2) and checks only the positions where both match, so it is fast
// where those two bytes rarely stand at that distance (e.g. "-----BEGIN " in logs full of dates).
size_t FindLast(std::string_view text, std::string_view needle);

// An allocator whose elements start uninitialised (default-initialised) instead of zeroed, for buffers that read()
// fills: std::string and std::vector<char> zero every byte on resize(), only to have it overwritten.
template <typename T>
struct UninitializedAllocator : std::allocator<T> {
  template <typename U>
  struct rebind {
    using other = UninitializedAllocator<U>;
  };
  UninitializedAllocator() = default;
  template <typename U>
  UninitializedAllocator(const UninitializedAllocator<U>&) noexcept {}  // implicit, as std::allocator's
  template <typename U>
  void construct(U* at) noexcept {
    ::new (static_cast<void*>(at)) U;
  }
  template <typename U, typename... Args>
  void construct(U* at, Args&&... args) {
    ::new (static_cast<void*>(at)) U(std::forward<Args>(args)...);
  }
};

// Bytes read from a file or stream; resize() before read() costs nothing per byte.
using ByteBuffer = std::vector<char, UninitializedAllocator<char>>;

inline std::string_view View(const ByteBuffer& bytes) { return {bytes.data(), bytes.size()}; }

// Reads up to `count` bytes from `fd` onto the end of `bytes` (one read(), retried when a signal interrupts it) and
// returns how many arrived: 0 at the end of the input. On an error `bytes` is as it was and the error names `name`.
Result<size_t> ReadAppend(int fd, ByteBuffer& bytes, size_t count, std::string_view name);
// The same with one pread() at file offset `offset` (the descriptor's position is left as it is, so threads may
// share it).
Result<size_t> ReadAppendAt(int fd, uint64_t offset, ByteBuffer& bytes, size_t count, std::string_view name);

}  // namespace tutela
