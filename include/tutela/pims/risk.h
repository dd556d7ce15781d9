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

#include "tutela/core/status.h"
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

// One result of `tutela assess --format json` (docs/formats/assessment-results.md). Only these fields are read.
struct AssessmentResult {
  std::string check;     // e.g. "aws-s3-encryption"
  std::string resource;  // Terraform address, e.g. "aws_s3_bucket.scratch" or "module.db.aws_db_instance.main[0]"
  std::string status;    // pass | fail | unknown | not_applicable | excepted
  std::string severity;  // low | medium | high | critical
  std::vector<std::string> controls;  // unified control ids
};

// Reads `results[]` of an assessment-results document. InvalidArgument naming the source and the result index when
// the document is not one ("format" other than tutela-assessment-results/N, no "results" list, a result without
// check, resource or status text).
Result<std::vector<AssessmentResult>> ParseAssessmentResults(const nlohmann::json& document, const std::string& source);

// The status of one declared security measure (a unified control id) on the activity's stores.
struct MeasureStatus {
  std::string control;
  std::string status;                // "pass", "fail", "unknown" or "not assessed"
  std::vector<std::string> results;  // "check on resource: status"
};

struct ActivityRisk {
  std::string activity;
  std::vector<RiskFactor> factors;
  int likelihood = 1;
  int impact = 1;
  int inherent = 1;  // likelihood * impact
  int residual_likelihood = 1;
  int residual_impact = 1;
  int residual = 1;   // residual_likelihood * residual_impact
  std::string level;  // residual: "low" (1-2), "medium" (3-4), "high" (6-9)
  std::vector<std::string> measures_required;
  bool measures_declared = false;
  std::vector<MeasureStatus> measures_status;  // with assessment results: each declared measure on its stores
  std::vector<ImpactAssessmentNeed> impact_assessments;
};

// `inventory` may be empty (volume then assumed medium). With `assessment` (results of `tutela assess`), results on
// the Terraform addresses of an activity's data stores add the factors "exposure" (likelihood) and "encryption"
// (verified encryption at rest lowers the residual impact one step), and a declared measure whose control fails
// there no longer lowers the residual likelihood (docs/pims.md).
std::vector<ActivityRisk> EvaluateRisk(const ProcessingRegister& processing, const JurisdictionSet& rules,
                                       const std::vector<InventoryStore>& inventory,
                                       const std::vector<AssessmentResult>* assessment = nullptr);

nlohmann::json RiskToJson(const std::vector<ActivityRisk>& risks);
std::string RiskToMarkdown(const std::vector<ActivityRisk>& risks);

}  // namespace tutela::pims
