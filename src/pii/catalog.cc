// Loading and validating the PII entity catalog (see catalog.h).
#include "tutela/pii/catalog.h"

#include <algorithm>
#include <cstdlib>
#include <set>

#include "tutela/core/builtin_data.h"
#include "tutela/core/data.h"
#include "tutela/core/file_util.h"
#include "tutela/pii/validators.h"

namespace tutela::pii {
namespace {

Status Bad(std::string_view source, const YAML::Node& node, std::string_view message) {
  return Status::InvalidArgument(YamlWhere(source, node) + ": " + std::string(message));
}

Result<std::string> RequiredString(std::string_view source, const YAML::Node& parent, const char* key) {
  YAML::Node node = parent[key];
  if (!node || !node.IsScalar() || node.Scalar().empty()) {
    return Bad(source, node ? node : parent,
               std::string("field \"") + key + "\" is missing or not a non-empty string; add it");
  }
  return node.Scalar();
}

Result<std::vector<std::string>> StringList(std::string_view source, const YAML::Node& parent, const char* key,
                                            bool required) {
  std::vector<std::string> out;
  YAML::Node node = parent[key];
  if (!node) {
    if (required) return Bad(source, parent, std::string("field \"") + key + "\" is missing; add a list");
    return out;
  }
  if (!node.IsSequence()) return Bad(source, node, std::string("field \"") + key + "\" must be a list of strings");
  for (const YAML::Node& item : node) {
    if (!item.IsScalar() || item.Scalar().empty()) {
      return Bad(source, item, std::string("an item of \"") + key + "\" is not a non-empty string; correct it");
    }
    out.push_back(item.Scalar());
  }
  if (required && out.empty()) return Bad(source, node, std::string("\"") + key + "\" must not be empty");
  return out;
}

Result<double> Score(std::string_view source, const YAML::Node& parent, const char* key, double fallback) {
  YAML::Node node = parent[key];
  if (!node) return fallback;
  double value = -1;
  try {
    value = node.as<double>();
  } catch (const YAML::Exception&) {
    return Bad(source, node, std::string("\"") + key + "\" must be a number between 0 and 1");
  }
  if (value < 0 || value > 1) return Bad(source, node, std::string("\"") + key + "\" must be between 0 and 1");
  return value;
}

bool IsId(std::string_view id) {
  return !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

}  // namespace

const Entity* Catalog::Find(std::string_view id) const {
  for (const Entity& entity : entities) {
    if (entity.id == id) return &entity;
  }
  return nullptr;
}

Result<Catalog> ParseCatalog(std::string_view yaml_text, std::string_view source) {
  TUTELA_ASSIGN_OR_RETURN(YAML::Node root, ParseYaml(yaml_text, source));
  if (!root.IsMap()) return Bad(source, root, "a PII catalog must be a mapping with \"source\" and \"entities\"");
  static const std::set<std::string> kKnown = {"source",           "verified",         "context_boost",
                                               "negative_penalty", "negative_context", "entities"};
  for (const auto& item : root) {
    if (!kKnown.count(item.first.Scalar())) {
      return Bad(source, item.first, "unknown field \"" + item.first.Scalar() + "\"; remove it or fix its spelling");
    }
  }
  Catalog catalog;
  TUTELA_ASSIGN_OR_RETURN(std::string file_source, RequiredString(source, root, "source"));
  catalog.sources.push_back(std::move(file_source));
  TUTELA_ASSIGN_OR_RETURN(catalog.context_boost, Score(source, root, "context_boost", 0.3));
  TUTELA_ASSIGN_OR_RETURN(catalog.negative_penalty, Score(source, root, "negative_penalty", 0.35));
  TUTELA_ASSIGN_OR_RETURN(catalog.negative_context, StringList(source, root, "negative_context", false));
  YAML::Node entities = root["entities"];
  if (!entities || !entities.IsSequence()) {
    return Bad(source, entities ? entities : root, "\"entities\" must be a list of entity definitions");
  }
  static const std::set<std::string> kEntityFields = {
      "id",       "description", "category", "jurisdictions", "sensitivity",      "sensitive_under",
      "patterns", "validator",   "score",    "context",       "negative_context", "check_character"};
  std::set<std::string> ids;
  for (const YAML::Node& node : entities) {
    if (!node.IsMap()) return Bad(source, node, "an entity must be a mapping");
    for (const auto& item : node) {
      if (!kEntityFields.count(item.first.Scalar())) {
        return Bad(source, item.first,
                   "unknown entity field \"" + item.first.Scalar() + "\"; remove it or fix its spelling");
      }
    }
    Entity entity;
    entity.where = YamlWhere(source, node);
    TUTELA_ASSIGN_OR_RETURN(entity.id, RequiredString(source, node, "id"));
    if (!IsId(entity.id)) {
      return Bad(source, node["id"], "entity id \"" + entity.id + "\" must use A-Z, 0-9 and _ only");
    }
    if (!ids.insert(entity.id).second) {
      return Bad(source, node["id"], "entity \"" + entity.id + "\" is defined twice; keep one definition");
    }
    TUTELA_ASSIGN_OR_RETURN(entity.description, RequiredString(source, node, "description"));
    TUTELA_ASSIGN_OR_RETURN(entity.category, RequiredString(source, node, "category"));
    if (std::find(std::begin(kCategories), std::end(kCategories), entity.category) == std::end(kCategories)) {
      return Bad(source, node["category"],
                 "entity \"" + entity.id + "\" has unknown category \"" + entity.category +
                     "\"; use national_id, tax_id, passport, financial, contact, network, health or credential");
    }
    TUTELA_ASSIGN_OR_RETURN(entity.sensitivity, RequiredString(source, node, "sensitivity"));
    if (entity.sensitivity != "low" && entity.sensitivity != "medium" && entity.sensitivity != "high") {
      return Bad(
          source, node["sensitivity"],
          "entity \"" + entity.id + "\" has sensitivity \"" + entity.sensitivity + "\"; use low, medium or high");
    }
    TUTELA_ASSIGN_OR_RETURN(entity.jurisdictions, StringList(source, node, "jurisdictions", true));
    TUTELA_ASSIGN_OR_RETURN(entity.sensitive_under, StringList(source, node, "sensitive_under", false));
    TUTELA_ASSIGN_OR_RETURN(entity.patterns, StringList(source, node, "patterns", true));
    TUTELA_ASSIGN_OR_RETURN(entity.validator, RequiredString(source, node, "validator"));
    if (FindValidator(entity.validator) == nullptr) {
      return Bad(source, node["validator"],
                 "entity \"" + entity.id + "\" names unknown validator \"" + entity.validator +
                     "\"; use one listed in docs/pii.md or \"none\"");
    }
    if (const YAML::Node check = node["check_character"]) {
      if (!check.IsScalar() || (check.Scalar() != "last" && check.Scalar() != "none")) {
        return Bad(source, check, "\"check_character\" must be last or none");
      }
      entity.check_last = check.Scalar() == "last";
      if (entity.check_last && entity.validator == "none") {
        return Bad(source, check,
                   "entity \"" + entity.id + "\" has a check character but no validator to compute it; name one");
      }
    }
    TUTELA_ASSIGN_OR_RETURN(entity.score, Score(source, node, "score", 0.5));
    TUTELA_ASSIGN_OR_RETURN(entity.context, StringList(source, node, "context", false));
    TUTELA_ASSIGN_OR_RETURN(entity.negative_context, StringList(source, node, "negative_context", false));
    catalog.entities.push_back(std::move(entity));
  }
  if (catalog.entities.empty()) return Bad(source, entities, "the catalog defines no entities; add at least one");
  return catalog;
}

Result<Catalog> LoadCatalog(const std::filesystem::path& path) {
  std::error_code error;
  std::vector<std::filesystem::path> files;
  if (std::filesystem::is_directory(path, error)) {
    for (const auto& entry : std::filesystem::directory_iterator(path, error)) {
      if (entry.path().extension() == ".yaml" || entry.path().extension() == ".yml") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
  } else if (std::filesystem::exists(path, error)) {
    files.push_back(path);
  }
  if (files.empty()) {
    return Status::NotFound(path.string() +
                            ": no PII catalog (*.yaml) found; pass --catalog with the catalog/pii "
                            "folder or set TUTELA_CATALOG_DIR.");
  }
  Catalog merged;
  bool first = true;
  for (const std::filesystem::path& file : files) {
    TUTELA_ASSIGN_OR_RETURN(std::string raw, ReadFile(file, uint64_t{16} << 20));
    TUTELA_ASSIGN_OR_RETURN(Catalog catalog, ParseCatalog(raw, file.string()));
    if (first) {
      merged.context_boost = catalog.context_boost;
      merged.negative_penalty = catalog.negative_penalty;
      first = false;
    }
    for (Entity& entity : catalog.entities) {
      if (merged.Find(entity.id) != nullptr) {
        return Status::InvalidArgument(entity.where + ": entity \"" + entity.id +
                                       "\" is already defined in another catalog file; keep one definition");
      }
      merged.entities.push_back(std::move(entity));
    }
    for (std::string& word : catalog.negative_context) merged.negative_context.push_back(std::move(word));
    for (std::string& source : catalog.sources) merged.sources.push_back(std::move(source));
  }
  return merged;
}

std::filesystem::path DefaultCatalogPath() { return BuiltinCatalogRoot() / "pii"; }

}  // namespace tutela::pii
