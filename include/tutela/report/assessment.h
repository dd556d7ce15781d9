// Renderings of an assessment (tutela/assess/assessment.h) for people and for other tools: the terminal table, CSV,
// SARIF 2.1.0 (code-scanning UIs), JUnit XML (CI test reports), an OSCAL assessment-results document, and a
// self-contained HTML report (score per framework, drill-down requirement -> controls -> checks -> resources with
// remediation). The documented JSON format is written by the assess module itself (assess::ToJson).
// Formats: docs/assess.md ("Output formats").
// Thread-safety: all functions are reentrant.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "tutela/assess/assessment.h"

namespace tutela::report {

// Failures and unknowns with their fix, expired exceptions, framework scores, then counts. `color`: ANSI colours.
std::string AssessmentTable(const assess::Assessment& assessment, bool color);

// One row per result: check,resource,status,severity,equivalents,controls,message (lists space-separated). The
// framework requirements of each result are in the JSON document (the CSV stays one short row per result).
std::string AssessmentCsv(const assess::Assessment& assessment);
// The same, handed to `sink` in pieces of about 1 MiB; stops at, and returns, the sink's first error.
Status WriteAssessmentCsv(const assess::Assessment& assessment, const std::function<Status(std::string_view)>& sink);

// SARIF 2.1.0: one rule per check, one result per fail/unknown/excepted result (excepted ones suppressed).
std::string AssessmentSarif(const assess::Assessment& assessment, const std::vector<std::string>& inputs);

// JUnit XML: one test suite per check, one test case per resource (fail -> <failure>, unknown and not_applicable
// -> <skipped>, excepted -> <skipped> naming the exception).
std::string AssessmentJunit(const assess::Assessment& assessment);

// OSCAL 1.1 assessment-results (JSON): one result with observations for the checks and a finding per framework
// requirement that has automated evidence, plus inherited requirements with the provider's certificate.
std::string AssessmentOscal(const assess::Assessment& assessment, const std::vector<std::string>& inputs);

// The self-contained HTML report.
std::string AssessmentHtml(const assess::Assessment& assessment, const std::vector<std::string>& inputs);

}  // namespace tutela::report
