// PDF text through poppler-cpp, one segment per page ("page N"). Poppler's global state is not documented as
// thread-safe, so documents are opened and read one at a time (a process-wide mutex); its error messages are
// silenced (a damaged PDF is reported once, as an error naming the file).
#include <poppler/cpp/poppler-document.h>
#include <poppler/cpp/poppler-global.h>
#include <poppler/cpp/poppler-page.h>

#include <memory>
#include <mutex>

#include "extract_internal.h"

namespace tutela::pii::extract {
namespace {

void Quiet(const std::string&, void*) {}

constexpr std::string_view kFix = "the PDF is damaged, truncated or not a PDF; repair or re-export it, then rescan";

}  // namespace

Status ScanPdf(Context& ctx, std::string_view data, std::string_view location) {
  static std::mutex poppler_mutex;
  static std::once_flag quiet;
  std::call_once(quiet, [] { poppler::set_debug_error_function(Quiet, nullptr); });
  if (data.size() > static_cast<size_t>(INT32_MAX)) {
    return Damaged(ctx, location, "a PDF larger than 2 GiB is not scanned", "split it, or extract its text");
  }
  SegmentedText text;
  {
    std::lock_guard lock(poppler_mutex);
    std::unique_ptr<poppler::document> document(
        poppler::document::load_from_raw_data(data.data(), static_cast<int>(data.size())));
    if (!document) return Damaged(ctx, location, "not a readable PDF", kFix);
    if (document->is_locked()) {
      return Damaged(ctx, location, "the PDF is protected by a password", "scan a copy saved without the password");
    }
    const int pages = document->pages();
    for (int i = 0; i < pages; ++i) {
      std::unique_ptr<poppler::page> page(document->create_page(i));
      if (!page) continue;
      poppler::byte_array utf8 = page->text().to_utf8();
      if (utf8.empty()) continue;
      TUTELA_RETURN_IF_ERROR(ctx.budget.Add(utf8.size(), location));
      text.Mark("page " + std::to_string(i + 1));
      text.Append(std::string_view(utf8.data(), utf8.size()), false);
      text.Raw("\n");
    }
  }
  return text.Scan(ctx, location, "document.txt");
}

}  // namespace tutela::pii::extract
