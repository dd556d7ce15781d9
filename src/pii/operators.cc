#include "tutela/pii/operators.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <vector>

namespace tutela::pii {
namespace {

constexpr std::array<std::string_view, 8> kOperatorNames = {"redact",     "replace",    "mask",     "hash",
                                                            "generalize", "date-shift", "suppress", "tokenize"};
constexpr std::array<std::string_view, 4> kGeneralizeNames = {"year", "age-band", "ip-prefix", "prefix"};

std::string JoinNames(std::span<const std::string_view> names) {
  std::string joined;
  for (std::string_view name : names) {
    if (!joined.empty()) joined += ", ";
    joined += name;
  }
  return joined;
}

bool IsSeparator(char c) {
  return c == ' ' || c == '-' || c == '.' || c == '@' || c == '/' || c == '(' || c == ')' || c == '+' || c == '_';
}

// Length of the UTF-8 sequence starting with `lead` (1 for ASCII and for stray continuation bytes).
size_t Utf8Length(unsigned char lead) {
  if (lead >= 0xF0) return 4;
  if (lead >= 0xE0) return 3;
  if (lead >= 0xC0) return 2;
  return 1;
}

// Splits UTF-8 text into characters (code point byte ranges), tolerating malformed input.
std::vector<std::string_view> Characters(std::string_view text) {
  std::vector<std::string_view> characters;
  for (size_t at = 0; at < text.size();) {
    size_t length = std::min(Utf8Length(static_cast<unsigned char>(text[at])), text.size() - at);
    characters.push_back(text.substr(at, length));
    at += length;
  }
  return characters;
}

std::string Mask(const OperatorSpec& spec, std::string_view value) {
  std::vector<std::string_view> characters = Characters(value);
  auto maskable = [&](std::string_view character) {
    return spec.mask_separators || character.size() != 1 || !IsSeparator(character[0]);
  };
  size_t total = 0;
  for (std::string_view character : characters) total += maskable(character) ? 1 : 0;
  // Keeping first/last characters must never reveal the whole value: then everything is masked.
  size_t keep_first = spec.keep_first, keep_last = spec.keep_last;
  if (keep_first + keep_last >= total) keep_first = keep_last = 0;
  std::string masked;
  size_t seen = 0;
  for (std::string_view character : characters) {
    if (!maskable(character)) {
      masked += character;
      continue;
    }
    bool keep = seen < keep_first || seen + keep_last >= total;
    masked += keep ? std::string(character) : std::string(1, spec.mask_char);
    ++seen;
  }
  return masked;
}

// A calendar date inside a value, with how it was written, so a shifted date can be written the same way.
struct FoundDate {
  std::chrono::year_month_day date;
  enum class Order { kYmd, kDmy, kMdy } order = Order::kYmd;
  char separator = '-';   // '\0' for YYYYMMDD
  std::string_view rest;  // what followed the date (a time of day, a zone), kept unchanged
};

bool Digits(std::string_view text, size_t at, size_t count, int* out) {
  if (at + count > text.size()) return false;
  int value = 0;
  for (size_t digit_idx = at; digit_idx < at + count; ++digit_idx) {
    if (text[digit_idx] < '0' || text[digit_idx] > '9') return false;
    value = value * 10 + (text[digit_idx] - '0');
  }
  *out = value;
  return true;
}

Result<FoundDate> FindDate(std::string_view value, bool month_first) {
  auto invalid = [] {
    return Status::InvalidArgument(
        "the value is not a date in a layout Tutela reads (YYYY-MM-DD, YYYY/MM/DD, YYYYMMDD, DD/MM/YYYY, DD.MM.YYYY, "
        "or MM/DD/YYYY with month_first); choose another operator for this field.");
  };
  FoundDate found;
  int first = 0, second = 0, third = 0;
  char sep = value.size() > 4 ? value[4] : '\0';
  if ((sep == '-' || sep == '/' || sep == '.') && Digits(value, 0, 4, &first) && value.size() >= 10 &&
      value[7] == sep && Digits(value, 5, 2, &second) && Digits(value, 8, 2, &third)) {
    found.date = std::chrono::year{first} / second / third;
    found.separator = sep;
    found.rest = value.substr(10);
  } else if (value.size() == 8 && Digits(value, 0, 4, &first) && Digits(value, 4, 2, &second) &&
             Digits(value, 6, 2, &third)) {
    found.date = std::chrono::year{first} / second / third;
    found.separator = '\0';
  } else if (value.size() >= 10 && (value[2] == '-' || value[2] == '/' || value[2] == '.') && value[5] == value[2] &&
             Digits(value, 0, 2, &first) && Digits(value, 3, 2, &second) && Digits(value, 6, 4, &third)) {
    bool mdy = month_first;
    if (first > 12) mdy = false;
    if (second > 12) mdy = true;
    found.order = mdy ? FoundDate::Order::kMdy : FoundDate::Order::kDmy;
    found.date = mdy ? std::chrono::year{third} / first / second : std::chrono::year{third} / second / first;
    found.separator = value[2];
    found.rest = value.substr(10);
  } else {
    return invalid();
  }
  if (!found.date.ok()) return invalid();
  return found;
}

std::string WriteDate(const FoundDate& found, std::chrono::year_month_day date) {
  int year = static_cast<int>(date.year());
  unsigned month = static_cast<unsigned>(date.month());
  unsigned day = static_cast<unsigned>(date.day());
  char buffer[32];
  char sep = found.separator;
  switch (found.order) {
    case FoundDate::Order::kYmd:
      if (sep == '\0') {
        std::snprintf(buffer, sizeof buffer, "%04d%02u%02u", year, month, day);
      } else {
        std::snprintf(buffer, sizeof buffer, "%04d%c%02u%c%02u", year, sep, month, sep, day);
      }
      break;
    case FoundDate::Order::kDmy:
      std::snprintf(buffer, sizeof buffer, "%02u%c%02u%c%04d", day, sep, month, sep, year);
      break;
    case FoundDate::Order::kMdy:
      std::snprintf(buffer, sizeof buffer, "%02u%c%02u%c%04d", month, sep, day, sep, year);
      break;
  }
  return std::string(buffer) + std::string(found.rest);
}

Result<std::string> IpPrefix(const OperatorSpec& spec, std::string_view value) {
  std::string text(value);
  unsigned char address[16];
  int family = text.find(':') != std::string::npos ? AF_INET6 : AF_INET;
  if (::inet_pton(family, text.c_str(), address) != 1) {
    return Status::InvalidArgument("the value is not an IPv4 or IPv6 address; choose another operator for this field.");
  }
  int bits = family == AF_INET ? spec.ip_prefix_v4 : spec.ip_prefix_v6;
  int total_bits = family == AF_INET ? 32 : 128;
  bits = std::clamp(bits, 0, total_bits);
  for (int bit = bits; bit < total_bits; ++bit) address[bit / 8] &= static_cast<unsigned char>(~(0x80 >> (bit % 8)));
  char buffer[INET6_ADDRSTRLEN];
  if (::inet_ntop(family, address, buffer, sizeof buffer) == nullptr) {
    return Status::Internal("could not format a generalized IP address.");
  }
  return std::string(buffer) + "/" + std::to_string(bits);
}

}  // namespace

Result<OperatorKind> ParseOperatorKind(std::string_view name) {
  for (size_t kind_idx = 0; kind_idx < kOperatorNames.size(); ++kind_idx) {
    if (kOperatorNames[kind_idx] == name) return static_cast<OperatorKind>(kind_idx);
  }
  return Status::InvalidArgument("unknown operator \"" + std::string(name) + "\"; the operators are " +
                                 JoinNames(kOperatorNames) + ".");
}

std::string_view OperatorName(OperatorKind kind) { return kOperatorNames[static_cast<size_t>(kind)]; }

Result<GeneralizeMode> ParseGeneralizeMode(std::string_view name) {
  for (size_t mode_idx = 0; mode_idx < kGeneralizeNames.size(); ++mode_idx) {
    if (kGeneralizeNames[mode_idx] == name) return static_cast<GeneralizeMode>(mode_idx);
  }
  return Status::InvalidArgument("unknown generalization \"" + std::string(name) + "\"; choose one of " +
                                 JoinNames(kGeneralizeNames) + ".");
}

namespace {

// A key for one purpose, derived from the master key: HMAC-SHA256(master, label).
std::string DeriveKey(std::string_view master_key, std::string_view label) {
  Digest256 derived = HmacSha256(master_key, label);
  return std::string(reinterpret_cast<const char*>(derived.data()), derived.size());
}

}  // namespace

OperatorEngine::OperatorEngine(std::string_view master_key)
    : hash_key_(DeriveKey(master_key, "tutela/operator/hash/v1")),
      date_shift_key_(DeriveKey(master_key, "tutela/operator/date-shift/v1")) {}

Result<OperatorResult> OperatorEngine::Apply(const OperatorSpec& spec, const OperatorInput& input) const {
  OperatorResult result;
  switch (spec.kind) {
    case OperatorKind::kRedact:
      break;
    case OperatorKind::kReplace: {
      std::string text = spec.replace_template;
      for (size_t at = text.find("{entity}"); at != std::string::npos; at = text.find("{entity}", at)) {
        text.replace(at, 8, input.entity);
        at += input.entity.size();
      }
      result.text = std::move(text);
      break;
    }
    case OperatorKind::kMask:
      result.text = Mask(spec, input.value);
      break;
    case OperatorKind::kHash: {
      Digest256 digest = hash_key_.Compute(input.value);
      result.text = ToHex(digest).substr(0, std::clamp<size_t>(spec.hash_length, 16, 64));
      break;
    }
    case OperatorKind::kGeneralize: {
      TUTELA_ASSIGN_OR_RETURN(result.text, Generalize(spec, input.value));
      break;
    }
    case OperatorKind::kDateShift: {
      TUTELA_ASSIGN_OR_RETURN(result.text, DateShift(spec, input));
      break;
    }
    case OperatorKind::kSuppress:
      result.suppress = true;
      break;
    case OperatorKind::kTokenize:
      return Status::InvalidArgument("tokenize is reversible and is applied by a Tokenizer, not an OperatorEngine.");
  }
  return result;
}

Result<std::string> OperatorEngine::Generalize(const OperatorSpec& spec, std::string_view value) const {
  switch (spec.generalize) {
    case GeneralizeMode::kYear: {
      TUTELA_ASSIGN_OR_RETURN(FoundDate found, FindDate(value, spec.month_first));
      return std::to_string(static_cast<int>(found.date.year()));
    }
    case GeneralizeMode::kAgeBand: {
      TUTELA_ASSIGN_OR_RETURN(FoundDate found, FindDate(value, spec.month_first));
      Timestamp reference = spec.age_reference == Timestamp{} ? NowUtc() : spec.age_reference;
      std::chrono::year_month_day today{std::chrono::floor<std::chrono::days>(reference)};
      int age = static_cast<int>(today.year()) - static_cast<int>(found.date.year());
      if (today.month() < found.date.month() ||
          (today.month() == found.date.month() && today.day() < found.date.day())) {
        --age;
      }
      if (age < 0) return Status::InvalidArgument("the date of birth is after the reference date; check the data.");
      int width = std::max(1, spec.age_band_width);
      int low = age / width * width;
      return std::to_string(low) + "-" + std::to_string(low + width - 1);
    }
    case GeneralizeMode::kIpPrefix:
      return IpPrefix(spec, value);
    case GeneralizeMode::kPrefix: {
      std::vector<std::string_view> characters = Characters(value);
      std::string kept;
      for (size_t char_idx = 0; char_idx < characters.size(); ++char_idx) {
        kept += char_idx < spec.keep_prefix ? std::string(characters[char_idx]) : std::string(1, spec.mask_char);
      }
      return kept;
    }
  }
  return Status::Internal("unhandled generalization mode.");
}

Result<std::string> OperatorEngine::DateShift(const OperatorSpec& spec, const OperatorInput& input) const {
  if (input.subject.empty()) {
    return Status::InvalidArgument(
        "date-shift needs the subject each date belongs to (a subject column or key path in the policy), so that "
        "one person's dates move together.");
  }
  TUTELA_ASSIGN_OR_RETURN(FoundDate found, FindDate(input.value, spec.month_first));
  int max_days = std::max(1, spec.date_shift_max_days);
  Digest256 digest = date_shift_key_.Compute(input.subject);
  uint64_t draw = 0;
  for (size_t byte_idx = 0; byte_idx < 8; ++byte_idx) draw = (draw << 8) | digest[byte_idx];
  int64_t offset = static_cast<int64_t>(draw % (2 * static_cast<uint64_t>(max_days))) - max_days;
  if (offset >= 0) ++offset;  // never 0: an unshifted date would defeat the operator
  std::chrono::sys_days shifted = std::chrono::sys_days{found.date} + std::chrono::days{offset};
  return WriteDate(found, std::chrono::year_month_day{shifted});
}

}  // namespace tutela::pii
