// Tests of the extractors (tutela/pii/extract.h) on real files made by real tools: zip/tar/gzip/bzip2/xz/zstd
// archives, docx/xlsx (XML zipped by `zip`, and checked-in samples), a hand-made PDF, SQLite files written by
// `sqlite3`, a PostgreSQL server started in a temporary folder (skipped when initdb is absent), texts in UTF-16,
// GB18030, Big5, Shift_JIS and EUC-KR, and bad input: corrupt and truncated archives, Office files and PDFs, invalid
// encodings, archive bombs, archives nested too deep.
#include "tutela/pii/extract.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <random>
#include <set>
#include <thread>

#include "test_support.h"
#include "tutela/pii/catalog.h"
#include "tutela/pii/engine.h"

namespace tutela::pii {
namespace {

using ::tutela::testing::PostgresServer;
using ::tutela::testing::ReadFile;
using ::tutela::testing::RunProcess;
using ::tutela::testing::RunTutela;
using ::tutela::testing::SourceDir;
using ::tutela::testing::TempDir;
using ::tutela::testing::WriteFile;

constexpr std::string_view kEmail = "li.wei@corp-mail.cn";
constexpr std::string_view kCard = "4539 1488 0343 6467";

struct Hit {
  std::string entity, path, location, value;
  uint64_t start, end, line;
};

class CollectSink : public Sink {
 public:
  void OnFinding(const Finding& finding) override {
    hits.push_back({finding.entity->id, std::string(finding.path), std::string(finding.location),
                    std::string(finding.value), finding.start, finding.end, finding.line});
  }
  void OnError(const Status& status) override { errors.push_back(status.message()); }
  void OnSkipped(std::string_view path, std::string_view reason) override {
    skipped.push_back(std::string(path) + ": " + std::string(reason));
  }
  void OnFileDone(std::string_view path, uint64_t) override { done.emplace_back(path); }
  bool Has(std::string_view entity, std::string_view location) const {
    return std::any_of(hits.begin(), hits.end(),
                       [&](const Hit& hit) { return hit.entity == entity && hit.location == location; });
  }
  std::string Describe() const {
    std::string out;
    for (const Hit& hit : hits) out += hit.entity + " @ " + hit.path + " [" + hit.location + "]\n";
    for (const std::string& error : errors) out += "error: " + error + "\n";
    for (const std::string& skip : skipped) out += "skipped: " + skip + "\n";
    return out;
  }
  std::vector<Hit> hits;
  std::vector<std::string> errors, skipped, done;
};

std::shared_ptr<const Ruleset> Rules() {
  static std::shared_ptr<const Ruleset> rules = [] {
    auto catalog = LoadCatalog(SourceDir() / "catalog" / "pii");
    EXPECT_TRUE(catalog.ok()) << catalog.status().ToString();
    return *Ruleset::Compile(*catalog);
  }();
  return rules;
}

// Scans one file through ScanInput; `status` gets the returned status.
CollectSink ScanOne(const std::filesystem::path& file, const ExtractOptions& options = {}, Status* status = nullptr) {
  auto scanner = Scanner::Create(Rules(), {});
  EXPECT_TRUE(scanner.ok());
  CollectSink sink;
  Status result = ScanInput(**scanner, file, file.string(), options, sink);
  if (status != nullptr) {
    *status = result;
  } else {
    EXPECT_TRUE(result.ok()) << result.ToString();
  }
  return sink;
}

void RunOk(const std::vector<std::string>& argv, const std::filesystem::path& dir) {
  auto result = RunProcess(argv, {}, dir);
  ASSERT_EQ(result.exit_code, 0) << argv[0] << ": " << result.err;
}

class ExtractTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteFile(dir_ / "src/notes.txt", "contact email " + std::string(kEmail) + "\n");
    WriteFile(dir_ / "src/data/customers.csv", "id,email\n1," + std::string(kEmail) + "\n");
    WriteFile(dir_ / "src/pay.log", "payment card " + std::string(kCard) + "\n");
  }
  TempDir dir_;
};

TEST_F(ExtractTest, ZipMembersAreLocatedAndCsvStaysColumnAware) {
  WriteFile(dir_ / "src/image.bin", std::string("\x89PNG\0\0", 6) + std::string(kEmail));
  WriteFile(dir_ / "src/big.txt", std::string(100000, 'x') + "\nemail " + std::string(kEmail) + "\n");
  RunOk({"zip", "-qr", "../bundle.zip", "."}, dir_ / "src");
  CollectSink sink = ScanOne(dir_ / "bundle.zip");
  EXPECT_TRUE(sink.Has("EMAIL_ADDRESS", "big.txt")) << sink.Describe();  // streamed (larger than the head)
  ASSERT_EQ(sink.skipped.size(), 1u) << sink.Describe();
  EXPECT_EQ(sink.skipped[0], (dir_ / "bundle.zip").string() + "!image.bin: binary content");
  EXPECT_TRUE(sink.Has("EMAIL_ADDRESS", "notes.txt")) << sink.Describe();
  EXPECT_TRUE(sink.Has("EMAIL_ADDRESS", "data/customers.csv!column email")) << sink.Describe();
  EXPECT_TRUE(sink.Has("CREDIT_CARD", "pay.log")) << sink.Describe();
  for (const Hit& hit : sink.hits) EXPECT_EQ(hit.path, (dir_ / "bundle.zip").string());
  EXPECT_TRUE(sink.errors.empty()) << sink.Describe();
  ASSERT_EQ(sink.done.size(), 1u);  // the archive counts as one file
}

TEST_F(ExtractTest, TarWithEveryCompressionAndSingleCompressedStreams) {
  for (const std::string flag : {"-cf", "-czf", "-cjf", "-cJf", "--zstd -cf"}) {
    std::vector<std::string> argv = {"tar"};
    std::string name = "bundle" + std::to_string(flag.size()) + ".tar";
    if (flag == "--zstd -cf") {
      argv.insert(argv.end(), {"--zstd", "-cf"});
    } else {
      argv.push_back(flag);
    }
    argv.insert(argv.end(), {(dir_ / name).string(), "-C", (dir_ / "src").string(), "notes.txt", "pay.log"});
    RunOk(argv, dir_.path());
    CollectSink sink = ScanOne(dir_ / name);
    EXPECT_TRUE(sink.Has("EMAIL_ADDRESS", "notes.txt")) << flag << "\n" << sink.Describe();
    EXPECT_TRUE(sink.Has("CREDIT_CARD", "pay.log")) << flag << "\n" << sink.Describe();
  }
  for (const std::string tool : {"gzip", "bzip2", "xz", "zstd"}) {
    std::filesystem::copy_file(dir_ / "src/pay.log", dir_ / ("pay-" + tool + ".log"));
    RunOk({tool, "-q", (dir_ / ("pay-" + tool + ".log")).string()}, dir_.path());
    std::string suffix = tool == "gzip" ? ".gz" : tool == "bzip2" ? ".bz2" : tool == "xz" ? ".xz" : ".zst";
    CollectSink sink = ScanOne(dir_ / ("pay-" + tool + ".log" + suffix));
    EXPECT_TRUE(sink.Has("CREDIT_CARD", "pay-" + tool + ".log")) << tool << "\n" << sink.Describe();
  }
}

TEST_F(ExtractTest, NestedArchivesAreFollowedToTheDepthLimit) {
  RunOk({"zip", "-q", "../level1.zip", "notes.txt"}, dir_ / "src");
  std::string previous = "level1.zip";
  for (int level = 2; level <= 7; ++level) {
    std::string name = "level" + std::to_string(level) + ".zip";
    RunOk({"zip", "-q", name, previous}, dir_.path());
    previous = name;
  }
  // Inside level4.zip: level3.zip!level2.zip!level1.zip!notes.txt — four containers.
  CollectSink four = ScanOne(dir_ / "level4.zip");
  EXPECT_TRUE(four.Has("EMAIL_ADDRESS", "level3.zip!level2.zip!level1.zip!notes.txt")) << four.Describe();
  CollectSink five = ScanOne(dir_ / "level5.zip");
  EXPECT_EQ(five.hits.size(), 1u) << five.Describe();
  CollectSink seven = ScanOne(dir_ / "level7.zip");
  EXPECT_TRUE(seven.hits.empty()) << seven.Describe();
  ASSERT_EQ(seven.skipped.size(), 1u) << seven.Describe();
  EXPECT_NE(seven.skipped[0].find("nested deeper than 5"), std::string::npos) << seven.skipped[0];
}

TEST_F(ExtractTest, ArchiveBombStopsWithOneErrorAndTheScanGoesOn) {
  { std::ofstream zeros(dir_ / "bomb/zeros.txt", std::ios::binary | std::ios::trunc); }
  std::filesystem::create_directories(dir_ / "bomb");
  {
    std::ofstream zeros(dir_ / "bomb/zeros.txt", std::ios::binary);
    std::string block(1 << 20, '0');
    for (int i = 0; i < 40; ++i) zeros << block;
  }
  RunOk({"zip", "-q", "../bomb.zip", "zeros.txt"}, dir_ / "bomb");
  std::filesystem::remove_all(dir_ / "bomb");
  ExtractOptions options;  // 40 MiB from ~40 KiB: beyond the default ratio of 200 once past 16 MiB
  Status status;
  CollectSink sink = ScanOne(dir_ / "bomb.zip", options, &status);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("archive-bomb limit"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("zeros.txt"), std::string::npos) << status.message();
  options.max_ratio = 1e6;
  options.max_expanded_bytes = 8 << 20;
  ScanOne(dir_ / "bomb.zip", options, &status);
  EXPECT_NE(status.message().find("more than 8 MiB"), std::string::npos) << status.message();
  // Through the CLI: one error naming the file, the other files still scanned, exit 2.
  std::filesystem::copy_file(dir_ / "src/notes.txt", dir_ / "notes.txt");
  auto result = RunTutela({"pii", "scan", dir_.path().string(), "--format", "ndjson", "--include", "*.zip", "--include",
                           "notes.txt", "--fingerprint-key-file", (dir_ / "key").string()});
  EXPECT_EQ(result.exit_code, 2) << result.err;
  EXPECT_NE(result.err.find("bomb.zip"), std::string::npos) << result.err;
  EXPECT_NE(result.out.find("notes.txt"), std::string::npos) << result.out;
}

TEST_F(ExtractTest, CorruptAndTruncatedContainersAreOneErrorEach) {
  RunOk({"zip", "-qr", "../bundle.zip", "."}, dir_ / "src");
  std::string zip = ReadFile(dir_ / "bundle.zip");
  std::filesystem::create_directories(dir_ / "bad");
  WriteFile(dir_ / "bad/truncated.zip", zip.substr(0, zip.size() / 2));
  WriteFile(dir_ / "bad/garbage.zip", "PK\x03\x04" + std::string(300, '\x7f'));
  WriteFile(dir_ / "bad/garbage.gz", std::string("\x1f\x8b\x08\x00", 4) + std::string(100, 'x'));
  WriteFile(dir_ / "bad/fake.gz", std::string("\x1f\x8b\xff", 3) + std::string(100, 'x'));
  WriteFile(dir_ / "bad/broken.docx", "PK\x03\x04 not really a document");
  WriteFile(dir_ / "bad/broken.pdf", "%PDF-1.4\n1 0 obj << /Type /Catalog >>\n");
  WriteFile(dir_ / "bad/broken.xlsx", ReadFile(SourceDir() / "tests/pii/fuzz_corpus/ooxml/small.xlsx").substr(0, 300));
  WriteFile(dir_ / "bad/broken.db", std::string("SQLite format 3\0", 16) + std::string(200, '\x01'));
  for (const auto& entry : std::filesystem::directory_iterator(dir_ / "bad")) {
    Status status;
    CollectSink sink = ScanOne(entry.path(), {}, &status);
    EXPECT_FALSE(status.ok()) << entry.path();
    EXPECT_NE(status.message().find(entry.path().string()), std::string::npos) << status.message();
    EXPECT_NE(status.message().find(';'), std::string::npos) << "no fix given: " << status.message();
  }
  // The CLI reports each bad file once and still scans the good one.
  std::filesystem::copy_file(dir_ / "src/notes.txt", dir_ / "bad/notes.txt");
  auto result = RunTutela(
      {"pii", "scan", (dir_ / "bad").string(), "--format", "json", "--fingerprint-key-file", (dir_ / "key").string()});
  EXPECT_EQ(result.exit_code, 2) << result.err;
  EXPECT_NE(result.out.find("\"EMAIL_ADDRESS\""), std::string::npos) << result.out;
  // The inventory of a damaged archive given as the root says the store is incomplete.
  auto inventory = RunTutela({"pii", "scan", (dir_ / "bad/truncated.zip").string(), "--format", "json", "--inventory",
                              (dir_ / "inv.json").string(), "--fingerprint-key-file", (dir_ / "key").string()});
  EXPECT_EQ(inventory.exit_code, 2) << inventory.err;
  std::string inv = ReadFile(dir_ / "inv.json");
  EXPECT_NE(inv.find("\"complete\": false"), std::string::npos) << inv;
  EXPECT_NE(inv.find("in pay.log: cannot unpack"), std::string::npos) << inv;
  for (const std::string name : {"truncated.zip", "garbage.zip", "garbage.gz", "fake.gz", "broken.docx", "broken.pdf",
                                 "broken.xlsx", "broken.db"}) {
    size_t first = result.err.find(name);
    EXPECT_NE(first, std::string::npos) << name << "\n" << result.err;
    EXPECT_EQ(result.err.find(name, first + 1), std::string::npos) << name << " reported twice\n" << result.err;
  }
}

TEST_F(ExtractTest, DocxParagraphsAndXlsxCells) {
  std::filesystem::create_directories(dir_ / "doc/word");
  WriteFile(dir_ / "doc/[Content_Types].xml", "<?xml version=\"1.0\"?><Types/>");
  WriteFile(dir_ / "doc/word/document.xml",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:document "
            "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>"
            "<w:p><w:r><w:t>Dear customer,</w:t></w:r></w:p><w:p/>"
            "<w:p><w:r><w:t xml:space=\"preserve\">your card </w:t></w:r><w:r><w:t>4539 1488 0343 6467</w:t></w:r>"
            "</w:p><w:tbl><w:tr><w:tc><w:p><w:r><w:t>email li.wei@corp-mail.cn</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"
            "</w:body></w:document>");
  WriteFile(dir_ / "doc/word/footer2.xml",
            "<?xml version=\"1.0\"?><w:ftr xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">"
            "<w:p><w:r><w:t>Questions: li.wei@corp-mail.cn</w:t></w:r></w:p></w:ftr>");
  RunOk({"zip", "-qr", "../letter.docx", "."}, dir_ / "doc");
  CollectSink doc = ScanOne(dir_ / "letter.docx");
  EXPECT_TRUE(doc.Has("EMAIL_ADDRESS", "footer2 paragraph 1")) << doc.Describe();
  EXPECT_TRUE(doc.Has("CREDIT_CARD", "paragraph 3")) << doc.Describe();  // split over two runs
  EXPECT_TRUE(doc.Has("EMAIL_ADDRESS", "paragraph 4")) << doc.Describe();
  for (const Hit& hit : doc.hits) EXPECT_EQ(hit.line, 1u);

  CollectSink sheet = ScanOne(SourceDir() / "tests/pii/fuzz_corpus/ooxml/small.xlsx");
  EXPECT_TRUE(sheet.Has("EMAIL_ADDRESS", "People!B2")) << sheet.Describe();
  ASSERT_FALSE(sheet.hits.empty());
  EXPECT_EQ(sheet.hits[0].start, 0u);  // offsets are relative to the cell
  EXPECT_EQ(sheet.hits[0].end, kEmail.size());

  // The same docx inside a zip: the member path, then the paragraph.
  RunOk({"zip", "-q", "outer.zip", "letter.docx"}, dir_.path());
  CollectSink outer = ScanOne(dir_ / "outer.zip");
  EXPECT_TRUE(outer.Has("EMAIL_ADDRESS", "letter.docx!paragraph 4")) << outer.Describe();
}

TEST_F(ExtractTest, PptxSlides) {
  std::filesystem::create_directories(dir_ / "deck/ppt/slides");
  const std::string ns =
      "xmlns:p=\"http://schemas.openxmlformats.org/presentationml/2006/main\" "
      "xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\"";
  auto slide = [&](const std::string& text) {
    return "<?xml version=\"1.0\"?><p:sld " + ns + "><p:cSld><p:spTree><p:sp><p:txBody><a:p><a:r><a:t>" + text +
           "</a:t></a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:sld>";
  };
  WriteFile(dir_ / "deck/ppt/slides/slide1.xml", slide("Quarterly review"));
  WriteFile(dir_ / "deck/ppt/slides/slide10.xml", slide("card 4539 1488 0343 6467"));
  WriteFile(dir_ / "deck/ppt/slides/slide2.xml", slide("contact li.wei@corp-mail.cn"));
  RunOk({"zip", "-qr", "../deck.pptx", "."}, dir_ / "deck");
  CollectSink sink = ScanOne(dir_ / "deck.pptx");
  ASSERT_EQ(sink.hits.size(), 2u) << sink.Describe();
  EXPECT_EQ(sink.hits[0].location, "slide 2");  // slides in number order, not name order
  EXPECT_EQ(sink.hits[1].location, "slide 10");
}

TEST_F(ExtractTest, Utf16MemberOfAnArchive) {
  auto utf16 = RunProcess({"iconv", "-f", "UTF-8", "-t", "UTF-16LE", (dir_ / "src/notes.txt").string()});
  ASSERT_EQ(utf16.exit_code, 0);
  WriteFile(dir_ / "u/notes16.txt", "\xFF\xFE" + utf16.out);
  RunOk({"zip", "-q", "../u.zip", "notes16.txt"}, dir_ / "u");
  CollectSink sink = ScanOne(dir_ / "u.zip");
  EXPECT_TRUE(sink.Has("EMAIL_ADDRESS", "notes16.txt")) << sink.Describe();
}

TEST_F(ExtractTest, PdfPages) {
  CollectSink sink = ScanOne(SourceDir() / "tests/pii/fuzz_corpus/pdf/small.pdf");
  EXPECT_TRUE(sink.Has("EMAIL_ADDRESS", "page 2")) << sink.Describe();
  EXPECT_EQ(sink.hits.size(), 1u) << sink.Describe();
  Status status;
  ScanOne(SourceDir() / "tests/pii/fuzz_corpus/pdf/truncated.pdf", {}, &status);
  // poppler may rebuild a truncated file; whatever it does, one status and no crash. The one-page text is gone.
  SUCCEED() << status.ToString();
}

TEST_F(ExtractTest, SqliteTablesAndColumns) {
  RunOk({"sqlite3", (dir_ / "app.db").string(),
         "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT, email TEXT, photo BLOB);"
         "INSERT INTO customers VALUES (7, 'Li Wei', 'li.wei@corp-mail.cn', x'00ff');"
         "INSERT INTO customers VALUES (9, 'Kim', NULL, NULL);"
         "CREATE TABLE payments (ref TEXT PRIMARY KEY, card TEXT) WITHOUT ROWID;"
         "INSERT INTO payments VALUES ('a', '4539 1488 0343 6467');"},
        dir_.path());
  CollectSink sink = ScanOne(dir_ / "app.db");
  EXPECT_TRUE(sink.Has("EMAIL_ADDRESS", "customers.email row 7")) << sink.Describe();
  EXPECT_TRUE(sink.Has("CREDIT_CARD", "payments.card row 1")) << sink.Describe();
  // A database inside a zip is read from memory.
  RunOk({"zip", "-q", "db.zip", "app.db"}, dir_.path());
  CollectSink zipped = ScanOne(dir_ / "db.zip");
  EXPECT_TRUE(zipped.Has("EMAIL_ADDRESS", "app.db!customers.email row 7")) << zipped.Describe();
}

TEST_F(ExtractTest, Encodings) {
  auto encode = [&](const std::string& text, const std::string& encoding) {
    WriteFile(dir_ / "utf8.txt", text);
    auto result = RunProcess({"iconv", "-f", "UTF-8", "-t", encoding, (dir_ / "utf8.txt").string()});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return result.out;
  };
  // UTF-16 with a BOM is detected; no option needed.
  WriteFile(dir_ / "le.txt", "\xFF\xFE" + encode("email " + std::string(kEmail) + "\n", "UTF-16LE"));
  WriteFile(dir_ / "be.txt", "\xFE\xFF" + encode("email " + std::string(kEmail) + "\n", "UTF-16BE"));
  for (const std::string name : {"le.txt", "be.txt"}) {
    CollectSink sink = ScanOne(dir_ / name);
    ASSERT_EQ(sink.hits.size(), 1u) << name << "\n" << sink.Describe();
    EXPECT_EQ(sink.hits[0].value, kEmail);
    EXPECT_TRUE(sink.skipped.empty()) << sink.Describe();
  }
  // Legacy CJK encodings with --encoding: the context word in the local script counts.
  const std::string chinese = "客户 身份证号码 11010519491231002X\n";
  for (const std::string encoding : {"GB18030", "GBK", "BIG5", "SHIFT_JIS", "EUC-KR"}) {
    std::string text = encoding == "SHIFT_JIS" ? "マイナンバー email li.wei@corp-mail.cn\n"
                       : encoding == "EUC-KR"  ? "주민등록번호 email li.wei@corp-mail.cn\n"
                       : encoding == "BIG5"    ? "客戶 email li.wei@corp-mail.cn\n"
                                               : chinese;
    WriteFile(dir_ / "legacy.txt", encode(text, encoding));
    ExtractOptions options;
    options.encoding = encoding;
    CollectSink sink = ScanOne(dir_ / "legacy.txt", options);
    ASSERT_EQ(sink.hits.size(), 1u) << encoding << "\n" << sink.Describe();
    EXPECT_EQ(sink.hits[0].entity, encoding.substr(0, 2) == "GB" ? "CN_RESIDENT_ID" : "EMAIL_ADDRESS");
  }
  // Invalid bytes for the declared encoding: one error with the byte offset.
  WriteFile(dir_ / "bad.txt", "email " + std::string(kEmail) + "\n\x81\xFF\xFF more\n");
  ExtractOptions options;
  options.encoding = "SHIFT_JIS";
  Status status;
  ScanOne(dir_ / "bad.txt", options, &status);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("invalid SHIFT_JIS text at byte"), std::string::npos) << status.message();
  // UTF-16 cut in the middle of a character.
  WriteFile(dir_ / "odd.txt", "\xFF\xFE" + encode("email", "UTF-16LE") + "x");
  ScanOne(dir_ / "odd.txt", {}, &status);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("ends in the middle of a character"), std::string::npos) << status.message();
  EXPECT_FALSE(CheckEncoding("NO-SUCH-ENCODING").ok());
  EXPECT_TRUE(CheckEncoding("gb18030").ok());
}

TEST_F(ExtractTest, CliReadsArchivesFromStdinAndTakesEncoding) {
  RunOk({"zip", "-qr", "../bundle.zip", "."}, dir_ / "src");
  auto result = RunTutela({"pii", "scan", "-", "--format", "ndjson", "--fingerprint-key-file", (dir_ / "key").string()},
                          ReadFile(dir_ / "bundle.zip"));
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("\"location\":\"data/customers.csv!column email\""), std::string::npos) << result.out;
  EXPECT_EQ(result.out.find(kEmail), std::string::npos) << "raw value leaked";
  auto bad = RunTutela({"pii", "scan", "-", "--encoding", "KLINGON"}, "x");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("KLINGON"), std::string::npos) << bad.err;
}

TEST_F(ExtractTest, JsonFindingsCarryTheFullKeyPath) {
  WriteFile(dir_ / "doc.json",
            "{\"user\": {\"contacts\": [{\"kind\": \"work\", \"email\": \"li.wei@corp-mail.cn\"}],\n"
            " \"card\": \"4539 1488 0343 6467\"}, \"a/b\": \"x li.wei@corp-mail.cn\"}\n");
  CollectSink doc = ScanOne(dir_ / "doc.json");
  EXPECT_TRUE(doc.Has("EMAIL_ADDRESS", "key /user/contacts/0/email")) << doc.Describe();
  EXPECT_TRUE(doc.Has("CREDIT_CARD", "key /user/card")) << doc.Describe();
  EXPECT_TRUE(doc.Has("EMAIL_ADDRESS", "key /a~1b")) << doc.Describe();
  WriteFile(dir_ / "log.ndjson",
            "{\"msg\": \"ok\"}\n{\"user\": {\"email\": \"li.wei@corp-mail.cn\"}}\nnot json li.wei@corp-mail.cn\n"
            "{\"items\": [1, {\"card\": \"4539 1488 0343 6467\"}]}");
  CollectSink log = ScanOne(dir_ / "log.ndjson");
  ASSERT_EQ(log.hits.size(), 3u) << log.Describe();
  EXPECT_EQ(log.hits[0].location, "key /user/email");
  EXPECT_EQ(log.hits[0].line, 2u);
  EXPECT_EQ(log.hits[1].location, "");  // a line that is not JSON keeps the engine's location
  EXPECT_EQ(log.hits[2].location, "key /items/1/card");
  // Inside an archive (small and large members alike) the pointer follows the member path.
  WriteFile(dir_ / "j/big.ndjson", std::string(20000, ' ') + "\n" + ReadFile(dir_ / "log.ndjson"));
  std::filesystem::copy_file(dir_ / "doc.json", dir_ / "j/doc.json");
  RunOk({"zip", "-q", "../j.zip", "big.ndjson", "doc.json"}, dir_ / "j");
  CollectSink zipped = ScanOne(dir_ / "j.zip");
  EXPECT_TRUE(zipped.Has("EMAIL_ADDRESS", "doc.json!key /user/contacts/0/email")) << zipped.Describe();
  EXPECT_TRUE(zipped.Has("CREDIT_CARD", "big.ndjson!key /items/1/card")) << zipped.Describe();
  // Offsets stay offsets into the file.
  std::string text = ReadFile(dir_ / "log.ndjson");
  EXPECT_EQ(text.substr(log.hits[0].start, log.hits[0].end - log.hits[0].start), kEmail);
}

// ScanInput sniffs a file's first 8 KiB, and the scanner takes that head over and reads on after it (it used to
// seek back and read it again). Values around the end of the head, in plain text and in NDJSON, with chunks smaller
// and larger than the head, are found once, with the offsets and lines a scan of the whole text in memory gives.
TEST_F(ExtractTest, TheSniffedHeadIsScannedOnceAndReadingGoesOnAfterIt) {
  auto key = [](const Hit& hit) {
    return hit.entity + "@" + std::to_string(hit.start) + "-" + std::to_string(hit.end) + ":" +
           std::to_string(hit.line) + " " + hit.value;
  };
  for (const char* name : {"head.txt", "head.ndjson"}) {
    for (size_t pad = 8192 - 40; pad < 8192 + 6; pad += 3) {
      std::string text = std::string(pad % 97, 'z') + "\n" + std::string(pad - pad % 97 - 1, ' ');
      text += "{\"email\": \"" + std::string(kEmail) + "\", \"card\": \"" + std::string(kCard) + "\"}\n";
      text += std::string(5000, ' ') + "\n{\"ssn\": \"536-22-1234\"}\n";
      WriteFile(dir_ / name, text);
      for (size_t chunk : {size_t{4096}, size_t{1} << 20}) {
        ScanOptions options;
        options.chunk_size = chunk;
        auto scanner = Scanner::Create(Rules(), options);
        ASSERT_TRUE(scanner.ok());
        CollectSink streamed, whole;
        ASSERT_TRUE(ScanInput(**scanner, dir_ / name, name, {}, streamed).ok());
        ASSERT_TRUE((*scanner)->ScanBuffer(text, name, whole).ok());
        std::vector<std::string> got, want;
        for (const Hit& hit : streamed.hits) got.push_back(key(hit));
        for (const Hit& hit : whole.hits) want.push_back(key(hit));
        ASSERT_EQ(want.size(), 3u) << name << " pad " << pad;
        EXPECT_EQ(got, want) << name << " pad " << pad << " chunk " << chunk;
        EXPECT_EQ(streamed.done, std::vector<std::string>{name});
      }
    }
  }
}

// ScanPaths walks and scans at once (the workers take files as the walk finds them): every file is scanned once,
// whatever the number of threads, including more threads than files; with one thread, in the walk's sorted order.
// A root that does not exist is reported after the others were scanned.
TEST_F(ExtractTest, ScanPathsScansEveryFileOnceWhateverTheThreadCount) {
  TempDir tree;
  std::vector<std::string> sorted;
  for (int dir = 0; dir < 12; ++dir) {
    for (int file = 0; file < 25; ++file) {
      std::string relative = "d" + std::to_string(dir) + "/sub/f" + std::to_string(file) + ".log";
      WriteFile(tree / relative, "mail user" + std::to_string(dir * 100 + file) + "@corp-mail.cn\n");
      sorted.push_back((tree / relative).string());
    }
  }
  std::sort(sorted.begin(), sorted.end());
  for (size_t threads : {size_t{1}, size_t{2}, size_t{7}, size_t{0}, size_t{400}}) {
    CollectSink sink;
    Status status = ScanPaths(Rules(), {tree.path().string(), (tree / "missing").string()}, {}, {}, threads, sink);
    EXPECT_EQ(status.code(), StatusCode::kNotFound) << status.ToString();
    std::vector<std::string> done = sink.done, values;
    ASSERT_EQ(done.size(), sorted.size()) << "threads " << threads;
    if (threads == 1) {
      EXPECT_EQ(done, sorted);
    }
    std::sort(done.begin(), done.end());
    EXPECT_EQ(done, sorted) << "threads " << threads;
    for (const Hit& hit : sink.hits) values.push_back(hit.value);
    std::sort(values.begin(), values.end());
    ASSERT_EQ(values.size(), sorted.size()) << "threads " << threads;
    EXPECT_EQ(std::unique(values.begin(), values.end()), values.end()) << "threads " << threads;
  }
}

// A large plain-text file is scanned in parts by several workers (ScanOptions::part_bytes, Scanner::ScanRange):
// the findings are those of one scan of the file, in the same order, with the same offsets and line numbers —
// values dense enough that parts begin and end inside values, context words and long lines. A CSV file is not cut
// (its columns need the header). Parts are small here so that one file has dozens.
TEST_F(ExtractTest, ALargeTextFileScannedInPartsGivesWhatOneScanGives) {
  std::mt19937 random(20261201);
  const std::vector<std::string> values = {
      "mail li.wei@corp-mail.cn", "card 4539 1488 0343 6467", "SSN 536-22-1234", "tel +86 138 0013 8000",
      "client 10.1.2.3 ok",       "DOB: 1985-03-12",          "MRN: 12345678",   "phone (02) 2345-6789",
      "AKIAIOSFODNN7EXAMPLE"};
  std::string text;
  while (text.size() < 300000) {
    text += values[random() % values.size()];
    size_t filler = random() % 3 == 0 ? random() % 4000 : random() % 40;  // long lines too
    for (size_t idx = 0; idx < filler; ++idx) text.push_back("abc xyz 12 "[random() % 11]);
    text.push_back(random() % 4 == 0 ? ' ' : '\n');
  }
  WriteFile(dir_ / "big/app.log", text);
  std::string csv = "id,email\n";
  for (int row = 0; csv.size() < 100000; ++row)
    csv += std::to_string(row) + ",user" + std::to_string(row) + "@corp-mail.cn\n";
  WriteFile(dir_ / "big/users.csv", csv);
  using Sink = CollectSink;
  auto scan = [&](size_t threads, uint64_t part_bytes, size_t chunk) {
    ScanOptions options;
    options.part_bytes = part_bytes;
    options.chunk_size = chunk;
    Sink sink;
    Status status = ScanPaths(Rules(), {(dir_ / "big").string()}, {}, options, threads, sink);
    EXPECT_TRUE(status.ok()) << status.ToString();
    return sink;
  };
  auto lines = [](const CollectSink& sink) {  // each file's findings in the order they came (files interleave)
    std::vector<std::string> out;
    for (const Hit& hit : sink.hits) {
      out.push_back(hit.path + " " + hit.entity + "@" + std::to_string(hit.start) + "-" + std::to_string(hit.end) +
                    " line " + std::to_string(hit.line) + " " + hit.location + " " + hit.value);
    }
    std::stable_sort(out.begin(), out.end(), [](const std::string& a, const std::string& b) {
      return a.substr(0, a.find(' ')) < b.substr(0, b.find(' '));
    });
    return out;
  };
  for (size_t chunk : {size_t{4096}, size_t{1} << 20}) {
    Sink whole = scan(1, 4099, chunk);  // one worker: never in parts
    std::vector<std::string> want = lines(whole);
    ASSERT_GT(want.size(), 1000u);
    for (uint64_t part_bytes : {uint64_t{4099}, uint64_t{10007}, uint64_t{65536}}) {
      for (size_t threads : {size_t{2}, size_t{3}, size_t{8}}) {
        Sink parted = scan(threads, part_bytes, chunk);
        std::vector<std::string> got = lines(parted);
        size_t same = 0;
        while (same < got.size() && same < want.size() && got[same] == want[same]) ++same;
        EXPECT_TRUE(same == got.size() && same == want.size())
            << "parts of " << part_bytes << ", " << threads << " threads, chunk " << chunk << ": " << got.size()
            << " findings, " << want.size() << " expected; first difference at " << same << ":\n  got  "
            << (same < got.size() ? got[same] : "(none)") << "\n  want "
            << (same < want.size() ? want[same] : "(none)");
        EXPECT_EQ(parted.done.size(), 2u);
        EXPECT_TRUE(parted.errors.empty());
      }
    }
  }
}

// Which files ScanPaths may cut into parts: plain UTF-8 text only.
TEST_F(ExtractTest, OnlyPlainTextIsScannedInParts) {
  WriteFile(dir_ / "p/app.log", "mail li.wei@corp-mail.cn\n");
  WriteFile(dir_ / "p/NOTES", "plain\n");
  WriteFile(dir_ / "p/users.CSV", "id,email\n1,a@b.cn\n");
  WriteFile(dir_ / "p/rows.tsv", "id\temail\n");
  WriteFile(dir_ / "p/doc.json", "{\"a\": 1}\n");
  WriteFile(dir_ / "p/log.ndjson", "{\"a\": 1}\n");
  WriteFile(dir_ / "p/utf16.txt", std::string("\xFF\xFE"
                                              "a\0b\0",
                                              6));
  WriteFile(dir_ / "p/nul.bin.log", std::string("a\0b", 3));
  RunOk({"gzip", "-k", "app.log"}, dir_ / "p");
  std::filesystem::rename(dir_ / "p/app.log.gz", dir_ / "p/packed.log");
  ExtractOptions options;
  EXPECT_TRUE(IsPlainText(dir_ / "p/app.log", options, true));
  EXPECT_TRUE(IsPlainText(dir_ / "p/NOTES", options, true));
  for (const char* name :
       {"users.CSV", "rows.tsv", "doc.json", "log.ndjson", "utf16.txt", "nul.bin.log", "packed.log", "missing.log"}) {
    EXPECT_FALSE(IsPlainText(dir_ / "p" / name, options, true)) << name;
  }
  EXPECT_TRUE(IsPlainText(dir_ / "p/nul.bin.log", options, false));  // ScanOptions::sniff_binary off: text
  options.encoding = "GB18030";
  EXPECT_FALSE(IsPlainText(dir_ / "p/app.log", options, true));
}

// An NDJSON file's findings are placed (key paths) and handed over in batches as the scan goes, so memory holds a
// batch, not the file's findings. The places must be those of the whole-member path (a zip member is placed in
// memory, at once): over 4096 findings, records of every length, malformed lines, one record holding 6 000 findings
// (more than a batch: it waits), and a last record without a newline.
TEST_F(ExtractTest, NdjsonFindingsArePlacedInBatchesAsTheyWouldBeAtOnce) {
  std::mt19937 random(20261201);
  std::string text;
  for (int record = 0; record < 12000; ++record) {
    switch (random() % 7) {
      case 0:
        text += "not json, mail li.wei@corp-mail.cn\n";
        break;
      case 1:
        text += "{\"pad\": \"" + std::string(random() % 3000, 'x') + "\", \"card\": \"" + std::string(kCard) + "\"}\n";
        break;
      default:
        text += "{\"user\": {\"id\": " + std::to_string(record) + ", \"email\": \"u" + std::to_string(record) +
                "@corp-mail.cn\"}, \"items\": [1, {\"ssn\": \"SSN 536-22-1234\"}]}\n";
    }
    if (record == 6000) {
      text += "{\"many\": [";
      for (int item = 0; item < 6000; ++item)
        text += std::string(item ? ", " : "") + "\"m" + std::to_string(item) + "@corp-mail.cn\"";
      text += "]}\n";
    }
  }
  text += "{\"last\": \"li.wei@corp-mail.cn\"}";
  WriteFile(dir_ / "n/log.ndjson", text);
  CollectSink file = ScanOne(dir_ / "n/log.ndjson");
  RunOk({"zip", "-q", "../log.zip", "log.ndjson"}, dir_ / "n");
  CollectSink member = ScanOne(dir_ / "log.zip");
  auto places = [](const CollectSink& sink, std::string_view strip) {
    std::vector<std::string> out;
    for (const Hit& hit : sink.hits) {
      std::string location = hit.location;
      if (location.rfind(strip, 0) == 0) location = location.substr(strip.size());            // "log.ndjson!key /a"
      if (!strip.empty() && location == strip.substr(0, strip.size() - 1)) location.clear();  // not placed
      out.push_back(hit.entity + "@" + std::to_string(hit.start) + "-" + std::to_string(hit.end) + " " + location);
    }
    std::sort(out.begin(), out.end());
    return out;
  };
  std::vector<std::string> want = places(member, "log.ndjson!"), got = places(file, "");
  ASSERT_GT(got.size(), 20000u);
  std::vector<std::string> only_got, only_want;
  std::set_difference(got.begin(), got.end(), want.begin(), want.end(), std::back_inserter(only_got));
  std::set_difference(want.begin(), want.end(), got.begin(), got.end(), std::back_inserter(only_want));
  EXPECT_TRUE(only_got.empty() && only_want.empty())
      << only_got.size() << " only from the file, e.g. " << (only_got.empty() ? "" : only_got[0]) << "; "
      << only_want.size() << " only from the member, e.g. " << (only_want.empty() ? "" : only_want[0]);
  EXPECT_TRUE(file.Has("EMAIL_ADDRESS", "key /many/5999")) << "the long record's findings are placed";
  EXPECT_TRUE(file.Has("EMAIL_ADDRESS", "key /last"));
  EXPECT_EQ(file.done.size(), 1u);
}

TEST(RedactUriTest, PasswordsNeverShow) {
  EXPECT_EQ(RedactUri("postgresql://scan:s3cret@db.local:5432/crm"), "postgresql://scan:***@db.local:5432/crm");
  EXPECT_EQ(RedactUri("postgres://scan@db/crm?password=s3cret&sslmode=require"),
            "postgres://scan@db/crm?password=***&sslmode=require");
  EXPECT_EQ(RedactUri("postgresql:///crm?host=/tmp"), "postgresql:///crm?host=/tmp");
  EXPECT_TRUE(IsPostgresUri("postgres://x"));
  EXPECT_FALSE(IsPostgresUri("data/postgres.csv"));
}

// A real PostgreSQL server in a temporary folder (Debian `postgresql`; as root it runs as the `postgres` user).
TEST(PostgresTest, SamplesTextColumnsInAReadOnlyTransaction) {
  std::string why;
  bool skip = false;
  auto postgres = PostgresServer::Start(&why, &skip);
  if (skip) GTEST_SKIP() << why;
  ASSERT_NE(postgres, nullptr) << why;
  auto load = postgres->Psql(
      "CREATE TABLE customers (id int, email text, note varchar(200), score int);"
      "INSERT INTO customers SELECT g, 'user' || g || '@corp-mail.cn', 'card 4539 1488 0343 6467', g "
      "FROM generate_series(1, 50) g;"
      "CREATE SCHEMA crm; CREATE TABLE crm.people (name text, nid text);"
      "INSERT INTO crm.people VALUES ('Li', '11010519491231002X');");
  ASSERT_EQ(load.exit_code, 0) << load.err;
  const std::string uri = postgres->Uri("tutela", "postgres", "pw");
  const std::filesystem::path dir = postgres->socket_dir().parent_path();
  TempDir scratch;
  auto scanner = Scanner::Create(Rules(), {});
  ASSERT_TRUE(scanner.ok());
  ExtractOptions options;
  options.sample_rows = 10;
  CollectSink sample;
  ASSERT_TRUE(ScanPostgres(**scanner, uri, options, sample).ok()) << sample.Describe();
  size_t emails = std::count_if(sample.hits.begin(), sample.hits.end(),
                                [](const Hit& hit) { return hit.entity == "EMAIL_ADDRESS"; });
  EXPECT_EQ(emails, 10u) << sample.Describe();
  EXPECT_TRUE(sample.Has("EMAIL_ADDRESS", "customers.email ctid (0,1)")) << sample.Describe();
  EXPECT_TRUE(sample.Has("CN_RESIDENT_ID", "crm.people.nid ctid (0,1)")) << sample.Describe();
  for (const Hit& hit : sample.hits) EXPECT_EQ(hit.path.find("pw"), std::string::npos) << hit.path;
  options.full = true;
  CollectSink full;
  ASSERT_TRUE(ScanPostgres(**scanner, uri, options, full).ok()) << full.Describe();
  emails =
      std::count_if(full.hits.begin(), full.hits.end(), [](const Hit& hit) { return hit.entity == "EMAIL_ADDRESS"; });
  EXPECT_EQ(emails, 50u);
  // Through the CLI, with the inventory: the store is the URI without its password.
  auto result = RunTutela({"pii", "scan", uri, "--format", "json", "--inventory", (scratch / "inv.json").string(),
                           "--fingerprint-key-file", (scratch / "key").string()});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  std::string inventory = ReadFile(scratch / "inv.json");
  EXPECT_NE(inventory.find("\"database\""), std::string::npos) << inventory;
  EXPECT_EQ(inventory.find(":pw@"), std::string::npos) << inventory;
  EXPECT_EQ(result.out.find(":pw@"), std::string::npos) << result.out;
  // A user who may read only one column of crm.people (not the table, so not its ctid): that table is one error
  // naming it, the other table is still scanned, and nothing is written (the transaction is read only).
  auto grant = postgres->Psql(
      "CREATE ROLE reader LOGIN; GRANT SELECT ON customers TO reader;"
      "GRANT USAGE ON SCHEMA crm TO reader; GRANT SELECT (nid) ON crm.people TO reader;");
  ASSERT_EQ(grant.exit_code, 0) << grant.err;
  CollectSink limited;
  Status partial = ScanPostgres(**scanner, postgres->Uri("reader"), options, limited);
  EXPECT_TRUE(partial.ok()) << partial.ToString();
  ASSERT_EQ(limited.errors.size(), 1u) << limited.Describe();
  EXPECT_NE(limited.errors[0].find(": table crm.people:"), std::string::npos) << limited.errors[0];
  EXPECT_NE(limited.errors[0].find("grant SELECT"), std::string::npos) << limited.errors[0];
  EXPECT_TRUE(limited.Has("EMAIL_ADDRESS", "customers.email ctid (0,1)")) << limited.Describe();
  // A server that is not there: one clear error.
  CollectSink none;
  Status down =
      ScanPostgres(**scanner, "postgresql://tutela@/postgres?host=" + (dir / "nowhere").string(), options, none);
  EXPECT_FALSE(down.ok());
  EXPECT_NE(down.message().find("cannot connect to PostgreSQL"), std::string::npos) << down.message();
}

}  // namespace
}  // namespace tutela::pii
