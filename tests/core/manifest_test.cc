#include "tutela/core/manifest.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "test_support.h"
#include "tutela/core/crypto.h"
#include "tutela/core/data.h"

namespace tutela {
namespace {

TEST(ManifestTest, BuildsSortedEntriesWithDigests) {
  testing::TempDir dir;
  testing::WriteFile(dir / "b.txt", "bee");
  testing::WriteFile(dir / "a/x.txt", "abc");
  auto manifest = BuildManifest(dir.path(), {}, 2);
  ASSERT_TRUE(manifest.ok()) << manifest.status().message();
  ASSERT_EQ(manifest->files.size(), 2u);
  EXPECT_EQ(manifest->files[0].path, "a/x.txt");
  EXPECT_EQ(manifest->files[0].sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(manifest->files[1].size, 3u);
}

TEST(ManifestTest, JsonRoundTripAndVerification) {
  testing::TempDir dir;
  testing::WriteFile(dir / "evidence/report.pdf", "pdf bytes");
  testing::WriteFile(dir / "evidence/export.csv", "a,b\n1,2\n");
  auto manifest = BuildManifest(dir / "evidence", {});
  ASSERT_TRUE(manifest.ok());
  auto reloaded = ManifestFromJson(ManifestToJson(*manifest), "m.json");
  ASSERT_TRUE(reloaded.ok()) << reloaded.status().message();
  auto clean = VerifyManifest(*reloaded, dir / "evidence", {});
  ASSERT_TRUE(clean.ok());
  EXPECT_TRUE(clean->empty());

  testing::WriteFile(dir / "evidence/export.csv", "a,b\n1,3\n");
  testing::WriteFile(dir / "evidence/new.txt", "n");
  std::filesystem::remove(dir / "evidence/report.pdf");
  auto differences = VerifyManifest(*reloaded, dir / "evidence", {});
  ASSERT_TRUE(differences.ok());
  ASSERT_EQ(differences->size(), 3u);
  EXPECT_EQ((*differences)[0].kind, ManifestDifference::Kind::kChanged);
  EXPECT_EQ((*differences)[0].path, "export.csv");
  EXPECT_EQ((*differences)[1].kind, ManifestDifference::Kind::kMissing);
  EXPECT_EQ((*differences)[2].kind, ManifestDifference::Kind::kAdded);
}

TEST(ManifestTest, RejectsDocumentsThatAreNotManifests) {
  auto wrong = ManifestFromJson(nlohmann::json{{"format", "other"}}, "m.json");
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.status().message().find("m.json: not an evidence manifest"), std::string::npos);
  auto broken = ManifestFromJson(nlohmann::json{{"format", "tutela.evidence-manifest/1"}, {"files", {{{"path", "x"}}}}},
                                 "m.json");
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.status().message().find("files[0]"), std::string::npos);
}

// Regression: a file named in Latin-1 made `evidence manifest` fail with "internal error:
// [json.exception.type_error.316]"; writing it with U+FFFD instead would make `verify` call the file missing. It is
// reported as a problem (exit 2).
TEST(ManifestTest, ANonUtf8FileNameIsReportedAsAProblemNotAnInternalError) {
  testing::TempDir dir;
  testing::WriteFile(dir / "ok.txt", "fine");
  testing::WriteFile(dir / "caf\xE9.csv", "a,b\n");
  auto manifest = BuildManifest(dir.path(), {});
  ASSERT_TRUE(manifest.ok()) << manifest.status().message();
  ASSERT_EQ(manifest->files.size(), 1u);
  EXPECT_EQ(manifest->files[0].path, "ok.txt");
  ASSERT_EQ(manifest->problems.size(), 1u);
  EXPECT_NE(manifest->problems[0].find("caf\xE9.csv: the file name is not UTF-8"), std::string::npos);
  EXPECT_NE(manifest->problems[0].find("rename it"), std::string::npos);
  EXPECT_NO_THROW((void)DumpJson(ManifestToJson(*manifest), 2));

  auto differences = VerifyManifest(*manifest, dir.path(), {});
  ASSERT_TRUE(differences.ok());
  ASSERT_EQ(differences->size(), 1u);
  EXPECT_EQ((*differences)[0].kind, ManifestDifference::Kind::kUnreadable);
}

// Regression: `evidence verify` of a manifest with "base": 5 failed with "internal error:
// [json.exception.type_error.302]", and one with an impossible "created" date was refused without naming the file.
TEST(ManifestTest, AWronglyTypedBaseOrImpossibleDateIsRefusedNamingTheFile) {
  nlohmann::json manifest = {{"format", "tutela.evidence-manifest/1"}, {"base", 5}, {"files", nlohmann::json::array()}};
  auto base = ManifestFromJson(manifest, "m.json");
  ASSERT_FALSE(base.ok());
  EXPECT_EQ(base.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(base.status().message().find("m.json: not an evidence manifest (\"base\" must be a string"),
            std::string::npos)
      << base.status().message();
  manifest["base"] = "evidence";
  manifest["format"] = 1;
  EXPECT_EQ(ManifestFromJson(manifest, "m.json").status().code(), StatusCode::kInvalidArgument);
  manifest["format"] = "tutela.evidence-manifest/1";
  manifest["created"] = "2026-02-30T00:00:00Z";
  auto created = ManifestFromJson(manifest, "m.json");
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.status().message().rfind("m.json: \"created\": ", 0), 0u) << created.status().message();
}

// Regression: `evidence manifest PIPE` (a FIFO named as the evidence) wrote an empty manifest and exited 0.
TEST(ManifestTest, AFifoNamedAsTheEvidenceIsAProblem) {
  testing::TempDir dir;
  ASSERT_EQ(::mkfifo((dir / "pipe").c_str(), 0600), 0);
  auto manifest = BuildManifest(dir / "pipe", {});
  ASSERT_TRUE(manifest.ok()) << manifest.status().message();
  EXPECT_TRUE(manifest->files.empty());
  ASSERT_EQ(manifest->problems.size(), 1u);
  EXPECT_NE(manifest->problems[0].find("pipe: not a regular file or folder (a FIFO, socket or device)"),
            std::string::npos)
      << manifest->problems[0];
  testing::WriteFile(dir / "folder/a.txt", "a");
  ASSERT_EQ(::mkfifo((dir / "folder/pipe").c_str(), 0600), 0);
  auto folder = BuildManifest(dir / "folder", {});
  ASSERT_TRUE(folder.ok());
  EXPECT_EQ(folder->files.size(), 1u);
  EXPECT_TRUE(folder->problems.empty()) << "inside a folder a FIFO is skipped, as before";
}

}  // namespace
}  // namespace tutela
