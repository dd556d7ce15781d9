// The durable log: reopen keeps every entry and the same tree; torn tails are cut; damage in the middle is refused.
#include "tutela/ledger/log.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "test_support.h"

namespace tutela::ledger {
namespace {

using tutela::testing::TempDir;

std::unique_ptr<Log> OpenOk(const std::filesystem::path& path, LogOptions options = {}) {
  auto log = Log::Open(path, options);
  EXPECT_TRUE(log.ok()) << log.status().ToString();
  return log.ok() ? std::move(*log) : nullptr;
}

void AppendBytes(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::app);
  out << bytes;
}

TEST(LogTest, Crc32cMatchesKnownValue) {
  EXPECT_EQ(Crc32c("123456789"), 0xE3069283u);  // the CRC-32C check value
}

TEST(LogTest, AppendsReopenAndProves) {
  TempDir dir;
  auto path = dir / "ledger.log";
  TreeHead head;
  {
    auto log = OpenOk(path);
    ASSERT_NE(log, nullptr);
    EXPECT_EQ(log->size(), 0u);
    EXPECT_EQ(log->Head().root, EmptyRoot());
    for (int entry_idx = 0; entry_idx < 20; ++entry_idx) {
      auto index = log->Append("entry " + std::to_string(entry_idx));
      ASSERT_TRUE(index.ok());
      EXPECT_EQ(*index, static_cast<uint64_t>(entry_idx));
    }
    std::vector<std::string> batch = {"a", "", "c"};
    auto first = log->AppendBatch(batch);
    ASSERT_TRUE(first.ok());
    EXPECT_EQ(*first, 20u);
    head = log->Head();
    EXPECT_EQ(head.size, 23u);
  }
  auto log = OpenOk(path, {.sync = SyncPolicy::kManual});
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->truncated_bytes(), 0u);
  EXPECT_EQ(log->Head().size, head.size);
  EXPECT_EQ(log->Head().root, head.root);
  EXPECT_EQ(*log->Entry(7), "entry 7");
  EXPECT_EQ(*log->Entry(21), "");
  EXPECT_FALSE(log->Entry(23).ok());

  auto old_root = log->RootAt(10);
  ASSERT_TRUE(old_root.ok());
  auto consistency = log->ProveConsistency(10, 23);
  ASSERT_TRUE(consistency.ok());
  EXPECT_TRUE(VerifyConsistency(10, 23, *old_root, head.root, *consistency).ok());
  auto inclusion = log->ProveInclusion(7, 23);
  ASSERT_TRUE(inclusion.ok());
  EXPECT_TRUE(VerifyInclusion(LeafHash("entry 7"), 7, 23, *inclusion, head.root).ok());
}

TEST(LogTest, SecondWriterIsRefused) {
  TempDir dir;
  auto first = OpenOk(dir / "ledger.log");
  auto second = Log::Open(dir / "ledger.log");
  EXPECT_FALSE(second.ok());
  EXPECT_NE(second.status().message().find("another process"), std::string::npos);
}

TEST(LogTest, MissingFileWithoutCreateIsNotFound) {
  TempDir dir;
  auto log = Log::Open(dir / "absent.log", {.create_if_missing = false});
  EXPECT_EQ(log.status().code(), StatusCode::kNotFound);
}

TEST(LogTest, TornTailsAreTruncatedOnOpen) {
  // Each kind of torn write: half a header, a header without all of its payload, a full record with a bad checksum.
  const std::vector<std::string> kTails = {std::string("\x05\x00\x00", 3),
                                           std::string("\x10\x00\x00\x00\x01\x02\x03\x04"
                                                       "abc",
                                                       11),
                                           std::string("\x03\x00\x00\x00\x00\x00\x00\x00"
                                                       "xyz",
                                                       11)};
  for (const std::string& tail : kTails) {
    TempDir dir;
    auto path = dir / "ledger.log";
    TreeHead head;
    {
      auto log = OpenOk(path);
      ASSERT_TRUE(log->Append("one").ok());
      ASSERT_TRUE(log->Append("two").ok());
      head = log->Head();
    }
    uint64_t clean_size = std::filesystem::file_size(path);
    AppendBytes(path, tail);
    auto read_only = Log::Open(path, {.read_only = true});
    EXPECT_EQ(read_only.status().code(), StatusCode::kCorruption);
    auto log = OpenOk(path);
    ASSERT_NE(log, nullptr);
    EXPECT_EQ(log->truncated_bytes(), tail.size());
    EXPECT_EQ(std::filesystem::file_size(path), clean_size);
    EXPECT_EQ(log->Head().root, head.root);
    ASSERT_TRUE(log->Append("three").ok());
    EXPECT_EQ(*log->Entry(2), "three");
  }
}

TEST(LogTest, DamageBeforeTheTailIsCorruption) {
  TempDir dir;
  auto path = dir / "ledger.log";
  {
    auto log = OpenOk(path);
    ASSERT_TRUE(log->Append("first entry").ok());
    ASSERT_TRUE(log->Append("second entry").ok());
  }
  std::string bytes = tutela::testing::ReadFile(path);
  bytes[16 + 8 + 2] ^= 0x20;  // a payload byte of the first record
  tutela::testing::WriteFile(path, bytes);
  auto log = Log::Open(path);
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.status().code(), StatusCode::kCorruption);
  EXPECT_NE(log.status().message().find("record 0"), std::string::npos) << log.status().message();
}

TEST(LogTest, NotALedgerIsRefused) {
  TempDir dir;
  tutela::testing::WriteFile(dir / "other.log", "hello world, this is not a ledger\n");
  EXPECT_EQ(Log::Open(dir / "other.log").status().code(), StatusCode::kCorruption);
}

TEST(LogTest, ConcurrentAppendsAllLand) {
  TempDir dir;
  auto path = dir / "ledger.log";
  {
    auto log = OpenOk(path, {.sync = SyncPolicy::kManual});
    std::vector<std::thread> threads;
    for (int thread_idx = 0; thread_idx < 4; ++thread_idx) {
      threads.emplace_back([&log, thread_idx] {
        for (int entry_idx = 0; entry_idx < 250; ++entry_idx) {
          ASSERT_TRUE(log->Append(std::to_string(thread_idx) + ":" + std::to_string(entry_idx)).ok());
        }
      });
    }
    for (std::thread& thread : threads) thread.join();
    ASSERT_TRUE(log->Sync().ok());
    EXPECT_EQ(log->size(), 1000u);
  }
  auto log = OpenOk(path);
  EXPECT_EQ(log->size(), 1000u);
}

}  // namespace
}  // namespace tutela::ledger
