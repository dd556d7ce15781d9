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

// Regression: nlohmann's "last read: '...'" quoted the input in the message, e.g. a whole e-mail address when the
// error was inside its string (charter: never print raw PII unless --show-values).
TEST(JsonTest, ASyntaxErrorDoesNotQuoteTheInput) {
  auto escape = ParseJson("{\"email\": \"jo.secret@example.com\\q\"}", "leak.json");
  ASSERT_FALSE(escape.ok());
  EXPECT_EQ(escape.status().message(),
            "leak.json:1:34: invalid JSON (syntax error while parsing value - invalid string: forbidden character "
            "after backslash); correct the syntax at that position.");
  auto literal = ParseJson("{\"ssn\": 536-22-1987x}", "leak.json");
  ASSERT_FALSE(literal.ok());
  EXPECT_EQ(literal.status().message().find("536"), std::string::npos) << literal.status().message();
}

// Regression: "invalid JSON ([json.exception.out_of_range.406] number overflow parsing '1e400'); ..." showed the
// library's exception id and quoted the input.
TEST(JsonTest, ANumberBeyondADoubleSaysSoWithoutTheLibrarysText) {
  auto huge = ParseJson("{\"count\": 1e400}", "inv.json");
  ASSERT_FALSE(huge.ok());
  EXPECT_EQ(huge.status().message(),
            "inv.json: invalid JSON (a number is beyond the range of a double, e.g. 1e400); write it within about "
            "1.8e308, or as a string.");
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

// Regression: DumpJson(ordered_json) converted to json and sorted the members, changing the restore audit entries
// and token manifests (documented order) that pii writes.
TEST(JsonTest, DumpJsonKeepsTheOrderOfAnOrderedDocument) {
  nlohmann::ordered_json ordered;
  ordered["event"] = "pii.restore";
  ordered["at"] = "caf\xE9";
  EXPECT_EQ(DumpJson(ordered), "{\"event\":\"pii.restore\",\"at\":\"caf\xEF\xBF\xBD\"}");
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

// Regression: `subjects: {SG: 620, SG: 40}` in an incident loaded without a word (yaml-cpp keeps both entries; one
// was silently dropped or both counted).
TEST(YamlTest, ARepeatedKeyIsRefusedWithItsPlace) {
  auto flow = ParseYaml("affected:\n  - subjects: {SG: 620, SG: 40}\n", "incident.yaml");
  ASSERT_FALSE(flow.ok());
  EXPECT_EQ(flow.status().message(),
            "incident.yaml:2:25: the key \"SG\" appears twice in this mapping; keep one of them.");
  auto block = ParseYaml("a: 1\nb:\n  c: 2\n  c: 3\n", "x.yaml");
  ASSERT_FALSE(block.ok());
  EXPECT_NE(block.status().message().find("x.yaml:4:3: the key \"c\""), std::string::npos) << block.status().message();
  EXPECT_TRUE(ParseYaml("a: {x: 1}\nb: {x: 2}\nlist: [{x: 1}, {x: 2}]\n", "ok.yaml").ok()) << "same key, other maps";
}

// An alias bomb (each level nine aliases of the one before) is not expanded by the duplicate-key check.
TEST(YamlTest, AnAliasBombLoadsWithoutExpanding) {
  std::string text = "a: &a [x, x, x, x, x, x, x, x, x]\n";
  std::string previous = "a";
  for (char level = 'b'; level <= 'k'; ++level) {
    std::string name(1, level);
    text += name + ": &" + name + " [";
    for (int i = 0; i < 9; ++i) text += (i ? ", *" : "*") + previous;
    text += "]\n";
    previous = name;
  }
  EXPECT_TRUE(ParseYaml(text, "bomb.yaml").ok());  // 9^10 nodes if expanded: the test would time out
}

// Regression: a YAML document nested 100000 levels deep was refused as "invalid YAML (bad file)", yaml-cpp's text.
TEST(YamlTest, TooDeepANestingSaysSo) {
  auto deep = ParseYaml("a: " + std::string(100000, '[') + std::string(100000, ']'), "deep.yaml");
  ASSERT_FALSE(deep.ok());
  EXPECT_EQ(deep.status().message().rfind("deep.yaml:1:", 0), 0u) << deep.status().message();
  EXPECT_NE(deep.status().message().find("levels deep); flatten the document"), std::string::npos)
      << deep.status().message();
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
