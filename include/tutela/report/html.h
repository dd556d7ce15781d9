// Self-contained HTML reports: escaping, a page with inline CSS, accessible SVG charts and tables.
//
// Reports must open offline and be mailed as one file, so a page carries its CSS and charts inline and loads
// nothing from the network (no scripts, fonts or images from elsewhere). Charts are SVG with role="img", a <title>
// and a text description, and every chart is paired with the table of its numbers, so screen readers and printouts
// lose nothing. The palette keeps text contrast at WCAG AA on white and does not rely on colour alone (labels and
// patterns carry the meaning too).
//
// The builders return HTML fragments as strings; callers compose them into an HtmlPage. Every text argument is
// escaped by the builders; arguments named `*_html` are trusted fragments made by these builders.
// Thread-safety: all functions are reentrant; an HtmlPage is used by one thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tutela::report {

// Escapes &, <, >, " and ' for use in element content and attribute values.
std::string HtmlEscape(std::string_view text);

// The statuses reports colour consistently: pass, fail, unknown, manual, inherited, excepted, not_applicable,
// and severities critical, high, medium, low, info. Unknown names get the neutral style.
std::string StatusBadge(std::string_view status);

struct ChartSegment {
  std::string label;  // e.g. "passed"
  double value = 0;
  std::string status;  // a StatusBadge name, picks the colour
};

// A horizontal stacked bar (e.g. one framework's requirements by status) `width` px wide, with a legend.
std::string StackedBar(std::string_view title, const std::vector<ChartSegment>& segments, int width = 480);

struct BarRow {
  std::string label;
  double value = 0;     // drawn as a share of `max_value`
  std::string caption;  // printed after the bar, e.g. "87%"
  std::string status;
};

// Horizontal bars, one per row (e.g. readiness per framework), scaled to `max_value`.
std::string BarChart(std::string_view title, const std::vector<BarRow>& rows, double max_value);

// A table: header cells and rows of already-built HTML cells (use HtmlEscape or StatusBadge to build them).
std::string Table(const std::vector<std::string>& headers, const std::vector<std::vector<std::string>>& rows_html,
                  std::string_view caption = {});

// A whole page: <!doctype html>, inline CSS, a header with title and subtitle, sections, and a footer naming the
// generator. Add sections in order, then Render().
class HtmlPage {
 public:
  HtmlPage(std::string title, std::string subtitle);
  // A section with a heading and a body fragment; `id` makes it linkable (#id) and appears in the contents list.
  void AddSection(std::string_view id, std::string_view heading, std::string body_html);
  std::string Render() const;

 private:
  struct Section {
    std::string id;
    std::string heading;
    std::string body_html;
  };
  std::string title_;
  std::string subtitle_;
  std::vector<Section> sections_;
};

}  // namespace tutela::report
