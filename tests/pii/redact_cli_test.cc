// End-to-end: tutela pii redact and pii restore through the binary — byte-exact round trip of the example customer
// file, the token manifest, the restore audit log on the ledger, and every refusal leaving no output behind.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "test_support.h"
#include "tutela/ledger/log.h"

namespace tutela {
namespace {

using testing::ReadFile;
using testing::RunTutela;
using testing::SourceDir;
using testing::TempDir;
using testing::WriteFile;

constexpr char kPolicy[] =
    "default: {operator: tokenize}\n"
    "columns:\n"
    "  customer_id: {skip: true}\n"
    "  card_number: {operator: tokenize, entity: CREDIT_CARD}\n"
    "  national_id: {operator: tokenize, entity: NATIONAL_ID}\n";

class RedactCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(RunTutela({"keys", "create", "--output", "keys.json"}, {}, dir.path()).exit_code, 0);
    std::filesystem::copy_file(SourceDir() / "examples" / "pii" / "customers.csv", dir / "customers.csv");
    WriteFile(dir / "policy.yaml", kPolicy);
  }
  TempDir dir;
};

TEST_F(RedactCliTest, TokenizeThenRestoreIsByteIdenticalAndAudited) {
  auto redacted = RunTutela(
      {"pii", "redact", "customers.csv", "--policy", "policy.yaml", "--key-file", "keys.json", "--output", "safe.csv"},
      {}, dir.path());
  ASSERT_EQ(redacted.exit_code, 0) << redacted.err;
  std::string original = ReadFile(dir / "customers.csv");
  std::string safe = ReadFile(dir / "safe.csv");
  EXPECT_EQ(safe.find("6298369006026774"), std::string::npos);
  EXPECT_EQ(safe.find("li.wei@corp-mail.cn"), std::string::npos);
  EXPECT_EQ(safe.substr(0, safe.find('\n')), original.substr(0, original.find('\n')));
  EXPECT_TRUE(std::filesystem::exists(dir / "safe.csv.tokens.json"));
  EXPECT_NE(redacted.err.find("wrote safe.csv and safe.csv.tokens.json"), std::string::npos) << redacted.err;

  auto restored = RunTutela(
      {"pii", "restore", "safe.csv", "--key-file", "keys.json", "--audit-log", "audit.log", "--output", "back.csv"}, {},
      dir.path());
  ASSERT_EQ(restored.exit_code, 0) << restored.err;
  EXPECT_EQ(ReadFile(dir / "back.csv"), original);
  EXPECT_NE(restored.err.find("audit entry 0 in audit.log"), std::string::npos) << restored.err;

  auto log = ledger::Log::Open(dir / "audit.log", {.read_only = true});
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  ASSERT_EQ((*log)->size(), 1u);
  std::string entry = *(*log)->Entry(0);
  EXPECT_NE(entry.find("\"event\":\"pii.restore\""), std::string::npos) << entry;
  EXPECT_NE(entry.find("\"values\":48"), std::string::npos) << entry;
  EXPECT_EQ(entry.find("li.wei"), std::string::npos) << "the audit log holds no PII";

  auto listed = RunTutela({"pii", "restores", "--audit-log", "audit.log"}, {}, dir.path());
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find("restored 48 value(s) of "), std::string::npos) << listed.out;
  EXPECT_NE(listed.out.find("1 entries; tree root "), std::string::npos) << listed.out;
  auto missing = RunTutela({"pii", "restores", "--audit-log", "nope.log"}, {}, dir.path());
  EXPECT_EQ(missing.exit_code, 2);
}

// Regression (found by the bad-input hunt): a token manifest whose field entity was changed (a typo, or on purpose)
// restored plausible but wrong national ids with exit 0. Manifests are now sealed with a key derived from the
// token key; a changed one is refused and nothing is written or audited. An unsealed (older) manifest still
// restores, with a warning.
TEST_F(RedactCliTest, AChangedTokenManifestIsRefusedInsteadOfRestoringWrongValues) {
  ASSERT_EQ(RunTutela({"pii", "redact", "customers.csv", "--policy", "policy.yaml", "--key-file", "keys.json",
                       "--output", "safe.csv"},
                      {}, dir.path())
                .exit_code,
            0);
  std::string manifest = ReadFile(dir / "safe.csv.tokens.json");
  ASSERT_NE(manifest.find("\"mac\": \""), std::string::npos) << manifest;
  std::string changed = manifest;
  size_t at = changed.find("\"NATIONAL_ID\"");
  ASSERT_NE(at, std::string::npos) << manifest;
  changed.replace(at, 13, "\"NO_SUCH_ID\"");
  WriteFile(dir / "safe.csv.tokens.json", changed);
  auto refused = RunTutela(
      {"pii", "restore", "safe.csv", "--key-file", "keys.json", "--audit-log", "audit.log", "--output", "back.csv"}, {},
      dir.path());
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("safe.csv.tokens.json: the token manifest was changed"), std::string::npos) << refused.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "back.csv"));
  EXPECT_FALSE(std::filesystem::exists(dir / "audit.log"));

  // The same manifest without its check value (as an older Tutela wrote it): restored, with a warning.
  std::string unsealed = manifest;
  size_t mac = unsealed.find(",\n  \"mac\"");
  ASSERT_NE(mac, std::string::npos) << manifest;
  unsealed.erase(mac, unsealed.find('\n', mac + 2) - mac);
  WriteFile(dir / "safe.csv.tokens.json", unsealed);
  auto restored = RunTutela(
      {"pii", "restore", "safe.csv", "--key-file", "keys.json", "--audit-log", "audit.log", "--output", "back.csv"}, {},
      dir.path());
  ASSERT_EQ(restored.exit_code, 0) << restored.err << unsealed;
  EXPECT_NE(restored.err.find("carries no check value"), std::string::npos) << restored.err;
  EXPECT_EQ(ReadFile(dir / "back.csv"), ReadFile(dir / "customers.csv"));
}

// Without a manifest into a file, restore streams in bounded memory: same bytes as to standard output, the same
// audit record (input digest, count), and no output file when the audit entry cannot be written or a token fails.
TEST_F(RedactCliTest, StreamedRestoreOfTextIsByteIdenticalAuditedFirstAndLeavesNothingOnFailure) {
  std::string text;
  for (int row = 0; row < 2000; ++row) {
    text += "row " + std::to_string(row) + " card 4983690060267730 mail li.wei@corp-mail.cn \u27e6 literal\n";
  }
  WriteFile(dir / "notes.txt", text);
  ASSERT_EQ(RunTutela({"pii", "redact", "notes.txt", "--operator", "tokenize", "--key-file", "keys.json", "-o",
                       "notes.tok"},
                      {}, dir.path())
                .exit_code,
            0);
  auto to_file = RunTutela(
      {"pii", "restore", "notes.tok", "--key-file", "keys.json", "--audit-log", "audit.log", "-o", "back.txt"}, {},
      dir.path());
  ASSERT_EQ(to_file.exit_code, 0) << to_file.err;
  EXPECT_EQ(ReadFile(dir / "back.txt"), text);
  auto to_stdout =
      RunTutela({"pii", "restore", "notes.tok", "--key-file", "keys.json", "--audit-log", "audit.log"}, {}, dir.path());
  ASSERT_EQ(to_stdout.exit_code, 0) << to_stdout.err;
  EXPECT_EQ(to_stdout.out, text);
  auto log = ledger::Log::Open(dir / "audit.log", {.read_only = true});
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  ASSERT_EQ((*log)->size(), 2u);
  auto first = (*log)->Entry(0), second = (*log)->Entry(1);
  ASSERT_TRUE(first.ok() && second.ok());
  auto digest = [](const std::string& entry) { return entry.substr(entry.find("\"input_sha256\""), 82); };
  EXPECT_EQ(digest(*first), digest(*second));
  EXPECT_NE(first->find("\"values\":4000"), std::string::npos) << *first;

  // The audit log cannot be written (its path is a folder): refused, and no output appears.
  std::filesystem::create_directory(dir / "a-folder");
  auto unaudited = RunTutela(
      {"pii", "restore", "notes.tok", "--key-file", "keys.json", "--audit-log", "a-folder", "-o", "never.txt"}, {},
      dir.path());
  EXPECT_EQ(unaudited.exit_code, 2);
  EXPECT_FALSE(std::filesystem::exists(dir / "never.txt"));
  // A token that fails in the middle of the file: refused, no output, no audit entry.
  std::string damaged = ReadFile(dir / "notes.tok");
  const size_t middle = damaged.find("\u27e6tok:", damaged.size() / 2) + std::string("\u27e6tok:").size();
  damaged.replace(middle, damaged.find(':', middle) - middle, "kdeadbeef");
  WriteFile(dir / "damaged.tok", damaged);
  auto failed = RunTutela(
      {"pii", "restore", "damaged.tok", "--key-file", "keys.json", "--audit-log", "audit.log", "-o", "never.txt"}, {},
      dir.path());
  EXPECT_EQ(failed.exit_code, 2);
  EXPECT_NE(failed.err.find("damaged.tok:"), std::string::npos) << failed.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "never.txt"));
  auto reopened = ledger::Log::Open(dir / "audit.log", {.read_only = true});
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ((*reopened)->size(), 2u);
}

// Regression: listing a restore audit log that does not exist said "the ledger file does not exist; initialise the
// store first." (the vault's words, no help here).
TEST_F(RedactCliTest, ListingRestoresOfALogThatDoesNotExistSaysHowItIsCreated) {
  auto missing = RunTutela({"pii", "restores", "--audit-log", "nope.log"}, {}, dir.path());
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_EQ(missing.err,
            "tutela: error: nope.log: no restore audit log there yet; `tutela pii restore` creates it with the first "
            "restore, or pass --audit-log with the log's path.\n");
  EXPECT_FALSE(std::filesystem::exists(dir / "nope.log"));
}

TEST_F(RedactCliTest, DefaultRedactionOfStdinLeavesNothingToFind) {
  std::string original = ReadFile(dir / "customers.csv");
  auto redacted = RunTutela({"pii", "redact", "-", "--format", "csv"}, original, dir.path());
  ASSERT_EQ(redacted.exit_code, 0) << redacted.err;
  EXPECT_NE(redacted.out.find("<EMAIL_ADDRESS>"), std::string::npos);
  WriteFile(dir / "out.csv", redacted.out);
  auto rescan = RunTutela({"pii", "scan", "out.csv", "--format", "json"}, {}, dir.path());
  EXPECT_EQ(rescan.exit_code, 0) << rescan.err;
  EXPECT_NE(rescan.out.find("\"findings\": []"), std::string::npos) << rescan.out;
}

TEST_F(RedactCliTest, RefusalsExitTwoAndWriteNothing) {
  WriteFile(dir / "safe.csv", "old content\n");
  // A key file others may read.
  ASSERT_EQ(::chmod((dir / "keys.json").c_str(), 0644), 0);
  auto open_key = RunTutela(
      {"pii", "redact", "customers.csv", "--policy", "policy.yaml", "--key-file", "keys.json", "--output", "safe.csv"},
      {}, dir.path());
  EXPECT_EQ(open_key.exit_code, 2);
  EXPECT_NE(open_key.err.find("chmod 600"), std::string::npos) << open_key.err;
  EXPECT_EQ(ReadFile(dir / "safe.csv"), "old content\n");
  ASSERT_EQ(::chmod((dir / "keys.json").c_str(), 0600), 0);

  // Tokenizing declared fields to stdout without a manifest path.
  auto no_manifest = RunTutela({"pii", "redact", "customers.csv", "--policy", "policy.yaml", "--key-file", "keys.json"},
                               {}, dir.path());
  EXPECT_EQ(no_manifest.exit_code, 2);
  EXPECT_TRUE(no_manifest.out.empty());
  EXPECT_NE(no_manifest.err.find("--token-manifest"), std::string::npos) << no_manifest.err;

  // A keyed operator without a key.
  auto no_key = RunTutela({"pii", "redact", "customers.csv", "--operator", "hash", "-o", "safe.csv"}, {}, dir.path());
  EXPECT_EQ(no_key.exit_code, 2);
  EXPECT_EQ(ReadFile(dir / "safe.csv"), "old content\n");

  // Restore with a keyring that did not make the tokens.
  ASSERT_EQ(RunTutela({"pii", "redact", "customers.csv", "--policy", "policy.yaml", "--key-file", "keys.json", "-o",
                       "tok.csv"},
                      {}, dir.path())
                .exit_code,
            0);
  ASSERT_EQ(RunTutela({"keys", "create", "--output", "other.json"}, {}, dir.path()).exit_code, 0);
  auto foreign =
      RunTutela({"pii", "restore", "tok.csv", "--key-file", "other.json", "--audit-log", "audit.log", "-o", "back.csv"},
                {}, dir.path());
  EXPECT_EQ(foreign.exit_code, 2);
  EXPECT_NE(foreign.err.find("which the keyring does not hold"), std::string::npos) << foreign.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "back.csv"));
  EXPECT_EQ(foreign.err.find("6298369006026774"), std::string::npos);
}

}  // namespace
}  // namespace tutela
