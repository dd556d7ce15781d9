// Keyrings: the secret keys behind tokenization and keyed hashing of PII.
//
// A keyring file holds one or more 256-bit keys, each with a short public id, and names the active one. New tokens
// use the active key and carry its id, so that after `tutela keys rotate` the old tokens still restore with the
// key they were made with. The file format is specified in docs/formats/keyring.md: JSON, mode 0600, each key with a
// check value that detects a damaged key before it silently produces wrong tokens.
//
// Key material never appears in messages, logs or ToString-like output.
// Ownership and thread-safety: a Keyring is a value; const methods may be used from many threads.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "tutela/core/status.h"
#include "tutela/core/time.h"

namespace tutela::pii {

struct TokenKey {
  std::string id;  // "k" + 8 lower-case hex digits; public, carried in tokens
  Timestamp created{};
  std::string material;  // 32 secret bytes
};

class Keyring {
 public:
  // A keyring with one fresh random key, active. Internal if the system RNG fails.
  static Result<Keyring> Generate();

  // Loads and checks a keyring file. PermissionDenied when group or others may read or write it (with the chmod
  // that fixes it); NotFound when missing; Corruption when it does not parse, has a malformed key, or a key's check
  // value does not match its material. Messages name the file, never key material.
  static Result<Keyring> Load(const std::filesystem::path& path);

  // Writes the keyring atomically with mode 0600. With overwrite=false an existing file is refused
  // (AlreadyExists) and left untouched.
  Status Save(const std::filesystem::path& path, bool overwrite) const;

  // Adds a fresh key and makes it active; returns its id. Older keys stay for restoring older tokens.
  Result<std::string> Rotate();

  const TokenKey& active() const;
  // The key with `id`, or nullptr.
  const TokenKey* Find(std::string_view id) const;
  const std::vector<TokenKey>& keys() const { return keys_; }

 private:
  Keyring() = default;
  Status AddFreshKey();

  std::vector<TokenKey> keys_;
  size_t active_ = 0;
};

}  // namespace tutela::pii
