// Declarative cloud checks: the check format (catalog/checks/<provider>/*.yaml), its validated loader, and the
// evaluator that runs every check over an inventory::Estate with three-valued logic.
//
// A CheckSet is loaded once and is immutable: conditions are compiled into a tree of nodes with parsed attribute
// paths, compiled regular expressions and parsed CIDRs, and checks are indexed by resource type, so evaluating an
// estate costs one hash lookup per resource plus the conditions of the checks that apply to its type.
//
// Outcomes per (check, resource): pass, fail, unknown (a value the plan does not know yet decides it), and
// not_applicable (the check's `applies_when` is false for this resource). The format is specified in
// docs/assess.md ("Check format").
//
// Thread-safety: a loaded CheckSet is read-only and may be shared; Evaluate() runs on several threads internally
// and is reentrant.
#pragma once

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tutela/core/status.h"
#include "tutela/inventory/estate.h"

namespace tutela::policy {

enum class Severity { kLow = 0, kMedium = 1, kHigh = 2, kCritical = 3 };
std::string_view SeverityName(Severity severity);
// "low" | "medium" | "high" | "critical"; InvalidArgument otherwise.
Result<Severity> ParseSeverity(std::string_view text);

enum class Outcome { kPass, kFail, kUnknown, kNotApplicable };
std::string_view OutcomeName(Outcome outcome);

struct Condition;  // compiled condition tree (src/policy/condition.cc)

struct Equivalent {
  std::string tool;  // "checkov" | "trivy"
  std::string id;    // CKV_AWS_19, AVD-AWS-0088
};

struct Check {
  std::string id;
  std::string title;
  Severity severity = Severity::kMedium;
  std::string provider;
  std::vector<std::string> resource_types;
  std::string message;      // why a failing resource fails, in one sentence
  std::string remediation;  // what to change
  std::string terraform;    // a Terraform snippet that fixes it
  std::vector<std::string> controls;
  std::vector<Equivalent> equivalents;
  std::string where;                              // file:line of the definition
  std::shared_ptr<const Condition> applies_when;  // may be null: applies to every resource of the types
  std::shared_ptr<const Condition> condition;
};

class CheckSet {
 public:
  // Loads every *.yaml file under `directory` (recursively, in path order). InvalidArgument "file:line:column: ..."
  // for a malformed or invalid definition, or a duplicate id.
  static Result<CheckSet> LoadDirectory(const std::filesystem::path& directory);
  // Loads checks from parsed YAML text (`source` names it in messages); appends to this set.
  Status AddYaml(std::string_view text, std::string_view source);
  // Rebuilds the type index; called by LoadDirectory, call it after AddYaml.
  void Index();

  const std::vector<Check>& checks() const { return checks_; }
  // Checks that apply to a resource type (indexes into checks()), or nullptr.
  const std::vector<uint32_t>* ForType(std::string_view type) const;
  // Index of a check by id, or -1.
  int64_t Find(std::string_view id) const;

 private:
  // Hashes std::string and std::string_view alike, so ForType/Find look up without copying the key.
  struct KeyHash {
    using is_transparent = void;
    size_t operator()(std::string_view text) const noexcept { return std::hash<std::string_view>{}(text); }
  };
  std::vector<Check> checks_;
  std::unordered_map<std::string, std::vector<uint32_t>, KeyHash, std::equal_to<>> by_type_;
  std::unordered_map<std::string, uint32_t, KeyHash, std::equal_to<>> by_id_;
};

struct CheckResult {
  uint32_t check = 0;     // index into CheckSet::checks()
  uint32_t resource = 0;  // index into Estate::resources()
  Outcome outcome = Outcome::kUnknown;
};

// Facts about resources that do not come from the estate, which the `pii` condition reads. `pii[i]` lists the
// labels of resource i: the PII categories it holds (from a PII inventory), "any" when it holds any PII and
// "sensitive" when it holds sensitive PII. Empty (or shorter than the estate): nothing is known, `pii` is false.
struct ResourceFacts {
  std::vector<std::vector<std::string>> pii;
};

// Evaluates every applicable check over every managed resource (data sources are skipped). Results are ordered by
// resource, then by check order. `threads` 0 means one per core. `facts` may be null.
std::vector<CheckResult> Evaluate(const CheckSet& checks, const inventory::Estate& estate, size_t threads = 0,
                                  const ResourceFacts* facts = nullptr);

// Evaluates one check on one resource (for tests and tools). `facts` may be null.
Outcome EvaluateOne(const Check& check, const inventory::Estate& estate, uint32_t resource,
                    const ResourceFacts* facts = nullptr);

}  // namespace tutela::policy
