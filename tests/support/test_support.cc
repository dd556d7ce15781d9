#include "test_support.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>

extern char** environ;

namespace tutela::testing {
namespace {

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "test support: %s\n", message.c_str());
  std::abort();
}

}  // namespace

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "tutela-test-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) Die("mkdtemp failed: " + std::string(std::strerror(errno)));
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  // Tests may leave read-only files or folders behind; make them writable so removal succeeds.
  for (auto it = std::filesystem::recursive_directory_iterator(path_, ignored);
       it != std::filesystem::recursive_directory_iterator(); it.increment(ignored)) {
    std::filesystem::permissions(it->path(), std::filesystem::perms::owner_all, std::filesystem::perm_options::add,
                                 ignored);
  }
  std::filesystem::remove_all(path_, ignored);
}

void WriteFile(const std::filesystem::path& path, std::string_view content) {
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  if (!out) Die("cannot write " + path.string());
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) Die("cannot read " + path.string());
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

ProcessResult RunProcess(const std::vector<std::string>& argv, std::string_view input,
                         const std::filesystem::path& working_dir, const std::vector<std::string>& extra_env) {
  int in_pipe[2], out_pipe[2], err_pipe[2];
  if (::pipe2(in_pipe, O_CLOEXEC) != 0 || ::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0) {
    Die("pipe failed");
  }
  pid_t pid = ::fork();
  if (pid < 0) Die("fork failed");
  if (pid == 0) {
    ::dup2(in_pipe[0], STDIN_FILENO);
    ::dup2(out_pipe[1], STDOUT_FILENO);
    ::dup2(err_pipe[1], STDERR_FILENO);
    if (!working_dir.empty() && ::chdir(working_dir.c_str()) != 0) _exit(126);
    for (const std::string& assignment : extra_env) ::putenv(const_cast<char*>(assignment.c_str()));
    std::vector<char*> args;
    for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    _exit(127);
  }
  ::close(in_pipe[0]);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  ProcessResult result;
  size_t fed = 0;
  int stdin_fd = in_pipe[1];
  if (input.empty()) {
    ::close(stdin_fd);
    stdin_fd = -1;
  }
  bool out_open = true, err_open = true;
  char buffer[1 << 16];
  while (out_open || err_open) {
    struct pollfd fds[3];
    int count = 0;
    int out_idx = -1, err_idx = -1, in_idx = -1;
    if (out_open) {
      fds[count] = {out_pipe[0], POLLIN, 0};
      out_idx = count++;
    }
    if (err_open) {
      fds[count] = {err_pipe[0], POLLIN, 0};
      err_idx = count++;
    }
    if (stdin_fd >= 0) {
      fds[count] = {stdin_fd, POLLOUT, 0};
      in_idx = count++;
    }
    if (::poll(fds, static_cast<nfds_t>(count), -1) < 0) {
      if (errno == EINTR) continue;
      Die("poll failed");
    }
    auto drain = [&](int idx, int fd, std::string* sink, bool* open) {
      if (idx < 0 || fds[idx].revents == 0) return;
      ssize_t got = ::read(fd, buffer, sizeof buffer);
      if (got <= 0)
        *open = false;
      else
        sink->append(buffer, static_cast<size_t>(got));
    };
    drain(out_idx, out_pipe[0], &result.out, &out_open);
    drain(err_idx, err_pipe[0], &result.err, &err_open);
    if (in_idx >= 0 && fds[in_idx].revents != 0) {
      ::signal(SIGPIPE, SIG_IGN);
      ssize_t wrote = ::write(stdin_fd, input.data() + fed, input.size() - fed);
      if (wrote > 0) fed += static_cast<size_t>(wrote);
      if (wrote < 0 || fed == input.size()) {
        ::close(stdin_fd);
        stdin_fd = -1;
      }
    }
  }
  if (stdin_fd >= 0) ::close(stdin_fd);
  ::close(out_pipe[0]);
  ::close(err_pipe[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

std::filesystem::path TutelaBinary() {
  if (const char* overridden = std::getenv("TUTELA_BINARY"); overridden != nullptr) return overridden;
  return TUTELA_BINARY_PATH;
}

std::filesystem::path SourceDir() { return TUTELA_SOURCE_DIR; }

ProcessResult RunTutela(const std::vector<std::string>& args, std::string_view input,
                        const std::filesystem::path& working_dir, const std::vector<std::string>& extra_env) {
  std::vector<std::string> argv{TutelaBinary().string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunProcess(argv, input, working_dir, extra_env);
}

int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t size = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
  int port = ntohs(address.sin_port);
  ::close(fd);
  return port;
}

std::unique_ptr<PostgresServer> PostgresServer::Start(std::string* why, bool* skip) {
  *skip = false;
  std::unique_ptr<PostgresServer> server(new PostgresServer());
  for (const char* candidate : {"/usr/lib/postgresql/15/bin", "/usr/local/bin", "/usr/bin"}) {
    if (std::filesystem::exists(std::string(candidate) + "/initdb") &&
        std::filesystem::exists(std::string(candidate) + "/pg_ctl")) {
      server->bin_ = candidate;
      break;
    }
  }
  if (server->bin_.empty()) {
    *skip = true;
    *why = "initdb/pg_ctl not found: install Debian `postgresql` (scripts/install-deps)";
    return nullptr;
  }
  if (::geteuid() == 0) {
    if (RunProcess({"id", "postgres"}).exit_code != 0) {
      *skip = true;
      *why = "running as root and no `postgres` user";
      return nullptr;
    }
    std::string pattern = "/var/tmp/tutela-pg-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) {
      *why = "mkdtemp under /var/tmp failed";
      return nullptr;
    }
    server->dir_ = pattern;
    server->remove_dir_ = true;
    server->as_user_ = {"runuser", "-u", "postgres", "--"};
  } else {
    server->scratch_ = std::make_unique<TempDir>();
    server->dir_ = server->scratch_->path();
  }
  server->socket_dir_ = server->dir_ / "sock";
  std::filesystem::create_directories(server->dir_ / "data");
  std::filesystem::create_directories(server->socket_dir_);
  if (server->remove_dir_) RunProcess({"chown", "-R", "postgres", server->dir_.string()});
  auto as = [&](std::vector<std::string> argv) {
    argv.insert(argv.begin(), server->as_user_.begin(), server->as_user_.end());
    return RunProcess(argv);
  };
  auto init = as(
      {server->bin_ + "/initdb", "-D", (server->dir_ / "data").string(), "-A", "trust", "-U", "tutela", "-E", "UTF8"});
  if (init.exit_code != 0) {
    *why = "initdb failed: " + init.err;
    return nullptr;
  }
  server->port_ = std::to_string(FreePort());
  auto start =
      as({server->bin_ + "/pg_ctl", "-D", (server->dir_ / "data").string(), "-l", (server->dir_ / "log").string(), "-w",
          "-o", "-p " + server->port_ + " -k " + server->socket_dir_.string() + " -c listen_addresses=''", "start"});
  if (start.exit_code != 0) {
    *why = "pg_ctl start failed: " + start.err + start.out;
    return nullptr;
  }
  server->started_ = true;
  return server;
}

PostgresServer::~PostgresServer() {
  if (started_) {
    std::vector<std::string> argv = as_user_;
    for (const std::string& arg : {bin_ + "/pg_ctl", std::string("-D"), (dir_ / "data").string(), std::string("-m"),
                                   std::string("immediate"), std::string("stop")}) {
      argv.push_back(arg);
    }
    RunProcess(argv);
  }
  if (remove_dir_) {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
}

std::string PostgresServer::Uri(std::string_view user, std::string_view database, std::string_view password) const {
  std::string credentials(user);
  if (!password.empty()) credentials += ":" + std::string(password);
  return "postgresql://" + credentials + "@/" + std::string(database) + "?host=" + socket_dir_.string() +
         "&port=" + port_;
}

ProcessResult PostgresServer::Psql(std::string_view sql, std::string_view database) const {
  std::string psql = std::filesystem::exists(bin_ + "/psql") ? bin_ + "/psql" : "psql";
  return RunProcess({psql, "-h", socket_dir_.string(), "-p", port_, "-U", "tutela", "-d", std::string(database), "-v",
                     "ON_ERROR_STOP=1", "-q", "-c", std::string(sql)});
}

}  // namespace tutela::testing
