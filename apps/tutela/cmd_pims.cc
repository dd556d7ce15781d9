// tutela pims jurisdictions | tutela breach assess
#include <memory>
#include <sstream>

#include "commands.h"
#include "tutela/core/file_util.h"
#include "tutela/core/time.h"
#include "tutela/pims/breach.h"
#include "tutela/pims/jurisdiction.h"

namespace tutela::cli {
namespace {

struct BreachOptions {
  std::string incident;
  std::string jurisdictions;
  std::string register_file;
  std::string pii_inventory;
  std::string ics;
};

Result<pims::JurisdictionSet> LoadRules(const std::string& directory) {
  return pims::JurisdictionSet::LoadDirectory(directory.empty() ? pims::DefaultJurisdictionsDirectory()
                                                                : std::filesystem::path(directory));
}

int RunBreachAssess(const Context& context, const BreachOptions& options) {
  auto format = context.Format("breach assess", "json", {"json", "markdown", "html"});
  if (!format.ok()) return ReportError(format.status());
  if (!options.register_file.empty() || !options.pii_inventory.empty()) {
    Warn(
        "--register and --pii-inventory are accepted but not used by breach assess yet; list the affected "
        "categories and subjects in the incident file.");
  }
  auto rules = LoadRules(options.jurisdictions);
  if (!rules.ok()) return ReportError(rules.status());
  auto incident = pims::LoadIncident(options.incident, *rules);
  if (!incident.ok()) return ReportError(incident.status());
  pims::BreachAssessment assessment = pims::AssessBreach(*incident, *rules);
  std::string text;
  if (*format == "json") {
    text = pims::BreachToJson(assessment).dump(2) + "\n";
  } else if (*format == "markdown") {
    text = pims::BreachToMarkdown(assessment);
  } else {
    text = pims::BreachToHtml(assessment);
  }
  if (!options.ics.empty()) {
    if (Status written = WriteFileAtomic(options.ics, pims::BreachToIcs(assessment, NowUtc())); !written.ok()) {
      return ReportError(written);
    }
  }
  if (Status written = WriteOutput(context, text); !written.ok()) return ReportError(written);
  return kExitClean;
}

int RunJurisdictions(const Context& context, const std::string& directory) {
  auto format = context.Format("pims jurisdictions", "table", {"table", "json"});
  if (!format.ok()) return ReportError(format.status());
  auto rules = LoadRules(directory);
  if (!rules.ok()) return ReportError(rules.status());
  std::ostringstream out;
  if (*format == "json") {
    nlohmann::json list = nlohmann::json::array();
    for (const pims::Jurisdiction& jurisdiction : rules->all()) {
      nlohmann::json rule_list = nlohmann::json::array();
      for (const pims::NotificationRule& rule : jurisdiction.rules) {
        rule_list.push_back({{"id", rule.id},
                             {"audience", pims::AudienceName(rule.audience)},
                             {"authority", rule.authority},
                             {"deadline", rule.deadline.text},
                             {"citation", rule.citation},
                             {"verified", rule.verified && rule.deadline.verified}});
      }
      list.push_back({{"id", jurisdiction.id},
                      {"name", jurisdiction.name},
                      {"regulator", jurisdiction.regulator},
                      {"penalty", jurisdiction.penalty.text},
                      {"rules", rule_list}});
    }
    out << list.dump(2) << "\n";
  } else {
    for (const pims::Jurisdiction& jurisdiction : rules->all()) {
      out << jurisdiction.id << "  " << jurisdiction.name << "  (" << jurisdiction.rules.size() << " rules)\n";
      for (const pims::NotificationRule& rule : jurisdiction.rules) {
        out << "  " << rule.id << "  " << pims::AudienceName(rule.audience) << "  " << rule.deadline.text << "  ["
            << rule.citation << (rule.verified && rule.deadline.verified ? "" : "; unverified") << "]\n";
      }
    }
  }
  if (Status written = WriteOutput(context, out.str()); !written.ok()) return ReportError(written);
  return kExitClean;
}

}  // namespace

void AddPimsCommands(CLI::App& app, Context& context) {
  CLI::App* pims = app.add_subcommand("pims", "Privacy program: jurisdiction rules, processing register");
  pims->require_subcommand(1);
  auto directory = std::make_shared<std::string>();
  CLI::App* jurisdictions =
      pims->add_subcommand("jurisdictions", "Load, validate and list the jurisdiction rules (catalog/jurisdictions/)");
  jurisdictions->add_option("--jurisdictions", *directory, "Rule folder (default: the catalog's)")->type_name("DIR");
  jurisdictions->callback(
      [&context, directory] { context.run = [&context, directory] { return RunJurisdictions(context, *directory); }; });

  CLI::App* breach = app.add_subcommand("breach", "Breach assessment with per-jurisdiction notification deadlines");
  breach->require_subcommand(1);
  auto options = std::make_shared<BreachOptions>();
  CLI::App* assess = breach->add_subcommand(
      "assess",
      "Who must be notified of an incident, by when and why, plus the response plan (json, markdown, html; "
      "see docs/formats/incident.md)");
  assess->add_option("INCIDENT", options->incident, "Incident YAML file")->required()->type_name("FILE");
  assess->add_option("--jurisdictions", options->jurisdictions, "Rule folder (default: the catalog's)")
      ->type_name("DIR");
  assess->add_option("--register", options->register_file, "Register of processing (reserved)")->type_name("FILE");
  assess->add_option("--pii-inventory", options->pii_inventory, "PII inventory (reserved)")->type_name("FILE");
  assess->add_option("--ics", options->ics, "Also write the deadlines as iCalendar events to FILE")->type_name("FILE");
  assess->callback(
      [&context, options] { context.run = [&context, options] { return RunBreachAssess(context, *options); }; });
}

}  // namespace tutela::cli
