// Breach assessment: which regulators, individuals, media and customers must be notified of an incident, by when,
// on what legal basis, and the response plan (docs/pims.md; incident format in docs/formats/incident.md).
//
// ParseIncident turns an incident YAML document into an Incident, refusing missing or contradictory data with a
// message naming the field (file:line:column). AssessBreach evaluates every jurisdiction with affected subjects
// against its rules (jurisdiction.h) and returns one notification per jurisdiction and audience, with an absolute
// UTC deadline computed from the rule's clock start (discovery or assessment), plus the response plan. Rendering to
// JSON, Markdown and iCalendar is pure (HTML is rendered by the report module) and prints nothing.
//
// Everything here is a value; the functions are reentrant and keep no state. No raw PII is read or written: an
// incident names categories and counts, never values.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "tutela/core/status.h"
#include "tutela/core/time.h"
#include "tutela/pims/jurisdiction.h"
#include "tutela/pims/register.h"

namespace tutela::pims {

struct Encryption {
  bool at_rest = false;
  std::string algorithm;
  bool key_compromised = false;
};

struct AffectedData {
  std::string store;                         // optional: bucket, path or Terraform address
  std::string activity;                      // optional: register activity id (resolved with a register)
  std::vector<std::string> categories;       // PII entity ids or category names
  std::map<std::string, uint64_t> subjects;  // jurisdiction id -> affected individuals
  // Optional per-State breakdown of `subjects` (jurisdiction id -> State -> individuals); each breakdown adds up to
  // the jurisdiction's count. HIPAA's media notice counts residents of one State.
  std::map<std::string, std::map<std::string, uint64_t>> subjects_by_state;
  Encryption encryption;
  bool unauthorized_acquisition = true;  // presumed when not stated
  bool external_attack = false;
  Harm risk_of_harm = Harm::kHigh;
  // Filled from the register and the PII inventory when given (see IncidentSources).
  std::vector<std::string> activities;  // register activities whose stores hold the data
  std::vector<std::string> terraform;   // their Terraform addresses
  std::string where;                    // file:line:column of the entry
};

enum class Role { kController, kProcessor };

struct Incident {
  std::string id;
  std::string title;
  Timestamp discovered_at{};
  std::optional<Timestamp> assessed_at;
  Role role = Role::kController;
  std::vector<AffectedData> affected;
  std::vector<std::string> notes;  // what was taken from the register and inventory, and what to confirm
};

// What `breach assess --register/--pii-inventory` adds: an affected entry may name a register `activity` or a
// `store` and leave out `categories`, which are then taken from the register (the pii of the activities whose data
// stores cover the store) and the inventory (entities found in stores under it, and their categories). Either may
// be null. When one is given, every `store` must be known to one of them (a register store or Terraform address, an
// inventory store, or a path under one).
struct IncidentSources {
  const ProcessingRegister* processing = nullptr;
  std::string register_source;  // names the register in messages
  const std::vector<InventoryStore>* inventory = nullptr;
  std::string inventory_source;
};

// Parses an incident document. `source` names it in messages. Validates the jurisdiction ids in `subjects` against
// `rules`. InvalidArgument naming the field for: a missing id, discovered_at or affected; a time that is not RFC 3339;
// assessed_at before discovered_at; unknown fields; an unknown jurisdiction or harm level; negative or non-integer
// counts; an affected entry without categories (and nothing to take them from) or without subjects; a
// subjects_by_state breakdown that does not add up to its subjects count; key_compromised or algorithm without
// at_rest: true; an activity or store unknown to the given register and inventory.
Result<Incident> ParseIncident(const std::string& text, const std::string& source, const JurisdictionSet& rules,
                               const IncidentSources& sources = {});
Result<Incident> LoadIncident(const std::filesystem::path& path, const JurisdictionSet& rules,
                              const IncidentSources& sources = {});

struct Notification {
  std::string jurisdiction;
  Audience audience = Audience::kRegulator;
  std::string report = "initial";  // "initial", or a later "final" / "follow-up" report (FollowUp in jurisdiction.h)
  bool required = false;
  std::optional<Timestamp> deadline;  // absolute, UTC; nullopt when the law sets no fixed period or none is required
  std::string deadline_text;          // the legal period in words
  std::string clock_start;            // "discovery" or "assessment"
  std::string authority;
  std::string basis;  // citation
  std::string rule;   // rule id
  std::string reason;
  std::string safe_harbour;  // empty when none applied
  uint64_t subjects = 0;
  std::vector<std::string> states;  // per-State rules: the States over the edge ("CA"), from subjects_by_state
  bool verified = true;
};

struct PlanStep {
  std::string id;  // "contain", "rotate-keys", "preserve-evidence", "notify-customers", "draft-<jur>-<aud>", ...
  std::string action;
  std::string detail;
  std::optional<Timestamp> due;
  std::string basis;
};

struct BreachAssessment {
  std::string incident_id;
  Timestamp discovered_at{};
  std::optional<Timestamp> assessed_at;
  std::vector<Notification> notifications;  // by jurisdiction id, then audience
  std::vector<PlanStep> plan;
  std::vector<std::string> notes;  // assumptions the reader must check
};

// Evaluates the incident. Jurisdictions listed with 0 subjects get no entries. Never fails on a parsed incident.
BreachAssessment AssessBreach(const Incident& incident, const JurisdictionSet& rules);

// "regulator", "regulator (final report)", "media (CA, TX)": the audience with the report kind and States.
std::string AudienceLabel(const Notification& notification);

nlohmann::json BreachToJson(const BreachAssessment& assessment);
std::string BreachToMarkdown(const BreachAssessment& assessment);
// An iCalendar (RFC 5545) document with one event per required notification that has a deadline. `stamp` is the
// DTSTAMP of every event (pass NowUtc(); tests pass a fixed time).
std::string BreachToIcs(const BreachAssessment& assessment, Timestamp stamp);

}  // namespace tutela::pims
