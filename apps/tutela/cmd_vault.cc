// tutela vault init | serve | verify | proof inclusion|consistency | head | export
#include <pthread.h>
#include <signal.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>

#include "commands.h"
#include "tutela/core/csv.h"
#include "tutela/core/file_util.h"
#include "tutela/ledger/merkle.h"
#include "tutela/vault/s3_server.h"
#include "tutela/vault/store.h"

namespace tutela::cli {
namespace {

struct VaultOptions {
  std::string data;
  std::string listen = "127.0.0.1:9000";
  std::string users;
  std::string domain;
  std::string port_file;
  int head_interval = 3600;  // seconds between signed tree heads while serving (when the log grew)
  bool verify_reads = false;
  std::string bucket;
  uint64_t index = 0;
  uint64_t size = 0;
  uint64_t old_size = 0;
};

// Opens the store; `must_exist` refuses a folder that holds no vault yet (verify/export/head must not create one).
Result<std::unique_ptr<vault::Store>> OpenStore(const VaultOptions& options, bool must_exist = true) {
  if (must_exist && !std::filesystem::exists(std::filesystem::path(options.data) / "ledger.log")) {
    return Status::NotFound(options.data +
                            ": no vault here (ledger.log is missing); create one with `tutela vault "
                            "init --data " +
                            options.data + "` or check the path.");
  }
  vault::StoreOptions store_options;
  store_options.verify_reads = options.verify_reads;
  return vault::Store::Open(options.data, store_options);
}

int RunInit(const Context& context, const VaultOptions& options) {
  auto store = OpenStore(options, false);
  if (!store.ok()) return ReportError(store.status());
  const std::string& key = (*store)->public_key();
  std::string hex = ToHex(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(key.data()), key.size()));
  if (Status written = WriteOutput(context, "vault ready in " + options.data + "\npublic key " + hex + "\n");
      !written.ok()) {
    return ReportError(written);
  }
  return kExitClean;
}

int RunServe(const Context& context, const VaultOptions& options) {
  auto users = vault::LoadUsers(options.users);
  if (!users.ok()) return ReportError(users.status());
  vault::ServerOptions server_options;
  if (Status listen = ParseListen(options.listen, &server_options.host, &server_options.port); !listen.ok()) {
    return ReportError(listen);
  }
  server_options.users = std::move(*users);
  server_options.domain = options.domain;

  if (options.head_interval <= 0) {
    return ReportError(Status::InvalidArgument("--head-interval must be a positive number of seconds."));
  }
  // SIGTERM / SIGINT are taken by a waiting thread, which stops the server (in-flight requests finish). The same
  // thread signs a tree head every --head-interval seconds when the log grew, and at once on SIGUSR1 (on demand).
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto store = OpenStore(options, false);
  if (!store.ok()) return ReportError(store.status());
  vault::S3Server server(**store, server_options);
  if (Status bound = server.Bind(); !bound.ok()) return ReportError(bound);
  std::string address = server_options.host + ":" + std::to_string(server.port());
  if (!options.port_file.empty()) {
    if (Status written = WriteFileAtomic(options.port_file, std::to_string(server.port()) + "\n"); !written.ok()) {
      return ReportError(written);
    }
  }
  Info(context, "vault serving S3 on http://" + address + " (data " + options.data + ")");
  vault::Store& served = **store;
  std::thread waiter([&server, &served, &context, signals, interval = options.head_interval] {
    uint64_t signed_size = served.log().size();
    while (true) {
      timespec timeout{interval, 0};
      int received = sigtimedwait(&signals, nullptr, &timeout);
      if (received == SIGTERM || received == SIGINT) break;
      if (received < 0 && errno == EINTR) continue;
      if (received != SIGUSR1 && served.log().size() == signed_size) continue;  // timeout, nothing new to sign
      auto head = served.SignTreeHead();
      if (!head.ok()) {
        Info(context, "vault: cannot sign a tree head: " + head.status().message());
        continue;
      }
      signed_size = head->size;
      Info(context, "vault: signed tree head of size " + std::to_string(head->size));
    }
    server.Stop();
  });
  Status ran = server.Run();
  pthread_kill(waiter.native_handle(), SIGTERM);  // wake the waiter if the server stopped by itself
  waiter.join();
  auto head = (*store)->SignTreeHead();
  if (!head.ok()) return ReportError(head.status());
  Info(context, "vault stopped; signed tree head of size " + std::to_string(head->size));
  return ran.ok() ? kExitClean : ReportError(ran);
}

int RunVerify(const Context& context, const VaultOptions& options) {
  auto format = context.Format("vault verify", "table", {"table", "json"});
  if (!format.ok()) return ReportError(format.status());
  auto store = OpenStore(options);
  if (!store.ok()) return ReportError(store.status());
  auto report = (*store)->Verify();
  if (!report.ok()) return ReportError(report.status());
  std::ostringstream out;
  if (*format == "json") {
    nlohmann::json problems = nlohmann::json::array();
    for (const auto& problem : report->problems) {
      problems.push_back({{"subject", problem.subject}, {"problem", problem.problem}});
    }
    out << nlohmann::json{{"versions_checked", report->versions_checked},
                          {"bytes_hashed", report->bytes_hashed},
                          {"ledger_entries", report->ledger_entries},
                          {"root", ToHex(report->head.root)},
                          {"problems", problems}}
               .dump(2)
        << "\n";
  } else {
    bool color = context.ColorStdout();
    for (const auto& problem : report->problems) {
      out << Style(color, "red", "MISMATCH") << "  " << problem.subject << ": " << problem.problem << "\n";
    }
    out << (report->problems.empty() ? Style(color, "green", "verified") : Style(color, "red", "FAILED")) << ": "
        << report->versions_checked << " versions (" << report->bytes_hashed << " bytes) re-hashed against "
        << report->ledger_entries << " ledger entries; root " << ToHex(report->head.root) << "\n";
  }
  if (Status written = WriteOutput(context, out.str()); !written.ok()) return ReportError(written);
  return report->problems.empty() ? kExitClean : kExitFindings;
}

int RunProof(const Context& context, const VaultOptions& options, bool inclusion) {
  auto format = context.Format("vault proof", "json", {"json", "table"});
  if (!format.ok()) return ReportError(format.status());
  auto log = ledger::Log::Open(std::filesystem::path(options.data) / "ledger.log",
                               {.create_if_missing = false, .read_only = true});
  if (!log.ok()) return ReportError(log.status());
  uint64_t size = options.size == 0 ? (*log)->size() : options.size;
  auto root = (*log)->RootAt(size);
  if (!root.ok()) return ReportError(root.status());
  nlohmann::json document;
  nlohmann::json hashes;
  std::string text;
  if (inclusion) {
    auto proof = (*log)->ProveInclusion(options.index, size);
    if (!proof.ok()) return ReportError(proof.status());
    auto leaf = (*log)->LeafHashAt(options.index);
    if (!leaf.ok()) return ReportError(leaf.status());
    Status check = ledger::VerifyInclusion(*leaf, options.index, size, *proof, *root);
    if (!check.ok()) return ReportError(check);
    text = ProofHashes(*proof, hashes);
    document = {{"type", "inclusion"},       {"index", options.index}, {"tree_size", size},
                {"leaf_hash", ToHex(*leaf)}, {"root", ToHex(*root)},   {"proof", hashes}};
    text = "inclusion of entry " + std::to_string(options.index) + " (leaf " + ToHex(*leaf) + ") in tree " +
           std::to_string(size) + " (root " + ToHex(*root) + "):\n" + text;
  } else {
    auto old_root = (*log)->RootAt(options.old_size);
    if (!old_root.ok()) return ReportError(old_root.status());
    auto proof = (*log)->ProveConsistency(options.old_size, size);
    if (!proof.ok()) return ReportError(proof.status());
    Status check = ledger::VerifyConsistency(options.old_size, size, *old_root, *root, *proof);
    if (!check.ok()) return ReportError(check);
    text = ProofHashes(*proof, hashes);
    document = {{"type", "consistency"}, {"old_size", options.old_size}, {"old_root", ToHex(*old_root)},
                {"new_size", size},      {"new_root", ToHex(*root)},     {"proof", hashes}};
    text = "consistency of tree " + std::to_string(options.old_size) + " (root " + ToHex(*old_root) + ") with tree " +
           std::to_string(size) + " (root " + ToHex(*root) + "):\n" + text;
  }
  std::string out = *format == "json" ? document.dump(2) + "\n" : text;
  if (Status written = WriteOutput(context, out); !written.ok()) return ReportError(written);
  return kExitClean;
}

int RunHead(const Context& context, const VaultOptions& options) {
  auto store = OpenStore(options);
  if (!store.ok()) return ReportError(store.status());
  auto head = (*store)->SignTreeHead();
  if (!head.ok()) return ReportError(head.status());
  if (Status written = WriteOutput(context, ledger::TreeHeadToJson(*head).dump(2) + "\n"); !written.ok()) {
    return ReportError(written);
  }
  return kExitClean;
}

int RunExport(const Context& context, const VaultOptions& options) {
  if (context.output.empty() || context.output == "-") {
    return ReportError(Status::InvalidArgument("vault export needs --output DIR, the folder to write the records to."));
  }
  std::filesystem::path out_dir = context.output;
  auto store = OpenStore(options);
  if (!store.ok()) return ReportError(store.status());
  auto versions = (*store)->ListVersions(options.bucket, {"", SIZE_MAX - 1, false, ""});
  if (!versions.ok()) return ReportError(versions.status());
  std::error_code error;
  std::filesystem::create_directories(out_dir / "records", error);
  if (error) return ReportError(ErrnoStatus(error.value(), "create", out_dir / "records"));
  std::string index =
      "key,version_id,is_latest,delete_marker,size,last_modified,md5,sha256,lock_mode,retain_until,legal_hold,"
      "ledger_index,file\n";
  for (const vault::ObjectVersion& v : *versions) {
    std::string file;
    if (!v.delete_marker) {
      auto data = (*store)->ReadObject(v);
      if (!data.ok()) return ReportError(data.status());
      file = "records/" + v.version_id + "-" + std::to_string(v.sequence);
      if (Status written = WriteFileAtomic(out_dir / file, *data); !written.ok()) return ReportError(written);
    }
    index += CsvField(v.key) + "," + v.version_id + "," + (v.is_latest ? "true" : "false") + "," +
             (v.delete_marker ? "true" : "false") + "," + std::to_string(v.size) + "," +
             FormatRfc3339(v.last_modified, TimePrecision::kMicroseconds) + "," + v.md5_hex + "," + v.sha256_hex + "," +
             std::string(vault::LockModeName(v.lock_mode)) + "," +
             (v.retain_until ? FormatRfc3339(*v.retain_until) : "") + "," + (v.legal_hold ? "ON" : "OFF") + "," +
             std::to_string(v.sequence) + "," + file + "\n";
  }
  auto trail = (*store)->AuditTrail(options.bucket);
  if (!trail.ok()) return ReportError(trail.status());
  std::string audit;
  for (const std::string& entry : *trail) audit += entry + "\n";
  auto head = (*store)->SignTreeHead();
  if (!head.ok()) return ReportError(head.status());
  std::string readme = "Records of bucket " + options.bucket + " exported from a Tutela vault.\n\n" +
                       "index.csv        one row per version: key, version, hashes, lock state, file under records/\n" +
                       "audit-trail.jsonl every ledger entry of the bucket (time, user, operation), oldest first\n" +
                       "tree-head.json   the signed Merkle tree head covering the whole ledger at export time\n\n" +
                       "Check a record: sha256sum records/FILE and compare with its index.csv row.\n";
  for (const auto& [name, content] : std::vector<std::pair<std::string, std::string>>{
           {"index.csv", index},
           {"audit-trail.jsonl", audit},
           {"tree-head.json", ledger::TreeHeadToJson(*head).dump(2) + "\n"},
           {"README.txt", readme}}) {
    if (Status written = WriteFileAtomic(out_dir / name, content); !written.ok()) return ReportError(written);
  }
  Info(context,
       "exported " + std::to_string(versions->size()) + " versions of " + options.bucket + " to " + out_dir.string());
  return kExitClean;
}

void AddData(CLI::App* command, VaultOptions& options) {
  command->add_option("--data", options.data, "The vault's data folder")->required()->type_name("DIR");
}

}  // namespace

void AddVaultCommands(CLI::App& app, Context& context) {
  CLI::App* vault = app.add_subcommand("vault", "WORM records vault with an S3 Object Lock API and a Merkle log");
  vault->require_subcommand(1);
  auto options = std::make_shared<VaultOptions>();

  CLI::App* init = vault->add_subcommand("init", "Create a vault data folder and its Ed25519 signing key");
  AddData(init, *options);
  init->callback([&context, options] { context.run = [&context, options] { return RunInit(context, *options); }; });

  CLI::App* serve = vault->add_subcommand("serve", "Serve the S3 API (SigV4) until SIGTERM");
  AddData(serve, *options);
  serve->add_option("--listen", options->listen, "HOST:PORT to listen on (port 0: any free port)")
      ->type_name("HOST:PORT");
  serve->add_option("--users", options->users, "USERS.yaml with name, access_key, secret_key, bypass_governance")
      ->required()
      ->type_name("FILE");
  serve->add_option("--domain", options->domain, "Base domain for virtual-host-style addressing (default localhost)");
  serve->add_option("--port-file", options->port_file, "Write the bound port to FILE once listening")
      ->type_name("FILE");
  serve->add_flag("--verify-reads", options->verify_reads, "Re-hash every version's data when it is read");
  serve
      ->add_option("--head-interval", options->head_interval,
                   "Sign a tree head every SECONDS while serving when the log grew (SIGUSR1: at once); default 3600")
      ->type_name("SECONDS");
  serve->callback([&context, options] { context.run = [&context, options] { return RunServe(context, *options); }; });

  CLI::App* verify = vault->add_subcommand(
      "verify", "Re-hash every stored version against its metadata and the Merkle log; exit 1 naming mismatches");
  AddData(verify, *options);
  verify->callback([&context, options] { context.run = [&context, options] { return RunVerify(context, *options); }; });

  CLI::App* proof = vault->add_subcommand("proof", "Print an RFC 9162 inclusion or consistency proof");
  proof->require_subcommand(1);
  CLI::App* inclusion = proof->add_subcommand("inclusion", "Proof that ledger entry INDEX is in the tree");
  AddData(inclusion, *options);
  inclusion->add_option("--index", options->index, "Ledger entry index")->required();
  inclusion->add_option("--size", options->size, "Tree size (default: the whole log)");
  inclusion->callback(
      [&context, options] { context.run = [&context, options] { return RunProof(context, *options, true); }; });
  CLI::App* consistency = proof->add_subcommand("consistency", "Proof that tree OLD is a prefix of tree SIZE");
  AddData(consistency, *options);
  consistency->add_option("--old", options->old_size, "Earlier tree size")->required();
  consistency->add_option("--size", options->size, "Later tree size (default: the whole log)");
  consistency->callback(
      [&context, options] { context.run = [&context, options] { return RunProof(context, *options, false); }; });

  CLI::App* head = vault->add_subcommand("head", "Sign the current tree head (Ed25519) and print it");
  AddData(head, *options);
  head->callback([&context, options] { context.run = [&context, options] { return RunHead(context, *options); }; });

  CLI::App* export_command =
      vault->add_subcommand("export", "Write a bucket's records, a readable index and the audit trail to --output DIR");
  AddData(export_command, *options);
  export_command->add_option("--bucket", options->bucket, "Bucket to export")->required();
  export_command->callback(
      [&context, options] { context.run = [&context, options] { return RunExport(context, *options); }; });
}

}  // namespace tutela::cli
