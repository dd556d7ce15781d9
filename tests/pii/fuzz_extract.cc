// Fuzz targets for the extractors (one binary per kind, chosen by TUTELA_FUZZ_KIND at compile time): whatever the
// bytes, extraction ends with OK or one error, never a crash or a hang; findings stay inside their segment. Limits
// are small so bombs end quickly.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string_view>

#include "tutela/pii/catalog.h"
#include "tutela/pii/engine.h"
#include "tutela/pii/extract.h"

#ifndef TUTELA_FUZZ_KIND
#define TUTELA_FUZZ_KIND kArchive
#endif

namespace {

constexpr std::string_view kCatalog = R"(
source: "fuzz target: one entity"
verified: false
context_boost: 0.3
negative_penalty: 0.35
negative_context: [order]
entities:
  - id: EMAIL_ADDRESS
    description: An e-mail address.
    category: contact
    jurisdictions: [GLOBAL]
    sensitivity: low
    patterns: ['[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}']
    validator: email
    score: 0.8
    context: [email]
)";

class CheckingSink : public tutela::pii::Sink {
 public:
  void OnFinding(const tutela::pii::Finding& finding) override {
    if (finding.end < finding.start || finding.entity == nullptr || finding.value.empty()) std::abort();
  }
};

tutela::pii::Scanner& Scanner() {
  static std::unique_ptr<tutela::pii::Scanner> scanner = [] {
    auto catalog = tutela::pii::ParseCatalog(kCatalog, "fuzz.yaml");
    if (!catalog.ok()) {
      std::fprintf(stderr, "%s\n", catalog.status().ToString().c_str());
      std::abort();
    }
    auto rules = tutela::pii::Ruleset::Compile(*catalog);
    if (!rules.ok()) std::abort();
    auto created = tutela::pii::Scanner::Create(*rules, {});
    if (!created.ok()) std::abort();
    return std::move(*created);
  }();
  return *scanner;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using tutela::pii::InputKind;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  tutela::pii::ExtractOptions options;
  options.max_expanded_bytes = 64 << 20;
  options.ratio_floor_bytes = 1 << 20;
  options.max_member_bytes = 16 << 20;
  InputKind kind = InputKind::TUTELA_FUZZ_KIND;
  std::string_view name = "fuzz.bin";
  if (kind == InputKind::kDocx || kind == InputKind::kXlsx) {
    // One target for OOXML: the first byte picks docx, xlsx or pptx.
    InputKind kinds[] = {InputKind::kDocx, InputKind::kXlsx, InputKind::kPptx};
    kind = kinds[size == 0 ? 0 : data[0] % 3];
    // Seeds are real files: pick by their own magic when the first byte is the zip 'P'.
    if (size > 0 && data[0] == 'P')
      kind = bytes.find("xl/") != std::string_view::npos ? InputKind::kXlsx : InputKind::kDocx;
  }
  if (kind == InputKind::kText && size > 0 && data[0] == 0xB0) options.encoding = "GB18030";
  CheckingSink sink;
  tutela::Status status = tutela::pii::ScanMemory(Scanner(), bytes, kind, name, options, sink);
  (void)status;
  return 0;
}
