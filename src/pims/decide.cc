#include "tutela/pims/decide.h"

#include <algorithm>

namespace tutela::pims {
namespace {

bool Contains(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

Decision Deny(std::string rule, std::string basis, std::string reason) {
  Decision decision;
  decision.rule = std::move(rule);
  decision.basis = std::move(basis);
  decision.reason = std::move(reason);
  return decision;
}

}  // namespace

Result<Decision> Decide(const ProcessingRegister& processing, const JurisdictionSet& rules,
                        const DecisionRequest& request) {
  if (request.purpose.empty() || request.requester.empty() || request.data.empty()) {
    return Status::InvalidArgument("a decision needs a purpose, a requester and at least one data entity.");
  }
  const Activity* activity = nullptr;
  std::string ids;
  for (const Activity& candidate : processing.activities) {
    if (candidate.id == request.activity) activity = &candidate;
    ids += (ids.empty() ? "" : ", ") + candidate.id;
  }
  if (activity == nullptr) {
    return Status::NotFound(processing.source + ": no activity \"" + request.activity + "\"; the activities are " +
                            ids + ".");
  }
  if (request.purpose != activity->purpose) {
    return Deny("purpose-limitation", "GDPR Art 5(1)(b); ISO/IEC 27018 A.3.1",
                "purpose \"" + request.purpose + "\" is not the purpose of " + activity->id + " (\"" +
                    activity->purpose + "\")");
  }
  if (request.purpose.find("marketing") != std::string::npos && activity->legal_basis != "consent" &&
      activity->legal_basis != "explicit_consent") {
    return Deny(
        "marketing-consent", "ISO/IEC 27018 A.3.2",
        "marketing use needs express consent, but the legal basis of " + activity->id + " is " + activity->legal_basis);
  }
  if (!activity->recipients.empty() && !Contains(activity->recipients, request.requester) &&
      !Contains(activity->sub_processors, request.requester)) {
    return Deny(
        "recipient-declared", "GDPR Art 30(1)(d); ISO/IEC 27018 A.6.2, A.8.1",
        "requester \"" + request.requester + "\" is not a declared recipient or sub-processor of " + activity->id);
  }
  for (const std::string& entity : request.data) {
    if (!Contains(activity->pii, entity)) {
      return Deny("data-minimisation", "GDPR Art 5(1)(c); ISO/IEC 27701 7.4.1",
                  entity + " is not declared for " + activity->id + "; request only the declared data");
    }
  }
  Decision decision;
  decision.permit = true;
  decision.rule = "permit";
  decision.basis = "GDPR Art 5(1)(b),(c); ISO/IEC 27018 A.3.1";
  decision.reason = "purpose, requester and data match activity " + activity->id;
  if (activity->legal_basis != "explicit_consent") {
    for (const std::string& entity : request.data) {
      for (const std::string& id : activity->jurisdictions) {
        const Jurisdiction* jurisdiction = rules.Find(id);
        if (jurisdiction != nullptr && jurisdiction->sensitive_needs_separate_basis &&
            jurisdiction->IsSensitive(entity)) {
          decision.mask.push_back(entity);
          break;
        }
      }
    }
  }
  decision.retention = activity->retention;
  for (const Transfer& transfer : activity->transfers) {
    decision.transfers.push_back(transfer.from + " -> " + transfer.to + " (" +
                                 (transfer.mechanism.empty() ? "no mechanism declared" : transfer.mechanism) + ")");
  }
  decision.record_disclosure = request.requester != "self";
  return decision;
}

nlohmann::json DecisionToJson(const DecisionRequest& request, const Decision& decision) {
  nlohmann::json out = {{"decision", decision.permit ? "permit" : "deny"},
                        {"activity", request.activity},
                        {"purpose", request.purpose},
                        {"requester", request.requester},
                        {"data", request.data},
                        {"rule", decision.rule},
                        {"basis", decision.basis},
                        {"reason", decision.reason}};
  if (decision.permit) {
    out["obligations"] = {{"mask", decision.mask},
                          {"retention", decision.retention},
                          {"transfers", decision.transfers},
                          {"record_disclosure", decision.record_disclosure}};
  }
  return out;
}

}  // namespace tutela::pims
