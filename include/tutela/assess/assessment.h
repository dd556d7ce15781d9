// The assessment: check results over a cloud estate, rolled up to unified controls and to every framework's
// requirements, with shared responsibility (inherited requirements), exceptions that expire, and PII awareness.
//
//   policy::CheckSet + inventory::Estate + catalog::Catalog + Options  --Assess()-->  Assessment
//
// Results are one per evaluated (check, resource) pair: pass, fail, unknown, not_applicable, or excepted (a fail or
// unknown covered by an active exception). The roll-up follows the catalog's crosswalk data: a check evidences the
// unified controls it names; a framework requirement is mapped to unified controls; so a requirement is `failed`
// when an evidenced control fails, `unknown` when one is unknown, `passed` when its evidenced controls pass, and,
// with no automated evidence at all, `inherited` (the provider owns every mapped control under the service model,
// citing the provider's certificate) or `manual` (with the evidence an auditor needs). The JSON document is
// specified in docs/formats/assessment-results.md; the other renderings live in the `report` module.
//
// Ownership: an Assessment points into the CheckSet, Estate and Catalog it was made from; they must outlive it.
// Thread-safety: Assess() is reentrant (it evaluates on several threads internally); an Assessment is read-only.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tutela/catalog/catalog.h"
#include "tutela/core/status.h"
#include "tutela/inventory/estate.h"
#include "tutela/policy/checks.h"

namespace tutela::assess {

enum class ResultStatus { kPass = 0, kFail = 1, kUnknown = 2, kNotApplicable = 3, kExcepted = 4 };
std::string_view ResultStatusName(ResultStatus status);  // "pass", "fail", "unknown", "not_applicable", "excepted"

enum class RequirementStatus { kPassed, kFailed, kUnknown, kManual, kInherited, kNotApplicable, kExcepted };
// "passed", "failed", "unknown", "manual", "inherited", "not_applicable", "excepted"
std::string_view RequirementStatusName(RequirementStatus status);

// One entry of an exceptions file (format: docs/assess.md, "Exceptions").
struct Exception {
  std::string id;           // the entry's `id`, or "exception-N" (1-based position) when it has none
  std::string check;        // a check id or "*"; empty when the exception names a requirement
  std::string resource;     // a pattern over resource addresses (`*` any run, `?` one character); "*" by default
  std::string requirement;  // "FRAMEWORK:REQUIREMENT"; empty when the exception names a check
  std::string reason;
  std::string approver;
  std::string expires;   // YYYY-MM-DD, the last day it applies
  std::string where;     // file:line:column
  bool expired = false;  // set by Assess(): `expires` is before the assessment date
  size_t applied = 0;    // set by Assess(): results or requirements it turned into `excepted`
};

// Reads and validates an exceptions file (YAML with an `exceptions` list). InvalidArgument "file:line:column: ..."
// for a missing reason/approver/expiry, a bad date, or an entry naming neither check nor requirement.
Result<std::vector<Exception>> LoadExceptions(const std::filesystem::path& path);
Result<std::vector<Exception>> ParseExceptions(std::string_view text, std::string_view source);

// True when `address` matches `pattern` (`*` any run of characters, `?` one; everything else literal).
bool MatchesPattern(std::string_view pattern, std::string_view address);

// One store of a PII inventory (docs/formats/pii-inventory.md); only what the assessment uses.
struct PiiStore {
  std::string store;
  std::string max_sensitivity;  // "high", "medium", "low", "none"
  std::vector<std::string> categories;
  std::vector<std::string> sensitive_under;
  uint64_t findings = 0;
  std::vector<uint32_t> resources;  // set by Assess(): the estate resources that hold this store

  // Sensitive: high sensitivity or a sensitive category under some law.
  bool Sensitive() const { return max_sensitivity == "high" || !sensitive_under.empty(); }
};

// Reads a PII inventory file. InvalidArgument naming the file and place for anything but format
// "tutela-pii-inventory" version 1.
Result<std::vector<PiiStore>> LoadPiiInventory(const std::filesystem::path& path);
Result<std::vector<PiiStore>> ParsePiiInventory(std::string_view text, std::string_view source);

struct Options {
  std::vector<std::string> frameworks;   // framework ids to roll up to; empty: every framework of the catalog
  std::vector<std::string> only_checks;  // report only these checks; empty: all
  std::optional<catalog::ServiceModel> service_model;  // none: nothing is inherited
  std::vector<Exception> exceptions;
  std::vector<PiiStore> pii;
  std::string today;  // YYYY-MM-DD the exceptions and certificates are judged on; empty: today (UTC)
  size_t threads = 0;
};

struct ResultRow {
  uint32_t check = 0;     // index into CheckSet::checks()
  uint32_t resource = 0;  // index into Estate::resources()
  ResultStatus status = ResultStatus::kUnknown;
  ResultStatus evaluated = ResultStatus::kUnknown;        // what the check gave before exceptions
  policy::Severity severity = policy::Severity::kMedium;  // the check's, one level higher on sensitive PII
  int32_t exception = -1;                                 // index into Assessment::exceptions when excepted
  int32_t pii_store = -1;                                 // index into Assessment::pii when the resource holds PII
};

struct ControlResult {
  const catalog::Control* control = nullptr;
  std::array<size_t, 5> counts{};  // results by ResultStatus
  std::vector<uint32_t> checks;    // checks evidencing it (indexes)
  // pass, fail, unknown, not_applicable, excepted; or "none" when no result evidences it.
  std::string_view Status() const;
};

// Inheritance for one cloud provider of the estate: the requirement is provider-owned, and this is what the
// portfolio holds for that provider (records with its `provider`, else records without one).
struct ProviderInheritance {
  std::string provider;                                        // "aws", "tencentcloud", ...
  const catalog::Certification* certificate = nullptr;         // valid on the assessment date
  const catalog::Certification* lapsed_certificate = nullptr;  // no valid one: an expired / not-yet-valid one
  std::vector<std::string> regions_outside_scope;              // this provider's regions the scope does not list
  std::vector<std::string> services_outside_scope;             // this provider's service categories it does not
};

struct RequirementResult {
  const catalog::Requirement* requirement = nullptr;
  RequirementStatus status = RequirementStatus::kManual;
  catalog::Coverage coverage = catalog::Coverage::kNone;  // of the passing evidence: full or partial
  std::vector<std::string> controls;                      // mapped unified controls
  std::vector<std::string> evidenced;                     // those with automated results
  std::vector<std::string> evidence_needed;  // what an auditor needs for the controls nothing automated evidences
  std::vector<uint32_t> checks;              // checks that evidence it (indexes)
  const catalog::Certification* certificate = nullptr;  // inherited: the provider's valid certificate, if any
  // inherited without a valid certificate: the provider's certificate for the framework that has expired (or is
  // not yet valid) on the assessment date, if there is one.
  const catalog::Certification* lapsed_certificate = nullptr;
  // inherited with a certificate: regions the estate uses that the certificate's scope does not list.
  std::vector<std::string> regions_outside_scope;
  // inherited with a certificate: service categories the estate uses (catalog/services/) that the certificate's
  // scope.services does not name; not judged when the scope names none the catalog knows.
  std::vector<std::string> services_outside_scope;
  // inherited: one entry per provider of the estate. `certificate` and `lapsed_certificate` above are set only when
  // one record answers for every provider (always so with a portfolio whose records name no provider); in a mixed
  // estate whose providers have different (or no) certificates, they are null and this list says who covers what.
  std::vector<ProviderInheritance> by_provider;
  int32_t exception = -1;  // excepted: index into Assessment::exceptions
};

struct FrameworkCounts {
  size_t total = 0, passed = 0, failed = 0, unknown = 0, manual = 0, inherited = 0, not_applicable = 0, excepted = 0;
  // passed / (passed + failed + unknown); 0 when nothing was assessed automatically.
  double Score() const;
};

struct FrameworkResult {
  const catalog::Framework* framework = nullptr;
  std::vector<RequirementResult> requirements;  // every assessable requirement, in document order
  FrameworkCounts counts;
};

struct Assessment {
  const policy::CheckSet* checks = nullptr;
  const inventory::Estate* estate = nullptr;
  const catalog::Catalog* catalog = nullptr;
  std::optional<catalog::ServiceModel> service_model;
  std::string date;  // YYYY-MM-DD of the assessment
  // Regions the estate's resources are in, sorted: a resource's `region` value, else the region of its
  // `availability_zone` ("ap-guangzhou-3" -> "ap-guangzhou", "eu-west-1a" -> "eu-west-1").
  std::vector<std::string> regions;
  // Service categories (catalog/services/) of the estate's resources, sorted.
  std::vector<std::string> services;
  // The cloud providers of the estate's resources, sorted, each with its regions (as above).
  struct ProviderUse {
    std::string provider;
    std::vector<std::string> regions;
    std::vector<std::string> services;  // service category ids (catalog/services/) of its resources, sorted
  };
  std::vector<ProviderUse> providers;

  std::vector<ResultRow> results;  // ordered by resource, then check
  std::array<size_t, 5> counts{};  // results by ResultStatus
  std::vector<Exception> exceptions;
  std::vector<PiiStore> pii;
  std::vector<ControlResult> controls;      // every control a check names, sorted by id
  std::vector<FrameworkResult> frameworks;  // in the catalog's order (or the order asked)
  // Per check (index): per framework (index into `frameworks`), the requirement ids its controls map to.
  std::vector<std::vector<std::pair<uint32_t, std::vector<std::string>>>> check_requirements;

  // Why a result is what it is, in one sentence.
  std::string MessageOf(const ResultRow& row) const;
  // The control result for an id, or nullptr.
  const ControlResult* FindControl(std::string_view id) const;
};

// Runs every check over the estate and rolls up. InvalidArgument/NotFound naming the option for an unknown
// framework or check id, or an exception naming an unknown check, framework or requirement.
Result<Assessment> Assess(const policy::CheckSet& checks, const inventory::Estate& estate,
                          const catalog::Catalog& catalog, Options options);

// The documented JSON document (docs/formats/assessment-results.md). `inputs` are the paths the estate was read
// from, in order.
std::string ToJson(const Assessment& assessment, const std::vector<std::string>& inputs);
// The same, handed to `sink` in pieces of about 1 MiB (half a million results need not sit in memory at once).
// Stops at, and returns, the first error the sink returns.
using JsonSink = std::function<Status(std::string_view)>;
Status WriteJson(const Assessment& assessment, const std::vector<std::string>& inputs, const JsonSink& sink);

}  // namespace tutela::assess
