// Tests of the estate importers: plans (modules, unknowns, deletes, configuration references), states, snapshots,
// encodings and errors.
#include "tutela/inventory/estate.h"

#include <gtest/gtest.h>

#include "test_support.h"

namespace tutela::inventory {
namespace {

using tutela::testing::SourceDir;
using tutela::testing::TempDir;
using tutela::testing::WriteFile;

std::vector<std::string> LinkedAddresses(const Estate& estate, std::string_view address) {
  std::vector<std::string> out;
  int64_t index = estate.Find(address);
  if (index < 0) return {"<missing " + std::string(address) + ">"};
  for (uint32_t link : estate.resources()[index].links) out.emplace_back(estate.resources()[link].address);
  return out;
}

LookupState StateOf(const Estate& estate, std::string_view address, std::string_view path) {
  return LookUp(estate.resources()[estate.Find(address)], ParseAttributePath(path).value()).state;
}

TEST(PlanTest, ModulesAddressesDeletesAndUnknowns) {
  Estate estate;
  ASSERT_TRUE(estate.AddFile(SourceDir() / "tests/inventory/data/plan_modules.json").ok());
  std::vector<std::string> addresses;
  for (const Resource& resource : estate.resources()) addresses.emplace_back(resource.address);
  EXPECT_EQ(addresses, (std::vector<std::string>{
                           "aws_s3_bucket.b", "data.aws_caller_identity.me", "module.storage.aws_s3_bucket.logs[0]",
                           "module.storage.aws_s3_bucket.logs[1]", "module.storage.aws_s3_bucket_versioning.logs[1]",
                           "module.storage.module.inner.aws_s3_bucket.b",
                           "module.storage.module.inner.aws_s3_bucket_versioning.v", "aws_ebs_volume.late"}));
  EXPECT_EQ(estate.Find("aws_instance.old"), -1);  // deleted: not part of the planned estate
  const Resource& inner = estate.resources()[estate.Find("module.storage.module.inner.aws_s3_bucket.b")];
  EXPECT_EQ(inner.module, "module.storage.module.inner");
  EXPECT_EQ(inner.provider, "aws");
  EXPECT_TRUE(estate.resources()[1].data_source);
  // after_unknown: unknown, not missing or false.
  EXPECT_EQ(StateOf(estate, "module.storage.module.inner.aws_s3_bucket.b", "server_side_encryption_configuration"),
            LookupState::kUnknown);
  EXPECT_EQ(StateOf(estate, "module.storage.module.inner.aws_s3_bucket.b",
                    "server_side_encryption_configuration[0]"
                    ".rule"),
            LookupState::kUnknown);
  EXPECT_EQ(
      StateOf(estate, "module.storage.module.inner.aws_s3_bucket_versioning.v", "versioning_configuration.status"),
      LookupState::kUnknown);
  EXPECT_EQ(StateOf(estate, "module.storage.module.inner.aws_s3_bucket.b", "bucket_prefix"), LookupState::kFound);
  EXPECT_EQ(StateOf(estate, "module.storage.module.inner.aws_s3_bucket.b", "website"), LookupState::kMissing);
  EXPECT_EQ(StateOf(estate, "aws_s3_bucket.b", "tags"), LookupState::kMissing);  // null is absent
  // A change with no planned values takes `after`.
  EXPECT_EQ(StateOf(estate, "aws_ebs_volume.late", "size"), LookupState::kFound);
  EXPECT_EQ(StateOf(estate, "aws_ebs_volume.late", "encrypted"), LookupState::kUnknown);
}

TEST(PlanTest, ConfigurationReferencesResolveWithinTheirModule) {
  Estate estate;
  ASSERT_TRUE(estate.AddFile(SourceDir() / "tests/inventory/data/plan_modules.json").ok());
  // aws_s3_bucket.b inside module.storage.module.inner is not the root's aws_s3_bucket.b.
  EXPECT_EQ(LinkedAddresses(estate, "module.storage.module.inner.aws_s3_bucket_versioning.v"),
            (std::vector<std::string>{"module.storage.module.inner.aws_s3_bucket.b"}));
  EXPECT_TRUE(LinkedAddresses(estate, "aws_s3_bucket.b").empty());
  // count instances pair by index.
  EXPECT_EQ(LinkedAddresses(estate, "module.storage.aws_s3_bucket_versioning.logs[1]"),
            (std::vector<std::string>{"module.storage.aws_s3_bucket.logs[1]"}));
  EXPECT_TRUE(LinkedAddresses(estate, "module.storage.aws_s3_bucket.logs[0]").empty());
}

TEST(PlanTest, OlderFormatVersionsAndUnsupportedOnes) {
  Estate estate;
  EXPECT_TRUE(estate
                  .AddText(R"({"format_version":"0.1","planned_values":{"root_module":{"resources":[
                    {"address":"aws_vpc.a","type":"aws_vpc","name":"a","values":{"cidr_block":"10.0.0.0/16"}}]}}})",
                           "old.json")
                  .ok());
  EXPECT_EQ(estate.resources().size(), 1u);
  Status status = estate.AddText(R"({"format_version":"2.0","planned_values":{}})", "new.json");
  EXPECT_EQ(status.message().substr(0, 26), "new.json#/format_version: ");
  EXPECT_EQ(estate.resources().size(), 1u);
}

TEST(StateTest, ShowJsonAndRawStateLinkByValues) {
  Estate estate;
  ASSERT_TRUE(estate
                  .AddText(R"({"format_version":"1.0","values":{"root_module":{"resources":[
      {"address":"aws_vpc.main","mode":"managed","type":"aws_vpc","name":"main","values":{"id":"vpc-0abc"}},
      {"address":"aws_flow_log.main","mode":"managed","type":"aws_flow_log","name":"main",
       "values":{"id":"fl-1","vpc_id":"vpc-0abc"}}]}}})",
                           "show.json")
                  .ok());
  EXPECT_EQ(LinkedAddresses(estate, "aws_vpc.main"), (std::vector<std::string>{"aws_flow_log.main"}));
  EXPECT_EQ(estate.sources()[0], SourceKind::kState);

  Estate raw;
  ASSERT_TRUE(raw.AddText(R"({"version":4,"terraform_version":"1.5.0","resources":[
      {"module":"module.db","mode":"managed","type":"tencentcloud_mysql_instance","name":"main",
       "provider":"provider[\"registry.terraform.io/tencentcloudstack/tencentcloud\"]",
       "instances":[{"index_key":"prod","attributes":{"id":"cdb-123","internet_service":0}}]},
      {"module":"module.db","mode":"managed","type":"tencentcloud_mysql_backup_policy","name":"main",
       "instances":[{"attributes":{"id":"cdb-123-policy","mysql_id":"cdb-123","retention_period":7}}]}]})",
                          "terraform.tfstate")
                  .ok());
  EXPECT_EQ(LinkedAddresses(raw, "module.db.tencentcloud_mysql_instance.main[\"prod\"]"),
            (std::vector<std::string>{"module.db.tencentcloud_mysql_backup_policy.main"}));
  EXPECT_EQ(raw.resources()[0].provider, "tencentcloud");
}

TEST(SnapshotTest, ResourcesExplicitLinksAndUnknowns) {
  Estate estate;
  ASSERT_TRUE(estate
                  .AddText(R"({"snapshot_version":1,"resources":[
      {"type":"tencentcloud_cos_bucket","name":"records","values":{"bucket":"records-1250000000"}},
      {"address":"tencentcloud_cos_bucket_version.records","type":"tencentcloud_cos_bucket_version",
       "values":{"status":"Enabled"},"links":["tencentcloud_cos_bucket.records"]},
      {"type":"tencentcloud_kms_key","name":"k","values":{},"unknown":{"key_rotation_enabled":true}}]})",
                           "estate.json")
                  .ok());
  EXPECT_EQ(LinkedAddresses(estate, "tencentcloud_cos_bucket.records"),
            (std::vector<std::string>{"tencentcloud_cos_bucket_version.records"}));
  EXPECT_EQ(StateOf(estate, "tencentcloud_kms_key.k", "key_rotation_enabled"), LookupState::kUnknown);
  EXPECT_EQ(estate.sources()[0], SourceKind::kSnapshot);
}

TEST(EncodingTest, Utf16AndBomsAreAccepted) {
  std::string json = R"({"snapshot_version":1,"resources":[{"type":"aws_vpc","name":"é","values":{}}]})";
  std::string utf16le = "\xFF\xFE";
  std::string utf16be = "\xFE\xFF";
  // Encode as UTF-16 (the text is ASCII except "é" = U+00E9).
  std::u32string wide =
      U"{\"snapshot_version\":1,\"resources\":[{\"type\":\"aws_vpc\",\"name\":\"\u00e9\",\"values\":{}}]}";
  for (char32_t c : wide) {
    utf16le.push_back(static_cast<char>(c & 0xFF));
    utf16le.push_back(static_cast<char>(c >> 8));
    utf16be.push_back(static_cast<char>(c >> 8));
    utf16be.push_back(static_cast<char>(c & 0xFF));
  }
  for (const std::string& text : {std::string("\xEF\xBB\xBF") + json, utf16le, utf16be}) {
    Estate estate;
    Status status = estate.AddText(text, "encoded.json");
    ASSERT_TRUE(status.ok()) << status.ToString();
    EXPECT_EQ(estate.resources()[0].address, "aws_vpc.\xC3\xA9");
  }
  EXPECT_FALSE(NormalizeEncoding("\xFF\xFE\x41", "odd.json").ok());
}

TEST(ErrorTest, MessagesNameTheFileAndPlace) {
  TempDir dir;
  WriteFile(dir / "broken.json", "{\n  \"format_version\": \"1.0\",\n  \"planned_values\": {,}\n}\n");
  Estate estate;
  Status status = estate.AddFile(dir / "broken.json");
  EXPECT_NE(status.message().find("broken.json:3:"), std::string::npos) << status.message();

  status = estate.AddText(R"({"format_version":"1.0","planned_values":{"root_module":{"resources":[{"type":1}]}}})",
                          "p.json");
  EXPECT_NE(status.message().find("p.json#/planned_values/root_module/resources/0: "), std::string::npos)
      << status.message();
  status = estate.AddText(R"({"hello":1})", "other.json");
  EXPECT_NE(status.message().find("other.json#: not a Terraform plan"), std::string::npos) << status.message();
  status = estate.AddText(R"([1,2])", "array.json");
  EXPECT_FALSE(status.ok());
  EXPECT_TRUE(estate.resources().empty());
  EXPECT_EQ(estate.AddFile(dir / "absent.json").code(), StatusCode::kNotFound);
}

// The address index views the resources' addresses: short ones live inside the strings, so they move when the
// resource list grows with a later file, and the index must still find every resource.
TEST(ManyFilesTest, AddressesOfEarlierFilesAreFoundAfterTheListGrows) {
  Estate estate;
  for (int file = 0; file < 40; ++file) {
    std::string name = "v" + std::to_string(file);
    std::string snapshot = R"({"snapshot_version":1,"resources":[{"type":"aws_vpc","name":")" + name +
                           R"(","values":{}},{"type":"aws_vpc","name":")" + name + R"(b","values":{}}]})";
    ASSERT_TRUE(estate.AddText(snapshot, name + ".json").ok());
  }
  ASSERT_EQ(estate.resources().size(), 80u);
  for (int file = 0; file < 40; ++file) {
    std::string address = "aws_vpc.v" + std::to_string(file);
    ASSERT_GE(estate.Find(address), 0) << address;
    EXPECT_EQ(estate.resources()[estate.Find(address)].address, address);
    EXPECT_GE(estate.Find(address + "b"), 0) << address;
  }
  EXPECT_EQ(estate.Find("aws_vpc.v40"), -1);
}

// Changes are matched to planned values by position when they come in the same order, and by address otherwise.
TEST(PlanTest, ChangesOutOfPlannedOrderStillCarryTheirUnknownsAndDeletes) {
  Estate estate;
  ASSERT_TRUE(estate
                  .AddText(R"({"format_version":"1.2","planned_values":{"root_module":{"resources":[
      {"address":"aws_s3_bucket.a","type":"aws_s3_bucket","name":"a","values":{}},
      {"address":"aws_s3_bucket.b","type":"aws_s3_bucket","name":"b","values":{}},
      {"address":"aws_s3_bucket.c","type":"aws_s3_bucket","name":"c","values":{}}]}},
    "resource_changes":[
      {"address":"aws_s3_bucket.c","type":"aws_s3_bucket","change":{"actions":["create"],"after_unknown":{"acl":true}}},
      {"address":"aws_s3_bucket.a","type":"aws_s3_bucket","change":{"actions":["create"],"after_unknown":{"acl":true}}},
      {"address":"aws_s3_bucket.b","type":"aws_s3_bucket","change":{"actions":["delete"]}}]})",
                           "p.json")
                  .ok());
  EXPECT_EQ(estate.resources().size(), 2u);
  EXPECT_EQ(estate.Find("aws_s3_bucket.b"), -1);
  EXPECT_EQ(StateOf(estate, "aws_s3_bucket.a", "acl"), LookupState::kUnknown);
  EXPECT_EQ(StateOf(estate, "aws_s3_bucket.c", "acl"), LookupState::kUnknown);
}

TEST(ErrorTest, DuplicateAddressesAcrossFilesAreRefused) {
  Estate estate;
  std::string snapshot = R"({"snapshot_version":1,"resources":[{"type":"aws_vpc","name":"a","values":{}}]})";
  ASSERT_TRUE(estate.AddText(snapshot, "one.json").ok());
  Status status = estate.AddText(snapshot, "two.json");
  EXPECT_NE(status.message().find("also defined in one.json"), std::string::npos) << status.message();
  EXPECT_EQ(estate.resources().size(), 1u);
}

TEST(PathTest, Syntax) {
  EXPECT_EQ(ParseAttributePath("a.b[2].c").value().size(), 4u);
  EXPECT_EQ(ParseAttributePath("a.b[2].c").value()[2].index, 2);
  EXPECT_FALSE(ParseAttributePath("a[x]").ok());
  EXPECT_FALSE(ParseAttributePath("").ok());
}

}  // namespace
}  // namespace tutela::inventory

namespace tutela::inventory {
namespace {

// Regression: a plan resource without values, read after a snapshot, must get an empty object, not another
// document's root.
TEST(RegressionTest, ResourceWithoutValuesAfterSnapshotIsEmpty) {
  Estate estate;
  ASSERT_TRUE(
      estate.AddText(R"({"snapshot_version":1,"resources":[{"type":"aws_vpc","name":"a","values":{}}]})", "snap.json")
          .ok());
  ASSERT_TRUE(estate
                  .AddText(R"({"format_version":"1.0","planned_values":{"root_module":{"resources":[
                    {"address":"aws_ebs_volume.v","type":"aws_ebs_volume","name":"v"}]}}})",
                           "plan.json")
                  .ok());
  EXPECT_EQ(StateOf(estate, "aws_ebs_volume.v", "resources"), LookupState::kMissing);
  EXPECT_EQ(StateOf(estate, "aws_ebs_volume.v", "snapshot_version"), LookupState::kMissing);
}

// Bad input never crashes: every prefix of a real plan either loads or gives an error naming the file.
TEST(RegressionTest, TruncatedPlansGiveErrorsNotCrashes) {
  std::string plan = tutela::testing::ReadFile(SourceDir() / "examples/assess/plan.json");
  for (size_t length = 0; length < plan.size(); length += 97) {
    Estate estate;
    Status status = estate.AddText(plan.substr(0, length), "cut.json");
    EXPECT_FALSE(status.ok());
    EXPECT_EQ(status.message().rfind("cut.json", 0), 0u) << status.message();
  }
}

}  // namespace
}  // namespace tutela::inventory

namespace tutela::inventory {
namespace {

// Plan files are parsed from a mapping of the file with simdjson's padding after it: a file that ends exactly at,
// just before or just after a page boundary parses like any other, and so do an empty file and a file that is
// later rewritten (the estate does not keep the mapping).
TEST(MappedInputTest, FilesEndingAtPageBoundariesParse) {
  TempDir dir;
  const std::string plan =
      R"({"format_version":"1.2","planned_values":{"root_module":{"resources":[)"
      R"({"address":"aws_s3_bucket.b","type":"aws_s3_bucket","name":"b","values":{"bucket":"x"}}]}}})";
  for (size_t size :
       {size_t{4096} - 1, size_t{4096}, size_t{4096} + 1, size_t{8192} - 64, size_t{8192} - 63, size_t{3 * 4096}}) {
    ASSERT_LT(plan.size(), size);
    std::string text = plan + std::string(size - plan.size() - 1, ' ') + "\n";
    ASSERT_EQ(text.size(), size);
    std::filesystem::path path = dir / ("plan-" + std::to_string(size) + ".json");
    WriteFile(path, text);
    Estate estate;
    Status status = estate.AddFile(path);
    ASSERT_TRUE(status.ok()) << size << ": " << status.message();
    WriteFile(path, "{}");  // rewritten afterwards: the estate's values are its own
    ASSERT_GE(estate.Find("aws_s3_bucket.b"), 0) << size;
    EXPECT_EQ(StateOf(estate, "aws_s3_bucket.b", "bucket"), LookupState::kFound) << size;
  }
  WriteFile(dir / "empty.json", "");
  Estate estate;
  Status status = estate.AddFile(dir / "empty.json");
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("empty.json"), std::string::npos) << status.message();
}

// A file another program holds open for writing cannot be leased, so it is read rather than mapped (a mapped file
// truncated during the parse would end the process with SIGBUS); the result is the same.
TEST(MappedInputTest, AFileOpenForWritingElsewhereIsReadInstead) {
  TempDir dir;
  std::filesystem::path path = dir / "plan.json";
  WriteFile(path, R"({"format_version":"1.2","planned_values":{"root_module":{"resources":[)"
                  R"({"address":"aws_s3_bucket.b","type":"aws_s3_bucket","name":"b","values":{"bucket":"x"}}]}}})");
  std::FILE* writer = std::fopen(path.c_str(), "a");
  ASSERT_NE(writer, nullptr);
  Estate estate;
  Status status = estate.AddFile(path);
  std::fclose(writer);
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_EQ(StateOf(estate, "aws_s3_bucket.b", "bucket"), LookupState::kFound);
}

// Regression: an address given twice in one file was reported after the file's resources were dropped, reading a
// resource that was no longer there for the message.
TEST(RegressionTest, DuplicateAddressWithinOneFileIsRefusedNamingBoth) {
  Estate estate;
  Status status = estate.AddText(R"({"snapshot_version":1,"resources":[
      {"type":"aws_vpc","name":"first","values":{}},
      {"type":"aws_vpc","name":"a","values":{}},
      {"type":"aws_vpc","name":"a","values":{}}]})",
                                 "dup.json");
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("\"aws_vpc.a\" is also defined in dup.json#/resources/1"), std::string::npos)
      << status.message();
  EXPECT_TRUE(estate.resources().empty());
  EXPECT_EQ(estate.Find("aws_vpc.first"), -1);
}

// Linking runs again after every file: links found earlier stay, appear once, and a later file's resources link to
// an earlier file's (here by value: the version names the bucket's id).
TEST(ManyFilesTest, LinksSurviveLaterFilesOnceEach) {
  Estate estate;
  ASSERT_TRUE(estate
                  .AddText(R"({"snapshot_version":1,"resources":[
      {"type":"aws_s3_bucket","name":"a","values":{"id":"bucket-a"}},
      {"type":"aws_s3_bucket_versioning","name":"a","values":{},"links":["aws_s3_bucket.a"]}]})",
                           "one.json")
                  .ok());
  ASSERT_TRUE(estate
                  .AddText(R"({"snapshot_version":1,"resources":[
      {"type":"aws_s3_bucket_logging","name":"a","values":{"bucket":"bucket-a"}},
      {"type":"aws_vpc","name":"v","values":{}}]})",
                           "two.json")
                  .ok());
  EXPECT_EQ(LinkedAddresses(estate, "aws_s3_bucket.a"),
            (std::vector<std::string>{"aws_s3_bucket_versioning.a", "aws_s3_bucket_logging.a"}));
  EXPECT_EQ(LinkedAddresses(estate, "aws_s3_bucket_versioning.a"), (std::vector<std::string>{"aws_s3_bucket.a"}));
  EXPECT_EQ(LinkedAddresses(estate, "aws_s3_bucket_logging.a"), (std::vector<std::string>{"aws_s3_bucket.a"}));
  EXPECT_TRUE(LinkedAddresses(estate, "aws_vpc.v").empty());
}

// A resource's text fields view text the estate owns (its documents' strings, or text it built, such as a state's
// addresses and every source): they stay valid when the estate is moved and when more files are added.
TEST(ManyFilesTest, ResourceTextStaysValidWhenTheEstateMovesOrGrows) {
  Estate first;
  ASSERT_TRUE(first
                  .AddText(R"({"version":4,"resources":[{"mode":"managed","type":"aws_s3_bucket","name":"b",
                      "instances":[{"index_key":"eu","attributes":{"id":"b-eu"}},{"index_key":1,"attributes":{}}]}]})",
                           "state.json")
                  .ok());
  Estate estate = std::move(first);
  for (int file = 0; file < 20; ++file) {
    std::string name = "v" + std::to_string(file);
    ASSERT_TRUE(
        estate
            .AddText(R"({"snapshot_version":1,"resources":[{"type":"aws_vpc","name":")" + name + R"(","values":{}}]})",
                     name + ".json")
            .ok());
  }
  ASSERT_EQ(estate.resources().size(), 22u);
  const Resource& keyed = estate.resources()[estate.Find("aws_s3_bucket.b[\"eu\"]")];
  EXPECT_EQ(keyed.address, "aws_s3_bucket.b[\"eu\"]");
  EXPECT_EQ(keyed.type, "aws_s3_bucket");
  EXPECT_EQ(keyed.provider, "aws");
  EXPECT_EQ(keyed.source, "state.json#/resources/0/instances/0");
  EXPECT_EQ(estate.resources()[estate.Find("aws_s3_bucket.b[1]")].source, "state.json#/resources/0/instances/1");
  EXPECT_EQ(estate.resources()[estate.Find("aws_vpc.v7")].source, "v7.json#/resources/0");
}

// The address index holds every resource of a large plan, instance keys and all, and finds nothing else.
TEST(PlanTest, AddressIndexFindsEveryResourceOfALargePlan) {
  std::string plan = R"({"format_version":"1.2","planned_values":{"root_module":{"resources":[)";
  const int count = 5000;
  for (int index = 0; index < count; ++index) {
    if (index > 0) plan += ",";
    std::string json_address = "aws_s3_bucket.b" + std::to_string(index / 2) + (index % 2 ? R"([\"k\"])" : "[0]");
    plan += R"({"address":")" + json_address + R"(","type":"aws_s3_bucket","name":"b","values":{}})";
  }
  plan += "]}}}";
  Estate estate;
  ASSERT_TRUE(estate.AddText(plan, "large.json").ok());
  ASSERT_EQ(estate.resources().size(), static_cast<size_t>(count));
  for (int index = 0; index < count; ++index) {
    std::string address = "aws_s3_bucket.b" + std::to_string(index / 2) + (index % 2 ? "[\"k\"]" : "[0]");
    ASSERT_EQ(estate.Find(address), index) << address;
  }
  EXPECT_EQ(estate.Find("aws_s3_bucket.b0"), -1);
  EXPECT_EQ(estate.Find("aws_s3_bucket.b2500[0]"), -1);
  EXPECT_EQ(estate.Find(""), -1);
}

}  // namespace
}  // namespace tutela::inventory
