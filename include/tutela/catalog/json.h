// JSON views of catalog records, shared by `tutela catalog ... --format json` and the server's API
// (/api/v1/frameworks, /controls, /crosswalk, /responsibility, /certifications). One shape per record, so a script
// written against the command line reads the API unchanged.
//
// Thread-safety: pure functions of their arguments.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

#include "tutela/catalog/catalog.h"

namespace tutela::catalog {

// One line of a framework list: ids, names, completeness, counts, source, file.
nlohmann::json FrameworkSummaryJson(const Framework& framework);
// The whole framework: its sections and every requirement (RequirementJson).
nlohmann::json FrameworkJson(const Framework& framework);
nlohmann::json RequirementJson(const Requirement& requirement);
nlohmann::json ControlJson(const Control& control);
// Every requirement of every framework mapped to `control`: [{framework, requirement, relationship, strength}].
nlohmann::json ControlRequirementsJson(const Catalog& catalog, const Control& control);
nlohmann::json CrosswalkJson(const CrosswalkResult& result);
// `framework` may be empty (every control); with one, each row lists the framework's requirements mapped to it.
nlohmann::json ResponsibilityJson(const std::vector<ResponsibilityRow>& rows, ServiceModel model,
                                  std::string_view framework);
// A certification record with its status on `as_of` (YYYY-MM-DD).
// `provider` appears only when the record names one.
nlohmann::json CertificationJson(const Certification& record, std::string_view as_of);
// A service category (catalog/services/): id, title, names, prefixes.
nlohmann::json ServiceCategoryJson(const ServiceCategory& service);

}  // namespace tutela::catalog
