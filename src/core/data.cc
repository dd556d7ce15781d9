#include "tutela/core/data.h"

#include <yaml-cpp/depthguard.h>

#include <string>
#include <unordered_set>

#include "tutela/core/file_util.h"
#include "tutela/core/json_text.h"

namespace tutela {
namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

std::string_view StripBom(std::string_view text) {
  if (text.substr(0, kUtf8Bom.size()) == kUtf8Bom) text.remove_prefix(kUtf8Bom.size());
  return text;
}

// nlohmann's what() reads "[json.exception.parse_error.101] parse error at line 3, column 14: syntax error while
// parsing value - unexpected '}'; expected ..."; keep the part after the position, which says what is wrong.
// nlohmann then adds "; last read: '<the token>'", which quotes the input: a whole string literal when the error is
// inside one ("last read: '\"jo.secret@example.com\\q'"). Inputs hold PII and secrets, and the position says where to
// look, so that part is dropped.
std::string JsonReason(const std::string& what) {
  size_t colon = what.find(": ", what.find("parse error"));
  std::string reason = colon == std::string::npos ? what : what.substr(colon + 2);
  size_t last_read = reason.find("; last read: ");
  if (last_read != std::string::npos) reason.erase(last_read);
  return reason;
}

// yaml-cpp keeps both entries of a mapping that names a key twice; `node["SG"]` then sees the first and a loop sees
// both, so one of `subjects: {SG: 620, SG: 40}` was silently dropped or counted twice. The first repeated key, if
// any, as "source:line:column: ..."; nodes reached again through an alias are not walked again (an alias bomb would
// otherwise be expanded).
std::optional<std::string> FindDuplicateKey(const YAML::Node& node, std::string_view source,
                                            std::unordered_set<size_t>& seen) {
  if (!node.IsMap() && !node.IsSequence()) return std::nullopt;
  if (!node.Mark().is_null() && !seen.insert(static_cast<size_t>(node.Mark().pos)).second) return std::nullopt;
  if (node.IsSequence()) {
    for (const YAML::Node& item : node) {
      if (auto found = FindDuplicateKey(item, source, seen)) return found;
    }
    return std::nullopt;
  }
  std::unordered_set<std::string> keys;
  for (const auto& entry : node) {
    if (entry.first.IsScalar() && !keys.insert(entry.first.Scalar()).second) {
      return YamlWhere(source, entry.first) + ": the key \"" + entry.first.Scalar() +
             "\" appears twice in this mapping; keep one of them.";
    }
    if (auto found = FindDuplicateKey(entry.second, source, seen)) return found;
  }
  return std::nullopt;
}

}  // namespace

TextPosition PositionOfOffset(std::string_view text, size_t offset) {
  TextPosition position;
  if (offset > text.size()) offset = text.size();
  for (size_t byte_idx = 0; byte_idx < offset; ++byte_idx) {
    if (text[byte_idx] == '\n') {
      ++position.line;
      position.column = 1;
    } else {
      ++position.column;
    }
  }
  return position;
}

Result<nlohmann::json> ParseJson(std::string_view text, std::string_view source) {
  text = StripBom(text);
  try {
    return nlohmann::json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::parse_error& error) {
    // error.byte is the 1-based index of the last byte read; point at it.
    TextPosition position = PositionOfOffset(text, error.byte == 0 ? 0 : error.byte - 1);
    return Status::InvalidArgument(std::string(source) + ":" + std::to_string(position.line) + ":" +
                                   std::to_string(position.column) + ": invalid JSON (" + JsonReason(error.what()) +
                                   "); correct the syntax at that position.");
  } catch (const nlohmann::json::out_of_range&) {
    // "[json.exception.out_of_range.406] number overflow parsing '1e400'": no position, and it quotes the input.
    return Status::InvalidArgument(std::string(source) +
                                   ": invalid JSON (a number is beyond the range of a double, e.g. 1e400); write it "
                                   "within about 1.8e308, or as a string.");
  } catch (const std::exception& error) {
    return Status::InvalidArgument(std::string(source) + ": invalid JSON (" + error.what() +
                                   "); the file must hold one JSON document.");
  }
}

Result<nlohmann::json> LoadJsonFile(const std::filesystem::path& path) {
  TUTELA_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  return ParseJson(text, path.string());
}

std::string DumpJson(const nlohmann::json& value, int indent) {
  return value.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string DumpJson(const nlohmann::ordered_json& value, int indent) {
  return value.dump(indent, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

std::string JsonStringOr(const nlohmann::json& object, std::string_view key, std::string_view fallback) {
  if (!object.is_object()) return std::string(fallback);
  auto found = object.find(key);
  if (found == object.end() || !found->is_string()) return std::string(fallback);
  return found->get<std::string>();
}

std::optional<std::string> FindNonUtf8(const nlohmann::json& value) {
  if (value.is_string()) {
    if (IsUtf8(value.get_ref<const std::string&>())) return std::nullopt;
    return std::string();
  }
  if (value.is_object()) {
    // The pointer step of a key (RFC 6901 escapes), built only for the member that is reported.
    auto step = [](const std::string& key) {
      std::string out = "/";
      for (char c : key) out += c == '~' ? std::string("~0") : c == '/' ? std::string("~1") : std::string(1, c);
      return out;
    };
    for (const auto& [key, member] : value.items()) {
      if (!IsUtf8(key)) return step(key);
      if (auto inner = FindNonUtf8(member)) return step(key) + *inner;
    }
  } else if (value.is_array()) {
    for (size_t index = 0; index < value.size(); ++index) {
      if (auto inner = FindNonUtf8(value[index])) return "/" + std::to_string(index) + *inner;
    }
  }
  return std::nullopt;
}

Result<YAML::Node> ParseYaml(std::string_view text, std::string_view source) {
  text = StripBom(text);
  try {
    YAML::Node document = YAML::Load(std::string(text));
    std::unordered_set<size_t> seen;
    if (auto duplicate = FindDuplicateKey(document, source, seen)) return Status::InvalidArgument(*duplicate);
    return document;
  } catch (const YAML::DeepRecursion& error) {
    // yaml-cpp's own message for this is "bad file".
    return Status::InvalidArgument(std::string(source) + ":" + std::to_string(error.mark.line + 1) + ":" +
                                   std::to_string(error.mark.column + 1) + ": invalid YAML (nested more than " +
                                   std::to_string(error.depth()) +
                                   " levels deep); flatten the document: no Tutela input needs that depth.");
  } catch (const YAML::Exception& error) {
    std::string where(source);
    if (!error.mark.is_null()) {
      where += ":" + std::to_string(error.mark.line + 1) + ":" + std::to_string(error.mark.column + 1);
    }
    return Status::InvalidArgument(where + ": invalid YAML (" + error.msg + "); correct the syntax at that position.");
  } catch (const std::exception& error) {
    return Status::InvalidArgument(std::string(source) + ": invalid YAML (" + error.what() + ").");
  }
}

Result<YAML::Node> LoadYamlFile(const std::filesystem::path& path) {
  TUTELA_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  return ParseYaml(text, path.string());
}

std::string YamlWhere(std::string_view source, const YAML::Node& node) {
  std::string where(source);
  YAML::Mark mark = node.Mark();
  if (!mark.is_null()) {
    where += ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
  }
  return where;
}

}  // namespace tutela
