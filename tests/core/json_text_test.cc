#include "tutela/core/json_text.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace tutela {
namespace {

TEST(JsonTextTest, EscapesWhatRfc8259Requires) {
  EXPECT_EQ(JsonQuote("plain"), "\"plain\"");
  EXPECT_EQ(JsonQuote(""), "\"\"");
  EXPECT_EQ(JsonQuote("say \"x\" \\ y"), "\"say \\\"x\\\" \\\\ y\"");
  EXPECT_EQ(JsonQuote("a\nb\rc\td"), "\"a\\nb\\rc\\td\"");
  EXPECT_EQ(JsonQuote(std::string("a\x01\x1f", 3)), "\"a\\u0001\\u001f\"");
  EXPECT_EQ(JsonQuote(std::string("nul\0end", 7)), "\"nul\\u0000end\"");
  EXPECT_EQ(JsonQuote("身份证 ü"), "\"身份证 ü\"");
}

TEST(JsonTextTest, EveryByteRoundTripsThroughAJsonParser) {
  std::string all;
  for (int byte = 1; byte < 0x80; ++byte) all += static_cast<char>(byte);
  all += "中文";
  std::string out = "{\"v\":";
  AppendJsonString(out, all);
  out += "}";
  EXPECT_EQ(nlohmann::json::parse(out)["v"].get<std::string>(), all);
}

// Regression: a file name in another encoding (Latin-1 "\xff") made `pii scan --format json` fail with an internal
// error and `--format ndjson` drop the findings; the hand-written JSON passed the byte through as invalid JSON.
TEST(JsonTextTest, InvalidUtf8BecomesTheReplacementCharacterAndStaysValidJson) {
  const std::string fffd = "\xEF\xBF\xBD";
  EXPECT_EQ(JsonQuote("x\xff.txt"), "\"x" + fffd + ".txt\"");
  EXPECT_EQ(JsonQuote("\xC0\x80"), "\"" + fffd + fffd + "\"");                        // overlong NUL
  EXPECT_EQ(JsonQuote("\xED\xA0\x80"), "\"" + fffd + fffd + fffd + "\"");             // a UTF-16 surrogate
  EXPECT_EQ(JsonQuote("\xF4\x90\x80\x80"), "\"" + fffd + fffd + fffd + fffd + "\"");  // above U+10FFFF
  EXPECT_EQ(JsonQuote("end \xE4\xB8"), "\"end " + fffd + "\"");  // truncated at the end: one for the sequence
  EXPECT_EQ(JsonQuote("\xE4\xB8 x"), "\"" + fffd + " x\"");
  EXPECT_EQ(JsonQuote("\xF0\x9F\x94\x92 ok"), "\"\xF0\x9F\x94\x92 ok\"");  // a 4-byte character is kept
  EXPECT_EQ(JsonQuote("\b\f"), "\"\\b\\f\"");
  // Whatever the bytes, the result parses, and valid text comes back unchanged.
  std::string every;
  for (int byte = 0; byte < 0x100; ++byte) every += static_cast<char>(byte);
  every += "\xE2\x82\xAC\xF0\x90\x8D\x88\xE4\xB8";
  std::string out = "{\"v\":";
  AppendJsonString(out, every);
  out += "}";
  std::string back = nlohmann::json::parse(out)["v"].get<std::string>();
  EXPECT_EQ(back.substr(0, 0x80), every.substr(0, 0x80));
  EXPECT_NE(back.find("\xE2\x82\xAC\xF0\x90\x8D\x88"), std::string::npos);
  // The same text as nlohmann-json writes it with its replacement handler.
  EXPECT_EQ(out.substr(5, out.size() - 6),
            nlohmann::json(every).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

TEST(JsonTextTest, IsUtf8AcceptsWellFormedTextOnly) {
  EXPECT_TRUE(IsUtf8(""));
  EXPECT_TRUE(IsUtf8("plain.txt"));
  EXPECT_TRUE(IsUtf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x94\x92"));
  EXPECT_FALSE(IsUtf8("caf\xE9.csv"));       // Latin-1
  EXPECT_FALSE(IsUtf8("\xC0\x80"));          // overlong
  EXPECT_FALSE(IsUtf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(IsUtf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(IsUtf8("end \xE4\xB8"));      // truncated
}

}  // namespace
}  // namespace tutela
