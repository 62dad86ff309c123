// Checks of a fast kernel against the reference kernel of its op: the op runs in a
// reference session (SessionOptions::reference_kernels, the oracle) and in fast sessions
// at 1, 2 and 4 threads, so the parallel split of a kernel is exercised too.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>

#include "op_tester.h"

namespace onyx::testing {

inline Tensor random_floats(Shape shape, std::mt19937& rng) {
  Tensor t(DType::Float, std::move(shape));
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = u(rng);
  return t;
}

// Runs the op with the reference kernels and with the fast ones at 1, 2 and 4 threads,
// and checks every float output element: NaN matches NaN; otherwise within `tolerance`
// x (1 + |reference|), or with `exact`, the same value and the same sign of zero.
// Outputs of other dtypes must hold the same bytes.
inline void compare_with_reference(const OpTester& t, const std::string& what, float tolerance,
                                   bool exact) {
  const std::vector<Tensor> want = t.session(1, true).run(t.feeds());
  for (int threads : {1, 2, 4}) {
    const std::vector<Tensor> got = t.session(threads).run(t.feeds());
    ASSERT_EQ(got.size(), want.size());
    for (size_t o = 0; o < got.size(); ++o) {
      ASSERT_EQ(got[o].shape(), want[o].shape()) << what;
      ASSERT_EQ(got[o].dtype(), want[o].dtype()) << what;
      if (got[o].dtype() != DType::Float) {  // integer results: the same bytes
        ASSERT_EQ(got[o].nbytes(), want[o].nbytes()) << what;
        ASSERT_EQ(std::memcmp(got[o].raw(), want[o].raw(), got[o].nbytes()), 0)
            << what << ", output " << o << ", threads " << threads;
        continue;
      }
      const float* g = got[o].data<float>();
      const float* w = want[o].data<float>();
      for (int64_t i = 0; i < got[o].numel(); ++i) {
        if (std::isnan(g[i]) && std::isnan(w[i])) continue;  // NaN matches NaN
        if (exact) {
          ASSERT_EQ(std::signbit(g[i]), std::signbit(w[i]))
              << what << " at " << i << ": " << g[i] << " vs " << w[i];
          ASSERT_EQ(g[i], w[i]) << what << " at " << i << ", threads " << threads;
          continue;
        }
        if (g[i] == w[i]) continue;  // infinities too
        ASSERT_NEAR(g[i], w[i], tolerance * (1 + std::fabs(w[i])))
            << what << ", threads " << threads << ", element " << i;
      }
    }
  }
}

inline void expect_fast_matches_reference(const OpTester& t, const std::string& what,
                                          float tolerance = 1e-4f) {
  compare_with_reference(t, what, tolerance, false);
}

inline void expect_same_bits_or_nan(const OpTester& t, const std::string& what) {
  compare_with_reference(t, what, 0.0f, true);
}

}  // namespace onyx::testing
