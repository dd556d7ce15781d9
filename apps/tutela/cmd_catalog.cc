// tutela catalog frameworks | show | controls | map | responsibility | certifications | lint | export
#include <algorithm>
#include <cstdlib>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "commands.h"
#include "tutela/catalog/catalog.h"
#include "tutela/catalog/json.h"
#include "tutela/catalog/oscal.h"
#include "tutela/core/data.h"
#include "tutela/core/time.h"

namespace tutela::cli {
namespace {

namespace cat = tutela::catalog;

struct CatalogOptions {
  std::vector<std::string> catalog_dirs;  // --catalog-dir (repeatable), plus $TUTELA_CATALOG (':'-separated)
  std::string framework;
  std::string requirement;
  std::string control;
  std::string from;
  std::string to;
  std::string service_model;
  std::string as_of;  // YYYY-MM-DD for certification status; empty: today (UTC)
};

cat::LoadOptions ToLoadOptions(const CatalogOptions& options) {
  cat::LoadOptions load;
  if (const char* env = std::getenv("TUTELA_CATALOG"); env != nullptr && *env != '\0') {
    std::string list(env);
    size_t start = 0;
    while (start <= list.size()) {
      size_t end = list.find(':', start);
      if (end == std::string::npos) end = list.size();
      if (end > start) load.directories.emplace_back(list.substr(start, end - start));
      start = end + 1;
    }
  }
  for (const std::string& dir : options.catalog_dirs) load.directories.emplace_back(dir);
  return load;
}

std::string Pad(std::string text, size_t width) {
  if (text.size() < width) text.append(width - text.size(), ' ');
  return text;
}

std::string Join(const std::vector<std::string>& items, std::string_view separator = ", ") {
  std::string joined;
  for (const std::string& item : items) {
    if (!joined.empty()) joined += separator;
    joined += item;
  }
  return joined;
}

int Emit(const Context& context, const std::string& text) {
  if (Status written = WriteOutput(context, text); !written.ok()) return ReportError(written);
  return kExitClean;
}

int RunFrameworks(const Context& context, const CatalogOptions& options) {
  auto format = context.Format("catalog frameworks", "table", {"table", "json"});
  if (!format.ok()) return ReportError(format.status());
  auto catalog = cat::LoadCatalog(ToLoadOptions(options));
  if (!catalog.ok()) return ReportError(catalog.status());
  std::ostringstream out;
  if (*format == "json") {
    nlohmann::json list = nlohmann::json::array();
    for (const cat::Framework& framework : catalog->frameworks()) list.push_back(cat::FrameworkSummaryJson(framework));
    out << DumpJson(nlohmann::json{{"frameworks", list}}, 2) << "\n";
  } else {
    out << Pad("ID", 26) << Pad("REQS", 6) << Pad("COMPLETENESS", 14) << "NAME\n";
    size_t total = 0;
    for (const cat::Framework& framework : catalog->frameworks()) {
      total += framework.AssessableCount();
      out << Pad(framework.id, 26) << Pad(std::to_string(framework.AssessableCount()), 6)
          << Pad(framework.completeness, 14) << framework.name << "\n";
    }
    out << catalog->frameworks().size() << " frameworks, " << total << " assessable requirements, "
        << catalog->controls().size() << " unified controls\n";
  }
  return Emit(context, out.str());
}

int RunShow(const Context& context, const CatalogOptions& options) {
  auto format = context.Format("catalog show", "table", {"table", "json"});
  if (!format.ok()) return ReportError(format.status());
  auto catalog = cat::LoadCatalog(ToLoadOptions(options));
  if (!catalog.ok()) return ReportError(catalog.status());
  const cat::Framework* framework = catalog->FindFramework(options.framework);
  if (framework == nullptr) {
    return ReportError(Status::NotFound("unknown framework \"" + options.framework +
                                        "\"; list the ids with `tutela catalog frameworks`"));
  }
  std::ostringstream out;
  if (!options.requirement.empty()) {
    const cat::Requirement* requirement = framework->FindRequirement(options.requirement);
    if (requirement == nullptr) {
      return ReportError(Status::NotFound("framework \"" + framework->id + "\" has no requirement \"" +
                                          options.requirement + "\"; list them with `tutela catalog show " +
                                          framework->id + "`"));
    }
    if (*format == "json") {
      out << DumpJson(cat::RequirementJson(*requirement), 2) << "\n";
    } else {
      out << framework->id << " " << requirement->id << ": " << requirement->title << "\n";
      if (!requirement->description.empty()) out << "  " << requirement->description << "\n";
      out << "  section: " << requirement->section << "\n";
      for (const auto& [name, values] : requirement->attributes) out << "  " << name << ": " << Join(values) << "\n";
      for (const cat::ControlMapping& mapping : requirement->controls) {
        const cat::Control* control = catalog->FindControl(mapping.control);
        out << "  control " << mapping.control << " (" << cat::RelationshipName(mapping.relationship) << ", strength "
            << mapping.strength << "): " << (control ? control->title : "") << "\n";
      }
      if (requirement->manual) out << "  manual-only; evidence: " << Join(requirement->manual_evidence, "; ") << "\n";
      if (!requirement->assessable) out << "  not assessable (informative)\n";
    }
    return Emit(context, out.str());
  }
  if (*format == "json") {
    out << DumpJson(cat::FrameworkJson(*framework), 2) << "\n";
    return Emit(context, out.str());
  }
  out << framework->name << " — " << framework->id << " (" << framework->version << ", " << framework->issuer << ", "
      << framework->jurisdiction << ")\n";
  out << "source: " << framework->source_document << " — " << framework->source_published << "\n";
  out << "completeness: " << framework->completeness << (framework->verified ? "" : " (facts not yet verified)") << "; "
      << framework->AssessableCount() << " assessable requirements\n";
  for (const cat::Section& section : framework->sections) {
    out << std::string(static_cast<size_t>(section.depth) * 2, ' ') << section.id << "  " << section.title << "\n";
    for (const cat::Requirement& requirement : framework->requirements) {
      if (requirement.section != section.id) continue;
      std::vector<std::string> controls;
      for (const cat::ControlMapping& mapping : requirement.controls) controls.push_back(mapping.control);
      std::string mapped = requirement.manual ? "manual" : Join(controls, " ");
      out << std::string(static_cast<size_t>(section.depth) * 2 + 2, ' ') << Pad(requirement.id, 22)
          << requirement.title << "  [" << mapped << "]";
      for (const auto& [name, values] : requirement.attributes) out << " " << name << "=" << Join(values, ",");
      if (!requirement.assessable) out << " (informative)";
      out << "\n";
    }
  }
  return Emit(context, out.str());
}

int RunControls(const Context& context, const CatalogOptions& options) {
  auto format = context.Format("catalog controls", "table", {"table", "json"});
  if (!format.ok()) return ReportError(format.status());
  auto catalog = cat::LoadCatalog(ToLoadOptions(options));
  if (!catalog.ok()) return ReportError(catalog.status());
  std::ostringstream out;
  if (!options.control.empty()) {
    const cat::Control* control = catalog->FindControl(options.control);
    if (control == nullptr) {
      return ReportError(
          Status::NotFound("unknown control \"" + options.control + "\"; list the ids with `tutela catalog controls`"));
    }
    nlohmann::json mapped = cat::ControlRequirementsJson(*catalog, *control);
    if (*format == "json") {
      nlohmann::json json = cat::ControlJson(*control);
      json["requirements"] = mapped;
      out << DumpJson(json, 2) << "\n";
    } else {
      out << control->id << ": " << control->title << " [" << control->domain_name << ", "
          << cat::ControlTypeName(control->type) << "]\n  " << control->description << "\n";
      out << "  owner: iaas " << cat::OwnerName(control->OwnerFor(cat::ServiceModel::kIaas)) << ", paas "
          << cat::OwnerName(control->OwnerFor(cat::ServiceModel::kPaas)) << ", saas "
          << cat::OwnerName(control->OwnerFor(cat::ServiceModel::kSaas)) << "\n";
      out << "  evidence: " << Join(control->evidence, "; ") << "\n";
      out << "  satisfies " << mapped.size() << " requirement(s):\n";
      for (const auto& item : mapped) {
        out << "    " << item["framework"].get<std::string>() << " " << item["requirement"].get<std::string>() << " ("
            << item["relationship"].get<std::string>() << ")\n";
      }
    }
    return Emit(context, out.str());
  }
  if (*format == "json") {
    nlohmann::json list = nlohmann::json::array();
    for (const cat::Control& control : catalog->controls()) list.push_back(cat::ControlJson(control));
    out << DumpJson(nlohmann::json{{"controls", list}}, 2) << "\n";
  } else {
    out << Pad("ID", 9) << Pad("TYPE", 13) << Pad("IAAS", 10) << Pad("PAAS", 10) << Pad("SAAS", 10) << "TITLE\n";
    for (const cat::Control& control : catalog->controls()) {
      out << Pad(control.id, 9) << Pad(std::string(cat::ControlTypeName(control.type)), 13)
          << Pad(std::string(cat::OwnerName(control.OwnerFor(cat::ServiceModel::kIaas))), 10)
          << Pad(std::string(cat::OwnerName(control.OwnerFor(cat::ServiceModel::kPaas))), 10)
          << Pad(std::string(cat::OwnerName(control.OwnerFor(cat::ServiceModel::kSaas))), 10) << control.title << "\n";
    }
    out << catalog->controls().size() << " unified controls\n";
  }
  return Emit(context, out.str());
}

int RunMap(const Context& context, const CatalogOptions& options) {
  auto format = context.Format("catalog map", "table", {"table", "json"});
  if (!format.ok()) return ReportError(format.status());
  auto catalog = cat::LoadCatalog(ToLoadOptions(options));
  if (!catalog.ok()) return ReportError(catalog.status());
  auto result = cat::Crosswalk(*catalog, options.from, options.to);
  if (!result.ok()) return ReportError(result.status());
  std::ostringstream out;
  if (*format == "json") {
    out << DumpJson(cat::CrosswalkJson(*result), 2) << "\n";
  } else {
    bool color = context.ColorStdout();
    for (const cat::CrosswalkEntry& entry : result->entries) {
      std::string name(cat::CoverageName(entry.coverage));
      std::string style = entry.coverage == cat::Coverage::kFull      ? "green"
                          : entry.coverage == cat::Coverage::kPartial ? "yellow"
                                                                      : "dim";
      out << Style(color, style, Pad(name, 8)) << Pad(entry.to, 24) << (entry.via.empty() ? "" : "via ")
          << Join(entry.via, " ") << "\n";
    }
    size_t total = result->entries.size();
    out << result->from << " -> " << result->to << ": " << result->full << " full, " << result->partial << " partial, "
        << result->none << " not covered of " << total << " requirements\n";
  }
  return Emit(context, out.str());
}

int RunResponsibility(const Context& context, const CatalogOptions& options) {
  auto format = context.Format("catalog responsibility", "table", {"table", "json"});
  if (!format.ok()) return ReportError(format.status());
  auto model = cat::ParseServiceModel(options.service_model);
  if (!model) {
    return ReportError(Status::InvalidArgument("service model \"" + options.service_model +
                                               "\" is not known; use iaas, paas or saas"));
  }
  auto catalog = cat::LoadCatalog(ToLoadOptions(options));
  if (!catalog.ok()) return ReportError(catalog.status());
  auto rows = cat::Responsibility(*catalog, *model, options.framework);
  if (!rows.ok()) return ReportError(rows.status());
  std::map<std::string, size_t> counts = {{"provider", 0}, {"customer", 0}, {"shared", 0}};
  for (const cat::ResponsibilityRow& row : *rows) ++counts[std::string(cat::OwnerName(row.owner))];
  std::ostringstream out;
  if (*format == "json") {
    out << DumpJson(cat::ResponsibilityJson(*rows, *model, options.framework), 2) << "\n";
  } else {
    for (const cat::ResponsibilityRow& row : *rows) {
      out << Pad(std::string(cat::OwnerName(row.owner)), 10) << Pad(row.control->id, 9) << row.control->title;
      if (!row.requirements.empty()) out << "  (" << Join(row.requirements, " ") << ")";
      out << "\n";
    }
    out << options.service_model << (options.framework.empty() ? "" : " for " + options.framework) << ": "
        << counts["provider"] << " provider, " << counts["customer"] << " customer, " << counts["shared"]
        << " shared of " << rows->size() << " controls\n";
  }
  return Emit(context, out.str());
}

int RunCertifications(const Context& context, const CatalogOptions& options) {
  auto format = context.Format("catalog certifications", "table", {"table", "json"});
  if (!format.ok()) return ReportError(format.status());
  std::string as_of = options.as_of;
  if (as_of.empty()) {
    as_of = FormatDate(NowUtc());
  } else if (auto date = ParseDate(as_of); date.ok()) {
    as_of = FormatDate(*date);
  } else {
    return ReportError(Status::InvalidArgument("--as-of \"" + as_of + "\" is not a date; give it as YYYY-MM-DD"));
  }
  auto catalog = cat::LoadCatalog(ToLoadOptions(options));
  if (!catalog.ok()) return ReportError(catalog.status());
  std::ostringstream out;
  if (*format == "json") {
    nlohmann::json list = nlohmann::json::array();
    for (const cat::Certification& record : catalog->certifications()) {
      list.push_back(cat::CertificationJson(record, as_of));
    }
    out << DumpJson(nlohmann::json{{"as_of", as_of}, {"certifications", list}}, 2) << "\n";
  } else {
    std::map<std::string, size_t> by_report;
    std::map<std::string, size_t> by_status;
    std::set<std::string> regions;
    size_t width = 20;  // the framework column fits the longest id, e.g. fisc-security-guidelines
    for (const cat::Certification& record : catalog->certifications())
      width = std::max(width, record.framework.size() + 2);
    out << Pad("FRAMEWORK", width) << Pad("EXPIRES", 12) << Pad("STATUS", 15) << Pad("REPORT", 12) << Pad("REGIONS", 9)
        << Pad("SERVICES", 10) << "LEVEL\n";
    for (const cat::Certification& record : catalog->certifications()) {
      std::string status(cat::CertificationStatus(record, as_of));
      out << Pad(record.framework, width) << Pad(record.expires.empty() ? "-" : record.expires, 12) << Pad(status, 15)
          << Pad(record.report, 12) << Pad(std::to_string(record.scope.regions.size()), 9)
          << Pad(std::to_string(record.scope.services.size()), 10) << (record.level.empty() ? "-" : record.level)
          << "\n";
      ++by_report[record.report];
      ++by_status[status];
      regions.insert(record.scope.regions.begin(), record.scope.regions.end());
    }
    out << catalog->certifications().size() << " certification records across " << regions.size()
        << " regions; reports: " << by_report["public"] << " public, " << by_report["nda"] << " under NDA, "
        << by_report["on-request"] << " on request; on " << as_of << ": " << by_status["valid"] << " valid, "
        << by_status["expired"] << " expired, " << by_status["not-yet-valid"] << " not yet valid\n";
  }
  return Emit(context, out.str());
}

int RunServices(const Context& context, const CatalogOptions& options) {
  auto format = context.Format("catalog services", "table", {"table", "json"});
  if (!format.ok()) return ReportError(format.status());
  auto catalog = cat::LoadCatalog(ToLoadOptions(options));
  if (!catalog.ok()) return ReportError(catalog.status());
  std::ostringstream out;
  if (*format == "json") {
    nlohmann::json list = nlohmann::json::array();
    for (const cat::ServiceCategory& service : catalog->services()) list.push_back(cat::ServiceCategoryJson(service));
    out << DumpJson(nlohmann::json{{"services", list}}, 2) << "\n";
  } else {
    out << Pad("ID", 20) << Pad("TITLE", 60) << "RESOURCE TYPE PREFIXES\n";
    for (const cat::ServiceCategory& service : catalog->services()) {
      out << Pad(service.id, 20) << Pad(service.title, 60) << Join(service.prefixes, " ") << "\n";
    }
    out << catalog->services().size() << " service categories\n";
  }
  return Emit(context, out.str());
}

int RunLint(const Context& context, const CatalogOptions& options) {
  auto format = context.Format("catalog lint", "table", {"table", "json"});
  if (!format.ok()) return ReportError(format.status());
  std::vector<Status> problems;
  cat::Catalog catalog = cat::LoadCatalogCollecting(ToLoadOptions(options), &problems);
  size_t requirements = 0;
  for (const cat::Framework& framework : catalog.frameworks()) requirements += framework.AssessableCount();
  std::ostringstream out;
  if (*format == "json") {
    nlohmann::json list = nlohmann::json::array();
    for (const Status& problem : problems) list.push_back(problem.message());
    out << DumpJson(nlohmann::json{{"files", catalog.files().size()},
                                   {"frameworks", catalog.frameworks().size()},
                                   {"requirements", requirements},
                                   {"controls", catalog.controls().size()},
                                   {"certifications", catalog.certifications().size()},
                                   {"services", catalog.services().size()},
                                   {"problems", list}},
                    2)
        << "\n";
  } else {
    for (const Status& problem : problems) out << problem.message() << "\n";
    out << (problems.empty() ? "catalog is clean: " : std::to_string(problems.size()) + " problem(s) in ")
        << catalog.files().size() << " files, " << catalog.frameworks().size() << " frameworks, " << requirements
        << " assessable requirements, " << catalog.controls().size() << " controls, " << catalog.certifications().size()
        << " certification records, " << catalog.services().size() << " service categories\n";
  }
  if (int code = Emit(context, out.str()); code != kExitClean) return code;
  return problems.empty() ? kExitClean : kExitError;
}

int RunExport(const Context& context, const CatalogOptions& options) {
  auto format = context.Format("catalog export", "oscal", {"oscal"});
  if (!format.ok()) return ReportError(format.status());
  auto catalog = cat::LoadCatalog(ToLoadOptions(options));
  if (!catalog.ok()) return ReportError(catalog.status());
  const cat::Framework* framework = catalog->FindFramework(options.framework);
  if (framework == nullptr) {
    return ReportError(Status::NotFound("unknown framework \"" + options.framework +
                                        "\"; list the ids with `tutela catalog frameworks`"));
  }
  return Emit(context, DumpJson(cat::ExportOscalCatalog(*framework, FormatRfc3339(NowUtc())), 2) + "\n");
}

}  // namespace

void AddCatalogCommands(CLI::App& app, Context& context) {
  CLI::App* group = app.add_subcommand(
      "catalog", "Frameworks, unified controls, crosswalks, responsibility, certifications (docs/catalog.md)");
  group->require_subcommand(1);
  auto options = std::make_shared<CatalogOptions>();
  group
      ->add_option("--catalog-dir", options->catalog_dirs,
                   "Extra catalog folder or file read after the built-in one (repeatable; also $TUTELA_CATALOG)")
      ->type_name("DIR");

  auto add = [&](const char* name, const char* help, int (*run)(const Context&, const CatalogOptions&)) {
    CLI::App* command = group->add_subcommand(name, help);
    command->add_option("--catalog-dir", options->catalog_dirs, "Extra catalog folder or file (repeatable)")
        ->type_name("DIR");
    command->callback(
        [&context, options, run] { context.run = [&context, options, run] { return run(context, *options); }; });
    return command;
  };

  add("frameworks", "List the frameworks with their assessable requirement counts", RunFrameworks);
  CLI::App* show = add("show", "Show a framework's structure, or one requirement with its controls", RunShow);
  show->add_option("FRAMEWORK", options->framework, "Framework id")->required();
  show->add_option("REQUIREMENT", options->requirement, "Requirement id");
  CLI::App* controls = add("controls", "List the unified controls, or show one with what it satisfies", RunControls);
  controls->add_option("CONTROL", options->control, "Control id");
  CLI::App* map = add("map", "Which requirements of --to are covered by what satisfies --from", RunMap);
  map->add_option("--from", options->from, "Source FRAMEWORK or FRAMEWORK:REQUIREMENT")->required();
  map->add_option("--to", options->to, "Target FRAMEWORK")->required();
  CLI::App* responsibility = add(
      "responsibility", "Who owns each control under a service model (provider, customer, shared)", RunResponsibility);
  responsibility->add_option("--service-model", options->service_model, "iaas, paas or saas")->required();
  responsibility->add_option("--framework", options->framework, "Only controls mapped from this framework");
  CLI::App* certifications =
      add("certifications", "List the certification records (e.g. --catalog-dir examples/catalog) with a summary",
          RunCertifications);
  certifications
      ->add_option("--as-of", options->as_of, "Date (YYYY-MM-DD) for the valid/expired status; default today (UTC)")
      ->type_name("DATE");
  add("services", "List the service categories that resource types fall in (compared with certificate scopes)",
      RunServices);
  add("lint", "Validate the catalog: schema, unique ids, references, mappings, sources; exit 2 on any problem",
      RunLint);
  CLI::App* export_command = add("export", "Export a framework (--format oscal: an OSCAL catalog JSON)", RunExport);
  export_command->add_option("FRAMEWORK", options->framework, "Framework id")->required();
}

}  // namespace tutela::cli
