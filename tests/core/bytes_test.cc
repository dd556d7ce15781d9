#include "tutela/core/bytes.h"

#include <gtest/gtest.h>
#include <unistd.h>

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

// ReadAppend reads on from the descriptor's position; ReadAppendAt reads at an offset and leaves the position alone.
// Both append to what the buffer holds and return 0 at the end of the file.
TEST(ReadAppendTest, AppendsFromThePositionOrFromAnOffset) {
  char name[] = "/tmp/tutela-read-append-XXXXXX";
  int fd = ::mkstemp(name);
  ASSERT_GE(fd, 0);
  ::unlink(name);
  const std::string text = "0123456789abcdef";
  ASSERT_EQ(::write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  ASSERT_EQ(::lseek(fd, 4, SEEK_SET), 4);
  tutela::ByteBuffer bytes(2, 'x');
  auto got = tutela::ReadAppend(fd, bytes, 3, "f");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, 3u);
  EXPECT_EQ(tutela::View(bytes), "xx456");
  got = tutela::ReadAppendAt(fd, 10, bytes, 100, "f");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, 6u);
  EXPECT_EQ(tutela::View(bytes), "xx456abcdef");
  EXPECT_EQ(::lseek(fd, 0, SEEK_CUR), 7);  // pread left the position where read() put it
  got = tutela::ReadAppendAt(fd, 16, bytes, 8, "f");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, 0u);
  EXPECT_EQ(bytes.size(), 11u);
  ::close(fd);
  got = tutela::ReadAppendAt(fd, 0, bytes, 8, "closed.log");
  ASSERT_FALSE(got.ok());
  EXPECT_NE(got.status().message().find("closed.log"), std::string::npos);
  EXPECT_EQ(bytes.size(), 11u);  // as it was
}
