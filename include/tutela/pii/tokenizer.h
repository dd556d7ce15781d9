// Tokenizer: reversible, format-preserving tokens for PII values — FF1 (NIST SP 800-38G) over AES-256.
//
// A value's ASCII digits are encrypted as one radix-10 string and its ASCII letters as one radix-26 string (each
// letter keeps its case); every other byte stays where it is. So a 16-digit card becomes 16 digits with the same
// spaces or dashes, an NRIC keeps its letters, an e-mail keeps its @ and dots. A class with too few characters to
// encrypt safely (fewer than 1,000,000 possible values: under 6 digits or 5 letters) is left as it is; a value with
// no class large enough is refused. The tweak is the entity id, so equal values of one entity get equal tokens in
// every file, column and run under one key, and joins across de-identified datasets still work.
//
// Check characters: for entities whose last letter or digit is a check character (Entity::check_last), that
// character is not encrypted but recomputed — by default so that the token is *invalid* (it can never be mistaken
// for a real identifier), or valid with TokenOptions::valid_tokens (realistic test data). Restore decrypts the rest
// and recomputes the one check character that makes the value valid again. This "check mode" is used only when the
// original value is valid with exactly one possible check character; otherwise the whole value is encrypted
// ("whole mode"). Token::check_mode says which; bare tokens in declared fields must always be restorable without
// that bit, which is the Redactor's business (redactor.h).
//
// Annotated tokens, used where a token has to be found again in free text: ⟦tok:KEYID:ENTITY:MODE:TOKEN⟧, where
// MODE is "w" (whole) or "c" (check), then "n" when the token replaced a bare JSON number (restore then removes the
// quotes around it), "j" when TOKEN is raw JSON string text whose escape sequences were left alone, and "k" with a
// number when that many leading letters and digits were kept (TokenOptions::keep_first). Inside TOKEN a
// literal ⟦ is written ⟦⟦ and a literal ⟧ is written ⟦⟧, so the first lone ⟧ ends the annotation.
//
// Keys: the FF1 key is derived from a keyring key with HMAC-SHA256 and a purpose label, never used directly. Tokens
// made with any key of the keyring restore; new tokens use the active key.
// Ownership and thread-safety: a Tokenizer holds derived keys; its const methods are thread-safe.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "tutela/core/status.h"
#include "tutela/pii/ff1.h"
#include "tutela/pii/keyring.h"
#include "tutela/pii/validators.h"

namespace tutela::pii {

// What the tokenizer needs to know about the entity of a value.
struct TokenEntity {
  std::string_view id;            // the tweak, e.g. "CREDIT_CARD"
  Validator validator = nullptr;  // confirms a value (check mode needs it); nullptr: none
  bool check_last = false;        // Entity::check_last
};

struct TokenOptions {
  bool valid_tokens = false;     // check mode: make the token's check character valid rather than invalid
  bool json_escapes = false;     // the value is the raw inside of a JSON string: escape sequences stay untouched
  bool json_number = false;      // the value is a JSON number: the token keeps a non-zero leading digit
  bool allow_check_mode = true;  // false: always whole mode
  size_t keep_first = 0;         // letters and digits kept as they are at the start (a card's issuer prefix: 6)
};

struct Token {
  std::string text;
  bool check_mode = false;
  bool valid = false;  // check mode: the token's check character is valid
};

inline constexpr std::string_view kTokenOpen = "\u27e6";   // ⟦
inline constexpr std::string_view kTokenClose = "\u27e7";  // ⟧
inline constexpr std::string_view kTokenAnnotationStart = "\u27e6tok:";

// True when `text` starts with an annotated token.
inline bool StartsWithTokenAnnotation(std::string_view text) { return text.starts_with(kTokenAnnotationStart); }

struct TokenAnnotation {
  std::string key_id;
  std::string entity;
  bool check_mode = false;
  bool json_number = false;
  bool json_escapes = false;
  size_t keep_first = 0;
  std::string token;  // unescaped
};

class Tokenizer {
 public:
  // Derives the FF1 keys of every key in `keyring`. Internal if the cipher cannot be set up.
  static Result<std::unique_ptr<Tokenizer>> Create(const Keyring& keyring);

  const std::string& active_key_id() const { return active_; }

  // A token for `value` under the active key. InvalidArgument (never naming the value) when no class of characters
  // is large enough to encrypt safely.
  Result<Token> Tokenize(std::string_view value, const TokenEntity& entity, const TokenOptions& options) const;

  // The original of `token`. NotFound naming the key id when the keyring lacks it; Corruption when the token does not
  // restore to a valid value (wrong key, or a damaged token).
  Result<std::string> Restore(std::string_view token, std::string_view key_id, const TokenEntity& entity,
                              bool check_mode, const TokenOptions& options) const;

  // ⟦tok:KEYID:ENTITY:MODE:TOKEN⟧ for a token made with the active key and `options`.
  std::string Annotate(std::string_view entity, const Token& token, const TokenOptions& options) const;

 private:
  struct KeyCiphers {
    std::unique_ptr<Ff1> digits;
    std::unique_ptr<Ff1> letters;
  };
  Tokenizer() = default;
  Result<std::string> Run(std::string_view value, const KeyCiphers& ciphers, const TokenEntity& entity,
                          const TokenOptions& options, bool encrypt, bool check_mode, bool* valid) const;

  std::string active_;
  std::map<std::string, KeyCiphers, std::less<>> keys_;
};

// Parses the annotation that starts at text[at] (which begins with ⟦tok:). Returns its length in bytes and fills
// `annotation`, or 0 when the text there is not a well-formed annotation.
size_t ParseTokenAnnotation(std::string_view text, size_t at, TokenAnnotation* annotation);

}  // namespace tutela::pii
