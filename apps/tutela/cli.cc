#include "cli.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>

#include "tutela/core/data.h"
#include "tutela/core/file_util.h"

namespace tutela::cli {
namespace {

bool ColorWanted(const std::string& mode, int fd) {
  if (mode == "always") return true;
  if (mode == "never") return false;
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color != nullptr && *no_color != '\0') return false;
  const char* term = std::getenv("TERM");
  if (term != nullptr && std::string_view(term) == "dumb") return false;
  return ::isatty(fd) == 1;
}

}  // namespace

bool Context::ColorStdout() const { return (output.empty() || output == "-") && ColorWanted(color, STDOUT_FILENO); }
bool Context::ColorStderr() const { return ColorWanted(color, STDERR_FILENO); }
bool Context::ShowProgress() const { return !quiet && ::isatty(STDERR_FILENO) == 1; }

Result<std::string> Context::Format(std::string_view command, std::string_view fallback,
                                    std::initializer_list<std::string_view> supported) const {
  std::string chosen = format.empty() ? std::string(fallback) : format;
  std::string list;
  for (std::string_view name : supported) {
    if (name == chosen) return chosen;
    if (!list.empty()) list += ", ";
    list += name;
  }
  return Status::InvalidArgument("`tutela " + std::string(command) + "` cannot write --format " + chosen +
                                 "; choose one of: " + list + ".");
}

void AddGlobalOptions(CLI::App& app, Context& context) {
  app.add_option("--format", context.format,
                 "Output format: table (default for people) or json, ndjson, csv, sarif, ... as the command supports")
      ->type_name("FORMAT");
  app.add_option("-o,--output", context.output, "Write the result to FILE (atomically) instead of stdout")
      ->type_name("FILE");
  app.add_flag("-q,--quiet", context.quiet, "Print nothing on stderr but warnings and errors");
  app.add_option("--color", context.color, "Colour the terminal view: auto, always or never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->type_name("WHEN");
  app.add_option("--config", context.config_path, "Settings file (YAML); default $TUTELA_CONFIG")
      ->type_name("FILE")
      ->envname("TUTELA_CONFIG");
}

Status LoadConfig(CLI::App& app, Context& context) {
  if (context.config_path.empty()) return Status::Ok();
  TUTELA_ASSIGN_OR_RETURN(context.config, LoadYamlFile(context.config_path));
  if (context.config.IsNull()) return Status::Ok();
  if (!context.config.IsMap()) {
    return Status::InvalidArgument(YamlWhere(context.config_path, context.config) +
                                   ": the settings file must be a mapping of setting: value.");
  }
  // Global settings, plus one section per command group that its commands read themselves.
  static constexpr std::string_view kKnown[] = {"format", "color", "quiet",  "catalog", "assess", "pii",
                                                "keys",   "pims",  "breach", "vault",   "serve"};
  for (const auto& item : context.config) {
    std::string key = item.first.as<std::string>("");
    bool known = false;
    for (std::string_view name : kKnown) known = known || key == name;
    if (!known) {
      return Status::InvalidArgument(YamlWhere(context.config_path, item.first) + ": unknown setting \"" + key +
                                     "\"; the settings are format, color, quiet and one section per command group.");
    }
  }
  // The settings that commands read from their section. `pii: {min_score: 0.6}` (the example docs/cli.md gave) was
  // accepted and read by nothing; a setting no command reads is refused like an unknown top-level one.
  static const std::map<std::string, std::vector<std::string>> kSectionSettings = {{"assess", {"checks"}}};
  for (const auto& item : context.config) {
    std::string section = item.first.as<std::string>("");
    if (section == "format" || section == "color" || section == "quiet" || item.second.IsNull()) continue;
    auto readable = kSectionSettings.find(section);
    std::string known = readable == kSectionSettings.end() ? "" : readable->second.front();
    if (readable != kSectionSettings.end()) {
      for (size_t idx = 1; idx < readable->second.size(); ++idx) known += ", " + readable->second[idx];
    }
    std::string what = known.empty() ? "commands read no settings from the \"" + section + "\" section yet"
                                     : "the \"" + section + "\" section has: " + known;
    if (!item.second.IsMap()) {
      return Status::InvalidArgument(YamlWhere(context.config_path, item.second) + ": \"" + section +
                                     "\" must be a section of settings (a mapping); " + what + ".");
    }
    for (const auto& setting : item.second) {
      std::string name = setting.first.as<std::string>("");
      bool read = readable != kSectionSettings.end() &&
                  std::find(readable->second.begin(), readable->second.end(), name) != readable->second.end();
      if (!read) {
        return Status::InvalidArgument(YamlWhere(context.config_path, setting.first) + ": unknown setting \"" +
                                       section + "." + name + "\"; " + what + ".");
      }
      if (!setting.second.IsScalar()) {
        return Status::InvalidArgument(YamlWhere(context.config_path, setting.second) + ": \"" + section + "." + name +
                                       "\" must be a single value (text).");
      }
    }
  }
  try {
    if (context.config["format"] && app.count("--format") == 0)
      context.format = context.config["format"].as<std::string>();
    if (context.config["color"] && app.count("--color") == 0) {
      std::string color = context.config["color"].as<std::string>();
      if (color != "auto" && color != "always" && color != "never") {
        return Status::InvalidArgument(YamlWhere(context.config_path, context.config["color"]) +
                                       ": color must be auto, always or never.");
      }
      context.color = color;
    }
    if (context.config["quiet"] && app.count("--quiet") == 0) context.quiet = context.config["quiet"].as<bool>();
  } catch (const YAML::Exception& error) {
    return Status::InvalidArgument(context.config_path + ":" + std::to_string(error.mark.line + 1) + ":" +
                                   std::to_string(error.mark.column + 1) + ": wrong type of value (" + error.msg +
                                   "); format is a string, color auto|always|never, quiet true|false.");
  }
  return Status::Ok();
}

void RequirePlainCounts(CLI::App& app) {
  CLI::Validator plain(
      [](std::string& input) -> std::string {
        bool digits = !input.empty() && input.size() <= 19;
        for (char c : input) digits = digits && c >= '0' && c <= '9';
        if (digits) return {};
        return "\"" + input + "\" is not a whole number of 0 or more written in decimal digits";
      },
      /*validator_desc=*/"");
  for (CLI::Option* option : app.get_options()) {
    std::string type = option->get_type_name();
    type = type.substr(0, type.find(':'));
    if (type == "N" || type == "BYTES" || type == "SECONDS" || type == "UINT") option->check(plain);
  }
  for (CLI::App* command : app.get_subcommands([](CLI::App*) { return true; })) RequirePlainCounts(*command);
}

Status CheckOutputsAreNotInputs(const CLI::App& app, const Context& context) {
  struct Named {
    std::string option;
    std::string path;
  };
  // --token-manifest is written by `pii redact` and read by `pii restore`.
  auto is_writer = [](const CLI::App& command, const std::string& name) {
    return name == "--output" || name == "--ics" || name == "--inventory" ||
           (name == "--token-manifest" && command.get_name() == "redact");
  };
  std::vector<Named> writers;
  std::vector<Named> inputs;
  if (!context.output.empty() && context.output != "-") writers.push_back({"--output", context.output});
  std::string command_path;
  for (const CLI::App* current = &app; current != nullptr;) {
    command_path += (command_path.empty() ? "" : " ") + current->get_name();
    for (const CLI::Option* option : current->get_options()) {
      std::string name = option->get_name();
      if (name.empty()) name = option->get_name(/*positional=*/true);
      if (name == "--output") continue;  // context.output, which --config may also set
      for (const std::string& value : option->results()) {
        if (value.empty() || value == "-") continue;
        (is_writer(*current, name) ? writers : inputs).push_back({name, value});
      }
    }
    auto chosen = current->get_subcommands();
    current = chosen.empty() ? nullptr : chosen.front();
  }
  // A folder, or a file in a missing folder, is refused now rather than after the work (a whole scan, say).
  // `vault export` is the one command whose --output is a folder (it creates it).
  for (const Named& writer : writers) {
    if (writer.option == "--output" && command_path == "tutela vault export") continue;
    TUTELA_RETURN_IF_ERROR(CheckOutputPath(writer.path));
  }
  // Two outputs naming one file: the second rename would replace the first output.
  for (size_t first = 0; first < writers.size(); ++first) {
    for (size_t second = first + 1; second < writers.size(); ++second) {
      std::error_code error;
      auto resolved = [&error](const std::string& path) {
        return std::filesystem::weakly_canonical(std::filesystem::absolute(path, error), error);
      };
      if (resolved(writers[first].path) != resolved(writers[second].path) || error) continue;
      return Status::InvalidArgument(writers[first].option + " and " + writers[second].option + " both name " +
                                     writers[second].path + "; write them to two files.");
    }
  }
  for (const Named& writer : writers) {
    for (const Named& input : inputs) {
      std::error_code error;
      if (!std::filesystem::equivalent(writer.path, input.path, error)) continue;
      return Status::InvalidArgument(writer.option + " " + writer.path + " is also an input of this command (" +
                                     input.option + "), which writing it would destroy; write to another file.");
    }
  }
  return Status::Ok();
}

int ReportError(const Status& status) {
  std::string message = status.ToString();
  while (!message.empty() && message.back() == '\n') message.pop_back();
  std::fprintf(stderr, "tutela: error: %s\n", message.c_str());
  return kExitError;
}

void Info(const Context& context, std::string_view message) {
  if (context.quiet) return;
  std::fprintf(stderr, "tutela: %.*s\n", static_cast<int>(message.size()), message.data());
}

void Warn(std::string_view message) {
  std::fprintf(stderr, "tutela: warning: %.*s\n", static_cast<int>(message.size()), message.data());
}

namespace {
// Writes to stdout; a closed pipe (`tutela ... | head`) is not an error: `closed` is set and later writes are
// skipped.
Status WriteStdout(std::string_view content, bool& closed) {
  size_t written = 0;
  while (!closed && written < content.size()) {
    ssize_t got = ::write(STDOUT_FILENO, content.data() + written, content.size() - written);
    if (got < 0) {
      if (errno == EINTR) continue;
      if (errno == EPIPE) {
        closed = true;  // the reader went away: not an error
        break;
      }
      return Status::IoError(std::string("cannot write to standard output (") + std::strerror(errno) + ").");
    }
    written += static_cast<size_t>(got);
  }
  return Status::Ok();
}
}  // namespace

Status WriteOutput(const Context& context, std::string_view content) {
  if (!context.output.empty() && context.output != "-") return WriteFileAtomic(context.output, content);
  bool closed = false;
  return WriteStdout(content, closed);
}

Status WriteOutputStream(const Context& context, const std::function<Status(const OutputSink&)>& produce) {
  if (!context.output.empty() && context.output != "-") {
    AtomicFileWriter writer;
    TUTELA_RETURN_IF_ERROR(writer.Open(context.output));
    TUTELA_RETURN_IF_ERROR(produce([&writer](std::string_view piece) { return writer.Write(piece); }));
    return writer.Commit();  // the destructor removes the temporary file on any earlier return
  }
  bool closed = false;
  return produce([&closed](std::string_view piece) { return WriteStdout(piece, closed); });
}

std::string ProofHashes(const std::vector<Digest256>& hashes, nlohmann::json& out) {
  out = nlohmann::json::array();
  std::string text;
  for (const Digest256& hash : hashes) {
    out.push_back(ToHex(hash));
    text += "  " + ToHex(hash) + "\n";
  }
  return text;
}

Progress::Progress(const Context& context, std::string label)
    : enabled_(context.ShowProgress()), label_(std::move(label)) {}

Progress::~Progress() { Finish(); }

void Progress::Update(uint64_t done, uint64_t total) {
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  if (drawn_ && done != total && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  std::fprintf(stderr, "\r\033[K%s: %llu/%llu", label_.c_str(), static_cast<unsigned long long>(done),
               static_cast<unsigned long long>(total));
  std::fflush(stderr);
  drawn_ = true;
}

void Progress::Finish() {
  if (!drawn_) return;
  std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
  drawn_ = false;
}

std::string Style(bool enabled, std::string_view style, std::string_view text) {
  if (!enabled) return std::string(text);
  std::string_view code = style == "red"      ? "31"
                          : style == "green"  ? "32"
                          : style == "yellow" ? "33"
                          : style == "bold"   ? "1"
                          : style == "dim"    ? "2"
                                              : "0";
  return "\033[" + std::string(code) + "m" + std::string(text) + "\033[0m";
}

Status ParseListen(const std::string& listen, std::string* host, int* port) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos) return Status::InvalidArgument("--listen \"" + listen + "\" must be HOST:PORT.");
  *host = listen.substr(0, colon);
  try {
    size_t used = 0;
    *port = std::stoi(listen.substr(colon + 1), &used);
    if (used != listen.size() - colon - 1 || *port < 0 || *port > 65535) throw std::out_of_range("port");
  } catch (const std::exception&) {
    return Status::InvalidArgument("--listen \"" + listen + "\" has no port number from 0 to 65535.");
  }
  return Status::Ok();
}

CLI::App* AddPlaceholder(CLI::App& app, Context& context, const std::string& name, const std::string& description) {
  CLI::App* command = app.add_subcommand(name, description + " (not built yet)");
  command->allow_extras();
  command->fallthrough(false);  // keep every argument here, so "not built yet" is the one error
  command->callback([&context, name] {
    context.run = [name] {
      return ReportError(Status::NotFound("`tutela " + name + "` is not built yet; see the roadmap in README.md."));
    };
  });
  return command;
}

}  // namespace tutela::cli
