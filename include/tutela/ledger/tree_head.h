// Signed tree heads: an Ed25519 signature (OpenSSL EVP) over a log's size, root and time.
//
// A SignedTreeHead is what a log hands to an auditor: with it and later a consistency proof the auditor can tell that
// the log only ever grew. The signed message is the text
//     "tutela-tree-head/v1\n" SIZE "\n" ROOT-HEX "\n" TIME-RFC3339-MICROSECONDS "\n"
// so any Ed25519 implementation can check it. A Signer holds the private key (created once with Generate or read
// from a PEM file, written with mode 0600); public keys travel as 32 raw bytes (hex in files).
//
// Thread-safety: a Signer is immutable after creation and may sign from several threads.
#pragma once

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "tutela/core/status.h"
#include "tutela/core/time.h"
#include "tutela/ledger/log.h"

namespace tutela::ledger {

class Signer {
 public:
  // A fresh key from the OS CSPRNG. Internal error if OpenSSL fails.
  static Result<std::shared_ptr<const Signer>> Generate();
  // Reads a PKCS#8 PEM Ed25519 private key. NotFound / InvalidArgument naming the file.
  static Result<std::shared_ptr<const Signer>> Load(const std::filesystem::path& pem_path);
  // Loads `pem_path`, or generates a key and writes it there atomically with mode 0600 when it does not exist.
  static Result<std::shared_ptr<const Signer>> LoadOrCreate(const std::filesystem::path& pem_path);
  ~Signer();

  // Writes the private key as PEM, atomically, mode 0600.
  Status Save(const std::filesystem::path& pem_path) const;
  // The 32-byte raw public key.
  const std::string& public_key() const { return public_key_; }
  // A 64-byte Ed25519 signature of `message`.
  Result<std::string> Sign(std::string_view message) const;

 private:
  Signer() = default;
  struct Key;
  std::unique_ptr<Key> key_;
  std::string public_key_;
};

// OK if `signature` is a valid Ed25519 signature of `message` under the raw 32-byte `public_key`; Corruption otherwise.
Status VerifySignature(std::string_view public_key, std::string_view message, std::string_view signature);

struct SignedTreeHead {
  uint64_t size = 0;
  Hash root{};
  Timestamp time{};
  std::string public_key;  // raw 32 bytes
  std::string signature;   // raw 64 bytes
};

// The exact bytes that are signed (see the header comment).
std::string TreeHeadMessage(uint64_t size, const Hash& root, Timestamp time);
Result<SignedTreeHead> SignTreeHead(const Signer& signer, const TreeHead& head, Timestamp time);
// OK if the signature is valid for the head's fields and `trusted_public_key` (raw; empty means trust the key inside
// the head — only useful for self-consistency checks). Corruption otherwise.
Status VerifyTreeHead(const SignedTreeHead& head, std::string_view trusted_public_key = {});

// {"size":N,"root":"hex","time":"RFC3339","public_key":"hex","signature":"hex"}
nlohmann::json TreeHeadToJson(const SignedTreeHead& head);
// InvalidArgument naming `where` and the field for a missing or malformed field.
Result<SignedTreeHead> TreeHeadFromJson(const nlohmann::json& json, std::string_view where);

}  // namespace tutela::ledger
