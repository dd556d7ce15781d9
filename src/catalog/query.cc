// Crosswalk coverage and shared responsibility over a loaded Catalog.
#include <algorithm>
#include <map>
#include <set>

#include "tutela/catalog/catalog.h"

namespace tutela::catalog {
namespace {

// Satisfying a requirement satisfies a control fully when the control asks for no more than the requirement.
Coverage SourceToControl(Relationship relationship) {
  return relationship == Relationship::kEqual || relationship == Relationship::kSubset ? Coverage::kFull
                                                                                       : Coverage::kPartial;
}

// A satisfied control covers a requirement fully when it asks for at least everything the requirement asks.
Coverage ControlToTarget(Relationship relationship) {
  return relationship == Relationship::kEqual || relationship == Relationship::kSuperset ? Coverage::kFull
                                                                                         : Coverage::kPartial;
}

void AddUnique(std::vector<std::string>& list, const std::string& value) {
  if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(value);
}

}  // namespace

Result<CrosswalkResult> Crosswalk(const Catalog& catalog, std::string_view from, std::string_view to) {
  std::string_view from_framework = from;
  std::string_view from_requirement;
  if (size_t colon = from.find(':'); colon != std::string_view::npos) {
    from_framework = from.substr(0, colon);
    from_requirement = from.substr(colon + 1);
  }
  const Framework* source = catalog.FindFramework(from_framework);
  if (source == nullptr) {
    return Status::NotFound("unknown framework \"" + std::string(from_framework) +
                            "\"; list the ids with `tutela catalog frameworks`");
  }
  const Framework* target = catalog.FindFramework(to);
  if (target == nullptr) {
    return Status::NotFound("unknown framework \"" + std::string(to) +
                            "\"; list the ids with `tutela catalog frameworks`");
  }
  if (!from_requirement.empty() && source->FindRequirement(from_requirement) == nullptr) {
    return Status::NotFound("framework \"" + source->id + "\" has no requirement \"" + std::string(from_requirement) +
                            "\"; list them with `tutela catalog show " + source->id + "`");
  }

  // What satisfying the source gives each control: the best coverage over the source requirements, and which ones.
  struct Reached {
    Coverage coverage = Coverage::kNone;
    std::vector<std::string> from;
  };
  std::map<std::string, Reached, std::less<>> reached;
  for (const Requirement& requirement : source->requirements) {
    if (!requirement.assessable) continue;
    if (!from_requirement.empty() && requirement.id != from_requirement) continue;
    for (const ControlMapping& mapping : requirement.controls) {
      Coverage coverage = SourceToControl(mapping.relationship);
      Reached& entry = reached[mapping.control];
      if (coverage > entry.coverage) {
        entry.coverage = coverage;
        entry.from.clear();
      }
      if (coverage == entry.coverage) AddUnique(entry.from, requirement.id);
    }
  }

  CrosswalkResult result;
  result.from = std::string(from);
  result.to = target->id;
  for (const Requirement& requirement : target->requirements) {
    if (!requirement.assessable) continue;
    CrosswalkEntry entry;
    entry.to = requirement.id;
    for (const ControlMapping& mapping : requirement.controls) {
      auto found = reached.find(mapping.control);
      if (found == reached.end()) continue;
      Coverage chain = std::min(found->second.coverage, ControlToTarget(mapping.relationship));  // weakest link
      if (chain > entry.coverage) {
        entry.coverage = chain;
        entry.via.clear();
        entry.from.clear();
      }
      if (chain == entry.coverage && chain != Coverage::kNone) {
        AddUnique(entry.via, mapping.control);
        for (const std::string& id : found->second.from) AddUnique(entry.from, id);
      }
    }
    switch (entry.coverage) {
      case Coverage::kFull:
        ++result.full;
        break;
      case Coverage::kPartial:
        ++result.partial;
        break;
      case Coverage::kNone:
        ++result.none;
        break;
    }
    result.entries.push_back(std::move(entry));
  }
  return result;
}

Result<std::vector<ResponsibilityRow>> Responsibility(const Catalog& catalog, ServiceModel model,
                                                      std::string_view framework) {
  std::vector<ResponsibilityRow> rows;
  if (framework.empty()) {
    for (const Control& control : catalog.controls()) rows.push_back({&control, control.OwnerFor(model), {}});
    return rows;
  }
  const Framework* found = catalog.FindFramework(framework);
  if (found == nullptr) {
    return Status::NotFound("unknown framework \"" + std::string(framework) +
                            "\"; list the ids with `tutela catalog frameworks`");
  }
  std::map<std::string, std::vector<std::string>, std::less<>> by_control;
  for (const Requirement& requirement : found->requirements) {
    if (!requirement.assessable) continue;
    for (const ControlMapping& mapping : requirement.controls) AddUnique(by_control[mapping.control], requirement.id);
  }
  for (const Control& control : catalog.controls()) {
    auto mapped = by_control.find(control.id);
    if (mapped == by_control.end()) continue;
    rows.push_back({&control, control.OwnerFor(model), mapped->second});
  }
  return rows;
}

std::string_view CertificationStatus(const Certification& record, std::string_view as_of) {
  if (!record.issued.empty() && as_of < std::string_view(record.issued)) return "not-yet-valid";
  if (!record.expires.empty() && as_of > std::string_view(record.expires)) return "expired";
  return "valid";
}

}  // namespace tutela::catalog
