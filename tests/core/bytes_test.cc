#include "tutela/core/bytes.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>

namespace tutela {
namespace {

TEST(CountByteTest, AgreesWithCountingOneByOneAtEveryLengthAndOffset) {
  std::mt19937 random(3);
  std::string text;
  for (int idx = 0; idx < 9000; ++idx) text += "\nab\xff\n"[random() % 5];
  // Lengths past 255 blocks of 16 (the 8-bit lanes are summed every 255 steps), every tail length, and offsets.
  for (size_t length : {0, 1, 15, 16, 17, 31, 4079, 4080, 4081, 4096, 8191, 9000}) {
    for (size_t offset : {0, 1, 7}) {
      if (offset + length > text.size()) continue;
      std::string_view part = std::string_view(text).substr(offset, length);
      EXPECT_EQ(CountByte(part, '\n'), static_cast<size_t>(std::count(part.begin(), part.end(), '\n')))
          << length << " at " << offset;
      EXPECT_EQ(CountByte(part, '\xff'), static_cast<size_t>(std::count(part.begin(), part.end(), '\xff')));
    }
  }
  // Every byte a match: the lanes reach 255 without wrapping.
  std::string newlines(70000, '\n');
  EXPECT_EQ(CountByte(newlines, '\n'), 70000u);
  EXPECT_EQ(CountByte(newlines, 'x'), 0u);
}

TEST(FindLastTest, AgreesWithRfindOnRandomText) {
  std::mt19937 random(11);
  for (int round = 0; round < 3000; ++round) {
    std::string text;
    for (size_t length = random() % 200; text.size() < length;) text += "-B x\n"[random() % 5];
    std::string needle;
    for (size_t length = 1 + random() % 5; needle.size() < length;) needle += "-B x"[random() % 4];
    EXPECT_EQ(FindLast(text, needle), std::string_view(text).rfind(needle)) << "'" << text << "' '" << needle << "'";
  }
  EXPECT_EQ(FindLast("", "x"), std::string_view::npos);
  EXPECT_EQ(FindLast("abc", ""), 3u);
  const std::string pem = std::string(5000, 'x') + "-----BEGIN RSA PRIVATE KEY-----" + std::string(40, 'y');
  EXPECT_EQ(FindLast(pem, "-----BEGIN "), 5000u);
  EXPECT_EQ(FindLast(pem.substr(0, 5011), "-----BEGIN "), 5000u);  // ends exactly after the needle
  EXPECT_EQ(FindLast(pem.substr(0, 5010), "-----BEGIN "), std::string_view::npos);
}

}  // namespace
}  // namespace tutela
