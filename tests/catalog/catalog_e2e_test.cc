// End-to-end tests of `tutela catalog ...`: the real binary on the shipped catalog and on user folders.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "test_support.h"

namespace {

using tutela::testing::ReadFile;
using tutela::testing::RunTutela;
using tutela::testing::SourceDir;
using tutela::testing::TempDir;
using tutela::testing::WriteFile;

nlohmann::json Json(const std::string& text) { return nlohmann::json::parse(text); }

TEST(CatalogCommand, FrameworksJsonListsAllWithCounts) {
  auto result = RunTutela({"catalog", "frameworks", "--format", "json"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  nlohmann::json json = Json(result.out);
  ASSERT_EQ(json["frameworks"].size(), 30u);
  bool found = false;
  for (const auto& framework : json["frameworks"]) {
    EXPECT_TRUE(framework.contains("name") && framework.contains("version") && framework.contains("completeness"));
    if (framework["id"] == "nist-csf-2.0") {
      found = true;
      EXPECT_EQ(framework["requirements"], 106);
      EXPECT_EQ(framework["completeness"], "full");
    }
  }
  EXPECT_TRUE(found);
}

TEST(CatalogCommand, FrameworksTableEndsWithTotals) {
  auto result = RunTutela({"catalog", "frameworks"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("30 frameworks, "), std::string::npos) << result.out;
}

TEST(CatalogCommand, ShowFrameworkAndRequirement) {
  auto framework = RunTutela({"catalog", "show", "iso-27001-2022"});
  ASSERT_EQ(framework.exit_code, 0) << framework.err;
  EXPECT_NE(framework.out.find("A.8.34"), std::string::npos);
  EXPECT_NE(framework.out.find("123 assessable requirements"), std::string::npos);
  EXPECT_NE(framework.out.find("9.3.3"), std::string::npos) << "clauses 4-10 are listed beside Annex A";
  auto requirement = RunTutela({"catalog", "show", "hipaa-security", "164.312(a)(2)(iv)", "--format", "json"});
  ASSERT_EQ(requirement.exit_code, 0) << requirement.err;
  nlohmann::json json = Json(requirement.out);
  EXPECT_EQ(json["attributes"]["specification"][0], "addressable");
  EXPECT_EQ(json["controls"][0]["control"], "CRY-02");
  auto missing = RunTutela({"catalog", "show", "iso-27001-2022", "A.9.9"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_EQ(missing.err,
            "tutela: error: framework \"iso-27001-2022\" has no requirement \"A.9.9\"; list them with `tutela catalog "
            "show iso-27001-2022`\n");
}

TEST(CatalogCommand, ControlsListAndOne) {
  auto list = RunTutela({"catalog", "controls", "--format", "json"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_GE(Json(list.out)["controls"].size(), 150u);
  auto one = RunTutela({"catalog", "controls", "IAM-02", "--format", "json"});
  ASSERT_EQ(one.exit_code, 0) << one.err;
  nlohmann::json json = Json(one.out);
  EXPECT_EQ(json["responsibility"]["iaas"], "customer");
  bool iso = false;
  for (const auto& item : json["requirements"])
    iso |= item["framework"] == "iso-27018-2019" && item["requirement"] == "A.11.8";
  EXPECT_TRUE(iso);
  EXPECT_EQ(RunTutela({"catalog", "controls", "NOPE-1"}).exit_code, 2);
}

TEST(CatalogCommand, MapJsonStatesCoverageAndVia) {
  auto result = RunTutela(
      {"catalog", "map", "--from", "hipaa-security:164.312(a)(2)(i)", "--to", "iso-27018-2019", "--format", "json"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  nlohmann::json json = Json(result.out);
  ASSERT_EQ(json["mappings"].size(), 1u);
  EXPECT_EQ(json["mappings"][0]["from"], "hipaa-security:164.312(a)(2)(i)");
  EXPECT_EQ(json["mappings"][0]["to"], "A.11.8");
  EXPECT_EQ(json["mappings"][0]["coverage"], "full");
  EXPECT_EQ(json["mappings"][0]["via"], nlohmann::json::array({"IAM-02"}));
  EXPECT_EQ(json["summary"]["total"], 25);

  auto table = RunTutela({"catalog", "map", "--from", "iso-27001-2022", "--to", "nist-csf-2.0"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("iso-27001-2022 -> nist-csf-2.0: "), std::string::npos);
  EXPECT_EQ(RunTutela({"catalog", "map", "--from", "nope", "--to", "nist-csf-2.0"}).exit_code, 2);
}

TEST(CatalogCommand, ResponsibilityPerServiceModel) {
  auto result = RunTutela(
      {"catalog", "responsibility", "--service-model", "iaas", "--framework", "iso-27018-2019", "--format", "json"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  nlohmann::json json = Json(result.out);
  EXPECT_EQ(json["service_model"], "iaas");
  size_t total = json["summary"]["provider"].get<size_t>() + json["summary"]["customer"].get<size_t>() +
                 json["summary"]["shared"].get<size_t>();
  EXPECT_EQ(total, json["controls"].size());
  auto bad = RunTutela({"catalog", "responsibility", "--service-model", "faas"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_EQ(bad.err, "tutela: error: service model \"faas\" is not known; use iaas, paas or saas\n");
}

TEST(CatalogCommand, LintCleanOnShippedCatalogAndFailsOnBadUserFolder) {
  auto clean = RunTutela({"catalog", "lint"});
  ASSERT_EQ(clean.exit_code, 0) << clean.out << clean.err;
  EXPECT_EQ(clean.out.rfind("catalog is clean: ", 0), 0u) << clean.out;

  TempDir dir;
  WriteFile(dir / "mine.yaml", ReadFile(SourceDir() / "tests/catalog/data/bad/unmapped.yaml"));
  auto bad = RunTutela({"catalog", "lint", "--catalog-dir", dir.path().string()});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.out.find((dir / "mine.yaml").string() + ":12:38: requirement \"Q1\" of framework \"bad\" is neither"),
            std::string::npos)
      << bad.out;
  // The same folder through TUTELA_CATALOG; other commands refuse a half-valid catalog.
  auto frameworks = RunTutela({"catalog", "frameworks"}, {}, {}, {"TUTELA_CATALOG=" + dir.path().string()});
  EXPECT_EQ(frameworks.exit_code, 2);
  EXPECT_NE(frameworks.err.find("mine.yaml:12:38"), std::string::npos) << frameworks.err;
}

TEST(CatalogCommand, UserFrameworkFromCatalogDir) {
  TempDir dir;
  WriteFile(dir / "frameworks/house.yaml", R"(kind: framework
id: house-policy
name: House policy
version: "1"
issuer: Example Corp
jurisdiction: internal
source: {document: house policy, published: intranet}
licence: internal
completeness: full
sections:
  - id: HP
    title: House policy
    requirements:
      - id: HP-1
        title: MFA everywhere
        controls:
          - {control: IAM-04, relationship: equal, strength: 9}
)");
  auto result = RunTutela({"catalog", "--catalog-dir", dir.path().string(), "map", "--from", "house-policy", "--to",
                           "hipaa-security", "--format", "json"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  nlohmann::json json = Json(result.out);
  EXPECT_GE(json["mappings"].size(), 1u);
}

TEST(CatalogCommand, CertificationsPortfolioSummary) {
  auto result = RunTutela({"catalog", "certifications", "--catalog-dir", (SourceDir() / "examples/catalog").string(),
                           "--as-of", "2026-11-30"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("30 certification records across 8 regions; reports: 15 public, 6 under NDA, 9 on "
                            "request; on 2026-11-30: 25 valid, 5 expired, 0 not yet valid"),
            std::string::npos)
      << result.out;
  // Every framework of the catalog has a record in the sample portfolio.
  auto json = RunTutela({"catalog", "certifications", "--catalog-dir", (SourceDir() / "examples/catalog").string(),
                         "--as-of", "2026-11-30", "--format", "json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  nlohmann::json list = Json(json.out);
  EXPECT_EQ(list["as_of"], "2026-11-30");
  std::set<std::string> frameworks;
  for (const auto& record : list["certifications"]) {
    frameworks.insert(record["framework"].get<std::string>());
    if (record["id"] == "excloud-pci") {
      EXPECT_EQ(record["status"], "expired");
    }
    if (record["id"] == "excloud-iso27001") {
      EXPECT_EQ(record["status"], "valid");
    }
  }
  EXPECT_EQ(frameworks.size(), 30u);
}

TEST(CatalogCommand, CertificationsRejectsABadAsOfDate) {
  auto result = RunTutela({"catalog", "certifications", "--as-of", "30/11/2026"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("--as-of \"30/11/2026\" is not a date; give it as YYYY-MM-DD"), std::string::npos)
      << result.err;
}

TEST(CatalogCommand, ExportOscal) {
  TempDir dir;
  auto result =
      RunTutela({"catalog", "export", "nist-csf-2.0", "--format", "oscal", "--output", (dir / "csf.json").string()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  nlohmann::json json = Json(ReadFile(dir / "csf.json"));
  EXPECT_EQ(json["catalog"]["groups"].size(), 6u);
  size_t controls = 0;
  for (const auto& function : json["catalog"]["groups"]) {
    for (const auto& category : function["groups"]) controls += category["controls"].size();
  }
  EXPECT_EQ(controls, 106u);
  EXPECT_EQ(RunTutela({"catalog", "export", "nist-csf-2.0", "--format", "json"}).exit_code, 2);
}

}  // namespace
