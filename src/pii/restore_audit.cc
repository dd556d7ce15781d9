#include "tutela/pii/restore_audit.h"

#include <pwd.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "tutela/core/crypto.h"
#include "tutela/core/data.h"
#include "tutela/core/file_util.h"
#include "tutela/ledger/log.h"

namespace tutela::pii {

std::filesystem::path DefaultRestoreAuditLogPath() { return UserDataPath("pii-restores.log"); }

RestoreAuditRecord CurrentRestoreAuditRecord() {
  RestoreAuditRecord record;
  record.at = NowUtc();
  record.uid = static_cast<uint32_t>(::getuid());
  struct passwd entry {};
  struct passwd* found = nullptr;
  char buffer[4096];
  if (::getpwuid_r(record.uid, &entry, buffer, sizeof buffer, &found) == 0 && found != nullptr) {
    record.user = found->pw_name;
  } else {
    record.user = std::to_string(record.uid);
  }
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) == 0) record.host = host;
  return record;
}

Result<uint64_t> AppendRestoreAudit(const std::filesystem::path& log_path, const RestoreAuditRecord& record) {
  if (log_path.has_parent_path()) {
    std::error_code error;
    std::filesystem::create_directories(log_path.parent_path(), error);
    if (error) {
      return Status::IoError(log_path.parent_path().string() + ": cannot create the folder of the restore audit log (" +
                             error.message() + "); choose another --audit-log path.");
    }
  }
  auto log = ledger::Log::Open(log_path);
  if (!log.ok()) return log.status().WithContext("the restore audit log");
  nlohmann::ordered_json entry;
  entry["event"] = "pii.restore";
  entry["at"] = FormatRfc3339(record.at);
  entry["user"] = record.user;
  entry["uid"] = record.uid;
  entry["host"] = record.host;
  entry["input"] = record.input;
  entry["input_sha256"] = record.input_sha256;
  entry["output"] = record.output;
  entry["values"] = record.values;
  entry["key_ids"] = record.key_ids;
  return (*log)->Append(DumpJson(entry));
}

Result<RestoreAuditLog> ReadRestoreAudit(const std::filesystem::path& log_path) {
  std::error_code error;
  if (!std::filesystem::exists(log_path, error)) {
    // The ledger's own message says to "initialise the store", which is the vault's word and no help here.
    return Status::NotFound(log_path.string() +
                            ": no restore audit log there yet; `tutela pii restore` creates it with the first restore, "
                            "or pass --audit-log with the log's path.");
  }
  ledger::LogOptions options;
  options.read_only = true;
  options.create_if_missing = false;
  auto log = ledger::Log::Open(log_path, options);
  if (!log.ok()) return log.status().WithContext("the restore audit log");
  RestoreAuditLog out;
  for (uint64_t index = 0; index < (*log)->size(); ++index) {
    TUTELA_ASSIGN_OR_RETURN(std::string entry, (*log)->Entry(index));
    out.entries.push_back(std::move(entry));
  }
  ledger::TreeHead head = (*log)->Head();
  out.tree_size = head.size;
  out.tree_root = ToHex(head.root);
  return out;
}

}  // namespace tutela::pii
