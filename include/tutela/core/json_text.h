// Writing JSON text by hand, for the writers that stream large documents instead of building a DOM.
// Thread-safety: reentrant.
#pragma once

#include <string>
#include <string_view>

namespace tutela {

// Appends `value` (UTF-8) to `out` as a JSON string literal with its quotes, escaping what RFC 8259 requires:
// the quote, the backslash and every control character below U+0020 (as \n, \r, \t, \b, \f or \u00XX, the way
// nlohmann-json writes them). A byte that does not start well-formed UTF-8 (a file name in another encoding, a
// truncated sequence) becomes U+FFFD, so the output is always valid JSON, as nlohmann-json's
// `error_handler_t::replace` does.
void AppendJsonString(std::string& out, std::string_view value);

// True when `value` is well-formed UTF-8 (the same rules: no overlong forms, no surrogates, nothing above U+10FFFF),
// i.e. when JSON can hold it exactly. Writers whose output must round-trip a name (a manifest path) check this and
// report the name instead of writing U+FFFD.
bool IsUtf8(std::string_view value);

// `value` as a JSON string literal with its quotes.
std::string JsonQuote(std::string_view value);

}  // namespace tutela
