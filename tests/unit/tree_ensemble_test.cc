// TreeEnsemble (ai.onnx.ml, 5) and TreeEnsembleRegressor (1, 3): small forests whose
// outputs are traced by hand through the trees in the comments; every node mode, missing
// values, the aggregate functions, the post transforms, and malformed forests that must
// fail with a clear message.
#include <gtest/gtest.h>

#include <cfloat>
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
using testing::kNaN;
using testing::mentions;
using testing::OpTester;

// The attributes of a forest, with float splits and weights unless a test changes them.
struct Forest {
  std::vector<int64_t> features, true_ids, false_ids, true_leafs, false_leafs, missing;
  std::vector<uint8_t> modes;
  std::vector<float> splits;
  std::vector<int64_t> targets;
  std::vector<float> weights;
  std::vector<int64_t> roots = {0};
  std::vector<float> members;
  int64_t n_targets = 1, aggregate = 1, post_transform = 0;

  OpTester tester(const Tensor& x) const {
    const auto n = static_cast<int64_t>(modes.size());
    const auto leaves = static_cast<int64_t>(weights.size());
    OpTester t("TreeEnsemble", 5, "ai.onnx.ml");
    t.input("X", x)
        .attr("nodes_featureids", features)
        .attr("nodes_truenodeids", true_ids)
        .attr("nodes_falsenodeids", false_ids)
        .attr("nodes_trueleafs", true_leafs)
        .attr("nodes_falseleafs", false_leafs)
        .attr("nodes_modes", Tensor::from_vector<uint8_t>({n}, modes))
        .attr("nodes_splits", floats({static_cast<int64_t>(splits.size())}, splits))
        .attr("leaf_targetids", targets)
        .attr("leaf_weights", floats({leaves}, weights))
        .attr("tree_roots", roots)
        .attr("n_targets", n_targets)
        .attr("aggregate_function", aggregate)
        .attr("post_transform", post_transform);
    if (!missing.empty()) t.attr("nodes_missing_value_tracks_true", missing);
    if (!members.empty())
      t.attr("membership_values", floats({static_cast<int64_t>(members.size())}, members));
    t.output("Y");
    return t;
  }
  Tensor run(const Tensor& x) const { return tester(x).run()[0]; }
  std::string error(const Tensor& x) const {
    return error_of([&] { tester(x).run(); });
  }
};

// node 0: x0 <= 1 ? node 1 : leaf 2 (target 0, 4)
// node 1: x1 < 5 ? leaf 0 (target 0, 1) : leaf 1 (target 1, 2)
Forest two_level() {
  Forest f;
  f.features = {0, 1};
  f.modes = {0, 1};
  f.splits = {1, 5};
  f.true_ids = {1, 0};
  f.true_leafs = {0, 1};
  f.false_ids = {2, 1};
  f.false_leafs = {1, 1};
  f.targets = {0, 1, 0};
  f.weights = {1, 2, 4};
  f.n_targets = 2;
  return f;
}

TEST(TreeEnsemble, TwoLevelTreeTracedByHand) {
  // [0, 0]: 0 <= 1, 0 < 5 -> leaf 0. [1, 5]: 1 <= 1, not 5 < 5 -> leaf 1. [2, 0] -> leaf 2.
  Tensor y = two_level().run(floats({3, 2}, {0, 0, 1, 5, 2, 0}));
  expect_near(y, {3, 2}, {1, 0, 0, 2, 4, 0});
}

TEST(TreeEnsemble, OneDimensionalInputIsOneRowAndNoRowsIsEmpty) {
  expect_near(two_level().run(floats({2}, {1, 5})), {1, 2}, {0, 2});
  EXPECT_EQ(two_level().run(floats({0, 2}, {})).shape(), (Shape{0, 2}));
}

// One node comparing x0 with 2: true -> leaf 0 (weight 1), false -> leaf 1 (weight 0).
Forest one_split(uint8_t mode) {
  Forest f;
  f.features = {0};
  f.modes = {mode};
  f.splits = {2};
  f.true_ids = {0};
  f.true_leafs = {1};
  f.false_ids = {1};
  f.false_leafs = {1};
  f.targets = {0, 0};
  f.weights = {1, 0};
  return f;
}

TEST(TreeEnsemble, EveryComparisonModeAndMissingValues) {
  // Inputs 1, 2, 3 and NaN; 1 means the true branch was taken. NaN compares false,
  // except under NEQ, unless the node sends missing values to the true branch.
  const Tensor x = floats({4, 1}, {1, 2, 3, kNaN});
  const std::vector<std::vector<float>> want = {
      {1, 1, 0, 0},  // LEQ
      {1, 0, 0, 0},  // LT
      {0, 1, 1, 0},  // GTE
      {0, 0, 1, 0},  // GT
      {0, 1, 0, 0},  // EQ
      {1, 0, 1, 1},  // NEQ
  };
  for (uint8_t mode = 0; mode < 6; ++mode) {
    SCOPED_TRACE(int{mode});
    expect_near(one_split(mode).run(x), {4, 1}, want[mode]);
    Forest tracks = one_split(mode);
    tracks.missing = {1};
    std::vector<float> with_missing = want[mode];
    with_missing[3] = 1;
    expect_near(tracks.run(x), {4, 1}, with_missing);
  }
}

TEST(TreeEnsemble, SetMembership) {
  // The set {3, 1} (NaN-terminated); its split value is ignored.
  Forest f = one_split(6);
  f.splits = {kNaN};
  f.members = {3, 1, kNaN};
  expect_near(f.run(floats({4, 1}, {1, 2, 3, kNaN})), {4, 1}, {1, 0, 1, 0});
}

TEST(TreeEnsemble, SetsFollowTheOrderOfMemberNodes) {
  // node 0: x0 in {5} ? leaf 0 : node 1;  node 1: x0 in {7, 8} ? leaf 1 : leaf 2.
  Forest f;
  f.features = {0, 0};
  f.modes = {6, 6};
  f.splits = {0, 0};
  f.true_ids = {0, 1};
  f.true_leafs = {1, 1};
  f.false_ids = {1, 2};
  f.false_leafs = {0, 1};
  f.targets = {0, 0, 0};
  f.weights = {10, 20, 30};
  f.members = {5, kNaN, 8, 7, kNaN};
  expect_near(f.run(floats({4, 1}, {5, 7, 8, 6})), {4, 1}, {10, 20, 20, 30});
}

// Three trees: two one-leaf trees (nodes 0 and 1, both branches the same leaf) voting
// 2 and 6 for target 0, and node 2: x0 <= 0 ? leaf 2 (target 1, 5) : leaf 3 (target 1, -1).
// For x0 = 1 the votes are target 0: 2 and 6; target 1: -1; target 2: none.
Forest three_trees() {
  Forest f;
  f.features = {9, 9, 0};  // the one-leaf trees read no feature
  f.modes = {0, 0, 0};
  f.splits = {0, 0, 0};
  f.true_ids = {0, 1, 2};
  f.true_leafs = {1, 1, 1};
  f.false_ids = {0, 1, 3};
  f.false_leafs = {1, 1, 1};
  f.targets = {0, 0, 1, 1};
  f.weights = {2, 6, 5, -1};
  f.roots = {0, 1, 2};
  f.n_targets = 3;
  return f;
}

TEST(TreeEnsemble, AggregateFunctions) {
  const Tensor x = floats({1, 1}, {1});
  Forest f = three_trees();
  f.aggregate = 0;  // AVERAGE: sums over the number of trees, 3
  expect_near(f.run(x), {1, 3}, {8.0f / 3, -1.0f / 3, 0});
  f.aggregate = 1;  // SUM
  expect_near(f.run(x), {1, 3}, {8, -1, 0});
  // MIN and MAX: a target without votes keeps the largest / lowest float.
  f.aggregate = 2;
  Tensor y = f.run(x);
  EXPECT_EQ(y.to_vector<float>(), (std::vector<float>{2, -1, FLT_MAX}));
  f.aggregate = 3;
  y = f.run(x);
  EXPECT_EQ(y.to_vector<float>(), (std::vector<float>{6, -1, -FLT_MAX}));
}

TEST(TreeEnsemble, PostTransforms) {
  const Tensor x = floats({1, 1}, {1});
  Forest f = three_trees();  // SUM scores {8, -1, 0}
  f.post_transform = 2;      // LOGISTIC: 1 / (1 + e^-s)
  expect_near(f.run(x), {1, 3}, {0.99966465f, 0.26894142f, 0.5f});
  f.post_transform = 1;  // SOFTMAX over {8, -1, 0}: e^8 + e^-1 + 1 = 2982.3258
  expect_near(f.run(x), {1, 3}, {0.99954134f, 1.2335320e-4f, 3.3530876e-4f});
  f.post_transform = 3;  // SOFTMAX_ZERO: the zero stays out: 1 / (1 + e^-9), ...
  expect_near(f.run(x), {1, 3}, {0.99987660f, 1.2339458e-4f, 0});
  // PROBIT of 0.975 and 0.5: the standard normal quantiles 1.959964 and 0.
  Forest p = one_split(0);
  p.weights = {0.975f, 0.5f};
  p.post_transform = 4;
  expect_near(p.run(floats({2, 1}, {1, 3})), {2, 1}, {1.959964f, 0});
}

TEST(TreeEnsemble, DoubleInput) {
  // The same tree in double: splits and weights double, the output double.
  Forest f = two_level();
  OpTester t("TreeEnsemble", 5, "ai.onnx.ml");
  t.input("X", Tensor::from_vector<double>({1, 2}, {1, 4.5}))
      .attr("nodes_featureids", f.features)
      .attr("nodes_truenodeids", f.true_ids)
      .attr("nodes_falsenodeids", f.false_ids)
      .attr("nodes_trueleafs", f.true_leafs)
      .attr("nodes_falseleafs", f.false_leafs)
      .attr("nodes_modes", Tensor::from_vector<uint8_t>({2}, f.modes))
      .attr("nodes_splits", Tensor::from_vector<double>({2}, {1, 4.75}))
      .attr("leaf_targetids", f.targets)
      .attr("leaf_weights", Tensor::from_vector<double>({3}, {0.125, 0.25, 0.5}))
      .attr("tree_roots", f.roots)
      .attr("n_targets", int64_t{2})
      .output("Y");
  // [1, 4.5]: 1 <= 1, 4.5 < 4.75 -> leaf 0: target 0 gets 0.125.
  EXPECT_EQ(t.run()[0].to_vector<double>(), (std::vector<double>{0.125, 0}));
}

TEST(TreeEnsemble, MalformedForests) {
  const Tensor x = floats({1, 2}, {0, 0});
  struct Case {
    const char* name;
    void (*edit)(Forest&);
    const char* says;
  };
  const Case cases[] = {
      {"node index", [](Forest& f) { f.true_ids[0] = 5; }, "refers to node 5"},
      {"leaf index", [](Forest& f) { f.false_ids[0] = 3; }, "refers to leaf 3"},
      {"loop", [](Forest& f) { f.true_ids[1] = 0, f.true_leafs[1] = 0; }, "loops"},
      {"lengths", [](Forest& f) { f.splits.push_back(3); }, "nodes_splits has 3 entries"},
      {"target", [](Forest& f) { f.targets[2] = 2; }, "out of range"},
      {"mode", [](Forest& f) { f.modes[1] = 9; }, "not a mode"},
      {"member set", [](Forest& f) { f.modes[1] = 6; }, "no set"},
      {"root", [](Forest& f) { f.roots = {2}; }, "tree root 2"},
      {"leaf flag", [](Forest& f) { f.true_leafs[0] = 2; }, "0 or 1"},
      {"feature", [](Forest& f) { f.features[1] = -1; }, "negative feature"},
      {"aggregate", [](Forest& f) { f.aggregate = 4; }, "aggregate_function"},
      {"transform", [](Forest& f) { f.post_transform = 5; }, "post_transform"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Forest f = two_level();
    c.edit(f);
    const std::string e = f.error(x);
    EXPECT_TRUE(mentions(e, c.says)) << e;
    EXPECT_TRUE(mentions(e, "TreeEnsemble")) << e;
  }
}

TEST(TreeEnsemble, InputsThatDoNotFitTheForest) {
  // Node 1 reads feature 1: one feature is too few.
  std::string e = two_level().error(floats({1, 1}, {0}));
  EXPECT_TRUE(mentions(e, "reads feature 1")) << e;
  // Float splits take float rows only.
  e = two_level().error(Tensor::from_vector<double>({1, 2}, {0, 0}));
  EXPECT_TRUE(mentions(e, "same type")) << e;
}

// ---- TreeEnsembleRegressor ----

// Tree 0: node 0 (x0 <= 1) -> node 1 / node 2; node 1 (x1 < 5) -> node 3 / node 4;
// nodes 2, 3, 4 are leaves. Tree 1 is one leaf. Votes: node 3: target 0, 1; node 4:
// target 1, 2; node 2: target 0, 4 and target 1, 0.5; tree 1: target 1, 10.
struct Regressor {
  std::vector<int64_t> tree_ids = {0, 0, 0, 0, 0, 1}, node_ids = {0, 1, 2, 3, 4, 0},
                       features = {0, 1, 0, 0, 0, 0}, true_ids = {1, 3, 0, 0, 0, 0},
                       false_ids = {2, 4, 0, 0, 0, 0};
  std::vector<std::string> modes = {"BRANCH_LEQ", "BRANCH_LT", "LEAF", "LEAF", "LEAF", "LEAF"};
  std::vector<float> values = {1, 5, 0, 0, 0, 0};
  std::vector<int64_t> target_trees = {0, 0, 0, 0, 1}, target_nodes = {3, 4, 2, 2, 0},
                       target_ids = {0, 1, 0, 1, 1};
  std::vector<float> weights = {1, 2, 4, 0.5f, 10};
  std::string aggregate = "SUM";

  OpTester tester(int opset, const Tensor& x) const {
    OpTester t("TreeEnsembleRegressor", opset, "ai.onnx.ml");
    t.input("X", x)
        .attr("nodes_treeids", tree_ids)
        .attr("nodes_nodeids", node_ids)
        .attr("nodes_featureids", features)
        .attr("nodes_modes", modes)
        .attr("nodes_values", values)
        .attr("nodes_truenodeids", true_ids)
        .attr("nodes_falsenodeids", false_ids)
        .attr("target_treeids", target_trees)
        .attr("target_nodeids", target_nodes)
        .attr("target_ids", target_ids)
        .attr("target_weights", weights)
        .attr("n_targets", int64_t{2})
        .attr("base_values", std::vector<float>{100, 200})
        .attr("aggregate_function", aggregate)
        .output("Y");
    return t;
  }
};

Tensor regress(int opset, const Tensor& x, const char* aggregate) {
  Regressor r;
  r.aggregate = aggregate;
  return r.tester(opset, x).run()[0];
}

TEST(TreeEnsembleRegressor, TwoTreesSeveralVotesPerLeafAndBaseValues) {
  // [0, 0]: leaf 3 and tree 1: {1, 10}. [1, 5]: leaf 4 and tree 1: {0, 12}.
  // [2, 0]: leaf 2 and tree 1: {4, 10.5}. Then the base values {100, 200}.
  const Tensor x = floats({3, 2}, {0, 0, 1, 5, 2, 0});
  expect_near(regress(1, x, "SUM"), {3, 2}, {101, 210, 100, 212, 104, 210.5f});
  // AVERAGE over the 2 trees, before the base values.
  expect_near(regress(3, x, "AVERAGE"), {3, 2}, {100.5f, 205, 100, 206, 102, 205.25f});
  // MAX: row 1 has one vote for target 1 (12 is a sum, so MAX gives 10) and none for
  // target 0, which starts at the lowest float.
  Tensor y = regress(1, x, "MAX");
  EXPECT_FLOAT_EQ(y.data<float>()[3], 210);
  EXPECT_EQ(y.data<float>()[2], -FLT_MAX + 100);
  // int64 rows work alike.
  expect_near(regress(1, testing::ints({1, 2}, {0, 0}), "SUM"), {1, 2}, {101, 210});
}

TEST(TreeEnsembleRegressor, AsTensorAttributesAndMissingValues) {
  // Opset 3, double thresholds: x0 != 2 (BRANCH_NEQ) -> leaf 1 (weight 1) else leaf 2 (0).
  // A NaN takes the false branch here (unlike TreeEnsemble 5), unless it tracks true.
  for (int64_t tracks : {0, 1}) {
    OpTester t("TreeEnsembleRegressor", 3, "ai.onnx.ml");
    t.input("X", floats({3, 1}, {1, 2, kNaN}))
        .attr("nodes_treeids", std::vector<int64_t>{0, 0, 0})
        .attr("nodes_nodeids", std::vector<int64_t>{0, 1, 2})
        .attr("nodes_featureids", std::vector<int64_t>{0, 0, 0})
        .attr("nodes_modes", std::vector<std::string>{"BRANCH_NEQ", "LEAF", "LEAF"})
        .attr("nodes_values_as_tensor", Tensor::from_vector<double>({3}, {2, 0, 0}))
        .attr("nodes_truenodeids", std::vector<int64_t>{1, 0, 0})
        .attr("nodes_falsenodeids", std::vector<int64_t>{2, 0, 0})
        .attr("nodes_missing_value_tracks_true", std::vector<int64_t>{tracks, 0, 0})
        .attr("target_treeids", std::vector<int64_t>{0, 0})
        .attr("target_nodeids", std::vector<int64_t>{1, 2})
        .attr("target_ids", std::vector<int64_t>{0, 0})
        .attr("target_weights_as_tensor", Tensor::from_vector<double>({2}, {1, 0}))
        .output("Y");
    expect_near(t.run()[0], {3, 1}, {1, 0, static_cast<float>(tracks)});
  }
}

TEST(TreeEnsembleRegressor, MalformedForests) {
  const Tensor x = floats({1, 2}, {0, 0});
  struct Case {
    const char* name;
    void (*edit)(Regressor&);
    const char* says;
  };
  const Case cases[] = {
      {"twice", [](Regressor& r) { r.node_ids[4] = 3; }, "node id 3 appears twice in tree 0"},
      {"branch", [](Regressor& r) { r.true_ids[1] = 7; },
       "names node 7 of tree 0, which does not exist"},
      {"vote", [](Regressor& r) { r.target_nodes[3] = 1; }, "not a LEAF"},
      {"target", [](Regressor& r) { r.target_ids[3] = 2; }, "out of range"},
      {"mode", [](Regressor& r) { r.modes[1] = "BRANCH_XX"; }, "BRANCH_XX"},
      {"aggregate", [](Regressor& r) { r.aggregate = "MEDIAN"; }, "aggregate_function"},
      {"lengths", [](Regressor& r) { r.values = {1}; }, "nodes_values has 1 entries"},
      {"loop", [](Regressor& r) { r.true_ids[1] = 0; }, "loops"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Regressor r;
    c.edit(r);
    const std::string e = error_of([&] { r.tester(1, x).run(); });
    EXPECT_TRUE(mentions(e, c.says)) << e;
    EXPECT_TRUE(mentions(e, "TreeEnsembleRegressor")) << e;
  }
}

TEST(TreeEnsembleRegressor, ServesOpsetsOneToFourOnly) {
  // Deprecated at opset 5 of ai.onnx.ml, where TreeEnsemble replaces it.
  const Registry& r = builtin_registry();
  for (int opset : {1, 2, 3, 4})
    EXPECT_NE(r.find("ai.onnx.ml", "TreeEnsembleRegressor", opset), nullptr) << opset;
  EXPECT_EQ(r.find("ai.onnx.ml", "TreeEnsembleRegressor", 5), nullptr);
  EXPECT_EQ(r.find("ai.onnx.ml", "TreeEnsemble", 4), nullptr);
  EXPECT_NE(r.find("ai.onnx.ml", "TreeEnsemble", 5), nullptr);
}

}  // namespace
}  // namespace onyx
