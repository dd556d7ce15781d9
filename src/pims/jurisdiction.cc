#include "tutela/pims/jurisdiction.h"

#include <algorithm>
#include <cstdlib>
#include <set>

#include "tutela/core/builtin_data.h"
#include "tutela/core/data.h"
#include "tutela/core/file_util.h"

namespace tutela::pims {
namespace {

// Reads YAML rule files with messages that point at the node.
class Reader {
 public:
  explicit Reader(std::string source) : source_(std::move(source)) {}

  std::string Where(const YAML::Node& node) const { return YamlWhere(source_, node); }

  Status Error(const YAML::Node& node, const std::string& message) const {
    return Status::InvalidArgument(Where(node) + ": " + message);
  }

  // Refuses keys outside `allowed`.
  Status CheckKeys(const YAML::Node& map, std::initializer_list<std::string_view> allowed, std::string_view what) {
    if (!map.IsMap()) return Error(map, std::string(what) + " must be a mapping; see docs/pims.md.");
    for (const auto& item : map) {
      std::string key = item.first.Scalar();
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        std::string list;
        for (std::string_view name : allowed) list += (list.empty() ? "" : ", ") + std::string(name);
        return Error(item.first,
                     "unknown field \"" + key + "\" in " + std::string(what) + "; the fields are " + list + ".");
      }
    }
    return Status::Ok();
  }

  Result<std::string> String(const YAML::Node& map, const char* key, bool required, std::string_view what) {
    YAML::Node node = map[key];
    if (!node) {
      if (required) return Error(map, std::string(what) + " needs a \"" + key + "\"; add it.");
      return std::string();
    }
    if (!node.IsScalar() || node.Scalar().empty()) {
      return Error(node, std::string(what) + " field \"" + key + "\" must be non-empty text.");
    }
    return node.Scalar();
  }

  Result<bool> Bool(const YAML::Node& map, const char* key, bool fallback, std::string_view what) {
    YAML::Node node = map[key];
    if (!node) return fallback;
    if (node.IsScalar() && (node.Scalar() == "true" || node.Scalar() == "false")) return node.Scalar() == "true";
    return Error(node, std::string(what) + " field \"" + key + "\" must be true or false.");
  }

  Result<std::vector<std::string>> Strings(const YAML::Node& map, const char* key, std::string_view what) {
    std::vector<std::string> out;
    YAML::Node node = map[key];
    if (!node) return out;
    if (!node.IsSequence()) return Error(node, std::string(what) + " field \"" + key + "\" must be a list.");
    for (const auto& item : node) {
      if (!item.IsScalar() || item.Scalar().empty()) {
        return Error(item, std::string(what) + " field \"" + key + "\" must list non-empty names.");
      }
      out.push_back(item.Scalar());
    }
    return out;
  }

  Result<uint64_t> Count(const YAML::Node& node, std::string_view what) {
    const std::string& text = node.IsScalar() ? node.Scalar() : std::string();
    if (text.empty() || text.size() > 18 || !std::all_of(text.begin(), text.end(), ::isdigit)) {
      return Error(node, std::string(what) + " must be a whole number of 0 or more.");
    }
    return std::stoull(text);
  }

  Result<CitedFact> Fact(const YAML::Node& map, std::string_view what, bool text_required) {
    TUTELA_RETURN_IF_ERROR(CheckKeys(map, {"text", "citation", "verified"}, what));
    CitedFact fact;
    TUTELA_ASSIGN_OR_RETURN(fact.text, String(map, "text", text_required, what));
    TUTELA_ASSIGN_OR_RETURN(fact.citation, String(map, "citation", true, what));
    TUTELA_ASSIGN_OR_RETURN(fact.verified, Bool(map, "verified", false, what));
    if (!map["verified"]) return Error(map, std::string(what) + " needs \"verified: true|false\"; add it.");
    return fact;
  }

  Result<Condition> ParseCondition(const YAML::Node& node) {
    if (!node.IsMap() || node.size() != 1) {
      return Error(node,
                   "a condition must be a mapping with exactly one key (any, subjects_at_least, "
                   "subjects_more_than, state_subjects_more_than, harm_at_least, harm_at_most, sensitive, "
                   "categories_any, acquisition, external_attack).");
    }
    std::string key = node.begin()->first.Scalar();
    YAML::Node value = node.begin()->second;
    Condition condition;
    auto expect_true = [&]() -> Status {
      if (value.IsScalar() && value.Scalar() == "true") return Status::Ok();
      return Error(value, "condition \"" + key + "\" takes the value true.");
    };
    if (key == "any") {
      condition.kind = Condition::Kind::kAny;
      TUTELA_RETURN_IF_ERROR(expect_true());
    } else if (key == "subjects_at_least" || key == "subjects_more_than" || key == "state_subjects_more_than") {
      condition.kind = key == "subjects_at_least"    ? Condition::Kind::kSubjectsAtLeast
                       : key == "subjects_more_than" ? Condition::Kind::kSubjectsMoreThan
                                                     : Condition::Kind::kStateSubjectsMoreThan;
      TUTELA_ASSIGN_OR_RETURN(condition.number, Count(value, "condition \"" + key + "\""));
    } else if (key == "harm_at_least" || key == "harm_at_most") {
      condition.kind = key == "harm_at_least" ? Condition::Kind::kHarmAtLeast : Condition::Kind::kHarmAtMost;
      std::optional<Harm> harm = value.IsScalar() ? ParseHarm(value.Scalar()) : std::nullopt;
      if (!harm) return Error(value, "condition \"" + key + "\" takes unlikely, low, significant or high.");
      condition.harm = *harm;
    } else if (key == "sensitive") {
      condition.kind = Condition::Kind::kSensitive;
      TUTELA_RETURN_IF_ERROR(expect_true());
    } else if (key == "acquisition") {
      condition.kind = Condition::Kind::kAcquisition;
      TUTELA_RETURN_IF_ERROR(expect_true());
    } else if (key == "external_attack") {
      condition.kind = Condition::Kind::kExternalAttack;
      TUTELA_RETURN_IF_ERROR(expect_true());
    } else if (key == "categories_any") {
      condition.kind = Condition::Kind::kCategoriesAny;
      TUTELA_ASSIGN_OR_RETURN(condition.categories, Strings(node, "categories_any", "condition"));
      if (condition.categories.empty()) return Error(value, "condition \"categories_any\" needs at least one name.");
    } else {
      return Error(node.begin()->first, "unknown condition \"" + key + "\"; see docs/pims.md for the conditions.");
    }
    return condition;
  }

  Result<std::vector<Condition>> Conditions(const YAML::Node& rule, const char* key) {
    std::vector<Condition> out;
    YAML::Node node = rule[key];
    if (!node) return out;
    if (!node.IsSequence()) return Error(node, std::string("\"") + key + "\" must be a list of conditions.");
    for (const auto& item : node) {
      TUTELA_ASSIGN_OR_RETURN(Condition condition, ParseCondition(item));
      out.push_back(std::move(condition));
    }
    return out;
  }

  Result<Deadline> ParseDeadline(const YAML::Node& node) {
    TUTELA_RETURN_IF_ERROR(
        CheckKeys(node, {"clock", "hours", "days", "annual_log_days", "text", "verified"}, "a deadline"));
    Deadline deadline;
    TUTELA_ASSIGN_OR_RETURN(deadline.text, String(node, "text", true, "a deadline"));
    TUTELA_ASSIGN_OR_RETURN(deadline.verified, Bool(node, "verified", true, "a deadline"));
    TUTELA_ASSIGN_OR_RETURN(std::string clock, String(node, "clock", false, "a deadline"));
    int periods = 0;
    for (const char* key : {"hours", "days", "annual_log_days"}) {
      if (!node[key]) continue;
      ++periods;
      TUTELA_ASSIGN_OR_RETURN(uint64_t amount, Count(node[key], std::string("deadline \"") + key + "\""));
      if (amount == 0 || amount > 3660)
        return Error(node[key], std::string("deadline \"") + key + "\" must be 1 to 3660.");
      deadline.amount = static_cast<int64_t>(amount);
      deadline.kind = std::string_view(key) == "hours"  ? Deadline::Kind::kHours
                      : std::string_view(key) == "days" ? Deadline::Kind::kDays
                                                        : Deadline::Kind::kAnnualLog;
    }
    if (periods > 1) return Error(node, "a deadline takes one of hours, days or annual_log_days, not several.");
    if (periods == 1 && clock.empty()) {
      return Error(node, "a deadline with a period needs \"clock: discovery|assessment\" (when it starts).");
    }
    if (clock == "discovery" || clock.empty()) {
      deadline.clock = Deadline::Clock::kDiscovery;
    } else if (clock == "assessment") {
      deadline.clock = Deadline::Clock::kAssessment;
    } else {
      return Error(node["clock"], "deadline clock must be discovery (awareness) or assessment.");
    }
    return deadline;
  }

  Result<FollowUp> ParseFollowUp(const YAML::Node& node, const std::string& rule_id) {
    std::string what = "a follow-up of rule " + rule_id;
    TUTELA_RETURN_IF_ERROR(CheckKeys(node, {"report", "when_any", "deadline", "citation", "verified", "note"}, what));
    FollowUp follow_up;
    TUTELA_ASSIGN_OR_RETURN(follow_up.report, String(node, "report", true, what));
    if (follow_up.report != "final" && follow_up.report != "follow-up") {
      return Error(node["report"], what + ": report must be final or follow-up.");
    }
    TUTELA_ASSIGN_OR_RETURN(follow_up.when_any, Conditions(node, "when_any"));
    if (!node["deadline"]) return Error(node, what + " needs a deadline; add one.");
    TUTELA_ASSIGN_OR_RETURN(follow_up.deadline, ParseDeadline(node["deadline"]));
    if (follow_up.deadline.kind == Deadline::Kind::kNone || follow_up.deadline.kind == Deadline::Kind::kAnnualLog) {
      return Error(node["deadline"], what + " needs a fixed period (hours or days).");
    }
    TUTELA_ASSIGN_OR_RETURN(follow_up.citation, String(node, "citation", true, what));
    if (!node["verified"]) return Error(node, what + " needs \"verified: true|false\"; add it.");
    TUTELA_ASSIGN_OR_RETURN(follow_up.verified, Bool(node, "verified", false, what));
    TUTELA_ASSIGN_OR_RETURN(follow_up.note, String(node, "note", false, what));
    return follow_up;
  }

  Result<NotificationRule> ParseRule(const YAML::Node& node) {
    TUTELA_RETURN_IF_ERROR(CheckKeys(node,
                                     {"id", "audience", "authority", "role", "when_any", "when_all", "unless",
                                      "safe_harbour", "deadline", "follow_ups", "citation", "verified", "note"},
                                     "a notification rule"));
    NotificationRule rule;
    rule.where = Where(node);
    TUTELA_ASSIGN_OR_RETURN(rule.id, String(node, "id", true, "a notification rule"));
    TUTELA_ASSIGN_OR_RETURN(std::string audience, String(node, "audience", true, "rule " + rule.id));
    if (audience == "regulator") {
      rule.audience = Audience::kRegulator;
    } else if (audience == "individuals") {
      rule.audience = Audience::kIndividuals;
    } else if (audience == "media") {
      rule.audience = Audience::kMedia;
    } else if (audience == "customer") {
      rule.audience = Audience::kCustomer;
    } else {
      return Error(node["audience"],
                   "rule " + rule.id + ": audience must be regulator, individuals, media or customer.");
    }
    TUTELA_ASSIGN_OR_RETURN(rule.authority, String(node, "authority", true, "rule " + rule.id));
    TUTELA_ASSIGN_OR_RETURN(std::string role, String(node, "role", false, "rule " + rule.id));
    if (!role.empty() && role != "processor" && role != "any") {
      return Error(node["role"], "rule " + rule.id + ": role must be processor or any.");
    }
    rule.processor_only = role == "processor";
    TUTELA_ASSIGN_OR_RETURN(rule.when_any, Conditions(node, "when_any"));
    TUTELA_ASSIGN_OR_RETURN(rule.when_all, Conditions(node, "when_all"));
    TUTELA_ASSIGN_OR_RETURN(rule.unless, Conditions(node, "unless"));
    if (rule.when_any.empty() && rule.when_all.empty()) {
      return Error(node, "rule " + rule.id + " needs when_any or when_all (use `- any: true` for every breach).");
    }
    if (YAML::Node harbour = node["safe_harbour"]) {
      TUTELA_RETURN_IF_ERROR(CheckKeys(harbour, {"algorithms", "text", "citation", "verified"}, "a safe harbour"));
      SafeHarbour safe;
      TUTELA_ASSIGN_OR_RETURN(safe.algorithms, Strings(harbour, "algorithms", "a safe harbour"));
      TUTELA_ASSIGN_OR_RETURN(safe.text, String(harbour, "text", true, "a safe harbour"));
      TUTELA_ASSIGN_OR_RETURN(safe.citation, String(harbour, "citation", true, "a safe harbour"));
      if (!harbour["verified"]) return Error(harbour, "a safe harbour needs \"verified: true|false\"; add it.");
      TUTELA_ASSIGN_OR_RETURN(safe.verified, Bool(harbour, "verified", false, "a safe harbour"));
      rule.safe_harbour = std::move(safe);
    }
    if (!node["deadline"]) return Error(node, "rule " + rule.id + " needs a deadline; add one.");
    TUTELA_ASSIGN_OR_RETURN(rule.deadline, ParseDeadline(node["deadline"]));
    if (rule.deadline.kind == Deadline::Kind::kAnnualLog && rule.deadline.clock != Deadline::Clock::kDiscovery) {
      return Error(node["deadline"], "rule " + rule.id + ": an annual log counts from the discovery year.");
    }
    if (YAML::Node follow_ups = node["follow_ups"]) {
      if (!follow_ups.IsSequence() || follow_ups.size() == 0) {
        return Error(follow_ups, "rule " + rule.id + ": \"follow_ups\" must be a non-empty list of later reports.");
      }
      for (const auto& item : follow_ups) {
        TUTELA_ASSIGN_OR_RETURN(FollowUp follow_up, ParseFollowUp(item, rule.id));
        rule.follow_ups.push_back(std::move(follow_up));
      }
    }
    TUTELA_ASSIGN_OR_RETURN(rule.citation, String(node, "citation", true, "rule " + rule.id));
    if (!node["verified"]) return Error(node, "rule " + rule.id + " needs \"verified: true|false\"; add it.");
    TUTELA_ASSIGN_OR_RETURN(rule.verified, Bool(node, "verified", false, "rule " + rule.id));
    TUTELA_ASSIGN_OR_RETURN(rule.note, String(node, "note", false, "rule " + rule.id));
    return rule;
  }

  Result<Jurisdiction> ParseJurisdiction(const YAML::Node& root) {
    if (!root.IsMap()) return Error(root, "a jurisdiction file must be a mapping; see docs/pims.md.");
    TUTELA_RETURN_IF_ERROR(CheckKeys(root,
                                     {"id", "name", "source", "regulator", "sensitive", "transfers", "penalty",
                                      "notifications", "impact_assessment"},
                                     "a jurisdiction file"));
    Jurisdiction out;
    out.path = source_;
    TUTELA_ASSIGN_OR_RETURN(out.id, String(root, "id", true, "a jurisdiction file"));
    TUTELA_ASSIGN_OR_RETURN(out.name, String(root, "name", true, "a jurisdiction file"));
    TUTELA_ASSIGN_OR_RETURN(out.source, String(root, "source", true, "a jurisdiction file"));
    TUTELA_ASSIGN_OR_RETURN(out.regulator, String(root, "regulator", true, "a jurisdiction file"));

    YAML::Node sensitive = root["sensitive"];
    if (!sensitive) return Error(root, "a jurisdiction file needs a \"sensitive\" section; add it.");
    TUTELA_RETURN_IF_ERROR(CheckKeys(sensitive,
                                     {"entities", "categories", "text", "citation", "verified", "separate_basis"},
                                     "the sensitive section"));
    TUTELA_ASSIGN_OR_RETURN(out.sensitive_entities, Strings(sensitive, "entities", "the sensitive section"));
    TUTELA_ASSIGN_OR_RETURN(out.sensitive_categories, Strings(sensitive, "categories", "the sensitive section"));
    for (const std::string& entity : out.sensitive_entities) {
      if (std::any_of(entity.begin(), entity.end(), ::islower)) {
        return Error(sensitive["entities"], "sensitive entity \"" + entity + "\" must be an upper-case entity id.");
      }
    }
    for (const std::string& category : out.sensitive_categories) {
      if (std::any_of(category.begin(), category.end(), ::isupper)) {
        return Error(sensitive["categories"], "sensitive category \"" + category + "\" must be a lower-case name.");
      }
    }
    TUTELA_ASSIGN_OR_RETURN(out.sensitive.citation, String(sensitive, "citation", true, "the sensitive section"));
    TUTELA_ASSIGN_OR_RETURN(out.sensitive.text, String(sensitive, "text", false, "the sensitive section"));
    TUTELA_ASSIGN_OR_RETURN(out.sensitive_needs_separate_basis,
                            Bool(sensitive, "separate_basis", true, "the sensitive section"));
    if (!sensitive["verified"]) return Error(sensitive, "the sensitive section needs \"verified: true|false\".");
    TUTELA_ASSIGN_OR_RETURN(out.sensitive.verified, Bool(sensitive, "verified", false, "the sensitive section"));

    YAML::Node transfers = root["transfers"];
    if (!transfers || !transfers.IsSequence() || transfers.size() == 0) {
      return Error(transfers ? transfers : root, "\"transfers\" must list the cross-border transfer mechanisms.");
    }
    for (const auto& item : transfers) {
      TUTELA_ASSIGN_OR_RETURN(CitedFact fact, Fact(item, "a transfer mechanism", true));
      out.transfer_mechanisms.push_back(std::move(fact));
    }
    if (!root["penalty"]) return Error(root, "a jurisdiction file needs a \"penalty\" headline; add it.");
    TUTELA_ASSIGN_OR_RETURN(out.penalty, Fact(root["penalty"], "the penalty", true));

    if (YAML::Node impact = root["impact_assessment"]) {
      TUTELA_RETURN_IF_ERROR(CheckKeys(impact, {"when_any", "text", "citation", "verified"}, "impact_assessment"));
      ImpactAssessmentRule rule;
      TUTELA_ASSIGN_OR_RETURN(rule.when_any, Strings(impact, "when_any", "impact_assessment"));
      for (const std::string& trigger : rule.when_any) {
        if (trigger != "high_risk" && trigger != "sensitive" && trigger != "sensitive_large_scale" &&
            trigger != "transfer" && trigger != "disclosure") {
          return Error(impact["when_any"], "unknown impact_assessment trigger \"" + trigger +
                                               "\"; use high_risk, sensitive, sensitive_large_scale, transfer or "
                                               "disclosure.");
        }
      }
      if (rule.when_any.empty()) return Error(impact, "impact_assessment needs when_any triggers.");
      TUTELA_ASSIGN_OR_RETURN(rule.text, String(impact, "text", true, "impact_assessment"));
      TUTELA_ASSIGN_OR_RETURN(rule.citation, String(impact, "citation", true, "impact_assessment"));
      if (!impact["verified"]) return Error(impact, "impact_assessment needs \"verified: true|false\".");
      TUTELA_ASSIGN_OR_RETURN(rule.verified, Bool(impact, "verified", false, "impact_assessment"));
      out.impact_assessment = std::move(rule);
    }
    YAML::Node rules = root["notifications"];
    if (!rules || !rules.IsSequence() || rules.size() == 0) {
      return Error(rules ? rules : root, "\"notifications\" must list at least one notification rule.");
    }
    std::set<std::string> ids;
    for (const auto& item : rules) {
      TUTELA_ASSIGN_OR_RETURN(NotificationRule rule, ParseRule(item));
      if (!ids.insert(rule.id).second)
        return Error(item["id"], "duplicate rule id \"" + rule.id + "\"; ids are unique.");
      out.rules.push_back(std::move(rule));
    }
    return out;
  }

 private:
  std::string source_;
};

}  // namespace

const char* HarmName(Harm harm) {
  switch (harm) {
    case Harm::kUnlikely:
      return "unlikely";
    case Harm::kLow:
      return "low";
    case Harm::kSignificant:
      return "significant";
    case Harm::kHigh:
      return "high";
  }
  return "high";
}

std::optional<Harm> ParseHarm(const std::string& text) {
  for (Harm harm : {Harm::kUnlikely, Harm::kLow, Harm::kSignificant, Harm::kHigh}) {
    if (text == HarmName(harm)) return harm;
  }
  return std::nullopt;
}

const char* AudienceName(Audience audience) {
  switch (audience) {
    case Audience::kRegulator:
      return "regulator";
    case Audience::kIndividuals:
      return "individuals";
    case Audience::kMedia:
      return "media";
    case Audience::kCustomer:
      return "customer";
  }
  return "regulator";
}

std::string Condition::Describe() const {
  switch (kind) {
    case Kind::kAny:
      return "any breach";
    case Kind::kSubjectsAtLeast:
      return "subjects >= " + std::to_string(number);
    case Kind::kSubjectsMoreThan:
      return "subjects > " + std::to_string(number);
    case Kind::kStateSubjectsMoreThan:
      return "subjects in one State > " + std::to_string(number);
    case Kind::kHarmAtLeast:
      return std::string("risk of harm >= ") + HarmName(harm);
    case Kind::kHarmAtMost:
      return std::string("risk of harm <= ") + HarmName(harm);
    case Kind::kSensitive:
      return "sensitive category affected";
    case Kind::kCategoriesAny: {
      std::string list;
      for (const std::string& category : categories) list += (list.empty() ? "" : ", ") + category;
      return "one of [" + list + "] affected";
    }
    case Kind::kAcquisition:
      return "acquired by an unauthorised person";
    case Kind::kExternalAttack:
      return "external attack";
  }
  return "";
}

bool Jurisdiction::IsSensitive(const std::string& category) const {
  return std::find(sensitive_entities.begin(), sensitive_entities.end(), category) != sensitive_entities.end() ||
         std::find(sensitive_categories.begin(), sensitive_categories.end(), category) != sensitive_categories.end();
}

Result<Jurisdiction> JurisdictionSet::ParseFile(const std::string& text, const std::string& source) {
  TUTELA_ASSIGN_OR_RETURN(YAML::Node root, ParseYaml(text, source));
  Reader reader(source);
  try {
    return reader.ParseJurisdiction(root);
  } catch (const YAML::Exception& error) {
    return Status::InvalidArgument(source + ": unreadable rule file (" + error.what() + "); check its structure.");
  }
}

Result<JurisdictionSet> JurisdictionSet::LoadDirectory(const std::filesystem::path& directory) {
  std::error_code error;
  if (!std::filesystem::is_directory(directory, error)) {
    return Status::NotFound(directory.string() +
                            ": no jurisdiction rule folder there; pass --jurisdictions DIR or "
                            "set TUTELA_CATALOG_DIR to the catalog folder.");
  }
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(directory, error)) {
    if (entry.is_regular_file() && entry.path().extension() == ".yaml") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) {
    return Status::InvalidArgument(directory.string() +
                                   ": no *.yaml jurisdiction rule files; add them or point "
                                   "--jurisdictions at catalog/jurisdictions.");
  }
  JurisdictionSet set;
  for (const auto& file : files) {
    TUTELA_ASSIGN_OR_RETURN(std::string text, ReadFile(file, uint64_t{1} << 22));
    TUTELA_ASSIGN_OR_RETURN(Jurisdiction jurisdiction, ParseFile(text, file.string()));
    if (set.Find(jurisdiction.id) != nullptr) {
      return Status::InvalidArgument(file.string() + ": jurisdiction id \"" + jurisdiction.id +
                                     "\" is also defined in " + set.Find(jurisdiction.id)->path + "; ids are unique.");
    }
    set.jurisdictions_.push_back(std::move(jurisdiction));
  }
  std::sort(set.jurisdictions_.begin(), set.jurisdictions_.end(),
            [](const Jurisdiction& a, const Jurisdiction& b) { return a.id < b.id; });
  return set;
}

const Jurisdiction* JurisdictionSet::Find(const std::string& id) const {
  for (const Jurisdiction& jurisdiction : jurisdictions_) {
    if (jurisdiction.id == id) return &jurisdiction;
  }
  return nullptr;
}

std::string JurisdictionSet::Ids() const {
  std::string out;
  for (const Jurisdiction& jurisdiction : jurisdictions_) out += (out.empty() ? "" : ", ") + jurisdiction.id;
  return out;
}

std::filesystem::path DefaultJurisdictionsDirectory() { return BuiltinCatalogRoot() / "jurisdictions"; }

}  // namespace tutela::pims
