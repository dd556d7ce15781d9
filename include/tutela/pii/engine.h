// The PII discovery engine: a Ruleset compiled once, a Scanner per thread, findings delivered to a Sink.
//
// Ruleset::Compile() turns the patterns of a Catalog into native digit matchers and Vectorscan databases, one per
// first-pass trigger kind (block mode, leftmost start of match: reported by Vectorscan, or derived from the end for
// the e-mail pattern), plus the per-entity validators and lower-cased context words; it is immutable and shared by
// all threads. A Scanner owns the per-thread Vectorscan scratch and reusable buffers; it scans a memory buffer or a
// stream (file descriptor) in fixed-size chunks that overlap, so a value split across two chunks is still found and
// memory stays bounded whatever the input size. In each chunk a SIMD first pass finds where each kind of pattern can
// match; Vectorscan scans only windows around those places, which finds exactly what a scan of every byte finds
// (ScanOptions::first_pass = false does that, for tests). Each candidate goes through its validator and context scoring
// (a window of text around the match searched for the entity's multilingual context words and for negative words);
// survivors with score >= ScanOptions::min_score go to the Sink. ScanPaths() walks files and folders and scans them on
// a thread pool as the walk finds them, one Scanner per worker; a large plain-text file is scanned in parts by
// several workers (ScanRange) and reported as one scan would report it.
//
// Ownership: Scanner keeps a shared_ptr to its Ruleset. Findings passed to a Sink are valid only during the call.
// Thread-safety: Ruleset is immutable (share it); a Scanner is used by one thread at a time; ScanPaths calls the
// Sink from one thread at a time (it serialises the calls), never concurrently.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tutela/core/file_walker.h"
#include "tutela/core/status.h"
#include "tutela/pii/catalog.h"
#include "tutela/pii/validators.h"

namespace tutela::pii {

struct ExtractOptions;  // tutela/pii/extract.h

struct Finding {
  const Entity* entity = nullptr;
  std::string_view path;      // the file ("<stdin>" for standard input)
  std::string_view location;  // inside the file: "" for plain text, "column NAME" for CSV, ...
  uint64_t start = 0;         // byte offsets in the file (end exclusive)
  uint64_t end = 0;
  uint64_t line = 1;  // 1-based
  double score = 0;
  std::string_view value;  // the raw matched value: mask it (MaskValue) unless the user asked for values
};

// Receives what a scan finds. Implementations must not throw; calls happen on one thread at a time unless the sink
// says it is ThreadSafe().
class Sink {
 public:
  virtual ~Sink() = default;
  virtual void OnFinding(const Finding& finding) = 0;
  // A file was scanned completely (or until an error) with `bytes` read.
  virtual void OnFileDone(std::string_view path, uint64_t bytes) { (void)path, (void)bytes; }
  // A file could not be scanned (whole or part); the scan goes on.
  virtual void OnError(const Status& status) { (void)status; }
  // A file was skipped on purpose (binary content, too large, ...); `reason` is a short phrase.
  virtual void OnSkipped(std::string_view path, std::string_view reason) { (void)path, (void)reason; }
  // True when the methods above may be called from several threads at once. ScanPaths calls such a sink from its
  // workers directly; any other sink is called under one lock, which serialises the workers on findings-dense input.
  virtual bool ThreadSafe() const { return false; }
};

struct ScanOptions {
  double min_score = 0.5;       // findings below are dropped
  size_t chunk_size = 1 << 20;  // bytes read per step when streaming (4 KiB to 1 GiB)
  bool sniff_binary = true;     // skip files whose first 8 KiB contain a NUL byte
  bool column_aware = true;     // CSV/TSV files: header names are context and locations name the column
  // The first pass (see Ruleset): Vectorscan sees only the windows around its triggers. False scans every byte with
  // every pattern; the findings are the same, only slower (tests compare the two).
  bool first_pass = true;
  // ScanPaths scans a plain-text file (IsPlainText) of at least four times this many bytes in parts of this size on
  // several workers when it has more than one; the findings are the same, in the same order. Each part's findings
  // are held until the parts before it are handed over (two parts per worker at most). 0: never.
  uint64_t part_bytes = uint64_t{16} << 20;
};

class Ruleset {
 public:
  // Compiles the catalog. InvalidArgument naming the entity (its file:line) when a pattern does not compile or a
  // validator is unknown.
  static Result<std::shared_ptr<const Ruleset>> Compile(Catalog catalog);
  ~Ruleset();
  Ruleset(const Ruleset&) = delete;
  Ruleset& operator=(const Ruleset&) = delete;

  const Catalog& catalog() const { return catalog_; }
  // The patterns Vectorscan scans over the whole text because no first-pass trigger gates them (engine.cc lists
  // the triggers of the catalog's patterns); every other pattern is matched natively or in windows.
  std::vector<std::string_view> UngatedPatterns() const;

 private:
  Ruleset() = default;
  friend class Scanner;
  struct PatternInfo {
    std::vector<size_t> entities;  // identical pattern strings compile once and feed every entity that lists them
    // How a match's start is found: 0, Vectorscan reports it (HS_FLAG_SOM_LEFTMOST); 2: the catalog's e-mail
    // pattern, scanned without start tracking (cheaper), its start derived exactly from the end.
    int start_rule = 0;
    // 3 and 4 (and 5 below): not in the database; the engine matches the pattern itself, 3: `\b\d(?:[ \-]?\d){m,n}\b`
    // (min/max_digits = m+1, n+1), 4: a bare digit run `\b\d{m,n}\b` (min/max_digits = m, n).
    size_t min_digits = 0;
    size_t max_digits = 0;
    // 5: not in the database; digit groups with fixed single separators (e.g. `\b\d{3}[ \-]\d{2}[ \-]\d{4}\b`),
    // matched by the engine from this pattern text (owned by the catalog). Set for every pattern.
    std::string_view pattern;
    uint32_t gate_kind = 255;  // for the patterns Vectorscan scans: their first-pass kind (255: whole text)
  };
  struct EntityInfo {
    Validator validator = nullptr;
    bool costly = false;                        // the phone validator: called only when it could matter
    uint32_t digit_counts = ~uint32_t{0};       // ValidatorDigitCounts(): the validator's possible digit counts
    std::vector<std::string> context;           // lower-cased
    std::vector<std::string> negative_context;  // lower-cased, entity + shared
  };
  Catalog catalog_;
  std::vector<PatternInfo> patterns_;
  std::vector<EntityInfo> entities_;
  // One Vectorscan database per first-pass trigger kind (tutela/pii/gate.h, internal), holding the patterns that
  // kind gates, plus one (kind 255) for patterns scanned over the whole text.
  struct Database {
    void* database = nullptr;  // hs_database_t*
    uint32_t kind = 255;
    uint32_t width = 0;  // the longest match of its patterns, in bytes (UINT_MAX: no limit, only for e-mail's kind)
  };
  std::vector<Database> databases_;
  uint32_t gate_kinds_ = 0;            // bit k: databases_ has kind k
  void* prototype_scratch_ = nullptr;  // fits every database
};

class Scanner {
 public:
  // InvalidArgument... never in practice; Internal when Vectorscan cannot allocate a scratch.
  static Result<std::unique_ptr<Scanner>> Create(std::shared_ptr<const Ruleset> ruleset, ScanOptions options);
  ~Scanner();
  Scanner(const Scanner&) = delete;
  Scanner& operator=(const Scanner&) = delete;

  // Scans one in-memory text. `path` names it in findings.
  Status ScanBuffer(std::string_view text, std::string_view path, Sink& sink);
  // Scans everything readable from `fd` in chunks (bounded memory). Reports the file to sink.OnFileDone; a read
  // error is returned (IoError naming `path`) after reporting what was found before it. `read_before` is what the
  // caller already read from `fd` (a head it sniffed): it is scanned as the file's first bytes, and reading goes on
  // from where it stopped, so the caller does not seek back and read those bytes twice.
  Status ScanFd(int fd, std::string_view path, Sink& sink, std::string_view read_before = {});
  // Scans the part [begin, end) of the file open as `fd`, whose size is `file_size`, reading the bytes before and after
  // it that matches and context words need: the findings a scan of the whole file reports with their end in
  // (begin, end], with line numbers counted from the line that holds `begin` (line 1). `*newlines` gets the number of
  // line ends in [begin, end): the caller adds those of the parts before to the line numbers of each part. Reads with
  // pread(), so several scanners may read one descriptor at once. Nothing goes to sink.OnFileDone; a read error is
  // returned after the findings before it.
  Status ScanRange(int fd, std::string_view path, uint64_t begin, uint64_t end, uint64_t file_size, Sink& sink,
                   uint64_t* newlines, uint64_t* bytes_read);
  // Opens and scans a file (binary files are skipped and reported via OnSkipped).
  Status ScanFile(const std::filesystem::path& file, std::string_view display_path, Sink& sink);

 private:
  struct Impl;
  explicit Scanner(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

struct ScanSummary {
  uint64_t files = 0;
  uint64_t bytes = 0;
  uint64_t errors = 0;
  uint64_t skipped = 0;
};

// Scans every file under `roots` ("-" means standard input, "postgres://..." a PostgreSQL database) with `threads`
// workers (0 = all cores). Each input goes through the extractors (tutela/pii/extract.h: archives, Office files,
// PDF, SQLite, other encodings), with default ExtractOptions unless given. Per-file problems go to sink.OnError and
// the scan goes on; returns the first root-level error (e.g. a root that does not exist) after scanning the others,
// or OK.
Status ScanPaths(std::shared_ptr<const Ruleset> ruleset, const std::vector<std::string>& roots, const WalkOptions& walk,
                 const ScanOptions& options, size_t threads, Sink& sink);
Status ScanPaths(std::shared_ptr<const Ruleset> ruleset, const std::vector<std::string>& roots, const WalkOptions& walk,
                 const ScanOptions& options, size_t threads, const ExtractOptions& extract, Sink& sink);

}  // namespace tutela::pii
