// Risk evaluation of the processing register, before processing starts (ISO/IEC 27701 7.2.5, GDPR Art 35).
//
// For each activity: impact from sensitivity (the activity's PII against its jurisdictions' sensitive lists) and
// volume (entity counts of the PII inventory in its stores; assumed medium when unknown), likelihood from exposure
// factors (transfers, recipients and sub-processors, missing security measures), inherent risk = likelihood x impact
// (1-9), the protective measures expected and whether the register lists any, residual risk, and whether a formal
// impact assessment is required by a jurisdiction's `impact_assessment` rule (catalog/jurisdictions/). Every factor
// is reported with its value and why, so the score can be challenged.
//
// Values only; reentrant.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tutela/pims/jurisdiction.h"
#include "tutela/pims/register.h"

namespace tutela::pims {

struct RiskFactor {
  std::string name;  // "sensitivity", "volume", "transfers", "disclosure", "measures"
  int value = 1;     // 1 low .. 3 high
  std::string why;
};

struct ImpactAssessmentNeed {
  std::string jurisdiction;
  bool required = false;
  std::string reason;
  std::string citation;
  bool verified = true;
};

struct ActivityRisk {
  std::string activity;
  std::vector<RiskFactor> factors;
  int likelihood = 1;
  int impact = 1;
  int inherent = 1;  // likelihood * impact
  int residual = 1;
  std::string level;  // residual: "low" (1-2), "medium" (3-4), "high" (6-9)
  std::vector<std::string> measures_required;
  bool measures_declared = false;
  std::vector<ImpactAssessmentNeed> impact_assessments;
};

// `inventory` may be empty (volume then assumed medium).
std::vector<ActivityRisk> EvaluateRisk(const ProcessingRegister& processing, const JurisdictionSet& rules,
                                       const std::vector<InventoryStore>& inventory);

nlohmann::json RiskToJson(const std::vector<ActivityRisk>& risks);
std::string RiskToMarkdown(const std::vector<ActivityRisk>& risks);

}  // namespace tutela::pims
