// The first pass of the PII engine (see gate.h).
#include "gate.h"

#include <immintrin.h>

#include <algorithm>
#include <cstring>

// Helpers here take and return vectors wider than the x86-64 baseline; g++ warns that such a function's ABI depends
// on the instruction set. They are only ever inlined into the Find*() versions compiled for that set (flatten).
#pragma GCC diagnostic ignored "-Wpsabi"

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

// Every function and lambda that takes or returns a vector is inlined into the function compiled for its
// instruction set: one left out of line would be compiled for the baseline ISA, and vectors wider than it cross the
// call in other registers or in memory (an ABI mismatch: clang with UBSan left them out of line, and the AVX2 and
// AVX-512 versions lost every digit chain past the first 128 bytes).
#define TUTELA_ALWAYS_INLINE __attribute__((always_inline)) inline
#define TUTELA_INLINED __attribute__((always_inline))  // on lambdas
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

// The AVX-512 classification's constants, each byte repeated 64 times. Not const: the compiler then reads each from
// memory as an operand of its compare, instead of rebuilding it with a broadcast in every block (and, outside the
// anonymous namespace, it cannot prove that nothing writes them).
enum Constant {
  kZero,
  kUpperA,
  kLowerA,
  kCaseBit,
  kNine,
  kTwentyFive,
  kFive,
  kUnderscoreByte,
  kAtByte,
  kPlusByte,
  kDashByte,
  kDotByte,
  kColonByte,
  kSpaceByte,
  kNewlineByte,
  kConstants
};
constexpr std::array<std::array<uint8_t, 64>, kConstants> MakeConstants() {
  constexpr uint8_t kBytes[kConstants] = {'0', 'A', 'a', 0x20, 9, 25, 5, '_', '@', '+', '-', '.', ':', ' ', '\n'};
  std::array<std::array<uint8_t, 64>, kConstants> table{};
  for (int c = 0; c < kConstants; ++c) table[c].fill(kBytes[c]);
  return table;
}
}  // namespace
alignas(64) constinit std::array<std::array<uint8_t, 64>, kConstants> class_bytes = MakeConstants();
namespace {

__attribute__((target("avx512bw"))) Masks ClassifyAvx512(const uint8_t* block) {
  const __m512i v = _mm512_loadu_si512(block);
  auto k = [](Constant c) __attribute__((target("avx512bw"))) { return _mm512_load_si512(class_bytes[c].data()); };
  const __m512i folded = _mm512_or_si512(v, k(kCaseBit));
  auto range = [&](__m512i bytes, Constant below, Constant span) __attribute__((target("avx512bw"))) {
    return static_cast<uint64_t>(_mm512_cmple_epu8_mask(_mm512_sub_epi8(bytes, k(below)), k(span)));
  };
  auto equal = [&](Constant c) __attribute__((target("avx512bw"))) {
    return static_cast<uint64_t>(_mm512_cmpeq_epi8_mask(v, k(c)));
  };
  Masks m;
  m.digit = range(v, kZero, kNine);
  m.upper = range(v, kUpperA, kTwentyFive);
  m.lower = range(v, kLowerA, kTwentyFive);
  m.hex_letter = range(folded, kLowerA, kFive);
  m.underscore = equal(kUnderscoreByte);
  m.at = equal(kAtByte);
  m.plus = equal(kPlusByte);
  m.dash = equal(kDashByte);
  m.dot = equal(kDotByte);
  m.colon = equal(kColonByte);
  m.space = equal(kSpaceByte);
  m.newline = equal(kNewlineByte);
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
template <typename T>
TUTELA_ALWAYS_INLINE T Before(T cur, T prev, int k) {
  return (cur << k) | (prev >> (64 - k));
}
// Bit i of the result is bit i+k of the stream `cur`,`next` (1 <= k <= 63): "x at k bytes after i".
template <typename T>
TUTELA_ALWAYS_INLINE T After(T cur, T next, int k) {
  return (cur >> k) | (next << (64 - k));
}

// Bit i of the result is bit i+k of the stream `cur`,`next` (0 <= k <= 63), for a k known only at run time.
template <typename T>
TUTELA_ALWAYS_INLINE T Window(T cur, T next, int k) {
  if (k == 0) return cur;
  return After(cur, next, k);
}

// Bits i where the stream `cur`,`next` holds at i+offset, ..., i+offset+count-1 (offset + count <= 65), by
// doubling runs over the two blocks (shifts of less than 64, one instruction each even when `count` is not a
// constant).
template <typename T>
TUTELA_ALWAYS_INLINE T RunAt(T cur, T next, int offset, int count) {
  T low = cur, high = next;
  int length = 1;
  auto step = [&](int k) TUTELA_INLINED {  // run &= run >> k, 1 <= k <= 63
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
template <typename T>
TUTELA_ALWAYS_INLINE T RunAfter(T cur, T next, int count) {
  return RunAt(cur, next, 0, count);
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

// Vectors of 64-bit lanes, one lane per block (GCC's vector extensions: each operation is one instruction of the
// instruction set the function using them is compiled for).
template <size_t kLanes>
struct Lanes;
template <>
struct Lanes<2> {
  typedef uint64_t Vector __attribute__((vector_size(16)));
};
template <>
struct Lanes<4> {
  typedef uint64_t Vector __attribute__((vector_size(32)));
};
template <>
struct Lanes<8> {
  typedef uint64_t Vector __attribute__((vector_size(64)));
};

// Bit l set when lane l (of kLanes at `lanes`) is not zero.
__attribute__((target("avx512bw"))) unsigned LaneMaskAvx512(const uint64_t* lanes) {
  const __m512i x = _mm512_loadu_si512(lanes);
  return _mm512_test_epi64_mask(x, x);
}
__attribute__((target("avx2"))) unsigned LaneMaskAvx2(const uint64_t* lanes) {
  const __m256i zero =
      _mm256_cmpeq_epi64(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(lanes)), _mm256_setzero_si256());
  return ~static_cast<unsigned>(_mm256_movemask_pd(_mm256_castsi256_pd(zero))) & 0xfu;
}
template <Isa kIsa>
inline unsigned LaneMask(const uint64_t* lanes) {
  if constexpr (kIsa == Isa::kAvx512) return LaneMaskAvx512(lanes);
  if constexpr (kIsa == Isa::kAvx2) return LaneMaskAvx2(lanes);
  return (lanes[0] != 0 ? 1u : 0u) | (lanes[1] != 0 ? 2u : 0u);
}

// The body of Find(), instantiated once per instruction set and flattened into a function compiled for it (below).
// It works on stretches of up to 64 blocks (4 KiB of text): first it classifies every block of the stretch into
// arrays of class masks (one array per class, a row per block); then it combines the masks of kLanes blocks at once,
// one 64-bit lane per block, in vectors of the instruction set's width (GCC's vector extensions: AVX-512 8 lanes,
// AVX2 4, SSE2 2). A block's neighbours are the rows above and below, so "k bytes after i" across a block's end
// is a shift of the row and of the next row, for every lane at once.
template <Isa kIsa>
inline void FindWith(std::string_view text, uint32_t kinds, size_t chain_min, Hits& out) {
  constexpr size_t kLanes = kIsa == Isa::kAvx512 ? 8 : kIsa == Isa::kAvx2 ? 4 : 2;
  using V = typename Lanes<kLanes>::Vector;
  constexpr size_t kStretch = 64;  // blocks per stretch, a multiple of kLanes
  constexpr size_t kBefore = 2;    // rows before the stretch's first block (a chain mask looks two blocks back)
  constexpr size_t kRows = kBefore + kStretch + 1;  // and one after its last
  const size_t n = text.size();
  const size_t blocks = (n + 63) / 64;
  const int chain_span = static_cast<int>(std::clamp<size_t>(chain_min, 1, 32));
  auto want = [&](Kind kind) { return (kinds >> kind) & 1u; };
  out.newlines.resize(blocks);
  out.lines_before.resize(blocks);
  uint64_t* const newlines = out.newlines.data();
  uint32_t* const lines_before = out.lines_before.data();

  enum Class { kDigit, kUpper, kLower, kUnderscore, kHexLetter, kAtSign, kPlus, kDash, kDot, kColon, kSpace, kClasses };
  alignas(64) uint64_t rows[kClasses][kRows + kLanes];
  auto classify_row = [&](size_t row, size_t block) {  // block may be past the text: zero masks
    Masks m;
    if (block < blocks) {
      const size_t offset = block * 64;
      alignas(64) uint8_t padded[64];
      const uint8_t* bytes = reinterpret_cast<const uint8_t*>(text.data()) + offset;
      if (offset + 64 > n) {  // the last partial block, padded with NUL bytes (not word bytes, like the text's end)
        std::memset(padded, 0, sizeof padded);
        std::memcpy(padded, bytes, n - offset);
        bytes = padded;
      }
      if constexpr (kIsa == Isa::kAvx512) m = ClassifyAvx512(bytes);
      if constexpr (kIsa == Isa::kAvx2) m = ClassifyAvx2(bytes);
      if constexpr (kIsa == Isa::kSse2) m = ClassifySse2(bytes);
      newlines[block] = m.newline;
    }
    rows[kDigit][row] = m.digit;
    rows[kUpper][row] = m.upper;
    rows[kLower][row] = m.lower;
    rows[kUnderscore][row] = m.underscore;
    rows[kHexLetter][row] = m.hex_letter;
    rows[kAtSign][row] = m.at;
    rows[kPlus][row] = m.plus;
    rows[kDash][row] = m.dash;
    rows[kDot][row] = m.dot;
    rows[kColon][row] = m.colon;
    rows[kSpace][row] = m.space;
  };
  // The masks of class c for the kLanes blocks whose rows start at `row` + `delta`.
  auto load = [&](Class c, size_t row, int delta) TUTELA_INLINED {
    V v;
    std::memcpy(&v, &rows[c][static_cast<ptrdiff_t>(row) + delta], sizeof v);
    return v;
  };
  const V none = {}, all = ~none;

  for (size_t row = 0; row < kBefore; ++row) classify_row(row, blocks);  // before the text: zero masks
  classify_row(kBefore, 0);
  uint32_t lines = 0;
  for (size_t first = 0; first < blocks; first += kStretch) {
    // Rows kBefore.. hold blocks first..; the rows before them were carried over from the last stretch, and so was
    // the first block's row.
    const size_t count = std::min(kStretch, blocks - first);
    const size_t lanes_count = (count + kLanes - 1) / kLanes * kLanes;  // rows read: up to kBefore + lanes_count
    for (size_t row = kBefore + 1; row <= kBefore + lanes_count; ++row) classify_row(row, first + row - kBefore);
    for (size_t block = first; block < first + count; ++block) {
      lines_before[block] = lines;
      lines += static_cast<uint32_t>(Count(newlines[block]));
    }
    for (size_t index = 0; index < count; index += kLanes) {
      const size_t row = kBefore + index;
      const V d = load(kDigit, row, 0), dp = load(kDigit, row, -1), dn = load(kDigit, row, 1);
      const V up = load(kUpper, row, 0), up_next = load(kUpper, row, 1);
      const V word = d | up | load(kLower, row, 0) | load(kUnderscore, row, 0);
      const V prev_word = dp | load(kUpper, row, -1) | load(kLower, row, -1) | load(kUnderscore, row, -1);
      const V next_word = dn | up_next | load(kLower, row, 1) | load(kUnderscore, row, 1);
      const V nonword = ~word, prev_nonword = ~prev_word, next_nonword = ~next_word;
      const V word_start = word & Before(nonword, prev_nonword, 1);
      const V word_last = word & After(nonword, next_nonword, 1);
      auto d_after = [&](int k) TUTELA_INLINED { return After(d, dn, k); };
      auto d_before = [&](int k) TUTELA_INLINED { return Before(d, dp, k); };
      V trigger[kKinds];
      for (V& t : trigger) t = none;
      if (want(kAt)) trigger[kAt] = load(kAtSign, row, 0);
      if (want(kDashes)) trigger[kDashes] = RunAfter(load(kDash, row, 0), load(kDash, row, 1), 5);
      if (want(kHexColon)) {
        const V colon = load(kColon, row, 0), colon_next = load(kColon, row, 1);
        const V hex = d | load(kHexLetter, row, 0), prev_hex = dp | load(kHexLetter, row, -1);
        auto h = [&](int k) TUTELA_INLINED { return Before(hex, prev_hex, k); };
        auto w = [&](int k) TUTELA_INLINED { return Before(nonword, prev_nonword, k); };
        V second = none;  // `(?::[hex]{0,4}){2,}`: another ':' at most 5 bytes after the first
        for (int k = 1; k <= 5; ++k) second |= After(colon, colon_next, k);
        trigger[kHexColon] = colon & second & h(1) & (w(2) | (h(2) & (w(3) | (h(3) & (w(4) | (h(4) & w(5)))))));
      }
      if (want(kAPrefix)) trigger[kAPrefix] = word_start & up & After(up, up_next, 1);
      if (want(kPlusDigit)) trigger[kPlusDigit] = load(kPlus, row, 0) & d_after(1);
      if (want(kDottedQuad)) {
        const V dot = load(kDot, row, 0), dot_next = load(kDot, row, 1);
        auto quad_dot = [&](int k) TUTELA_INLINED { return After(dot, dot_next, k) & d_after(k - 1) & d_after(k + 1); };
        trigger[kDottedQuad] = dot & d_before(1) & d_after(1) & (quad_dot(2) | quad_dot(3) | quad_dot(4));
      }
      const V letter = up | load(kLower, row, 0), next_letter = up_next | load(kLower, row, 1);
      const V upper_starts = word_start & up;
      if (want(kUpperDigit)) {
        auto u = [&](int k) TUTELA_INLINED { return After(up, up_next, k); };
        trigger[kUpperDigit] =
            upper_starts & (d_after(1) | (u(1) & (d_after(2) | (u(2) & (d_after(3) | (u(3) & d_after(4)))))));
      }
      if (want(kNric)) {
        trigger[kNric] = word_start & letter & d_after(1) & d_after(7) & After(letter, next_letter, 8) &
                         After(nonword, next_nonword, 9) & RunAt(d, dn, 1, 7);
      }
      if (want(kUpperWord10)) {
        trigger[kUpperWord10] =
            upper_starts & d_after(9) & After(nonword, next_nonword, 10) & RunAt(up | d, up_next | dn, 1, 8);
      }
      const V digit_starts = word_start & d;
      if (want(kDigits11)) {
        trigger[kDigits11] = digit_starts & d_after(10) & After(nonword, next_nonword, 11) & RunAfter(d, dn, 11);
      }
      if (want(kDigits17)) {
        trigger[kDigits17] = digit_starts & d_after(16) & After(nonword, next_nonword, 18) & RunAfter(d, dn, 17);
      }
      if (want(kGroupEnd)) {
        const V sep = load(kSpace, row, 0) | load(kDash, row, 0);
        const V prev_sep = load(kSpace, row, -1) | load(kDash, row, -1);
        auto s = [&](int k) TUTELA_INLINED { return Before(sep, prev_sep, k); };
        const V three = word_last & d & d_before(1) & d_before(2);
        const V short_last = s(3) & d_before(4) & d_before(5) & d_before(6);
        const V long_last = d_before(3) & s(4) & d_before(5) & d_before(6) & d_before(7);
        trigger[kGroupEnd] = three & (short_last | long_last);
      }
      V chain = none, next_chain = none;
      if (want(kChain)) {
        // Chain bytes: digits, and ' ' or '-' with a digit on both sides. The next block's last bit assumes a digit
        // after it (a superset); the previous block's are exact.
        auto chain_bytes = [&](int delta, V before, V digits, V after) TUTELA_INLINED {
          const V sep = load(kSpace, row, delta) | load(kDash, row, delta);
          return digits | (sep & Before(digits, before, 1) & After(digits, after, 1));
        };
        const V dpp = load(kDigit, row, -2);
        chain = chain_bytes(0, dp, d, dn);
        next_chain = chain_bytes(1, d, dn, all);
        const V prev_chain = chain_bytes(-1, dpp, dp, d);
        V starts = chain & ~Before(chain, prev_chain, 1);
        if (chain_span > 1) starts &= After(chain, next_chain, chain_span - 1);
        trigger[kChain] = starts & RunAfter(chain, next_chain, chain_span);
      }
      for (int kind = 0; kind < kKinds; ++kind) {
        for (unsigned lanes = LaneMask<kIsa>(reinterpret_cast<const uint64_t*>(&trigger[kind])); lanes != 0;
             lanes &= lanes - 1) {
          const size_t lane = static_cast<size_t>(__builtin_ctz(lanes));
          const size_t base = (first + index + lane) * 64;
          for (uint64_t bits = trigger[kind][lane]; bits != 0; bits &= bits - 1) {
            const int bit = __builtin_ctzll(bits);
            const size_t pos = base + static_cast<size_t>(bit);
            if (pos >= n) break;
            bool accept = true;
            switch (kind) {
              case kAPrefix:
                accept = pos + 1 < n && text[pos] == 'A' &&
                         (text[pos + 1] == 'K' || text[pos + 1] == 'S' || text[pos + 1] == 'B' || text[pos + 1] == 'C');
                break;
              case kDottedQuad:
                accept = DottedQuadFrom(text, pos);
                break;
              case kDigits17: {
                const char last = pos + 17 < n ? text[pos + 17] : '\0';
                accept = IsDigit(last) || last == 'X' || last == 'x';
                break;
              }
              case kChain: {
                // A chain needs chain_min digits, not just bytes: count them when it ends within the two blocks.
                const uint64_t run = Window(chain[lane], next_chain[lane], bit);
                if (run == ~uint64_t{0}) break;  // the chain goes on past the next block: no count
                const int length = __builtin_ctzll(~run);
                const uint64_t in_run = Window(d[lane], dn[lane], bit) & ((uint64_t{1} << length) - 1);
                accept = static_cast<size_t>(Count(in_run)) >= chain_min;
                break;
              }
              default:
                break;
            }
            if (accept) out.at[kind].push_back(static_cast<uint32_t>(pos));
          }
        }
      }
    }
    // The last kBefore rows of this stretch and the row after it start the next one.
    for (int c = 0; c < kClasses; ++c) {
      for (size_t row = 0; row <= kBefore; ++row) rows[c][row] = rows[c][kStretch + row];
    }
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
