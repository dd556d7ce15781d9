// tutela assess PLAN... — glue only: options to assess::Assess (the engine) and report::Assessment* (renderings).
#include <future>
#include <memory>
#include <optional>

#include "commands.h"
#include "tutela/assess/assessment.h"
#include "tutela/catalog/catalog.h"
#include "tutela/core/builtin_data.h"
#include "tutela/inventory/estate.h"
#include "tutela/policy/checks.h"
#include "tutela/report/assessment.h"

namespace tutela::cli {
namespace {

struct AssessOptions {
  std::vector<std::string> inputs;
  std::vector<std::string> frameworks;
  std::vector<std::string> only_checks;
  std::string checks_dir;
  std::string fail_on;
  std::string service_model;
  std::string portfolio;
  std::string exceptions;
  std::string pii_inventory;
  std::string date;
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

int RunAssess(const Context& context, const AssessOptions& options) {
  auto format = context.Format("assess", "table", {"table", "json", "csv", "sarif", "junit", "oscal", "html"});
  if (!format.ok()) return ReportError(format.status());
  std::optional<policy::Severity> fail_on;
  if (!options.fail_on.empty()) {
    auto severity = policy::ParseSeverity(options.fail_on);
    if (!severity.ok()) return ReportError(severity.status().WithContext("--fail-on"));
    fail_on = *severity;
  }
  assess::Options assess_options;
  assess_options.frameworks = options.frameworks;
  assess_options.only_checks = options.only_checks;
  assess_options.threads = options.threads;
  assess_options.today = options.date;
  if (!options.service_model.empty()) {
    assess_options.service_model = catalog::ParseServiceModel(options.service_model);
    if (!assess_options.service_model) {
      return ReportError(
          Status::InvalidArgument("--service-model " + options.service_model + ": expected iaas, paas or saas."));
    }
  } else if (!options.portfolio.empty()) {
    assess_options.service_model = catalog::ServiceModel::kIaas;
  }
  auto folder = ChecksFolder(context, options);
  if (!folder.ok()) return ReportError(folder.status());
  // The checks, the catalog and the side files load on a second thread while the inputs are parsed on this one:
  // the catalog alone takes about 0.2 s, a fifth of a 100k-resource run.
  std::optional<policy::CheckSet> checks;
  std::optional<catalog::Catalog> loaded;
  std::future<Status> knowledge = std::async(std::launch::async, [&]() -> Status {
    auto check_set = policy::CheckSet::LoadDirectory(*folder);
    if (!check_set.ok()) return check_set.status();
    checks = std::move(*check_set);
    catalog::LoadOptions catalog_options;
    if (!options.portfolio.empty()) catalog_options.directories.push_back(options.portfolio);
    auto catalog = catalog::LoadCatalog(catalog_options);
    if (!catalog.ok()) {
      return catalog.status().WithContext(options.portfolio.empty() ? "catalog" : "--provider-portfolio");
    }
    loaded = std::move(*catalog);
    if (!options.exceptions.empty()) {
      auto exceptions = assess::LoadExceptions(options.exceptions);
      if (!exceptions.ok()) return exceptions.status();
      assess_options.exceptions = std::move(*exceptions);
    }
    if (!options.pii_inventory.empty()) {
      auto pii = assess::LoadPiiInventory(options.pii_inventory);
      if (!pii.ok()) return pii.status();
      assess_options.pii = std::move(*pii);
    }
    return Status::Ok();
  });
  // Deliberately never freed: the estate of a large plan is millions of small allocations, and releasing them
  // one by one just before the process exits costs more than evaluating every check (see docs/benchmarks.md).
  inventory::Estate& estate = *new inventory::Estate();
  Status parsed = Status::Ok();
  for (const std::string& input : options.inputs) {
    parsed = estate.AddFile(input);
    if (!parsed.ok()) break;
  }
  if (Status known = knowledge.get(); !known.ok()) return ReportError(known);
  if (!parsed.ok()) return ReportError(parsed);
  auto& assessment =
      *new Result<assess::Assessment>(assess::Assess(*checks, estate, *loaded, std::move(assess_options)));
  if (!assessment.ok()) return ReportError(assessment.status());
  bool gate = false;
  for (const assess::ResultRow& row : assessment->results) {
    if (fail_on && row.status == assess::ResultStatus::kFail && row.severity >= *fail_on) gate = true;
  }
  for (const assess::Exception& exception : assessment->exceptions) {
    if (exception.expired) {
      Warn("exception " + exception.id + " (" + exception.where + ") expired on " + exception.expires +
           " and no longer applies; renew or remove it.");
    }
  }
  Status written;
  if (*format == "json" || *format == "csv") {
    // Streamed: the JSON of 100k resources is ~350 MB.
    written = WriteOutputStream(context, [&](const OutputSink& sink) {
      return *format == "json" ? assess::WriteJson(*assessment, options.inputs, sink)
                               : report::WriteAssessmentCsv(*assessment, sink);
    });
  } else {
    std::string text;
    if (*format == "sarif") {
      text = report::AssessmentSarif(*assessment, options.inputs);
    } else if (*format == "junit") {
      text = report::AssessmentJunit(*assessment);
    } else if (*format == "oscal") {
      text = report::AssessmentOscal(*assessment, options.inputs);
    } else if (*format == "html") {
      text = report::AssessmentHtml(*assessment, options.inputs);
    } else {
      text = report::AssessmentTable(*assessment, context.ColorStdout());
    }
    written = WriteOutput(context, text);
  }
  if (!written.ok()) return ReportError(written);
  return gate ? kExitFindings : kExitClean;
}

}  // namespace

void AddAssessCommands(CLI::App& app, Context& context) {
  auto options = std::make_shared<AssessOptions>();
  CLI::App* assess = app.add_subcommand(
      "assess",
      "Assess Terraform plans (terraform show -json), states and snapshots with the built-in checks; one result per "
      "(check, resource): pass, fail, unknown, not_applicable or excepted, rolled up to every framework's "
      "requirements (see docs/assess.md)");
  assess->add_option("INPUT", options->inputs, "Plan, state or snapshot JSON files (UTF-8 or UTF-16)")
      ->required()
      ->type_name("FILE");
  assess->add_option("--framework", options->frameworks, "Framework to roll results up to (repeatable; default: all)")
      ->type_name("ID");
  assess
      ->add_option("--service-model", options->service_model,
                   "iaas|paas|saas: requirements the provider owns under it are `inherited`")
      ->type_name("MODEL");
  assess
      ->add_option("--provider-portfolio", options->portfolio,
                   "Provider certification records (YAML, docs/catalog.md) cited by inherited requirements; implies "
                   "--service-model iaas unless given")
      ->type_name("FILE");
  assess
      ->add_option("--exceptions", options->exceptions,
                   "Exceptions file (YAML: check + resource pattern or requirement, reason, approver, expires)")
      ->type_name("FILE");
  assess
      ->add_option("--pii-inventory", options->pii_inventory,
                   "PII inventory (tutela pii scan --inventory): stores with sensitive PII raise severity")
      ->type_name("FILE");
  assess->add_option("--date", options->date, "Judge exception expiry as of this date (default: today, UTC)")
      ->type_name("YYYY-MM-DD");
  assess->add_option("--check", options->only_checks, "Report only this check (repeatable)")->type_name("ID");
  assess->add_option("--checks", options->checks_dir, "Folder of check definitions (default: catalog/checks)")
      ->type_name("DIR");
  assess
      ->add_option("--fail-on", options->fail_on,
                   "Exit 1 when a failing result has this severity or higher (low|medium|high|critical)")
      ->type_name("SEVERITY");
  assess->add_option("--threads", options->threads, "Evaluation threads (default: all cores)")
      ->type_name("N")
      ->check(CLI::Range(0, kMaxThreads));
  assess->callback([&context, options] { context.run = [&context, options] { return RunAssess(context, *options); }; });
}

}  // namespace tutela::cli
