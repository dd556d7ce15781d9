// Export of a catalog framework as an OSCAL catalog (NIST OSCAL 1.1 JSON model).
//
// Sections become OSCAL groups, requirements become controls with our own title and description as a "statement"
// part, applicability attributes become props and the unified-control mappings become links with rel "related".
// Thread-safety: a pure function of its arguments.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "tutela/catalog/catalog.h"

namespace tutela::catalog {

// The OSCAL catalog document for `framework`. uuids are derived from the framework and requirement ids (name-based,
// so that repeated exports are identical); `last_modified` is an RFC 3339 timestamp.
// A name-based UUID (version 5 layout over SHA-256 of "tutela-oscal:" + name), so that repeated exports of the same
// thing carry the same uuid. Shared by every OSCAL document Tutela writes (catalogs here, assessment results in
// `report`).
std::string OscalNameUuid(std::string_view name);

// `text` as an OSCAL id (an NCName: letters, digits, '.', '-', '_', starting with a letter or '_'); other characters
// become '_', and "r_" is prefixed when it would not start with a letter or '_'.
std::string OscalId(std::string_view text);

nlohmann::json ExportOscalCatalog(const Framework& framework, std::string_view last_modified);

}  // namespace tutela::catalog
