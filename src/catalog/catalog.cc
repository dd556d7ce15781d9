#include "tutela/catalog/catalog.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <set>
#include <system_error>

#include "cache.h"
#include "tutela/core/builtin_data.h"
#include "tutela/core/crypto.h"
#include "tutela/core/data.h"
#include "tutela/core/file_util.h"
#include "tutela/core/time.h"

namespace tutela::catalog {

std::string_view ServiceModelName(ServiceModel model) {
  switch (model) {
    case ServiceModel::kIaas:
      return "iaas";
    case ServiceModel::kPaas:
      return "paas";
    case ServiceModel::kSaas:
      return "saas";
  }
  return "?";
}

std::string_view OwnerName(Owner owner) {
  switch (owner) {
    case Owner::kProvider:
      return "provider";
    case Owner::kCustomer:
      return "customer";
    case Owner::kShared:
      return "shared";
  }
  return "?";
}

std::string_view ControlTypeName(ControlType type) {
  switch (type) {
    case ControlType::kAutomatable:
      return "automatable";
    case ControlType::kProcedural:
      return "procedural";
    case ControlType::kPhysical:
      return "physical";
  }
  return "?";
}

std::string_view RelationshipName(Relationship relationship) {
  switch (relationship) {
    case Relationship::kEqual:
      return "equal";
    case Relationship::kSubset:
      return "subset";
    case Relationship::kSuperset:
      return "superset";
    case Relationship::kIntersect:
      return "intersect";
  }
  return "?";
}

std::string_view CoverageName(Coverage coverage) {
  switch (coverage) {
    case Coverage::kNone:
      return "none";
    case Coverage::kPartial:
      return "partial";
    case Coverage::kFull:
      return "full";
  }
  return "?";
}

std::optional<ServiceModel> ParseServiceModel(std::string_view text) {
  if (text == "iaas") return ServiceModel::kIaas;
  if (text == "paas") return ServiceModel::kPaas;
  if (text == "saas") return ServiceModel::kSaas;
  return std::nullopt;
}

const Requirement* Framework::FindRequirement(std::string_view requirement_id) const {
  for (const Requirement& requirement : requirements) {
    if (requirement.id == requirement_id) return &requirement;
  }
  return nullptr;
}

size_t Framework::AssessableCount() const {
  return static_cast<size_t>(
      std::count_if(requirements.begin(), requirements.end(), [](const Requirement& r) { return r.assessable; }));
}

const Framework* Catalog::FindFramework(std::string_view id) const {
  auto found = framework_index_.find(id);
  return found == framework_index_.end() ? nullptr : &frameworks_[found->second];
}

const Control* Catalog::FindControl(std::string_view id) const {
  auto found = control_index_.find(id);
  return found == control_index_.end() ? nullptr : &controls_[found->second];
}

bool ServiceCategory::Named(std::string_view name) const {
  auto same = [](std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t index = 0; index < a.size(); ++index) {
      char x = a[index], y = b[index];
      if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
      if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
      if (x != y) return false;
    }
    return true;
  };
  if (same(name, id)) return true;
  for (const std::string& alias : names) {
    if (same(name, alias)) return true;
  }
  return false;
}

const ServiceCategory* Catalog::ServiceOf(std::string_view resource_type) const {
  const ServiceCategory* best = nullptr;
  size_t best_length = 0;
  for (const ServiceCategory& service : services_) {
    for (const std::string& prefix : service.prefixes) {
      if (prefix.size() > best_length && resource_type.substr(0, prefix.size()) == prefix) {
        best = &service;
        best_length = prefix.size();
      }
    }
  }
  return best;
}

std::filesystem::path BuiltinCatalogDir() { return BuiltinCatalogRoot(); }

// Reads files into a Catalog, collecting problems. One instance per load.
class Loader {
 public:
  Loader(Catalog& catalog, std::vector<Status>& problems) : catalog_(catalog), problems_(problems) {}

  // One step of a load, in order: a file to read, or a problem met while listing the folders.
  struct Step {
    std::filesystem::path file;
    std::optional<Status> problem;
  };
  // The catalog files under `directory` (or `directory` itself when it is a file) as steps.
  static void ListDirectory(const std::filesystem::path& directory, bool builtin, std::vector<Step>& steps);
  // Loads one file from its text (or records why it could not be read).
  void LoadFile(const std::filesystem::path& path, const Result<std::string>& text);
  void Problem(Status problem) { problems_.push_back(std::move(problem)); }
  void CheckReferences();

 private:
  void Problem(const std::string& where, const std::string& message) {
    problems_.push_back(Status::InvalidArgument(where + ": " + message));
  }
  std::string Where(const YAML::Node& node) const { return YamlWhere(source_, node); }

  // Reads a required (or optional) scalar string field; records a problem and returns "" when missing or not scalar.
  std::string Text(const YAML::Node& map, const char* key, bool required = true);
  std::vector<std::string> TextList(const YAML::Node& map, const char* key);
  bool Source(const YAML::Node& document);

  void LoadFramework(const YAML::Node& document);
  void LoadSections(Framework& framework, const YAML::Node& sections, const std::string& parent, int depth,
                    std::set<std::string>& seen_requirements, std::set<std::string>& seen_sections);
  void LoadRequirement(Framework& framework, const YAML::Node& node, const std::string& section,
                       std::set<std::string>& seen);
  void LoadControls(const YAML::Node& document);
  void LoadCertifications(const YAML::Node& document);
  void LoadServices(const YAML::Node& document);

  Catalog& catalog_;
  std::vector<Status>& problems_;
  std::string source_;  // the file being read
  std::map<std::string, std::string> framework_where_;
  std::map<std::string, std::string> control_where_;
  std::map<std::string, std::string> certification_where_;
  std::map<std::string, std::string> service_where_;         // service category id -> where defined
  std::map<std::string, std::string> service_prefix_where_;  // resource type prefix -> where listed
  struct PendingControl {
    std::string framework, requirement, control, where;
  };
  struct PendingFramework {
    std::string framework, where, record;
  };
  std::vector<PendingControl> pending_;
  std::vector<PendingFramework> pending_frameworks_;
};

std::string Loader::Text(const YAML::Node& map, const char* key, bool required) {
  YAML::Node value = map[key];
  if (!value || value.IsNull()) {
    if (required) Problem(Where(map), std::string("missing field \"") + key + "\"; add it");
    return "";
  }
  if (!value.IsScalar()) {
    Problem(Where(value), std::string("field \"") + key + "\" must be a text value; write it as a single string");
    return "";
  }
  if (required && value.Scalar().empty()) {
    Problem(Where(value), std::string("field \"") + key + "\" is empty; fill it in");
  }
  return value.Scalar();
}

std::vector<std::string> Loader::TextList(const YAML::Node& map, const char* key) {
  std::vector<std::string> values;
  YAML::Node value = map[key];
  if (!value || value.IsNull()) return values;
  if (value.IsScalar()) {
    values.push_back(value.Scalar());
    return values;
  }
  if (!value.IsSequence()) {
    Problem(Where(value), std::string("field \"") + key + "\" must be a list of text values");
    return values;
  }
  for (const YAML::Node& item : value) {
    if (!item.IsScalar()) {
      Problem(Where(item), std::string("every item of \"") + key + "\" must be a text value");
      continue;
    }
    values.push_back(item.Scalar());
  }
  return values;
}

bool Loader::Source(const YAML::Node& document) {
  YAML::Node source = document["source"];
  if (!source || source.IsNull()) {
    Problem(Where(document),
            "missing \"source\"; name the document the data comes from (source: {document, published})");
    return false;
  }
  if (!source.IsMap()) {
    Problem(Where(source), "\"source\" must be a map with \"document\" and \"published\"");
    return false;
  }
  Text(source, "document");
  Text(source, "published");
  return true;
}

void Loader::ListDirectory(const std::filesystem::path& directory, bool builtin, std::vector<Step>& steps) {
  std::error_code error;
  if (std::filesystem::is_regular_file(directory, error)) {
    steps.push_back({directory, std::nullopt});
    return;
  }
  if (!std::filesystem::is_directory(directory, error)) {
    steps.push_back({{},
                     Status::NotFound(directory.string() +
                                      ": catalog folder not found; pass an existing folder to --catalog-dir")});
    return;
  }
  std::vector<std::filesystem::path> roots;
  if (builtin) {
    for (const char* sub : {"controls", "frameworks", "certifications", "services"}) roots.push_back(directory / sub);
  } else {
    roots.push_back(directory);
  }
  std::vector<std::filesystem::path> files;
  for (const auto& root : roots) {
    if (!std::filesystem::is_directory(root, error)) continue;
    for (auto it = std::filesystem::recursive_directory_iterator(root, error);
         !error && it != std::filesystem::recursive_directory_iterator(); it.increment(error)) {
      if (!it->is_regular_file(error)) continue;
      std::string extension = it->path().extension().string();
      if (extension == ".yaml" || extension == ".yml") files.push_back(it->path());
    }
    if (error) {
      steps.push_back({{}, Status::IoError(root.string() + ": cannot list the folder (" + error.message() + ")")});
      error.clear();
    }
  }
  // Controls first so that the order of messages does not depend on the file system; then by name.
  std::sort(files.begin(), files.end());
  for (auto& file : files) steps.push_back({std::move(file), std::nullopt});
}

void Loader::LoadFile(const std::filesystem::path& path, const Result<std::string>& text) {
  source_ = path.string();
  if (!text.ok()) {
    problems_.push_back(text.status());
    return;
  }
  auto document = ParseYaml(*text, source_);
  if (!document.ok()) {
    problems_.push_back(document.status());
    return;
  }
  catalog_.files_.push_back(source_);
  if (!document->IsMap()) {
    Problem(source_, "a catalog file must be a map with \"kind\" at the top; see docs/catalog.md");
    return;
  }
  std::string kind = Text(*document, "kind");
  try {
    if (kind == "framework") {
      LoadFramework(*document);
    } else if (kind == "controls") {
      LoadControls(*document);
    } else if (kind == "certifications") {
      LoadCertifications(*document);
    } else if (kind == "services") {
      LoadServices(*document);
    } else if (!kind.empty()) {
      Problem(Where((*document)["kind"]),
              "unknown kind \"" + kind + "\"; use \"framework\", \"controls\", \"certifications\" or \"services\"");
    }
  } catch (const YAML::Exception& error) {
    // A shape the checks above did not anticipate (e.g. a non-text map key): report it, never crash.
    Problem(source_ + ":" + std::to_string(error.mark.line + 1) + ":" + std::to_string(error.mark.column + 1),
            "unexpected structure (" + error.msg + "); compare the file with the format in docs/catalog.md");
  }
}

void Loader::LoadFramework(const YAML::Node& document) {
  Framework framework;
  framework.where = source_;
  framework.id = Text(document, "id");
  framework.name = Text(document, "name");
  framework.version = Text(document, "version");
  framework.issuer = Text(document, "issuer");
  framework.jurisdiction = Text(document, "jurisdiction");
  framework.licence = Text(document, "licence");
  framework.completeness = Text(document, "completeness");
  if (!framework.completeness.empty() && framework.completeness != "full" && framework.completeness != "outline") {
    Problem(Where(document["completeness"]),
            "completeness \"" + framework.completeness + "\" is not allowed; use \"full\" or \"outline\"");
  }
  if (YAML::Node verified = document["verified"]; verified) {
    if (!verified.IsScalar() || (verified.Scalar() != "true" && verified.Scalar() != "false")) {
      Problem(Where(verified), "\"verified\" must be true or false");
    } else {
      framework.verified = verified.Scalar() == "true";
    }
  }
  if (Source(document)) {
    framework.source_document = document["source"]["document"].as<std::string>("");
    framework.source_published = document["source"]["published"].as<std::string>("");
  }
  if (YAML::Node attributes = document["attributes"]; attributes && !attributes.IsNull()) {
    if (!attributes.IsMap()) {
      Problem(Where(attributes), "\"attributes\" must map each attribute name to its list of allowed values");
    } else {
      for (const auto& entry : attributes) {
        framework.attribute_values[entry.first.as<std::string>()] = TextList(attributes, entry.first.Scalar().c_str());
      }
    }
  }
  if (framework.id.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789.-_") != std::string::npos) {
    Problem(Where(document["id"]), "framework id \"" + framework.id +
                                       "\" may only use lower-case letters, digits, '.', '-' and '_'; rename it");
  }
  if (!framework.id.empty()) {
    if (auto previous = framework_where_.find(framework.id); previous != framework_where_.end()) {
      Problem(Where(document["id"]), "framework id \"" + framework.id + "\" is already defined at " + previous->second +
                                         "; give each framework a unique id");
      return;
    }
    framework_where_[framework.id] = Where(document["id"]);
  }
  YAML::Node sections = document["sections"];
  if (!sections || !sections.IsSequence() || sections.size() == 0) {
    Problem(Where(document),
            "framework \"" + framework.id + "\" has no \"sections\"; list its sections and requirements");
  } else {
    std::set<std::string> seen_requirements, seen_sections;
    LoadSections(framework, sections, "", 0, seen_requirements, seen_sections);
  }
  if (framework.id.empty()) return;
  catalog_.framework_index_[framework.id] = catalog_.frameworks_.size();
  catalog_.frameworks_.push_back(std::move(framework));
}

void Loader::LoadSections(Framework& framework, const YAML::Node& sections, const std::string& parent, int depth,
                          std::set<std::string>& seen_requirements, std::set<std::string>& seen_sections) {
  for (const YAML::Node& node : sections) {
    if (!node.IsMap()) {
      Problem(Where(node), "a section must be a map with \"id\", \"title\" and \"requirements\" or \"sections\"");
      continue;
    }
    Section section;
    section.id = Text(node, "id");
    section.title = Text(node, "title");
    section.parent = parent;
    section.depth = depth;
    if (!seen_sections.insert(section.id).second) {
      Problem(Where(node["id"]), "section id \"" + section.id + "\" appears twice in framework \"" + framework.id +
                                     "\"; give each section a unique id");
    }
    framework.sections.push_back(section);
    YAML::Node requirements = node["requirements"];
    YAML::Node children = node["sections"];
    if ((!requirements || requirements.IsNull()) && (!children || children.IsNull())) {
      Problem(Where(node), "section \"" + section.id + "\" has neither \"requirements\" nor \"sections\"; add them");
      continue;
    }
    if (requirements && !requirements.IsNull()) {
      if (!requirements.IsSequence()) {
        Problem(Where(requirements), "\"requirements\" must be a list");
      } else {
        for (const YAML::Node& requirement : requirements) {
          LoadRequirement(framework, requirement, section.id, seen_requirements);
        }
      }
    }
    if (children && !children.IsNull()) {
      if (!children.IsSequence()) {
        Problem(Where(children), "\"sections\" must be a list");
      } else {
        LoadSections(framework, children, section.id, depth + 1, seen_requirements, seen_sections);
      }
    }
  }
}

void Loader::LoadRequirement(Framework& framework, const YAML::Node& node, const std::string& section,
                             std::set<std::string>& seen) {
  if (!node.IsMap()) {
    Problem(Where(node), "a requirement must be a map with \"id\", \"title\" and \"controls\" or \"manual\"");
    return;
  }
  Requirement requirement;
  requirement.where = Where(node);
  requirement.section = section;
  requirement.id = Text(node, "id");
  requirement.title = Text(node, "title");
  requirement.description = Text(node, "description", false);
  if (YAML::Node assessable = node["assessable"]; assessable) {
    if (!assessable.IsScalar() || (assessable.Scalar() != "true" && assessable.Scalar() != "false")) {
      Problem(Where(assessable), "\"assessable\" must be true or false");
    } else {
      requirement.assessable = assessable.Scalar() == "true";
    }
  }
  if (!requirement.id.empty() && !seen.insert(requirement.id).second) {
    Problem(Where(node["id"]), "requirement id \"" + requirement.id + "\" appears twice in framework \"" +
                                   framework.id + "\"; give each requirement a unique id");
  }
  if (YAML::Node attributes = node["attributes"]; attributes && !attributes.IsNull()) {
    if (!attributes.IsMap()) {
      Problem(Where(attributes), "\"attributes\" of a requirement must be a map of attribute name to value(s)");
    } else {
      for (const auto& entry : attributes) {
        std::string name = entry.first.as<std::string>();
        auto declared = framework.attribute_values.find(name);
        std::vector<std::string> values = TextList(attributes, name.c_str());
        if (declared == framework.attribute_values.end()) {
          Problem(Where(entry.first), "requirement \"" + requirement.id + "\" uses attribute \"" + name +
                                          "\" that the framework does not declare; add it under \"attributes\" at "
                                          "the top of the file");
        } else {
          for (const std::string& value : values) {
            if (std::find(declared->second.begin(), declared->second.end(), value) == declared->second.end()) {
              Problem(Where(entry.second), "requirement \"" + requirement.id + "\" gives attribute \"" + name +
                                               "\" the value \"" + value + "\" that is not among its declared values");
            }
          }
        }
        requirement.attributes[name] = std::move(values);
      }
    }
  }
  YAML::Node controls = node["controls"];
  YAML::Node manual = node["manual"];
  if (controls && !controls.IsNull()) {
    if (!controls.IsSequence()) {
      Problem(Where(controls), "\"controls\" must be a list of {control, relationship, strength}");
    } else {
      for (const YAML::Node& item : controls) {
        if (!item.IsMap()) {
          Problem(Where(item), "each mapping must be a map {control, relationship, strength}");
          continue;
        }
        ControlMapping mapping;
        mapping.control = Text(item, "control");
        std::string relationship = Text(item, "relationship");
        if (relationship == "equal") {
          mapping.relationship = Relationship::kEqual;
        } else if (relationship == "subset") {
          mapping.relationship = Relationship::kSubset;
        } else if (relationship == "superset") {
          mapping.relationship = Relationship::kSuperset;
        } else if (relationship == "intersect") {
          mapping.relationship = Relationship::kIntersect;
        } else if (!relationship.empty()) {
          Problem(Where(item["relationship"]),
                  "relationship \"" + relationship + "\" is not allowed; use equal, subset, superset or intersect");
        }
        std::string strength = Text(item, "strength", false);
        if (!strength.empty()) {
          int value = -1;
          try {
            size_t used = 0;
            value = std::stoi(strength, &used);
            if (used != strength.size()) value = -1;
          } catch (const std::exception&) {
            value = -1;
          }
          if (value < 0 || value > 10) {
            Problem(Where(item["strength"]), "strength \"" + strength + "\" must be a whole number from 0 to 10");
          } else {
            mapping.strength = value;
          }
        }
        // Resolved after all files are read; remember where for the message.
        requirement.controls.push_back(mapping);
        pending_.push_back({framework.id, requirement.id, mapping.control, Where(item)});
      }
    }
  }
  if (manual && !manual.IsNull()) {
    if (!manual.IsMap()) {
      Problem(Where(manual), "\"manual\" must be a map with \"evidence\"");
    } else {
      requirement.manual = true;
      requirement.manual_evidence = TextList(manual, "evidence");
      if (requirement.manual_evidence.empty()) {
        Problem(Where(manual), "manual-only requirement \"" + requirement.id +
                                   "\" lists no evidence; say under manual.evidence what an auditor needs to see");
      }
    }
  }
  if (requirement.assessable && requirement.controls.empty() && !requirement.manual) {
    Problem(requirement.where, "requirement \"" + requirement.id + "\" of framework \"" + framework.id +
                                   "\" is neither mapped to a control nor marked manual-only; add \"controls\" or "
                                   "\"manual: {evidence: [...]}\"");
  }
  framework.requirements.push_back(std::move(requirement));
}

void Loader::LoadControls(const YAML::Node& document) {
  Source(document);
  YAML::Node domain = document["domain"];
  std::string domain_id, domain_name;
  if (!domain || !domain.IsMap()) {
    Problem(Where(document), "missing \"domain\"; add domain: {id, name}");
  } else {
    domain_id = Text(domain, "id");
    domain_name = Text(domain, "name");
  }
  YAML::Node controls = document["controls"];
  if (!controls || !controls.IsSequence()) {
    Problem(Where(document), "missing \"controls\"; list the domain's controls");
    return;
  }
  for (const YAML::Node& node : controls) {
    if (!node.IsMap()) {
      Problem(Where(node), "a control must be a map with id, title, description, type, evidence and responsibility");
      continue;
    }
    Control control;
    control.where = Where(node);
    control.domain = domain_id;
    control.domain_name = domain_name;
    control.id = Text(node, "id");
    control.title = Text(node, "title");
    control.description = Text(node, "description");
    std::string type = Text(node, "type");
    if (type == "automatable") {
      control.type = ControlType::kAutomatable;
    } else if (type == "procedural") {
      control.type = ControlType::kProcedural;
    } else if (type == "physical") {
      control.type = ControlType::kPhysical;
    } else if (!type.empty()) {
      Problem(Where(node["type"]),
              "control type \"" + type + "\" is not allowed; use automatable, procedural or physical");
    }
    control.evidence = TextList(node, "evidence");
    if (control.evidence.empty()) {
      Problem(control.where, "control \"" + control.id + "\" lists no evidence; say what an auditor expects to see");
    }
    YAML::Node responsibility = node["responsibility"];
    if (!responsibility || !responsibility.IsMap()) {
      Problem(control.where,
              "control \"" + control.id +
                  "\" has no \"responsibility\"; add {iaas, paas, saas} each provider, customer or shared");
    } else {
      for (ServiceModel model : {ServiceModel::kIaas, ServiceModel::kPaas, ServiceModel::kSaas}) {
        std::string key(ServiceModelName(model));
        std::string owner = Text(responsibility, key.c_str());
        Owner& slot = control.owner[static_cast<size_t>(model)];
        if (owner == "provider") {
          slot = Owner::kProvider;
        } else if (owner == "customer") {
          slot = Owner::kCustomer;
        } else if (owner == "shared") {
          slot = Owner::kShared;
        } else if (!owner.empty()) {
          Problem(Where(responsibility[key]),
                  "owner \"" + owner + "\" is not allowed; use provider, customer or shared");
        }
      }
    }
    if (control.id.empty()) continue;
    if (auto previous = control_where_.find(control.id); previous != control_where_.end()) {
      Problem(Where(node["id"]), "control id \"" + control.id + "\" is already defined at " + previous->second +
                                     "; give each control a unique id");
      continue;
    }
    control_where_[control.id] = Where(node["id"]);
    catalog_.control_index_[control.id] = catalog_.controls_.size();
    catalog_.controls_.push_back(std::move(control));
  }
}

void Loader::LoadCertifications(const YAML::Node& document) {
  Source(document);
  YAML::Node records = document["certifications"];
  if (!records || !records.IsSequence()) {
    Problem(Where(document), "missing \"certifications\"; list the certification records");
    return;
  }
  for (const YAML::Node& node : records) {
    if (!node.IsMap()) {
      Problem(Where(node), "a certification record must be a map; see docs/catalog.md");
      continue;
    }
    Certification record;
    record.where = Where(node);
    record.id = Text(node, "id");
    record.framework = Text(node, "framework");
    record.level = Text(node, "level", false);
    record.certificate_number = Text(node, "certificate_number", false);
    record.issuer = Text(node, "issuer");
    record.auditor = Text(node, "auditor", false);
    record.issued = Text(node, "issued");
    record.expires = Text(node, "expires", false);
    record.report = Text(node, "report");
    record.provider = Text(node, "provider", false);
    if (!record.report.empty() && record.report != "public" && record.report != "nda" &&
        record.report != "on-request") {
      Problem(Where(node["report"]),
              "report availability \"" + record.report + "\" is not allowed; use public, nda or on-request");
    }
    // Written YYYY-MM-DD, and a real calendar day (2026-02-30 is not one; --as-of refuses it too).
    auto date_problem = [](const std::string& date) -> std::string {
      if (date.size() != 10 || date[4] != '-' || date[7] != '-') return "must be written YYYY-MM-DD";
      for (size_t index : {0, 1, 2, 3, 5, 6, 8, 9}) {
        if (date[index] < '0' || date[index] > '9') return "must be written YYYY-MM-DD";
      }
      if (!ParseDate(date).ok()) return "is not a day of the calendar; correct the month or the day";
      return "";
    };
    std::string issued_problem = record.issued.empty() ? "" : date_problem(record.issued);
    std::string expires_problem = record.expires.empty() ? "" : date_problem(record.expires);
    if (!issued_problem.empty()) {
      Problem(Where(node["issued"]), "date \"" + record.issued + "\" " + issued_problem);
    }
    if (!expires_problem.empty()) {
      Problem(Where(node["expires"]), "date \"" + record.expires + "\" " + expires_problem);
    } else if (!record.expires.empty() && !record.issued.empty() && record.expires < record.issued) {
      Problem(Where(node["expires"]),
              "certification \"" + record.id + "\" expires before it was issued; correct the dates");
    }
    if (YAML::Node scope = node["scope"]; scope && scope.IsMap()) {
      record.scope.regions = TextList(scope, "regions");
      record.scope.data_centres = TextList(scope, "data_centres");
      record.scope.services = TextList(scope, "services");
    } else {
      Problem(record.where,
              "certification \"" + record.id + "\" has no \"scope\"; add {regions, data_centres, services}");
    }
    if (record.id.empty()) continue;
    if (auto previous = certification_where_.find(record.id); previous != certification_where_.end()) {
      Problem(Where(node["id"]), "certification id \"" + record.id + "\" is already defined at " + previous->second +
                                     "; give each record a unique id");
      continue;
    }
    certification_where_[record.id] = Where(node["id"]);
    pending_frameworks_.push_back({record.framework, Where(node["framework"]), record.id});
    catalog_.certifications_.push_back(std::move(record));
  }
}

void Loader::LoadServices(const YAML::Node& document) {
  Source(document);
  YAML::Node services = document["services"];
  if (!services || !services.IsSequence()) {
    Problem(Where(document), "missing \"services\"; list the service categories");
    return;
  }
  for (const YAML::Node& node : services) {
    if (!node.IsMap()) {
      Problem(Where(node), "a service category must be a map; see docs/catalog.md");
      continue;
    }
    ServiceCategory service;
    service.where = Where(node);
    service.id = Text(node, "id");
    service.title = Text(node, "title");
    service.names = TextList(node, "names");
    service.prefixes = TextList(node, "prefixes");
    if (service.prefixes.empty()) {
      Problem(service.where,
              "service category \"" + service.id + "\" lists no resource type \"prefixes\"; add at least one");
    }
    for (const std::string& prefix : service.prefixes) {
      if (auto previous = service_prefix_where_.find(prefix); previous != service_prefix_where_.end()) {
        Problem(Where(node["prefixes"]), "resource type prefix \"" + prefix + "\" is already listed at " +
                                             previous->second + "; list each prefix under one category");
      } else {
        service_prefix_where_[prefix] = Where(node["prefixes"]);
      }
    }
    if (service.id.empty()) continue;
    if (auto previous = service_where_.find(service.id); previous != service_where_.end()) {
      Problem(Where(node["id"]), "service category id \"" + service.id + "\" is already defined at " +
                                     previous->second + "; give each category a unique id");
      continue;
    }
    service_where_[service.id] = Where(node["id"]);
    catalog_.services_.push_back(std::move(service));
  }
}

void Loader::CheckReferences() {
  for (const PendingControl& pending : pending_) {
    if (pending.control.empty() || catalog_.FindControl(pending.control) != nullptr) continue;
    Problem(pending.where, "requirement \"" + pending.requirement + "\" of framework \"" + pending.framework +
                               "\" maps to unknown control \"" + pending.control +
                               "\"; add the control to catalog/controls/ or correct the id");
  }
  for (const PendingFramework& pending : pending_frameworks_) {
    if (pending.framework.empty() || catalog_.FindFramework(pending.framework) != nullptr) continue;
    Problem(pending.where, "certification \"" + pending.record + "\" names unknown framework \"" + pending.framework +
                               "\"; use an id from `tutela catalog frameworks`");
  }
}

namespace {

bool CacheEnabled() {
  const char* off = std::getenv("TUTELA_NO_CACHE");
  return off == nullptr || *off == '\0';
}

// Which build of the program is loading: a cached catalog is only ever read back by the same binary, so a change to
// the loader's rules (a new check, another default) can never be answered by a catalog an older build validated.
// The size and modification time of /proc/self/exe; empty (no cache) when they cannot be read.
std::string BinaryIdentity() {
  struct stat info {};
  if (::stat("/proc/self/exe", &info) != 0) return "";
  return std::to_string(info.st_size) + ":" + std::to_string(info.st_mtim.tv_sec) + "." +
         std::to_string(info.st_mtim.tv_nsec) + ":" + std::to_string(info.st_ino);
}

// Keeps the newest few catalog cache files: each distinct list of source folders (a test's temporary folder, a
// portfolio file) has its own, and nothing else would ever remove them.
void PruneCache(const std::filesystem::path& folder, size_t keep) {
  std::error_code error;
  std::vector<std::pair<std::filesystem::file_time_type, std::filesystem::path>> found;
  for (const auto& entry : std::filesystem::directory_iterator(folder, error)) {
    std::string name = entry.path().filename().string();
    if (name.rfind("catalog-", 0) != 0 || entry.path().extension() != ".bin") continue;
    found.emplace_back(entry.last_write_time(error), entry.path());
  }
  if (found.size() <= keep) return;
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  for (size_t index = keep; index < found.size(); ++index) std::filesystem::remove(found[index].second, error);
}

}  // namespace

Catalog LoadCatalogCollecting(const LoadOptions& options, std::vector<Status>* problems) {
  std::vector<Status> local;
  std::vector<Status>& sink = problems != nullptr ? *problems : local;
  std::vector<Loader::Step> steps;
  if (options.include_builtin) Loader::ListDirectory(BuiltinCatalogDir(), true, steps);
  for (const auto& directory : options.directories) Loader::ListDirectory(directory, false, steps);

  // Read every file first: their bytes decide whether the cached catalog is still this one (see cache.h).
  std::vector<Result<std::string>> texts;
  texts.reserve(steps.size());
  bool readable = true;
  Sha256Hasher paths, sources;
  std::string binary = BinaryIdentity();
  sources.Update(binary + '\0');
  for (const Loader::Step& step : steps) {
    if (step.problem) {
      readable = false;
      texts.emplace_back(std::string());
      continue;
    }
    texts.push_back(ReadFile(step.file));
    readable = readable && texts.back().ok();
    std::string name = step.file.string();
    paths.Update(name);
    paths.Update(std::string_view("\0", 1));
    if (!texts.back().ok()) continue;
    std::string header = name + '\0' + std::to_string(texts.back()->size()) + '\0';
    sources.Update(header);
    sources.Update(*texts.back());
  }
  std::filesystem::path cache_path;
  std::string sources_digest;
  if (readable && !steps.empty() && !binary.empty() && CacheEnabled()) {
    Digest256 paths_digest = paths.Finish();
    Digest256 sources_hash = sources.Finish();
    sources_digest.assign(reinterpret_cast<const char*>(sources_hash.data()), sources_hash.size());
    cache_path = UserCachePath("catalog-" + ToHex(paths_digest).substr(0, 32) + ".bin");
    if (auto cached = ReadFile(cache_path, 64 << 20); cached.ok()) {
      if (auto catalog = CatalogCodec::Decode(*cached, sources_digest, cache_path.string())) {
        return std::move(*catalog);
      }
    }
  }

  Catalog catalog;
  size_t problems_before = sink.size();
  Loader loader(catalog, sink);
  for (size_t index = 0; index < steps.size(); ++index) {
    if (steps[index].problem) {
      loader.Problem(*steps[index].problem);
    } else {
      loader.LoadFile(steps[index].file, texts[index]);
    }
  }
  loader.CheckReferences();
  if (!cache_path.empty() && sink.size() == problems_before) {
    // Only a catalog without problems is cached, so that `catalog lint` always sees them. Failing to write a cache
    // is fine: the next load parses the YAML again.
    std::error_code ignored;
    std::filesystem::create_directories(cache_path.parent_path(), ignored);
    if (WriteFileAtomic(cache_path, CatalogCodec::Encode(catalog, sources_digest)).ok()) {
      PruneCache(cache_path.parent_path(), 8);
    }
  }
  return catalog;
}

Result<Catalog> LoadCatalog(const LoadOptions& options) {
  std::vector<Status> problems;
  Catalog catalog = LoadCatalogCollecting(options, &problems);
  if (!problems.empty()) {
    std::string message = problems.front().message();
    if (problems.size() > 1) {
      message += " (and " + std::to_string(problems.size() - 1) + " more problem(s); run `tutela catalog lint`)";
    }
    return Status::InvalidArgument(message);
  }
  return catalog;
}

}  // namespace tutela::catalog
