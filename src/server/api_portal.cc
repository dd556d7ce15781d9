// Reports and the customer portal: audit reports listed by framework, NDA acceptance before a download,
// downloads watermarked with the customer's name.
// (Reserved: its routes are added by the next step.)
#include "api.h"

namespace tutela::server {

void AddPortalRoutes(std::vector<Route>&) {}

}  // namespace tutela::server
