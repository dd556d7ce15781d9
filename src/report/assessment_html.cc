// The assessment as one self-contained HTML page, on the shared HTML toolkit (tutela/report/html.h): a score per
// framework, then a drill-down requirement -> unified controls -> checks -> resources with remediation, built from
// <details> elements and in-page links (no script, nothing from the network).
#include <algorithm>
#include <cstdio>

#include "tutela/report/assessment.h"
#include "tutela/report/html.h"

namespace tutela::report {
namespace {

using assess::Assessment;
using assess::RequirementStatus;
using assess::ResultRow;
using assess::ResultStatus;

// Resources listed per check before the list is cut (the counts stay complete).
constexpr size_t kResourcesPerCheck = 200;

std::string Percent(double share) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%.0f%%", share * 100);
  return buffer;
}

std::string Anchor(std::string_view prefix, std::string_view id) {
  std::string out(prefix);
  for (char c : id) {
    bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    out += keep ? c : '_';
  }
  return out;
}

std::string Link(std::string_view anchor, std::string_view text) {
  return "<a href=\"#" + std::string(anchor) + "\">" + HtmlEscape(text) + "</a>";
}

std::string List(const std::vector<std::string>& items_html) {
  if (items_html.empty()) return "—";
  std::string out = "<ul>";
  for (const std::string& item : items_html) out += "<li>" + item + "</li>";
  return out + "</ul>";
}

std::string_view BadgeFor(RequirementStatus status) {
  switch (status) {
    case RequirementStatus::kPassed:
      return "passed";
    case RequirementStatus::kFailed:
      return "failed";
    case RequirementStatus::kUnknown:
      return "unknown";
    case RequirementStatus::kManual:
      return "manual";
    case RequirementStatus::kInherited:
      return "inherited";
    case RequirementStatus::kNotApplicable:
      return "not_applicable";
    case RequirementStatus::kExcepted:
      return "excepted";
  }
  return "unknown";
}

std::string CertificateText(const catalog::Certification& certificate) {
  std::string text = certificate.id + " — " + certificate.certificate_number + " issued by " + certificate.issuer;
  if (!certificate.expires.empty()) text += ", valid to " + certificate.expires;
  std::string regions, services;
  for (const std::string& region : certificate.scope.regions) regions += (regions.empty() ? "" : ", ") + region;
  for (const std::string& service : certificate.scope.services) services += (services.empty() ? "" : ", ") + service;
  if (!regions.empty()) text += "; regions: " + regions;
  if (!services.empty()) text += "; services: " + services;
  return text;
}

}  // namespace

std::string AssessmentHtml(const Assessment& assessment, const std::vector<std::string>& inputs) {
  const auto& checks = assessment.checks->checks();
  const auto& resources = assessment.estate->resources();
  std::string sources;
  for (const std::string& input : inputs) sources += (sources.empty() ? "" : ", ") + input;
  std::string model =
      assessment.service_model ? std::string(catalog::ServiceModelName(*assessment.service_model)) : "none given";
  HtmlPage page("Cloud assessment", "Inputs: " + sources + " · assessed " + assessment.date +
                                        " · service model: " + model + " · " + std::to_string(resources.size()) +
                                        " resources, " + std::to_string(checks.size()) + " checks");

  // Summary: results by status and the automated score per framework.
  {
    const auto& c = assessment.counts;
    std::string body = StackedBar("Results by status", {{"pass", static_cast<double>(c[0]), "pass"},
                                                        {"fail", static_cast<double>(c[1]), "fail"},
                                                        {"unknown", static_cast<double>(c[2]), "unknown"},
                                                        {"not applicable", static_cast<double>(c[3]), "not_applicable"},
                                                        {"excepted", static_cast<double>(c[4]), "excepted"}});
    std::vector<BarRow> rows;
    std::vector<std::vector<std::string>> table;
    for (const assess::FrameworkResult& framework : assessment.frameworks) {
      const assess::FrameworkCounts& counts = framework.counts;
      double score = counts.Score();
      std::string status = counts.failed ? "fail" : counts.unknown ? "unknown" : counts.passed ? "pass" : "manual";
      rows.push_back(
          {framework.framework->id, score,
           Percent(score) + " of " + std::to_string(counts.passed + counts.failed + counts.unknown) + " automated",
           status});
      table.push_back({Link(Anchor("fw-", framework.framework->id), framework.framework->id),
                       HtmlEscape(framework.framework->name), Percent(score), std::to_string(counts.total),
                       std::to_string(counts.passed), std::to_string(counts.failed), std::to_string(counts.unknown),
                       std::to_string(counts.manual), std::to_string(counts.inherited),
                       std::to_string(counts.not_applicable), std::to_string(counts.excepted)});
    }
    if (!rows.empty())
      body += BarChart("Automated score per framework (passed of passed + failed + unknown)", rows, 1.0);
    body += Table({"framework", "name", "score", "requirements", "passed", "failed", "unknown", "manual", "inherited",
                   "not applicable", "excepted"},
                  table, "Requirements by status per framework");
    page.AddSection("summary", "Summary", std::move(body));
  }

  // Frameworks: requirement -> controls -> checks.
  {
    std::string body;
    for (const assess::FrameworkResult& framework : assessment.frameworks) {
      const assess::FrameworkCounts& c = framework.counts;
      body += "<details id=\"" + Anchor("fw-", framework.framework->id) + "\"><summary><strong>" +
              HtmlEscape(framework.framework->id) + "</strong> " + HtmlEscape(framework.framework->name) + " — " +
              Percent(c.Score()) + (c.failed ? ", " + std::to_string(c.failed) + " failed" : "") + "</summary>";
      body += StackedBar(framework.framework->id + " requirements",
                         {{"passed", static_cast<double>(c.passed), "passed"},
                          {"failed", static_cast<double>(c.failed), "failed"},
                          {"unknown", static_cast<double>(c.unknown), "unknown"},
                          {"manual", static_cast<double>(c.manual), "manual"},
                          {"inherited", static_cast<double>(c.inherited), "inherited"},
                          {"not applicable", static_cast<double>(c.not_applicable), "not_applicable"},
                          {"excepted", static_cast<double>(c.excepted), "excepted"}});
      std::vector<std::vector<std::string>> rows;
      // Failed and unknown first, then the rest in document order.
      std::vector<const assess::RequirementResult*> ordered;
      for (const auto& requirement : framework.requirements) ordered.push_back(&requirement);
      std::stable_sort(ordered.begin(), ordered.end(), [](const auto* a, const auto* b) {
        auto rank = [](RequirementStatus status) {
          return status == RequirementStatus::kFailed ? 0 : status == RequirementStatus::kUnknown ? 1 : 2;
        };
        return rank(a->status) < rank(b->status);
      });
      for (const assess::RequirementResult* requirement : ordered) {
        std::vector<std::string> controls;
        for (const std::string& id : requirement->controls) {
          const assess::ControlResult* control = assessment.FindControl(id);
          std::string item = "<strong>" + HtmlEscape(id) + "</strong>";
          if (const catalog::Control* definition = assessment.catalog->FindControl(id)) {
            item += " " + HtmlEscape(definition->title);
          }
          if (control) {
            item += " " + StatusBadge(control->Status()) + " checks: ";
            bool first = true;
            for (uint32_t check : control->checks) {
              item += (first ? "" : ", ") + Link(Anchor("check-", checks[check].id), checks[check].id);
              first = false;
            }
          }
          controls.push_back(std::move(item));
        }
        std::string detail;
        if (requirement->status == RequirementStatus::kInherited && !requirement->certificate &&
            !requirement->lapsed_certificate && requirement->by_provider.size() > 1) {
          // A mixed estate whose providers hold different certificates: one line per provider.
          for (const assess::ProviderInheritance& entry : requirement->by_provider) {
            std::string outside;
            for (const std::string& region : entry.regions_outside_scope) {
              outside += (outside.empty() ? "" : ", ") + region;
            }
            for (const std::string& service : entry.services_outside_scope) {
              outside += (outside.empty() ? "" : ", ") + service;
            }
            detail += (detail.empty() ? "" : "<br>") + ("<strong>" + HtmlEscape(entry.provider) + ":</strong> ") +
                      (entry.certificate ? HtmlEscape(CertificateText(*entry.certificate)) +
                                               (outside.empty() ? "" : "; not in its scope: " + HtmlEscape(outside))
                       : entry.lapsed_certificate
                           ? "certificate " + HtmlEscape(entry.lapsed_certificate->id) + " is not valid on " +
                                 HtmlEscape(assessment.date) + " (expires " +
                                 HtmlEscape(entry.lapsed_certificate->expires) + ")."
                           : std::string("no certificate for this framework in the portfolio for this provider."));
          }
        } else if (requirement->status == RequirementStatus::kInherited) {
          std::string outside;
          for (const std::string& region : requirement->regions_outside_scope) {
            outside += (outside.empty() ? "" : ", ") + region;
          }
          for (const std::string& service : requirement->services_outside_scope) {
            outside += (outside.empty() ? "" : ", ") + service;
          }
          detail = requirement->certificate
                       ? "Provider: " + HtmlEscape(CertificateText(*requirement->certificate)) +
                             (outside.empty() ? ""
                                              : "<br><strong>Not in the certificate's scope:</strong> " +
                                                    HtmlEscape(outside) + " — ask the provider for evidence there.")
                       : "Provider-owned under the " + HtmlEscape(model) + " model; " +
                             (requirement->lapsed_certificate
                                  ? "the provider's certificate " + HtmlEscape(requirement->lapsed_certificate->id) +
                                        " is not valid on " + HtmlEscape(assessment.date) + " (expires " +
                                        HtmlEscape(requirement->lapsed_certificate->expires) + ")."
                                  : std::string("no provider certificate for this framework in the portfolio."));
        } else if (requirement->exception >= 0) {
          const assess::Exception& exception = assessment.exceptions[requirement->exception];
          detail = "Exception " + HtmlEscape(exception.id) + ": " + HtmlEscape(exception.reason) + " (approved by " +
                   HtmlEscape(exception.approver) + ", until " + HtmlEscape(exception.expires) + ")";
        }
        if (!requirement->evidence_needed.empty()) {
          std::vector<std::string> needed;
          for (const std::string& evidence : requirement->evidence_needed) needed.push_back(HtmlEscape(evidence));
          detail += (detail.empty() ? "" : "<br>") + std::string("Evidence still needed: ") + List(needed);
        }
        std::string status_html = StatusBadge(BadgeFor(requirement->status));
        if (requirement->status == RequirementStatus::kPassed) {
          status_html += " <small>" + HtmlEscape(catalog::CoverageName(requirement->coverage)) + " coverage</small>";
        }
        rows.push_back({HtmlEscape(requirement->requirement->id), HtmlEscape(requirement->requirement->title),
                        status_html, List(controls), detail});
      }
      body += Table({"requirement", "title", "status", "unified controls → checks", "evidence / inheritance"}, rows,
                    framework.framework->name);
      body += "</details>";
    }
    if (body.empty()) body = "<p>No framework was selected.</p>";
    page.AddSection("frameworks", "Frameworks", std::move(body));
  }

  // Checks: resources with status and remediation.
  {
    std::vector<std::vector<const ResultRow*>> by_check(checks.size());
    for (const ResultRow& row : assessment.results) by_check[row.check].push_back(&row);
    std::string body;
    std::vector<size_t> order;
    for (size_t index = 0; index < checks.size(); ++index) {
      if (!by_check[index].empty()) order.push_back(index);
    }
    auto failures = [&](size_t index) {
      return std::count_if(by_check[index].begin(), by_check[index].end(),
                           [](const ResultRow* row) { return row->status == ResultStatus::kFail; });
    };
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return failures(a) > failures(b); });
    for (size_t index : order) {
      const policy::Check& check = checks[index];
      std::array<size_t, 5> counts{};
      for (const ResultRow* row : by_check[index]) ++counts[static_cast<int>(row->status)];
      body += "<details id=\"" + Anchor("check-", check.id) + "\"><summary>" +
              StatusBadge(counts[1]   ? "fail"
                          : counts[2] ? "unknown"
                          : counts[0] ? "pass"
                                      : "not_applicable") +
              " " + StatusBadge(policy::SeverityName(check.severity)) + " <strong>" + HtmlEscape(check.id) +
              "</strong> " + HtmlEscape(check.title) + " — " + std::to_string(counts[0]) + " pass, " +
              std::to_string(counts[1]) + " fail, " + std::to_string(counts[2]) + " unknown</summary>";
      std::string controls;
      for (const std::string& control : check.controls) controls += (controls.empty() ? "" : ", ") + control;
      std::string equivalents;
      for (const policy::Equivalent& equivalent : check.equivalents) {
        equivalents += (equivalents.empty() ? "" : ", ") + equivalent.tool + " " + equivalent.id;
      }
      body += "<p>Controls: " + HtmlEscape(controls) +
              (equivalents.empty() ? "" : " · Equivalents: " + HtmlEscape(equivalents)) + "</p>";
      body += "<p><strong>Remediation:</strong> " + HtmlEscape(check.remediation) + "</p>";
      if (!check.terraform.empty()) {
        body += "<pre style=\"background:#f6f8fa;padding:8px;overflow:auto\"><code>" + HtmlEscape(check.terraform) +
                "</code></pre>";
      }
      std::vector<const ResultRow*> rows_shown = by_check[index];
      std::stable_sort(rows_shown.begin(), rows_shown.end(), [](const ResultRow* a, const ResultRow* b) {
        auto rank = [](ResultStatus status) {
          return status == ResultStatus::kFail ? 0 : status == ResultStatus::kUnknown ? 1 : 2;
        };
        return rank(a->status) < rank(b->status);
      });
      std::vector<std::vector<std::string>> rows;
      for (const ResultRow* row : rows_shown) {
        if (rows.size() == kResourcesPerCheck) break;
        rows.push_back({"<code>" + HtmlEscape(resources[row->resource].address) + "</code>",
                        StatusBadge(assess::ResultStatusName(row->status)),
                        StatusBadge(policy::SeverityName(row->severity)), HtmlEscape(assessment.MessageOf(*row))});
      }
      std::string caption = rows_shown.size() > rows.size()
                                ? "First " + std::to_string(rows.size()) + " of " + std::to_string(rows_shown.size()) +
                                      " resources (failures first)"
                                : std::string("Resources");
      body += Table({"resource", "status", "severity", "message"}, rows, caption);
      body += "</details>";
    }
    if (body.empty()) body = "<p>No check applied to any resource.</p>";
    page.AddSection("checks", "Checks and resources", std::move(body));
  }

  // Exceptions and PII stores.
  if (!assessment.exceptions.empty()) {
    std::vector<std::vector<std::string>> rows;
    for (const assess::Exception& exception : assessment.exceptions) {
      rows.push_back(
          {HtmlEscape(exception.id),
           HtmlEscape(exception.check.empty() ? exception.requirement : exception.check + " on " + exception.resource),
           HtmlEscape(exception.reason), HtmlEscape(exception.approver), HtmlEscape(exception.expires),
           exception.expired ? StatusBadge("fail") + " expired" : StatusBadge("excepted") + " active",
           std::to_string(exception.applied)});
    }
    page.AddSection("exceptions", "Exceptions",
                    Table({"id", "applies to", "reason", "approver", "expires", "state", "applied"}, rows,
                          "Expired exceptions no longer apply; their results count as they are."));
  }
  if (!assessment.pii.empty()) {
    std::vector<std::vector<std::string>> rows;
    for (const assess::PiiStore& store : assessment.pii) {
      std::string categories, held;
      for (const std::string& category : store.categories) categories += (categories.empty() ? "" : ", ") + category;
      for (uint32_t index : store.resources) held += (held.empty() ? "" : ", ") + std::string(resources[index].address);
      rows.push_back({HtmlEscape(store.store), store.Sensitive() ? StatusBadge("high") + " sensitive" : "no",
                      HtmlEscape(categories), held.empty() ? "no resource matched" : HtmlEscape(held)});
    }
    page.AddSection("pii", "Personal data",
                    Table({"store", "sensitive", "categories", "resources"}, rows,
                          "Failures on resources holding sensitive PII are one severity level higher."));
  }
  return page.Render();
}

}  // namespace tutela::report
