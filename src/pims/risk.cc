#include "tutela/pims/risk.h"

#include <algorithm>
#include <sstream>

namespace tutela::pims {
namespace {

std::string Level(int score) { return score <= 2 ? "low" : score <= 4 ? "medium" : "high"; }

}  // namespace

std::vector<ActivityRisk> EvaluateRisk(const ProcessingRegister& processing, const JurisdictionSet& rules,
                                       const std::vector<InventoryStore>& inventory) {
  std::vector<ActivityRisk> out;
  for (const Activity& activity : processing.activities) {
    ActivityRisk risk;
    risk.activity = activity.id;
    // Sensitivity: any declared PII in a sensitive list of the activity's jurisdictions.
    std::vector<std::string> sensitive;
    for (const std::string& pii : activity.pii) {
      for (const std::string& id : activity.jurisdictions) {
        const Jurisdiction* jurisdiction = rules.Find(id);
        if (jurisdiction != nullptr && jurisdiction->IsSensitive(pii)) {
          sensitive.push_back(pii + " (" + id + ")");
          break;
        }
      }
    }
    RiskFactor sensitivity{"sensitivity", sensitive.empty() ? 1 : 3, ""};
    if (sensitive.empty()) {
      sensitivity.why = "no declared PII is in a sensitive list of its jurisdictions";
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
    risk.impact = std::max(sensitivity.value, volume.value);
    risk.likelihood = std::max({transfers.value, disclosure.value, 1});
    risk.inherent = risk.likelihood * risk.impact;
    risk.measures_declared = !activity.security_measures.empty();
    risk.measures_required = {"encryption at rest and in transit", "least-privilege access control", "access logging"};
    if (sensitivity.value == 3) risk.measures_required.push_back("masking or tokenization of sensitive fields");
    if (!activity.transfers.empty()) risk.measures_required.push_back("transfer mechanism and impact assessment");
    // Declared measures lower the likelihood by one step (never below 1); whether they work is for `assess`.
    int residual_likelihood = risk.measures_declared ? std::max(1, risk.likelihood - 1) : risk.likelihood;
    risk.residual = residual_likelihood * risk.impact;
    risk.level = Level(risk.residual);
    risk.factors = {sensitivity, volume, transfers, disclosure, measures};

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
      bool is_sensitive = std::any_of(activity.pii.begin(), activity.pii.end(),
                                      [&](const std::string& pii) { return jurisdiction->IsSensitive(pii); });
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
    list.push_back({{"activity", risk.activity},
                    {"factors", factors},
                    {"likelihood", risk.likelihood},
                    {"impact", risk.impact},
                    {"inherent", risk.inherent},
                    {"residual", risk.residual},
                    {"level", risk.level},
                    {"measures_required", risk.measures_required},
                    {"measures_declared", risk.measures_declared},
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
    for (const ImpactAssessmentNeed& need : risk.impact_assessments) {
      out << "- impact assessment " << need.jurisdiction << ": " << (need.required ? "**required**" : "not required")
          << " — " << need.reason << (need.verified ? "" : " (unverified)") << "\n";
    }
  }
  return out.str();
}

}  // namespace tutela::pims
