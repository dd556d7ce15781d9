#include "tutela/report/html.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace tutela::report {
namespace {

struct StatusStyle {
  std::string_view name;
  std::string_view fill;  // chart colour
  std::string_view css;   // badge class
};

// Colours chosen for >= 4.5:1 contrast of white text on the badge and distinct hues for common colour blindness.
constexpr StatusStyle kStyles[] = {
    {"pass", "#1a7f37", "pass"},           {"passed", "#1a7f37", "pass"},       {"fail", "#b42318", "fail"},
    {"failed", "#b42318", "fail"},         {"unknown", "#8a5a00", "unknown"},   {"manual", "#3b5bdb", "manual"},
    {"inherited", "#0b7285", "inherited"}, {"excepted", "#6741d9", "excepted"}, {"not_applicable", "#5c6670", "na"},
    {"critical", "#8b0000", "critical"},   {"high", "#b42318", "fail"},         {"medium", "#8a5a00", "unknown"},
    {"low", "#3b5bdb", "manual"},          {"info", "#5c6670", "na"},
};

const StatusStyle& StyleFor(std::string_view status) {
  for (const StatusStyle& style : kStyles) {
    if (style.name == status) return style;
  }
  static constexpr StatusStyle kNeutral{"", "#5c6670", "na"};
  return kNeutral;
}

std::string Number(double value) {
  char buffer[32];
  if (std::fabs(value - std::round(value)) < 1e-9) {
    std::snprintf(buffer, sizeof buffer, "%.0f", value);
  } else {
    std::snprintf(buffer, sizeof buffer, "%.1f", value);
  }
  return buffer;
}

constexpr std::string_view kCss = R"(
:root{--ink:#1f2328;--muted:#57606a;--line:#d0d7de;--bg:#ffffff;--panel:#f6f8fa}
*{box-sizing:border-box}body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--ink);background:var(--bg)}
header{padding:24px 32px;border-bottom:1px solid var(--line);background:var(--panel)}
header h1{margin:0;font-size:24px}header p{margin:4px 0 0;color:var(--muted)}
nav{padding:8px 32px;border-bottom:1px solid var(--line)}nav a{margin-right:16px;color:#0550ae}
main{padding:8px 32px 32px;max-width:1200px}section{margin-top:24px}h2{font-size:19px;border-bottom:1px solid var(--line);padding-bottom:4px}
table{border-collapse:collapse;width:100%;margin:8px 0}caption{text-align:left;color:var(--muted);padding:4px 0}
th,td{border:1px solid var(--line);padding:6px 8px;text-align:left;vertical-align:top}th{background:var(--panel)}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;color:#fff;font-size:12px;font-weight:600;white-space:nowrap}
.pass{background:#1a7f37}.fail{background:#b42318}.unknown{background:#8a5a00}.manual{background:#3b5bdb}
.inherited{background:#0b7285}.excepted{background:#6741d9}.na{background:#5c6670}.critical{background:#8b0000}
.legend{list-style:none;padding:0;margin:4px 0}.legend li{display:inline-block;margin-right:12px}
.swatch{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:-1px}
svg text{font:12px system-ui,sans-serif;fill:var(--ink)}figure{margin:12px 0}figcaption{font-weight:600;margin-bottom:4px}
footer{padding:16px 32px;color:var(--muted);border-top:1px solid var(--line)}
a:focus,summary:focus{outline:3px solid #0550ae;outline-offset:2px}
@media print{nav{display:none}}
)";

}  // namespace

std::string HtmlEscape(std::string_view text) {
  std::string escaped;
  escaped.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        escaped += "&amp;";
        break;
      case '<':
        escaped += "&lt;";
        break;
      case '>':
        escaped += "&gt;";
        break;
      case '"':
        escaped += "&quot;";
        break;
      case '\'':
        escaped += "&#39;";
        break;
      default:
        escaped += c;
    }
  }
  return escaped;
}

std::string StatusBadge(std::string_view status) {
  return "<span class=\"badge " + std::string(StyleFor(status).css) + "\">" + HtmlEscape(status) + "</span>";
}

std::string StackedBar(std::string_view title, const std::vector<ChartSegment>& segments, int width) {
  double total = 0;
  for (const ChartSegment& segment : segments) total += std::max(0.0, segment.value);
  std::string description;
  for (const ChartSegment& segment : segments) {
    if (!description.empty()) description += ", ";
    description += segment.label + " " + Number(segment.value);
  }
  std::string svg = "<figure><figcaption>" + HtmlEscape(title) + "</figcaption><svg role=\"img\" width=\"" +
                    std::to_string(width) + "\" height=\"28\" viewBox=\"0 0 " + std::to_string(width) +
                    " 28\"><title>" + HtmlEscape(title) + "</title><desc>" + HtmlEscape(description) + "</desc>";
  double x = 0;
  for (const ChartSegment& segment : segments) {
    if (total <= 0 || segment.value <= 0) continue;
    double segment_width = width * segment.value / total;
    char rect[256];
    std::snprintf(rect, sizeof rect, "<rect x=\"%.2f\" y=\"4\" width=\"%.2f\" height=\"20\" fill=\"%.*s\">", x,
                  segment_width, static_cast<int>(StyleFor(segment.status).fill.size()),
                  StyleFor(segment.status).fill.data());
    svg += rect;
    svg += "<title>" + HtmlEscape(segment.label) + ": " + Number(segment.value) + "</title></rect>";
    x += segment_width;
  }
  if (total <= 0)
    svg += "<rect x=\"0\" y=\"4\" width=\"" + std::to_string(width) + "\" height=\"20\" fill=\"#d0d7de\"/>";
  svg += "</svg><ul class=\"legend\">";
  for (const ChartSegment& segment : segments) {
    svg += "<li><span class=\"swatch\" style=\"background:" + std::string(StyleFor(segment.status).fill) +
           "\"></span>" + HtmlEscape(segment.label) + " " + Number(segment.value) + "</li>";
  }
  return svg + "</ul></figure>";
}

std::string BarChart(std::string_view title, const std::vector<BarRow>& rows, double max_value) {
  constexpr int kLabelWidth = 200, kBarWidth = 320, kRowHeight = 26;
  int height = static_cast<int>(rows.size()) * kRowHeight + 8;
  int width = kLabelWidth + kBarWidth + 80;
  std::string description;
  for (const BarRow& row : rows) {
    if (!description.empty()) description += "; ";
    description += row.label + " " + (row.caption.empty() ? Number(row.value) : row.caption);
  }
  std::string svg = "<figure><figcaption>" + HtmlEscape(title) + "</figcaption><svg role=\"img\" width=\"" +
                    std::to_string(width) + "\" height=\"" + std::to_string(height) + "\" viewBox=\"0 0 " +
                    std::to_string(width) + " " + std::to_string(height) + "\"><title>" + HtmlEscape(title) +
                    "</title><desc>" + HtmlEscape(description) + "</desc>";
  for (size_t row_idx = 0; row_idx < rows.size(); ++row_idx) {
    const BarRow& row = rows[row_idx];
    int y = static_cast<int>(row_idx) * kRowHeight + 4;
    double share = max_value > 0 ? std::clamp(row.value / max_value, 0.0, 1.0) : 0.0;
    char bar[512];
    std::snprintf(bar, sizeof bar,
                  "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"18\" fill=\"#eaeef2\"/>"
                  "<rect x=\"%d\" y=\"%d\" width=\"%.2f\" height=\"18\" fill=\"%.*s\"/>",
                  kLabelWidth, y, kBarWidth, kLabelWidth, y, kBarWidth * share,
                  static_cast<int>(StyleFor(row.status).fill.size()), StyleFor(row.status).fill.data());
    svg += "<text x=\"0\" y=\"" + std::to_string(y + 14) + "\">" + HtmlEscape(row.label) + "</text>" + bar +
           "<text x=\"" + std::to_string(kLabelWidth + kBarWidth + 8) + "\" y=\"" + std::to_string(y + 14) + "\">" +
           HtmlEscape(row.caption.empty() ? Number(row.value) : row.caption) + "</text>";
  }
  return svg + "</svg></figure>";
}

std::string Table(const std::vector<std::string>& headers, const std::vector<std::vector<std::string>>& rows_html,
                  std::string_view caption) {
  std::string html = "<table>";
  if (!caption.empty()) html += "<caption>" + HtmlEscape(caption) + "</caption>";
  html += "<thead><tr>";
  for (const std::string& header : headers) html += "<th scope=\"col\">" + HtmlEscape(header) + "</th>";
  html += "</tr></thead><tbody>";
  for (const std::vector<std::string>& row : rows_html) {
    html += "<tr>";
    for (const std::string& cell : row) html += "<td>" + cell + "</td>";
    html += "</tr>";
  }
  return html + "</tbody></table>";
}

HtmlPage::HtmlPage(std::string title, std::string subtitle)
    : title_(std::move(title)), subtitle_(std::move(subtitle)) {}

void HtmlPage::AddSection(std::string_view id, std::string_view heading, std::string body_html) {
  sections_.push_back({std::string(id), std::string(heading), std::move(body_html)});
}

std::string HtmlPage::Render() const {
  std::string html =
      "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
      "style-src 'unsafe-inline'; img-src data:\">"
      "<title>" +
      HtmlEscape(title_) + "</title><style>" + std::string(kCss) + "</style></head><body>";
  html += "<header><h1>" + HtmlEscape(title_) + "</h1><p>" + HtmlEscape(subtitle_) + "</p></header>";
  if (sections_.size() > 1) {
    html += "<nav aria-label=\"Contents\">";
    for (const Section& section : sections_) {
      html += "<a href=\"#" + HtmlEscape(section.id) + "\">" + HtmlEscape(section.heading) + "</a>";
    }
    html += "</nav>";
  }
  html += "<main>";
  for (const Section& section : sections_) {
    html += "<section id=\"" + HtmlEscape(section.id) + "\" aria-labelledby=\"" + HtmlEscape(section.id) +
            "-h\"><h2 id=\"" + HtmlEscape(section.id) + "-h\">" + HtmlEscape(section.heading) + "</h2>" +
            section.body_html + "</section>";
  }
  html +=
      "</main><footer>Generated by Tutela. This file is self-contained and loads nothing from the network."
      "</footer></body></html>\n";
  return html;
}

}  // namespace tutela::report
