// pims throughput. Decide() is what the server will call per request: measured pure, and with the decision recorded
// in the disclosure log (fdatasync each), beside a plain ledger::Log append of the same bytes (the floor). Breach
// assessment of an incident with many affected entries is measured beside parsing that incident (the floor any
// caller pays), and risk evaluation with 10,000 assessment results beside parsing those results.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "tutela/core/file_util.h"
#include "tutela/pims/breach.h"
#include "tutela/pims/decide.h"
#include "tutela/pims/disclosure_log.h"
#include "tutela/pims/risk.h"

namespace {

using namespace tutela;
using namespace tutela::pims;

const std::filesystem::path kSource = TUTELA_PIMS_BENCH_SOURCE_DIR;

const JurisdictionSet& Rules() {
  static const JurisdictionSet rules =
      std::move(JurisdictionSet::LoadDirectory(kSource / "catalog/jurisdictions")).value();
  return rules;
}

const ProcessingRegister& Register() {
  static const ProcessingRegister processing = std::move(LoadRegister(kSource / "examples/pims/register.yaml")).value();
  return processing;
}

std::filesystem::path FreshPath(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("tutela-pims-bench-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::filesystem::remove(dir / name);
  return dir / name;
}

const DecisionRequest kRequest{"PA-SUPPORT", "customer_support", "self", {"EMAIL_ADDRESS", "PERSON"}};

void BM_Decide(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(Decide(Register(), Rules(), kRequest));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Decide);

void BM_DecideAndRecord(benchmark::State& state) {
  auto log = std::move(DisclosureLog::Open(FreshPath("decisions.log"))).value();
  for (auto _ : state) {
    auto decision = Decide(Register(), Rules(), kRequest);
    benchmark::DoNotOptimize(log->RecordDecision(kRequest, *decision, NowUtc()));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DecideAndRecord)->MinTime(1.0)->UseRealTime();

void BM_BaselineLedgerAppend(benchmark::State& state) {
  auto log = std::move(ledger::Log::Open(FreshPath("plain.log"))).value();
  auto decision = Decide(Register(), Rules(), kRequest);
  std::string entry =
      nlohmann::json{
          {"kind", "decision"}, {"at", FormatRfc3339(NowUtc())}, {"details", DecisionToJson(kRequest, *decision)}}
          .dump();
  for (auto _ : state) benchmark::DoNotOptimize(log->Append(entry));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_BaselineLedgerAppend)->MinTime(1.0)->UseRealTime();

// An incident with `entries` affected stores across four regimes, with State breakdowns for HIPAA.
std::string Incident(int entries) {
  std::string text = "id: INC-BENCH\ndiscovered_at: 2026-03-02T09:00:00Z\naffected:\n";
  for (int index = 0; index < entries; ++index) {
    text += "  - store: s3://bucket-" + std::to_string(index) +
            "\n    categories: [EMAIL_ADDRESS, MEDICAL_RECORD_NUMBER]\n    subjects: {SG: 7, EU: 11, JP: 3, "
            "US-HIPAA: 5}\n    subjects_by_state: {US-HIPAA: {CA: 3, NY: 2}}\n    risk_of_harm: significant\n";
  }
  return text;
}

void BM_BaselineParseIncident(benchmark::State& state) {
  std::string text = Incident(static_cast<int>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(ParseIncident(text, "bench.yaml", Rules()));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_BaselineParseIncident)->Arg(10)->Arg(1000);

void BM_ParseAndAssessBreach(benchmark::State& state) {
  std::string text = Incident(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    auto incident = ParseIncident(text, "bench.yaml", Rules());
    benchmark::DoNotOptimize(BreachToJson(AssessBreach(*incident, Rules())));
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_ParseAndAssessBreach)->Arg(10)->Arg(1000);

// 10,000 results on 1,000 resources; a register whose 100 activities hold 10 of them each.
nlohmann::json Results() {
  nlohmann::json results = nlohmann::json::array();
  for (int index = 0; index < 10000; ++index) {
    std::string resource = "aws_s3_bucket.b" + std::to_string(index / 10);
    results.push_back({{"check", "check-" + std::to_string(index % 10)},
                       {"resource", resource},
                       {"status", index % 7 == 0 ? "fail" : "pass"},
                       {"severity", index % 3 == 0 ? "high" : "medium"},
                       {"controls", index % 2 == 0 ? nlohmann::json{"CRY-02"} : nlohmann::json{"IAM-11"}}});
  }
  return {{"format", "tutela-assessment-results/0"}, {"results", results}};
}

ProcessingRegister BigRegister() {
  std::string text = "activities:\n";
  for (int activity = 0; activity < 100; ++activity) {
    text += "  - id: PA-" + std::to_string(activity) +
            "\n    purpose: p\n    legal_basis: contract\n    data_subjects: [customers]\n    pii: [EMAIL_ADDRESS]\n"
            "    retention: P1Y\n    security_measures: [CRY-02, IAM-11]\n    jurisdictions: [EU, SG]\n"
            "    data_stores:\n";
    for (int store = 0; store < 10; ++store) {
      int bucket = activity * 10 + store;
      text += "      - {store: s3://b" + std::to_string(bucket) + ", terraform: aws_s3_bucket.b" +
              std::to_string(bucket) + "}\n";
    }
  }
  return std::move(ParseRegister(text, "bench.yaml")).value();
}

void BM_BaselineParseResults(benchmark::State& state) {
  nlohmann::json document = Results();
  for (auto _ : state) benchmark::DoNotOptimize(ParseAssessmentResults(document, "bench.json"));
  state.SetItemsProcessed(state.iterations() * 10000);
}
BENCHMARK(BM_BaselineParseResults);

void BM_EvaluateRiskWithResults(benchmark::State& state) {
  nlohmann::json document = Results();
  ProcessingRegister processing = BigRegister();
  for (auto _ : state) {
    auto results = ParseAssessmentResults(document, "bench.json");
    benchmark::DoNotOptimize(EvaluateRisk(processing, Rules(), {}, &*results));
  }
  state.SetItemsProcessed(state.iterations() * 10000);
}
BENCHMARK(BM_EvaluateRiskWithResults);

}  // namespace

BENCHMARK_MAIN();
