// The PII engine's first pass (internal to the pii module): one sweep over the text, 64 bytes at a time, that
// classifies every byte with SIMD (digit, letter, word byte, a few punctuation marks) and combines the 64-bit class
// masks into "triggers": positions where a pattern of a given kind could match. Every pattern of a kind holds its
// trigger inside every match it can have, so scanning small windows around the triggers with the kind's Vectorscan
// database finds exactly what scanning the whole text finds (engine.cc shows why and checks it). Most text (log
// noise, hashes, timestamps, prose) holds no trigger at all and is never seen by Vectorscan.
//
// Each trigger is a necessary condition only: it may fire where no pattern matches (Vectorscan then decides), but it
// never misses a position where one does.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace tutela::pii::gate {

enum Kind : uint8_t {
  kAt,           // '@' (e-mail addresses); the window is the run of address bytes around it
  kPlusDigit,    // '+' followed by a digit: the start of an international phone number
  kDashes,       // "-----": the start of a PEM armour line
  kDottedQuad,   // a digit '.' digit dot followed 2-4 bytes later by another (and a third): the first dot of a.b.c.d
  kHexColon,     // ':' after 1-4 hexadecimal digits that start a word: the first colon of an IPv6 address
  kUpperDigit,   // a word starting with 1-4 upper-case letters then a digit (IBAN, VAT, passports, HK/TW ids)
  kNric,         // a 9-byte word: letter, 7 digits, letter (Singapore NRIC/FIN)
  kUpperWord10,  // a 10-byte word of upper-case letters and digits, upper-case first and digit last (DE id card)
  kAPrefix,      // a word starting with 'A' and one of K S B C (cloud access key ids)
  kDigits11,     // a word of exactly 11 digits
  kDigits17,     // a word of 17 digits and one of [0-9Xx]
  kGroupEnd,     // the last digit of a word ending "ddd[ -]ddd" or "ddd[ -]dddd"
  kChain,        // the first digit of a digit chain (digits joined by single ' ' or '-') spanning >= chain_min bytes
  kKinds
};

struct Hits {
  std::array<std::vector<uint32_t>, kKinds> at;  // trigger positions per kind, ascending
  // Per 64-byte block of the text: its '\n' bytes (bit i for byte i) and how many come before it.
  std::vector<uint64_t> newlines;
  std::vector<uint32_t> lines_before;
  void Clear() {
    for (auto& list : at) list.clear();
    newlines.clear();
    lines_before.clear();
  }
  // The number of '\n' bytes in text[0, pos) (pos <= the text's size).
  uint64_t LinesBefore(size_t pos) const;
};

// Finds the triggers of the kinds whose bit is set in `kinds` (bit k for Kind k) in `text` (< 4 GiB). `chain_min`
// (1..32) is the shortest byte span a kChain trigger needs. Positions: the match start for the word-start kinds,
// kPlusDigit and kDashes; the '@' for kAt; the first '.' or ':' for kDottedQuad and kHexColon; the last digit for
// kGroupEnd; the chain's first digit for kChain.
void Find(std::string_view text, uint32_t kinds, size_t chain_min, Hits& out);

// Which instruction set Find() uses on this machine ("avx512bw", "avx2" or "sse2"), for benchmarks.
const char* InstructionSet();

// Find() with a chosen instruction set, for tests that compare them (one this CPU lacks falls back to Find()'s).
enum class Isa { kSse2, kAvx2, kAvx512 };
bool Supported(Isa isa);
void FindUsing(Isa isa, std::string_view text, uint32_t kinds, size_t chain_min, Hits& out);

}  // namespace tutela::pii::gate
