// Extractors: turn one input (a file, standard input, an archive member, a database) into text segments, each with a
// location, and scan them with a Scanner. Findings keep `path` = the outer input and get `location` = where inside it
// (docs/pii.md "Locations"):
//
//   archive member        logs.zip  ->  "app/2024.log"          nested: "inner.tar.gz!app/2024.log"
//   CSV inside an archive           ->  "exports/c.csv!column email"
//   single compressed stream        ->  the inner name ("app.log" for app.log.gz)
//   xlsx cell                       ->  "Customers!B7"
//   docx paragraph / pptx slide     ->  "paragraph 12" / "slide 3"
//   PDF                             ->  "page 4"
//   SQLite                          ->  "customers.email row 17" (the rowid)
//   PostgreSQL                      ->  "customers.email ctid (0,17)" (schema-qualified outside "public")
//
// Findings inside a container have no byte offsets into the outer file: their start/end/line are relative to the
// innermost segment (the archive member's text, the cell, the paragraph, the page text, the column value).
//
// Bad input (corrupt or truncated archives, Office files and PDFs, invalid text in the declared encoding, archive
// bombs) ends the scan of that input with one error naming the input and what to do; findings made before the error
// are kept, and callers (ScanPaths) go on with the next input. Nothing here throws.
//
// Thread-safety: the functions use only the Scanner they are given (one thread at a time per Scanner).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "tutela/core/status.h"
#include "tutela/pii/engine.h"

namespace tutela::pii {

struct ExtractOptions {
  int max_depth = 5;                                // archives nested deeper are skipped (listed in the summary)
  uint64_t max_expanded_bytes = uint64_t{8} << 30;  // per input: total bytes unpacked from archives and compression
  double max_ratio = 200;                           // unpacked / packed bytes, checked once past ratio_floor_bytes
  uint64_t ratio_floor_bytes = uint64_t{16} << 20;
  uint64_t max_member_bytes = uint64_t{512} << 20;  // a nested container or Office/PDF/SQLite member held in memory
  std::string encoding;  // "" = UTF-8 unless a UTF-16/UTF-8 BOM says otherwise; else an iconv name (GB18030, BIG5,
                         // SHIFT_JIS, EUC-KR, UTF-16LE, ...)
  uint64_t sample_rows = 1000;  // PostgreSQL: rows read per table (0 or `full` = all)
  bool full = false;
};

enum class InputKind { kText, kArchive, kCompressed, kDocx, kXlsx, kPptx, kPdf, kSqlite };

// What an input is, from its name and first bytes (magic numbers first, then the extension for OOXML).
InputKind SniffKind(std::string_view name, std::string_view head);
std::string_view KindName(InputKind kind);

// OK when iconv knows `encoding` (as --encoding takes it); InvalidArgument naming it otherwise.
Status CheckEncoding(std::string_view encoding);

// True for "postgres://..." and "postgresql://..." roots (scanned with ScanPostgres).
bool IsPostgresUri(std::string_view root);
// The URI with any password replaced by "***" (what findings and errors show).
std::string RedactUri(std::string_view uri);

// Scans one file by kind. Per-input problems are returned (the caller reports them with sink.OnError); the file is
// reported with sink.OnFileDone when it was read to the end.
Status ScanInput(Scanner& scanner, const std::filesystem::path& file, std::string_view display_path,
                 const ExtractOptions& options, Sink& sink);
// True when ScanInput would scan `file` as plain UTF-8 text straight from the file, line by line with nothing carried
// from one line to the next but context: not an archive, document or database, not JSON or CSV/TSV (by name), not in
// another encoding, and with no NUL byte in its first 8 KiB. ScanPaths scans such a file in parts on several workers
// when it is large (Scanner::ScanRange). False when the file cannot be read (ScanInput then reports why).
bool IsPlainText(const std::filesystem::path& file, const ExtractOptions& options, bool sniff_binary);
// Standard input: sniffed like a file (archives, compressed streams, encodings), read once.
Status ScanStdin(Scanner& scanner, const ExtractOptions& options, Sink& sink);
// An input held in memory (archive members, fuzzers). `kind` as SniffKind would say.
Status ScanMemory(Scanner& scanner, std::string_view data, InputKind kind, std::string_view display_path,
                  const ExtractOptions& options, Sink& sink);
// A PostgreSQL database: every text-like column of every table the user can read, in a read-only transaction,
// options.sample_rows rows per table (all with options.full).
Status ScanPostgres(Scanner& scanner, std::string_view uri, const ExtractOptions& options, Sink& sink);

}  // namespace tutela::pii
