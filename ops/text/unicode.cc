// UTF-8 codec and the case tables described in unicode.h. Values come from Unicode's
// UnicodeData.txt (simple uppercase and lowercase mappings) for the covered blocks.
#include "text/unicode.h"

#include <cstdint>

namespace onyx::text {
namespace {

// A run of capital letters whose small letters sit `delta` code points away: every
// `stride`-th code point of [first, last] is a capital (stride 2 covers the blocks where
// capitals and small letters alternate, as in Ā ā Ă ă ...).
struct CasePairs {
  char32_t first;
  char32_t last;
  char32_t stride;
  int32_t delta;
};

constexpr CasePairs kPairs[] = {
    {0x0041, 0x005A, 1, 32},  // ASCII A-Z
    // Latin-1 Supplement: À-Ö, Ø-Þ (× at U+00D7 is no letter).
    {0x00C0, 0x00D6, 1, 32},
    {0x00D8, 0x00DE, 1, 32},
    // Latin Extended-A.
    {0x0100, 0x012E, 2, 1},                // Ā ā ... Į į
    {0x0132, 0x0136, 2, 1},                // Ĳ ĳ ... Ķ ķ
    {0x0139, 0x0147, 2, 1},                // Ĺ ĺ ... Ň ň
    {0x014A, 0x0176, 2, 1},                // Ŋ ŋ ... Ŷ ŷ
    {0x0178, 0x0178, 1, 0x00FF - 0x0178},  // Ÿ ÿ (ÿ lives in Latin-1)
    {0x0179, 0x017D, 2, 1},                // Ź ź ... Ž ž
    // Greek and Coptic.
    {0x0370, 0x0372, 2, 1},                // Ͱ ͱ, Ͳ ͳ
    {0x0376, 0x0376, 1, 1},                // Ͷ ͷ
    {0x037F, 0x037F, 1, 0x03F3 - 0x037F},  // Ϳ ϳ
    {0x0386, 0x0386, 1, 0x03AC - 0x0386},  // Ά ά
    {0x0388, 0x038A, 1, 0x03AD - 0x0388},  // Έ έ, Ή ή, Ί ί
    {0x038C, 0x038C, 1, 0x03CC - 0x038C},  // Ό ό
    {0x038E, 0x038F, 1, 0x03CD - 0x038E},  // Ύ ύ, Ώ ώ
    {0x0391, 0x03A1, 1, 32},               // Α-Ρ
    {0x03A3, 0x03AB, 1, 32},               // Σ-Ϋ (U+03A2 is unassigned)
    {0x03CF, 0x03CF, 1, 0x03D7 - 0x03CF},  // Ϗ ϗ
    {0x03D8, 0x03EE, 2, 1},                // Ϙ ϙ ... Ϯ ϯ
    {0x03F7, 0x03F7, 1, 1},                // Ϸ ϸ
    {0x03F9, 0x03F9, 1, 0x03F2 - 0x03F9},  // Ϲ ϲ
    {0x03FA, 0x03FA, 1, 1},                // Ϻ ϻ
    {0x03FD, 0x03FF, 1, 0x037B - 0x03FD},  // Ͻ ͻ, Ͼ ͼ, Ͽ ͽ
    // Cyrillic and Cyrillic Supplement.
    {0x0400, 0x040F, 1, 0x50},             // Ѐ-Џ
    {0x0410, 0x042F, 1, 32},               // А-Я
    {0x0460, 0x0480, 2, 1},                // Ѡ ѡ ... Ҁ ҁ
    {0x048A, 0x04BE, 2, 1},                // Ҋ ҋ ... Ҿ ҿ
    {0x04C0, 0x04C0, 1, 0x04CF - 0x04C0},  // Ӏ ӏ
    {0x04C1, 0x04CD, 2, 1},                // Ӂ ӂ ... Ӎ ӎ
    {0x04D0, 0x04FE, 2, 1},                // Ӑ ӑ ... Ӿ ӿ
    {0x0500, 0x052E, 2, 1},                // Ԁ ԁ ... Ԯ ԯ
};

// Mappings that go one way only: the other direction leads elsewhere (upper(ς) = Σ but
// lower(Σ) = σ).
struct OneWay {
  char32_t from;
  char32_t to;
};
constexpr OneWay kUpperOnly[] = {
    {0x00B5, 0x039C},  // µ micro sign -> Μ
    {0x0131, 0x0049},  // ı dotless i -> I
    {0x017F, 0x0053},  // ſ long s -> S
    {0x03C2, 0x03A3},  // ς final sigma -> Σ
    {0x03D0, 0x0392},  // ϐ -> Β
    {0x03D1, 0x0398},  // ϑ -> Θ
    {0x03D5, 0x03A6},  // ϕ -> Φ
    {0x03D6, 0x03A0},  // ϖ -> Π
    {0x03F0, 0x039A},  // ϰ -> Κ
    {0x03F1, 0x03A1},  // ϱ -> Ρ
    {0x03F5, 0x0395},  // ϵ -> Ε
};
constexpr OneWay kLowerOnly[] = {
    {0x0130, 0x0069},  // İ capital I with dot -> i
    {0x03F4, 0x03B8},  // ϴ -> θ
};

bool is_capital_in(const CasePairs& p, char32_t c) {
  return c >= p.first && c <= p.last && (c - p.first) % p.stride == 0;
}

}  // namespace

char32_t to_lower(char32_t c) {
  if (c < 0x80) return c >= 'A' && c <= 'Z' ? c + 32 : c;  // the common case, no table walk
  for (const CasePairs& p : kPairs)
    if (is_capital_in(p, c)) return static_cast<char32_t>(static_cast<int32_t>(c) + p.delta);
  for (const OneWay& m : kLowerOnly)
    if (m.from == c) return m.to;
  return c;
}

char32_t to_upper(char32_t c) {
  if (c < 0x80) return c >= 'a' && c <= 'z' ? c - 32 : c;
  for (const CasePairs& p : kPairs) {
    char32_t capital = static_cast<char32_t>(static_cast<int32_t>(c) - p.delta);
    if (is_capital_in(p, capital)) return capital;
  }
  for (const OneWay& m : kUpperOnly)
    if (m.from == c) return m.to;
  return c;
}

char32_t fold_case(char32_t c) { return to_lower(to_upper(c)); }

void append_utf8(char32_t c, std::string& out) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

bool change_case(std::string_view in, CaseChange change, std::string& out, size_t& bad_offset) {
  out.reserve(out.size() + in.size());
  size_t i = 0;
  while (i < in.size()) {
    unsigned char lead = static_cast<unsigned char>(in[i]);
    // The sequence length and the smallest code point it may encode (shorter forms of
    // smaller code points are "overlong" and invalid).
    size_t len;
    char32_t c, min;
    if (lead < 0x80) {
      len = 1, c = lead, min = 0;
    } else if ((lead & 0xE0) == 0xC0) {
      len = 2, c = lead & 0x1F, min = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
      len = 3, c = lead & 0x0F, min = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
      len = 4, c = lead & 0x07, min = 0x10000;
    } else {
      bad_offset = i;  // a stray continuation byte or 0xF8..0xFF
      return false;
    }
    for (size_t k = 1; k < len; ++k) {
      if (i + k >= in.size() || (static_cast<unsigned char>(in[i + k]) & 0xC0) != 0x80) {
        bad_offset = i + k;  // truncated sequence
        return false;
      }
      c = (c << 6) | (static_cast<unsigned char>(in[i + k]) & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
      bad_offset = i;
      return false;
    }
    switch (change) {
      case CaseChange::None:
        break;
      case CaseChange::Lower:
        c = to_lower(c);
        break;
      case CaseChange::Upper:
        c = to_upper(c);
        break;
      case CaseChange::Fold:
        c = fold_case(c);
        break;
    }
    append_utf8(c, out);
    i += len;
  }
  return true;
}

}  // namespace onyx::text
