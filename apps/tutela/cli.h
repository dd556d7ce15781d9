// Shared command-line glue: global options, output, errors and exit codes.
//
// Every subcommand registers itself in one cmd_<group>.cc file through an Add<Group>Commands() function
// (commands.h). A subcommand's callback only records what to run in Context::run; main() runs it after parsing and
// after loading --config, and turns its return value into the exit code:
//   0 clean, 1 findings when the user asked to gate (--fail-on, verify), 2 error.
// Errors are printed once, as one sentence, by ReportError(). Library code never prints.
#pragma once

#include <yaml-cpp/yaml.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "tutela/core/crypto.h"
#include "tutela/core/status.h"

namespace tutela::cli {

inline constexpr int kExitClean = 0;
inline constexpr int kExitFindings = 1;
inline constexpr int kExitError = 2;

// --threads (and serve --jobs) accept 0 (all cores; one job) to this many; larger or negative values are refused when
// parsing instead of reaching the thread pool (where -1 wrapped to 2^64-1 and failed as "internal error:
// vector::reserve").
inline constexpr int kMaxThreads = 1024;

struct Context {
  // Global options (see AddGlobalOptions).
  std::string format;  // empty: the command's default
  std::string output;  // empty or "-": stdout
  bool quiet = false;
  std::string color = "auto";
  std::string config_path;  // --config or $TUTELA_CONFIG
  YAML::Node config;        // the loaded config file; module sections are read by their commands

  // Set by the chosen subcommand's callback; run by main() once parsing is complete.
  std::function<int()> run;

  // True when the output format is the terminal view and colour is wanted for stdout / stderr.
  bool ColorStdout() const;
  bool ColorStderr() const;
  // True when progress lines may be drawn: stderr is a terminal and --quiet was not given.
  bool ShowProgress() const;

  // The --format value, or `fallback` when none was given. An unsupported value is an InvalidArgument naming the
  // command and the formats it writes.
  Result<std::string> Format(std::string_view command, std::string_view fallback,
                             std::initializer_list<std::string_view> supported) const;
};

// Adds --format, --output, --quiet, --color and --config to `app`.
void AddGlobalOptions(CLI::App& app, Context& context);

// Loads the --config file (YAML) into context.config and applies its global settings where the command line did not
// set them. InvalidArgument with file:line:column on bad YAML or unknown settings.
Status LoadConfig(CLI::App& app, Context& context);

// Makes every count option (type name N, BYTES, SECONDS or CLI11's UINT) of `app` and its subcommands accept only plain
// decimal digits. CLI11 reads unsigned options with strtoull(base 0), so "-5" became 18446744073709551611 (recorded as
// such by `pims disclose --subjects -5`), "-1" threads failed as an internal error, and "010" meant 8.
void RequirePlainCounts(CLI::App& app);

// InvalidArgument when a file the command will write (--output, --ics, --inventory, redact's --token-manifest) is one
// of the files it reads (any other option or argument of the chosen command, --config included): writing it would
// destroy the input; or when two of them name the same file.
// main() calls this after parsing, before the command runs.
Status CheckOutputsAreNotInputs(const CLI::App& app, const Context& context);

// Prints "tutela: error: MESSAGE" to stderr and returns kExitError.
int ReportError(const Status& status);
// Prints "tutela: MESSAGE" to stderr unless --quiet.
void Info(const Context& context, std::string_view message);
// Prints "tutela: warning: MESSAGE" to stderr (even with --quiet: warnings matter).
void Warn(std::string_view message);

// Splits a --listen value HOST:PORT (PORT 0: any free port). InvalidArgument naming the flag otherwise.
Status ParseListen(const std::string& listen, std::string* host, int* port);

// Writes a command's result to --output (atomically: a temporary file renamed into place) or to stdout.
// A closed stdout pipe (`tutela ... | head`) is not an error.
Status WriteOutput(const Context& context, std::string_view content);

// WriteOutput for output too large to build in memory first: `produce` calls the sink it is given with consecutive
// pieces. With --output they go to a temporary file that is renamed into place only if `produce` and every write
// succeed (nothing half-written otherwise); on stdout they are written as they come.
using OutputSink = std::function<Status(std::string_view)>;
Status WriteOutputStream(const Context& context, const std::function<Status(const OutputSink&)>& produce);

// The hashes of a Merkle proof (vault, disclosure log): fills `out` with their hex strings and returns them as text,
// one indented line each.
std::string ProofHashes(const std::vector<Digest256>& hashes, nlohmann::json& out);

// A one-line progress indicator for long work, drawn on stderr only when Context::ShowProgress() (a terminal, no
// --quiet), redrawn at most ten times a second, and erased by Finish() or the destructor so that it never mixes
// with results or error messages. Not thread-safe: call Update() from one thread.
class Progress {
 public:
  Progress(const Context& context, std::string label);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;
  void Update(uint64_t done, uint64_t total);
  void Finish();

 private:
  bool enabled_;
  bool drawn_ = false;
  std::string label_;
  std::chrono::steady_clock::time_point last_draw_{};
};

// Wraps `text` in an ANSI colour when `enabled` ("red", "green", "yellow", "bold", "dim").
std::string Style(bool enabled, std::string_view style, std::string_view text);

// Registers a command group whose issue has not landed: it accepts any arguments, prints that it is not built yet
// and exits 2. Replaced by the real Add<Group>Commands as issues land.
CLI::App* AddPlaceholder(CLI::App& app, Context& context, const std::string& name, const std::string& description);

}  // namespace tutela::cli
