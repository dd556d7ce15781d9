// tutela keys create | rotate | list — the keyring behind tokenization (docs/formats/keyring.md).
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "commands.h"
#include "tutela/core/data.h"
#include "tutela/core/time.h"
#include "tutela/pii/keyring.h"

namespace tutela::cli {
namespace {

struct KeysOptions {
  std::string key_file;
};

int RunCreate(const Context& context) {
  if (context.output.empty() || context.output == "-") {
    return ReportError(Status::InvalidArgument(
        "`tutela keys create` needs --output KEYFILE; a key is never written to standard output."));
  }
  auto keyring = pii::Keyring::Generate();
  if (!keyring.ok()) return ReportError(keyring.status());
  if (Status saved = keyring->Save(context.output, /*overwrite=*/false); !saved.ok()) return ReportError(saved);
  Info(context, "created " + context.output + " (mode 0600) with active key " + keyring->active().id +
                    "; keep it secret and backed up: tokens cannot be restored without it.");
  return kExitClean;
}

int RunRotate(const Context& context, const KeysOptions& options) {
  auto keyring = pii::Keyring::Load(options.key_file);
  if (!keyring.ok()) return ReportError(keyring.status());
  auto id = keyring->Rotate();
  if (!id.ok()) return ReportError(id.status());
  if (Status saved = keyring->Save(options.key_file, /*overwrite=*/true); !saved.ok()) return ReportError(saved);
  Info(context, "rotated " + options.key_file + ": new tokens use key " + *id + "; " +
                    std::to_string(keyring->keys().size() - 1) + " older key(s) kept to restore older tokens.");
  return kExitClean;
}

int RunList(const Context& context, const KeysOptions& options) {
  auto format = context.Format("keys list", "table", {"table", "json"});
  if (!format.ok()) return ReportError(format.status());
  auto keyring = pii::Keyring::Load(options.key_file);
  if (!keyring.ok()) return ReportError(keyring.status());
  std::ostringstream out;
  if (*format == "json") {
    nlohmann::json keys = nlohmann::json::array();
    for (const pii::TokenKey& key : keyring->keys()) {
      keys.push_back(
          {{"id", key.id}, {"created", FormatRfc3339(key.created)}, {"active", key.id == keyring->active().id}});
    }
    out << DumpJson(nlohmann::json{{"keys", keys}}, 2) << "\n";
  } else {
    out << "ID         CREATED               ACTIVE\n";
    for (const pii::TokenKey& key : keyring->keys()) {
      out << key.id << "  " << FormatRfc3339(key.created) << "  " << (key.id == keyring->active().id ? "yes" : "")
          << "\n";
    }
  }
  if (Status written = WriteOutput(context, out.str()); !written.ok()) return ReportError(written);
  return kExitClean;
}

}  // namespace

void AddKeysCommands(CLI::App& app, Context& context) {
  CLI::App* keys = app.add_subcommand("keys", "Create, rotate and list tokenization keys");
  keys->require_subcommand(1);

  CLI::App* create = keys->add_subcommand(
      "create", "Create a key file with one 256-bit key (mode 0600; refuses to overwrite). Requires --output KEYFILE");
  create->callback([&context] { context.run = [&context] { return RunCreate(context); }; });

  auto rotate_options = std::make_shared<KeysOptions>();
  CLI::App* rotate =
      keys->add_subcommand("rotate", "Add a new active key; older keys stay so that older tokens still restore");
  rotate->add_option("--key-file", rotate_options->key_file, "The key file to rotate")
      ->required()
      ->type_name("KEYFILE");
  rotate->callback([&context, rotate_options] {
    context.run = [&context, rotate_options] { return RunRotate(context, *rotate_options); };
  });

  auto list_options = std::make_shared<KeysOptions>();
  CLI::App* list = keys->add_subcommand("list", "List key ids, creation times and which is active (never the keys)");
  list->add_option("--key-file", list_options->key_file, "The key file")->required()->type_name("KEYFILE");
  list->callback(
      [&context, list_options] { context.run = [&context, list_options] { return RunList(context, *list_options); }; });
}

}  // namespace tutela::cli
