// Redaction policies: which operator replaces which PII, loaded from a YAML file.
//
//   default: {operator: replace}                    # any detected entity without a rule of its own
//   entities:
//     CREDIT_CARD: {operator: mask, keep_last: 4}
//     DATE_OF_BIRTH: {operator: generalize, mode: year}
//   columns:                                        # CSV/TSV header names; globs allowed
//     dob: {operator: date-shift, subject: customer_id, max_days: 180}
//     internal_ref: {skip: true}                    # never touched, not even by detection
//   json_paths:                                     # JSON Pointers; '*' matches one segment
//     /customer/email: {operator: hash, length: 16}
//     /events/*/ip: {operator: generalize, mode: ip-prefix}
//
// Column and path rules apply to the whole field, detected or not: the user has declared it personal data. Entity
// rules apply to values found by detection anywhere else. Without a policy, every detected entity is replaced by
// <ENTITY>. The format is specified in docs/formats/redaction-policy.md.
//
// Ownership and thread-safety: a loaded policy is immutable; lookups are const and thread-safe.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tutela/core/status.h"
#include "tutela/pii/operators.h"

namespace tutela::pii {

struct FieldRule {
  bool skip = false;    // leave the field exactly as it is and do not scan it
  OperatorSpec spec;    // meaningful when !skip
  std::string subject;  // for date-shift: the column / JSON path holding the subject id
  std::string entity;   // the entity id the field is reported as ("" = the column or path name)
};

class RedactionPolicy {
 public:
  // The policy used without a file: every detected entity becomes <ENTITY>.
  RedactionPolicy() = default;

  // Loads and validates a policy file. InvalidArgument naming file:line:column for unknown keys, unknown operators,
  // parameters of the wrong type or range, and rules that cannot work (date-shift without a subject).
  static Result<RedactionPolicy> Load(const std::filesystem::path& path);
  static Result<RedactionPolicy> Parse(std::string_view yaml_text, std::string_view source);

  // The operator for a detected entity.
  const OperatorSpec& ForEntity(std::string_view entity) const;
  // The rule for a CSV column, by header name (exact names win over globs), if any.
  const FieldRule* ForColumn(std::string_view header) const;
  // The rule for a JSON value at `pointer` (RFC 6901, e.g. "/events/3/ip"), if any.
  const FieldRule* ForJsonPath(std::string_view pointer) const;

  // Replaces the default operator (the CLI's --operator).
  void SetDefault(OperatorSpec spec) { default_ = std::move(spec); }

  // True when any rule (default, entity, column or path) uses `kind`.
  bool Uses(OperatorKind kind) const;
  const std::vector<std::pair<std::string, FieldRule>>& column_rules() const { return columns_; }
  const std::vector<std::pair<std::string, FieldRule>>& json_path_rules() const { return json_paths_; }

 private:
  OperatorSpec default_;
  std::map<std::string, OperatorSpec, std::less<>> entities_;
  std::vector<std::pair<std::string, FieldRule>> columns_;
  std::vector<std::pair<std::string, FieldRule>> json_paths_;
};

}  // namespace tutela::pii
