#include "tutela/pii/ff1.h"

#include <openssl/bn.h>
#include <openssl/evp.h>

#include <array>
#include <atomic>
#include <cstring>
#include <limits>
#include <optional>

namespace tutela::pii {
namespace {

using Block = std::array<uint8_t, 16>;
// GCC's 128-bit integer; `__extension__` marks the deliberate use of a non-ISO type under -Wpedantic.
__extension__ typedef unsigned __int128 Uint128;

// Owns an EVP_CIPHER_CTX.
struct CipherContext {
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  ~CipherContext() { EVP_CIPHER_CTX_free(ctx); }
};

struct BnContext {
  BN_CTX* ctx = BN_CTX_new();
  ~BnContext() { BN_CTX_free(ctx); }
};

struct BigNum {
  BIGNUM* bn = BN_new();
  BigNum() = default;
  BigNum(const BigNum&) = delete;
  BigNum& operator=(const BigNum&) = delete;
  ~BigNum() { BN_free(bn); }
};

// radix^count as a BIGNUM.
bool Power(BIGNUM* out, uint32_t radix, size_t count) {
  if (BN_one(out) != 1) return false;
  for (size_t step = 0; step < count; ++step) {
    if (BN_mul_word(out, radix) != 1) return false;
  }
  return true;
}

bool NumRadix(BIGNUM* out, std::span<const uint16_t> numerals, uint32_t radix) {
  BN_zero(out);
  for (uint16_t numeral : numerals) {
    if (BN_mul_word(out, radix) != 1 || BN_add_word(out, numeral) != 1) return false;
  }
  return true;
}

bool StrRadix(BIGNUM* value, uint32_t radix, std::span<uint16_t> out) {
  for (size_t position = out.size(); position-- > 0;) {
    BN_ULONG remainder = BN_div_word(value, radix);
    if (remainder == static_cast<BN_ULONG>(-1)) return false;
    out[position] = static_cast<uint16_t>(remainder);
  }
  return true;
}

}  // namespace

struct Ff1::Impl {
  CipherContext prototype;  // AES-ECB with the key schedule expanded once
  uint64_t id = 0;          // unique per Create(), so a thread's cached copy is never mistaken for another key's
};

namespace {

std::atomic<uint64_t> next_ff1_id{1};

// Each thread keeps a copy of the cipher context of the last Ff1 it used: copying the key schedule per call would
// cost more than the ten FF1 rounds themselves.
struct ThreadCipher {
  CipherContext context;
  uint64_t owner = 0;
};

EVP_CIPHER_CTX* ThreadContextFor(const EVP_CIPHER_CTX* prototype, uint64_t id) {
  thread_local ThreadCipher cached;
  if (cached.owner != id) {
    if (cached.context.ctx == nullptr || EVP_CIPHER_CTX_copy(cached.context.ctx, prototype) != 1) return nullptr;
    cached.owner = id;
  }
  return cached.context.ctx;
}

// radix^count when it fits in 64 bits.
std::optional<uint64_t> Power64(uint32_t radix, size_t count) {
  Uint128 value = 1;
  for (size_t step = 0; step < count; ++step) {
    value *= radix;
    if (value > std::numeric_limits<uint64_t>::max()) return std::nullopt;
  }
  return static_cast<uint64_t>(value);
}

uint64_t Num64(std::span<const uint16_t> numerals, uint32_t radix) {
  uint64_t value = 0;
  for (uint16_t numeral : numerals) value = value * radix + numeral;
  return value;
}

void Str64(uint64_t value, uint32_t radix, uint16_t* out, size_t length) {
  for (size_t position = length; position-- > 0;) {
    out[position] = static_cast<uint16_t>(value % radix);
    value /= radix;
  }
}

}  // namespace

Ff1::Ff1(std::unique_ptr<Impl> impl, uint32_t radix) : impl_(std::move(impl)), radix_(radix) {}
Ff1::Ff1(Ff1&&) noexcept = default;
Ff1& Ff1::operator=(Ff1&&) noexcept = default;
Ff1::~Ff1() = default;

Result<Ff1> Ff1::Create(std::string_view key, uint32_t radix) {
  const EVP_CIPHER* cipher = key.size() == 16   ? EVP_aes_128_ecb()
                             : key.size() == 24 ? EVP_aes_192_ecb()
                             : key.size() == 32 ? EVP_aes_256_ecb()
                                                : nullptr;
  if (cipher == nullptr) {
    return Status::InvalidArgument("an FF1 key must be 16, 24 or 32 bytes, not " + std::to_string(key.size()) +
                                   "; use a key made by `tutela keys create`.");
  }
  if (radix < 2 || radix > 65536) {
    return Status::InvalidArgument("FF1 radix " + std::to_string(radix) + " is outside 2..65536.");
  }
  auto impl = std::make_unique<Impl>();
  impl->id = next_ff1_id.fetch_add(1);
  if (impl->prototype.ctx == nullptr ||
      EVP_EncryptInit_ex(impl->prototype.ctx, cipher, nullptr, reinterpret_cast<const uint8_t*>(key.data()), nullptr) !=
          1 ||
      EVP_CIPHER_CTX_set_padding(impl->prototype.ctx, 0) != 1) {
    return Status::Internal("OpenSSL could not set up AES for FF1.");
  }
  return Ff1(std::move(impl), radix);
}

Result<std::vector<uint16_t>> Ff1::Encrypt(std::span<const uint16_t> numerals, std::string_view tweak) const {
  return Run(numerals, tweak, /*encrypt=*/true);
}

Result<std::vector<uint16_t>> Ff1::Decrypt(std::span<const uint16_t> numerals, std::string_view tweak) const {
  return Run(numerals, tweak, /*encrypt=*/false);
}

namespace {

// The part of an FF1 round that does not depend on how numbers are held: Q = T || 0s || [i] || [NUM]^b, the
// CBC-MAC R = PRF(P || Q) continuing from the precomputed MAC of P, and S = R || CIPH(R ^ [1]) || ... (d bytes).
class RoundFunction {
 public:
  RoundFunction(EVP_CIPHER_CTX* cipher, uint32_t radix, size_t n, size_t u, std::string_view tweak, size_t b, size_t d)
      : cipher_(cipher), b_(b), d_(d) {
    const size_t t = tweak.size();
    Block p{1,
            2,
            1,
            static_cast<uint8_t>(radix >> 16),
            static_cast<uint8_t>(radix >> 8),
            static_cast<uint8_t>(radix),
            10,
            static_cast<uint8_t>(u % 256),
            static_cast<uint8_t>(n >> 24),
            static_cast<uint8_t>(n >> 16),
            static_cast<uint8_t>(n >> 8),
            static_cast<uint8_t>(n),
            static_cast<uint8_t>(t >> 24),
            static_cast<uint8_t>(t >> 16),
            static_cast<uint8_t>(t >> 8),
            static_cast<uint8_t>(t)};
    ok_ = Cipher(p.data(), mac_p_.data());
    const size_t padding = (16 - ((t + b + 1) % 16)) % 16;
    q_.assign(t + padding + 1 + b, 0);
    std::memcpy(q_.data(), tweak.data(), t);
    round_at_ = t + padding;
    s_.resize(((d + 15) / 16) * 16);
  }

  bool ok() const { return ok_; }
  // Where the caller writes [NUM(fed half)]^b, big-endian, before Compute().
  uint8_t* number_slot() { return q_.data() + round_at_ + 1; }
  size_t b() const { return b_; }
  size_t d() const { return d_; }

  // Computes S for `round` into s() (first d bytes). False if AES fails.
  bool Compute(int round) {
    q_[round_at_] = static_cast<uint8_t>(round);
    Block r = mac_p_;
    for (size_t offset = 0; offset < q_.size(); offset += 16) {
      Block x;
      for (size_t byte_idx = 0; byte_idx < 16; ++byte_idx) x[byte_idx] = r[byte_idx] ^ q_[offset + byte_idx];
      if (!Cipher(x.data(), r.data())) return false;
    }
    std::memcpy(s_.data(), r.data(), 16);
    for (size_t block_idx = 1; block_idx * 16 < d_; ++block_idx) {
      Block x = r;
      for (size_t shift = 0; shift < 8; ++shift) x[15 - shift] ^= static_cast<uint8_t>(block_idx >> (8 * shift));
      if (!Cipher(x.data(), s_.data() + 16 * block_idx)) return false;
    }
    return true;
  }
  const uint8_t* s() const { return s_.data(); }

 private:
  bool Cipher(const uint8_t* in, uint8_t* out) {
    int length = 0;
    return EVP_EncryptUpdate(cipher_, out, &length, in, 16) == 1 && length == 16;
  }

  EVP_CIPHER_CTX* cipher_;
  size_t b_, d_;
  size_t round_at_ = 0;
  bool ok_ = false;
  Block mac_p_{};
  std::vector<uint8_t> q_;
  std::vector<uint8_t> s_;
};

// bytes needed for radix^v - 1, i.e. ceil(ceil(v * log2(radix)) / 8), from the 64-bit modulus radix^v.
size_t BytesFor(uint64_t modulus_v) {
  uint64_t limit = modulus_v - 1;
  size_t bytes = 0;
  while (limit != 0) {
    ++bytes;
    limit >>= 8;
  }
  return bytes;
}

// FF1 with the halves held as 64-bit integers: valid whenever radix^v fits in 64 bits (card numbers, most national
// ids, short alphanumerics). NUM(STR(c)) == c, so the halves never need converting back to numerals until the end.
Result<std::vector<uint16_t>> RunNative(EVP_CIPHER_CTX* cipher, std::span<const uint16_t> numerals, uint32_t radix,
                                        std::string_view tweak, bool encrypt, uint64_t modulus_v) {
  const size_t n = numerals.size();
  const size_t u = n / 2;
  const size_t v = n - u;
  const uint64_t modulus_u = *Power64(radix, u);
  const size_t b = BytesFor(modulus_v);
  RoundFunction prf(cipher, radix, n, u, tweak, b, 4 * ((b + 3) / 4) + 4);
  if (!prf.ok()) return Status::Internal("AES failed in FF1.");
  uint64_t a = Num64(numerals.first(u), radix);
  uint64_t bb = Num64(numerals.subspan(u), radix);
  for (int step = 0; step < 10; ++step) {
    const int round = encrypt ? step : 9 - step;
    uint64_t fed = encrypt ? bb : a;
    uint8_t* slot = prf.number_slot();
    for (size_t byte_idx = b; byte_idx-- > 0;) {
      slot[byte_idx] = static_cast<uint8_t>(fed);
      fed >>= 8;
    }
    if (!prf.Compute(round)) return Status::Internal("AES failed in FF1.");
    const uint64_t modulus = (round % 2 == 0) ? modulus_u : modulus_v;
    Uint128 y = 0;  // NUM(S) mod radix^m, folded byte by byte
    for (size_t byte_idx = 0; byte_idx < prf.d(); ++byte_idx) y = ((y << 8) | prf.s()[byte_idx]) % modulus;
    if (encrypt) {
      uint64_t c = static_cast<uint64_t>((static_cast<Uint128>(a) + y) % modulus);
      a = bb;
      bb = c;
    } else {
      uint64_t c = static_cast<uint64_t>((static_cast<Uint128>(bb) + modulus - y) % modulus);
      bb = a;
      a = c;
    }
  }
  std::vector<uint16_t> result(n);
  Str64(a, radix, result.data(), u);
  Str64(bb, radix, result.data() + u, v);
  return result;
}

// FF1 with the halves as OpenSSL BIGNUMs, for any length.
Result<std::vector<uint16_t>> RunBig(EVP_CIPHER_CTX* cipher, std::span<const uint16_t> numerals, uint32_t radix,
                                     std::string_view tweak, bool encrypt) {
  const size_t n = numerals.size();
  const size_t u = n / 2;
  const size_t v = n - u;
  BnContext bn_ctx;
  BigNum modulus_u, modulus_v, b_limit, number, y, c;
  if (bn_ctx.ctx == nullptr || !Power(modulus_u.bn, radix, u) || !Power(modulus_v.bn, radix, v) ||
      BN_copy(b_limit.bn, modulus_v.bn) == nullptr || BN_sub_word(b_limit.bn, 1) != 1) {
    return Status::Internal("FF1 arithmetic failed.");
  }
  const size_t b = static_cast<size_t>(BN_num_bytes(b_limit.bn));
  RoundFunction prf(cipher, radix, n, u, tweak, b, 4 * ((b + 3) / 4) + 4);
  if (!prf.ok()) return Status::Internal("AES failed in FF1.");
  std::vector<uint16_t> a(numerals.begin(), numerals.begin() + static_cast<std::ptrdiff_t>(u));
  std::vector<uint16_t> bb(numerals.begin() + static_cast<std::ptrdiff_t>(u), numerals.end());
  for (int step = 0; step < 10; ++step) {
    const int round = encrypt ? step : 9 - step;
    if (!NumRadix(number.bn, encrypt ? bb : a, radix) ||
        BN_bn2binpad(number.bn, prf.number_slot(), static_cast<int>(b)) < 0 || !prf.Compute(round) ||
        BN_bin2bn(prf.s(), static_cast<int>(prf.d()), y.bn) == nullptr) {
      return Status::Internal("FF1 round failed.");
    }
    const size_t m = (round % 2 == 0) ? u : v;
    const BIGNUM* modulus = (round % 2 == 0) ? modulus_u.bn : modulus_v.bn;
    std::vector<uint16_t> result(m);
    // Encrypt: c = (NUM(A) + y) mod radix^m; A = B; B = C.  Decrypt: c = (NUM(B) - y) mod radix^m; B = A; A = C.
    bool computed = encrypt
                        ? NumRadix(number.bn, a, radix) && BN_mod_add(c.bn, number.bn, y.bn, modulus, bn_ctx.ctx) == 1
                        : NumRadix(number.bn, bb, radix) && BN_mod_sub(c.bn, number.bn, y.bn, modulus, bn_ctx.ctx) == 1;
    if (!computed || !StrRadix(c.bn, radix, result)) return Status::Internal("FF1 arithmetic failed.");
    if (encrypt) {
      a = std::move(bb);
      bb = std::move(result);
    } else {
      bb = std::move(a);
      a = std::move(result);
    }
  }
  a.insert(a.end(), bb.begin(), bb.end());
  return a;
}

}  // namespace

Result<std::vector<uint16_t>> Ff1::Run(std::span<const uint16_t> numerals, std::string_view tweak, bool encrypt) const {
  const size_t n = numerals.size();
  for (size_t position = 0; position < n; ++position) {
    if (numerals[position] >= radix_) {
      return Status::InvalidArgument("FF1 input has a numeral out of range at position " +
                                     std::to_string(position + 1) + " for radix " + std::to_string(radix_) + ".");
    }
  }
  if (n < 2 || n > (size_t{1} << 31)) {
    return Status::InvalidArgument("FF1 needs an input of at least 2 numerals; this one has " + std::to_string(n) +
                                   ".");
  }
  // SP 800-38G Rev. 1: the domain radix^n must hold at least one million values.
  double domain = 1;
  for (size_t step = 0; step < n && domain < 1e6; ++step) domain *= radix_;
  if (domain < 1e6) {
    return Status::InvalidArgument("FF1 input is too short to encrypt safely: " + std::to_string(n) +
                                   " numerals in radix " + std::to_string(radix_) +
                                   " give fewer than 1,000,000 values; leave such values to another operator.");
  }
  EVP_CIPHER_CTX* cipher = ThreadContextFor(impl_->prototype.ctx, impl_->id);
  if (cipher == nullptr) return Status::Internal("OpenSSL could not allocate FF1 state.");
  if (std::optional<uint64_t> modulus_v = Power64(radix_, n - n / 2)) {
    return RunNative(cipher, numerals, radix_, tweak, encrypt, *modulus_v);
  }
  return RunBig(cipher, numerals, radix_, tweak, encrypt);
}

Result<Alphabet> Alphabet::Create(std::string_view characters) {
  if (characters.size() < 2) {
    return Status::InvalidArgument("an alphabet needs at least 2 characters; this one has " +
                                   std::to_string(characters.size()) + ".");
  }
  Alphabet alphabet;
  alphabet.characters_ = std::string(characters);
  std::fill(std::begin(alphabet.index_), std::end(alphabet.index_), -1);
  for (size_t position = 0; position < characters.size(); ++position) {
    int& slot = alphabet.index_[static_cast<uint8_t>(characters[position])];
    if (slot >= 0) {
      return Status::InvalidArgument("alphabet \"" + std::string(characters) + "\" repeats the character at position " +
                                     std::to_string(position + 1) + "; every character must be distinct.");
    }
    slot = static_cast<int>(position);
  }
  return alphabet;
}

Result<std::vector<uint16_t>> Alphabet::ToNumerals(std::string_view text) const {
  std::vector<uint16_t> numerals(text.size());
  for (size_t position = 0; position < text.size(); ++position) {
    int numeral = index_[static_cast<uint8_t>(text[position])];
    if (numeral < 0) {
      return Status::InvalidArgument("the value has a character outside the alphabet at position " +
                                     std::to_string(position + 1) + ".");
    }
    numerals[position] = static_cast<uint16_t>(numeral);
  }
  return numerals;
}

std::string Alphabet::ToText(std::span<const uint16_t> numerals) const {
  std::string text(numerals.size(), '\0');
  for (size_t position = 0; position < numerals.size(); ++position) text[position] = characters_[numerals[position]];
  return text;
}

namespace {

Result<std::string> TextRun(const Ff1& ff1, const Alphabet& alphabet, std::string_view text, std::string_view tweak,
                            bool encrypt) {
  if (alphabet.radix() != ff1.radix()) {
    return Status::InvalidArgument("the alphabet has " + std::to_string(alphabet.radix()) +
                                   " characters but the FF1 cipher was made for radix " + std::to_string(ff1.radix()) +
                                   ".");
  }
  TUTELA_ASSIGN_OR_RETURN(std::vector<uint16_t> numerals, alphabet.ToNumerals(text));
  TUTELA_ASSIGN_OR_RETURN(std::vector<uint16_t> result,
                          encrypt ? ff1.Encrypt(numerals, tweak) : ff1.Decrypt(numerals, tweak));
  return alphabet.ToText(result);
}

}  // namespace

Result<std::string> Ff1EncryptText(const Ff1& ff1, const Alphabet& alphabet, std::string_view text,
                                   std::string_view tweak) {
  return TextRun(ff1, alphabet, text, tweak, /*encrypt=*/true);
}

Result<std::string> Ff1DecryptText(const Ff1& ff1, const Alphabet& alphabet, std::string_view text,
                                   std::string_view tweak) {
  return TextRun(ff1, alphabet, text, tweak, /*encrypt=*/false);
}

}  // namespace tutela::pii
