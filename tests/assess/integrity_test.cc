// Cross-module data integrity: the built-in checks and the catalog must agree, because the assessment rolls check
// results up to unified controls and from there to every framework.
#include <gtest/gtest.h>

#include <set>

#include "test_support.h"
#include "tutela/catalog/catalog.h"
#include "tutela/policy/checks.h"

namespace tutela {
namespace {

// Regression: checks were written with placeholder control ids, several of which existed in the catalog with a
// different meaning (CRY-01 "encryption at rest" vs the catalog's "Cryptography policy"); the roll-up would have
// credited the wrong controls silently.
TEST(ChecksTest, EveryControlIdExistsInTheCatalog) {
  auto catalog = catalog::LoadCatalog({});
  ASSERT_TRUE(catalog.ok()) << catalog.status().message();
  auto checks = policy::CheckSet::LoadDirectory(testing::SourceDir() / "catalog/checks");
  ASSERT_TRUE(checks.ok()) << checks.status().message();
  ASSERT_GT(checks->checks().size(), 0u);
  for (const policy::Check& check : checks->checks()) {
    EXPECT_FALSE(check.controls.empty()) << check.id << " evidences no control";
    for (const std::string& control : check.controls) {
      EXPECT_NE(catalog->FindControl(control), nullptr)
          << check.id << " names control " << control << ", which catalog/controls/ does not define";
    }
  }
}

TEST(ChecksTest, AutomatableControlsAreEvidencedByChecks) {
  auto catalog = catalog::LoadCatalog({});
  auto checks = policy::CheckSet::LoadDirectory(testing::SourceDir() / "catalog/checks");
  ASSERT_TRUE(catalog.ok() && checks.ok());
  std::set<std::string> evidenced;
  for (const policy::Check& check : checks->checks()) evidenced.insert(check.controls.begin(), check.controls.end());
  // The controls cloud configuration can prove must each have at least one check.
  for (const char* control : {"CRY-02", "CRY-03", "CRY-04", "IAM-11", "NET-03", "LOG-01", "BCM-02", "REC-02"}) {
    EXPECT_TRUE(evidenced.count(control)) << control << " has no check";
  }
}

// Every resource type a built-in check evaluates belongs to a service category (catalog/services/), so that the
// services an estate uses can be compared with a provider certificate's scope.
TEST(ChecksTest, EveryCheckedResourceTypeHasAServiceCategory) {
  auto catalog = catalog::LoadCatalog({});
  auto checks = policy::CheckSet::LoadDirectory(testing::SourceDir() / "catalog/checks");
  ASSERT_TRUE(catalog.ok() && checks.ok());
  for (const policy::Check& check : checks->checks()) {
    for (const std::string& type : check.resource_types) {
      EXPECT_NE(catalog->ServiceOf(type), nullptr)
          << check.id << " checks " << type << ", which no category of catalog/services/ covers";
    }
  }
}

}  // namespace
}  // namespace tutela
