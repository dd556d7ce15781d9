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

// Regression: `pims decide --requester` with a Latin-1 byte failed with "internal error:
// [json.exception.type_error.316]".
TEST(DisclosureLogTest, ANonUtf8RequesterIsRefusedNamingTheFieldNotAnInternalError) {
  tutela::testing::TempDir dir;
  auto log = DisclosureLog::Open(dir / "d.log");
  ASSERT_TRUE(log.ok());
  DecisionRequest request{"PA-1", "support", "bob\xE9", {"EMAIL_ADDRESS"}};
  Decision decision;
  decision.permit = true;
  decision.rule = "permit";
  auto refused = (*log)->RecordDecision(request, decision, NowUtc());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("decision's requester is not UTF-8"), std::string::npos)
      << refused.status().message();
  Disclosure disclosure{"PA-1", "Caf\xE9 Ltd", "third-party", {"X"}, "B", 0, ""};
  auto also_refused = (*log)->RecordDisclosure(disclosure, NowUtc());
  ASSERT_FALSE(also_refused.ok());
  EXPECT_NE(also_refused.status().message().find("disclosure's recipient is not UTF-8"), std::string::npos);
  EXPECT_EQ((*log)->Head().size, 0u) << "nothing refused is logged";
}

TEST(DisclosureLogTest, SignedHeadsAreCheckedAgainstTheLogLater) {
  tutela::testing::TempDir dir;
  Disclosure disclosure{"PA-1", "Processor Ltd", "sub-processor", {"PHONE_NUMBER"}, "DPA clause 4", 0, ""};
  auto log = DisclosureLog::Open(dir / "a.log");
  auto rewritten = DisclosureLog::Open(dir / "b.log");
  ASSERT_TRUE(log.ok() && rewritten.ok());
  ASSERT_TRUE((*log)->RecordDisclosure(disclosure, At("2026-03-02T09:00:00Z")).ok());
  ASSERT_TRUE((*log)->RecordDisclosure(disclosure, At("2026-03-02T09:05:00Z")).ok());
  auto signer = ledger::Signer::LoadOrCreate(DefaultDisclosureKeyPath(dir / "a.log"));
  ASSERT_TRUE(signer.ok()) << signer.status().message();
  EXPECT_EQ(DefaultDisclosureKeyPath(dir / "a.log"), dir / "a-key.pem");
  auto head = (*log)->SignHead(**signer, At("2026-03-02T10:00:00Z"));
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->size, 2u);
  EXPECT_TRUE((*log)->CheckHead(*head, (*signer)->public_key()).ok());

  // The log grows: the old head is still a prefix.
  ASSERT_TRUE((*log)->RecordDisclosure(disclosure, At("2026-03-03T09:00:00Z")).ok());
  EXPECT_TRUE((*log)->CheckHead(*head, (*signer)->public_key()).ok());

  // Another history of the same length (one time changed) does not match the signed root.
  ASSERT_TRUE((*rewritten)->RecordDisclosure(disclosure, At("2026-03-02T09:00:00Z")).ok());
  ASSERT_TRUE((*rewritten)->RecordDisclosure(disclosure, At("2026-03-02T09:06:00Z")).ok());
  Status changed = (*rewritten)->CheckHead(*head, (*signer)->public_key());
  EXPECT_EQ(changed.code(), StatusCode::kCorruption);
  EXPECT_NE(changed.message().find("history was rewritten"), std::string::npos) << changed.message();

  // Fewer entries than the head covers.
  auto shorter = DisclosureLog::Open(dir / "c.log");
  ASSERT_TRUE(shorter.ok());
  ASSERT_TRUE((*shorter)->RecordDisclosure(disclosure, At("2026-03-02T09:00:00Z")).ok());
  Status removed = (*shorter)->CheckHead(*head, (*signer)->public_key());
  EXPECT_EQ(removed.message(),
            (dir / "c.log").string() + ": the signed head covers 2 entries but the log has 1; entries were removed.");

  // A head signed by another key, or altered, is refused.
  auto other = ledger::Signer::Generate();
  ASSERT_TRUE(other.ok());
  EXPECT_EQ((*log)->CheckHead(*head, (*other)->public_key()).code(), StatusCode::kCorruption);
  ledger::SignedTreeHead altered = *head;
  altered.size = 1;
  EXPECT_EQ((*log)->CheckHead(altered).code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace tutela::pims
