// Export of a catalog framework as an OSCAL catalog (NIST OSCAL 1.1 JSON model).
//
// Sections become OSCAL groups, requirements become controls with our own title and description as a "statement"
// part, applicability attributes become props and the unified-control mappings become links with rel "related".
// Thread-safety: a pure function of its arguments.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "tutela/catalog/catalog.h"

namespace tutela::catalog {

// The OSCAL catalog document for `framework`. uuids are derived from the framework and requirement ids (name-based,
// so that repeated exports are identical); `last_modified` is an RFC 3339 timestamp.
nlohmann::json ExportOscalCatalog(const Framework& framework, std::string_view last_modified);

}  // namespace tutela::catalog
