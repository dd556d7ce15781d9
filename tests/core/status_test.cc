#include "tutela/core/status.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace tutela {
namespace {

TEST(StatusTest, DefaultIsOk) {
  Status status;
  EXPECT_TRUE(status.ok());
  EXPECT_EQ(status.code(), StatusCode::kOk);
  EXPECT_EQ(status.ToString(), "OK");
}

TEST(StatusTest, NamedConstructorsCarryCodeAndMessage) {
  EXPECT_EQ(Status::InvalidArgument("a").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Status::NotFound("a").code(), StatusCode::kNotFound);
  EXPECT_EQ(Status::AlreadyExists("a").code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(Status::Corruption("a").code(), StatusCode::kCorruption);
  EXPECT_EQ(Status::IoError("a").code(), StatusCode::kIoError);
  EXPECT_EQ(Status::PermissionDenied("a").code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(Status::Internal("a").code(), StatusCode::kInternal);
  EXPECT_EQ(Status::NotFound("x.yaml: missing").message(), "x.yaml: missing");
  EXPECT_EQ(StatusCodeName(StatusCode::kCorruption), "corruption");
}

TEST(StatusTest, InternalErrorsSayTheyAreOurs) {
  EXPECT_EQ(Status::Internal("broken invariant").ToString(), "internal error: broken invariant");
  EXPECT_EQ(Status::InvalidArgument("bad flag").ToString(), "bad flag");
}

TEST(StatusTest, WithContextPrefixesErrorsOnly) {
  EXPECT_EQ(Status::NotFound("no such key").WithContext("keys.yaml").message(), "keys.yaml: no such key");
  EXPECT_TRUE(Status::Ok().WithContext("keys.yaml").ok());
}

TEST(ResultTest, HoldsValue) {
  Result<int> result = 42;
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(*result, 42);
  EXPECT_TRUE(result.status().ok());
}

TEST(ResultTest, HoldsError) {
  Result<std::string> result = Status::NotFound("gone");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(result.value_or("fallback"), "fallback");
}

TEST(ResultTest, OkStatusWithoutValueBecomesInternalError) {
  Result<int> result = Status::Ok();
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kInternal);
}

TEST(ResultTest, MoveOnlyValues) {
  Result<std::unique_ptr<int>> result = std::make_unique<int>(7);
  ASSERT_TRUE(result.ok());
  std::unique_ptr<int> taken = std::move(result).value();
  EXPECT_EQ(*taken, 7);
}

Result<int> Half(int value) {
  if (value % 2 != 0) return Status::InvalidArgument(std::to_string(value) + " is odd");
  return value / 2;
}

Result<int> Quarter(int value) {
  TUTELA_ASSIGN_OR_RETURN(int half, Half(value));
  TUTELA_ASSIGN_OR_RETURN(int quarter, Half(half));
  return quarter;
}

Status CheckEven(int value) {
  TUTELA_RETURN_IF_ERROR(Half(value).status());
  return Status::Ok();
}

TEST(ResultTest, MacrosPropagateTheFirstError) {
  EXPECT_EQ(*Quarter(8), 2);
  EXPECT_EQ(Quarter(6).status().message(), "3 is odd");
  EXPECT_TRUE(CheckEven(4).ok());
  EXPECT_EQ(CheckEven(5).message(), "5 is odd");
}

}  // namespace
}  // namespace tutela
