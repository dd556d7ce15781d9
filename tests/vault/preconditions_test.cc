// Conditional GET/HEAD: RFC 7232 §6 evaluation order as S3 applies it, ETag lists and HTTP dates.
#include <gtest/gtest.h>

#include "tutela/vault/s3_server.h"

namespace tutela::vault {
namespace {

const std::string kEtag = "\"5d41402abc4b2a76b9719d911017c592\"";

Timestamp Modified() { return *ParseRfc3339("2026-11-30T12:00:00.250Z"); }

std::string CodeOf(const Preconditions& conditions) {
  Status status = CheckPreconditions(conditions, kEtag, Modified());
  return status.ok() ? "OK" : S3ErrorOf(status).code + " " + std::to_string(S3ErrorOf(status).http_status);
}

TEST(PreconditionsTest, HttpDatesParseOnlyInImfFixdate) {
  EXPECT_EQ(ParseHttpDate("Mon, 30 Nov 2026 12:00:00 GMT"), *ParseRfc3339("2026-11-30T12:00:00Z"));
  EXPECT_EQ(ParseHttpDate("2026-11-30T12:00:00Z"), std::nullopt);
  EXPECT_EQ(ParseHttpDate("Mon, 30 Nov 2026 12:00:00 GMT trailing"), std::nullopt);
  EXPECT_EQ(ParseHttpDate(""), std::nullopt);
}

TEST(PreconditionsTest, DatesCompareAtWholeSeconds) {
  // Last-Modified is sent as 12:00:00 (its milliseconds are dropped): "not modified since 12:00:00" must hold.
  EXPECT_EQ(CodeOf({.if_modified_since = "Mon, 30 Nov 2026 12:00:00 GMT"}), "NotModified 304");
  EXPECT_EQ(CodeOf({.if_modified_since = "Mon, 30 Nov 2026 11:59:59 GMT"}), "OK");
  EXPECT_EQ(CodeOf({.if_unmodified_since = "Mon, 30 Nov 2026 12:00:00 GMT"}), "OK");
  EXPECT_EQ(CodeOf({.if_unmodified_since = "Mon, 30 Nov 2026 11:59:59 GMT"}), "PreconditionFailed 412");
  EXPECT_EQ(CodeOf({.if_modified_since = "yesterday"}), "OK");  // not a date: ignored
}

TEST(PreconditionsTest, EtagConditionsOverrideDateConditions) {
  // A holding If-Match wins over a failing If-Unmodified-Since; a failing If-Match fails whatever the date says.
  EXPECT_EQ(CodeOf({.if_match = kEtag, .if_unmodified_since = "Mon, 30 Nov 2026 11:00:00 GMT"}), "OK");
  EXPECT_EQ(CodeOf({.if_match = "\"other\"", .if_unmodified_since = "Mon, 30 Nov 2026 13:00:00 GMT"}),
            "PreconditionFailed 412");
  // If-None-Match decides instead of If-Modified-Since.
  EXPECT_EQ(CodeOf({.if_none_match = "\"other\"", .if_modified_since = "Mon, 30 Nov 2026 13:00:00 GMT"}), "OK");
  EXPECT_EQ(CodeOf({.if_none_match = kEtag, .if_modified_since = "Mon, 30 Nov 2026 11:00:00 GMT"}), "NotModified 304");
}

TEST(PreconditionsTest, EtagListsStarsAndWeakTags) {
  EXPECT_EQ(CodeOf({.if_match = "*"}), "OK");
  EXPECT_EQ(CodeOf({.if_match = "\"a\", " + kEtag}), "OK");
  EXPECT_EQ(CodeOf({.if_match = "5d41402abc4b2a76b9719d911017c592"}), "OK");  // unquoted, as some clients send
  EXPECT_EQ(CodeOf({.if_none_match = "W/" + kEtag}), "NotModified 304");
  EXPECT_EQ(CodeOf({.if_none_match = "\"a\",\"b\""}), "OK");
  EXPECT_EQ(CodeOf({}), "OK");
}

}  // namespace
}  // namespace tutela::vault
