// The graph optimizer (graph/passes/): each pass on graphs built here, checking both the
// rewritten graph (which nodes remain, what they read) and that the outputs equal those
// of the graph as written (optimization none), with the fast and the reference kernels.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

#include "onyx/fused_ops.h"
#include "optimizer_models.h"

namespace onyx {
namespace {

using test::attr_of;
using test::expect_same_outputs;
using test::float_attr;
using test::int_attr;
using test::ints_attr;
using test::ModelBuilder;
using test::ops_of;
using test::random_floats;
using test::session_at;
using testing::error_of;

// A 3x3 padded convolution of x (1, 8, 10, 10) into 16 channels, with bias.
ModelBuilder conv_model(uint32_t seed = 1) {
  ModelBuilder b;
  b.input("x", random_floats({1, 8, 10, 10}, seed))
      .constant("w", random_floats({16, 8, 3, 3}, seed + 1, -0.3f, 0.3f))
      .constant("b", random_floats({16}, seed + 2))
      .node("Conv", {"x", "w", "b"}, {"c"}, {ints_attr("pads", {1, 1, 1, 1})});
  return b;
}

TEST(Optimizer, NoneLeavesTheGraphAsWritten) {
  ModelBuilder b = conv_model();
  b.node("Identity", {"c"}, {"i"}).node("Relu", {"i"}, {"y"}).output("y");
  Session s = session_at(b, OptimizationLevel::None);
  EXPECT_EQ(ops_of(s), "Conv,Identity,Relu");
  EXPECT_EQ(s.stats().optimization.nodes_before, 3);
  EXPECT_EQ(s.stats().optimization.nodes_after, 3);
}

TEST(Optimizer, ConvThenEachActivationBecomesOneFusedConv) {
  struct Case {
    const char* op;
    std::vector<Attribute> attrs;
    std::vector<float> params;
  };
  const std::vector<Case> cases = {
      {"Relu", {}, {}},
      {"Sigmoid", {}, {}},
      {"Tanh", {}, {}},
      {"HardSwish", {}, {}},
      {"LeakyRelu", {float_attr("alpha", 0.3f)}, {0.3f}},
      {"HardSigmoid", {float_attr("alpha", 0.4f), float_attr("beta", 0.6f)}, {0.4f, 0.6f}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.op);
    ModelBuilder b = conv_model();
    b.node(c.op, {"c"}, {"y"}, c.attrs).output("y");
    Session s = session_at(b, OptimizationLevel::All);
    ASSERT_EQ(ops_of(s), "FusedConv");
    const Node& fused = s.model().graph.nodes[0];
    EXPECT_EQ(fused.domain, fused::kDomain);
    EXPECT_EQ(attr_of(fused, fused::kActivation).s, c.op);
    EXPECT_EQ(attr_of(fused, fused::kActivationParams).floats, c.params);
    EXPECT_EQ(s.model().graph.value(fused.outputs[0]).name, "y");
    expect_same_outputs(b, OptimizationLevel::All);
  }
}

TEST(Optimizer, ClipBoundsFromConstantNodesAreFoldedThenFused) {
  ModelBuilder b = conv_model();
  Attribute lo, hi;
  lo.name = hi.name = "value";
  lo.type = hi.type = AttrType::Tensor;
  lo.t = Tensor::scalar<float>(0.0f);
  hi.t = Tensor::scalar<float>(0.5f);
  b.node("Constant", {}, {"lo"}, {lo})
      .node("Constant", {}, {"hi"}, {hi})
      .node("Clip", {"c", "lo", "hi"}, {"y"})
      .output("y");
  Session s = session_at(b, OptimizationLevel::All);
  ASSERT_EQ(ops_of(s), "FusedConv");
  EXPECT_EQ(attr_of(s.model().graph.nodes[0], fused::kActivationParams).floats,
            (std::vector<float>{0.0f, 0.5f}));
  expect_same_outputs(b, OptimizationLevel::All);
  // Basic folds the Constants but leaves Conv and Clip.
  EXPECT_EQ(ops_of(session_at(b, OptimizationLevel::Basic)), "Conv,Clip");
}

TEST(Optimizer, ResidualAddAndReluFuseIntoConv) {
  ModelBuilder b = conv_model();
  b.input("skip", random_floats({1, 16, 10, 10}, 9))
      .node("Add", {"skip", "c"}, {"sum"})
      .node("Relu", {"sum"}, {"y"})
      .output("y");
  Session s = session_at(b, OptimizationLevel::All);
  ASSERT_EQ(ops_of(s), "FusedConv");
  const Node& fused = s.model().graph.nodes[0];
  ASSERT_EQ(fused.inputs.size(), 4u);
  EXPECT_EQ(s.model().graph.value(fused.inputs[3]).name, "skip");
  expect_same_outputs(b, OptimizationLevel::All);
}

TEST(Optimizer, EveryConvAlgorithmAppliesTheFusedEpilogue) {
  struct Case {
    const char* what;
    Shape x, w;
    int64_t group;
    std::vector<int64_t> pads;
  };
  const std::vector<Case> cases = {
      {"winograd", {1, 32, 24, 24}, {32, 32, 3, 3}, 1, {1, 1, 1, 1}},
      {"depthwise", {2, 12, 9, 9}, {12, 1, 3, 3}, 12, {1, 1, 1, 1}},
      {"im2col", {1, 16, 11, 10}, {20, 16, 3, 3}, 1, {1, 1, 1, 1}},
      {"pointwise", {1, 24, 7, 7}, {40, 24, 1, 1}, 1, {0, 0, 0, 0}},
      {"grouped", {1, 8, 9, 9}, {8, 4, 3, 3}, 2, {0, 0, 0, 0}},
  };
  for (const Case& c : cases)
    for (bool residual : {true, false}) {  // kernels clamp in registers without one
      SCOPED_TRACE(std::string(c.what) + (residual ? " with a residual" : ""));
      const Shape out = {c.x[0], c.w[0], c.x[2] - c.w[2] + 1 + c.pads[0] + c.pads[2],
                         c.x[3] - c.w[3] + 1 + c.pads[1] + c.pads[3]};
      ModelBuilder b;
      b.input("x", random_floats(c.x, 30))
          .constant("w", random_floats(c.w, 31, -0.3f, 0.3f))
          .constant("b", random_floats({c.w[0]}, 32))
          .input("skip", random_floats(out, 33))
          .constant("lo", Tensor::scalar<float>(-0.25f))
          .constant("hi", Tensor::scalar<float>(0.75f))
          .node("Conv", {"x", "w", "b"}, {"c"},
                {ints_attr("pads", c.pads), int_attr("group", c.group)});
      if (residual)
        b.node("Add", {"c", "skip"}, {"s"}).node("Clip", {"s", "lo", "hi"}, {"y"});
      else
        b.node("Clip", {"c", "lo", "hi"}, {"y"});
      b.output("y");
      ASSERT_EQ(ops_of(session_at(b, OptimizationLevel::All)), "FusedConv");
      expect_same_outputs(b, OptimizationLevel::All, 1e-4f);
    }
}

TEST(Optimizer, BroadcastingAddIsNotAResidual) {
  ModelBuilder b = conv_model();
  b.constant("shift", random_floats({1, 16, 1, 1}, 5))
      .node("Add", {"c", "shift"}, {"y"})
      .output("y");
  EXPECT_EQ(ops_of(session_at(b, OptimizationLevel::All)), "Conv,Add");
}

TEST(Optimizer, AValueReadTwiceOrReturnedIsNotFused) {
  ModelBuilder twice = conv_model();
  twice.node("Relu", {"c"}, {"y"}).node("Sigmoid", {"c"}, {"z"}).output("y").output("z");
  EXPECT_EQ(ops_of(session_at(twice, OptimizationLevel::All)), "Conv,Relu,Sigmoid");
  ModelBuilder returned = conv_model();
  returned.node("Relu", {"c"}, {"y"}).output("c").output("y");
  EXPECT_EQ(ops_of(session_at(returned, OptimizationLevel::All)), "Conv,Relu");
  expect_same_outputs(returned, OptimizationLevel::All);
}

// conv_model() followed by BatchNormalization into `out`; its scale is fed when
// `scale_fed`, an initializer otherwise.
ModelBuilder conv_batchnorm_model(bool scale_fed, const std::string& out) {
  ModelBuilder b = conv_model();
  const Tensor scale = random_floats({16}, 20, 0.5f, 2.0f);
  if (scale_fed)
    b.input("scale", scale);
  else
    b.constant("scale", scale);
  b.constant("shift", random_floats({16}, 21))
      .constant("mean", random_floats({16}, 22))
      .constant("var", random_floats({16}, 23, 0.1f, 2.0f))
      .node("BatchNormalization", {"c", "scale", "shift", "mean", "var"}, {out},
            {float_attr("epsilon", 1e-3f)});
  return b;
}

TEST(Optimizer, BatchNormalizationFoldsIntoConv) {
  ModelBuilder b = conv_batchnorm_model(false, "bn");
  b.node("Relu", {"bn"}, {"y"}).output("y");
  Session basic = session_at(b, OptimizationLevel::Basic);
  EXPECT_EQ(ops_of(basic), "Conv,Relu");
  // The original weights are no longer read, so they are gone.
  const Graph& g = basic.model().graph;
  EXPECT_TRUE(g.find("w") == kNoValue || !g.is_initializer(g.find("w")));
  expect_same_outputs(b, OptimizationLevel::Basic);
  EXPECT_EQ(ops_of(session_at(b, OptimizationLevel::All)), "FusedConv");
  expect_same_outputs(b, OptimizationLevel::All);
}

TEST(Optimizer, BatchNormalizationFoldsInPlaceIntoWeightsTheGraphAloneHolds) {
  ModelBuilder b = conv_batchnorm_model(false, "y");
  b.output("y");
  const std::vector<Tensor> want = session_at(b, OptimizationLevel::None).run(b.feeds());
  Model model = b.model();
  Tensor& w = model.graph.initializers.at(model.graph.find("w"));
  w = w.clone();  // the graph's own, as a loaded model's weights are
  const void* storage = w.raw();
  SessionOptions options(1);
  options.optimization = OptimizationLevel::Basic;
  options.free_packed_weights = false;
  Session s(builtin_registry(), std::move(model), options);
  ASSERT_EQ(ops_of(s), "Conv");
  const Graph& g = s.model().graph;
  EXPECT_EQ(g.initializers.at(g.nodes[0].inputs[1]).raw(), storage);  // no second copy
  const std::vector<Tensor> got = s.run(b.feeds());
  ASSERT_EQ(got.size(), 1u);
  for (int64_t i = 0; i < want[0].numel(); ++i)
    ASSERT_NEAR(got[0].data<float>()[i], want[0].data<float>()[i], 1e-4f) << "at " << i;
}

TEST(Optimizer, BatchNormalizationLeavesWeightsHeldElsewhereAlone) {
  ModelBuilder b = conv_batchnorm_model(false, "y");
  b.output("y");
  Model model = b.model();
  const Tensor held = model.graph.initializers.at(model.graph.find("w"));  // a caller's copy
  const Tensor before = held.clone();
  Session s = Session(builtin_registry(), std::move(model), SessionOptions(1));
  ASSERT_EQ(ops_of(s), "Conv");
  EXPECT_EQ(std::memcmp(held.raw(), before.raw(), held.nbytes()), 0);
}

TEST(Optimizer, BatchNormalizationWithAFedParameterStays) {
  ModelBuilder b = conv_batchnorm_model(true, "y");
  b.output("y");
  EXPECT_EQ(ops_of(session_at(b, OptimizationLevel::All)), "Conv,BatchNormalization");
  expect_same_outputs(b, OptimizationLevel::All);
}

TEST(Optimizer, IdentityAndInferenceDropoutAreRemoved) {
  ModelBuilder b;
  b.input("x", random_floats({2, 5}, 3))
      .node("Identity", {"x"}, {"a"})
      .node("Relu", {"a"}, {"r"})
      .node("Dropout", {"r"}, {"d", "mask"})
      .node("Sigmoid", {"d"}, {"s"})
      .node("Identity", {"s"}, {"y"})  // a graph output: Sigmoid takes its name over
      .output("y");
  Session s = session_at(b, OptimizationLevel::Basic);
  EXPECT_EQ(ops_of(s), "Relu,Sigmoid");
  EXPECT_EQ(s.model().graph.value(s.model().graph.nodes[1].outputs[0]).name, "y");
  expect_same_outputs(b, OptimizationLevel::Basic);
  // An input returned as an output keeps its Identity.
  ModelBuilder passthrough;
  passthrough.input("x", random_floats({2, 5}, 3)).node("Identity", {"x"}, {"y"}).output("y");
  EXPECT_EQ(ops_of(session_at(passthrough, OptimizationLevel::Basic)), "Identity");
}

TEST(Optimizer, DropoutWhoseMaskIsReadStays) {
  ModelBuilder b;
  b.input("x", random_floats({2, 5}, 3))
      .node("Dropout", {"x"}, {"d", "mask"})
      .output("d")
      .output("mask");
  EXPECT_EQ(ops_of(session_at(b, OptimizationLevel::All)), "Dropout");
}

TEST(Optimizer, ShapeComputationsFoldIntoOneInitializer) {
  // Reshape x (2, 3, 4) to (2, 12) through Shape -> Gather -> Unsqueeze -> Concat.
  ModelBuilder b;
  b.input("x", random_floats({2, 3, 4}, 4))
      .constant("zero", Tensor::scalar<int64_t>(0))
      .constant("axes", testing::ints({1}, {0}))
      .constant("rest", testing::ints({1}, {12}))
      .node("Shape", {"x"}, {"shape"})
      .node("Gather", {"shape", "zero"}, {"batch"}, {int_attr("axis", 0)})
      .node("Unsqueeze", {"batch", "axes"}, {"batch1"})
      .node("Concat", {"batch1", "rest"}, {"target"}, {int_attr("axis", 0)})
      .node("Reshape", {"x", "target"}, {"y"})
      .output("y");
  Session s = session_at(b, OptimizationLevel::Basic);
  EXPECT_EQ(ops_of(s), "Reshape");
  const Graph& g = s.model().graph;
  const Tensor& target = g.initializers.at(g.nodes[0].inputs[1]);
  EXPECT_EQ(target.shape(), (Shape{2}));
  EXPECT_EQ(target.data<int64_t>()[0], 2);
  EXPECT_EQ(target.data<int64_t>()[1], 12);
  expect_same_outputs(b, OptimizationLevel::Basic);
}

TEST(Optimizer, GemmThenActivationBecomesFusedGemm) {
  for (const char* op : {"Relu", "Sigmoid", "Tanh"}) {
    SCOPED_TRACE(op);
    ModelBuilder b;
    b.input("a", random_floats({7, 33}, 6))
        .constant("w", random_floats({20, 33}, 7))
        .constant("bias", random_floats({20}, 8))
        .node("Gemm", {"a", "w", "bias"}, {"g"}, {int_attr("transB", 1), float_attr("alpha", 0.5f)})
        .node(op, {"g"}, {"y"})
        .output("y");
    Session s = session_at(b, OptimizationLevel::All);
    ASSERT_EQ(ops_of(s), "FusedGemm");
    expect_same_outputs(b, OptimizationLevel::All);
  }
}

TEST(Optimizer, DoubleConvFusesAndRunsTheReferenceEpilogue) {
  ModelBuilder b;
  Tensor x(DType::Double, {1, 2, 4, 4}), w(DType::Double, {3, 2, 3, 3}),
      skip(DType::Double, {1, 3, 2, 2});
  for (int64_t i = 0; i < x.numel(); ++i) x.data<double>()[i] = std::sin(0.7 * double(i));
  for (int64_t i = 0; i < w.numel(); ++i) w.data<double>()[i] = std::cos(1.3 * double(i));
  for (int64_t i = 0; i < skip.numel(); ++i) skip.data<double>()[i] = std::sin(2.1 * double(i));
  b.input("x", x).constant("w", w).input("skip", skip);
  b.node("Conv", {"x", "w"}, {"c"})
      .node("Add", {"c", "skip"}, {"s"})
      .node("Relu", {"s"}, {"y"})
      .output("y");
  Session s = session_at(b, OptimizationLevel::All);
  ASSERT_EQ(ops_of(s), "FusedConv");
  const Tensor got = s.run(b.feeds())[0];
  const Tensor want = session_at(b, OptimizationLevel::None).run(b.feeds())[0];
  for (int64_t i = 0; i < got.numel(); ++i)
    EXPECT_EQ(got.data<double>()[i], want.data<double>()[i]);
}

TEST(Optimizer, AFusedNodeWithAnUnknownActivationIsRefused) {
  testing::OpTester t(fused::kConv, fused::kVersion, fused::kDomain);
  t.input("x", random_floats({1, 1, 3, 3}, 1))
      .constant("w", random_floats({1, 1, 1, 1}, 2))
      .attr(fused::kActivation, "Swish")
      .output("y");
  EXPECT_NE(error_of([&] { t.run(); }).find("unknown fused activation 'Swish'"), std::string::npos);
}

TEST(Optimizer, LevelNamesRoundTrip) {
  for (OptimizationLevel level :
       {OptimizationLevel::None, OptimizationLevel::Basic, OptimizationLevel::All})
    EXPECT_EQ(parse_optimization_level(optimization_level_name(level)), level);
  EXPECT_FALSE(parse_optimization_level("O3").has_value());
}

}  // namespace
}  // namespace onyx
