// Writing CSV fields (RFC 4180), for every command and report that writes CSV or TSV.
// Thread-safety: reentrant.
#pragma once

#include <string>
#include <string_view>

namespace tutela {

// `value` as one CSV field: wrapped in double quotes, with inner quotes doubled, when `always_quote` is set or when
// it contains the delimiter, a double quote, CR or LF; otherwise unchanged.
std::string CsvField(std::string_view value, char delimiter = ',', bool always_quote = false);

// The same field appended to `out`, without a temporary string (for writers of many rows).
void AppendCsvField(std::string& out, std::string_view value, char delimiter = ',', bool always_quote = false);

}  // namespace tutela
