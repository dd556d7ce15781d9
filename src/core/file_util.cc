#include "tutela/core/file_util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "tutela/core/crypto.h"

namespace tutela {

Status ErrnoStatus(int error_number, std::string_view operation, const std::filesystem::path& path) {
  std::string message = path.string() + ": cannot " + std::string(operation) + " (" + std::strerror(error_number) + ")";
  switch (error_number) {
    case ENOENT:
    case ENOTDIR:
      return Status::NotFound(message + "; check the path.");
    case EACCES:
    case EPERM:
      return Status::PermissionDenied(message + "; check its permissions.");
    case EEXIST:
      return Status::AlreadyExists(message + ".");
    case EISDIR:
      return Status::InvalidArgument(message + "; name a file, not a folder.");
    default:
      return Status::IoError(message + ".");
  }
}

Result<std::string> ReadFile(const std::filesystem::path& path, uint64_t max_bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, "open", path);
  struct stat info {};
  if (::fstat(fd, &info) != 0) {
    int saved = errno;
    ::close(fd);
    return ErrnoStatus(saved, "stat", path);
  }
  if (S_ISDIR(info.st_mode)) {
    ::close(fd);
    return Status::InvalidArgument(path.string() + ": is a directory, not a file; name a file.");
  }
  if (S_ISREG(info.st_mode) && static_cast<uint64_t>(info.st_size) > max_bytes) {
    ::close(fd);
    return Status::InvalidArgument(path.string() + ": is " + std::to_string(info.st_size) +
                                   " bytes, over the limit of " + std::to_string(max_bytes) +
                                   " for this input; split it or raise the limit.");
  }
  std::string content;
  if (S_ISREG(info.st_mode)) content.reserve(static_cast<size_t>(info.st_size));
  char buffer[1 << 16];
  while (true) {
    ssize_t got = ::read(fd, buffer, sizeof buffer);
    if (got < 0) {
      if (errno == EINTR) continue;
      int saved = errno;
      ::close(fd);
      return ErrnoStatus(saved, "read", path);
    }
    if (got == 0) break;
    content.append(buffer, static_cast<size_t>(got));
    if (content.size() > max_bytes) {
      ::close(fd);
      return Status::InvalidArgument(path.string() + ": is over the limit of " + std::to_string(max_bytes) +
                                     " bytes for this input; split it or raise the limit.");
    }
  }
  ::close(fd);
  return content;
}

Status SyncDirectory(const std::filesystem::path& directory) {
  int fd = ::open(directory.empty() ? "." : directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, "open directory", directory);
  int rc = ::fsync(fd);
  int saved = errno;
  ::close(fd);
  if (rc != 0 && saved != EINVAL) return ErrnoStatus(saved, "sync directory", directory);
  return Status::Ok();
}

Status CheckOutputPath(const std::filesystem::path& destination) {
  struct stat existing;
  if (::stat(destination.c_str(), &existing) == 0) {
    if (S_ISDIR(existing.st_mode)) {
      return Status::InvalidArgument(destination.string() +
                                     ": is a folder; name a file to write (e.g. a file inside that folder).");
    }
    return Status::Ok();
  }
  std::filesystem::path parent = destination.parent_path();
  if (parent.empty()) return Status::Ok();
  if (::stat(parent.c_str(), &existing) != 0 || !S_ISDIR(existing.st_mode)) {
    return Status::NotFound(destination.string() + ": cannot be created, because the folder " + parent.string() +
                            " does not exist; create the folder first or choose another path.");
  }
  return Status::Ok();
}

AtomicFileWriter::~AtomicFileWriter() { Abandon(); }

Status AtomicFileWriter::Open(const std::filesystem::path& destination, mode_t mode, bool overwrite) {
  Abandon();
  destination_ = destination;
  overwrite_ = overwrite;
  if (!overwrite && ::access(destination.c_str(), F_OK) == 0) {
    return Status::AlreadyExists(destination.string() +
                                 ": already exists and will not be overwritten; choose another path or remove it.");
  }
  direct_ = false;
  struct stat existing;
  // Refuse a folder here, not at Commit (rename() fails only after the whole output was made).
  TUTELA_RETURN_IF_ERROR(CheckOutputPath(destination));
  if (overwrite && ::stat(destination.c_str(), &existing) == 0 && !S_ISREG(existing.st_mode) &&
      !S_ISDIR(existing.st_mode)) {
    fd_ = ::open(destination.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd_ < 0) return ErrnoStatus(errno, "open", destination);
    direct_ = true;
    return Status::Ok();
  }
  auto suffix = RandomBytes(6);
  if (!suffix.ok()) return suffix.status();
  std::filesystem::path parent = destination.parent_path();
  temporary_ = (parent.empty() ? std::filesystem::path(".") : parent) /
               ("." + destination.filename().string() + ".tmp-" +
                ToHex({reinterpret_cast<const uint8_t*>(suffix->data()), suffix->size()}));
  fd_ = ::open(temporary_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd_ < 0) {
    int saved = errno;
    Status status = saved == ENOENT || saved == ENOTDIR
                        ? Status::NotFound(destination.string() + ": cannot be created, because the folder " +
                                           (parent.empty() ? std::string(".") : parent.string()) +
                                           " does not exist; create the folder first or choose another path.")
                        : ErrnoStatus(saved, "create", destination);
    temporary_.clear();
    return status;
  }
  // open() applies the umask; the caller asked for exactly `mode` (0600 for key files must not become wider).
  if (::fchmod(fd_, mode) != 0) {
    Status status = ErrnoStatus(errno, "set permissions on", temporary_);
    Abandon();
    return status;
  }
  return Status::Ok();
}

Status AtomicFileWriter::Write(std::string_view data) {
  if (fd_ < 0) return Status::Internal("AtomicFileWriter::Write called without a successful Open");
  while (!data.empty()) {
    ssize_t wrote = ::write(fd_, data.data(), data.size());
    if (wrote < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, "write", destination_);
    }
    data.remove_prefix(static_cast<size_t>(wrote));
  }
  return Status::Ok();
}

Status AtomicFileWriter::Commit() {
  if (fd_ < 0) return Status::Internal("AtomicFileWriter::Commit called without a successful Open");
  if (direct_) {
    int closed = ::close(fd_);
    fd_ = -1;
    return closed == 0 ? Status::Ok() : ErrnoStatus(errno, "close", destination_);
  }
  if (::fsync(fd_) != 0) return ErrnoStatus(errno, "sync", destination_);
  if (::close(fd_) != 0) {
    fd_ = -1;
    return ErrnoStatus(errno, "close", destination_);
  }
  fd_ = -1;
  if (!overwrite_) {
    // link() fails if the destination appeared meanwhile, so a concurrent writer is never overwritten.
    if (::link(temporary_.c_str(), destination_.c_str()) != 0) {
      Status status = errno == EEXIST ? Status::AlreadyExists(destination_.string() +
                                                              ": already exists and will not be overwritten; "
                                                              "choose another path or remove it.")
                                      : ErrnoStatus(errno, "create", destination_);
      Abandon();
      return status;
    }
    ::unlink(temporary_.c_str());
  } else if (::rename(temporary_.c_str(), destination_.c_str()) != 0) {
    Status status = ErrnoStatus(errno, "replace", destination_);
    Abandon();
    return status;
  }
  temporary_.clear();
  return SyncDirectory(destination_.parent_path());
}

void AtomicFileWriter::Abandon() {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
  if (!temporary_.empty()) {
    ::unlink(temporary_.c_str());
    temporary_.clear();
  }
}

Status WriteFileAtomic(const std::filesystem::path& path, std::string_view content, mode_t mode) {
  AtomicFileWriter writer;
  TUTELA_RETURN_IF_ERROR(writer.Open(path, mode));
  TUTELA_RETURN_IF_ERROR(writer.Write(content));
  return writer.Commit();
}

Status ReadAt(int fd, uint64_t offset, size_t size, std::string* out, const std::filesystem::path& path) {
  out->resize(size);
  size_t done = 0;
  while (done < size) {
    ssize_t got = ::pread(fd, out->data() + done, size - done, static_cast<off_t>(offset + done));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return ErrnoStatus(errno, "read", path);
    if (got == 0) break;
    done += static_cast<size_t>(got);
  }
  out->resize(done);
  return Status::Ok();
}

Status WriteAt(int fd, uint64_t offset, std::string_view data, const std::filesystem::path& path) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t wrote = ::pwrite(fd, data.data() + done, data.size() - done, static_cast<off_t>(offset + done));
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote < 0) return ErrnoStatus(errno, "write", path);
    done += static_cast<size_t>(wrote);
  }
  return Status::Ok();
}

std::filesystem::path UserDataPath(std::string_view name) {
  if (const char* data = std::getenv("XDG_DATA_HOME"); data != nullptr && *data == '/') {
    return std::filesystem::path(data) / "tutela" / name;
  }
  const char* home = std::getenv("HOME");
  return std::filesystem::path(home != nullptr ? home : ".") / ".local" / "share" / "tutela" / name;
}

std::filesystem::path UserCachePath(std::string_view name) {
  if (const char* cache = std::getenv("XDG_CACHE_HOME"); cache != nullptr && *cache == '/') {
    return std::filesystem::path(cache) / "tutela" / name;
  }
  const char* home = std::getenv("HOME");
  return std::filesystem::path(home != nullptr ? home : ".") / ".cache" / "tutela" / name;
}

}  // namespace tutela
