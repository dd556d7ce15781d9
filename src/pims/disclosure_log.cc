#include "tutela/pims/disclosure_log.h"

#include <cstdlib>

#include "tutela/core/crypto.h"
#include "tutela/core/data.h"
#include "tutela/core/file_util.h"

namespace tutela::pims {

std::filesystem::path DefaultDisclosureLogPath() { return UserDataPath("pims-disclosures.log"); }

std::filesystem::path DefaultDisclosureKeyPath(const std::filesystem::path& log_path) {
  return log_path.parent_path() / (log_path.stem().string() + "-key.pem");
}

Result<std::unique_ptr<DisclosureLog>> DisclosureLog::Open(const std::filesystem::path& path, bool read_only) {
  if (!read_only && path.has_parent_path()) {
    std::error_code error;
    std::filesystem::create_directories(path.parent_path(), error);
    if (error) {
      return Status::IoError(path.parent_path().string() + ": cannot create the folder of the disclosure log (" +
                             error.message() + "); choose another --log path.");
    }
  }
  std::error_code error;
  if (read_only && !std::filesystem::exists(path, error)) {
    return Status::NotFound(path.string() +
                            ": no disclosure log there yet; `tutela pims decide` and `tutela pims disclose` create "
                            "it, or pass --log with the log's path.");
  }
  ledger::LogOptions options;
  options.read_only = read_only;
  options.create_if_missing = !read_only;
  TUTELA_ASSIGN_OR_RETURN(std::unique_ptr<ledger::Log> log, ledger::Log::Open(path, options));
  return std::unique_ptr<DisclosureLog>(new DisclosureLog(std::move(log)));
}

namespace {

// The log keeps what was decided or disclosed exactly; JSON cannot hold other bytes, so refuse them rather than
// record U+FFFD (or, as before, fail with nlohmann's type_error 316 as an internal error).
Status RefuseNonUtf8(std::string_view kind, const nlohmann::json& fields) {
  auto where = FindNonUtf8(fields);
  if (!where) return Status::Ok();
  return Status::InvalidArgument("the " + std::string(kind) + "'s " + (where->empty() ? "text" : where->substr(1)) +
                                 " is not UTF-8 text, and the disclosure log records text exactly; give it in UTF-8 "
                                 "(nothing was recorded).");
}

}  // namespace

Result<uint64_t> DisclosureLog::Append(std::string_view kind, Timestamp at, nlohmann::json details) {
  TUTELA_RETURN_IF_ERROR(RefuseNonUtf8(kind, details));
  nlohmann::json entry{
      {"kind", kind}, {"at", FormatRfc3339(at, TimePrecision::kMilliseconds)}, {"details", std::move(details)}};
  return log_->Append(DumpJson(entry));
}

Result<uint64_t> DisclosureLog::RecordDecision(const DecisionRequest& request, const Decision& decision, Timestamp at) {
  // The request first: the decision's reason may quote it, and the message should name the field the user gave.
  TUTELA_RETURN_IF_ERROR(RefuseNonUtf8("decision", {{"activity", request.activity},
                                                    {"purpose", request.purpose},
                                                    {"requester", request.requester},
                                                    {"data", request.data}}));
  return Append("decision", at, DecisionToJson(request, decision));
}

Result<uint64_t> DisclosureLog::RecordDisclosure(const Disclosure& disclosure, Timestamp at) {
  auto missing = [](std::string_view field, std::string_view hint) {
    return Status::InvalidArgument("a disclosure needs " + std::string(field) + " (" + std::string(hint) + ").");
  };
  if (disclosure.activity.empty()) return missing("the activity", "the register activity the data came from");
  if (disclosure.recipient.empty()) return missing("a recipient", "who received the data");
  if (disclosure.recipient_kind != "third-party" && disclosure.recipient_kind != "sub-processor" &&
      disclosure.recipient_kind != "authority") {
    return Status::InvalidArgument("recipient kind \"" + disclosure.recipient_kind +
                                   "\" is not third-party, sub-processor or authority.");
  }
  if (disclosure.data.empty()) return missing("the data", "PII entity ids or categories disclosed");
  if (disclosure.basis.empty())
    return missing("a basis", "the contract clause, legal order or consent that allowed it");
  nlohmann::json details{{"activity", disclosure.activity},
                         {"recipient", disclosure.recipient},
                         {"recipient_kind", disclosure.recipient_kind},
                         {"data", disclosure.data},
                         {"basis", disclosure.basis},
                         {"subjects", disclosure.subjects},
                         {"reference", disclosure.reference}};
  return Append("disclosure", at, std::move(details));
}

Result<std::vector<DisclosureEntry>> DisclosureLog::Entries() const {
  std::vector<DisclosureEntry> entries;
  for (uint64_t index = 0; index < log_->size(); ++index) {
    TUTELA_ASSIGN_OR_RETURN(std::string bytes, log_->Entry(index));
    nlohmann::json parsed = nlohmann::json::parse(bytes, nullptr, /*allow_exceptions=*/false);
    if (!parsed.is_object() || !parsed.contains("kind") || !parsed["kind"].is_string() || !parsed.contains("at") ||
        !parsed["at"].is_string() || !parsed.contains("details")) {
      return Status::Corruption(log_->path().string() + ": entry " + std::to_string(index) +
                                " is not a disclosure-log entry; the file is not a disclosure log or was altered.");
    }
    entries.push_back({index, parsed["kind"].get<std::string>(), parsed["at"].get<std::string>(), parsed["details"]});
  }
  return entries;
}

ledger::TreeHead DisclosureLog::Head() const { return log_->Head(); }

Result<ledger::SignedTreeHead> DisclosureLog::SignHead(const ledger::Signer& signer, Timestamp time) const {
  return ledger::SignTreeHead(signer, log_->Head(), time);
}

Status DisclosureLog::CheckHead(const ledger::SignedTreeHead& head, std::string_view trusted_public_key) const {
  std::string where = log_->path().string();
  if (Status signature = ledger::VerifyTreeHead(head, trusted_public_key); !signature.ok()) {
    return Status::Corruption(where + ": the tree head's signature does not verify (" + signature.message() +
                              "); it was not signed by this key or was altered.");
  }
  ledger::TreeHead now = log_->Head();
  if (head.size > now.size) {
    return Status::Corruption(where + ": the signed head covers " + std::to_string(head.size) +
                              " entries but the log has " + std::to_string(now.size) + "; entries were removed.");
  }
  TUTELA_ASSIGN_OR_RETURN(ledger::Hash root, log_->RootAt(head.size));
  TUTELA_ASSIGN_OR_RETURN(std::vector<ledger::Hash> proof, log_->ProveConsistency(head.size, now.size));
  if (root != head.root || !ledger::VerifyConsistency(head.size, now.size, head.root, now.root, proof).ok()) {
    return Status::Corruption(where + ": the first " + std::to_string(head.size) +
                              " entries no longer have the signed root " + ToHex(head.root) +
                              "; the log's history was rewritten.");
  }
  return Status::Ok();
}

}  // namespace tutela::pims
