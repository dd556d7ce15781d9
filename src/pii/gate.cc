// The first pass of the PII engine (see gate.h).
#include "gate.h"

#include <immintrin.h>

#include <algorithm>
#include <cstring>

namespace tutela::pii::gate {
namespace {

// The byte classes of one 64-byte block, bit i for byte i.
struct Masks {
  uint64_t digit = 0, upper = 0, lower = 0, underscore = 0, hex_letter = 0;
  uint64_t at = 0, plus = 0, dash = 0, dot = 0, colon = 0, space = 0, newline = 0;
};

// Bits set in x: one POPCNT instruction in the AVX2 and AVX-512 versions of Find(), which are compiled for it
// (every CPU with AVX2 has it); a call into libgcc in the SSE2 version (POPCNT is not in the x86-64 baseline).
inline int Count(uint64_t x) { return __builtin_popcountll(x); }

#define TUTELA_AVX2 __attribute__((target("avx2"), always_inline)) inline
TUTELA_AVX2 uint64_t RangeAvx2(__m256i bytes, char below, char span) {  // bytes in [below, below + span]
  __m256i x = _mm256_sub_epi8(bytes, _mm256_set1_epi8(below));
  __m256i in = _mm256_cmpeq_epi8(_mm256_min_epu8(x, _mm256_set1_epi8(span)), x);
  return static_cast<uint32_t>(_mm256_movemask_epi8(in));
}
TUTELA_AVX2 uint64_t EqualAvx2(__m256i bytes, char c) {
  return static_cast<uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(bytes, _mm256_set1_epi8(c))));
}

__attribute__((target("avx2"))) Masks ClassifyAvx2(const uint8_t* block) {
  Masks m;
  for (int half = 0; half < 2; ++half) {
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(block + 32 * half));
    const __m256i folded = _mm256_or_si256(v, _mm256_set1_epi8(0x20));
    const int shift = 32 * half;
    m.digit |= RangeAvx2(v, '0', 9) << shift;
    m.upper |= RangeAvx2(v, 'A', 25) << shift;
    m.lower |= RangeAvx2(v, 'a', 25) << shift;
    m.hex_letter |= RangeAvx2(folded, 'a', 5) << shift;
    m.underscore |= EqualAvx2(v, '_') << shift;
    m.at |= EqualAvx2(v, '@') << shift;
    m.plus |= EqualAvx2(v, '+') << shift;
    m.dash |= EqualAvx2(v, '-') << shift;
    m.dot |= EqualAvx2(v, '.') << shift;
    m.colon |= EqualAvx2(v, ':') << shift;
    m.space |= EqualAvx2(v, ' ') << shift;
    m.newline |= EqualAvx2(v, '\n') << shift;
  }
  return m;
}
#undef TUTELA_AVX2

__attribute__((target("avx512bw"))) Masks ClassifyAvx512(const uint8_t* block) {
  const __m512i v = _mm512_loadu_si512(block);
  const __m512i folded = _mm512_or_si512(v, _mm512_set1_epi8(0x20));
  auto range = [](__m512i bytes, char below, char span) __attribute__((target("avx512bw"))) {
    return static_cast<uint64_t>(
        _mm512_cmple_epu8_mask(_mm512_sub_epi8(bytes, _mm512_set1_epi8(below)), _mm512_set1_epi8(span)));
  };
  auto equal = [&](char c) __attribute__((target("avx512bw"))) {
    return static_cast<uint64_t>(_mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(c)));
  };
  Masks m;
  m.digit = range(v, '0', 9);
  m.upper = range(v, 'A', 25);
  m.lower = range(v, 'a', 25);
  m.hex_letter = range(folded, 'a', 5);
  m.underscore = equal('_');
  m.at = equal('@');
  m.plus = equal('+');
  m.dash = equal('-');
  m.dot = equal('.');
  m.colon = equal(':');
  m.space = equal(' ');
  m.newline = equal('\n');
  return m;
}

Masks ClassifySse2(const uint8_t* block) {
  Masks m;
  for (int quarter = 0; quarter < 4; ++quarter) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(block + 16 * quarter));
    auto range = [&](__m128i from, char below, char span) {
      __m128i x = _mm_sub_epi8(from, _mm_set1_epi8(below));
      __m128i in = _mm_cmpeq_epi8(_mm_min_epu8(x, _mm_set1_epi8(span)), x);
      return static_cast<uint64_t>(static_cast<uint32_t>(_mm_movemask_epi8(in))) << (16 * quarter);
    };
    auto equal = [&](char c) {
      __m128i in = _mm_cmpeq_epi8(v, _mm_set1_epi8(c));
      return static_cast<uint64_t>(static_cast<uint32_t>(_mm_movemask_epi8(in))) << (16 * quarter);
    };
    const __m128i folded = _mm_or_si128(v, _mm_set1_epi8(0x20));
    m.digit |= range(v, '0', 9);
    m.upper |= range(v, 'A', 25);
    m.lower |= range(v, 'a', 25);
    m.hex_letter |= range(folded, 'a', 5);
    m.underscore |= equal('_');
    m.at |= equal('@');
    m.plus |= equal('+');
    m.dash |= equal('-');
    m.dot |= equal('.');
    m.colon |= equal(':');
    m.space |= equal(' ');
    m.newline |= equal('\n');
  }
  return m;
}

Isa Detect() {
  // The AVX2 and AVX-512 versions also use POPCNT, BMI1 and BMI2 (every CPU with AVX2 has them in practice).
  static const bool bits =
      __builtin_cpu_supports("popcnt") && __builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2");
  static const Isa isa = bits && __builtin_cpu_supports("avx512bw") ? Isa::kAvx512
                         : bits && __builtin_cpu_supports("avx2")   ? Isa::kAvx2
                                                                    : Isa::kSse2;
  return isa;
}

// Bit i of the result is bit i-k of the stream `prev`,`cur` (1 <= k <= 63): "x at k bytes before i".
inline uint64_t Before(uint64_t cur, uint64_t prev, int k) { return (cur << k) | (prev >> (64 - k)); }
// Bit i of the result is bit i+k of the stream `cur`,`next` (1 <= k <= 63): "x at k bytes after i".
inline uint64_t After(uint64_t cur, uint64_t next, int k) { return (cur >> k) | (next << (64 - k)); }

// Bit i of the result is bit i+k of the stream `cur`,`next` (0 <= k <= 63), for a k known only at run time.
inline uint64_t Window(uint64_t cur, uint64_t next, int k) { return k == 0 ? cur : After(cur, next, k); }

// Bits i where the stream `cur`,`next` holds at i+offset, ..., i+offset+count-1 (offset + count <= 65), by
// doubling runs over the two blocks (shifts of less than 64, one instruction each even when `count` is not a
// constant).
inline uint64_t RunAt(uint64_t cur, uint64_t next, int offset, int count) {
  uint64_t low = cur, high = next;
  int length = 1;
  auto step = [&](int k) {  // run &= run >> k, 1 <= k <= 63
    low &= After(low, high, k);
    high &= high >> k;
  };
  while (length * 2 <= count) {
    step(length);
    length *= 2;
  }
  if (length < count) step(count - length);
  return Window(low, high, offset);
}
inline uint64_t RunAfter(uint64_t cur, uint64_t next, int count) { return RunAt(cur, next, 0, count); }

// The mask of bytes that are in a digit chain: digits, and ' ' or '-' with a digit on both sides.
inline uint64_t ChainBytes(const Masks& cur, uint64_t prev_digit, uint64_t next_digit) {
  uint64_t sep = cur.space | cur.dash;
  return cur.digit | (sep & Before(cur.digit, prev_digit, 1) & After(cur.digit, next_digit, 1));
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Three dots of an a.b.c.d address: from the dot at `pos` (digit before and after), two more dot-digit steps of
// 1-3 digits. A cheap confirmation of a kDottedQuad candidate.
bool DottedQuadFrom(std::string_view text, size_t pos) {
  for (int dot = 0; dot < 2; ++dot) {
    size_t digits = 0;
    ++pos;
    while (pos < text.size() && IsDigit(text[pos]) && digits < 4) ++pos, ++digits;
    if (digits == 0 || digits > 3 || pos + 1 >= text.size() || text[pos] != '.' || !IsDigit(text[pos + 1])) {
      return false;
    }
  }
  return true;
}

}  // namespace

uint64_t Hits::LinesBefore(size_t pos) const {
  size_t block = pos / 64;
  if (block >= newlines.size()) {  // the text's end, past the last block
    return newlines.empty() ? 0 : lines_before.back() + static_cast<uint64_t>(Count(newlines.back()));
  }
  uint64_t below = pos % 64 == 0 ? 0 : newlines[block] & ((uint64_t{1} << (pos % 64)) - 1);
  return lines_before[block] + static_cast<uint64_t>(Count(below));
}

const char* InstructionSet() {
  switch (Detect()) {
    case Isa::kAvx512:
      return "avx512bw";
    case Isa::kAvx2:
      return "avx2";
    default:
      return "sse2";
  }
}

namespace {

// The body of Find(), instantiated once per instruction set and flattened into a function compiled for it (below),
// so the byte classification is inlined into the loop.
template <Isa kIsa>
inline void FindWith(std::string_view text, uint32_t kinds, size_t chain_min, Hits& out) {
  const size_t n = text.size();
  const int chain_span = static_cast<int>(std::clamp<size_t>(chain_min, 1, 32));
  auto classify = [&](size_t offset) {
    alignas(64) uint8_t padded[64];
    const uint8_t* block = reinterpret_cast<const uint8_t*>(text.data()) + offset;
    if (offset + 64 > n) {  // the last partial block, padded with NUL bytes (not word bytes, like the text's end)
      std::memset(padded, 0, sizeof padded);
      std::memcpy(padded, block, n - offset);
      block = padded;
    }
    if constexpr (kIsa == Isa::kAvx512) return ClassifyAvx512(block);
    if constexpr (kIsa == Isa::kAvx2) return ClassifyAvx2(block);
    if constexpr (kIsa == Isa::kSse2) return ClassifySse2(block);
  };
  auto want = [&](Kind kind) { return (kinds >> kind) & 1u; };
  // Adds the positions of `bits` (this block's, at `base`) as triggers of `kind`; those `accept` also confirms, when
  // given a cheap scalar check of the exact condition.
  auto emit = [&](Kind kind, uint64_t bits, size_t base, auto accept) {
    while (bits != 0) {
      size_t pos = base + static_cast<size_t>(__builtin_ctzll(bits));
      bits &= bits - 1;
      if (pos < n && accept(pos)) out.at[kind].push_back(static_cast<uint32_t>(pos));
    }
  };
  auto any = [](size_t) { return true; };
  Masks prev, cur = classify(0), next;
  uint64_t prev_chain = 0;
  uint32_t lines = 0;
  out.newlines.resize((n + 63) / 64);
  out.lines_before.resize((n + 63) / 64);
  uint64_t* newlines = out.newlines.data();
  uint32_t* lines_before = out.lines_before.data();
  for (size_t base = 0; base < n; base += 64) {
    next = base + 64 < n ? classify(base + 64) : Masks();
    newlines[base / 64] = cur.newline;
    lines_before[base / 64] = lines;
    lines += static_cast<uint32_t>(Count(cur.newline));
    const uint64_t word = cur.digit | cur.upper | cur.lower | cur.underscore;
    const uint64_t prev_word = prev.digit | prev.upper | prev.lower | prev.underscore;
    const uint64_t next_word = next.digit | next.upper | next.lower | next.underscore;
    // Most kinds need a digit in this block or a neighbour (every trigger looks at most 18 bytes away).
    const bool digits_near = (prev.digit | cur.digit | next.digit) != 0;
    const uint64_t nonword = ~word, prev_nonword = ~prev_word, next_nonword = ~next_word;
    const uint64_t word_start = word & Before(nonword, prev_nonword, 1);
    const uint64_t word_last = word & After(nonword, next_nonword, 1);
    auto d_after = [&](int k) { return After(cur.digit, next.digit, k); };
    auto d_before = [&](int k) { return Before(cur.digit, prev.digit, k); };
    if (want(kAt)) emit(kAt, cur.at, base, any);
    if (cur.dash != 0 && want(kDashes)) emit(kDashes, RunAfter(cur.dash, next.dash, 5), base, any);
    if (cur.colon != 0 && want(kHexColon)) {
      const uint64_t hex = cur.digit | cur.hex_letter, prev_hex = prev.digit | prev.hex_letter;
      auto h = [&](int k) { return Before(hex, prev_hex, k); };
      auto w = [&](int k) { return Before(nonword, prev_nonword, k); };
      uint64_t second = 0;  // `(?::[hex]{0,4}){2,}`: another ':' at most 5 bytes after the first
      for (int k = 1; k <= 5; ++k) second |= After(cur.colon, next.colon, k);
      emit(kHexColon, cur.colon & second & h(1) & (w(2) | (h(2) & (w(3) | (h(3) & (w(4) | (h(4) & w(5))))))), base,
           any);
    }
    if (want(kAPrefix) && (cur.upper & word_start) != 0) {
      emit(kAPrefix, word_start & cur.upper & After(cur.upper, next.upper, 1), base, [&](size_t pos) {
        return pos + 1 < n && text[pos] == 'A' &&
               (text[pos + 1] == 'K' || text[pos + 1] == 'S' || text[pos + 1] == 'B' || text[pos + 1] == 'C');
      });
    }
    if (!digits_near) {
      prev = cur;
      cur = next;
      prev_chain = 0;  // no digit in this block: no chain byte either
      continue;
    }
    if (cur.plus != 0 && want(kPlusDigit)) emit(kPlusDigit, cur.plus & d_after(1), base, any);
    if (cur.dot != 0 && want(kDottedQuad)) {
      auto quad_dot = [&](int k) {  // a '.' at i+k with a digit on both sides
        return After(cur.dot, next.dot, k) & d_after(k - 1) & d_after(k + 1);
      };
      emit(kDottedQuad, cur.dot & d_before(1) & d_after(1) & (quad_dot(2) | quad_dot(3) | quad_dot(4)), base,
           [&](size_t pos) { return DottedQuadFrom(text, pos); });
    }
    const uint64_t letter = cur.upper | cur.lower, next_letter = next.upper | next.lower;
    const uint64_t upper_starts = word_start & cur.upper;
    if (upper_starts != 0 && want(kUpperDigit)) {
      auto u = [&](int k) { return After(cur.upper, next.upper, k); };
      emit(kUpperDigit,
           upper_starts & (d_after(1) | (u(1) & (d_after(2) | (u(2) & (d_after(3) | (u(3) & d_after(4))))))), base,
           any);
    }
    if (want(kNric)) {
      uint64_t all = word_start & letter & d_after(1) & d_after(7);  // cheap tests first
      if (all != 0) all &= After(letter, next_letter, 8) & After(nonword, next_nonword, 9);
      if (all != 0) all &= RunAt(cur.digit, next.digit, 1, 7);
      emit(kNric, all, base, any);
    }
    if (upper_starts != 0 && want(kUpperWord10)) {
      const uint64_t upper_or_digit = cur.upper | cur.digit, next_upper_or_digit = next.upper | next.digit;
      uint64_t all = upper_starts & d_after(9) & After(nonword, next_nonword, 10);
      if (all != 0) all &= RunAt(upper_or_digit, next_upper_or_digit, 1, 8);
      emit(kUpperWord10, all, base, any);
    }
    const uint64_t digit_starts = word_start & cur.digit;
    const uint64_t eleven = digit_starts & d_after(10) & After(nonword, next_nonword, 11);
    if (eleven != 0 && want(kDigits11)) emit(kDigits11, eleven & RunAfter(cur.digit, next.digit, 11), base, any);
    const uint64_t seventeen = digit_starts & d_after(16) & After(nonword, next_nonword, 18);
    if (seventeen != 0 && want(kDigits17)) {
      emit(kDigits17, seventeen & RunAfter(cur.digit, next.digit, 17), base, [&](size_t pos) {
        char last = pos + 17 < n ? text[pos + 17] : '\0';
        return IsDigit(last) || last == 'X' || last == 'x';
      });
    }
    if (want(kGroupEnd)) {
      const uint64_t sep = cur.space | cur.dash, prev_sep = prev.space | prev.dash;
      auto s = [&](int k) { return Before(sep, prev_sep, k); };
      uint64_t three = word_last & cur.digit & d_before(1) & d_before(2);
      if (three != 0) {
        uint64_t short_last = s(3) & d_before(4) & d_before(5) & d_before(6);
        uint64_t long_last = d_before(3) & s(4) & d_before(5) & d_before(6) & d_before(7);
        emit(kGroupEnd, three & (short_last | long_last), base, any);
      }
    }
    if (want(kChain)) {
      // Chain bytes of this block and the next (the next block's last bit assumes a digit after it: a superset).
      const uint64_t chain = ChainBytes(cur, prev.digit, next.digit);
      const uint64_t next_chain = ChainBytes(next, cur.digit, ~uint64_t{0});
      uint64_t starts = chain & ~Before(chain, prev_chain, 1);
      if (chain_span > 1) starts &= After(chain, next_chain, chain_span - 1);  // the run's last byte, a cheap test
      if (starts != 0) starts &= RunAfter(chain, next_chain, chain_span);
      // A chain needs chain_min digits, not just bytes: count them when the chain ends within the two blocks.
      emit(kChain, starts, base, [&](size_t pos) {
        const int bit = static_cast<int>(pos - base);
        const uint64_t run = Window(chain, next_chain, bit);
        if (run == ~uint64_t{0}) return true;  // the chain goes on past the next block: no count
        const int length = __builtin_ctzll(~run);
        const uint64_t in_run = Window(cur.digit, next.digit, bit) & ((uint64_t{1} << length) - 1);
        return static_cast<size_t>(Count(in_run)) >= chain_min;
      });
      prev_chain = chain;
    } else {
      prev_chain = 0;
    }
    prev = cur;
    cur = next;
  }
}

__attribute__((target("avx512bw,popcnt,bmi,bmi2"), flatten)) void FindAvx512(std::string_view text, uint32_t kinds,
                                                                             size_t chain_min, Hits& out) {
  FindWith<Isa::kAvx512>(text, kinds, chain_min, out);
}
__attribute__((target("avx2,popcnt,bmi,bmi2"), flatten)) void FindAvx2(std::string_view text, uint32_t kinds,
                                                                       size_t chain_min, Hits& out) {
  FindWith<Isa::kAvx2>(text, kinds, chain_min, out);
}
__attribute__((flatten)) void FindSse2(std::string_view text, uint32_t kinds, size_t chain_min, Hits& out) {
  FindWith<Isa::kSse2>(text, kinds, chain_min, out);
}

}  // namespace

void Find(std::string_view text, uint32_t kinds, size_t chain_min, Hits& out) {
  FindUsing(Detect(), text, kinds, chain_min, out);
}

bool Supported(Isa isa) { return static_cast<int>(isa) <= static_cast<int>(Detect()); }

void FindUsing(Isa isa, std::string_view text, uint32_t kinds, size_t chain_min, Hits& out) {
  out.Clear();
  if (text.empty()) return;
  if (!Supported(isa)) isa = Detect();
  switch (isa) {
    case Isa::kAvx512:
      return FindAvx512(text, kinds, chain_min, out);
    case Isa::kAvx2:
      return FindAvx2(text, kinds, chain_min, out);
    default:
      return FindSse2(text, kinds, chain_min, out);
  }
}

}  // namespace tutela::pii::gate
