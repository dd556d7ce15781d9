// UTC time: RFC 3339 parsing and formatting.
//
// Tutela keeps every instant as a UTC `Timestamp` with microsecond precision (retention dates, notification
// deadlines, log entries). Parsing accepts RFC 3339 date-times with `Z` or a numeric offset and converts to UTC;
// local times without an offset are refused, because a deadline computed from an ambiguous time is wrong somewhere.
// Thread-safety: all functions are reentrant.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "tutela/core/status.h"

namespace tutela {

using Timestamp = std::chrono::sys_time<std::chrono::microseconds>;

// The current UTC time.
Timestamp NowUtc();

// Parses "2026-03-02T09:00:00Z", "2026-03-02T17:00:00.250+08:00", "2026-03-02t09:00:00z" (RFC 3339 §5.6; a space
// may replace the T as RFC 3339 allows). Fractions beyond microseconds are truncated. InvalidArgument naming the
// problem (format, month 13, February 30, offset out of range) for anything else.
Result<Timestamp> ParseRfc3339(std::string_view text);

// Parses a calendar date "2026-12-31" as midnight UTC of that day.
Result<Timestamp> ParseDate(std::string_view text);

enum class TimePrecision { kSeconds, kMilliseconds, kMicroseconds };

// "2026-03-02T09:00:00Z" (or with .mmm / .uuuuuu).
std::string FormatRfc3339(Timestamp time, TimePrecision precision = TimePrecision::kSeconds);

// "2026-03-02".
std::string FormatDate(Timestamp time);

}  // namespace tutela
