// OOXML documents (libarchive for the zip, pugixml for the XML): docx paragraphs ("paragraph N"), xlsx cells
// ("Sheet!B7", each sheet scanned as a table whose first row is the header, so column names are context) and pptx
// slides ("slide N").
#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <map>
#include <memory>
#include <pugixml.hpp>

#include "extract_internal.h"

namespace tutela::pii::extract {
namespace {

constexpr std::string_view kFix = "the file is damaged or not an Office document; open and save it again, then rescan";

std::string_view LocalName(const char* name) {
  std::string_view view(name);
  size_t colon = view.find(':');
  return colon == std::string_view::npos ? view : view.substr(colon + 1);
}

// The XML parts of the package (names ending .xml or .rels), each counted against the bomb limits.
Result<std::map<std::string, std::string>> ReadParts(Context& ctx, std::string_view data, std::string_view location) {
  struct Free {
    void operator()(archive* a) const { archive_read_free(a); }
  };
  std::unique_ptr<archive, Free> a(archive_read_new());
  archive_read_support_format_zip(a.get());
  if (archive_read_open_memory(a.get(), data.data(), data.size()) != ARCHIVE_OK) {
    return Damaged(ctx, location, "not a readable Office file (" + std::string(archive_error_string(a.get())) + ")",
                   kFix);
  }
  std::map<std::string, std::string> parts;
  archive_entry* entry = nullptr;
  while (true) {
    int rc = archive_read_next_header(a.get(), &entry);
    if (rc == ARCHIVE_EOF) break;
    if (rc < ARCHIVE_WARN) {
      const char* error = archive_error_string(a.get());
      return Damaged(ctx, location, "not a readable Office file (" + std::string(error ? error : "zip error") + ")",
                     kFix);
    }
    const char* raw = archive_entry_pathname(entry);
    std::string name = raw != nullptr ? raw : "";
    bool wanted =
        name.size() > 4 && (name.substr(name.size() - 4) == ".xml" || name.substr(name.size() - 5) == ".rels");
    if (!wanted) continue;
    std::string content;
    char buffer[65536];
    while (true) {
      la_ssize_t n = archive_read_data(a.get(), buffer, sizeof buffer);
      if (n < 0) {
        const char* error = archive_error_string(a.get());
        return Damaged(ctx, JoinLocation(location, name),
                       "cannot unpack (" + std::string(error ? error : "zip error") + ")", kFix);
      }
      if (n == 0) break;
      TUTELA_RETURN_IF_ERROR(ctx.budget.Add(static_cast<uint64_t>(n), JoinLocation(location, name)));
      content.append(buffer, static_cast<size_t>(n));
      if (content.size() > ctx.options->max_member_bytes) {
        return Status::InvalidArgument(ctx.path + ": in " + JoinLocation(location, name) +
                                       ": an XML part larger than " +
                                       std::to_string(ctx.options->max_member_bytes >> 20) +
                                       " MiB is not scanned; save the document as text and scan that");
      }
    }
    parts.emplace(std::move(name), std::move(content));
  }
  return parts;
}

Status Parse(Context& ctx, pugi::xml_document& doc, const std::string& content, std::string_view location,
             std::string_view part) {
  pugi::xml_parse_result parsed =
      doc.load_buffer(content.data(), content.size(), pugi::parse_default | pugi::parse_ws_pcdata);
  if (!parsed) {
    return Damaged(ctx, JoinLocation(location, part),
                   "XML error at byte " + std::to_string(parsed.offset) + " (" + parsed.description() + ")", kFix);
  }
  return Status::Ok();
}

// Collects paragraphs (elements named `p`) and their text (`t` elements; tabs and breaks become spaces).
// Recursion stops at kMaxDepth levels of XML (real documents nest a few dozen).
constexpr int kMaxDepth = 200;

void CollectParagraphs(pugi::xml_node node, std::vector<std::string>& paragraphs, long current, int depth = 0) {
  if (depth > kMaxDepth) return;
  for (pugi::xml_node child = node.first_child(); child; child = child.next_sibling()) {
    if (child.type() != pugi::node_element) continue;
    std::string_view name = LocalName(child.name());
    if (name == "p") {
      paragraphs.emplace_back();
      CollectParagraphs(child, paragraphs, static_cast<long>(paragraphs.size()) - 1, depth + 1);
    } else if (name == "t") {
      if (current >= 0) paragraphs[static_cast<size_t>(current)] += child.text().get();
    } else if (name == "tab" || name == "br" || name == "cr") {
      if (current >= 0) paragraphs[static_cast<size_t>(current)] += ' ';
    } else if (name != "instrText" && name != "delText") {
      CollectParagraphs(child, paragraphs, current, depth + 1);
    }
  }
}

// Number in "ppt/slides/slide12.xml" (0 when none).
int SlideNumber(std::string_view name) {
  constexpr std::string_view prefix = "ppt/slides/slide";
  if (name.substr(0, prefix.size()) != prefix || name.size() < prefix.size() + 5 ||
      name.substr(name.size() - 4) != ".xml") {
    return 0;
  }
  std::string_view digits = name.substr(prefix.size(), name.size() - prefix.size() - 4);
  if (digits.empty() || digits.size() > 6 || digits.find_first_not_of("0123456789") != std::string_view::npos) return 0;
  return std::stoi(std::string(digits));
}

// Column index (0-based) and row of a cell reference like "AB12"; false when malformed.
bool ParseCellRef(std::string_view ref, size_t* column, uint64_t* row) {
  size_t i = 0, col = 0;
  while (i < ref.size() && ref[i] >= 'A' && ref[i] <= 'Z' && i < 3)
    col = col * 26 + static_cast<size_t>(ref[i++] - 'A' + 1);
  if (i == 0 || i == ref.size() || col > 16384) return false;
  uint64_t r = 0;
  for (; i < ref.size(); ++i) {
    if (ref[i] < '0' || ref[i] > '9' || r > 10000000) return false;
    r = r * 10 + static_cast<uint64_t>(ref[i] - '0');
  }
  *column = col - 1;
  *row = r;
  return true;
}

std::string CellRef(size_t column, uint64_t row) {
  std::string letters;
  for (size_t c = column + 1; c > 0; c = (c - 1) / 26)
    letters.insert(letters.begin(), static_cast<char>('A' + (c - 1) % 26));
  return letters + std::to_string(row);
}

std::string AllText(pugi::xml_node node, int depth = 0) {
  std::string out;
  if (depth > kMaxDepth) return out;
  for (pugi::xml_node child = node.first_child(); child; child = child.next_sibling()) {
    if (child.type() != pugi::node_element) continue;
    std::string_view name = LocalName(child.name());
    if (name == "t") {
      out += child.text().get();
    } else if (name != "rPh" && name != "phoneticPr") {
      out += AllText(child, depth + 1);
    }
  }
  return out;
}

pugi::xml_node Child(pugi::xml_node node, std::string_view local) {
  for (pugi::xml_node child = node.first_child(); child; child = child.next_sibling()) {
    if (child.type() == pugi::node_element && LocalName(child.name()) == local) return child;
  }
  return {};
}

// "header1" for "word/header1.xml" when the part is a header, footer, footnotes, endnotes or comments; "" otherwise.
std::string SidePart(std::string_view name) {
  constexpr std::string_view prefix = "word/";
  if (name.substr(0, prefix.size()) != prefix || name.size() < prefix.size() + 5 ||
      name.substr(name.size() - 4) != ".xml" || name.find('/', prefix.size()) != std::string_view::npos) {
    return "";
  }
  std::string_view stem = name.substr(prefix.size(), name.size() - prefix.size() - 4);
  for (std::string_view kind : {"header", "footer", "footnotes", "endnotes", "comments"}) {
    if (stem.substr(0, kind.size()) == kind) return std::string(stem);
  }
  return "";
}

Status ScanDocx(Context& ctx, std::map<std::string, std::string>& parts, std::string_view location) {
  auto it = parts.find("word/document.xml");
  if (it == parts.end()) return Damaged(ctx, location, "no word/document.xml in the package", kFix);
  // The body ("paragraph N"), then headers, footers, notes and comments ("header1 paragraph N").
  std::vector<std::pair<std::string, const std::pair<const std::string, std::string>*>> sources = {{"", &*it}};
  for (const auto& part : parts) {
    if (std::string side = SidePart(part.first); !side.empty()) sources.emplace_back(side + " ", &part);
  }
  SegmentedText text;
  for (const auto& [label, part] : sources) {
    pugi::xml_document doc;
    TUTELA_RETURN_IF_ERROR(Parse(ctx, doc, part->second, location, part->first));
    std::vector<std::string> paragraphs;
    CollectParagraphs(doc, paragraphs, -1);
    for (size_t i = 0; i < paragraphs.size(); ++i) {
      if (paragraphs[i].empty()) continue;
      text.Mark(label + "paragraph " + std::to_string(i + 1));
      text.Append(paragraphs[i], false);
      text.Raw("\n");
    }
  }
  return text.Scan(ctx, location, "document.txt");
}

Status ScanPptx(Context& ctx, std::map<std::string, std::string>& parts, std::string_view location) {
  std::vector<std::pair<int, const std::string*>> slides;
  for (const auto& [name, content] : parts) {
    if (int number = SlideNumber(name); number > 0) slides.emplace_back(number, &content);
  }
  std::sort(slides.begin(), slides.end());
  SegmentedText text;
  for (const auto& [number, content] : slides) {
    pugi::xml_document doc;
    TUTELA_RETURN_IF_ERROR(Parse(ctx, doc, *content, location, "ppt/slides/slide" + std::to_string(number) + ".xml"));
    std::vector<std::string> paragraphs;
    CollectParagraphs(doc, paragraphs, -1);
    for (const std::string& paragraph : paragraphs) {
      if (paragraph.empty()) continue;
      text.Mark("slide " + std::to_string(number));
      text.Append(paragraph, false);
      text.Raw("\n");
    }
  }
  return text.Scan(ctx, location, "slides.txt");
}

Status ScanXlsx(Context& ctx, std::map<std::string, std::string>& parts, std::string_view location) {
  auto workbook_part = parts.find("xl/workbook.xml");
  if (workbook_part == parts.end()) return Damaged(ctx, location, "no xl/workbook.xml in the package", kFix);
  pugi::xml_document workbook;
  TUTELA_RETURN_IF_ERROR(Parse(ctx, workbook, workbook_part->second, location, workbook_part->first));
  // Relationship id -> part name.
  std::map<std::string, std::string> targets;
  if (auto rels = parts.find("xl/_rels/workbook.xml.rels"); rels != parts.end()) {
    pugi::xml_document doc;
    TUTELA_RETURN_IF_ERROR(Parse(ctx, doc, rels->second, location, rels->first));
    for (pugi::xml_node rel : Child(doc, "Relationships").children()) {
      std::string target = rel.attribute("Target").value();
      if (!target.empty() && target.front() == '/') {
        target.erase(0, 1);
      } else {
        target = "xl/" + target;
      }
      targets[rel.attribute("Id").value()] = target;
    }
  }
  std::vector<std::string> shared;
  if (auto strings = parts.find("xl/sharedStrings.xml"); strings != parts.end()) {
    pugi::xml_document doc;
    TUTELA_RETURN_IF_ERROR(Parse(ctx, doc, strings->second, location, strings->first));
    for (pugi::xml_node si : Child(doc, "sst").children()) {
      if (si.type() == pugi::node_element && LocalName(si.name()) == "si") shared.push_back(AllText(si));
    }
  }
  pugi::xml_node sheets = Child(Child(workbook, "workbook"), "sheets");
  size_t index = 0;
  for (pugi::xml_node sheet : sheets.children()) {
    if (sheet.type() != pugi::node_element || LocalName(sheet.name()) != "sheet") continue;
    ++index;
    std::string sheet_name = sheet.attribute("name").value();
    std::string rid;
    for (pugi::xml_attribute attribute : sheet.attributes()) {
      std::string_view attribute_name = attribute.name();
      if (attribute_name.size() > 3 && attribute_name.substr(attribute_name.size() - 3) == ":id")
        rid = attribute.value();
    }
    std::string part = targets.count(rid) ? targets[rid] : "xl/worksheets/sheet" + std::to_string(index) + ".xml";
    auto content = parts.find(part);
    if (content == parts.end()) continue;  // a chart sheet or a missing part: nothing to scan
    pugi::xml_document doc;
    TUTELA_RETURN_IF_ERROR(Parse(ctx, doc, content->second, location, part));
    SegmentedText text;
    pugi::xml_node data = Child(Child(doc, "worksheet"), "sheetData");
    uint64_t next_row = 1;
    size_t counted = 0;  // bytes of `text` already counted against the bomb limits
    for (pugi::xml_node row : data.children()) {
      if (row.type() != pugi::node_element || LocalName(row.name()) != "row") continue;
      uint64_t row_number = row.attribute("r").as_ullong(next_row);
      next_row = row_number + 1;
      size_t tabs = 0;  // tabs written on this row: the next cell starts column `tabs`
      for (pugi::xml_node cell : row.children()) {
        if (cell.type() != pugi::node_element || LocalName(cell.name()) != "c") continue;
        size_t column = tabs;
        uint64_t ref_row = row_number;
        if (!ParseCellRef(cell.attribute("r").value(), &column, &ref_row) || column < tabs) column = tabs;
        if (column > 16383) continue;
        std::string_view type = cell.attribute("t").value();
        std::string value;
        if (type == "s") {
          size_t shared_index = Child(cell, "v").text().as_ullong(shared.size());
          if (shared_index < shared.size()) value = shared[shared_index];
        } else if (type == "inlineStr") {
          value = AllText(Child(cell, "is"));
        } else {
          value = Child(cell, "v").text().get();
        }
        if (value.empty()) continue;
        for (; tabs < column; ++tabs) text.Raw("\t");
        text.Mark(sheet_name + "!" + CellRef(column, row_number));
        text.Append(value, true);
      }
      text.Raw("\n");
      // Sparse cells far to the right expand into many tabs: the text counts against the bomb limits, and is
      // scanned in pieces of about 64 MiB (the header row is context for the first piece only).
      TUTELA_RETURN_IF_ERROR(ctx.budget.Add(text.size() - counted, location));
      counted = text.size();
      if (text.size() > (size_t{64} << 20)) {
        TUTELA_RETURN_IF_ERROR(text.Scan(ctx, location, "sheet.tsv"));
        text.Clear();
        counted = 0;
      }
    }
    TUTELA_RETURN_IF_ERROR(text.Scan(ctx, location, "sheet.tsv"));
  }
  return Status::Ok();
}

}  // namespace

Status ScanOoxml(Context& ctx, std::string_view data, InputKind kind, std::string_view location) {
  TUTELA_ASSIGN_OR_RETURN(auto parts, ReadParts(ctx, data, location));
  switch (kind) {
    case InputKind::kDocx:
      return ScanDocx(ctx, parts, location);
    case InputKind::kXlsx:
      return ScanXlsx(ctx, parts, location);
    default:
      return ScanPptx(ctx, parts, location);
  }
}

}  // namespace tutela::pii::extract
