// Fuzz target for tokenization and restore, the parsers of untrusted tokenized text. For any input: tokenizing every
// detected value (as text, CSV and NDJSON) and restoring gives the input back byte for byte; restoring arbitrary
// bytes and parsing arbitrary token manifests never crash.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "tutela/pii/catalog.h"
#include "tutela/pii/redactor.h"

namespace {

struct Fixture {
  std::shared_ptr<const tutela::pii::Ruleset> rules;
  std::unique_ptr<tutela::pii::Keyring> keyring;
  std::unique_ptr<tutela::pii::Tokenizer> tokenizer;
};

const Fixture& Get() {
  static Fixture fixture = [] {
    Fixture made;
    auto catalog = tutela::pii::LoadCatalog(TUTELA_SOURCE_DIR "/catalog/pii");
    if (!catalog.ok()) std::abort();
    made.rules = *tutela::pii::Ruleset::Compile(*catalog);
    made.keyring = std::make_unique<tutela::pii::Keyring>(*tutela::pii::Keyring::Generate());
    made.tokenizer = std::move(*tutela::pii::Tokenizer::Create(*made.keyring));
    return made;
  }();
  return fixture;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Fixture& fixture = Get();
  std::string_view input(reinterpret_cast<const char*>(data), size);
  tutela::pii::RestoreStats stats;
  (void)tutela::pii::RestoreTokens(input, "fuzz", *fixture.tokenizer, fixture.rules->catalog(), nullptr, &stats);
  (void)tutela::pii::TokenManifest::Parse(input, "fuzz");

  auto policy = tutela::pii::RedactionPolicy::Parse("default: {operator: tokenize}\n", "policy");
  if (!policy.ok()) std::abort();
  for (auto format :
       {tutela::pii::RedactFormat::kText, tutela::pii::RedactFormat::kCsv, tutela::pii::RedactFormat::kNdjson}) {
    tutela::pii::RedactOptions options;
    options.format = format;
    options.delimiter = ',';
    auto redactor = tutela::pii::Redactor::Create(fixture.rules, *policy, fixture.keyring.get(), options);
    if (!redactor.ok()) std::abort();
    tutela::pii::RedactStats redact_stats;
    auto redacted = (*redactor)->RedactBuffer(input, "fuzz", &redact_stats);
    if (!redacted.ok()) continue;  // malformed CSV/JSON, or a value too short to tokenize: refused, fine
    tutela::pii::RestoreStats restore_stats;
    auto restored = tutela::pii::RestoreTokens(*redacted, "fuzz", *fixture.tokenizer, fixture.rules->catalog(), nullptr,
                                               &restore_stats);
    if (!restored.ok() || *restored != input || restore_stats.values != redact_stats.tokens) std::abort();
  }
  return 0;
}
