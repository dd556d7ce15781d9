// tutela catalog — placeholder until its issue lands; then this file holds the real command group.
#include "commands.h"

namespace tutela::cli {

void AddCatalogCommands(CLI::App& app, Context& context) {
  AddPlaceholder(app, context, "catalog", "Frameworks, unified controls, crosswalks, responsibility, certifications");
}

}  // namespace tutela::cli
