// FF1 format-preserving encryption (NIST SP 800-38G, Rev. 1) over AES.
//
// FF1 encrypts a string of numerals in radix 2..65536 into another string of the same length and radix, keyed by an
// AES key (16, 24 or 32 bytes) and a public tweak. PII tokenization builds on it: a 16-digit card becomes 16 digits,
// a letter-digit identifier keeps its alphabet. Decrypt() inverts Encrypt() exactly for the same key and tweak.
//
// The domain must be large enough to be safe: radix^length >= 1,000,000 (SP 800-38G Rev. 1); shorter inputs are
// refused with InvalidArgument rather than encrypted weakly. Numerals are integers in [0, radix); mapping an alphabet
// to numerals is the caller's business (see Alphabet below).
//
// Ownership and thread-safety: an Ff1 object owns its expanded AES key and is immutable after Create(); Encrypt and
// Decrypt are const and may be called from many threads at once (each call uses its own cipher state).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tutela/core/status.h"

namespace tutela::pii {

class Ff1 {
 public:
  // `key` is 16, 24 or 32 bytes (AES-128/192/256); `radix` in [2, 65536].
  // InvalidArgument for another key length or radix.
  static Result<Ff1> Create(std::string_view key, uint32_t radix);

  Ff1(Ff1&&) noexcept;
  Ff1& operator=(Ff1&&) noexcept;
  ~Ff1();

  uint32_t radix() const { return radix_; }

  // Encrypts/decrypts `numerals` (each < radix) under `tweak`. InvalidArgument when a numeral is out of range or
  // the domain radix^length is below 1,000,000; Internal if the cipher fails.
  Result<std::vector<uint16_t>> Encrypt(std::span<const uint16_t> numerals, std::string_view tweak) const;
  Result<std::vector<uint16_t>> Decrypt(std::span<const uint16_t> numerals, std::string_view tweak) const;

 private:
  struct Impl;
  Ff1(std::unique_ptr<Impl> impl, uint32_t radix);
  Result<std::vector<uint16_t>> Run(std::span<const uint16_t> numerals, std::string_view tweak, bool encrypt) const;

  std::unique_ptr<Impl> impl_;
  uint32_t radix_;
};

// Maps the characters of an alphabet (single bytes, e.g. "0123456789" or "0123456789abcdefghijklmnopqrstuvwxyz")
// to numerals and back, for Ff1 on text.
class Alphabet {
 public:
  // InvalidArgument when `characters` has fewer than 2 or repeated characters.
  static Result<Alphabet> Create(std::string_view characters);
  uint32_t radix() const { return static_cast<uint32_t>(characters_.size()); }
  bool Contains(char c) const { return index_[static_cast<uint8_t>(c)] >= 0; }
  // InvalidArgument naming the position of the first character outside the alphabet (never the character itself,
  // which may be part of a PII value).
  Result<std::vector<uint16_t>> ToNumerals(std::string_view text) const;
  std::string ToText(std::span<const uint16_t> numerals) const;

 private:
  std::string characters_;
  int index_[256];
};

// Convenience: FF1 over text in `alphabet`.
Result<std::string> Ff1EncryptText(const Ff1& ff1, const Alphabet& alphabet, std::string_view text,
                                   std::string_view tweak);
Result<std::string> Ff1DecryptText(const Ff1& ff1, const Alphabet& alphabet, std::string_view text,
                                   std::string_view tweak);

}  // namespace tutela::pii
