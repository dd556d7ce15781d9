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

Result<AffectedData> ReadAffected(const std::string& source, const YAML::Node& node, const std::string& field,
                                  const JurisdictionSet& rules) {
  if (!node.IsMap())
    return FieldError(source, node, "field \"" + field + "\" must be a mapping; see docs/formats/incident.md.");
  TUTELA_RETURN_IF_ERROR(CheckKeys(
      source, node,
      {"store", "categories", "subjects", "encryption", "unauthorized_acquisition", "external_attack", "risk_of_harm"},
      field + "."));
  AffectedData data;
  if (YAML::Node store = node["store"]) {
    if (!store.IsScalar()) return FieldError(source, store, "field \"" + field + ".store\" must be text.");
    data.store = store.Scalar();
  }
  YAML::Node categories = node["categories"];
  if (!categories || !categories.IsSequence() || categories.size() == 0) {
    return FieldError(source, categories ? categories : node,
                      "field \"" + field +
                          ".categories\" is missing or empty; list the PII entity ids or category "
                          "names affected.");
  }
  for (const auto& category : categories) {
    if (!category.IsScalar() || category.Scalar().empty()) {
      return FieldError(source, category, "field \"" + field + ".categories\" must list names.");
    }
    data.categories.push_back(category.Scalar());
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
    const std::string text = item.second.IsScalar() ? item.second.Scalar() : std::string();
    if (text.empty() || text.size() > 15 || !std::all_of(text.begin(), text.end(), ::isdigit)) {
      return FieldError(
          source, item.second,
          "field \"" + field + ".subjects." + id + "\" must be a whole number of affected individuals (0 or more).");
    }
    data.subjects[id] = std::stoull(text);
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
};

bool Holds(const Condition& condition, const Facts& facts, const Jurisdiction& jurisdiction) {
  switch (condition.kind) {
    case Condition::Kind::kAny:
      return true;
    case Condition::Kind::kSubjectsAtLeast:
      return facts.subjects >= condition.number;
    case Condition::Kind::kSubjectsMoreThan:
      return facts.subjects > condition.number;
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

std::string Join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (const std::string& part : parts) out += (out.empty() ? "" : std::string(separator)) + part;
  return out;
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
};

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

std::string DraftNotice(const Incident& incident, const Notification& notification) {
  std::set<std::string> categories;
  for (const AffectedData& data : incident.affected) {
    if (data.subjects.count(notification.jurisdiction) && data.subjects.at(notification.jurisdiction) > 0) {
      categories.insert(data.categories.begin(), data.categories.end());
    }
  }
  std::ostringstream out;
  out << "To: " << notification.authority << ". Re: personal data breach " << incident.id << ", discovered "
      << FormatRfc3339(incident.discovered_at) << ". About " << notification.subjects << " individuals ("
      << notification.jurisdiction
      << ") affected; data categories: " << Join(std::vector<std::string>(categories.begin(), categories.end()), ", ")
      << ". State: the nature of the breach, likely consequences, measures taken and proposed, and a contact point. "
      << "Legal basis: " << notification.basis << ".";
  return out.str();
}

}  // namespace

Result<Incident> ParseIncident(const std::string& text, const std::string& source, const JurisdictionSet& rules) {
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
                              ReadAffected(source, affected[index], "affected[" + std::to_string(index) + "]", rules));
      incident.affected.push_back(std::move(data));
    }
    return incident;
  } catch (const YAML::Exception& error) {
    return Status::InvalidArgument(source + ": unreadable incident (" + error.what() +
                                   "); see docs/formats/incident.md.");
  }
}

Result<Incident> LoadIncident(const std::filesystem::path& path, const JurisdictionSet& rules) {
  TUTELA_ASSIGN_OR_RETURN(std::string text, ReadFile(path, uint64_t{1} << 22));
  return ParseIncident(text, path.string(), rules);
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
      notification.deadline_text = rule.deadline.text;
      notification.clock_start = rule.deadline.clock == Deadline::Clock::kAssessment ? "assessment" : "discovery";
      if (outcome.required && rule.deadline.kind != Deadline::Kind::kNone) {
        Timestamp clock = incident.discovered_at;
        if (rule.deadline.clock == Deadline::Clock::kAssessment) {
          if (incident.assessed_at) {
            clock = *incident.assessed_at;
          } else {
            assessment_clock_fallback = true;
            notification.reason +=
                "; assessed_at not given, so the period is counted from discovered_at (the "
                "earliest it can start)";
          }
        }
        switch (rule.deadline.kind) {
          case Deadline::Kind::kHours:
            notification.deadline = clock + std::chrono::hours{rule.deadline.amount};
            break;
          case Deadline::Kind::kDays:
            notification.deadline = clock + std::chrono::days{rule.deadline.amount};
            break;
          case Deadline::Kind::kAnnualLog:
            notification.deadline = AnnualLogDeadline(clock, rule.deadline.amount);
            break;
          case Deadline::Kind::kNone:
            break;
        }
      }
      assessment.notifications.push_back(std::move(notification));
    }
  }
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
  bool keys_at_risk = false;
  bool unencrypted = false;
  for (const AffectedData& data : incident.affected) {
    if (!data.store.empty()) stores.push_back(data.store);
    keys_at_risk = keys_at_risk || data.encryption.key_compromised;
    unencrypted = unencrypted || !data.encryption.at_rest;
  }
  auto& plan = assessment.plan;
  plan.push_back({"contain", "Contain the breach",
                  "Revoke the access path used, isolate and snapshot the affected stores" +
                      (stores.empty() ? std::string() : " (" + Join(stores, ", ") + ")") +
                      ", and stop further disclosure.",
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
    plan.push_back({"draft-" + notification.jurisdiction + "-" + AudienceName(notification.audience),
                    std::string("Draft the notice to ") + AudienceName(notification.audience) + " (" +
                        notification.jurisdiction + ")",
                    DraftNotice(incident, notification), notification.deadline, notification.basis});
  }
  plan.push_back({"record", "Record the breach in the breach register",
                  "Document the facts, effects and remedial action, including the decisions not to notify and why.",
                  std::nullopt, "GDPR Art 33(5); ISO/IEC 27701 6.13.1.5"});
  return assessment;
}

nlohmann::json BreachToJson(const BreachAssessment& assessment) {
  nlohmann::json notifications = nlohmann::json::array();
  for (const Notification& item : assessment.notifications) {
    notifications.push_back(
        {{"jurisdiction", item.jurisdiction},
         {"audience", AudienceName(item.audience)},
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
    out << "| " << item.jurisdiction << " | " << AudienceName(item.audience) << " | "
        << (item.required ? "**yes**" : "no") << " | "
        << (item.deadline ? FormatRfc3339(*item.deadline) : (item.required ? item.deadline_text : std::string("—")))
        << " | " << item.authority << " | " << item.basis << " | " << (item.verified ? "yes" : "no") << " |\n";
  }
  out << "\n### Reasons\n\n";
  for (const Notification& item : assessment.notifications) {
    out << "- **" << item.jurisdiction << " " << AudienceName(item.audience) << "** (" << item.rule
        << "): " << item.reason;
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
    std::string uid = assessment.incident_id + "-" + item.jurisdiction + "-" + AudienceName(item.audience);
    for (char& c : uid) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') c = '-';
    }
    out += "BEGIN:VEVENT\r\n";
    out += Fold("UID:" + uid + "@tutela");
    out += "DTSTAMP:" + IcsTime(stamp) + "\r\n";
    out += "DTSTART:" + IcsTime(*item.deadline) + "\r\n";
    out += "DTEND:" + IcsTime(*item.deadline) + "\r\n";
    out += Fold("SUMMARY:" + IcsText("Breach " + assessment.incident_id + ": notify " + AudienceName(item.audience) +
                                     " (" + item.jurisdiction + ", " + item.authority + ")"));
    out += Fold("DESCRIPTION:" + IcsText(item.basis + ". " + item.deadline_text + ". " + item.reason));
    out += "BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT12H\r\nDESCRIPTION:Notification deadline\r\nEND:VALARM\r\n";
    out += "END:VEVENT\r\n";
  }
  out += "END:VCALENDAR\r\n";
  return out;
}

}  // namespace tutela::pims
