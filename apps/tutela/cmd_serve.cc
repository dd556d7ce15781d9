// tutela serve — placeholder until its issue lands; then this file holds the real command group.
#include "commands.h"

namespace tutela::cli {

void AddServeCommands(CLI::App& app, Context& context) {
  AddPlaceholder(app, context, "serve", "HTTP API and web UI over every engine");
}

}  // namespace tutela::cli
