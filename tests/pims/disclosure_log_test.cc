#include "tutela/pims/disclosure_log.h"

#include <gtest/gtest.h>

#include "test_support.h"

namespace tutela::pims {
namespace {

Timestamp At(const char* text) { return *ParseRfc3339(text); }

TEST(DisclosureLogTest, RecordsReopensAndLists) {
  tutela::testing::TempDir dir;
  std::filesystem::path path = dir / "logs/disclosures.log";  // the folder is created
  {
    auto log = DisclosureLog::Open(path);
    ASSERT_TRUE(log.ok()) << log.status().message();
    DecisionRequest request{"PA-1", "support", "self", {"EMAIL_ADDRESS"}};
    Decision decision;
    decision.permit = true;
    decision.rule = "permit";
    EXPECT_EQ(*(*log)->RecordDecision(request, decision, At("2026-03-02T09:00:00Z")), 0u);
    Disclosure disclosure{"PA-1", "Example Court", "authority", {"EMAIL_ADDRESS"}, "court order", 3, "C-17"};
    EXPECT_EQ(*(*log)->RecordDisclosure(disclosure, At("2026-03-02T10:00:00Z")), 1u);
  }
  auto reopened = DisclosureLog::Open(path, /*read_only=*/true);
  ASSERT_TRUE(reopened.ok()) << reopened.status().message();
  auto entries = (*reopened)->Entries();
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ((*entries)[0].kind, "decision");
  EXPECT_EQ((*entries)[0].at, "2026-03-02T09:00:00.000Z");
  EXPECT_EQ((*entries)[0].details["decision"], "permit");
  EXPECT_EQ((*entries)[1].details["recipient"], "Example Court");
  EXPECT_EQ((*entries)[1].details["subjects"], 3);
  EXPECT_EQ((*reopened)->Head().size, 2u);
}

TEST(DisclosureLogTest, TheRootCommitsToTheWholeHistory) {
  tutela::testing::TempDir dir;
  Disclosure disclosure{"PA-1", "Processor Ltd", "sub-processor", {"PHONE_NUMBER"}, "DPA clause 4", 0, ""};
  auto first = DisclosureLog::Open(dir / "a.log");
  auto second = DisclosureLog::Open(dir / "b.log");
  ASSERT_TRUE(first.ok() && second.ok());
  ASSERT_TRUE((*first)->RecordDisclosure(disclosure, At("2026-03-02T09:00:00Z")).ok());
  ASSERT_TRUE((*second)->RecordDisclosure(disclosure, At("2026-03-02T09:00:01Z")).ok());
  EXPECT_NE((*first)->Head().root, (*second)->Head().root) << "a different time is a different history";
}

TEST(DisclosureLogTest, IncompleteDisclosuresAreRefusedNamingTheField) {
  tutela::testing::TempDir dir;
  auto log = DisclosureLog::Open(dir / "d.log");
  ASSERT_TRUE(log.ok());
  Disclosure missing_basis{"PA-1", "R", "third-party", {"X"}, "", 0, ""};
  auto refused = (*log)->RecordDisclosure(missing_basis, NowUtc());
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("needs a basis"), std::string::npos);
  Disclosure wrong_kind{"PA-1", "R", "friend", {"X"}, "B", 0, ""};
  EXPECT_FALSE((*log)->RecordDisclosure(wrong_kind, NowUtc()).ok());
  EXPECT_EQ((*log)->Head().size, 0u) << "nothing refused is logged";
}

}  // namespace
}  // namespace tutela::pims
