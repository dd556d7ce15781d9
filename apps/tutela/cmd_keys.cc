// tutela keys — placeholder until its issue lands; then this file holds the real command group.
#include "commands.h"

namespace tutela::cli {

void AddKeysCommands(CLI::App& app, Context& context) {
  AddPlaceholder(app, context, "keys", "Create and rotate tokenization keys");
}

}  // namespace tutela::cli
