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
