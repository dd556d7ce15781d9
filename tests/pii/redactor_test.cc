// Tests of tokenization and of the Redactor: every golden value of every entity tokenizes and restores exactly, the
// default policy leaves nothing a re-scan can find, CSV and JSON keep their structure on tricky inputs, block-wise
// parallel redaction equals whole-buffer redaction, and restore refuses foreign keys and damaged tokens.
#include "tutela/pii/redactor.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <set>
#include <thread>

#include "pii_test_support.h"
#include "test_support.h"
#include "tutela/core/data.h"
#include "tutela/core/file_util.h"
#include "tutela/pii/catalog.h"
#include "tutela/pii/structured.h"

namespace tutela::pii {
namespace {

using tutela::testing::SourceDir;

std::shared_ptr<const Ruleset> Rules() { return testing::BuiltinRules(); }

const Keyring& Keys() {
  static Keyring keyring = *Keyring::Generate();
  return keyring;
}

RedactionPolicy PolicyFrom(std::string_view yaml) {
  auto policy = RedactionPolicy::Parse(yaml, "policy.yaml");
  EXPECT_TRUE(policy.ok()) << policy.status().ToString();
  return *policy;
}

Result<std::string> Redact(std::string_view input, RedactFormat format, const RedactionPolicy& policy,
                           RedactStats* stats = nullptr, const Keyring* keyring = &Keys(), size_t block = 4 << 20,
                           TokenManifest* manifest = nullptr) {
  RedactOptions options;
  options.format = format;
  options.block_size = block;
  options.threads = 2;
  TUTELA_ASSIGN_OR_RETURN(std::unique_ptr<Redactor> redactor, Redactor::Create(Rules(), policy, keyring, options));
  RedactStats local;
  std::string out;
  int fds[2];
  EXPECT_EQ(::pipe(fds), 0);
  std::thread feeder([&] {
    std::string_view rest = input;
    while (!rest.empty()) {
      ssize_t written = ::write(fds[1], rest.data(), std::min<size_t>(rest.size(), 1 << 16));
      if (written <= 0) break;
      rest.remove_prefix(static_cast<size_t>(written));
    }
    ::close(fds[1]);
  });
  Status status = redactor->Redact(
      fds[0], "input",
      [&](std::string_view data) {
        out.append(data);
        return Status::Ok();
      },
      stats != nullptr ? stats : &local);
  feeder.join();
  ::close(fds[0]);
  TUTELA_RETURN_IF_ERROR(status);
  if (manifest != nullptr) *manifest = redactor->manifest();
  return out;
}

Result<std::string> Restore(std::string_view text, const TokenManifest* manifest = nullptr,
                            const Keyring& keyring = Keys(), RestoreStats* stats = nullptr) {
  TUTELA_ASSIGN_OR_RETURN(std::unique_ptr<Tokenizer> tokenizer, Tokenizer::Create(keyring));
  RestoreStats local;
  return RestoreTokens(text, "output", *tokenizer, Rules()->catalog(), manifest, stats ? stats : &local);
}

class Collect : public Sink {
 public:
  void OnFinding(const Finding& finding) override { entities.push_back(finding.entity->id); }
  std::vector<std::string> entities;
};

std::vector<std::string> ScanText(std::string_view text, std::string_view name = "x.txt") {
  Collect collect;
  auto scanner = Scanner::Create(Rules(), ScanOptions{});
  EXPECT_TRUE(scanner.ok());
  EXPECT_TRUE((*scanner)->ScanBuffer(text, name, collect).ok());
  return collect.entities;
}

std::vector<std::pair<std::string, std::string>> GoldenValid() {
  std::vector<std::pair<std::string, std::string>> lines;
  auto document = LoadYamlFile(SourceDir() / "tests" / "pii" / "golden" / "cases.yaml");
  EXPECT_TRUE(document.ok());
  for (const YAML::Node& group : (*document)["cases"]) {
    for (const YAML::Node& line : group["valid"]) {
      lines.emplace_back(group["entity"].as<std::string>(), line.as<std::string>());
    }
  }
  return lines;
}

TEST(TokenizerTest, EveryGoldenValueOfEveryEntityTokenizesAndRestoresExactly) {
  RedactionPolicy tokenize = PolicyFrom("default: {operator: tokenize}\n");
  size_t checked = 0;
  std::set<std::string> entities;
  for (const auto& [entity, line] : GoldenValid()) {
    RedactStats stats;
    auto redacted = Redact(line + "\n", RedactFormat::kText, tokenize, &stats);
    ASSERT_TRUE(redacted.ok()) << entity << ": " << redacted.status().ToString();
    EXPECT_GE(stats.tokens, 1u) << line;
    EXPECT_NE(*redacted, line + "\n");
    auto restored = Restore(*redacted);
    ASSERT_TRUE(restored.ok()) << restored.status().ToString();
    EXPECT_EQ(*restored, line + "\n") << entity;
    entities.insert(entity);
    ++checked;
  }
  EXPECT_GE(entities.size(), 29u);
  EXPECT_GT(checked, 90u);
}

TEST(TokenizerTest, TokensKeepTheShapeAndCheckCharactersAreForcedInvalidByDefault) {
  auto tokenizer = Tokenizer::Create(Keys());
  ASSERT_TRUE(tokenizer.ok());
  TokenEntity card{"CREDIT_CARD", FindValidator("credit_card"), true};
  auto token = (*tokenizer)->Tokenize("4983 6900 6026 7730", card, {});
  ASSERT_TRUE(token.ok());
  EXPECT_TRUE(token->check_mode);
  EXPECT_FALSE(token->valid);
  ASSERT_EQ(token->text.size(), 19u);
  for (size_t at : {4, 9, 14}) EXPECT_EQ(token->text[at], ' ');
  size_t start = 0, end = token->text.size();
  EXPECT_LE(card.validator(token->text, start, end), kInvalid) << "a default token must never pass as a card";

  // Valid tokens where nothing but the check digit constrains the number (a card's encrypted issuer prefix rarely
  // falls in a real IIN range, so card tokens stay invalid; the stats count the valid ones).
  TokenEntity my_number{"JP_MY_NUMBER", FindValidator("jp_my_number"), true};
  TokenOptions valid;
  valid.valid_tokens = true;
  auto invalid_token = (*tokenizer)->Tokenize("202405150010", my_number, {});
  auto realistic = (*tokenizer)->Tokenize("202405150010", my_number, valid);
  ASSERT_TRUE(realistic.ok() && invalid_token.ok());
  EXPECT_TRUE(realistic->valid);
  EXPECT_FALSE(invalid_token->valid);
  start = 0, end = realistic->text.size();
  EXPECT_GT(my_number.validator(realistic->text, start, end), kInvalid);
  start = 0, end = invalid_token->text.size();
  EXPECT_LE(my_number.validator(invalid_token->text, start, end), kInvalid);
  // The same value, made invalid or valid, differs only in the check digit.
  EXPECT_EQ(realistic->text.substr(0, 11), invalid_token->text.substr(0, 11));
  EXPECT_NE(realistic->text[11], invalid_token->text[11]);

  TokenEntity nric{"SG_NRIC_FIN", FindValidator("sg_nric"), true};
  auto nric_token = (*tokenizer)->Tokenize("S1234567D", nric, {});
  ASSERT_TRUE(nric_token.ok());
  EXPECT_EQ(nric_token->text[0], 'S');  // one letter is too few to encrypt: the series letter stays
  EXPECT_TRUE(std::isupper(static_cast<unsigned char>(nric_token->text[8])));
  auto back = (*tokenizer)->Restore(nric_token->text, (*tokenizer)->active_key_id(), nric, true, {});
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, "S1234567D");
}

TEST(TokenizerTest, KeepingTheIssuerPrefixGivesValidCardTokens) {
  RedactionPolicy policy = PolicyFrom(
      "entities:\n  CREDIT_CARD: {operator: tokenize, keep_first: 6, valid: true}\n"
      "columns:\n  card: {operator: tokenize, entity: CREDIT_CARD, keep_first: 6, valid: true}\n");
  std::string csv = "card,note\n4983690060267730,paid with 5154 6848 7452 6852\n";
  RedactStats stats;
  TokenManifest manifest;
  auto redacted = Redact(csv, RedactFormat::kCsv, policy, &stats, &Keys(), 4 << 20, &manifest);
  ASSERT_TRUE(redacted.ok()) << redacted.status().ToString();
  EXPECT_EQ(stats.tokens, 2u);
  EXPECT_EQ(stats.valid_tokens, 2u);
  std::string bare = redacted->substr(redacted->find('\n') + 1, 16);
  EXPECT_EQ(bare.substr(0, 6), "498369");
  EXPECT_NE(bare, "4983690060267730");
  size_t start = 0, end = bare.size();
  EXPECT_GT(FindValidator("credit_card")(bare, start, end), kInvalid) << bare;
  EXPECT_NE(redacted->find(":CREDIT_CARD:ck6:5154 68"), std::string::npos) << *redacted;
  EXPECT_NE(manifest.ToJson().find("\"keep_first\": 6"), std::string::npos);
  // In the documented order (docs/formats/token-manifest.md), not sorted: format first.
  EXPECT_EQ(manifest.ToJson().rfind("{\n  \"format\": \"tutela.tokens/1\",\n  \"key_id\": ", 0), 0u)
      << manifest.ToJson();
  auto parsed = TokenManifest::Parse(manifest.ToJson(), "m.json");
  ASSERT_TRUE(parsed.ok());
  auto restored = Restore(*redacted, &*parsed);
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  EXPECT_EQ(*restored, csv);
}

TEST(TokenizerTest, DeterministicPerKeyAndEntityAndDifferentAcrossKeys) {
  auto first = Tokenizer::Create(Keys());
  auto again = Tokenizer::Create(Keys());
  auto other_keys = Keyring::Generate();
  auto other = Tokenizer::Create(*other_keys);
  TokenEntity email{"EMAIL_ADDRESS", FindValidator("email"), false};
  TokenEntity contact{"CONTACT", nullptr, false};
  auto a = (*first)->Tokenize("li.wei@corp-mail.cn", email, {});
  auto b = (*again)->Tokenize("li.wei@corp-mail.cn", email, {});
  auto c = (*other)->Tokenize("li.wei@corp-mail.cn", email, {});
  auto d = (*first)->Tokenize("li.wei@corp-mail.cn", contact, {});
  ASSERT_TRUE(a.ok() && b.ok() && c.ok() && d.ok());
  EXPECT_EQ(a->text, b->text);
  EXPECT_NE(a->text, c->text);
  EXPECT_NE(a->text, d->text);  // the tweak is the entity id
  EXPECT_EQ(a->text.find('@'), std::string("li.wei@corp-mail.cn").find('@'));
}

TEST(TokenizerTest, TooShortValuesAreRefusedWithoutNamingThem) {
  auto tokenizer = Tokenizer::Create(Keys());
  auto token = (*tokenizer)->Tokenize("12345", {"ZIP", nullptr, false}, {});
  ASSERT_FALSE(token.ok());
  EXPECT_NE(token.status().message().find("too short to tokenize safely"), std::string::npos);
  EXPECT_EQ(token.status().message().find("12345"), std::string::npos);
}

TEST(TokenizerTest, TokensOfARotatedKeyStillRestore) {
  Keyring keyring = *Keyring::Generate();
  RedactionPolicy tokenize = PolicyFrom("default: {operator: tokenize}\n");
  std::string input = "card 4983690060267730\n";
  auto old = Redact(input, RedactFormat::kText, tokenize, nullptr, &keyring);
  ASSERT_TRUE(old.ok());
  ASSERT_TRUE(keyring.Rotate().ok());
  auto restored = Restore(*old, nullptr, keyring);
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  EXPECT_EQ(*restored, input);
}

TEST(TokenizerTest, AnotherKeyringOrADamagedTokenIsRefused) {
  RedactionPolicy tokenize = PolicyFrom("default: {operator: tokenize}\n");
  auto redacted = Redact("card 4983690060267730\n", RedactFormat::kText, tokenize);
  ASSERT_TRUE(redacted.ok());
  auto foreign = Restore(*redacted, nullptr, *Keyring::Generate());
  ASSERT_FALSE(foreign.ok());
  EXPECT_EQ(foreign.status().code(), StatusCode::kNotFound);
  EXPECT_NE(foreign.status().message().find("output:1"), std::string::npos);
  // Damage the token: swap two of its digits (another card number whose check digit may not fit).
  std::string damaged = *redacted;
  size_t colon = damaged.rfind(':');
  std::swap(damaged[colon + 1], damaged[colon + 7]);
  if (damaged != *redacted) {
    auto restored = Restore(damaged);
    EXPECT_TRUE(!restored.ok() || *restored != "card 4983690060267730\n");
  }
}

// RestoreTokenStream gives RestoreTokens's bytes, statistics and errors, whatever the block size: blocks are cut at
// line ends but never on a line whose annotation is still open.
Result<std::string> RestoreStreamed(std::string_view text, size_t block, RestoreStats* stats,
                                    Sha256Hasher* hash = nullptr) {
  TUTELA_ASSIGN_OR_RETURN(std::unique_ptr<Tokenizer> tokenizer, Tokenizer::Create(Keys()));
  // Packets of 7 bytes: each read() returns one, so blocks end at every possible place in a line.
  int fds[2];
  EXPECT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET, 0, fds), 0);
  std::thread feeder([&] {
    for (std::string_view rest = text; !rest.empty();) {
      ssize_t written = ::send(fds[1], rest.data(), std::min<size_t>(rest.size(), 7), MSG_NOSIGNAL);
      if (written <= 0) break;
      rest.remove_prefix(static_cast<size_t>(written));
    }
    ::close(fds[1]);
  });
  std::string out;
  Status status = RestoreTokenStream(
      fds[0], "output", *tokenizer, Rules()->catalog(),
      [&](std::string_view piece) {
        out.append(piece);
        return Status::Ok();
      },
      stats, hash, block);
  ::shutdown(fds[0], SHUT_RDWR);  // a restore that stopped early: the feeder's next send fails instead of blocking
  feeder.join();
  ::close(fds[0]);
  TUTELA_RETURN_IF_ERROR(status);
  return out;
}

TEST(RestoreStreamTest, StreamedRestoreEqualsWholeBufferRestoreAtEveryBlockSize) {
  RedactionPolicy tokenize = PolicyFrom("default: {operator: tokenize}\n");
  std::string original;
  for (int row = 0; row < 60; ++row) {
    original += "row " + std::to_string(row) + " card 4983690060267730 mail li.wei@corp-mail.cn ip 10.34.254." +
                std::to_string(row) + "\n";
    if (row % 7 == 0) original += "a literal \u27e6 bracket and \u27e6\u27e6 two, \u27e7 closed\n";  // ⟦ ⟦⟦ ⟧
    if (row % 11 == 0) original += std::string(300, 'x') + " ssn 123-45-6789 " + std::string(300, 'y') + "\n";
  }
  original += "last line without a newline, card 4111111111111111";
  auto tokenized = Redact(original, RedactFormat::kText, tokenize);
  ASSERT_TRUE(tokenized.ok()) << tokenized.status().ToString();
  RestoreStats whole_stats;
  auto whole = Restore(*tokenized, nullptr, Keys(), &whole_stats);
  ASSERT_TRUE(whole.ok()) << whole.status().ToString();
  ASSERT_EQ(*whole, original);
  const std::string expected_hash = ToHex(Sha256(*tokenized));
  for (size_t block : std::vector<size_t>{1, 7, 64, 100, 999, 4096, size_t{4} << 20}) {
    RestoreStats stats;
    Sha256Hasher hash;
    auto streamed = RestoreStreamed(*tokenized, block, &stats, &hash);
    ASSERT_TRUE(streamed.ok()) << block << ": " << streamed.status().ToString();
    EXPECT_EQ(*streamed, original) << "block " << block;
    EXPECT_EQ(stats.values, whole_stats.values) << "block " << block;
    EXPECT_EQ(stats.key_ids, whole_stats.key_ids);
    EXPECT_EQ(ToHex(hash.Finish()), expected_hash) << "block " << block;
  }
  // A lone ⟦ whose line never closes it: held until the end, as the whole-buffer restore reads it.
  const std::string lone = "one \u27e6 open\nand more\nlines\n";
  for (size_t block : {1, 5, 4096}) {
    RestoreStats stats;
    auto streamed = RestoreStreamed(lone, block, &stats);
    ASSERT_TRUE(streamed.ok());
    EXPECT_EQ(*streamed, *Restore(lone));
  }
  // An annotation that runs over a line end (never written by Tokenize) is read to its ⟧ as the whole-buffer
  // restore reads it, and fails as that does, instead of being cut and kept as text.
  const std::string spanning = "before\n" + std::string(kTokenAnnotationStart) +
                               "kdeadbeef:CREDIT_CARD:w:4983\n690060267730" + std::string(kTokenClose) + " after\n";
  auto spanning_whole = Restore(spanning);
  ASSERT_FALSE(spanning_whole.ok());
  for (size_t block : {1, 8, 4096}) {
    RestoreStats stats;
    auto streamed = RestoreStreamed(spanning, block, &stats);
    ASSERT_FALSE(streamed.ok()) << "block " << block;
    EXPECT_EQ(streamed.status().message(), spanning_whole.status().message());
  }
  // Errors name the line in the whole input, not in the block.
  std::string damaged = *tokenized;
  const size_t token = damaged.find(kTokenAnnotationStart, damaged.find('\n', damaged.size() / 2));
  ASSERT_NE(token, std::string::npos);
  const size_t key = token + kTokenAnnotationStart.size();
  damaged.replace(key, damaged.find(':', key) - key, "kdeadbeef");  // a key id the keyring lacks
  auto expected = Restore(damaged);
  ASSERT_FALSE(expected.ok());
  for (size_t block : std::vector<size_t>{64, size_t{4} << 20}) {
    RestoreStats stats;
    auto streamed = RestoreStreamed(damaged, block, &stats);
    ASSERT_FALSE(streamed.ok());
    EXPECT_EQ(streamed.status().message(), expected.status().message()) << "block " << block;
  }
}

TEST(RedactorTest, DefaultPolicyLeavesNothingARescanFinds) {
  RedactionPolicy replace;
  std::string all;
  for (const auto& [entity, line] : GoldenValid()) all += line + "\n";
  ASSERT_FALSE(ScanText(all).empty());
  auto redacted = Redact(all, RedactFormat::kText, replace, nullptr, nullptr);
  ASSERT_TRUE(redacted.ok()) << redacted.status().ToString();
  std::vector<std::string> left = ScanText(*redacted);
  EXPECT_TRUE(left.empty()) << left.size() << " findings left, first: " << left[0];
  EXPECT_NE(redacted->find("<CREDIT_CARD>"), std::string::npos);
  for (const char* example : {"customers.csv", "app-logs.ndjson"}) {
    auto text = ReadFile(SourceDir() / "examples" / "pii" / example);
    ASSERT_TRUE(text.ok());
    char delimiter = 0;
    RedactFormat format = *ParseRedactFormat("auto", example, &delimiter);
    auto out = Redact(*text, format, replace, nullptr, nullptr);
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    EXPECT_TRUE(ScanText(*out, example).empty()) << example;
  }
}

TEST(RedactorTest, CsvStructureIsKeptOnTrickyInput) {
  std::string csv =
      "id,note,card\r\n"
      "1,\"plain, with comma\",4983690060267730\r\n"
      "2,\"two\nlines, card 5154684874526852 and \"\"quotes\"\"\",\"6256279955606361\"\r\n"
      "3,中文 卡号 4983 6900 6026 7730 ⟦tok:k00000000:X:w:fake⟧,\r\n"
      "4,,";
  RedactionPolicy policy = PolicyFrom(
      "default: {operator: tokenize}\n"
      "columns:\n"
      "  card: {operator: tokenize, entity: CREDIT_CARD}\n"
      "  id: {skip: true}\n");
  TokenManifest manifest;
  RedactStats stats;
  auto redacted = Redact(csv, RedactFormat::kCsv, policy, &stats, &Keys(), 4 << 20, &manifest);
  ASSERT_TRUE(redacted.ok()) << redacted.status().ToString();
  EXPECT_EQ(stats.bare_tokens, 2u);
  EXPECT_EQ(stats.tokens, 4u);
  // Same records and fields.
  auto shape = [](std::string_view text) {
    std::vector<size_t> fields;
    CsvParser parser(',');
    EXPECT_TRUE(
        parser.Parse(text, true, [&](const CsvRecord& record) { fields.push_back(record.fields.size()); }).ok());
    return fields;
  };
  EXPECT_EQ(shape(*redacted), shape(csv));
  EXPECT_EQ(redacted->find("4983690060267730"), std::string::npos);
  EXPECT_EQ(redacted->find("5154684874526852"), std::string::npos);
  EXPECT_NE(redacted->find("\r\n2,\"two\n"), std::string::npos);
  ASSERT_EQ(manifest.fields.size(), 1u);
  auto restored = Restore(*redacted, &manifest);
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  EXPECT_EQ(*restored, csv);
  // Without the manifest the bare card column stays tokenized.
  auto partial = Restore(*redacted);
  ASSERT_TRUE(partial.ok());
  EXPECT_NE(*partial, csv);
}

// Regression: an unclosed quote was reported as "input: line 2: a quoted field is never closed; add the missing '"'
// or check the delimiter. (lines counted from 1); fix the CSV quoting", the line counted in a block, not the file.
TEST(RedactorTest, AnUnclosedCsvQuoteIsReportedAtItsLineInTheFile) {
  std::string csv = "id,note\n";
  for (int row = 2; row < 500; ++row) csv += std::to_string(row) + ",plain text of row " + std::to_string(row) + "\n";
  csv += "500,\"never closed\n501,x\n";
  auto redacted = Redact(csv, RedactFormat::kCsv, RedactionPolicy(), nullptr, &Keys(), 4096);
  ASSERT_FALSE(redacted.ok());
  EXPECT_EQ(redacted.status().message(),
            "input:500: a quoted field is never closed; add the missing '\"' or check the delimiter.");
  auto small = Redact("id,note\n1,\"open\n", RedactFormat::kCsv, RedactionPolicy());
  ASSERT_FALSE(small.ok());
  EXPECT_EQ(small.status().message().rfind("input:2: a quoted field is never closed", 0), 0u)
      << small.status().message();
}

TEST(RedactorTest, JsonStructureIsKeptAndNumbersStayNumbers) {
  std::string json =
      "{\n  \"user\": {\"email\": \"li.wei@corp-mail.cn\", \"card\": 4983690060267730, \"tags\": [\"a\", 2]},\n"
      "  \"note\": \"call +86 138 0013 8000 \\u00e9\\/ok\",\n  \"drop\": \"x\", \"ssn\": \"536-22-1234\"\n}\n";
  RedactionPolicy policy = PolicyFrom(
      "default: {operator: tokenize}\n"
      "json_paths:\n"
      "  /user/card: {operator: tokenize, entity: CREDIT_CARD}\n"
      "  /user/email: {operator: tokenize, entity: EMAIL_ADDRESS}\n");
  TokenManifest manifest;
  auto redacted = Redact(json, RedactFormat::kJson, policy, nullptr, &Keys(), 4 << 20, &manifest);
  ASSERT_TRUE(redacted.ok()) << redacted.status().ToString();
  auto parsed = ParseJson(*redacted, "redacted");
  ASSERT_TRUE(parsed.ok()) << *redacted;
  EXPECT_TRUE((*parsed)["user"]["card"].is_number_unsigned()) << *redacted;
  EXPECT_NE((*parsed)["user"]["card"].get<uint64_t>(), 4983690060267730u);
  EXPECT_NE(redacted->find("\\u00e9\\/ok"), std::string::npos);
  auto restored = Restore(*redacted, &manifest);
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  EXPECT_EQ(*restored, json);
}

TEST(RedactorTest, SuppressDropsCsvRowsAndJsonMembers) {
  RedactionPolicy policy = PolicyFrom("entities:\n  CREDIT_CARD: {operator: suppress}\n");
  RedactStats stats;
  auto csv = Redact("a,b\n1,card 4983690060267730\n2,none\n", RedactFormat::kCsv, policy, &stats, nullptr);
  ASSERT_TRUE(csv.ok()) << csv.status().ToString();
  EXPECT_EQ(*csv, "a,b\n2,none\n");
  auto json = Redact("[{\"a\": \"card 4983690060267730\", \"b\": 1}, {\"a\": \"x\", \"c\": \"4983690060267730\"}]",
                     RedactFormat::kJson, policy, &stats, nullptr);
  ASSERT_TRUE(json.ok()) << json.status().ToString();
  EXPECT_EQ(*json, "[{\"b\": 1}, {\"a\": \"x\"}]");
  EXPECT_EQ(stats.records_dropped, 3u);
}

TEST(RedactorTest, BlockwiseParallelRedactionEqualsWholeBuffer) {
  std::string csv = "id,email,card,note\n";
  for (int row = 0; row < 3000; ++row) {
    csv += std::to_string(row) + ",user" + std::to_string(row) + "@corp-mail.cn,4983690060267730,\"multi\nline " +
           std::to_string(row) + "\"\n";
  }
  RedactionPolicy policy = PolicyFrom("default: {operator: tokenize}\ncolumns:\n  card: {operator: tokenize}\n");
  auto whole = Redact(csv, RedactFormat::kCsv, policy, nullptr, &Keys(), size_t{64} << 20);
  auto blocks = Redact(csv, RedactFormat::kCsv, policy, nullptr, &Keys(), 4096);
  ASSERT_TRUE(whole.ok() && blocks.ok());
  EXPECT_EQ(*whole, *blocks);
  std::string text;
  for (int row = 0; row < 2000; ++row) text += "line " + std::to_string(row) + " card 4983690060267730\n";
  auto text_whole = Redact(text, RedactFormat::kText, policy, nullptr, &Keys(), size_t{64} << 20);
  auto text_blocks = Redact(text, RedactFormat::kText, policy, nullptr, &Keys(), 4096);
  ASSERT_TRUE(text_whole.ok() && text_blocks.ok());
  EXPECT_EQ(*text_whole, *text_blocks);
}

TEST(RedactorTest, KeyedOperatorsWithoutAKeyringAreRefused) {
  RedactOptions options;
  auto redactor = Redactor::Create(Rules(), PolicyFrom("default: {operator: hash}\n"), nullptr, options);
  ASSERT_FALSE(redactor.ok());
  EXPECT_EQ(redactor.status().message(),
            "the hash operator needs a key; give --key-file (make one with `tutela keys create`).");
}

TEST(RedactorTest, MalformedJsonNamesTheLine) {
  auto redacted = Redact("{\"a\": 1}\n{\"b\": }\n", RedactFormat::kNdjson, RedactionPolicy(), nullptr, nullptr);
  ASSERT_FALSE(redacted.ok());
  EXPECT_NE(redacted.status().message().find("input line 2:1:7: invalid JSON"), std::string::npos)
      << redacted.status().message();
}

}  // namespace
}  // namespace tutela::pii
