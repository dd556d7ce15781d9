// Shared by the pii tests: the built-in PII catalog compiled once per test binary.
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "test_support.h"
#include "tutela/pii/catalog.h"
#include "tutela/pii/engine.h"

namespace tutela::pii::testing {

inline std::shared_ptr<const Ruleset> BuiltinRules() {
  static std::shared_ptr<const Ruleset> rules = [] {
    auto catalog = LoadCatalog(tutela::testing::SourceDir() / "catalog" / "pii");
    EXPECT_TRUE(catalog.ok()) << catalog.status().ToString();
    auto compiled = Ruleset::Compile(*catalog);
    EXPECT_TRUE(compiled.ok()) << compiled.status().ToString();
    return *compiled;
  }();
  return rules;
}

}  // namespace tutela::pii::testing
