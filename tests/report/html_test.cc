#include "tutela/report/html.h"

#include <gtest/gtest.h>

#include <regex>

namespace tutela::report {
namespace {

TEST(HtmlTest, EscapesEverythingThatCouldBreakOut) {
  EXPECT_EQ(HtmlEscape("<script>alert('x') & \"y\"</script>"),
            "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;");
  EXPECT_EQ(HtmlEscape("plain 中文"), "plain 中文");
}

TEST(HtmlTest, BadgesUseKnownStylesAndEscapeUnknownOnes) {
  EXPECT_EQ(StatusBadge("fail"), "<span class=\"badge fail\">fail</span>");
  EXPECT_EQ(StatusBadge("inherited"), "<span class=\"badge inherited\">inherited</span>");
  EXPECT_EQ(StatusBadge("<b>"), "<span class=\"badge na\">&lt;b&gt;</span>");
}

TEST(HtmlTest, StackedBarIsAccessibleAndProportional) {
  std::string svg = StackedBar("pci-dss-4.0 requirements", {{"passed", 30, "pass"}, {"failed", 10, "fail"}}, 400);
  EXPECT_NE(svg.find("role=\"img\""), std::string::npos);
  EXPECT_NE(svg.find("<title>pci-dss-4.0 requirements</title>"), std::string::npos);
  EXPECT_NE(svg.find("<desc>passed 30, failed 10</desc>"), std::string::npos);
  EXPECT_NE(svg.find("width=\"300.00\""), std::string::npos) << svg;
  EXPECT_NE(svg.find("x=\"300.00\" y=\"4\" width=\"100.00\""), std::string::npos) << svg;
  EXPECT_NE(svg.find("<li>"), std::string::npos) << "a text legend, not colour alone";
}

TEST(HtmlTest, EmptyStackedBarDrawsAPlaceholder) {
  std::string svg = StackedBar("nothing", {{"passed", 0, "pass"}});
  EXPECT_NE(svg.find("fill=\"#d0d7de\""), std::string::npos);
}

TEST(HtmlTest, BarChartScalesAndLabels) {
  std::string svg = BarChart("readiness", {{"ISO <27001>", 50, "50%", "pass"}, {"PCI", 150, "", "fail"}}, 100);
  EXPECT_NE(svg.find("ISO &lt;27001&gt;"), std::string::npos);
  EXPECT_NE(svg.find("width=\"160.00\""), std::string::npos) << "50 of 100 is half of 320 px";
  EXPECT_NE(svg.find("width=\"320.00\""), std::string::npos) << "values above the maximum are clamped";
  EXPECT_NE(svg.find(">150<"), std::string::npos);
}

TEST(HtmlTest, PageIsSelfContained) {
  HtmlPage page("Assessment <demo>", "2026-11-22");
  page.AddSection("summary", "Summary", "<p>ok</p>");
  page.AddSection("findings", "Findings", Table({"check", "status"}, {{HtmlEscape("CKV_1"), StatusBadge("fail")}}));
  std::string html = page.Render();
  EXPECT_EQ(html.rfind("<!doctype html>", 0), 0u);
  EXPECT_NE(html.find("<title>Assessment &lt;demo&gt;</title>"), std::string::npos);
  EXPECT_NE(html.find("Content-Security-Policy"), std::string::npos);
  EXPECT_NE(html.find("<a href=\"#findings\">Findings</a>"), std::string::npos);
  EXPECT_NE(html.find("<th scope=\"col\">check</th>"), std::string::npos);
  EXPECT_FALSE(std::regex_search(html, std::regex("(https?:)?//[a-z0-9.-]+\\.[a-z]{2,}/")))
      << "no reference to the network";
  EXPECT_EQ(html.find("<script"), std::string::npos);
}

}  // namespace
}  // namespace tutela::report
