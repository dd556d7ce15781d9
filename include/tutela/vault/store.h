// vault::Store — the WORM records store behind the S3 API: buckets, object versions, delete markers and S3 Object
// Lock (retention modes, extend-only, legal hold, governance bypass, default retention), with every mutation appended
// to a ledger::Log (RFC 9162 Merkle log) so that tampering with stored data or metadata is detectable.
//
// Layout of a data folder (docs/formats/vault-store.md): meta.sqlite (SQLite, WAL, synchronous=FULL), segments/
// (objects of at most StoreOptions::segment_object_bytes, 64 KiB by default, packed into shared fixed-size files that
// were written with zeros and synced before use), blobs/ (one file per larger object version, named by its uid),
// tmp/ (uploads in progress), ledger.log, ledger-key.pem (Ed25519), heads.jsonl (signed tree heads).
//
// A small PUT writes its bytes into the current segment at a free offset (no file created, no rename); a large PUT
// writes tmp/, fdatasyncs, renames into blobs/ and fsyncs the folder. Concurrent PUTs are group-committed in two
// overlapping steps, each on its own thread: the sync thread fdatasyncs the segment(s) the queued small objects were
// written to — one sync for the whole batch, and no file-system journal commit, since the segment's blocks were
// allocated and written beforehand — and the commit thread then records every version and its ledger entry in one
// SQLite transaction (the commit point) while the next batch is synced; then the calls return; the ledger append
// (one write, one fdatasync, at most every 10 ms unless awaited) follows in sequence order. Open() recovers: it deletes
// tmp/ leftovers, blobs no row references and half-prepared segments, and appends to the ledger any committed entry a
// crash (or a failed append, after which the store refuses writes until reopened) kept out of it. Bytes in a segment
// that no row references (a crash before the commit, a refused PUT, a deleted version) are never visible.
//
// Errors are Status values whose message starts with the S3 error code and a colon ("AccessDenied: ..."); S3ErrorOf()
// turns one into the HTTP status and code the S3 API returns, so the HTTP layer never re-derives lock rules.
//
// Time: retention is judged against the server's UTC clock (Options::clock). Open refuses to start when the clock is
// earlier than the newest ledger entry (a rolled-back clock would shorten every retention).
//
// Thread-safety: a Store may be used from many threads; metadata changes are serialised by an internal mutex (PUTs
// in batches), blob writes and reads run in parallel, and reads use their own SQLite connection. One process per
// data folder (the ledger's file lock enforces it).
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tutela/core/status.h"
#include "tutela/core/time.h"
#include "tutela/ledger/log.h"
#include "tutela/ledger/tree_head.h"
#include "tutela/vault/checksum.h"

namespace tutela::vault {

enum class LockMode { kNone, kGovernance, kCompliance };
std::string_view LockModeName(LockMode mode);  // "", "GOVERNANCE", "COMPLIANCE"
// Exact, case-sensitive as S3 is: "GOVERNANCE" / "COMPLIANCE"; nullopt otherwise.
std::optional<LockMode> ParseLockMode(std::string_view text);

struct S3Error {
  int http_status = 500;
  std::string code;     // "AccessDenied", "NoSuchKey", ...
  std::string message;  // the sentence after the code
};
// The S3 error for a Status from this module (codes without a prefix map from the StatusCode: NotFound → 404
// NoSuchKey, InvalidArgument → 400 InvalidArgument, PermissionDenied → 403 AccessDenied, else 500 InternalError).
S3Error S3ErrorOf(const Status& status);

// Who is calling: the authenticated user and whether USERS.yaml allows them to bypass GOVERNANCE retention.
struct Caller {
  std::string user;
  bool may_bypass_governance = false;
};

struct DefaultRetention {
  LockMode mode = LockMode::kNone;
  int64_t days = 0;   // exactly one of days / years is positive
  int64_t years = 0;  // a year is 365 days
};

struct BucketInfo {
  std::string name;
  Timestamp created{};
  std::string versioning;  // "" (never enabled), "Enabled", "Suspended"
  bool lock_enabled = false;
  std::optional<DefaultRetention> default_retention;
};

// The request body of PutObjectLockConfiguration, as strings so the store can give S3's exact error for each
// malformed field.
struct LockConfigurationRequest {
  std::string object_lock_enabled;  // must be "Enabled"
  std::optional<std::string> mode;  // with days or years: the default retention
  std::optional<int64_t> days;
  std::optional<int64_t> years;
};

struct ObjectVersion {
  std::string bucket;
  std::string key;
  std::string version_id;  // "null" for versions written while versioning was off or suspended
  bool delete_marker = false;
  bool is_latest = false;
  uint64_t size = 0;
  std::string md5_hex;  // MD5 of the whole data
  std::string etag;     // the ETag without quotes: md5_hex, or MD5-of-part-MD5s "-N" after a multipart upload
  std::string sha256_hex;
  std::string content_type;
  Timestamp last_modified{};
  LockMode lock_mode = LockMode::kNone;
  std::optional<Timestamp> retain_until;
  bool legal_hold = false;
  uint64_t sequence = 0;  // the ledger index of the entry that created this version
};

struct PutObjectRequest {
  std::string bucket;
  std::string key;
  std::string_view data;
  std::string content_type = "binary/octet-stream";
  std::optional<std::string> content_md5;  // raw 16 bytes, when the client sent Content-MD5
  bool checksum_header = false;            // the client sent an x-amz-checksum-* header (or trailer)
  std::vector<Checksum> checksums;         // x-amz-checksum-* values to verify (BadDigest when one differs)
  std::optional<std::string> lock_mode;    // x-amz-object-lock-mode, verbatim
  std::optional<Timestamp> retain_until;   // x-amz-object-lock-retain-until-date, parsed
  std::optional<bool> legal_hold;          // x-amz-object-lock-legal-hold ON / OFF
  std::string multipart_etag;              // set by CompleteMultipartUpload only
  std::string sha256_hex;  // the data's SHA-256 (lower-case hex) when the caller has verified it; computed if empty
};

struct MultipartUpload {
  std::string upload_id;
  std::string bucket;
  std::string key;
  Timestamp initiated{};
};

struct PartInfo {
  int number = 0;
  uint64_t size = 0;
  std::string etag;  // MD5 hex of the part
  Timestamp last_modified{};
};

// The source of UploadPartCopy: a stored version (newest when version_id is empty) and optionally a byte range.
struct CopySource {
  std::string bucket;
  std::string key;
  std::string version_id;
  std::optional<std::pair<uint64_t, uint64_t>> range;  // first and last byte, inclusive (x-amz-copy-source-range)
};

struct ListUploadsOptions {
  std::string prefix;
  std::string key_marker;        // uploads of keys after this one ...
  std::string upload_id_marker;  // ... and, with key_marker, of that key with a later upload id
  size_t max_uploads = 1000;
};

struct DeleteResult {
  std::string version_id;  // the delete marker's id, or the deleted version's id
  bool delete_marker = false;
};

struct ListVersionsOptions {
  std::string prefix;
  size_t max_keys = 1000;
  bool latest_only = false;     // ListObjects: newest version per key, keys whose newest is a marker skipped
  std::string start_after_key;  // keys strictly greater than this
};

// One problem found by Verify, naming the object (bucket/key and version) or ledger record.
struct VerifyProblem {
  std::string subject;  // "bucket/key@version" or "ledger" or "tree head N"
  std::string problem;
};

struct VerifyReport {
  uint64_t versions_checked = 0;
  uint64_t bytes_hashed = 0;
  uint64_t ledger_entries = 0;
  ledger::TreeHead head;
  std::vector<VerifyProblem> problems;
};

// A request body received piece by piece (Store::ReceiveBody): written to tmp/ as it arrives and hashed on the way
// (MD5, SHA-256 and the x-amz-checksum algorithms named), so a large object is never held in memory. Hand it to
// Store::PutObject once complete; destroying it unstored removes its temporary file. One thread at a time.
class IncomingBody {
 public:
  ~IncomingBody();
  IncomingBody(const IncomingBody&) = delete;
  IncomingBody& operator=(const IncomingBody&) = delete;
  Status Append(std::string_view piece);
  uint64_t size() const;
  // Lower-case hex SHA-256 of everything appended; ends the appending.
  const std::string& Sha256Hex();

 private:
  friend class Store;
  IncomingBody();
  struct State;
  std::unique_ptr<State> state_;
};

// An open stored version, read piece by piece (Store::OpenObject): large objects are sent without holding them in
// memory. It keeps the file open, so a version deleted meanwhile still reads to the end. Thread-safe reads.
class ObjectReader {
 public:
  ~ObjectReader();
  ObjectReader(const ObjectReader&) = delete;
  ObjectReader& operator=(const ObjectReader&) = delete;
  uint64_t size() const { return size_; }
  // Up to `length` bytes from `offset` (fewer only at the end).
  Result<std::string> Read(uint64_t offset, size_t length) const;

 private:
  friend class Store;
  ObjectReader() = default;
  int fd_ = -1;
  uint64_t base_ = 0;  // where the version starts in the file (a segment), 0 for a blob
  uint64_t size_ = 0;
  std::filesystem::path path_;
};

struct StoreOptions {
  bool verify_reads = false;                  // re-hash a version's data on every read
  std::function<Timestamp()> clock = NowUtc;  // the server's UTC clock (tests move it)
  // Versions of at most this many bytes are stored in segments (0: none, every version gets its own blob file).
  uint64_t segment_object_bytes = uint64_t{64} << 10;
  // The size of each new segment file (written with zeros and synced before use). Existing segments keep theirs.
  uint64_t segment_bytes = uint64_t{64} << 20;
};

class Store {
 public:
  // Opens the data folder, creating it (and the signing key) when `dir` does not hold a store yet; runs recovery.
  // InvalidArgument for a clock rollback; Corruption when the ledger is damaged or shorter than the metadata's journal
  // claims; IoError when another process has the store open.
  static Result<std::unique_ptr<Store>> Open(const std::filesystem::path& dir, StoreOptions options = {});
  ~Store();

  // Buckets. Codes: InvalidBucketName (400), BucketAlreadyOwnedByYou (409), NoSuchBucket (404), BucketNotEmpty (409).
  Status CreateBucket(const Caller& caller, const std::string& name, bool object_lock_enabled);
  Status DeleteBucket(const Caller& caller, const std::string& name);
  Result<BucketInfo> GetBucket(const std::string& name) const;
  Result<std::vector<BucketInfo>> ListBuckets() const;
  // "Enabled" or "Suspended" (else MalformedXML); suspending a lock-enabled bucket is 409 InvalidBucketState.
  Status PutBucketVersioning(const Caller& caller, const std::string& name, const std::string& status);
  // Enables lock on a versioned bucket and/or sets its default retention; errors exactly as S3 (see the reference).
  Status PutObjectLockConfiguration(const Caller& caller, const std::string& name,
                                    const LockConfigurationRequest& request);
  // 404 ObjectLockConfigurationNotFoundError when the bucket has no lock.
  Result<BucketInfo> GetObjectLockConfiguration(const std::string& name) const;

  // Stores a new version (or replaces the "null" version when versioning is off or suspended). Codes: NoSuchBucket,
  // InvalidRequest (lock headers on a bucket without lock; retention without Content-MD5 / checksum), InvalidArgument
  // (mode without date or the reverse, date not in the future, unknown mode), BadDigest (Content-MD5 mismatch),
  // AccessDenied (replacing a locked "null" version).
  Result<ObjectVersion> PutObject(const Caller& caller, const PutObjectRequest& request);
  // Streaming: a body to fill with IncomingBody::Append, then PutObject(caller, request, body), which checks and
  // stores it exactly as the call above does with `request.data` (ignored here). `checksum_algorithms` are those
  // whose x-amz-checksum-* values the request carries (computed while the body arrives).
  Result<std::unique_ptr<IncomingBody>> ReceiveBody(const std::vector<std::string>& checksum_algorithms);
  Result<ObjectVersion> PutObject(const Caller& caller, const PutObjectRequest& request, IncomingBody& body);
  // The version's metadata; empty version_id means the newest. NoSuchKey if absent or (without a version id) if the
  // newest is a delete marker; NoSuchVersion for an unknown version id.
  Result<ObjectVersion> HeadObject(const std::string& bucket, const std::string& key,
                                   const std::string& version_id = "") const;
  // The version's bytes. With verify_reads, Corruption naming the object when the data no longer matches its SHA-256.
  Result<std::string> ReadObject(const ObjectVersion& version) const;
  // The same, opened for reading in pieces; with verify_reads the whole file is re-hashed (in pieces) first.
  Result<std::unique_ptr<ObjectReader>> OpenObject(const ObjectVersion& version) const;
  // Without version_id: a delete marker on versioned buckets (allowed even over locked versions), removal of the
  // "null" version otherwise. With version_id: removes that version — AccessDenied while a legal hold is on or
  // retention is active, except GOVERNANCE with `bypass_governance` from a caller allowed to bypass.
  Result<DeleteResult> DeleteObject(const Caller& caller, const std::string& bucket, const std::string& key,
                                    const std::string& version_id, bool bypass_governance);
  // Versions (newest first within a key, keys in byte order), at most max_keys + 1 so callers can tell truncation.
  Result<std::vector<ObjectVersion>> ListVersions(const std::string& bucket, const ListVersionsOptions& options) const;

  // Retention rules of the reference: InvalidRequest (no lock on the bucket), MalformedXML (mode), InvalidArgument
  // (date in the past), AccessDenied (shortening, removing or changing mode without the right to). An empty mode
  // with no date removes GOVERNANCE retention (bypass needed while it is active).
  Status PutObjectRetention(const Caller& caller, const std::string& bucket, const std::string& key,
                            const std::string& version_id, const std::string& mode,
                            std::optional<Timestamp> retain_until, bool bypass_governance);
  // "ON" / "OFF" (else MalformedXML); InvalidRequest without lock on the bucket.
  Status PutObjectLegalHold(const Caller& caller, const std::string& bucket, const std::string& key,
                            const std::string& version_id, const std::string& status);

  // Multipart uploads. Create validates the lock headers of `request` (its data is ignored) exactly as PutObject and
  // returns the upload id; parts live under uploads/<id>/ until Complete turns them into one version (a ledger entry)
  // or Abort removes them. Codes: NoSuchUpload (404), InvalidArgument (part number outside 1..10000), BadDigest,
  // InvalidRequest (a part of an upload with retention sent without Content-MD5 / checksum), InvalidPartOrder,
  // InvalidPart (unknown part or ETag mismatch), EntityTooSmall (a part other than the last under 5 MiB).
  Result<std::string> CreateMultipartUpload(const Caller& caller, const PutObjectRequest& request);
  // Checksums in `checksums` are verified against the part (BadDigest / InvalidRequest, see checksum.h).
  Result<std::string> UploadPart(const std::string& bucket, const std::string& key, const std::string& upload_id,
                                 int part_number, std::string_view data, std::optional<std::string> content_md5,
                                 bool checksum_header, const std::vector<Checksum>& checksums = {});
  // The same with a streamed body (see ReceiveBody); `body` is consumed.
  Result<std::string> UploadPart(const std::string& bucket, const std::string& key, const std::string& upload_id,
                                 int part_number, IncomingBody& body, std::optional<std::string> content_md5,
                                 bool checksum_header, const std::vector<Checksum>& checksums);
  // UploadPartCopy: the part's bytes are (a range of) a stored version. Codes: NoSuchUpload, NoSuchBucket,
  // NoSuchKey / NoSuchVersion (source), InvalidRequest (the source is a delete marker), InvalidArgument (part
  // number, or a range outside the source object).
  Result<PartInfo> UploadPartCopy(const std::string& bucket, const std::string& key, const std::string& upload_id,
                                  int part_number, const CopySource& source);
  Result<ObjectVersion> CompleteMultipartUpload(const Caller& caller, const std::string& bucket, const std::string& key,
                                                const std::string& upload_id,
                                                const std::vector<std::pair<int, std::string>>& parts);
  Status AbortMultipartUpload(const std::string& bucket, const std::string& key, const std::string& upload_id);
  // Parts numbered above `part_number_marker`, in order, at most max_parts + 1 (so callers can tell truncation).
  Result<std::vector<PartInfo>> ListParts(const std::string& bucket, const std::string& key,
                                          const std::string& upload_id, int part_number_marker = 0,
                                          size_t max_parts = 10000) const;
  // Uploads in progress ordered by key, then upload id (which orders them by initiation time), after the markers,
  // keys starting with the prefix, at most max_uploads + 1.
  Result<std::vector<MultipartUpload>> ListMultipartUploads(const std::string& bucket,
                                                            const ListUploadsOptions& options = {}) const;

  // Signs the current tree head (after every committed entry is in the ledger) and appends it to heads.jsonl.
  Result<ledger::SignedTreeHead> SignTreeHead();
  // The ledger. A committed entry reaches it shortly after its commit (a ledger thread appends); SignTreeHead,
  // Verify and closing the store wait for every one.
  const ledger::Log& log() const;
  const std::string& public_key() const;

  // Re-hashes every stored version, compares it with its metadata row and with the ledger's record of it (replayed
  // from every entry, including later lock changes), checks the journal against the ledger and every signed tree
  // head in heads.jsonl against the current tree. Problems are listed, not returned as errors.
  Result<VerifyReport> Verify() const;

  // Every ledger entry of `bucket` (all buckets when empty), parsed, oldest first: the audit trail.
  Result<std::vector<std::string>> AuditTrail(const std::string& bucket) const;

 private:
  Store();
  // Where a version's bytes were written: a segment and offset, or blobs/<uid>.
  struct StoredAt;
  // A PUT once its bytes are known: the lock rules, `write_data` (writes the bytes: blobs/<uid> durably, or into a
  // segment, synced by the group commit before the metadata commit), the group commit.
  Result<ObjectVersion> PutVersion(const Caller& caller, const PutObjectRequest& request, Timestamp now, uint64_t size,
                                   const std::string& md5_hex, const std::string& sha256_hex, const std::string& uid,
                                   const std::function<Status(StoredAt&)>& write_data);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tutela::vault
