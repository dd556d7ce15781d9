// White-box tests of the engine's first pass (src/pii/gate.h, internal): every instruction-set version of it finds
// the same triggers and newline counts (the engine's own tests run whichever version this machine picks, so these
// keep the others honest), and the newline counts agree with counting.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>

#include "gate.h"

namespace tutela::pii::gate {
namespace {

std::string Describe(const Hits& hits) {
  std::string out;
  for (size_t kind = 0; kind < kKinds; ++kind) {
    out += "kind " + std::to_string(kind) + ":";
    for (uint32_t pos : hits.at[kind]) out += " " + std::to_string(pos);
    out += "\n";
  }
  for (size_t block = 0; block < hits.newlines.size(); ++block) {
    out += std::to_string(hits.lines_before[block]) + "/" + std::to_string(hits.newlines[block]) + " ";
  }
  return out;
}

std::vector<std::string> Texts() {
  std::vector<std::string> texts = {
      "",
      "x",
      "client ip 10.34.254.231 +40 475-3969\nfe80::1ff:fe23:4567:890a 2001:db8::8a2e:370:7334\n",
      "card 4111 1111 1111 1111 order 12345678901234 size 606931223 13800138000 11010519491231002X\n",
      "GB82WEST12345698765432 ATU12345678 S1234567D t1234567z LZ6311T47 AKIAIOSFODNN7EXAMPLE -----BEGIN\n",
      "mail li.wei@corp-mail.cn (02) 1234-5678 12 345 678 901 12-3456789-0 1234-5678-9012-3456\n"};
  std::mt19937 random(42);
  const std::string alphabet = "0123456789 -.:@+()_xXAKISBCEGTFMZstfgmab\n\t\x80\xff";
  for (int idx = 0; idx < 400; ++idx) {
    std::string text;
    size_t length = random() % 300;
    for (size_t pos = 0; pos < length; ++pos) {
      text.push_back(random() % 2 == 0 ? static_cast<char>('0' + random() % 10) : alphabet[random() % alphabet.size()]);
    }
    texts.push_back(text);
  }
  return texts;
}

TEST(FirstPass, EveryInstructionSetFindsTheSameTriggers) {
  const uint32_t all = (1u << kKinds) - 1;
  size_t triggers = 0;
  for (const std::string& text : Texts()) {
    for (size_t chain_min : {1, 7, 9, 13, 32}) {
      Hits reference;
      FindUsing(Isa::kSse2, text, all, chain_min, reference);
      for (Isa isa : {Isa::kAvx2, Isa::kAvx512}) {
        if (!Supported(isa)) continue;
        Hits hits;
        FindUsing(isa, text, all, chain_min, hits);
        ASSERT_EQ(Describe(hits), Describe(reference))
            << "instruction set " << static_cast<int>(isa) << ", text: " << text;
      }
      for (const auto& list : reference.at) triggers += list.size();
    }
  }
  EXPECT_GT(triggers, 1000u);
}

TEST(FirstPass, NewlineCountsAgreeWithCounting) {
  for (const std::string& text : Texts()) {
    Hits hits;
    Find(text, (1u << kKinds) - 1, 9, hits);
    for (size_t pos = 0; pos <= text.size(); pos += 1 + pos % 7) {
      ASSERT_EQ(hits.LinesBefore(pos), static_cast<uint64_t>(std::count(text.begin(), text.begin() + pos, '\n')))
          << "at " << pos << " of: " << text;
    }
  }
}

TEST(FirstPass, OnlyTheAskedKindsAreFound) {
  Hits hits;
  Find("mail li.wei@corp-mail.cn tel +86 138 0013 8000", 1u << kAt, 9, hits);
  EXPECT_EQ(hits.at[kAt].size(), 1u);
  EXPECT_TRUE(hits.at[kPlusDigit].empty());
  Find("mail li.wei@corp-mail.cn tel +86 138 0013 8000", 1u << kPlusDigit, 9, hits);
  EXPECT_TRUE(hits.at[kAt].empty());
  ASSERT_EQ(hits.at[kPlusDigit].size(), 1u);
  EXPECT_EQ(hits.at[kPlusDigit][0], 29u);
}

}  // namespace
}  // namespace tutela::pii::gate
