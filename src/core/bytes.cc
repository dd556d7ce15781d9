#include "tutela/core/bytes.h"

#include <emmintrin.h>

#include <algorithm>
#include <cstdint>

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

}  // namespace tutela
