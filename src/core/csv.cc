#include "tutela/core/csv.h"

namespace tutela {

void AppendCsvField(std::string& out, std::string_view value, char delimiter, bool always_quote) {
  bool quote = always_quote;
  for (size_t at = 0; !quote && at < value.size(); ++at) {
    char c = value[at];
    quote = c == delimiter || c == '"' || c == '\n' || c == '\r';
  }
  if (!quote) {
    out.append(value);
    return;
  }
  out += '"';
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

std::string CsvField(std::string_view value, char delimiter, bool always_quote) {
  std::string field;
  AppendCsvField(field, value, delimiter, always_quote);
  return field;
}

}  // namespace tutela
