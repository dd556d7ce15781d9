// Structure-preserving readers for CSV/TSV and JSON: they report where every field or scalar value lies in the
// input bytes, with its decoded value and its place (column name, JSON Pointer), without rebuilding the document.
//
// Scanning uses the places as context and locations ("customers.csv" column "email", "/events/3/ip"); redaction
// splices replacements into the original bytes and copies everything else unchanged — quoting, spacing, key order,
// line endings — so that a restore can reproduce the input byte for byte.
//
// CSV follows RFC 4180 with the leniency real files need: LF or CRLF line endings, quotes inside an unquoted field
// taken literally, text after a closing quote kept in the field. Records may span chunks: CsvParser consumes whole
// records and leaves the rest for the next call. JSON is RFC 8259, parsed iteratively (no recursion, so nesting
// depth cannot overflow the stack; it is capped at kMaxJsonDepth).
//
// Thread-safety: a CsvParser belongs to one thread; WalkJson is reentrant.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "tutela/core/status.h"

namespace tutela::pii {

struct CsvField {
  size_t begin = 0;  // byte offset of the raw field in the buffer given to Parse (quotes included)
  size_t end = 0;
  bool quoted = false;
  std::string value;  // unquoted, "" unescaped
};

struct CsvRecord {
  size_t begin = 0;              // offset of the record's first byte in the buffer
  size_t end = 0;                // offset after its line ending
  uint64_t line = 0;             // 1-based line where the record starts
  std::string_view line_ending;  // "\n", "\r\n" or "" (last record without one)
  std::vector<CsvField> fields;
};

// The delimiter a sample most likely uses: tab, ',', ';' or '|' (',' when nothing stands out).
char SniffCsvDelimiter(std::string_view sample);

class CsvParser {
 public:
  explicit CsvParser(char delimiter, size_t max_record_bytes = 64 << 20);

  // Parses the complete records at the start of `buffer` (which must begin at a record boundary) and returns the
  // number of bytes consumed; the caller keeps the rest and calls again with more data appended. With `final`, a
  // last record without a line ending counts as complete. InvalidArgument "line N: ..." when a quoted field is never
  // closed (at `final`) or a record exceeds max_record_bytes.
  Result<size_t> Parse(std::string_view buffer, bool final, const std::function<void(const CsvRecord&)>& on_record);

 private:
  char delimiter_;
  size_t max_record_bytes_;
  uint64_t line_ = 1;
};

// Writing a replaced field back: tutela::CsvField (tutela/core/csv.h).

inline constexpr size_t kMaxJsonDepth = 1024;

struct JsonScalar {
  std::string pointer;  // RFC 6901 JSON Pointer of the value, e.g. "/events/3/ip"
  std::string key;      // the member name holding it (decoded), "" for array elements and the root
  size_t begin = 0;     // raw bytes of the value in the input (a string's quotes included)
  size_t end = 0;
  size_t member_begin = 0;  // where the object member holding it starts (its name's quote); `begin` otherwise
  bool is_string = false;
  std::string value;  // decoded string, or the raw number / true / false / null text

  bool is_number() const { return !is_string && value != "true" && value != "false" && value != "null"; }
};

// Walks every scalar of one JSON document in document order. InvalidArgument "source:line:column: ..." on malformed
// input, deeper nesting than kMaxJsonDepth, or trailing data; values already reported stay reported.
Status WalkJson(std::string_view json, std::string_view source,
                const std::function<void(const JsonScalar&)>& on_scalar);

// True when JSON Pointer `pointer` matches `pattern`, a pointer whose "*" segments match any one segment.
bool JsonPointerMatches(std::string_view pattern, std::string_view pointer);

}  // namespace tutela::pii
