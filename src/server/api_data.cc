// PII scans and the PII inventory (docs/formats/pii-inventory.md); the vault browser with verification and proofs.
// (Reserved: its routes are added by the next step.)
#include "api.h"

namespace tutela::server {

void AddDataRoutes(std::vector<Route>&) {}

void RegisterDataJobs(Services&) {}

}  // namespace tutela::server
