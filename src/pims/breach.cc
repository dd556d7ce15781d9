#include "tutela/pims/breach.h"

#include <algorithm>
#include <set>
#include <sstream>

#include "tutela/core/data.h"
#include "tutela/core/file_util.h"

namespace tutela::pims {
namespace {

Status FieldError(const std::string& source, const YAML::Node& node, const std::string& message) {
  return Status::InvalidArgument(YamlWhere(source, node) + ": " + message);
}

std::string Join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (const std::string& part : parts) out += (out.empty() ? "" : std::string(separator)) + part;
  return out;
}

Status CheckKeys(const std::string& source, const YAML::Node& map, std::initializer_list<std::string_view> allowed,
                 const std::string& what) {
  for (const auto& item : map) {
    std::string key = item.first.Scalar();
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      std::string list;
      for (std::string_view name : allowed) list += (list.empty() ? "" : ", ") + std::string(name);
      return FieldError(source, item.first, "unknown field \"" + what + key + "\"; the fields here are " + list + ".");
    }
  }
  return Status::Ok();
}

Result<bool> ReadBool(const std::string& source, const YAML::Node& map, const char* key, bool fallback,
                      const std::string& field) {
  YAML::Node node = map[key];
  if (!node) return fallback;
  if (node.IsScalar() && (node.Scalar() == "true" || node.Scalar() == "false")) return node.Scalar() == "true";
  return FieldError(source, node, "field \"" + field + key + "\" must be true or false.");
}

Result<Timestamp> ReadTime(const std::string& source, const YAML::Node& node, const std::string& field) {
  if (!node.IsScalar()) return FieldError(source, node, "field \"" + field + "\" must be an RFC 3339 time.");
  auto time = ParseRfc3339(node.Scalar());
  if (!time.ok()) {
    return FieldError(source, node, "field \"" + field + "\": " + time.status().message());
  }
  return *time;
}

// A count of individuals: a whole number of at most 15 digits.
std::optional<uint64_t> ReadCount(const YAML::Node& node) {
  const std::string text = node.IsScalar() ? node.Scalar() : std::string();
  if (text.empty() || text.size() > 15 || !std::all_of(text.begin(), text.end(), ::isdigit)) return std::nullopt;
  return std::stoull(text);
}

bool ValidStateCode(const std::string& code) {
  return !code.empty() && code.size() <= 8 && std::all_of(code.begin(), code.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
  });
}

// Takes what the register and the PII inventory know about an affected entry's store or activity: the activities
// and Terraform addresses, and the categories when the incident leaves them out. Refuses a store neither knows.
Status ResolveSources(const std::string& source, const YAML::Node& node, const std::string& field,
                      const IncidentSources& sources, bool fill_categories, AffectedData& data,
                      std::vector<std::string>& notes) {
  std::set<std::string> declared;          // entity ids and category names the register and inventory list
  std::set<std::string> found_categories;  // inventory categories of found entities (filling only)
  std::set<std::string> regimes;           // jurisdictions of the activities
  std::vector<std::string> origins;
  std::vector<std::string> probes;  // the stores to look up in the inventory
  if (!data.store.empty()) probes.push_back(data.store);
  bool store_known = false;
  if (sources.processing != nullptr) {
    const Activity* named = nullptr;
    if (!data.activity.empty()) {
      std::vector<std::string> ids;
      for (const Activity& activity : sources.processing->activities) {
        ids.push_back(activity.id);
        if (activity.id == data.activity) named = &activity;
      }
      if (named == nullptr) {
        return FieldError(source, node["activity"],
                          "field \"" + field + ".activity\" names unknown activity \"" + data.activity + "\"; " +
                              sources.register_source + " has " + Join(ids, ", ") + ".");
      }
    }
    for (const Activity& activity : sources.processing->activities) {
      bool holds = false;
      for (const DataStore& store : activity.data_stores) {
        bool match = !data.store.empty() && (StoreCovers(store.store, data.store) ||
                                             StoreCovers(data.store, store.store) || store.terraform == data.store);
        bool take = match || (&activity == named && data.store.empty());
        if (!take) continue;
        holds = true;
        if (!store.terraform.empty() &&
            std::find(data.terraform.begin(), data.terraform.end(), store.terraform) == data.terraform.end()) {
          data.terraform.push_back(store.terraform);
        }
        if (&activity == named && data.store.empty()) probes.push_back(store.store);
      }
      if (&activity == named && !holds) {
        std::vector<std::string> stores;
        for (const DataStore& store : activity.data_stores) stores.push_back(store.store);
        return FieldError(source, node["activity"],
                          "field \"" + field + ".activity\" is contradictory: activity " + activity.id +
                              " does not declare store \"" + data.store + "\" (its stores: " + Join(stores, ", ") +
                              "); correct the store or the activity.");
      }
      if (!holds) continue;
      store_known = true;
      data.activities.push_back(activity.id);
      declared.insert(activity.pii.begin(), activity.pii.end());
      regimes.insert(activity.jurisdictions.begin(), activity.jurisdictions.end());
    }
    if (!data.activities.empty()) origins.push_back("register activity " + Join(data.activities, ", "));
  }
  if (sources.inventory != nullptr) {
    std::vector<std::string> scanned;
    for (const InventoryStore& store : *sources.inventory) {
      bool match = std::any_of(probes.begin(), probes.end(), [&](const std::string& probe) {
        return StoreCovers(probe, store.store) || StoreCovers(store.store, probe);
      });
      if (!match) continue;
      store_known = true;
      scanned.push_back(store.store);
      for (const auto& [entity, count] : store.entities) {
        if (count == 0) continue;
        declared.insert(entity);
        auto category = store.entity_categories.find(entity);
        if (category != store.entity_categories.end()) found_categories.insert(category->second);
      }
    }
    if (!scanned.empty()) origins.push_back("PII inventory store " + Join(scanned, ", "));
  }
  if (!data.store.empty() && !store_known) {
    std::string known;
    if (sources.processing != nullptr) known += sources.register_source;
    if (sources.inventory != nullptr) known += (known.empty() ? "" : " nor ") + sources.inventory_source;
    return FieldError(source, node["store"],
                      "field \"" + field + ".store\" \"" + data.store + "\" is not a data store in " + known +
                          "; correct it, add it to the register, or scan it.");
  }
  std::string label = field + (data.store.empty() ? "" : " (" + data.store + ")");
  if (fill_categories) {
    std::set<std::string> filled = declared;
    filled.insert(found_categories.begin(), found_categories.end());
    if (filled.empty()) {
      return FieldError(source, node,
                        "field \"" + field +
                            ".categories\" is missing and neither the register nor the PII inventory lists PII "
                            "for this store; list the categories affected.");
    }
    data.categories.assign(filled.begin(), filled.end());
    notes.push_back(label + ": categories taken from " + Join(origins, " and ") + ": " + Join(data.categories, ", ") +
                    ". List them in the incident if less was exposed.");
  } else {
    std::vector<std::string> unlisted;
    for (const std::string& name : declared) {
      if (std::find(data.categories.begin(), data.categories.end(), name) == data.categories.end()) {
        unlisted.push_back(name);
      }
    }
    if (!unlisted.empty()) {
      notes.push_back(label + ": " + Join(origins, " and ") + " also list " + Join(unlisted, ", ") +
                      ", not named as affected; confirm they were not exposed.");
    }
  }
  if (!regimes.empty()) {
    std::vector<std::string> outside;
    for (const auto& [id, count] : data.subjects) {
      if (count > 0 && regimes.count(id) == 0) outside.push_back(id);
    }
    if (!outside.empty()) {
      notes.push_back(label + ": subjects in " + Join(outside, ", ") + ", which activity " +
                      Join(data.activities, ", ") + " does not list among its jurisdictions; update the register.");
    }
  }
  return Status::Ok();
}

Result<AffectedData> ReadAffected(const std::string& source, const YAML::Node& node, const std::string& field,
                                  const JurisdictionSet& rules, const IncidentSources& sources,
                                  std::vector<std::string>& notes) {
  if (!node.IsMap())
    return FieldError(source, node, "field \"" + field + "\" must be a mapping; see docs/formats/incident.md.");
  TUTELA_RETURN_IF_ERROR(CheckKeys(source, node,
                                   {"store", "activity", "categories", "subjects", "subjects_by_state", "encryption",
                                    "unauthorized_acquisition", "external_attack", "risk_of_harm"},
                                   field + "."));
  AffectedData data;
  data.where = YamlWhere(source, node);
  if (YAML::Node store = node["store"]) {
    if (!store.IsScalar() || store.Scalar().empty()) {
      return FieldError(source, store, "field \"" + field + ".store\" must be text.");
    }
    data.store = store.Scalar();
  }
  if (YAML::Node activity = node["activity"]) {
    if (!activity.IsScalar() || activity.Scalar().empty()) {
      return FieldError(source, activity, "field \"" + field + ".activity\" must be a register activity id.");
    }
    data.activity = activity.Scalar();
    if (sources.processing == nullptr) {
      return FieldError(source, activity,
                        "field \"" + field +
                            ".activity\" names a register activity; pass --register with the register of "
                            "processing, or list the store and categories instead.");
    }
  }
  bool have_sources = sources.processing != nullptr || sources.inventory != nullptr;
  YAML::Node categories = node["categories"];
  bool fill_categories = !categories && have_sources && (!data.store.empty() || !data.activity.empty());
  if (!fill_categories && (!categories || !categories.IsSequence() || categories.size() == 0)) {
    std::string hint = !data.store.empty() && !have_sources
                           ? ", or pass --register/--pii-inventory to take them from the store"
                           : std::string();
    return FieldError(source, categories ? categories : node,
                      "field \"" + field +
                          ".categories\" is missing or empty; list the PII entity ids or category "
                          "names affected" +
                          hint + ".");
  }
  if (categories) {
    for (const auto& category : categories) {
      if (!category.IsScalar() || category.Scalar().empty()) {
        return FieldError(source, category, "field \"" + field + ".categories\" must list names.");
      }
      data.categories.push_back(category.Scalar());
    }
  }
  YAML::Node subjects = node["subjects"];
  if (!subjects || !subjects.IsMap() || subjects.size() == 0) {
    return FieldError(source, subjects ? subjects : node,
                      "field \"" + field +
                          ".subjects\" is missing or empty; give affected individuals per "
                          "jurisdiction, e.g. {SG: 620, EU: 40}.");
  }
  for (const auto& item : subjects) {
    std::string id = item.first.Scalar();
    if (rules.Find(id) == nullptr) {
      return FieldError(source, item.first,
                        "field \"" + field + ".subjects\" names unknown jurisdiction \"" + id +
                            "\"; the jurisdictions are " + rules.Ids() + ".");
    }
    std::optional<uint64_t> count = ReadCount(item.second);
    if (!count) {
      return FieldError(
          source, item.second,
          "field \"" + field + ".subjects." + id + "\" must be a whole number of affected individuals (0 or more).");
    }
    data.subjects[id] = *count;
  }
  if (YAML::Node by_state = node["subjects_by_state"]) {
    std::string name = field + ".subjects_by_state";
    if (!by_state.IsMap() || by_state.size() == 0) {
      return FieldError(source, by_state,
                        "field \"" + name +
                            "\" must map a jurisdiction id to its subjects per State, e.g. {US-HIPAA: {CA: 501, "
                            "NY: 20}}.");
    }
    for (const auto& item : by_state) {
      std::string id = item.first.Scalar();
      if (data.subjects.count(id) == 0) {
        return FieldError(source, item.first,
                          "field \"" + name + "\" names \"" + id + "\", which has no count in \"" + field +
                              ".subjects\"; add it there.");
      }
      if (!item.second.IsMap() || item.second.size() == 0) {
        return FieldError(
            source, item.second,
            "field \"" + name + "." + id + "\" must map State codes to subjects, e.g. {CA: 501, NY: 20}.");
      }
      uint64_t total = 0;
      std::map<std::string, uint64_t>& states = data.subjects_by_state[id];
      for (const auto& state : item.second) {
        std::string code = state.first.Scalar();
        if (!ValidStateCode(code)) {
          return FieldError(source, state.first,
                            "field \"" + name + "." + id + "\" has State \"" + code +
                                "\"; use upper-case State or territory codes (CA, NY, DC, PR).");
        }
        std::optional<uint64_t> count = ReadCount(state.second);
        if (!count) {
          return FieldError(source, state.second,
                            "field \"" + name + "." + id + "." + code +
                                "\" must be a whole number of affected individuals (0 or more).");
        }
        states[code] = *count;
        total += *count;
      }
      if (total != data.subjects[id]) {
        return FieldError(source, item.second,
                          "field \"" + name + "." + id + "\" adds up to " + std::to_string(total) + " but \"" + field +
                              ".subjects." + id + "\" is " + std::to_string(data.subjects[id]) +
                              "; list every State so the two agree.");
      }
    }
  }
  if (YAML::Node encryption = node["encryption"]) {
    if (!encryption.IsMap())
      return FieldError(source, encryption, "field \"" + field + ".encryption\" must be a mapping.");
    TUTELA_RETURN_IF_ERROR(
        CheckKeys(source, encryption, {"at_rest", "algorithm", "key_compromised"}, field + ".encryption."));
    TUTELA_ASSIGN_OR_RETURN(data.encryption.at_rest,
                            ReadBool(source, encryption, "at_rest", false, field + ".encryption."));
    TUTELA_ASSIGN_OR_RETURN(data.encryption.key_compromised,
                            ReadBool(source, encryption, "key_compromised", false, field + ".encryption."));
    if (YAML::Node algorithm = encryption["algorithm"]) {
      if (!algorithm.IsScalar())
        return FieldError(source, algorithm, "field \"" + field + ".encryption.algorithm\" must be text.");
      data.encryption.algorithm = algorithm.Scalar();
    }
    if (!data.encryption.at_rest && (!data.encryption.algorithm.empty() || encryption["key_compromised"])) {
      return FieldError(source, encryption,
                        "field \"" + field +
                            ".encryption\" is contradictory: algorithm or key_compromised given but "
                            "at_rest is not true; set at_rest: true or remove them.");
    }
    if (data.encryption.at_rest && !encryption["key_compromised"]) {
      return FieldError(source, encryption,
                        "field \"" + field +
                            ".encryption.key_compromised\" is missing; say whether the key was "
                            "exposed (a safe harbour depends on it).");
    }
  }
  TUTELA_ASSIGN_OR_RETURN(data.unauthorized_acquisition,
                          ReadBool(source, node, "unauthorized_acquisition", true, field + "."));
  TUTELA_ASSIGN_OR_RETURN(data.external_attack, ReadBool(source, node, "external_attack", false, field + "."));
  YAML::Node harm = node["risk_of_harm"];
  if (!harm) {
    return FieldError(source, node,
                      "field \"" + field +
                          ".risk_of_harm\" is missing; set unlikely, low, significant "
                          "or high as assessed.");
  }
  std::optional<Harm> parsed = harm.IsScalar() ? ParseHarm(harm.Scalar()) : std::nullopt;
  if (!parsed) {
    return FieldError(source, harm, "field \"" + field + ".risk_of_harm\" must be unlikely, low, significant or high.");
  }
  data.risk_of_harm = *parsed;
  if (have_sources) {
    TUTELA_RETURN_IF_ERROR(ResolveSources(source, node, field, sources, fill_categories, data, notes));
  }
  return data;
}

// The facts one rule sees: affected data with subjects in the jurisdiction, minus what its safe harbour covers.
struct Facts {
  uint64_t subjects = 0;
  Harm harm = Harm::kUnlikely;
  bool sensitive = false;
  bool acquisition = false;
  bool external_attack = false;
  std::set<std::string> categories;
  std::map<std::string, uint64_t> states;  // subjects per State, from subjects_by_state
  uint64_t unallocated = 0;                // subjects of entries without a per-State breakdown
  uint64_t LargestState() const {
    uint64_t largest = 0;
    for (const auto& [state, count] : states) largest = std::max(largest, count);
    return largest;
  }
};

bool Holds(const Condition& condition, const Facts& facts, const Jurisdiction& jurisdiction) {
  switch (condition.kind) {
    case Condition::Kind::kAny:
      return true;
    case Condition::Kind::kSubjectsAtLeast:
      return facts.subjects >= condition.number;
    case Condition::Kind::kSubjectsMoreThan:
      return facts.subjects > condition.number;
    case Condition::Kind::kStateSubjectsMoreThan:  // unassigned subjects may all live in the largest State
      return facts.LargestState() + facts.unallocated > condition.number;
    case Condition::Kind::kHarmAtLeast:
      return facts.harm >= condition.harm;
    case Condition::Kind::kHarmAtMost:
      return facts.harm <= condition.harm;
    case Condition::Kind::kSensitive:
      return facts.sensitive;
    case Condition::Kind::kCategoriesAny:
      return std::any_of(condition.categories.begin(), condition.categories.end(),
                         [&](const std::string& name) { return facts.categories.count(name) > 0; });
    case Condition::Kind::kAcquisition:
      return facts.acquisition;
    case Condition::Kind::kExternalAttack:
      return facts.external_attack;
  }
  (void)jurisdiction;
  return false;
}

bool Protected(const AffectedData& data, const SafeHarbour& harbour) {
  if (!data.encryption.at_rest || data.encryption.key_compromised) return false;
  if (harbour.algorithms.empty()) return true;
  return std::any_of(harbour.algorithms.begin(), harbour.algorithms.end(),
                     [&](const std::string& prefix) { return data.encryption.algorithm.rfind(prefix, 0) == 0; });
}

Timestamp AnnualLogDeadline(Timestamp clock, int64_t days) {
  auto day = std::chrono::floor<std::chrono::days>(clock);
  std::chrono::year_month_day date{day};
  std::chrono::sys_days next_year =
      std::chrono::year_month_day{date.year() + std::chrono::years{1}, std::chrono::January, std::chrono::day{1}};
  return Timestamp(next_year) + std::chrono::days{days};
}

struct Outcome {
  bool required = false;
  std::string reason;
  std::string safe_harbour;
  uint64_t subjects = 0;
  std::vector<std::string> states;
  Facts facts;
};

bool HasStateCondition(const NotificationRule& rule) {
  for (const auto* list : {&rule.when_any, &rule.when_all, &rule.unless}) {
    for (const Condition& condition : *list) {
      if (condition.kind == Condition::Kind::kStateSubjectsMoreThan) return true;
    }
  }
  return false;
}

Outcome Evaluate(const NotificationRule& rule, const std::vector<const AffectedData*>& items,
                 const Jurisdiction& jurisdiction) {
  Outcome outcome;
  Facts facts;
  bool any_exposed = false;
  for (const AffectedData* data : items) {
    uint64_t count = data->subjects.at(jurisdiction.id);
    outcome.subjects += count;
    if (rule.safe_harbour && Protected(*data, *rule.safe_harbour)) continue;
    any_exposed = true;
    facts.subjects += count;
    facts.harm = std::max(facts.harm, data->risk_of_harm);
    facts.acquisition = facts.acquisition || data->unauthorized_acquisition;
    facts.external_attack = facts.external_attack || data->external_attack;
    auto by_state = data->subjects_by_state.find(jurisdiction.id);
    if (by_state == data->subjects_by_state.end()) {
      facts.unallocated += count;
    } else {
      for (const auto& [state, state_count] : by_state->second) facts.states[state] += state_count;
    }
    for (const std::string& category : data->categories) {
      facts.categories.insert(category);
      facts.sensitive = facts.sensitive || jurisdiction.IsSensitive(category);
    }
  }
  if (!any_exposed) {
    outcome.safe_harbour = rule.safe_harbour->text + " (" + rule.safe_harbour->citation + ")";
    outcome.reason =
        "all affected data was encrypted at rest with an accepted algorithm and the key was not "
        "compromised, so the safe harbour applies";
    return outcome;
  }
  std::vector<std::string> failed;
  for (const Condition& condition : rule.when_all) {
    if (!Holds(condition, facts, jurisdiction)) failed.push_back("not " + condition.Describe());
  }
  std::vector<std::string> matched;
  for (const Condition& condition : rule.when_any) {
    if (Holds(condition, facts, jurisdiction)) matched.push_back(condition.Describe());
  }
  std::vector<std::string> exemptions;
  for (const Condition& condition : rule.unless) {
    if (Holds(condition, facts, jurisdiction)) exemptions.push_back(condition.Describe());
  }
  std::string seen = " (" + std::to_string(facts.subjects) + " subjects, risk of harm " + HarmName(facts.harm) +
                     (facts.sensitive ? ", sensitive data" : "") + ")";
  if (HasStateCondition(rule)) {
    std::vector<std::string> counts;
    for (const auto& [state, count] : facts.states) {
      if (count > 0) counts.push_back(state + " " + std::to_string(count));
    }
    if (!counts.empty()) seen += "; by State: " + Join(counts, ", ");
    if (facts.unallocated > 0) {
      seen += "; " + std::to_string(facts.unallocated) +
              " subjects have no per-State breakdown (affected[].subjects_by_state) and are counted with the "
              "largest State";
    }
    for (const auto* list : {&rule.when_any, &rule.when_all}) {
      for (const Condition& condition : *list) {
        if (condition.kind != Condition::Kind::kStateSubjectsMoreThan) continue;
        for (const auto& [state, count] : facts.states) {
          if (count > condition.number &&
              std::find(outcome.states.begin(), outcome.states.end(), state) == outcome.states.end()) {
            outcome.states.push_back(state);
          }
        }
      }
    }
  }
  outcome.facts = facts;
  if (!failed.empty()) {
    outcome.reason = "not triggered: " + Join(failed, "; ") + seen;
  } else if (!rule.when_any.empty() && matched.empty()) {
    std::vector<std::string> wanted;
    for (const Condition& condition : rule.when_any) wanted.push_back(condition.Describe());
    outcome.reason = "not triggered: none of " + Join(wanted, "; ") + seen;
  } else if (!exemptions.empty()) {
    outcome.reason = "exempt: " + Join(exemptions, "; ") + seen;
  } else {
    outcome.required = true;
    std::vector<std::string> why = matched;
    for (const Condition& condition : rule.when_all) why.push_back(condition.Describe());
    outcome.reason = "triggered: " + Join(why, "; ") + seen;
  }
  return outcome;
}

// Sets the deadline text, clock start and (for a fixed period) the absolute deadline of a required notice.
void ApplyDeadline(const Deadline& deadline, const Incident& incident, Notification& notification,
                   bool& assessment_clock_fallback) {
  notification.deadline_text = deadline.text;
  notification.clock_start = deadline.clock == Deadline::Clock::kAssessment ? "assessment" : "discovery";
  if (deadline.kind == Deadline::Kind::kNone) return;
  Timestamp clock = incident.discovered_at;
  if (deadline.clock == Deadline::Clock::kAssessment) {
    if (incident.assessed_at) {
      clock = *incident.assessed_at;
    } else {
      assessment_clock_fallback = true;
      notification.reason +=
          "; assessed_at not given, so the period is counted from discovered_at (the earliest it can start)";
    }
  }
  switch (deadline.kind) {
    case Deadline::Kind::kHours:
      notification.deadline = clock + std::chrono::hours{deadline.amount};
      break;
    case Deadline::Kind::kDays:
      notification.deadline = clock + std::chrono::days{deadline.amount};
      break;
    case Deadline::Kind::kAnnualLog:
      notification.deadline = AnnualLogDeadline(clock, deadline.amount);
      break;
    case Deadline::Kind::kNone:
      break;
  }
}

std::string DraftNotice(const Incident& incident, const Notification& notification) {
  std::set<std::string> categories;
  for (const AffectedData& data : incident.affected) {
    if (data.subjects.count(notification.jurisdiction) && data.subjects.at(notification.jurisdiction) > 0) {
      categories.insert(data.categories.begin(), data.categories.end());
    }
  }
  std::ostringstream out;
  out << "To: " << notification.authority;
  if (!notification.states.empty()) out << " (" << Join(notification.states, ", ") << ")";
  if (notification.report != "initial") out << ". The " << notification.report << " report";
  out << ". Re: personal data breach " << incident.id << ", discovered " << FormatRfc3339(incident.discovered_at)
      << ". About " << notification.subjects << " individuals (" << notification.jurisdiction
      << ") affected; data categories: " << Join(std::vector<std::string>(categories.begin(), categories.end()), ", ")
      << ". State: the nature of the breach, likely consequences, measures taken and proposed, and a contact point. "
      << "Legal basis: " << notification.basis << ".";
  return out.str();
}

}  // namespace

Result<Incident> ParseIncident(const std::string& text, const std::string& source, const JurisdictionSet& rules,
                               const IncidentSources& sources) {
  TUTELA_ASSIGN_OR_RETURN(YAML::Node root, ParseYaml(text, source));
  try {
    if (!root.IsMap()) return FieldError(source, root, "an incident must be a mapping; see docs/formats/incident.md.");
    TUTELA_RETURN_IF_ERROR(
        CheckKeys(source, root, {"id", "title", "discovered_at", "assessed_at", "role", "affected"}, ""));
    Incident incident;
    if (!root["id"] || !root["id"].IsScalar() || root["id"].Scalar().empty()) {
      return FieldError(source, root["id"] ? root["id"] : root,
                        "field \"id\" is missing; name the incident (e.g. INC-1).");
    }
    incident.id = root["id"].Scalar();
    if (YAML::Node title = root["title"]) incident.title = title.Scalar();
    if (!root["discovered_at"]) {
      return FieldError(source, root,
                        "field \"discovered_at\" is missing; give when the organisation became aware "
                        "(RFC 3339, e.g. 2026-03-02T09:00:00Z).");
    }
    TUTELA_ASSIGN_OR_RETURN(incident.discovered_at, ReadTime(source, root["discovered_at"], "discovered_at"));
    if (YAML::Node assessed = root["assessed_at"]) {
      TUTELA_ASSIGN_OR_RETURN(Timestamp time, ReadTime(source, assessed, "assessed_at"));
      if (time < incident.discovered_at) {
        return FieldError(source, assessed,
                          "field \"assessed_at\" is before \"discovered_at\"; an incident is "
                          "assessed after it is discovered — correct one of them.");
      }
      incident.assessed_at = time;
    }
    if (YAML::Node role = root["role"]) {
      if (role.Scalar() == "processor") {
        incident.role = Role::kProcessor;
      } else if (role.Scalar() != "controller") {
        return FieldError(source, role, "field \"role\" must be controller or processor.");
      }
    }
    YAML::Node affected = root["affected"];
    if (!affected || !affected.IsSequence() || affected.size() == 0) {
      return FieldError(source, affected ? affected : root,
                        "field \"affected\" is missing or empty; list the affected data (categories, subjects, ...).");
    }
    for (size_t index = 0; index < affected.size(); ++index) {
      TUTELA_ASSIGN_OR_RETURN(AffectedData data,
                              ReadAffected(source, affected[index], "affected[" + std::to_string(index) + "]", rules,
                                           sources, incident.notes));
      incident.affected.push_back(std::move(data));
    }
    return incident;
  } catch (const YAML::Exception& error) {
    return Status::InvalidArgument(source + ": unreadable incident (" + error.what() +
                                   "); see docs/formats/incident.md.");
  }
}

Result<Incident> LoadIncident(const std::filesystem::path& path, const JurisdictionSet& rules,
                              const IncidentSources& sources) {
  TUTELA_ASSIGN_OR_RETURN(std::string text, ReadFile(path, uint64_t{1} << 22));
  return ParseIncident(text, path.string(), rules, sources);
}

BreachAssessment AssessBreach(const Incident& incident, const JurisdictionSet& rules) {
  BreachAssessment assessment;
  assessment.incident_id = incident.id;
  assessment.discovered_at = incident.discovered_at;
  assessment.assessed_at = incident.assessed_at;
  bool assessment_clock_fallback = false;

  for (const Jurisdiction& jurisdiction : rules.all()) {
    std::vector<const AffectedData*> items;
    for (const AffectedData& data : incident.affected) {
      auto found = data.subjects.find(jurisdiction.id);
      if (found != data.subjects.end() && found->second > 0) items.push_back(&data);
    }
    if (items.empty()) continue;
    for (Audience audience : {Audience::kRegulator, Audience::kIndividuals, Audience::kMedia, Audience::kCustomer}) {
      const NotificationRule* first = nullptr;
      const NotificationRule* chosen = nullptr;
      Outcome first_outcome;
      Outcome chosen_outcome;
      for (const NotificationRule& rule : jurisdiction.rules) {
        if (rule.audience != audience) continue;
        if (rule.processor_only && incident.role != Role::kProcessor) continue;
        Outcome outcome = Evaluate(rule, items, jurisdiction);
        if (first == nullptr) {
          first = &rule;
          first_outcome = outcome;
        }
        if (outcome.required) {
          chosen = &rule;
          chosen_outcome = outcome;
          break;
        }
      }
      if (first == nullptr) continue;
      const NotificationRule& rule = chosen ? *chosen : *first;
      const Outcome& outcome = chosen ? chosen_outcome : first_outcome;
      Notification notification;
      notification.jurisdiction = jurisdiction.id;
      notification.audience = audience;
      notification.required = outcome.required;
      notification.authority = rule.authority;
      notification.basis = rule.citation;
      notification.rule = rule.id;
      notification.reason = outcome.reason;
      if (!rule.note.empty()) notification.reason += "; note: " + rule.note;
      notification.safe_harbour = outcome.safe_harbour;
      notification.subjects = outcome.subjects;
      notification.verified = rule.verified && rule.deadline.verified &&
                              (!rule.safe_harbour || outcome.safe_harbour.empty() || rule.safe_harbour->verified);
      notification.states = outcome.states;
      if (outcome.required) {
        ApplyDeadline(rule.deadline, incident, notification, assessment_clock_fallback);
      } else {
        notification.deadline_text = rule.deadline.text;
        notification.clock_start = rule.deadline.clock == Deadline::Clock::kAssessment ? "assessment" : "discovery";
      }
      bool required = notification.required;
      Notification initial = notification;
      assessment.notifications.push_back(std::move(notification));
      if (!required) continue;
      // Later reports owed once the initial notice is required: per report kind, the first follow-up that holds.
      std::vector<std::string> done;
      for (const FollowUp& follow_up : rule.follow_ups) {
        if (std::find(done.begin(), done.end(), follow_up.report) != done.end()) continue;
        std::vector<std::string> matched;
        for (const Condition& condition : follow_up.when_any) {
          if (Holds(condition, outcome.facts, jurisdiction)) matched.push_back(condition.Describe());
        }
        if (!follow_up.when_any.empty() && matched.empty()) continue;
        done.push_back(follow_up.report);
        Notification later = initial;
        later.report = follow_up.report;
        later.rule = rule.id + "/" + follow_up.report;
        later.basis = follow_up.citation;
        later.safe_harbour.clear();
        later.states.clear();
        later.reason = "owed after the initial notice (" + rule.id + ")" +
                       (matched.empty() ? std::string() : "; triggered: " + Join(matched, "; ")) +
                       (follow_up.note.empty() ? std::string() : "; note: " + follow_up.note);
        later.verified = follow_up.verified && follow_up.deadline.verified;
        later.deadline.reset();
        ApplyDeadline(follow_up.deadline, incident, later, assessment_clock_fallback);
        assessment.notifications.push_back(std::move(later));
      }
    }
  }
  assessment.notes.insert(assessment.notes.end(), incident.notes.begin(), incident.notes.end());
  if (assessment_clock_fallback) {
    assessment.notes.push_back(
        "Some deadlines start when the breach is assessed notifiable; assessed_at was not given, "
        "so they are counted from discovered_at. Add assessed_at once the assessment is done.");
  }
  assessment.notes.push_back(
      "Rules marked verified: false were not checked against the primary legal text; confirm "
      "them with counsel before relying on them.");

  // The response plan.
  std::vector<std::string> stores;
  std::vector<std::string> addresses;
  std::vector<std::string> activities;
  bool keys_at_risk = false;
  bool unencrypted = false;
  auto add = [](std::vector<std::string>& list, const std::string& item) {
    if (std::find(list.begin(), list.end(), item) == list.end()) list.push_back(item);
  };
  for (const AffectedData& data : incident.affected) {
    if (!data.store.empty()) add(stores, data.store);
    for (const std::string& address : data.terraform) add(addresses, address);
    for (const std::string& activity : data.activities) add(activities, activity);
    keys_at_risk = keys_at_risk || data.encryption.key_compromised;
    unencrypted = unencrypted || !data.encryption.at_rest;
  }
  auto& plan = assessment.plan;
  plan.push_back(
      {"contain", "Contain the breach",
       "Revoke the access path used, isolate and snapshot the affected stores" +
           (stores.empty() ? std::string() : " (" + Join(stores, ", ") + ")") + ", and stop further disclosure." +
           (addresses.empty() ? std::string() : " Terraform resources to lock down: " + Join(addresses, ", ") + ".") +
           (activities.empty() ? std::string() : " Register activities concerned: " + Join(activities, ", ") + "."),
       std::nullopt, "ISO/IEC 27701 6.13.1.5"});
  if (keys_at_risk) {
    plan.push_back({"rotate-keys", "Rotate or crypto-shred the compromised keys",
                    "A key protecting affected data is compromised: rotate it, re-encrypt the data under a new key, "
                    "and crypto-shred copies that need not be kept (destroy the old key).",
                    std::nullopt, "45 CFR 164.402 (secured PHI); GDPR Art 34(3)(a)"});
  } else if (unencrypted) {
    plan.push_back({"encrypt", "Encrypt the affected stores at rest",
                    "Some affected data was not encrypted at rest; enable encryption with managed keys so a repeat "
                    "falls under the encryption safe harbours.",
                    std::nullopt, "ISO/IEC 27018 A.11.5, A.11.6"});
  }
  plan.push_back({"preserve-evidence", "Preserve evidence in the vault",
                  "Write logs, snapshots and this assessment to the WORM vault with a retention lock (`tutela evidence "
                  "manifest` then upload), so the timeline can be proven to regulators.",
                  std::nullopt, "GDPR Art 33(5)"});
  if (incident.role == Role::kProcessor) {
    plan.push_back({"notify-customers", "Notify the customers (controllers) as processor",
                    "Tell each affected customer without undue delay, with the facts they need for their own notices.",
                    incident.discovered_at + std::chrono::hours{24}, "ISO/IEC 27018 A.10.1; GDPR Art 33(2)"});
  }
  for (const Notification& notification : assessment.notifications) {
    if (!notification.required) continue;
    bool later = notification.report != "initial";
    plan.push_back(
        {"draft-" + notification.jurisdiction + "-" + AudienceName(notification.audience) +
             (later ? "-" + notification.report : std::string()),
         (later ? "Prepare the " + notification.report + " report to " : std::string("Draft the notice to ")) +
             AudienceName(notification.audience) + " (" + notification.jurisdiction +
             (notification.states.empty() ? std::string() : ": " + Join(notification.states, ", ")) + ")",
         DraftNotice(incident, notification), notification.deadline, notification.basis});
  }
  plan.push_back({"record", "Record the breach in the breach register",
                  "Document the facts, effects and remedial action, including the decisions not to notify and why.",
                  std::nullopt, "GDPR Art 33(5); ISO/IEC 27701 6.13.1.5"});
  return assessment;
}

std::string AudienceLabel(const Notification& notification) {
  std::string label = AudienceName(notification.audience);
  if (notification.report != "initial") label += " (" + notification.report + " report)";
  if (!notification.states.empty()) label += " (" + Join(notification.states, ", ") + ")";
  return label;
}

nlohmann::json BreachToJson(const BreachAssessment& assessment) {
  nlohmann::json notifications = nlohmann::json::array();
  for (const Notification& item : assessment.notifications) {
    notifications.push_back(
        {{"jurisdiction", item.jurisdiction},
         {"audience", AudienceName(item.audience)},
         {"report", item.report},
         {"required", item.required},
         {"deadline", item.deadline ? nlohmann::json(FormatRfc3339(*item.deadline)) : nullptr},
         {"deadline_rule", item.deadline_text},
         {"clock_start", item.clock_start},
         {"authority", item.authority},
         {"basis", item.basis},
         {"rule", item.rule},
         {"reason", item.reason},
         {"safe_harbour", item.safe_harbour.empty() ? nlohmann::json(nullptr) : nlohmann::json(item.safe_harbour)},
         {"subjects", item.subjects},
         {"states", item.states},
         {"verified", item.verified}});
  }
  nlohmann::json plan = nlohmann::json::array();
  for (const PlanStep& step : assessment.plan) {
    plan.push_back({{"id", step.id},
                    {"action", step.action},
                    {"detail", step.detail},
                    {"due", step.due ? nlohmann::json(FormatRfc3339(*step.due)) : nullptr},
                    {"basis", step.basis}});
  }
  return {{"incident", assessment.incident_id},
          {"discovered_at", FormatRfc3339(assessment.discovered_at)},
          {"assessed_at", assessment.assessed_at ? nlohmann::json(FormatRfc3339(*assessment.assessed_at)) : nullptr},
          {"notifications", notifications},
          {"plan", plan},
          {"notes", assessment.notes}};
}

std::string BreachToMarkdown(const BreachAssessment& assessment) {
  std::ostringstream out;
  out << "# Breach assessment: " << assessment.incident_id << "\n\n";
  out << "Discovered " << FormatRfc3339(assessment.discovered_at);
  if (assessment.assessed_at) out << "; assessed notifiable " << FormatRfc3339(*assessment.assessed_at);
  out << ".\n\n## Notifications\n\n";
  out << "| jurisdiction | audience | required | deadline (UTC) | authority | basis | verified |\n";
  out << "|---|---|---|---|---|---|---|\n";
  for (const Notification& item : assessment.notifications) {
    out << "| " << item.jurisdiction << " | " << AudienceLabel(item) << " | " << (item.required ? "**yes**" : "no")
        << " | "
        << (item.deadline ? FormatRfc3339(*item.deadline) : (item.required ? item.deadline_text : std::string("—")))
        << " | " << item.authority << " | " << item.basis << " | " << (item.verified ? "yes" : "no") << " |\n";
  }
  out << "\n### Reasons\n\n";
  for (const Notification& item : assessment.notifications) {
    out << "- **" << item.jurisdiction << " " << AudienceLabel(item) << "** (" << item.rule << "): " << item.reason;
    if (!item.safe_harbour.empty()) out << ". Safe harbour: " << item.safe_harbour;
    out << ".\n";
  }
  out << "\n## Response plan\n\n";
  int number = 1;
  for (const PlanStep& step : assessment.plan) {
    out << number++ << ". **" << step.action << "**";
    if (step.due) out << " — due " << FormatRfc3339(*step.due);
    out << "\n   " << step.detail << " _(" << step.basis << ")_\n";
  }
  if (!assessment.notes.empty()) {
    out << "\n## Notes\n\n";
    for (const std::string& note : assessment.notes) out << "- " << note << "\n";
  }
  return out.str();
}

namespace {

std::string IcsText(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\\' || c == ';' || c == ',') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string IcsTime(Timestamp time) {
  std::string text = FormatRfc3339(time);  // 2026-03-05T09:00:00Z
  std::string out;
  for (char c : text) {
    if (c != '-' && c != ':') out += c;
  }
  return out;
}

// RFC 5545 §3.1: lines longer than 75 octets are folded with CRLF + space.
std::string Fold(const std::string& line) {
  std::string out;
  size_t position = 0;
  size_t limit = 75;
  while (line.size() - position > limit) {
    size_t cut = limit;
    while (cut > 1 && (static_cast<unsigned char>(line[position + cut]) & 0xC0) == 0x80) --cut;
    out += line.substr(position, cut) + "\r\n ";
    position += cut;
    limit = 74;
  }
  return out + line.substr(position) + "\r\n";
}
}  // namespace

std::string BreachToIcs(const BreachAssessment& assessment, Timestamp stamp) {
  std::string out = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Tutela//breach assess//EN\r\nCALSCALE:GREGORIAN\r\n";
  for (const Notification& item : assessment.notifications) {
    if (!item.required || !item.deadline) continue;
    std::string uid = assessment.incident_id + "-" + item.jurisdiction + "-" + AudienceName(item.audience) +
                      (item.report == "initial" ? std::string() : "-" + item.report);
    for (char& c : uid) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') c = '-';
    }
    out += "BEGIN:VEVENT\r\n";
    out += Fold("UID:" + uid + "@tutela");
    out += "DTSTAMP:" + IcsTime(stamp) + "\r\n";
    out += "DTSTART:" + IcsTime(*item.deadline) + "\r\n";
    out += "DTEND:" + IcsTime(*item.deadline) + "\r\n";
    out += Fold("SUMMARY:" +
                IcsText("Breach " + assessment.incident_id + ": " +
                        (item.report == "initial" ? "notify " : item.report + " report to ") +
                        AudienceName(item.audience) + " (" + item.jurisdiction + ", " + item.authority + ")"));
    out += Fold("DESCRIPTION:" + IcsText(item.basis + ". " + item.deadline_text + ". " + item.reason));
    out += "BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT12H\r\nDESCRIPTION:Notification deadline\r\nEND:VALARM\r\n";
    out += "END:VEVENT\r\n";
  }
  out += "END:VCALENDAR\r\n";
  return out;
}

}  // namespace tutela::pims
