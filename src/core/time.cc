#include "tutela/core/time.h"

#include <cstdio>

namespace tutela {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::microseconds;
using std::chrono::minutes;
using std::chrono::seconds;

Status Invalid(std::string_view text, std::string_view problem) {
  return Status::InvalidArgument("\"" + std::string(text) + "\" is not an RFC 3339 UTC time (" + std::string(problem) +
                                 "); write it like 2026-03-02T09:00:00Z or 2026-03-02T17:00:00+08:00.");
}

bool ReadDigits(std::string_view text, size_t position, size_t count, int* value) {
  if (position + count > text.size()) return false;
  int result = 0;
  for (size_t digit_idx = position; digit_idx < position + count; ++digit_idx) {
    char c = text[digit_idx];
    if (c < '0' || c > '9') return false;
    result = result * 10 + (c - '0');
  }
  *value = result;
  return true;
}

Result<std::chrono::sys_days> ParseCalendarDate(std::string_view full_text, std::string_view text) {
  int year = 0, month = 0, day = 0;
  if (text.size() < 10 || !ReadDigits(text, 0, 4, &year) || text[4] != '-' || !ReadDigits(text, 5, 2, &month) ||
      text[7] != '-' || !ReadDigits(text, 8, 2, &day)) {
    return Invalid(full_text, "the date must be YYYY-MM-DD");
  }
  if (month < 1 || month > 12) return Invalid(full_text, "month " + std::to_string(month) + " does not exist");
  std::chrono::year_month_day date{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                                   std::chrono::day{static_cast<unsigned>(day)}};
  if (!date.ok()) return Invalid(full_text, "day " + std::to_string(day) + " does not exist in that month");
  return std::chrono::sys_days{date};
}

}  // namespace

Timestamp NowUtc() { return std::chrono::time_point_cast<microseconds>(std::chrono::system_clock::now()); }

Result<Timestamp> ParseRfc3339(std::string_view text) {
  TUTELA_ASSIGN_OR_RETURN(std::chrono::sys_days date, ParseCalendarDate(text, text));
  if (text.size() < 20) return Invalid(text, "a time of day and a zone are required");
  char separator = text[10];
  if (separator != 'T' && separator != 't' && separator != ' ') return Invalid(text, "expected 'T' after the date");
  int hour = 0, minute = 0, second = 0;
  if (!ReadDigits(text, 11, 2, &hour) || text[13] != ':' || !ReadDigits(text, 14, 2, &minute) || text[16] != ':' ||
      !ReadDigits(text, 17, 2, &second)) {
    return Invalid(text, "the time must be HH:MM:SS");
  }
  if (hour > 23 || minute > 59 || second > 59) return Invalid(text, "hour, minute or second out of range");
  size_t position = 19;
  int64_t micros = 0;
  if (position < text.size() && text[position] == '.') {
    ++position;
    size_t digits = 0;
    while (position < text.size() && text[position] >= '0' && text[position] <= '9') {
      if (digits < 6) micros = micros * 10 + (text[position] - '0');
      ++digits;
      ++position;
    }
    if (digits == 0) return Invalid(text, "a '.' must be followed by digits");
    for (size_t pad = digits; pad < 6; ++pad) micros *= 10;
  }
  if (position >= text.size()) return Invalid(text, "the zone is missing: add Z for UTC or an offset like +08:00");
  int offset_minutes = 0;
  char zone = text[position];
  if (zone == 'Z' || zone == 'z') {
    ++position;
  } else if (zone == '+' || zone == '-') {
    int offset_hour = 0, offset_minute = 0;
    if (!ReadDigits(text, position + 1, 2, &offset_hour) || position + 3 >= text.size() || text[position + 3] != ':' ||
        !ReadDigits(text, position + 4, 2, &offset_minute)) {
      return Invalid(text, "the offset must be +HH:MM or -HH:MM");
    }
    if (offset_hour > 23 || offset_minute > 59) return Invalid(text, "offset out of range");
    offset_minutes = (offset_hour * 60 + offset_minute) * (zone == '-' ? -1 : 1);
    position += 6;
  } else {
    return Invalid(text, "the zone must be Z or an offset like +08:00");
  }
  if (position != text.size()) return Invalid(text, "unexpected text after the zone");
  Timestamp local = std::chrono::time_point_cast<microseconds>(date) + hours(hour) + minutes(minute) + seconds(second) +
                    microseconds(micros);
  return local - minutes(offset_minutes);
}

Result<Timestamp> ParseDate(std::string_view text) {
  if (text.size() != 10) {
    return Status::InvalidArgument("\"" + std::string(text) + "\" is not a date; write it as YYYY-MM-DD.");
  }
  auto date = ParseCalendarDate(text, text);
  if (!date.ok()) {
    return Status::InvalidArgument("\"" + std::string(text) + "\" is not a valid date; write it as YYYY-MM-DD.");
  }
  return std::chrono::time_point_cast<microseconds>(*date);
}

std::string FormatRfc3339(Timestamp time, TimePrecision precision) {
  std::chrono::sys_days day = std::chrono::floor<days>(time);
  std::chrono::year_month_day date{day};
  std::chrono::hh_mm_ss<microseconds> clock{time - day};
  char buffer[64];
  int length = std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02uT%02d:%02d:%02d", static_cast<int>(date.year()),
                             static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                             static_cast<int>(clock.hours().count()), static_cast<int>(clock.minutes().count()),
                             static_cast<int>(clock.seconds().count()));
  std::string text(buffer, static_cast<size_t>(length));
  int64_t micros = clock.subseconds().count();
  if (precision == TimePrecision::kMilliseconds) {
    std::snprintf(buffer, sizeof buffer, ".%03lld", static_cast<long long>(micros / 1000));
    text += buffer;
  } else if (precision == TimePrecision::kMicroseconds) {
    std::snprintf(buffer, sizeof buffer, ".%06lld", static_cast<long long>(micros));
    text += buffer;
  }
  text += 'Z';
  return text;
}

std::string FormatDate(Timestamp time) { return FormatRfc3339(time).substr(0, 10); }

}  // namespace tutela
