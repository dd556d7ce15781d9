#include "tutela/catalog/oscal.h"

#include <map>

#include "tutela/core/crypto.h"

namespace tutela::catalog {
std::string OscalNameUuid(std::string_view name) {
  std::string hex = ToHex(Sha256(std::string("tutela-oscal:") + std::string(name)));
  hex[12] = '5';
  static constexpr char kVariant[] = "89ab";
  hex[16] = kVariant[(hex[16] - '0') & 3];
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" + hex.substr(16, 4) + "-" +
         hex.substr(20, 12);
}

std::string OscalId(std::string_view text) {
  std::string id;
  for (char c : text) {
    bool keep =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
    id += keep ? c : '_';
  }
  if (id.empty() || !((id[0] >= 'a' && id[0] <= 'z') || (id[0] >= 'A' && id[0] <= 'Z') || id[0] == '_')) {
    id = "r_" + id;
  }
  return id;
}

namespace {

std::string NameUuid(std::string_view name) { return OscalNameUuid(name); }

nlohmann::json OscalControl(const Requirement& requirement) {
  nlohmann::json control = {{"id", OscalId(requirement.id)}, {"title", requirement.title}};
  nlohmann::json props = nlohmann::json::array();
  props.push_back({{"name", "label"}, {"value", requirement.id}});
  for (const auto& [name, values] : requirement.attributes) {
    for (const std::string& value : values) {
      props.push_back({{"name", name}, {"value", value}, {"ns", "https://tutela.dev/ns/oscal"}});
    }
  }
  if (requirement.manual) {
    props.push_back({{"name", "assessment"}, {"value", "manual"}, {"ns", "https://tutela.dev/ns/oscal"}});
  }
  control["props"] = props;
  std::string prose = requirement.description.empty() ? requirement.title : requirement.description;
  control["parts"] =
      nlohmann::json::array({{{"id", OscalId(requirement.id) + "_smt"}, {"name", "statement"}, {"prose", prose}}});
  if (!requirement.controls.empty()) {
    nlohmann::json links = nlohmann::json::array();
    for (const ControlMapping& mapping : requirement.controls) {
      links.push_back({{"href", "#tutela-control-" + mapping.control},
                       {"rel", "related"},
                       {"text", std::string(RelationshipName(mapping.relationship)) + ", strength " +
                                    std::to_string(mapping.strength)}});
    }
    control["links"] = links;
  }
  return control;
}

}  // namespace

nlohmann::json ExportOscalCatalog(const Framework& framework, std::string_view last_modified) {
  // Groups for sections; requirements go to the group of their section.
  std::map<std::string, nlohmann::json> groups;
  std::vector<std::string> order;
  for (const Section& section : framework.sections) {
    groups[section.id] = {{"id", OscalId("g-" + section.id)}, {"title", section.title}};
    order.push_back(section.id);
  }
  for (const Requirement& requirement : framework.requirements) {
    groups[requirement.section]["controls"].push_back(OscalControl(requirement));
  }
  // Nest child groups into their parents, deepest first.
  for (auto it = framework.sections.rbegin(); it != framework.sections.rend(); ++it) {
    if (it->parent.empty()) continue;
    nlohmann::json& parent = groups[it->parent];
    if (!parent.contains("groups")) parent["groups"] = nlohmann::json::array();
    parent["groups"].insert(parent["groups"].begin(), groups[it->id]);
  }
  nlohmann::json top = nlohmann::json::array();
  for (const Section& section : framework.sections) {
    if (section.parent.empty()) top.push_back(groups[section.id]);
  }
  nlohmann::json metadata = {
      {"title", framework.name},
      {"last-modified", std::string(last_modified)},
      {"version", framework.version},
      {"oscal-version", "1.1.2"},
      {"props",
       nlohmann::json::array(
           {{{"name", "completeness"}, {"value", framework.completeness}, {"ns", "https://tutela.dev/ns/oscal"}}})},
      {"remarks", "Titles and descriptions are Tutela's own summaries, not the text of the source document (" +
                      framework.source_document + "). " + framework.licence}};
  return {{"catalog",
           {{"uuid", NameUuid(framework.id)},
            {"metadata", metadata},
            {"groups", top},
            {"back-matter",
             {{"resources", nlohmann::json::array({{{"uuid", NameUuid(framework.id + "#source")},
                                                    {"title", framework.source_document},
                                                    {"description", framework.source_published}}})}}}}}};
}

}  // namespace tutela::catalog
