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

}  // namespace
}  // namespace tutela
