#include "tutela/pii/structured.h"

#include <algorithm>
#include <array>

#include "tutela/core/data.h"

namespace tutela::pii {

// ---------------------------------------------------------------------------------------------------------------
// CSV

char SniffCsvDelimiter(std::string_view sample) {
  static constexpr std::array<char, 4> kCandidates = {'\t', ',', ';', '|'};
  std::array<size_t, 4> minimum{};
  minimum.fill(SIZE_MAX);
  std::array<size_t, 4> counts{};
  size_t lines = 0;
  bool quoted = false;
  for (size_t at = 0; at < sample.size() && lines < 20; ++at) {
    char c = sample[at];
    if (c == '"') quoted = !quoted;
    if (quoted) continue;
    for (size_t candidate_idx = 0; candidate_idx < kCandidates.size(); ++candidate_idx) {
      if (c == kCandidates[candidate_idx]) ++counts[candidate_idx];
    }
    if (c == '\n') {
      for (size_t candidate_idx = 0; candidate_idx < kCandidates.size(); ++candidate_idx) {
        minimum[candidate_idx] = std::min(minimum[candidate_idx], counts[candidate_idx]);
        counts[candidate_idx] = 0;
      }
      ++lines;
    }
  }
  if (lines == 0) minimum = counts;  // one line without a newline
  size_t best = 1;                   // ','
  for (size_t candidate_idx = 0; candidate_idx < kCandidates.size(); ++candidate_idx) {
    if (minimum[candidate_idx] != SIZE_MAX && minimum[candidate_idx] > 0 &&
        (minimum[best] == SIZE_MAX || minimum[candidate_idx] > minimum[best])) {
      best = candidate_idx;
    }
  }
  return kCandidates[best];
}

CsvParser::CsvParser(char delimiter, size_t max_record_bytes)
    : delimiter_(delimiter), max_record_bytes_(max_record_bytes) {}

Result<size_t> CsvParser::Parse(std::string_view buffer, bool final,
                                const std::function<void(const CsvRecord&)>& on_record) {
  const size_t n = buffer.size();
  size_t consumed = 0;
  CsvRecord record;
  while (consumed < n) {
    record.begin = consumed;
    record.line = line_;
    record.fields.clear();
    uint64_t newlines_inside = 0;
    size_t at = consumed;
    bool complete = false;
    bool open_quote = false;
    while (true) {
      CsvField field;
      field.begin = at;
      bool need_more = false;
      if (at < n && buffer[at] == '"') {
        field.quoted = true;
        ++at;
        bool closed = false;
        while (at < n) {
          char c = buffer[at];
          if (c == '"') {
            if (at + 1 < n && buffer[at + 1] == '"') {
              field.value += '"';
              at += 2;
              continue;
            }
            if (at + 1 >= n && !final) break;  // cannot tell "" from a closing quote yet
            ++at;
            closed = true;
            break;
          }
          if (c == '\n') ++newlines_inside;
          field.value += c;
          ++at;
        }
        if (!closed) {
          need_more = true;
          open_quote = true;
        }
      }
      if (!need_more) {
        while (at < n && buffer[at] != delimiter_ && buffer[at] != '\n' && buffer[at] != '\r')
          field.value += buffer[at++];
        if (at >= n && !final) need_more = true;
      }
      if (need_more) break;
      field.end = at;
      record.fields.push_back(std::move(field));
      if (at >= n) {  // final record without a line ending
        record.line_ending = {};
        complete = true;
        break;
      }
      char c = buffer[at];
      if (c == delimiter_) {
        ++at;
        continue;
      }
      if (c == '\r') {
        if (at + 1 < n && buffer[at + 1] == '\n') {
          record.line_ending = buffer.substr(at, 2);
          at += 2;
        } else if (at + 1 >= n && !final) {
          break;  // the '\n' may be in the next chunk
        } else {
          record.line_ending = buffer.substr(at, 1);
          at += 1;
        }
      } else {
        record.line_ending = buffer.substr(at, 1);
        at += 1;
      }
      complete = true;
      break;
    }
    if (!complete) {
      if (final && open_quote) {
        return Status::InvalidArgument(
            "line " + std::to_string(line_) +
            ": a quoted field is never closed; add the missing '\"' or check the delimiter.");
      }
      if (n - consumed > max_record_bytes_) {
        return Status::InvalidArgument("line " + std::to_string(line_) + ": a record is longer than " +
                                       std::to_string(max_record_bytes_) + " bytes (an unclosed quote?).");
      }
      return consumed;
    }
    record.end = at;
    line_ += 1 + newlines_inside;
    on_record(record);
    consumed = at;
  }
  return consumed;
}

// ---------------------------------------------------------------------------------------------------------------
// JSON

namespace {

void AppendUtf8(uint32_t code_point, std::string* out) {
  if (code_point < 0x80) {
    *out += static_cast<char>(code_point);
  } else if (code_point < 0x800) {
    *out += static_cast<char>(0xC0 | (code_point >> 6));
    *out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else if (code_point < 0x10000) {
    *out += static_cast<char>(0xE0 | (code_point >> 12));
    *out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else {
    *out += static_cast<char>(0xF0 | (code_point >> 18));
    *out += static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
    *out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (code_point & 0x3F));
  }
}

void AppendPointerSegment(std::string_view segment, std::string* pointer) {
  *pointer += '/';
  for (char c : segment) {
    if (c == '~') {
      *pointer += "~0";
    } else if (c == '/') {
      *pointer += "~1";
    } else {
      *pointer += c;
    }
  }
}

class JsonWalker {
 public:
  JsonWalker(std::string_view json, std::string_view source) : json_(json), source_(source) {}

  Status Walk(const std::function<void(const JsonScalar&)>& on_scalar) {
    struct Frame {
      bool object;
      size_t pointer_length;
      size_t index;
      std::string key;
      size_t key_begin = 0;  // offset of the current member name's opening quote
    };
    std::vector<Frame> stack;
    std::string pointer;
    while (true) {
      // Expecting a value.
      SkipSpace();
      if (at_ >= json_.size()) return Error(at_, "the document ends where a value should be");
      char c = json_[at_];
      bool value_done = false;
      if (c == '{' || c == '[') {
        if (stack.size() >= kMaxJsonDepth) {
          return Error(at_, "nesting deeper than " + std::to_string(kMaxJsonDepth) + " levels");
        }
        stack.push_back({c == '{', pointer.size(), 0, {}, 0});
        ++at_;
        SkipSpace();
        char close = c == '{' ? '}' : ']';
        if (at_ < json_.size() && json_[at_] == close) {
          ++at_;
          stack.pop_back();
          value_done = true;
        } else if (c == '{') {
          stack.back().key_begin = at_;
          TUTELA_RETURN_IF_ERROR(ReadMemberName(&stack.back().key));
          AppendPointerSegment(stack.back().key, &pointer);
          continue;
        } else {
          pointer += "/0";
          continue;
        }
      } else {
        JsonScalar scalar;
        scalar.begin = at_;
        if (c == '"') {
          TUTELA_RETURN_IF_ERROR(ReadString(&scalar.value));
          scalar.is_string = true;
        } else {
          TUTELA_RETURN_IF_ERROR(ReadLiteral());
          scalar.value = std::string(json_.substr(scalar.begin, at_ - scalar.begin));
        }
        scalar.end = at_;
        scalar.pointer = pointer;
        scalar.member_begin = scalar.begin;
        if (!stack.empty() && stack.back().object) {
          scalar.key = stack.back().key;
          scalar.member_begin = stack.back().key_begin;
        }
        on_scalar(scalar);
        value_done = true;
      }
      // After a value: a separator, a closing bracket, or the end of the document.
      while (value_done) {
        SkipSpace();
        if (stack.empty()) {
          if (at_ != json_.size()) return Error(at_, "unexpected data after the end of the document");
          return Status::Ok();
        }
        Frame& frame = stack.back();
        if (at_ >= json_.size()) return Error(at_, "the document ends inside an object or array");
        char next = json_[at_];
        if (next == ',') {
          ++at_;
          pointer.resize(frame.pointer_length);
          if (frame.object) {
            SkipSpace();
            frame.key_begin = at_;
            TUTELA_RETURN_IF_ERROR(ReadMemberName(&frame.key));
            AppendPointerSegment(frame.key, &pointer);
          } else {
            pointer += "/" + std::to_string(++frame.index);
          }
          value_done = false;
        } else if (next == (frame.object ? '}' : ']')) {
          ++at_;
          pointer.resize(frame.pointer_length);
          stack.pop_back();
        } else {
          return Error(at_, frame.object ? "expected ',' or '}'" : "expected ',' or ']'");
        }
      }
    }
  }

 private:
  void SkipSpace() {
    while (at_ < json_.size() &&
           (json_[at_] == ' ' || json_[at_] == '\t' || json_[at_] == '\n' || json_[at_] == '\r')) {
      ++at_;
    }
  }

  Status Error(size_t offset, std::string_view problem) const {
    TextPosition position = PositionOfOffset(json_, offset);
    return Status::InvalidArgument(std::string(source_) + ":" + std::to_string(position.line) + ":" +
                                   std::to_string(position.column) + ": invalid JSON (" + std::string(problem) +
                                   "); correct the file at that position.");
  }

  Status ReadMemberName(std::string* key) {
    if (at_ >= json_.size() || json_[at_] != '"') return Error(at_, "expected a member name in double quotes");
    key->clear();
    TUTELA_RETURN_IF_ERROR(ReadString(key));
    SkipSpace();
    if (at_ >= json_.size() || json_[at_] != ':') return Error(at_, "expected ':' after the member name");
    ++at_;
    return Status::Ok();
  }

  Status ReadHex4(uint32_t* value) {
    if (at_ + 4 > json_.size()) return Error(at_, "a \\u escape needs four hex digits");
    uint32_t result = 0;
    for (int digit_idx = 0; digit_idx < 4; ++digit_idx) {
      char c = json_[at_++];
      result <<= 4;
      if (c >= '0' && c <= '9') {
        result |= static_cast<uint32_t>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        result |= static_cast<uint32_t>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        result |= static_cast<uint32_t>(c - 'A' + 10);
      } else {
        return Error(at_ - 1, "a \\u escape needs four hex digits");
      }
    }
    *value = result;
    return Status::Ok();
  }

  Status ReadString(std::string* out) {
    size_t start = at_;
    ++at_;  // opening quote
    while (true) {
      if (at_ >= json_.size()) return Error(start, "a string is never closed");
      unsigned char c = static_cast<unsigned char>(json_[at_]);
      if (c == '"') {
        ++at_;
        return Status::Ok();
      }
      if (c < 0x20) return Error(at_, "a control character must be escaped inside a string");
      if (c != '\\') {
        *out += static_cast<char>(c);
        ++at_;
        continue;
      }
      if (++at_ >= json_.size()) return Error(start, "a string is never closed");
      char escape = json_[at_++];
      switch (escape) {
        case '"':
        case '\\':
        case '/':
          *out += escape;
          break;
        case 'b':
          *out += '\b';
          break;
        case 'f':
          *out += '\f';
          break;
        case 'n':
          *out += '\n';
          break;
        case 'r':
          *out += '\r';
          break;
        case 't':
          *out += '\t';
          break;
        case 'u': {
          uint32_t unit = 0;
          TUTELA_RETURN_IF_ERROR(ReadHex4(&unit));
          if (unit >= 0xD800 && unit <= 0xDBFF && at_ + 1 < json_.size() && json_[at_] == '\\' &&
              json_[at_ + 1] == 'u') {
            size_t mark = at_;
            at_ += 2;
            uint32_t low = 0;
            TUTELA_RETURN_IF_ERROR(ReadHex4(&low));
            if (low >= 0xDC00 && low <= 0xDFFF) {
              unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
            } else {
              at_ = mark;  // a lone high surrogate followed by another escape
            }
          }
          AppendUtf8(unit, out);
          break;
        }
        default:
          return Error(at_ - 1, "unknown escape sequence");
      }
    }
  }

  Status ReadLiteral() {
    for (std::string_view word : {"true", "false", "null"}) {
      if (json_.substr(at_, word.size()) == word) {
        at_ += word.size();
        return Status::Ok();
      }
    }
    size_t start = at_;
    auto digits = [&] {
      size_t first = at_;
      while (at_ < json_.size() && json_[at_] >= '0' && json_[at_] <= '9') ++at_;
      return at_ - first;
    };
    if (at_ < json_.size() && json_[at_] == '-') ++at_;
    if (at_ < json_.size() && json_[at_] == '0') {
      ++at_;
    } else if (digits() == 0) {
      return Error(start, "expected a value");
    }
    if (at_ < json_.size() && json_[at_] == '.') {
      ++at_;
      if (digits() == 0) return Error(at_, "a number needs digits after '.'");
    }
    if (at_ < json_.size() && (json_[at_] == 'e' || json_[at_] == 'E')) {
      ++at_;
      if (at_ < json_.size() && (json_[at_] == '+' || json_[at_] == '-')) ++at_;
      if (digits() == 0) return Error(at_, "a number needs digits in its exponent");
    }
    return Status::Ok();
  }

  std::string_view json_;
  std::string_view source_;
  size_t at_ = 0;
};

}  // namespace

Status WalkJson(std::string_view json, std::string_view source,
                const std::function<void(const JsonScalar&)>& on_scalar) {
  JsonWalker walker(json, source);
  return walker.Walk(on_scalar);
}

bool JsonPointerMatches(std::string_view pattern, std::string_view pointer) {
  while (true) {
    if (pattern.empty() || pointer.empty()) return pattern.empty() && pointer.empty();
    if (pattern[0] != '/' || pointer[0] != '/') return pattern == pointer;
    pattern.remove_prefix(1);
    pointer.remove_prefix(1);
    size_t pattern_end = std::min(pattern.find('/'), pattern.size());
    size_t pointer_end = std::min(pointer.find('/'), pointer.size());
    std::string_view pattern_segment = pattern.substr(0, pattern_end);
    if (pattern_segment != "*" && pattern_segment != pointer.substr(0, pointer_end)) return false;
    pattern.remove_prefix(pattern_end);
    pointer.remove_prefix(pointer_end);
  }
}

}  // namespace tutela::pii
