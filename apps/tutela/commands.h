// The command groups of the `tutela` binary, one cmd_<group>.cc file each.
#pragma once

#include "cli.h"

namespace tutela::cli {

void AddEvidenceCommands(CLI::App& app, Context& context);  // evidence manifest | verify
void AddCatalogCommands(CLI::App& app, Context& context);   // catalog ...           (issue: compliance catalog)
void AddAssessCommands(CLI::App& app, Context& context);    // assess ...            (issue: cloud assessment)
void AddPiiCommands(CLI::App& app, Context& context);    // pii scan|redact|restore (issues: PII discovery, protection)
void AddKeysCommands(CLI::App& app, Context& context);   // keys create|rotate    (issue: PII protection)
void AddPimsCommands(CLI::App& app, Context& context);   // pims ..., breach ...  (issue: privacy program)
void AddVaultCommands(CLI::App& app, Context& context);  // vault serve|verify|proof|export (issue: WORM vault)
void AddServeCommands(CLI::App& app, Context& context);  // serve, tenants, users (issue: compliance center)

}  // namespace tutela::cli
