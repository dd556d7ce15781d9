// tutela vault — placeholder until its issue lands; then this file holds the real command group.
#include "commands.h"

namespace tutela::cli {

void AddVaultCommands(CLI::App& app, Context& context) {
  AddPlaceholder(app, context, "vault", "WORM records vault with an S3 Object Lock API and a Merkle log");
}

}  // namespace tutela::cli
