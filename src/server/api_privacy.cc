// The privacy office: register of processing, risk evaluation, purpose decisions with the disclosure log,
// incidents with breach assessments and per-jurisdiction deadlines.
// (Reserved: its routes are added by the next step.)
#include "api.h"

namespace tutela::server {

void AddPrivacyRoutes(std::vector<Route>&) {}

}  // namespace tutela::server
