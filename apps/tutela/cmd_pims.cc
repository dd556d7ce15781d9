// tutela pims jurisdictions | register lint|sync | decide | disclose | disclosures [head|proof|verify] | risk;
// tutela breach assess
#include <memory>
#include <sstream>

#include "commands.h"
#include "tutela/core/crypto.h"
#include "tutela/core/data.h"
#include "tutela/core/file_util.h"
#include "tutela/core/time.h"
#include "tutela/pims/breach.h"
#include "tutela/pims/decide.h"
#include "tutela/pims/disclosure_log.h"
#include "tutela/pims/jurisdiction.h"
#include "tutela/pims/register.h"
#include "tutela/pims/risk.h"
#include "tutela/report/breach.h"

namespace tutela::cli {
namespace {

struct BreachOptions {
  std::string incident;
  std::string jurisdictions;
  std::string register_file;
  std::string pii_inventory;
  std::string ics;
};

Result<pims::JurisdictionSet> LoadRules(const std::string& directory) {
  return pims::JurisdictionSet::LoadDirectory(directory.empty() ? pims::DefaultJurisdictionsDirectory()
                                                                : std::filesystem::path(directory));
}

Result<std::vector<pims::InventoryStore>> LoadInventory(const std::string& path) {
  TUTELA_ASSIGN_OR_RETURN(nlohmann::json document, LoadJsonFile(path));
  return pims::ParsePiiInventory(document, path);
}

int RunBreachAssess(const Context& context, const BreachOptions& options) {
  auto format = context.Format("breach assess", "json", {"json", "markdown", "html"});
  if (!format.ok()) return ReportError(format.status());
  auto rules = LoadRules(options.jurisdictions);
  if (!rules.ok()) return ReportError(rules.status());
  // The register and the inventory resolve affected stores and activities and fill left-out categories.
  pims::IncidentSources sources;
  pims::ProcessingRegister processing;
  std::vector<pims::InventoryStore> inventory;
  if (!options.register_file.empty()) {
    auto loaded = pims::LoadRegister(options.register_file);
    if (!loaded.ok()) return ReportError(loaded.status());
    processing = std::move(loaded).value();
    sources.processing = &processing;
    sources.register_source = options.register_file;
  }
  if (!options.pii_inventory.empty()) {
    auto loaded = LoadInventory(options.pii_inventory);
    if (!loaded.ok()) return ReportError(loaded.status());
    inventory = std::move(loaded).value();
    sources.inventory = &inventory;
    sources.inventory_source = options.pii_inventory;
  }
  auto incident = pims::LoadIncident(options.incident, *rules, sources);
  if (!incident.ok()) return ReportError(incident.status());
  pims::BreachAssessment assessment = pims::AssessBreach(*incident, *rules);
  std::string text;
  if (*format == "json") {
    text = DumpJson(pims::BreachToJson(assessment), 2) + "\n";
  } else if (*format == "markdown") {
    text = pims::BreachToMarkdown(assessment);
  } else {
    text = report::BreachReportHtml(assessment);
  }
  if (!options.ics.empty()) {
    if (Status written = WriteFileAtomic(options.ics, pims::BreachToIcs(assessment, NowUtc())); !written.ok()) {
      return ReportError(written);
    }
  }
  if (Status written = WriteOutput(context, text); !written.ok()) return ReportError(written);
  return kExitClean;
}

int RunJurisdictions(const Context& context, const std::string& directory) {
  auto format = context.Format("pims jurisdictions", "table", {"table", "json"});
  if (!format.ok()) return ReportError(format.status());
  auto rules = LoadRules(directory);
  if (!rules.ok()) return ReportError(rules.status());
  std::ostringstream out;
  if (*format == "json") {
    nlohmann::json list = nlohmann::json::array();
    for (const pims::Jurisdiction& jurisdiction : rules->all()) {
      nlohmann::json rule_list = nlohmann::json::array();
      for (const pims::NotificationRule& rule : jurisdiction.rules) {
        rule_list.push_back({{"id", rule.id},
                             {"audience", pims::AudienceName(rule.audience)},
                             {"authority", rule.authority},
                             {"deadline", rule.deadline.text},
                             {"citation", rule.citation},
                             {"verified", rule.verified && rule.deadline.verified}});
      }
      list.push_back({{"id", jurisdiction.id},
                      {"name", jurisdiction.name},
                      {"regulator", jurisdiction.regulator},
                      {"penalty", jurisdiction.penalty.text},
                      {"rules", rule_list}});
    }
    out << DumpJson(list, 2) << "\n";
  } else {
    for (const pims::Jurisdiction& jurisdiction : rules->all()) {
      out << jurisdiction.id << "  " << jurisdiction.name << "  (" << jurisdiction.rules.size() << " rules)\n";
      for (const pims::NotificationRule& rule : jurisdiction.rules) {
        out << "  " << rule.id << "  " << pims::AudienceName(rule.audience) << "  " << rule.deadline.text << "  ["
            << rule.citation << (rule.verified && rule.deadline.verified ? "" : "; unverified") << "]\n";
      }
    }
  }
  if (Status written = WriteOutput(context, out.str()); !written.ok()) return ReportError(written);
  return kExitClean;
}

struct RegisterOptions {
  std::string register_file;
  std::string pii_inventory;
  std::string jurisdictions;
  std::string assessment;  // risk: results of `tutela assess --format json`
};

// Prints findings as json or a table; exit 1 when there are any `error` / `undeclared` findings.
int WriteFindings(const Context& context, const std::string& command,
                  const std::vector<pims::RegisterFinding>& findings, size_t activities) {
  auto format = context.Format(command, "table", {"table", "json"});
  if (!format.ok()) return ReportError(format.status());
  std::ostringstream out;
  bool failing = false;
  for (const pims::RegisterFinding& finding : findings) {
    failing = failing || finding.severity == "error" || finding.severity == "undeclared";
  }
  if (*format == "json") {
    out << DumpJson(nlohmann::json{{"activities", activities}, {"findings", pims::FindingsToJson(findings)}}, 2)
        << "\n";
  } else {
    bool color = context.ColorStdout();
    for (const pims::RegisterFinding& finding : findings) {
      bool bad = finding.severity == "error" || finding.severity == "undeclared";
      out << Style(color, bad ? "red" : "yellow", finding.severity) << "  " << finding.where
          << (finding.activity.empty() ? "" : "  [" + finding.activity + "]") << "  " << finding.message << "\n";
    }
    out << activities << " activities, " << findings.size() << " finding(s)\n";
  }
  if (Status written = WriteOutput(context, out.str()); !written.ok()) return ReportError(written);
  return failing ? kExitFindings : kExitClean;
}

int RunRegisterLint(const Context& context, const RegisterOptions& options) {
  auto rules = LoadRules(options.jurisdictions);
  if (!rules.ok()) return ReportError(rules.status());
  auto processing = pims::LoadRegister(options.register_file);
  if (!processing.ok()) return ReportError(processing.status());
  return WriteFindings(context, "pims register lint", pims::LintRegister(*processing, *rules),
                       processing->activities.size());
}

int RunRegisterSync(const Context& context, const RegisterOptions& options) {
  auto processing = pims::LoadRegister(options.register_file);
  if (!processing.ok()) return ReportError(processing.status());
  auto inventory = LoadInventory(options.pii_inventory);
  if (!inventory.ok()) return ReportError(inventory.status());
  return WriteFindings(context, "pims register sync", pims::SyncRegister(*processing, *inventory),
                       processing->activities.size());
}

struct DecideOptions {
  std::string register_file;
  std::string jurisdictions;
  std::string log;  // empty: the default disclosure log
  pims::DecisionRequest request;
};

std::filesystem::path LogPath(const std::string& log) {
  return log.empty() ? pims::DefaultDisclosureLogPath() : std::filesystem::path(log);
}

// Exit 0 on permit, 1 on deny, 2 on error.
int RunDecide(const Context& context, const DecideOptions& options) {
  auto format = context.Format("pims decide", "json", {"json", "table"});
  if (!format.ok()) return ReportError(format.status());
  auto rules = LoadRules(options.jurisdictions);
  if (!rules.ok()) return ReportError(rules.status());
  auto processing = pims::LoadRegister(options.register_file);
  if (!processing.ok()) return ReportError(processing.status());
  auto decision = pims::Decide(*processing, *rules, options.request);
  if (!decision.ok()) return ReportError(decision.status());
  // Every decision, permit or deny, goes to the tamper-evident disclosure log before it is reported.
  auto log = pims::DisclosureLog::Open(LogPath(options.log));
  if (!log.ok()) return ReportError(log.status());
  auto index = (*log)->RecordDecision(options.request, *decision, NowUtc());
  if (!index.ok()) return ReportError(index.status());
  std::string text;
  if (*format == "json") {
    nlohmann::json json = pims::DecisionToJson(options.request, *decision);
    json["disclosure_log"] = {{"path", LogPath(options.log).string()}, {"index", *index}};
    text = DumpJson(json, 2) + "\n";
  } else {
    text = std::string(decision->permit ? "permit" : "deny") + "  " + decision->rule + "  " + decision->reason + "  [" +
           decision->basis + "]\n";
    if (decision->permit) {
      std::string mask;
      for (const std::string& field : decision->mask) mask += (mask.empty() ? "" : ", ") + field;
      text += "  mask: " + (mask.empty() ? std::string("-") : mask) + "\n  retention: " + decision->retention + "\n";
      for (const std::string& transfer : decision->transfers) text += "  transfer: " + transfer + "\n";
    }
  }
  if (Status written = WriteOutput(context, text); !written.ok()) return ReportError(written);
  return decision->permit ? kExitClean : kExitFindings;
}

struct DiscloseOptions {
  std::string log;
  pims::Disclosure disclosure;
  // head, proof and verify
  std::string key;         // signing key (PEM); default beside the log
  std::string head_file;   // verify: a signed tree head JSON kept earlier
  std::string public_key;  // verify: the trusted public key, hex
  uint64_t index = 0;
  uint64_t old_size = 0;
  uint64_t size = 0;  // 0: the whole log
};

int RunDisclose(const Context& context, const DiscloseOptions& options) {
  auto log = pims::DisclosureLog::Open(LogPath(options.log));
  if (!log.ok()) return ReportError(log.status());
  auto index = (*log)->RecordDisclosure(options.disclosure, NowUtc());
  if (!index.ok()) return ReportError(index.status());
  ledger::TreeHead head = (*log)->Head();
  Info(context, "recorded disclosure " + std::to_string(*index) + " in " + LogPath(options.log).string() +
                    " (tree size " + std::to_string(head.size) + ", root " + ToHex(head.root) + ")");
  return kExitClean;
}

int RunDisclosures(const Context& context, const DiscloseOptions& options) {
  auto format = context.Format("pims disclosures", "table", {"table", "json"});
  if (!format.ok()) return ReportError(format.status());
  auto log = pims::DisclosureLog::Open(LogPath(options.log), /*read_only=*/true);
  if (!log.ok()) return ReportError(log.status());
  auto entries = (*log)->Entries();
  if (!entries.ok()) return ReportError(entries.status());
  ledger::TreeHead head = (*log)->Head();
  std::string text;
  if (*format == "json") {
    nlohmann::json list = nlohmann::json::array();
    for (const pims::DisclosureEntry& entry : *entries) {
      list.push_back({{"index", entry.index}, {"kind", entry.kind}, {"at", entry.at}, {"details", entry.details}});
    }
    text = DumpJson(nlohmann::json{{"log", LogPath(options.log).string()},
                                   {"tree_head", {{"size", head.size}, {"root", ToHex(head.root)}}},
                                   {"entries", list}},
                    2) +
           "\n";
  } else {
    for (const pims::DisclosureEntry& entry : *entries) {
      const nlohmann::json& details = entry.details;
      std::string summary =
          entry.kind == "decision"
              ? JsonStringOr(details, "decision") + " " + JsonStringOr(details, "activity") + " for " +
                    JsonStringOr(details, "purpose") + " by " + JsonStringOr(details, "requester")
              : JsonStringOr(details, "recipient_kind") + " " + JsonStringOr(details, "recipient") + " from " +
                    JsonStringOr(details, "activity") + " (" + JsonStringOr(details, "basis") + ")";
      text += std::to_string(entry.index) + "  " + entry.at + "  " + entry.kind + "  " + summary + "\n";
    }
    text += std::to_string(head.size) + " entries; tree root " + ToHex(head.root) + "\n";
  }
  if (Status written = WriteOutput(context, text); !written.ok()) return ReportError(written);
  return kExitClean;
}

Result<std::unique_ptr<pims::DisclosureLog>> OpenLogReadOnly(const DiscloseOptions& options) {
  return pims::DisclosureLog::Open(LogPath(options.log), /*read_only=*/true);
}

// Signs the log's current tree head with the log's key (created beside the log, mode 0600, on first use).
int RunDisclosuresHead(const Context& context, const DiscloseOptions& options) {
  auto log = OpenLogReadOnly(options);
  if (!log.ok()) return ReportError(log.status());
  std::filesystem::path key_path =
      options.key.empty() ? pims::DefaultDisclosureKeyPath(LogPath(options.log)) : std::filesystem::path(options.key);
  auto signer = ledger::Signer::LoadOrCreate(key_path);
  if (!signer.ok()) return ReportError(signer.status());
  auto head = (*log)->SignHead(**signer, NowUtc());
  if (!head.ok()) return ReportError(head.status());
  if (Status written = WriteOutput(context, DumpJson(ledger::TreeHeadToJson(*head), 2) + "\n"); !written.ok()) {
    return ReportError(written);
  }
  return kExitClean;
}

// RFC 9162 proofs over the disclosure log, checked before they are printed (the shape of `tutela vault proof`, plus
// the entry itself for an inclusion proof, so its leaf hash can be recomputed).
int RunDisclosuresProof(const Context& context, const DiscloseOptions& options, bool inclusion) {
  auto format = context.Format("pims disclosures proof", "json", {"json", "table"});
  if (!format.ok()) return ReportError(format.status());
  auto log = OpenLogReadOnly(options);
  if (!log.ok()) return ReportError(log.status());
  const ledger::Log& ledger = (*log)->ledger();
  uint64_t size = options.size == 0 ? ledger.size() : options.size;
  auto root = ledger.RootAt(size);
  if (!root.ok()) return ReportError(root.status());
  nlohmann::json document;
  nlohmann::json hashes;
  std::string text;
  if (inclusion) {
    auto proof = ledger.ProveInclusion(options.index, size);
    if (!proof.ok()) return ReportError(proof.status());
    auto leaf = ledger.LeafHashAt(options.index);
    if (!leaf.ok()) return ReportError(leaf.status());
    auto entry = ledger.Entry(options.index);
    if (!entry.ok()) return ReportError(entry.status());
    if (Status check = ledger::VerifyInclusion(*leaf, options.index, size, *proof, *root); !check.ok()) {
      return ReportError(check);
    }
    text = "inclusion of entry " + std::to_string(options.index) + " (leaf " + ToHex(*leaf) + ") in tree " +
           std::to_string(size) + " (root " + ToHex(*root) + "):\n" + ProofHashes(*proof, hashes) + "entry: " + *entry +
           "\n";
    document = {{"type", "inclusion"},  {"index", options.index}, {"tree_size", size}, {"leaf_hash", ToHex(*leaf)},
                {"root", ToHex(*root)}, {"proof", hashes},        {"entry", *entry}};
  } else {
    auto old_root = ledger.RootAt(options.old_size);
    if (!old_root.ok()) return ReportError(old_root.status());
    auto proof = ledger.ProveConsistency(options.old_size, size);
    if (!proof.ok()) return ReportError(proof.status());
    if (Status check = ledger::VerifyConsistency(options.old_size, size, *old_root, *root, *proof); !check.ok()) {
      return ReportError(check);
    }
    text = "consistency of tree " + std::to_string(options.old_size) + " (root " + ToHex(*old_root) + ") with tree " +
           std::to_string(size) + " (root " + ToHex(*root) + "):\n" + ProofHashes(*proof, hashes);
    document = {{"type", "consistency"}, {"old_size", options.old_size}, {"old_root", ToHex(*old_root)},
                {"new_size", size},      {"new_root", ToHex(*root)},     {"proof", hashes}};
  }
  std::string out = *format == "json" ? DumpJson(document, 2) + "\n" : text;
  if (Status written = WriteOutput(context, out); !written.ok()) return ReportError(written);
  return kExitClean;
}

// Checks a signed tree head kept earlier against the log today: exit 0 when the log still extends it, 1 when the
// signature fails or the history changed, 2 on unreadable input.
int RunDisclosuresVerify(const Context& context, const DiscloseOptions& options) {
  auto document = LoadJsonFile(options.head_file);
  if (!document.ok()) return ReportError(document.status());
  auto head = ledger::TreeHeadFromJson(*document, options.head_file);
  if (!head.ok()) return ReportError(head.status());
  std::string trusted;
  if (!options.public_key.empty()) {
    auto key = FromHex(options.public_key);
    if (!key.ok() || key->size() != 32) {
      return ReportError(Status::InvalidArgument("--public-key must be the 64 hex digits of an Ed25519 public key."));
    }
    trusted = *key;
  }
  auto log = OpenLogReadOnly(options);
  if (!log.ok()) return ReportError(log.status());
  ledger::TreeHead now = (*log)->Head();
  Status check = (*log)->CheckHead(*head, trusted);
  std::string text;
  if (check.ok()) {
    text = "consistent: the head of " + std::to_string(head->size) + " entries signed at " + FormatRfc3339(head->time) +
           " is a prefix of the log (" + std::to_string(now.size) + " entries, root " + ToHex(now.root) + ")" +
           (trusted.empty() ? "; signature checked against the key in the head only" : "") + "\n";
  } else {
    text = "FAILED: " + check.message() + "\n";
  }
  if (Status written = WriteOutput(context, text); !written.ok()) return ReportError(written);
  return check.ok() ? kExitClean : kExitFindings;
}

int RunRisk(const Context& context, const RegisterOptions& options) {
  auto format = context.Format("pims risk", "json", {"json", "markdown"});
  if (!format.ok()) return ReportError(format.status());
  auto rules = LoadRules(options.jurisdictions);
  if (!rules.ok()) return ReportError(rules.status());
  auto processing = pims::LoadRegister(options.register_file);
  if (!processing.ok()) return ReportError(processing.status());
  std::vector<pims::InventoryStore> inventory;
  if (!options.pii_inventory.empty()) {
    auto parsed = LoadInventory(options.pii_inventory);
    if (!parsed.ok()) return ReportError(parsed.status());
    inventory = std::move(parsed).value();
  }
  std::vector<pims::AssessmentResult> results;
  if (!options.assessment.empty()) {
    auto document = LoadJsonFile(options.assessment);
    if (!document.ok()) return ReportError(document.status());
    auto parsed = pims::ParseAssessmentResults(*document, options.assessment);
    if (!parsed.ok()) return ReportError(parsed.status());
    results = std::move(parsed).value();
  }
  auto risks = pims::EvaluateRisk(*processing, *rules, inventory, options.assessment.empty() ? nullptr : &results);
  std::string text = *format == "json" ? DumpJson(pims::RiskToJson(risks), 2) + "\n" : pims::RiskToMarkdown(risks);
  if (Status written = WriteOutput(context, text); !written.ok()) return ReportError(written);
  return kExitClean;
}

}  // namespace

void AddPimsCommands(CLI::App& app, Context& context) {
  CLI::App* pims = app.add_subcommand("pims", "Privacy program: jurisdiction rules, processing register");
  pims->require_subcommand(1);
  auto directory = std::make_shared<std::string>();
  CLI::App* jurisdictions =
      pims->add_subcommand("jurisdictions", "Load, validate and list the jurisdiction rules (catalog/jurisdictions/)");
  jurisdictions->add_option("--jurisdictions", *directory, "Rule folder (default: the catalog's)")->type_name("DIR");
  jurisdictions->callback(
      [&context, directory] { context.run = [&context, directory] { return RunJurisdictions(context, *directory); }; });

  CLI::App* register_group = pims->add_subcommand("register", "The register of processing activities (register.yaml)");
  register_group->require_subcommand(1);
  auto register_options = std::make_shared<RegisterOptions>();
  CLI::App* lint = register_group->add_subcommand(
      "lint", "Check register.yaml (docs/formats/register.md); exit 1 on errors, warnings are listed");
  lint->add_option("REGISTER", register_options->register_file, "register.yaml")->required()->type_name("FILE");
  lint->add_option("--jurisdictions", register_options->jurisdictions, "Rule folder (default: the catalog's)")
      ->type_name("DIR");
  lint->callback([&context, register_options] {
    context.run = [&context, register_options] { return RunRegisterLint(context, *register_options); };
  });
  auto sync_options = std::make_shared<RegisterOptions>();
  CLI::App* sync = register_group->add_subcommand(
      "sync", "Compare the register with a PII inventory: undeclared processing (exit 1) and declared-but-unseen PII");
  sync->add_option("REGISTER", sync_options->register_file, "register.yaml")->required()->type_name("FILE");
  sync->add_option("--pii-inventory", sync_options->pii_inventory, "PII inventory JSON")->required()->type_name("FILE");
  sync->callback([&context, sync_options] {
    context.run = [&context, sync_options] { return RunRegisterSync(context, *sync_options); };
  });

  auto decide_options = std::make_shared<DecideOptions>();
  CLI::App* decide = pims->add_subcommand(
      "decide", "Permit or deny a use of PII under a register activity, with obligations (exit 0 permit, 1 deny)");
  decide->add_option("--register", decide_options->register_file, "register.yaml")->required()->type_name("FILE");
  decide->add_option("--activity", decide_options->request.activity, "Activity id")->required()->type_name("ID");
  decide->add_option("--purpose", decide_options->request.purpose, "Purpose of the use")->required()->type_name("P");
  decide->add_option("--requester", decide_options->request.requester, "Who asks (\"self\" for the controller)")
      ->required()
      ->type_name("R");
  decide->add_option("--data", decide_options->request.data, "PII entity ids or categories")
      ->required()
      ->type_name("ENTITY...");
  decide->add_option("--jurisdictions", decide_options->jurisdictions, "Rule folder (default: the catalog's)")
      ->type_name("DIR");
  decide
      ->add_option("--log", decide_options->log, "Disclosure log (default: $XDG_DATA_HOME/tutela/pims-disclosures.log)")
      ->type_name("FILE");
  decide->callback([&context, decide_options] {
    context.run = [&context, decide_options] { return RunDecide(context, *decide_options); };
  });

  auto disclose_options = std::make_shared<DiscloseOptions>();
  CLI::App* disclose = pims->add_subcommand(
      "disclose", "Record a disclosure of PII to a third party, sub-processor or authority in the disclosure log");
  pims::Disclosure& disclosure = disclose_options->disclosure;
  disclose->add_option("--activity", disclosure.activity, "Register activity id")->required()->type_name("ID");
  disclose->add_option("--recipient", disclosure.recipient, "Who received the data")->required()->type_name("NAME");
  disclose->add_option("--kind", disclosure.recipient_kind, "third-party, sub-processor or authority")
      ->required()
      ->check(CLI::IsMember({"third-party", "sub-processor", "authority"}))
      ->type_name("KIND");
  disclose->add_option("--data", disclosure.data, "PII entity ids or categories")->required()->type_name("ENTITY...");
  disclose->add_option("--basis", disclosure.basis, "Contract clause, legal order or consent")
      ->required()
      ->type_name("TEXT");
  disclose->add_option("--subjects", disclosure.subjects, "Number of data subjects")->type_name("N");
  disclose->add_option("--reference", disclosure.reference, "Request or case number")->type_name("REF");
  disclose->add_option("--log", disclose_options->log, "Disclosure log (default as for decide)")->type_name("FILE");
  disclose->callback([&context, disclose_options] {
    context.run = [&context, disclose_options] { return RunDisclose(context, *disclose_options); };
  });

  auto list_options = std::make_shared<DiscloseOptions>();
  CLI::App* disclosures = pims->add_subcommand(
      "disclosures",
      "List the decisions and disclosures in the tamper-evident log, with its Merkle tree head; `head`, `proof` and "
      "`verify` sign, prove and check it");
  disclosures->add_option("--log", list_options->log, "Disclosure log (default as for decide)")->type_name("FILE");
  CLI::App* head = disclosures->add_subcommand("head", "Sign the log's current tree head (Ed25519) and print it");
  head->add_option("--log", list_options->log, "Disclosure log (default as for decide)")->type_name("FILE");
  head->add_option("--key", list_options->key, "Signing key, PEM (default: <log>-key.pem beside the log; created)")
      ->type_name("FILE");
  head->callback([&context, list_options] {
    context.run = [&context, list_options] { return RunDisclosuresHead(context, *list_options); };
  });
  CLI::App* proof = disclosures->add_subcommand("proof", "Print an RFC 9162 inclusion or consistency proof");
  proof->require_subcommand(1);
  CLI::App* inclusion = proof->add_subcommand("inclusion", "Proof that entry INDEX is in the tree (with the entry)");
  inclusion->add_option("--log", list_options->log, "Disclosure log (default as for decide)")->type_name("FILE");
  inclusion->add_option("--index", list_options->index, "Entry index")->required();
  inclusion->add_option("--size", list_options->size, "Tree size (default: the whole log)");
  inclusion->callback([&context, list_options] {
    context.run = [&context, list_options] { return RunDisclosuresProof(context, *list_options, true); };
  });
  CLI::App* consistency = proof->add_subcommand("consistency", "Proof that tree OLD is a prefix of tree SIZE");
  consistency->add_option("--log", list_options->log, "Disclosure log (default as for decide)")->type_name("FILE");
  consistency->add_option("--old", list_options->old_size, "Earlier tree size")->required();
  consistency->add_option("--size", list_options->size, "Later tree size (default: the whole log)");
  consistency->callback([&context, list_options] {
    context.run = [&context, list_options] { return RunDisclosuresProof(context, *list_options, false); };
  });
  CLI::App* verify = disclosures->add_subcommand(
      "verify", "Check a signed tree head kept earlier: signature, and that the log still extends it (exit 1 if not)");
  verify->add_option("HEAD", list_options->head_file, "Signed tree head JSON (from `disclosures head`)")
      ->required()
      ->type_name("FILE");
  verify->add_option("--log", list_options->log, "Disclosure log (default as for decide)")->type_name("FILE");
  verify->add_option("--public-key", list_options->public_key, "Trusted Ed25519 public key (hex)")->type_name("HEX");
  verify->callback([&context, list_options] {
    context.run = [&context, list_options] { return RunDisclosuresVerify(context, *list_options); };
  });
  // The listing runs when no subcommand was given (CLI11 runs this callback after a subcommand's).
  disclosures->callback([&context, list_options, disclosures] {
    if (!disclosures->get_subcommands().empty()) return;
    context.run = [&context, list_options] { return RunDisclosures(context, *list_options); };
  });

  auto risk_options = std::make_shared<RegisterOptions>();
  CLI::App* risk = pims->add_subcommand(
      "risk", "Per-activity likelihood, impact, residual risk and required impact assessments (json, markdown)");
  risk->add_option("--register", risk_options->register_file, "register.yaml")->required()->type_name("FILE");
  risk->add_option("--pii-inventory", risk_options->pii_inventory, "PII inventory JSON (volumes)")->type_name("FILE");
  risk->add_option("--assessment", risk_options->assessment,
                   "Results of `tutela assess --format json`: exposure and encryption of the stores' Terraform "
                   "addresses")
      ->type_name("RESULTS.json");
  risk->add_option("--jurisdictions", risk_options->jurisdictions, "Rule folder (default: the catalog's)")
      ->type_name("DIR");
  risk->callback(
      [&context, risk_options] { context.run = [&context, risk_options] { return RunRisk(context, *risk_options); }; });

  CLI::App* breach = app.add_subcommand("breach", "Breach assessment with per-jurisdiction notification deadlines");
  breach->require_subcommand(1);
  auto options = std::make_shared<BreachOptions>();
  CLI::App* assess = breach->add_subcommand(
      "assess",
      "Who must be notified of an incident, by when and why, plus the response plan (json, markdown, html; "
      "see docs/formats/incident.md)");
  assess->add_option("INCIDENT", options->incident, "Incident YAML file")->required()->type_name("FILE");
  assess->add_option("--jurisdictions", options->jurisdictions, "Rule folder (default: the catalog's)")
      ->type_name("DIR");
  assess
      ->add_option("--register", options->register_file,
                   "Register of processing: resolves affected stores and activities, fills left-out categories")
      ->type_name("FILE");
  assess
      ->add_option("--pii-inventory", options->pii_inventory,
                   "PII inventory (docs/formats/pii-inventory.md): entities found in the affected stores")
      ->type_name("FILE");
  assess->add_option("--ics", options->ics, "Also write the deadlines as iCalendar events to FILE")->type_name("FILE");
  assess->callback(
      [&context, options] { context.run = [&context, options] { return RunBreachAssess(context, *options); }; });
}

}  // namespace tutela::cli
