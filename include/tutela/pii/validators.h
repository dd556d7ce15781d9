// Validators: the code that confirms a pattern candidate is really the entity (check digits, dates, ranges).
//
// A validator receives the text around a candidate and the candidate's [start, end) within it. It may narrow the
// span (context-driven entities match "label: value" and keep only the value) and returns an adjustment to the
// entity's base score: kInvalid (< 0) rejects the candidate, 0 accepts it, other values raise or lower the score
// (e.g. a phone number in +CC form is stronger than a bare national number). Validators never allocate on the heap
// except the phone validator (libphonenumber) and never print.
// Thread-safety: all validators are pure functions, callable from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace tutela::pii {

inline constexpr double kInvalid = -1.0;

using Validator = double (*)(std::string_view text, size_t& start, size_t& end);

// The validator named `name` ("none" accepts everything), or nullptr when no such validator exists.
Validator FindValidator(std::string_view name);

// The checks of the phone validator that need no libphonenumber call (7-15 digits; not the tail or the prefix of a
// longer grouped number such as "0013 8000" in "+86 138 0013 8000"): false when it would reject the candidate
// whatever libphonenumber says. The engine uses it to skip the context search for such candidates.
bool PhoneShapeOk(std::string_view text, size_t start, size_t end);

// For a candidate made only of digits (at most 31): bit n is set when validator `name` may accept n digits; the
// engine skips the call for other counts. All bits for validators that accept any count.
uint32_t ValidatorDigitCounts(std::string_view name);

// Building blocks, exposed for tests.
bool LuhnValid(std::string_view digits);
bool DateExists(int year, int month, int day);
// ISO 7064 MOD 11,10 check of `digits` (the last digit is the check digit).
bool Iso7064Mod11_10Valid(std::string_view digits);

}  // namespace tutela::pii
