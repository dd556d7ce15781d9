#include "tutela/core/data.h"

#include <gtest/gtest.h>

#include "test_support.h"

namespace tutela {
namespace {

TEST(JsonTest, ParsesDocumentAndSkipsBom) {
  auto document = ParseJson("\xEF\xBB\xBF{\"a\": [1, 2]}", "x.json");
  ASSERT_TRUE(document.ok()) << document.status().message();
  EXPECT_EQ((*document)["a"][1], 2);
}

TEST(JsonTest, SyntaxErrorNamesFileLineAndColumn) {
  auto document = ParseJson("{\n  \"a\": 1,\n  \"b\": }\n", "plan.json");
  ASSERT_FALSE(document.ok());
  EXPECT_EQ(document.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(document.status().message().rfind("plan.json:3:8: invalid JSON (", 0), 0) << document.status().message();
  EXPECT_NE(document.status().message().find("correct the syntax"), std::string::npos);
  EXPECT_EQ(document.status().message().find('\n'), std::string::npos) << "one line only";
}

TEST(JsonTest, TruncatedDocumentPointsAtTheEnd) {
  auto document = ParseJson("[1, 2", "t.json");
  ASSERT_FALSE(document.ok());
  EXPECT_EQ(document.status().message().rfind("t.json:1:", 0), 0) << document.status().message();
}

TEST(JsonTest, MissingFileIsNotFound) {
  auto document = LoadJsonFile("/nonexistent/tutela/x.json");
  ASSERT_FALSE(document.ok());
  EXPECT_EQ(document.status().code(), StatusCode::kNotFound);
  EXPECT_NE(document.status().message().find("/nonexistent/tutela/x.json"), std::string::npos);
}

TEST(JsonTest, DumpJsonOfANonUtf8StringWritesReplacementCharacterNotAnException) {
  nlohmann::json value = {{"file", std::string("caf\xE9.txt")}, {"n", 1}};
  EXPECT_THROW((void)value.dump(), nlohmann::json::type_error);  // what every writer did before DumpJson
  EXPECT_EQ(DumpJson(value), "{\"file\":\"caf\xEF\xBF\xBD.txt\",\"n\":1}");
  EXPECT_EQ(DumpJson(value, 2), "{\n  \"file\": \"caf\xEF\xBF\xBD.txt\",\n  \"n\": 1\n}");
  EXPECT_EQ(DumpJson(nlohmann::json("ok")), "\"ok\"");
}

TEST(JsonTest, FindNonUtf8PointsAtTheFirstIllFormedStringOrKey) {
  EXPECT_EQ(FindNonUtf8(nlohmann::json{{"a", "ok"}, {"b", {1, "caf\xC3\xA9"}}}), std::nullopt);
  EXPECT_EQ(FindNonUtf8(nlohmann::json{{"details", {{"requester", "bob\xE9"}}}}), "/details/requester");
  EXPECT_EQ(FindNonUtf8(nlohmann::json{{"data", {"ok", "x\xFF"}}}), "/data/1");
  EXPECT_EQ(FindNonUtf8(nlohmann::json{{"a/b\xFF", 1}}), "/a~1b\xFF");
  EXPECT_EQ(FindNonUtf8(nlohmann::json("\xC0\x80")), "");
}

// Regression: `{"format": 5}` given as a key file, PII inventory or token manifest failed with "internal error:
// [json.exception.type_error.302]" from json::value("format", "").
TEST(JsonTest, JsonStringOrNeverThrowsOnAMemberOfAnotherType) {
  nlohmann::json document = {{"format", 5}, {"name", "x"}, {"none", nullptr}};
  EXPECT_THROW((void)document.value("format", ""), nlohmann::json::type_error);
  EXPECT_EQ(JsonStringOr(document, "format"), "");
  EXPECT_EQ(JsonStringOr(document, "format", "?"), "?");
  EXPECT_EQ(JsonStringOr(document, "name"), "x");
  EXPECT_EQ(JsonStringOr(document, "none"), "");
  EXPECT_EQ(JsonStringOr(document, "missing"), "");
  EXPECT_EQ(JsonStringOr(nlohmann::json::array({1}), "format"), "");
}

TEST(YamlTest, ParsesDocument) {
  auto document = ParseYaml("users:\n  - name: ana\n", "u.yaml");
  ASSERT_TRUE(document.ok());
  EXPECT_EQ((*document)["users"][0]["name"].as<std::string>(), "ana");
}

TEST(YamlTest, SyntaxErrorNamesFileLineAndColumn) {
  auto document = ParseYaml("a: 1\nb: [1, 2\nc: 3\n", "bad.yaml");
  ASSERT_FALSE(document.ok());
  EXPECT_EQ(document.status().message().rfind("bad.yaml:", 0), 0) << document.status().message();
  EXPECT_NE(document.status().message().find("invalid YAML"), std::string::npos);
}

TEST(YamlTest, BadIndentationIsLocated) {
  auto document = ParseYaml("key: value\n  other: 2\n", "indent.yaml");
  ASSERT_FALSE(document.ok());
  EXPECT_EQ(document.status().message().rfind("indent.yaml:2:", 0), 0) << document.status().message();
}

TEST(YamlTest, WhereNamesTheNode) {
  auto document = ParseYaml("list:\n  - a\n  - b\n", "w.yaml");
  ASSERT_TRUE(document.ok());
  EXPECT_EQ(YamlWhere("w.yaml", (*document)["list"][1]), "w.yaml:3:5");
}

TEST(YamlTest, LoadsFromFile) {
  testing::TempDir dir;
  testing::WriteFile(dir / "ok.yaml", "x: 3\n");
  auto document = LoadYamlFile(dir / "ok.yaml");
  ASSERT_TRUE(document.ok());
  EXPECT_EQ((*document)["x"].as<int>(), 3);
}

TEST(PositionTest, CountsLinesAndColumns) {
  TextPosition position = PositionOfOffset("ab\ncd\ne", 4);
  EXPECT_EQ(position.line, 2u);
  EXPECT_EQ(position.column, 2u);
}

}  // namespace
}  // namespace tutela
