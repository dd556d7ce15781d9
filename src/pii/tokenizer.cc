#include "tutela/pii/tokenizer.h"

#include <vector>

#include "tutela/core/crypto.h"
#include "tutela/pii/structured.h"

namespace tutela::pii {
namespace {

constexpr std::string_view kDigits = "0123456789";
constexpr std::string_view kUpper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
constexpr std::string_view kLower = "abcdefghijklmnopqrstuvwxyz";
constexpr std::string_view kDigitsUpper = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
constexpr std::string_view kDigitsLower = "0123456789abcdefghijklmnopqrstuvwxyz";
constexpr size_t kMinDigits = 6;   // 10^6 >= 1,000,000
constexpr size_t kMinLetters = 5;  // 26^5 >= 1,000,000

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsLower(char c) { return c >= 'a' && c <= 'z'; }

// Positions of the ASCII digits and letters of `value`, skipping JSON escape sequences when asked.
// Positions of the ASCII digits and letters of `value` after the first `keep` of them, skipping JSON escape sequences
// when asked.
void Classify(std::string_view value, bool json_escapes, std::vector<size_t>* digits, std::vector<size_t>* letters,
              size_t keep = 0) {
  for (size_t at = 0; at < value.size();) {
    char c = value[at];
    if (json_escapes && c == '\\') {
      at += at + 1 < value.size() && value[at + 1] == 'u' ? 6 : 2;
      continue;
    }
    bool digit = IsDigit(c), letter = IsUpper(c) || IsLower(c);
    if ((digit || letter) && keep > 0) {
      --keep;
    } else if (digit) {
      digits->push_back(at);
    } else if (letter) {
      letters->push_back(at);
    }
    ++at;
  }
}

// The text a validator sees: the value itself, or the decoded JSON string.
bool ValidatorAccepts(const TokenEntity& entity, std::string_view value, bool json_escapes) {
  std::string decoded;
  std::string_view text = value;
  if (json_escapes) {
    std::string quoted = "\"" + std::string(value) + "\"";
    bool ok = WalkJson(quoted, "token", [&](const JsonScalar& scalar) { decoded = scalar.value; }).ok();
    if (!ok) return false;
    text = decoded;
  }
  size_t start = 0, end = text.size();
  return entity.validator(text, start, end) > kInvalid;
}

std::string_view CandidatesFor(char c) { return IsLower(c) ? kDigitsLower : kDigitsUpper; }
std::string_view ClassOf(char c) { return IsDigit(c) ? kDigits : IsUpper(c) ? kUpper : kLower; }

// The candidates of `pool` that make `text` valid when put at `at`.
std::string ValidCandidates(const TokenEntity& entity, std::string text, size_t at, bool json_escapes,
                            std::string_view pool) {
  std::string valid;
  for (char candidate : pool) {
    text[at] = candidate;
    if (ValidatorAccepts(entity, text, json_escapes)) valid += candidate;
  }
  return valid;
}

std::string DeriveFf1Key(std::string_view material) {
  Digest256 derived = HmacSha256(material, "tutela/tokenize/ff1/v1");
  return std::string(reinterpret_cast<const char*>(derived.data()), derived.size());
}

void AppendEscapedToken(std::string& out, std::string_view token) {
  for (size_t at = 0; at < token.size();) {
    if (token.substr(at, kTokenOpen.size()) == kTokenOpen) {
      out.append(kTokenOpen).append(kTokenOpen);
      at += kTokenOpen.size();
    } else if (token.substr(at, kTokenClose.size()) == kTokenClose) {
      out.append(kTokenOpen).append(kTokenClose);
      at += kTokenClose.size();
    } else {
      out += token[at++];
    }
  }
}

}  // namespace

Result<std::unique_ptr<Tokenizer>> Tokenizer::Create(const Keyring& keyring) {
  std::unique_ptr<Tokenizer> tokenizer(new Tokenizer());
  tokenizer->active_ = keyring.active().id;
  for (const TokenKey& key : keyring.keys()) {
    std::string derived = DeriveFf1Key(key.material);
    TUTELA_ASSIGN_OR_RETURN(Ff1 digits, Ff1::Create(derived, 10));
    TUTELA_ASSIGN_OR_RETURN(Ff1 letters, Ff1::Create(derived, 26));
    KeyCiphers ciphers;
    ciphers.digits = std::make_unique<Ff1>(std::move(digits));
    ciphers.letters = std::make_unique<Ff1>(std::move(letters));
    tokenizer->keys_.emplace(key.id, std::move(ciphers));
  }
  return tokenizer;
}

Result<std::string> Tokenizer::Run(std::string_view value, const KeyCiphers& ciphers, const TokenEntity& entity,
                                   const TokenOptions& options, bool encrypt, bool check_mode, bool* valid) const {
  std::vector<size_t> digits, letters;
  Classify(value, options.json_escapes, &digits, &letters, options.keep_first);
  size_t check_at = std::string::npos;
  if (check_mode) {
    if (digits.empty() && letters.empty()) return Status::Corruption("a token has no check character");
    bool last_is_digit = letters.empty() || (!digits.empty() && digits.back() > letters.back());
    check_at = last_is_digit ? digits.back() : letters.back();
    (last_is_digit ? digits : letters).pop_back();
  }
  bool encrypt_digits = digits.size() >= kMinDigits;
  bool encrypt_letters = letters.size() >= kMinLetters;
  if (!encrypt_digits && !encrypt_letters) {
    return Status::InvalidArgument("a " + std::string(entity.id) +
                                   " value is too short to tokenize safely (fewer than 1,000,000 possible values); "
                                   "choose hash or mask for it in the policy");
  }
  std::string out(value);
  std::string tweak_base(entity.id);
  if (encrypt_digits) {
    std::vector<uint16_t> numerals;
    numerals.reserve(digits.size());
    for (size_t at : digits) numerals.push_back(static_cast<uint16_t>(value[at] - '0'));
    // A JSON number keeps a non-zero leading digit: cycle-walk until the first numeral is not 0 (a permutation of
    // the strings that do not start with 0, so restore walks back the same way).
    bool keep_nonzero = false;
    if (options.json_number) {
      size_t int_start = !value.empty() && value[0] == '-' ? 1 : 0;
      size_t int_end = value.find_first_of(".eE", int_start);
      if (int_end == std::string_view::npos) int_end = value.size();
      keep_nonzero = digits.front() == int_start && int_end - int_start > 1 && numerals.front() != 0;
    }
    do {
      TUTELA_ASSIGN_OR_RETURN(numerals, encrypt ? ciphers.digits->Encrypt(numerals, tweak_base + "/d")
                                                : ciphers.digits->Decrypt(numerals, tweak_base + "/d"));
    } while (keep_nonzero && numerals.front() == 0);
    for (size_t idx = 0; idx < digits.size(); ++idx) out[digits[idx]] = static_cast<char>('0' + numerals[idx]);
  }
  if (encrypt_letters) {
    std::vector<uint16_t> numerals;
    numerals.reserve(letters.size());
    for (size_t at : letters) numerals.push_back(static_cast<uint16_t>((value[at] | 0x20) - 'a'));
    TUTELA_ASSIGN_OR_RETURN(numerals, encrypt ? ciphers.letters->Encrypt(numerals, tweak_base + "/l")
                                              : ciphers.letters->Decrypt(numerals, tweak_base + "/l"));
    for (size_t idx = 0; idx < letters.size(); ++idx) {
      char letter = static_cast<char>('a' + numerals[idx]);
      out[letters[idx]] = IsUpper(value[letters[idx]]) ? static_cast<char>(letter - 0x20) : letter;
    }
  }
  if (!check_mode) return out;
  if (!encrypt) {
    // The original check character is the one valid candidate of its class, which a forced-invalid token's check
    // character shares (Tokenize checked the uniqueness within that class); a valid-mode token may have taken one
    // from the wider pool, so that is tried when the class alone does not answer.
    std::string candidates = ValidCandidates(entity, out, check_at, options.json_escapes, ClassOf(out[check_at]));
    if (candidates.size() != 1) {
      candidates = ValidCandidates(entity, out, check_at, options.json_escapes, CandidatesFor(out[check_at]));
    }
    if (candidates.size() != 1) {
      return Status::Corruption("a " + std::string(entity.id) +
                                " token does not restore to a valid value: wrong key, or a damaged token");
    }
    out[check_at] = candidates[0];
    return out;
  }
  // Choose the token's check character: same class as the original's, starting at a place that depends on the
  // token, so that forced-invalid check characters do not all look alike.
  size_t start = 0;
  for (char c : out) start += static_cast<unsigned char>(c);
  auto pick = [&](std::string_view pool, bool want_valid) -> bool {
    for (size_t step = 0; step < pool.size(); ++step) {
      out[check_at] = pool[(start + step) % pool.size()];
      if (ValidatorAccepts(entity, out, options.json_escapes) == want_valid) return true;
    }
    return false;
  };
  char original = value[check_at];
  if (options.valid_tokens && (pick(ClassOf(original), true) || pick(CandidatesFor(original), true))) {
    *valid = true;
    return out;
  }
  if (pick(ClassOf(original), false)) {
    *valid = false;
    return out;
  }
  return Status::Internal("no check character makes a " + std::string(entity.id) + " token invalid");
}

Result<Token> Tokenizer::Tokenize(std::string_view value, const TokenEntity& entity,
                                  const TokenOptions& options) const {
  const KeyCiphers& ciphers = keys_.find(active_)->second;
  bool check_mode = false;
  if (options.allow_check_mode && entity.check_last && entity.validator != nullptr) {
    std::vector<size_t> digits, letters;
    Classify(value, options.json_escapes, &digits, &letters, options.keep_first);
    if (!digits.empty() || !letters.empty()) {
      size_t last =
          letters.empty() || (!digits.empty() && digits.back() > letters.back()) ? digits.back() : letters.back();
      std::string valid = ValidCandidates(entity, std::string(value), last, options.json_escapes, ClassOf(value[last]));
      check_mode = valid.size() == 1 && valid[0] == value[last];
    }
  }
  std::vector<bool> modes = check_mode ? std::vector<bool>{true, false} : std::vector<bool>{false};
  for (bool mode : modes) {
    Token token;
    token.check_mode = mode;
    auto text = Run(value, ciphers, entity, options, /*encrypt=*/true, mode, &token.valid);
    if (!text.ok()) {
      if (mode) continue;
      return text.status();
    }
    token.text = std::move(*text);
    // Whole mode is a bijection by construction (FF1, cycle walking), and check mode restores the one valid check
    // character, which was checked above to be unique. Only a valid-mode check character may come from a wider
    // class than the original's (X for a digit), so those tokens are restored once before they are handed out; one
    // that would not come back exactly falls back to whole mode.
    if (!mode || !options.valid_tokens) return token;
    bool unused = false;
    auto back = Run(token.text, ciphers, entity, options, /*encrypt=*/false, mode, &unused);
    if (back.ok() && *back == value) return token;
    if (!mode) break;
  }
  return Status::Internal("a " + std::string(entity.id) + " token did not restore to its value; report this bug");
}

Result<std::string> Tokenizer::Restore(std::string_view token, std::string_view key_id, const TokenEntity& entity,
                                       bool check_mode, const TokenOptions& options) const {
  auto key = keys_.find(key_id);
  if (key == keys_.end()) {
    return Status::NotFound("the token was made with key " + std::string(key_id) +
                            ", which the keyring does not hold; use the keyring that made it");
  }
  bool unused = false;
  return Run(token, key->second, entity, options, /*encrypt=*/false, check_mode, &unused);
}

std::string Tokenizer::Annotate(std::string_view entity, const Token& token, const TokenOptions& options) const {
  std::string out;
  out.reserve(token.text.size() + entity.size() + 32);
  out.append(kTokenAnnotationStart).append(active_).append(":").append(entity).append(":");
  out += token.check_mode ? 'c' : 'w';
  if (options.json_number) out += 'n';
  if (options.json_escapes) out += 'j';
  if (options.keep_first > 0) out += "k" + std::to_string(options.keep_first);
  out += ':';
  AppendEscapedToken(out, token.text);
  out.append(kTokenClose);
  return out;
}

size_t ParseTokenAnnotation(std::string_view text, size_t at, TokenAnnotation* annotation) {
  if (text.substr(at, kTokenAnnotationStart.size()) != kTokenAnnotationStart) return 0;
  size_t cursor = at + kTokenAnnotationStart.size();
  auto field = [&](std::string* out) {
    size_t colon = text.find(':', cursor);
    if (colon == std::string_view::npos || colon - cursor > 64) return false;
    *out = std::string(text.substr(cursor, colon - cursor));
    cursor = colon + 1;
    return !out->empty();
  };
  std::string mode;
  if (!field(&annotation->key_id) || !field(&annotation->entity) || !field(&mode)) return 0;
  if (mode[0] != 'w' && mode[0] != 'c') return 0;
  annotation->check_mode = mode[0] == 'c';
  annotation->json_number = false;
  annotation->json_escapes = false;
  annotation->keep_first = 0;
  for (size_t flag = 1; flag < mode.size(); ++flag) {
    if (mode[flag] == 'n' && !annotation->json_number) {
      annotation->json_number = true;
    } else if (mode[flag] == 'j' && !annotation->json_escapes) {
      annotation->json_escapes = true;
    } else if (mode[flag] == 'k' && flag + 1 < mode.size() && IsDigit(mode[flag + 1])) {
      size_t keep = 0;
      while (flag + 1 < mode.size() && IsDigit(mode[flag + 1]) && keep < 1000) keep = keep * 10 + (mode[++flag] - '0');
      annotation->keep_first = keep;
    } else {
      return 0;
    }
  }
  annotation->token.clear();
  while (cursor < text.size()) {
    if (text.substr(cursor, kTokenClose.size()) == kTokenClose) {
      return cursor + kTokenClose.size() - at;
    }
    if (text.substr(cursor, kTokenOpen.size()) == kTokenOpen) {
      std::string_view next = text.substr(cursor + kTokenOpen.size(), kTokenOpen.size());
      if (next != kTokenOpen && next != kTokenClose) return 0;
      annotation->token.append(next);
      cursor += 2 * kTokenOpen.size();
      continue;
    }
    annotation->token += text[cursor++];
  }
  return 0;
}

}  // namespace tutela::pii
