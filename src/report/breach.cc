#include "tutela/report/breach.h"

#include "tutela/core/time.h"
#include "tutela/report/html.h"

namespace tutela::report {

std::string BreachReportHtml(const pims::BreachAssessment& assessment) {
  std::string subtitle = "Discovered " + FormatRfc3339(assessment.discovered_at);
  if (assessment.assessed_at) subtitle += "; assessed notifiable " + FormatRfc3339(*assessment.assessed_at);
  HtmlPage page("Breach assessment: " + assessment.incident_id, subtitle);

  size_t required = 0;
  std::vector<std::vector<std::string>> rows;
  for (const pims::Notification& item : assessment.notifications) {
    required += item.required ? 1 : 0;
    std::string deadline = item.deadline ? FormatRfc3339(*item.deadline) : (item.required ? item.deadline_text : "—");
    std::string reason = item.reason + (item.safe_harbour.empty() ? "" : ". Safe harbour: " + item.safe_harbour);
    rows.push_back(
        {HtmlEscape(item.jurisdiction), HtmlEscape(pims::AudienceLabel(item)),
         item.required ? "<span class=\"badge fail\">notify</span>" : "<span class=\"badge pass\">not required</span>",
         HtmlEscape(deadline), HtmlEscape(item.authority), HtmlEscape(item.basis), HtmlEscape(reason),
         item.verified ? "yes" : StatusBadge("unknown")});
  }
  page.AddSection(
      "notifications", "Notifications",
      "<p>" + std::to_string(required) + " of " + std::to_string(assessment.notifications.size()) +
          " notifications are required. Deadlines are absolute UTC times from the legal clock start.</p>" +
          Table({"jurisdiction", "audience", "required", "deadline (UTC)", "authority", "basis", "reason", "verified"},
                rows));

  std::string plan = "<ol>";
  for (const pims::PlanStep& step : assessment.plan) {
    plan += "<li><strong>" + HtmlEscape(step.action) + "</strong>" +
            (step.due ? " — due " + HtmlEscape(FormatRfc3339(*step.due)) : std::string()) + "<br>" +
            HtmlEscape(step.detail) + " <em>(" + HtmlEscape(step.basis) + ")</em></li>";
  }
  page.AddSection("plan", "Response plan", plan + "</ol>");

  std::string notes = "<ul>";
  for (const std::string& note : assessment.notes) notes += "<li>" + HtmlEscape(note) + "</li>";
  page.AddSection("notes", "Assumptions to check", notes + "</ul>");
  return page.Render();
}

}  // namespace tutela::report
