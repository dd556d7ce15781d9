#include "tutela/core/json_text.h"

namespace tutela {

void AppendJsonString(std::string& out, std::string_view value) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  size_t plain_from = 0;
  for (size_t at = 0; at < value.size(); ++at) {
    unsigned char byte = static_cast<unsigned char>(value[at]);
    if (byte >= 0x20 && byte != '"' && byte != '\\') continue;
    out.append(value.data() + plain_from, at - plain_from);
    plain_from = at + 1;
    switch (byte) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += "\\u00";
        out += kHex[byte >> 4];
        out += kHex[byte & 0xf];
    }
  }
  out.append(value.data() + plain_from, value.size() - plain_from);
  out += '"';
}

std::string JsonQuote(std::string_view value) {
  std::string quoted;
  quoted.reserve(value.size() + 2);
  AppendJsonString(quoted, value);
  return quoted;
}

}  // namespace tutela
