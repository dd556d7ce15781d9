// Purpose enforcement: may this requester use these PII entities for this purpose under this register activity?
//
// Decide() is a pure function of the register, the jurisdiction rules and the request. The first failing rule
// denies (purpose limitation, marketing without consent, undeclared recipient, data minimisation); otherwise the
// request is permitted with obligations: fields to mask (sensitive entities without explicit consent), the retention
// period, the transfers and their mechanisms, and the duty to record the disclosure (ISO/IEC 27018 A.6.2; the
// tamper-evident disclosure log arrives with the ledger module).
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

struct DecisionRequest {
  std::string activity;
  std::string purpose;
  std::string requester;
  std::vector<std::string> data;  // entity ids or category names
};

struct Decision {
  bool permit = false;
  std::string rule;   // "purpose-limitation", "marketing-consent", "recipient-declared", "data-minimisation", "permit"
  std::string basis;  // citation
  std::string reason;
  std::vector<std::string> mask;  // obligations when permitted
  std::string retention;
  std::vector<std::string> transfers;  // "EU -> SG (mechanism)"
  bool record_disclosure = false;
};

// NotFound naming the activity (and the ids there are) when the register has no such activity; InvalidArgument when
// purpose, requester or data is empty.
Result<Decision> Decide(const ProcessingRegister& processing, const JurisdictionSet& rules,
                        const DecisionRequest& request);

nlohmann::json DecisionToJson(const DecisionRequest& request, const Decision& decision);

}  // namespace tutela::pims
