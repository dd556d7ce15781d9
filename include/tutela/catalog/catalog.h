// The compliance catalog: frameworks, the unified control set, crosswalks, shared responsibility and certification
// records, loaded from YAML data files (format: docs/catalog.md).
//
// A catalog is read from one or more directories. Every `*.yaml` file found (recursively; the built-in catalog is read
// from its frameworks/, controls/ and certifications/ folders only) declares what it holds with `kind: framework`,
// `kind: controls` or `kind: certifications`. Loading validates each file and the catalog as a whole (unique ids, no
// dangling control or framework references, every assessable requirement mapped to a control or marked manual-only,
// a source on every file) and reports each problem as one sentence starting with "file:line:column".
//
// Ownership: a Catalog owns all of its records by value; pointers returned by the Find* functions stay valid as long
// as the Catalog is alive and not moved. Thread-safety: a loaded Catalog is immutable and may be queried from any
// number of threads; the loading functions are reentrant.
#pragma once

#include <array>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tutela/core/status.h"

namespace tutela::catalog {

enum class ServiceModel { kIaas = 0, kPaas = 1, kSaas = 2 };
enum class Owner { kProvider, kCustomer, kShared };
enum class ControlType { kAutomatable, kProcedural, kPhysical };
// How a unified control relates to a requirement, after NIST IR 8477, read "the control is <relationship> the
// requirement": kSuperset means the control asks for everything the requirement asks and more.
enum class Relationship { kEqual, kSubset, kSuperset, kIntersect };
enum class Coverage { kNone = 0, kPartial = 1, kFull = 2 };

std::string_view ServiceModelName(ServiceModel model);  // "iaas", "paas", "saas"
std::string_view OwnerName(Owner owner);                // "provider", "customer", "shared"
std::string_view ControlTypeName(ControlType type);     // "automatable", "procedural", "physical"
std::string_view RelationshipName(Relationship relationship);
std::string_view CoverageName(Coverage coverage);  // "none", "partial", "full"
// Parses "iaas" / "paas" / "saas"; nullopt otherwise.
std::optional<ServiceModel> ParseServiceModel(std::string_view text);

struct Control {
  std::string id;  // e.g. "IAM-03"
  std::string title;
  std::string description;
  std::string domain;       // the domain id, e.g. "IAM"
  std::string domain_name;  // e.g. "Identity and access management"
  ControlType type = ControlType::kProcedural;
  std::vector<std::string> evidence;  // what an auditor expects to see
  std::array<Owner, 3> owner{};       // indexed by ServiceModel
  std::string where;                  // "file:line:column" of its definition

  Owner OwnerFor(ServiceModel model) const { return owner[static_cast<size_t>(model)]; }

  bool operator==(const Control&) const = default;
};

struct ControlMapping {
  std::string control;  // a unified control id
  Relationship relationship = Relationship::kEqual;
  int strength = 0;  // 0–10: the mapper's confidence in the relationship

  bool operator==(const ControlMapping&) const = default;
};

struct Requirement {
  std::string id;  // the official id, e.g. "A.5.1" or "164.308(a)(1)(ii)(A)"
  std::string title;
  std::string description;
  std::string section;  // id of the innermost section that holds it
  bool assessable = true;
  std::map<std::string, std::vector<std::string>> attributes;  // applicability, e.g. {"level": ["1"]}
  std::vector<ControlMapping> controls;
  bool manual = false;                       // manual-only: no unified control, evidence listed instead
  std::vector<std::string> manual_evidence;  // what evidence a manual-only requirement needs
  std::string where;

  bool operator==(const Requirement&) const = default;
};

struct Section {
  std::string id;
  std::string title;
  std::string parent;  // empty for a top-level section
  int depth = 0;

  bool operator==(const Section&) const = default;
};

struct Framework {
  std::string id;
  std::string name;
  std::string version;
  std::string issuer;
  std::string jurisdiction;
  std::string source_document;
  std::string source_published;  // where the document is published (a URL or a description)
  std::string licence;
  std::string completeness;  // "full" or "outline"
  bool verified = true;      // false: facts not yet checked against the primary text (`verified: false` in the file)
  std::map<std::string, std::vector<std::string>> attribute_values;  // declared attributes and their allowed values
  std::vector<Section> sections;                                     // in document order, parents first
  std::vector<Requirement> requirements;                             // in document order
  std::string where;                                                 // the file

  const Requirement* FindRequirement(std::string_view requirement_id) const;
  size_t AssessableCount() const;

  bool operator==(const Framework&) const = default;
};

struct CertificationScope {
  std::vector<std::string> regions;
  std::vector<std::string> data_centres;
  std::vector<std::string> services;

  bool operator==(const CertificationScope&) const = default;
};

struct Certification {
  std::string id;
  std::string framework;  // a framework id of the catalog
  std::string level;      // e.g. "Level 3", "AL3", "Type II"; may be empty
  CertificationScope scope;
  std::string certificate_number;
  std::string issuer;   // who issued the certificate or attestation
  std::string auditor;  // who audited (may equal issuer)
  std::string issued;   // YYYY-MM-DD
  std::string expires;  // YYYY-MM-DD, empty when it does not expire
  std::string report;   // "public", "nda" or "on-request"
  // The cloud provider the record covers, as Terraform names it ("aws", "tencentcloud"); empty: any provider (a
  // portfolio of one provider). An assessment inherits for a resource only from records of its own provider.
  std::string provider;
  std::string where;

  bool operator==(const Certification&) const = default;
};

// A category of cloud services (compute, object storage, ...) and the Terraform resource types in it, so that the
// services an estate uses can be compared with a certificate's `scope.services`.
struct ServiceCategory {
  std::string id;  // e.g. "object-storage"
  std::string title;
  std::vector<std::string> names;     // how certificates name it or its products ("S3", "COS"), any case
  std::vector<std::string> prefixes;  // resource type prefixes ("aws_s3_"); a type takes the longest match
  std::string where;

  // Whether `name` (a certificate's scope entry) names this category: its id or one of its names, any case.
  bool Named(std::string_view name) const;
  bool operator==(const ServiceCategory&) const = default;
};

class Catalog {
 public:
  const std::vector<Framework>& frameworks() const { return frameworks_; }
  const std::vector<Control>& controls() const { return controls_; }
  const std::vector<Certification>& certifications() const { return certifications_; }
  const std::vector<ServiceCategory>& services() const { return services_; }
  // Source files read, in load order.
  const std::vector<std::string>& files() const { return files_; }
  // The cache file this catalog was read from instead of its YAML sources (see LoadCatalogCollecting), or empty.
  const std::string& cache_file() const { return cache_file_; }

  const Framework* FindFramework(std::string_view id) const;
  const Control* FindControl(std::string_view id) const;
  // The service category of a Terraform resource type (longest matching prefix), or nullptr.
  const ServiceCategory* ServiceOf(std::string_view resource_type) const;

 private:
  friend class Loader;
  friend class CatalogCodec;  // the on-disk cache of a loaded catalog (src/catalog/cache.h)
  std::vector<Framework> frameworks_;
  std::vector<Control> controls_;
  std::vector<Certification> certifications_;
  std::vector<ServiceCategory> services_;
  std::vector<std::string> files_;
  std::string cache_file_;
  std::map<std::string, size_t, std::less<>> framework_index_;
  std::map<std::string, size_t, std::less<>> control_index_;
};

// The built-in catalog folder: the source tree's catalog/ (compiled in as TUTELA_CATALOG_DIR) when it exists, else
// PREFIX/share/tutela/catalog beside an installed binary.
std::filesystem::path BuiltinCatalogDir();

struct LoadOptions {
  bool include_builtin = true;                     // read BuiltinCatalogDir() first
  std::vector<std::filesystem::path> directories;  // user folders (or single files), read after the built-in one
};

// Loads and validates. Each problem found is appended to `problems` (one sentence, starting with the place); the
// returned catalog holds everything that did load. Never fails outright: an unreadable folder is a problem too.
//
// A catalog that loads without a problem is cached in UserCachePath("catalog-….bin") with the SHA-256 of its source
// files' paths and bytes; while they are unchanged, the next load reads the cache instead of parsing the YAML (about
// 0.1 s of CPU for the built-in catalog). TUTELA_NO_CACHE=1 turns this off. A catalog with problems is never cached.
Catalog LoadCatalogCollecting(const LoadOptions& options, std::vector<Status>* problems);

// Loads and validates; InvalidArgument with the first problem (and how many there were) if any, so that a command
// never works from a half-valid catalog. Use LoadCatalogCollecting to see all of them (`tutela catalog lint`).
Result<Catalog> LoadCatalog(const LoadOptions& options);

// Which requirement of `to` is covered by what satisfies `from`, through the unified controls.
//
// Satisfying a source requirement satisfies a control fully when the control is equal to or a subset of it, partly
// otherwise; a control satisfies a target requirement fully when it is equal to or a superset of it, partly
// otherwise. A chain takes its weakest link; a target requirement takes the best chain over all controls.
struct CrosswalkEntry {
  std::string to;  // the target requirement id
  Coverage coverage = Coverage::kNone;
  std::vector<std::string> via;   // controls on the best chains
  std::vector<std::string> from;  // source requirements on the best chains
};

struct CrosswalkResult {
  std::string from;                     // "FRAMEWORK" or "FRAMEWORK:REQ", as asked
  std::string to;                       // the target framework id
  std::vector<CrosswalkEntry> entries;  // every assessable target requirement, in document order
  size_t full = 0;
  size_t partial = 0;
  size_t none = 0;
};

// `from` is "FRAMEWORK" or "FRAMEWORK:REQUIREMENT"; `to` a framework id. NotFound naming the unknown id otherwise.
Result<CrosswalkResult> Crosswalk(const Catalog& catalog, std::string_view from, std::string_view to);

// The controls that matter under `model` with their owner: all controls, or only those mapped from the requirements
// of `framework` when it is not empty (NotFound when it is unknown).
struct ResponsibilityRow {
  const Control* control = nullptr;
  Owner owner = Owner::kShared;
  std::vector<std::string> requirements;  // the framework's requirements mapped to it (with a framework only)
};
Result<std::vector<ResponsibilityRow>> Responsibility(const Catalog& catalog, ServiceModel model,
                                                      std::string_view framework = {});

// Whether a certification record is in force on `as_of` (YYYY-MM-DD): "not-yet-valid" before `issued`, "expired"
// after `expires`, else "valid" (a record without `expires` does not expire). Dates compare as ISO text.
std::string_view CertificationStatus(const Certification& record, std::string_view as_of);

}  // namespace tutela::catalog
