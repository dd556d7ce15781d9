// Vault throughput over loopback: 4 KiB PUT and GET ops/s at concurrency 1, 8 and 32, and large-object (32 MiB)
// MB/s, with a client that signs every request with SigV4 (keep-alive connections). 4 KiB versions are stored in
// segments (docs/formats/vault-store.md), the 32 MiB one as a blob file. The baseline, in the same run:
// the same writes as local files (write, fsync, rename — what the vault does before its metadata commit) and a
// local file copy of the large object.
#include <fcntl.h>
#include <httplib.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "tutela/vault/s3_server.h"
#include "tutela/vault/sigv4.h"
#include "tutela/vault/store.h"

namespace {

using namespace tutela;
using Clock = std::chrono::steady_clock;
const vault::Credentials kUser{"bench", "AKBENCH", "bench-secret", false};

httplib::Headers Signed(const std::string& method, const std::string& path, const std::string& body, int port) {
  vault::SigV4Request request;
  request.method = method;
  request.path = path;
  request.body = body;
  request.headers.emplace("host", "127.0.0.1:" + std::to_string(port));
  vault::SignRequest(request, kUser, "us-east-1", NowUtc());
  httplib::Headers headers;
  for (const auto& [name, value] : request.headers) {
    if (name != "host") headers.emplace(name, value);
  }
  return headers;
}

// Runs `op(thread, i)` on `threads` threads for `seconds`; returns ops/s.
template <typename Op>
double Measure(int threads, double seconds, Op op) {
  std::atomic<uint64_t> done{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> workers;
  auto start = Clock::now();
  for (int thread_idx = 0; thread_idx < threads; ++thread_idx) {
    workers.emplace_back([&, thread_idx] {
      for (uint64_t op_idx = 0; !stop.load(); ++op_idx) {
        if (!op(thread_idx, op_idx)) return;
        done.fetch_add(1);
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (std::thread& worker : workers) worker.join();
  return done.load() / std::chrono::duration<double>(Clock::now() - start).count();
}

bool FileWrite(const std::filesystem::path& dir, const std::string& name, const std::string& data) {
  auto tmp = dir / (name + ".tmp");
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return false;
  bool ok = ::write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size()) && ::fsync(fd) == 0;
  ::close(fd);
  return ok && ::rename(tmp.c_str(), (dir / name).c_str()) == 0;
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = argc > 1 ? std::atof(argv[1]) : 3.0;
  auto root = std::filesystem::temp_directory_path() / ("tutela-vault-bench-" + std::to_string(::getpid()));
  std::filesystem::create_directories(root / "baseline");
  auto store = vault::Store::Open(root / "data");
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
    return 2;
  }
  (void)(*store)->CreateBucket({"bench"}, "bench", false);
  vault::ServerOptions options;
  options.port = 0;
  options.users = {kUser};
  vault::S3Server server(**store, options);
  if (!server.Bind().ok()) return 2;
  std::thread serving([&] { (void)server.Run(); });
  int port = server.port();
  const std::string small(4096, 'x');
  {
    // One PUT before timing: a new store prepares its first segment (64 MiB written and synced) on its first small
    // PUT, a one-time cost that would otherwise land in the c=1 figure.
    httplib::Client warm("127.0.0.1", port);
    auto res =
        warm.Put("/bench/warm-up", Signed("PUT", "/bench/warm-up", small, port), small, "application/octet-stream");
    if (!res || res->status != 200) return 2;
  }

  std::printf("%-34s %12s %12s %12s\n", "4 KiB operations (ops/s)", "c=1", "c=8", "c=32");
  std::vector<double> put_rates, get_rates, file_rates;
  for (int concurrency : {1, 8, 32}) {
    std::vector<std::unique_ptr<httplib::Client>> clients;
    for (int client_idx = 0; client_idx < concurrency; ++client_idx) {
      clients.push_back(std::make_unique<httplib::Client>("127.0.0.1", port));
      clients.back()->set_keep_alive(true);
      clients.back()->set_tcp_nodelay(true);
    }
    put_rates.push_back(Measure(concurrency, seconds, [&](int thread_idx, uint64_t op_idx) {
      std::string path =
          "/bench/c" + std::to_string(concurrency) + "/" + std::to_string(thread_idx) + "-" + std::to_string(op_idx);
      auto res =
          clients[thread_idx]->Put(path.c_str(), Signed("PUT", path, small, port), small, "application/octet-stream");
      return res && res->status == 200;
    }));
    get_rates.push_back(Measure(concurrency, seconds, [&](int thread_idx, uint64_t) {
      std::string path = "/bench/c" + std::to_string(concurrency) + "/" + std::to_string(thread_idx) + "-0";
      auto res = clients[thread_idx]->Get(path.c_str(), Signed("GET", path, "", port));
      return res && res->status == 200 && res->body.size() == small.size();
    }));
    file_rates.push_back(Measure(concurrency, seconds, [&](int thread_idx, uint64_t op_idx) {
      return FileWrite(root / "baseline", std::to_string(thread_idx) + "-" + std::to_string(op_idx), small);
    }));
  }
  std::printf("%-34s %12.0f %12.0f %12.0f\n", "vault PUT (durable when answered)", put_rates[0], put_rates[1],
              put_rates[2]);
  std::printf("%-34s %12.0f %12.0f %12.0f\n", "vault GET", get_rates[0], get_rates[1], get_rates[2]);
  std::printf("%-34s %12.0f %12.0f %12.0f\n", "baseline file write+fsync+rename", file_rates[0], file_rates[1],
              file_rates[2]);

  const std::string large(32u << 20, 'L');
  httplib::Client client("127.0.0.1", port);
  client.set_tcp_nodelay(true);
  auto start = Clock::now();
  auto put = client.Put("/bench/large", Signed("PUT", "/bench/large", large, port), large, "application/octet-stream");
  double put_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  start = Clock::now();
  auto get = client.Get("/bench/large", Signed("GET", "/bench/large", "", port));
  double get_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  start = Clock::now();
  FileWrite(root / "baseline", "large", large);
  std::filesystem::copy_file(root / "baseline" / "large", root / "baseline" / "large-copy");
  int fd = ::open((root / "baseline" / "large-copy").c_str(), O_RDONLY);
  ::fsync(fd);
  ::close(fd);
  double copy_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  double mb = large.size() / 1e6;
  std::printf("\n32 MiB object (MB/s): vault PUT %.0f%s, vault GET %.0f%s, baseline write+copy %.0f\n",
              mb / put_seconds, put && put->status == 200 ? "" : " (failed)", mb / get_seconds,
              get && get->status == 200 ? "" : " (failed)", mb / copy_seconds);
  server.Stop();
  serving.join();
  store->reset();
  std::filesystem::remove_all(root);
  return 0;
}
