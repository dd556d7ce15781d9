// Ledger throughput: durable appends (fdatasync each), group-committed appends (one sync per batch of 256), appends
// without sync (the in-memory + page-cache ceiling), and inclusion-proof generation. The baseline is a plain
// write() of the same bytes with no hashing, in the same process.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "tutela/ledger/log.h"

namespace {

using tutela::ledger::Log;
using tutela::ledger::LogOptions;
using tutela::ledger::SyncPolicy;

std::filesystem::path FreshPath(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("tutela-ledger-bench-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto path = dir / name;
  std::filesystem::remove(path);
  return path;
}

// A typical vault mutation record (~200 bytes of JSON).
const std::string kEntry =
    R"({"v":1,"seq":123456,"time":"2026-11-22T07:00:00.000000Z","user":"alice","op":"put","bucket":"records",)"
    R"("key":"2026/11/22/trade-000123.pdf","version":"0000000000123456","sha256":"9f86d081884c7d659a2feaa0c55ad015"})";

void BM_AppendNoSync(benchmark::State& state) {
  auto log = std::move(*Log::Open(FreshPath("nosync.log"), LogOptions{.sync = SyncPolicy::kManual}));
  for (auto _ : state) benchmark::DoNotOptimize(log->Append(kEntry));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AppendNoSync);

void BM_AppendGroupCommit256(benchmark::State& state) {
  auto log = std::move(*Log::Open(FreshPath("group.log"), LogOptions{.sync = SyncPolicy::kEveryAppend}));
  std::vector<std::string> batch(256, kEntry);
  for (auto _ : state) benchmark::DoNotOptimize(log->AppendBatch(batch));
  state.SetItemsProcessed(state.iterations() * 256);
}
BENCHMARK(BM_AppendGroupCommit256);

void BM_AppendSyncEach(benchmark::State& state) {
  auto log = std::move(*Log::Open(FreshPath("sync.log"), LogOptions{.sync = SyncPolicy::kEveryAppend}));
  for (auto _ : state) benchmark::DoNotOptimize(log->Append(kEntry));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AppendSyncEach)->MinTime(1.0);

void BM_BaselinePlainWrite(benchmark::State& state) {
  auto path = FreshPath("plain.bin");
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
  for (auto _ : state) benchmark::DoNotOptimize(::write(fd, kEntry.data(), kEntry.size()));
  ::close(fd);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_BaselinePlainWrite);

void BM_InclusionProof(benchmark::State& state) {
  auto log = std::move(*Log::Open(FreshPath("proof.log"), LogOptions{.sync = SyncPolicy::kManual}));
  std::vector<std::string> batch(1024, kEntry);
  for (int batch_idx = 0; batch_idx < state.range(0) / 1024; ++batch_idx) (void)log->AppendBatch(batch);
  uint64_t size = log->size();
  uint64_t index = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(log->ProveInclusion(index, size));
    index = (index + 7919) % size;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_InclusionProof)->Arg(1 << 16);

}  // namespace

BENCHMARK_MAIN();
