// JSON and NDJSON files: the engine scans the bytes as usual (the innermost key is context); the findings are then
// given the full RFC 6901 pointer of the value holding them ("key /user/contacts/0/email") by walking the JSON
// (structured.h WalkJson): NDJSON one record at a time (only records with findings are parsed), a JSON document
// whole when it is at most kMaxJsonDocument. Findings whose value cannot be placed (malformed JSON, oversized
// documents or records) keep the engine's location. Offsets stay offsets into the file.

#include <algorithm>
#include <functional>

#include "extract_internal.h"
#include "held.h"
#include "tutela/core/file_util.h"
#include "tutela/pii/structured.h"

namespace tutela::pii::extract {
namespace {

constexpr uint64_t kMaxJsonDocument = uint64_t{256} << 20;
constexpr size_t kMaxRecord = size_t{64} << 20;

class BufferSink : public Sink {
 public:
  explicit BufferSink(Sink& outer) : outer_(outer) {}
  void OnFinding(const Finding& f) override {
    findings.push_back(Hold(f));
    if (on_batch && findings.size() >= next_batch) {
      on_batch();
      // What could not be handed over yet (one long record) waits for twice as many: amortised, not per finding.
      next_batch = findings.size() + std::max(kBatch, findings.size());
    }
  }
  static constexpr size_t kBatch = 4096;
  std::function<void()> on_batch;  // called when `next_batch` findings are held
  size_t next_batch = kBatch;
  void OnFileDone(std::string_view, uint64_t bytes) override {
    done = true;
    this->bytes = bytes;
  }
  void OnError(const Status& status) override { outer_.OnError(status); }
  void OnSkipped(std::string_view path, std::string_view reason) override { outer_.OnSkipped(path, reason); }
  std::vector<HeldFinding> findings;
  bool done = false;
  uint64_t bytes = 0;

 private:
  Sink& outer_;
};

// Gives findings[from..) whose start lies in `text` (at file offset `base`) the pointer of their scalar.
void Place(std::string_view text, uint64_t base, std::vector<HeldFinding>& findings, size_t from) {
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

// The first of findings[next..) (sorted by start) that starts at or after `begin`.
size_t SkipBefore(const std::vector<HeldFinding>& findings, size_t next, uint64_t begin) {
  while (next < findings.size() && findings[next].start < begin) ++next;
  return next;
}

// Moves `next` past the findings before `begin`; true when the next one starts before `end`, so the record
// [begin, end) holds a finding to place.
bool HoldsFindings(const std::vector<HeldFinding>& findings, size_t& next, uint64_t begin, uint64_t end) {
  next = SkipBefore(findings, next, begin);
  return next < findings.size() && findings[next].start < end;
}

void SortByStart(std::vector<HeldFinding>& findings) {
  std::stable_sort(findings.begin(), findings.end(),
                   [](const HeldFinding& a, const HeldFinding& b) { return a.start < b.start; });
}

// Hands the placed findings to `sink` under `path`.
void Deliver(const std::vector<HeldFinding>& findings, std::string_view path, Sink& sink) {
  for (const HeldFinding& held : findings) HandOver(held, path, 0, sink);
}

// NDJSON: walks the file's records in order (finding each by its newline) and parses only the records that hold
// findings. Incremental, so a file's findings are placed and handed over in batches as the scan goes, and memory
// holds one batch whatever the file's size (it held every finding of the file until its end: 787 MiB for a
// 300 MiB log).
class RecordPlacer {
 public:
  RecordPlacer(int fd, uint64_t size, std::string_view path) : fd_(fd), size_(size), path_(path) {}

  // Places the findings (sorted by start) of every record that ends before `limit`, and of the last record too
  // when `limit` is past the file's end. Returns how many leading findings are settled: those before the first
  // record not yet passed.
  Result<size_t> PlaceBefore(std::vector<HeldFinding>& findings, uint64_t limit) {
    size_t next = 0;
    while (next < findings.size()) {
      if (pos_ >= block_.size()) {
        uint64_t offset = block_offset_ + block_.size();
        if (offset >= size_) break;
        block_offset_ = offset;
        TUTELA_RETURN_IF_ERROR(
            ReadAt(fd_, offset, static_cast<size_t>(std::min<uint64_t>(kBlock, size_ - offset)), &block_, path_));
        pos_ = 0;
        if (block_.empty()) break;
        continue;
      }
      size_t newline = block_.find('\n', pos_);
      if (newline == std::string::npos) {
        pos_ = block_.size();
        continue;
      }
      uint64_t record_end = block_offset_ + newline;
      if (record_end >= limit) return Settled(findings, next);
      TUTELA_RETURN_IF_ERROR(PlaceRecord(findings, next, record_end));
      record_start_ = record_end + 1;
      pos_ = newline + 1;
    }
    if (limit > size_) {  // the last record, without a newline
      TUTELA_RETURN_IF_ERROR(PlaceRecord(findings, next, size_));
      record_start_ = size_;
    }
    return Settled(findings, next);
  }

 private:
  static constexpr size_t kBlock = size_t{1} << 20;

  Status PlaceRecord(std::vector<HeldFinding>& findings, size_t& next, uint64_t record_end) {
    if (HoldsFindings(findings, next, record_start_, record_end) && record_end - record_start_ <= kMaxRecord) {
      TUTELA_RETURN_IF_ERROR(
          ReadAt(fd_, record_start_, static_cast<size_t>(record_end - record_start_), &record_, path_));
      Place(record_, record_start_, findings, next);
    }
    return Status::Ok();
  }
  size_t Settled(const std::vector<HeldFinding>& findings, size_t next) const {
    return SkipBefore(findings, next, record_start_);
  }

  int fd_;
  uint64_t size_;
  std::string path_;
  std::string block_, record_;
  uint64_t block_offset_ = 0;  // file offset of block_
  size_t pos_ = 0;             // where the search for the next newline goes on in block_
  uint64_t record_start_ = 0;  // file offset of the first record not yet passed
};

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
  std::vector<HeldFinding>& findings = buffer.findings;
  RecordPlacer placer(fd, size, display_path);
  bool placing = true;  // a failed re-read keeps the engine's locations from there on; the scan itself goes on
  // NDJSON: the findings of the records the scan has left behind are placed and handed over in batches. The scan
  // reports findings in the order they end, chunk after chunk, so none can still come that starts 2 KiB or more
  // before the last one.
  auto settle = [&](uint64_t limit) {
    SortByStart(findings);
    size_t settled = findings.size();
    if (placing) {
      Result<size_t> placed = placer.PlaceBefore(findings, limit);
      placing = placed.ok();
      if (placed.ok()) settled = *placed;
    }
    std::vector<HeldFinding> rest(std::make_move_iterator(findings.begin() + static_cast<std::ptrdiff_t>(settled)),
                                  std::make_move_iterator(findings.end()));
    findings.resize(settled);
    Deliver(findings, display_path, sink);
    findings = std::move(rest);
  };
  if (records) {
    buffer.on_batch = [&] {
      uint64_t last = findings.back().start;
      settle(last > 2048 ? last - 2048 : 0);
    };
  } else if (size > kMaxJsonDocument) {
    buffer.on_batch = [&] {  // too large to place: handed over as found
      Deliver(findings, display_path, sink);
      findings.clear();
    };
  }
  Status scanned = scanner.ScanFd(fd, display_path, buffer, head);
  if (records) {
    settle(UINT64_MAX);
  } else if (!findings.empty() && size <= kMaxJsonDocument) {
    SortByStart(findings);
    std::string document;
    if (ReadAt(fd, 0, static_cast<size_t>(size), &document, std::string(display_path)).ok()) {
      Place(document, 0, findings, 0);
    }
  }
  Deliver(findings, display_path, sink);
  if (buffer.done) sink.OnFileDone(display_path, buffer.bytes);
  return scanned;
}

Status ScanJsonMemory(Context& ctx, std::string_view data, std::string_view name, std::string_view location,
                      bool records) {
  BufferSink buffer(*ctx.sink);
  Status scanned = ctx.scanner->ScanBuffer(data, name, buffer);
  std::vector<HeldFinding>& findings = buffer.findings;
  SortByStart(findings);
  if (!findings.empty() && records) {
    size_t next = 0;
    for (size_t begin = 0; begin < data.size() && next < findings.size();) {
      size_t end = data.find('\n', begin);
      if (end == std::string_view::npos) end = data.size();
      if (HoldsFindings(findings, next, begin, end)) Place(data.substr(begin, end - begin), begin, findings, next);
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
