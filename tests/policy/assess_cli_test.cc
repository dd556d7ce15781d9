// End-to-end tests of `tutela assess` on the bundled example and on bad input.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "test_support.h"

namespace {

using tutela::testing::RunTutela;
using tutela::testing::SourceDir;
using tutela::testing::TempDir;
using tutela::testing::WriteFile;

TEST(AssessCliTest, JsonHasOneResultPerPairIncludingPasses) {
  auto plan = (SourceDir() / "examples/assess/plan.json").string();
  auto run = RunTutela({"assess", plan, "--format", "json"}, {}, SourceDir());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto document = nlohmann::json::parse(run.out);
  EXPECT_TRUE(document["frameworks"].is_array());
  std::map<std::string, std::string> status;
  for (const auto& result : document["results"]) {
    status[result["check"].get<std::string>() + " " + result["resource"].get<std::string>()] = result["status"];
    EXPECT_TRUE(result.contains("equivalents") && result.contains("controls") && result.contains("remediation"));
  }
  EXPECT_EQ(status["aws-s3-encryption module.records.aws_s3_bucket.this"], "pass");
  EXPECT_EQ(status["aws-s3-versioning module.records.aws_s3_bucket.this"], "pass");
  EXPECT_EQ(status["aws-s3-encryption aws_s3_bucket.scratch"], "fail");
  EXPECT_EQ(status["aws-sg-ssh-rdp-open aws_security_group.bastion"], "fail");
  EXPECT_EQ(status["aws-rds-not-public module.db.aws_db_instance.main"], "unknown");
  EXPECT_EQ(status["tc-cos-versioning module.archive.tencentcloud_cos_bucket.this"], "pass");
  EXPECT_EQ(status["tc-mysql-backup-retention tencentcloud_mysql_instance.orders"], "pass");
  EXPECT_EQ(status["tc-mysql-no-internet tencentcloud_mysql_instance.orders"], "fail");
  EXPECT_GT(document["summary"]["pass"].get<int>(), 0);
}

TEST(AssessCliTest, FailOnGatesBySeverity) {
  auto plan = (SourceDir() / "examples/assess/plan.json").string();
  EXPECT_EQ(RunTutela({"assess", plan, "--fail-on", "critical", "--quiet"}, {}, SourceDir()).exit_code, 1);
  auto only = RunTutela({"assess", plan, "--fail-on", "low", "--check", "aws-kms-rotation", "--format", "csv"}, {},
                        SourceDir());
  EXPECT_EQ(only.exit_code, 0) << only.out << only.err;
  EXPECT_EQ(only.out.rfind("check,resource,status", 0), 0u);
  EXPECT_NE(only.out.find("aws-kms-rotation,module.records.aws_kms_key.this,pass"), std::string::npos) << only.out;
}

TEST(AssessCliTest, TableListsFailures) {
  auto run = RunTutela({"assess", (SourceDir() / "examples/assess/plan.json").string()}, {}, SourceDir());
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_NE(run.out.find("aws_security_group.bastion"), std::string::npos);
  EXPECT_NE(run.out.find(" fail, "), std::string::npos);
}

TEST(AssessCliTest, BadInputExitsTwoWithoutOutput) {
  TempDir dir;
  WriteFile(dir / "bad.json", "{\"format_version\": \"1.0\",\n \"planned_values\": [}\n");
  auto run = RunTutela({"assess", "bad.json", "--checks", (SourceDir() / "catalog/checks").string(), "--output",
                        "out.json", "--format", "json"},
                       {}, dir.path());
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("bad.json:2:"), std::string::npos) << run.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "out.json"));
  auto severity = RunTutela({"assess", "bad.json", "--fail-on", "severe"}, {}, SourceDir());
  EXPECT_EQ(severity.exit_code, 2);
}

}  // namespace
