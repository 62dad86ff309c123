// One-node tests of the random operators. Values drawn at random cannot be compared with
// fixed numbers, so these check what the spec fixes: dtype, shape, range, the moments of the
// distributions (within 5 standard errors on 100000 samples, a chance failure of about 1 in
// 1.7 million per check), seeding (same seed, same values; different or no seed, different
// values) and the errors for bad attributes and inputs.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>

#include "onyx/onyx.h"
#include "op_tester.h"

namespace onyx {
namespace {

using testing::error_of;
using testing::floats;
using testing::mentions;
using testing::OpTester;

constexpr int64_t kSamples = 100000;

struct Moments {
  double mean = 0, variance = 0;
};
Moments moments_of(const std::vector<double>& v) {
  Moments m;
  for (double x : v) m.mean += x;
  m.mean /= static_cast<double>(v.size());
  for (double x : v) m.variance += (x - m.mean) * (x - m.mean);
  m.variance /= static_cast<double>(v.size() - 1);
  return m;
}

// RandomUniform/RandomNormal of `shape` with the given float attributes (seed included).
Tensor draw(const char* op, Shape shape, std::vector<std::pair<std::string, float>> attrs,
            int64_t dtype = 1) {
  OpTester t(op, 1);
  t.attr("shape", std::vector<int64_t>(shape.begin(), shape.end())).attr("dtype", dtype);
  for (auto& [name, value] : attrs) t.attr(name, value);
  t.output("y");
  return t.run()[0];
}

TEST(RandomUniform, RangeAndMoments) {
  // Uniform on [2, 4): mean 3, variance (4 - 2)^2 / 12 = 1/3. The variance's standard error
  // is sqrt((mu4 - sigma^4) / n) with mu4 = 2^4 / 80 = 0.2 and sigma^4 = 1/9.
  Tensor y = draw("RandomUniform", {kSamples}, {{"low", 2.0f}, {"high", 4.0f}, {"seed", 1.0f}}, 11);
  ASSERT_EQ(y.dtype(), DType::Double);
  ASSERT_EQ(y.shape(), Shape{kSamples});
  std::vector<double> v = y.to_vector<double>();
  for (double x : v) ASSERT_TRUE(x >= 2 && x < 4) << x;
  Moments m = moments_of(v);
  const double n = static_cast<double>(kSamples);
  EXPECT_NEAR(m.mean, 3.0, 5 * std::sqrt(1.0 / 3 / n));
  EXPECT_NEAR(m.variance, 1.0 / 3, 5 * std::sqrt((0.2 - 1.0 / 9) / n));
}

TEST(RandomUniform, NarrowDtypesStayBelowHigh) {
  // float16 has 11 significant bits: many draws near 1 would round up to 1 without redrawing.
  Tensor y = draw("RandomUniform", {kSamples}, {{"seed", 3.0f}}, 10);
  ASSERT_EQ(y.dtype(), DType::Float16);
  const float16_t* p = y.data<float16_t>();
  for (int64_t i = 0; i < y.numel(); ++i) {
    const float x = static_cast<float>(p[i]);
    ASSERT_TRUE(x >= 0 && x < 1) << x;
  }
  // 0.1 is not a float16: draws that round below it are drawn again.
  Tensor narrow =
      draw("RandomUniform", {1000}, {{"low", 0.1f}, {"high", 0.2f}, {"seed", 3.0f}}, 10);
  for (int64_t i = 0; i < narrow.numel(); ++i) {
    const double x = static_cast<float>(narrow.data<float16_t>()[i]);
    ASSERT_TRUE(x >= 0.1f && x < 0.2f) << x;
  }
  // Between the float16 neighbours 0.99951 and 1 no value fits: an error, not a wrong value.
  EXPECT_TRUE(mentions(error_of([] {
                         draw("RandomUniform", {4}, {{"low", 0.99990f}, {"high", 0.99995f}}, 10);
                       }),
                       "no float16 value"));
  // low == high is a constant.
  Tensor c = draw("RandomUniform", {3}, {{"low", 2.5f}, {"high", 2.5f}});
  EXPECT_EQ(c.to_vector<float>(), (std::vector<float>{2.5f, 2.5f, 2.5f}));
}

TEST(RandomNormal, Moments) {
  // mean 1, scale 2: variance 4, whose standard error is sqrt(2 sigma^4 / n).
  Tensor y = draw("RandomNormal", {100, kSamples / 100},
                  {{"mean", 1.0f}, {"scale", 2.0f}, {"seed", 9.0f}});
  ASSERT_EQ(y.dtype(), DType::Float);
  ASSERT_EQ(y.shape(), (Shape{100, kSamples / 100}));
  std::vector<float> f = y.to_vector<float>();
  Moments m = moments_of(std::vector<double>(f.begin(), f.end()));
  const double n = static_cast<double>(kSamples);
  EXPECT_NEAR(m.mean, 1.0, 5 * 2 / std::sqrt(n));
  EXPECT_NEAR(m.variance, 4.0, 5 * std::sqrt(2 * 16 / n));
  // About 68.3% of a normal lies within one sd of the mean (standard error ~0.0015).
  int64_t inside = 0;
  for (float x : f) inside += std::fabs(x - 1.0f) < 2.0f;
  EXPECT_NEAR(static_cast<double>(inside) / n, 0.6827, 5 * std::sqrt(0.6827 * 0.3173 / n));
}

TEST(RandomOps, SeedsAndFreshDraws) {
  auto uniform = [](std::optional<float> seed) {
    OpTester t("RandomUniform", 1);
    t.attr("shape", std::vector<int64_t>{64});
    if (seed) t.attr("seed", *seed);
    t.output("y");
    Session s = t.session();
    std::vector<float> first = s.run({})[0].to_vector<float>();
    std::vector<float> second = s.run({})[0].to_vector<float>();
    return std::pair{first, second};
  };
  auto [a1, a2] = uniform(7.0f);
  EXPECT_EQ(a1, a2);                   // one session, two runs
  EXPECT_EQ(uniform(7.0f).first, a1);  // another session, same seed
  EXPECT_NE(uniform(8.0f).first, a1);  // another seed
  auto [f1, f2] = uniform(std::nullopt);
  EXPECT_NE(f1, f2);  // no seed: every run draws afresh
  // The same holds for RandomNormal.
  auto normal = [](float seed) {
    return draw("RandomNormal", {16}, {{"seed", seed}}).to_vector<float>();
  };
  EXPECT_EQ(normal(1.5f), normal(1.5f));
  EXPECT_NE(normal(1.5f), normal(2.5f));
}

TEST(RandomOps, LikeTakesShapeAndDtype) {
  OpTester u("RandomUniformLike", 1);
  u.input("x", Tensor(DType::Float16, {2, 3})).attr("seed", 1.0f).output("y");
  Tensor y = u.run()[0];
  EXPECT_EQ(y.dtype(), DType::Float16);
  EXPECT_EQ(y.shape(), (Shape{2, 3}));
  // An int input needs the dtype attribute.
  OpTester n("RandomNormalLike", 1);
  n.input("x", Tensor(DType::Int32, {4})).attr("dtype", int64_t{11}).output("y");
  Tensor z = n.run()[0];
  EXPECT_EQ(z.dtype(), DType::Double);
  EXPECT_EQ(z.shape(), Shape{4});
  OpTester bad("RandomNormalLike", 1);
  bad.input("x", Tensor(DType::Int32, {4})).output("y");
  EXPECT_TRUE(mentions(error_of([&] { bad.run(); }), "set the 'dtype' attribute"));
}

TEST(RandomOps, BadAttributes) {
  // dtype 6 = int32 is not a float type.
  EXPECT_TRUE(mentions(error_of([] { draw("RandomUniform", {2}, {}, 6); }), "attribute 'dtype'"));
  EXPECT_TRUE(mentions(error_of([] { draw("RandomUniform", {2, -1}, {}); }), "negative dim"));
  EXPECT_TRUE(mentions(error_of([] {
                         draw("RandomUniform", {2}, {{"low", 2.0f}, {"high", 1.0f}});
                       }),
                       "low <= high"));
  EXPECT_TRUE(mentions(error_of([] {
                         draw("RandomNormal", {2}, {{"scale", -1.0f}});
                       }),
                       "scale >= 0"));
  OpTester no_shape("RandomNormal", 1);
  no_shape.output("y");
  EXPECT_TRUE(mentions(error_of([&] { no_shape.run(); }), "'shape'"));
}

Tensor bernoulli(const Tensor& p, std::optional<int64_t> dtype, float seed) {
  OpTester t("Bernoulli", 15);
  t.input("p", p).attr("seed", seed);
  if (dtype) t.attr("dtype", *dtype);
  t.output("y");
  return t.run()[0];
}

TEST(Bernoulli, MeanMatchesP) {
  // p = 0.3: mean 0.3 with standard error sqrt(0.3 * 0.7 / n).
  Tensor p(DType::Double, {kSamples});
  for (int64_t i = 0; i < kSamples; ++i) p.data<double>()[i] = 0.3;
  Tensor y = bernoulli(p, std::nullopt, 4.0f);
  ASSERT_EQ(y.dtype(), DType::Double);
  double sum = 0;
  for (double x : y.to_vector<double>()) {
    ASSERT_TRUE(x == 0 || x == 1) << x;
    sum += x;
  }
  const double n = static_cast<double>(kSamples);
  EXPECT_NEAR(sum / n, 0.3, 5 * std::sqrt(0.21 / n));
  EXPECT_EQ(bernoulli(p, std::nullopt, 4.0f).to_vector<double>(), y.to_vector<double>());
}

TEST(Bernoulli, EdgesDtypesAndErrors) {
  // p = 0 never fires, p = 1 always does; dtype 9 = bool, 7 = int64.
  Tensor y = bernoulli(floats({4}, {0, 1, 0, 1}), 9, 1.0f);
  EXPECT_EQ(y.dtype(), DType::Bool);
  EXPECT_EQ(y.to_vector<bool>(), (std::vector<bool>{false, true, false, true}));
  EXPECT_EQ(bernoulli(floats({2, 1}, {1, 0}), 7, 2.0f).to_vector<int64_t>(),
            (std::vector<int64_t>{1, 0}));
  EXPECT_TRUE(mentions(error_of([] {
                         bernoulli(floats({2}, {0.5f, 1.5f}), std::nullopt, 1.0f);
                       }),
                       "outside [0, 1]"));
  EXPECT_TRUE(mentions(error_of([] { bernoulli(floats({1}, {NAN}), std::nullopt, 1.0f); }),
                       "outside [0, 1]"));
  EXPECT_TRUE(
      mentions(error_of([] { bernoulli(floats({1}, {0.5f}), 8, 1.0f); }), "attribute 'dtype'"));
}

Tensor multinomial(const Tensor& logits, int64_t samples, std::optional<int64_t> dtype,
                   float seed) {
  OpTester t("Multinomial", 7);
  t.input("x", logits).attr("sample_size", samples).attr("seed", seed);
  if (dtype) t.attr("dtype", *dtype);
  t.output("y");
  return t.run()[0];
}

TEST(Multinomial, FrequenciesMatchProbabilities) {
  // Logits log(0.2), log(0.5), log(0.3), and -inf (probability 0) as a fourth class.
  Tensor x = floats({1, 4}, {std::log(0.2f), std::log(0.5f), std::log(0.3f), -INFINITY});
  Tensor y = multinomial(x, kSamples, std::nullopt, 5.0f);
  ASSERT_EQ(y.dtype(), DType::Int32);
  ASSERT_EQ(y.shape(), (Shape{1, kSamples}));
  std::vector<double> count(4, 0);
  for (int32_t c : y.to_vector<int32_t>()) {
    ASSERT_TRUE(c >= 0 && c < 4) << c;
    count[static_cast<size_t>(c)] += 1;
  }
  const double n = static_cast<double>(kSamples);
  const double want[] = {0.2, 0.5, 0.3};
  for (int c = 0; c < 3; ++c)
    EXPECT_NEAR(count[static_cast<size_t>(c)] / n, want[c],
                5 * std::sqrt(want[c] * (1 - want[c]) / n))
        << c;
  EXPECT_EQ(count[3], 0);
}

TEST(Multinomial, RowsDtypeAndErrors) {
  // Row 0 puts all mass on class 1, row 1 on class 0 (the others are -inf).
  Tensor x = floats({2, 2}, {-INFINITY, 0, 3, -INFINITY});
  Tensor y = multinomial(x, 3, 7, 1.0f);
  EXPECT_EQ(y.dtype(), DType::Int64);
  EXPECT_EQ(y.to_vector<int64_t>(), (std::vector<int64_t>{1, 1, 1, 0, 0, 0}));
  EXPECT_TRUE(mentions(error_of([] {
                         multinomial(floats({2}, {0, 0}), 1, std::nullopt, 1.0f);
                       }),
                       "[batch, classes]"));
  EXPECT_TRUE(mentions(error_of([] {
                         multinomial(floats({1, 2}, {0, 0}), 1, 1, 1.0f);
                       }),
                       "not int32 or int64"));
  EXPECT_TRUE(mentions(error_of([] {
                         multinomial(floats({1, 2}, {-INFINITY, -INFINITY}), 1, std::nullopt, 1.0f);
                       }),
                       "probability 0"));
  EXPECT_TRUE(mentions(error_of([] {
                         multinomial(floats({1, 2}, {0, NAN}), 1, std::nullopt, 1.0f);
                       }),
                       "holds nan"));
  EXPECT_TRUE(mentions(error_of([] {
                         multinomial(floats({1, 2}, {0, 0}), 0, std::nullopt, 1.0f);
                       }),
                       "sample_size"));
}

}  // namespace
}  // namespace onyx
