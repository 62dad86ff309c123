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

// ---- TreeEnsembleClassifier ----

// Two stumps over three classes:
//   tree 0: x0 <= 1 ? leaf 1 (class 0: 0.6, class 1: 0.4) : leaf 2 (class 2: 1)
//   tree 1: x1 < 5  ? leaf 1 (class 1: 0.5)               : leaf 2 (class 0: 0.2, class 2: 0.3)
struct ClassForest {
  int opset = 1;
  std::vector<int64_t> tree_ids = {0, 0, 0, 1, 1, 1}, node_ids = {0, 1, 2, 0, 1, 2};
  std::vector<int64_t> features = {0, 0, 0, 1, 0, 0}, true_ids = {1, 0, 0, 1, 0, 0};
  std::vector<int64_t> false_ids = {2, 0, 0, 2, 0, 0}, missing;
  std::vector<std::string> modes = {"BRANCH_LEQ", "LEAF", "LEAF", "BRANCH_LT", "LEAF", "LEAF"};
  std::vector<float> values = {1, 0, 0, 5, 0, 0};
  std::vector<int64_t> class_trees = {0, 0, 0, 1, 1, 1}, class_nodes = {1, 1, 2, 1, 2, 2};
  std::vector<int64_t> class_ids = {0, 1, 2, 1, 0, 2};
  std::vector<float> weights = {0.6f, 0.4f, 1, 0.5f, 0.2f, 0.3f}, base_values;
  std::vector<int64_t> label_ints;
  std::vector<std::string> label_names = {"a", "b", "c"};
  std::string transform = "NONE";

  OpTester tester(const Tensor& x) const {
    OpTester t("TreeEnsembleClassifier", opset, kMl);
    t.input("X", x)
        .attr("nodes_treeids", tree_ids)
        .attr("nodes_nodeids", node_ids)
        .attr("nodes_featureids", features)
        .attr("nodes_modes", modes)
        .attr("nodes_truenodeids", true_ids)
        .attr("nodes_falsenodeids", false_ids)
        .attr("nodes_values", values)
        .attr("class_treeids", class_trees)
        .attr("class_nodeids", class_nodes)
        .attr("class_ids", class_ids)
        .attr("class_weights", weights)
        .attr("post_transform", transform);
    if (!missing.empty()) t.attr("nodes_missing_value_tracks_true", missing);
    if (!base_values.empty()) t.attr("base_values", base_values);
    if (!label_ints.empty()) t.attr("classlabels_int64s", label_ints);
    if (!label_names.empty()) t.attr("classlabels_strings", label_names);
    t.output("Y").output("Z");
    return t;
  }
  std::vector<Tensor> run(const Tensor& x) const { return tester(x).run(); }
  std::string error(const Tensor& x) const {
    return error_of([&] { tester(x).run(); });
  }
};

// Rows (0, 0), (2, 7), (1, 5) reach the votes (0.6, 0.9, 0), (0.2, 0, 1.3), (0.8, 0.4, 0.3).
Tensor three_rows() { return floats({3, 2}, {0, 0, 2, 7, 1, 5}); }

TEST(TreeEnsembleClassifier, VotesSummedOverTreesWithStringLabels) {
  ClassForest f;
  std::vector<Tensor> out = f.run(three_rows());
  EXPECT_EQ(names_of(out[0]), (std::vector<std::string>{"b", "c", "a"}));
  expect_near(out[1], {3, 3}, {0.6f, 0.9f, 0, 0.2f, 0, 1.3f, 0.8f, 0.4f, 0.3f});
  // Base values add per class: (0.7, 1.1, 0.3), (0.3, 0.2, 1.6), (0.9, 0.6, 0.6).
  f.base_values = {0.1f, 0.2f, 0.3f};
  out = f.run(three_rows());
  EXPECT_EQ(names_of(out[0]), (std::vector<std::string>{"b", "c", "a"}));
  expect_near(out[1], {3, 3}, {0.7f, 1.1f, 0.3f, 0.3f, 0.2f, 1.6f, 0.9f, 0.6f, 0.6f});
  // One base value adds to every class.
  f.base_values = {1};
  expect_near(f.run(three_rows())[1], {3, 3}, {1.6f, 1.9f, 1, 1.2f, 1, 2.3f, 1.8f, 1.4f, 1.3f});
}

TEST(TreeEnsembleClassifier, IntegerLabelsPostTransformsAndMissingValues) {
  ClassForest f;
  f.label_names.clear();
  f.label_ints = {5, 6, 7};
  f.transform = "SOFTMAX";
  std::vector<Tensor> out = f.run(Tensor::from_vector<int64_t>({3, 2}, {0, 0, 2, 7, 1, 5}));
  EXPECT_EQ(labels_of(out[0]), (std::vector<int64_t>{6, 7, 5}));
  // softmax(0.6, 0.9, 0), softmax(0.2, 0, 1.3), softmax(0.8, 0.4, 0.3).
  expect_near(out[1], {3, 3},
              {0.34498575f, 0.46568205f, 0.18933219f, 0.20734427f, 0.16975913f, 0.62289660f,
               0.43920315f, 0.29440668f, 0.26639018f});
  // SOFTMAX_ZERO leaves the zero of (0.2, 0, 1.3) out.
  f.transform = "SOFTMAX_ZERO";
  out = f.run(floats({1, 2}, {2, 7}));
  expect_near(out[1], {1, 3}, {0.24973989f, 0, 0.75026011f});
  // A NaN x0 takes tree 0's false branch, unless the node tracks missing values to true.
  f.transform = "NONE";
  const Tensor nan_row = floats({1, 2}, {testing::kNaN, 7});
  expect_near(f.run(nan_row)[1], {1, 3}, {0.2f, 0, 1.3f});
  f.missing = {1, 0, 0, 0, 0, 0};
  out = f.run(nan_row);
  EXPECT_EQ(labels_of(out[0]), (std::vector<int64_t>{5}));
  expect_near(out[1], {1, 3}, {0.8f, 0.4f, 0.3f});
}

// One stump whose votes all go to class 0: x0 <= 0.5 ? -0.2 : 0.34134475, base 0.5, so the
// rows 0 and 1 score s = 0.3 and 0.84134475 (= Phi(1)).
ClassForest binary_forest(const std::string& transform) {
  ClassForest f;
  f.tree_ids = {0, 0, 0};
  f.node_ids = {0, 1, 2};
  f.features = {0, 0, 0};
  f.true_ids = {1, 0, 0};
  f.false_ids = {2, 0, 0};
  f.modes = {"BRANCH_LEQ", "LEAF", "LEAF"};
  f.values = {0.5f, 0, 0};
  f.class_trees = {0, 0};
  f.class_nodes = {1, 2};
  f.class_ids = {0, 0};
  f.weights = {-0.2f, 0.34134475f};
  f.base_values = {0.5f};
  f.label_names.clear();
  f.label_ints = {0, 1};
  f.transform = transform;
  return f;
}

TEST(TreeEnsembleClassifier, BinaryWithOneVotedClass) {
  const Tensor x = floats({2, 1}, {0, 1});
  // NONE: (1 - s, s).
  std::vector<Tensor> out = binary_forest("NONE").run(x);
  EXPECT_EQ(labels_of(out[0]), (std::vector<int64_t>{0, 1}));
  expect_near(out[1], {2, 2}, {0.7f, 0.3f, 0.15865525f, 0.84134475f});
  // LOGISTIC: (sigmoid(-s), sigmoid(s)).
  out = binary_forest("LOGISTIC").run(x);
  EXPECT_EQ(labels_of(out[0]), (std::vector<int64_t>{1, 1}));
  expect_near(out[1], {2, 2}, {0.42555748f, 0.57444252f, 0.30125164f, 0.69874836f});
  // PROBIT: the normal quantiles of (1 - s, s).
  out = binary_forest("PROBIT").run(x);
  EXPECT_EQ(labels_of(out[0]), (std::vector<int64_t>{0, 1}));
  expect_near(out[1], {2, 2}, {0.52440051f, -0.52440051f, -1, 1}, 1e-5);
  // A single class, the label 1: Y is 1 when the second column wins, else 0.
  ClassForest one = binary_forest("NONE");
  one.label_ints = {1};
  out = one.run(x);
  EXPECT_EQ(labels_of(out[0]), (std::vector<int64_t>{0, 1}));
  expect_near(out[1], {2, 2}, {0.7f, 0.3f, 0.15865525f, 0.84134475f});
}

TEST(TreeEnsembleClassifier, Opset3TensorAttributesInDouble) {
  ClassForest f;
  f.opset = 3;
  const std::vector<double> values = {1, 0, 0, 5, 0, 0};
  const std::vector<double> weights = {0.6, 0.4, 1, 0.5, 0.2, 0.3};
  // The same forest with its thresholds and weights given as double tensors instead.
  OpTester d("TreeEnsembleClassifier", 3, kMl);
  d.input("X", Tensor::from_vector<double>({3, 2}, {0, 0, 2, 7, 1, 5}))
      .attr("nodes_treeids", f.tree_ids)
      .attr("nodes_nodeids", f.node_ids)
      .attr("nodes_featureids", f.features)
      .attr("nodes_modes", f.modes)
      .attr("nodes_truenodeids", f.true_ids)
      .attr("nodes_falsenodeids", f.false_ids)
      .attr("nodes_values_as_tensor", Tensor::from_vector<double>({6}, values))
      .attr("class_treeids", f.class_trees)
      .attr("class_nodeids", f.class_nodes)
      .attr("class_ids", f.class_ids)
      .attr("class_weights_as_tensor", Tensor::from_vector<double>({6}, weights))
      .attr("base_values_as_tensor", Tensor::from_vector<double>({3}, {0.1, 0.2, 0.3}))
      .attr("classlabels_strings", f.label_names)
      .output("Y")
      .output("Z");
  std::vector<Tensor> out = d.run();
  EXPECT_EQ(names_of(out[0]), (std::vector<std::string>{"b", "c", "a"}));
  expect_near(out[1], {3, 3}, {0.7f, 1.1f, 0.3f, 0.3f, 0.2f, 1.6f, 0.9f, 0.6f, 0.6f});
  // Both forms of one attribute are an error.
  d.attr("class_weights", f.weights);
  const std::string e = error_of([&] { d.run(); });
  EXPECT_TRUE(mentions(e, "give class_weights or class_weights_as_tensor")) << e;
}

TEST(TreeEnsembleClassifier, MalformedForestsAndInputs) {
  struct Case {
    const char* name;
    void (*edit)(ClassForest&);
    const char* expect;
  };
  const std::vector<Case> cases = {
      {"class id", [](ClassForest& f) { f.class_ids[2] = 3; }, "target id 3"},
      {"vote", [](ClassForest& f) { f.class_nodes[0] = 0; }, "not a LEAF"},
      {"lengths", [](ClassForest& f) { f.class_ids.pop_back(); }, "must have the same length"},
      {"labels",
       [](ClassForest& f) {
         f.label_ints = {1, 2, 3};
       },
       "exactly one of"},
      {"no labels", [](ClassForest& f) { f.label_names.clear(); }, "exactly one of"},
      {"base",
       [](ClassForest& f) {
         f.base_values = {1, 2};
       },
       "base_values has 2 values"},
      {"one string", [](ClassForest& f) { f.label_names = {"a"}; }, "single class"},
      {"branch", [](ClassForest& f) { f.true_ids[0] = 9; }, "does not exist"},
      {"transform", [](ClassForest& f) { f.transform = "EXP"; }, "post_transform"},
  };
  for (const Case& c : cases) {
    ClassForest f;
    c.edit(f);
    const std::string e = f.error(three_rows());
    EXPECT_TRUE(mentions(e, c.expect)) << c.name << ": " << e;
    EXPECT_TRUE(mentions(e, "TreeEnsembleClassifier")) << c.name << ": " << e;
  }
  // Tree 1 reads x1: one feature is too few.
  const std::string e = ClassForest().error(floats({2, 1}, {0, 1}));
  EXPECT_TRUE(mentions(e, "reads feature 1")) << e;
}

TEST(TreeEnsembleClassifier, ServesOpsetsOneToFourOnly) {
  const Registry& r = builtin_registry();
  for (int opset : {1, 2, 3, 4})
    EXPECT_NE(r.find("ai.onnx.ml", "TreeEnsembleClassifier", opset), nullptr) << opset;
  EXPECT_EQ(r.find("ai.onnx.ml", "TreeEnsembleClassifier", 5), nullptr);
}

// ---- SVMRegressor ----

// Support vectors (1, 0) and (0, 2) with coefficients 2 and -1, kernel_params gamma 0.5,
// coef0 1, degree 2; the row x = (1, 1) has x . v = 1 and 2, |x - v|^2 = 1 and 2.
OpTester svr(const std::string& kernel, float rho, int64_t one_class = 0) {
  OpTester t("SVMRegressor", 1, kMl);
  t.input("X", floats({1, 2}, {1, 1}))
      .attr("n_supports", int64_t{2})
      .attr("support_vectors", std::vector<float>{1, 0, 0, 2})
      .attr("coefficients", std::vector<float>{2, -1})
      .attr("kernel_params", std::vector<float>{0.5f, 1, 2})
      .attr("kernel_type", kernel)
      .attr("rho", std::vector<float>{rho})
      .attr("one_class", one_class)
      .output("Y");
  return t;
}

TEST(SVMRegressor, EveryKernelType) {
  // LINEAR: 2 * 1 - 2 + 0.25.
  expect_near(svr("LINEAR", 0.25f).run()[0], {1, 1}, {0.25f});
  // POLY: 2 * (0.5 + 1)^2 - (1 + 1)^2 + 0.25.
  expect_near(svr("POLY", 0.25f).run()[0], {1, 1}, {0.75f});
  // RBF: 2 e^-0.5 - e^-1 + 0.25.
  expect_near(svr("RBF", 0.25f).run()[0], {1, 1}, {1.09518188f});
  // SIGMOID: 2 tanh(1.5) - tanh(2) + 0.25.
  expect_near(svr("SIGMOID", 0.25f).run()[0], {1, 1}, {1.09626893f});
}

TEST(SVMRegressor, OneClassLinearModeAndPostTransform) {
  // One-class: the sign of the RBF score, 1.0951818 with rho 0.25, -1.1548181 with rho -2.
  expect_near(svr("RBF", 0.25f, 1).run()[0], {1, 1}, {1});
  expect_near(svr("RBF", -2, 1).run()[0], {1, 1}, {-1});
  // No support vectors: x . coefficients + rho, whatever kernel_type says; int64 input.
  OpTester t("SVMRegressor", 1, kMl);
  t.input("X", Tensor::from_vector<int64_t>({2, 2}, {3, 1, 0, 1}))
      .attr("coefficients", std::vector<float>{1, -2})
      .attr("rho", std::vector<float>{0.5f})
      .attr("kernel_type", "RBF")
      .output("Y");
  expect_near(t.run()[0], {2, 1}, {1.5f, -1.5f});
  // LOGISTIC of 1.5 and -1.5.
  t.attr("post_transform", "LOGISTIC");
  expect_near(t.run()[0], {2, 1}, {0.81757448f, 0.18242552f});
}

TEST(SVMRegressor, MalformedNodesAndInputs) {
  // The RBF node above, with one attribute or the input changed.
  struct Svr {
    int64_t supports = 2;
    std::vector<float> vectors = {1, 0, 0, 2}, coefficients = {2, -1}, params = {0.5f, 1, 2};
    std::vector<float> rho = {0.25f};
    std::string kernel = "RBF";
    Tensor x = floats({1, 2}, {1, 1});
  };
  struct Case {
    const char* name;
    void (*edit)(Svr&);
    const char* expect;
  };
  const std::vector<Case> cases = {
      {"vectors",
       [](Svr& m) {
         m.vectors = {1, 2, 3};
       },
       "support_vectors holds 3 values"},
      {"coefficients", [](Svr& m) { m.coefficients = {1}; }, "coefficients holds 1 values for 2"},
      {"params",
       [](Svr& m) {
         m.params = {1, 2};
       },
       "kernel_params"},
      {"kernel", [](Svr& m) { m.kernel = "CUBIC"; }, "CUBIC"},
      {"rho", [](Svr& m) { m.rho = {}; }, "rho must hold one"},
      {"supports", [](Svr& m) { m.supports = -1; }, "n_supports"},
      {"width",
       [](Svr& m) {
         m.x = floats({1, 3}, {1, 2, 3});
       },
       "has 3"},
  };
  for (const Case& c : cases) {
    Svr m;
    c.edit(m);
    OpTester t("SVMRegressor", 1, kMl);
    t.input("X", m.x)
        .attr("n_supports", m.supports)
        .attr("support_vectors", m.vectors)
        .attr("coefficients", m.coefficients)
        .attr("kernel_params", m.params)
        .attr("kernel_type", m.kernel)
        .attr("rho", m.rho)
        .output("Y");
    const std::string e = error_of([&] { t.run(); });
    EXPECT_TRUE(mentions(e, c.expect)) << c.name << ": " << e;
    EXPECT_TRUE(mentions(e, "SVMRegressor")) << c.name << ": " << e;
  }
}

// ---- SVMClassifier ----

// Linear mode, three classes: scores x0 + rho0, x1 + rho0, -x0 - x1 + rho0.
OpTester linear_svc(const Tensor& x, std::vector<float> rho) {
  OpTester t("SVMClassifier", 1, kMl);
  t.input("X", x)
      .attr("coefficients", std::vector<float>{1, 0, 0, 1, -1, -1})
      .attr("rho", rho)
      .attr("classlabels_ints", std::vector<int64_t>{1, 2, 3})
      .output("Y")
      .output("Z");
  return t;
}

TEST(SVMClassifier, LinearModeScoresEveryClass) {
  // Rows (0, 3) and (2, 1) score (0.5, 3.5, -2.5) and (2.5, 1.5, -2.5).
  const Tensor x = floats({2, 2}, {0, 3, 2, 1});
  std::vector<Tensor> out = linear_svc(x, {0.5f, 0, 0}).run();
  EXPECT_EQ(labels_of(out[0]), (std::vector<int64_t>{2, 1}));
  expect_near(out[1], {2, 3}, {0.5f, 3.5f, -2.5f, 2.5f, 1.5f, -2.5f});
  // With a single rho the reference answers 1 when the best score is > 0, else 0, not a
  // label: rho -1 scores (0, 3) as (-1, 2, -4) and (0.5, 0.5) as (-0.5, -0.5, -2).
  out = linear_svc(floats({2, 2}, {0, 3, 0.5f, 0.5f}), {-1}).run();
  EXPECT_EQ(labels_of(out[0]), (std::vector<int64_t>{1, 0}));
  expect_near(out[1], {2, 3}, {-1, 2, -4, -0.5f, -0.5f, -2});
}

// Two string classes, one support vector each: (1, 0) for "A", (0, 2) for "B", RBF with
// gamma 0.5, coefficients (2, -1), rho 0.25. Rows (1, 1) and (0, 2) score
//   s = 2 e^-0.5 - e^-1 + 0.25 = 1.09518188 and 2 e^-2.5 - 1 + 0.25 = -0.58583000.
OpTester binary_svc(const std::string& transform, bool platt,
                    std::vector<float> coefficients = {2, -1}) {
  OpTester t("SVMClassifier", 1, kMl);
  t.input("X", floats({2, 2}, {1, 1, 0, 2}))
      .attr("vectors_per_class", std::vector<int64_t>{1, 1})
      .attr("support_vectors", std::vector<float>{1, 0, 0, 2})
      .attr("coefficients", coefficients)
      .attr("kernel_type", "RBF")
      .attr("kernel_params", std::vector<float>{0.5f, 0, 0})
      .attr("rho", std::vector<float>{0.25f})
      .attr("classlabels_strings", std::vector<std::string>{"A", "B"})
      .attr("post_transform", transform)
      .output("Y")
      .output("Z");
  if (platt) t.attr("prob_a", std::vector<float>{-2}).attr("prob_b", std::vector<float>{0.5f});
  return t;
}

TEST(SVMClassifier, BinaryVotesScoresAndPlattProbabilities) {
  // s > 0 votes for the first class; Z is (-s, s).
  std::vector<Tensor> out = binary_svc("NONE", false).run();
  EXPECT_EQ(names_of(out[0]), (std::vector<std::string>{"A", "B"}));
  expect_near(out[1], {2, 2}, {-1.09518188f, 1.09518188f, 0.58583f, -0.58583f});
  // LOGISTIC: (sigmoid(-s), sigmoid(s)).
  out = binary_svc("LOGISTIC", false).run();
  expect_near(out[1], {2, 2}, {0.25064375f, 0.74935625f, 0.64240778f, 0.35759222f});
  // Platt: r = 1 / (1 + exp(a s + b)) with a = -2, b = 0.5; Z = (r, 1 - r), which the
  // iterative coupling reaches within its stopping tolerance (0.005 / k on the gradient).
  out = binary_svc("NONE", true).run();
  EXPECT_EQ(names_of(out[0]), (std::vector<std::string>{"A", "B"}));
  expect_near(out[1], {2, 2}, {0.84427199f, 0.15572801f, 0.15820298f, 0.84179702f}, 5e-4);
  // The reference's rule for one rho, two classes, no probabilities and no negative
  // coefficient: the second label whenever a class has a vote. Coefficients (2, 1) score
  // 2 e^-0.5 + e^-1 + 0.25 and 2 e^-2.5 + 1 + 0.25, both votes for "A", labelled "B".
  out = binary_svc("NONE", false, {2, 1}).run();
  EXPECT_EQ(names_of(out[0]), (std::vector<std::string>{"B", "B"}));
  expect_near(out[1], {2, 2}, {-1.83094076f, 1.83094076f, -1.41417000f, 1.41417000f});
}

// Three classes with one support vector each, the values 1, 2 and 3 of one feature, the
// linear kernel, coefficient rows (1, -1, -1) and (1, 1, -1), rho 0. For x the pairs score
//   (0, 1): x - 2x = -x,  (0, 2): x - 3x = -2x,  (1, 2): 2x - 3x = -x.
OpTester three_svc(const Tensor& x, bool platt) {
  OpTester t("SVMClassifier", 1, kMl);
  t.input("X", x)
      .attr("vectors_per_class", std::vector<int64_t>{1, 1, 1})
      .attr("support_vectors", std::vector<float>{1, 2, 3})
      .attr("coefficients", std::vector<float>{1, -1, -1, 1, 1, -1})
      .attr("rho", std::vector<float>{0, 0, 0})
      .attr("classlabels_ints", std::vector<int64_t>{10, 20, 30})
      .output("Y")
      .output("Z");
  // a = 0 makes each pair's probability 1 / (1 + e^b): b = ln(p_j / p_i) for the
  // consistent p = (0.5, 0.3, 0.2), which the coupling recovers.
  if (platt)
    t.attr("prob_a", std::vector<float>{0, 0, 0})
        .attr("prob_b", std::vector<float>{-0.51082562f, -0.91629073f, -0.40546511f});
  return t;
}

TEST(SVMClassifier, OneAgainstOneVotesAndCoupledProbabilities) {
  // x = 1: scores (-1, -2, -1), votes (0, 1, 2): class 2. x = -1: (1, 2, 1), votes (2, 1, 0).
  const Tensor x = Tensor::from_vector<int32_t>({2, 1}, {1, -1});
  std::vector<Tensor> out = three_svc(x, false).run();
  EXPECT_EQ(labels_of(out[0]), (std::vector<int64_t>{30, 10}));
  expect_near(out[1], {2, 3}, {-1, -2, -1, 1, 2, 1});
  // The probabilities do not change the label, which follows the votes.
  out = three_svc(x, true).run();
  EXPECT_EQ(labels_of(out[0]), (std::vector<int64_t>{30, 10}));
  expect_near(out[1], {2, 3}, {0.5f, 0.3f, 0.2f, 0.5f, 0.3f, 0.2f}, 2e-3);
}

TEST(SVMClassifier, MalformedNodesAndInputs) {
  struct Svc {
    std::vector<int64_t> counts = {1, 1, 1};
    std::vector<float> vectors = {1, 2, 3}, coefficients = {1, -1, -1, 1, 1, -1};
    std::vector<float> rho = {0, 0, 0}, prob_a, prob_b;
    Tensor x = floats({1, 1}, {1});
  };
  struct Case {
    const char* name;
    void (*edit)(Svc&);
    const char* expect;
  };
  const std::vector<Case> cases = {
      {"counts",
       [](Svc& m) {
         m.counts = {1, 2};
       },
       "vectors_per_class has 2 counts for 3"},
      {"negative",
       [](Svc& m) {
         m.counts = {1, -1, 3};
       },
       "vectors_per_class holds -1"},
      {"coefficients",
       [](Svc& m) {
         m.coefficients = {1, 2, 3};
       },
       "not 2 rows of 3"},
      {"rho", [](Svc& m) { m.rho = {0}; }, "rho holds 1 values for 3 pairs"},
      {"vectors",
       [](Svc& m) {
         m.vectors = {1, 2, 3, 4};
       },
       "support_vectors holds 4"},
      {"prob",
       [](Svc& m) {
         m.prob_a = {1, 2, 3};
       },
       "must have the same length"},
      {"pairs", [](Svc& m) { m.prob_a = m.prob_b = {1}; }, "hold 1 values for 3 pairs"},
      {"width",
       [](Svc& m) {
         m.x = floats({1, 2}, {1, 2});
       },
       "has 2"},
  };
  for (const Case& c : cases) {
    Svc m;
    c.edit(m);
    OpTester t("SVMClassifier", 1, kMl);
    t.input("X", m.x)
        .attr("vectors_per_class", m.counts)
        .attr("support_vectors", m.vectors)
        .attr("coefficients", m.coefficients)
        .attr("rho", m.rho)
        .attr("classlabels_ints", std::vector<int64_t>{10, 20, 30})
        .output("Y")
        .output("Z");
    if (!m.prob_a.empty()) t.attr("prob_a", m.prob_a);
    if (!m.prob_b.empty()) t.attr("prob_b", m.prob_b);
    const std::string e = error_of([&] { t.run(); });
    EXPECT_TRUE(mentions(e, c.expect)) << c.name << ": " << e;
    EXPECT_TRUE(mentions(e, "SVMClassifier")) << c.name << ": " << e;
  }
}

// ---- Shape rules ----

// The declared type of output i after shape inference: "int64 [2]", "float [2, 3]".
std::string inferred(const OpTester& t, size_t i) {
  const Model m = t.model();
  const TypeInfo& type = m.graph.value(m.graph.outputs[i]).type;
  std::string text = type.elem == DType::String  ? "string ["
                     : type.elem == DType::Int64 ? "int64 ["
                                                 : "float [";
  if (!type.shape) return text + "?]";
  for (size_t d = 0; d < type.shape->size(); ++d)
    text += (d ? ", " : "") + (*type.shape)[d].to_string();
  return text + "]";
}

TEST(MlClassifiers, ShapeRulesGiveTheLabelTypeAndTheWidthOfZ) {
  const Tensor two_rows = floats({2, 2}, {0, 3, 2, 1});
  EXPECT_EQ(inferred(linear3(two_rows, "NONE"), 0), "int64 [2]");
  EXPECT_EQ(inferred(linear3(two_rows, "NONE"), 1), "float [2, 3]");
  EXPECT_EQ(inferred(linear_binary(two_rows, "NONE"), 0), "string [2]");
  EXPECT_EQ(inferred(linear_binary(two_rows, "NONE"), 1), "float [2, 2]");
  EXPECT_EQ(inferred(ClassForest().tester(three_rows()), 1), "float [3, 3]");
  EXPECT_EQ(inferred(binary_forest("NONE").tester(two_rows), 1), "float [2, 2]");
  EXPECT_EQ(inferred(binary_svc("NONE", false), 1), "float [2, 2]");
  EXPECT_EQ(inferred(binary_svc("PROBIT", false), 1), "float [2, 1]");
  EXPECT_EQ(inferred(three_svc(floats({2, 1}, {1, 2}), false), 1), "float [2, 3]");
  EXPECT_EQ(inferred(svr("RBF", 0), 0), "float [1, 1]");
}

}  // namespace
}  // namespace onyx
