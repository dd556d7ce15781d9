// Golden scenario tests for the breach assessment (incident YAML -> expected notifications JSON), bad-input cases
// with their exact error, and the jurisdiction rule loader.
#include "tutela/pims/breach.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "test_support.h"
#include "tutela/core/data.h"
#include "tutela/core/file_util.h"
#include "tutela/pims/jurisdiction.h"

namespace tutela::pims {
namespace {

namespace fs = std::filesystem;

const JurisdictionSet& Rules() {
  static const JurisdictionSet* rules = [] {
    auto loaded = JurisdictionSet::LoadDirectory(testing::SourceDir() / "catalog/jurisdictions");
    if (!loaded.ok()) {
      ADD_FAILURE() << loaded.status().ToString();
      std::abort();
    }
    return new JurisdictionSet(std::move(loaded).value());
  }();
  return *rules;
}

// The fields a scenario pins: who, whether, by when, under which rule, whether a safe harbour applied, and (when
// they are not the defaults) the later report kind and the States over a per-State edge.
nlohmann::json Project(const BreachAssessment& assessment) {
  nlohmann::json out = nlohmann::json::array();
  nlohmann::json report = BreachToJson(assessment);
  for (const nlohmann::json& item : report["notifications"]) {
    nlohmann::json entry = {{"jurisdiction", item["jurisdiction"]},
                            {"audience", item["audience"]},
                            {"required", item["required"]},
                            {"deadline", item["deadline"]},
                            {"rule", item["rule"]},
                            {"safe_harbour", !item["safe_harbour"].is_null()}};
    if (item["report"] != "initial") entry["report"] = item["report"];  // final and follow-up reports
    if (!item["states"].empty()) entry["states"] = item["states"];      // per-State rules (HIPAA media)
    out.push_back(std::move(entry));
  }
  return out;
}

std::string Render(const nlohmann::json& list) {
  std::string text = "[\n";
  for (size_t index = 0; index < list.size(); ++index) {
    text += "  " + list[index].dump() + (index + 1 < list.size() ? ",\n" : "\n");
  }
  return text + "]\n";
}

std::vector<fs::path> Files(const fs::path& directory, const std::string& suffix) {
  std::vector<fs::path> out;
  for (const auto& entry : fs::directory_iterator(directory)) {
    std::string name = entry.path().filename().string();
    if (name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      out.push_back(entry.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(BreachGolden, EveryScenarioMatchesItsExpectedNotifications) {
  fs::path directory = testing::SourceDir() / "tests/pims/breach_cases";
  auto cases = Files(directory, ".incident.yaml");
  ASSERT_GE(cases.size(), 40u);
  bool update = std::getenv("TUTELA_UPDATE_GOLDEN") != nullptr;
  for (const fs::path& incident_path : cases) {
    std::string name = incident_path.filename().string();
    name = name.substr(0, name.size() - std::string(".incident.yaml").size());
    SCOPED_TRACE(name);
    auto incident = LoadIncident(incident_path, Rules());
    ASSERT_TRUE(incident.ok()) << incident.status().ToString();
    std::string actual = Render(Project(AssessBreach(*incident, Rules())));
    fs::path expected_path = directory / (name + ".expected.json");
    if (update) {
      ASSERT_TRUE(WriteFileAtomic(expected_path, actual).ok());
      continue;
    }
    ASSERT_TRUE(fs::exists(expected_path)) << "missing " << expected_path;
    EXPECT_EQ(testing::ReadFile(expected_path), actual);
  }
}

// Each bad incident's first line is "# error: <the exact message after the file name>".
TEST(BreachErrors, BadIncidentsGiveTheExpectedMessage) {
  fs::path directory = testing::SourceDir() / "tests/pims/bad_incidents";
  auto cases = Files(directory, ".yaml");
  ASSERT_GE(cases.size(), 8u);
  for (const fs::path& path : cases) {
    SCOPED_TRACE(path.filename().string());
    std::string text = testing::ReadFile(path);
    ASSERT_EQ(text.rfind("# error: ", 0), 0u);
    std::string expected = text.substr(9, text.find('\n') - 9);
    auto incident = ParseIncident(text, "incident.yaml", Rules());
    ASSERT_FALSE(incident.ok());
    EXPECT_EQ(incident.status().code(), StatusCode::kInvalidArgument);
    if (std::getenv("TUTELA_UPDATE_GOLDEN") != nullptr) {
      std::string message = incident.status().message().substr(14);
      ASSERT_TRUE(WriteFileAtomic(path, "# error: " + message + text.substr(text.find('\n'))).ok());
      continue;
    }
    EXPECT_EQ(incident.status().message(), "incident.yaml:" + expected);
  }
}

TEST(JurisdictionRules, CatalogLoadsAllElevenRegimesWithCitations) {
  const JurisdictionSet& rules = Rules();
  EXPECT_EQ(rules.Ids(), "CN, DE, EU, ID, JP, KR, MY, PH, SG, TH, US-HIPAA");
  for (const Jurisdiction& jurisdiction : rules.all()) {
    EXPECT_FALSE(jurisdiction.rules.empty()) << jurisdiction.id;
    EXPECT_FALSE(jurisdiction.transfer_mechanisms.empty()) << jurisdiction.id;
    EXPECT_FALSE(jurisdiction.penalty.citation.empty()) << jurisdiction.id;
    bool has_regulator = false;
    for (const NotificationRule& rule : jurisdiction.rules) {
      EXPECT_FALSE(rule.citation.empty()) << rule.id;
      has_regulator = has_regulator || rule.audience == Audience::kRegulator;
    }
    EXPECT_TRUE(has_regulator) << jurisdiction.id;
  }
  // Unverified facts from the reference stay marked.
  EXPECT_FALSE(rules.Find("ID")->rules[0].deadline.verified);
  EXPECT_FALSE(rules.Find("TH")->sensitive.verified);
  EXPECT_TRUE(rules.Find("SG")->IsSensitive("health"));
  EXPECT_FALSE(rules.Find("SG")->IsSensitive("EMAIL_ADDRESS"));
}

// Each bad rule file's first line is "# error: <the exact message after the file name>".
TEST(JurisdictionRules, BadRuleFilesGiveTheExpectedMessage) {
  fs::path directory = testing::SourceDir() / "tests/pims/bad_rules";
  auto cases = Files(directory, ".yaml");
  ASSERT_GE(cases.size(), 5u);
  for (const fs::path& path : cases) {
    SCOPED_TRACE(path.filename().string());
    std::string text = testing::ReadFile(path);
    ASSERT_EQ(text.rfind("# error: ", 0), 0u);
    std::string expected = text.substr(9, text.find('\n') - 9);
    auto parsed = JurisdictionSet::ParseFile(text, "rules.yaml");
    ASSERT_FALSE(parsed.ok());
    if (std::getenv("TUTELA_UPDATE_GOLDEN") != nullptr) {
      std::string message = parsed.status().message().substr(11);
      ASSERT_TRUE(WriteFileAtomic(path, "# error: " + message + text.substr(text.find('\n'))).ok());
      continue;
    }
    EXPECT_EQ(parsed.status().message(), "rules.yaml:" + expected);
  }
}

TEST(JurisdictionRules, DuplicateIdsAndEmptyFoldersAreRefused) {
  testing::TempDir dir;
  auto empty = JurisdictionSet::LoadDirectory(dir.path());
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.status().message().find("no *.yaml jurisdiction rule files"), std::string::npos);
  std::string sg = testing::ReadFile(testing::SourceDir() / "catalog/jurisdictions/sg.yaml");
  testing::WriteFile(dir / "a.yaml", sg);
  testing::WriteFile(dir / "b.yaml", sg);
  auto duplicate = JurisdictionSet::LoadDirectory(dir.path());
  ASSERT_FALSE(duplicate.ok());
  EXPECT_NE(duplicate.status().message().find("jurisdiction id \"SG\" is also defined in"), std::string::npos);
  auto missing = JurisdictionSet::LoadDirectory(dir / "nope");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
}

TEST(BreachIcs, WritesOneEventPerRequiredDeadline) {
  auto incident = LoadIncident(testing::SourceDir() / "tests/pims/breach_cases/hipaa-501.incident.yaml", Rules());
  ASSERT_TRUE(incident.ok());
  std::string ics = BreachToIcs(AssessBreach(*incident, Rules()), *ParseRfc3339("2026-03-02T10:00:00Z"));
  size_t events = 0;
  for (size_t at = ics.find("BEGIN:VEVENT"); at != std::string::npos; at = ics.find("BEGIN:VEVENT", at + 1)) ++events;
  EXPECT_EQ(events, 3u);  // HHS, individuals, media
  EXPECT_NE(ics.find("DTSTART:20260501T090000Z"), std::string::npos);
  EXPECT_NE(ics.find("DTSTAMP:20260302T100000Z"), std::string::npos);
  for (size_t start = 0, end; (end = ics.find("\r\n", start)) != std::string::npos; start = end + 2) {
    EXPECT_LE(end - start, 75u);
  }
}

TEST(BreachIcs, FinalReportsAreEventsOfTheirOwn) {
  auto incident =
      LoadIncident(testing::SourceDir() / "tests/pims/breach_cases/jp-malicious-final-60.incident.yaml", Rules());
  ASSERT_TRUE(incident.ok());
  std::string ics = BreachToIcs(AssessBreach(*incident, Rules()), *ParseRfc3339("2026-03-02T10:00:00Z"));
  EXPECT_NE(ics.find("UID:JP-MALICIOUS-JP-regulator@tutela"), std::string::npos);
  EXPECT_NE(ics.find("UID:JP-MALICIOUS-JP-regulator-final@tutela"), std::string::npos);
  EXPECT_NE(ics.find("DTSTART:20260305T090000Z"), std::string::npos);  // preliminary: 3 days
  EXPECT_NE(ics.find("DTSTART:20260501T090000Z"), std::string::npos);  // final: 60 days (malicious purpose)
  EXPECT_NE(ics.find("SUMMARY:Breach JP-MALICIOUS: final report to regulator (JP"), std::string::npos);
}

}  // namespace
}  // namespace tutela::pims
