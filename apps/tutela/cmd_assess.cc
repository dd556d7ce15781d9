// tutela assess PLAN... — evaluate the built-in checks over Terraform plans, states and snapshots.
#include <unistd.h>

#include <algorithm>
#include <array>
#include <memory>
#include <optional>
#include <sstream>

#include "commands.h"
#include "tutela/core/builtin_data.h"
#include "tutela/core/csv.h"
#include "tutela/core/json_text.h"
#include "tutela/inventory/estate.h"
#include "tutela/policy/checks.h"

namespace tutela::cli {
namespace {

struct AssessOptions {
  std::vector<std::string> inputs;
  std::vector<std::string> frameworks;
  std::vector<std::string> only_checks;
  std::string checks_dir;
  std::string fail_on;
  size_t threads = 0;
};

// --checks, else the config's assess.checks, else the built-in catalog's checks/ (see tutela/core/builtin_data.h).
Result<std::filesystem::path> ChecksFolder(const Context& context, const AssessOptions& options) {
  if (!options.checks_dir.empty()) return std::filesystem::path(options.checks_dir);
  if (context.config.IsMap() && context.config["assess"] && context.config["assess"]["checks"]) {
    return std::filesystem::path(context.config["assess"]["checks"].as<std::string>(""));
  }
  std::filesystem::path builtin = BuiltinCatalogRoot() / "checks";
  std::error_code error;
  if (std::filesystem::is_directory(builtin, error)) return builtin;
  return Status::NotFound(builtin.string() +
                          ": the check catalog is not there; pass --checks DIR, set assess.checks in the settings "
                          "file, or set TUTELA_CATALOG_DIR to the catalog folder.");
}

std::string MessageOf(const policy::Check& check, policy::Outcome outcome) {
  switch (outcome) {
    case policy::Outcome::kPass:
      return check.title + ".";
    case policy::Outcome::kFail:
      return check.message;
    case policy::Outcome::kUnknown:
      return "A value this check needs is not known until apply (or is missing from the input); re-assess the "
             "applied state.";
    case policy::Outcome::kNotApplicable:
      return "The check does not apply to this resource.";
  }
  return {};
}

int RunAssess(const Context& context, const AssessOptions& options) {
  auto format = context.Format("assess", "table", {"table", "json", "csv"});
  if (!format.ok()) return ReportError(format.status());
  std::optional<policy::Severity> fail_on;
  if (!options.fail_on.empty()) {
    auto severity = policy::ParseSeverity(options.fail_on);
    if (!severity.ok()) return ReportError(severity.status().WithContext("--fail-on"));
    fail_on = *severity;
  }
  auto folder = ChecksFolder(context, options);
  if (!folder.ok()) return ReportError(folder.status());
  auto checks = policy::CheckSet::LoadDirectory(*folder);
  if (!checks.ok()) return ReportError(checks.status());
  for (const std::string& id : options.only_checks) {
    if (checks->Find(id) < 0) {
      return ReportError(Status::NotFound("--check " + id +
                                          ": no such check; `tutela assess --help` shows where "
                                          "the checks are, and catalog/checks lists them."));
    }
  }
  if (!options.frameworks.empty()) {
    Warn(
        "--framework is accepted but not applied yet: the roll-up to framework requirements comes with the catalog "
        "module; `frameworks` stays empty.");
  }
  inventory::Estate estate;
  for (const std::string& input : options.inputs) {
    if (Status added = estate.AddFile(input); !added.ok()) return ReportError(added);
  }
  std::vector<policy::CheckResult> results = policy::Evaluate(*checks, estate, options.threads);
  if (!options.only_checks.empty()) {
    std::erase_if(results, [&](const policy::CheckResult& result) {
      const std::string& id = checks->checks()[result.check].id;
      return std::find(options.only_checks.begin(), options.only_checks.end(), id) == options.only_checks.end();
    });
  }
  std::array<size_t, 4> counts{};
  bool gate = false;
  for (const policy::CheckResult& result : results) {
    ++counts[static_cast<int>(result.outcome)];
    const policy::Check& check = checks->checks()[result.check];
    if (fail_on && result.outcome == policy::Outcome::kFail && check.severity >= *fail_on) gate = true;
  }
  const auto& resources = estate.resources();
  std::string text;
  if (*format == "json") {
    // Written by hand rather than through a JSON DOM: 100k resources give half a million results.
    std::string out;
    out.reserve(results.size() * 400 + 4096);
    auto quote = [&out](std::string_view text) { AppendJsonString(out, text); };
    auto quote_list = [&](const auto& items, auto field) {
      out += '[';
      bool first = true;
      for (const auto& item : items) {
        if (!first) out += ", ";
        first = false;
        quote(field(item));
      }
      out += ']';
    };
    out += "{\n  \"format\": \"tutela-assessment-results/0\",\n  \"inputs\": [";
    for (size_t index = 0; index < options.inputs.size(); ++index) {
      out += index ? ", {\"path\": " : "{\"path\": ";
      quote(options.inputs[index]);
      out += ", \"kind\": ";
      quote(inventory::SourceKindName(estate.sources()[index]));
      out += '}';
    }
    out += "],\n  \"summary\": {\"resources\": " + std::to_string(resources.size()) +
           ", \"checks\": " + std::to_string(checks->checks().size()) +
           ", \"results\": " + std::to_string(results.size()) + ", \"pass\": " + std::to_string(counts[0]) +
           ", \"fail\": " + std::to_string(counts[1]) + ", \"unknown\": " + std::to_string(counts[2]) +
           ", \"not_applicable\": " + std::to_string(counts[3]) + "},\n  \"results\": [";
    bool first = true;
    for (const policy::CheckResult& result : results) {
      const policy::Check& check = checks->checks()[result.check];
      const inventory::Resource& resource = resources[result.resource];
      out += first ? "\n    {\"check\": " : ",\n    {\"check\": ";
      first = false;
      quote(check.id);
      out += ", \"resource\": ";
      quote(resource.address);
      out += ", \"resource_type\": ";
      quote(resource.type);
      out += ", \"status\": ";
      quote(policy::OutcomeName(result.outcome));
      out += ", \"severity\": ";
      quote(policy::SeverityName(check.severity));
      out += ", \"equivalents\": ";
      quote_list(check.equivalents,
                 [](const policy::Equivalent& equivalent) -> std::string_view { return equivalent.id; });
      out += ", \"controls\": ";
      quote_list(check.controls, [](const std::string& control) -> std::string_view { return control; });
      out += ", \"requirements\": {}, \"message\": ";
      quote(MessageOf(check, result.outcome));
      out += ", \"remediation\": ";
      quote(check.remediation);
      out += ", \"source\": ";
      quote(resource.source);
      out += '}';
    }
    out += "\n  ],\n  \"checks\": {";
    first = true;
    for (const policy::Check& check : checks->checks()) {
      out += first ? "\n    " : ",\n    ";
      first = false;
      quote(check.id);
      out += ": {\"title\": ";
      quote(check.title);
      out += ", \"provider\": ";
      quote(check.provider);
      out += ", \"terraform\": ";
      quote(check.terraform);
      out += '}';
    }
    out += "\n  },\n  \"frameworks\": []\n}\n";
    text = std::move(out);
  } else if (*format == "csv") {
    std::string out = "check,resource,status,severity,equivalents,controls,message\n";
    out.reserve(results.size() * 160 + out.size());
    for (const policy::CheckResult& result : results) {
      const policy::Check& check = checks->checks()[result.check];
      std::string equivalents, controls;
      for (const policy::Equivalent& equivalent : check.equivalents) {
        equivalents += (equivalents.empty() ? "" : " ") + equivalent.id;
      }
      for (const std::string& control : check.controls) controls += (controls.empty() ? "" : " ") + control;
      out += CsvField(check.id) + "," + CsvField(resources[result.resource].address) + ",";
      out += policy::OutcomeName(result.outcome);
      out += ",";
      out += policy::SeverityName(check.severity);
      out += "," + CsvField(equivalents) + "," + CsvField(controls) + "," + CsvField(MessageOf(check, result.outcome)) +
             "\n";
    }
    text = std::move(out);
  } else {
    bool color = context.ColorStdout();
    std::ostringstream out;
    for (policy::Outcome shown : {policy::Outcome::kFail, policy::Outcome::kUnknown}) {
      for (const policy::CheckResult& result : results) {
        if (result.outcome != shown) continue;
        const policy::Check& check = checks->checks()[result.check];
        std::string status(policy::OutcomeName(result.outcome));
        status.resize(8, ' ');
        std::string severity(policy::SeverityName(check.severity));
        severity.resize(9, ' ');
        out << Style(color, shown == policy::Outcome::kFail ? "red" : "yellow", status) << severity << check.id << "  "
            << resources[result.resource].address << "\n";
        if (shown == policy::Outcome::kFail)
          out << "        " << check.message << " Fix: " << check.remediation << "\n";
      }
    }
    out << resources.size() << " resources, " << results.size() << " results: " << Style(color, "green", "")
        << counts[0] << " pass, " << counts[1] << " fail, " << counts[2] << " unknown, " << counts[3]
        << " not applicable\n";
    text = out.str();
  }
  if (Status written = WriteOutput(context, text); !written.ok()) return ReportError(written);
  return gate ? kExitFindings : kExitClean;
}

}  // namespace

void AddAssessCommands(CLI::App& app, Context& context) {
  auto options = std::make_shared<AssessOptions>();
  CLI::App* assess = app.add_subcommand(
      "assess",
      "Assess Terraform plans (terraform show -json), states and snapshots with the built-in checks; one result per "
      "(check, resource): pass, fail, unknown or not_applicable (see docs/assess.md)");
  assess->add_option("INPUT", options->inputs, "Plan, state or snapshot JSON files (UTF-8 or UTF-16)")
      ->required()
      ->type_name("FILE");
  assess->add_option("--framework", options->frameworks, "Framework to roll results up to (repeatable; pending)")
      ->type_name("ID");
  assess->add_option("--check", options->only_checks, "Report only this check (repeatable)")->type_name("ID");
  assess->add_option("--checks", options->checks_dir, "Folder of check definitions (default: catalog/checks)")
      ->type_name("DIR");
  assess
      ->add_option("--fail-on", options->fail_on,
                   "Exit 1 when a failing result has this severity or higher (low|medium|high|critical)")
      ->type_name("SEVERITY");
  assess->add_option("--threads", options->threads, "Evaluation threads (default: all cores)")->type_name("N");
  assess->callback([&context, options] { context.run = [&context, options] { return RunAssess(context, *options); }; });
}

}  // namespace tutela::cli
