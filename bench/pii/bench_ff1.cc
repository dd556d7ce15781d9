// FF1 tokenization throughput (target: >= 500k tokens/s per core) beside two baselines measured in the same run:
// one HMAC-SHA256 of the value (what a keyed hash operator costs) and one AES block (the cipher's floor).
#include <benchmark/benchmark.h>
#include <openssl/evp.h>

#include <string>

#include "tutela/core/crypto.h"
#include "tutela/pii/ff1.h"
#include "tutela/pii/keyring.h"
#include "tutela/pii/tokenizer.h"
#include "tutela/pii/validators.h"

namespace {

const std::string kKey(32, '\x42');

void BM_Ff1Card16(benchmark::State& state) {
  auto ff1 = tutela::pii::Ff1::Create(kKey, 10);
  auto digits = tutela::pii::Alphabet::Create("0123456789");
  std::string card = "4111111111111111";
  for (auto _ : state) {
    auto token = tutela::pii::Ff1EncryptText(*ff1, *digits, card, "CREDIT_CARD");
    benchmark::DoNotOptimize(token);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_Ff1Card16);

void BM_Ff1Email24Base36(benchmark::State& state) {
  auto ff1 = tutela::pii::Ff1::Create(kKey, 36);
  auto alphabet = tutela::pii::Alphabet::Create("0123456789abcdefghijklmnopqrstuvwxyz");
  std::string local_part = "customerservice2026team1";
  for (auto _ : state) {
    auto token = tutela::pii::Ff1EncryptText(*ff1, *alphabet, local_part, "EMAIL_ADDRESS");
    benchmark::DoNotOptimize(token);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_Ff1Email24Base36);

// The whole tokenize operator: classes, FF1, the check digit forced invalid, and the restore every token gets before
// it is written.
void BM_TokenizeCardWithCheckDigit(benchmark::State& state) {
  auto keyring = tutela::pii::Keyring::Generate();
  auto tokenizer = tutela::pii::Tokenizer::Create(*keyring);
  tutela::pii::TokenEntity card{"CREDIT_CARD", tutela::pii::FindValidator("credit_card"), true};
  for (auto _ : state) {
    auto token = (*tokenizer)->Tokenize("4983 6900 6026 7730", card, {});
    benchmark::DoNotOptimize(token);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_TokenizeCardWithCheckDigit);

void BM_TokenizeEmail(benchmark::State& state) {
  auto keyring = tutela::pii::Keyring::Generate();
  auto tokenizer = tutela::pii::Tokenizer::Create(*keyring);
  tutela::pii::TokenEntity email{"EMAIL_ADDRESS", tutela::pii::FindValidator("email"), false};
  for (auto _ : state) {
    auto token = (*tokenizer)->Tokenize("li.wei2026@corp-mail.cn", email, {});
    benchmark::DoNotOptimize(token);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_TokenizeEmail);

void BM_BaselineHmacSha256(benchmark::State& state) {
  std::string card = "4111111111111111";
  for (auto _ : state) benchmark::DoNotOptimize(tutela::HmacSha256(kKey, card));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_BaselineHmacSha256);

void BM_BaselineAesBlock(benchmark::State& state) {
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  EVP_EncryptInit_ex(ctx, EVP_aes_256_ecb(), nullptr, reinterpret_cast<const unsigned char*>(kKey.data()), nullptr);
  EVP_CIPHER_CTX_set_padding(ctx, 0);
  unsigned char block[16] = {0};
  unsigned char out[16];
  int length = 0;
  for (auto _ : state) {
    EVP_EncryptUpdate(ctx, out, &length, block, 16);
    benchmark::DoNotOptimize(out);
  }
  EVP_CIPHER_CTX_free(ctx);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_BaselineAesBlock);

}  // namespace

BENCHMARK_MAIN();
