// Helpers for Tutela's tests: temporary folders, files, and running the real `tutela` binary.
//
// Tests use real parts (files, processes, sockets) rather than mocks; these helpers keep that short.
// Thread-safety: none needed; each test owns its TempDir.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace tutela::testing {

// A fresh folder under $TMPDIR, removed with everything in it when destroyed.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(std::string_view relative) const { return path_ / relative; }

 private:
  std::filesystem::path path_;
};

// Writes `content` to `path`, creating parent folders. Aborts the test binary on failure (a test bug).
void WriteFile(const std::filesystem::path& path, std::string_view content);
// Reads a whole file; aborts on failure.
std::string ReadFile(const std::filesystem::path& path);

struct ProcessResult {
  int exit_code = -1;  // the exit status, or 128+signal when killed by a signal
  std::string out;
  std::string err;
};

// Runs `argv[0]` (searched in PATH when it has no '/') with `argv`, feeding `input` on stdin, in `working_dir`
// (unchanged when empty), with `extra_env` ("NAME=value") added to the environment.
ProcessResult RunProcess(const std::vector<std::string>& argv, std::string_view input = {},
                         const std::filesystem::path& working_dir = {}, const std::vector<std::string>& extra_env = {});

// The built `tutela` binary (set by CMake as TUTELA_BINARY_PATH).
std::filesystem::path TutelaBinary();
// The source tree's root (TUTELA_SOURCE_DIR), for catalog/ and examples/ data.
std::filesystem::path SourceDir();

// RunProcess with TutelaBinary() as argv[0].
ProcessResult RunTutela(const std::vector<std::string>& args, std::string_view input = {},
                        const std::filesystem::path& working_dir = {}, const std::vector<std::string>& extra_env = {});

}  // namespace tutela::testing
