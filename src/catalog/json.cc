#include "tutela/catalog/json.h"

#include <map>
#include <string>

namespace tutela::catalog {
namespace {

nlohmann::json AttributesJson(const std::map<std::string, std::vector<std::string>>& attributes) {
  nlohmann::json json = nlohmann::json::object();
  for (const auto& [name, values] : attributes) json[name] = values;
  return json;
}

nlohmann::json SourceJson(const Framework& framework) {
  return {{"document", framework.source_document}, {"published", framework.source_published}};
}

}  // namespace

nlohmann::json FrameworkSummaryJson(const Framework& framework) {
  return {{"id", framework.id},
          {"name", framework.name},
          {"version", framework.version},
          {"issuer", framework.issuer},
          {"jurisdiction", framework.jurisdiction},
          {"completeness", framework.completeness},
          {"verified", framework.verified},
          {"requirements", framework.AssessableCount()},
          {"sections", framework.sections.size()},
          {"source", SourceJson(framework)},
          {"file", framework.where}};
}

nlohmann::json FrameworkJson(const Framework& framework) {
  nlohmann::json sections = nlohmann::json::array();
  for (const Section& section : framework.sections) {
    sections.push_back({{"id", section.id}, {"title", section.title}, {"parent", section.parent}});
  }
  nlohmann::json requirements = nlohmann::json::array();
  for (const Requirement& requirement : framework.requirements) requirements.push_back(RequirementJson(requirement));
  return {{"id", framework.id},
          {"name", framework.name},
          {"version", framework.version},
          {"issuer", framework.issuer},
          {"jurisdiction", framework.jurisdiction},
          {"licence", framework.licence},
          {"completeness", framework.completeness},
          {"verified", framework.verified},
          {"source", SourceJson(framework)},
          {"sections", sections},
          {"requirements", requirements}};
}

nlohmann::json RequirementJson(const Requirement& requirement) {
  nlohmann::json mappings = nlohmann::json::array();
  for (const ControlMapping& mapping : requirement.controls) {
    mappings.push_back({{"control", mapping.control},
                        {"relationship", RelationshipName(mapping.relationship)},
                        {"strength", mapping.strength}});
  }
  nlohmann::json json = {{"id", requirement.id},
                         {"title", requirement.title},
                         {"description", requirement.description},
                         {"section", requirement.section},
                         {"assessable", requirement.assessable},
                         {"attributes", AttributesJson(requirement.attributes)},
                         {"controls", mappings}};
  if (requirement.manual) json["manual"] = {{"evidence", requirement.manual_evidence}};
  return json;
}

nlohmann::json ControlJson(const Control& control) {
  return {{"id", control.id},
          {"title", control.title},
          {"description", control.description},
          {"domain", control.domain},
          {"type", ControlTypeName(control.type)},
          {"evidence", control.evidence},
          {"responsibility",
           {{"iaas", OwnerName(control.OwnerFor(ServiceModel::kIaas))},
            {"paas", OwnerName(control.OwnerFor(ServiceModel::kPaas))},
            {"saas", OwnerName(control.OwnerFor(ServiceModel::kSaas))}}}};
}

nlohmann::json ControlRequirementsJson(const Catalog& catalog, const Control& control) {
  nlohmann::json mapped = nlohmann::json::array();
  for (const Framework& framework : catalog.frameworks()) {
    for (const Requirement& requirement : framework.requirements) {
      for (const ControlMapping& mapping : requirement.controls) {
        if (mapping.control != control.id) continue;
        mapped.push_back({{"framework", framework.id},
                          {"requirement", requirement.id},
                          {"relationship", RelationshipName(mapping.relationship)},
                          {"strength", mapping.strength}});
      }
    }
  }
  return mapped;
}

nlohmann::json CrosswalkJson(const CrosswalkResult& result) {
  nlohmann::json mappings = nlohmann::json::array();
  nlohmann::json uncovered = nlohmann::json::array();
  for (const CrosswalkEntry& entry : result.entries) {
    if (entry.coverage == Coverage::kNone) {
      uncovered.push_back(entry.to);
      continue;
    }
    mappings.push_back({{"from", result.from},
                        {"from_requirements", entry.from},
                        {"to", entry.to},
                        {"coverage", CoverageName(entry.coverage)},
                        {"via", entry.via}});
  }
  return {
      {"from", result.from},
      {"to", result.to},
      {"mappings", mappings},
      {"uncovered", uncovered},
      {"summary",
       {{"full", result.full}, {"partial", result.partial}, {"none", result.none}, {"total", result.entries.size()}}}};
}

nlohmann::json ResponsibilityJson(const std::vector<ResponsibilityRow>& rows, ServiceModel model,
                                  std::string_view framework) {
  std::map<std::string, size_t> counts = {{"provider", 0}, {"customer", 0}, {"shared", 0}};
  nlohmann::json list = nlohmann::json::array();
  for (const ResponsibilityRow& row : rows) {
    ++counts[std::string(OwnerName(row.owner))];
    nlohmann::json item = {
        {"control", row.control->id}, {"title", row.control->title}, {"owner", OwnerName(row.owner)}};
    if (!framework.empty()) item["requirements"] = row.requirements;
    list.push_back(item);
  }
  return {
      {"service_model", ServiceModelName(model)}, {"framework", framework}, {"controls", list}, {"summary", counts}};
}

nlohmann::json CertificationJson(const Certification& record, std::string_view as_of) {
  nlohmann::json json = {{"id", record.id},
                         {"framework", record.framework},
                         {"level", record.level},
                         {"scope",
                          {{"regions", record.scope.regions},
                           {"data_centres", record.scope.data_centres},
                           {"services", record.scope.services}}},
                         {"certificate_number", record.certificate_number},
                         {"issuer", record.issuer},
                         {"auditor", record.auditor},
                         {"issued", record.issued},
                         {"expires", record.expires},
                         {"report", record.report},
                         {"status", CertificationStatus(record, as_of)}};
  if (!record.provider.empty()) json["provider"] = record.provider;
  return json;
}

nlohmann::json ServiceCategoryJson(const ServiceCategory& service) {
  return {{"id", service.id}, {"title", service.title}, {"names", service.names}, {"prefixes", service.prefixes}};
}

}  // namespace tutela::catalog
