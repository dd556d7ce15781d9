// Private pieces shared by the extractors (src/pii/extract_*.cc); see tutela/pii/extract.h.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tutela/pii/extract.h"

namespace tutela::pii::extract {

// Bytes unpacked from one input, checked against the archive-bomb limits.
struct Budget {
  const ExtractOptions* options = nullptr;
  std::string path;       // the outer input, for messages
  uint64_t packed = 0;    // size of the outer input
  uint64_t expanded = 0;  // unpacked so far (all levels)
  // Counts `bytes` more; an error naming `where` once a limit is passed.
  Status Add(uint64_t bytes, std::string_view where);
};

// Everything an extractor needs about the input being scanned.
struct Context {
  Scanner* scanner = nullptr;
  const ExtractOptions* options = nullptr;
  Sink* sink = nullptr;  // the caller's sink
  std::string path;      // the outer input as shown in findings
  Budget budget;
  uint64_t scanned = 0;  // text bytes scanned (reported with OnFileDone)

  // The context of one outer input of `packed` bytes shown as `display_path`.
  Context(Scanner& scan_with, const ExtractOptions& extract_options, Sink& report_to, std::string_view display_path,
          uint64_t packed)
      : scanner(&scan_with), options(&extract_options), sink(&report_to), path(display_path) {
    budget.options = options;
    budget.path = path;
    budget.packed = packed;
  }
};

// Joins location parts with '!' (either may be empty).
std::string JoinLocation(std::string_view outer, std::string_view inner);

// Forwards findings with `path` = the outer input and `location` = prefix joined with the engine's own location
// (CSV column, JSON key). Swallows the inner OnFileDone (adding its bytes to ctx.scanned); skips are listed as
// "path!location".
class LocatedSink : public Sink {
 public:
  LocatedSink(Context& ctx, std::string prefix) : ctx_(ctx), prefix_(std::move(prefix)) {}
  void OnFinding(const Finding& finding) override;
  void OnFileDone(std::string_view, uint64_t bytes) override { ctx_.scanned += bytes; }
  void OnError(const Status& status) override { ctx_.sink->OnError(status); }
  void OnSkipped(std::string_view, std::string_view reason) override;

 private:
  Context& ctx_;
  std::string prefix_;
  std::string location_;
};

// Text made of labelled segments (cells, paragraphs, pages, column values). Findings are mapped back to the
// segment holding their start: location = prefix!label, offsets and line relative to the segment.
class SegmentedText {
 public:
  // Starts a segment labelled `label` at the current end of the text.
  void Mark(std::string label) { marks_.emplace_back(text_.size(), std::move(label)); }
  // Appends text; tabs, newlines and quotes become spaces when `cell` (so a table stays one line per row).
  void Append(std::string_view text, bool cell);
  void Raw(std::string_view text) { text_.append(text); }
  size_t size() const { return text_.size(); }
  bool empty() const { return text_.empty(); }
  void Clear() {
    text_.clear();
    marks_.clear();
  }
  // Scans the text as `name` (its extension chooses CSV/TSV awareness) and maps the findings.
  Status Scan(Context& ctx, std::string_view prefix, std::string_view name);

 private:
  std::string text_;
  std::vector<std::pair<size_t, std::string>> marks_;
};

// Reads up to `capacity` bytes into `buffer`; 0 at the end; an error stops the stream.
using Reader = std::function<Result<size_t>(char* buffer, size_t capacity)>;

// Scans a byte stream with bounded memory (Scanner::ScanFd on a socket pair fed by a pump thread). When the input
// is text in another encoding (options.encoding, or a UTF-16 BOM in `head`), it is converted to UTF-8 on the way.
// `head` holds bytes already read from the stream, which come first.
Status ScanStream(Context& ctx, std::string head, Reader reader, std::string_view name, std::string_view location);

// The encoding to convert from, "" for none: options.encoding, else "UTF-16" when `head` starts with a UTF-16 BOM.
std::string SourceEncoding(const ExtractOptions& options, std::string_view head);

// Extractors. `location` is where the input sits inside the outer one ("" at the top); `depth` counts containers.
Status ScanArchiveMemory(Context& ctx, std::string_view data, std::string_view name, std::string_view location,
                         int depth);
Status ScanArchiveFd(Context& ctx, int fd, std::string head, std::string_view name);
Status ScanOoxml(Context& ctx, std::string_view data, InputKind kind, std::string_view location);
Status ScanPdf(Context& ctx, std::string_view data, std::string_view location);
Status ScanSqliteFile(Context& ctx, const std::string& file);
Status ScanSqliteMemory(Context& ctx, std::string_view data, std::string_view location);
// JSON files (.json; .ndjson/.jsonl set *records): findings get the full JSON pointer as location. `head` is what was
// read from `fd` already (Scanner::ScanFd's read_before); `fd` is read on from there, and the places are read back by
// offset.
bool IsJsonName(std::string_view name, bool* records);
Status ScanJsonFile(Scanner& scanner, int fd, std::string_view head, uint64_t size, bool records,
                    std::string_view display_path, Sink& sink);
// The same for a JSON member held in memory; findings are located "location!key /pointer".
Status ScanJsonMemory(Context& ctx, std::string_view data, std::string_view name, std::string_view location,
                      bool records);
// Routes an in-memory input by kind (nested members).
Status ScanMemoryAt(Context& ctx, std::string_view data, InputKind kind, std::string_view name,
                    std::string_view location, int depth);

// Rows of one table rendered as TSV (header = column names, so they are context), in segments of about 1 MiB.
class TableText {
 public:
  // Labels are "prefix!table.column row_word row" (prefix: where the database sits, "" at the top).
  TableText(Context& ctx, std::string prefix, std::string table, std::vector<std::string> columns,
            std::string row_word);
  // One row: `row` labels it ("17", "(0,17)"); nullopt values (NULL, blobs) are left empty.
  Status Row(std::string_view row, const std::vector<std::optional<std::string_view>>& values);
  Status Flush();

 private:
  void Header();
  Context& ctx_;
  std::string prefix_;
  std::string table_;
  std::vector<std::string> columns_;
  std::string row_word_;
  SegmentedText text_;
};

// "file: in place: what went wrong; what to do" as a Corruption status (errors name their input first, so the
// inventory can attribute them).
Status Damaged(const Context& ctx, std::string_view location, std::string_view what, std::string_view fix);

}  // namespace tutela::pii::extract
