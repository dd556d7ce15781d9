// End to end: the real `tutela vault serve` on a free loopback port, driven by boto3 (every operation and Object Lock
// refusal, tests/vault/e2e_s3.py), awscli and s3cmd; graceful SIGTERM; `vault verify` naming a tampered blob;
// kill -9 during concurrent uploads with every acknowledged object intact afterwards.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include "test_support.h"

namespace tutela::vault {
namespace {

using tutela::testing::ReadFile;
using tutela::testing::RunProcess;
using tutela::testing::RunTutela;
using tutela::testing::TempDir;
using tutela::testing::WriteFile;

constexpr const char* kUsers = R"(users:
  - {name: alice, access_key: AKALICE, secret_key: alice-secret, bypass_governance: false}
  - {name: admin, access_key: AKADMIN, secret_key: admin-secret, bypass_governance: true}
)";

pid_t Spawn(const std::vector<std::string>& argv, const std::filesystem::path& log) {
  pid_t pid = fork();
  if (pid == 0) {
    FILE* out = std::fopen(log.c_str(), "w");
    if (out != nullptr) {
      dup2(fileno(out), 1);
      dup2(fileno(out), 2);
    }
    std::vector<char*> args;
    for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  return pid;
}

class VaultServer {
 public:
  VaultServer(const TempDir& dir, const std::string& name = "serve", const std::vector<std::string>& extra = {})
      : dir_(dir) {
    std::filesystem::remove(dir / "port");
    std::vector<std::string> argv = {tutela::testing::TutelaBinary().string(),
                                     "vault",
                                     "serve",
                                     "--data",
                                     (dir / "data").string(),
                                     "--users",
                                     (dir / "users.yaml").string(),
                                     "--listen",
                                     "127.0.0.1:0",
                                     "--port-file",
                                     (dir / "port").string()};
    argv.insert(argv.end(), extra.begin(), extra.end());
    pid_ = Spawn(argv, dir / (name + ".log"));
    for (int attempt = 0; attempt < 200 && !std::filesystem::exists(dir / "port"); ++attempt) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    port_ = std::filesystem::exists(dir / "port") ? std::stoi(ReadFile(dir / "port")) : 0;
  }
  ~VaultServer() {
    if (pid_ > 0) Stop(SIGKILL);
  }
  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  // Sends `signal` and returns the exit code (128+signal when killed).
  int Stop(int signal = SIGTERM) {
    kill(pid_, signal);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

 private:
  const TempDir& dir_;
  pid_t pid_ = -1;
  int port_ = 0;
};

std::string Script() { return (tutela::testing::SourceDir() / "tests/vault/e2e_s3.py").string(); }

TEST(VaultE2eTest, RealClientsTamperAndVerify) {
  TempDir dir;
  WriteFile(dir / "users.yaml", kUsers);
  VaultServer server(dir);
  ASSERT_GT(server.port(), 0) << ReadFile(dir / "serve.log");
  std::string port = std::to_string(server.port());

  auto boto = RunProcess({"/usr/bin/python3", Script(), port, "all"});
  EXPECT_EQ(boto.exit_code, 0) << boto.out << boto.err;

  std::vector<std::string> aws_env = {"AWS_ACCESS_KEY_ID=AKALICE", "AWS_SECRET_ACCESS_KEY=alice-secret",
                                      "AWS_DEFAULT_REGION=us-east-1", "AWS_CONFIG_FILE=/dev/null",
                                      "HOME=" + dir.path().string()};
  std::string endpoint = "http://127.0.0.1:" + port;
  WriteFile(dir / "report.txt", "quarterly report\n");
  auto mb = RunProcess({"aws", "--endpoint-url", endpoint, "s3api", "create-bucket", "--bucket", "reports",
                        "--object-lock-enabled-for-bucket"},
                       "", {}, aws_env);
  EXPECT_EQ(mb.exit_code, 0) << mb.err;
  auto cp = RunProcess(
      {"aws", "--endpoint-url", endpoint, "s3", "cp", (dir / "report.txt").string(), "s3://reports/q3/report.txt"}, "",
      {}, aws_env);
  EXPECT_EQ(cp.exit_code, 0) << cp.err;
  WriteFile(dir / "big.bin", std::string(9u << 20, 'b'));  // above awscli's 8 MB multipart threshold
  auto big =
      RunProcess({"aws", "--endpoint-url", endpoint, "s3", "cp", (dir / "big.bin").string(), "s3://reports/q3/big.bin"},
                 "", {}, aws_env);
  EXPECT_EQ(big.exit_code, 0) << big.err;
  auto back = RunProcess(
      {"aws", "--endpoint-url", endpoint, "s3", "cp", "s3://reports/q3/big.bin", (dir / "big-back.bin").string()}, "",
      {}, aws_env);
  EXPECT_EQ(back.exit_code, 0) << back.err;
  EXPECT_EQ(std::filesystem::file_size(dir / "big-back.bin"), 9u << 20);
  auto ls = RunProcess({"aws", "--endpoint-url", endpoint, "s3", "ls", "s3://reports/q3/"}, "", {}, aws_env);
  EXPECT_NE(ls.out.find("report.txt"), std::string::npos) << ls.out << ls.err;
  auto denied = RunProcess({"aws", "--endpoint-url", endpoint, "s3api", "put-object-legal-hold", "--bucket", "reports",
                            "--key", "q3/report.txt", "--legal-hold", "Status=MAYBE"},
                           "", {}, aws_env);
  EXPECT_NE(denied.exit_code, 0);
  EXPECT_NE(denied.err.find("MalformedXML"), std::string::npos) << denied.err;

  auto s3cmd = RunProcess({"s3cmd", "--access_key=AKALICE", "--secret_key=alice-secret", "--host=127.0.0.1:" + port,
                           "--host-bucket=127.0.0.1:" + port, "--no-ssl", "--region=us-east-1", "--config=/dev/null",
                           "ls", "s3://reports/q3/"},
                          "", {}, {"HOME=" + dir.path().string()});
  EXPECT_EQ(s3cmd.exit_code, 0) << s3cmd.out << s3cmd.err;
  EXPECT_NE(s3cmd.out.find("report.txt"), std::string::npos) << s3cmd.out;

  EXPECT_EQ(server.Stop(SIGTERM), 0) << ReadFile(dir / "serve.log");
  auto verified = RunTutela({"vault", "verify", "--data", (dir / "data").string()});
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  EXPECT_NE(verified.out.find("verified"), std::string::npos);

  // Export: every version's bytes, the small report (from a segment) and the 9 MiB object (a blob) alike.
  auto exported = RunTutela({"vault", "export", "--data", (dir / "data").string(), "--bucket", "reports", "--output",
                             (dir / "export").string()});
  EXPECT_EQ(exported.exit_code, 0) << exported.err;
  EXPECT_NE(ReadFile(dir / "export" / "index.csv").find("q3/report.txt"), std::string::npos);
  EXPECT_NE(ReadFile(dir / "export" / "audit-trail.jsonl").find("\"user\":\"alice\""), std::string::npos);
  size_t exported_report = 0, exported_big = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir / "export" / "records")) {
    if (std::filesystem::file_size(entry.path()) == 9u << 20) ++exported_big;
    if (std::filesystem::file_size(entry.path()) < 100 && ReadFile(entry.path()) == "quarterly report\n") {
      ++exported_report;
    }
  }
  EXPECT_EQ(exported_report, 1u);
  EXPECT_EQ(exported_big, 1u);

  // Change one byte of the report (small: stored in a segment) and one of the big object (a blob file): verify
  // names both and exits 1.
  std::filesystem::path segment;
  size_t at = std::string::npos;
  for (const auto& entry : std::filesystem::directory_iterator(dir / "data" / "segments")) {
    std::string bytes = ReadFile(entry.path());
    if (size_t found = bytes.find("quarterly report\n"); found != std::string::npos) {
      segment = entry.path();
      at = found;
    }
  }
  ASSERT_FALSE(segment.empty()) << "the small report is not in a segment";
  std::filesystem::path big_blob;
  for (const auto& entry : std::filesystem::directory_iterator(dir / "data" / "blobs")) {
    if (std::filesystem::file_size(entry.path()) == 9u << 20 && ReadFile(entry.path()).starts_with("bbbb")) {
      big_blob = entry.path();
    }
  }
  ASSERT_FALSE(big_blob.empty()) << "the 9 MiB object is not a blob file";
  for (auto [file, offset] : {std::pair{segment, at + 12}, std::pair{big_blob, size_t{4u << 20}}}) {
    std::filesystem::permissions(file, std::filesystem::perms::owner_write, std::filesystem::perm_options::add);
    std::fstream stream(file, std::ios::in | std::ios::out | std::ios::binary);
    stream.seekp(static_cast<std::streamoff>(offset));
    stream.put('0');
  }
  auto tampered = RunTutela({"vault", "verify", "--data", (dir / "data").string()});
  EXPECT_EQ(tampered.exit_code, 1) << tampered.out << tampered.err;
  EXPECT_NE(tampered.out.find("reports/q3/report.txt@"), std::string::npos) << tampered.out;
  EXPECT_NE(tampered.out.find("reports/q3/big.bin@"), std::string::npos) << tampered.out;

  auto proof = RunTutela({"vault", "proof", "consistency", "--data", (dir / "data").string(), "--old", "3"});
  EXPECT_EQ(proof.exit_code, 0) << proof.err;
  EXPECT_NE(proof.out.find("\"type\": \"consistency\""), std::string::npos);
}

TEST(VaultE2eTest, CommandsRefuseAFolderWithoutAVault) {
  TempDir dir;
  auto verified = RunTutela({"vault", "verify", "--data", (dir / "nothing").string()});
  EXPECT_EQ(verified.exit_code, 2);
  EXPECT_NE(verified.err.find("no vault here"), std::string::npos) << verified.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "nothing"));
  WriteFile(dir / "users.yaml", "users:\n  - {name: a, access_key: K}\n");
  auto serve =
      RunTutela({"vault", "serve", "--data", (dir / "data").string(), "--users", (dir / "users.yaml").string()});
  EXPECT_EQ(serve.exit_code, 2);
  EXPECT_NE(serve.err.find("users.yaml:2"), std::string::npos) << serve.err;
  EXPECT_NE(serve.err.find("secret_key"), std::string::npos) << serve.err;
}

size_t HeadLines(const std::filesystem::path& data) {
  if (!std::filesystem::exists(data / "heads.jsonl")) return 0;
  std::string text = ReadFile(data / "heads.jsonl");
  return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
}

TEST(VaultE2eTest, TreeHeadsAreSignedPeriodicallyOnDemandAndAtShutdown) {
  TempDir dir;
  WriteFile(dir / "users.yaml", kUsers);
  VaultServer server(dir, "serve", {"--head-interval", "1"});
  ASSERT_GT(server.port(), 0) << ReadFile(dir / "serve.log");
  auto put = RunProcess({"/usr/bin/python3", Script(), std::to_string(server.port()), "put-one", "heads"});
  ASSERT_EQ(put.exit_code, 0) << put.out << put.err;
  // Within a few intervals a head covering both entries (bucket, object) is signed while the server runs.
  auto heads = [&] {
    return std::filesystem::exists(dir / "data" / "heads.jsonl") ? ReadFile(dir / "data" / "heads.jsonl")
                                                                 : std::string();
  };
  for (int attempt = 0; attempt < 100 && heads().find("\"size\":2") == std::string::npos; ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_NE(heads().find("\"size\":2"), std::string::npos) << heads() << ReadFile(dir / "serve.log");
  size_t signed_heads = HeadLines(dir / "data");
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(HeadLines(dir / "data"), signed_heads);  // the log did not grow: no new head
  kill(server.pid(), SIGUSR1);                       // on demand
  for (int attempt = 0; attempt < 100 && HeadLines(dir / "data") == signed_heads; ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(HeadLines(dir / "data"), signed_heads + 1);
  EXPECT_EQ(server.Stop(SIGTERM), 0) << ReadFile(dir / "serve.log");
  EXPECT_EQ(HeadLines(dir / "data"), signed_heads + 2);  // and at shutdown
  auto verified = RunTutela({"vault", "verify", "--data", (dir / "data").string()});
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
}

TEST(VaultE2eTest, KillDuringConcurrentUploadsLosesNothingAcknowledged) {
  TempDir dir;
  WriteFile(dir / "users.yaml", kUsers);
  {
    VaultServer server(dir, "serve-1");
    ASSERT_GT(server.port(), 0);
    pid_t writer = Spawn(
        {"/usr/bin/python3", Script(), std::to_string(server.port()), "crash-writer", (dir / "acked.txt").string()},
        dir / "writer.log");
    // Kill once uploads are flowing (at least 20 acknowledged), however slow the machine is.
    auto acked_lines = [&] {
      std::ifstream in(dir / "acked.txt");
      return std::count(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>(), '\n');
    };
    for (int attempt = 0; attempt < 600 && acked_lines() < 20; ++attempt) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ASSERT_GE(acked_lines(), 20) << ReadFile(dir / "writer.log");
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    EXPECT_EQ(server.Stop(SIGKILL), 128 + SIGKILL);
    int status = 0;
    waitpid(writer, &status, 0);  // it fails once the server is gone
  }
  VaultServer restarted(dir, "serve-2");
  ASSERT_GT(restarted.port(), 0) << ReadFile(dir / "serve-2.log");
  auto check = RunProcess(
      {"/usr/bin/python3", Script(), std::to_string(restarted.port()), "crash-check", (dir / "acked.txt").string()});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  EXPECT_EQ(restarted.Stop(SIGTERM), 0);
  auto verified = RunTutela({"vault", "verify", "--data", (dir / "data").string()});
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  EXPECT_TRUE(std::filesystem::is_empty(dir / "data" / "tmp"));
  // The uploads were 4 KiB: they went to segments, group-committed with one segment sync per batch.
  EXPECT_TRUE(std::filesystem::exists(dir / "data" / "segments" / "00000001.seg"));
  EXPECT_TRUE(std::filesystem::is_empty(dir / "data" / "blobs"));
}

}  // namespace
}  // namespace tutela::vault
