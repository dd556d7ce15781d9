// Text and tool renderings of an assessment: table, CSV, SARIF 2.1.0, JUnit XML, OSCAL assessment-results.
#include "tutela/report/assessment.h"

#include <array>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tutela/catalog/oscal.h"
#include "tutela/core/csv.h"
#include "tutela/core/data.h"
#include "tutela/core/time.h"
#include "tutela/report/html.h"

namespace tutela::report {
namespace {

using assess::Assessment;
using assess::RequirementStatus;
using assess::ResultRow;
using assess::ResultStatus;

std::string Paint(bool color, std::string_view code, std::string_view text) {
  if (!color) return std::string(text);
  return "\x1b[" + std::string(code) + "m" + std::string(text) + "\x1b[0m";
}

std::string Padded(std::string_view text, size_t width) {
  std::string out(text);
  if (out.size() < width) out.resize(width, ' ');
  return out;
}

std::string Percent(double share) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%.0f%%", share * 100);
  return buffer;
}

// XML 1.0 text: HtmlEscape plus dropping the control characters XML cannot carry.
std::string XmlText(std::string_view text) {
  std::string clean;
  clean.reserve(text.size());
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 && c != '\n' && c != '\t' && c != '\r') continue;
    clean += c;
  }
  return HtmlEscape(clean);
}

std::string_view SarifLevel(policy::Severity severity) {
  switch (severity) {
    case policy::Severity::kCritical:
    case policy::Severity::kHigh:
      return "error";
    case policy::Severity::kMedium:
      return "warning";
    case policy::Severity::kLow:
      return "note";
  }
  return "warning";
}

std::string_view SarifSecuritySeverity(policy::Severity severity) {
  switch (severity) {
    case policy::Severity::kCritical:
      return "9.5";
    case policy::Severity::kHigh:
      return "8.0";
    case policy::Severity::kMedium:
      return "5.5";
    case policy::Severity::kLow:
      return "3.0";
  }
  return "5.5";
}

// "file.json#/pointer" -> "file.json".
std::string SourceFile(const std::string& source) {
  size_t hash = source.find('#');
  return hash == std::string::npos ? source : source.substr(0, hash);
}

}  // namespace

std::string AssessmentTable(const Assessment& assessment, bool color) {
  const auto& checks = assessment.checks->checks();
  const auto& resources = assessment.estate->resources();
  std::ostringstream out;
  for (ResultStatus shown : {ResultStatus::kFail, ResultStatus::kUnknown}) {
    for (const ResultRow& row : assessment.results) {
      if (row.status != shown) continue;
      const policy::Check& check = checks[row.check];
      out << Paint(color, shown == ResultStatus::kFail ? "31" : "33", Padded(assess::ResultStatusName(row.status), 8))
          << Padded(policy::SeverityName(row.severity), 9) << check.id << "  " << resources[row.resource].address
          << "\n";
      if (shown == ResultStatus::kFail) {
        out << "        " << assessment.MessageOf(row) << " Fix: " << check.remediation << "\n";
      }
    }
  }
  for (const assess::Exception& exception : assessment.exceptions) {
    if (!exception.expired) continue;
    out << Paint(color, "33", "expired ") << "exception " << exception.id << " ("
        << (exception.check.empty() ? exception.requirement : exception.check) << ", approved by " << exception.approver
        << ") expired on " << exception.expires << " and no longer applies\n";
  }
  if (!assessment.frameworks.empty() && assessment.frameworks.size() <= 8) {
    for (const assess::FrameworkResult& framework : assessment.frameworks) {
      const assess::FrameworkCounts& c = framework.counts;
      out << "framework " << framework.framework->id << ": " << c.passed << " passed, " << c.failed << " failed, "
          << c.unknown << " unknown, " << c.manual << " manual, " << c.inherited << " inherited, " << c.not_applicable
          << " not applicable, " << c.excepted << " excepted of " << c.total << " requirements (automated score "
          << Percent(c.Score()) << ")\n";
    }
  } else if (!assessment.frameworks.empty()) {
    out << assessment.frameworks.size()
        << " frameworks rolled up; --framework F shows one, --format json or html shows all\n";
  }
  const auto& counts = assessment.counts;
  out << resources.size() << " resources, " << assessment.results.size() << " results: " << counts[0] << " pass, "
      << counts[1] << " fail, " << counts[2] << " unknown, " << counts[3] << " not applicable";
  if (counts[4]) out << ", " << counts[4] << " excepted";
  out << "\n";
  return out.str();
}

std::string AssessmentCsv(const Assessment& assessment) {
  std::string text;
  text.reserve(assessment.results.size() * 160 + 4096);
  (void)WriteAssessmentCsv(assessment, [&text](std::string_view piece) {
    text.append(piece);
    return Status::Ok();
  });
  return text;
}

Status WriteAssessmentCsv(const Assessment& assessment, const std::function<Status(std::string_view)>& sink) {
  const auto& checks = assessment.checks->checks();
  const auto& resources = assessment.estate->resources();
  // The columns that depend on the check only, once per check: id, and equivalents,controls after the severity.
  std::vector<std::string> ids(checks.size()), fixed(checks.size());
  for (size_t index = 0; index < checks.size(); ++index) {
    std::string equivalents, controls;
    for (const policy::Equivalent& equivalent : checks[index].equivalents) {
      equivalents += (equivalents.empty() ? "" : " ") + equivalent.id;
    }
    for (const std::string& control : checks[index].controls) controls += (controls.empty() ? "" : " ") + control;
    ids[index] = CsvField(checks[index].id) + ",";
    fixed[index] = "," + CsvField(equivalents) + "," + CsvField(controls) + ",";
  }
  // Messages repeat per (check, status) unless an exception or PII store adds to them.
  std::vector<std::array<std::string, 5>> messages(checks.size());
  constexpr size_t kPiece = size_t{1} << 20;  // hand the sink ~1 MiB at a time
  std::string out = "check,resource,status,severity,equivalents,controls,message\n";
  out.reserve(kPiece + 4096);
  // Results come ordered by resource, so a resource's (quoted) address is made once for all of its rows.
  uint32_t address_of = UINT32_MAX;
  std::string address;
  for (const ResultRow& row : assessment.results) {
    out += ids[row.check];
    if (row.resource != address_of) {
      address.clear();
      AppendCsvField(address, resources[row.resource].address);
      address_of = row.resource;
    }
    out += address;
    out += ',';
    out += assess::ResultStatusName(row.status);
    out += ',';
    out += policy::SeverityName(row.severity);
    out += fixed[row.check];
    if (row.exception >= 0 || row.pii_store >= 0) {
      out += CsvField(assessment.MessageOf(row));
    } else {
      std::string& message = messages[row.check][static_cast<int>(row.status)];
      if (message.empty()) message = CsvField(assessment.MessageOf(row));
      out += message;
    }
    out += '\n';
    if (out.size() >= kPiece) {
      TUTELA_RETURN_IF_ERROR(sink(out));
      out.clear();
    }
  }
  return sink(out);
}

std::string AssessmentSarif(const Assessment& assessment, const std::vector<std::string>& inputs) {
  const auto& checks = assessment.checks->checks();
  const auto& resources = assessment.estate->resources();
  nlohmann::json rules = nlohmann::json::array();
  for (size_t index = 0; index < checks.size(); ++index) {
    const policy::Check& check = checks[index];
    nlohmann::json tags = nlohmann::json::array({"security", "compliance", check.provider});
    for (const std::string& control : check.controls) tags.push_back(control);
    nlohmann::json equivalents = nlohmann::json::array();
    for (const policy::Equivalent& equivalent : check.equivalents) equivalents.push_back(equivalent.id);
    nlohmann::json requirements = nlohmann::json::object();
    for (const auto& [framework, ids] : assessment.check_requirements[index]) {
      requirements[assessment.frameworks[framework].framework->id] = ids;
    }
    rules.push_back({{"id", check.id},
                     {"name", check.id},
                     {"shortDescription", {{"text", check.title}}},
                     {"fullDescription", {{"text", check.message}}},
                     {"help",
                      {{"text", check.remediation + (check.terraform.empty() ? "" : "\n\n" + check.terraform)},
                       {"markdown", check.remediation +
                                        (check.terraform.empty() ? "" : "\n\n```hcl\n" + check.terraform + "\n```")}}},
                     {"defaultConfiguration", {{"level", SarifLevel(check.severity)}}},
                     {"properties",
                      {{"tags", tags},
                       {"security-severity", SarifSecuritySeverity(check.severity)},
                       {"equivalents", equivalents},
                       {"requirements", requirements}}}});
  }
  nlohmann::json results = nlohmann::json::array();
  for (const ResultRow& row : assessment.results) {
    if (row.status == ResultStatus::kPass || row.status == ResultStatus::kNotApplicable) continue;
    const inventory::Resource& resource = resources[row.resource];
    nlohmann::json result = {
        {"ruleId", checks[row.check].id},
        {"ruleIndex", row.check},
        {"level", row.status == ResultStatus::kFail ? SarifLevel(row.severity) : std::string_view("note")},
        {"kind", row.status == ResultStatus::kFail ? "fail" : "review"},
        {"message", {{"text", std::string(resource.address) + ": " + assessment.MessageOf(row)}}},
        {"locations",
         nlohmann::json::array(
             {{{"physicalLocation", {{"artifactLocation", {{"uri", SourceFile(std::string(resource.source))}}}}},
               {"logicalLocations",
                nlohmann::json::array({{{"fullyQualifiedName", resource.address}, {"kind", "resource"}}})}}})},
        {"partialFingerprints", {{"tutelaResult/v1", checks[row.check].id + "|" + std::string(resource.address)}}},
        {"properties",
         {{"status", assess::ResultStatusName(row.status)}, {"severity", policy::SeverityName(row.severity)}}}};
    if (row.status == ResultStatus::kExcepted) {
      const assess::Exception& exception = assessment.exceptions[row.exception];
      result["suppressions"] =
          nlohmann::json::array({{{"kind", "external"},
                                  {"status", "accepted"},
                                  {"justification", exception.reason + " (approved by " + exception.approver +
                                                        ", until " + exception.expires + ")"}}});
    }
    results.push_back(std::move(result));
  }
  nlohmann::json artifacts = nlohmann::json::array();
  for (const std::string& input : inputs) artifacts.push_back({{"location", {{"uri", input}}}});
  nlohmann::json sarif = {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
                          {"version", "2.1.0"},
                          {"runs", nlohmann::json::array({{{"tool",
                                                            {{"driver",
                                                              {{"name", "tutela assess"},
                                                               {"informationUri", "https://github.com/tutela/tutela"},
                                                               {"rules", rules}}}}},
                                                           {"artifacts", artifacts},
                                                           {"results", results}}})}};
  return DumpJson(sarif, 2) + "\n";
}

std::string AssessmentJunit(const Assessment& assessment) {
  const auto& checks = assessment.checks->checks();
  const auto& resources = assessment.estate->resources();
  std::vector<std::vector<const ResultRow*>> by_check(checks.size());
  for (const ResultRow& row : assessment.results) by_check[row.check].push_back(&row);
  size_t failures = 0, skipped = 0;
  for (const ResultRow& row : assessment.results) {
    if (row.status == ResultStatus::kFail) ++failures;
    if (row.status != ResultStatus::kFail && row.status != ResultStatus::kPass) ++skipped;
  }
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"tutela assess\" tests=\"" +
                    std::to_string(assessment.results.size()) + "\" failures=\"" + std::to_string(failures) +
                    "\" skipped=\"" + std::to_string(skipped) + "\">\n";
  for (size_t index = 0; index < checks.size(); ++index) {
    if (by_check[index].empty()) continue;
    const policy::Check& check = checks[index];
    size_t suite_failures = 0, suite_skipped = 0;
    for (const ResultRow* row : by_check[index]) {
      if (row->status == ResultStatus::kFail) ++suite_failures;
      if (row->status != ResultStatus::kFail && row->status != ResultStatus::kPass) ++suite_skipped;
    }
    out += "  <testsuite name=\"" + XmlText(check.id) + "\" tests=\"" + std::to_string(by_check[index].size()) +
           "\" failures=\"" + std::to_string(suite_failures) + "\" skipped=\"" + std::to_string(suite_skipped) +
           "\">\n";
    for (const ResultRow* row : by_check[index]) {
      const inventory::Resource& resource = resources[row->resource];
      out += "    <testcase classname=\"" + XmlText(check.id) + "\" name=\"" + XmlText(resource.address) + "\"";
      if (row->status == ResultStatus::kPass) {
        out += "/>\n";
        continue;
      }
      out += ">\n";
      std::string message = XmlText(assessment.MessageOf(*row));
      if (row->status == ResultStatus::kFail) {
        out += "      <failure type=\"" + std::string(policy::SeverityName(row->severity)) + "\" message=\"" + message +
               "\">" + XmlText(check.remediation) + "</failure>\n";
      } else {
        out += "      <skipped message=\"" + std::string(assess::ResultStatusName(row->status)) + ": " + message +
               "\"/>\n";
      }
      out += "    </testcase>\n";
    }
    out += "  </testsuite>\n";
  }
  out += "</testsuites>\n";
  return out;
}

std::string AssessmentOscal(const Assessment& assessment, const std::vector<std::string>& inputs) {
  const auto& checks = assessment.checks->checks();
  const auto& resources = assessment.estate->resources();
  using catalog::OscalNameUuid;
  std::string run_key;
  for (const std::string& input : inputs) run_key += input + "\n";
  run_key += assessment.date;
  std::string now = FormatRfc3339(NowUtc());
  std::string start = assessment.date + "T00:00:00Z";

  // Observations: one per check (its passes, counted) and one per fail/unknown/excepted result.
  nlohmann::json observations = nlohmann::json::array();
  std::map<uint32_t, std::vector<std::string>> check_observations;
  std::vector<std::array<size_t, 5>> per_check(checks.size());
  for (const ResultRow& row : assessment.results) ++per_check[row.check][static_cast<int>(row.status)];
  for (size_t index = 0; index < checks.size(); ++index) {
    const auto& c = per_check[index];
    if (c[0] + c[1] + c[2] + c[3] + c[4] == 0) continue;
    std::string uuid = OscalNameUuid("assess-observation:" + run_key + ":" + checks[index].id);
    check_observations[index].push_back(uuid);
    observations.push_back(
        {{"uuid", uuid},
         {"title", checks[index].id},
         {"description", checks[index].title + ": " + std::to_string(c[0]) + " pass, " + std::to_string(c[1]) +
                             " fail, " + std::to_string(c[2]) + " unknown, " + std::to_string(c[3]) +
                             " not applicable, " + std::to_string(c[4]) + " excepted."},
         {"methods", nlohmann::json::array({"TEST"})},
         {"types", nlohmann::json::array({"control-objective"})},
         {"props", nlohmann::json::array(
                       {{{"name", "check"}, {"ns", "https://tutela.dev/ns/oscal"}, {"value", checks[index].id}}})},
         {"collected", now}});
  }
  for (const ResultRow& row : assessment.results) {
    if (row.status == ResultStatus::kPass || row.status == ResultStatus::kNotApplicable) continue;
    const inventory::Resource& resource = resources[row.resource];
    std::string uuid =
        OscalNameUuid("assess-result:" + run_key + ":" + checks[row.check].id + ":" + std::string(resource.address));
    check_observations[row.check].push_back(uuid);
    observations.push_back(
        {{"uuid", uuid},
         {"title", checks[row.check].id + " " + std::string(assess::ResultStatusName(row.status)) + ": " +
                       std::string(resource.address)},
         {"description", assessment.MessageOf(row)},
         {"methods", nlohmann::json::array({"TEST"})},
         {"types", nlohmann::json::array({row.status == ResultStatus::kFail ? "finding" : "control-objective"})},
         {"props", nlohmann::json::array({{{"name", "status"},
                                           {"ns", "https://tutela.dev/ns/oscal"},
                                           {"value", assess::ResultStatusName(row.status)}},
                                          {{"name", "severity"},
                                           {"ns", "https://tutela.dev/ns/oscal"},
                                           {"value", policy::SeverityName(row.severity)}}})},
         {"subjects",
          nlohmann::json::array({{{"subject-uuid", OscalNameUuid("resource:" + std::string(resource.address))},
                                  {"type", "component"},
                                  {"title", resource.address}}})},
         {"collected", now},
         {"remarks", checks[row.check].remediation}});
  }

  // Findings: one per framework requirement with automated evidence or inherited from the provider.
  nlohmann::json findings = nlohmann::json::array();
  for (const assess::FrameworkResult& framework : assessment.frameworks) {
    for (const assess::RequirementResult& requirement : framework.requirements) {
      bool automated =
          requirement.status == RequirementStatus::kPassed || requirement.status == RequirementStatus::kFailed ||
          requirement.status == RequirementStatus::kUnknown || requirement.status == RequirementStatus::kExcepted;
      if (!automated && requirement.status != RequirementStatus::kInherited) continue;
      std::string id = framework.framework->id + ":" + requirement.requirement->id;
      std::string state = requirement.status == RequirementStatus::kFailed ? "not-satisfied" : "satisfied";
      std::string description;
      if (requirement.status == RequirementStatus::kInherited) {
        description = "Inherited from the provider under the " +
                      std::string(assessment.service_model ? catalog::ServiceModelName(*assessment.service_model)
                                                           : std::string_view("")) +
                      " service model";
        if (requirement.certificate) {
          description += ", certified by " + requirement.certificate->id + " (" +
                         requirement.certificate->certificate_number + ", " + requirement.certificate->issuer +
                         ", expires " + requirement.certificate->expires + ")";
        } else if (requirement.by_provider.size() > 1) {
          for (const assess::ProviderInheritance& entry : requirement.by_provider) {
            description += "; " + entry.provider + ": " +
                           (entry.certificate ? "certified by " + entry.certificate->id + " (expires " +
                                                    entry.certificate->expires + ")"
                                              : std::string("no valid certificate in the portfolio"));
          }
        }
        description += ".";
      } else {
        description = "Automated evidence through unified controls";
        for (const std::string& control : requirement.evidenced) description += " " + control;
        description += ": " + std::string(assess::RequirementStatusName(requirement.status)) + ".";
      }
      nlohmann::json finding = {
          {"uuid", OscalNameUuid("assess-finding:" + run_key + ":" + id)},
          {"title", id + " " + std::string(assess::RequirementStatusName(requirement.status))},
          {"description", description},
          {"target",
           {{"type", "objective-id"},
            {"target-id", catalog::OscalId(requirement.requirement->id)},
            {"props",
             nlohmann::json::array(
                 {{{"name", "framework"}, {"ns", "https://tutela.dev/ns/oscal"}, {"value", framework.framework->id}},
                  {{"name", "tutela-status"},
                   {"ns", "https://tutela.dev/ns/oscal"},
                   {"value", assess::RequirementStatusName(requirement.status)}}})},
            {"status", {{"state", state}}}}}};
      nlohmann::json related = nlohmann::json::array();
      for (uint32_t check : requirement.checks) {
        auto found = check_observations.find(check);
        if (found == check_observations.end()) continue;
        for (const std::string& uuid : found->second) related.push_back({{"observation-uuid", uuid}});
      }
      if (!related.empty()) finding["related-observations"] = std::move(related);
      findings.push_back(std::move(finding));
    }
  }
  nlohmann::json include_controls = nlohmann::json::array();
  nlohmann::json result = {
      {"uuid", OscalNameUuid("assess-result:" + run_key)},
      {"title", "Automated cloud configuration assessment"},
      {"description", "Checks of " + std::to_string(resources.size()) + " resources by tutela assess, rolled up to " +
                          std::to_string(assessment.frameworks.size()) + " frameworks."},
      {"start", start},
      {"reviewed-controls",
       {{"control-selections", nlohmann::json::array({{{"include-all", nlohmann::json::object()}}})}}},
      {"observations", observations}};
  if (!findings.empty()) result["findings"] = std::move(findings);
  nlohmann::json document = {
      {"assessment-results",
       {{"uuid", OscalNameUuid("assessment-results:" + run_key)},
        {"metadata",
         {{"title", "Tutela assessment results"},
          {"last-modified", now},
          {"version", assessment.date},
          {"oscal-version", "1.1.2"}}},
        {"import-ap", {{"href", "#tutela-assessment-plan"}, {"remarks", "Tutela's built-in checks (catalog/checks)."}}},
        {"results", nlohmann::json::array({result})}}}};
  return DumpJson(document, 2) + "\n";
}

}  // namespace tutela::report
