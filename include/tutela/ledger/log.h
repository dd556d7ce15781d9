// ledger::Log — an append-only, durable, tamper-evident log of opaque entries with an RFC 9162 Merkle tree over them.
//
// Every entry appended gets the next index (0, 1, 2, ...) and becomes leaf `index` of the log's Merkle tree, so the
// log can prove that an entry is in it (inclusion proof) and that today's log extends yesterday's (consistency proof)
// to anyone holding a tree head. Entries are bytes: the caller chooses their encoding (the vault writes one JSON
// object per mutation; see docs/formats/vault-log.md for the file format).
//
// Durability: entries are written as length-prefixed records with a CRC-32C each. With SyncPolicy::kEveryAppend an
// Append returns only after fdatasync, so an acknowledged entry survives a crash; with kManual the caller calls
// Sync() (group commit). On Open a torn tail — a last record cut short or with a bad checksum, as a crash mid-write
// leaves — is truncated away (reported by truncated_bytes()); a bad record followed by good ones is Corruption, not
// something to repair silently.
//
// Ownership and thread-safety: a Log owns its open file; all methods may be called from many threads at once
// (an internal mutex serialises them). Only one process may have a log open for writing (an flock enforces it).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tutela/core/status.h"
#include "tutela/ledger/merkle.h"

namespace tutela::ledger {

enum class SyncPolicy {
  kEveryAppend,  // fdatasync before Append/AppendBatch returns
  kManual,       // the caller calls Sync(); a crash may lose entries appended since the last Sync
};

struct LogOptions {
  SyncPolicy sync = SyncPolicy::kEveryAppend;
  bool create_if_missing = true;
  // Truncate a torn tail on open; when false a torn tail is a Corruption error.
  bool repair_torn_tail = true;
  // Open without writing (no lock, no repair, Append refused).
  bool read_only = false;
};

struct TreeHead {
  uint64_t size = 0;
  Hash root{};
};

// Largest entry a log accepts (64 MiB).
inline constexpr uint32_t kMaxEntryBytes = 64u << 20;

class Log {
 public:
  // Opens (or creates) the log file at `path`, reads every record, recomputes the tree and repairs a torn tail.
  // NotFound if missing and !create_if_missing; Corruption naming the record offset for a bad header or checksum
  // that is not at the tail; AlreadyExists-like IoError if another process holds the write lock.
  static Result<std::unique_ptr<Log>> Open(const std::filesystem::path& path, const LogOptions& options = {});
  ~Log();
  Log(const Log&) = delete;
  Log& operator=(const Log&) = delete;

  // Appends one entry; returns its index. InvalidArgument if larger than kMaxEntryBytes; IoError if the write or
  // sync fails (the log is then unusable for further appends until reopened, so no entry is acknowledged twice).
  Result<uint64_t> Append(std::string_view entry);
  // Appends entries with one write and (kEveryAppend) one sync; returns the index of the first.
  Result<uint64_t> AppendBatch(std::span<const std::string> entries);
  // Flushes appended entries to stable storage.
  Status Sync();

  uint64_t size() const;
  TreeHead Head() const;
  // The root of the tree of the first `tree_size` entries. InvalidArgument if tree_size > size().
  Result<Hash> RootAt(uint64_t tree_size) const;
  // The entry's bytes (read back from the file) and its leaf hash. InvalidArgument if index >= size().
  Result<std::string> Entry(uint64_t index) const;
  Result<Hash> LeafHashAt(uint64_t index) const;
  // Proofs over the current log (see merkle.h for the errors).
  Result<std::vector<Hash>> ProveInclusion(uint64_t index, uint64_t tree_size) const;
  Result<std::vector<Hash>> ProveConsistency(uint64_t old_size, uint64_t new_size) const;

  // Bytes cut off a torn tail when the log was opened (0 when the file ended cleanly).
  uint64_t truncated_bytes() const { return truncated_bytes_; }
  const std::filesystem::path& path() const { return path_; }

 private:
  Log() = default;
  Status Load(const LogOptions& options);
  Status WriteLocked(std::string_view bytes);

  std::filesystem::path path_;
  LogOptions options_;
  int fd_ = -1;
  mutable std::mutex mutex_;
  uint64_t end_offset_ = 0;
  uint64_t truncated_bytes_ = 0;
  bool failed_ = false;
  std::vector<uint64_t> offsets_;  // file offset of each record's header
  MerkleTree tree_;
  CompactRange range_;
};

// CRC-32C (Castagnoli) of `data`, continuing from `crc` (0 to start).
uint32_t Crc32c(std::string_view data, uint32_t crc = 0);

}  // namespace tutela::ledger
