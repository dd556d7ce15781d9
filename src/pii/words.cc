// Context-word search (see words.h).
#include "words.h"

#include <immintrin.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace tutela::pii::words {
namespace {

bool IsWordByte(unsigned char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Whether `word` is at `found` with the boundaries its first and last bytes ask for. found[-1] and found[size] are
// readable: the buffer starts with a zero byte and ends with zero padding.
bool Accept(const char* found, const std::string& word) {
  if (std::memcmp(found, word.data(), word.size()) != 0) return false;
  if (IsWordByte(static_cast<unsigned char>(word.front())) && IsWordByte(static_cast<unsigned char>(found[-1]))) {
    return false;
  }
  return !(IsWordByte(static_cast<unsigned char>(word.back())) &&
           IsWordByte(static_cast<unsigned char>(found[word.size()])));
}

// `text` has n bytes of lower-cased text followed by at least 65 readable bytes.
bool AnyOfScalar(const char* text, size_t n, const std::vector<std::string>& words) {
  for (const std::string& word : words) {
    if (word.empty() || word.size() > n) continue;
    for (size_t pos = 0; pos + word.size() <= n; ++pos) {
      if (text[pos] == word[0] && Accept(text + pos, word)) return true;
    }
  }
  return false;
}

bool AnyOfSse2(const char* text, size_t n, const std::vector<std::string>& words) {
  for (const std::string& word : words) {
    const size_t m = word.size();
    if (m == 0 || m > n) continue;
    const size_t last = n - m;  // the last position the word can start at
    const __m128i first = _mm_set1_epi8(word[0]), second = _mm_set1_epi8(m > 1 ? word[1] : '\0');
    for (size_t pos = 0; pos <= last; pos += 16) {
      const char* at = text + pos;
      auto mask = static_cast<unsigned>(
          _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(at)), first)));
      if (mask == 0) continue;
      if (m > 1) {
        mask &= static_cast<unsigned>(
            _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(at + 1)), second)));
      }
      if (last - pos < 15) mask &= (2u << (last - pos)) - 1;
      while (mask != 0) {
        const char* found = at + __builtin_ctz(mask);
        mask &= mask - 1;
        if (Accept(found, word)) return true;
      }
    }
  }
  return false;
}

__attribute__((target("avx512bw"))) bool AnyOfAvx512(const char* text, size_t n,
                                                     const std::vector<std::string>& words) {
  for (const std::string& word : words) {
    const size_t m = word.size();
    if (m == 0 || m > n) continue;
    const size_t last = n - m;
    const __m512i first = _mm512_set1_epi8(word[0]), second = _mm512_set1_epi8(m > 1 ? word[1] : '\0');
    for (size_t pos = 0; pos <= last; pos += 64) {
      const char* at = text + pos;
      uint64_t mask = _mm512_cmpeq_epi8_mask(_mm512_loadu_si512(at), first);
      if (mask == 0) continue;
      if (m > 1) mask &= _mm512_cmpeq_epi8_mask(_mm512_loadu_si512(at + 1), second);
      if (last - pos < 63) mask &= (uint64_t{2} << (last - pos)) - 1;
      while (mask != 0) {
        const char* found = at + __builtin_ctzll(mask);
        mask &= mask - 1;
        if (Accept(found, word)) return true;
      }
    }
  }
  return false;
}

Isa Detect() {
  static const Isa isa = __builtin_cpu_supports("avx512bw") ? Isa::kAvx512 : Isa::kSse2;
  return isa;
}

}  // namespace

WordWindow::WordWindow(std::string_view first, std::string_view second) {
  size_ = 1 + first.size() + (second.empty() ? 0 : 1 + second.size());
  if (size_ + kPad > sizeof inline_) {
    heap_.resize(size_ + kPad);
    data_ = heap_.data();
  }
  data_[0] = '\0';
  std::memcpy(data_ + 1, first.data(), first.size());
  if (!second.empty()) {
    data_[1 + first.size()] = '\0';
    std::memcpy(data_ + 2 + first.size(), second.data(), second.size());
  }
  std::memset(data_ + size_, 0, kPad);
  // Lower-case ASCII letters in place, 16 bytes at a time (the padding is zeros, unchanged).
  for (size_t pos = 0; pos < size_; pos += 16) {
    __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data_ + pos));
    __m128i offset = _mm_sub_epi8(bytes, _mm_set1_epi8('A'));
    __m128i upper = _mm_cmpeq_epi8(_mm_min_epu8(offset, _mm_set1_epi8(25)), offset);
    bytes = _mm_or_si128(bytes, _mm_and_si128(upper, _mm_set1_epi8(0x20)));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(data_ + pos), bytes);
  }
}

bool WordWindow::AnyOf(const std::vector<std::string>& words, size_t from) const {
  return AnyOfUsing(Detect(), words, from);
}

bool WordWindow::AnyOfUsing(Isa isa, const std::vector<std::string>& words, size_t from) const {
  const char* text = data_ + 1 + std::min(from, size_ - 1);
  const size_t n = size_ - 1 - std::min(from, size_ - 1);
  if (isa == Isa::kAvx512 && Detect() != Isa::kAvx512) isa = Detect();
  switch (isa) {
    case Isa::kAvx512:
      return AnyOfAvx512(text, n, words);
    case Isa::kSse2:
      return AnyOfSse2(text, n, words);
    default:
      return AnyOfScalar(text, n, words);
  }
}

}  // namespace tutela::pii::words
