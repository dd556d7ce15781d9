// Archives and compressed streams through libarchive: zip, tar, 7z, cpio, ... and gz, bz2, xz, zst (alone or around
// a tar). Members are sniffed like files: text is streamed to the scanner, nested containers (archives, Office
// files, PDFs, SQLite databases) are read into memory (bounded) and scanned recursively up to
// ExtractOptions::max_depth levels. Every unpacked byte counts against the archive-bomb limits.
#include <archive.h>
#include <archive_entry.h>
#include <unistd.h>

#include <cerrno>
#include <memory>

#include "extract_internal.h"

namespace tutela::pii::extract {
namespace {

constexpr size_t kMaxJsonMember = size_t{64} << 20;

struct ArchiveDeleter {
  void operator()(archive* a) const { archive_read_free(a); }
};
using ArchivePtr = std::unique_ptr<archive, ArchiveDeleter>;

ArchivePtr NewReader() {
  ArchivePtr a(archive_read_new());
  archive_read_support_filter_all(a.get());
  archive_read_support_format_all(a.get());
  archive_read_support_format_raw(a.get());  // a single compressed stream (app.log.gz)
  return a;
}

std::string ErrorText(archive* a) {
  const char* text = archive_error_string(a);
  return text != nullptr ? text : "unknown error";
}

// "app.log" for "logs/app.log.gz"; the base name when there is no compression suffix.
std::string InnerName(std::string_view name) {
  size_t slash = name.rfind('/');
  if (slash != std::string_view::npos) name.remove_prefix(slash + 1);
  for (std::string_view suffix : {".gz", ".tgz", ".bz2", ".xz", ".zst", ".zstd", ".lz4", ".z"}) {
    if (name.size() > suffix.size() && name.substr(name.size() - suffix.size()) == suffix) {
      std::string out(name.substr(0, name.size() - suffix.size()));
      if (suffix == ".tgz") out += ".tar";
      return out;
    }
  }
  return std::string(name);
}

Result<size_t> ReadData(Context& ctx, archive* a, char* buffer, size_t capacity, const std::string& location) {
  la_ssize_t n = archive_read_data(a, buffer, capacity);
  if (n < 0) {
    return Damaged(ctx, location, "cannot unpack (" + ErrorText(a) + ")",
                   "the archive is damaged or truncated; repair or re-create it");
  }
  TUTELA_RETURN_IF_ERROR(ctx.budget.Add(static_cast<uint64_t>(n), location));
  return static_cast<size_t>(n);
}

Status Walk(Context& ctx, archive* a, std::string_view outer_name, std::string_view location, int depth) {
  archive_entry* entry = nullptr;
  bool any = false;
  while (true) {
    int rc = archive_read_next_header(a, &entry);
    if (rc == ARCHIVE_EOF) break;
    if (rc < ARCHIVE_WARN) {
      std::string what = any ? "the archive is damaged after its last readable member (" + ErrorText(a) + ")"
                             : "not a readable archive (" + ErrorText(a) + ")";
      return Damaged(ctx, location, what, "repair or re-create it (it may be truncated)");
    }
    any = true;
    if (archive_entry_filetype(entry) != AE_IFREG) continue;
    const char* raw_name = archive_entry_pathname_utf8(entry);
    if (raw_name == nullptr) raw_name = archive_entry_pathname(entry);
    std::string name = raw_name != nullptr ? raw_name : "?";
    if (archive_format(a) == ARCHIVE_FORMAT_RAW) {
      // Raw data and no decompression filter: the magic number promised a compressed stream that is not there.
      if (archive_filter_code(a, 0) == ARCHIVE_FILTER_NONE) {
        return Damaged(ctx, location, "not a readable compressed file (its header is damaged)",
                       "repair or re-create it (it may be truncated)");
      }
      name = InnerName(outer_name);
    }
    std::string member = JoinLocation(location, name);
    if (archive_entry_is_encrypted(entry)) {
      ctx.sink->OnSkipped(ctx.path + "!" + member, "encrypted archive member");
      continue;
    }
    constexpr size_t head_size = 8192;
    std::string head(head_size, '\0');
    size_t got = 0;
    while (got < head.size()) {
      TUTELA_ASSIGN_OR_RETURN(size_t n, ReadData(ctx, a, head.data() + got, head.size() - got, member));
      if (n == 0) break;
      got += n;
    }
    head.resize(got);
    bool whole = got < head_size;  // the member ended within the head
    InputKind kind = SniffKind(name, head);
    bool records = false;
    if (kind == InputKind::kText && !whole && IsJsonName(name, &records) &&
        SourceEncoding(*ctx.options, head).empty()) {
      // JSON members up to kMaxJsonMember are read whole, so findings get their JSON Pointer; larger ones stream.
      std::string buffer(65536, '\0');
      while (head.size() < kMaxJsonMember) {
        TUTELA_ASSIGN_OR_RETURN(size_t n, ReadData(ctx, a, buffer.data(), buffer.size(), member));
        if (n == 0) {
          whole = true;  // scanned in place below
          break;
        }
        head.append(buffer.data(), n);
      }
    }
    if (kind == InputKind::kText && whole && SourceEncoding(*ctx.options, head).empty()) {
      // Small member, already read whole: scanned in place (no stream, no thread).
      TUTELA_RETURN_IF_ERROR(ScanMemoryAt(ctx, head, kind, name, member, depth));
      continue;
    }
    if (kind == InputKind::kText) {
      Reader reader = [&ctx, a, &member](char* buffer, size_t capacity) {
        return ReadData(ctx, a, buffer, capacity, member);
      };
      TUTELA_RETURN_IF_ERROR(ScanStream(ctx, std::move(head), reader, name, member));
      continue;
    }
    bool container = kind == InputKind::kArchive || kind == InputKind::kCompressed || kind == InputKind::kDocx ||
                     kind == InputKind::kXlsx || kind == InputKind::kPptx;
    if (container && depth + 1 > ctx.options->max_depth) {
      ctx.sink->OnSkipped(ctx.path + "!" + member, "nested deeper than " + std::to_string(ctx.options->max_depth) +
                                                       " containers (archive-bomb limit)");
      continue;
    }
    std::string data = std::move(head);
    if (!whole) {
      std::string buffer(65536, '\0');
      while (true) {
        TUTELA_ASSIGN_OR_RETURN(size_t n, ReadData(ctx, a, buffer.data(), buffer.size(), member));
        if (n == 0) break;
        data.append(buffer.data(), n);
        if (data.size() > ctx.options->max_member_bytes) {
          return Status::InvalidArgument(ctx.path + ": in " + member + ": a nested " + std::string(KindName(kind)) +
                                         " larger than " + std::to_string(ctx.options->max_member_bytes >> 20) +
                                         " MiB is not scanned; unpack it and scan it on its own");
        }
      }
    }
    TUTELA_RETURN_IF_ERROR(ScanMemoryAt(ctx, data, kind, name, member, depth + 1));
  }
  return Status::Ok();
}

struct FdSource {
  int fd;
  std::string head;
  bool head_done = false;
  std::string buffer = std::string(65536, '\0');
};

la_ssize_t ReadFdSource(archive*, void* data, const void** block) {
  auto* source = static_cast<FdSource*>(data);
  if (!source->head_done) {
    source->head_done = true;
    if (!source->head.empty()) {
      *block = source->head.data();
      return static_cast<la_ssize_t>(source->head.size());
    }
  }
  while (true) {
    ssize_t n = ::read(source->fd, source->buffer.data(), source->buffer.size());
    if (n < 0 && errno == EINTR) continue;
    *block = source->buffer.data();
    return n;
  }
}

}  // namespace

Status ScanArchiveMemory(Context& ctx, std::string_view data, std::string_view name, std::string_view location,
                         int depth) {
  ArchivePtr a = NewReader();
  if (archive_read_open_memory(a.get(), data.data(), data.size()) != ARCHIVE_OK) {
    return Damaged(ctx, location, "not a readable archive (" + ErrorText(a.get()) + ")",
                   "repair or re-create it (it may be truncated)");
  }
  return Walk(ctx, a.get(), name, location, depth);
}

Status ScanArchiveFd(Context& ctx, int fd, std::string head, std::string_view name) {
  ArchivePtr a = NewReader();
  FdSource source{fd, std::move(head)};
  // A file (no bytes read ahead) can seek: zip is then read through its central directory.
  int opened = source.head.empty() ? archive_read_open_fd(a.get(), fd, 65536)
                                   : archive_read_open(a.get(), &source, nullptr, ReadFdSource, nullptr);
  if (opened != ARCHIVE_OK) {
    return Damaged(ctx, "", "not a readable archive (" + ErrorText(a.get()) + ")",
                   "repair or re-create it (it may be truncated)");
  }
  return Walk(ctx, a.get(), name, "", 1);
}

}  // namespace tutela::pii::extract
