#include "tutela/ledger/log.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "tutela/core/file_util.h"

namespace tutela::ledger {
namespace {

constexpr std::string_view kMagic = "TUTELA LEDGER 1\n";  // 16 bytes
constexpr size_t kHeaderBytes = 8;                        // u32 length, u32 CRC-32C

std::array<uint32_t, 256> MakeCrcTable() {
  std::array<uint32_t, 256> table{};
  for (uint32_t byte = 0; byte < 256; ++byte) {
    uint32_t crc = byte;
    for (int bit = 0; bit < 8; ++bit) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
    table[byte] = crc;
  }
  return table;
}

void PutU32(char* out, uint32_t value) {
  for (int byte_idx = 0; byte_idx < 4; ++byte_idx) out[byte_idx] = static_cast<char>((value >> (8 * byte_idx)) & 0xFF);
}

uint32_t GetU32(const char* in) {
  uint32_t value = 0;
  for (int byte_idx = 3; byte_idx >= 0; --byte_idx) value = (value << 8) | static_cast<uint8_t>(in[byte_idx]);
  return value;
}

uint32_t RecordCrc(const char* length_bytes, std::string_view payload) {
  return Crc32c(payload, Crc32c(std::string_view(length_bytes, 4)));
}

void AppendRecord(std::string& out, std::string_view entry) {
  char header[kHeaderBytes];
  PutU32(header, static_cast<uint32_t>(entry.size()));
  PutU32(header + 4, RecordCrc(header, entry));
  out.append(header, kHeaderBytes);
  out.append(entry);
}

Status ReadExact(int fd, uint64_t offset, char* buffer, size_t count, const std::filesystem::path& path) {
  size_t done = 0;
  while (done < count) {
    ssize_t got = ::pread(fd, buffer + done, count - done, static_cast<off_t>(offset + done));
    if (got < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, "read", path);
    }
    if (got == 0) return Status::Corruption(path.string() + ": unexpected end of file while reading a record.");
    done += static_cast<size_t>(got);
  }
  return Status::Ok();
}

}  // namespace

uint32_t Crc32c(std::string_view data, uint32_t crc) {
  static const std::array<uint32_t, 256> kTable = MakeCrcTable();
  crc = ~crc;
  for (char c : data) crc = kTable[(crc ^ static_cast<uint8_t>(c)) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

Result<std::unique_ptr<Log>> Log::Open(const std::filesystem::path& path, const LogOptions& options) {
  std::unique_ptr<Log> log(new Log());
  log->path_ = path;
  log->options_ = options;
  TUTELA_RETURN_IF_ERROR(log->Load(options));
  return log;
}

Log::~Log() {
  if (fd_ >= 0) ::close(fd_);
}

Status Log::Load(const LogOptions& options) {
  int flags = options.read_only ? O_RDONLY : O_RDWR;
  if (options.create_if_missing && !options.read_only) flags |= O_CREAT;
  fd_ = ::open(path_.c_str(), flags | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    if (errno == ENOENT) {
      return Status::NotFound(path_.string() + ": the ledger file does not exist; initialise the store first.");
    }
    return ErrnoStatus(errno, "open", path_);
  }
  if (!options.read_only && ::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    return Status::IoError(path_.string() +
                           ": the ledger is open for writing in another process; stop that process first.");
  }
  struct stat info {};
  if (::fstat(fd_, &info) != 0) return ErrnoStatus(errno, "stat", path_);
  uint64_t file_size = static_cast<uint64_t>(info.st_size);

  if (file_size == 0) {
    if (options.read_only) return Status::Corruption(path_.string() + ": the ledger file is empty (no header).");
    std::string header(kMagic);
    TUTELA_RETURN_IF_ERROR(WriteLocked(header));
    if (::fsync(fd_) != 0) return ErrnoStatus(errno, "sync", path_);
    TUTELA_RETURN_IF_ERROR(SyncDirectory(path_.parent_path().empty() ? "." : path_.parent_path()));
    end_offset_ = kMagic.size();
    return Status::Ok();
  }
  if (file_size < kMagic.size()) {
    return Status::Corruption(path_.string() + ": the file is shorter than the ledger header; it is not a ledger.");
  }
  std::string magic(kMagic.size(), '\0');
  TUTELA_RETURN_IF_ERROR(ReadExact(fd_, 0, magic.data(), magic.size(), path_));
  if (magic != kMagic) {
    return Status::Corruption(path_.string() +
                              ": the file does not start with the ledger header \"TUTELA LEDGER 1\"; "
                              "it is not a Tutela ledger.");
  }

  // Sequential scan through a buffer.
  constexpr size_t kChunk = 1 << 20;
  std::string buffer;
  uint64_t buffer_start = kMagic.size();
  auto ensure = [&](uint64_t offset, size_t count) -> Result<bool> {
    // Makes [offset, offset+count) available in buffer; false if it goes past the end of the file.
    if (offset + count > file_size) return false;
    if (offset >= buffer_start && offset + count <= buffer_start + buffer.size()) return true;
    size_t want = std::max<size_t>(count, kChunk);
    want = static_cast<size_t>(std::min<uint64_t>(want, file_size - offset));
    buffer.assign(want, '\0');
    buffer_start = offset;
    TUTELA_RETURN_IF_ERROR(ReadExact(fd_, offset, buffer.data(), want, path_));
    return true;
  };

  uint64_t offset = kMagic.size();
  uint64_t good_end = offset;
  bool torn = false;
  while (offset < file_size) {
    TUTELA_ASSIGN_OR_RETURN(bool have_header, ensure(offset, kHeaderBytes));
    if (!have_header) {
      torn = true;
      break;
    }
    const char* header = buffer.data() + (offset - buffer_start);
    uint32_t length = GetU32(header);
    uint32_t stored_crc = GetU32(header + 4);
    char length_bytes[4];
    std::memcpy(length_bytes, header, 4);
    if (length > kMaxEntryBytes) {
      if (offset + kHeaderBytes + length >= file_size) {  // garbage length at the tail
        torn = true;
        break;
      }
      return Status::Corruption(path_.string() + ": record " + std::to_string(tree_.size()) + " at byte " +
                                std::to_string(offset) + " claims " + std::to_string(length) +
                                " bytes, more than the limit; the ledger is damaged.");
    }
    TUTELA_ASSIGN_OR_RETURN(bool have_payload, ensure(offset, kHeaderBytes + length));
    if (!have_payload) {
      torn = true;
      break;
    }
    std::string_view payload(buffer.data() + (offset - buffer_start) + kHeaderBytes, length);
    if (RecordCrc(length_bytes, payload) != stored_crc) {
      if (offset + kHeaderBytes + length == file_size) {
        torn = true;
        break;
      }
      return Status::Corruption(path_.string() + ": record " + std::to_string(tree_.size()) + " at byte " +
                                std::to_string(offset) +
                                " fails its checksum and is followed by more records; the ledger was altered or "
                                "damaged — restore it from a copy.");
    }
    Hash leaf = LeafHash(payload);
    offsets_.push_back(offset);
    tree_.Append(leaf);
    range_.Append(leaf);
    offset += kHeaderBytes + length;
    good_end = offset;
  }
  end_offset_ = good_end;
  if (torn) {
    if (options.read_only || !options.repair_torn_tail) {
      return Status::Corruption(path_.string() + ": the last record at byte " + std::to_string(good_end) +
                                " is incomplete (a write was interrupted); open the ledger for writing to repair it.");
    }
    truncated_bytes_ = file_size - good_end;
    if (::ftruncate(fd_, static_cast<off_t>(good_end)) != 0) return ErrnoStatus(errno, "truncate", path_);
    if (::fsync(fd_) != 0) return ErrnoStatus(errno, "sync", path_);
  }
  return Status::Ok();
}

Status Log::WriteLocked(std::string_view bytes) { return WriteAt(fd_, end_offset_, bytes, path_); }

Result<uint64_t> Log::Append(std::string_view entry) {
  std::string one(entry);
  return AppendBatch(std::span<const std::string>(&one, 1));
}

Result<uint64_t> Log::AppendBatch(std::span<const std::string> entries) {
  if (options_.read_only) return Status::PermissionDenied(path_.string() + ": the ledger was opened read-only.");
  std::string bytes;
  size_t total = 0;
  for (const std::string& entry : entries) {
    if (entry.size() > kMaxEntryBytes) {
      return Status::InvalidArgument("ledger entry of " + std::to_string(entry.size()) +
                                     " bytes exceeds the 64 MiB limit; store large data elsewhere and log its hash.");
    }
    total += kHeaderBytes + entry.size();
  }
  bytes.reserve(total);
  for (const std::string& entry : entries) AppendRecord(bytes, entry);

  std::lock_guard<std::mutex> lock(mutex_);
  if (failed_) {
    return Status::IoError(path_.string() + ": an earlier write to the ledger failed; reopen it before appending.");
  }
  Status written = WriteLocked(bytes);
  if (written.ok() && options_.sync == SyncPolicy::kEveryAppend && ::fdatasync(fd_) != 0) {
    written = ErrnoStatus(errno, "sync", path_);
  }
  if (!written.ok()) {
    failed_ = true;
    return written;
  }
  uint64_t first = tree_.size();
  uint64_t offset = end_offset_;
  for (const std::string& entry : entries) {
    Hash leaf = LeafHash(entry);
    offsets_.push_back(offset);
    tree_.Append(leaf);
    range_.Append(leaf);
    offset += kHeaderBytes + entry.size();
  }
  end_offset_ = offset;
  return first;
}

Status Log::Sync() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (options_.read_only) return Status::Ok();
  if (::fdatasync(fd_) != 0) return ErrnoStatus(errno, "sync", path_);
  return Status::Ok();
}

uint64_t Log::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return tree_.size();
}

TreeHead Log::Head() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return TreeHead{tree_.size(), range_.Root()};
}

Result<Hash> Log::RootAt(uint64_t tree_size) const {
  std::lock_guard<std::mutex> lock(mutex_);
  if (tree_size > tree_.size()) {
    return Status::InvalidArgument("tree size " + std::to_string(tree_size) + " is larger than the ledger (" +
                                   std::to_string(tree_.size()) + " entries).");
  }
  if (tree_size == tree_.size()) return range_.Root();
  return tree_.RootAt(tree_size);
}

Result<std::string> Log::Entry(uint64_t index) const {
  uint64_t offset = 0;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (index >= tree_.size()) {
      return Status::InvalidArgument("ledger entry " + std::to_string(index) + " does not exist (the ledger has " +
                                     std::to_string(tree_.size()) + " entries).");
    }
    offset = offsets_[index];
  }
  char header[kHeaderBytes];
  TUTELA_RETURN_IF_ERROR(ReadExact(fd_, offset, header, kHeaderBytes, path_));
  std::string payload(GetU32(header), '\0');
  TUTELA_RETURN_IF_ERROR(ReadExact(fd_, offset + kHeaderBytes, payload.data(), payload.size(), path_));
  if (RecordCrc(header, payload) != GetU32(header + 4)) {
    return Status::Corruption(path_.string() + ": record " + std::to_string(index) +
                              " changed on disk since the ledger was opened (checksum mismatch).");
  }
  return payload;
}

Result<Hash> Log::LeafHashAt(uint64_t index) const {
  std::lock_guard<std::mutex> lock(mutex_);
  if (index >= tree_.size()) {
    return Status::InvalidArgument("ledger entry " + std::to_string(index) + " does not exist (the ledger has " +
                                   std::to_string(tree_.size()) + " entries).");
  }
  return tree_.leaves()[index];
}

Result<std::vector<Hash>> Log::ProveInclusion(uint64_t index, uint64_t tree_size) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return tree_.InclusionProof(index, tree_size);
}

Result<std::vector<Hash>> Log::ProveConsistency(uint64_t old_size, uint64_t new_size) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return tree_.ConsistencyProof(old_size, new_size);
}

}  // namespace tutela::ledger
