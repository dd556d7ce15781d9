// Unit tests of the catalog library: loader errors (bad-input fixtures with their exact messages), crosswalk
// coverage golden cases, responsibility, OSCAL export and the counts of the shipped catalog.
#include "tutela/catalog/catalog.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "test_support.h"
#include "tutela/catalog/oscal.h"

namespace tutela::catalog {
namespace {

namespace fs = std::filesystem;
using tutela::testing::SourceDir;

fs::path DataDir() { return SourceDir() / "tests/catalog/data"; }

Catalog LoadGood(std::vector<Status>* problems) {
  LoadOptions options;
  options.include_builtin = false;
  options.directories = {DataDir() / "good"};
  return LoadCatalogCollecting(options, problems);
}

TEST(CatalogLoader, GoodFixturesLoadCleanly) {
  std::vector<Status> problems;
  Catalog catalog = LoadGood(&problems);
  for (const Status& problem : problems) ADD_FAILURE() << problem.message();
  ASSERT_EQ(catalog.frameworks().size(), 2u);
  ASSERT_EQ(catalog.controls().size(), 3u);
  ASSERT_EQ(catalog.certifications().size(), 1u);
  const Framework* a = catalog.FindFramework("fw-a");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->requirements.size(), 4u);
  EXPECT_EQ(a->AssessableCount(), 3u);  // A0 is informative
  EXPECT_TRUE(a->FindRequirement("A3")->manual);
  EXPECT_EQ(a->FindRequirement("A1")->attributes.at("level"), std::vector<std::string>{"1"});
  const Framework* b = catalog.FindFramework("fw-b");
  ASSERT_NE(b, nullptr);
  ASSERT_EQ(b->sections.size(), 2u);
  EXPECT_EQ(b->sections[1].parent, "T");
  EXPECT_EQ(b->FindRequirement("B1")->section, "T.1");
  const Control* x = catalog.FindControl("X-1");
  ASSERT_NE(x, nullptr);
  EXPECT_EQ(x->OwnerFor(ServiceModel::kIaas), Owner::kCustomer);
  EXPECT_EQ(x->OwnerFor(ServiceModel::kSaas), Owner::kProvider);
  EXPECT_EQ(catalog.certifications()[0].scope.regions.size(), 2u);
}

// Each file in data/bad/ is loaded after data/good/ and must produce exactly the problem named on its first line
// ("# expect: MESSAGE", or "# expect-prefix: START"), with {file} and {good} standing for the paths.
TEST(CatalogLoader, BadFixturesGiveExactMessages) {
  size_t checked = 0;
  for (const auto& entry : fs::directory_iterator(DataDir() / "bad")) {
    const fs::path& path = entry.path();
    std::ifstream in(path);
    std::string first;
    std::getline(in, first);
    bool prefix = first.rfind("# expect-prefix: ", 0) == 0;
    ASSERT_TRUE(prefix || first.rfind("# expect: ", 0) == 0) << path << " lacks an expectation line";
    std::string expected = first.substr(first.find(": ") + 2);
    for (auto [token, value] :
         {std::pair<std::string, std::string>{"{file}", path.string()}, {"{good}", (DataDir() / "good").string()}}) {
      for (size_t at = expected.find(token); at != std::string::npos; at = expected.find(token)) {
        expected.replace(at, token.size(), value);
      }
    }
    LoadOptions options;
    options.include_builtin = false;
    options.directories = {DataDir() / "good", path};
    std::vector<Status> problems;
    (void)LoadCatalogCollecting(options, &problems);
    std::string all;
    for (const Status& problem : problems) all += "\n  " + problem.message();
    ASSERT_EQ(problems.size(), 1u) << path << ":" << all;
    if (prefix) {
      EXPECT_EQ(problems[0].message().substr(0, expected.size()), expected) << path;
    } else {
      EXPECT_EQ(problems[0].message(), expected) << path;
    }
    ++checked;
  }
  EXPECT_GE(checked, 14u);
}

TEST(CatalogLoader, LoadCatalogFailsWithFirstProblemAndCount) {
  LoadOptions options;
  options.include_builtin = false;
  // no-source.yaml also reuses the id "bad" of unmapped.yaml: three problems in all.
  options.directories = {DataDir() / "good", DataDir() / "bad/unmapped.yaml", DataDir() / "bad/no-source.yaml"};
  auto catalog = LoadCatalog(options);
  ASSERT_FALSE(catalog.ok());
  EXPECT_EQ(catalog.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(catalog.status().message().find("(and 2 more problem(s); run `tutela catalog lint`)"), std::string::npos)
      << catalog.status().message();
}

TEST(CatalogLoader, MissingFolderIsAProblemNotACrash) {
  LoadOptions options;
  options.include_builtin = false;
  options.directories = {"/nonexistent/tutela-catalog"};
  std::vector<Status> problems;
  (void)LoadCatalogCollecting(options, &problems);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].message(),
            "/nonexistent/tutela-catalog: catalog folder not found; pass an existing folder to --catalog-dir");
}

struct CrosswalkCase {
  std::string from;
  std::string to;
  std::map<std::string, std::pair<Coverage, std::vector<std::string>>> expected;  // requirement -> coverage, via
};

TEST(Crosswalk, GoldenCoverageWithWeakestLink) {
  std::vector<Status> problems;
  Catalog catalog = LoadGood(&problems);
  ASSERT_TRUE(problems.empty());
  const std::vector<CrosswalkCase> cases = {
      // A1 = X fully; X superset of B1 -> full; X subset of B2 -> partial; A2 gives Y only partly -> B3 partial.
      {"fw-a",
       "fw-b",
       {{"B1", {Coverage::kFull, {"X-1"}}},
        {"B2", {Coverage::kPartial, {"X-1"}}},
        {"B3", {Coverage::kPartial, {"Y-1"}}},
        {"B4", {Coverage::kNone, {}}}}},
      {"fw-a:A1",
       "fw-b",
       {{"B1", {Coverage::kFull, {"X-1"}}},
        {"B2", {Coverage::kPartial, {"X-1"}}},
        {"B3", {Coverage::kNone, {}}},
        {"B4", {Coverage::kNone, {}}}}},
      // Reverse: B1 is smaller than X, so satisfying B1 gives X only partly.
      {"fw-b",
       "fw-a",
       {{"A1", {Coverage::kFull, {"X-1"}}}, {"A2", {Coverage::kFull, {"Y-1"}}}, {"A3", {Coverage::kNone, {}}}}},
      {"fw-b:B1",
       "fw-a",
       {{"A1", {Coverage::kPartial, {"X-1"}}}, {"A2", {Coverage::kNone, {}}}, {"A3", {Coverage::kNone, {}}}}},
  };
  for (const CrosswalkCase& test : cases) {
    auto result = Crosswalk(catalog, test.from, test.to);
    ASSERT_TRUE(result.ok()) << result.status().message();
    ASSERT_EQ(result->entries.size(), test.expected.size()) << test.from;
    for (const CrosswalkEntry& entry : result->entries) {
      const auto& [coverage, via] = test.expected.at(entry.to);
      EXPECT_EQ(entry.coverage, coverage) << test.from << " -> " << entry.to;
      EXPECT_EQ(entry.via, via) << test.from << " -> " << entry.to;
    }
  }
  auto summary = Crosswalk(catalog, "fw-a", "fw-b");
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(summary->full, 1u);
  EXPECT_EQ(summary->partial, 2u);
  EXPECT_EQ(summary->none, 1u);
}

TEST(Crosswalk, UnknownIdsAreNotFound) {
  Catalog catalog = LoadGood(nullptr);
  auto unknown = Crosswalk(catalog, "nope", "fw-b");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().message(), "unknown framework \"nope\"; list the ids with `tutela catalog frameworks`");
  auto requirement = Crosswalk(catalog, "fw-a:Z9", "fw-b");
  ASSERT_FALSE(requirement.ok());
  EXPECT_EQ(requirement.status().message(),
            "framework \"fw-a\" has no requirement \"Z9\"; list them with `tutela catalog show fw-a`");
}

TEST(Responsibility, PerServiceModelAndFramework) {
  Catalog catalog = LoadGood(nullptr);
  auto all = Responsibility(catalog, ServiceModel::kIaas);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].owner, Owner::kCustomer);
  EXPECT_EQ((*all)[2].owner, Owner::kProvider);
  auto for_a = Responsibility(catalog, ServiceModel::kSaas, "fw-a");
  ASSERT_TRUE(for_a.ok());
  ASSERT_EQ(for_a->size(), 2u);  // X and Y; A3 is manual-only
  EXPECT_EQ((*for_a)[0].control->id, "X-1");
  EXPECT_EQ((*for_a)[0].owner, Owner::kProvider);
  EXPECT_EQ((*for_a)[0].requirements, std::vector<std::string>{"A1"});
  EXPECT_FALSE(Responsibility(catalog, ServiceModel::kSaas, "nope").ok());
}

TEST(Oscal, ExportHasGroupsControlsAndStableUuid) {
  Catalog catalog = LoadGood(nullptr);
  const Framework* b = catalog.FindFramework("fw-b");
  nlohmann::json first = ExportOscalCatalog(*b, "2026-01-01T00:00:00Z");
  nlohmann::json second = ExportOscalCatalog(*b, "2026-01-01T00:00:00Z");
  EXPECT_EQ(first, second);
  const nlohmann::json& oscal = first["catalog"];
  EXPECT_EQ(oscal["uuid"].get<std::string>().size(), 36u);
  EXPECT_EQ(oscal["metadata"]["oscal-version"], "1.1.2");
  ASSERT_EQ(oscal["groups"].size(), 1u);
  const nlohmann::json& nested = oscal["groups"][0]["groups"][0];
  EXPECT_EQ(nested["title"], "Nested");
  ASSERT_EQ(nested["controls"].size(), 4u);
  EXPECT_EQ(nested["controls"][0]["id"], "B1");
  EXPECT_EQ(nested["controls"][0]["links"][0]["href"], "#tutela-control-X-1");
}

// The shipped catalog: every framework of the portfolio, with the requirement counts the issue names.
TEST(ShippedCatalog, LintsCleanWithTheExpectedCounts) {
  std::vector<Status> problems;
  Catalog catalog = LoadCatalogCollecting(LoadOptions{}, &problems);
  for (const Status& problem : problems) ADD_FAILURE() << problem.message();
  const std::set<std::string> ids = {"iso-27001-2022",   "iso-27017-2015",
                                     "iso-27018-2019",   "iso-27701-2019",
                                     "tisax-isa-6",      "k-isms-p-2023",
                                     "mtcs-ss584-2020",  "pci-dss-4.0",
                                     "bsi-c5-2020",      "ospar-abs",
                                     "hipaa-security",   "hipaa-breach",
                                     "nist-csf-2.0",     "nist-csf-1.1",
                                     "gxp-21cfr11",      "eu-gmp-annex11",
                                     "mpa-tpn-5",        "bnm-rmit-2023",
                                     "ojk-pojk-11-2022", "bot-itrm",
                                     "bsp-circular-982", "fisc-security-guidelines",
                                     "sec-17a-4f",       "itss-cloud",
                                     "trusted-cloud",    "bigdata-capability",
                                     "mlps-2.0",         "cdn-license",
                                     "csa-ccm-4",        "soc2-tsc-2017"};
  std::set<std::string> loaded;
  for (const Framework& framework : catalog.frameworks()) loaded.insert(framework.id);
  EXPECT_EQ(loaded, ids);
  const std::map<std::string, size_t> counts = {{"iso-27001-2022", 123}, {"iso-27018-2019", 25},
                                                {"nist-csf-2.0", 106},   {"nist-csf-1.1", 108},
                                                {"trusted-cloud", 16},   {"bigdata-capability", 7},
                                                {"soc2-tsc-2017", 61},   {"iso-27017-2015", 45},
                                                {"pci-dss-4.0", 280},    {"k-isms-p-2023", 101},
                                                {"iso-27701-2019", 49},  {"csa-ccm-4", 197},
                                                {"hipaa-security", 65},  {"bsi-c5-2020", 121},
                                                {"tisax-isa-6", 79},     {"gxp-21cfr11", 28},
                                                {"eu-gmp-annex11", 33},  {"hipaa-breach", 11},
                                                {"mlps-2.0", 90},        {"bnm-rmit-2023", 119},
                                                {"mpa-tpn-5", 64},       {"fisc-security-guidelines", 32}};
  for (const auto& [id, count] : counts) {
    const Framework* framework = catalog.FindFramework(id);
    ASSERT_NE(framework, nullptr) << id;
    EXPECT_EQ(framework->AssessableCount(), count) << id;
  }
  // HIPAA Security Rule: 22 standards, each implementation specification required or addressable.
  const Framework* hipaa = catalog.FindFramework("hipaa-security");
  size_t standards = 0;
  for (const Requirement& requirement : hipaa->requirements) {
    ASSERT_EQ(requirement.attributes.count("specification"), 1u) << requirement.id;
    if (requirement.attributes.at("specification")[0] == "standard") ++standards;
  }
  EXPECT_EQ(standards, 22u);
  EXPECT_GE(catalog.controls().size(), 150u);
}

// Counts requirements of a framework whose attribute `name` includes `value`.
size_t CountWithAttribute(const Framework& framework, const std::string& name, const std::string& value) {
  size_t count = 0;
  for (const Requirement& requirement : framework.requirements) {
    auto it = requirement.attributes.find(name);
    if (it == requirement.attributes.end()) continue;
    for (const std::string& v : it->second) count += v == value ? 1 : 0;
  }
  return count;
}

// PCI DSS 4.0.1: every numbered requirement down to the deepest level, the x.y headings are sections, and the
// requirements limited to service providers carry applies: service-provider.
TEST(ShippedCatalog, PciDssEveryNumberedRequirementWithServiceProviderAttribute) {
  std::vector<Status> problems;
  Catalog catalog = LoadCatalogCollecting(LoadOptions{}, &problems);
  const Framework* pci = catalog.FindFramework("pci-dss-4.0");
  ASSERT_NE(pci, nullptr);
  EXPECT_EQ(pci->completeness, "full");
  std::set<std::string> ids;
  for (const Requirement& requirement : pci->requirements) ids.insert(requirement.id);
  for (const char* id : {"1.2.1", "3.5.1.1", "8.3.10.1", "9.5.1.2.1", "10.2.1.7", "12.10.4.1", "A1.2.3", "A3.5.1"}) {
    EXPECT_EQ(ids.count(id), 1u) << id;
  }
  EXPECT_EQ(ids.count("1.2"), 0u) << "x.y headings are sections, not assessable requirements";
  std::map<std::string, size_t> per_principal;
  for (const Requirement& requirement : pci->requirements) {
    per_principal[requirement.id.substr(0, requirement.id.find('.'))]++;
  }
  const std::map<std::string, size_t> expected = {{"1", 19},  {"2", 11},  {"3", 29}, {"4", 6},  {"5", 13},
                                                  {"6", 19},  {"7", 12},  {"8", 29}, {"9", 27}, {"10", 27},
                                                  {"11", 21}, {"12", 37}, {"A1", 7}, {"A2", 3}, {"A3", 20}};
  EXPECT_EQ(per_principal, expected);
  EXPECT_EQ(CountWithAttribute(*pci, "applies", "service-provider"), 17u);
  EXPECT_EQ(CountWithAttribute(*pci, "applies", "multi-tenant-service-provider"), 8u);
  const Requirement* sp = pci->FindRequirement("3.6.1.1");
  ASSERT_NE(sp, nullptr);
  EXPECT_EQ(sp->attributes.at("applies"), std::vector<std::string>{"service-provider"});
}

// BSI C5:2020: 121 criteria in 17 areas, each basic, some with an additional criterion.
TEST(ShippedCatalog, C5EveryCriterionInSeventeenAreas) {
  std::vector<Status> problems;
  Catalog catalog = LoadCatalogCollecting(LoadOptions{}, &problems);
  const Framework* c5 = catalog.FindFramework("bsi-c5-2020");
  ASSERT_NE(c5, nullptr);
  std::map<std::string, size_t> per_area;
  for (const Requirement& requirement : c5->requirements) per_area[requirement.section]++;
  const std::map<std::string, size_t> expected = {
      {"OIS", 7}, {"SP", 3},   {"HR", 6},  {"AM", 6},  {"PS", 7},  {"OPS", 24}, {"IDM", 9}, {"CRY", 4}, {"COS", 8},
      {"PI", 3},  {"DEV", 10}, {"SSO", 5}, {"SIM", 5}, {"BCM", 4}, {"COM", 4},  {"INQ", 4}, {"PSS", 12}};
  EXPECT_EQ(per_area, expected);
  EXPECT_EQ(CountWithAttribute(*c5, "criterion", "basic"), 121u);
  size_t additional = CountWithAttribute(*c5, "criterion", "additional");
  EXPECT_GT(additional, 0u);
  EXPECT_LT(additional, 121u);
}

// ISO/IEC 27017: the seven CLD controls plus the ISO/IEC 27002 controls with cloud guidance; TISAX ISA 6: every
// control question, the superseded 3.1.2 kept as a non-assessable heading.
TEST(ShippedCatalog, Iso27017AndTisaxStructure) {
  std::vector<Status> problems;
  Catalog catalog = LoadCatalogCollecting(LoadOptions{}, &problems);
  const Framework* cloud = catalog.FindFramework("iso-27017-2015");
  ASSERT_NE(cloud, nullptr);
  size_t cld = 0;
  for (const Requirement& requirement : cloud->requirements) cld += requirement.section == "CLD" ? 1 : 0;
  EXPECT_EQ(cld, 7u);
  const Framework* tisax = catalog.FindFramework("tisax-isa-6");
  ASSERT_NE(tisax, nullptr);
  const Requirement* superseded = tisax->FindRequirement("3.1.2");
  ASSERT_NE(superseded, nullptr);
  EXPECT_FALSE(superseded->assessable);
  EXPECT_EQ(CountWithAttribute(*tisax, "protection", "very-high"), 46u);
}

// Counts a framework's requirements per innermost section.
std::map<std::string, size_t> CountPerSection(const Framework& framework) {
  std::map<std::string, size_t> counts;
  for (const Requirement& requirement : framework.requirements) counts[requirement.section]++;
  return counts;
}

// ISO/IEC 27001:2022: the 30 numbered management-system sub-clauses of clauses 4 to 10 beside the 93 Annex A
// controls; headings such as 6.1 and 9.2 are sections, not requirements.
TEST(ShippedCatalog, Iso27001ClausesFourToTenBesideAnnexA) {
  std::vector<Status> problems;
  Catalog catalog = LoadCatalogCollecting(LoadOptions{}, &problems);
  const Framework* iso = catalog.FindFramework("iso-27001-2022");
  ASSERT_NE(iso, nullptr);
  size_t annex_a = 0;
  size_t clauses = 0;
  for (const Requirement& requirement : iso->requirements) {
    (requirement.id.rfind("A.", 0) == 0 ? annex_a : clauses)++;
  }
  EXPECT_EQ(annex_a, 93u);
  EXPECT_EQ(clauses, 30u);
  const std::map<std::string, size_t> expected = {{"4", 4}, {"5", 3}, {"6", 5}, {"7", 7},
                                                  {"8", 3}, {"9", 6}, {"10", 2}};
  std::map<std::string, size_t> per_clause;
  for (const auto& [section, count] : CountPerSection(*iso)) {
    if (section.rfind("A.", 0) != 0) per_clause[section] = count;
  }
  EXPECT_EQ(per_clause, expected);
  for (const char* id : {"4.1", "6.1.3", "6.3", "7.5.3", "9.2.2", "9.3.3", "10.2"}) {
    EXPECT_NE(iso->FindRequirement(id), nullptr) << id;
  }
  EXPECT_EQ(iso->FindRequirement("6.1"), nullptr) << "6.1 is a heading";
  const Requirement* communication = iso->FindRequirement("7.4");
  ASSERT_NE(communication, nullptr);
  EXPECT_TRUE(communication->manual);
}

// BNM RMiT: the 116 paragraph IDs of the Azure Policy RMiT initiative (10.1-10.82 without 10.52, 11.1-11.27,
// Appendix 5.1-5.8) plus sections 8, 9 and 12 as outline items. The source gives no S/G marking, so none is set.
TEST(ShippedCatalog, BnmRmitParagraphsFromTheAzureInitiative) {
  std::vector<Status> problems;
  Catalog catalog = LoadCatalogCollecting(LoadOptions{}, &problems);
  const Framework* rmit = catalog.FindFramework("bnm-rmit-2023");
  ASSERT_NE(rmit, nullptr);
  EXPECT_EQ(rmit->completeness, "outline");
  EXPECT_FALSE(rmit->verified);
  size_t operations = 0, cyber = 0, appendix = 0, outline = 0;
  for (const Requirement& requirement : rmit->requirements) {
    EXPECT_EQ(requirement.attributes.count("type"), 0u) << requirement.id << ": S/G is not in the source";
    if (requirement.id.rfind("10.", 0) == 0) {
      ++operations;
    } else if (requirement.id.rfind("11.", 0) == 0) {
      ++cyber;
    } else if (requirement.id.rfind("Appendix 5.", 0) == 0) {
      ++appendix;
    } else {
      ++outline;
    }
  }
  EXPECT_EQ(operations, 81u);
  EXPECT_EQ(cyber, 27u);
  EXPECT_EQ(appendix, 8u);
  EXPECT_EQ(outline, 3u);
  EXPECT_EQ(rmit->FindRequirement("10.52"), nullptr) << "not in the Azure list";
  const Requirement* cloud = rmit->FindRequirement("10.49");
  ASSERT_NE(cloud, nullptr);
  EXPECT_EQ(cloud->section, "10.49-10.53");
}

// MPA/TPN: 64 controls in the four areas, each scoped to site and/or cloud as the source marks it.
TEST(ShippedCatalog, MpaTpnControlsWithSiteAndCloudScope) {
  std::vector<Status> problems;
  Catalog catalog = LoadCatalogCollecting(LoadOptions{}, &problems);
  const Framework* mpa = catalog.FindFramework("mpa-tpn-5");
  ASSERT_NE(mpa, nullptr);
  const std::map<std::string, size_t> expected = {{"OR", 10}, {"OP", 9}, {"PS", 9}, {"TS", 36}};
  EXPECT_EQ(CountPerSection(*mpa), expected);
  for (const Requirement& requirement : mpa->requirements) {
    EXPECT_EQ(requirement.attributes.count("scope"), 1u) << requirement.id;
  }
  EXPECT_EQ(CountWithAttribute(*mpa, "scope", "site"), 61u);
  EXPECT_EQ(CountWithAttribute(*mpa, "scope", "cloud"), 58u);
  EXPECT_EQ(mpa->FindRequirement("TS-30")->attributes.at("scope"), std::vector<std::string>{"cloud"});
}

// K-ISMS-P 2023: 101 criteria, per sub-domain as in the KISA guide (checked against Prowler's transcription).
TEST(ShippedCatalog, KIsmsPCriteriaPerSubDomain) {
  std::vector<Status> problems;
  Catalog catalog = LoadCatalogCollecting(LoadOptions{}, &problems);
  const Framework* kisms = catalog.FindFramework("k-isms-p-2023");
  ASSERT_NE(kisms, nullptr);
  EXPECT_TRUE(kisms->verified);
  const std::map<std::string, size_t> expected = {
      {"1.1", 6},  {"1.2", 4},  {"1.3", 3}, {"1.4", 3}, {"2.1", 3}, {"2.2", 6}, {"2.3", 4},
      {"2.4", 7},  {"2.5", 6},  {"2.6", 7}, {"2.7", 2}, {"2.8", 6}, {"2.9", 7}, {"2.10", 9},
      {"2.11", 5}, {"2.12", 2}, {"3.1", 7}, {"3.2", 5}, {"3.3", 4}, {"3.4", 2}, {"3.5", 3}};
  EXPECT_EQ(CountPerSection(*kisms), expected);
}

// FISC (osa-data topic groups) and MLPS 2.0 (level 3 control points plus the other extensions as outline items).
TEST(ShippedCatalog, FiscGroupsAndMlpsExtensions) {
  std::vector<Status> problems;
  Catalog catalog = LoadCatalogCollecting(LoadOptions{}, &problems);
  const Framework* fisc = catalog.FindFramework("fisc-security-guidelines");
  ASSERT_NE(fisc, nullptr);
  const std::map<std::string, size_t> groups = {{"FISC.T", 14}, {"FISC.O", 13}, {"FISC.F", 5}};
  EXPECT_EQ(CountPerSection(*fisc), groups);
  EXPECT_FALSE(fisc->verified);
  const Framework* mlps = catalog.FindFramework("mlps-2.0");
  ASSERT_NE(mlps, nullptr);
  EXPECT_EQ(CountWithAttribute(*mlps, "extension", "cloud"), 16u);
  for (const char* extension : {"mobile", "iot", "ics"}) {
    EXPECT_EQ(CountWithAttribute(*mlps, "extension", extension), 1u) << extension;
  }
  EXPECT_EQ(CountWithAttribute(*mlps, "level", "3"), 90u);
}

TEST(ShippedCatalog, ServiceCategoriesOfResourceTypes) {
  auto catalog = LoadCatalog({});
  ASSERT_TRUE(catalog.ok()) << catalog.status().message();
  auto category = [&](std::string_view type) -> std::string {
    const ServiceCategory* service = catalog->ServiceOf(type);
    return service ? service->id : "";
  };
  // The longest prefix wins; split resources fall with their parent.
  EXPECT_EQ(category("aws_s3_bucket"), "object-storage");
  EXPECT_EQ(category("aws_s3_bucket_server_side_encryption_configuration"), "object-storage");
  EXPECT_EQ(category("aws_security_group_rule"), "vpc");
  EXPECT_EQ(category("aws_db_instance"), "database");
  EXPECT_EQ(category("tencentcloud_mysql_backup_policy"), "database");
  EXPECT_EQ(category("tencentcloud_cos_bucket_version"), "object-storage");
  EXPECT_EQ(category("tencentcloud_instance"), "compute");
  EXPECT_EQ(category("tencentcloud_kubernetes_cluster_endpoint"), "kubernetes");
  EXPECT_EQ(category("google_storage_bucket"), "");
  // Certificates name categories by id, by a name, or by a product, in any case.
  const ServiceCategory* storage = catalog->ServiceOf("aws_s3_bucket");
  EXPECT_TRUE(storage->Named("object-storage"));
  EXPECT_TRUE(storage->Named("cos"));
  EXPECT_TRUE(storage->Named("Amazon S3"));
  EXPECT_FALSE(storage->Named("storage"));
}

TEST(Certifications, StatusOnADate) {
  Certification record;
  record.issued = "2025-03-01";
  record.expires = "2028-02-29";
  EXPECT_EQ(CertificationStatus(record, "2025-02-28"), "not-yet-valid");
  EXPECT_EQ(CertificationStatus(record, "2025-03-01"), "valid");
  EXPECT_EQ(CertificationStatus(record, "2028-02-29"), "valid");
  EXPECT_EQ(CertificationStatus(record, "2028-03-01"), "expired");
  record.expires.clear();
  EXPECT_EQ(CertificationStatus(record, "2099-01-01"), "valid");
}

}  // namespace
}  // namespace tutela::catalog
