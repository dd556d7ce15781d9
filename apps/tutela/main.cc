// tutela: the command-line front end. Only flag handling lives here and in cmd_*.cc; every capability is a library
// call (include/tutela/...).
#include <csignal>
#include <cstdio>
#include <exception>
#include <string>

#include "cli.h"
#include "commands.h"
#include "tutela/core/status.h"

#ifndef TUTELA_VERSION
#define TUTELA_VERSION "0.0.0"
#endif

namespace {

// "tutela pii scan" for the deepest subcommand the parser reached, for error messages.
std::string CommandPath(const CLI::App& app) {
  std::string path = app.get_name();
  const CLI::App* current = &app;
  while (true) {
    auto chosen = current->get_subcommands();
    if (chosen.empty()) break;
    current = chosen.front();
    path += " " + current->get_name();
  }
  return path;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace tutela::cli;
  std::signal(SIGPIPE, SIG_IGN);  // a closed pipe shows up as EPIPE from write(), handled in WriteOutput

  Context context;
  CLI::App app{
      "Tutela: compliance frameworks, cloud assessment, PII discovery and protection, privacy program "
      "and WORM records, offline.",
      "tutela"};
  app.set_version_flag("--version", std::string("tutela ") + TUTELA_VERSION, "Print the version and exit");
  app.require_subcommand(1);
  app.fallthrough();  // global options are accepted after the subcommand too
  app.footer(
      "Exit codes: 0 clean, 1 findings when asked to gate (--fail-on), 2 error.\n"
      "Run `tutela COMMAND --help` for a command's options.");
  AddGlobalOptions(app, context);

  AddEvidenceCommands(app, context);
  AddCatalogCommands(app, context);
  AddAssessCommands(app, context);
  AddPiiCommands(app, context);
  AddKeysCommands(app, context);
  AddPimsCommands(app, context);
  AddVaultCommands(app, context);
  AddServeCommands(app, context);
  RequirePlainCounts(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& help) {
    return app.exit(help);
  } catch (const CLI::CallForAllHelp& help) {
    return app.exit(help);
  } catch (const CLI::CallForVersion& version) {
    return app.exit(version);
  } catch (const CLI::ParseError& error) {
    std::string message = error.what();
    if (!message.empty() && message.back() == '.') message.pop_back();
    return ReportError(tutela::Status::InvalidArgument(message + "; run `" + CommandPath(app) + " --help` for usage."));
  }

  if (tutela::Status loaded = LoadConfig(app, context); !loaded.ok()) return ReportError(loaded);
  if (!context.run) return ReportError(tutela::Status::Internal("no command was chosen"));
  if (tutela::Status clash = CheckOutputsAreNotInputs(app, context); !clash.ok()) return ReportError(clash);
  try {
    return context.run();
  } catch (const std::bad_alloc&) {
    return ReportError(tutela::Status::Internal("out of memory; retry with smaller inputs or fewer --threads."));
  } catch (const std::exception& error) {
    return ReportError(
        tutela::Status::Internal(std::string(error.what()) + "; please report this with the command you ran."));
  }
}
