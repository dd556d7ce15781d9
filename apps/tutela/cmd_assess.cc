// tutela assess — placeholder until its issue lands; then this file holds the real command group.
#include "commands.h"

namespace tutela::cli {

void AddAssessCommands(CLI::App& app, Context& context) {
  AddPlaceholder(app, context, "assess", "Assess Terraform plans and snapshots against every framework");
}

}  // namespace tutela::cli
