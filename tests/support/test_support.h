// Helpers for Tutela's tests: temporary folders, files, and running the real `tutela` binary.
//
// Tests use real parts (files, processes, sockets) rather than mocks; these helpers keep that short.
// Thread-safety: none needed; each test owns its TempDir.
#pragma once

#include <filesystem>
#include <memory>
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

// A TCP port on the loopback interface that was free a moment ago (bound, then released).
int FreePort();

// A real PostgreSQL server (Debian `postgresql`) in a temporary folder, listening only on a Unix socket, with a
// superuser `tutela` and trust authentication; stopped and removed when destroyed. As root the server runs as the
// `postgres` user, in a folder under /var/tmp (which that user can reach).
class PostgresServer {
 public:
  // nullptr when it cannot start; `why` says why and `skip` is true when PostgreSQL is simply not installed here.
  static std::unique_ptr<PostgresServer> Start(std::string* why, bool* skip);
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  // A libpq URI: postgresql://USER:PASSWORD@/DATABASE?host=SOCKET&port=PORT (the password is ignored: trust).
  std::string Uri(std::string_view user = "tutela", std::string_view database = "postgres",
                  std::string_view password = "") const;
  const std::filesystem::path& socket_dir() const { return socket_dir_; }
  const std::string& port() const { return port_; }
  // Runs SQL through psql as the superuser (ON_ERROR_STOP).
  ProcessResult Psql(std::string_view sql, std::string_view database = "postgres") const;

 private:
  PostgresServer() = default;
  std::string bin_;
  std::filesystem::path dir_;
  std::filesystem::path socket_dir_;
  std::string port_;
  std::vector<std::string> as_user_;
  std::unique_ptr<TempDir> scratch_;
  bool remove_dir_ = false;
  bool started_ = false;
};

}  // namespace tutela::testing
