// Jurisdiction rules: breach-notification triggers, deadlines, safe harbours, sensitive categories, transfer
// mechanisms and penalties of one privacy regime, loaded from catalog/jurisdictions/*.yaml (docs/pims.md).
//
// A JurisdictionSet is an immutable value once loaded; it owns its rules and may be shared by threads that only read
// it. Loading validates every file and refuses the whole set on the first problem, naming file:line:column, the
// problem and the fix. Each rule carries its legal citation and a `verified` flag (false where the fact was not
// checked against the primary text), which every result built from it repeats.
//
// Thread-safety: loading functions are reentrant; a loaded set is read-only.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "tutela/core/status.h"

namespace tutela::pims {

// How likely the breach is to harm the people concerned, as assessed by the organisation (ordered).
enum class Harm { kUnlikely = 0, kLow = 1, kSignificant = 2, kHigh = 3 };
// "unlikely", "low", "significant", "high".
const char* HarmName(Harm harm);
// Parses a harm name; nullopt when unknown.
std::optional<Harm> ParseHarm(const std::string& text);

// One test on the facts of an incident, as seen by one jurisdiction (see Facts in breach.h).
struct Condition {
  enum class Kind {
    kAny,                    // always true (any breach)
    kSubjectsAtLeast,        // subjects >= number (inclusive edge)
    kSubjectsMoreThan,       // subjects > number (exclusive edge)
    kHarmAtLeast,            // assessed harm >= harm
    kHarmAtMost,             // assessed harm <= harm (used in `unless`)
    kSensitive,              // a category in the jurisdiction's sensitive list is affected
    kCategoriesAny,          // one of `categories` (entity ids or category names) is affected
    kAcquisition,            // data believed acquired (or accessed) by an unauthorised person
    kExternalAttack,         // caused by an external attack (hacking, malicious intent)
    kStateSubjectsMoreThan,  // more than `number` subjects in one State (affected[].subjects_by_state); without a
                             // breakdown the subjects not assigned to a State are counted with the largest State
  };
  Kind kind = Kind::kAny;
  uint64_t number = 0;
  Harm harm = Harm::kUnlikely;
  std::vector<std::string> categories;
  // Human-readable form, e.g. "subjects >= 500".
  std::string Describe() const;
};

// When the legal period runs out, counted from a clock start.
struct Deadline {
  enum class Clock { kDiscovery, kAssessment };
  enum class Kind {
    kNone,       // no fixed period ("without undue delay", "immediately"): `text` says what the law asks
    kHours,      // clock start + amount hours
    kDays,       // clock start + amount calendar days (24 h each, in UTC)
    kAnnualLog,  // logged, reported within `amount` days after the end of the calendar year of the clock start
  };
  Kind kind = Kind::kNone;
  Clock clock = Clock::kDiscovery;
  int64_t amount = 0;
  std::string text;      // the law's words in our own phrasing, e.g. "within 72 hours of becoming aware"
  bool verified = true;  // false when the period or its clock start is not verified
};

// An encryption safe harbour: data encrypted at rest with an accepted algorithm, key not compromised.
struct SafeHarbour {
  std::vector<std::string> algorithms;  // accepted algorithm prefixes ("AES-"); empty: any stated algorithm
  std::string text;
  std::string citation;
  bool verified = true;
};

enum class Audience { kRegulator, kIndividuals, kMedia, kCustomer };
// "regulator", "individuals", "media", "customer".
const char* AudienceName(Audience audience);

// A later report owed after an initial notice that is required: a final report (CN 30 days, JP 30 or 60 days) or
// further information in phases (MY 30 days). Follow-ups of one rule with the same `report` are alternatives tried in
// order; the first whose `when_any` holds (an empty list always holds) decides, against the same facts as the rule.
struct FollowUp {
  std::string report;               // "final" or "follow-up"
  std::vector<Condition> when_any;  // empty: always
  Deadline deadline;
  std::string citation;
  bool verified = true;
  std::string note;
};

// One notification rule. Rules for the same audience are alternatives tried in file order: the first whose
// conditions hold decides (e.g. HIPAA's >= 500 rule before its annual-log rule).
struct NotificationRule {
  std::string id;
  Audience audience = Audience::kRegulator;
  std::string authority;
  bool processor_only = false;      // `role: processor`: applies only when the organisation is a processor
  std::vector<Condition> when_any;  // at least one must hold (empty: no such requirement)
  std::vector<Condition> when_all;  // all must hold
  std::vector<Condition> unless;    // none may hold
  std::optional<SafeHarbour> safe_harbour;
  Deadline deadline;
  std::vector<FollowUp> follow_ups;  // later reports owed when this rule requires notice
  std::string citation;
  bool verified = true;
  std::string note;
  std::string where;  // file:line:column of the rule, for messages
};

struct CitedFact {
  std::string text;
  std::string citation;
  bool verified = true;
};

// When a formal impact assessment (DPIA, PIPIA) is required before processing. Triggers, any of: "high_risk"
// (residual risk high), "sensitive", "sensitive_large_scale" (sensitive and volume high), "transfer" (a cross-border
// transfer), "disclosure" (recipients or sub-processors).
struct ImpactAssessmentRule {
  std::vector<std::string> when_any;
  std::string text;
  std::string citation;
  bool verified = true;
};

struct Jurisdiction {
  std::string id;  // "EU", "DE", "CN", "SG", "KR", "JP", "MY", "ID", "TH", "PH", "US-HIPAA"
  std::string name;
  std::string source;
  std::string regulator;
  std::vector<std::string> sensitive_entities;    // PII entity ids (upper case)
  std::vector<std::string> sensitive_categories;  // category names (lower case)
  CitedFact sensitive;                            // citation and verified flag of the sensitive lists
  // `sensitive.separate_basis` (default true): processing these needs a condition beyond the ordinary legal basis
  // (GDPR Art 9, PIPL Art 29 separate consent, ...). False where the list only drives breach notification (SG).
  bool sensitive_needs_separate_basis = true;
  std::vector<CitedFact> transfer_mechanisms;
  CitedFact penalty;
  std::vector<NotificationRule> rules;
  std::optional<ImpactAssessmentRule> impact_assessment;
  std::string path;

  // True when `category` (an entity id or a category name) is in this regime's sensitive lists.
  bool IsSensitive(const std::string& category) const;
};

class JurisdictionSet {
 public:
  // Loads every *.yaml file in `directory`. InvalidArgument "file:line:column: problem; fix" on the first bad file,
  // NotFound when the directory does not exist, InvalidArgument when it holds no rule files or two files share an id.
  static Result<JurisdictionSet> LoadDirectory(const std::filesystem::path& directory);
  // Parses one rule file's text (`source` names it in messages).
  static Result<Jurisdiction> ParseFile(const std::string& text, const std::string& source);

  const std::vector<Jurisdiction>& all() const { return jurisdictions_; }
  // nullptr when unknown.
  const Jurisdiction* Find(const std::string& id) const;
  // "CN, DE, EU, ..." for messages.
  std::string Ids() const;

 private:
  std::vector<Jurisdiction> jurisdictions_;  // sorted by id
};

// The rule folder to use when none is given: $TUTELA_CATALOG/jurisdictions when TUTELA_CATALOG is set, else the
// source tree's catalog/jurisdictions (compiled in).
std::filesystem::path DefaultJurisdictionsDirectory();

}  // namespace tutela::pims
