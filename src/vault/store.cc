#include "tutela/vault/store.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <semaphore>
#include <set>
#include <thread>

#include "tutela/core/crypto.h"
#include "tutela/core/data.h"
#include "tutela/core/file_util.h"
#include "tutela/core/sqlite.h"

namespace tutela::vault {
namespace fs = std::filesystem;
using nlohmann::json;
using sqlite::Exec;
using sqlite::Stmt;
using sqlite::StmtCache;

namespace {

constexpr std::string_view kSchema = R"sql(
CREATE TABLE IF NOT EXISTS buckets (
  name TEXT PRIMARY KEY, created TEXT NOT NULL, versioning TEXT NOT NULL, lock_enabled INTEGER NOT NULL,
  default_mode TEXT NOT NULL, default_days INTEGER NOT NULL, default_years INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS versions (
  uid TEXT PRIMARY KEY, bucket TEXT NOT NULL, key TEXT NOT NULL, version_id TEXT NOT NULL, seq INTEGER NOT NULL,
  delete_marker INTEGER NOT NULL, size INTEGER NOT NULL, md5 TEXT NOT NULL, sha256 TEXT NOT NULL,
  content_type TEXT NOT NULL, last_modified TEXT NOT NULL, lock_mode TEXT NOT NULL, retain_until TEXT NOT NULL,
  legal_hold INTEGER NOT NULL, etag TEXT NOT NULL DEFAULT '', segment INTEGER NOT NULL DEFAULT 0,
  segment_offset INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS versions_by_key ON versions (bucket, key, seq);
CREATE TABLE IF NOT EXISTS journal (seq INTEGER PRIMARY KEY, entry TEXT NOT NULL);
)sql";

constexpr std::string_view kVersionColumns =
    "uid, bucket, key, version_id, seq, delete_marker, size, md5, sha256, content_type, last_modified, lock_mode, "
    "retain_until, legal_hold, etag, segment, segment_offset";

// Columns added after the first release, with their definitions: a store written before them gains them at open.
constexpr std::pair<std::string_view, std::string_view> kAddedVersionColumns[] = {
    {"segment", "segment INTEGER NOT NULL DEFAULT 0"},
    {"segment_offset", "segment_offset INTEGER NOT NULL DEFAULT 0"},
};

// The WAL is copied into the database once it holds this many frames (SQLite's default for wal_autocheckpoint).
constexpr int kCheckpointFrames = 1000;

// The ledger thread appends at most this often unless someone waits for the append.
constexpr std::chrono::milliseconds kLedgerInterval{10};

// Objects in a segment start at multiples of this (one file-system page): a write never touches a page that holds
// another object's bytes.
constexpr uint64_t kSegmentAlign = 4096;

uint64_t AlignUp(uint64_t value) { return (value + kSegmentAlign - 1) / kSegmentAlign * kSegmentAlign; }

// segments/NNNNNNNN.seg (8 decimal digits).
std::string SegmentName(uint32_t id, std::string_view suffix = ".seg") {
  char name[16];
  std::snprintf(name, sizeof name, "%08u", id);
  return std::string(name) + std::string(suffix);
}

// The id of a segment file name "NNNNNNNN.seg", 0 for any other name.
uint32_t SegmentIdOf(const std::string& name) {
  if (name.size() != 12 || !name.ends_with(".seg")) return 0;
  if (name.find_first_not_of("0123456789") != 8) return 0;
  return static_cast<uint32_t>(std::stoul(name.substr(0, 8)));
}

Status S3(std::string_view code, const std::string& message) {
  std::string text = std::string(code) + ": " + message;
  if (code == "AccessDenied") return Status::PermissionDenied(text);
  if (code.starts_with("NoSuch") || code == "ObjectLockConfigurationNotFoundError") return Status::NotFound(text);
  if (code == "BucketAlreadyOwnedByYou" || code == "BucketNotEmpty" || code == "InvalidBucketState") {
    return Status::AlreadyExists(text);
  }
  return Status::InvalidArgument(text);
}

std::string Md5Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_md5(), nullptr);
  return ToHex(std::span<const uint8_t>(digest, length));
}

std::string TimeText(Timestamp time) { return FormatRfc3339(time, TimePrecision::kMicroseconds); }

std::optional<Timestamp> ParseTimeOrNull(const std::string& text) {
  if (text.empty()) return std::nullopt;
  auto parsed = ParseRfc3339(text);
  return parsed.ok() ? std::optional<Timestamp>(*parsed) : std::nullopt;
}

bool ValidBucketName(const std::string& name) {
  if (name.size() < 3 || name.size() > 63) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.')) return false;
  }
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  return alnum(name.front()) && alnum(name.back()) && name.find("..") == std::string::npos;
}

ObjectVersion VersionFromRow(const Stmt& row) {
  ObjectVersion version;
  version.bucket = row.Text(1);
  version.key = row.Text(2);
  version.version_id = row.Text(3);
  version.sequence = static_cast<uint64_t>(row.Int(4));
  version.delete_marker = row.Int(5) != 0;
  version.size = static_cast<uint64_t>(row.Int(6));
  version.md5_hex = row.Text(7);
  version.sha256_hex = row.Text(8);
  version.content_type = row.Text(9);
  version.last_modified = ParseTimeOrNull(row.Text(10)).value_or(Timestamp{});
  version.lock_mode = ParseLockMode(row.Text(11)).value_or(LockMode::kNone);
  version.retain_until = ParseTimeOrNull(row.Text(12));
  version.legal_hold = row.Int(13) != 0;
  version.etag = row.Text(14).empty() ? version.md5_hex : row.Text(14);
  return version;
}

struct Row {
  std::string uid;
  ObjectVersion version;
  uint32_t segment = 0;  // 0: blobs/<uid>; else the segment holding the bytes from segment_offset on
  uint64_t segment_offset = 0;
};

Row RowFromStmt(const Stmt& row) {
  return Row{row.Text(0), VersionFromRow(row), static_cast<uint32_t>(row.Int(15)), static_cast<uint64_t>(row.Int(16))};
}

BucketInfo BucketFromRow(const Stmt& row) {
  BucketInfo bucket;
  bucket.name = row.Text(0);
  bucket.created = ParseTimeOrNull(row.Text(1)).value_or(Timestamp{});
  bucket.versioning = row.Text(2);
  bucket.lock_enabled = row.Int(3) != 0;
  if (auto mode = ParseLockMode(row.Text(4)); mode.has_value()) {
    bucket.default_retention = DefaultRetention{*mode, row.Int(5), row.Int(6)};
  }
  return bucket;
}

Status WriteAll(int fd, std::string_view data, const fs::path& path) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t wrote = ::write(fd, data.data() + done, data.size() - done);
    if (wrote < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, "write", path);
    }
    done += static_cast<size_t>(wrote);
  }
  return Status::Ok();
}

}  // namespace

std::string_view LockModeName(LockMode mode) {
  switch (mode) {
    case LockMode::kGovernance:
      return "GOVERNANCE";
    case LockMode::kCompliance:
      return "COMPLIANCE";
    case LockMode::kNone:
      break;
  }
  return "";
}

// S3's refusal of an Object Lock setting on a bucket created without Object Lock.
Status MissingLockConfiguration(const std::string& bucket) {
  return S3("InvalidRequest", "bucket \"" + bucket + "\" is missing Object Lock configuration.");
}

std::optional<LockMode> ParseLockMode(std::string_view text) {
  if (text == "GOVERNANCE") return LockMode::kGovernance;
  if (text == "COMPLIANCE") return LockMode::kCompliance;
  return std::nullopt;
}

// The Object Lock headers of an upload, checked by one rule set for PutObject and CreateMultipartUpload alike:
// lock headers need a lock-enabled bucket, mode and retain-until date come together, the mode is known and the date
// is in the future. Returns the requested mode, or kNone when the request sets none (a bucket default may apply).
Result<LockMode> CheckLockHeaders(const BucketInfo& bucket, const PutObjectRequest& request, Timestamp now) {
  bool lock_headers = request.lock_mode || request.retain_until || request.legal_hold;
  if (lock_headers && !bucket.lock_enabled) {
    return MissingLockConfiguration(bucket.name);
  }
  if (request.lock_mode.has_value() != request.retain_until.has_value()) {
    return S3("InvalidArgument",
              "x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied.");
  }
  if (!request.lock_mode) return LockMode::kNone;
  auto mode = ParseLockMode(*request.lock_mode);
  if (!mode || *mode == LockMode::kNone) {
    return S3("InvalidArgument", "unknown x-amz-object-lock-mode \"" + *request.lock_mode + "\".");
  }
  if (*request.retain_until <= now) return S3("InvalidArgument", "the retain until date must be in the future.");
  return *mode;
}

S3Error S3ErrorOf(const Status& status) {
  static const std::map<std::string, int, std::less<>> kHttp = {
      {"AccessDenied", 403},
      {"AuthorizationHeaderMalformed", 400},
      {"AuthorizationQueryParametersError", 400},
      {"InvalidAccessKeyId", 403},
      {"NoSuchObjectLockConfiguration", 404},
      {"NotImplemented", 501},
      {"NotModified", 304},
      {"RequestTimeTooSkewed", 403},
      {"SignatureDoesNotMatch", 403},
      {"XAmzContentSHA256Mismatch", 400},
      {"BadDigest", 400},
      {"BucketAlreadyOwnedByYou", 409},
      {"BucketNotEmpty", 409},
      {"EntityTooSmall", 400},
      {"InvalidArgument", 400},
      {"InvalidBucketName", 400},
      {"InvalidBucketState", 409},
      {"IncompleteBody", 400},
      {"InvalidDigest", 400},
      {"InvalidPart", 400},
      {"InvalidPartOrder", 400},
      {"InvalidRange", 416},
      {"InvalidRequest", 400},
      {"InvalidRetentionPeriod", 400},
      {"MalformedXML", 400},
      {"MethodNotAllowed", 405},
      {"NoSuchBucket", 404},
      {"NoSuchKey", 404},
      {"NoSuchUpload", 404},
      {"NoSuchVersion", 404},
      {"ObjectLockConfigurationNotFoundError", 404},
      {"PreconditionFailed", 412},
  };
  const std::string& message = status.message();
  size_t colon = message.find(": ");
  if (colon != std::string::npos) {
    auto found = kHttp.find(std::string_view(message).substr(0, colon));
    if (found != kHttp.end()) return S3Error{found->second, found->first, message.substr(colon + 2)};
  }
  switch (status.code()) {
    case StatusCode::kNotFound:
      return S3Error{404, "NoSuchKey", message};
    case StatusCode::kInvalidArgument:
      return S3Error{400, "InvalidArgument", message};
    case StatusCode::kPermissionDenied:
      return S3Error{403, "AccessDenied", message};
    default:
      return S3Error{500, "InternalError", message};
  }
}

// A segment file: a fixed-size file written with zeros and synced before its first object, so that writing an
// object into it and fdatasync needs no file-system journal commit (no block allocation, no size change).
struct Segment {
  uint32_t id = 0;
  uint64_t capacity = 0;  // the file's size
  int fd = -1;            // read-write
  fs::path path;
  Segment() = default;
  Segment(const Segment&) = delete;
  Segment& operator=(const Segment&) = delete;
  ~Segment() {
    if (fd >= 0) ::close(fd);
  }
};

struct Store::StoredAt {
  std::shared_ptr<Segment> segment;  // null: the bytes are blobs/<uid>, already durable
  uint64_t offset = 0;
};

// One mutation waiting for a group commit (see Store::Impl::GroupCommit).
struct CommitItem {
  // The segment this item's bytes were written to (not yet synced), or null.
  Segment* segment = nullptr;
  Timestamp now{};
  Caller caller;
  // Runs inside the batch's transaction under the write mutex with the entry's sequence number: re-checks what may
  // have changed since the request was validated, fills the ledger entry and writes the rows. A non-OK status
  // before any write refuses this item alone; the batch goes on.
  std::function<Status(uint64_t seq, json& entry)> run;
  Status status;
  uint64_t seq = 0;
  std::binary_semaphore finished{0};  // released once the item is committed or refused
};

struct Store::Impl {
  fs::path dir;
  StoreOptions options;
  sqlite3* db = nullptr;       // the writer connection, used under `mutex`
  sqlite3* read_db = nullptr;  // readers (WAL: they see the last commit), used under `read_mutex`
  mutable std::mutex mutex;
  mutable std::mutex read_mutex;
  mutable StmtCache write_stmts;  // statements of `db`, under `mutex`
  mutable StmtCache read_stmts;   // statements of `read_db`, under `read_mutex`
  // Ledger appends: committed entries are queued in commit order (under `mutex`) and a dedicated thread appends
  // everything queued with one write and one fdatasync, overlapping the next commits. `ledger_next` is the sequence
  // number of the first entry not yet in the ledger. Lock order: `mutex` before `ledger_mutex`, never after.
  mutable std::mutex ledger_mutex;
  mutable std::condition_variable ledger_cv;
  uint64_t ledger_next = 0;
  std::atomic<int> wal_frames{0};  // frames in the WAL after the last commit (the WAL hook)
  mutable int ledger_waiters = 0;  // threads waiting for an append (Commit, WaitForLedger)
  std::vector<std::string> ledger_pending;
  bool ledger_stopping = false;
  std::thread ledger_thread;
  // A failed ledger append: no more writes are accepted until a restart repairs the ledger (own mutex, taken last).
  mutable std::mutex error_mutex;
  Status ledger_error;
  Status LedgerError() const {
    std::lock_guard<std::mutex> lock(error_mutex);
    return ledger_error;
  }
  std::unique_ptr<ledger::Log> log;
  std::shared_ptr<const ledger::Signer> signer;
  uint64_t next_seq = 0;
  // Group commit (GroupCommit): PUTs queue here for the sync thread, which hands them on to the commit thread.
  std::mutex queue_mutex;
  std::condition_variable queue_cv;   // wakes the sync thread
  std::condition_variable synced_cv;  // wakes the commit thread
  std::vector<CommitItem*> queue;
  std::vector<CommitItem*> synced_items;  // synced, waiting for the next commit
  bool pipeline_stopping = false;
  bool sync_stopped = false;
  bool sync_idle = false;  // the sync thread waits for PUTs to arrive
  // For timing the syncs (SyncLoop): when the commit in progress began, whether a sync topped up the batch waiting
  // for it, and moving averages of how long commits and syncs take.
  std::chrono::steady_clock::time_point commit_started{};
  bool topped_up = false;
  std::chrono::steady_clock::duration commit_estimate = std::chrono::milliseconds(1);
  std::chrono::steady_clock::duration sync_estimate = std::chrono::microseconds(500);
  std::once_flag pipeline_started;
  std::thread sync_thread;
  std::thread commit_thread;

  // Segments (AllocateInSegment): the one being filled, the next one, prepared by a background thread started on
  // first need. Under segment_mutex.
  std::mutex segment_mutex;
  std::condition_variable segment_cv;
  std::shared_ptr<Segment> active_segment;
  uint64_t segment_next = 0;  // the first free offset in active_segment
  std::shared_ptr<Segment> spare_segment;
  uint32_t last_segment_id = 0;  // the highest id of a segment file or a row
  bool segment_wanted = false;
  bool segment_preparing = false;
  bool segment_failed = false;  // the last preparation failed: small objects go to blobs/ until a retry succeeds
  std::chrono::steady_clock::time_point segment_retry_after{};
  uint64_t segment_attempts = 0;  // preparations finished, successful or not
  std::atomic<bool> segment_stopping{false};
  std::thread segment_thread;
  // Read-only descriptors of segment files, opened on first read and kept (segments are never removed).
  mutable std::mutex segment_read_mutex;
  mutable std::map<uint32_t, int> segment_read_fds;

  ~Impl() {
    StopPipeline();
    {
      std::lock_guard<std::mutex> lock(segment_mutex);
      segment_stopping = true;
    }
    segment_cv.notify_all();
    if (segment_thread.joinable()) segment_thread.join();
    for (const auto& [id, fd] : segment_read_fds) ::close(fd);
    if (ledger_thread.joinable()) {
      {
        std::lock_guard<std::mutex> lock(ledger_mutex);
        ledger_stopping = true;
      }
      ledger_cv.notify_all();
      ledger_thread.join();  // drains what is queued first
    }
    read_stmts.Clear();
    write_stmts.Clear();
    sqlite3_close(read_db);
    sqlite3_close(db);
  }

  StmtCache::Handle Prepared(sqlite3* conn, const std::string& sql) const {
    return (conn == db ? write_stmts : read_stmts).Use(conn, sql);
  }

  fs::path BlobPath(const std::string& uid) const { return dir / "blobs" / uid; }

  // Where a stored version's bytes are: blobs/<uid>, or `size` bytes of a segment from `offset`.
  struct Location {
    std::string uid;
    uint32_t segment = 0;
    uint64_t offset = 0;
    uint64_t size = 0;
  };
  static Location LocationOfRow(const Row& row) {
    return Location{row.uid, row.segment, row.segment_offset, row.version.size};
  }
  // "blobs/<uid>" or "segments/NNNNNNNN.seg at byte N", for messages.
  static std::string DataName(const Location& at) {
    if (at.segment == 0) return "blobs/" + at.uid;
    return "segments/" + SegmentName(at.segment) + " at byte " + std::to_string(at.offset);
  }
  fs::path SegmentPath(uint32_t id) const { return dir / "segments" / SegmentName(id); }

  // The location of `version`'s data: MethodNotAllowed for a delete marker, NoSuchVersion once it is gone.
  Result<Location> LocationOf(const ObjectVersion& version) const {
    if (version.delete_marker) {
      return S3("MethodNotAllowed",
                "version " + version.version_id + " of \"" + version.key + "\" is a delete marker.");
    }
    std::lock_guard<std::mutex> lock(read_mutex);
    auto stmt = Prepared(read_db,
                         "SELECT uid, segment, segment_offset, size FROM versions WHERE bucket = ? AND key = ? AND "
                         "version_id = ?");
    stmt->Bind(1, version.bucket).Bind(2, version.key).Bind(3, version.version_id);
    if (!stmt->Step()) return S3("NoSuchVersion", "version " + version.version_id + " no longer exists.");
    return Location{stmt->Text(0), static_cast<uint32_t>(stmt->Int(1)), static_cast<uint64_t>(stmt->Int(2)),
                    static_cast<uint64_t>(stmt->Int(3))};
  }

  // A read-only descriptor of segment `id` (kept open).
  Result<int> SegmentReadFd(uint32_t id) const {
    std::lock_guard<std::mutex> lock(segment_read_mutex);
    auto found = segment_read_fds.find(id);
    if (found != segment_read_fds.end()) return found->second;
    fs::path path = SegmentPath(id);
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return ErrnoStatus(errno, "open", path);
    segment_read_fds.emplace(id, fd);
    return fd;
  }

  // The stored bytes at `at`, whole.
  Result<std::string> ReadData(const Location& at) const {
    if (at.segment == 0) return ReadFile(BlobPath(at.uid), uint64_t{1} << 40);
    TUTELA_ASSIGN_OR_RETURN(int fd, SegmentReadFd(at.segment));
    std::string out;
    TUTELA_RETURN_IF_ERROR(ReadAt(fd, at.offset, at.size, &out, SegmentPath(at.segment)));
    if (out.size() != at.size) {
      return Status::IoError(SegmentPath(at.segment).string() + ": the file ends before the " +
                             std::to_string(at.size) + " bytes from byte " + std::to_string(at.offset) +
                             " of a stored version; it was truncated.");
    }
    return out;
  }

  // After a version's row is gone: its blob is unlinked; bytes in a segment stay (garbage, see vault-store.md).
  void ReleaseData(const Row& row) const {
    if (!row.version.delete_marker && row.segment == 0) ::unlink(BlobPath(row.uid).c_str());
  }

  Result<BucketInfo> LoadBucket(const std::string& name) const { return LoadBucketOn(db, name); }
  Result<BucketInfo> LoadBucketOn(sqlite3* conn, const std::string& name) const {
    auto stmt = Prepared(conn,
                         "SELECT name, created, versioning, lock_enabled, default_mode, default_days, default_years "
                         "FROM buckets WHERE name = ?");
    stmt->Bind(1, name);
    if (stmt->Step()) return BucketFromRow(*stmt);
    TUTELA_RETURN_IF_ERROR(stmt->status());
    return S3("NoSuchBucket", "the bucket \"" + name + "\" does not exist.");
  }

  // The row of `version_id` (newest when empty) of bucket/key.
  Result<Row> LoadVersion(const std::string& bucket, const std::string& key, const std::string& version_id) const {
    return LoadVersionOn(db, bucket, key, version_id);
  }
  Result<Row> LoadVersionOn(sqlite3* conn, const std::string& bucket, const std::string& key,
                            const std::string& version_id) const {
    std::string sql = "SELECT " + std::string(kVersionColumns) + " FROM versions WHERE bucket = ? AND key = ?";
    sql += version_id.empty() ? " ORDER BY seq DESC LIMIT 1" : " AND version_id = ?";
    std::optional<Row> found;
    {
      auto stmt = Prepared(conn, sql);
      stmt->Bind(1, bucket).Bind(2, key);
      if (!version_id.empty()) stmt->Bind(3, version_id);
      if (stmt->Step()) {
        found = RowFromStmt(*stmt);
      } else {
        TUTELA_RETURN_IF_ERROR(stmt->status());
      }
    }
    if (found) {
      found->version.is_latest = version_id.empty() || IsLatest(conn, found->version);
      return *found;
    }
    if (version_id.empty()) return S3("NoSuchKey", "the key \"" + key + "\" does not exist in bucket " + bucket + ".");
    return S3("NoSuchVersion",
              "version " + version_id + " of \"" + key + "\" does not exist in bucket " + bucket + ".");
  }
  // The version a retention or legal hold (`setting`) is put on: its bucket must have Object Lock and it must not
  // be a delete marker.
  Result<Row> LoadLockableVersion(const std::string& bucket, const std::string& key, const std::string& version_id,
                                  std::string_view setting) const {
    TUTELA_ASSIGN_OR_RETURN(BucketInfo info, LoadBucket(bucket));
    if (!info.lock_enabled) return MissingLockConfiguration(bucket);
    TUTELA_ASSIGN_OR_RETURN(Row row, LoadVersion(bucket, key, version_id));
    if (row.version.delete_marker) {
      return S3("MethodNotAllowed", "a delete marker cannot carry " + std::string(setting) + ".");
    }
    return row;
  }

  bool IsLatest(sqlite3* conn, const ObjectVersion& version) const {
    auto stmt = Prepared(conn, "SELECT MAX(seq) FROM versions WHERE bucket = ? AND key = ?");
    stmt->Bind(1, version.bucket).Bind(2, version.key);
    return stmt->Step() && static_cast<uint64_t>(stmt->Int(0)) == version.sequence;
  }

  // Runs `apply` and records `entry` in one SQLite transaction, then appends the entry to the ledger. Caller holds
  // the mutex. Returns the entry's sequence number.
  Result<uint64_t> Commit(json entry, Timestamp now, const Caller& caller,
                          const std::function<Status(uint64_t seq)>& apply) {
    uint64_t seq = next_seq;
    TUTELA_ASSIGN_OR_RETURN(std::string text, EntryText(entry, seq, now, caller));
    TUTELA_RETURN_IF_ERROR(LedgerError());
    TUTELA_RETURN_IF_ERROR(Exec(db, "BEGIN IMMEDIATE"));
    Status applied = apply(seq);
    if (applied.ok()) applied = InsertJournal(seq, text);
    if (applied.ok()) applied = Exec(db, "COMMIT");
    if (!applied.ok()) {
      (void)Exec(db, "ROLLBACK");
      return applied;
    }
    next_seq = seq + 1;
    CheckpointIfDueLocked();
    // Committed: a failed ledger append is repaired by recovery on the next start (the journal holds the entry).
    QueueForLedger({text});
    std::unique_lock<std::mutex> lock(ledger_mutex);
    ++ledger_waiters;
    ledger_cv.notify_all();  // no need to gather more entries: someone waits
    ledger_cv.wait(lock, [&] { return ledger_next > seq; });
    --ledger_waiters;
    TUTELA_RETURN_IF_ERROR(LedgerError());
    return seq;
  }

  // The ledger entry: version, sequence, time and user first, then the mutation's fields. Text that is not UTF-8 (an
  // object key or Content-Type a client sent as raw bytes) cannot be recorded faithfully as JSON: refused, never
  // replaced (the log must say exactly what the store holds). The S3 layer refuses such requests before this.
  static Result<std::string> EntryText(const json& entry, uint64_t seq, Timestamp now, const Caller& caller) {
    json ordered = {{"v", 1}, {"seq", seq}, {"time", TimeText(now)}, {"user", caller.user}};
    for (auto& [name, value] : entry.items()) ordered[name] = value;
    if (auto field = FindNonUtf8(ordered)) {
      return Status::InvalidArgument("InvalidArgument: the log entry's field " + *field +
                                     " is not UTF-8 text; object keys and recorded headers must be UTF-8.");
    }
    return ordered.dump();
  }

  // Copies the WAL into the database once it holds kCheckpointFrames frames. SQLite would do this inside the COMMIT
  // that crosses the threshold (wal_autocheckpoint), delaying that batch's answers by the checkpoint's writes and
  // syncs; the commit thread does it after answering instead. The caller holds `mutex`, so no transaction is open
  // and the checkpoint copies every frame (the next transaction then starts the WAL over, keeping it bounded).
  void CheckpointIfDueLocked() {
    if (wal_frames.load() < kCheckpointFrames) return;
    wal_frames = 0;
    (void)sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  }

  Status InsertJournal(uint64_t seq, const std::string& text) const {
    auto insert = Prepared(db, "INSERT INTO journal (seq, entry) VALUES (?, ?)");
    insert->Bind(1, static_cast<int64_t>(seq)).Bind(2, text);
    return insert->Run();
  }

  // Queues `item` and returns once a batch holding it was committed (or refused it). Two pipelined steps, each on
  // its own thread (started on first use): the sync thread takes every queued item and fdatasyncs the segments their
  // bytes were written to (one sync per segment for all of them) and hands them to the commit thread, which commits
  // every item handed to it since its last commit as one SQLite transaction (one WAL sync) and wakes their threads
  // — they are durable now. While one batch commits, the next ones are synced, and the commit after it takes all of
  // them; an item is never committed before its own sync has returned. The ledger thread appends behind both. Only
  // the threads whose items are done are woken.
  Status GroupCommit(CommitItem& item) {
    std::call_once(pipeline_started, [this] {
      sync_thread = std::thread([this] { SyncLoop(); });
      commit_thread = std::thread([this] { CommitLoop(); });
    });
    bool wake;
    {
      std::lock_guard<std::mutex> lock(queue_mutex);
      queue.push_back(&item);
      wake = sync_idle;  // otherwise the sync thread is busy or waits for a time or a commit, not for PUTs
    }
    if (wake) queue_cv.notify_one();
    item.finished.acquire();
    return item.status;
  }

  // When to sync: at once when the commit thread has taken everything synced (so that the next commit finds its
  // batch ready); while a synced batch already waits for the commit in progress, once more ("topping it up"), timed
  // from the last commits' and syncs' durations to end just before that commit does — late enough that most PUTs
  // arriving during the commit share the sync, early enough that they join the next commit instead of the one after.
  // About two segment syncs per commit, whatever the rate.
  void SyncLoop() {
    using Clock = std::chrono::steady_clock;
    std::unique_lock<std::mutex> lock(queue_mutex);
    while (true) {
      if (queue.empty()) {
        if (pipeline_stopping) return;
        sync_idle = true;
        queue_cv.wait(lock);
        sync_idle = false;
        continue;
      }
      if (!synced_items.empty() && !pipeline_stopping) {
        Clock::time_point due = commit_started + commit_estimate - sync_estimate;
        if (topped_up) {
          queue_cv.wait(lock);
          continue;
        }
        if (Clock::now() < due) {
          queue_cv.wait_until(lock, due);
          continue;
        }
        topped_up = true;
      }
      std::vector<CommitItem*> batch;
      batch.swap(queue);
      lock.unlock();
      Clock::time_point began = Clock::now();
      Status synced = SyncSegments(batch);
      Clock::duration took = Clock::now() - began;
      lock.lock();
      sync_estimate = (sync_estimate * 3 + took) / 4;
      if (synced.ok()) {
        synced_items.insert(synced_items.end(), batch.begin(), batch.end());
        synced_cv.notify_one();
      } else {
        for (CommitItem* failed : batch) {
          failed->status = synced;
          failed->finished.release();
        }
      }
    }
  }

  void CommitLoop() {
    std::unique_lock<std::mutex> lock(queue_mutex);
    while (true) {
      synced_cv.wait(lock, [&] { return !synced_items.empty() || sync_stopped; });
      if (synced_items.empty()) return;
      std::vector<CommitItem*> batch;
      batch.swap(synced_items);
      commit_started = std::chrono::steady_clock::now();
      topped_up = false;
      lock.unlock();
      queue_cv.notify_one();  // the sync thread may sync the next batch
      CommitBatch(batch);
      {
        std::lock_guard<std::mutex> estimate_lock(queue_mutex);
        commit_estimate = (commit_estimate * 3 + (std::chrono::steady_clock::now() - commit_started)) / 4;
      }
      for (CommitItem* done : batch) done->finished.release();
      {
        std::lock_guard<std::mutex> write_lock(mutex);
        CheckpointIfDueLocked();  // after the batch was answered, not while it waits
      }
      lock.lock();
    }
  }

  // Stops the sync and commit threads once they have finished what was handed to them.
  void StopPipeline() {
    {
      std::lock_guard<std::mutex> lock(queue_mutex);
      pipeline_stopping = true;
    }
    queue_cv.notify_all();
    if (sync_thread.joinable()) sync_thread.join();
    {
      std::lock_guard<std::mutex> lock(queue_mutex);
      sync_stopped = true;
    }
    synced_cv.notify_all();
    if (commit_thread.joinable()) commit_thread.join();
  }

  // Makes the segment bytes of `batch` durable: one fdatasync per segment written to. The segment was written and
  // synced whole before use, so this flushes data only (no file-system journal commit).
  Status SyncSegments(const std::vector<CommitItem*>& batch) {
    std::vector<Segment*> synced;
    for (CommitItem* item : batch) {
      if (item->segment == nullptr || std::find(synced.begin(), synced.end(), item->segment) != synced.end()) continue;
      synced.push_back(item->segment);
      if (::fdatasync(item->segment->fd) != 0) {
        Status status = ErrnoStatus(errno, "sync", item->segment->path);
        RetireSegment(item->segment);
        return status;
      }
    }
    return Status::Ok();
  }

  // Commits `batch` in one transaction and queues the ledger entries of the items it committed.
  void CommitBatch(const std::vector<CommitItem*>& batch) {
    std::lock_guard<std::mutex> lock(mutex);
    std::vector<std::string> texts;
    auto fail_all = [&](const Status& status) {
      for (CommitItem* item : batch) {
        if (item->status.ok()) item->status = status;
      }
      texts.clear();
    };
    if (Status broken = LedgerError(); !broken.ok()) return fail_all(broken);
    if (Status begun = Exec(db, "BEGIN IMMEDIATE"); !begun.ok()) return fail_all(begun);
    uint64_t seq = next_seq;
    for (CommitItem* item : batch) {
      json entry;
      Status status = item->run(seq, entry);
      Result<std::string> entry_text = status.ok() ? EntryText(entry, seq, item->now, item->caller) : std::string();
      if (status.ok() && !entry_text.ok()) {
        // Its changes are already in the open transaction: nothing of this batch is kept (the S3 layer refuses
        // such requests first, so this does not happen in practice).
        (void)Exec(db, "ROLLBACK");
        return fail_all(entry_text.status());
      }
      if (status.ok()) {
        std::string text = std::move(*entry_text);
        if (Status journaled = InsertJournal(seq, text); !journaled.ok()) {
          (void)Exec(db, "ROLLBACK");
          return fail_all(journaled);
        }
        item->seq = seq++;
        texts.push_back(std::move(text));
      } else if (status.code() == StatusCode::kIoError || status.code() == StatusCode::kInternal) {
        (void)Exec(db, "ROLLBACK");  // a write may have half-happened: nothing of this batch is kept
        return fail_all(status);
      } else {
        item->status = status;
      }
    }
    if (Status committed = Exec(db, "COMMIT"); !committed.ok()) {
      (void)Exec(db, "ROLLBACK");
      return fail_all(committed);
    }
    next_seq = seq;
    QueueForLedger(std::move(texts));
  }

  // Queues committed entries for the ledger thread; the caller holds `mutex`, so the queue is in sequence order.
  void QueueForLedger(std::vector<std::string> texts) {
    if (texts.empty()) return;
    std::lock_guard<std::mutex> lock(ledger_mutex);
    for (std::string& text : texts) ledger_pending.push_back(std::move(text));
    ledger_cv.notify_all();
  }

  // The ledger thread: appends everything queued with one write and one sync, until stopped and drained. The
  // entries are durable in the journal already: a failure is repaired by recovery on the next start, and until
  // then the vault refuses writes (ledger_error) rather than let the ledger fall further behind.
  void LedgerLoop() {
    std::unique_lock<std::mutex> lock(ledger_mutex);
    std::chrono::steady_clock::time_point last_append{};
    while (true) {
      ledger_cv.wait(lock, [&] { return !ledger_pending.empty() || ledger_stopping; });
      if (ledger_pending.empty()) return;
      // Appends at most every kLedgerInterval while nobody waits for them: more entries per write and sync (the
      // ledger file grows, so each sync is a file-system journal commit, which competes with the PUTs' syncs).
      ledger_cv.wait_until(lock, last_append + kLedgerInterval, [&] { return ledger_stopping || ledger_waiters > 0; });
      last_append = std::chrono::steady_clock::now();
      std::vector<std::string> texts;
      texts.swap(ledger_pending);
      uint64_t first = ledger_next;
      lock.unlock();
      Status status = LedgerError();
      if (status.ok()) {
        auto index = log->AppendBatch(texts);
        status = index.status();
        if (status.ok() && *index != first) {
          status = Status::Internal("vault ledger index " + std::to_string(*index) + " differs from journal sequence " +
                                    std::to_string(first) + ".");
        }
        if (!status.ok()) {
          std::lock_guard<std::mutex> error_lock(error_mutex);
          ledger_error = Status::IoError("the vault ledger could not be appended (" + status.message() +
                                         "); restart the vault to repair it from the metadata journal.");
        }
      }
      lock.lock();
      ledger_next = first + texts.size();
      ledger_cv.notify_all();
    }
  }

  // Waits until every committed entry is in the ledger; the caller holds `mutex`, so no new entry commits meanwhile.
  void WaitForLedger() const {
    std::unique_lock<std::mutex> lock(ledger_mutex);
    ++ledger_waiters;
    ledger_cv.notify_all();
    ledger_cv.wait(lock, [&] { return ledger_next == next_seq; });
    --ledger_waiters;
  }

  // A new row; `segment` 0 keeps the bytes in blobs/<uid>, else they are in that segment from `segment_offset` on.
  Status InsertVersion(const std::string& uid, const ObjectVersion& v, uint64_t seq, uint32_t segment = 0,
                       uint64_t segment_offset = 0) const {
    auto stmt = Prepared(db, "INSERT INTO versions (" + std::string(kVersionColumns) +
                                 ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    stmt->Bind(1, uid).Bind(2, v.bucket).Bind(3, v.key).Bind(4, v.version_id).Bind(5, static_cast<int64_t>(seq));
    stmt->Bind(6, int64_t{v.delete_marker ? 1 : 0}).Bind(7, static_cast<int64_t>(v.size)).Bind(8, v.md5_hex);
    stmt->Bind(9, v.sha256_hex).Bind(10, v.content_type).Bind(11, TimeText(v.last_modified));
    stmt->Bind(12, LockModeName(v.lock_mode)).Bind(13, v.retain_until ? TimeText(*v.retain_until) : "");
    stmt->Bind(14, int64_t{v.legal_hold ? 1 : 0}).Bind(15, v.etag == v.md5_hex ? "" : v.etag);
    stmt->Bind(16, int64_t{segment}).Bind(17, static_cast<int64_t>(segment_offset));
    return stmt->Run();
  }

  Status DeleteRow(const std::string& uid) const {
    auto stmt = Prepared(db, "DELETE FROM versions WHERE uid = ?");
    stmt->Bind(1, uid);
    return stmt->Run();
  }

  // AccessDenied unless `row` may be removed permanently by `caller` now.
  Status MayRemove(const Row& row, const Caller& caller, bool bypass, Timestamp now) const {
    const ObjectVersion& v = row.version;
    std::string subject = v.bucket + "/" + v.key + " version " + v.version_id;
    if (v.delete_marker) return Status::Ok();
    if (v.legal_hold) return S3("AccessDenied", subject + " is under legal hold; turn the hold OFF first.");
    if (v.lock_mode == LockMode::kNone || !v.retain_until || *v.retain_until <= now) return Status::Ok();
    if (v.lock_mode == LockMode::kCompliance) {
      return S3("AccessDenied", subject + " is under COMPLIANCE retention until " + TimeText(*v.retain_until) +
                                    "; nobody can delete it before then.");
    }
    if (bypass && caller.may_bypass_governance) return Status::Ok();
    return S3("AccessDenied", subject + " is under GOVERNANCE retention until " + TimeText(*v.retain_until) +
                                  "; only a user allowed to bypass governance, sending "
                                  "x-amz-bypass-governance-retention: true, can delete it.");
  }

  Result<std::string> NewUid() const {
    TUTELA_ASSIGN_OR_RETURN(std::string random, RandomBytes(8));
    auto micros = options.clock().time_since_epoch().count();
    char prefix[20];
    std::snprintf(prefix, sizeof prefix, "%014llx", static_cast<unsigned long long>(micros));
    return std::string(prefix) +
           ToHex(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(random.data()), random.size()));
  }

  // Data to tmp/, fdatasync, rename into blobs/, sync the folder: the blob is durable before the metadata that names
  // it is committed. Concurrent writers' syncs share the file system's journal commits.
  Status WriteBlob(const std::string& uid, std::string_view data) const {
    fs::path temporary = dir / "tmp" / uid;
    int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
    if (fd < 0) return ErrnoStatus(errno, "create", temporary);
    Status status = WriteAll(fd, data, temporary);
    if (status.ok() && ::fdatasync(fd) != 0) status = ErrnoStatus(errno, "sync", temporary);
    ::close(fd);
    if (status.ok() && ::rename(temporary.c_str(), BlobPath(uid).c_str()) != 0) {
      status = ErrnoStatus(errno, "rename into blobs/", temporary);
    }
    if (status.ok()) status = SyncDirectory(dir / "blobs");
    if (!status.ok()) ::unlink(temporary.c_str());
    return status;
  }

  // True when a version of `size` bytes is stored in a segment.
  bool FitsInSegment(uint64_t size) const {
    return options.segment_object_bytes > 0 && size <= options.segment_object_bytes && size <= options.segment_bytes;
  }

  // Writes `data` into a segment when it is small enough and a segment can be had (`at` then names it; the group
  // commit syncs it), else durably to blobs/<uid> (`at` stays empty).
  Status WriteData(const std::string& uid, std::string_view data, Store::StoredAt& at) {
    if (FitsInSegment(data.size())) {
      if (std::optional<Store::StoredAt> slot = AllocateInSegment(data.size())) {
        at = std::move(*slot);
        if (data.size() % kSegmentAlign == 0) return WriteAt(at.segment->fd, at.offset, data, at.segment->path);
        // Whole pages (the version's bytes, then zeros to the page's end): a partial page not in the page cache
        // would first be read from the disk.
        std::string padded(AlignUp(data.size()), '\0');
        std::memcpy(padded.data(), data.data(), data.size());
        return WriteAt(at.segment->fd, at.offset, padded, at.segment->path);
      }
    }
    return WriteBlob(uid, data);
  }

  // Reserves `size` bytes in the segment being filled, moving on to the prepared next one when it is full, and
  // waiting for a preparation when there is none. nullopt when segments cannot be had (the last preparation failed,
  // e.g. a full disk; a retry is asked for at most every 10 seconds) or the store is closing: the caller stores a
  // blob instead.
  std::optional<Store::StoredAt> AllocateInSegment(uint64_t size) {
    std::unique_lock<std::mutex> lock(segment_mutex);
    while (true) {
      if (active_segment && segment_next + AlignUp(size) <= active_segment->capacity) {
        Store::StoredAt at{active_segment, segment_next};
        segment_next = AlignUp(segment_next + size);
        if (segment_next * 2 >= active_segment->capacity) WantSegmentLocked();  // ready before this one is full
        return at;
      }
      if (spare_segment) {
        // Full: read-only from now on (descriptors already open, including the writers', keep working).
        if (active_segment) ::chmod(active_segment->path.c_str(), 0444);
        active_segment = std::move(spare_segment);
        segment_next = 0;
        continue;
      }
      if (segment_stopping) return std::nullopt;
      bool failed = segment_failed;
      uint64_t attempts = segment_attempts;
      WantSegmentLocked();
      if (failed) return std::nullopt;
      segment_cv.wait(lock, [&] { return segment_attempts != attempts || spare_segment || segment_stopping; });
    }
  }

  // A failed fdatasync leaves the file's cached pages in doubt: no more objects go into that segment.
  void RetireSegment(const Segment* segment) {
    std::lock_guard<std::mutex> lock(segment_mutex);
    if (active_segment.get() == segment) segment_next = active_segment->capacity;
  }

  // Asks the preparing thread (started on first need) for the next segment; the caller holds segment_mutex.
  void WantSegmentLocked() {
    if (spare_segment || segment_preparing || segment_wanted || segment_stopping) return;
    if (segment_failed && std::chrono::steady_clock::now() < segment_retry_after) return;
    segment_wanted = true;
    if (!segment_thread.joinable()) segment_thread = std::thread([this] { SegmentLoop(); });
    segment_cv.notify_all();
  }

  void SegmentLoop() {
    std::unique_lock<std::mutex> lock(segment_mutex);
    while (true) {
      segment_cv.wait(lock, [&] { return segment_wanted || segment_stopping; });
      if (segment_stopping) return;
      segment_wanted = false;
      segment_preparing = true;
      uint32_t id = last_segment_id + 1;
      lock.unlock();
      auto made = PrepareSegment(id);
      lock.lock();
      segment_preparing = false;
      ++segment_attempts;
      segment_failed = !made.ok();
      if (made.ok()) {
        last_segment_id = id;
        spare_segment = std::move(*made);
      } else {
        segment_retry_after = std::chrono::steady_clock::now() + std::chrono::seconds(10);
      }
      segment_cv.notify_all();
    }
  }

  // Creates segments/<id>.seg: written with zeros under a temporary name (.new), fsynced (data, size and block
  // allocation), renamed and the folder fsynced. A crash leaves either no .seg or a complete one; recovery removes
  // a .new.
  Result<std::shared_ptr<Segment>> PrepareSegment(uint32_t id) {
    fs::path temporary = dir / "segments" / SegmentName(id, ".new");
    auto segment = std::make_shared<Segment>();
    segment->id = id;
    segment->capacity = options.segment_bytes;
    segment->path = SegmentPath(id);
    segment->fd = ::open(temporary.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (segment->fd < 0) return ErrnoStatus(errno, "create", temporary);
    // The zeros go straight to the disk (O_DIRECT, from one aligned buffer): no copy into the page cache and no
    // dirty pages for the final fsync to write back, so the syncs of the segment in use do not queue behind
    // megabytes of zeros. Where O_DIRECT is not supported (tmpfs), or for a size that is not a multiple of the
    // block size, they are written through the page cache instead.
    constexpr size_t kChunk = size_t{1} << 20;
    std::unique_ptr<char, decltype(&std::free)> zeros(static_cast<char*>(std::aligned_alloc(kSegmentAlign, kChunk)),
                                                      &std::free);
    if (!zeros) return Status::IoError("vault: out of memory preparing a segment.");
    std::memset(zeros.get(), 0, kChunk);
    int direct =
        segment->capacity % kSegmentAlign == 0 ? ::open(temporary.c_str(), O_WRONLY | O_DIRECT | O_CLOEXEC) : -1;
    Status status = Status::Ok();
    for (uint64_t offset = 0; status.ok() && offset < segment->capacity; offset += kChunk) {
      if (segment_stopping) status = Status::IoError(temporary.string() + ": the store closed while preparing it.");
      size_t length = static_cast<size_t>(std::min<uint64_t>(kChunk, segment->capacity - offset));
      if (status.ok()) {
        status = WriteAt(direct >= 0 ? direct : segment->fd, offset, std::string_view(zeros.get(), length), temporary);
      }
    }
    if (direct >= 0) ::close(direct);
    if (status.ok() && ::fsync(segment->fd) != 0) status = ErrnoStatus(errno, "sync", temporary);
    if (status.ok() && ::rename(temporary.c_str(), segment->path.c_str()) != 0) {
      status = ErrnoStatus(errno, "rename", temporary);
    }
    if (status.ok()) status = SyncDirectory(dir / "segments");
    if (!status.ok()) {
      ::unlink(temporary.c_str());
      return status;
    }
    return segment;
  }

  // At open: removes half-prepared segments and resumes filling the newest segment after the last byte any row
  // references (what lies beyond was never committed).
  Status OpenSegments() {
    std::error_code error;
    uint32_t newest = 0;
    for (const auto& entry : fs::directory_iterator(dir / "segments", error)) {
      std::string name = entry.path().filename().string();
      if (name.ends_with(".new")) {
        fs::remove(entry.path(), error);
      } else {
        newest = std::max(newest, SegmentIdOf(name));
      }
    }
    if (error) return ErrnoStatus(error.value(), "list", dir / "segments");
    Stmt highest(db, "SELECT COALESCE(MAX(segment), 0) FROM versions");
    if (!highest.Step()) return highest.status();
    last_segment_id = std::max(newest, static_cast<uint32_t>(highest.Int(0)));
    if (newest == 0) return Status::Ok();
    auto segment = std::make_shared<Segment>();
    segment->id = newest;
    segment->path = SegmentPath(newest);
    segment->fd = ::open(segment->path.c_str(), O_RDWR | O_CLOEXEC);
    if (segment->fd < 0) return Status::Ok();  // read-only (full): the next object starts a new segment
    struct stat info {};
    if (::fstat(segment->fd, &info) != 0) return ErrnoStatus(errno, "stat", segment->path);
    segment->capacity = static_cast<uint64_t>(info.st_size);
    Stmt end(db, "SELECT COALESCE(MAX(segment_offset + size), 0) FROM versions WHERE segment = ?");
    end.Bind(1, int64_t{newest});
    if (!end.Step()) return end.status();
    segment_next = std::min(AlignUp(static_cast<uint64_t>(end.Int(0))), segment->capacity);
    active_segment = std::move(segment);
    return Status::Ok();
  }

  Status Recover() {
    // Journal entries a crash kept out of the ledger.
    Stmt count(db, "SELECT COUNT(*), COALESCE(MAX(seq), -1) FROM journal");
    if (!count.Step()) return count.status();
    uint64_t journal_size = static_cast<uint64_t>(count.Int(0));
    if (static_cast<int64_t>(journal_size) != count.Int(1) + 1) {
      return Status::Corruption((dir / "meta.sqlite").string() +
                                ": the journal has gaps in its sequence numbers; the metadata was altered.");
    }
    if (log->size() > journal_size) {
      return Status::Corruption((dir / "ledger.log").string() + ": the ledger holds " + std::to_string(log->size()) +
                                " entries but the metadata journal only " + std::to_string(journal_size) +
                                "; the metadata was rolled back or replaced — restore it from a copy.");
    }
    Stmt missing(db, "SELECT entry FROM journal WHERE seq >= ? ORDER BY seq");
    missing.Bind(1, static_cast<int64_t>(log->size()));
    while (missing.Step()) TUTELA_RETURN_IF_ERROR(log->Append(missing.Text(0)).status());
    TUTELA_RETURN_IF_ERROR(missing.status());
    next_seq = journal_size;
    ledger_next = journal_size;

    // Leftover uploads and blobs no committed row references.
    std::error_code error;
    for (const auto& entry : fs::directory_iterator(dir / "tmp", error)) fs::remove_all(entry.path(), error);
    std::set<std::string> referenced;
    Stmt uids(db, "SELECT uid FROM versions WHERE delete_marker = 0");
    while (uids.Step()) referenced.insert(uids.Text(0));
    TUTELA_RETURN_IF_ERROR(uids.status());
    for (const auto& entry : fs::directory_iterator(dir / "blobs", error)) {
      if (!referenced.contains(entry.path().filename().string())) fs::remove(entry.path(), error);
    }

    // Clock rollback.
    if (journal_size > 0) {
      TUTELA_ASSIGN_OR_RETURN(std::string last, log->Entry(journal_size - 1));
      json parsed = json::parse(last, nullptr, false);
      if (parsed.is_object() && parsed.contains("time") && parsed["time"].is_string()) {
        auto newest = ParseRfc3339(parsed["time"].get<std::string>());
        Timestamp now = options.clock();
        if (newest.ok() && now < *newest) {
          return Status::InvalidArgument("the system clock (" + TimeText(now) +
                                         ") is earlier than the newest vault ledger entry (" + TimeText(*newest) +
                                         "); the clock was rolled back, which would shorten every retention — fix "
                                         "the clock (NTP) before starting the vault.");
        }
      }
    }
    return Status::Ok();
  }
};

Store::Store() : impl_(std::make_unique<Impl>()) {}
Store::~Store() = default;

Result<std::unique_ptr<Store>> Store::Open(const fs::path& dir, StoreOptions options) {
  std::unique_ptr<Store> store(new Store());
  Impl& impl = *store->impl_;
  impl.dir = dir;
  impl.options = std::move(options);
  if (!impl.options.clock) impl.options.clock = NowUtc;
  std::error_code error;
  for (const char* sub : {"blobs", "tmp", "uploads", "segments"}) {
    bool created = fs::create_directories(dir / sub, error);
    if (error) return ErrnoStatus(error.value(), "create the folder", dir / sub);
    if (created && std::string_view(sub) == "segments") TUTELA_RETURN_IF_ERROR(SyncDirectory(dir));
  }
  if (sqlite3_open_v2((dir / "meta.sqlite").c_str(), &impl.db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr) != SQLITE_OK) {
    return Status::IoError((dir / "meta.sqlite").string() + ": cannot open the vault metadata (" +
                           std::string(impl.db ? sqlite3_errmsg(impl.db) : "out of memory") + ").");
  }
  sqlite3_busy_timeout(impl.db, 5000);
  TUTELA_RETURN_IF_ERROR(Exec(impl.db, "PRAGMA journal_mode=WAL"));
  TUTELA_RETURN_IF_ERROR(Exec(impl.db, "PRAGMA synchronous=FULL"));
  // Our hook replaces SQLite's automatic checkpoint (CheckpointIfDueLocked).
  sqlite3_wal_hook(
      impl.db,
      [](void* impl_pointer, sqlite3*, const char*, int frames) {
        static_cast<Impl*>(impl_pointer)->wal_frames = frames;
        return SQLITE_OK;
      },
      &impl);
  TUTELA_RETURN_IF_ERROR(Exec(impl.db, kSchema));
  {
    // A store written before segments existed: its rows gain the columns, every one naming a blob (segment 0).
    std::set<std::string> columns;
    Stmt info(impl.db, "PRAGMA table_info(versions)");
    while (info.Step()) columns.insert(info.Text(1));
    TUTELA_RETURN_IF_ERROR(info.status());
    for (const auto& [name, definition] : kAddedVersionColumns) {
      if (!columns.contains(std::string(name))) {
        TUTELA_RETURN_IF_ERROR(Exec(impl.db, "ALTER TABLE versions ADD COLUMN " + std::string(definition)));
      }
    }
  }
  if (sqlite3_open_v2((dir / "meta.sqlite").c_str(), &impl.read_db, SQLITE_OPEN_READONLY | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK) {
    return Status::IoError((dir / "meta.sqlite").string() + ": cannot open the vault metadata for reading (" +
                           std::string(impl.read_db ? sqlite3_errmsg(impl.read_db) : "out of memory") + ").");
  }
  sqlite3_busy_timeout(impl.read_db, 5000);
  TUTELA_ASSIGN_OR_RETURN(impl.signer, ledger::Signer::LoadOrCreate(dir / "ledger-key.pem"));
  TUTELA_ASSIGN_OR_RETURN(impl.log, ledger::Log::Open(dir / "ledger.log"));
  TUTELA_RETURN_IF_ERROR(impl.Recover());
  TUTELA_RETURN_IF_ERROR(impl.OpenSegments());
  impl.ledger_thread = std::thread([&impl] { impl.LedgerLoop(); });
  return store;
}

Status Store::CreateBucket(const Caller& caller, const std::string& name, bool object_lock_enabled) {
  if (!ValidBucketName(name)) {
    return S3("InvalidBucketName", "\"" + name +
                                       "\" is not a valid bucket name; use 3-63 lower-case letters, digits, dots "
                                       "and hyphens, starting and ending with a letter or digit.");
  }
  std::lock_guard<std::mutex> lock(impl_->mutex);
  if (impl_->LoadBucket(name).ok()) return S3("BucketAlreadyOwnedByYou", "the bucket \"" + name + "\" exists.");
  Timestamp now = impl_->options.clock();
  json entry = {{"op", "create-bucket"}, {"bucket", name}, {"lock_enabled", object_lock_enabled}};
  return impl_
      ->Commit(entry, now, caller,
               [&](uint64_t) {
                 Stmt stmt(impl_->db,
                           "INSERT INTO buckets (name, created, versioning, lock_enabled, default_mode, default_days, "
                           "default_years) VALUES (?, ?, ?, ?, '', 0, 0)");
                 stmt.Bind(1, name).Bind(2, TimeText(now)).Bind(3, object_lock_enabled ? "Enabled" : "");
                 stmt.Bind(4, int64_t{object_lock_enabled ? 1 : 0});
                 return stmt.Run();
               })
      .status();
}

Status Store::DeleteBucket(const Caller& caller, const std::string& name) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  TUTELA_RETURN_IF_ERROR(impl_->LoadBucket(name).status());
  Stmt count(impl_->db, "SELECT COUNT(*) FROM versions WHERE bucket = ?");
  count.Bind(1, name);
  if (count.Step() && count.Int(0) > 0) {
    return S3("BucketNotEmpty", "the bucket \"" + name + "\" still holds " + std::to_string(count.Int(0)) +
                                    " object versions or delete markers; delete them first.");
  }
  return impl_
      ->Commit({{"op", "delete-bucket"}, {"bucket", name}}, impl_->options.clock(), caller,
               [&](uint64_t) {
                 Stmt stmt(impl_->db, "DELETE FROM buckets WHERE name = ?");
                 stmt.Bind(1, name);
                 return stmt.Run();
               })
      .status();
}

Result<BucketInfo> Store::GetBucket(const std::string& name) const {
  std::lock_guard<std::mutex> lock(impl_->read_mutex);
  return impl_->LoadBucketOn(impl_->read_db, name);
}

Result<std::vector<BucketInfo>> Store::ListBuckets() const {
  std::lock_guard<std::mutex> lock(impl_->read_mutex);
  Stmt stmt(impl_->read_db,
            "SELECT name, created, versioning, lock_enabled, default_mode, default_days, default_years FROM buckets "
            "ORDER BY name");
  std::vector<BucketInfo> buckets;
  while (stmt.Step()) buckets.push_back(BucketFromRow(stmt));
  TUTELA_RETURN_IF_ERROR(stmt.status());
  return buckets;
}

Status Store::PutBucketVersioning(const Caller& caller, const std::string& name, const std::string& status) {
  if (status != "Enabled" && status != "Suspended") {
    return S3("MalformedXML", "the versioning status must be Enabled or Suspended, not \"" + status + "\".");
  }
  std::lock_guard<std::mutex> lock(impl_->mutex);
  TUTELA_ASSIGN_OR_RETURN(BucketInfo bucket, impl_->LoadBucket(name));
  if (bucket.lock_enabled && status != "Enabled") {
    return S3("InvalidBucketState", "versioning cannot be suspended on \"" + name + "\": Object Lock is enabled.");
  }
  return impl_
      ->Commit({{"op", "put-versioning"}, {"bucket", name}, {"versioning", status}}, impl_->options.clock(), caller,
               [&](uint64_t) {
                 Stmt stmt(impl_->db, "UPDATE buckets SET versioning = ? WHERE name = ?");
                 stmt.Bind(1, status).Bind(2, name);
                 return stmt.Run();
               })
      .status();
}

Status Store::PutObjectLockConfiguration(const Caller& caller, const std::string& name,
                                         const LockConfigurationRequest& request) {
  if (request.object_lock_enabled != "Enabled") {
    return S3("MalformedXML", "ObjectLockEnabled must be \"Enabled\".");
  }
  std::optional<DefaultRetention> retention;
  if (request.mode || request.days || request.years) {
    std::optional<LockMode> mode = request.mode ? ParseLockMode(*request.mode) : std::nullopt;
    if (!mode) return S3("MalformedXML", "the default retention needs Mode GOVERNANCE or COMPLIANCE.");
    if (request.days.has_value() == request.years.has_value()) {
      return S3("MalformedXML", "the default retention needs exactly one of Days or Years.");
    }
    if (request.days.value_or(1) <= 0 || request.years.value_or(1) <= 0) {
      return S3("InvalidRetentionPeriod", "the default retention period must be a positive number of days or years.");
    }
    retention = DefaultRetention{*mode, request.days.value_or(0), request.years.value_or(0)};
  }
  std::lock_guard<std::mutex> lock(impl_->mutex);
  TUTELA_ASSIGN_OR_RETURN(BucketInfo bucket, impl_->LoadBucket(name));
  if (!bucket.lock_enabled && bucket.versioning != "Enabled") {
    return S3("InvalidBucketState", "Object Lock needs versioning Enabled on \"" + name + "\"; enable it first.");
  }
  json entry = {{"op", "put-lock-config"}, {"bucket", name}};
  if (retention) {
    entry["default_mode"] = LockModeName(retention->mode);
    entry["default_days"] = retention->days;
    entry["default_years"] = retention->years;
  }
  return impl_
      ->Commit(entry, impl_->options.clock(), caller,
               [&](uint64_t) {
                 Stmt stmt(impl_->db,
                           "UPDATE buckets SET lock_enabled = 1, default_mode = ?, default_days = ?, default_years = "
                           "? WHERE name = ?");
                 stmt.Bind(1, retention ? LockModeName(retention->mode) : "");
                 stmt.Bind(2, retention ? retention->days : 0).Bind(3, retention ? retention->years : 0);
                 stmt.Bind(4, name);
                 return stmt.Run();
               })
      .status();
}

Result<BucketInfo> Store::GetObjectLockConfiguration(const std::string& name) const {
  TUTELA_ASSIGN_OR_RETURN(BucketInfo bucket, GetBucket(name));
  if (!bucket.lock_enabled) {
    return S3("ObjectLockConfigurationNotFoundError", "Object Lock configuration does not exist for \"" + name + "\".");
  }
  return bucket;
}

namespace {

Status CheckContentMd5(const std::optional<std::string>& content_md5, const std::string& md5_hex) {
  if (!content_md5.has_value()) return Status::Ok();
  if (content_md5->size() != 16) return S3("InvalidDigest", "the Content-MD5 header is not 16 bytes.");
  std::string sent = ToHex(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(content_md5->data()), 16));
  if (sent != md5_hex) return S3("BadDigest", "the Content-MD5 sent does not match the data received.");
  return Status::Ok();
}

}  // namespace

struct IncomingBody::State {
  fs::path temporary;
  std::string uid;
  // A body up to `memory_limit` bytes (the largest version stored in a segment) stays in `buffer`; a larger one
  // goes to `temporary` from the first byte over the limit on.
  uint64_t memory_limit = 0;
  std::string buffer;
  int fd = -1;
  uint64_t size = 0;
  ChecksumHasher md5{"MD5"};
  ChecksumHasher sha256{"SHA256"};
  std::vector<ChecksumHasher> extra;  // the x-amz-checksum algorithms asked for
  bool finished = false;
  std::string md5_hex;
  std::string sha256_hex;
  std::map<std::string, std::string, std::less<>> computed;
  bool stored = false;

  bool in_file = false;  // the body went to `temporary` (which is removed unless stored)

  bool spilled() const { return in_file; }

  // Moves the body to its temporary file (created here), where the rest is appended.
  Status Spill() {
    if (in_file) return Status::Ok();
    fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
    if (fd < 0) return ErrnoStatus(errno, "create", temporary);
    in_file = true;
    Status status = WriteAll(fd, buffer, temporary);
    buffer = std::string();
    return status;
  }

  void Finish() {
    if (finished) return;
    finished = true;
    md5_hex = ToHex(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(md5.Finish().data()), 16));
    std::string digest = sha256.Finish();
    sha256_hex = ToHex(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(digest.data()), digest.size()));
    for (ChecksumHasher& hasher : extra) computed[hasher.algorithm()] = hasher.Finish();
  }
};

IncomingBody::IncomingBody() : state_(std::make_unique<State>()) {}

IncomingBody::~IncomingBody() {
  if (state_->fd >= 0) ::close(state_->fd);
  if (state_->spilled() && !state_->stored) ::unlink(state_->temporary.c_str());
}

Status IncomingBody::Append(std::string_view piece) {
  if (state_->finished) return Status::Internal("vault: body appended to after it was finished.");
  if (!state_->spilled() && state_->size + piece.size() <= state_->memory_limit) {
    state_->buffer.append(piece);
  } else {
    TUTELA_RETURN_IF_ERROR(state_->Spill());
    TUTELA_RETURN_IF_ERROR(WriteAll(state_->fd, piece, state_->temporary));
  }
  state_->size += piece.size();
  state_->md5.Update(piece);
  state_->sha256.Update(piece);
  for (ChecksumHasher& hasher : state_->extra) hasher.Update(piece);
  return Status::Ok();
}

uint64_t IncomingBody::size() const { return state_->size; }

const std::string& IncomingBody::Sha256Hex() {
  state_->Finish();
  return state_->sha256_hex;
}

Result<std::unique_ptr<IncomingBody>> Store::ReceiveBody(const std::vector<std::string>& checksum_algorithms) {
  std::unique_ptr<IncomingBody> body(new IncomingBody());
  IncomingBody::State& state = *body->state_;
  TUTELA_ASSIGN_OR_RETURN(state.uid, impl_->NewUid());
  state.temporary = impl_->dir / "tmp" / state.uid;
  state.memory_limit =
      impl_->FitsInSegment(impl_->options.segment_object_bytes) ? impl_->options.segment_object_bytes : 0;
  if (state.memory_limit == 0) TUTELA_RETURN_IF_ERROR(state.Spill());
  for (const std::string& algorithm : checksum_algorithms) {
    if (algorithm != "MD5") state.extra.emplace_back(algorithm);
  }
  return body;
}

Result<ObjectVersion> Store::PutObject(const Caller& caller, const PutObjectRequest& request, IncomingBody& body) {
  Timestamp now = impl_->options.clock();
  IncomingBody::State& state = *body.state_;
  state.Finish();
  TUTELA_RETURN_IF_ERROR(CheckContentMd5(request.content_md5, state.md5_hex));
  TUTELA_RETURN_IF_ERROR(VerifyChecksums(request.checksums, [&](std::string_view algorithm) {
    auto found = state.computed.find(algorithm);
    return found == state.computed.end() ? std::string() : found->second;
  }));
  if (!state.spilled()) {  // small: in memory, written where a small PutObject's data goes
    return PutVersion(caller, request, now, state.size, state.md5_hex, state.sha256_hex, state.uid,
                      [&](StoredAt& at) { return impl_->WriteData(state.uid, state.buffer, at); });
  }
  return PutVersion(caller, request, now, state.size, state.md5_hex, state.sha256_hex, state.uid,
                    [&](StoredAt&) -> Status {
                      fs::path blob = impl_->BlobPath(state.uid);
                      Status status = Status::Ok();
                      if (::fdatasync(state.fd) != 0) status = ErrnoStatus(errno, "sync", state.temporary);
                      ::close(state.fd);
                      state.fd = -1;
                      if (status.ok() && ::rename(state.temporary.c_str(), blob.c_str()) != 0) {
                        status = ErrnoStatus(errno, "rename into blobs/", state.temporary);
                      }
                      if (status.ok()) {
                        state.stored = true;  // blobs/<uid> now; PutVersion unlinks it if the commit refuses it
                        status = SyncDirectory(impl_->dir / "blobs");
                      }
                      return status;
                    });
}

Result<ObjectVersion> Store::PutObject(const Caller& caller, const PutObjectRequest& request) {
  Timestamp now = impl_->options.clock();
  std::string md5 = Md5Hex(request.data);
  TUTELA_RETURN_IF_ERROR(CheckContentMd5(request.content_md5, md5));
  TUTELA_RETURN_IF_ERROR(VerifyChecksums(request.checksums, request.data));
  std::string sha256 = request.sha256_hex.empty() ? ToHex(Sha256(request.data)) : request.sha256_hex;
  TUTELA_ASSIGN_OR_RETURN(std::string uid, impl_->NewUid());
  return PutVersion(caller, request, now, request.data.size(), md5, sha256, uid,
                    [&](StoredAt& at) { return impl_->WriteData(uid, request.data, at); });
}

Result<ObjectVersion> Store::PutVersion(const Caller& caller, const PutObjectRequest& request, Timestamp now,
                                        uint64_t size, const std::string& md5, const std::string& sha256_hex,
                                        const std::string& uid, const std::function<Status(StoredAt&)>& write_data) {
  ObjectVersion version;
  version.bucket = request.bucket;
  version.key = request.key;
  version.size = size;
  version.md5_hex = md5;
  version.etag = request.multipart_etag.empty() ? md5 : request.multipart_etag;
  version.content_type = request.content_type;
  version.last_modified = now;
  {
    std::lock_guard<std::mutex> lock(impl_->read_mutex);
    TUTELA_ASSIGN_OR_RETURN(BucketInfo bucket, impl_->LoadBucketOn(impl_->read_db, request.bucket));
    TUTELA_ASSIGN_OR_RETURN(LockMode mode, CheckLockHeaders(bucket, request, now));
    if (mode != LockMode::kNone) {
      version.lock_mode = mode;
      version.retain_until = request.retain_until;
    } else if (bucket.default_retention) {
      const DefaultRetention& retention = *bucket.default_retention;
      version.lock_mode = retention.mode;
      version.retain_until = now + std::chrono::days(retention.days + 365 * retention.years);
    }
    version.legal_hold = request.legal_hold.value_or(false);
    if (version.lock_mode != LockMode::kNone && !request.content_md5 && !request.checksum_header &&
        request.checksums.empty()) {
      return S3("InvalidRequest",
                "Content-MD5 or an x-amz-checksum- header is required for uploads with Object Lock parameters.");
    }
  }
  version.sha256_hex = sha256_hex;
  StoredAt at;
  TUTELA_RETURN_IF_ERROR(write_data(at));
  uint32_t segment = at.segment ? at.segment->id : 0;

  // The commit re-reads the bucket (it may have gone, or its versioning changed, while the data was written) and
  // the "null" version it replaces, under the write lock, inside the batch's transaction.
  std::optional<Row> replaced;
  CommitItem item;
  item.segment = at.segment.get();  // synced by the group commit before the metadata commit
  item.now = now;
  item.caller = caller;
  item.run = [&](uint64_t seq, json& entry) -> Status {
    replaced.reset();
    TUTELA_ASSIGN_OR_RETURN(BucketInfo bucket, impl_->LoadBucket(request.bucket));
    version.version_id = bucket.versioning == "Enabled" ? uid : "null";
    if (version.version_id == "null") {
      auto existing = impl_->LoadVersion(request.bucket, request.key, "null");
      if (existing.ok()) {
        TUTELA_RETURN_IF_ERROR(impl_->MayRemove(*existing, caller, false, now));
        replaced = *existing;
      }
    }
    entry = {{"op", "put"},
             {"bucket", version.bucket},
             {"key", version.key},
             {"version", version.version_id},
             {"uid", uid},
             {"size", version.size},
             {"md5", version.md5_hex},
             {"sha256", version.sha256_hex},
             {"content_type", version.content_type},
             {"mode", LockModeName(version.lock_mode)},
             {"retain_until", version.retain_until ? TimeText(*version.retain_until) : ""},
             {"legal_hold", version.legal_hold}};
    if (version.etag != version.md5_hex) entry["etag"] = version.etag;
    if (replaced) {
      entry["replaced_uid"] = replaced->uid;
      TUTELA_RETURN_IF_ERROR(impl_->DeleteRow(replaced->uid));
    }
    return impl_->InsertVersion(uid, version, seq, segment, at.offset);
  };
  Status committed = impl_->GroupCommit(item);
  if (!committed.ok()) {
    if (segment == 0) ::unlink(impl_->BlobPath(uid).c_str());  // bytes in a segment stay unreferenced: garbage
    return committed;
  }
  if (replaced) impl_->ReleaseData(*replaced);
  version.sequence = item.seq;
  version.is_latest = true;
  return version;
}

Result<ObjectVersion> Store::HeadObject(const std::string& bucket, const std::string& key,
                                        const std::string& version_id) const {
  std::lock_guard<std::mutex> lock(impl_->read_mutex);
  TUTELA_RETURN_IF_ERROR(impl_->LoadBucketOn(impl_->read_db, bucket).status());
  TUTELA_ASSIGN_OR_RETURN(Row row, impl_->LoadVersionOn(impl_->read_db, bucket, key, version_id));
  if (row.version.delete_marker && version_id.empty()) {
    return S3("NoSuchKey", "the newest version of \"" + key + "\" in bucket " + bucket + " is a delete marker.");
  }
  return row.version;
}

Result<std::string> Store::ReadObject(const ObjectVersion& version) const {
  TUTELA_ASSIGN_OR_RETURN(Impl::Location at, impl_->LocationOf(version));
  TUTELA_ASSIGN_OR_RETURN(std::string data, impl_->ReadData(at));
  if (impl_->options.verify_reads && ToHex(Sha256(data)) != version.sha256_hex) {
    return Status::Corruption(version.bucket + "/" + version.key + " version " + version.version_id +
                              ": the stored data no longer matches its SHA-256; run `tutela vault verify`.");
  }
  return data;
}

ObjectReader::~ObjectReader() {
  if (fd_ >= 0) ::close(fd_);
}

Result<std::string> ObjectReader::Read(uint64_t offset, size_t length) const {
  std::string out;
  TUTELA_RETURN_IF_ERROR(ReadAt(fd_, base_ + offset,
                                static_cast<size_t>(std::min<uint64_t>(length, offset < size_ ? size_ - offset : 0)),
                                &out, path_));
  return out;
}

Result<std::unique_ptr<ObjectReader>> Store::OpenObject(const ObjectVersion& version) const {
  TUTELA_ASSIGN_OR_RETURN(Impl::Location at, impl_->LocationOf(version));
  std::unique_ptr<ObjectReader> reader(new ObjectReader());
  reader->path_ = at.segment == 0 ? impl_->BlobPath(at.uid) : impl_->SegmentPath(at.segment);
  reader->fd_ = ::open(reader->path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (reader->fd_ < 0) return ErrnoStatus(errno, "open", reader->path_);
  struct stat info {};
  if (::fstat(reader->fd_, &info) != 0) return ErrnoStatus(errno, "stat", reader->path_);
  if (at.segment == 0) {
    reader->size_ = static_cast<uint64_t>(info.st_size);
  } else {
    if (at.offset + at.size > static_cast<uint64_t>(info.st_size)) {
      return Status::IoError(reader->path_.string() + ": the file ends before the bytes of " + version.bucket + "/" +
                             version.key + " version " + version.version_id + "; it was truncated.");
    }
    reader->base_ = at.offset;
    reader->size_ = at.size;
  }
  if (impl_->options.verify_reads) {
    ChecksumHasher sha256("SHA256");
    for (uint64_t offset = 0; offset < reader->size_;) {
      TUTELA_ASSIGN_OR_RETURN(std::string piece, reader->Read(offset, size_t{1} << 20));
      if (piece.empty()) break;
      sha256.Update(piece);
      offset += piece.size();
    }
    std::string digest = sha256.Finish();
    if (ToHex(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(digest.data()), digest.size())) !=
        version.sha256_hex) {
      return Status::Corruption(version.bucket + "/" + version.key + " version " + version.version_id +
                                ": the stored data no longer matches its SHA-256; run `tutela vault verify`.");
    }
  }
  return reader;
}

Result<DeleteResult> Store::DeleteObject(const Caller& caller, const std::string& bucket, const std::string& key,
                                         const std::string& version_id, bool bypass_governance) {
  Timestamp now = impl_->options.clock();
  std::lock_guard<std::mutex> lock(impl_->mutex);
  TUTELA_ASSIGN_OR_RETURN(BucketInfo info, impl_->LoadBucket(bucket));
  if (!version_id.empty()) {
    TUTELA_ASSIGN_OR_RETURN(Row row, impl_->LoadVersion(bucket, key, version_id));
    TUTELA_RETURN_IF_ERROR(impl_->MayRemove(row, caller, bypass_governance, now));
    json entry = {{"op", "delete-version"},
                  {"bucket", bucket},
                  {"key", key},
                  {"version", version_id},
                  {"uid", row.uid},
                  {"delete_marker", row.version.delete_marker},
                  {"bypass", bypass_governance && caller.may_bypass_governance}};
    TUTELA_RETURN_IF_ERROR(
        impl_->Commit(entry, now, caller, [&](uint64_t) { return impl_->DeleteRow(row.uid); }).status());
    impl_->ReleaseData(row);
    return DeleteResult{version_id, row.version.delete_marker};
  }
  std::optional<Row> null_version;
  if (info.versioning != "Enabled") {
    auto existing = impl_->LoadVersion(bucket, key, "null");
    if (existing.ok()) {
      TUTELA_RETURN_IF_ERROR(impl_->MayRemove(*existing, caller, bypass_governance, now));
      null_version = *existing;
    }
  }
  if (info.versioning.empty()) {  // never versioned: the object simply goes
    if (!null_version) return DeleteResult{"", false};
    json entry = {{"op", "delete-version"}, {"bucket", bucket},         {"key", key},
                  {"version", "null"},      {"uid", null_version->uid}, {"delete_marker", false}};
    TUTELA_RETURN_IF_ERROR(
        impl_->Commit(entry, now, caller, [&](uint64_t) { return impl_->DeleteRow(null_version->uid); }).status());
    impl_->ReleaseData(*null_version);
    return DeleteResult{"", false};
  }
  TUTELA_ASSIGN_OR_RETURN(std::string uid, impl_->NewUid());
  ObjectVersion marker;
  marker.bucket = bucket;
  marker.key = key;
  marker.version_id = info.versioning == "Enabled" ? uid : "null";
  marker.delete_marker = true;
  marker.last_modified = now;
  json entry = {
      {"op", "delete-marker"}, {"bucket", bucket}, {"key", key}, {"version", marker.version_id}, {"uid", uid}};
  if (null_version) entry["replaced_uid"] = null_version->uid;
  TUTELA_RETURN_IF_ERROR(impl_
                             ->Commit(entry, now, caller,
                                      [&](uint64_t seq) {
                                        if (null_version) TUTELA_RETURN_IF_ERROR(impl_->DeleteRow(null_version->uid));
                                        return impl_->InsertVersion(uid, marker, seq);
                                      })
                             .status());
  if (null_version) impl_->ReleaseData(*null_version);
  return DeleteResult{marker.version_id, true};
}

Result<std::vector<ObjectVersion>> Store::ListVersions(const std::string& bucket,
                                                       const ListVersionsOptions& options) const {
  std::lock_guard<std::mutex> lock(impl_->read_mutex);
  TUTELA_RETURN_IF_ERROR(impl_->LoadBucketOn(impl_->read_db, bucket).status());
  Stmt stmt(impl_->read_db, "SELECT " + std::string(kVersionColumns) +
                                " FROM versions WHERE bucket = ? AND key >= ? AND key > ? ORDER BY key, seq DESC");
  stmt.Bind(1, bucket).Bind(2, options.prefix).Bind(3, options.start_after_key);
  std::vector<ObjectVersion> out;
  std::string current_key;
  bool have_key = false;
  while (stmt.Step()) {
    ObjectVersion version = VersionFromRow(stmt);
    if (!version.key.starts_with(options.prefix)) break;
    bool first_of_key = !have_key || version.key != current_key;
    if (first_of_key) {
      current_key = version.key;
      have_key = true;
    }
    version.is_latest = first_of_key;
    if (options.latest_only && (!first_of_key || version.delete_marker)) continue;
    out.push_back(std::move(version));
    if (out.size() > options.max_keys) break;
  }
  TUTELA_RETURN_IF_ERROR(stmt.status());
  return out;
}

Status Store::PutObjectRetention(const Caller& caller, const std::string& bucket, const std::string& key,
                                 const std::string& version_id, const std::string& mode,
                                 std::optional<Timestamp> retain_until, bool bypass_governance) {
  Timestamp now = impl_->options.clock();
  std::lock_guard<std::mutex> lock(impl_->mutex);
  TUTELA_ASSIGN_OR_RETURN(Row row, impl_->LoadLockableVersion(bucket, key, version_id, "a retention"));
  LockMode new_mode = LockMode::kNone;
  bool removing = mode.empty() && !retain_until;
  if (!removing) {
    auto parsed = ParseLockMode(mode);
    if (!parsed || !retain_until) {
      return S3("MalformedXML", "the retention needs Mode GOVERNANCE or COMPLIANCE and a RetainUntilDate.");
    }
    if (*retain_until <= now) return S3("InvalidArgument", "the retain until date must be in the future.");
    new_mode = *parsed;
  }
  const ObjectVersion& v = row.version;
  std::string subject = bucket + "/" + key + " version " + v.version_id;
  bool active = v.lock_mode != LockMode::kNone && v.retain_until && *v.retain_until > now;
  if (active) {
    bool extends = !removing && *retain_until >= *v.retain_until;
    if (v.lock_mode == LockMode::kCompliance) {
      if (!extends || new_mode != LockMode::kCompliance) {
        return S3("AccessDenied", subject + " is under COMPLIANCE retention until " + TimeText(*v.retain_until) +
                                      "; it can only be extended, in COMPLIANCE mode.");
      }
    } else if (!(extends && new_mode == LockMode::kGovernance) &&
               !(bypass_governance && caller.may_bypass_governance)) {
      return S3("AccessDenied", subject + " is under GOVERNANCE retention until " + TimeText(*v.retain_until) +
                                    "; shortening, removing it or changing its mode needs the bypass permission and "
                                    "x-amz-bypass-governance-retention: true.");
    }
  }
  std::string until = removing ? "" : TimeText(*retain_until);
  json entry = {{"op", "put-retention"},   {"bucket", bucket}, {"key", key},
                {"version", v.version_id}, {"uid", row.uid},   {"mode", LockModeName(new_mode)},
                {"retain_until", until}};
  return impl_
      ->Commit(entry, now, caller,
               [&](uint64_t) {
                 Stmt stmt(impl_->db, "UPDATE versions SET lock_mode = ?, retain_until = ? WHERE uid = ?");
                 stmt.Bind(1, LockModeName(new_mode)).Bind(2, until).Bind(3, row.uid);
                 return stmt.Run();
               })
      .status();
}

Status Store::PutObjectLegalHold(const Caller& caller, const std::string& bucket, const std::string& key,
                                 const std::string& version_id, const std::string& status) {
  if (status != "ON" && status != "OFF") {
    return S3("MalformedXML", "the legal hold status must be ON or OFF, not \"" + status + "\".");
  }
  Timestamp now = impl_->options.clock();
  std::lock_guard<std::mutex> lock(impl_->mutex);
  TUTELA_ASSIGN_OR_RETURN(Row row, impl_->LoadLockableVersion(bucket, key, version_id, "a legal hold"));
  bool on = status == "ON";
  json entry = {{"op", "put-legal-hold"}, {"bucket", bucket}, {"key", key}, {"version", row.version.version_id},
                {"uid", row.uid},         {"legal_hold", on}};
  return impl_
      ->Commit(entry, now, caller,
               [&](uint64_t) {
                 Stmt stmt(impl_->db, "UPDATE versions SET legal_hold = ? WHERE uid = ?");
                 stmt.Bind(1, int64_t{on ? 1 : 0}).Bind(2, row.uid);
                 return stmt.Run();
               })
      .status();
}

Result<ledger::SignedTreeHead> Store::SignTreeHead() {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  impl_->WaitForLedger();  // the head covers every committed entry
  TUTELA_ASSIGN_OR_RETURN(ledger::SignedTreeHead head,
                          ledger::SignTreeHead(*impl_->signer, impl_->log->Head(), impl_->options.clock()));
  fs::path path = impl_->dir / "heads.jsonl";
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoStatus(errno, "open", path);
  Status status = WriteAll(fd, ledger::TreeHeadToJson(head).dump() + "\n", path);
  if (status.ok() && ::fsync(fd) != 0) status = ErrnoStatus(errno, "sync", path);
  ::close(fd);
  TUTELA_RETURN_IF_ERROR(status);
  return head;
}

const ledger::Log& Store::log() const { return *impl_->log; }
const std::string& Store::public_key() const { return impl_->signer->public_key(); }

Result<std::vector<std::string>> Store::AuditTrail(const std::string& bucket) const {
  std::vector<std::string> out;
  uint64_t size = impl_->log->size();
  for (uint64_t index = 0; index < size; ++index) {
    TUTELA_ASSIGN_OR_RETURN(std::string entry, impl_->log->Entry(index));
    if (!bucket.empty()) {
      json parsed = json::parse(entry, nullptr, false);
      if (!parsed.is_object() || parsed.value("bucket", "") != bucket) continue;
    }
    out.push_back(std::move(entry));
  }
  return out;
}

Result<VerifyReport> Store::Verify() const {
  VerifyReport report;
  std::lock_guard<std::mutex> lock(impl_->mutex);
  impl_->WaitForLedger();  // every committed entry is in the ledger
  const ledger::Log& log = *impl_->log;
  report.head = log.Head();
  report.ledger_entries = report.head.size;
  auto problem = [&](std::string subject, std::string text) {
    report.problems.push_back(VerifyProblem{std::move(subject), std::move(text)});
  };

  // 1. The journal in the metadata and the ledger must hold the same entries; replay the ledger.
  std::map<std::string, json> expected;  // uid -> state
  Stmt journal(impl_->db, "SELECT seq, entry FROM journal ORDER BY seq");
  uint64_t journal_rows = 0;
  while (journal.Step()) {
    ++journal_rows;
    uint64_t seq = static_cast<uint64_t>(journal.Int(0));
    auto entry = seq < log.size() ? log.Entry(seq) : Result<std::string>(Status::NotFound("missing"));
    if (!entry.ok()) {
      problem("ledger",
              "journal entry " + std::to_string(seq) + " is not in the ledger (" + entry.status().message() + ").");
    } else if (*entry != journal.Text(1)) {
      problem("ledger entry " + std::to_string(seq),
              "the metadata journal and the ledger disagree about this entry; one of them was altered.");
    }
  }
  TUTELA_RETURN_IF_ERROR(journal.status());
  if (journal_rows != log.size()) {
    problem("ledger", "the ledger has " + std::to_string(log.size()) + " entries, the journal " +
                          std::to_string(journal_rows) + ".");
  }
  for (uint64_t index = 0; index < log.size(); ++index) {
    TUTELA_ASSIGN_OR_RETURN(std::string text, log.Entry(index));
    json entry = json::parse(text, nullptr, false);
    if (!entry.is_object()) {
      problem("ledger entry " + std::to_string(index), "not a JSON object.");
      continue;
    }
    std::string op = entry.value("op", "");
    std::string uid = entry.value("uid", "");
    if (entry.contains("replaced_uid")) expected.erase(entry["replaced_uid"].get<std::string>());
    if (op == "put" || op == "delete-marker") {
      entry["delete_marker"] = op == "delete-marker";
      expected[uid] = entry;
    } else if (op == "delete-version") {
      expected.erase(uid);
    } else if ((op == "put-retention" || op == "put-legal-hold") && expected.contains(uid)) {
      for (const char* field : {"mode", "retain_until", "legal_hold"}) {
        if (entry.contains(field)) expected[uid][field] = entry[field];
      }
    }
  }

  // 2. Every row against the ledger's record of it, and its data against both.
  Stmt rows(impl_->db, "SELECT " + std::string(kVersionColumns) + " FROM versions ORDER BY bucket, key, seq");
  std::set<std::string> seen;
  while (rows.Step()) {
    Row row = RowFromStmt(rows);
    const std::string& uid = row.uid;
    const ObjectVersion& v = row.version;
    std::string subject = v.bucket + "/" + v.key + "@" + v.version_id;
    seen.insert(uid);
    auto found = expected.find(uid);
    if (found == expected.end()) {
      problem(subject, "the metadata has this version but the ledger never recorded it (or recorded its deletion).");
      continue;
    }
    const json& e = found->second;
    auto mismatch = [&](const std::string& field, const std::string& row_value, const std::string& log_value) {
      if (row_value != log_value) {
        problem(subject,
                "metadata " + field + " \"" + row_value + "\" differs from the ledger's \"" + log_value + "\".");
      }
    };
    mismatch("bucket", v.bucket, e.value("bucket", ""));
    mismatch("key", v.key, e.value("key", ""));
    mismatch("version id", v.version_id, e.value("version", ""));
    mismatch("delete marker", v.delete_marker ? "true" : "false", e.value("delete_marker", false) ? "true" : "false");
    mismatch("sequence", std::to_string(v.sequence), std::to_string(e.value("seq", uint64_t{0})));
    if (v.delete_marker) continue;
    mismatch("size", std::to_string(v.size), std::to_string(e.value("size", uint64_t{0})));
    mismatch("MD5", v.md5_hex, e.value("md5", ""));
    mismatch("ETag", v.etag, e.value("etag", e.value("md5", "")));
    mismatch("SHA-256", v.sha256_hex, e.value("sha256", ""));
    mismatch("lock mode", std::string(LockModeName(v.lock_mode)), e.value("mode", ""));
    mismatch("retain-until", v.retain_until ? TimeText(*v.retain_until) : "", e.value("retain_until", ""));
    mismatch("legal hold", v.legal_hold ? "ON" : "OFF", e.value("legal_hold", false) ? "ON" : "OFF");

    ++report.versions_checked;
    Impl::Location at = Impl::LocationOfRow(row);
    auto data = impl_->ReadData(at);
    if (!data.ok()) {
      problem(subject, "its data (" + Impl::DataName(at) + ") cannot be read (" + data.status().message() + ").");
      continue;
    }
    report.bytes_hashed += data->size();
    std::string sha256 = ToHex(Sha256(*data));
    if (data->size() != e.value("size", uint64_t{0}) || sha256 != e.value("sha256", "") ||
        Md5Hex(*data) != e.value("md5", "")) {
      problem(subject, "its stored data (" + Impl::DataName(at) + ", SHA-256 " + sha256 +
                           ") does not match the SHA-256 and MD5 recorded when it was written.");
    }
  }
  TUTELA_RETURN_IF_ERROR(rows.status());
  for (const auto& [uid, e] : expected) {
    if (!seen.contains(uid)) {
      problem(e.value("bucket", "") + "/" + e.value("key", "") + "@" + e.value("version", ""),
              "the ledger records this version but the metadata has lost it.");
    }
  }

  // 3. Every signed tree head must be genuine and describe a prefix of today's log.
  std::ifstream heads(impl_->dir / "heads.jsonl");
  std::string line;
  for (int line_number = 1; std::getline(heads, line); ++line_number) {
    std::string where = "heads.jsonl:" + std::to_string(line_number);
    json parsed = json::parse(line, nullptr, false);
    auto head = ledger::TreeHeadFromJson(parsed, where);
    if (!head.ok()) {
      problem(where, head.status().message());
      continue;
    }
    if (Status signature = ledger::VerifyTreeHead(*head, impl_->signer->public_key()); !signature.ok()) {
      problem(where, signature.message());
      continue;
    }
    auto root = log.RootAt(head->size);
    if (!root.ok() || *root != head->root) {
      problem(where, "the signed tree head of size " + std::to_string(head->size) +
                         " is not a prefix of the current ledger; the log was rewritten.");
    }
  }
  return report;
}

namespace {

constexpr uint64_t kMinPartBytes = 5u << 20;

Status WriteFileDurably(const fs::path& path, std::string_view data) { return WriteFileAtomic(path, data, 0444); }

}  // namespace

Result<std::string> Store::CreateMultipartUpload(const Caller& caller, const PutObjectRequest& request) {
  Timestamp now = impl_->options.clock();
  json meta = {{"bucket", request.bucket},
               {"key", request.key},
               {"content_type", request.content_type},
               {"initiated", TimeText(now)},
               {"user", caller.user}};
  {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    TUTELA_ASSIGN_OR_RETURN(BucketInfo bucket, impl_->LoadBucket(request.bucket));
    TUTELA_ASSIGN_OR_RETURN(LockMode mode, CheckLockHeaders(bucket, request, now));
    if (mode != LockMode::kNone) {
      meta["lock_mode"] = *request.lock_mode;
      meta["retain_until"] = TimeText(*request.retain_until);
    }
    if (request.legal_hold) meta["legal_hold"] = *request.legal_hold;
    meta["retention"] = request.lock_mode.has_value() || bucket.default_retention.has_value();
  }
  TUTELA_ASSIGN_OR_RETURN(std::string upload_id, impl_->NewUid());
  fs::path folder = impl_->dir / "uploads" / upload_id;
  std::error_code error;
  fs::create_directories(folder, error);
  if (error) return ErrnoStatus(error.value(), "create", folder);
  TUTELA_RETURN_IF_ERROR(WriteFileAtomic(folder / "upload.json", meta.dump()));
  return upload_id;
}

namespace {

Result<json> LoadUpload(const fs::path& dir, const std::string& bucket, const std::string& key,
                        const std::string& upload_id) {
  bool plausible = !upload_id.empty() && upload_id.find_first_not_of("0123456789abcdef") == std::string::npos;
  auto text = plausible ? ReadFile(dir / "uploads" / upload_id / "upload.json", 1 << 20)
                        : Result<std::string>(Status::NotFound("no"));
  json meta = text.ok() ? json::parse(*text, nullptr, false) : json();
  if (!meta.is_object() || meta.value("bucket", "") != bucket || meta.value("key", "") != key) {
    return S3("NoSuchUpload", "the upload " + upload_id + " does not exist for " + bucket + "/" + key +
                                  "; it may have been completed or aborted.");
  }
  return meta;
}

}  // namespace

Result<std::string> Store::UploadPart(const std::string& bucket, const std::string& key, const std::string& upload_id,
                                      int part_number, std::string_view data, std::optional<std::string> content_md5,
                                      bool checksum_header, const std::vector<Checksum>& checksums) {
  if (part_number < 1 || part_number > 10000) {
    return S3("InvalidArgument", "part number must be an integer between 1 and 10000.");
  }
  TUTELA_ASSIGN_OR_RETURN(json meta, LoadUpload(impl_->dir, bucket, key, upload_id));
  std::string md5 = Md5Hex(data);
  if (content_md5) {
    std::string sent = content_md5->size() == 16
                           ? ToHex(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(content_md5->data()), 16))
                           : "";
    if (sent != md5) return S3("BadDigest", "the Content-MD5 sent does not match the part received.");
  }
  TUTELA_RETURN_IF_ERROR(VerifyChecksums(checksums, data));
  if (meta.value("retention", false) && !content_md5 && !checksum_header && checksums.empty()) {
    return S3("InvalidRequest",
              "Content-MD5 or an x-amz-checksum- header is required for parts of uploads with Object Lock parameters.");
  }
  fs::path part = impl_->dir / "uploads" / upload_id / std::to_string(part_number);
  std::error_code error;
  fs::remove(part, error);  // a part may be uploaded again
  TUTELA_RETURN_IF_ERROR(WriteFileDurably(part, data));
  return md5;
}

Result<std::string> Store::UploadPart(const std::string& bucket, const std::string& key, const std::string& upload_id,
                                      int part_number, IncomingBody& body, std::optional<std::string> content_md5,
                                      bool checksum_header, const std::vector<Checksum>& checksums) {
  if (part_number < 1 || part_number > 10000) {
    return S3("InvalidArgument", "part number must be an integer between 1 and 10000.");
  }
  TUTELA_ASSIGN_OR_RETURN(json meta, LoadUpload(impl_->dir, bucket, key, upload_id));
  IncomingBody::State& state = *body.state_;
  state.Finish();
  if (content_md5) {
    std::string sent = content_md5->size() == 16
                           ? ToHex(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(content_md5->data()), 16))
                           : "";
    if (sent != state.md5_hex) return S3("BadDigest", "the Content-MD5 sent does not match the part received.");
  }
  TUTELA_RETURN_IF_ERROR(VerifyChecksums(checksums, [&](std::string_view algorithm) {
    auto found = state.computed.find(algorithm);
    return found == state.computed.end() ? std::string() : found->second;
  }));
  if (meta.value("retention", false) && !content_md5 && !checksum_header && checksums.empty()) {
    return S3("InvalidRequest",
              "Content-MD5 or an x-amz-checksum- header is required for parts of uploads with Object Lock parameters.");
  }
  // Durable before it is acknowledged: data synced, renamed over any earlier upload of the part, folder synced.
  fs::path folder = impl_->dir / "uploads" / upload_id;
  fs::path part = folder / std::to_string(part_number);
  TUTELA_RETURN_IF_ERROR(state.Spill());  // a small part arrived in memory
  if (::fdatasync(state.fd) != 0) return ErrnoStatus(errno, "sync", state.temporary);
  ::close(state.fd);
  state.fd = -1;
  if (::rename(state.temporary.c_str(), part.c_str()) != 0) {
    return ErrnoStatus(errno, "rename into " + folder.string(), state.temporary);
  }
  state.stored = true;
  TUTELA_RETURN_IF_ERROR(SyncDirectory(folder));
  return state.md5_hex;
}

Result<PartInfo> Store::UploadPartCopy(const std::string& bucket, const std::string& key, const std::string& upload_id,
                                       int part_number, const CopySource& source) {
  if (part_number < 1 || part_number > 10000) {
    return S3("InvalidArgument", "part number must be an integer between 1 and 10000.");
  }
  TUTELA_RETURN_IF_ERROR(LoadUpload(impl_->dir, bucket, key, upload_id).status());
  auto from = HeadObject(source.bucket, source.key, source.version_id);
  if (!from.ok()) return from.status();
  if (from->delete_marker) {
    return S3("InvalidRequest", "the copy source " + source.bucket + "/" + source.key + " version " +
                                    source.version_id + " is a delete marker.");
  }
  TUTELA_ASSIGN_OR_RETURN(std::string data, ReadObject(*from));
  if (source.range) {
    auto [first, last] = *source.range;
    if (first > last || last >= data.size()) {
      return S3("InvalidArgument",
                "Range specified is not valid for source object of size: " + std::to_string(data.size()));
    }
    data = data.substr(first, last - first + 1);
  }
  // The bytes come from a version whose integrity the vault recorded: no Content-MD5 is needed for a locked upload.
  TUTELA_ASSIGN_OR_RETURN(std::string etag, UploadPart(bucket, key, upload_id, part_number, data, std::nullopt, true));
  return PartInfo{part_number, data.size(), etag, impl_->options.clock()};
}

Result<std::vector<PartInfo>> Store::ListParts(const std::string& bucket, const std::string& key,
                                               const std::string& upload_id, int part_number_marker,
                                               size_t max_parts) const {
  TUTELA_RETURN_IF_ERROR(LoadUpload(impl_->dir, bucket, key, upload_id).status());
  std::vector<PartInfo> parts;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(impl_->dir / "uploads" / upload_id, error)) {
    std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    if (std::stoi(name) <= part_number_marker) continue;
    TUTELA_ASSIGN_OR_RETURN(std::string data, ReadFile(entry.path(), uint64_t{1} << 34));
    PartInfo info;
    info.number = std::stoi(name);
    info.size = data.size();
    info.etag = Md5Hex(data);
    info.last_modified = std::chrono::time_point_cast<std::chrono::microseconds>(
        std::chrono::file_clock::to_sys(fs::last_write_time(entry.path(), error)));
    parts.push_back(std::move(info));
  }
  std::sort(parts.begin(), parts.end(), [](const PartInfo& a, const PartInfo& b) { return a.number < b.number; });
  if (parts.size() > max_parts + 1) parts.resize(max_parts + 1);
  return parts;
}

Result<ObjectVersion> Store::CompleteMultipartUpload(const Caller& caller, const std::string& bucket,
                                                     const std::string& key, const std::string& upload_id,
                                                     const std::vector<std::pair<int, std::string>>& parts) {
  TUTELA_ASSIGN_OR_RETURN(json meta, LoadUpload(impl_->dir, bucket, key, upload_id));
  if (parts.empty()) return S3("MalformedXML", "the completion lists no parts.");
  for (size_t part_idx = 1; part_idx < parts.size(); ++part_idx) {
    if (parts[part_idx].first <= parts[part_idx - 1].first) {
      return S3("InvalidPartOrder", "the list of parts was not in ascending order.");
    }
  }
  std::string data;
  std::string md5s;
  for (size_t part_idx = 0; part_idx < parts.size(); ++part_idx) {
    const auto& [number, etag] = parts[part_idx];
    auto part = ReadFile(impl_->dir / "uploads" / upload_id / std::to_string(number), uint64_t{1} << 34);
    std::string wanted = etag;
    std::erase(wanted, '"');
    if (!part.ok() || Md5Hex(*part) != wanted) {
      return S3("InvalidPart", "part " + std::to_string(number) + " was not uploaded or its ETag does not match.");
    }
    if (part_idx + 1 < parts.size() && part->size() < kMinPartBytes) {
      return S3("EntityTooSmall", "part " + std::to_string(number) + " is smaller than the 5 MiB minimum.");
    }
    auto raw = FromHex(wanted);
    md5s += *raw;
    data += *part;
  }
  PutObjectRequest request;
  request.bucket = bucket;
  request.key = key;
  request.data = data;
  request.content_type = meta.value("content_type", "binary/octet-stream");
  request.checksum_header = true;  // every part's integrity was checked on upload
  if (meta.contains("lock_mode")) {
    request.lock_mode = meta["lock_mode"].get<std::string>();
    request.retain_until = ParseTimeOrNull(meta.value("retain_until", ""));
  }
  if (meta.contains("legal_hold")) request.legal_hold = meta["legal_hold"].get<bool>();
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(md5s.data(), md5s.size(), digest, &length, EVP_md5(), nullptr);
  request.multipart_etag = ToHex(std::span<const uint8_t>(digest, length)) + "-" + std::to_string(parts.size());
  TUTELA_ASSIGN_OR_RETURN(ObjectVersion version, PutObject(caller, request));
  std::error_code error;
  fs::remove_all(impl_->dir / "uploads" / upload_id, error);
  return version;
}

Status Store::AbortMultipartUpload(const std::string& bucket, const std::string& key, const std::string& upload_id) {
  TUTELA_RETURN_IF_ERROR(LoadUpload(impl_->dir, bucket, key, upload_id).status());
  std::error_code error;
  fs::remove_all(impl_->dir / "uploads" / upload_id, error);
  if (error) return ErrnoStatus(error.value(), "remove", impl_->dir / "uploads" / upload_id);
  return Status::Ok();
}

Result<std::vector<MultipartUpload>> Store::ListMultipartUploads(const std::string& bucket,
                                                                 const ListUploadsOptions& options) const {
  TUTELA_RETURN_IF_ERROR(GetBucket(bucket).status());
  std::vector<MultipartUpload> uploads;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(impl_->dir / "uploads", error)) {
    auto text = ReadFile(entry.path() / "upload.json", 1 << 20);
    if (!text.ok()) continue;
    json meta = json::parse(*text, nullptr, false);
    if (!meta.is_object() || meta.value("bucket", "") != bucket) continue;
    std::string key = meta.value("key", "");
    std::string upload_id = entry.path().filename().string();
    if (!key.starts_with(options.prefix)) continue;
    if (!options.key_marker.empty() &&
        (key < options.key_marker ||
         (key == options.key_marker && (options.upload_id_marker.empty() || upload_id <= options.upload_id_marker)))) {
      continue;
    }
    uploads.push_back(MultipartUpload{entry.path().filename().string(), bucket, meta.value("key", ""),
                                      ParseTimeOrNull(meta.value("initiated", "")).value_or(Timestamp{})});
  }
  std::sort(uploads.begin(), uploads.end(), [](const MultipartUpload& a, const MultipartUpload& b) {
    return std::tie(a.key, a.upload_id) < std::tie(b.key, b.upload_id);
  });
  if (uploads.size() > options.max_uploads + 1) uploads.resize(options.max_uploads + 1);
  return uploads;
}

}  // namespace tutela::vault
