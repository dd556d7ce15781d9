#include "tutela/core/file_util.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include "test_support.h"

namespace tutela {
namespace {

size_t CountEntries(const std::filesystem::path& dir) {
  size_t count = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir)) ++count;
  return count;
}

// Regression: `--output /dev/null` (every command writes through this) renamed a temporary file over the device, so
// as root /dev/null became a regular file. A destination that is not a regular file is written in place.
TEST(FileUtilTest, RegressionADeviceOrFifoDestinationIsWrittenNotReplaced) {
  testing::TempDir dir;
  std::filesystem::path fifo = dir / "pipe";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::string received;
  std::thread reader([&] {
    std::ifstream in(fifo);
    received.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  });
  Status written = WriteFileAtomic(fifo, "through the pipe\n");
  reader.join();
  ASSERT_TRUE(written.ok()) << written.ToString();
  EXPECT_EQ(received, "through the pipe\n");
  EXPECT_TRUE(std::filesystem::is_fifo(fifo));
  EXPECT_EQ(CountEntries(dir.path()), 1u) << "no temporary file left behind";
}

TEST(FileUtilTest, WriteAtomicReplacesWholeFile) {
  testing::TempDir dir;
  testing::WriteFile(dir / "out.json", "old");
  ASSERT_TRUE(WriteFileAtomic(dir / "out.json", "new content").ok());
  EXPECT_EQ(testing::ReadFile(dir / "out.json"), "new content");
  EXPECT_EQ(CountEntries(dir.path()), 1u) << "no temporary file left behind";
}

TEST(FileUtilTest, AbandonedWriterLeavesDestinationUntouched) {
  testing::TempDir dir;
  testing::WriteFile(dir / "out.json", "old");
  {
    AtomicFileWriter writer;
    ASSERT_TRUE(writer.Open(dir / "out.json").ok());
    ASSERT_TRUE(writer.Write("half of the new").ok());
    // destroyed without Commit(), as when a command fails midway
  }
  EXPECT_EQ(testing::ReadFile(dir / "out.json"), "old");
  EXPECT_EQ(CountEntries(dir.path()), 1u);
}

TEST(FileUtilTest, ModeIsExactDespiteUmask) {
  testing::TempDir dir;
  mode_t previous = ::umask(0);
  Status status = WriteFileAtomic(dir / "key", "secret", 0600);
  ::umask(previous);
  ASSERT_TRUE(status.ok());
  struct stat info {};
  ASSERT_EQ(::stat((dir / "key").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
}

TEST(FileUtilTest, NoOverwriteRefusesExistingFile) {
  testing::TempDir dir;
  testing::WriteFile(dir / "key", "first");
  AtomicFileWriter writer;
  Status status = writer.Open(dir / "key", 0600, /*overwrite=*/false);
  EXPECT_EQ(status.code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(testing::ReadFile(dir / "key"), "first");
}

TEST(FileUtilTest, NoOverwriteRefusesFileCreatedMeanwhile) {
  testing::TempDir dir;
  AtomicFileWriter writer;
  ASSERT_TRUE(writer.Open(dir / "key", 0600, /*overwrite=*/false).ok());
  ASSERT_TRUE(writer.Write("second").ok());
  testing::WriteFile(dir / "key", "first");  // a concurrent writer won the race
  EXPECT_EQ(writer.Commit().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(testing::ReadFile(dir / "key"), "first");
  EXPECT_EQ(CountEntries(dir.path()), 1u);
}

TEST(FileUtilTest, ReadFileErrors) {
  testing::TempDir dir;
  EXPECT_EQ(ReadFile(dir / "missing").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(ReadFile(dir.path()).status().code(), StatusCode::kInvalidArgument);
  testing::WriteFile(dir / "big", std::string(100, 'x'));
  auto limited = ReadFile(dir / "big", 10);
  ASSERT_FALSE(limited.ok());
  EXPECT_NE(limited.status().message().find("over the limit"), std::string::npos);
  EXPECT_EQ(*ReadFile(dir / "big"), std::string(100, 'x'));
}

TEST(FileUtilTest, WriteIntoMissingDirectoryFailsCleanly) {
  testing::TempDir dir;
  Status status = WriteFileAtomic(dir / "no/such/dir/out", "x");
  EXPECT_EQ(status.code(), StatusCode::kNotFound);
  EXPECT_NE(status.message().find("no/such/dir/out"), std::string::npos);
}

// Regression: `--output nodir/x.csv` said "nodir/x.csv: cannot create a file in the directory of (No such file or
// directory)", a sentence with a hole where the folder should be.
TEST(FileUtilTest, AnOutputInAMissingFolderNamesTheFolderAndTheFix) {
  testing::TempDir dir;
  Status status = WriteFileAtomic(dir / "nodir/x.csv", "x");
  EXPECT_EQ(status.code(), StatusCode::kNotFound);
  EXPECT_NE(status.message().find("x.csv: cannot be created, because the folder " + (dir / "nodir").string() +
                                  " does not exist; create the folder first"),
            std::string::npos)
      << status.message();
  EXPECT_EQ(status.message().find("directory of ("), std::string::npos);
}

// Regression: `--output DIR` did the whole job and then failed at the rename with "DIR: cannot replace (Is a
// directory)." and no fix; it is refused when the writer opens, and the folder is left as it was.
TEST(FileUtilTest, AnOutputThatIsAFolderIsRefusedWhenOpenedNamingTheFix) {
  testing::TempDir dir;
  std::filesystem::create_directories(dir / "out");
  AtomicFileWriter writer;
  Status status = writer.Open(dir / "out");
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("out: is a folder; name a file to write"), std::string::npos) << status.message();
  EXPECT_TRUE(std::filesystem::is_empty(dir / "out"));
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 1) << "no temporary file is left";
}

TEST(FileUtilTest, ReadingAFolderSaysToNameAFile) {
  EXPECT_NE(ErrnoStatus(EISDIR, "read", "adir")
                .message()
                .find("adir: cannot read (Is a directory); name a file, not a folder."),
            std::string::npos);
}

// Regression: `pii scan DATA --inventory nodir/inv.json` scanned and printed everything, then failed; commands now
// check their outputs first, without creating anything.
TEST(FileUtilTest, CheckOutputPathRefusesAFolderOrAMissingFolderWithoutCreatingAnything) {
  testing::TempDir dir;
  EXPECT_TRUE(CheckOutputPath(dir / "new.json").ok());
  EXPECT_TRUE(CheckOutputPath("relative-in-cwd.json").ok());
  EXPECT_EQ(CheckOutputPath(dir / "no/such/x.json").code(), StatusCode::kNotFound);
  EXPECT_FALSE(std::filesystem::exists(dir / "no"));
  EXPECT_EQ(CheckOutputPath(dir.path()).code(), StatusCode::kInvalidArgument);
  testing::WriteFile(dir / "file", "x");
  EXPECT_EQ(CheckOutputPath(dir / "file/x.json").code(), StatusCode::kNotFound) << "a file is no folder";
  EXPECT_TRUE(CheckOutputPath("/dev/null").ok());
}

}  // namespace
}  // namespace tutela
