// The assessment-results JSON document (docs/formats/assessment-results.md). It lives in `assess`, not `report`,
// because it is the module's documented interchange format that other engines read (pims risk --assessment), like
// the PII inventory in `pii`; renderings for people and other tools (table, CSV, SARIF, JUnit, OSCAL, HTML) live in
// `report`. Written by hand rather than through a JSON DOM: 100k resources give half a million results.
#include <cstdio>

#include "tutela/assess/assessment.h"
#include "tutela/core/json_text.h"

namespace tutela::assess {
namespace {

template <typename Items, typename Field>
void AppendList(std::string& out, const Items& items, Field field) {
  out += '[';
  bool first = true;
  for (const auto& item : items) {
    if (!first) out += ", ";
    first = false;
    AppendJsonString(out, field(item));
  }
  out += ']';
}

void AppendStrings(std::string& out, const std::vector<std::string>& items) {
  AppendList(out, items, [](const std::string& item) -> std::string_view { return item; });
}

std::string Number(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.4f", value);
  return buffer;
}

}  // namespace

std::string ToJson(const Assessment& assessment, const std::vector<std::string>& inputs) {
  std::string text;
  text.reserve(assessment.results.size() * 400 + 65536);
  (void)WriteJson(assessment, inputs, [&text](std::string_view piece) {
    text.append(piece);
    return Status::Ok();
  });
  return text;
}

Status WriteJson(const Assessment& assessment, const std::vector<std::string>& inputs, const JsonSink& sink) {
  const auto& resources = assessment.estate->resources();
  const auto& checks = assessment.checks->checks();
  constexpr size_t kPiece = size_t{1} << 20;  // hand the sink ~1 MiB at a time
  std::string out;
  out.reserve(kPiece + 65536);
  auto flush_if_full = [&]() -> Status {
    if (out.size() < kPiece) return Status::Ok();
    Status status = sink(out);
    out.clear();
    return status;
  };
  out += "{\n  \"format\": \"tutela-assessment-results/0\",\n  \"date\": ";
  AppendJsonString(out, assessment.date);
  out += ",\n  \"service_model\": ";
  if (assessment.service_model) {
    AppendJsonString(out, catalog::ServiceModelName(*assessment.service_model));
  } else {
    out += "null";
  }
  out += ",\n  \"regions\": ";
  AppendStrings(out, assessment.regions);
  out += ",\n  \"inputs\": [";
  for (size_t index = 0; index < inputs.size(); ++index) {
    out += index ? ", {\"path\": " : "{\"path\": ";
    AppendJsonString(out, inputs[index]);
    out += ", \"kind\": ";
    AppendJsonString(out, index < assessment.estate->sources().size()
                              ? inventory::SourceKindName(assessment.estate->sources()[index])
                              : std::string_view("unknown"));
    out += '}';
  }
  const auto& counts = assessment.counts;
  out += "],\n  \"summary\": {\"resources\": " + std::to_string(resources.size()) +
         ", \"checks\": " + std::to_string(checks.size()) +
         ", \"results\": " + std::to_string(assessment.results.size()) + ", \"pass\": " + std::to_string(counts[0]) +
         ", \"fail\": " + std::to_string(counts[1]) + ", \"unknown\": " + std::to_string(counts[2]) +
         ", \"not_applicable\": " + std::to_string(counts[3]) + ", \"excepted\": " + std::to_string(counts[4]) +
         "},\n  \"results\": [";

  // Per check, the fixed part of every result: equivalents, controls, requirements, remediation.
  std::vector<std::string> fixed(checks.size());
  for (size_t index = 0; index < checks.size(); ++index) {
    const policy::Check& check = checks[index];
    std::string& text = fixed[index];
    text += ", \"equivalents\": ";
    AppendList(text, check.equivalents,
               [](const policy::Equivalent& equivalent) -> std::string_view { return equivalent.id; });
    text += ", \"controls\": ";
    AppendStrings(text, check.controls);
    text += ", \"requirements\": {";
    bool first = true;
    for (const auto& [framework, ids] : assessment.check_requirements[index]) {
      if (!first) text += ", ";
      first = false;
      AppendJsonString(text, assessment.frameworks[framework].framework->id);
      text += ": ";
      AppendStrings(text, ids);
    }
    text += '}';
  }
  bool first = true;
  for (const ResultRow& row : assessment.results) {
    const policy::Check& check = checks[row.check];
    const inventory::Resource& resource = resources[row.resource];
    out += first ? "\n    {\"check\": " : ",\n    {\"check\": ";
    first = false;
    AppendJsonString(out, check.id);
    out += ", \"resource\": ";
    AppendJsonString(out, resource.address);
    out += ", \"resource_type\": ";
    AppendJsonString(out, resource.type);
    out += ", \"status\": ";
    AppendJsonString(out, ResultStatusName(row.status));
    out += ", \"severity\": ";
    AppendJsonString(out, policy::SeverityName(row.severity));
    out += fixed[row.check];
    out += ", \"message\": ";
    AppendJsonString(out, assessment.MessageOf(row));
    out += ", \"remediation\": ";
    AppendJsonString(out, check.remediation);
    out += ", \"source\": ";
    AppendJsonString(out, resource.source);
    if (row.exception >= 0) {
      out += ", \"exception\": ";
      AppendJsonString(out, assessment.exceptions[row.exception].id);
      out += ", \"evaluated_status\": ";
      AppendJsonString(out, ResultStatusName(row.evaluated));
    }
    if (row.pii_store >= 0) {
      out += ", \"pii_store\": ";
      AppendJsonString(out, assessment.pii[row.pii_store].store);
      if (row.severity != check.severity) {
        out += ", \"check_severity\": ";
        AppendJsonString(out, policy::SeverityName(check.severity));
      }
    }
    out += '}';
    TUTELA_RETURN_IF_ERROR(flush_if_full());
  }
  out += "\n  ],\n  \"checks\": {";
  first = true;
  for (const policy::Check& check : checks) {
    out += first ? "\n    " : ",\n    ";
    first = false;
    AppendJsonString(out, check.id);
    out += ": {\"title\": ";
    AppendJsonString(out, check.title);
    out += ", \"provider\": ";
    AppendJsonString(out, check.provider);
    out += ", \"severity\": ";
    AppendJsonString(out, policy::SeverityName(check.severity));
    out += ", \"terraform\": ";
    AppendJsonString(out, check.terraform);
    out += '}';
  }
  out += "\n  },\n  \"controls\": {";
  first = true;
  for (const ControlResult& control : assessment.controls) {
    out += first ? "\n    " : ",\n    ";
    first = false;
    AppendJsonString(out, control.control->id);
    out += ": {\"title\": ";
    AppendJsonString(out, control.control->title);
    out += ", \"status\": ";
    AppendJsonString(out, control.Status());
    for (int status = 0; status < 5; ++status) {
      out += ", \"";
      out += ResultStatusName(static_cast<ResultStatus>(status));
      out += "\": " + std::to_string(control.counts[status]);
    }
    out += ", \"checks\": ";
    AppendList(out, control.checks, [&](uint32_t check) -> std::string_view { return checks[check].id; });
    out += '}';
  }
  out += "\n  },\n  \"frameworks\": [";
  first = true;
  for (const FrameworkResult& framework : assessment.frameworks) {
    const FrameworkCounts& c = framework.counts;
    out += first ? "\n    {\"id\": " : ",\n    {\"id\": ";
    first = false;
    AppendJsonString(out, framework.framework->id);
    out += ", \"name\": ";
    AppendJsonString(out, framework.framework->name);
    out += ", \"score\": " + Number(c.Score());
    out += ", \"requirements\": {\"total\": " + std::to_string(c.total) + ", \"passed\": " + std::to_string(c.passed) +
           ", \"failed\": " + std::to_string(c.failed) + ", \"manual\": " + std::to_string(c.manual) +
           ", \"inherited\": " + std::to_string(c.inherited) +
           ", \"not_applicable\": " + std::to_string(c.not_applicable) + ", \"unknown\": " + std::to_string(c.unknown) +
           ", \"excepted\": " + std::to_string(c.excepted) + "},\n     \"requirement_results\": [";
    bool first_requirement = true;
    for (const RequirementResult& requirement : framework.requirements) {
      out += first_requirement ? "\n      {\"id\": " : ",\n      {\"id\": ";
      first_requirement = false;
      AppendJsonString(out, requirement.requirement->id);
      out += ", \"status\": ";
      AppendJsonString(out, RequirementStatusName(requirement.status));
      if (requirement.status == RequirementStatus::kPassed) {
        out += ", \"coverage\": ";
        AppendJsonString(out, catalog::CoverageName(requirement.coverage));
      }
      out += ", \"controls\": ";
      AppendStrings(out, requirement.controls);
      out += ", \"evidenced_by\": ";
      AppendStrings(out, requirement.evidenced);
      out += ", \"checks\": ";
      AppendList(out, requirement.checks, [&](uint32_t check) -> std::string_view { return checks[check].id; });
      out += ", \"evidence_needed\": ";
      AppendStrings(out, requirement.evidence_needed);
      if (requirement.status == RequirementStatus::kInherited) {
        out += ", \"inherited_from\": ";
        if (const catalog::Certification* certificate = requirement.certificate) {
          out += "{\"certification\": ";
          AppendJsonString(out, certificate->id);
          out += ", \"certificate_number\": ";
          AppendJsonString(out, certificate->certificate_number);
          out += ", \"issuer\": ";
          AppendJsonString(out, certificate->issuer);
          out += ", \"expires\": ";
          AppendJsonString(out, certificate->expires);
          out += ", \"scope\": {\"regions\": ";
          AppendStrings(out, certificate->scope.regions);
          out += ", \"services\": ";
          AppendStrings(out, certificate->scope.services);
          out += "}, \"regions_outside_scope\": ";
          AppendStrings(out, requirement.regions_outside_scope);
          out += ", \"services_outside_scope\": ";
          AppendStrings(out, requirement.services_outside_scope);
          out += '}';
        } else {
          out += "null";
        }
        if (const catalog::Certification* lapsed = requirement.lapsed_certificate) {
          out += ", \"lapsed_certification\": {\"certification\": ";
          AppendJsonString(out, lapsed->id);
          out += ", \"issued\": ";
          AppendJsonString(out, lapsed->issued);
          out += ", \"expires\": ";
          AppendJsonString(out, lapsed->expires);
          out += '}';
        }
        out += ", \"inherited_by_provider\": [";
        for (size_t index = 0; index < requirement.by_provider.size(); ++index) {
          const ProviderInheritance& entry = requirement.by_provider[index];
          out += index == 0 ? "{\"provider\": " : ", {\"provider\": ";
          AppendJsonString(out, entry.provider);
          out += ", \"certification\": ";
          if (entry.certificate) {
            AppendJsonString(out, entry.certificate->id);
          } else {
            out += "null";
          }
          out += ", \"lapsed_certification\": ";
          if (entry.lapsed_certificate) {
            AppendJsonString(out, entry.lapsed_certificate->id);
          } else {
            out += "null";
          }
          out += ", \"regions_outside_scope\": ";
          AppendStrings(out, entry.regions_outside_scope);
          out += ", \"services_outside_scope\": ";
          AppendStrings(out, entry.services_outside_scope);
          out += '}';
        }
        out += ']';
      }
      if (requirement.exception >= 0) {
        out += ", \"exception\": ";
        AppendJsonString(out, assessment.exceptions[requirement.exception].id);
      }
      out += '}';
      TUTELA_RETURN_IF_ERROR(flush_if_full());
    }
    out += "\n     ]}";
  }
  out += "\n  ],\n  \"exceptions\": [";
  first = true;
  for (const Exception& exception : assessment.exceptions) {
    out += first ? "\n    {\"id\": " : ",\n    {\"id\": ";
    first = false;
    AppendJsonString(out, exception.id);
    out += exception.check.empty() ? ", \"requirement\": " : ", \"check\": ";
    AppendJsonString(out, exception.check.empty() ? exception.requirement : exception.check);
    if (!exception.check.empty()) {
      out += ", \"resource\": ";
      AppendJsonString(out, exception.resource);
    }
    out += ", \"reason\": ";
    AppendJsonString(out, exception.reason);
    out += ", \"approver\": ";
    AppendJsonString(out, exception.approver);
    out += ", \"expires\": ";
    AppendJsonString(out, exception.expires);
    out += ", \"state\": ";
    AppendJsonString(out, exception.expired ? "expired" : "active");
    out += ", \"applied\": " + std::to_string(exception.applied) + "}";
  }
  out += "\n  ],\n  \"pii_stores\": [";
  first = true;
  for (const PiiStore& store : assessment.pii) {
    out += first ? "\n    {\"store\": " : ",\n    {\"store\": ";
    first = false;
    AppendJsonString(out, store.store);
    out += ", \"sensitive\": ";
    out += store.Sensitive() ? "true" : "false";
    out += ", \"categories\": ";
    AppendStrings(out, store.categories);
    out += ", \"resources\": ";
    AppendList(out, store.resources, [&](uint32_t index) -> std::string_view { return resources[index].address; });
    out += '}';
  }
  out += "\n  ]\n}\n";
  return sink(out);
}

}  // namespace tutela::assess
