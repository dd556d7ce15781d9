// Golden cases for the de-identification operators: (operator settings, value) → expected replacement.
#include "tutela/pii/operators.h"

#include <gtest/gtest.h>

#include <ostream>
#include <string>

namespace tutela::pii {
namespace {

const std::string kMasterKey(32, '\x11');

struct Golden {
  const char* name;
  OperatorSpec spec;
  const char* value;
  const char* entity;
  const char* expected;
};

OperatorSpec Spec(OperatorKind kind) {
  OperatorSpec spec;
  spec.kind = kind;
  spec.age_reference = *ParseRfc3339("2026-11-22T00:00:00Z");
  return spec;
}

OperatorSpec With(OperatorSpec spec, auto&& change) {
  change(spec);
  return spec;
}

const Golden kGolden[] = {
    {"redact", Spec(OperatorKind::kRedact), "4111111111111111", "CREDIT_CARD", ""},
    {"replace_default", Spec(OperatorKind::kReplace), "S1234567D", "SG_NRIC_FIN", "<SG_NRIC_FIN>"},
    {"replace_template",
     With(Spec(OperatorKind::kReplace), [](OperatorSpec& s) { s.replace_template = "[{entity} removed]"; }),
     "a@b.example", "EMAIL_ADDRESS", "[EMAIL_ADDRESS removed]"},
    {"mask_keeps_last_four_and_separators", Spec(OperatorKind::kMask), "4111-1111-1111-1234", "CREDIT_CARD",
     "****-****-****-1234"},
    {"mask_first_and_last",
     With(Spec(OperatorKind::kMask),
          [](OperatorSpec& s) {
            s.keep_first = 1;
            s.keep_last = 1;
            s.mask_char = '#';
          }),
     "S1234567D", "SG_NRIC_FIN", "S#######D"},
    {"mask_separators_too",
     With(Spec(OperatorKind::kMask),
          [](OperatorSpec& s) {
            s.keep_last = 0;
            s.mask_separators = true;
          }),
     "+65 6123 4567", "PHONE_NUMBER", "*************"},
    {"mask_counts_characters_not_bytes",
     With(Spec(OperatorKind::kMask),
          [](OperatorSpec& s) {
            s.keep_first = 1;
            s.keep_last = 0;
          }),
     "王小明", "PERSON", "王**"},
    // Regression: keep_last 4 on a 3-character value revealed it whole; a mask never reveals the entire value.
    {"mask_never_reveals_a_short_value_whole", Spec(OperatorKind::kMask), "123", "X", "***"},
    {"mask_exactly_kept_length_is_masked", Spec(OperatorKind::kMask), "1234", "X", "****"},
    {"generalize_year_iso", Spec(OperatorKind::kGeneralize), "1984-07-21", "DATE_OF_BIRTH", "1984"},
    {"generalize_year_dmy", Spec(OperatorKind::kGeneralize), "21.07.1984", "DATE_OF_BIRTH", "1984"},
    {"generalize_age_band",
     With(Spec(OperatorKind::kGeneralize), [](OperatorSpec& s) { s.generalize = GeneralizeMode::kAgeBand; }),
     "1984-07-21", "DATE_OF_BIRTH", "40-49"},
    {"generalize_age_band_birthday_not_yet",
     With(Spec(OperatorKind::kGeneralize), [](OperatorSpec& s) { s.generalize = GeneralizeMode::kAgeBand; }),
     "1986-11-23", "DATE_OF_BIRTH", "30-39"},
    {"generalize_age_band_five",
     With(Spec(OperatorKind::kGeneralize),
          [](OperatorSpec& s) {
            s.generalize = GeneralizeMode::kAgeBand;
            s.age_band_width = 5;
          }),
     "1986-11-22", "DATE_OF_BIRTH", "40-44"},
    {"generalize_ipv4",
     With(Spec(OperatorKind::kGeneralize), [](OperatorSpec& s) { s.generalize = GeneralizeMode::kIpPrefix; }),
     "203.0.113.77", "IP_ADDRESS", "203.0.113.0/24"},
    {"generalize_ipv6",
     With(Spec(OperatorKind::kGeneralize), [](OperatorSpec& s) { s.generalize = GeneralizeMode::kIpPrefix; }),
     "2001:db8:abcd:12::1", "IP_ADDRESS", "2001:db8:abcd::/48"},
    {"generalize_postcode_prefix",
     With(Spec(OperatorKind::kGeneralize), [](OperatorSpec& s) { s.generalize = GeneralizeMode::kPrefix; }), "10115",
     "POSTCODE", "101**"},
};

// Names the case in test listings instead of dumping its bytes.
void PrintTo(const Golden& value, std::ostream* out) { *out << value.name; }

class OperatorGoldenTest : public ::testing::TestWithParam<Golden> {};

TEST_P(OperatorGoldenTest, ProducesExpectedReplacement) {
  const Golden& golden = GetParam();
  OperatorEngine engine(kMasterKey);
  auto result = engine.Apply(golden.spec, {golden.value, golden.entity, "subject-1"});
  ASSERT_TRUE(result.ok()) << result.status().message();
  EXPECT_EQ(result->text, golden.expected);
  EXPECT_FALSE(result->suppress);
}

INSTANTIATE_TEST_SUITE_P(Operators, OperatorGoldenTest, ::testing::ValuesIn(kGolden),
                         [](const ::testing::TestParamInfo<Golden>& info) { return info.param.name; });

TEST(OperatorTest, HashIsKeyedDeterministicAndShortenable) {
  OperatorEngine engine(kMasterKey);
  OperatorEngine other_key(std::string(32, '\x22'));
  OperatorSpec spec = Spec(OperatorKind::kHash);
  auto first = engine.Apply(spec, {"123-45-6789", "US_SSN", ""});
  auto again = engine.Apply(spec, {"123-45-6789", "US_SSN", ""});
  auto other = other_key.Apply(spec, {"123-45-6789", "US_SSN", ""});
  ASSERT_TRUE(first.ok() && again.ok() && other.ok());
  EXPECT_EQ(first->text.size(), 64u);
  EXPECT_EQ(first->text, again->text);
  EXPECT_NE(first->text, other->text) << "a different key gives a different hash";
  EXPECT_NE(first->text, ToHex(Sha256("123-45-6789"))) << "never the unkeyed hash";
  spec.hash_length = 16;
  EXPECT_EQ(engine.Apply(spec, {"123-45-6789", "US_SSN", ""})->text, first->text.substr(0, 16));
}

TEST(OperatorTest, DateShiftIsConsistentPerSubjectAndKeepsLayout) {
  OperatorEngine engine(kMasterKey);
  OperatorSpec spec = Spec(OperatorKind::kDateShift);
  spec.date_shift_max_days = 30;
  auto admitted = engine.Apply(spec, {"2026-03-01", "DATE", "patient-7"});
  auto discharged = engine.Apply(spec, {"2026-03-11", "DATE", "patient-7"});
  auto dmy = engine.Apply(spec, {"01/03/2026", "DATE", "patient-7"});
  auto timestamp = engine.Apply(spec, {"2026-03-01T08:30:00Z", "DATE", "patient-7"});
  ASSERT_TRUE(admitted.ok() && discharged.ok() && dmy.ok() && timestamp.ok());
  EXPECT_NE(admitted->text, "2026-03-01");
  auto shifted_admitted = *ParseDate(admitted->text);
  auto shifted_discharged = *ParseDate(discharged->text);
  EXPECT_EQ(std::chrono::floor<std::chrono::days>(shifted_discharged - shifted_admitted).count(), 10)
      << "intervals within one subject survive";
  int64_t offset = std::chrono::floor<std::chrono::days>(shifted_admitted - *ParseDate("2026-03-01")).count();
  EXPECT_GE(offset, -30);
  EXPECT_LE(offset, 30);
  EXPECT_NE(offset, 0);
  EXPECT_EQ(dmy->text.substr(2, 1), "/");
  EXPECT_EQ(dmy->text.substr(6), admitted->text.substr(0, 4)) << "same shift in another layout";
  EXPECT_EQ(timestamp->text, admitted->text + "T08:30:00Z") << "time of day kept";
}

TEST(OperatorTest, SuppressAsksToDrop) {
  OperatorEngine engine(kMasterKey);
  auto result = engine.Apply(Spec(OperatorKind::kSuppress), {"x", "E", ""});
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(result->suppress);
}

TEST(OperatorTest, RefusalsNeverEchoTheValue) {
  OperatorEngine engine(kMasterKey);
  auto not_a_date = engine.Apply(Spec(OperatorKind::kGeneralize), {"S1234567D", "SG_NRIC_FIN", ""});
  ASSERT_FALSE(not_a_date.ok());
  EXPECT_EQ(not_a_date.status().message().find("S1234567D"), std::string::npos);
  auto impossible = engine.Apply(Spec(OperatorKind::kGeneralize), {"1984-02-30", "DATE_OF_BIRTH", ""});
  EXPECT_FALSE(impossible.ok());
  auto no_subject = engine.Apply(Spec(OperatorKind::kDateShift), {"2026-03-01", "DATE", ""});
  ASSERT_FALSE(no_subject.ok());
  EXPECT_NE(no_subject.status().message().find("needs the subject"), std::string::npos);
  OperatorSpec ip = Spec(OperatorKind::kGeneralize);
  ip.generalize = GeneralizeMode::kIpPrefix;
  EXPECT_FALSE(engine.Apply(ip, {"999.1.1.1", "IP_ADDRESS", ""}).ok());
}

TEST(OperatorTest, NamesParse) {
  EXPECT_EQ(*ParseOperatorKind("date-shift"), OperatorKind::kDateShift);
  EXPECT_EQ(OperatorName(OperatorKind::kMask), "mask");
  auto unknown = ParseOperatorKind("encrypt");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("redact, replace, mask, hash, generalize, date-shift, suppress, tokenize"),
            std::string::npos);
  EXPECT_EQ(*ParseGeneralizeMode("age-band"), GeneralizeMode::kAgeBand);
  EXPECT_FALSE(ParseGeneralizeMode("decade").ok());
}

}  // namespace
}  // namespace tutela::pii
