// Context-word search for the PII engine (internal to the pii module): whether any of a list of lower-cased words
// occurs, in any ASCII case, in a short window of text around a match (or in a column header or JSON key).
//
// The window is one or two pieces of text (a match's left and right context), copied once, lower-cased, into a
// buffer laid out as `\0 first \0 second \0...` with zero padding after it, so that every word is looked for many
// positions at a time (AVX-512BW, 64; SSE2, 16) with no tail loop. An ASCII word must not touch a letter or digit
// on either side ("ip" is not in "zip"); words of other scripts match anywhere; each piece's ends count as
// boundaries (the zero bytes are not word bytes) and no word spans two pieces (no word holds a zero byte).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace tutela::pii::words {

enum class Isa { kScalar, kSse2, kAvx512 };

class WordWindow {
 public:
  static constexpr size_t kInline = 192;  // bytes of text (both pieces) held without a heap allocation

  explicit WordWindow(std::string_view first, std::string_view second = {});
  WordWindow(const WordWindow&) = delete;
  WordWindow& operator=(const WordWindow&) = delete;

  // Whether any of `words` (lower-cased, none empty or holding a zero byte) starts at or after offset `from` of the
  // first piece. The byte before `from` must not be a word byte (e.g. `from` is a line's start).
  bool AnyOf(const std::vector<std::string>& words, size_t from = 0) const;

  // AnyOf() with a chosen instruction set, for tests that compare them (one this CPU lacks falls back to AnyOf()'s).
  bool AnyOfUsing(Isa isa, const std::vector<std::string>& words, size_t from = 0) const;

 private:
  static constexpr size_t kPad = 80;  // zero bytes after the text: a 64-byte load at any start position stays inside

  char inline_[kInline + 2 + kPad];
  char* data_ = inline_;
  size_t size_ = 0;  // bytes of data_ before the padding, the leading zero included
  std::string heap_;
};

// Any of `words` (lower-cased) in `text`, in any ASCII case (column headers, JSON keys).
inline bool AnyWordIn(std::string_view text, const std::vector<std::string>& words) {
  return WordWindow(text).AnyOf(words);
}

}  // namespace tutela::pii::words
