// Core primitives: SHA-256 and HMAC-SHA256 throughput (evidence manifests, vault digests, PII fingerprints) and
// glob matching (file walks). Google Benchmark; run through bench/core/run, which adds the sha256sum baseline.
#include <benchmark/benchmark.h>

#include <string>

#include "tutela/core/crypto.h"
#include "tutela/core/file_walker.h"

namespace {

void BM_Sha256(benchmark::State& state) {
  std::string data(static_cast<size_t>(state.range(0)), 'x');
  for (auto _ : state) benchmark::DoNotOptimize(tutela::Sha256(data));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_Sha256)->Arg(4 << 10)->Arg(16 << 20);

// A PII fingerprint: HMAC of a short value under a 32-byte key.
void BM_HmacSha256Fingerprint(benchmark::State& state) {
  std::string key(32, 'k');
  std::string value = "4111111111111111";
  for (auto _ : state) benchmark::DoNotOptimize(tutela::HmacSha256(key, value));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_HmacSha256Fingerprint);

// The same fingerprint with the key's pad states precomputed (what scanners should use).
void BM_HmacSha256KeyFingerprint(benchmark::State& state) {
  tutela::HmacSha256Key key(std::string(32, 'k'));
  std::string value = "4111111111111111";
  for (auto _ : state) benchmark::DoNotOptimize(key.Compute(value));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_HmacSha256KeyFingerprint);

void BM_GlobMatch(benchmark::State& state) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(tutela::GlobMatch("data/**/*.csv", "data/2026/11/customers/export-0001.csv"));
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_GlobMatch);

}  // namespace

BENCHMARK_MAIN();
