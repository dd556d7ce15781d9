#include "tutela/policy/checks.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <regex>
#include <set>
#include <thread>

#include "tutela/core/data.h"
#include "tutela/core/file_util.h"

namespace tutela::policy {

using inventory::AttributePath;
using inventory::Lookup;
using inventory::LookupState;
using simdjson::dom::element;
using simdjson::dom::element_type;

namespace {

enum class Tri { kFalse, kTrue, kUnknown };
Tri And(Tri a, Tri b) {
  if (a == Tri::kFalse || b == Tri::kFalse) return Tri::kFalse;
  if (a == Tri::kUnknown || b == Tri::kUnknown) return Tri::kUnknown;
  return Tri::kTrue;
}
Tri Or(Tri a, Tri b) {
  if (a == Tri::kTrue || b == Tri::kTrue) return Tri::kTrue;
  if (a == Tri::kUnknown || b == Tri::kUnknown) return Tri::kUnknown;
  return Tri::kFalse;
}
Tri Not(Tri a) { return a == Tri::kUnknown ? a : (a == Tri::kTrue ? Tri::kFalse : Tri::kTrue); }

// A literal from a check definition.
struct Literal {
  enum Kind { kString, kNumber, kBool, kNull } kind = kNull;
  std::string text;
  double number = 0;
  bool flag = false;
};

Literal ToLiteral(const YAML::Node& node) {
  Literal literal;
  const std::string& text = node.Scalar();
  literal.text = text;
  if (node.Tag() == "!") {
    literal.kind = Literal::kString;
    return literal;
  }
  if (text == "true" || text == "false") {
    literal.kind = Literal::kBool;
    literal.flag = text == "true";
    return literal;
  }
  if (text == "null" || text == "~") return literal;
  char* end = nullptr;
  double number = std::strtod(text.c_str(), &end);
  if (!text.empty() && end == text.c_str() + text.size()) {
    literal.kind = Literal::kNumber;
    literal.number = number;
    return literal;
  }
  literal.kind = Literal::kString;
  return literal;
}

bool NumberOf(element value, double& out) {
  switch (value.type()) {
    case element_type::INT64:
      out = static_cast<double>(value.get_int64().value_unsafe());
      return true;
    case element_type::UINT64:
      out = static_cast<double>(value.get_uint64().value_unsafe());
      return true;
    case element_type::DOUBLE:
      out = value.get_double().value_unsafe();
      return true;
    case element_type::STRING: {
      std::string text(value.get_string().value_unsafe());
      char* end = nullptr;
      out = std::strtod(text.c_str(), &end);
      return !text.empty() && end == text.c_str() + text.size();
    }
    default:
      return false;
  }
}

bool Matches(element value, const Literal& literal) {
  switch (literal.kind) {
    case Literal::kString: {
      std::string_view text;
      if (value.get_string().get(text) == simdjson::SUCCESS) return text == literal.text;
      double number = 0;
      return NumberOf(value, number) && literal.text == std::to_string(number);
    }
    case Literal::kNumber: {
      double number = 0;
      return NumberOf(value, number) && number == literal.number;
    }
    case Literal::kBool: {
      bool flag = false;
      if (value.get_bool().get(flag) == simdjson::SUCCESS) return flag == literal.flag;
      std::string_view text;
      return value.get_string().get(text) == simdjson::SUCCESS && text == (literal.flag ? "true" : "false");
    }
    case Literal::kNull:
      return value.type() == element_type::NULL_VALUE;
  }
  return false;
}

struct Network {
  int family = 0;  // AF_INET / AF_INET6
  std::array<unsigned char, 16> bytes{};
  int prefix = 0;
};

// Reads a list of ports ("22" or "1433-1434") into `ports`. Returns the first entry that is neither, or a null node
// when every entry was read.
YAML::Node ReadPorts(const YAML::Node& list, std::vector<std::pair<int64_t, int64_t>>* ports) {
  for (const YAML::Node& port : list) {
    long low = 0, high = 0;
    std::string text = port.Scalar();
    if (std::sscanf(text.c_str(), "%ld-%ld", &low, &high) == 2) {
      ports->emplace_back(low, high);
    } else if (std::sscanf(text.c_str(), "%ld", &low) == 1) {
      ports->emplace_back(low, low);
    } else {
      return port;
    }
  }
  return YAML::Node(YAML::NodeType::Undefined);
}

bool ParseNetwork(std::string_view text, Network& out) {
  std::string address(text);
  int prefix = -1;
  if (size_t slash = address.find('/'); slash != std::string::npos) {
    char* end = nullptr;
    long parsed = std::strtol(address.c_str() + slash + 1, &end, 10);
    if (end == address.c_str() + slash + 1 || *end != '\0') return false;
    prefix = static_cast<int>(parsed);
    address.resize(slash);
  }
  if (inet_pton(AF_INET, address.c_str(), out.bytes.data()) == 1) {
    out.family = AF_INET;
    out.prefix = prefix < 0 ? 32 : prefix;
    return out.prefix <= 32;
  }
  if (inet_pton(AF_INET6, address.c_str(), out.bytes.data()) == 1) {
    out.family = AF_INET6;
    out.prefix = prefix < 0 ? 128 : prefix;
    return out.prefix <= 128;
  }
  return false;
}

// True when `outer` contains every address of `inner`.
bool Contains(const Network& outer, const Network& inner) {
  if (outer.family != inner.family || outer.prefix > inner.prefix) return false;
  int full = outer.prefix / 8, rest = outer.prefix % 8;
  if (std::memcmp(outer.bytes.data(), inner.bytes.data(), full) != 0) return false;
  if (rest == 0) return true;
  unsigned char mask = static_cast<unsigned char>(0xFF << (8 - rest));
  return (outer.bytes[full] & mask) == (inner.bytes[full] & mask);
}

// Parses a port expression ("22", "80-443", "22,80", "ALL", "-1", "0-65535") into inclusive ranges.
bool ParsePorts(element value, std::vector<std::pair<int64_t, int64_t>>& out) {
  double number = 0;
  if (value.type() != element_type::STRING) {
    if (!NumberOf(value, number)) return false;
    out.emplace_back(static_cast<int64_t>(number), static_cast<int64_t>(number));
    return true;
  }
  std::string text(value.get_string().value_unsafe());
  std::transform(text.begin(), text.end(), text.begin(), ::tolower);
  if (text.empty() || text == "all" || text == "-1" || text == "*") {
    out.emplace_back(0, 65535);
    return true;
  }
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string part = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    size_t dash = part.find('-');
    char* end = nullptr;
    long low = std::strtol(part.c_str(), &end, 10);
    long high = low;
    if (dash != std::string::npos) high = std::strtol(part.c_str() + dash + 1, &end, 10);
    out.emplace_back(low, high);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return true;
}

}  // namespace

struct Scratch {
  std::vector<std::unique_ptr<simdjson::dom::parser>> parsers;  // one per nesting depth of `json:` conditions
  std::vector<simdjson::padded_string> texts;
  size_t depth = 0;
};

struct Context {
  element value;
  element unknown;
  bool has_unknown = false;
  const inventory::Estate* estate = nullptr;
  const inventory::Resource* resource = nullptr;
  Scratch* scratch = nullptr;
  const ResourceFacts* facts = nullptr;  // may be null
};

struct Condition {
  enum Kind {
    kAll,
    kAny,
    kNot,
    kExists,
    kEquals,
    kIn,
    kRegex,
    kCompare,
    kContains,
    kAnyItem,
    kAllItems,
    kCidrContains,
    kPortOverlaps,
    kPortRange,
    kJson,
    kLinked,
    kLength,
    kPii
  } kind = kAll;
  AttributePath path;
  AttributePath path_to;  // kPortRange's upper bound
  std::vector<std::shared_ptr<const Condition>> children;
  std::vector<Literal> literals;
  std::shared_ptr<std::regex> pattern;
  std::string op;  // gt ge lt le
  double number = 0;
  bool flag = true;  // exists: true/false
  Network network;
  std::vector<std::pair<int64_t, int64_t>> ports;
  std::string linked_type;

  Tri Eval(const Context& context) const;
};

namespace {
Lookup Find(const Context& context, const AttributePath& path) {
  return inventory::LookUp(context.value, context.unknown, context.has_unknown, path);
}

Tri CompareNumbers(double actual, const std::string& op, double expected) {
  bool result = op == "gt"   ? actual > expected
                : op == "ge" ? actual >= expected
                : op == "lt" ? actual < expected
                             : actual <= expected;
  return result ? Tri::kTrue : Tri::kFalse;
}

// Calls `visit` for each item of a list value (a non-list is one item). Stops early when visit returns false.
template <typename Visit>
void ForEachItem(const Lookup& found, Visit visit) {
  if (found.value.type() == element_type::ARRAY) {
    size_t index = 0;
    simdjson::dom::array items = found.value.get_array().value_unsafe();
    for (element item : items) {
      element unknown;
      bool has_unknown = found.has_unknown && found.unknown.type() == element_type::ARRAY &&
                         found.unknown.get_array().value_unsafe().at(index).get(unknown) == simdjson::SUCCESS;
      ++index;
      if (!visit(item, unknown, has_unknown)) return;
    }
    return;
  }
  visit(found.value, found.unknown, found.has_unknown);
}
}  // namespace

Tri Condition::Eval(const Context& context) const {
  switch (kind) {
    case kAll: {
      Tri result = Tri::kTrue;
      for (const auto& child : children) {
        result = And(result, child->Eval(context));
        if (result == Tri::kFalse) break;
      }
      return result;
    }
    case kAny: {
      Tri result = Tri::kFalse;
      for (const auto& child : children) {
        result = Or(result, child->Eval(context));
        if (result == Tri::kTrue) break;
      }
      return result;
    }
    case kNot:
      return Not(children[0]->Eval(context));
    case kPii: {
      if (!context.facts || context.facts->pii.empty()) return Tri::kFalse;
      size_t index = static_cast<size_t>(context.resource - context.estate->resources().data());
      if (index >= context.facts->pii.size()) return Tri::kFalse;
      const std::vector<std::string>& labels = context.facts->pii[index];
      for (const Literal& literal : literals) {
        if (std::find(labels.begin(), labels.end(), literal.text) != labels.end()) return Tri::kTrue;
      }
      return Tri::kFalse;
    }
    case kLinked: {
      Tri result = Tri::kFalse;
      for (uint32_t link : context.resource->links) {
        const inventory::Resource& other = context.estate->resources()[link];
        if (other.type != linked_type) continue;
        Tri match = Tri::kTrue;
        if (!children.empty()) {
          Context inner{other.values, other.unknown,   other.has_unknown, context.estate,
                        &other,       context.scratch, context.facts};
          match = children[0]->Eval(inner);
        }
        result = Or(result, match);
        if (result == Tri::kTrue) break;
      }
      return result;
    }
    default:
      break;
  }
  Lookup found = Find(context, path);
  if (found.state == LookupState::kUnknown) return Tri::kUnknown;
  if (kind == kExists) {
    bool exists = found.state == LookupState::kFound;
    if (exists && found.value.type() == element_type::ARRAY) exists = found.value.get_array().value_unsafe().size() > 0;
    if (exists && found.value.type() == element_type::STRING) exists = !found.value.get_string().value_unsafe().empty();
    return exists == flag ? Tri::kTrue : Tri::kFalse;
  }
  if (found.state == LookupState::kMissing) return kind == kAllItems ? Tri::kTrue : Tri::kFalse;
  switch (kind) {
    case kEquals:
      return Matches(found.value, literals[0]) ? Tri::kTrue : Tri::kFalse;
    case kIn:
      for (const Literal& literal : literals) {
        if (Matches(found.value, literal)) return Tri::kTrue;
      }
      return Tri::kFalse;
    case kRegex: {
      std::string_view text;
      if (found.value.get_string().get(text) != simdjson::SUCCESS) return Tri::kFalse;
      return std::regex_search(text.begin(), text.end(), *pattern) ? Tri::kTrue : Tri::kFalse;
    }
    case kCompare: {
      double actual = 0;
      if (!NumberOf(found.value, actual)) return Tri::kFalse;
      return CompareNumbers(actual, op, number);
    }
    case kLength: {
      size_t size = 0;
      if (found.value.type() == element_type::ARRAY)
        size = found.value.get_array().value_unsafe().size();
      else if (found.value.type() == element_type::STRING)
        size = found.value.get_string().value_unsafe().size();
      else
        size = 1;
      return CompareNumbers(static_cast<double>(size), op, number);
    }
    case kContains: {
      Tri result = Tri::kFalse;
      ForEachItem(found, [&](element item, element, bool) {
        if (Matches(item, literals[0])) result = Tri::kTrue;
        return result != Tri::kTrue;
      });
      return result;
    }
    case kAnyItem:
    case kAllItems: {
      bool any = kind == kAnyItem;
      Tri result = any ? Tri::kFalse : Tri::kTrue;
      ForEachItem(found, [&](element item, element unknown, bool has_unknown) {
        Context inner{item, unknown, has_unknown, context.estate, context.resource, context.scratch};
        Tri value = children[0]->Eval(inner);
        result = any ? Or(result, value) : And(result, value);
        return any ? result != Tri::kTrue : result != Tri::kFalse;
      });
      return result;
    }
    case kCidrContains: {
      Tri result = Tri::kFalse;
      ForEachItem(found, [&](element item, element, bool) {
        std::string_view text;
        Network candidate;
        if (item.get_string().get(text) == simdjson::SUCCESS && ParseNetwork(text, candidate) &&
            Contains(candidate, network)) {
          result = Tri::kTrue;
        }
        return result != Tri::kTrue;
      });
      return result;
    }
    case kPortOverlaps:
    case kPortRange: {
      std::vector<std::pair<int64_t, int64_t>> actual;
      if (kind == kPortOverlaps) {
        ForEachItem(found, [&](element item, element, bool) { return ParsePorts(item, actual) || true; });
      } else {
        Lookup upper = Find(context, path_to);
        if (upper.state == LookupState::kUnknown) return Tri::kUnknown;
        double low = 0, high = 0;
        if (!NumberOf(found.value, low)) return Tri::kFalse;
        if (upper.state != LookupState::kFound || !NumberOf(upper.value, high)) high = low;
        if (low < 0 || (low == 0 && high == 0)) {
          low = 0;
          high = 65535;
        }  // AWS: -1 or 0-0 with protocol -1
        actual.emplace_back(static_cast<int64_t>(low), static_cast<int64_t>(high));
      }
      for (const auto& [low, high] : actual) {
        for (const auto& [want_low, want_high] : ports) {
          if (low <= want_high && want_low <= high) return Tri::kTrue;
        }
      }
      return Tri::kFalse;
    }
    case kJson: {
      element document = found.value;
      if (found.value.type() == element_type::STRING) {
        Scratch& scratch = *context.scratch;
        size_t depth = scratch.depth;
        if (scratch.parsers.size() <= depth) {
          scratch.parsers.push_back(std::make_unique<simdjson::dom::parser>());
          scratch.texts.emplace_back();
        }
        scratch.texts[depth] = simdjson::padded_string(found.value.get_string().value_unsafe());
        if (scratch.parsers[depth]->parse(scratch.texts[depth]).get(document) != simdjson::SUCCESS) {
          return Tri::kUnknown;
        }
        ++scratch.depth;
        Context inner{document, element(), false, context.estate, context.resource, context.scratch};
        Tri result = children[0]->Eval(inner);
        --scratch.depth;
        return result;
      }
      Context inner{document, element(), false, context.estate, context.resource, context.scratch};
      return children[0]->Eval(inner);
    }
    default:
      return Tri::kUnknown;
  }
}

namespace {

const std::set<std::string> kOperators = {"exists",
                                          "equals",
                                          "not_equals",
                                          "in",
                                          "not_in",
                                          "regex",
                                          "gt",
                                          "ge",
                                          "lt",
                                          "le",
                                          "contains",
                                          "any_item",
                                          "all_items",
                                          "cidr_contains",
                                          "port_overlaps",
                                          "json",
                                          "length_ge",
                                          "length_le",
                                          "length_gt",
                                          "length_lt"};

Result<std::shared_ptr<const Condition>> Compile(const YAML::Node& node, std::string_view source) {
  auto bad = [&](const YAML::Node& at, std::string_view problem) {
    return Status::InvalidArgument(YamlWhere(source, at) + ": " + std::string(problem) +
                                   "; see \"Check format\" in docs/assess.md.");
  };
  if (!node.IsMap()) return bad(node, "a condition must be a mapping");
  auto condition = std::make_shared<Condition>();
  auto compile_list = [&](const YAML::Node& list) -> Status {
    if (!list.IsSequence() || list.size() == 0) return bad(list, "expected a non-empty list of conditions");
    for (const YAML::Node& item : list) {
      TUTELA_ASSIGN_OR_RETURN(auto child, Compile(item, source));
      condition->children.push_back(std::move(child));
    }
    return Status::Ok();
  };
  if (node["all"]) {
    condition->kind = Condition::kAll;
    TUTELA_RETURN_IF_ERROR(compile_list(node["all"]));
    return std::shared_ptr<const Condition>(condition);
  }
  if (node["any"]) {
    condition->kind = Condition::kAny;
    TUTELA_RETURN_IF_ERROR(compile_list(node["any"]));
    return std::shared_ptr<const Condition>(condition);
  }
  if (node["not"]) {
    condition->kind = Condition::kNot;
    TUTELA_ASSIGN_OR_RETURN(auto child, Compile(node["not"], source));
    condition->children.push_back(std::move(child));
    return std::shared_ptr<const Condition>(condition);
  }
  if (node["pii"]) {
    // {pii: sensitive} / {pii: [financial, health]}: the resource holds PII of one of these labels (a PII inventory
    // category, "any" for any PII, "sensitive" for sensitive PII). Never unknown: without an inventory it is false.
    const YAML::Node labels = node["pii"];
    condition->kind = Condition::kPii;
    if (labels.IsScalar()) {
      condition->literals.push_back(ToLiteral(labels));
    } else if (labels.IsSequence() && labels.size() > 0) {
      for (const YAML::Node& label : labels) {
        if (!label.IsScalar()) return bad(label, "`pii` labels must be strings");
        condition->literals.push_back(ToLiteral(label));
      }
    } else {
      return bad(labels, "`pii` needs a label (any, sensitive or a PII category) or a list of them");
    }
    for (Literal& literal : condition->literals) {
      literal.kind = Literal::kString;
      if (literal.text.empty()) return bad(labels, "`pii` labels must be non-empty strings");
    }
    return std::shared_ptr<const Condition>(condition);
  }
  if (node["linked"]) {
    const YAML::Node linked = node["linked"];
    if (!linked.IsMap() || !linked["type"] || !linked["type"].IsScalar()) {
      return bad(linked, "`linked` needs a `type` (a resource type) and optionally `where` (a condition)");
    }
    condition->kind = Condition::kLinked;
    condition->linked_type = linked["type"].Scalar();
    if (linked["where"]) {
      TUTELA_ASSIGN_OR_RETURN(auto child, Compile(linked["where"], source));
      condition->children.push_back(std::move(child));
    }
    return std::shared_ptr<const Condition>(condition);
  }
  if (node["ports"]) {
    const YAML::Node ports = node["ports"];
    if (!ports.IsMap() || !ports["from"] || !ports["to"] || !node["overlaps"] || !node["overlaps"].IsSequence()) {
      return bad(ports, "`ports` needs `from` and `to` attribute paths and a sibling `overlaps` list of ports");
    }
    condition->kind = Condition::kPortRange;
    auto from = inventory::ParseAttributePath(ports["from"].Scalar());
    auto to = inventory::ParseAttributePath(ports["to"].Scalar());
    if (!from.ok()) return bad(ports["from"], from.status().message());
    if (!to.ok()) return bad(ports["to"], to.status().message());
    condition->path = *from;
    condition->path_to = *to;
    if (YAML::Node wrong = ReadPorts(node["overlaps"], &condition->ports); wrong) {
      return bad(wrong, "a port must be a number or a range like 1433-1434");
    }
    return std::shared_ptr<const Condition>(condition);
  }
  if (!node["attr"] || !node["attr"].IsScalar()) {
    return bad(node, "a condition needs one of all, any, not, linked, ports, or `attr` with an operator");
  }
  auto path = inventory::ParseAttributePath(node["attr"].Scalar());
  if (!path.ok()) return bad(node["attr"], path.status().message());
  condition->path = *path;
  std::string op;
  for (const auto& entry : node) {
    std::string key = entry.first.Scalar();
    if (key == "attr") continue;
    if (!kOperators.count(key)) return bad(entry.first, "unknown operator \"" + key + "\"");
    if (!op.empty()) return bad(entry.first, "a condition has one operator; combine several with all/any");
    op = key;
  }
  if (op.empty()) return bad(node, "the condition on \"" + node["attr"].Scalar() + "\" has no operator");
  const YAML::Node argument = node[op];
  auto negate = [&](std::shared_ptr<Condition> inner) {
    auto wrapper = std::make_shared<Condition>();
    wrapper->kind = Condition::kNot;
    wrapper->children.push_back(std::move(inner));
    return std::shared_ptr<const Condition>(wrapper);
  };
  if (op == "exists") {
    condition->kind = Condition::kExists;
    condition->flag = argument.Scalar() != "false";
  } else if (op == "equals" || op == "not_equals" || op == "contains") {
    if (!argument.IsScalar()) return bad(argument, "`" + op + "` takes a scalar value");
    condition->kind = op == "contains" ? Condition::kContains : Condition::kEquals;
    condition->literals.push_back(ToLiteral(argument));
    if (op == "not_equals") return negate(condition);
  } else if (op == "in" || op == "not_in") {
    if (!argument.IsSequence()) return bad(argument, "`" + op + "` takes a list of values");
    condition->kind = Condition::kIn;
    for (const YAML::Node& item : argument) condition->literals.push_back(ToLiteral(item));
    if (op == "not_in") return negate(condition);
  } else if (op == "regex") {
    condition->kind = Condition::kRegex;
    try {
      condition->pattern = std::make_shared<std::regex>(argument.Scalar(), std::regex::ECMAScript);
    } catch (const std::regex_error& error) {
      return bad(argument, std::string("invalid regular expression (") + error.what() + ")");
    }
  } else if (op == "gt" || op == "ge" || op == "lt" || op == "le" || op.starts_with("length_")) {
    Literal literal = ToLiteral(argument);
    if (literal.kind != Literal::kNumber) return bad(argument, "`" + op + "` takes a number");
    condition->kind = op.starts_with("length_") ? Condition::kLength : Condition::kCompare;
    condition->op = op.starts_with("length_") ? op.substr(7) : op;
    condition->number = literal.number;
  } else if (op == "any_item" || op == "all_items" || op == "json") {
    condition->kind = op == "any_item"    ? Condition::kAnyItem
                      : op == "all_items" ? Condition::kAllItems
                                          : Condition::kJson;
    TUTELA_ASSIGN_OR_RETURN(auto child, Compile(argument, source));
    condition->children.push_back(std::move(child));
  } else if (op == "cidr_contains") {
    condition->kind = Condition::kCidrContains;
    if (!ParseNetwork(argument.Scalar(), condition->network)) {
      return bad(argument, "`cidr_contains` takes an IPv4 or IPv6 address or CIDR");
    }
  } else if (op == "port_overlaps") {
    condition->kind = Condition::kPortOverlaps;
    if (!argument.IsSequence()) return bad(argument, "`port_overlaps` takes a list of ports");
    if (YAML::Node wrong = ReadPorts(argument, &condition->ports); wrong) {
      return bad(wrong, "a port must be a number or a range like 1433-1434");
    }
  }
  return std::shared_ptr<const Condition>(condition);
}

Outcome Run(const Check& check, const inventory::Estate& estate, const inventory::Resource& resource, Scratch& scratch,
            const ResourceFacts* facts) {
  Context context{resource.values, resource.unknown, resource.has_unknown, &estate, &resource, &scratch, facts};
  if (check.applies_when) {
    Tri applies = check.applies_when->Eval(context);
    if (applies == Tri::kFalse) return Outcome::kNotApplicable;
    if (applies == Tri::kUnknown) return Outcome::kUnknown;
  }
  switch (check.condition->Eval(context)) {
    case Tri::kTrue:
      return Outcome::kPass;
    case Tri::kFalse:
      return Outcome::kFail;
    case Tri::kUnknown:
      return Outcome::kUnknown;
  }
  return Outcome::kUnknown;
}

}  // namespace

std::string_view SeverityName(Severity severity) {
  static constexpr std::string_view kNames[] = {"low", "medium", "high", "critical"};
  return kNames[static_cast<int>(severity)];
}

Result<Severity> ParseSeverity(std::string_view text) {
  if (text == "low") return Severity::kLow;
  if (text == "medium") return Severity::kMedium;
  if (text == "high") return Severity::kHigh;
  if (text == "critical") return Severity::kCritical;
  return Status::InvalidArgument("severity \"" + std::string(text) +
                                 "\" is not one of low, medium, high, critical; use one of those.");
}

std::string_view OutcomeName(Outcome outcome) {
  static constexpr std::string_view kNames[] = {"pass", "fail", "unknown", "not_applicable"};
  return kNames[static_cast<int>(outcome)];
}

Status CheckSet::AddYaml(std::string_view text, std::string_view source) {
  TUTELA_ASSIGN_OR_RETURN(YAML::Node root, ParseYaml(text, source));
  auto bad = [&](const YAML::Node& at, std::string_view problem) {
    return Status::InvalidArgument(YamlWhere(source, at) + ": " + std::string(problem) +
                                   "; see \"Check format\" in docs/assess.md.");
  };
  if (!root.IsMap() || !root["checks"] || !root["checks"].IsSequence()) {
    return bad(root, "a check file is a mapping with `source` and a `checks` list");
  }
  if (!root["source"] || !root["source"].IsScalar()) return bad(root, "the file has no `source`");
  std::vector<Check> added;
  static const std::set<std::string> kFields = {
      "id",        "title",   "severity",    "provider", "resource_types", "applies_when",
      "condition", "message", "remediation", "controls", "equivalents"};
  for (const YAML::Node& node : root["checks"]) {
    if (!node.IsMap()) return bad(node, "a check must be a mapping");
    for (const auto& entry : node) {
      if (!kFields.count(entry.first.Scalar())) {
        return bad(entry.first, "unknown field \"" + entry.first.Scalar() + "\" in a check");
      }
    }
    for (const char* required :
         {"id", "title", "severity", "provider", "resource_types", "condition", "message", "remediation", "controls"}) {
      if (!node[required]) return bad(node, std::string("the check has no `") + required + "`");
    }
    Check check;
    check.id = node["id"].Scalar();
    check.where = YamlWhere(source, node["id"]);
    if (check.id.empty() || by_id_.count(check.id) ||
        std::any_of(added.begin(), added.end(), [&](const Check& other) { return other.id == check.id; })) {
      return bad(node["id"], "check id \"" + check.id + "\" is empty or already defined");
    }
    check.title = node["title"].Scalar();
    auto severity = ParseSeverity(node["severity"].Scalar());
    if (!severity.ok()) return bad(node["severity"], severity.status().message());
    check.severity = *severity;
    check.provider = node["provider"].Scalar();
    if (!node["resource_types"].IsSequence() || node["resource_types"].size() == 0) {
      return bad(node["resource_types"], "`resource_types` must be a non-empty list");
    }
    for (const YAML::Node& type : node["resource_types"]) {
      if (!type.Scalar().starts_with(check.provider + "_")) {
        return bad(type, "resource type \"" + type.Scalar() + "\" does not belong to provider " + check.provider);
      }
      check.resource_types.push_back(type.Scalar());
    }
    check.message = node["message"].Scalar();
    const YAML::Node remediation = node["remediation"];
    if (!remediation.IsMap() || !remediation["text"] || !remediation["terraform"]) {
      return bad(remediation, "`remediation` needs `text` and a `terraform` snippet");
    }
    check.remediation = remediation["text"].Scalar();
    check.terraform = remediation["terraform"].Scalar();
    if (!node["controls"].IsSequence() || node["controls"].size() == 0) {
      return bad(node["controls"], "`controls` must list the unified controls the check evidences");
    }
    for (const YAML::Node& control : node["controls"]) check.controls.push_back(control.Scalar());
    if (const YAML::Node equivalents = node["equivalents"]) {
      if (!equivalents.IsMap()) return bad(equivalents, "`equivalents` maps checkov/trivy to their ids");
      for (const auto& entry : equivalents) {
        std::string tool = entry.first.Scalar();
        if (tool != "checkov" && tool != "trivy") return bad(entry.first, "equivalent tool must be checkov or trivy");
        check.equivalents.push_back({tool, entry.second.Scalar()});
      }
    }
    TUTELA_ASSIGN_OR_RETURN(check.condition, Compile(node["condition"], source));
    if (node["applies_when"]) {
      TUTELA_ASSIGN_OR_RETURN(check.applies_when, Compile(node["applies_when"], source));
    }
    added.push_back(std::move(check));
  }
  for (Check& check : added) {
    by_id_.emplace(check.id, static_cast<uint32_t>(checks_.size()));
    checks_.push_back(std::move(check));
  }
  return Status::Ok();
}

void CheckSet::Index() {
  by_type_.clear();
  for (uint32_t index = 0; index < checks_.size(); ++index) {
    for (const std::string& type : checks_[index].resource_types) by_type_[type].push_back(index);
  }
}

Result<CheckSet> CheckSet::LoadDirectory(const std::filesystem::path& directory) {
  std::error_code error;
  if (!std::filesystem::is_directory(directory, error)) {
    return Status::NotFound(directory.string() +
                            ": no such check folder; pass the folder of check YAML files "
                            "(catalog/checks in the source tree).");
  }
  std::vector<std::filesystem::path> files;
  for (auto it = std::filesystem::recursive_directory_iterator(directory, error);
       !error && it != std::filesystem::recursive_directory_iterator(); it.increment(error)) {
    if (it->is_regular_file() && it->path().extension() == ".yaml") files.push_back(it->path());
  }
  if (error) return Status::IoError(directory.string() + ": cannot list (" + error.message() + ")");
  // An empty folder gave an assessment of no checks: "0 results", exit 0, as if the estate were clean.
  if (files.empty()) {
    return Status::NotFound(directory.string() +
                            ": no check files (*.yaml) in this folder; pass the folder of check YAML files "
                            "(catalog/checks in the source tree).");
  }
  std::sort(files.begin(), files.end());
  CheckSet set;
  for (const auto& file : files) {
    TUTELA_ASSIGN_OR_RETURN(std::string text, ReadFile(file));
    TUTELA_RETURN_IF_ERROR(set.AddYaml(text, file.string()));
  }
  set.Index();
  return set;
}

const std::vector<uint32_t>* CheckSet::ForType(std::string_view type) const {
  auto found = by_type_.find(type);
  return found == by_type_.end() ? nullptr : &found->second;
}

int64_t CheckSet::Find(std::string_view id) const {
  auto found = by_id_.find(id);
  return found == by_id_.end() ? -1 : static_cast<int64_t>(found->second);
}

Outcome EvaluateOne(const Check& check, const inventory::Estate& estate, uint32_t resource,
                    const ResourceFacts* facts) {
  Scratch scratch;
  return Run(check, estate, estate.resources()[resource], scratch, facts);
}

std::vector<CheckResult> Evaluate(const CheckSet& checks, const inventory::Estate& estate, size_t threads,
                                  const ResourceFacts* facts) {
  const auto& resources = estate.resources();
  if (threads == 0) threads = std::max<size_t>(1, std::thread::hardware_concurrency());
  threads = std::min<size_t>(threads, std::max<size_t>(1, resources.size() / 2048));
  std::vector<std::vector<CheckResult>> parts(threads);
  auto work = [&](size_t part) {
    Scratch scratch;
    size_t begin = resources.size() * part / threads, end = resources.size() * (part + 1) / threads;
    for (size_t index = begin; index < end; ++index) {
      const inventory::Resource& resource = resources[index];
      if (resource.data_source) continue;
      const std::vector<uint32_t>* applicable = checks.ForType(resource.type);
      if (!applicable) continue;
      for (uint32_t check : *applicable) {
        parts[part].push_back(
            {check, static_cast<uint32_t>(index), Run(checks.checks()[check], estate, resource, scratch, facts)});
      }
    }
  };
  std::vector<std::thread> workers;
  for (size_t part = 1; part < threads; ++part) workers.emplace_back(work, part);
  work(0);
  for (std::thread& worker : workers) worker.join();
  std::vector<CheckResult> results;
  size_t total = 0;
  for (const auto& part : parts) total += part.size();
  results.reserve(total);
  for (auto& part : parts) results.insert(results.end(), part.begin(), part.end());
  return results;
}

}  // namespace tutela::policy
