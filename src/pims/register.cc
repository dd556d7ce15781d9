#include "tutela/pims/register.h"

#include <algorithm>
#include <set>

#include "tutela/core/data.h"
#include "tutela/core/file_util.h"

namespace tutela::pims {
namespace {

constexpr std::string_view kLegalBases[] = {"consent",         "contract",        "legal_obligation",
                                            "vital_interests", "public_task",     "legitimate_interests",
                                            "employment",      "explicit_consent"};

Status At(const std::string& source, const YAML::Node& node, const std::string& message) {
  return Status::InvalidArgument(YamlWhere(source, node) + ": " + message);
}

Status CheckKeys(const std::string& source, const YAML::Node& map, std::initializer_list<std::string_view> allowed,
                 const std::string& what) {
  if (!map.IsMap()) return At(source, map, what + " must be a mapping; see docs/formats/register.md.");
  for (const auto& item : map) {
    std::string key = item.first.Scalar();
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      std::string list;
      for (std::string_view name : allowed) list += (list.empty() ? "" : ", ") + std::string(name);
      return At(source, item.first, "unknown field \"" + key + "\" in " + what + "; the fields are " + list + ".");
    }
  }
  return Status::Ok();
}

Result<std::string> Text(const std::string& source, const YAML::Node& map, const char* key, bool required,
                         const std::string& what) {
  YAML::Node node = map[key];
  if (!node) {
    if (required) return At(source, map, what + " needs \"" + key + "\"; add it.");
    return std::string();
  }
  if (!node.IsScalar() || node.Scalar().empty()) return At(source, node, what + " field \"" + key + "\" must be text.");
  return node.Scalar();
}

Result<std::vector<std::string>> List(const std::string& source, const YAML::Node& map, const char* key, bool required,
                                      const std::string& what) {
  std::vector<std::string> out;
  YAML::Node node = map[key];
  if (!node) {
    if (required) return At(source, map, what + " needs \"" + key + "\" (a list); add it.");
    return out;
  }
  if (!node.IsSequence()) return At(source, node, what + " field \"" + key + "\" must be a list.");
  for (const auto& item : node) {
    if (!item.IsScalar() || item.Scalar().empty()) {
      return At(source, item, what + " field \"" + key + "\" must list names.");
    }
    out.push_back(item.Scalar());
  }
  if (required && out.empty()) return At(source, node, what + " field \"" + key + "\" must not be empty.");
  return out;
}

Result<Activity> ReadActivity(const std::string& source, const YAML::Node& node) {
  TUTELA_RETURN_IF_ERROR(
      CheckKeys(source, node,
                {"id", "name", "purpose", "legal_basis", "data_subjects", "pii", "data_stores", "recipients",
                 "sub_processors", "transfers", "retention", "security_measures", "jurisdictions"},
                "an activity"));
  Activity activity;
  activity.where = YamlWhere(source, node);
  TUTELA_ASSIGN_OR_RETURN(activity.id, Text(source, node, "id", true, "an activity"));
  std::string what = "activity " + activity.id;
  TUTELA_ASSIGN_OR_RETURN(activity.name, Text(source, node, "name", false, what));
  TUTELA_ASSIGN_OR_RETURN(activity.purpose, Text(source, node, "purpose", true, what));
  TUTELA_ASSIGN_OR_RETURN(activity.legal_basis, Text(source, node, "legal_basis", true, what));
  if (std::find(std::begin(kLegalBases), std::end(kLegalBases), activity.legal_basis) == std::end(kLegalBases)) {
    return At(source, node["legal_basis"],
              what +
                  ": legal_basis must be one of consent, contract, legal_obligation, vital_interests, "
                  "public_task, legitimate_interests, employment, explicit_consent.");
  }
  TUTELA_ASSIGN_OR_RETURN(activity.data_subjects, List(source, node, "data_subjects", true, what));
  TUTELA_ASSIGN_OR_RETURN(activity.pii, List(source, node, "pii", true, what));
  TUTELA_ASSIGN_OR_RETURN(activity.recipients, List(source, node, "recipients", false, what));
  TUTELA_ASSIGN_OR_RETURN(activity.sub_processors, List(source, node, "sub_processors", false, what));
  TUTELA_ASSIGN_OR_RETURN(activity.retention, Text(source, node, "retention", true, what));
  TUTELA_ASSIGN_OR_RETURN(activity.security_measures, List(source, node, "security_measures", false, what));
  TUTELA_ASSIGN_OR_RETURN(activity.jurisdictions, List(source, node, "jurisdictions", true, what));
  YAML::Node stores = node["data_stores"];
  if (!stores || !stores.IsSequence() || stores.size() == 0) {
    return At(source, stores ? stores : node, what + " needs \"data_stores\": a list of {store, terraform, region}.");
  }
  for (const auto& item : stores) {
    TUTELA_RETURN_IF_ERROR(CheckKeys(source, item, {"store", "terraform", "region"}, "a data store of " + what));
    DataStore store;
    TUTELA_ASSIGN_OR_RETURN(store.store, Text(source, item, "store", true, "a data store of " + what));
    TUTELA_ASSIGN_OR_RETURN(store.terraform, Text(source, item, "terraform", false, "a data store of " + what));
    TUTELA_ASSIGN_OR_RETURN(store.region, Text(source, item, "region", false, "a data store of " + what));
    activity.data_stores.push_back(std::move(store));
  }
  if (YAML::Node transfers = node["transfers"]) {
    if (!transfers.IsSequence()) return At(source, transfers, what + " field \"transfers\" must be a list.");
    for (const auto& item : transfers) {
      TUTELA_RETURN_IF_ERROR(CheckKeys(source, item, {"from", "to", "mechanism"}, "a transfer of " + what));
      Transfer transfer;
      transfer.where = YamlWhere(source, item);
      TUTELA_ASSIGN_OR_RETURN(transfer.from, Text(source, item, "from", true, "a transfer of " + what));
      TUTELA_ASSIGN_OR_RETURN(transfer.to, Text(source, item, "to", true, "a transfer of " + what));
      TUTELA_ASSIGN_OR_RETURN(transfer.mechanism, Text(source, item, "mechanism", false, "a transfer of " + what));
      activity.transfers.push_back(std::move(transfer));
    }
  }
  return activity;
}

}  // namespace

bool StoreCovers(const std::string& declared, const std::string& found) {
  if (found == declared) return true;
  std::string prefix = declared;
  if (!prefix.empty() && prefix.back() != '/') prefix += '/';
  return found.rfind(prefix, 0) == 0;
}

Result<ProcessingRegister> ParseRegister(const std::string& text, const std::string& source) {
  TUTELA_ASSIGN_OR_RETURN(YAML::Node root, ParseYaml(text, source));
  try {
    TUTELA_RETURN_IF_ERROR(CheckKeys(source, root, {"controller", "activities"}, "the register"));
    ProcessingRegister processing;
    processing.source = source;
    TUTELA_ASSIGN_OR_RETURN(processing.controller, Text(source, root, "controller", false, "the register"));
    YAML::Node activities = root["activities"];
    if (!activities || !activities.IsSequence() || activities.size() == 0) {
      return At(source, activities ? activities : root, "the register needs \"activities\": a non-empty list.");
    }
    std::set<std::string> ids;
    for (const auto& item : activities) {
      TUTELA_ASSIGN_OR_RETURN(Activity activity, ReadActivity(source, item));
      if (!ids.insert(activity.id).second) {
        return At(source, item["id"], "duplicate activity id \"" + activity.id + "\"; ids are unique.");
      }
      processing.activities.push_back(std::move(activity));
    }
    return processing;
  } catch (const YAML::Exception& error) {
    return Status::InvalidArgument(source + ": unreadable register (" + error.what() +
                                   "); see docs/formats/register.md.");
  }
}

Result<ProcessingRegister> LoadRegister(const std::filesystem::path& path) {
  TUTELA_ASSIGN_OR_RETURN(std::string text, ReadFile(path, uint64_t{1} << 24));
  return ParseRegister(text, path.string());
}

std::vector<RegisterFinding> LintRegister(const ProcessingRegister& processing, const JurisdictionSet& rules) {
  std::vector<RegisterFinding> findings;
  for (const Activity& activity : processing.activities) {
    std::vector<const Jurisdiction*> regimes;
    for (const std::string& id : activity.jurisdictions) {
      const Jurisdiction* jurisdiction = rules.Find(id);
      if (jurisdiction == nullptr) {
        findings.push_back({"error", activity.where, activity.id,
                            "unknown jurisdiction \"" + id + "\"; the jurisdictions are " + rules.Ids() + "."});
      } else {
        regimes.push_back(jurisdiction);
      }
    }
    for (const Transfer& transfer : activity.transfers) {
      if (transfer.mechanism.empty()) {
        findings.push_back({"error", transfer.where, activity.id,
                            "transfer " + transfer.from + " -> " + transfer.to +
                                " has no mechanism; name one (adequacy, SCCs, standard contract, consent, ...)."});
      }
    }
    for (const Jurisdiction* jurisdiction : regimes) {
      for (const std::string& pii : activity.pii) {
        if (!jurisdiction->sensitive_needs_separate_basis || !jurisdiction->IsSensitive(pii)) continue;
        if (activity.legal_basis == "legitimate_interests" || activity.legal_basis == "contract") {
          findings.push_back({"warning", activity.where, activity.id,
                              pii + " is sensitive under " + jurisdiction->id + " (" +
                                  jurisdiction->sensitive.citation + ") but the legal basis is " +
                                  activity.legal_basis + "; record the separate condition (e.g. explicit_consent)."});
        }
      }
    }
    if (activity.security_measures.empty()) {
      findings.push_back({"warning", activity.where, activity.id,
                          "no security_measures; list the unified control ids that protect this processing."});
    }
  }
  return findings;
}

Result<std::vector<InventoryStore>> ParsePiiInventory(const nlohmann::json& document, const std::string& source) {
  if (!document.is_object() || !document.contains("stores") || !document["stores"].is_array()) {
    return Status::InvalidArgument(source +
                                   ": a PII inventory needs \"stores\": a list of {store, entities, "
                                   "categories}; see docs/formats/pii-inventory.md.");
  }
  if (document.contains("format") && document["format"] != "tutela-pii-inventory") {
    return Status::InvalidArgument(source +
                                   ": \"format\" is not \"tutela-pii-inventory\"; pass the file written by "
                                   "`tutela pii scan --inventory`.");
  }
  if (document.contains("version") && (!document["version"].is_number_unsigned() || document["version"] != 1)) {
    return Status::InvalidArgument(source + ": PII inventory version " + DumpJson(document["version"]) +
                                   " is not supported (this tutela reads version 1); upgrade tutela.");
  }
  std::vector<InventoryStore> out;
  for (size_t index = 0; index < document["stores"].size(); ++index) {
    const nlohmann::json& item = document["stores"][index];
    std::string where = source + ": stores[" + std::to_string(index) + "]";
    if (!item.is_object() || !item.contains("store") || !item["store"].is_string()) {
      return Status::InvalidArgument(where + " needs \"store\" (text).");
    }
    InventoryStore store;
    store.store = item["store"].get<std::string>();
    if (item.contains("entities")) {
      const nlohmann::json& entities = item["entities"];
      if (entities.is_array()) {  // version 1: [{"id", "category", "count", ...}]
        for (size_t entity_idx = 0; entity_idx < entities.size(); ++entity_idx) {
          const nlohmann::json& entity = entities[entity_idx];
          std::string entity_where = where + ".entities[" + std::to_string(entity_idx) + "]";
          if (!entity.is_object() || !entity.contains("id") || !entity["id"].is_string() || !entity.contains("count") ||
              !entity["count"].is_number_unsigned()) {
            return Status::InvalidArgument(entity_where + " needs \"id\" (text) and \"count\" (a whole number).");
          }
          std::string id = entity["id"].get<std::string>();
          store.entities[id] += entity["count"].get<uint64_t>();
          if (entity.contains("category") && entity["category"].is_string()) {
            store.entity_categories[id] = entity["category"].get<std::string>();
          }
        }
      } else if (entities.is_object()) {  // the earlier draft: {"ENTITY_ID": count}
        for (const auto& [entity, count] : entities.items()) {
          if (!count.is_number_unsigned()) {
            return Status::InvalidArgument(where + ".entities." + entity + " must be a whole number.");
          }
          store.entities[entity] = count.get<uint64_t>();
        }
      } else {
        return Status::InvalidArgument(where + ".entities must be a list of {id, count, ...}.");
      }
    }
    if (item.contains("categories")) {
      if (!item["categories"].is_array()) return Status::InvalidArgument(where + ".categories must be a list.");
      for (const auto& category : item["categories"]) {
        if (category.is_string()) store.categories.push_back(category.get<std::string>());
      }
    }
    if (item.contains("complete")) {
      if (!item["complete"].is_boolean()) return Status::InvalidArgument(where + ".complete must be true or false.");
      store.complete = item["complete"].get<bool>();
    }
    out.push_back(std::move(store));
  }
  return out;
}

std::vector<RegisterFinding> SyncRegister(const ProcessingRegister& processing,
                                          const std::vector<InventoryStore>& inventory) {
  std::vector<RegisterFinding> findings;
  // Undeclared: each entity found in a store that no covering activity declares.
  for (const InventoryStore& store : inventory) {
    std::set<std::string> declared;
    bool covered = false;
    for (const Activity& activity : processing.activities) {
      for (const DataStore& data_store : activity.data_stores) {
        if (!StoreCovers(data_store.store, store.store)) continue;
        covered = true;
        declared.insert(activity.pii.begin(), activity.pii.end());
      }
    }
    for (const auto& [entity, count] : store.entities) {
      if (count == 0 || declared.count(entity) > 0) continue;
      // A declared category covers the entity: its own category (version 1), else any category of the store.
      auto own = store.entity_categories.find(entity);
      bool category_declared =
          own != store.entity_categories.end()
              ? declared.count(own->second) > 0
              : std::any_of(store.categories.begin(), store.categories.end(),
                            [&](const std::string& category) { return declared.count(category) > 0; });
      if (category_declared) continue;
      findings.push_back(
          {"undeclared", store.store, "",
           entity + " found " + std::to_string(count) + " time(s) in " + store.store +
               (covered ? ", but no activity using this store declares it" : ", a store no activity declares") +
               "; add it to an activity's pii (and data_stores) or remove the data."});
    }
  }
  // Unseen: declared for a store, found in none of the inventory stores under it.
  for (const Activity& activity : processing.activities) {
    for (const DataStore& data_store : activity.data_stores) {
      bool scanned = false;
      bool complete = true;
      std::set<std::string> seen;
      for (const InventoryStore& store : inventory) {
        if (!StoreCovers(data_store.store, store.store)) continue;
        scanned = true;
        complete = complete && store.complete;
        for (const auto& [entity, count] : store.entities) {
          if (count > 0) seen.insert(entity);
        }
        seen.insert(store.categories.begin(), store.categories.end());
      }
      if (!scanned) {
        findings.push_back({"unseen", data_store.store, activity.id,
                            "store " + data_store.store + " is not in the PII inventory; scan it."});
        continue;
      }
      if (!complete) {
        findings.push_back({"unseen", data_store.store, activity.id,
                            "store " + data_store.store +
                                " was not fully scanned (the inventory marks it incomplete), so what was not found "
                                "there proves nothing; fix the scan errors and scan it again."});
        continue;
      }
      for (const std::string& pii : activity.pii) {
        if (seen.count(pii) == 0) {
          findings.push_back({"unseen", data_store.store, activity.id,
                              pii + " is declared for " + data_store.store +
                                  " but was not found there; remove it from the register or check the scan."});
        }
      }
    }
  }
  return findings;
}

nlohmann::json FindingsToJson(const std::vector<RegisterFinding>& findings) {
  nlohmann::json out = nlohmann::json::array();
  for (const RegisterFinding& finding : findings) {
    out.push_back({{"kind", finding.severity},
                   {"where", finding.where},
                   {"activity", finding.activity},
                   {"message", finding.message}});
  }
  return out;
}

}  // namespace tutela::pims
