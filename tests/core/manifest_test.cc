#include "tutela/core/manifest.h"

#include <gtest/gtest.h>

#include "test_support.h"
#include "tutela/core/crypto.h"

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

}  // namespace
}  // namespace tutela
