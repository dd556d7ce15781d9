// Redactor: de-identifies text, CSV/TSV, NDJSON and JSON while keeping their structure byte for byte, and restores
// tokenized output exactly.
//
// Redact finds PII with the discovery engine (a Scanner over the raw bytes, with column and key context) and applies
// the RedactionPolicy: column and JSON-path rules to whole declared fields, entity rules to values found anywhere
// else. Only the replaced bytes change; quoting, spacing, key order and line endings stay. Input is processed in
// blocks cut at record boundaries (lines; CSV records, which may hold quoted newlines), on a thread pool, and written
// in order, so memory stays bounded by a few blocks whatever the input size. JSON (one document) is read whole.
//
// Tokens (operator tokenize; tokenizer.h) take two forms:
//   - bare, in declared fields (policy columns and JSON paths): the token has exactly the value's shape. Restore finds
//     these fields through the token manifest written beside the output (TokenManifest,
//     docs/formats/token-manifest.md), which also names the key. A declared value whose check character cannot be
//     handled unambiguously is annotated instead.
//   - annotated, everywhere else: ⟦tok:KEYID:ENTITY:MODE:TOKEN⟧, found again in any text.
// When a run can write tokens, every literal ⟦ of the input is written ⟦⟦, so input text can never be mistaken for
// a token; restore undoes it. Runs without tokenize leave such text alone.
//
// Restore reverses tokenize exactly (the other operators are one-way) and reports what it restored; the caller
// appends the audit record (restore_audit.h).
// Ownership and thread-safety: a Redactor is immutable after Create(); Redact() may run once at a time per object.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "tutela/core/crypto.h"
#include "tutela/core/status.h"
#include "tutela/pii/engine.h"
#include "tutela/pii/keyring.h"
#include "tutela/pii/redaction_policy.h"
#include "tutela/pii/tokenizer.h"

namespace tutela::pii {

enum class RedactFormat { kText, kCsv, kNdjson, kJson };

// "auto" picks by the file name (.csv/.tsv/.tab → csv, .ndjson/.jsonl → ndjson, .json → json, otherwise text);
// "text", "csv", "tsv", "ndjson", "json" force one. InvalidArgument for anything else. `delimiter` receives ',' or
// '\t' (csv from auto or "csv" is sniffed from the first line by the caller when 0).
Result<RedactFormat> ParseRedactFormat(std::string_view name, std::string_view path, char* delimiter);
std::string_view RedactFormatName(RedactFormat format);

struct RedactOptions {
  RedactFormat format = RedactFormat::kText;
  char delimiter = 0;  // CSV: 0 sniffs it from the first line
  ScanOptions scan;
  size_t threads = 0;            // 0: all cores
  size_t block_size = 4u << 20;  // bytes per unit of parallel work
  bool valid_tokens = false;     // every tokenize rule makes valid check characters
};

struct RedactStats {
  std::map<std::string, uint64_t> values;  // values replaced, by entity id (declared fields: their entity or name)
  uint64_t tokens = 0;                     // tokens written (bare + annotated)
  uint64_t bare_tokens = 0;
  uint64_t valid_tokens = 0;  // tokens whose check character is valid
  uint64_t records_dropped = 0;
  uint64_t bytes_in = 0;
  uint64_t bytes_out = 0;
};

// Where the bare tokens of one output are: read by restore. Format: docs/formats/token-manifest.md.
struct TokenManifest {
  struct Field {
    std::string column;     // CSV header name or glob, or
    std::string json_path;  // JSON Pointer pattern
    std::string entity;     // the tweak: the rule's entity, else the column name / path
    size_t keep_first = 0;  // leading letters and digits the tokens kept (the rule's keep_first)
  };
  std::string key_id;
  RedactFormat format = RedactFormat::kText;
  char delimiter = ',';
  std::vector<Field> fields;
  // Hex HMAC-SHA256 of everything above under a key derived from the `key_id` key (Seal); empty in manifests written
  // before it existed. A changed field (an entity, a column) would otherwise restore plausible but wrong values.
  std::string mac;

  std::string ToJson() const;
  // InvalidArgument naming `source` and the field when malformed.
  static Result<TokenManifest> Parse(std::string_view text, std::string_view source);
  // Sets `mac` with the keyring's key `key_id` (NotFound naming the id when the keyring lacks it).
  Status Seal(const Keyring& keyring);
  // Checks `mac`: Ok when it matches; Corruption naming `source` when the manifest was changed; Ok with
  // *unsealed = true when it has no mac (an older manifest, which cannot be checked).
  Status Verify(const Keyring& keyring, std::string_view source, bool* unsealed) const;

 private:
  // The hex HMAC of the manifest without `mac`, under a key derived from `key`.
  std::string MacWith(const TokenKey& key) const;
};

class Redactor {
 public:
  // `keyring` may be null when the policy uses no keyed operator (hash, date-shift, tokenize); otherwise
  // InvalidArgument saying which operator needs --key-file.
  static Result<std::unique_ptr<Redactor>> Create(std::shared_ptr<const Ruleset> ruleset, RedactionPolicy policy,
                                                  const Keyring* keyring, RedactOptions options);
  ~Redactor();

  // Reads `in_fd` to its end and hands the redacted bytes, in order, to `write`. `source` names the input in
  // messages ("customers.csv:12: ..."). Stops at the first error (bad input, a value an operator cannot take, a
  // failed write) and returns it; what was already written is then incomplete and the caller discards it.
  Status Redact(int in_fd, std::string_view source, const std::function<Status(std::string_view)>& write,
                RedactStats* stats);
  // The same over a buffer.
  Result<std::string> RedactBuffer(std::string_view input, std::string_view source, RedactStats* stats);

  // True when the output may hold bare tokens in declared fields: the caller must then store the manifest.
  bool writes_bare_tokens() const;
  TokenManifest manifest() const;

 private:
  struct Impl;
  explicit Redactor(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

struct RestoreStats {
  uint64_t values = 0;
  std::set<std::string> key_ids;
};

// Restores every token of `input`: annotated tokens anywhere, and bare tokens in the fields `manifest` names (null:
// annotated tokens only). NotFound when a token's key is missing from the tokenizer's keyring; Corruption naming the
// line when a token is damaged or made with another key; InvalidArgument when the input does not parse as the
// manifest's format.
Result<std::string> RestoreTokens(std::string_view input, std::string_view source, const Tokenizer& tokenizer,
                                  const Catalog& catalog, const TokenManifest* manifest, RestoreStats* stats);

// RestoreTokens without a manifest (annotated tokens only), streamed: reads `in_fd` to its end in blocks of about
// `block_size` bytes cut at line ends (never on a line whose token annotation is still open), and passes each
// block's restored text to `write`, in order. The output is byte for byte RestoreTokens's; memory stays bounded
// by the block size (a line longer than a block is held whole). `input_hash`, when given, is fed every byte read.
// Errors name `source` and the line, as RestoreTokens's do; what was written before an error is incomplete.
Status RestoreTokenStream(int in_fd, std::string_view source, const Tokenizer& tokenizer, const Catalog& catalog,
                          const std::function<Status(std::string_view)>& write, RestoreStats* stats,
                          Sha256Hasher* input_hash = nullptr, size_t block_size = size_t{4} << 20);

}  // namespace tutela::pii
