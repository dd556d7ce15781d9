// The assessment engine on a small, hand-made catalog and check set: roll-up to controls and requirements, manual
// and inherited requirements, exceptions that expire, PII-aware severity and conditions, and the JSON document.
#include "tutela/assess/assessment.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "test_support.h"

namespace tutela {
namespace {

using testing::TempDir;
using testing::WriteFile;

constexpr char kControls[] = R"(kind: controls
source: {document: test, published: test}
domain: {id: TST, name: Test}
controls:
  - id: TST-01
    title: Encrypt at rest
    description: d
    type: automatable
    evidence: ["encryption settings"]
    responsibility: {iaas: customer, paas: customer, saas: customer}
  - id: TST-02
    title: Log access
    description: d
    type: automatable
    evidence: ["access logs"]
    responsibility: {iaas: customer, paas: customer, saas: customer}
  - id: TST-03
    title: Guard the data centre
    description: d
    type: physical
    evidence: ["visitor logs", "badge records"]
    responsibility: {iaas: provider, paas: provider, saas: provider}
  - id: TST-04
    title: Write a policy
    description: d
    type: procedural
    evidence: ["policy document"]
    responsibility: {iaas: customer, paas: shared, saas: provider}
)";

constexpr char kFramework[] = R"(kind: framework
id: fw-test
name: Test framework
version: "1"
issuer: test
jurisdiction: test
source: {document: test, published: test}
licence: test
completeness: full
sections:
  - id: S
    title: Section
    requirements:
      - id: R1
        title: Encryption
        controls: [{control: TST-01, relationship: equal, strength: 9}]
      - id: R2
        title: Logging and policy
        controls:
          - {control: TST-02, relationship: subset, strength: 6}
          - {control: TST-04, relationship: subset, strength: 6}
      - id: R3
        title: Physical
        controls: [{control: TST-03, relationship: equal, strength: 9}]
      - id: R4
        title: Policy
        controls: [{control: TST-04, relationship: equal, strength: 9}]
      - id: R5
        title: Manual only
        manual: {evidence: ["board minutes"]}
)";

constexpr char kPortfolio[] = R"(kind: certifications
source: {document: test, published: test}
certifications:
  - id: cloud-fw-test
    framework: fw-test
    scope: {regions: [eu-1], data_centres: [DC-1], services: [storage]}
    certificate_number: CERT-1
    issuer: Test Body
    issued: 2025-01-01
    expires: 2027-01-01
    report: public
)";

constexpr char kChecks[] = R"(source: test
checks:
  - id: t-encrypted
    title: Buckets are encrypted
    severity: medium
    provider: aws
    resource_types: [aws_s3_bucket]
    condition: {attr: encrypted, equals: true}
    message: Not encrypted.
    remediation: {text: Encrypt it., terraform: "encrypted = true"}
    controls: [TST-01]
  - id: t-logged
    title: Buckets log access
    severity: low
    provider: aws
    resource_types: [aws_s3_bucket]
    condition: {attr: logging, equals: true}
    message: Not logged.
    remediation: {text: Log it., terraform: "logging = true"}
    controls: [TST-02]
  - id: t-pii-kms
    title: Buckets with card data use KMS
    severity: high
    provider: aws
    resource_types: [aws_s3_bucket]
    applies_when: {pii: [financial]}
    condition: {attr: kms, exists: true}
    message: Card data without KMS.
    remediation: {text: Use KMS., terraform: "kms = ..."}
    controls: [TST-01]
)";

std::string Snapshot(bool b_encrypted) {
  return std::string(R"({"snapshot_version": 1, "resources": [
    {"address": "aws_s3_bucket.a", "type": "aws_s3_bucket", "values": {"bucket": "cards", "encrypted": true, "logging": true}},
    {"address": "aws_s3_bucket.b", "type": "aws_s3_bucket", "values": {"bucket": "scratch", "encrypted": )") +
         (b_encrypted ? "true" : "false") + R"(, "logging": true}}]})";
}

class AssessmentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteFile(dir_.path() / "catalog/controls.yaml", kControls);
    WriteFile(dir_.path() / "catalog/framework.yaml", kFramework);
    WriteFile(dir_.path() / "catalog/portfolio.yaml", kPortfolio);
    auto loaded = catalog::LoadCatalog({false, {dir_.path() / "catalog"}});
    ASSERT_TRUE(loaded.ok()) << loaded.status().message();
    catalog_ = std::move(*loaded);
    ASSERT_TRUE(checks_.AddYaml(kChecks, "checks.yaml").ok());
    checks_.Index();
  }

  void Load(bool b_encrypted) {
    Status added = estate_.AddText(Snapshot(b_encrypted), "snapshot.json");
    ASSERT_TRUE(added.ok()) << added.message();
  }

  assess::Assessment Run(assess::Options options) {
    if (options.today.empty()) options.today = "2026-06-01";
    auto assessment = assess::Assess(checks_, estate_, catalog_, std::move(options));
    EXPECT_TRUE(assessment.ok()) << assessment.status().message();
    return std::move(*assessment);
  }

  static const assess::RequirementResult& Requirement(const assess::Assessment& assessment, std::string_view id) {
    for (const auto& requirement : assessment.frameworks.at(0).requirements) {
      if (requirement.requirement->id == id) return requirement;
    }
    throw std::runtime_error("no requirement " + std::string(id));
  }

  TempDir dir_;
  catalog::Catalog catalog_;
  policy::CheckSet checks_;
  inventory::Estate estate_;
};

TEST_F(AssessmentTest, RollsUpFailuresToControlsAndRequirements) {
  Load(false);
  assess::Assessment assessment = Run({});
  ASSERT_EQ(assessment.frameworks.size(), 1u);
  // t-pii-kms is not applicable without a PII inventory.
  EXPECT_EQ(assessment.counts[static_cast<int>(assess::ResultStatus::kNotApplicable)], 2u);
  EXPECT_EQ(assessment.FindControl("TST-01")->Status(), "fail");
  EXPECT_EQ(assessment.FindControl("TST-02")->Status(), "pass");
  EXPECT_EQ(Requirement(assessment, "R1").status, assess::RequirementStatus::kFailed);
  // R2: logging passes, the policy control has no automated evidence -> passed, partly, with the evidence needed.
  const auto& r2 = Requirement(assessment, "R2");
  EXPECT_EQ(r2.status, assess::RequirementStatus::kPassed);
  EXPECT_EQ(r2.coverage, catalog::Coverage::kPartial);
  EXPECT_EQ(r2.evidence_needed, std::vector<std::string>{"policy document"});
  // No service model: nothing is inherited.
  EXPECT_EQ(Requirement(assessment, "R3").status, assess::RequirementStatus::kManual);
  EXPECT_EQ(Requirement(assessment, "R3").evidence_needed, (std::vector<std::string>{"badge records", "visitor logs"}));
  EXPECT_EQ(Requirement(assessment, "R5").status, assess::RequirementStatus::kManual);
  EXPECT_EQ(Requirement(assessment, "R5").evidence_needed, std::vector<std::string>{"board minutes"});
  const assess::FrameworkCounts& counts = assessment.frameworks[0].counts;
  EXPECT_EQ(counts.total, 5u);
  EXPECT_EQ(counts.failed, 1u);
  EXPECT_EQ(counts.passed, 1u);
  EXPECT_EQ(counts.manual, 3u);
  // Each result names the requirements its check's controls map to.
  ASSERT_EQ(assessment.check_requirements[0].size(), 1u);
  EXPECT_EQ(assessment.check_requirements[0][0].second, std::vector<std::string>{"R1"});
}

TEST_F(AssessmentTest, AllPassingGivesFullCoverage) {
  Load(true);
  assess::Assessment assessment = Run({});
  EXPECT_EQ(Requirement(assessment, "R1").status, assess::RequirementStatus::kPassed);
  EXPECT_EQ(Requirement(assessment, "R1").coverage, catalog::Coverage::kFull);
}

TEST_F(AssessmentTest, ProviderOwnedRequirementsAreInheritedWithTheCertificate) {
  Load(true);
  assess::Options options;
  options.service_model = catalog::ServiceModel::kSaas;
  assess::Assessment assessment = Run(options);
  const auto& r3 = Requirement(assessment, "R3");
  EXPECT_EQ(r3.status, assess::RequirementStatus::kInherited);
  ASSERT_NE(r3.certificate, nullptr);
  EXPECT_EQ(r3.certificate->certificate_number, "CERT-1");
  // TST-04 is the provider's under SaaS only.
  EXPECT_EQ(Requirement(assessment, "R4").status, assess::RequirementStatus::kInherited);
  options.service_model = catalog::ServiceModel::kIaas;
  EXPECT_EQ(Requirement(Run(options), "R4").status, assess::RequirementStatus::kManual);
  // After the certificate expires the requirement is still the provider's, but no certificate is cited.
  options.today = "2027-02-01";
  assess::Assessment later = Run(options);
  EXPECT_EQ(Requirement(later, "R3").status, assess::RequirementStatus::kInherited);
  EXPECT_EQ(Requirement(later, "R3").certificate, nullptr);
  ASSERT_NE(Requirement(later, "R3").lapsed_certificate, nullptr);
}

TEST_F(AssessmentTest, InheritanceNamesRegionsOutsideTheCertificateScope) {
  Status added = estate_.AddText(R"({"snapshot_version": 1, "resources": [
    {"address": "aws_s3_bucket.a", "type": "aws_s3_bucket", "values": {"encrypted": true, "region": "eu-1"}},
    {"address": "aws_db_instance.b", "type": "aws_db_instance", "values": {"availability_zone": "us-east-2b"}},
    {"address": "tencentcloud_instance.c", "type": "tencentcloud_instance",
     "values": {"availability_zone": "ap-guangzhou-3"}}]})",
                                 "zones.json");
  ASSERT_TRUE(added.ok()) << added.message();
  assess::Options options;
  options.service_model = catalog::ServiceModel::kIaas;
  assess::Assessment assessment = Run(options);
  EXPECT_EQ(assessment.regions, (std::vector<std::string>{"ap-guangzhou", "eu-1", "us-east-2"}));
  const auto& r3 = Requirement(assessment, "R3");
  ASSERT_EQ(r3.status, assess::RequirementStatus::kInherited);
  EXPECT_EQ(r3.regions_outside_scope, (std::vector<std::string>{"ap-guangzhou", "us-east-2"}));
}

// Before: a mixed AWS + Tencent Cloud estate inherited every provider-owned requirement from whichever certificate
// the portfolio listed first, so AWS resources were "covered" by another provider's certificate.
TEST_F(AssessmentTest, AMixedEstateInheritsFromEachProvidersOwnCertificates) {
  WriteFile(dir_.path() / "catalog/portfolio.yaml", R"(kind: certifications
source: {document: test, published: test}
certifications:
  - id: tc-fw-test
    framework: fw-test
    provider: tencentcloud
    scope: {regions: [ap-guangzhou], data_centres: [], services: [cvm]}
    certificate_number: TC-1
    issuer: Test Body
    issued: 2025-01-01
    expires: 2027-01-01
    report: public
  - id: aws-fw-test-old
    framework: fw-test
    provider: aws
    scope: {regions: [eu-1], data_centres: [], services: [s3]}
    certificate_number: AWS-0
    issuer: Test Body
    issued: 2022-01-01
    expires: 2025-01-01
    report: public
)");
  auto loaded = catalog::LoadCatalog({false, {dir_.path() / "catalog"}});
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  catalog_ = std::move(*loaded);
  Status added = estate_.AddText(R"({"snapshot_version": 1, "resources": [
    {"address": "aws_s3_bucket.a", "type": "aws_s3_bucket", "values": {"encrypted": true, "region": "eu-1"}},
    {"address": "tencentcloud_instance.c", "type": "tencentcloud_instance",
     "values": {"availability_zone": "ap-guangzhou-3"}},
    {"address": "tencentcloud_instance.d", "type": "tencentcloud_instance",
     "values": {"availability_zone": "ap-shanghai-2"}}]})",
                                 "mixed.json");
  ASSERT_TRUE(added.ok()) << added.message();
  assess::Options options;
  options.service_model = catalog::ServiceModel::kIaas;
  assess::Assessment assessment = Run(options);
  ASSERT_EQ(assessment.providers.size(), 2u);
  EXPECT_EQ(assessment.providers[0].provider, "aws");
  EXPECT_EQ(assessment.providers[1].regions, (std::vector<std::string>{"ap-guangzhou", "ap-shanghai"}));
  const auto& r3 = Requirement(assessment, "R3");
  ASSERT_EQ(r3.status, assess::RequirementStatus::kInherited);
  // No one record answers for both: no estate-wide certificate.
  EXPECT_EQ(r3.certificate, nullptr);
  EXPECT_EQ(r3.lapsed_certificate, nullptr);
  ASSERT_EQ(r3.by_provider.size(), 2u);
  EXPECT_EQ(r3.by_provider[0].provider, "aws");
  EXPECT_EQ(r3.by_provider[0].certificate, nullptr);
  ASSERT_NE(r3.by_provider[0].lapsed_certificate, nullptr);
  EXPECT_EQ(r3.by_provider[0].lapsed_certificate->id, "aws-fw-test-old");
  EXPECT_EQ(r3.by_provider[1].provider, "tencentcloud");
  ASSERT_NE(r3.by_provider[1].certificate, nullptr);
  EXPECT_EQ(r3.by_provider[1].certificate->id, "tc-fw-test");
  EXPECT_EQ(r3.by_provider[1].regions_outside_scope, std::vector<std::string>{"ap-shanghai"});
  // The JSON says the same per provider; the estate-wide field is null.
  nlohmann::json json = nlohmann::json::parse(assess::ToJson(assessment, {"mixed.json"}));
  nlohmann::json row;
  for (const auto& item : json["frameworks"][0]["requirement_results"]) {
    if (item["id"] == "R3") row = item;
  }
  EXPECT_TRUE(row["inherited_from"].is_null());
  ASSERT_EQ(row["inherited_by_provider"].size(), 2u);
  EXPECT_EQ(row["inherited_by_provider"][0]["lapsed_certification"], "aws-fw-test-old");
  EXPECT_TRUE(row["inherited_by_provider"][0]["certification"].is_null());
  EXPECT_EQ(row["inherited_by_provider"][1]["certification"], "tc-fw-test");
  // A record that names no provider answers for every provider, as before.
  WriteFile(dir_.path() / "catalog/portfolio.yaml", kPortfolio);
  loaded = catalog::LoadCatalog({false, {dir_.path() / "catalog"}});
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  catalog_ = std::move(*loaded);
  assess::Assessment again = Run(options);
  const auto& shared = Requirement(again, "R3");
  ASSERT_NE(shared.certificate, nullptr);
  EXPECT_EQ(shared.certificate->id, "cloud-fw-test");
  ASSERT_EQ(shared.by_provider.size(), 2u);
  EXPECT_EQ(shared.by_provider[0].certificate, shared.certificate);
}

TEST_F(AssessmentTest, InheritanceNamesServicesOutsideTheCertificateScope) {
  WriteFile(dir_.path() / "catalog/services.yaml", R"(kind: services
source: {document: test, published: test}
services:
  - {id: object-storage, title: Objects, names: [S3, COS], prefixes: [aws_s3_, tencentcloud_cos_]}
  - {id: database, title: Databases, prefixes: [aws_db_]}
)");
  std::string portfolio = kPortfolio;
  portfolio.replace(portfolio.find("services: [storage]"), 19, "services: [s3]");
  WriteFile(dir_.path() / "catalog/portfolio.yaml", portfolio);
  auto loaded = catalog::LoadCatalog({false, {dir_.path() / "catalog"}});
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  catalog_ = std::move(*loaded);
  Status added = estate_.AddText(R"({"snapshot_version": 1, "resources": [
    {"address": "aws_s3_bucket.a", "type": "aws_s3_bucket", "values": {"encrypted": true, "region": "eu-1"}},
    {"address": "aws_db_instance.b", "type": "aws_db_instance", "values": {"region": "eu-1"}},
    {"address": "aws_lambda_function.c", "type": "aws_lambda_function", "values": {"region": "eu-1"}}]})",
                                 "services.json");
  ASSERT_TRUE(added.ok()) << added.message();
  assess::Options options;
  options.service_model = catalog::ServiceModel::kIaas;
  assess::Assessment assessment = Run(options);
  // The function has no category: it is neither in nor out.
  EXPECT_EQ(assessment.services, (std::vector<std::string>{"database", "object-storage"}));
  const auto& r3 = Requirement(assessment, "R3");
  ASSERT_EQ(r3.status, assess::RequirementStatus::kInherited);
  EXPECT_EQ(r3.services_outside_scope, std::vector<std::string>{"database"});
  EXPECT_TRUE(r3.regions_outside_scope.empty());
  // A scope in a vocabulary the catalog does not know ("storage") is not judged.
  WriteFile(dir_.path() / "catalog/portfolio.yaml", kPortfolio);
  loaded = catalog::LoadCatalog({false, {dir_.path() / "catalog"}});
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  catalog_ = std::move(*loaded);
  assess::Assessment unknown = Run(options);
  EXPECT_TRUE(Requirement(unknown, "R3").services_outside_scope.empty());
}

TEST_F(AssessmentTest, ExceptionsApplyUntilTheyExpire) {
  Load(false);
  auto exceptions = assess::ParseExceptions(R"(exceptions:
  - id: scratch-unencrypted
    check: t-encrypted
    resource: "aws_s3_bucket.b*"
    reason: Scratch data only, deleted nightly.
    approver: CISO
    expires: 2026-12-31
  - requirement: "fw-test:R4"
    reason: Policy under review.
    approver: CISO
    expires: 2026-01-31
)",
                                            "exceptions.yaml");
  ASSERT_TRUE(exceptions.ok()) << exceptions.status().message();
  assess::Options options;
  options.exceptions = *exceptions;
  assess::Assessment assessment = Run(options);
  EXPECT_EQ(assessment.counts[static_cast<int>(assess::ResultStatus::kExcepted)], 1u);
  EXPECT_EQ(assessment.counts[static_cast<int>(assess::ResultStatus::kFail)], 0u);
  EXPECT_EQ(assessment.exceptions[0].applied, 1u);
  EXPECT_FALSE(assessment.exceptions[0].expired);
  // The requirement exception expired before the assessment date: R4 stays manual, and the exception says expired.
  EXPECT_TRUE(assessment.exceptions[1].expired);
  EXPECT_EQ(assessment.exceptions[1].applied, 0u);
  EXPECT_EQ(Requirement(assessment, "R4").status, assess::RequirementStatus::kManual);
  for (const assess::ResultRow& row : assessment.results) {
    if (row.status != assess::ResultStatus::kExcepted) continue;
    EXPECT_EQ(row.evaluated, assess::ResultStatus::kFail);
    EXPECT_NE(assessment.MessageOf(row).find("scratch-unencrypted"), std::string::npos);
  }

  // A year later the check exception has expired too and the failure counts again.
  options.today = "2027-01-01";
  assess::Assessment later = Run(options);
  EXPECT_TRUE(later.exceptions[0].expired);
  EXPECT_EQ(later.counts[static_cast<int>(assess::ResultStatus::kFail)], 1u);
  EXPECT_EQ(Requirement(later, "R1").status, assess::RequirementStatus::kFailed);

  // Excepting the requirement itself.
  options.today = "2026-01-01";
  EXPECT_EQ(Requirement(Run(options), "R4").status, assess::RequirementStatus::kExcepted);
}

TEST_F(AssessmentTest, ExceptionsFileIsValidated) {
  auto missing_expiry =
      assess::ParseExceptions("exceptions:\n  - check: x\n    reason: r\n    approver: a\n", "e.yaml");
  ASSERT_FALSE(missing_expiry.ok());
  EXPECT_NE(missing_expiry.status().message().find("e.yaml:2:5"), std::string::npos)
      << missing_expiry.status().message();
  EXPECT_NE(missing_expiry.status().message().find("expires"), std::string::npos);
  EXPECT_FALSE(
      assess::ParseExceptions("exceptions:\n  - reason: r\n    approver: a\n    expires: 2026-01-01\n", "e.yaml").ok());
  EXPECT_FALSE(assess::ParseExceptions(
                   "exceptions:\n  - check: x\n    reason: r\n    approver: a\n    expires: 2026-13-01\n", "e.yaml")
                   .ok());
  // An exception naming an unknown check is refused by Assess, with its place.
  Load(true);
  assess::Options options;
  options.exceptions = *assess::ParseExceptions(
      "exceptions:\n  - check: no-such-check\n    reason: r\n    approver: a\n    expires: 2026-01-01\n", "e.yaml");
  auto refused = assess::Assess(checks_, estate_, catalog_, options);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("e.yaml:2:5"), std::string::npos) << refused.status().message();
}

TEST_F(AssessmentTest, PatternsMatchWholeAddresses) {
  EXPECT_TRUE(assess::MatchesPattern("*", "module.a.aws_s3_bucket.x[0]"));
  EXPECT_TRUE(assess::MatchesPattern("module.a.*", "module.a.aws_s3_bucket.x[0]"));
  EXPECT_TRUE(assess::MatchesPattern("*.x[?]", "module.a.aws_s3_bucket.x[0]"));
  EXPECT_TRUE(assess::MatchesPattern("aws_s3_bucket.x[\"eu\"]", "aws_s3_bucket.x[\"eu\"]"));
  EXPECT_FALSE(assess::MatchesPattern("module.a.*", "module.ab"));
  EXPECT_FALSE(assess::MatchesPattern("aws_s3_bucket.x", "aws_s3_bucket.x[0]"));
}

TEST_F(AssessmentTest, SensitivePiiRaisesSeverityAndEnablesPiiChecks) {
  Load(false);
  auto pii = assess::ParsePiiInventory(R"({"format": "tutela-pii-inventory", "version": 1, "stores": [
      {"store": "s3://cards/exports", "kind": "directory", "findings": 3, "max_sensitivity": "high",
       "categories": ["financial"], "sensitive_under": [], "entities": []},
      {"store": "scratch", "kind": "directory", "findings": 1, "max_sensitivity": "low",
       "categories": ["contact"], "sensitive_under": [], "entities": []}]})",
                                       "pii.json");
  ASSERT_TRUE(pii.ok()) << pii.status().message();
  assess::Options options;
  options.pii = *pii;
  assess::Assessment assessment = Run(options);
  ASSERT_EQ(assessment.pii[0].resources, std::vector<uint32_t>{0});
  ASSERT_EQ(assessment.pii[1].resources, std::vector<uint32_t>{1});
  for (const assess::ResultRow& row : assessment.results) {
    const std::string& id = checks_.checks()[row.check].id;
    if (row.resource == 0 && id == "t-pii-kms") {
      EXPECT_EQ(row.status, assess::ResultStatus::kFail);    // applies: the bucket holds card data, no KMS
      EXPECT_EQ(row.severity, policy::Severity::kCritical);  // high, raised
      EXPECT_NE(assessment.MessageOf(row).find("sensitive personal data"), std::string::npos);
    }
    if (row.resource == 1 && id == "t-pii-kms") {
      EXPECT_EQ(row.status, assess::ResultStatus::kNotApplicable);
    }
    if (row.resource == 1 && id == "t-encrypted") {
      EXPECT_EQ(row.severity, policy::Severity::kMedium);  // not sensitive
    }
  }
  EXPECT_FALSE(assess::ParsePiiInventory(R"({"format": "other", "version": 1, "stores": []})", "x.json").ok());
}

// Regression: a store's "max_sensitivity": 5 (or "findings": -1) was ignored, so the store lost its raised severity
// without a word; pims register sync refused the same file.
TEST(PiiInventoryTest, AWronglyTypedSensitivityOrFindingsIsRefusedNotIgnored) {
  auto level = assess::ParsePiiInventory(
      R"({"format": "tutela-pii-inventory", "version": 1, "stores": [{"store": "s3://a", "max_sensitivity": 5}]})",
      "inv.json");
  ASSERT_FALSE(level.ok());
  EXPECT_EQ(level.status().message().rfind("inv.json#/stores/0/max_sensitivity: must be \"high\"", 0), 0u)
      << level.status().message();
  auto unknown = assess::ParsePiiInventory(
      R"({"format": "tutela-pii-inventory", "version": 1, "stores": [{"store": "s3://a", "max_sensitivity": "HIGH"}]})",
      "inv.json");
  EXPECT_FALSE(unknown.ok());
  auto findings = assess::ParsePiiInventory(
      R"({"format": "tutela-pii-inventory", "version": 1, "stores": [{"store": "s3://a", "findings": -1}]})",
      "inv.json");
  ASSERT_FALSE(findings.ok());
  EXPECT_NE(findings.status().message().find("#/stores/0/findings: must be a whole number"), std::string::npos);
  EXPECT_TRUE(assess::ParsePiiInventory(R"({"format": "tutela-pii-inventory", "version": 1, "stores": [
      {"store": "s3://a", "max_sensitivity": "none", "findings": 0}]})",
                                        "inv.json")
                  .ok());
}

TEST_F(AssessmentTest, JsonKeepsTheDocumentedFieldsAndAddsTheRollUp) {
  Load(false);
  assess::Options options;
  options.service_model = catalog::ServiceModel::kIaas;
  assess::Assessment assessment = Run(options);
  nlohmann::json document = nlohmann::json::parse(assess::ToJson(assessment, {"snapshot.json"}));
  ASSERT_EQ(document["results"].size(), assessment.results.size());
  for (const auto& result : document["results"]) {
    for (const char* field : {"check", "resource", "status", "severity", "equivalents", "controls", "requirements",
                              "message", "remediation", "source"}) {
      EXPECT_TRUE(result.contains(field)) << field;
    }
  }
  EXPECT_EQ(document["results"][0]["requirements"]["fw-test"], nlohmann::json::array({"R1"}));
  const auto& framework = document["frameworks"][0];
  EXPECT_EQ(framework["id"], "fw-test");
  EXPECT_EQ(framework["requirements"]["total"], 5);
  EXPECT_EQ(framework["requirements"]["failed"], 1);
  EXPECT_EQ(framework["requirements"]["inherited"], 1);
  EXPECT_EQ(framework["requirements"]["manual"], 2);
  EXPECT_EQ(framework["requirement_results"][2]["inherited_from"]["certificate_number"], "CERT-1");
  EXPECT_EQ(document["inputs"][0]["kind"], "snapshot");
}

TEST_F(AssessmentTest, UnknownFrameworkOrCheckIsRefused) {
  Load(true);
  assess::Options options;
  options.frameworks = {"no-such-framework"};
  EXPECT_EQ(assess::Assess(checks_, estate_, catalog_, options).status().code(), StatusCode::kNotFound);
  options.frameworks.clear();
  options.only_checks = {"nope"};
  EXPECT_EQ(assess::Assess(checks_, estate_, catalog_, options).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace tutela
