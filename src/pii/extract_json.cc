// JSON and NDJSON files: the engine scans the bytes as usual (the innermost key is context); the findings are then
// given the full RFC 6901 pointer of the value holding them ("key /user/contacts/0/email") by walking the JSON
// (structured.h WalkJson): NDJSON one record at a time (only records with findings are parsed), a JSON document
// whole when it is at most kMaxJsonDocument. Findings whose value cannot be placed (malformed JSON, oversized
// documents or records) keep the engine's location. Offsets stay offsets into the file.

#include <algorithm>

#include "extract_internal.h"
#include "tutela/core/file_util.h"
#include "tutela/pii/structured.h"

namespace tutela::pii::extract {
namespace {

constexpr uint64_t kMaxJsonDocument = uint64_t{256} << 20;
constexpr size_t kMaxRecord = size_t{64} << 20;

struct Stored {
  const Entity* entity;
  std::string location, value;
  uint64_t start, end, line;
  double score;
};

class BufferSink : public Sink {
 public:
  explicit BufferSink(Sink& outer) : outer_(outer) {}
  void OnFinding(const Finding& f) override {
    findings.push_back({f.entity, std::string(f.location), std::string(f.value), f.start, f.end, f.line, f.score});
  }
  void OnFileDone(std::string_view, uint64_t bytes) override {
    done = true;
    this->bytes = bytes;
  }
  void OnError(const Status& status) override { outer_.OnError(status); }
  void OnSkipped(std::string_view path, std::string_view reason) override { outer_.OnSkipped(path, reason); }
  std::vector<Stored> findings;
  bool done = false;
  uint64_t bytes = 0;

 private:
  Sink& outer_;
};

// Gives findings[from..) whose start lies in `text` (at file offset `base`) the pointer of their scalar.
void Place(std::string_view text, uint64_t base, std::vector<Stored>& findings, size_t from) {
  size_t i = from;
  Status walked = WalkJson(text, "json", [&](const JsonScalar& scalar) {
    while (i < findings.size() && findings[i].start < base + scalar.begin) ++i;
    while (i < findings.size() && findings[i].start < base + scalar.end) {
      if (!scalar.pointer.empty()) findings[i].location = "key " + scalar.pointer;
      ++i;
    }
  });
  (void)walked;  // malformed JSON: what was placed stays placed, the rest keeps the engine's location
}

void SortByStart(std::vector<Stored>& findings) {
  std::stable_sort(findings.begin(), findings.end(),
                   [](const Stored& a, const Stored& b) { return a.start < b.start; });
}

// Hands the placed findings to `sink` under `path`.
void Deliver(const std::vector<Stored>& findings, std::string_view path, Sink& sink) {
  for (const Stored& stored : findings) {
    Finding finding;
    finding.entity = stored.entity;
    finding.path = path;
    finding.location = stored.location;
    finding.start = stored.start;
    finding.end = stored.end;
    finding.line = stored.line;
    finding.score = stored.score;
    finding.value = stored.value;
    sink.OnFinding(finding);
  }
}

// NDJSON: finds each record holding findings by scanning for newlines, then parses that record only.
Status PlaceRecords(int fd, uint64_t size, std::vector<Stored>& findings, std::string_view path) {
  std::string block;
  uint64_t record_start = 0;  // file offset of the current record
  size_t next = 0;            // first finding not yet placed
  const size_t kBlock = 1 << 20;
  for (uint64_t offset = 0; offset < size && next < findings.size(); offset += kBlock) {
    TUTELA_RETURN_IF_ERROR(
        ReadAt(fd, offset, static_cast<size_t>(std::min<uint64_t>(kBlock, size - offset)), &block, path));
    if (block.empty()) break;
    for (size_t pos = 0; (pos = block.find('\n', pos)) != std::string::npos; ++pos) {
      uint64_t record_end = offset + pos;  // the newline
      while (next < findings.size() && findings[next].start < record_start) ++next;
      if (next < findings.size() && findings[next].start < record_end && record_end - record_start <= kMaxRecord) {
        std::string record;
        TUTELA_RETURN_IF_ERROR(ReadAt(fd, record_start, static_cast<size_t>(record_end - record_start), &record, path));
        Place(record, record_start, findings, next);
      }
      record_start = record_end + 1;
    }
  }
  while (next < findings.size() && findings[next].start < record_start) ++next;
  if (next < findings.size() && size - record_start <= kMaxRecord) {  // the last record, without a newline
    std::string record;
    TUTELA_RETURN_IF_ERROR(ReadAt(fd, record_start, static_cast<size_t>(size - record_start), &record, path));
    Place(record, record_start, findings, next);
  }
  return Status::Ok();
}

}  // namespace

bool IsJsonName(std::string_view name, bool* records) {
  auto ends = [&](std::string_view suffix) {
    if (name.size() < suffix.size()) return false;
    for (size_t i = 0; i < suffix.size(); ++i) {
      char c = name[name.size() - suffix.size() + i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if (c != suffix[i]) return false;
    }
    return true;
  };
  *records = ends(".ndjson") || ends(".jsonl");
  return *records || ends(".json");
}

Status ScanJsonFile(Scanner& scanner, int fd, std::string_view head, uint64_t size, bool records,
                    std::string_view display_path, Sink& sink) {
  BufferSink buffer(sink);
  Status scanned = scanner.ScanFd(fd, display_path, buffer, head);
  std::vector<Stored>& findings = buffer.findings;
  if (!findings.empty()) {
    SortByStart(findings);
    Status placed;
    if (records) {
      placed = PlaceRecords(fd, size, findings, display_path);
    } else if (size <= kMaxJsonDocument) {
      std::string document;
      placed = ReadAt(fd, 0, static_cast<size_t>(size), &document, std::string(display_path));
      if (placed.ok()) Place(document, 0, findings, 0);
    }
    (void)placed;  // a failed re-read keeps the engine's locations; the scan itself succeeded
  }
  Deliver(findings, display_path, sink);
  if (buffer.done) sink.OnFileDone(display_path, buffer.bytes);
  return scanned;
}

Status ScanJsonMemory(Context& ctx, std::string_view data, std::string_view name, std::string_view location,
                      bool records) {
  BufferSink buffer(*ctx.sink);
  Status scanned = ctx.scanner->ScanBuffer(data, name, buffer);
  std::vector<Stored>& findings = buffer.findings;
  SortByStart(findings);
  if (!findings.empty() && records) {
    size_t next = 0;
    for (size_t begin = 0; begin < data.size() && next < findings.size();) {
      size_t end = data.find('\n', begin);
      if (end == std::string_view::npos) end = data.size();
      while (next < findings.size() && findings[next].start < begin) ++next;
      if (next < findings.size() && findings[next].start < end)
        Place(data.substr(begin, end - begin), begin, findings, next);
      begin = end + 1;
    }
  } else if (!findings.empty()) {
    Place(data, 0, findings, 0);
  }
  LocatedSink located(ctx, std::string(location));
  Deliver(findings, ctx.path, located);
  ctx.scanned += buffer.bytes;
  return scanned;
}

}  // namespace tutela::pii::extract
