// tutela pii — placeholder until its issue lands; then this file holds the real command group.
#include "commands.h"

namespace tutela::cli {

void AddPiiCommands(CLI::App& app, Context& context) {
  AddPlaceholder(app, context, "pii", "Discover PII in files, archives, documents and databases; de-identify it");
}

}  // namespace tutela::cli
