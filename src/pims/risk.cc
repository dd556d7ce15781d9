#include "tutela/pims/risk.h"

#include <algorithm>
#include <sstream>
#include <unordered_map>

#include "tutela/core/data.h"

namespace tutela::pims {
namespace {

std::string Level(int score) { return score <= 2 ? "low" : score <= 4 ? "medium" : "high"; }

// Controls whose failure on a store means the data is reachable from outside: boundary protection (NET-03: a
// database or host open to the internet) and information access restriction (IAM-11: public buckets, ACLs,
// policies). Encryption at rest is CRY-02. Ids of the unified control set (catalog/controls/).
constexpr std::string_view kExposureControls[] = {"NET-03", "IAM-11"};
constexpr std::string_view kAtRestControl = "CRY-02";

// A result counts for a store when its resource is the store's Terraform address or an instance of it ("[0]"):
// results are indexed by that base address once, so each store looks up only its own.
using ResultIndex = std::unordered_map<std::string, std::vector<const AssessmentResult*>>;

std::string BaseAddress(const std::string& resource) {
  if (resource.empty() || resource.back() != ']') return resource;
  size_t open = resource.rfind('[');
  return open == std::string::npos ? resource : resource.substr(0, open);
}

ResultIndex IndexResults(const std::vector<AssessmentResult>& results) {
  ResultIndex index;
  for (const AssessmentResult& result : results) {
    index[result.resource].push_back(&result);  // a store may name an instance itself
    std::string base = BaseAddress(result.resource);
    if (base != result.resource) index[base].push_back(&result);
  }
  return index;
}

bool HasControl(const AssessmentResult& result, std::string_view control) {
  return std::find(result.controls.begin(), result.controls.end(), control) != result.controls.end();
}

// An accepted exception leaves the weakness in place, so `excepted` counts as a failure here.
bool Failing(const AssessmentResult& result) { return result.status == "fail" || result.status == "excepted"; }

std::string Describe(const AssessmentResult& result) {
  return result.check + " on " + result.resource + ": " + result.status +
         (result.severity.empty() ? std::string() : " (" + result.severity + ")");
}

std::string JoinList(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& part : parts) out += (out.empty() ? "" : "; ") + part;
  return out;
}

// What the assessment says about one property (exposure, encryption) of an activity's stores.
struct Evidence {
  std::vector<std::string> failing;
  std::vector<std::string> failing_severe;  // failures with severity high or critical
  std::vector<std::string> unknown;
  std::vector<std::string> passing;
  std::vector<std::string> unassessed;  // stores without a result for the property (or without an address)
};

template <typename Match>
Evidence Collect(const Activity& activity, const ResultIndex& results, Match match) {
  static const std::vector<const AssessmentResult*> kNone;
  Evidence evidence;
  for (const DataStore& store : activity.data_stores) {
    bool seen = false;
    auto found = store.terraform.empty() ? results.end() : results.find(store.terraform);
    for (const AssessmentResult* pointer : found == results.end() ? kNone : found->second) {
      const AssessmentResult& result = *pointer;
      if (!match(result)) continue;
      if (result.status == "not_applicable") continue;
      seen = true;
      if (Failing(result)) {
        evidence.failing.push_back(Describe(result));
        if (result.severity == "high" || result.severity == "critical")
          evidence.failing_severe.push_back(Describe(result));
      } else if (result.status == "unknown") {
        evidence.unknown.push_back(Describe(result));
      } else if (result.status == "pass") {
        evidence.passing.push_back(Describe(result));
      }
    }
    if (!seen)
      evidence.unassessed.push_back(store.terraform.empty() ? store.store + " (no Terraform address)"
                                                            : store.terraform);
  }
  return evidence;
}

RiskFactor ExposureFactor(const Evidence& evidence) {
  if (!evidence.failing_severe.empty()) {
    return {"exposure", 3, "reachable from outside: " + JoinList(evidence.failing_severe)};
  }
  if (!evidence.failing.empty()) return {"exposure", 2, "partly exposed: " + JoinList(evidence.failing)};
  if (!evidence.unknown.empty()) return {"exposure", 2, "unknown at plan time: " + JoinList(evidence.unknown)};
  if (!evidence.unassessed.empty()) {
    return {"exposure", 2,
            "no boundary or public-access result for " + JoinList(evidence.unassessed) + "; assumed medium"};
  }
  return {"exposure", 1, "not exposed: " + JoinList(evidence.passing)};
}

RiskFactor EncryptionFactor(const Evidence& evidence) {
  if (!evidence.failing.empty()) return {"encryption", 3, "stored in clear: " + JoinList(evidence.failing)};
  if (!evidence.unknown.empty()) return {"encryption", 2, "unknown at plan time: " + JoinList(evidence.unknown)};
  if (!evidence.unassessed.empty()) {
    return {"encryption", 2, "no encryption-at-rest result for " + JoinList(evidence.unassessed) + "; assumed medium"};
  }
  return {"encryption", 1, "encrypted at rest: " + JoinList(evidence.passing)};
}

}  // namespace

Result<std::vector<AssessmentResult>> ParseAssessmentResults(const nlohmann::json& document,
                                                             const std::string& source) {
  if (!document.is_object() || !document.contains("results") || !document["results"].is_array()) {
    return Status::InvalidArgument(source +
                                   ": not assessment results (no \"results\" list); pass the file written by "
                                   "`tutela assess --format json` (docs/formats/assessment-results.md).");
  }
  if (document.contains("format") && (!document["format"].is_string() || document["format"].get<std::string>().rfind(
                                                                             "tutela-assessment-results/", 0) != 0)) {
    return Status::InvalidArgument(source + ": \"format\" is " + DumpJson(document["format"]) +
                                   ", not tutela-assessment-results/N; pass the file written by `tutela assess "
                                   "--format json`.");
  }
  std::vector<AssessmentResult> out;
  const nlohmann::json& results = document["results"];
  for (size_t index = 0; index < results.size(); ++index) {
    const nlohmann::json& item = results[index];
    std::string where = source + ": results[" + std::to_string(index) + "]";
    auto text = [&](const char* key) { return item.contains(key) && item[key].is_string(); };
    if (!item.is_object() || !text("check") || !text("resource") || !text("status")) {
      return Status::InvalidArgument(where + " needs \"check\", \"resource\" and \"status\" (text).");
    }
    AssessmentResult result{item["check"].get<std::string>(),
                            item["resource"].get<std::string>(),
                            item["status"].get<std::string>(),
                            text("severity") ? item["severity"].get<std::string>() : "",
                            {}};
    if (item.contains("controls")) {
      if (!item["controls"].is_array()) return Status::InvalidArgument(where + ".controls must be a list of ids.");
      for (const auto& control : item["controls"]) {
        if (control.is_string()) result.controls.push_back(control.get<std::string>());
      }
    }
    out.push_back(std::move(result));
  }
  return out;
}

std::vector<ActivityRisk> EvaluateRisk(const ProcessingRegister& processing, const JurisdictionSet& rules,
                                       const std::vector<InventoryStore>& inventory,
                                       const std::vector<AssessmentResult>* assessment) {
  std::vector<ActivityRisk> out;
  const ResultIndex results = assessment != nullptr ? IndexResults(*assessment) : ResultIndex();
  for (const Activity& activity : processing.activities) {
    ActivityRisk risk;
    risk.activity = activity.id;
    // Sensitivity: declared PII, or PII the inventory found in its stores (entity ids and their categories, which
    // the jurisdiction files list beside the legal names), in a sensitive list of the activity's jurisdictions.
    std::vector<std::string> found;
    for (const InventoryStore& store : inventory) {
      bool covered =
          std::any_of(activity.data_stores.begin(), activity.data_stores.end(),
                      [&](const DataStore& data_store) { return StoreCovers(data_store.store, store.store); });
      if (!covered) continue;
      for (const auto& [entity, count] : store.entities) {
        if (count == 0) continue;
        found.push_back(entity);
        auto category = store.entity_categories.find(entity);
        if (category != store.entity_categories.end()) found.push_back(category->second);
      }
    }
    auto sensitive_in = [&](const Jurisdiction& jurisdiction) {
      return std::any_of(activity.pii.begin(), activity.pii.end(),
                         [&](const std::string& pii) { return jurisdiction.IsSensitive(pii); }) ||
             std::any_of(found.begin(), found.end(),
                         [&](const std::string& name) { return jurisdiction.IsSensitive(name); });
    };
    std::vector<std::string> sensitive;
    auto note = [&](const std::string& name, const std::string& suffix) {
      for (const std::string& id : activity.jurisdictions) {
        const Jurisdiction* jurisdiction = rules.Find(id);
        if (jurisdiction != nullptr && jurisdiction->IsSensitive(name)) {
          std::string item = name + " (" + id + suffix + ")";
          if (std::find(sensitive.begin(), sensitive.end(), item) == sensitive.end()) sensitive.push_back(item);
          return;
        }
      }
    };
    for (const std::string& pii : activity.pii) note(pii, "");
    for (const std::string& name : found) {
      if (std::find(activity.pii.begin(), activity.pii.end(), name) == activity.pii.end()) {
        note(name, ", found in its stores");
      }
    }
    RiskFactor sensitivity{"sensitivity", sensitive.empty() ? 1 : 3, ""};
    if (sensitive.empty()) {
      sensitivity.why = "no declared or found PII is in a sensitive list of its jurisdictions";
    } else {
      std::string list;
      for (const std::string& item : sensitive) list += (list.empty() ? "" : ", ") + item;
      sensitivity.why = "sensitive: " + list;
    }
    // Volume: the largest entity count of the inventory in the activity's stores.
    uint64_t largest = 0;
    bool seen = false;
    for (const InventoryStore& store : inventory) {
      for (const DataStore& data_store : activity.data_stores) {
        if (!StoreCovers(data_store.store, store.store)) continue;
        seen = true;
        for (const auto& [entity, count] : store.entities) largest = std::max(largest, count);
      }
    }
    RiskFactor volume{"volume", 2, "not in the PII inventory; assumed medium"};
    if (seen) {
      volume.value = largest >= 100000 ? 3 : largest >= 1000 ? 2 : 1;
      volume.why = "up to " + std::to_string(largest) +
                   " occurrences of one entity in its stores (< 1,000 low, "
                   "< 100,000 medium, else high)";
    }
    RiskFactor transfers{"transfers", activity.transfers.empty() ? 1 : 2,
                         activity.transfers.empty()
                             ? "no cross-border transfer"
                             : std::to_string(activity.transfers.size()) + " cross-border transfer(s)"};
    for (const Transfer& transfer : activity.transfers) {
      if (transfer.mechanism.empty()) {
        transfers.value = 3;
        transfers.why += ", one without a mechanism";
        break;
      }
    }
    size_t parties = activity.recipients.size() + activity.sub_processors.size();
    RiskFactor disclosure{"disclosure",
                          parties == 0   ? 1
                          : parties <= 2 ? 2
                                         : 3,
                          std::to_string(parties) + " recipient(s) and sub-processor(s)"};
    RiskFactor measures{"measures", activity.security_measures.empty() ? 3 : 1,
                        activity.security_measures.empty()
                            ? "no security measures declared"
                            : std::to_string(activity.security_measures.size()) + " security measure(s) declared"};
    risk.factors = {sensitivity, volume, transfers, disclosure, measures};
    risk.impact = std::max(sensitivity.value, volume.value);
    risk.likelihood = std::max({transfers.value, disclosure.value, 1});
    risk.measures_declared = !activity.security_measures.empty();
    bool measures_hold = risk.measures_declared;  // declared, and not shown failing by the assessment
    bool encrypted = false;
    if (assessment != nullptr) {
      RiskFactor exposure = ExposureFactor(Collect(activity, results, [](const AssessmentResult& result) {
        return std::any_of(std::begin(kExposureControls), std::end(kExposureControls),
                           [&](std::string_view control) { return HasControl(result, control); });
      }));
      RiskFactor encryption = EncryptionFactor(Collect(
          activity, results, [](const AssessmentResult& result) { return HasControl(result, kAtRestControl); }));
      risk.likelihood = std::max(risk.likelihood, exposure.value);
      encrypted = encryption.value == 1;
      std::vector<std::string> failing_controls;
      for (const std::string& control : activity.security_measures) {
        Evidence evidence =
            Collect(activity, results, [&](const AssessmentResult& result) { return HasControl(result, control); });
        MeasureStatus status{control, "not assessed", {}};
        if (!evidence.failing.empty()) {
          status.status = "fail";
          status.results = evidence.failing;
          failing_controls.push_back(control);
        } else if (!evidence.unknown.empty()) {
          status.status = "unknown";
          status.results = evidence.unknown;
        } else if (!evidence.passing.empty()) {
          status.status = "pass";
          status.results = evidence.passing;
        }
        risk.measures_status.push_back(std::move(status));
      }
      if (!failing_controls.empty()) {
        measures_hold = false;
        std::string list;
        for (const std::string& control : failing_controls) list += (list.empty() ? "" : ", ") + control;
        risk.factors[4].value = 2;
        risk.factors[4].why += ", but the assessment shows " + list + " failing on its stores";
      }
      risk.factors.push_back(std::move(exposure));
      risk.factors.push_back(std::move(encryption));
    }
    risk.inherent = risk.likelihood * risk.impact;
    risk.measures_required = {"encryption at rest and in transit", "least-privilege access control", "access logging"};
    if (sensitivity.value == 3) risk.measures_required.push_back("masking or tokenization of sensitive fields");
    if (!activity.transfers.empty()) risk.measures_required.push_back("transfer mechanism and impact assessment");
    // Declared measures lower the likelihood by one step (never below 1) unless the assessment shows one failing or a
    // store exposed;
    // encryption at rest verified on every store lowers the impact by one step (the data leaks unintelligible).
    // A store reachable from outside (exposure 3) shows the access controls do not hold either.
    bool exposed = assessment != nullptr && risk.factors[5].value == 3;
    risk.residual_likelihood = measures_hold && !exposed ? std::max(1, risk.likelihood - 1) : risk.likelihood;
    risk.residual_impact = encrypted ? std::max(1, risk.impact - 1) : risk.impact;
    risk.residual = risk.residual_likelihood * risk.residual_impact;
    risk.level = Level(risk.residual);

    for (const std::string& id : activity.jurisdictions) {
      const Jurisdiction* jurisdiction = rules.Find(id);
      if (jurisdiction == nullptr) continue;
      ImpactAssessmentNeed need;
      need.jurisdiction = id;
      if (!jurisdiction->impact_assessment) {
        need.reason = "no impact-assessment rule for this jurisdiction in the catalog";
        risk.impact_assessments.push_back(need);
        continue;
      }
      const ImpactAssessmentRule& rule = *jurisdiction->impact_assessment;
      need.citation = rule.citation;
      need.verified = rule.verified;
      bool is_sensitive = sensitive_in(*jurisdiction);
      std::vector<std::string> hits;
      for (const std::string& trigger : rule.when_any) {
        bool hit = (trigger == "high_risk" && risk.level == "high") || (trigger == "sensitive" && is_sensitive) ||
                   (trigger == "sensitive_large_scale" && is_sensitive && volume.value == 3) ||
                   (trigger == "transfer" && !activity.transfers.empty()) || (trigger == "disclosure" && parties > 0);
        if (hit) hits.push_back(trigger);
      }
      need.required = !hits.empty();
      if (need.required) {
        std::string list;
        for (const std::string& hit : hits) list += (list.empty() ? "" : ", ") + hit;
        need.reason = rule.text + " — triggered by " + list;
      } else {
        need.reason = "none of the triggers holds";
      }
      risk.impact_assessments.push_back(need);
    }
    out.push_back(std::move(risk));
  }
  return out;
}

nlohmann::json RiskToJson(const std::vector<ActivityRisk>& risks) {
  nlohmann::json list = nlohmann::json::array();
  for (const ActivityRisk& risk : risks) {
    nlohmann::json factors = nlohmann::json::array();
    for (const RiskFactor& factor : risk.factors) {
      factors.push_back({{"name", factor.name}, {"value", factor.value}, {"why", factor.why}});
    }
    nlohmann::json assessments = nlohmann::json::array();
    for (const ImpactAssessmentNeed& need : risk.impact_assessments) {
      assessments.push_back({{"jurisdiction", need.jurisdiction},
                             {"required", need.required},
                             {"reason", need.reason},
                             {"basis", need.citation},
                             {"verified", need.verified}});
    }
    nlohmann::json measures = nlohmann::json::array();
    for (const MeasureStatus& status : risk.measures_status) {
      measures.push_back({{"control", status.control}, {"status", status.status}, {"results", status.results}});
    }
    list.push_back({{"activity", risk.activity},
                    {"factors", factors},
                    {"likelihood", risk.likelihood},
                    {"impact", risk.impact},
                    {"inherent", risk.inherent},
                    {"residual_likelihood", risk.residual_likelihood},
                    {"residual_impact", risk.residual_impact},
                    {"residual", risk.residual},
                    {"level", risk.level},
                    {"measures_required", risk.measures_required},
                    {"measures_declared", risk.measures_declared},
                    {"measures_status", measures},
                    {"impact_assessment", assessments}});
  }
  return {{"activities", list}};
}

std::string RiskToMarkdown(const std::vector<ActivityRisk>& risks) {
  std::ostringstream out;
  out << "# Privacy risk evaluation\n\n| activity | likelihood | impact | inherent | residual | level | impact "
         "assessment required |\n|---|---|---|---|---|---|---|\n";
  for (const ActivityRisk& risk : risks) {
    std::string required;
    for (const ImpactAssessmentNeed& need : risk.impact_assessments) {
      if (need.required) required += (required.empty() ? "" : ", ") + need.jurisdiction + " (" + need.citation + ")";
    }
    out << "| " << risk.activity << " | " << risk.likelihood << " | " << risk.impact << " | " << risk.inherent << " | "
        << risk.residual << " | " << risk.level << " | " << (required.empty() ? "no" : required) << " |\n";
  }
  for (const ActivityRisk& risk : risks) {
    out << "\n## " << risk.activity << "\n\n";
    for (const RiskFactor& factor : risk.factors) {
      out << "- " << factor.name << ": " << factor.value << " — " << factor.why << "\n";
    }
    out << "- measures expected: ";
    for (size_t index = 0; index < risk.measures_required.size(); ++index) {
      out << (index ? "; " : "") << risk.measures_required[index];
    }
    out << " (" << (risk.measures_declared ? "measures declared in the register" : "none declared") << ")\n";
    for (const MeasureStatus& status : risk.measures_status) {
      out << "- measure " << status.control << ": " << status.status;
      for (size_t index = 0; index < status.results.size(); ++index) {
        out << (index ? "; " : " — ") << status.results[index];
      }
      out << "\n";
    }
    for (const ImpactAssessmentNeed& need : risk.impact_assessments) {
      out << "- impact assessment " << need.jurisdiction << ": " << (need.required ? "**required**" : "not required")
          << " — " << need.reason << (need.verified ? "" : " (unverified)") << "\n";
    }
  }
  return out.str();
}

}  // namespace tutela::pims
