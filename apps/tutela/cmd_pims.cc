// tutela pims, tutela breach — placeholders until the privacy-program issue lands.
#include "commands.h"

namespace tutela::cli {

void AddPimsCommands(CLI::App& app, Context& context) {
  AddPlaceholder(app, context, "pims", "Processing register, risk evaluation, purpose decisions, disclosure log");
  AddPlaceholder(app, context, "breach", "Breach assessment with per-jurisdiction notification deadlines");
}

}  // namespace tutela::cli
