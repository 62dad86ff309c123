// The vectorized math of ops/kernels/simd/vmath.h against double precision, over the
// whole float range: every 509th bit pattern (both signs, denormals, the largest
// values), the special values, and the bounds its header states.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "kernels/simd/vmath.h"

namespace onyx {
namespace {

std::vector<float> whole_range() {
  std::vector<float> v;
  for (uint64_t bits = 0; bits <= 0xffffffffu; bits += 509) {
    float f;
    const uint32_t b = static_cast<uint32_t>(bits);
    std::memcpy(&f, &b, sizeof f);
    if (!std::isnan(f)) v.push_back(f);
  }
  for (float f : {0.0f,
                  -0.0f,
                  1e-45f,
                  -1e-45f,
                  1.17549435e-38f,
                  88.72f,
                  88.73f,
                  -87.3f,
                  -103.9f,
                  -104.5f,
                  9.1f,
                  -9.1f,
                  0.3f,
                  -0.3f,
                  0.5f,
                  -0.5f,
                  1.0f,
                  -1.0f,
                  std::numeric_limits<float>::max(),
                  -std::numeric_limits<float>::max(),
                  std::numeric_limits<float>::infinity(),
                  -std::numeric_limits<float>::infinity()})
    v.push_back(f);
  return v;
}

// The distance in units in the last place between a float result and the exact value,
// measured at the exact value's float spacing.
double ulps(float got, double want) {
  if (std::isinf(want) || std::isinf(got)) return got == static_cast<float>(want) ? 0 : 1e30;
  const float w = static_cast<float>(want);
  const double spacing = std::fabs(std::nextafter(w, std::numeric_limits<float>::infinity()) - w);
  return std::fabs(got - want) / std::max(spacing, 1.4e-45);
}

using VecFn = void (*)(const float*, float*, int64_t);

struct Check {
  const char* name;
  VecFn fn;
  std::function<double(double)> exact;
  double max_ulps;
  double max_abs;    // used instead of ulps where the exact value's magnitude is below
  double abs_below;  // `abs_below` (or, with abs_above, at or above it)
  bool abs_above = false;
};

void check(const Check& c) {
  const std::vector<float> x = whole_range();
  std::vector<float> y(x.size());
  c.fn(x.data(), y.data(), static_cast<int64_t>(x.size()));
  double worst = 0;
  float worst_x = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const double want = c.exact(x[i]);
    if ((std::fabs(want) < c.abs_below) != c.abs_above) {
      ASSERT_LE(std::fabs(y[i] - want), c.max_abs) << c.name << "(" << x[i] << ")";
      continue;
    }
    const double e = ulps(y[i], want);
    if (e > worst) {
      worst = e;
      worst_x = x[i];
    }
  }
  EXPECT_LE(worst, c.max_ulps) << c.name << " worst at x = " << worst_x;
  // NaN in, NaN out.
  const float nan = std::numeric_limits<float>::quiet_NaN();
  float out = 0;
  c.fn(&nan, &out, 1);
  EXPECT_TRUE(std::isnan(out)) << c.name;
}

TEST(VectorMath, ExpWithinThreeUlps) {
  check({"vexp", kernels::vexp, [](double v) { return std::exp(v); }, 3, 2.8e-45, 1.17549435e-38});
}

TEST(VectorMath, TanhWithinFourUlps) {
  check({"vtanh", kernels::vtanh, [](double v) { return std::tanh(v); }, 4, 0, 0});
}

TEST(VectorMath, SigmoidWithinFourUlps) {
  check({"vsigmoid", kernels::vsigmoid, [](double v) { return 1 / (1 + std::exp(-v)); }, 4, 2.8e-45,
         1.17549435e-38});
}

TEST(VectorMath, ErfWithinItsBounds) {
  // Relative below |x| = 0.5 (|erf| < 0.5205), absolute beyond.
  check({"verf", kernels::verf, [](double v) { return std::erf(v); }, 4, 4e-7, 0.5205, true});
}

}  // namespace
}  // namespace onyx
