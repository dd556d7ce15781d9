// Input routing for the extractors (see tutela/pii/extract.h): sniffing, located findings, segmented text, streams
// through a pump thread, encoding conversion (iconv), files, standard input and in-memory inputs.
#include "tutela/pii/extract.h"

#include <fcntl.h>
#include <iconv.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <thread>

#include "extract_internal.h"
#include "tutela/core/file_util.h"

namespace tutela::pii {
namespace {

bool StartsWith(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }

std::string LowerAscii(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool EndsWithNoCase(std::string_view name, std::string_view suffix) {
  return name.size() >= suffix.size() && LowerAscii(name.substr(name.size() - suffix.size())) == suffix;
}

std::string HumanBytes(uint64_t bytes) {
  if (bytes >= (uint64_t{1} << 30) && bytes % (uint64_t{1} << 30) == 0) {
    return std::to_string(bytes >> 30) + " GiB";
  }
  if (bytes >= (uint64_t{1} << 20)) return std::to_string(bytes >> 20) + " MiB";
  return std::to_string(bytes) + " bytes";
}

// Reads until `size` bytes or the end; errno status on failure.
Result<std::string> ReadUpTo(int fd, size_t size, std::string_view path) {
  std::string out(size, '\0');
  size_t got = 0;
  while (got < size) {
    ssize_t n = ::read(fd, out.data() + got, size - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoStatus(errno, "read", std::string(path));
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  out.resize(got);
  return out;
}

extract::Reader FdReader(int fd, std::string path) {
  return [fd, path](char* buffer, size_t capacity) -> Result<size_t> {
    while (true) {
      ssize_t n = ::read(fd, buffer, capacity);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return ErrnoStatus(errno, "read", path);
      return static_cast<size_t>(n);
    }
  };
}

// Converts a byte stream from `encoding` to UTF-8.
struct Converter {
  iconv_t cd = reinterpret_cast<iconv_t>(-1);
  std::string encoding;
  std::string pending;
  extract::Reader inner;
  bool eof = false;
  uint64_t offset = 0;  // input bytes converted so far
  std::string where;

  ~Converter() {
    if (cd != reinterpret_cast<iconv_t>(-1)) iconv_close(cd);
  }

  Result<size_t> Read(char* out, size_t capacity) {
    while (true) {
      if (pending.size() < 4096 && !eof) {
        size_t old = pending.size();
        pending.resize(old + 65536);
        Result<size_t> n = inner(pending.data() + old, 65536);
        if (!n.ok()) return n.status();
        pending.resize(old + *n);
        if (*n == 0) eof = true;
      }
      if (pending.empty()) return size_t{0};
      char* in = pending.data();
      size_t in_left = pending.size();
      char* to = out;
      size_t to_left = capacity;
      size_t rc = iconv(cd, &in, &in_left, &to, &to_left);
      int error = rc == static_cast<size_t>(-1) ? errno : 0;
      size_t consumed = pending.size() - in_left;
      size_t produced = capacity - to_left;
      offset += consumed;
      pending.erase(0, consumed);
      if (error == EILSEQ) {
        return Status::InvalidArgument(where + ": invalid " + encoding + " text at byte " + std::to_string(offset) +
                                       " of the text; give the right --encoding (e.g. GB18030, BIG5, SHIFT_JIS, "
                                       "EUC-KR, UTF-16LE) or fix the file");
      }
      if (error == EINVAL && eof && produced == 0) {
        return Status::InvalidArgument(where + ": the " + encoding + " text ends in the middle of a character (byte " +
                                       std::to_string(offset) + "); the file is truncated or not " + encoding);
      }
      if (produced > 0) return produced;
      if (error == E2BIG) return Status::Internal(where + ": conversion buffer too small");
    }
  }
};

}  // namespace

namespace extract {

Status Budget::Add(uint64_t bytes, std::string_view where) {
  expanded += bytes;
  std::string place = path + (where.empty() ? "" : ": in " + std::string(where));
  if (expanded > options->max_expanded_bytes) {
    return Status::InvalidArgument(place + ": unpacks to more than " + HumanBytes(options->max_expanded_bytes) +
                                   " (archive-bomb limit); not scanned further. If the archive is genuine, raise "
                                   "--max-expanded-size");
  }
  if (expanded > options->ratio_floor_bytes && packed > 0 &&
      static_cast<double>(expanded) > options->max_ratio * static_cast<double>(packed)) {
    return Status::InvalidArgument(place + ": unpacks to more than " +
                                   std::to_string(static_cast<uint64_t>(options->max_ratio)) +
                                   " times its packed size (archive-bomb limit); not scanned further. If the archive "
                                   "is genuine, raise --max-ratio");
  }
  return Status::Ok();
}

std::string JoinLocation(std::string_view outer, std::string_view inner) {
  if (outer.empty()) return std::string(inner);
  if (inner.empty()) return std::string(outer);
  std::string out(outer);
  out.push_back('!');
  out.append(inner);
  return out;
}

void LocatedSink::OnFinding(const Finding& finding) {
  Finding located = finding;
  located.path = ctx_.path;
  location_ = JoinLocation(prefix_, finding.location);
  located.location = location_;
  ctx_.sink->OnFinding(located);
}

void LocatedSink::OnSkipped(std::string_view, std::string_view reason) {
  ctx_.sink->OnSkipped(prefix_.empty() ? ctx_.path : ctx_.path + "!" + prefix_, reason);
}

void SegmentedText::Append(std::string_view text, bool cell) {
  size_t at = text_.size();
  text_.append(text);
  if (!cell) return;
  for (size_t i = at; i < text_.size(); ++i) {
    char c = text_[i];
    if (c == '\t' || c == '\n' || c == '\r' || c == '"') text_[i] = ' ';
  }
}

namespace {

class SegmentSink : public Sink {
 public:
  SegmentSink(Context& ctx, std::string_view prefix, std::string_view text,
              const std::vector<std::pair<size_t, std::string>>& marks)
      : ctx_(ctx), prefix_(prefix), text_(text), marks_(marks) {}
  void OnFinding(const Finding& finding) override {
    auto it = std::upper_bound(marks_.begin(), marks_.end(), finding.start,
                               [](uint64_t start, const auto& mark) { return start < mark.first; });
    size_t from = 0;
    std::string_view label;
    if (it != marks_.begin()) {
      --it;
      from = it->first;
      label = it->second;
    }
    Finding located = finding;
    located.path = ctx_.path;
    location_ = JoinLocation(prefix_, label);
    located.location = location_;
    located.start = finding.start - from;
    located.end = finding.end - from;
    located.line =
        1 + static_cast<uint64_t>(std::count(text_.begin() + static_cast<std::ptrdiff_t>(from),
                                             text_.begin() + static_cast<std::ptrdiff_t>(finding.start), '\n'));
    ctx_.sink->OnFinding(located);
  }
  void OnFileDone(std::string_view, uint64_t bytes) override { ctx_.scanned += bytes; }
  void OnError(const Status& status) override { ctx_.sink->OnError(status); }
  void OnSkipped(std::string_view, std::string_view reason) override {
    ctx_.sink->OnSkipped(prefix_.empty() ? ctx_.path : ctx_.path + "!" + std::string(prefix_), reason);
  }

 private:
  Context& ctx_;
  std::string_view prefix_;
  std::string_view text_;
  const std::vector<std::pair<size_t, std::string>>& marks_;
  std::string location_;
};

}  // namespace

Status SegmentedText::Scan(Context& ctx, std::string_view prefix, std::string_view name) {
  if (text_.empty()) return Status::Ok();
  SegmentSink sink(ctx, prefix, text_, marks_);
  return ctx.scanner->ScanBuffer(text_, name, sink);
}

std::string SourceEncoding(const ExtractOptions& options, std::string_view head) {
  if (!options.encoding.empty()) {
    std::string lower = LowerAscii(options.encoding);
    if (lower == "utf-8" || lower == "utf8" || lower == "ascii") return "";
    return options.encoding;
  }
  if (StartsWith(head, "\xFF\xFE") || StartsWith(head, "\xFE\xFF")) return "UTF-16";
  return "";
}

Status ScanStream(Context& ctx, std::string head, Reader reader, std::string_view name, std::string_view location) {
  std::string encoding = SourceEncoding(*ctx.options, head);
  if (!encoding.empty()) {
    auto converter = std::make_shared<Converter>();
    converter->cd = iconv_open("UTF-8", encoding.c_str());
    if (converter->cd == reinterpret_cast<iconv_t>(-1)) {
      return Status::InvalidArgument("unknown text encoding \"" + encoding + "\"; use a name `iconv -l` lists");
    }
    converter->encoding = encoding;
    converter->where = location.empty() ? ctx.path : ctx.path + ": in " + std::string(location);
    converter->pending = std::move(head);
    converter->inner = std::move(reader);
    head.clear();
    reader = [converter](char* buffer, size_t capacity) { return converter->Read(buffer, capacity); };
  }
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
    return ErrnoStatus(errno, "socketpair", ctx.path);
  }
  Status pump_status;
  std::thread pump([&] {
    auto send_all = [&](const char* data, size_t size) {
      while (size > 0) {
        ssize_t n = ::send(fds[1], data, size, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;  // the scanner stopped reading (e.g. binary content)
        data += n;
        size -= static_cast<size_t>(n);
      }
      return true;
    };
    if (send_all(head.data(), head.size())) {
      std::string buffer(65536, '\0');
      while (true) {
        Result<size_t> n = reader(buffer.data(), buffer.size());
        if (!n.ok()) {
          pump_status = n.status();
          break;
        }
        if (*n == 0 || !send_all(buffer.data(), *n)) break;
      }
    }
    ::close(fds[1]);
  });
  LocatedSink located(ctx, std::string(location));
  Status scanned = ctx.scanner->ScanFd(fds[0], name, located);
  ::close(fds[0]);
  pump.join();
  if (!pump_status.ok()) return pump_status;
  return scanned;
}

TableText::TableText(Context& ctx, std::string prefix, std::string table, std::vector<std::string> columns,
                     std::string row_word)
    : ctx_(ctx),
      prefix_(std::move(prefix)),
      table_(std::move(table)),
      columns_(std::move(columns)),
      row_word_(std::move(row_word)) {}

void TableText::Header() {
  for (size_t i = 0; i < columns_.size(); ++i) {
    if (i > 0) text_.Raw("\t");
    text_.Append(columns_[i], true);
  }
  text_.Raw("\n");
}

Status TableText::Row(std::string_view row, const std::vector<std::optional<std::string_view>>& values) {
  if (text_.size() > (size_t{1} << 20)) TUTELA_RETURN_IF_ERROR(Flush());
  if (text_.empty()) Header();
  for (size_t i = 0; i < values.size() && i < columns_.size(); ++i) {
    if (i > 0) text_.Raw("\t");
    if (!values[i]) continue;
    text_.Mark(table_ + "." + columns_[i] + " " + row_word_ + " " + std::string(row));
    text_.Append(*values[i], true);
  }
  text_.Raw("\n");
  return Status::Ok();
}

Status TableText::Flush() {
  Status status = text_.Scan(ctx_, prefix_, "table.tsv");
  text_.Clear();
  return status;
}

Status Damaged(const Context& ctx, std::string_view location, std::string_view what, std::string_view fix) {
  std::string place = ctx.path;
  if (!location.empty()) place += ": in " + std::string(location);
  return Status::Corruption(place + ": " + std::string(what) + "; " + std::string(fix));
}

Status ScanMemoryAt(Context& ctx, std::string_view data, InputKind kind, std::string_view name,
                    std::string_view location, int depth) {
  switch (kind) {
    case InputKind::kArchive:
    case InputKind::kCompressed:
      return ScanArchiveMemory(ctx, data, name, location, depth);
    case InputKind::kDocx:
    case InputKind::kXlsx:
    case InputKind::kPptx:
      return ScanOoxml(ctx, data, kind, location);
    case InputKind::kPdf:
      return ScanPdf(ctx, data, location);
    case InputKind::kSqlite:
      return ScanSqliteMemory(ctx, data, location);
    case InputKind::kText:
      break;
  }
  if (!SourceEncoding(*ctx.options, data.substr(0, 8)).empty()) {
    return ScanStream(
        ctx, std::string(data), [](char*, size_t) -> Result<size_t> { return size_t{0}; }, name, location);
  }
  LocatedSink located(ctx, std::string(location));
  if (data.substr(0, 8192).find('\0') != std::string_view::npos) {  // as Scanner::ScanFd sniffs files
    located.OnSkipped(name, "binary content");
    return Status::Ok();
  }
  if (bool records = false; IsJsonName(name, &records)) return ScanJsonMemory(ctx, data, name, location, records);
  return ctx.scanner->ScanBuffer(data, name, located);
}

}  // namespace extract

InputKind SniffKind(std::string_view name, std::string_view head) {
  if (StartsWith(head, "PK\x03\x04") || StartsWith(head, std::string_view("PK\x05\x06", 4))) {
    if (EndsWithNoCase(name, ".docx") || EndsWithNoCase(name, ".docm")) return InputKind::kDocx;
    if (EndsWithNoCase(name, ".xlsx") || EndsWithNoCase(name, ".xlsm")) return InputKind::kXlsx;
    if (EndsWithNoCase(name, ".pptx") || EndsWithNoCase(name, ".pptm")) return InputKind::kPptx;
    return InputKind::kArchive;
  }
  if (StartsWith(head, "%PDF-")) return InputKind::kPdf;
  if (StartsWith(head, std::string_view("SQLite format 3\0", 16))) return InputKind::kSqlite;
  if (StartsWith(head, "\x1F\x8B") || StartsWith(head, std::string_view("\xFD\x37\x7A\x58\x5A\x00", 6)) ||
      StartsWith(head, "\x28\xB5\x2F\xFD") ||
      (StartsWith(head, "BZh") && head.size() >= 10 && head[3] >= '1' && head[3] <= '9' &&
       head.substr(4, 6) == "1AY&SY")) {
    return InputKind::kCompressed;
  }
  if (StartsWith(head, "7z\xBC\xAF\x27\x1C") || StartsWith(head, "Rar!\x1A\x07") ||
      (head.size() >= 262 && head.substr(257, 5) == "ustar")) {
    return InputKind::kArchive;
  }
  return InputKind::kText;
}

std::string_view KindName(InputKind kind) {
  switch (kind) {
    case InputKind::kText:
      return "text";
    case InputKind::kArchive:
      return "archive";
    case InputKind::kCompressed:
      return "compressed";
    case InputKind::kDocx:
      return "docx";
    case InputKind::kXlsx:
      return "xlsx";
    case InputKind::kPptx:
      return "pptx";
    case InputKind::kPdf:
      return "pdf";
    case InputKind::kSqlite:
      return "sqlite";
  }
  return "text";
}

Status CheckEncoding(std::string_view encoding) {
  iconv_t cd = iconv_open("UTF-8", std::string(encoding).c_str());
  if (cd == reinterpret_cast<iconv_t>(-1)) {
    return Status::InvalidArgument("--encoding \"" + std::string(encoding) +
                                   "\" is not an encoding iconv knows; use e.g. GB18030, BIG5, SHIFT_JIS, EUC-KR, "
                                   "UTF-16LE (`iconv -l` lists them)");
  }
  iconv_close(cd);
  return Status::Ok();
}

bool IsPostgresUri(std::string_view root) {
  return StartsWith(root, "postgres://") || StartsWith(root, "postgresql://");
}

std::string RedactUri(std::string_view uri) {
  size_t scheme = uri.find("://");
  if (scheme == std::string_view::npos) return std::string(uri);
  size_t authority = scheme + 3;
  size_t end = uri.find_first_of("/?#", authority);
  std::string_view userinfo_host = uri.substr(authority, end == std::string_view::npos ? end : end - authority);
  size_t at = userinfo_host.rfind('@');
  std::string out(uri);
  if (at != std::string_view::npos) {
    size_t colon = userinfo_host.substr(0, at).find(':');
    if (colon != std::string_view::npos) out.replace(authority + colon + 1, at - colon - 1, "***");
  }
  // password=... in the query string
  size_t query = out.find('?');
  if (query != std::string::npos) {
    for (size_t pos = out.find("password=", query); pos != std::string::npos; pos = out.find("password=", pos)) {
      size_t value = pos + 9;
      size_t stop = out.find('&', value);
      out.replace(value, (stop == std::string::npos ? out.size() : stop) - value, "***");
      pos = value + 3;
    }
  }
  return out;
}

namespace {

// Whether ScanInput gives a file of this kind (SniffKind) and with these first bytes to the scanner straight (ScanFd,
// or ScanJsonFile for JSON names) rather than to an extractor or a decoder.
bool ScannedStraight(InputKind kind, std::string_view head, const ExtractOptions& options) {
  return kind == InputKind::kText && extract::SourceEncoding(options, head).empty();
}

}  // namespace

bool IsPlainText(const std::filesystem::path& file, const ExtractOptions& options, bool sniff_binary) {
  const std::string name = file.filename().string();
  bool records = false;
  for (std::string_view suffix : {".csv", ".tsv", ".tab"}) {  // columns: the scanner reads a header and tracks quotes
    if (EndsWithNoCase(name, suffix)) return false;
  }
  if (extract::IsJsonName(name, &records)) return false;
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  Result<std::string> head = ReadUpTo(fd, 8192, name);
  ::close(fd);
  if (!head.ok() || !ScannedStraight(SniffKind(name, *head), *head, options)) return false;
  return !(sniff_binary && head->find('\0') != std::string::npos);
}

Status ScanInput(Scanner& scanner, const std::filesystem::path& file, std::string_view display_path,
                 const ExtractOptions& options, Sink& sink) {
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, "open", file);
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat info {};
  uint64_t size = ::fstat(fd, &info) == 0 ? static_cast<uint64_t>(info.st_size) : 0;
  TUTELA_ASSIGN_OR_RETURN(std::string head, ReadUpTo(fd, 8192, display_path));
  const std::string name = file.filename().string();
  InputKind kind = SniffKind(name, head);
  if (ScannedStraight(kind, head, options)) {
    bool records = false;  // the head is scanned from memory, and reading goes on after it
    if (extract::IsJsonName(name, &records)) {
      return extract::ScanJsonFile(scanner, fd, head, size, records, display_path, sink);
    }
    return scanner.ScanFd(fd, display_path, sink, head);
  }
  extract::Context ctx(scanner, options, sink, display_path, size);
  Status status;
  switch (kind) {
    case InputKind::kText:
      status = extract::ScanStream(ctx, std::move(head), FdReader(fd, ctx.path), display_path, "");
      break;
    case InputKind::kArchive:
    case InputKind::kCompressed:
      if (::lseek(fd, 0, SEEK_SET) != 0) return ErrnoStatus(errno, "seek", file);
      status = extract::ScanArchiveFd(ctx, fd, "", name);
      break;
    case InputKind::kSqlite:
      status = extract::ScanSqliteFile(ctx, file.string());
      break;
    default: {
      if (size > options.max_member_bytes) {
        status = Status::InvalidArgument(ctx.path + ": a " + std::string(KindName(kind)) + " file larger than " +
                                         HumanBytes(options.max_member_bytes) + " is not scanned; convert it to text");
        break;
      }
      if (::lseek(fd, 0, SEEK_SET) != 0) return ErrnoStatus(errno, "seek", file);
      auto data = ReadUpTo(fd, size, display_path);
      if (!data.ok()) return data.status();
      status = extract::ScanMemoryAt(ctx, *data, kind, name, "", 1);
    }
  }
  sink.OnFileDone(display_path, ctx.scanned);
  return status;
}

Status ScanStdin(Scanner& scanner, const ExtractOptions& options, Sink& sink) {
  const std::string path = "<stdin>";
  TUTELA_ASSIGN_OR_RETURN(std::string head, ReadUpTo(STDIN_FILENO, 8192, path));
  InputKind kind = SniffKind(path, head);
  extract::Context ctx(scanner, options, sink, path, 0);  // a stream: the packed size is known only once read
  Status status;
  if (kind == InputKind::kText) {
    status = extract::ScanStream(ctx, std::move(head), FdReader(STDIN_FILENO, path), path, "");
  } else if (kind == InputKind::kArchive || kind == InputKind::kCompressed) {
    status = extract::ScanArchiveFd(ctx, STDIN_FILENO, std::move(head), path);
  } else {
    std::string data = std::move(head);
    while (true) {
      auto more = ReadUpTo(STDIN_FILENO, 1 << 20, path);
      if (!more.ok()) return more.status();
      if (more->empty()) break;
      data += *more;
      if (data.size() > options.max_member_bytes) {
        return Status::InvalidArgument(path + ": a " + std::string(KindName(kind)) + " input larger than " +
                                       HumanBytes(options.max_member_bytes) + " is not scanned; save it to a file");
      }
    }
    ctx.budget.packed = data.size();
    status = extract::ScanMemoryAt(ctx, data, kind, path, "", 1);
  }
  sink.OnFileDone(path, ctx.scanned);
  return status;
}

Status ScanMemory(Scanner& scanner, std::string_view data, InputKind kind, std::string_view display_path,
                  const ExtractOptions& options, Sink& sink) {
  extract::Context ctx(scanner, options, sink, display_path, data.size());
  Status status = extract::ScanMemoryAt(ctx, data, kind, display_path, "", 1);
  sink.OnFileDone(display_path, ctx.scanned);
  return status;
}

}  // namespace tutela::pii
