// The Vectorscan-based PII engine (see engine.h).
#include "tutela/pii/engine.h"

#include <fcntl.h>
#include <hs/hs.h>
#include <unistd.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>

#include "gate.h"
#include "held.h"
#include "tutela/core/bytes.h"
#include "tutela/core/crypto.h"
#include "tutela/core/file_util.h"
#include "tutela/core/thread_pool.h"
#include "tutela/pii/extract.h"
#include "words.h"

namespace tutela::pii {
namespace {

constexpr size_t kContextBefore = 96;  // bytes of text before a match searched for context words
constexpr size_t kContextAfter = 48;
constexpr size_t kGuard = 512;  // matches ending this close to a chunk's end wait for the next chunk
constexpr size_t kKeep = 2048;  // bytes carried into the next chunk (>= guard + longest match + context)
constexpr size_t kMinChunk = 4096;
constexpr size_t kMaxChunk = size_t{1} << 30;

constexpr uint32_t kUngated = 255;  // Ruleset::Database::kind of the patterns scanned over the whole text
constexpr size_t kRegionGap = 64;   // first-pass windows closer than this are scanned as one region
constexpr size_t kTailPad = 64;     // bytes scanned past the last one whose matches count (see ScanDatabase())

// Start rules (Ruleset::PatternInfo::start_rule).
constexpr int kStartReported = 0;
constexpr int kStartEmail = 2;
constexpr int kNativeDigitChain = 3;  // not in the Vectorscan database: matched by DigitChains(), start included
constexpr int kNativeDigitRun = 4;    // likewise, `\b\d{m,n}\b`: whole digit runs, found in the same pass
constexpr int kNativeDigitShape = 5;  // likewise, digit groups with fixed separators (ParseDigitShape())
constexpr std::string_view kEmailPattern =
    R"(\b[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,24}\b)";

// Start-of-match tracking costs Vectorscan about a third more (most of it for the e-mail pattern's unbounded local
// part); for that pattern the leftmost start follows from the end offset alone, so it is scanned without it.
int StartRuleOf(std::string_view pattern) { return pattern == kEmailPattern ? kStartEmail : kStartReported; }

// The first-pass trigger of each catalog pattern that Vectorscan scans: every match of the pattern holds that
// trigger (see gate.h for what each kind fires on), at the match's start unless said otherwise there. A pattern not
// listed here (or changed in the catalog) is scanned over the whole text: correct, only slower;
// PiiEngine.EveryShippedPatternButTheKeywordOnesHasAFirstPassTrigger notices such a change.
struct GateRule {
  std::string_view pattern;
  gate::Kind kind;
};
constexpr GateRule kGateRules[] = {
    {kEmailPattern, gate::kAt},
    {R"(\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b)", gate::kUpperDigit},
    {R"(\+\d{1,3}[ \-.]?(?:\(\d{1,4}\)[ \-.]?)?\d{1,5}(?:[ \-.]?\d{2,5}){1,4}\b)", gate::kPlusDigit},
    {R"(\b(?:\(0?\d{1,4}\)[ \-]?|0\d{1,4}[ \-])?\d{3,4}[ \-]\d{4}\b)", gate::kGroupEnd},
    {R"(\b1[3-9]\d{9}\b)", gate::kDigits11},
    {R"(\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b)", gate::kDottedQuad},
    {R"(\b[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{0,4}){2,7}\b)", gate::kHexColon},
    {R"(\b\d{17}[0-9Xx]\b)", gate::kDigits17},
    {R"(\b[EG]\d{8}\b)", gate::kUpperDigit},
    {R"(\bE[A-HJ-NP-Z]\d{7}\b)", gate::kUpperDigit},
    {R"(\b[A-Z]{1,2}\d{6}\(?[0-9A]\)?)", gate::kUpperDigit},
    {R"(\b[A-Z][1289]\d{8}\b)", gate::kUpperDigit},
    {R"(\b[STFGMstfgm]\d{7}[A-Za-z]\b)", gate::kNric},
    {R"(\b[1-9]\d \d{3} \d{3} \d{3}\b)", gate::kGroupEnd},
    {R"(\b[CFGHJKLMNPRTVWXYZ][CFGHJKLMNPRTVWXYZ0-9]{8}\d\b)", gate::kUpperWord10},
    {R"(\b(?:ATU\d{8}|BE[01]\d{9}|BG\d{9,10}|CY\d{8}[A-Z]|CZ\d{8,10}|DE\d{9}|DK\d{8}|EE\d{9}|EL\d{9}|ES[0-9A-Z]\d{7}[0-9A-Z]|FI\d{8}|FR[0-9A-Z]{2}\d{9}|HR\d{11}|HU\d{8}|IE\d{7}[A-W][A-I]?|IT\d{11}|LT(?:\d{9}|\d{12})|LU\d{8}|LV\d{11}|MT\d{8}|NL\d{9}B\d{2}|PL\d{10}|PT\d{9}|RO\d{2,10}|SE\d{12}|SI\d{8}|SK\d{10})\b)",
     gate::kUpperDigit},
    {R"(\bAKID[A-Za-z0-9]{32}\b)", gate::kAPrefix},
    {R"(\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}\b)", gate::kAPrefix},
    {R"(-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----)", gate::kDashes},
};

int GateKindOf(std::string_view pattern) {
  for (const GateRule& rule : kGateRules) {
    if (rule.pattern == pattern) return rule.kind;
  }
  return kUngated;
}

// For `\b\d{m}\b` or `\b\d{m,n}\b` (bare digit runs), the digit counts m and n; {0, 0} for any other pattern.
std::pair<size_t, size_t> DigitRunBounds(std::string_view pattern) {
  constexpr std::string_view kHead = R"(\b\d{)", kTail = R"(}\b)";
  if (!pattern.starts_with(kHead) || !pattern.ends_with(kTail) || pattern.size() <= kHead.size() + kTail.size()) {
    return {0, 0};
  }
  std::string_view bounds = pattern.substr(kHead.size(), pattern.size() - kHead.size() - kTail.size());
  if (bounds.size() > 8 || bounds.find_first_not_of("0123456789,") != std::string_view::npos || bounds.front() == ',' ||
      bounds.back() == ',' || std::count(bounds.begin(), bounds.end(), ',') > 1) {
    return {0, 0};
  }
  size_t comma = bounds.find(',');
  size_t low = std::stoul(std::string(bounds.substr(0, comma)));
  size_t high = comma == std::string_view::npos ? low : std::stoul(std::string(bounds.substr(comma + 1)));
  if (low == 0 || low > high) return {0, 0};
  return {low, high};
}

// For `\b\d(?:[ \-]?\d){m,n}\b` (the card shape), the digit counts m+1 and n+1; {0, 0} for any other pattern.
std::pair<size_t, size_t> DigitChainBounds(std::string_view pattern) {
  constexpr std::string_view kHead = R"(\b\d(?:[ \-]?\d){)", kTail = R"(}\b)";
  if (!pattern.starts_with(kHead) || !pattern.ends_with(kTail) || pattern.size() <= kHead.size() + kTail.size()) {
    return {0, 0};
  }
  std::string_view bounds = pattern.substr(kHead.size(), pattern.size() - kHead.size() - kTail.size());
  size_t comma = bounds.find(',');
  if (comma == std::string_view::npos || comma == 0 || comma + 1 == bounds.size() ||
      bounds.find_first_not_of("0123456789,") != std::string_view::npos || bounds.find(',', comma + 1) != bounds.npos ||
      bounds.size() > 8) {
    return {0, 0};
  }
  size_t low = std::stoul(std::string(bounds.substr(0, comma))),
         high = std::stoul(std::string(bounds.substr(comma + 1)));
  if (low > high) return {0, 0};
  return {low + 1, high + 1};
}

// A word character for the regular expressions' \b (ASCII letters, digits and '_').
bool IsRegexWord(unsigned char c) {
  return c == '_' || (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

using words::AnyWordIn;
using words::WordWindow;

struct RawMatch {
  uint32_t pattern;
  uint32_t from;
  uint32_t to;
};

// Where a Vectorscan scan of a region (with bytes before and after it: see ScanDatabase()) sends its matches:
// shifted by `offset` to text offsets, and kept only when they lie inside [region_from, region_to).
struct RegionScan {
  std::vector<RawMatch>* out;
  const std::vector<uint8_t>* reports_start;  // per pattern: Vectorscan reports the start (else `from` is 0)
  uint64_t offset;                            // text offset of the scanned bytes
  uint64_t region_from, region_to;
};

int OnMatch(unsigned int id, unsigned long long from, unsigned long long to, unsigned int, void* context) {
  auto* scan = static_cast<RegionScan*>(context);
  to += scan->offset;
  if (to > scan->region_to) return 0;
  if ((*scan->reports_start)[id] != 0) {
    from += scan->offset;
    if (from < scan->region_from) return 0;
  } else {
    from = 0;
  }
  scan->out->push_back({static_cast<uint32_t>(id), static_cast<uint32_t>(from), static_cast<uint32_t>(to)});
  return 0;
}

// Every match of `\b\d(?:[ \-]?\d){m,n}\b` in `text` (digits = m+1..n+1), as Vectorscan would report it with
// HS_FLAG_SOM_LEFTMOST: each end once, with its leftmost start. Such a match lies within a "chain" of digit groups
// joined by single separators; it starts at a group start with \b before it (every group but the chain's first
// follows a separator; the first needs a non-word byte or the text's start before it) and ends at a group end with
// \b after it (likewise). This loop replaces the most expensive pattern of the Vectorscan database (a third of its
// instructions on the bench corpus).
struct Group {
  size_t start, end, digits_before;  // digits_before: digits in the chain's earlier groups
};

// The first position >= pos holding a digit (want_digit) or a non-digit (!want_digit), or n; 16 bytes at a time.
size_t SkipTo(std::string_view text, size_t pos, bool want_digit) {
  const size_t n = text.size();
#if defined(__SSE2__)
  const __m128i zero = _mm_set1_epi8('0'), nine = _mm_set1_epi8(9);
  while (pos + 16 <= n) {
    __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + pos));
    __m128i offset = _mm_sub_epi8(bytes, zero);                             // digits become 0..9
    __m128i is_digit = _mm_cmpeq_epi8(_mm_min_epu8(offset, nine), offset);  // unsigned offset <= 9
    unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(is_digit));
    if (!want_digit) mask = ~mask & 0xffffu;
    if (mask != 0) return pos + static_cast<size_t>(__builtin_ctz(mask));
    pos += 16;
  }
#endif
  while (pos < n && (text[pos] >= '0' && text[pos] <= '9') != want_digit) ++pos;
  return pos;
}
// A digit shape: `\b` + a sequence of digit classes (`\d`, `[1-8]`, `9`) and single separators (`-`, ` `, `[ \-]`),
// each with an optional `{m}`, `{m,n}` or `?`, + `\b`; a trailing optional group `(?:...)?` gives a second
// alternative. Such a pattern matches only digits and single ' ' or '-' between them, starting and ending on a
// digit, so every match starts at a digit run's start and ends at a run's end within one digit chain.
struct ShapeToken {
  uint16_t digits = 0;     // the digits allowed (bit d for '0' + d); 0 for a separator
  uint8_t separators = 0;  // bit 0 ' ', bit 1 '-'
  uint8_t min = 1, max = 1;
};
using ShapeSequence = std::vector<ShapeToken>;

bool ParseShapeSequence(std::string_view body, ShapeSequence& out) {
  size_t pos = 0;
  while (pos < body.size()) {
    ShapeToken token;
    char c = body[pos];
    if (body.substr(pos, 2) == "\\d") {
      token.digits = 0x3ff;
      pos += 2;
    } else if (c >= '0' && c <= '9') {
      token.digits = static_cast<uint16_t>(1u << (c - '0'));
      ++pos;
    } else if (c == ' ' || c == '-') {
      token.separators = c == ' ' ? 1 : 2;
      ++pos;
    } else if (body.substr(pos, 2) == "\\-") {
      token.separators = 2;
      pos += 2;
    } else if (c == '[') {
      size_t close = body.find(']', pos);
      if (close == std::string_view::npos) return false;
      std::string_view set = body.substr(pos + 1, close - pos - 1);
      pos = close + 1;
      if (set == " \\-" || set == "\\- " || set == " -" || set == "- ") {
        token.separators = 3;
      } else {
        for (size_t i = 0; i < set.size(); ++i) {
          if (set[i] < '0' || set[i] > '9') return false;
          if (i + 2 < set.size() && set[i + 1] == '-') {
            if (set[i + 2] < set[i] || set[i + 2] > '9') return false;
            for (char d = set[i]; d <= set[i + 2]; ++d) token.digits |= static_cast<uint16_t>(1u << (d - '0'));
            i += 2;
          } else {
            token.digits |= static_cast<uint16_t>(1u << (set[i] - '0'));
          }
        }
        if (token.digits == 0) return false;
      }
    } else {
      return false;
    }
    if (pos < body.size() && body[pos] == '?') {
      token.min = 0;
      ++pos;
    } else if (pos < body.size() && body[pos] == '{') {
      size_t close = body.find('}', pos);
      if (close == std::string_view::npos) return false;
      std::string_view bounds = body.substr(pos + 1, close - pos - 1);
      pos = close + 1;
      if (bounds.empty() || bounds.size() > 5 || bounds.find_first_not_of("0123456789,") != std::string_view::npos ||
          bounds.front() == ',' || bounds.back() == ',' || std::count(bounds.begin(), bounds.end(), ',') > 1) {
        return false;
      }
      size_t comma = bounds.find(',');
      size_t low = std::stoul(std::string(bounds.substr(0, comma)));
      size_t high = comma == std::string_view::npos ? low : std::stoul(std::string(bounds.substr(comma + 1)));
      if (low == 0 || low > high || high > 64) return false;
      token.min = static_cast<uint8_t>(low);
      token.max = static_cast<uint8_t>(high);
    }
    if (token.separators != 0 && token.max != 1) return false;
    out.push_back(token);
  }
  // Starts and ends on a required digit; every separator is followed by a required digit.
  if (out.empty() || out.front().digits == 0 || out.front().min == 0 || out.back().digits == 0 || out.back().min == 0) {
    return false;
  }
  for (size_t i = 0; i + 1 < out.size(); ++i) {
    if (out[i].separators != 0 && (out[i + 1].digits == 0 || out[i + 1].min == 0)) return false;
  }
  return true;
}

// The alternatives of a digit-shape pattern (see above), or none if the pattern is not one.
std::vector<ShapeSequence> ParseDigitShape(std::string_view pattern) {
  if (!pattern.starts_with("\\b") || !pattern.ends_with("\\b") || pattern.size() < 5) return {};
  std::string_view body = pattern.substr(2, pattern.size() - 4);
  std::string_view optional;
  if (body.ends_with(")?")) {
    size_t open = body.rfind("(?:");
    if (open == std::string_view::npos) return {};
    optional = body.substr(open + 3, body.size() - open - 5);
    body = body.substr(0, open);
    if (optional.find_first_of("()|") != std::string_view::npos) return {};
  }
  if (body.find_first_of("()|") != std::string_view::npos) return {};
  ShapeSequence base;
  if (!ParseShapeSequence(body, base)) return {};
  std::vector<ShapeSequence> alternatives{base};
  if (!optional.empty()) {
    ShapeSequence longer = base;
    ShapeSequence tail;
    if (!ParseShapeSequence(optional, tail)) {
      // The optional part may start with a separator, which ParseShapeSequence refuses as a whole sequence.
      tail.clear();
      ShapeSequence rest;
      size_t skip = optional.starts_with("\\-") ? 2 : 1;
      if (!(optional.front() == '-' || optional.front() == ' ' || optional.starts_with("\\-"))) return {};
      if (!ParseShapeSequence(optional.substr(skip), rest)) return {};
      ShapeToken separator;
      separator.separators = optional.front() == ' ' ? 1 : 2;
      tail.push_back(separator);
      tail.insert(tail.end(), rest.begin(), rest.end());
    }
    longer.insert(longer.end(), tail.begin(), tail.end());
    alternatives.push_back(longer);
  }
  return alternatives;
}

// Every end e such that text[start, e) matches `tokens` from token `index` on, followed by \b; into `ends`.
void ShapeEnds(std::string_view text, const ShapeSequence& tokens, size_t index, size_t pos,
               std::vector<size_t>& ends) {
  if (index == tokens.size()) {
    if (pos == text.size() || !IsRegexWord(static_cast<unsigned char>(text[pos]))) ends.push_back(pos);
    return;
  }
  const ShapeToken& token = tokens[index];
  if (token.separators != 0) {
    if (pos < text.size() &&
        ((text[pos] == ' ' && (token.separators & 1)) || (text[pos] == '-' && (token.separators & 2)))) {
      ShapeEnds(text, tokens, index + 1, pos + 1, ends);
    }
    if (token.min == 0) ShapeEnds(text, tokens, index + 1, pos, ends);
    return;
  }
  size_t count = 0;
  while (count < token.min) {
    if (pos + count >= text.size()) return;
    unsigned d = static_cast<unsigned char>(text[pos + count]) - '0';
    if (d > 9 || !((token.digits >> d) & 1)) return;
    ++count;
  }
  while (true) {
    ShapeEnds(text, tokens, index + 1, pos + count, ends);
    if (count == token.max || pos + count >= text.size()) return;
    unsigned d = static_cast<unsigned char>(text[pos + count]) - '0';
    if (d > 9 || !((token.digits >> d) & 1)) return;
    ++count;
  }
}

// A pattern matched natively by DigitChains(): its patterns_ index and digit counts.
struct NativeDigits {
  uint32_t pattern;
  size_t min_digits, max_digits;
  std::vector<ShapeSequence> shape;  // kNativeDigitShape: the alternatives
  uint64_t first_lengths = 0;        // kNativeDigitShape: bit L (L < 63) or 63 (longer): a match may start in a
                                     // digit run of that length
};

// The lengths of the digit run a match of `alternatives` can start in: the digits before the first separator, or
// more when that separator is optional (or there is none before a following digit).
uint64_t FirstRunLengths(const std::vector<ShapeSequence>& alternatives) {
  uint64_t mask = 0;
  for (const ShapeSequence& tokens : alternatives) {
    size_t low = 0, high = 0;
    bool open_ended = true;  // no required separator after the leading digits
    for (const ShapeToken& token : tokens) {
      if (token.separators != 0) {
        open_ended = token.min == 0;
        break;
      }
      low += token.min;
      high += token.max;
    }
    if (open_ended && high < 63) {
      // An optional separator (or none at the end) lets the run go on: any length from `low` up.
      bool any_separator = std::any_of(tokens.begin(), tokens.end(), [](const ShapeToken& t) { return t.separators; });
      if (any_separator) high = 63;
    }
    for (size_t length = low; length <= std::min<size_t>(high, 63); ++length) mask |= uint64_t{1} << length;
  }
  return mask;
}

// One pass over the digits of `text` for every native pattern: `chains` are card shapes (see above), `runs` are
// `\b\d{m,n}\b` — a maximal digit run of m..n digits with a non-word byte (or the text's edge) on both sides, as a
// run has no word boundary inside it. Each chain's run matches come before its chain matches, so that matches with
// one end keep the order they had when the runs were Vectorscan's (reported before the native chain matches).
// `starts`, when given, lists the first digits of the only chains that can hold enough digits (the first pass's
// kChain triggers); the other chains are skipped without a look.
void DigitChains(std::string_view text, const std::vector<uint32_t>* starts, const std::vector<NativeDigits>& chains,
                 const std::vector<NativeDigits>& runs, const std::vector<NativeDigits>& shapes,
                 const std::array<uint64_t, 64>& shapes_by_length, size_t min_digits, std::vector<Group>& groups,
                 std::vector<size_t>& ends, std::vector<RawMatch>& out) {
  const size_t n = text.size();
  auto digit = [&](size_t pos) { return text[pos] >= '0' && text[pos] <= '9'; };
  size_t pos = 0, next_start = 0;
  while (pos < n) {
    if (starts != nullptr) {
      while (next_start < starts->size() && (*starts)[next_start] < pos) ++next_start;
      if (next_start == starts->size()) break;
      pos = (*starts)[next_start];
    } else {
      pos = SkipTo(text, pos, true);
      if (pos == n) break;
    }
    groups.clear();
    size_t digits = 0;
    while (true) {
      size_t group_start = pos;
      pos = SkipTo(text, pos, false);
      groups.push_back({group_start, pos, digits});
      digits += pos - group_start;
      if (pos + 1 < n && (text[pos] == ' ' || text[pos] == '-') && digit(pos + 1)) {
        ++pos;
        continue;
      }
      break;
    }
    size_t first = groups.front().start;
    size_t first_valid = first == 0 || !IsRegexWord(static_cast<unsigned char>(text[first - 1])) ? 0 : 1;
    bool last_valid = pos == n || !IsRegexWord(static_cast<unsigned char>(text[pos]));
    if (digits < min_digits) continue;  // most chains (times, counts) are too short for any native pattern
    for (const NativeDigits& run : runs) {
      for (size_t idx = first_valid; idx < groups.size(); ++idx) {
        if (idx + 1 == groups.size() && !last_valid) break;
        size_t length = groups[idx].end - groups[idx].start;
        if (length < run.min_digits || length > run.max_digits) continue;
        out.push_back({run.pattern, static_cast<uint32_t>(groups[idx].start), static_cast<uint32_t>(groups[idx].end)});
      }
    }
    // Shapes: from every run start with \b before it, each end once, with its leftmost start (as Vectorscan reports).
    // A shape is tried only when one of the chain's runs has a length its matches can start in, in shape order
    // (the first 64 shapes by the precomputed masks; a catalog with more has the rest checked one by one).
    uint64_t lengths = 0, tried = 0;
    for (size_t idx = first_valid; idx < groups.size(); ++idx) {
      const size_t length = std::min<size_t>(groups[idx].end - groups[idx].start, 63);
      lengths |= uint64_t{1} << length;
      tried |= shapes_by_length[length];
    }
    auto try_shape = [&](const NativeDigits& shape) {
      if (digits < shape.min_digits) return;
      size_t reported = out.size();
      for (size_t idx = first_valid; idx < groups.size(); ++idx) {
        if (digits - groups[idx].digits_before < shape.min_digits) break;
        size_t start = groups[idx].start, length = std::min<size_t>(groups[idx].end - start, 63);
        if (((shape.first_lengths >> length) & 1) == 0) continue;
        ends.clear();
        for (const ShapeSequence& alternative : shape.shape) ShapeEnds(text, alternative, 0, start, ends);
        for (size_t end : ends) {
          bool seen = false;
          for (size_t k = reported; k < out.size() && !seen; ++k) seen = out[k].to == end;
          if (!seen) out.push_back({shape.pattern, static_cast<uint32_t>(start), static_cast<uint32_t>(end)});
        }
      }
    };
    for (; tried != 0; tried &= tried - 1) try_shape(shapes[static_cast<size_t>(__builtin_ctzll(tried))]);
    for (size_t index = 64; index < shapes.size(); ++index) {
      if ((shapes[index].first_lengths & lengths) != 0) try_shape(shapes[index]);
    }
    for (const NativeDigits& chain : chains) {
      if (digits < chain.min_digits) continue;
      size_t from = first_valid;  // the leftmost start group still within max_digits of the current end
      for (size_t last = 0; last < groups.size(); ++last) {
        if (last + 1 == groups.size() && !last_valid) break;
        size_t total = groups[last].digits_before + (groups[last].end - groups[last].start);
        while (from <= last && total - groups[from].digits_before > chain.max_digits) ++from;
        if (from > last || total - groups[from].digits_before < chain.min_digits) continue;
        out.push_back(
            {chain.pattern, static_cast<uint32_t>(groups[from].start), static_cast<uint32_t>(groups[last].end)});
      }
    }
  }
}

struct Candidate {
  size_t entity;
  size_t start;
  size_t end;
  double score;
  int column;
  std::string_view key;  // JSON key of the value holding the match, if any
  size_t match_end;      // where the match ended (a validator may narrow the span): which chunk reports it
};

class LockedSink : public Sink {
 public:
  explicit LockedSink(Sink& inner) : inner_(inner) {}
  void OnFinding(const Finding& finding) override {
    std::lock_guard lock(mutex_);
    inner_.OnFinding(finding);
  }
  void OnFileDone(std::string_view path, uint64_t bytes) override {
    std::lock_guard lock(mutex_);
    inner_.OnFileDone(path, bytes);
  }
  void OnError(const Status& status) override {
    std::lock_guard lock(mutex_);
    inner_.OnError(status);
  }
  void OnSkipped(std::string_view path, std::string_view reason) override {
    std::lock_guard lock(mutex_);
    inner_.OnSkipped(path, reason);
  }

 private:
  Sink& inner_;
  std::mutex mutex_;
};

}  // namespace

Result<std::shared_ptr<const Ruleset>> Ruleset::Compile(Catalog catalog) {
  std::shared_ptr<Ruleset> rules(new Ruleset());
  rules->catalog_ = std::move(catalog);
  std::vector<std::string> shared_negative;
  for (const std::string& word : rules->catalog_.negative_context) shared_negative.push_back(Lower(word));
  std::vector<const std::string*> pattern_strings;  // parallel to patterns_ (catalog_ owns the strings)
  std::vector<const char*> expressions;             // the patterns Vectorscan scans; ids[i] is the patterns_ index
  std::vector<unsigned int> flags, ids;
  for (size_t entity_idx = 0; entity_idx < rules->catalog_.entities.size(); ++entity_idx) {
    const Entity& entity = rules->catalog_.entities[entity_idx];
    EntityInfo info;
    info.validator = FindValidator(entity.validator);
    info.costly = entity.validator == "phone";
    info.digit_counts = ValidatorDigitCounts(entity.validator);
    if (info.validator == nullptr) {
      return Status::InvalidArgument(entity.where + ": entity \"" + entity.id + "\" names unknown validator \"" +
                                     entity.validator + "\"; use one listed in docs/pii.md");
    }
    for (const std::string& word : entity.context) info.context.push_back(Lower(word));
    info.negative_context = shared_negative;
    for (const std::string& word : entity.negative_context) info.negative_context.push_back(Lower(word));
    rules->entities_.push_back(std::move(info));
    for (const std::string& pattern : entity.patterns) {
      auto known = std::find_if(pattern_strings.begin(), pattern_strings.end(),
                                [&](const std::string* other) { return pattern == *other; });
      if (known != pattern_strings.end()) {
        rules->patterns_[static_cast<size_t>(known - pattern_strings.begin())].entities.push_back(entity_idx);
        continue;
      }
      pattern_strings.push_back(&pattern);
      PatternInfo added;
      added.entities = {entity_idx};
      added.pattern = pattern;
      auto [low, high] = DigitChainBounds(pattern);
      added.start_rule = kNativeDigitChain;
      if (low == 0) {
        std::tie(low, high) = DigitRunBounds(pattern);
        added.start_rule = kNativeDigitRun;
      }
      if (low > 0) {
        added.min_digits = low;
        added.max_digits = high;
        rules->patterns_.push_back(std::move(added));
        continue;
      }
      if (!ParseDigitShape(pattern).empty()) {
        added.start_rule = kNativeDigitShape;
        rules->patterns_.push_back(std::move(added));
        continue;
      }
      added.start_rule = StartRuleOf(pattern);
      ids.push_back(static_cast<unsigned int>(rules->patterns_.size()));
      expressions.push_back(pattern.c_str());
      flags.push_back(added.start_rule == kStartReported ? HS_FLAG_SOM_LEFTMOST : 0);
      rules->patterns_.push_back(std::move(added));
    }
  }
  // Each pattern goes to the database of its first-pass kind; a pattern whose matches have no length limit can be
  // gated only by kAt (whose window is the run of address bytes around the '@'), the others are scanned whole.
  auto entity_of = [&](size_t expression) -> const Entity& {
    return rules->catalog_.entities[rules->patterns_[ids[expression]].entities.front()];
  };
  std::vector<uint32_t> kinds(expressions.size()), widths(expressions.size());
  for (size_t idx = 0; idx < expressions.size(); ++idx) {
    hs_expr_info_t* info = nullptr;
    hs_compile_error_t* error = nullptr;
    if (hs_expression_info(expressions[idx], flags[idx], &info, &error) != HS_SUCCESS) {
      std::string message = error && error->message ? error->message : "unknown error";
      hs_free_compile_error(error);
      const Entity& entity = entity_of(idx);
      return Status::InvalidArgument(entity.where + ": a pattern of entity \"" + entity.id + "\" does not compile (" +
                                     message + "); correct the pattern.");
    }
    kinds[idx] = static_cast<uint32_t>(GateKindOf(expressions[idx]));
    widths[idx] = info->max_width;
    if (info->max_width == UINT_MAX && kinds[idx] != gate::kAt) kinds[idx] = kUngated;
    std::free(info);
    rules->patterns_[ids[idx]].gate_kind = kinds[idx];
  }
  std::vector<uint32_t> order;  // the kinds present, ungated last
  for (uint32_t kind : kinds) {
    if (std::find(order.begin(), order.end(), kind) == order.end()) order.push_back(kind);
  }
  std::sort(order.begin(), order.end());
  hs_scratch_t* scratch = nullptr;
  for (uint32_t kind : order) {
    std::vector<const char*> group_expressions;
    std::vector<unsigned int> group_flags, group_ids;
    std::vector<size_t> group_index;
    Ruleset::Database added;
    added.kind = kind;
    for (size_t idx = 0; idx < expressions.size(); ++idx) {
      if (kinds[idx] != kind) continue;
      group_expressions.push_back(expressions[idx]);
      group_flags.push_back(flags[idx]);
      group_ids.push_back(ids[idx]);
      group_index.push_back(idx);
      added.width = std::max(added.width, widths[idx]);  // UINT_MAX: some match has no length limit (kAt only)
    }
    // Compiling is most of a short run's time (~0.2 s); each compiled database is cached, keyed by its patterns,
    // their flags and the Vectorscan version, and checked by Vectorscan when loaded.
    std::string cache_key = hs_version();
    for (size_t idx = 0; idx < group_expressions.size(); ++idx) {
      cache_key.append("\n").append(group_expressions[idx]).append("\t" + std::to_string(group_flags[idx]));
    }
    std::filesystem::path cache_path;
    if (const char* off = std::getenv("TUTELA_NO_CACHE"); off == nullptr || *off == '\0') {
      cache_path = UserCachePath("pii-patterns-" + ToHex(Sha256(cache_key)).substr(0, 32) + ".hsdb");
    }
    hs_database_t* database = nullptr;
    if (!cache_path.empty()) {
      auto cached = ReadFile(cache_path, 256 << 20);
      if (cached.ok() && hs_deserialize_database(cached->data(), cached->size(), &database) != HS_SUCCESS) {
        database = nullptr;
      }
    }
    hs_compile_error_t* error = nullptr;
    bool compiled = false;
    if (database == nullptr) {
      if (hs_compile_multi(group_expressions.data(), group_flags.data(), group_ids.data(),
                           static_cast<unsigned int>(group_expressions.size()), HS_MODE_BLOCK, nullptr, &database,
                           &error) != HS_SUCCESS) {
        std::string message = error && error->message ? error->message : "unknown error";
        int index = error ? error->expression : -1;
        hs_free_compile_error(error);
        if (index >= 0 && static_cast<size_t>(index) < group_index.size()) {
          const Entity& entity = entity_of(group_index[static_cast<size_t>(index)]);
          return Status::InvalidArgument(entity.where + ": a pattern of entity \"" + entity.id +
                                         "\" does not compile (" + message + "); correct the pattern.");
        }
        return Status::InvalidArgument("the PII patterns do not compile together (" + message + ").");
      }
      compiled = true;
    }
    added.database = database;
    rules->databases_.push_back(added);  // owned by the Ruleset from here on, even if a later step fails
    if (kind != kUngated) rules->gate_kinds_ |= 1u << kind;
    if (compiled && !cache_path.empty()) {
      char* bytes = nullptr;
      size_t length = 0;
      if (!std::filesystem::exists(cache_path) && hs_serialize_database(database, &bytes, &length) == HS_SUCCESS) {
        std::error_code ignored;
        std::filesystem::create_directories(cache_path.parent_path(), ignored);
        (void)WriteFileAtomic(cache_path, std::string_view(bytes, length));  // a cache: failing to write is fine
        std::free(bytes);
      }
    }
    if (hs_alloc_scratch(database, &scratch) != HS_SUCCESS) {  // grows one scratch to fit every database
      return Status::Internal("cannot allocate Vectorscan scratch space");
    }
    rules->prototype_scratch_ = scratch;
  }
  return std::shared_ptr<const Ruleset>(std::move(rules));
}

std::vector<std::string_view> Ruleset::UngatedPatterns() const {
  std::vector<std::string_view> out;
  for (const PatternInfo& pattern : patterns_) {
    bool native = pattern.start_rule >= kNativeDigitChain;
    if (!native && pattern.gate_kind == kUngated) out.push_back(pattern.pattern);
  }
  return out;
}

Ruleset::~Ruleset() {
  if (prototype_scratch_ != nullptr) hs_free_scratch(static_cast<hs_scratch_t*>(prototype_scratch_));
  for (const Database& database : databases_) hs_free_database(static_cast<hs_database_t*>(database.database));
}

struct Scanner::Impl {
  std::shared_ptr<const Ruleset> rules;
  ScanOptions options;
  hs_scratch_t* scratch = nullptr;
  std::vector<RawMatch> raw;
  std::vector<Group> groups;                       // DigitChains() scratch
  std::vector<NativeDigits> chains, runs, shapes;  // the native patterns (kNativeDigitChain, Run, Shape)
  std::array<uint64_t, 64> shapes_by_length{};     // bit s: shapes[s] may start in a digit run of that length
  // Per bare-digit-run pattern, per run length (32: longer), the entities whose validators accept that many digits.
  std::vector<std::array<std::vector<size_t>, 33>> entities_by_run_length;
  std::vector<size_t> ends;            // DigitChains() scratch
  size_t native_min_digits = 0;        // the fewest digits any native pattern's match holds
  std::vector<uint8_t> report_rank;    // per pattern: see Process()
  std::vector<uint8_t> reports_start;  // per pattern: Vectorscan reports its start (SOM)
  gate::Hits hits;                     // the first pass's triggers in the current text
  std::vector<std::pair<uint64_t, uint64_t>> regions;
  std::string tail;                // ScanDatabase(): the end of the text followed by kTailPad zero bytes
  bool padded = false;             // the text given to Process() is followed by kTailPad readable zero bytes
  std::vector<size_t> run_bounds;  // Process(): where each database's matches (and the native ones) end in `raw`
  size_t email_at = std::string_view::npos;  // StartOf's last e-mail '@' in the current text and the start found for it
  size_t email_start = 0;
  std::vector<Candidate> candidates;
  std::vector<Candidate> kept;
  ByteBuffer buffer;  // ScanFd(): the chunk read, the kept tail of the last one before it
  std::string location;
  // CSV/TSV state of the current file.
  char delimiter = 0;
  bool json = false;             // JSON / NDJSON: the key of the string holding a match is context and location
  bool quote_open = false;       // CSV/TSV: inside a quoted field after the bytes seen so far (TrackQuotes())
  uint64_t open_quote_line = 0;  // the line of the quote that opened it
  std::vector<std::string> columns;
  std::vector<signed char> column_context;  // per column x entity: +1 context word in header, -1 negative, 0 none

  ~Impl() {
    if (scratch != nullptr) hs_free_scratch(scratch);
  }

  void StartFile(std::string_view path) {
    quote_open = false;
    open_quote_line = 0;
    delimiter = 0;
    json = false;
    columns.clear();
    column_context.clear();
    if (!options.column_aware) return;
    auto ends_with = [&](std::string_view suffix) {
      if (path.size() < suffix.size()) return false;
      return Lower(path.substr(path.size() - suffix.size())) == suffix;
    };
    if (ends_with(".csv")) delimiter = ',';
    if (ends_with(".tsv") || ends_with(".tab")) delimiter = '\t';
    json = ends_with(".json") || ends_with(".ndjson") || ends_with(".jsonl");
  }

  // Reads the header from the first chunk of a CSV/TSV file.
  void ReadHeader(std::string_view text) {
    size_t newline = text.find('\n');
    if (newline == std::string_view::npos) {
      delimiter = 0;
      return;
    }
    std::string_view header = text.substr(0, newline);
    if (header.substr(0, 3) == "\xEF\xBB\xBF") header.remove_prefix(3);
    size_t pos = 0;
    while (true) {
      size_t next = header.find(delimiter, pos);
      std::string_view cell = header.substr(pos, next == std::string_view::npos ? std::string_view::npos : next - pos);
      while (!cell.empty() && (cell.back() == '\r' || cell.back() == ' ' || cell.back() == '"')) cell.remove_suffix(1);
      while (!cell.empty() && (cell.front() == ' ' || cell.front() == '"')) cell.remove_prefix(1);
      columns.emplace_back(cell);
      if (next == std::string_view::npos) break;
      pos = next + 1;
    }
    const size_t entity_count = rules->entities_.size();
    column_context.assign(columns.size() * entity_count, 0);
    for (size_t column_idx = 0; column_idx < columns.size(); ++column_idx) {
      std::string name = Lower(columns[column_idx]);
      for (char& c : name) {
        if (c == '_' || c == '-' || c == '.') c = ' ';
      }
      for (size_t entity_idx = 0; entity_idx < entity_count; ++entity_idx) {
        const auto& info = rules->entities_[entity_idx];
        signed char value = 0;
        if (AnyWordIn(name, info.context)) value = 1;
        if (AnyWordIn(name, info.negative_context)) value = -1;
        column_context[column_idx * entity_count + entity_idx] = value;
      }
    }
  }

  // The CSV column of byte `start`, or -1 when unknown (no header, or the line starts before this buffer).
  int ColumnOf(std::string_view text, size_t start, uint64_t base) const {
    if (delimiter == 0 || columns.empty()) return -1;
    size_t line_start = start;
    while (line_start > 0 && text[line_start - 1] != '\n') --line_start;
    if (line_start == 0 && base != 0) return -1;
    int column = 0;
    bool quoted = false;
    for (size_t i = line_start; i < start; ++i) {
      if (text[i] == '"') quoted = !quoted;
      if (!quoted && text[i] == delimiter) ++column;
    }
    return column < static_cast<int>(columns.size()) ? column : -1;
  }

  // For `"key": "... match ..."`, the key (looked for at most 256 bytes back on the same line); empty otherwise.
  static std::string_view JsonKeyOf(std::string_view text, size_t start) {
    size_t limit = start > 256 ? start - 256 : 0;
    size_t quote = start;
    while (quote > limit && text[quote - 1] != '"' && text[quote - 1] != '\n') --quote;
    if (quote == limit || text[quote - 1] != '"') return {};
    size_t pos = quote - 1;  // the value's opening quote
    while (pos > limit && (text[pos - 1] == ' ' || text[pos - 1] == '\t')) --pos;
    if (pos == limit || text[pos - 1] != ':') return {};
    --pos;
    while (pos > limit && (text[pos - 1] == ' ' || text[pos - 1] == '\t')) --pos;
    if (pos == limit || text[pos - 1] != '"') return {};
    size_t key_end = pos - 1, key_start = key_end;
    while (key_start > limit && text[key_start - 1] != '"' && text[key_start - 1] != '\n') --key_start;
    if (key_start == limit || text[key_start - 1] != '"' || key_start == key_end) return {};
    return text.substr(key_start, key_end - key_start);
  }

  // +1 when `name` (a column header or JSON key) holds a context word of the entity, -1 a negative word, else 0.
  signed char NameContext(std::string_view name, size_t entity_idx) const {
    std::string lowered = Lower(name);
    for (char& c : lowered) {
      if (c == '_' || c == '-' || c == '.') c = ' ';
    }
    const auto& info = rules->entities_[entity_idx];
    if (AnyWordIn(lowered, info.negative_context)) return -1;
    return AnyWordIn(lowered, info.context) ? 1 : 0;
  }

  // Whether a context word (positive) or a negative word of the entity is near text[start, end), its column header or
  // its JSON key (`name`).
  struct Context {
    bool positive = false;
    bool negative = false;
  };
  // Negative words are looked for only when they could matter: when the score with the validator's `adjust` and
  // the positive context found reaches the threshold (otherwise the candidate is dropped whatever they say).
  Context ContextOf(std::string_view text, size_t entity_idx, size_t start, size_t end, int column, signed char name,
                    double adjust) const {
    const auto& info = rules->entities_[entity_idx];
    // The window stays on the match's line (and, outside tables, the line before it, where labels often are).
    size_t before = start > kContextBefore ? start - kContextBefore : 0;
    std::string_view left = text.substr(before, start - before);
    const bool two_lines = !(column >= 0 || delimiter != 0 || json);
    const char* newline = static_cast<const char*>(memrchr(left.data(), '\n', left.size()));
    size_t same_line = newline == nullptr ? 0 : static_cast<size_t>(newline - left.data()) + 1;
    if (newline != nullptr && two_lines) {
      const char* earlier = static_cast<const char*>(memrchr(left.data(), '\n', same_line - 1));
      if (earlier != nullptr) {
        size_t cut = static_cast<size_t>(earlier - left.data()) + 1;
        left.remove_prefix(cut);
        same_line -= cut;
      }
    } else if (newline != nullptr) {
      left.remove_prefix(same_line);
      same_line = 0;
    }
    std::string_view right = text.substr(end, std::min(kContextAfter, text.size() - end));
    right = right.substr(0, right.find('\n'));

    Context context;
    signed char header =
        column >= 0 ? column_context[static_cast<size_t>(column) * rules->entities_.size() + entity_idx] : 0;
    const WordWindow words(left, right);
    context.positive = header > 0 || name > 0 || words.AnyOf(info.context);
    if (Score(entity_idx, context, adjust) < options.min_score) return context;
    // Negative words count only on the match's own line: they describe the value itself ("order 4539...").
    context.negative = header < 0 || name < 0 || words.AnyOf(info.negative_context, same_line);
    return context;
  }

  double Score(size_t entity_idx, Context context, double adjust) const {
    double score = rules->catalog_.entities[entity_idx].score + adjust;
    if (context.positive) score += rules->catalog_.context_boost;
    if (context.negative) score -= rules->catalog_.negative_penalty;
    return std::clamp(score, 0.0, 1.0);
  }

  // The leftmost start of the e-mail pattern's match (scanned without start tracking) that ends at `end` (Vectorscan
  // reported it, so one exists), or `end` if none is found (never in practice).
  size_t StartOf(std::string_view text, size_t end) {
    auto boundary = [&](size_t pos) {  // \b before text[pos]
      bool before = pos > 0 && IsRegexWord(static_cast<unsigned char>(text[pos - 1]));
      return before != (pos < text.size() && IsRegexWord(static_cast<unsigned char>(text[pos])));
    };
    // The e-mail pattern: a match holds exactly one '@' — the last one before `end`, as no domain character is '@' —
    // and its domain part does not depend on the start; the local part is any non-empty run of [A-Za-z0-9._%+-]
    // that starts at a word boundary: the leftmost such position in the run before the '@'.
    size_t at = end;
    while (at > 0 && text[at - 1] != '@') --at;
    if (at == 0) return end;
    --at;
    if (at == email_at) return email_start;  // several ends (sub-domains) share one '@': scan its local part once
    size_t run = at;
    while (run > 0) {
      char c = text[run - 1];
      if (!IsRegexWord(static_cast<unsigned char>(c)) && c != '.' && c != '%' && c != '+' && c != '-') break;
      --run;
    }
    size_t start = run;
    while (start < at && !boundary(start)) ++start;
    email_at = at;
    email_start = start < at ? start : end;
    return email_start;
  }

  // The windows of text where the patterns of `database` can match, merged into regions, or the whole text when
  // the database is not gated (or the first pass is off). Every match of a gated pattern holds one of its kind's
  // triggers and lies within `width` bytes of it on the side the kind says (gate.h), so each match lies whole in
  // one window; regions are disjoint, so the leftmost start of every match end is in the region that holds the
  // end: scanning the regions finds exactly the matches (and starts) a scan of the whole text finds.
  void RegionsOf(std::string_view text, const Ruleset::Database& database) {
    regions.clear();
    const uint64_t n = text.size();
    if (database.kind == kUngated || !options.first_pass) {
      regions.emplace_back(0, n);
      return;
    }
    const uint64_t width = database.width;
    auto address_byte = [&](size_t pos) {
      char c = text[pos];
      return IsRegexWord(static_cast<unsigned char>(c)) || c == '.' || c == '%' || c == '+' || c == '-' || c == '@';
    };
    for (uint32_t trigger : hits.at[database.kind]) {
      uint64_t from = trigger, to = trigger + width;
      switch (database.kind) {
        case gate::kAt:  // an address is one run of address bytes holding the '@'
          if (!regions.empty() && trigger < regions.back().second) continue;
          while (from > 0 && address_byte(from - 1)) --from;
          to = trigger + 1;
          while (to < n && address_byte(to)) ++to;
          break;
        case gate::kDottedQuad:  // up to 3 digits before the first dot
          from = trigger >= 3 ? trigger - 3 : 0;
          break;
        case gate::kHexColon:  // up to 4 hexadecimal digits before the first colon
          from = trigger >= 4 ? trigger - 4 : 0;
          break;
        case gate::kGroupEnd:  // the match ends after the trigger, its last digit
          to = trigger + 1;
          from = to >= width ? to - width : 0;
          break;
        default:  // the match starts at the trigger
          break;
      }
      to = std::min(to, n);
      if (!regions.empty() && from <= regions.back().second + kRegionGap) {
        regions.back().second = std::max(regions.back().second, to);
      } else {
        regions.emplace_back(from, to);
      }
    }
  }

  // Vectorscan 5.4.9 (Debian 12's) misses some matches that end in the last ~24 bytes of the buffer it is given,
  // depending on the buffer's address and length (PiiEngine.RegressionAValueAtTheVeryEndOfABufferIsFoundAtEvery-
  // Alignment). So every scan runs kTailPad bytes past the last byte whose matches are kept: more of the text, or,
  // at the text's end, zero bytes (not word bytes, as the end of the text is not; no catalog pattern matches them)
  // after a copy — unless the caller's buffer already has them (`padded`).
  Status ScanDatabase(std::string_view text, const Ruleset::Database& database, std::string_view path) {
    RegionsOf(text, database);
    RegionScan scan{&raw, &reports_start, 0, 0, 0};
    auto run = [&](const char* bytes, uint64_t offset, uint64_t length, uint64_t keep_from, uint64_t keep_to) {
      scan.offset = offset;
      scan.region_from = keep_from;
      scan.region_to = keep_to;
      return hs_scan(static_cast<const hs_database_t*>(database.database), bytes, static_cast<unsigned int>(length), 0,
                     scratch, OnMatch, &scan) == HS_SUCCESS;
    };
    const uint64_t n = text.size();
    const uint64_t tail_span = static_cast<uint64_t>(database.width) + kTailPad + 1;  // see below
    for (const auto& [from, to] : regions) {
      // The first byte scanned has nothing before it, so Vectorscan takes a word boundary there: a match could start
      // at that byte only because of it, and hide (leftmost start) a kept match that ends where it ends. So the scan
      // starts where the byte before is not a word byte (the boundary is then true to the text), or so far back that
      // such a match would be longer than any of these patterns' (fuzz_first_pass found this). The e-mail kind has
      // no length limit but no reported start either, and its regions start after a byte no address holds.
      uint64_t scan_from = from > 0 ? from - 1 : 0;
      if (database.width != UINT_MAX) {
        const uint64_t limit = from > uint64_t{database.width} + 1 ? from - database.width - 1 : 0;
        scan_from = from;
        while (scan_from > limit && IsRegexWord(static_cast<unsigned char>(text[scan_from - 1]))) --scan_from;
      }
      bool scanned = true;
      if (to + 1 + kTailPad <= n) {  // more of the text follows
        scanned = run(text.data() + scan_from, scan_from, to + 1 + kTailPad - scan_from, from, to);
      } else if (padded) {  // the caller's zero bytes follow
        scanned = run(text.data() + scan_from, scan_from, n + kTailPad - scan_from, from, to);
      } else if (database.width == UINT_MAX || n - from < 4 * tail_span) {  // a copy of the region, then zeros
        tail.assign(text.data() + scan_from, n - scan_from);
        tail.append(kTailPad + 1, '\0');
        scanned = run(tail.data(), scan_from, tail.size(), from, to);
      } else {
        // A long region that ends at the text's end (the ungated patterns over a whole buffer): scan it in place for
        // the matches that end before its last kTailPad bytes, then a padded copy of its last tail_span bytes for the
        // others — their leftmost start is at most `width` bytes before their end, so it lies in the copy.
        const uint64_t split = n - kTailPad;
        scanned = run(text.data() + scan_from, scan_from, n - scan_from, from, std::min(to, split));
        const uint64_t tail_from = n - tail_span;
        tail.assign(text.data() + tail_from, tail_span);
        tail.append(kTailPad + 1, '\0');
        uint64_t before = raw.size();
        scanned = scanned && run(tail.data(), tail_from, tail.size(), std::max(from, tail_from + 1), to);
        // Keep only the tail's matches that end in the last kTailPad bytes (the others came from the first scan).
        raw.erase(std::remove_if(raw.begin() + static_cast<std::ptrdiff_t>(before), raw.end(),
                                 [&](const RawMatch& match) { return match.to <= split; }),
                  raw.end());
      }
      if (!scanned) return Status::Internal(std::string(path) + ": the pattern scan failed");
    }
    return Status::Ok();
  }

  // CSV/TSV: follows the '"' bytes of `part` (a prefix of the text Process() scanned last, not seen before, starting
  // after `lines` newlines): a quoted field opens at an odd one and closes at the next ('""' inside it opens and
  // closes again), so the file must end with none open.
  void TrackQuotes(std::string_view part, uint64_t lines) {
    if (delimiter == 0) return;
    const char* end = part.data() + part.size();
    const char* counted = part.data();  // newlines before `counted` are in `lines`
    for (const char* p = part.data(); (p = static_cast<const char*>(std::memchr(p, '"', end - p))) != nullptr; ++p) {
      quote_open = !quote_open;
      if (!quote_open) continue;
      lines += static_cast<uint64_t>(CountByte(std::string_view(counted, static_cast<size_t>(p - counted)), '\n'));
      counted = p;
      open_quote_line = lines + 1;
    }
  }
  // After the whole file: an error when a quoted field was never closed (the findings were still reported, but
  // their columns may be wrong after it).
  void ReportOpenQuote(std::string_view path, Sink& sink) const {
    if (delimiter == 0 || !quote_open) return;
    sink.OnError(Status::InvalidArgument(std::string(path) + ":" + std::to_string(open_quote_line) +
                                         ": a quoted field is never closed, so findings after it may name the wrong "
                                         "column; add the missing '\"' or check the delimiter."));
  }

  // The newlines in text[0, pos) of the text Process() scanned last (counted by its first pass, when on).
  uint64_t LinesBefore(std::string_view text, size_t pos) const {
    if (options.first_pass) return hits.LinesBefore(pos);
    return static_cast<uint64_t>(CountByte(text.substr(0, pos), '\n'));
  }

  // After a chunk of the read buffer was processed (ScanFd, ScanRange): keeps its last kKeep bytes for the next one,
  // moving `base` past the bytes dropped and counting their quotes and line ends.
  void KeepTail(uint64_t& base, uint64_t& lines) {
    const size_t drop = buffer.size() - kKeep;
    TrackQuotes(View(buffer).substr(0, drop), lines);  // nothing without a delimiter (a part)
    lines += LinesBefore(View(buffer), drop);
    buffer.erase(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(drop));
    base += drop;
  }

  // Process() on the read buffer (ScanFd, ScanRange), with kTailPad zero bytes after it while it runs.
  Status ProcessBuffer(uint64_t base, size_t accept_from, size_t accept_to, uint64_t lines_before,
                       std::string_view path, Sink& sink) {
    const size_t size = buffer.size();
    buffer.insert(buffer.end(), kTailPad, '\0');  // reserved in Create(): no reallocation
    padded = true;
    Status processed =
        Process(std::string_view(buffer.data(), size), base, accept_from, accept_to, lines_before, path, sink);
    padded = false;
    buffer.resize(size);
    return processed;
  }

  // Scans text[0, size) that starts at absolute offset `base`, accepting matches whose end lies in
  // (accept_from, accept_to]. `lines_before` counts newlines before `base`.
  Status Process(std::string_view text, uint64_t base, size_t accept_from, size_t accept_to, uint64_t lines_before,
                 std::string_view path, Sink& sink) {
    raw.clear();
    email_at = std::string_view::npos;
    const bool natives = !chains.empty() || !runs.empty() || !shapes.empty();
    if (options.first_pass) {
      uint32_t kinds = rules->gate_kinds_ | (natives ? 1u << gate::kChain : 0u);
      gate::Find(text, kinds, native_min_digits, hits);
    }
    run_bounds.assign(1, 0);
    for (const Ruleset::Database& database : rules->databases_) {
      TUTELA_RETURN_IF_ERROR(ScanDatabase(text, database, path));
      if (raw.size() != run_bounds.back()) run_bounds.push_back(raw.size());
    }
    if (natives) {
      DigitChains(text, options.first_pass ? &hits.at[gate::kChain] : nullptr, chains, runs, shapes, shapes_by_length,
                  native_min_digits, groups, ends, raw);
      if (raw.size() != run_bounds.back()) run_bounds.push_back(raw.size());
    }
    // In the order Vectorscan reported them when it scanned every pattern: by end; at one end, the patterns scanned
    // without start tracking first, then the others by index; the card shape, always native, last. (Which of two
    // entities wins a tie on one span depends on this order.) Each database's reports, and the native matches, come
    // nearly in that order already (by end; out of order only within one end or one digit chain): put each run in
    // order by insertion, then merge the runs.
    auto earlier = [&](const RawMatch& a, const RawMatch& b) {
      if (a.to != b.to) return a.to < b.to;
      if (report_rank[a.pattern] != report_rank[b.pattern]) return report_rank[a.pattern] < report_rank[b.pattern];
      return a.pattern < b.pattern;
    };
    for (size_t run = 1; run < run_bounds.size(); ++run) {
      for (size_t idx = run_bounds[run - 1] + 1; idx < run_bounds[run]; ++idx) {
        RawMatch moving = raw[idx];
        size_t pos = idx;
        for (; pos > run_bounds[run - 1] && earlier(moving, raw[pos - 1]); --pos) raw[pos] = raw[pos - 1];
        raw[pos] = moving;
      }
      if (run >= 2) {
        std::inplace_merge(raw.begin(), raw.begin() + static_cast<std::ptrdiff_t>(run_bounds[run - 1]),
                           raw.begin() + static_cast<std::ptrdiff_t>(run_bounds[run]), earlier);
      }
    }
    // Matches are resolved with their overlapping neighbours before the accepted ones are kept: the matches ending
    // up to kGuard bytes outside (accept_from, accept_to] take part, so a group of overlapping matches that crosses
    // a boundary between chunks (or parts) is resolved the same on both sides, as one scan of the whole text would
    // resolve it (for groups shorter than kGuard). Before, the matches past the boundary were left out, and a value
    // with matches of several lengths across it (MRN: 12345678) was reported twice, cut at the boundary.
    const size_t band_from = accept_from > kGuard ? accept_from - kGuard : 0;
    const size_t band_to = accept_to + kGuard;
    candidates.clear();
    for (const RawMatch& match : raw) {
      if (match.to <= band_from || match.to > band_to) continue;
      const Ruleset::PatternInfo& pattern = rules->patterns_[match.pattern];
      size_t match_from = match.from;
      if (pattern.start_rule == kStartEmail) {
        match_from = StartOf(text, match.to);
        if (match_from >= match.to) continue;
      }
      // A bare digit run goes only to the validators that can accept its length.
      const std::vector<size_t>& entities =
          pattern.start_rule == kNativeDigitRun
              ? entities_by_run_length[match.pattern][std::min<size_t>(match.to - match_from, 32)]
              : pattern.entities;
      for (size_t entity_idx : entities) {
        size_t start = match_from, end = match.to;
        const Ruleset::EntityInfo& info = rules->entities_[entity_idx];
        int column = -2;
        std::string_view key;
        Context context;
        if (info.costly) {
          if (!PhoneShapeOk(text, start, end)) continue;  // rejected by the validator without libphonenumber
          // libphonenumber is by far the costliest validator: call it only when a valid verdict could still reach
          // the threshold — its best adjustment is +0.3, for numbers in +CC form — given the context (phone numbers
          // do not narrow their span, so the context is the same before and after validation).
          double best = text[start] == '+' ? 0.3 : 0.0;
          if (Score(entity_idx, {true, false}, best) < options.min_score) continue;  // even context cannot lift it
          column = ColumnOf(text, start, base);
          key = json ? JsonKeyOf(text, start) : std::string_view();
          signed char name = key.empty() ? 0 : NameContext(key, entity_idx);
          context = ContextOf(text, entity_idx, start, end, column, name, best);
          if (Score(entity_idx, context, best) < options.min_score) continue;
        }
        double adjust = info.validator(text, start, end);
        if (adjust < 0 && adjust <= kInvalid) continue;
        if (column == -2) {
          if (Score(entity_idx, {true, false}, adjust) < options.min_score) continue;  // even context cannot lift it
          column = ColumnOf(text, start, base);
          key = json ? JsonKeyOf(text, start) : std::string_view();
          signed char name = key.empty() ? 0 : NameContext(key, entity_idx);
          context = ContextOf(text, entity_idx, start, end, column, name, adjust);
        }
        double score = Score(entity_idx, context, adjust);
        if (score < options.min_score) continue;
        candidates.push_back({entity_idx, start, end, score, column, key, match.to});
      }
    }
    if (candidates.empty()) return Status::Ok();
    // Stable: candidates with the same span keep their order (match end, pattern, entity), so which of two equal
    // scores wins does not depend on the other candidates in the chunk.
    std::stable_sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
      return a.start != b.start ? a.start < b.start : a.end > b.end;
    });
    // Overlapping candidates: keep the best (highest score, then the longer span).
    kept.clear();
    for (const Candidate& candidate : candidates) {
      if (!kept.empty() && candidate.start < kept.back().end) {
        Candidate& last = kept.back();
        bool better = candidate.score > last.score ||
                      (candidate.score == last.score && candidate.end - candidate.start > last.end - last.start);
        if (better) last = candidate;
        continue;
      }
      kept.push_back(candidate);
    }
    uint64_t line = lines_before + 1;
    size_t cursor = 0;
    for (const Candidate& candidate : kept) {
      if (candidate.match_end <= accept_from || candidate.match_end > accept_to) continue;  // another chunk's
      if (options.first_pass) {  // the first pass counted the newlines of every block
        line = lines_before + 1 + hits.LinesBefore(candidate.start);
      } else {
        line += CountByte(text.substr(cursor, candidate.start - cursor), '\n');
      }
      cursor = candidate.start;
      location.clear();
      if (candidate.column >= 0) location = "column " + columns[static_cast<size_t>(candidate.column)];
      if (!candidate.key.empty()) location.append("key ").append(candidate.key);
      Finding finding;
      finding.entity = &rules->catalog_.entities[candidate.entity];
      finding.path = path;
      finding.location = location;
      finding.start = base + candidate.start;
      finding.end = base + candidate.end;
      finding.line = line;
      finding.score = candidate.score;
      finding.value = text.substr(candidate.start, candidate.end - candidate.start);
      sink.OnFinding(finding);
    }
    return Status::Ok();
  }
};

Scanner::Scanner(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Scanner::~Scanner() = default;

Result<std::unique_ptr<Scanner>> Scanner::Create(std::shared_ptr<const Ruleset> ruleset, ScanOptions options) {
  auto impl = std::make_unique<Impl>();
  if (ruleset->prototype_scratch_ != nullptr &&
      hs_clone_scratch(static_cast<const hs_scratch_t*>(ruleset->prototype_scratch_), &impl->scratch) != HS_SUCCESS) {
    return Status::Internal("cannot allocate Vectorscan scratch space for a scanner");
  }
  for (size_t idx = 0; idx < ruleset->patterns_.size(); ++idx) {
    const Ruleset::PatternInfo& pattern = ruleset->patterns_[idx];
    NativeDigits native{static_cast<uint32_t>(idx), pattern.min_digits, pattern.max_digits, {}};
    if (pattern.start_rule == kNativeDigitChain) impl->chains.push_back(native);
    if (pattern.start_rule == kNativeDigitRun) impl->runs.push_back(native);
    if (pattern.start_rule == kNativeDigitShape) {
      native.shape = ParseDigitShape(pattern.pattern);
      native.first_lengths = FirstRunLengths(native.shape);
      native.min_digits = 64;
      for (const ShapeSequence& alternative : native.shape) {
        size_t digits = 0;
        for (const ShapeToken& token : alternative) digits += token.digits != 0 ? token.min : 0;
        native.min_digits = std::min(native.min_digits, digits);
      }
      impl->shapes.push_back(std::move(native));
    }
    bool unanchored = pattern.start_rule == kStartEmail || pattern.start_rule == kNativeDigitRun;
    impl->report_rank.push_back(unanchored ? 0 : pattern.start_rule == kNativeDigitChain ? 2 : 1);
    impl->reports_start.push_back(pattern.start_rule == kStartReported ? 1 : 0);
  }
  for (size_t index = 0; index < impl->shapes.size() && index < 64; ++index) {
    for (size_t length = 0; length < 64; ++length) {
      if ((impl->shapes[index].first_lengths >> length) & 1) impl->shapes_by_length[length] |= uint64_t{1} << index;
    }
  }
  impl->entities_by_run_length.resize(ruleset->patterns_.size());
  for (size_t idx = 0; idx < ruleset->patterns_.size(); ++idx) {
    const Ruleset::PatternInfo& pattern = ruleset->patterns_[idx];
    if (pattern.start_rule != kNativeDigitRun) continue;
    for (size_t length = 0; length <= 32; ++length) {
      for (size_t entity_idx : pattern.entities) {
        if (length == 32 || ((ruleset->entities_[entity_idx].digit_counts >> length) & 1)) {
          impl->entities_by_run_length[idx][length].push_back(entity_idx);
        }
      }
    }
  }
  impl->native_min_digits = SIZE_MAX;
  for (const auto* list : {&impl->chains, &impl->runs, &impl->shapes}) {
    for (const NativeDigits& native : *list)
      impl->native_min_digits = std::min(impl->native_min_digits, native.min_digits);
  }
  impl->rules = std::move(ruleset);
  options.chunk_size = std::clamp(options.chunk_size, kMinChunk, kMaxChunk);  // offsets in a chunk are 32-bit
  impl->options = options;
  impl->buffer.reserve(options.chunk_size + kKeep + kTailPad);
  impl->raw.reserve(1024);
  return std::unique_ptr<Scanner>(new Scanner(std::move(impl)));
}

Status Scanner::ScanBuffer(std::string_view text, std::string_view path, Sink& sink) {
  impl_->StartFile(path);
  if (impl_->delimiter != 0) impl_->ReadHeader(text);
  // Large buffers are scanned in overlapping windows of 64 MiB: Vectorscan takes 32-bit lengths, and the first
  // pass keeps 12 bytes per 64 of the text it scans.
  const size_t window = size_t{64} << 20;
  uint64_t base = 0, lines = 0, committed = 0;
  while (true) {
    size_t size = std::min(window, text.size() - base);
    bool last = base + size == text.size();
    std::string_view part = text.substr(base, size);
    size_t accept_to = last ? size : size - kGuard;
    TUTELA_RETURN_IF_ERROR(impl_->Process(part, base, committed - base, accept_to, lines, path, sink));
    if (last) {
      impl_->TrackQuotes(part, lines);
      break;
    }
    committed = base + accept_to;
    uint64_t next = base + size - kKeep;
    impl_->TrackQuotes(part.substr(0, next - base), lines);
    lines += impl_->LinesBefore(part, next - base);
    base = next;
  }
  impl_->ReportOpenQuote(path, sink);
  sink.OnFileDone(path, text.size());
  return Status::Ok();
}

Status Scanner::ScanFd(int fd, std::string_view path, Sink& sink, std::string_view read_before) {
  impl_->StartFile(path);
  ByteBuffer& buffer = impl_->buffer;
  buffer.assign(read_before.begin(), read_before.end());
  const size_t chunk = impl_->options.chunk_size;
  uint64_t base = 0, committed = 0, lines = 0, total = read_before.size();
  bool first = true, eof = false;
  Status read_status;
  while (true) {
    size_t target = first ? std::max(chunk, buffer.size()) : buffer.size() + chunk;
    while (buffer.size() < target && !eof) {
      Result<size_t> got = ReadAppend(fd, buffer, target - buffer.size(), path);
      if (!got.ok()) read_status = got.status();
      eof = !got.ok() || *got == 0;
      total += got.ok() ? *got : 0;
    }
    if (first) {
      first = false;
      std::string_view head(buffer.data(), std::min<size_t>(buffer.size(), 8192));
      if (head.size() >= 2 && ((head[0] == '\xFF' && head[1] == '\xFE') || (head[0] == '\xFE' && head[1] == '\xFF'))) {
        sink.OnSkipped(path, "UTF-16 text (only UTF-8 and ASCII text is scanned in this version)");
        return Status::Ok();
      }
      if (impl_->options.sniff_binary && head.find('\0') != std::string_view::npos) {
        sink.OnSkipped(path, "binary content");
        return Status::Ok();
      }
      if (impl_->delimiter != 0) impl_->ReadHeader(View(buffer));
    }
    bool last = eof;
    size_t accept_to = last ? buffer.size() : buffer.size() - kGuard;
    TUTELA_RETURN_IF_ERROR(impl_->ProcessBuffer(base, committed - base, accept_to, lines, path, sink));
    if (last) {
      impl_->TrackQuotes(View(buffer), lines);
      break;
    }
    committed = base + accept_to;
    impl_->KeepTail(base, lines);
  }
  if (read_status.ok()) impl_->ReportOpenQuote(path, sink);
  sink.OnFileDone(path, total);
  return read_status;
}

Status Scanner::ScanRange(int fd, std::string_view path, uint64_t begin, uint64_t end, uint64_t file_size, Sink& sink,
                          uint64_t* newlines, uint64_t* bytes_read) {
  impl_->StartFile(path);
  impl_->delimiter = 0;  // a part has no header: ScanPaths gives only plain text (IsPlainText) in parts
  impl_->json = false;
  *newlines = 0;
  *bytes_read = 0;
  ByteBuffer& buffer = impl_->buffer;
  buffer.clear();
  const size_t chunk = impl_->options.chunk_size;
  // The part is scanned as chunks of the file are: with kKeep bytes before it for context (the matches ending there
  // belong to the part before), and read kKeep bytes past `end`, where the next part's matches begin.
  const uint64_t limit = std::min(file_size, end + kKeep);
  uint64_t base = begin > kKeep ? begin - kKeep : 0;
  uint64_t offset = base, committed = begin;
  uint64_t lines = 0;  // newlines before `base`, counted from `begin`: minus those in [base, begin), modulo 2^64
  bool first = true, eof = false;
  while (true) {
    size_t target = buffer.size() + chunk;
    while (buffer.size() < target && offset < limit && !eof) {
      const size_t old = buffer.size();
      const size_t want = static_cast<size_t>(std::min<uint64_t>(target - old, limit - offset));
      TUTELA_ASSIGN_OR_RETURN(size_t got, ReadAppendAt(fd, offset, buffer, want, path));
      eof = got == 0;  // the file is shorter than it was: scanned up to its end
      uint64_t from = std::max(offset, begin), to = std::min(offset + got, end);
      if (from < to) {
        *newlines += CountByte(std::string_view(buffer.data() + old + (from - offset), to - from), '\n');
        *bytes_read += to - from;
      }
      offset += got;
    }
    if (first) {
      first = false;
      size_t before = static_cast<size_t>(std::min<uint64_t>(begin - base, buffer.size()));
      lines = uint64_t{0} - CountByte(std::string_view(buffer.data(), before), '\n');
    }
    const bool last = eof || offset >= limit;
    const size_t size = buffer.size();
    const size_t own = static_cast<size_t>(std::min<uint64_t>(end - base, size));  // the part's bytes end here
    size_t accept_to = last ? own : std::min(size - kGuard, own);
    TUTELA_RETURN_IF_ERROR(impl_->ProcessBuffer(base, committed - base, accept_to, lines, path, sink));
    if (last || accept_to == own) break;  // every match ending in the part was looked at
    committed = base + accept_to;
    impl_->KeepTail(base, lines);
  }
  return Status::Ok();
}

Status Scanner::ScanFile(const std::filesystem::path& file, std::string_view display_path, Sink& sink) {
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, "open", file);
  Status status = ScanFd(fd, display_path, sink);
  ::close(fd);
  return status;
}

namespace {

// A large plain-text file that ScanPaths scans in parts on several workers. Each part's findings are held until the
// parts before it are done, then handed to the sink in order with their line numbers made absolute, so the output
// is what one scan of the file gives. Workers take at most kPartsAhead parts per worker beyond the first part not yet
// handed over, so what is held stays bounded whatever the file's size.
struct PartedFile {
  struct Part {
    bool done = false;
    Status status;
    uint64_t newlines = 0, bytes = 0;
    std::vector<HeldFinding> findings;
  };
  std::filesystem::path path;
  std::string display;
  uint64_t size = 0, part_bytes = 0;
  std::mutex mutex;  // parts, lines_before, bytes
  std::vector<Part> parts;
  std::atomic<size_t> handed_over{0};  // parts whose findings went to the sink
  uint64_t lines_before = 0, bytes = 0;
  Status first_error;
};
constexpr size_t kPartsAhead = 2;

class HoldingSink : public Sink {
 public:
  explicit HoldingSink(std::vector<HeldFinding>& out) : out_(out) {}
  void OnFinding(const Finding& finding) override { out_.push_back(Hold(finding)); }

 private:
  std::vector<HeldFinding>& out_;
};

// Scans part `index` of `file` and hands over every part that is then complete in order (on this thread, under the
// file's lock).
void ScanPart(Scanner& scanner, PartedFile& file, size_t index, Sink& sink) {
  PartedFile::Part result;
  uint64_t begin = index * file.part_bytes;
  uint64_t end = index + 1 == file.parts.size() ? file.size : begin + file.part_bytes;
  HoldingSink held(result.findings);
  int fd = ::open(file.path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    result.status = ErrnoStatus(errno, "open", file.path);
  } else {
    try {
      result.status = scanner.ScanRange(fd, file.display, begin, end, file.size, held, &result.newlines, &result.bytes);
    } catch (const std::exception& error) {
      result.status = Status::Internal(file.display + ": the scan of this input stopped (" + error.what() +
                                       "); please report this with the file's type");
    }
    ::close(fd);
  }
  result.done = true;
  std::lock_guard lock(file.mutex);
  file.parts[index] = std::move(result);
  for (size_t next = file.handed_over.load(); next < file.parts.size() && file.parts[next].done; ++next) {
    PartedFile::Part& part = file.parts[next];
    try {  // the hand-over goes on whatever happens: other workers wait for it
      // Line numbers modulo 2^64: the part's count from its first line.
      for (const HeldFinding& hit : part.findings) HandOver(hit, file.display, file.lines_before, sink);
    } catch (const std::exception& error) {
      if (part.status.ok()) {
        part.status = Status::Internal(file.display + ": the scan of this input stopped (" + error.what() + ")");
      }
    }
    if (!part.status.ok() && file.first_error.ok()) file.first_error = part.status;
    file.lines_before += part.newlines;
    file.bytes += part.bytes;
    std::vector<HeldFinding>().swap(part.findings);  // its memory too (assigning {} keeps the capacity)
    file.handed_over.store(next + 1);
    if (next + 1 == file.parts.size()) {
      try {
        if (!file.first_error.ok()) sink.OnError(file.first_error);
        sink.OnFileDone(file.display, file.bytes);
      } catch (const std::exception&) {  // a sink that throws here cannot be told; the scan goes on
      }
    }
  }
}

}  // namespace

Status ScanPaths(std::shared_ptr<const Ruleset> ruleset, const std::vector<std::string>& roots, const WalkOptions& walk,
                 const ScanOptions& options, size_t threads, Sink& sink) {
  return ScanPaths(std::move(ruleset), roots, walk, options, threads, ExtractOptions{}, sink);
}

Status ScanPaths(std::shared_ptr<const Ruleset> ruleset, const std::vector<std::string>& roots, const WalkOptions& walk,
                 const ScanOptions& options, size_t threads, const ExtractOptions& extract, Sink& sink) {
  LockedSink lock(sink);
  Sink& locked = sink.ThreadSafe() ? sink : lock;
  std::vector<std::filesystem::path> file_roots;
  Status first_error;
  for (const std::string& root : roots) {
    if (root == "-" || IsPostgresUri(root)) {
      TUTELA_ASSIGN_OR_RETURN(auto scanner, Scanner::Create(ruleset, options));
      Status status =
          root == "-" ? ScanStdin(*scanner, extract, locked) : ScanPostgres(*scanner, root, extract, locked);
      if (!status.ok()) locked.OnError(status);
    } else {
      file_roots.emplace_back(root);
    }
  }
  if (file_roots.empty()) return Status::Ok();
  // The walk feeds the workers as it goes: they start on the first file found instead of after the last one, so
  // the walk of a large tree (about 2.5 us a file, on this thread) overlaps the scan.
  // A large plain-text file becomes one item per part (PartedFile).
  struct Item {
    std::filesystem::path path;
    std::string display;
    std::shared_ptr<PartedFile> parted;
    size_t part = 0;
  };
  struct Queue {
    std::mutex mutex;
    std::condition_variable ready;
    std::deque<Item> items;
    bool done = false;  // the walk has ended: no more items will come
  } queue;
  if (threads == 0) threads = ThreadPool::HardwareThreads();
  // Waits for the next item; false when the walk has ended and every item was taken. A part waits while its file
  // has kPartsAhead parts per worker held or being scanned before it.
  auto take = [&queue, threads](Item& item) {
    std::unique_lock lock(queue.mutex);
    queue.ready.wait(lock, [&] {
      if (queue.items.empty()) return queue.done;
      const Item& front = queue.items.front();
      return front.parted == nullptr || front.part < front.parted->handed_over.load() + kPartsAhead * threads;
    });
    if (queue.items.empty()) return false;
    item = std::move(queue.items.front());
    queue.items.pop_front();
    return true;
  };
  const bool parts = threads > 1 && options.part_bytes > 0;
  Status setup_error;
  std::mutex setup_mutex;
  ThreadPool pool(threads);
  std::vector<std::future<void>> workers;
  for (size_t worker = 0; worker < threads; ++worker) {
    workers.push_back(pool.Submit([&] {
      std::unique_ptr<Scanner> scanner;
      for (Item item; take(item);) {
        if (scanner == nullptr) {  // made on the first file, so a scan of one file sets up one scanner
          auto created = Scanner::Create(ruleset, options);
          if (!created.ok()) {
            std::lock_guard lock(setup_mutex);
            setup_error = created.status();
            std::lock_guard queue_lock(queue.mutex);  // given back for a worker that has a scanner, if any
            queue.items.push_front(std::move(item));
            return;
          }
          scanner = std::move(*created);
        }
        if (item.parted != nullptr) {
          ScanPart(*scanner, *item.parted, item.part, locked);
          { std::lock_guard queue_lock(queue.mutex); }  // a part waiting for this hand-over sees it
          queue.ready.notify_all();
          continue;
        }
        // An exception from one input (a sink that cannot write, memory) is that input's error; the worker goes
        // on with the others. Before, it ended the worker silently and its remaining files were never scanned.
        Status status;
        try {
          status = ScanInput(*scanner, item.path, item.display, extract, locked);
        } catch (const std::exception& error) {
          status = Status::Internal(item.display + ": the scan of this input stopped (" + error.what() +
                                    "); please report this with the file's type");
        }
        if (!status.ok()) locked.OnError(status);
      }
    }));
  }
  Status walked = WalkFiles(
      file_roots, walk,
      [&](const WalkEntry& entry) {
        if (parts && entry.size >= 4 * options.part_bytes && IsPlainText(entry.path, extract, options.sniff_binary)) {
          auto parted = std::make_shared<PartedFile>();
          parted->path = entry.path;
          parted->display = entry.path.string();
          parted->size = entry.size;
          parted->part_bytes = options.part_bytes;
          parted->parts.resize(entry.size / options.part_bytes);  // the last part takes the rest
          {
            std::lock_guard lock(queue.mutex);
            for (size_t index = 0; index < parted->parts.size(); ++index) {
              queue.items.push_back({entry.path, parted->display, parted, index});
            }
          }
          queue.ready.notify_all();
          return true;
        }
        {
          std::lock_guard lock(queue.mutex);
          queue.items.push_back({entry.path, entry.path.string()});
        }
        queue.ready.notify_one();
        return true;
      },
      [&](const WalkIssue& issue) {
        if (issue.kind == WalkIssueKind::kError) {
          locked.OnError(issue.status);
        } else {
          locked.OnSkipped(issue.path.string(), issue.kind == WalkIssueKind::kSkippedTooLarge ? "larger than --max-size"
                                                : issue.kind == WalkIssueKind::kSkippedSymlinkLoop
                                                    ? "symbolic link loop"
                                                    : "not a regular file");
        }
      });
  if (!walked.ok()) first_error = walked;
  {
    std::lock_guard lock(queue.mutex);
    queue.done = true;
  }
  queue.ready.notify_all();
  pool.Wait();
  for (auto& worker : workers) {
    try {
      worker.get();
    } catch (const std::exception& error) {
      std::lock_guard lock(setup_mutex);
      if (setup_error.ok()) setup_error = Status::Internal(std::string("a scan worker stopped: ") + error.what());
    }
  }
  if (!setup_error.ok()) return setup_error;
  return first_error;
}

}  // namespace tutela::pii
