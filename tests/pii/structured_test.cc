#include "tutela/pii/structured.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>

#include "tutela/core/json_text.h"

namespace tutela::pii {
namespace {

std::vector<CsvRecord> ParseAll(std::string_view text, char delimiter = ',') {
  CsvParser parser(delimiter);
  std::vector<CsvRecord> records;
  auto consumed = parser.Parse(text, /*final=*/true, [&](const CsvRecord& record) { records.push_back(record); });
  EXPECT_TRUE(consumed.ok()) << consumed.status().message();
  if (consumed.ok()) {
    EXPECT_EQ(*consumed, text.size());
  }
  return records;
}

std::vector<std::vector<std::string>> Values(const std::vector<CsvRecord>& records) {
  std::vector<std::vector<std::string>> values;
  for (const CsvRecord& record : records) {
    values.emplace_back();
    for (const CsvField& field : record.fields) values.back().push_back(field.value);
  }
  return values;
}

TEST(CsvTest, TrickyFields) {
  std::string text =
      "id,name,notes\r\n"
      "1,\"Tan, Mei Ling\",\"said \"\"hi\"\"\"\r\n"
      "2,Ömer,\"two\nlines\"\r\n"
      "3,,\r\n"
      "4,bare\"quote,after\"close\"x\r\n"
      "5,last,no newline";
  auto records = ParseAll(text);
  ASSERT_EQ(records.size(), 6u);
  auto values = Values(records);
  EXPECT_EQ(values[1], (std::vector<std::string>{"1", "Tan, Mei Ling", "said \"hi\""}));
  EXPECT_EQ(values[2], (std::vector<std::string>{"2", "Ömer", "two\nlines"}));
  EXPECT_EQ(values[3], (std::vector<std::string>{"3", "", ""}));
  EXPECT_EQ(values[4], (std::vector<std::string>{"4", "bare\"quote", "after\"close\"x"}));
  EXPECT_EQ(values[5], (std::vector<std::string>{"5", "last", "no newline"}));
  EXPECT_EQ(records[2].line, 3u);
  EXPECT_EQ(records[3].line, 5u) << "the quoted newline counts";
  EXPECT_EQ(records[0].line_ending, "\r\n");
  EXPECT_EQ(records[5].line_ending, "");
  EXPECT_TRUE(records[1].fields[1].quoted);
  EXPECT_EQ(text.substr(records[1].fields[1].begin, records[1].fields[1].end - records[1].fields[1].begin),
            "\"Tan, Mei Ling\"");
}

TEST(CsvTest, RawSpansRebuildTheInputExactly) {
  std::string text = "a,\"b,c\"\r\n\"d\"\"e\",f\n,\n";
  std::string rebuilt;
  for (const CsvRecord& record : ParseAll(text)) rebuilt += text.substr(record.begin, record.end - record.begin);
  EXPECT_EQ(rebuilt, text);
}

TEST(CsvTest, ChunkBoundariesNeverChangeTheResult) {
  std::string text = "h1,h2\n\"x,\"\"y\"\"\r\nz\",2\r\nplain,\"\"\n3,\"end\"";
  auto expected = Values(ParseAll(text));
  std::mt19937 random(7);
  for (int trial = 0; trial < 200; ++trial) {
    CsvParser parser(',');
    std::vector<CsvRecord> records;
    std::string pending;
    size_t fed = 0;
    while (fed < text.size()) {
      size_t take = 1 + random() % 7;
      pending += text.substr(fed, take);
      fed += take;
      bool final = fed >= text.size();
      auto consumed = parser.Parse(pending, final, [&](const CsvRecord& record) { records.push_back(record); });
      ASSERT_TRUE(consumed.ok()) << consumed.status().message();
      pending.erase(0, *consumed);
    }
    EXPECT_TRUE(pending.empty());
    EXPECT_EQ(Values(records), expected) << "trial " << trial;
  }
}

TEST(CsvTest, UnclosedQuoteNamesTheLine) {
  CsvParser parser(',');
  auto result = parser.Parse("a,b\n1,\"open\n2,3\n", true, [](const CsvRecord&) {});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().message(),
            "line 2: a quoted field is never closed; add the missing '\"' or check the delimiter.");
}

TEST(CsvTest, OverlongRecordIsRefused) {
  CsvParser parser(',', 16);
  auto result = parser.Parse("\"" + std::string(100, 'x'), false, [](const CsvRecord&) {});
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("longer than 16 bytes"), std::string::npos);
}

TEST(CsvTest, SniffsTheDelimiter) {
  EXPECT_EQ(SniffCsvDelimiter("a\tb\tc\n1\t2\t3\n"), '\t');
  EXPECT_EQ(SniffCsvDelimiter("a;b;c\n1;2,5;3\n"), ';');
  EXPECT_EQ(SniffCsvDelimiter("name,\"x;y\"\nn,m\n"), ',');
  EXPECT_EQ(SniffCsvDelimiter("single column\n"), ',');
}

std::vector<JsonScalar> WalkAll(std::string_view json) {
  std::vector<JsonScalar> scalars;
  Status status = WalkJson(json, "t.json", [&](const JsonScalar& scalar) { scalars.push_back(scalar); });
  EXPECT_TRUE(status.ok()) << status.message();
  return scalars;
}

TEST(JsonWalkTest, PointersKeysAndValues) {
  std::string json = R"({"customer": {"email": "a@b.example", "a/b": 1, "t~x": null},
                         "events": [{"ip": "203.0.113.7"}, [true, -1.5e3]], "empty": {}, "none": []})";
  auto scalars = WalkAll(json);
  ASSERT_EQ(scalars.size(), 6u);
  EXPECT_EQ(scalars[0].pointer, "/customer/email");
  EXPECT_EQ(scalars[0].key, "email");
  EXPECT_TRUE(scalars[0].is_string);
  EXPECT_EQ(scalars[0].value, "a@b.example");
  EXPECT_EQ(json.substr(scalars[0].begin, scalars[0].end - scalars[0].begin), "\"a@b.example\"");
  EXPECT_EQ(scalars[1].pointer, "/customer/a~1b");
  EXPECT_EQ(scalars[2].pointer, "/customer/t~0x");
  EXPECT_EQ(scalars[2].value, "null");
  EXPECT_EQ(scalars[3].pointer, "/events/0/ip");
  EXPECT_EQ(scalars[4].pointer, "/events/1/0");
  EXPECT_EQ(scalars[4].key, "");
  EXPECT_EQ(scalars[5].pointer, "/events/1/1");
  EXPECT_EQ(scalars[5].value, "-1.5e3");
  EXPECT_FALSE(scalars[5].is_string);
}

TEST(JsonWalkTest, DecodesEscapesAndSurrogates) {
  auto scalars = WalkAll(R"(["line\nbreak \"q\" \u00e9 \ud83d\ude00 \/"])");
  ASSERT_EQ(scalars.size(), 1u);
  EXPECT_EQ(scalars[0].value, "line\nbreak \"q\" é 😀 /");
  EXPECT_EQ(WalkAll("\"root string\"")[0].pointer, "");
}

TEST(JsonWalkTest, ErrorsNameLineAndColumn) {
  struct Bad {
    const char* json;
    const char* error;
  } cases[] = {
      {"{\"a\": 1,\n \"b\" 2}", "t.json:2:6: invalid JSON (expected ':' after the member name)"},
      {"[1, 2", "t.json:1:6: invalid JSON (the document ends inside an object or array)"},
      {"{\"a\": tru}", "t.json:1:7: invalid JSON (expected a value)"},
      {"[01]", "t.json:1:3: invalid JSON (expected ',' or ']')"},
      {"[\"a\tb\"]", "t.json:1:4: invalid JSON (a control character must be escaped inside a string)"},
      {"{} {}", "t.json:1:4: invalid JSON (unexpected data after the end of the document)"},
      {"", "t.json:1:1: invalid JSON (the document ends where a value should be)"},
  };
  for (const Bad& bad : cases) {
    Status status = WalkJson(bad.json, "t.json", [](const JsonScalar&) {});
    ASSERT_FALSE(status.ok()) << bad.json;
    EXPECT_EQ(status.message().substr(0, std::string(bad.error).size()), bad.error) << status.message();
  }
}

TEST(JsonWalkTest, DeepNestingIsRefusedNotACrash) {
  std::string deep(100000, '[');
  Status status = WalkJson(deep, "deep.json", [](const JsonScalar&) {});
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("nesting deeper than 1024 levels"), std::string::npos);
  std::string fine = std::string(1000, '[') + "1" + std::string(1000, ']');
  EXPECT_EQ(WalkAll(fine).size(), 1u);
}

TEST(JsonWalkTest, SplicingReplacementsKeepsEverythingElseByteForByte) {
  std::string json = "{\n  \"email\" : \"a@b.example\",\n  \"tags\": [\"x\", 5],   \"note\": \"tab\\there\"\n}\n";
  std::string out;
  size_t copied = 0;
  Status status = WalkJson(json, "t.json", [&](const JsonScalar& scalar) {
    if (!scalar.is_string) return;
    out += json.substr(copied, scalar.begin - copied);
    out += JsonQuote("<" + scalar.key + ">\"");
    copied = scalar.end;
  });
  out += json.substr(copied);
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(out, "{\n  \"email\" : \"<email>\\\"\",\n  \"tags\": [\"<>\\\"\", 5],   \"note\": \"<note>\\\"\"\n}\n");
  EXPECT_TRUE(nlohmann::json::accept(out));
}

TEST(JsonWalkTest, QuoteEscapesControlCharacters) {
  EXPECT_EQ(JsonQuote(std::string("a\x01"
                                  "b\\",
                                  4)),
            "\"a\\u0001b\\\\\"");
}

}  // namespace
}  // namespace tutela::pii
