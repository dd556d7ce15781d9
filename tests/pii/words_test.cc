// White-box tests of the context-word search (src/pii/words.h, internal): every instruction-set version agrees with
// a plain reading of the rule on random windows and words, and the rule's edges hold (boundaries, case, pieces).
#include "words.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace tutela::pii::words {
namespace {

bool WordByte(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
char Lowered(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

// The rule, read plainly: a word occurs in a piece at a position where its bytes equal the piece's lower-cased
// bytes, an ASCII word-byte at either end of the word has no word byte beside it inside the piece.
bool InPiece(std::string_view piece, size_t from, const std::string& word) {
  for (size_t pos = from; pos + word.size() <= piece.size(); ++pos) {
    bool equal = true;
    for (size_t i = 0; i < word.size() && equal; ++i) equal = Lowered(piece[pos + i]) == word[i];
    if (!equal) continue;
    if (WordByte(word.front()) && pos > 0 && WordByte(piece[pos - 1])) continue;
    if (WordByte(word.back()) && pos + word.size() < piece.size() && WordByte(piece[pos + word.size()])) continue;
    return true;
  }
  return false;
}

bool Reference(std::string_view first, std::string_view second, size_t from, const std::vector<std::string>& words) {
  for (const std::string& word : words) {
    if (InPiece(first, std::min(from, first.size()), word) || InPiece(second, 0, word)) return true;
  }
  return false;
}

TEST(WordWindow, EveryInstructionSetAgreesWithThePlainRule) {
  std::mt19937 random(7);
  const std::string alphabet = "abSsnNIiPp 0123-_:\n\x80\xe5";
  auto text = [&](size_t length) {
    std::string out;
    for (size_t i = 0; i < length; ++i) out += alphabet[random() % alphabet.size()];
    return out;
  };
  size_t found = 0, cases = 0;
  for (int round = 0; round < 4000; ++round) {
    std::string first = text(random() % 260), second = round % 3 == 0 ? "" : text(random() % 90);
    std::vector<std::string> words;
    for (size_t count = 1 + random() % 4; words.size() < count;) {
      std::string word;
      for (size_t length = 1 + random() % 4; word.size() < length;) {
        char c = Lowered(alphabet[random() % alphabet.size()]);
        if (c != '\n') word += c;
      }
      words.push_back(word);
    }
    // `from` must follow a non-word byte (or be 0): pick a newline's end, as the engine does.
    size_t from = 0;
    if (size_t newline = first.rfind('\n'); newline != std::string::npos && round % 2 == 0) from = newline + 1;
    const bool expected = Reference(first, second, from, words);
    const WordWindow window(first, second);
    for (Isa isa : {Isa::kScalar, Isa::kSse2, Isa::kAvx512}) {
      ASSERT_EQ(window.AnyOfUsing(isa, words, from), expected)
          << "isa " << static_cast<int>(isa) << " first '" << first << "' second '" << second << "' from " << from
          << " word '" << words.front() << "'";
    }
    found += expected ? 1 : 0;
    ++cases;
  }
  // Both outcomes are well represented, so the comparison means something.
  EXPECT_GT(found, cases / 10);
  EXPECT_LT(found, cases * 9 / 10);
}

TEST(WordWindow, BoundariesCaseAndPieces) {
  const std::vector<std::string> ip = {"ip"}, ssn = {"ssn"}, cjk = {"\xe8\xba\xab\xe4\xbb\xbd"};  // 身份
  EXPECT_TRUE(AnyWordIn("client IP 10.0.0.1", ip));
  EXPECT_FALSE(AnyWordIn("zip 10115", ip));                             // inside a word
  EXPECT_FALSE(AnyWordIn("ips", ip));                                   // a word byte after it
  EXPECT_TRUE(AnyWordIn("ip_addr", ip));                                // '_' is not a word byte here
  EXPECT_TRUE(AnyWordIn("ip", ip));                                     // the text's ends are boundaries
  EXPECT_TRUE(AnyWordIn("\xe8\xba\xab\xe4\xbb\xbd\xe8\xaf\x81", cjk));  // other scripts match anywhere
  EXPECT_TRUE(WordWindow("Employee SsN", "").AnyOf(ssn));
  EXPECT_TRUE(WordWindow("xx", "SSN: yes").AnyOf(ssn));  // the second piece
  EXPECT_FALSE(WordWindow("xxss", "nxx").AnyOf(ssn));    // never across the two pieces
  EXPECT_TRUE(WordWindow("ab ss", "n").AnyOf({"ss"}));   // a piece's end is a boundary
  // `from` skips the start of the first piece: the line before the match's own.
  const WordWindow lines("ssn\nname ", " here");
  EXPECT_TRUE(lines.AnyOf(ssn));
  EXPECT_FALSE(lines.AnyOf(ssn, 4));
  // A window longer than the inline buffer.
  std::string long_text(1000, 'x');
  long_text += " ssn";
  EXPECT_TRUE(AnyWordIn(long_text, ssn));
  EXPECT_FALSE(AnyWordIn(std::string(1000, 'x'), ssn));
}

}  // namespace
}  // namespace tutela::pii::words
