#include "tutela/core/csv.h"

namespace tutela {

std::string CsvField(std::string_view value, char delimiter, bool always_quote) {
  bool quote = always_quote;
  for (size_t at = 0; !quote && at < value.size(); ++at) {
    char c = value[at];
    quote = c == delimiter || c == '"' || c == '\n' || c == '\r';
  }
  if (!quote) return std::string(value);
  std::string quoted = "\"";
  for (char c : value) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

}  // namespace tutela
