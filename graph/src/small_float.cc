// A small float is  sign | exponent field | mantissa field.  With E exponent bits, M
// mantissa bits and a bias, a code whose exponent field e is non-zero is the normal
// number 1.mantissa * 2^(e - bias); e = 0 gives the subnormals 0.mantissa * 2^(1 - bias).
// The formats differ in the codes they take from the numbers for inf and NaN:
//
//   format      E  M  bias  specials (S is the sign bit)        largest finite
//   E4M3FN      4  3   7    S.1111.111 NaN, no inf               448
//   E4M3FNUZ    4  3   8    1.0000.000 NaN (no -0), no inf       240
//   E5M2        5  2  15    S.11111.00 inf, S.11111.xx NaN       57344
//   E5M2FNUZ    5  2  16    1.00000.00 NaN (no -0), no inf       57344
//   E2M1        2  1   1    none                                  6
//
// float8e8m0 is different in kind: no sign, no mantissa, the code is the exponent of a
// power of two 2^(code - 127), and 0xFF is NaN.
#include "onyx/small_float.h"

#include <bit>
#include <cmath>

namespace onyx {
namespace {

enum class Specials {
  Ieee,          // an all-ones exponent means inf (mantissa 0) or NaN
  AllOnesNaN,    // only the all-ones code is NaN (per sign); no inf
  NegativeZero,  // the code of -0 is the only NaN; no inf, no -0
  None,          // every code is a number
};

struct Format {
  int exp_bits, mant_bits, bias;
  Specials specials;

  int width() const { return exp_bits + mant_bits; }  // bits below the sign
  int min_exponent() const { return 1 - bias; }       // of the smallest normal number
  uint8_t all_ones() const { return static_cast<uint8_t>((1u << width()) - 1); }
  uint8_t sign_bit() const { return static_cast<uint8_t>(1u << width()); }

  // The largest finite magnitude's code.
  uint8_t max_code() const {
    switch (specials) {
      case Specials::Ieee:  // the exponent below all-ones, the mantissa all ones
        return static_cast<uint8_t>(all_ones() - (1u << mant_bits));
      case Specials::AllOnesNaN:
        return static_cast<uint8_t>(all_ones() - 1);
      default:
        return all_ones();
    }
  }
  uint8_t nan_code(uint8_t sign) const {
    switch (specials) {
      case Specials::Ieee:  // quiet NaN: the top mantissa bit, as a float's NaN narrows
        return static_cast<uint8_t>(sign | (all_ones() - (1u << mant_bits) + 1) |
                                    (1u << (mant_bits - 1)));
      case Specials::AllOnesNaN:
        return sign | all_ones();
      default:  // NegativeZero's NaN; E2M1 has none and ONNX's reference gives -0
        return sign_bit();
    }
  }
  // What a value beyond the largest finite one becomes without saturation.
  uint8_t overflow_code(uint8_t sign) const {
    if (specials == Specials::Ieee)
      return static_cast<uint8_t>(sign | (all_ones() - ((1u << mant_bits) - 1)));  // inf
    if (specials == Specials::None) return sign | max_code();
    return nan_code(sign);
  }
};

const Format& format_of(DType t) {
  static constexpr Format e4m3fn{4, 3, 7, Specials::AllOnesNaN};
  static constexpr Format e4m3fnuz{4, 3, 8, Specials::NegativeZero};
  static constexpr Format e5m2{5, 2, 15, Specials::Ieee};
  static constexpr Format e5m2fnuz{5, 2, 16, Specials::NegativeZero};
  static constexpr Format e2m1{2, 1, 1, Specials::None};
  switch (t) {
    case DType::Float8E4M3FN:
      return e4m3fn;
    case DType::Float8E4M3FNUZ:
      return e4m3fnuz;
    case DType::Float8E5M2:
      return e5m2;
    case DType::Float8E5M2FNUZ:
      return e5m2fnuz;
    case DType::Float4E2M1:
      return e2m1;
    default:
      fail("not a small float type: ", dtype_name(t));
  }
}

float decode(const Format& f, uint8_t code) {
  const bool negative = (code & f.sign_bit()) != 0;
  // A NaN keeps the code's sign bit, as ONNX's reference reads them: the FNUZ NaN 0x80 is -NaN.
  const float nan = negative ? -NAN : NAN;
  const unsigned magnitude = code & f.all_ones();
  const unsigned exponent = magnitude >> f.mant_bits;
  const unsigned mantissa = magnitude & ((1u << f.mant_bits) - 1);
  switch (f.specials) {
    case Specials::Ieee:
      if (exponent == (1u << f.exp_bits) - 1)
        return mantissa ? nan : negative ? -INFINITY : INFINITY;
      break;
    case Specials::AllOnesNaN:
      if (magnitude == f.all_ones()) return nan;
      break;
    case Specials::NegativeZero:
      if (code == f.sign_bit()) return nan;
      break;
    case Specials::None:
      break;
  }
  // Subnormals have no implicit leading 1 and the exponent of the smallest normal.
  const float value = exponent == 0
                          ? std::ldexp(static_cast<float>(mantissa), f.min_exponent() - f.mant_bits)
                          : std::ldexp(static_cast<float>(mantissa + (1u << f.mant_bits)),
                                       static_cast<int>(exponent) - f.bias - f.mant_bits);
  return negative ? -value : value;
}

uint8_t encode(const Format& f, float x, bool saturate) {
  const uint8_t sign = std::signbit(x) ? f.sign_bit() : 0;
  if (std::isnan(x)) return f.nan_code(sign);
  if (std::isinf(x)) return saturate ? sign | f.max_code() : f.overflow_code(sign);
  const double a = std::fabs(static_cast<double>(x));
  int64_t code = 0;
  if (a != 0) {
    // a lies in [2^e, 2^(e+1)), where the format's numbers are 2^(e - M) apart (below the
    // smallest normal, e is held at emin: the subnormals share its spacing). Count the
    // steps of that spacing in a, rounding half to even (nearbyint, default rounding mode).
    // A normal number's code is its exponent field e - emin + 1 above its mantissa
    // steps - 2^M, that is (e - emin) << M plus steps; with e = emin the same sum is the
    // subnormal code, and a count that rounds up to 2^(M+1) carries into the next binade.
    int e;
    std::frexp(a, &e);
    e = std::max(e - 1, f.min_exponent());
    const double steps = std::nearbyint(std::ldexp(a, f.mant_bits - e));
    code =
        (static_cast<int64_t>(e - f.min_exponent()) << f.mant_bits) + static_cast<int64_t>(steps);
  }
  if (code > f.max_code()) return saturate ? sign | f.max_code() : f.overflow_code(sign);
  if (code == 0 && f.specials == Specials::NegativeZero) return 0;  // no -0: it is NaN's code
  return static_cast<uint8_t>(sign | code);
}

// float8e8m0 from a float, as ONNX's reference: the float's own exponent field (bias 127,
// like e8m0's), raised by one when the rounding mode rounds the mantissa up. The sign is
// dropped; inf and NaN become NaN.
uint8_t encode_e8m0(float x, bool saturate, E8M0Rounding rounding) {
  const uint32_t bits = std::bit_cast<uint32_t>(x);
  const uint32_t exponent = (bits >> 23) & 0xFF, fraction = bits & 0x7FFFFF;
  if (exponent == 0xFF) return 0xFF;
  bool up = false;
  switch (rounding) {
    case E8M0Rounding::Up:
      up = fraction != 0;
      break;
    case E8M0Rounding::Down:
      break;
    case E8M0Rounding::Nearest: {
      // At or past the binade's midpoint 1.5 * 2^e; a float subnormal's tie stays down
      // (the reference's lsb test, which its exponent 0 fails).
      const bool half = (fraction & 0x400000) != 0, rest = (fraction & 0x3FFFFF) != 0;
      up = half && (rest || exponent > 0);
      break;
    }
  }
  if (up && saturate && exponent == 0xFE) up = false;  // 2^127 is the largest; 0xFF is NaN
  return static_cast<uint8_t>(exponent + (up ? 1 : 0));
}

}  // namespace

bool dtype_is_small_float(DType t) {
  switch (t) {
    case DType::Float8E4M3FN:
    case DType::Float8E4M3FNUZ:
    case DType::Float8E5M2:
    case DType::Float8E5M2FNUZ:
    case DType::Float8E8M0:
    case DType::Float4E2M1:
      return true;
    default:
      return false;
  }
}

float small_float_decode(DType t, uint8_t code) {
  if (t == DType::Float8E8M0) return code == 0xFF ? NAN : std::ldexp(1.0f, code - 127);
  return decode(format_of(t), code);
}

uint8_t small_float_encode(DType t, float x, bool saturate, E8M0Rounding e8m0) {
  if (t == DType::Float8E8M0) return encode_e8m0(x, saturate, e8m0);
  return encode(format_of(t), x, saturate);
}

}  // namespace onyx
