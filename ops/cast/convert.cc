#include "cast/convert.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>

namespace onyx {
namespace {

template <class T>
constexpr bool is_half_v = std::is_same_v<T, float16_t> || std::is_same_v<T, bfloat16_t>;

// ---- float to integer, as x86-64's truncating conversions (cvttss2si, cvttsd2si) ----

// Truncates x toward zero into S (int32 or int64); NaN and out-of-range give S's minimum,
// the "integer indefinite" value those instructions return.
template <class S, class F>
S truncate_or_min(F x) {
  constexpr F lo = -static_cast<F>(uint64_t{1} << (8 * sizeof(S) - 1));
  if (x >= lo && x < -lo) return static_cast<S>(x);
  return std::numeric_limits<S>::min();
}

// Through a 32-bit conversion for types of 16 bits or less and int32, a 64-bit one for
// uint32 and int64, keeping the low bits, as C casts compile on x86-64. uint64 covers
// [2^63, 2^64) with an offset conversion, whose overflow yields 0.
template <class I, class F>
I float_to_int(F x) {
  if constexpr (std::is_same_v<I, uint64_t>) {
    if (x > static_cast<F>(-1) && x < static_cast<F>(0x1p64)) return static_cast<uint64_t>(x);
    if (x >= static_cast<F>(0x1p64)) return 0;
    return static_cast<uint64_t>(truncate_or_min<int64_t>(x));
  } else if constexpr (sizeof(I) == 8 || std::is_same_v<I, uint32_t>) {
    return static_cast<I>(truncate_or_min<int64_t>(x));
  } else {
    return static_cast<I>(truncate_or_min<int32_t>(x));
  }
}

// ---- to float16 and bfloat16 ----

// double to float rounding to odd: an inexact result keeps its last bit set, so rounding
// it again to a format at least two bits narrower gives the correctly rounded value.
float to_float_odd(double d) {
  float f = static_cast<float>(d);
  if (std::isnan(d) || static_cast<double>(f) == d) return f;
  uint32_t bits;
  std::memcpy(&bits, &f, sizeof bits);
  if ((bits & 1u) == 0) f = std::nextafter(f, d > f ? INFINITY : -INFINITY);
  return f;
}

template <class H>
H narrow(double d, BFloat16Rounding rounding) {
  H h;
  if constexpr (std::is_same_v<H, bfloat16_t>) {
    if (rounding == BFloat16Rounding::Truncate) {
      float f = static_cast<float>(d);
      uint32_t bits;
      std::memcpy(&bits, &f, sizeof bits);
      h.bits = std::isnan(f) ? static_cast<uint16_t>((bits >> 16) | 0x40u)
                             : static_cast<uint16_t>(bits >> 16);
      return h;
    }
  }
  h.bits = H::from_float(to_float_odd(d));
  return h;
}

// ---- to string ----

template <class F>
std::string float_text(F x) {
  if (std::isnan(x)) return "NaN";
  if (std::isinf(x)) return x < 0 ? "-INF" : "INF";
  char buf[64];
  return std::string(buf, std::to_chars(buf, buf + sizeof buf, x).ptr);  // shortest round trip
}

// The fewest significant digits that read back to the same 16-bit value.
template <class H>
std::string half_text(H h) {
  float f = static_cast<float>(h);
  if (!std::isfinite(f)) return float_text(f);
  char buf[64];
  for (int digits = 1; digits <= 9; ++digits) {
    char* end = std::to_chars(buf, buf + sizeof buf, f, std::chars_format::general, digits).ptr;
    float back = 0;
    std::from_chars(buf, end, back);
    if (H(back).bits == h.bits) return std::string(buf, end);
  }
  return float_text(f);
}

template <class T>
std::string text(const T& x) {
  if constexpr (std::is_same_v<T, bool>) {
    return x ? "1" : "0";
  } else if constexpr (is_half_v<T>) {
    return half_text(x);
  } else if constexpr (std::is_floating_point_v<T>) {
    return float_text(x);
  } else {
    char buf[32];
    return std::string(buf, std::to_chars(buf, buf + sizeof buf, x).ptr);
  }
}

// ---- from string ----

std::string_view trim(std::string_view s) {
  const char* space = " \t\n\r\f\v";
  size_t b = s.find_first_not_of(space);
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(space) - b + 1);
}

// from_chars over all of `s`, which may start with '+'.
template <class T>
std::from_chars_result read_all(std::string_view s, T& out) {
  if (s.size() > 1 && s[0] == '+' && s[1] != '-' && s[1] != '+') s.remove_prefix(1);
  std::from_chars_result r = std::from_chars(s.data(), s.data() + s.size(), out);
  if (r.ec == std::errc() && r.ptr != s.data() + s.size()) r.ec = std::errc::invalid_argument;
  return r;
}

// A decimal or scientific number, or inf/infinity/nan in any case ("+INF", "-INF", "NaN").
// Values beyond the type's range become +-inf or +-0, as numpy reads them.
template <class F>
bool parse_float(std::string_view s, F& out) {
  s = trim(s);
  std::from_chars_result r = read_all(s, out);
  if (r.ec != std::errc::result_out_of_range) return r.ec == std::errc() && !s.empty();
  if (r.ptr != s.data() + s.size()) return false;
  if constexpr (std::is_same_v<F, float>) {
    double d;  // within double's range: let the double round
    if (read_all(s, d).ec == std::errc()) {
      out = static_cast<float>(d);
      return true;
    }
  }
  bool negative = s[0] == '-';
  size_t e = s.find_first_of("eE");
  bool tiny = e != std::string_view::npos ? s.substr(e + 1).starts_with('-')
                                          : s.find_first_of("123456789") > s.find('.');
  F magnitude = tiny ? F(0) : std::numeric_limits<F>::infinity();
  out = negative ? -magnitude : magnitude;
  return true;
}

template <class I>
bool parse_int(std::string_view s, I& out) {
  s = trim(s);
  int64_t i;
  uint64_t u;
  double d;
  if (read_all(s, i).ec == std::errc()) {
    out = static_cast<I>(i);
  } else if (read_all(s, u).ec == std::errc()) {
    out = static_cast<I>(u);
  } else if (parse_float(s, d)) {  // "100.5" -> 100, "1e3" -> 1000
    out = float_to_int<I>(d);
  } else {
    return false;
  }
  return true;
}

bool parse_bool(std::string_view s, bool& out) {
  s = trim(s);
  auto is = [&](std::string_view word) {
    if (s.size() != word.size()) return false;
    for (size_t i = 0; i < s.size(); ++i)
      if ((s[i] | 0x20) != word[i]) return false;  // ASCII case folding, no locale
    return true;
  };
  double d;
  if (is("true") || is("false")) {
    out = is("true");
  } else if (parse_float(s, d)) {
    out = d != 0;
  } else {
    return false;
  }
  return true;
}

template <class To>
To parse(const std::string& s, BFloat16Rounding rounding) {
  To out{};
  bool ok;
  if constexpr (std::is_same_v<To, bool>) {
    ok = parse_bool(s, out);
  } else if constexpr (is_half_v<To>) {
    double d;
    ok = parse_float(s, d);
    if (ok) out = narrow<To>(d, rounding);
  } else if constexpr (std::is_floating_point_v<To>) {
    ok = parse_float(s, out);
  } else {
    ok = parse_int(s, out);
  }
  if (!ok) fail("cannot read \"", s, "\" as ", dtype_name(dtype_v<To>));
  return out;
}

// ---- one element ----

template <class To, class From>
To convert_one(const From& x, BFloat16Rounding rounding) {
  if constexpr (std::is_same_v<To, From>) {
    return x;
  } else if constexpr (std::is_same_v<From, std::string>) {
    return parse<To>(x, rounding);
  } else if constexpr (std::is_same_v<To, std::string>) {
    return text(x);
  } else if constexpr (is_half_v<From>) {
    return convert_one<To>(static_cast<float>(x), rounding);
  } else if constexpr (std::is_same_v<To, bool>) {
    return x != static_cast<From>(0);
  } else if constexpr (std::is_same_v<From, bool>) {
    return convert_one<To>(static_cast<uint8_t>(x), rounding);
  } else if constexpr (is_half_v<To>) {
    return narrow<To>(static_cast<double>(x), rounding);
  } else if constexpr (std::is_integral_v<To> && std::is_floating_point_v<From>) {
    return float_to_int<To>(x);
  } else {
    return static_cast<To>(x);  // integers wrap; floats round to nearest
  }
}

}  // namespace

void convert_elements(const Tensor& in, Tensor& out, const CastOptions& options) {
  if (in.numel() != out.numel())
    fail("Cast: ", in.describe(), " cannot be converted into ", out.describe());
  if (dtype_is_narrow(in.dtype())) return convert_elements(widen(in), out, options);
  if (dtype_is_narrow(out.dtype())) {
    Tensor wide = Tensor::uninitialized(widened_dtype(out.dtype()), out.shape());
    convert_elements(in, wide, options);
    return narrow_into(wide, out, options.narrowing);
  }
  const BFloat16Rounding rounding = options.bf16;
  dispatch<AllTypes>(in.dtype(), "Cast", [&](auto from_tag) {
    using From = typename decltype(from_tag)::type;
    dispatch<AllTypes>(out.dtype(), "Cast", [&](auto to_tag) {
      using To = typename decltype(to_tag)::type;
      const From* src = in.data<From>();
      To* dst = out.data<To>();
      for (int64_t i = 0; i < in.numel(); ++i) dst[i] = convert_one<To>(src[i], rounding);
    });
  });
}

}  // namespace onyx
