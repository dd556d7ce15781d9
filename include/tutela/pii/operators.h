// De-identification operators: what replaces a PII value once it has been found.
//
// Each operator turns one value (with its entity id and, for date-shift, the subject it belongs to) into its
// replacement, or asks for the field/row to be dropped (suppress):
//   redact      the value is removed (empty text)
//   replace     a template, default "<{entity}>" — e.g. <CREDIT_CARD>
//   mask        characters replaced by a mask character, keeping the first/last N; separators kept by default
//   hash        HMAC-SHA256 under a key derived from the keyring (never an unkeyed hash, which a dictionary of
//               all 10^9 SSNs reverses in seconds), hex, optionally shortened
//   generalize  year of birth, age band, IP network prefix, or a kept prefix (postcodes)
//   date-shift  dates moved by a per-subject offset derived from the key: consistent for one subject across files
//               and runs, so intervals between a subject's dates survive
//   suppress    drop the field or row (the caller decides which)
// All operators here are one-way. Reversible tokenization (FF1) is separate, because restoring needs to find tokens.
//
// Ownership and thread-safety: an OperatorEngine holds keys derived from a keyring at construction; Apply() is const
// and thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "tutela/core/crypto.h"
#include "tutela/core/status.h"
#include "tutela/core/time.h"

namespace tutela::pii {

// kTokenize is reversible and needs to be found again; the Redactor applies it with a Tokenizer (tokenizer.h), not
// OperatorEngine.
enum class OperatorKind { kRedact, kReplace, kMask, kHash, kGeneralize, kDateShift, kSuppress, kTokenize };
enum class GeneralizeMode { kYear, kAgeBand, kIpPrefix, kPrefix };

// "redact", "replace", ... → kind. InvalidArgument listing the valid names.
Result<OperatorKind> ParseOperatorKind(std::string_view name);
std::string_view OperatorName(OperatorKind kind);
Result<GeneralizeMode> ParseGeneralizeMode(std::string_view name);

struct OperatorSpec {
  OperatorKind kind = OperatorKind::kReplace;
  std::string replace_template = "<{entity}>";  // {entity} is replaced by the entity id
  char mask_char = '*';
  size_t keep_first = 0;
  size_t keep_last = 4;
  bool mask_separators = false;  // false: spaces, '-', '.', '@', '/', '(' ')' and '+' stay as they are
  size_t hash_length = 64;       // hex digits kept, 16..64
  GeneralizeMode generalize = GeneralizeMode::kYear;
  int age_band_width = 10;
  Timestamp age_reference{};  // "now" for age bands; the epoch means the current time
  int ip_prefix_v4 = 24;
  int ip_prefix_v6 = 48;
  size_t keep_prefix = 3;         // characters kept by the prefix generalization; the rest become mask_char
  int date_shift_max_days = 365;  // offsets fall in [-max, +max], never 0
  bool month_first = false;       // read NN/NN/YYYY as MM/DD/YYYY (US) rather than DD/MM/YYYY
  bool valid_tokens = false;      // tokenize: give tokens a valid check character (default: force it invalid)
};

struct OperatorInput {
  std::string_view value;
  std::string_view entity;   // e.g. "CREDIT_CARD"
  std::string_view subject;  // who the value belongs to (a customer id); date-shift needs it, others ignore it
};

struct OperatorResult {
  std::string text;
  bool suppress = false;  // drop the field/row instead of writing `text`
};

class OperatorEngine {
 public:
  // `master_key` (32 bytes, from a Keyring) is never used directly: separate keys are derived for hashing and
  // date shifting, so a hash output reveals nothing about shift offsets and vice versa.
  explicit OperatorEngine(std::string_view master_key);

  // The replacement for `input` under `spec`. InvalidArgument when the value does not fit the operator (a
  // generalize year on something that is not a date, date-shift without a subject); the message never contains
  // the value.
  Result<OperatorResult> Apply(const OperatorSpec& spec, const OperatorInput& input) const;

 private:
  Result<std::string> Generalize(const OperatorSpec& spec, std::string_view value) const;
  Result<std::string> DateShift(const OperatorSpec& spec, const OperatorInput& input) const;

  HmacSha256Key hash_key_;
  HmacSha256Key date_shift_key_;
};

}  // namespace tutela::pii
