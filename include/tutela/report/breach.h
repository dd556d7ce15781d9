// The breach assessment as a self-contained HTML page for the incident team: notifications per jurisdiction and
// audience with their absolute deadlines, the response plan, and the assumptions to check. Rendering lives here, in
// `report`, so that the `pims` engine only computes.
// Thread-safety: reentrant.
#pragma once

#include <string>

#include "tutela/pims/breach.h"

namespace tutela::report {

std::string BreachReportHtml(const pims::BreachAssessment& assessment);

}  // namespace tutela::report
