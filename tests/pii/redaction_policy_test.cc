#include "tutela/pii/redaction_policy.h"

#include <gtest/gtest.h>

#include "test_support.h"

namespace tutela::pii {
namespace {

constexpr const char* kPolicy = R"(# customers export for the analytics team
default: {operator: replace, template: "[{entity}]"}
entities:
  CREDIT_CARD: {operator: mask, keep_last: 4, char: "#"}
  DATE_OF_BIRTH: {operator: generalize, mode: age-band, band: 5}
columns:
  customer_id: {skip: true}
  dob: {operator: date-shift, subject: customer_id, max_days: 90}
  "*_email": {operator: hash, length: 16, entity: EMAIL_ADDRESS}
json_paths:
  /customer/phone: {operator: redact}
  /events/*/ip: {operator: generalize, mode: ip-prefix, prefix: 16}
)";

TEST(RedactionPolicyTest, DefaultPolicyReplacesEveryEntity) {
  RedactionPolicy policy;
  EXPECT_EQ(policy.ForEntity("US_SSN").kind, OperatorKind::kReplace);
  EXPECT_EQ(policy.ForEntity("US_SSN").replace_template, "<{entity}>");
  EXPECT_EQ(policy.ForColumn("anything"), nullptr);
}

TEST(RedactionPolicyTest, LoadsEverySection) {
  auto policy = RedactionPolicy::Parse(kPolicy, "policy.yaml");
  ASSERT_TRUE(policy.ok()) << policy.status().message();
  EXPECT_EQ(policy->ForEntity("CREDIT_CARD").kind, OperatorKind::kMask);
  EXPECT_EQ(policy->ForEntity("CREDIT_CARD").mask_char, '#');
  EXPECT_EQ(policy->ForEntity("DATE_OF_BIRTH").age_band_width, 5);
  EXPECT_EQ(policy->ForEntity("IBAN").replace_template, "[{entity}]");
  ASSERT_NE(policy->ForColumn("customer_id"), nullptr);
  EXPECT_TRUE(policy->ForColumn("customer_id")->skip);
  const FieldRule* dob = policy->ForColumn("dob");
  ASSERT_NE(dob, nullptr);
  EXPECT_EQ(dob->subject, "customer_id");
  EXPECT_EQ(dob->spec.date_shift_max_days, 90);
  const FieldRule* email = policy->ForColumn("work_email");
  ASSERT_NE(email, nullptr) << "globs match column names";
  EXPECT_EQ(email->spec.hash_length, 16u);
  EXPECT_EQ(email->entity, "EMAIL_ADDRESS");
  EXPECT_EQ(policy->ForColumn("name"), nullptr);
  ASSERT_NE(policy->ForJsonPath("/events/12/ip"), nullptr);
  EXPECT_EQ(policy->ForJsonPath("/events/12/ip")->spec.ip_prefix_v4, 16);
  EXPECT_EQ(policy->ForJsonPath("/events/12/ua"), nullptr);
  EXPECT_EQ(policy->ForJsonPath("/events/ip"), nullptr);
  EXPECT_EQ(policy->ForJsonPath("/customer/phone")->spec.kind, OperatorKind::kRedact);
}

TEST(RedactionPolicyTest, EmptyFileIsTheDefaultPolicy) {
  auto policy = RedactionPolicy::Parse("", "empty.yaml");
  ASSERT_TRUE(policy.ok());
  EXPECT_EQ(policy->ForEntity("X").kind, OperatorKind::kReplace);
}

struct BadPolicy {
  const char* yaml;
  const char* error;
};

// Each bad policy and the exact sentence it must produce.
const BadPolicy kBad[] = {
    {"entities:\n  CREDIT_CARD: {operator: encrypt}\n",
     "p.yaml:2:27: unknown operator \"encrypt\"; the operators are redact, replace, mask, hash, generalize, "
     "date-shift, "
     "suppress, tokenize."},
    {"entities:\n  CREDIT_CARD: {operator: mask, keep_last: -1}\n",
     "p.yaml:2:44: \"keep_last\" must be a whole number from 0 to 64."},
    {"entities:\n  CREDIT_CARD: {operator: hash, length: 8}\n",
     "p.yaml:2:41: \"length\" must be a whole number from 16 to 64."},
    {"entities:\n  CREDIT_CARD: {operator: mask, colour: red}\n",
     "p.yaml:2:33: unknown rule setting \"colour\"; see docs/formats/redaction-policy.md for the settings of each "
     "operator (skip, subject and entity belong to column and path rules)."},
    {"columns:\n  dob: {operator: date-shift}\n",
     "p.yaml:2:8: date-shift needs subject: the column or path of the subject id, so that each subject's dates move "
     "together."},
    {"columns:\n  dob: {keep_last: 2}\n",
     "p.yaml:2:8: the rule names no operator; add operator: "
     "redact|replace|mask|hash|generalize|date-shift|suppress|tokenize, "
     "or "
     "skip: true."},
    {"entities:\n  DOB: {operator: generalize, mode: decade}\n",
     "p.yaml:2:37: unknown generalization \"decade\"; choose one of year, age-band, ip-prefix, prefix."},
    {"rules: {}\n", "p.yaml:1:1: unknown section \"rules\"; a policy has default, entities, columns and json_paths."},
    {"json_paths:\n  customer.email: {operator: hash}\n",
     "p.yaml: json_paths key \"customer.email\" is not a JSON Pointer; write it like /customer/email."},
    {"entities: [CREDIT_CARD]\n", "p.yaml:1:11: \"entities\" must map entity ids (like CREDIT_CARD) to rules."},
    {"default: mask\n", "p.yaml:1:10: a rule must be a mapping like {operator: mask, keep_last: 4}."},
    {"entities:\n  CREDIT_CARD: {operator: mask\n", nullptr},  // a YAML syntax error: checked for its prefix below
};

TEST(RedactionPolicyTest, BadPoliciesGiveExactMessages) {
  for (const BadPolicy& bad : kBad) {
    auto policy = RedactionPolicy::Parse(bad.yaml, "p.yaml");
    ASSERT_FALSE(policy.ok()) << bad.yaml;
    EXPECT_EQ(policy.status().code(), StatusCode::kInvalidArgument);
    if (bad.error != nullptr) {
      EXPECT_EQ(policy.status().message(), bad.error) << bad.yaml;
    } else {
      EXPECT_EQ(policy.status().message().rfind("p.yaml:", 0), 0u) << policy.status().message();
      EXPECT_NE(policy.status().message().find("invalid YAML"), std::string::npos);
    }
  }
}

TEST(RedactionPolicyTest, LoadNamesTheFile) {
  tutela::testing::TempDir dir;
  tutela::testing::WriteFile(dir / "policy.yaml", "columns:\n  dob: {operator: date-shift}\n");
  auto policy = RedactionPolicy::Load(dir / "policy.yaml");
  ASSERT_FALSE(policy.ok());
  EXPECT_EQ(policy.status().message().rfind((dir / "policy.yaml").string() + ":2:8: ", 0), 0u);
  EXPECT_EQ(RedactionPolicy::Load(dir / "missing.yaml").status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace tutela::pii
