// End-to-end tests of `tutela pii scan`: the real binary on real files in a temporary folder.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "test_support.h"

namespace {

using ::tutela::testing::ReadFile;
using ::tutela::testing::RunTutela;
using ::tutela::testing::TempDir;
using ::tutela::testing::WriteFile;

constexpr char kCustomers[] =
    "id,name,email,national_id,card_number\n"
    "1,Li Wei,li.wei@corp-mail.cn,11010519491231002X,4539 1488 0343 6467\n"
    "2,Kim Minji,minji.kim@mail.co.kr,900101-1234568,\n";

class PiiScanTest : public ::testing::Test {
 protected:
  std::vector<std::string> Args(std::vector<std::string> args) {
    args.insert(args.begin(), {"pii", "scan"});
    args.push_back("--fingerprint-key-file");
    args.push_back((dir_ / "key").string());
    return args;
  }
  TempDir dir_;
};

TEST_F(PiiScanTest, JsonHasFindingsSummaryAndNoRawValues) {
  WriteFile(dir_ / "data" / "customers.csv", kCustomers);
  auto result = RunTutela(Args({"data", "--format", "json"}), {}, dir_.path());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  auto json = nlohmann::json::parse(result.out);
  ASSERT_TRUE(json.contains("findings"));
  std::set<std::string> entities;
  for (const auto& finding : json["findings"]) entities.insert(finding["entity"].get<std::string>());
  EXPECT_TRUE(entities.count("EMAIL_ADDRESS"));
  EXPECT_TRUE(entities.count("CN_RESIDENT_ID"));
  EXPECT_TRUE(entities.count("CREDIT_CARD"));
  EXPECT_EQ(json["summary"]["files"], 1);
  EXPECT_FALSE(json["summary"]["columns"].empty());
  EXPECT_EQ(result.out.find("11010519491231002X"), std::string::npos);
  EXPECT_EQ(result.out.find("li.wei@"), std::string::npos);
  EXPECT_EQ(result.out.find("4539 1488"), std::string::npos);
}

TEST_F(PiiScanTest, ShowValuesPrintsRawValues) {
  WriteFile(dir_ / "customers.csv", kCustomers);
  auto result = RunTutela(Args({"customers.csv", "--format", "ndjson", "--show-values"}), {}, dir_.path());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("11010519491231002X"), std::string::npos);
}

TEST_F(PiiScanTest, NdjsonIsOneFindingPerLineAndFingerprintsAreStable) {
  WriteFile(dir_ / "a.txt", "email li.wei@corp-mail.cn\n");
  WriteFile(dir_ / "b.txt", "contact: LI.WEI@corp-mail.cn\n");
  auto result = RunTutela(Args({"a.txt", "b.txt", "--format", "ndjson"}), {}, dir_.path());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  std::vector<nlohmann::json> lines;
  std::istringstream in(result.out);
  for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["fingerprint"], lines[1]["fingerprint"]);
  // Streamed: files come in the order the threads finish them.
  std::set<std::string> paths = {lines[0]["path"].get<std::string>(), lines[1]["path"].get<std::string>()};
  EXPECT_EQ(paths, (std::set<std::string>{"a.txt", "b.txt"}));
}

// Regression: a file whose name is not UTF-8 (here Latin-1 "\xff") made `--format json` and `sarif` fail with an
// internal error, and `--format ndjson` print nothing and exit 0: the exception ended the scan worker silently,
// dropping its findings and every file it had not reached. Names are now written with U+FFFD for such bytes.
TEST_F(PiiScanTest, AFileNameThatIsNotUtf8IsReportedWithReplacementCharacters) {
  WriteFile(dir_ / "data" / "z\xff.txt", "email li.wei@corp-mail.cn\n");
  WriteFile(dir_ / "data" / "plain.txt", "contact minji.kim@mail.co.kr\n");
  const std::string shown = "data/z\xEF\xBF\xBD.txt";
  for (std::string format : {"ndjson", "json", "sarif"}) {
    auto result =
        RunTutela(Args({"data", "--format", format, "--threads", "1", "--inventory", "inv.json"}), {}, dir_.path());
    ASSERT_EQ(result.exit_code, 0) << format << ": " << result.err;
    std::set<std::string> paths;
    if (format == "ndjson") {
      std::istringstream in(result.out);
      for (std::string line; std::getline(in, line);)
        paths.insert(nlohmann::json::parse(line)["path"].get<std::string>());
    } else if (format == "json") {
      nlohmann::json document = nlohmann::json::parse(result.out);
      for (const auto& finding : document["findings"]) paths.insert(finding["path"].get<std::string>());
    } else {
      nlohmann::json document = nlohmann::json::parse(result.out);
      for (const auto& found : document["runs"][0]["results"]) {
        paths.insert(found["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].get<std::string>());
      }
    }
    EXPECT_EQ(paths, (std::set<std::string>{shown, "data/plain.txt"})) << format;
    EXPECT_NO_THROW(nlohmann::json::parse(ReadFile(dir_ / "inv.json"))) << format;
  }
}

TEST_F(PiiScanTest, StreamedNdjsonGoesToOutputAndStillGatesAndInventories) {
  WriteFile(dir_ / "big.txt", std::string(2000, '\n') + "card 4983690060267730\n" + std::string(2000, 'x'));
  auto result = RunTutela(Args({"big.txt", "--format", "ndjson", "--output", "out.ndjson", "--fail-on", "high",
                                "--inventory", "inv.json", "--chunk-size", "4096"}),
                          {}, dir_.path());
  EXPECT_EQ(result.exit_code, 1) << result.err;
  EXPECT_TRUE(result.out.empty());
  std::string out = ReadFile(dir_ / "out.ndjson");
  EXPECT_NE(out.find("\"entity\":\"CREDIT_CARD\""), std::string::npos) << out;
  EXPECT_NE(out.find("\"line\":2001"), std::string::npos) << out;
  auto inventory = nlohmann::json::parse(ReadFile(dir_ / "inv.json"));
  EXPECT_EQ(inventory["stores"][0]["findings"], 1);
  EXPECT_EQ(inventory["stores"][0]["max_sensitivity"], "high");
}

// A log of 64 MiB or more is scanned in parts of 16 MiB by the workers; each part's findings are held until the
// parts before it are handed over, two parts per worker at most, so peak memory depends on the workers, not on the
// file. Regression: the first version emptied each handed-over part's vector without freeing it, and a 2 GiB log
// took 195 MiB instead of 50. Here 64 and 256 MiB logs with a finding every ~190 bytes must peak alike, and the
// output must be what one worker writes.
TEST_F(PiiScanTest, ALargeLogScannedInPartsStaysInBoundedMemory) {
  std::string block;
  for (int line = 0; block.size() < (1u << 20); ++line) {
    block += "2026-12-01T05:00:00Z INFO checkout service handled the request of user" + std::to_string(line) +
             "@corp-mail.cn in 12 ms; cache hit, 3 items, status ok, region ap-southeast-1, build 4.12.7 " +
             "trace 7f3a9c2e\n";
  }
  block.resize(1u << 20);
  block.back() = '\n';
  for (auto [name, mib] : {std::pair{"small.log", 64}, std::pair{"large.log", 256}}) {
    std::ofstream out(dir_ / name, std::ios::binary);
    for (int copy = 0; copy < mib; ++copy) out << block;
  }
  auto peak_kib = [&](const std::string& name, const std::string& threads, const std::string& output) {
    auto result = ::tutela::testing::RunProcess(
        {"/usr/bin/time", "-f", "%M", "-o", (dir_ / "rss").string(), ::tutela::testing::TutelaBinary().string(), "pii",
         "scan", name, "--threads", threads, "--format", "ndjson", "--output", output, "--fingerprint-key-file",
         (dir_ / "key").string()},
        {}, dir_.path());
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return std::stol(ReadFile(dir_ / "rss"));
  };
  long small = peak_kib("small.log", "2", "small.ndjson");
  long large = peak_kib("large.log", "2", "large.ndjson");
  EXPECT_LT(large, small + 24 * 1024) << "peak RSS grows with the file: " << small << " KiB for 64 MiB, " << large
                                      << " KiB for 256 MiB";
  EXPECT_LT(large, 256 * 1024);
  peak_kib("small.log", "1", "one.ndjson");
  EXPECT_EQ(ReadFile(dir_ / "small.ndjson"), ReadFile(dir_ / "one.ndjson"));
  std::filesystem::remove(dir_ / "large.log");
}

// An NDJSON log's findings are placed (key paths) and handed over in batches as the scan goes. Regression: they were
// all held until the end of the file, 787 MiB at the peak for a 300 MiB log. Logs of 8 and 48 MiB with a finding
// every ~100 bytes must peak alike.
TEST_F(PiiScanTest, ALargeNdjsonLogStaysInBoundedMemory) {
  std::string block;
  for (int line = 0; block.size() < (1u << 20); ++line) {
    block += "{\"ts\": \"2026-12-01T05:00:00Z\", \"user\": {\"email\": \"user" + std::to_string(line) +
             "@corp-mail.cn\"}, \"msg\": \"order shipped\"}\n";
  }
  for (auto [name, mib] : {std::pair{"small.ndjson", 8}, std::pair{"large.ndjson", 48}}) {
    std::ofstream out(dir_ / name, std::ios::binary);
    for (int copy = 0; copy < mib; ++copy) out << block;
  }
  auto peak_kib = [&](const std::string& name) {
    auto result = ::tutela::testing::RunProcess(
        {"/usr/bin/time", "-f", "%M", "-o", (dir_ / "rss").string(), ::tutela::testing::TutelaBinary().string(), "pii",
         "scan", name, "--threads", "1", "--format", "ndjson", "--output", name + ".out", "--fingerprint-key-file",
         (dir_ / "key").string()},
        {}, dir_.path());
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return std::stol(ReadFile(dir_ / "rss"));
  };
  long small = peak_kib("small.ndjson");
  long large = peak_kib("large.ndjson");
  EXPECT_LT(large, small + 16 * 1024) << "peak RSS grows with the file: " << small << " KiB for 8 MiB, " << large
                                      << " KiB for 48 MiB";
  std::string out = ReadFile(dir_ / "large.ndjson.out");
  EXPECT_NE(out.find("\"location\":\"key /user/email\""), std::string::npos);
}

TEST_F(PiiScanTest, StdinAndFailOn) {
  auto clean = RunTutela(Args({"-", "--fail-on", "high"}), "nothing to see here\n", dir_.path());
  EXPECT_EQ(clean.exit_code, 0) << clean.err;
  auto gated = RunTutela(Args({"-", "--fail-on", "high", "--format", "csv"}), "SSN 536-22-1234\n", dir_.path());
  EXPECT_EQ(gated.exit_code, 1) << gated.err;
  EXPECT_NE(gated.out.find("US_SSN"), std::string::npos);
  EXPECT_NE(gated.out.find("<stdin>"), std::string::npos);
  auto low_only = RunTutela(Args({"-", "--fail-on", "high"}), "email li.wei@corp-mail.cn\n", dir_.path());
  EXPECT_EQ(low_only.exit_code, 0);
}

TEST_F(PiiScanTest, InventoryDescribesEachStore) {
  WriteFile(dir_ / "crm" / "customers.csv", kCustomers);
  WriteFile(dir_ / "logs" / "app.log", "client ip 203.0.113.54\n");
  auto result = RunTutela(Args({"crm", "logs", "--inventory", "inventory.json", "--quiet"}), {}, dir_.path());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  auto inventory = nlohmann::json::parse(ReadFile(dir_ / "inventory.json"));
  EXPECT_EQ(inventory["format"], "tutela-pii-inventory");
  ASSERT_EQ(inventory["stores"].size(), 2u);
  EXPECT_EQ(inventory["stores"][0]["store"], "crm");
  EXPECT_EQ(inventory["stores"][0]["max_sensitivity"], "high");
  EXPECT_EQ(inventory["stores"][1]["max_sensitivity"], "low");
  EXPECT_NE(ReadFile(dir_ / "inventory.json").find("CN-PIPL"), std::string::npos);
  EXPECT_EQ(inventory["stores"][0]["complete"], true);
  EXPECT_EQ(inventory["stores"][0]["files_scanned"], 1);
}

// Regression (found by the privacy-program work): a missing root was listed like a clean file.
TEST_F(PiiScanTest, InventoryTellsNotScannedFromClean) {
  WriteFile(dir_ / "clean" / "notes.txt", "nothing personal here\n");
  auto result = RunTutela(Args({"clean", "missing", "--inventory", "inventory.json", "--quiet"}), {}, dir_.path());
  EXPECT_EQ(result.exit_code, 2);
  auto inventory = nlohmann::json::parse(ReadFile(dir_ / "inventory.json"));
  ASSERT_EQ(inventory["stores"].size(), 2u);
  EXPECT_EQ(inventory["stores"][0]["complete"], true);
  EXPECT_EQ(inventory["stores"][0]["files_scanned"], 1);
  EXPECT_EQ(inventory["stores"][0]["findings"], 0);
  EXPECT_EQ(inventory["stores"][1]["complete"], false);
  EXPECT_EQ(inventory["stores"][1]["files_scanned"], 0);
  ASSERT_EQ(inventory["stores"][1]["errors"].size(), 1u);
  EXPECT_NE(inventory["stores"][1]["errors"][0].get<std::string>().find("missing"), std::string::npos);
}

TEST_F(PiiScanTest, ErrorsAreReportedAfterTheScanWithExitTwo) {
  WriteFile(dir_ / "ok.txt", "SSN 536-22-1234\n");
  auto result = RunTutela(Args({"ok.txt", "missing.txt", "--format", "ndjson"}), {}, dir_.path());
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.out.find("US_SSN"), std::string::npos);
  EXPECT_NE(result.err.find("missing.txt"), std::string::npos);
}

TEST_F(PiiScanTest, SarifHasRulesResultsAndRegions) {
  WriteFile(dir_ / "notes.txt", "line one\nSSN 536-22-1234\n");
  auto result = RunTutela(Args({"notes.txt", "--format", "sarif"}), {}, dir_.path());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  auto sarif = nlohmann::json::parse(result.out);
  EXPECT_EQ(sarif["version"], "2.1.0");
  const auto& run = sarif["runs"][0];
  EXPECT_EQ(run["tool"]["driver"]["rules"][0]["id"], "US_SSN");
  ASSERT_EQ(run["results"].size(), 1u);
  EXPECT_EQ(run["results"][0]["level"], "error");
  EXPECT_EQ(run["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"], 2);
  EXPECT_EQ(result.out.find("536-22-1234"), std::string::npos);
}

TEST_F(PiiScanTest, HugeLineOnStdinIsScannedInBoundedChunks) {
  // 24 MiB without a newline, with a value in the middle and one at the end.
  std::string input(12 << 20, 'a');
  input += " SSN 536-22-1234 ";
  input += std::string(12 << 20, 'b');
  input += " email li.wei@corp-mail.cn";
  auto result = RunTutela(Args({"-", "--format", "ndjson", "--chunk-size", "65536"}), input, dir_.path());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("US_SSN"), std::string::npos);
  EXPECT_NE(result.out.find("EMAIL_ADDRESS"), std::string::npos);
  EXPECT_NE(result.out.find("\"start\":12582917"), std::string::npos) << result.out;
}

TEST_F(PiiScanTest, BadFlagsAreErrors) {
  EXPECT_EQ(RunTutela(Args({"-", "--fail-on", "urgent"}), "", dir_.path()).exit_code, 2);
  EXPECT_EQ(RunTutela(Args({"-", "--min-score", "3"}), "", dir_.path()).exit_code, 2);
  WriteFile(dir_ / "bad.yaml", "source: x\nentities: 3\n");
  auto bad = RunTutela(Args({"-", "--catalog", "bad.yaml"}), "", dir_.path());
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("bad.yaml:2:"), std::string::npos) << bad.err;
}

}  // namespace
