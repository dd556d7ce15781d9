// Raw Vectorscan throughput of the PII catalog's pattern set, with and without HS_FLAG_SOM_LEFTMOST, and of each
// pattern alone (slowest first): where the engine's time goes before validation. Usage:
//   pii_hs_patterns PATTERNS_FILE CORPUS_FILE     (PATTERNS_FILE: one Vectorscan pattern per line)
#include <hs/hs.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

int CountMatch(unsigned, unsigned long long, unsigned long long, unsigned, void* context) {
  ++*static_cast<long*>(context);
  return 0;
}

// MB/s of scanning `data` in 1 MiB blocks with `patterns` compiled with `flags`; -1 if they do not compile.
double Throughput(const std::vector<std::string>& patterns, unsigned flags, const std::string& data, long* matches) {
  std::vector<const char*> expressions;
  std::vector<unsigned> all_flags, ids;
  for (size_t index = 0; index < patterns.size(); ++index) {
    expressions.push_back(patterns[index].c_str());
    all_flags.push_back(flags);
    ids.push_back(static_cast<unsigned>(index));
  }
  hs_database_t* database = nullptr;
  hs_compile_error_t* error = nullptr;
  if (hs_compile_multi(expressions.data(), all_flags.data(), ids.data(), static_cast<unsigned>(expressions.size()),
                       HS_MODE_BLOCK, nullptr, &database, &error) != HS_SUCCESS) {
    hs_free_compile_error(error);
    return -1;
  }
  hs_scratch_t* scratch = nullptr;
  hs_alloc_scratch(database, &scratch);
  *matches = 0;
  auto start = std::chrono::steady_clock::now();
  for (size_t offset = 0; offset < data.size(); offset += 1 << 20) {
    hs_scan(database, data.data() + offset, static_cast<unsigned>(std::min<size_t>(1 << 20, data.size() - offset)), 0,
            scratch, CountMatch, matches);
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  hs_free_scratch(scratch);
  hs_free_database(database);
  return static_cast<double>(data.size()) / 1048576.0 / seconds;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: pii_hs_patterns PATTERNS_FILE CORPUS_FILE\n");
    return 2;
  }
  std::vector<std::string> patterns;
  std::ifstream pattern_file(argv[1]);
  for (std::string line; std::getline(pattern_file, line);) {
    if (!line.empty()) patterns.push_back(line);
  }
  std::ifstream corpus_file(argv[2], std::ios::binary);
  std::stringstream buffer;
  buffer << corpus_file.rdbuf();
  const std::string data = buffer.str();
  long matches = 0;
  double plain = Throughput(patterns, 0, data, &matches);
  std::printf("all %zu patterns, no SOM:  %6.0f MB/s (%ld matches)\n", patterns.size(), plain, matches);
  double som = Throughput(patterns, HS_FLAG_SOM_LEFTMOST, data, &matches);
  std::printf("all %zu patterns, SOM:     %6.0f MB/s (%ld matches)\n", patterns.size(), som, matches);
  std::vector<std::pair<double, std::string>> single;
  for (const std::string& pattern : patterns) single.emplace_back(Throughput({pattern}, 0, data, &matches), pattern);
  std::sort(single.begin(), single.end());
  std::printf("slowest single patterns (no SOM):\n");
  for (size_t index = 0; index < std::min<size_t>(8, single.size()); ++index) {
    std::printf("  %6.0f MB/s  %.70s\n", single[index].first, single[index].second.c_str());
  }
  return 0;
}
