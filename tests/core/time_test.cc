#include "tutela/core/time.h"

#include <gtest/gtest.h>

namespace tutela {
namespace {

std::string RoundTrip(std::string_view text, TimePrecision precision = TimePrecision::kSeconds) {
  auto parsed = ParseRfc3339(text);
  if (!parsed.ok()) return "error: " + parsed.status().message();
  return FormatRfc3339(*parsed, precision);
}

TEST(TimeTest, ParsesUtcAndOffsets) {
  EXPECT_EQ(RoundTrip("2026-03-02T09:00:00Z"), "2026-03-02T09:00:00Z");
  EXPECT_EQ(RoundTrip("2026-03-02T17:00:00+08:00"), "2026-03-02T09:00:00Z");
  EXPECT_EQ(RoundTrip("2026-03-01T23:30:00-09:30"), "2026-03-02T09:00:00Z");
  EXPECT_EQ(RoundTrip("2026-03-02t09:00:00z"), "2026-03-02T09:00:00Z");
  EXPECT_EQ(RoundTrip("2026-03-02 09:00:00Z"), "2026-03-02T09:00:00Z");
}

TEST(TimeTest, FractionsAndPrecision) {
  EXPECT_EQ(RoundTrip("2026-03-02T09:00:00.25Z", TimePrecision::kMilliseconds), "2026-03-02T09:00:00.250Z");
  EXPECT_EQ(RoundTrip("2026-03-02T09:00:00.123456789Z", TimePrecision::kMicroseconds), "2026-03-02T09:00:00.123456Z");
}

TEST(TimeTest, CrossesYearAndLeapDay) {
  EXPECT_EQ(RoundTrip("2025-01-01T01:00:00+02:00"), "2024-12-31T23:00:00Z");
  EXPECT_EQ(RoundTrip("2028-02-29T12:00:00Z"), "2028-02-29T12:00:00Z");
}

TEST(TimeTest, RefusesInvalidTimes) {
  for (std::string_view bad : {"2026-02-30T00:00:00Z", "2027-02-29T00:00:00Z", "2026-13-01T00:00:00Z",
                               "2026-03-02T24:00:00Z", "2026-03-02T09:00:00", "2026-03-02", "2026-3-2T09:00:00Z",
                               "2026-03-02T09:00:00+8:00", "2026-03-02T09:00:00Zjunk", "2026-03-02T09:00:00.Z", ""}) {
    auto parsed = ParseRfc3339(bad);
    EXPECT_FALSE(parsed.ok()) << bad;
    if (!parsed.ok()) {
      EXPECT_NE(parsed.status().message().find("RFC 3339"), std::string::npos);
    }
  }
}

TEST(TimeTest, Dates) {
  auto date = ParseDate("2026-12-31");
  ASSERT_TRUE(date.ok());
  EXPECT_EQ(FormatRfc3339(*date), "2026-12-31T00:00:00Z");
  EXPECT_EQ(FormatDate(*date), "2026-12-31");
  EXPECT_FALSE(ParseDate("2026-02-30").ok());
  EXPECT_FALSE(ParseDate("2026-12-31T00:00:00Z").ok());
}

TEST(TimeTest, NowIsAfterThisCodeWasWritten) { EXPECT_GT(NowUtc(), *ParseRfc3339("2026-01-01T00:00:00Z")); }

}  // namespace
}  // namespace tutela
