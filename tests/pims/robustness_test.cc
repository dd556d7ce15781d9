// Bad input never crashes: every prefix and seeded byte mutations of the golden incidents, the rule files and a
// register go through the parsers, which must return a value or an error (a crash or abort fails the run).
#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "test_support.h"
#include "tutela/pims/breach.h"
#include "tutela/pims/register.h"

namespace tutela::pims {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> Variants(const std::string& text, uint32_t seed) {
  std::vector<std::string> out;
  for (size_t cut = 0; cut < text.size(); cut += 7) out.push_back(text.substr(0, cut));
  std::mt19937 random(seed);
  const std::string alphabet = ":-[]{}\n #&*!|>'\"0aZ\t,";
  for (int round = 0; round < 200; ++round) {
    std::string mutated = text;
    for (int edit = 0; edit < 3 && !mutated.empty(); ++edit) {
      mutated[random() % mutated.size()] = alphabet[random() % alphabet.size()];
    }
    out.push_back(std::move(mutated));
  }
  return out;
}

TEST(PimsRobustness, MutatedInputsNeverCrashTheParsers) {
  auto rules = JurisdictionSet::LoadDirectory(testing::SourceDir() / "catalog/jurisdictions");
  ASSERT_TRUE(rules.ok());
  size_t parsed = 0;
  size_t refused = 0;
  for (const auto& entry : fs::directory_iterator(testing::SourceDir() / "tests/pims/breach_cases")) {
    if (entry.path().extension() != ".yaml") continue;
    for (const std::string& variant : Variants(testing::ReadFile(entry.path()), 1)) {
      auto incident = ParseIncident(variant, "fuzz.yaml", *rules);
      if (incident.ok()) {
        ++parsed;
        (void)BreachToJson(AssessBreach(*incident, *rules));
      } else {
        ++refused;
        EXPECT_FALSE(incident.status().message().empty());
      }
    }
  }
  for (const auto& entry : fs::directory_iterator(testing::SourceDir() / "catalog/jurisdictions")) {
    if (entry.path().extension() != ".yaml") continue;
    for (const std::string& variant : Variants(testing::ReadFile(entry.path()), 2)) {
      auto jurisdiction = JurisdictionSet::ParseFile(variant, "fuzz.yaml");
      jurisdiction.ok() ? ++parsed : ++refused;
    }
  }
  for (const std::string& variant :
       Variants(testing::ReadFile(testing::SourceDir() / "examples/pims/register.yaml"), 3)) {
    auto processing = ParseRegister(variant, "fuzz.yaml");
    processing.ok() ? ++parsed : ++refused;
  }
  EXPECT_GT(parsed, 0u);
  EXPECT_GT(refused, 0u);
}

}  // namespace
}  // namespace tutela::pims
