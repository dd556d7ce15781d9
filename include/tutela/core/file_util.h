// Whole-file reads and all-or-nothing writes.
//
// AtomicFileWriter writes to a temporary file beside the destination and renames it into place only on Commit(), after
// an fsync; if the writer is destroyed without Commit() the temporary is removed. A reader therefore sees either the
// old file or the whole new one, never a half-written file — the guarantee every Tutela command that writes an
// output relies on.
//
// Thread-safety: functions are reentrant; an AtomicFileWriter is used by one thread at a time.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "tutela/core/status.h"

namespace tutela {

// Reads the whole file. NotFound if it does not exist, PermissionDenied or IoError otherwise; `max_bytes` guards
// against reading a huge file by mistake (InvalidArgument naming the size and the limit).
Result<std::string> ReadFile(const std::filesystem::path& path, uint64_t max_bytes = uint64_t{1} << 32);

// Writes `content` to `path` atomically (see AtomicFileWriter) with permission bits `mode`.
Status WriteFileAtomic(const std::filesystem::path& path, std::string_view content, mode_t mode = 0644);

// What AtomicFileWriter::Open refuses about a destination that is a folder, or in a folder that does not exist,
// checked without creating anything: commands call it before their work, so that `--output nodir/x.json` is refused
// at once instead of after a long scan. Ok when the file may be written as far as that goes.
Status CheckOutputPath(const std::filesystem::path& destination);

class AtomicFileWriter {
 public:
  AtomicFileWriter() = default;
  ~AtomicFileWriter();  // removes the temporary file unless committed
  AtomicFileWriter(const AtomicFileWriter&) = delete;
  AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;

  // Creates the temporary file in the destination's directory (which must exist). `overwrite=false` makes Commit()
  // refuse (AlreadyExists) when the destination exists, checked both here and at commit time. A destination that
  // exists and is not a regular file (/dev/null, a FIFO, a terminal) is written directly: renaming over it would
  // replace the device with a file.
  Status Open(const std::filesystem::path& destination, mode_t mode = 0644, bool overwrite = true);
  Status Write(std::string_view data);
  // Flushes, fsyncs, renames over the destination and fsyncs the directory.
  Status Commit();
  // Removes the temporary file; the destination is untouched.
  void Abandon();

  const std::filesystem::path& destination() const { return destination_; }

 private:
  std::filesystem::path destination_;
  std::filesystem::path temporary_;
  int fd_ = -1;
  bool overwrite_ = true;
  bool direct_ = false;  // writing straight into a device or FIFO
};

// fsyncs a directory so that a rename inside it is durable.
Status SyncDirectory(const std::filesystem::path& directory);

// A Status for a failed system call on `path`: maps errno to NotFound / PermissionDenied / IoError with a sentence
// "PATH: cannot OPERATION (strerror)".
Status ErrnoStatus(int error_number, std::string_view operation, const std::filesystem::path& path);

// Reads up to `size` bytes of `fd` at `offset` into `out` (resized to what was read: shorter only at the end of the
// file), retrying interrupted reads. IoError naming `path` when a read fails.
Status ReadAt(int fd, uint64_t offset, size_t size, std::string* out, const std::filesystem::path& path);

// Writes all of `data` to `fd` at `offset` (pwrite, retrying interrupted and short writes). IoError naming `path`.
Status WriteAt(int fd, uint64_t offset, std::string_view data, const std::filesystem::path& path);

// Where Tutela keeps a per-user file `name` (keys, local logs): $XDG_DATA_HOME/tutela/NAME when XDG_DATA_HOME is an
// absolute path, else ~/.local/share/tutela/NAME.
std::filesystem::path UserDataPath(std::string_view name);

// Where Tutela caches a per-user file `name` that it can always rebuild: $XDG_CACHE_HOME/tutela/NAME when
// XDG_CACHE_HOME is an absolute path, else ~/.cache/tutela/NAME.
std::filesystem::path UserCachePath(std::string_view name);

}  // namespace tutela
