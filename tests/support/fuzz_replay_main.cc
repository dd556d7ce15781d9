// Replays fuzz corpora through a libFuzzer target in builds without libFuzzer (g++, the default build), so every
// corpus input — seeds and the crashers that became regression cases — runs in `make test` under the `fuzz` label.
// Usage: fuzz_target FILE_OR_DIR...   Exit 0 when every input ran; a crash aborts like the fuzzer would.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int main(int argc, char** argv) {
  size_t ran = 0;
  for (int arg_idx = 1; arg_idx < argc; ++arg_idx) {
    std::vector<std::filesystem::path> inputs;
    std::filesystem::path root = argv[arg_idx];
    if (std::filesystem::is_directory(root)) {
      for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
        if (entry.is_regular_file()) inputs.push_back(entry.path());
      }
    } else {
      inputs.push_back(root);
    }
    for (const std::filesystem::path& input : inputs) {
      std::ifstream in(input, std::ios::binary);
      std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(data.data()), data.size());
      ++ran;
    }
  }
  std::printf("replayed %zu input(s)\n", ran);
  return ran == 0 ? 1 : 0;
}
