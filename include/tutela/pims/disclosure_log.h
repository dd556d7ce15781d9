// The disclosure log: every purpose decision and every disclosure of personal data to a third party, a
// sub-processor or an authority (ISO/IEC 27018 A.6.1, A.6.2), appended to a tamper-evident ledger::Log.
//
// Each entry is one JSON object (kind, time, details) stored as a leaf of the log's RFC 9162 Merkle tree, so the
// privacy office can later prove that an entry is in the log and that the log was only ever appended to. Opening a
// log checks every record's checksum; a damaged record is Corruption naming its offset (see docs/formats/vault-log.md
// for the file format, shared with the vault).
//
// Ownership and thread-safety: a DisclosureLog owns its open ledger::Log; methods may be called from many threads.
// One process at a time may write a log.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "tutela/core/status.h"
#include "tutela/core/time.h"
#include "tutela/ledger/log.h"
#include "tutela/ledger/tree_head.h"
#include "tutela/pims/decide.h"

namespace tutela::pims {

struct Disclosure {
  std::string activity;           // register activity id
  std::string recipient;          // who received the data
  std::string recipient_kind;     // "third-party", "sub-processor" or "authority"
  std::vector<std::string> data;  // entity ids or category names
  std::string basis;              // why it was lawful (contract clause, legal order, ...)
  uint64_t subjects = 0;          // how many data subjects, when known
  std::string reference;          // a request or case number
};

struct DisclosureEntry {
  uint64_t index = 0;
  std::string kind;  // "decision" or "disclosure"
  std::string at;    // RFC 3339 UTC
  nlohmann::json details;
};

// $XDG_DATA_HOME/tutela/pims-disclosures.log, else ~/.local/share/tutela/pims-disclosures.log.
std::filesystem::path DefaultDisclosureLogPath();
// The Ed25519 key that signs a log's tree heads: beside the log, "<stem>-key.pem" (pims-disclosures-key.pem).
std::filesystem::path DefaultDisclosureKeyPath(const std::filesystem::path& log_path);

class DisclosureLog {
 public:
  // Opens or creates the log (creating its folder). `read_only` opens without the write lock and never creates.
  // Corruption when a record is damaged; IoError when another process holds the write lock.
  static Result<std::unique_ptr<DisclosureLog>> Open(const std::filesystem::path& path, bool read_only = false);

  // Appends and syncs; returns the entry's index in the log.
  Result<uint64_t> RecordDecision(const DecisionRequest& request, const Decision& decision, Timestamp at);
  // InvalidArgument naming the field when activity, recipient, a known recipient kind, data or basis is missing.
  Result<uint64_t> RecordDisclosure(const Disclosure& disclosure, Timestamp at);

  // Every entry in order. Corruption if an entry is not the JSON this log writes.
  Result<std::vector<DisclosureEntry>> Entries() const;
  ledger::TreeHead Head() const;

  // The current tree head signed by `signer` at `time`: what the privacy office hands an auditor.
  Result<ledger::SignedTreeHead> SignHead(const ledger::Signer& signer, Timestamp time) const;
  // Checks a signed head kept from earlier against this log: the signature (under `trusted_public_key`, 32 raw bytes;
  // empty trusts the key in the head), then that the log still extends it — the head's tree is a prefix of the log
  // (the consistency proof from head.size to the current size verifies). OK, or Corruption naming what failed: a bad
  // signature, fewer entries than the head covers, or a different root (history rewritten).
  Status CheckHead(const ledger::SignedTreeHead& head, std::string_view trusted_public_key = {}) const;

  // The ledger underneath, for inclusion and consistency proofs (ProveInclusion, ProveConsistency, RootAt,
  // LeafHashAt, Entry in ledger/log.h).
  const ledger::Log& ledger() const { return *log_; }

 private:
  explicit DisclosureLog(std::unique_ptr<ledger::Log> log) : log_(std::move(log)) {}
  Result<uint64_t> Append(std::string_view kind, Timestamp at, nlohmann::json details);

  std::unique_ptr<ledger::Log> log_;
};

}  // namespace tutela::pims
