#include "tutela/core/csv.h"

#include <gtest/gtest.h>

namespace tutela {
namespace {

TEST(CsvFieldTest, QuotesOnlyWhenNeededOrAsked) {
  EXPECT_EQ(CsvField("plain"), "plain");
  EXPECT_EQ(CsvField("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvField("say \"x\""), "\"say \"\"x\"\"\"");
  EXPECT_EQ(CsvField("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(CsvField("carriage\rreturn"), "\"carriage\rreturn\"");
  EXPECT_EQ(CsvField("kept", ',', true), "\"kept\"");
  EXPECT_EQ(CsvField("a,b", '\t'), "a,b");
  EXPECT_EQ(CsvField("a\tb", '\t'), "\"a\tb\"");
  EXPECT_EQ(CsvField(""), "");
}

TEST(CsvFieldTest, AppendKeepsWhatIsThereAndQuotesTheSameWay) {
  std::string row = "x,";
  AppendCsvField(row, "module.a.aws_s3_bucket.b[\"k,1\"]");
  row += ',';
  AppendCsvField(row, "plain");
  row += ',';
  AppendCsvField(row, "");
  AppendCsvField(row, "a\tb", '\t');
  EXPECT_EQ(row, "x,\"module.a.aws_s3_bucket.b[\"\"k,1\"\"]\",plain,\"a\tb\"");
}

}  // namespace
}  // namespace tutela
