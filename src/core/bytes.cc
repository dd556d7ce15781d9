#include "tutela/core/bytes.h"

#include <emmintrin.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>

#include "tutela/core/file_util.h"

namespace tutela {

size_t CountByte(std::string_view text, char byte) {
  const char* p = text.data();
  const char* end = p + text.size();
  size_t count = 0;
  const __m128i wanted = _mm_set1_epi8(byte);
  while (end - p >= 16) {
    // Up to 255 steps per 8-bit lane before the lanes are summed (psadbw against zero).
    const size_t steps = std::min<size_t>(static_cast<size_t>(end - p) / 16, 255);
    __m128i lanes = _mm_setzero_si128();
    for (size_t step = 0; step < steps; ++step, p += 16) {
      const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
      lanes = _mm_sub_epi8(lanes, _mm_cmpeq_epi8(bytes, wanted));  // a match is -1: subtracting it adds one
    }
    const __m128i sums = _mm_sad_epu8(lanes, _mm_setzero_si128());
    count += static_cast<size_t>(_mm_cvtsi128_si64(sums)) +
             static_cast<size_t>(_mm_cvtsi128_si64(_mm_unpackhi_epi64(sums, sums)));
  }
  for (; p < end; ++p) count += *p == byte ? 1 : 0;
  return count;
}

size_t FindLast(std::string_view text, std::string_view needle) {
  const size_t m = needle.size();
  if (m == 0) return text.size();
  if (m > text.size()) return std::string_view::npos;
  const size_t last = text.size() - m;  // the last position a match can start at
  const __m128i first_byte = _mm_set1_epi8(needle.front()), last_byte = _mm_set1_epi8(needle.back());
  size_t end = last + 1;  // positions [0, end) are left to check
  while (end >= 16) {
    const size_t from = end - 16;
    const char* at = text.data() + from;
    auto mask = static_cast<unsigned>(_mm_movemask_epi8(
        _mm_and_si128(_mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(at)), first_byte),
                      _mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(at + m - 1)), last_byte))));
    while (mask != 0) {
      const int bit = 31 - __builtin_clz(mask);  // the highest position first
      if (std::memcmp(at + bit, needle.data(), m) == 0) return from + static_cast<size_t>(bit);
      mask &= ~(1u << bit);
    }
    end = from;
  }
  for (size_t pos = end; pos-- > 0;) {
    if (std::memcmp(text.data() + pos, needle.data(), m) == 0) return pos;
  }
  return std::string_view::npos;
}

namespace {

// ReadAppend and ReadAppendAt: read() when `offset` is negative, pread() at it otherwise.
Result<size_t> Append(int fd, int64_t offset, ByteBuffer& bytes, size_t count, std::string_view name) {
  const size_t old = bytes.size();
  bytes.resize(old + count);
  ssize_t got = 0;
  do {
    got = offset < 0 ? ::read(fd, bytes.data() + old, count)
                     : ::pread(fd, bytes.data() + old, count, static_cast<off_t>(offset));
  } while (got < 0 && errno == EINTR);
  if (got < 0) {
    const int error = errno;
    bytes.resize(old);
    return ErrnoStatus(error, "read", std::string(name));
  }
  bytes.resize(old + static_cast<size_t>(got));
  return static_cast<size_t>(got);
}

}  // namespace

Result<size_t> ReadAppend(int fd, ByteBuffer& bytes, size_t count, std::string_view name) {
  return Append(fd, -1, bytes, count, name);
}

Result<size_t> ReadAppendAt(int fd, uint64_t offset, ByteBuffer& bytes, size_t count, std::string_view name) {
  return Append(fd, static_cast<int64_t>(offset), bytes, count, name);
}

}  // namespace tutela
