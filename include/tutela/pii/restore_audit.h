// The restore audit log: every `tutela pii restore` appends who restored how many tokenized values of which file, and
// when, to a tamper-evident ledger::Log (RFC 9162 Merkle tree; file format in docs/formats/vault-log.md), so the key
// holder's use of the key can be reviewed and proven afterwards.
//
// Each entry is one JSON object: {"event": "pii.restore", "at", "user", "uid", "host", "input", "input_sha256",
// "output", "values", "key_ids"}. No PII and no key material is ever written to it.
// Thread-safety: AppendRestoreAudit opens, appends (with fdatasync) and closes; one writer at a time (flock).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "tutela/core/status.h"
#include "tutela/core/time.h"

namespace tutela::pii {

struct RestoreAuditRecord {
  Timestamp at{};
  std::string user;  // login name, or the uid when it has none
  uint32_t uid = 0;
  std::string host;
  std::string input;  // path, or "-" for standard input
  std::string input_sha256;
  std::string output;  // path, or "-" for standard output
  uint64_t values = 0;
  std::vector<std::string> key_ids;
};

// $XDG_DATA_HOME/tutela/pii-restores.log, else ~/.local/share/tutela/pii-restores.log.
std::filesystem::path DefaultRestoreAuditLogPath();

// The record for the current process (user, uid, host, now); the caller fills the rest.
RestoreAuditRecord CurrentRestoreAuditRecord();

// Appends `record` durably (creating the log and its folder) and returns its index in the log. IoError or Corruption
// naming the log when it cannot be opened or written.
Result<uint64_t> AppendRestoreAudit(const std::filesystem::path& log_path, const RestoreAuditRecord& record);

struct RestoreAuditLog {
  std::vector<std::string> entries;  // each entry's JSON text, in log order (index = position)
  uint64_t tree_size = 0;
  std::string tree_root;  // hex SHA-256 of the RFC 9162 tree over the entries
};

// Reads the whole log without taking the write lock. NotFound when it does not exist; Corruption naming the record
// offset when a record is damaged.
Result<RestoreAuditLog> ReadRestoreAudit(const std::filesystem::path& log_path);

}  // namespace tutela::pii
