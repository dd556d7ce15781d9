// Presenting findings without leaking values: masked previews, keyed fingerprints, the findings collector with its
// summary, and the PII inventory file (docs/formats/pii-inventory.md).
//
// Fingerprints are HMAC-SHA256 over "ENTITY_ID:normalised value" with a local secret key, so the same value gives the
// same fingerprint on one installation (to count and join occurrences) but cannot be reversed or compared across
// installations. The key lives in a file created with mode 0600 on first use (LoadOrCreateFingerprintKey).
// Thread-safety: functions are reentrant; a FindingCollector is a Sink (called from one thread at a time).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "tutela/core/crypto.h"
#include "tutela/core/status.h"
#include "tutela/pii/engine.h"

namespace tutela::pii {

// The default key file: $XDG_DATA_HOME/tutela/fingerprint.key, else $HOME/.local/share/tutela/fingerprint.key.
std::filesystem::path DefaultFingerprintKeyPath();
// Reads the key (32 random bytes, stored hex-encoded) or creates it with mode 0600 (and its folder 0700).
// IoError/PermissionDenied naming the path when it cannot be read or written; InvalidArgument when the file is not a
// key of at least 16 bytes.
Result<std::string> LoadOrCreateFingerprintKey(const std::filesystem::path& path);

// Separators removed and letters upper-cased (emails lower-cased), so "4111 1111-1111 1111" and "4111111111111111"
// fingerprint alike.
std::string NormalizeValue(const Entity& entity, std::string_view value);
// "hmac-sha256:" + the first 32 hex digits of HMAC-SHA256(key, id ":" normalised value).
std::string Fingerprint(const HmacSha256Key& key, const Entity& entity, std::string_view value);
// A preview that keeps separators and at most the last 4 letters/digits (the domain for e-mail addresses, the
// BEGIN line for private keys); everything else becomes '*'.
std::string MaskValue(const Entity& entity, std::string_view value);

struct StoredFinding {
  std::string entity;
  std::string category;
  std::string path;
  std::string location;
  uint64_t start = 0;
  uint64_t end = 0;
  uint64_t line = 0;
  double score = 0;
  std::string preview;  // masked, or the raw value when show_values
  std::string fingerprint;
};

// Per-file totals kept for the summary and the inventory, whether findings are kept or streamed.
struct FileTotals {
  std::map<std::string, std::pair<uint64_t, double>> entities;  // entity id -> (count, max score)
};

// Collects findings and the summary. Keeps masked previews only, unless show_values. With a stream set, findings are
// handed to it as they come and not kept, so memory stays bounded whatever the input (the summary and the inventory
// come from running totals).
class FindingCollector : public Sink {
 public:
  FindingCollector(const Catalog& catalog, std::string key, bool show_values);
  // Hands every finding to `emit` (called from one thread at a time) instead of keeping it. With `render`, each
  // finding is first rendered (an NDJSON line, say) on the thread that found it, outside the collector's lock, and
  // `emit` gets the text too; otherwise the text is empty.
  using Emit = std::function<void(const StoredFinding& finding, std::string_view rendered)>;
  void SetStream(Emit emit, std::function<std::string(const StoredFinding&)> render = {}) {
    stream_ = std::move(emit);
    render_ = std::move(render);
  }
  // Thread-safe: a finding's preview and fingerprint are made on the calling thread; only the counts and the
  // hand-over to the stream or the list are under the collector's lock.
  void OnFinding(const Finding& finding) override;
  void OnFileDone(std::string_view path, uint64_t bytes) override;
  void OnError(const Status& status) override;
  void OnSkipped(std::string_view path, std::string_view reason) override;
  bool ThreadSafe() const override { return true; }

  // Sorts findings by path, keeping the scan order within each input (scans run in parallel; the output must not
  // depend on timing): offset order in plain files, segment order inside containers (docs/pii.md "Locations").
  void Sort();
  const std::vector<StoredFinding>& findings() const { return findings_; }
  uint64_t finding_count() const { return finding_count_; }
  const std::map<std::string, FileTotals>& totals_by_path() const { return totals_; }
  const std::vector<std::string>& errors() const { return errors_; }
  uint64_t files() const { return files_; }
  // Every file scanned to its end, in the order they finished.
  const std::vector<std::string>& scanned_paths() const { return scanned_paths_; }
  uint64_t bytes() const { return bytes_; }
  const Catalog& catalog() const { return catalog_; }
  // {"files", "bytes", "findings", "entities": {ID: count}, "columns": [...], "skipped": [...], "errors": [...]}
  nlohmann::json Summary() const;

 private:
  const Catalog& catalog_;
  HmacSha256Key key_;  // pad states precomputed: one fingerprint per finding is on the hot path
  bool show_values_;
  std::vector<StoredFinding> findings_;
  Emit stream_;
  std::function<std::string(const StoredFinding&)> render_;
  std::mutex mutex_;  // the members below, and stream_ calls, while scans run
  uint64_t finding_count_ = 0;
  std::map<std::string, FileTotals> totals_;
  std::map<std::pair<std::string, std::string>, std::map<std::string, uint64_t>> columns_;
  std::vector<std::string> errors_;
  std::vector<std::string> scanned_paths_;
  std::vector<std::pair<std::string, std::string>> skipped_;
  uint64_t files_ = 0;
  uint64_t bytes_ = 0;
};

// One finding as a line of NDJSON (with its newline).
std::string FindingNdjsonLine(const StoredFinding& finding);

// Renderings of collected findings. `format` is table | json | ndjson | csv | sarif (SARIF 2.1.0: one rule per
// entity found, one result per finding with its region, masked preview and fingerprint as partialFingerprints).
std::string RenderFindings(const FindingCollector& collector, std::string_view format, bool color);

// The PII inventory (docs/formats/pii-inventory.md): one store per scanned root, with its entities, categories,
// counts, max sensitivity and jurisdictions. `roots` are the scanned roots as given; `generated_at` is RFC 3339.
nlohmann::json BuildInventory(const FindingCollector& collector, const Catalog& catalog,
                              const std::vector<std::string>& roots, std::string_view generated_at);

}  // namespace tutela::pii
