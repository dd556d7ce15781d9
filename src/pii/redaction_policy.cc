#include "tutela/pii/redaction_policy.h"

#include "tutela/core/data.h"
#include "tutela/core/file_util.h"
#include "tutela/core/file_walker.h"
#include "tutela/pii/structured.h"

namespace tutela::pii {
namespace {

// Reads one rule mapping ({operator: ..., params}) into `rule`. `allow_field_keys` enables skip/subject/entity,
// which only make sense for columns and JSON paths.
Status ReadRule(std::string_view source, const YAML::Node& node, bool allow_field_keys, FieldRule* rule) {
  if (!node.IsMap()) {
    return Status::InvalidArgument(YamlWhere(source, node) +
                                   ": a rule must be a mapping like {operator: mask, keep_last: 4}.");
  }
  OperatorSpec& spec = rule->spec;
  bool has_operator = false;
  for (const auto& item : node) {
    std::string key = item.first.as<std::string>("");
    const YAML::Node& value = item.second;
    std::string where = YamlWhere(source, item.first);
    auto bad_value = [&](std::string_view expected) {
      return Status::InvalidArgument(YamlWhere(source, value) + ": \"" + key + "\" must be " + std::string(expected) +
                                     ".");
    };
    auto read_count = [&](size_t low, size_t high, size_t* out) -> Status {
      long long number = 0;
      if (!YAML::convert<long long>::decode(value, number) || number < static_cast<long long>(low) ||
          number > static_cast<long long>(high)) {
        return bad_value("a whole number from " + std::to_string(low) + " to " + std::to_string(high));
      }
      *out = static_cast<size_t>(number);
      return Status::Ok();
    };
    size_t number = 0;
    if (key == "operator") {
      auto kind = ParseOperatorKind(value.as<std::string>(""));
      if (!kind.ok()) return kind.status().WithContext(YamlWhere(source, value));
      spec.kind = *kind;
      has_operator = true;
    } else if (key == "template") {
      spec.replace_template = value.as<std::string>("");
    } else if (key == "char") {
      std::string text = value.as<std::string>("");
      if (text.size() != 1) return bad_value("a single ASCII character");
      spec.mask_char = text[0];
    } else if (key == "keep_first") {
      TUTELA_RETURN_IF_ERROR(read_count(0, 64, &spec.keep_first));
    } else if (key == "keep_last") {
      TUTELA_RETURN_IF_ERROR(read_count(0, 64, &spec.keep_last));
    } else if (key == "mask_separators") {
      if (!YAML::convert<bool>::decode(value, spec.mask_separators)) return bad_value("true or false");
    } else if (key == "length") {
      TUTELA_RETURN_IF_ERROR(read_count(16, 64, &spec.hash_length));
    } else if (key == "mode") {
      auto mode = ParseGeneralizeMode(value.as<std::string>(""));
      if (!mode.ok()) return mode.status().WithContext(YamlWhere(source, value));
      spec.generalize = *mode;
    } else if (key == "band") {
      TUTELA_RETURN_IF_ERROR(read_count(1, 100, &number));
      spec.age_band_width = static_cast<int>(number);
    } else if (key == "prefix") {
      TUTELA_RETURN_IF_ERROR(read_count(0, 128, &number));
      spec.ip_prefix_v4 = std::min(static_cast<int>(number), 32);
      spec.ip_prefix_v6 = static_cast<int>(number);
    } else if (key == "keep") {
      TUTELA_RETURN_IF_ERROR(read_count(0, 64, &spec.keep_prefix));
    } else if (key == "max_days") {
      TUTELA_RETURN_IF_ERROR(read_count(1, 3650, &number));
      spec.date_shift_max_days = static_cast<int>(number);
    } else if (key == "valid") {
      if (!YAML::convert<bool>::decode(value, spec.valid_tokens)) return bad_value("true or false");
    } else if (key == "month_first") {
      if (!YAML::convert<bool>::decode(value, spec.month_first)) return bad_value("true or false");
    } else if (allow_field_keys && key == "skip") {
      if (!YAML::convert<bool>::decode(value, rule->skip)) return bad_value("true or false");
    } else if (allow_field_keys && key == "subject") {
      rule->subject = value.as<std::string>("");
    } else if (allow_field_keys && key == "entity") {
      rule->entity = value.as<std::string>("");
    } else {
      return Status::InvalidArgument(
          where + ": unknown rule setting \"" + key +
          "\"; see docs/formats/redaction-policy.md for the settings of each operator" +
          (allow_field_keys ? "." : " (skip, subject and entity belong to column and path rules)."));
    }
  }
  if (!has_operator && !rule->skip) {
    return Status::InvalidArgument(YamlWhere(source, node) + ": the rule names no operator; add operator: " +
                                   "redact|replace|mask|hash|generalize|date-shift|suppress|tokenize" +
                                   (allow_field_keys ? ", or skip: true." : "."));
  }
  if (has_operator && spec.kind == OperatorKind::kDateShift && allow_field_keys && rule->subject.empty()) {
    return Status::InvalidArgument(YamlWhere(source, node) +
                                   ": date-shift needs subject: the column or path of the subject id, so that each "
                                   "subject's dates move together.");
  }
  return Status::Ok();
}

Status ReadFieldRules(std::string_view source, const YAML::Node& section, std::string_view what,
                      std::vector<std::pair<std::string, FieldRule>>* rules) {
  if (!section.IsMap()) {
    return Status::InvalidArgument(YamlWhere(source, section) + ": \"" + std::string(what) +
                                   "\" must map names to rules.");
  }
  for (const auto& item : section) {
    FieldRule rule;
    TUTELA_RETURN_IF_ERROR(ReadRule(source, item.second, /*allow_field_keys=*/true, &rule));
    rules->emplace_back(item.first.as<std::string>(""), std::move(rule));
  }
  return Status::Ok();
}

}  // namespace

Result<RedactionPolicy> RedactionPolicy::Load(const std::filesystem::path& path) {
  TUTELA_ASSIGN_OR_RETURN(std::string text, ReadFile(path, 16 << 20));
  return Parse(text, path.string());
}

Result<RedactionPolicy> RedactionPolicy::Parse(std::string_view yaml_text, std::string_view source) {
  TUTELA_ASSIGN_OR_RETURN(YAML::Node document, ParseYaml(yaml_text, source));
  RedactionPolicy policy;
  if (document.IsNull()) return policy;
  if (!document.IsMap()) {
    return Status::InvalidArgument(YamlWhere(source, document) +
                                   ": a redaction policy is a mapping with default, entities, columns and json_paths.");
  }
  for (const auto& item : document) {
    std::string key = item.first.as<std::string>("");
    if (key == "default") {
      FieldRule rule;
      TUTELA_RETURN_IF_ERROR(ReadRule(source, item.second, /*allow_field_keys=*/false, &rule));
      policy.default_ = rule.spec;
    } else if (key == "entities") {
      if (!item.second.IsMap()) {
        return Status::InvalidArgument(YamlWhere(source, item.second) +
                                       ": \"entities\" must map entity ids (like CREDIT_CARD) to rules.");
      }
      for (const auto& entity : item.second) {
        FieldRule rule;
        TUTELA_RETURN_IF_ERROR(ReadRule(source, entity.second, /*allow_field_keys=*/false, &rule));
        policy.entities_[entity.first.as<std::string>("")] = rule.spec;
      }
    } else if (key == "columns") {
      TUTELA_RETURN_IF_ERROR(ReadFieldRules(source, item.second, "columns", &policy.columns_));
    } else if (key == "json_paths") {
      TUTELA_RETURN_IF_ERROR(ReadFieldRules(source, item.second, "json_paths", &policy.json_paths_));
      for (const auto& [pointer, rule] : policy.json_paths_) {
        if (!pointer.empty() && pointer[0] != '/') {
          return Status::InvalidArgument(std::string(source) + ": json_paths key \"" + pointer +
                                         "\" is not a JSON Pointer; write it like /customer/email.");
        }
      }
    } else {
      return Status::InvalidArgument(YamlWhere(source, item.first) + ": unknown section \"" + key +
                                     "\"; a policy has default, entities, columns and json_paths.");
    }
  }
  return policy;
}

const OperatorSpec& RedactionPolicy::ForEntity(std::string_view entity) const {
  auto found = entities_.find(entity);
  return found == entities_.end() ? default_ : found->second;
}

const FieldRule* RedactionPolicy::ForColumn(std::string_view header) const {
  for (const auto& [name, rule] : columns_) {
    if (name == header) return &rule;
  }
  for (const auto& [name, rule] : columns_) {
    if (GlobMatch(name, header)) return &rule;
  }
  return nullptr;
}

const FieldRule* RedactionPolicy::ForJsonPath(std::string_view pointer) const {
  for (const auto& [pattern, rule] : json_paths_) {
    if (JsonPointerMatches(pattern, pointer)) return &rule;
  }
  return nullptr;
}

bool RedactionPolicy::Uses(OperatorKind kind) const {
  if (default_.kind == kind) return true;
  for (const auto& [name, spec] : entities_) {
    if (spec.kind == kind) return true;
  }
  for (const auto* rules : {&columns_, &json_paths_}) {
    for (const auto& [name, rule] : *rules) {
      if (!rule.skip && rule.spec.kind == kind) return true;
    }
  }
  return false;
}

}  // namespace tutela::pii
