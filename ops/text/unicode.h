// UTF-8 decoding and a small case mapping of our own, so that string operators never depend
// on the host's C/C++ locale or on ICU (CI machines often lack en_US.UTF-8).
//
// The mapping is Unicode's simple (one code point to one code point) case mapping for
// ASCII, Latin-1 Supplement, Latin Extended-A, Greek and Coptic, Cyrillic and Cyrillic
// Supplement. Every other code point maps to itself, and so do characters whose case change
// needs more than one code point (German ß upper-cases to "SS" only in the full mapping,
// and Greek ΐ/ΰ likewise), as in Unicode's simple mapping.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace onyx::text {

char32_t to_lower(char32_t c);
char32_t to_upper(char32_t c);
// Case-insensitive comparison key: lower(upper(c)), so that ς, σ and Σ (also ſ, s and S,
// µ and μ) compare equal.
char32_t fold_case(char32_t c);

enum class CaseChange { None, Lower, Upper, Fold };

// Decodes `in` as strict UTF-8 (no overlong forms, surrogates or code points past
// U+10FFFF), maps every code point by `change` and appends the re-encoded result to `out`.
// Returns false on invalid UTF-8 and sets `bad_offset` to the first byte that is wrong.
bool change_case(std::string_view in, CaseChange change, std::string& out, size_t& bad_offset);

// Appends the UTF-8 encoding of code point `c` (at most U+10FFFF, not a surrogate).
void append_utf8(char32_t c, std::string& out);

}  // namespace onyx::text
