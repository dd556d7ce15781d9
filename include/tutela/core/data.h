// Loading JSON and YAML documents with errors that point at the place.
//
// nlohmann-json and yaml-cpp throw; these adapters are the boundary where their exceptions become a Status whose
// message names the file, line and column, what is wrong there and what to do about it:
//   "examples/register.yaml:4:9: invalid YAML (illegal map value); correct the syntax at that position."
// Line and column numbers are 1-based, as editors show them.
//
// `source` arguments name where the text came from (a path, "<stdin>", "request body") and appear in messages.
// Thread-safety: all functions are reentrant.
#pragma once

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "tutela/core/status.h"

namespace tutela {

// Parses `text` as one JSON document. A UTF-8 byte-order mark is skipped.
// On error: InvalidArgument "source:line:column: invalid JSON (...); ...".
Result<nlohmann::json> ParseJson(std::string_view text, std::string_view source);

// Reads and parses a JSON file. NotFound/IoError when it cannot be read, InvalidArgument when it does not parse.
Result<nlohmann::json> LoadJsonFile(const std::filesystem::path& path);

// Parses `text` as one YAML document (an empty document is a Null node).
// On error: InvalidArgument "source:line:column: invalid YAML (...); ...".
Result<YAML::Node> ParseYaml(std::string_view text, std::string_view source);

// Reads and parses a YAML file. NotFound/IoError when it cannot be read, InvalidArgument when it does not parse.
Result<YAML::Node> LoadYamlFile(const std::filesystem::path& path);

// `value` as JSON text, as `value.dump(indent)` but never throwing: a string that is not well-formed UTF-8 (a file
// name in another encoding, a CSV cell, a YAML value, a URL) is written with U+FFFD for each ill-formed byte sequence
// (nlohmann's `error_handler_t::replace`, as AppendJsonString in json_text.h) instead of throwing type_error 316.
// Every JSON document Tutela writes goes through here, so that no input can turn output into an internal error.
// `indent` < 0 writes one line; otherwise objects and arrays are indented by that many spaces.
std::string DumpJson(const nlohmann::json& value, int indent = -1);
// The same for a document whose members keep their insertion order (without this overload an ordered_json would
// convert to json and come out sorted).
std::string DumpJson(const nlohmann::ordered_json& value, int indent = -1);

// object[key] when `object` is an object with a string there; `fallback` when it is absent or of another type.
// Use it instead of `json::value(key, "")`, which throws type_error 302 for `{"format": 5}` (reported as an internal
// error).
std::string JsonStringOr(const nlohmann::json& object, std::string_view key, std::string_view fallback = "");

// The JSON pointer (RFC 6901, e.g. "/details/requester") of the first string or object key in `value` that is not
// well-formed UTF-8, or nullopt when there is none. Records that must keep text exactly (a tamper-evident log entry)
// check this and refuse, where DumpJson would write U+FFFD.
std::optional<std::string> FindNonUtf8(const nlohmann::json& value);

// "source:line:column" for a node of a parsed YAML document, for messages about its content
// (e.g. `YamlWhere(path, node["controls"][3]) + ": unknown control \"X\"; ..."`). Just "source" if the node has no
// mark.
std::string YamlWhere(std::string_view source, const YAML::Node& node);

// 1-based line and column of byte `offset` in `text` (columns count bytes).
struct TextPosition {
  size_t line = 1;
  size_t column = 1;
};
TextPosition PositionOfOffset(std::string_view text, size_t offset);

}  // namespace tutela
