#include "tutela/core/json_text.h"

#include <utility>

namespace tutela {

namespace {

// At value[at], a byte of 0x80 or above: how many bytes form a well-formed UTF-8 sequence there (Unicode Table 3-7:
// no overlong forms, no surrogates, nothing above U+10FFFF), and whether they are whole. When they are not, the
// count is the "maximal subpart" (the longest prefix that could have begun a valid sequence, at least one byte),
// which Unicode recommends replacing with one U+FFFD, as nlohmann-json does.
std::pair<size_t, bool> Utf8Sequence(std::string_view value, size_t at) {
  auto byte = [&](size_t offset) {
    return at + offset < value.size() ? static_cast<unsigned char>(value[at + offset]) : 0u;
  };
  unsigned char lead = byte(0);
  size_t need = 0;
  unsigned char low = 0x80, high = 0xBF;  // the range of the second byte
  if (lead >= 0xC2 && lead <= 0xDF) {
    need = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    need = 3;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    need = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    return {1, false};
  }
  for (size_t offset = 1; offset < need; ++offset) {
    unsigned char next = byte(offset);
    bool ok = offset == 1 ? next >= low && next <= high : next >= 0x80 && next <= 0xBF;
    if (!ok) return {offset, false};
  }
  return {need, true};
}

}  // namespace

void AppendJsonString(std::string& out, std::string_view value) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  size_t plain_from = 0;
  for (size_t at = 0; at < value.size(); ++at) {
    unsigned char byte = static_cast<unsigned char>(value[at]);
    if (byte >= 0x20 && byte < 0x80 && byte != '"' && byte != '\\') continue;
    if (byte >= 0x80) {
      auto [length, whole] = Utf8Sequence(value, at);
      if (!whole) {
        out.append(value.data() + plain_from, at - plain_from);
        plain_from = at + length;
        out += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER
      }
      at += length - 1;
      continue;
    }
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
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
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

bool IsUtf8(std::string_view value) {
  for (size_t at = 0; at < value.size(); ++at) {
    if (static_cast<unsigned char>(value[at]) < 0x80) continue;
    auto [length, whole] = Utf8Sequence(value, at);
    if (!whole) return false;
    at += length - 1;
  }
  return true;
}

std::string JsonQuote(std::string_view value) {
  std::string quoted;
  quoted.reserve(value.size() + 2);
  AppendJsonString(quoted, value);
  return quoted;
}

}  // namespace tutela
