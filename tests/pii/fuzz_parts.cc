// Fuzz target for scanning a file in parts (Scanner::ScanRange, as ScanPaths does for large plain-text files): for
// any text, cut into parts of any size from 1 byte up (at most 64 parts), the parts' findings with the line ends of the
// parts before added to their line numbers are the findings of one scan of the file (entity, span, score, line,
// location), in the same order, at the lowest threshold and the default one. The first byte picks the part size, the
// second the chunk size; the text is the rest, in a memfd. A difference aborts, with both lists printed.
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "fuzz_rules.h"

namespace {}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  std::string_view text(reinterpret_cast<const char*>(data) + 2, size - 2);
  // 1 byte to 16 KiB, and at most 64 parts (each part reads the 4 KiB around it).
  const uint64_t part = std::max<uint64_t>(1 + uint64_t{data[0]} * data[0] / 4, text.size() / 64);
  const size_t chunk = size_t{4096} << (data[1] % 3);
  // ScanPaths cuts only what IsPlainText accepts; ScanFd skips UTF-16 (it would give nothing to compare with).
  if (text.size() >= 2 && (text.substr(0, 2) == "\xFF\xFE" || text.substr(0, 2) == "\xFE\xFF")) return 0;
  int fd = memfd_create("fuzz_parts", MFD_CLOEXEC);
  if (fd < 0 || ::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) std::abort();
  for (double min_score : {0.0, 0.5}) {
    tutela::pii::ScanOptions options;
    options.min_score = min_score;
    options.chunk_size = chunk;
    options.sniff_binary = false;  // the whole scan would skip text with a NUL byte; parts are never cut from such
    auto scanner = tutela::pii::Scanner::Create(tutela::pii::fuzzing::BuiltinRules(), options);
    if (!scanner.ok()) std::abort();
    tutela::pii::fuzzing::DescribeSink whole, parts;
    if (::lseek(fd, 0, SEEK_SET) != 0 || !(*scanner)->ScanFd(fd, "fuzz.log", whole).ok()) std::abort();
    uint64_t bytes = 0;
    for (uint64_t begin = 0; begin < text.size() || begin == 0; begin += part) {
      uint64_t end = std::min<uint64_t>(begin + part, text.size()), newlines = 0, read = 0;
      if (!(*scanner)->ScanRange(fd, "fuzz.log", begin, end, text.size(), parts, &newlines, &read).ok()) std::abort();
      parts.lines_before += newlines;
      bytes += read;
      if (end == text.size()) break;
    }
    if (whole.out != parts.out || bytes != text.size()) {
      std::fprintf(stderr, "parts of %llu (%llu bytes read of %zu): %s\nwhole: %s\n",
                   static_cast<unsigned long long>(part), static_cast<unsigned long long>(bytes), text.size(),
                   parts.out.c_str(), whole.out.c_str());
      std::abort();
    }
  }
  ::close(fd);
  return 0;
}
