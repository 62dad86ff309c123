// The channel-blocked layout: its operators (ops/nn/blocked_conv.cc) against FusedConv and
// hand-derived layouts, the fast blocked kernels (kernels/nchwc) against the reference
// kernel, and the blocked_layout pass (graph/passes/blocked_layout.cc) on chains built as
// MobileNet's exporters write them.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <string>

#include "fast_check.h"
#include "graph_builders.h"
#include "kernels/nchwc/blocked_conv.h"
#include "onyx/fused_ops.h"
#include "onyx/optimizer.h"
#include "optimizer_models.h"

namespace onyx {
namespace {

using kernels::nchwc::native_block;
using kernels::nchwc::padded_channels;
using test::expect_same_outputs;
using test::float_attr;
using test::int_attr;
using test::ints_attr;
using test::ModelBuilder;
using test::ops_of;
using test::session_at;
using testing::OpTester;

// (N, C, H, W) -> blocked (N, C', H, W), written out index by index.
Tensor blocked(const Tensor& x, int64_t block) {
  const int64_t N = x.dim(0), C = x.dim(1), H = x.dim(2), W = x.dim(3);
  const int64_t Cp = padded_channels(C, block);
  Tensor y(DType::Float, {N, Cp, H, W});
  for (int64_t i = 0; i < y.numel(); ++i) y.data<float>()[i] = 0.0f;
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c)
      for (int64_t p = 0; p < H * W; ++p)
        y.data<float>()[((n * (Cp / block) + c / block) * H * W + p) * block + c % block] =
            x.data<float>()[(n * C + c) * H * W + p];
  return y;
}

// A BlockedConv geometry: pointwise (K 1, stride 1, pad 0), depthwise (K 3, pad 1) or
// dense (group 1, stride 1).
struct Geometry {
  bool depthwise;
  int64_t C, M, H, W, stride;
  int64_t K = 1, pad = 0;
};

std::vector<Attribute> conv_attrs(const Geometry& g) {
  std::vector<Attribute> a = {ints_attr("kernel_shape", {g.K, g.K}),
                              ints_attr("pads", {g.pad, g.pad, g.pad, g.pad}),
                              ints_attr("strides", {g.stride, g.stride})};
  if (g.depthwise) a.push_back(int_attr("group", g.C));
  return a;
}

Shape weight_shape(const Geometry& g) {
  return g.depthwise ? Shape{g.C, 1, 3, 3} : Shape{g.M, g.C, g.K, g.K};
}

int64_t out_dim(const Geometry& g, int64_t in) { return (in + 2 * g.pad - g.K) / g.stride + 1; }

// A FusedConv or BlockedConv node on the same operands: X and Z as given (NCHW or
// blocked), W and B constants.
OpTester conv_tester(const char* op, const Geometry& g, const Tensor& x, const Tensor& w,
                     const Tensor& b, const Tensor* z, const std::string& activation,
                     int64_t block) {
  OpTester t(op, 1, fused::kDomain);
  t.input("X", x).constant("W", w).constant("B", b);
  if (z) t.input("Z", *z);
  for (const Attribute& a : conv_attrs(g)) {
    if (a.type == AttrType::Ints) t.attr(a.name, a.ints);
    if (a.type == AttrType::Int) t.attr(a.name, a.i);
  }
  if (activation == "Clip")
    t.attr(fused::kActivation, activation).attr(fused::kActivationParams, std::vector<float>{0, 6});
  else if (!activation.empty())
    t.attr(fused::kActivation, activation);
  if (block > 0) t.attr(fused::kBlock, block);
  return t.output("Y");
}

const std::vector<Geometry> kGeometries = {
    // 1x1
    {false, 1, 1, 1, 1, 1},
    {false, 3, 5, 2, 3, 1},
    {false, 17, 24, 7, 5, 1},
    {false, 32, 16, 13, 11, 1},
    {false, 40, 33, 4, 4, 1},
    // 3x3 depthwise
    {true, 1, 1, 1, 1, 1, 3, 1},
    {true, 5, 5, 3, 7, 1, 3, 1},
    {true, 19, 19, 8, 9, 2, 3, 1},
    {true, 16, 16, 14, 14, 1, 3, 1},
    {true, 40, 40, 7, 6, 2, 3, 1},
    {true, 24, 24, 2, 1, 2, 3, 1},
    // dense, stride 1
    {false, 8, 16, 9, 9, 1, 3, 1},
    {false, 19, 7, 6, 11, 1, 3, 1},
    {false, 3, 17, 13, 13, 1, 7, 3},
    {false, 24, 40, 9, 8, 1, 3, 0},
    {false, 16, 16, 2, 3, 1, 3, 2},
    {false, 5, 9, 1, 1, 1, 3, 1},
    {false, 33, 20, 14, 14, 1, 5, 2},
};

Attribute string_attr(const std::string& name, const std::string& value) {
  Attribute a;
  a.name = name;
  a.type = AttrType::String;
  a.s = value;
  return a;
}

Attribute floats_attr(const std::string& name, std::vector<float> values) {
  Attribute a;
  a.name = name;
  a.type = AttrType::Floats;
  a.floats = std::move(values);
  return a;
}

// ---- the operators against FusedConv and hand-derived values ----

TEST(BlockedLayout, ReorderMatchesTheLayoutDerivedByHand) {
  // C = 3, one row of 2 pixels, block 4: pixel 0 holds channels 0..2 then a zero lane.
  const Tensor x = Tensor::from_vector<float>({1, 3, 1, 2}, {1, 2, 3, 4, 5, 6});
  OpTester in(fused::kToBlocked, 1, fused::kDomain);
  in.input("X", x).attr(fused::kBlock, int64_t{4}).output("Y");
  const Tensor y = in.run().at(0);
  ASSERT_EQ(y.shape(), (Shape{1, 4, 1, 2}));
  const std::vector<float> want = {1, 3, 5, 0, 2, 4, 6, 0};
  for (int64_t i = 0; i < 8; ++i) EXPECT_EQ(y.data<float>()[i], want[static_cast<size_t>(i)]) << i;
  OpTester out(fused::kFromBlocked, 1, fused::kDomain);
  out.input("X", y).attr(fused::kBlock, int64_t{4}).attr("channels", int64_t{3}).output("Y");
  const Tensor back = out.run().at(0);
  ASSERT_EQ(back.shape(), x.shape());
  for (int64_t i = 0; i < 6; ++i) EXPECT_EQ(back.data<float>()[i], x.data<float>()[i]);
}

TEST(BlockedLayout, ReferenceKernelMatchesFusedConv) {
  std::mt19937 rng(5);
  for (const Geometry& g : kGeometries)
    for (int64_t block : {4, 8, 16})
      for (const std::string activation : {"", "Relu", "Clip", "Sigmoid"})
        for (bool residual : {false, true}) {
          const Tensor x = testing::random_floats({2, g.C, g.H, g.W}, rng);
          const Tensor w = testing::random_floats(weight_shape(g), rng);
          const Tensor b = testing::random_floats({g.M}, rng);
          const Tensor z = testing::random_floats({2, g.M, out_dim(g, g.H), out_dim(g, g.W)}, rng);
          const OpTester plain =
              conv_tester(fused::kConv, g, x, w, b, residual ? &z : nullptr, activation, 0);
          const Tensor want = plain.session(1, true).run(plain.feeds()).at(0);
          const Tensor zb = blocked(z, block);
          const OpTester on_blocks = conv_tester(fused::kBlockedConv, g, blocked(x, block), w, b,
                                                 residual ? &zb : nullptr, activation, block);
          const Tensor got = on_blocks.session(1, true).run(on_blocks.feeds()).at(0);
          const Tensor expected = blocked(want, block);  // padded lanes zero
          ASSERT_EQ(got.shape(), expected.shape());
          for (int64_t i = 0; i < got.numel(); ++i)
            ASSERT_NEAR(got.data<float>()[i], expected.data<float>()[i],
                        1e-5f * (1 + std::fabs(expected.data<float>()[i])))
                << "C " << g.C << " M " << g.M << " block " << block << " '" << activation
                << "' residual " << residual << " at " << i;
        }
}

// ---- the fast kernels against the reference ----

TEST(BlockedLayout, FastKernelsMatchTheReference) {
  const int64_t block = native_block();
  if (block == 0) GTEST_SKIP() << "this CPU has no blocked kernels (AVX2 or AVX-512)";
  std::mt19937 rng(7);
  for (const Geometry& g : kGeometries)
    for (const std::string activation : {"", "Clip", "HardSwish"})
      for (bool residual : {false, true})
        for (int64_t N : {1, 3}) {
          const Tensor x = blocked(testing::random_floats({N, g.C, g.H, g.W}, rng), block);
          const Tensor z = blocked(
              testing::random_floats({N, g.M, out_dim(g, g.H), out_dim(g, g.W)}, rng), block);
          const OpTester t = conv_tester(
              fused::kBlockedConv, g, x, testing::random_floats(weight_shape(g), rng),
              testing::random_floats({g.M}, rng), residual ? &z : nullptr, activation, block);
          testing::expect_fast_matches_reference(
              t,
              "C " + std::to_string(g.C) + " M " + std::to_string(g.M) + " '" + activation + "'");
        }
}

// An infinite input makes a padded output channel 0 * inf = NaN; the next layer reads it
// through a zero weight, so the padded lanes must be zero again or a finite result turns
// NaN. Clip(0, 6) makes the real channels finite.
TEST(BlockedLayout, PaddedChannelsStayZeroPastAnInfiniteInput) {
  for (int64_t block : {native_block(), int64_t{8}}) {
    if (block == 0) continue;
    ModelBuilder b;
    const Tensor x =
        Tensor::from_vector<float>({1, 1, 1, 2}, {std::numeric_limits<float>::infinity(), 1});
    const std::vector<Attribute> pointwise = {ints_attr("kernel_shape", {1, 1}),
                                              int_attr(fused::kBlock, block)};
    std::vector<Attribute> clipped = pointwise;
    clipped.push_back(string_attr(fused::kActivation, "Clip"));
    clipped.push_back(floats_attr(fused::kActivationParams, {0, 6}));
    b.input("x", x)
        .constant("w1", Tensor::from_vector<float>({3, 1, 1, 1}, {1, 2, 3}))
        .constant("w2", Tensor::from_vector<float>({2, 3, 1, 1}, {1, 1, 1, -1, 0.5f, 2}))
        .node(fused::kToBlocked, {"x"}, {"xb"}, {int_attr(fused::kBlock, block)})
        .in_domain(fused::kDomain)
        .node(fused::kBlockedConv, {"xb", "w1"}, {"h"}, clipped)
        .in_domain(fused::kDomain)
        .node(fused::kBlockedConv, {"h", "w2"}, {"yb"}, pointwise)
        .in_domain(fused::kDomain)
        .node(fused::kFromBlocked, {"yb"}, {"y"},
              {int_attr(fused::kBlock, block), int_attr("channels", 2)})
        .in_domain(fused::kDomain)
        .output("y");
    const Model m = b.model();
    for (bool reference : {false, true}) {
      SessionOptions options{1, true};
      options.reference_kernels = reference;
      const Tensor y = Session(builtin_registry(), m, options).run(b.feeds()).at(0);
      // Pixel 0: h = (6, 6, 6); pixel 1: h = (1, 2, 3).
      const std::vector<float> want = {6 + 6 + 6, 1 + 2 + 3, -6 + 3 + 12, -1 + 1 + 6};
      for (int64_t i = 0; i < 4; ++i)
        EXPECT_EQ(y.data<float>()[i], want[static_cast<size_t>(i)])
            << "block " << block << ", reference " << reference << ", at " << i;
    }
  }
}

TEST(BlockedLayout, OperatorsRefuseWhatTheyDoNotCompute) {
  const Tensor x = Tensor(DType::Float, {1, 8, 3, 3});
  OpTester bad_block(fused::kToBlocked, 1, fused::kDomain);
  bad_block.input("X", x).attr(fused::kBlock, int64_t{0}).output("Y");
  EXPECT_TRUE(testing::mentions(testing::error_of([&] { bad_block.run(); }), "block"));

  OpTester grouped(fused::kBlockedConv, 1, fused::kDomain);  // 2 groups: not served
  grouped.input("X", x)
      .constant("W", Tensor(DType::Float, {8, 4, 3, 3}))
      .attr("pads", std::vector<int64_t>{1, 1, 1, 1})
      .attr("group", int64_t{2})
      .attr(fused::kBlock, int64_t{8})
      .output("Y");
  EXPECT_TRUE(testing::mentions(testing::error_of([&] { grouped.run(); }), "BlockedConv computes"));

  OpTester channels(fused::kFromBlocked, 1, fused::kDomain);  // 9 channels need 16
  channels.input("X", x).attr(fused::kBlock, int64_t{8}).attr("channels", int64_t{9}).output("Y");
  EXPECT_TRUE(testing::mentions(testing::error_of([&] { channels.run(); }), "16 channels"));
}

TEST(BlockedLayout, EmptyPlaneGivesEmptyOutput) {
  // (0 + 2 - 3) / 2 rounds down: no rows, as Conv's formula says, not one row of bias.
  for (int64_t block : {int64_t{8}, native_block()}) {
    if (block == 0) continue;
    const Geometry g{true, 8, 8, 0, 5, 2, 3, 1};
    std::mt19937 rng(3);
    const OpTester t = conv_tester(fused::kBlockedConv, g, Tensor(DType::Float, {1, block, 0, 5}),
                                   testing::random_floats(weight_shape(g), rng),
                                   testing::random_floats({8}, rng), nullptr, "Relu", block);
    for (bool reference : {false, true})
      EXPECT_EQ(t.session(1, reference).run(t.feeds()).at(0).shape(), (Shape{1, block, 0, 3}));
  }
}

// ---- the pass ----

// MobileNetV2's pattern: a dense 3x3 stem, then `blocks` inverted-residual blocks (1x1
// expand + Clip, 3x3 depthwise + Clip, 1x1 project, + the block's input), as exported.
ModelBuilder mobilenet_chain(int blocks, int64_t C = 12, int64_t E = 36, int64_t H = 9) {
  ModelBuilder b(13);
  std::mt19937 rng(11);
  b.input("image", testing::random_floats({2, 3, 2 * H, 2 * H}, rng))
      .constant("stem_w", testing::random_floats({C, 3, 3, 3}, rng))
      .constant("lo", Tensor::from_vector<float>({}, {0}))
      .constant("hi", Tensor::from_vector<float>({}, {6}))
      .node("Conv", {"image", "stem_w"}, {"stem"},
            {ints_attr("kernel_shape", {3, 3}), ints_attr("pads", {1, 1, 1, 1}),
             ints_attr("strides", {2, 2})});
  std::string in = "stem";
  for (int k = 0; k < blocks; ++k) {
    const std::string p = "b" + std::to_string(k) + "_";
    b.constant(p + "we", testing::random_floats({E, C, 1, 1}, rng))
        .constant(p + "be", testing::random_floats({E}, rng))
        .constant(p + "wd", testing::random_floats({E, 1, 3, 3}, rng))
        .constant(p + "bd", testing::random_floats({E}, rng))
        .constant(p + "wp", testing::random_floats({C, E, 1, 1}, rng))
        .node("Conv", {in, p + "we", p + "be"}, {p + "e"}, {ints_attr("kernel_shape", {1, 1})})
        .node("Clip", {p + "e", "lo", "hi"}, {p + "e6"})
        .node("Conv", {p + "e6", p + "wd", p + "bd"}, {p + "d"},
              {ints_attr("kernel_shape", {3, 3}), ints_attr("pads", {1, 1, 1, 1}),
               int_attr("group", E)})
        .node("Clip", {p + "d", "lo", "hi"}, {p + "d6"})
        .node("Conv", {p + "d6", p + "wp"}, {p + "p"}, {ints_attr("kernel_shape", {1, 1})})
        .node("Add", {p + "p", in}, {p + "out"});
    in = p + "out";
  }
  b.node("GlobalAveragePool", {in}, {"pooled"}).output("pooled");
  return b;
}

int count_of(const Graph& g, const char* op) {
  int n = 0;
  for (const Node& nd : g.nodes) n += nd.op_type == op;
  return n;
}

Graph optimized(const ModelBuilder& b, int64_t block) {
  Model m = b.model();
  const Registry& r = builtin_registry();
  OptimizerTarget target;
  target.channel_block = block;
  optimize_graph(
      m.graph, OptimizationLevel::All, [&r](const Node& n) { return r.shape_rule(n); }, target);
  return m.graph;
}

TEST(BlockedLayout, ChainIsBlockedWithReordersAtItsEdgesOnly) {
  const ModelBuilder b = mobilenet_chain(3);
  for (int64_t block : {8, 16}) {
    const Graph g = optimized(b, block);
    EXPECT_EQ(count_of(g, fused::kBlockedConv), 9) << block;
    EXPECT_EQ(count_of(g, fused::kToBlocked), 1) << block;    // the stem's output
    EXPECT_EQ(count_of(g, fused::kFromBlocked), 1) << block;  // into the pool
    EXPECT_EQ(count_of(g, "Conv"), 1) << block;               // the stem stays NCHW
    EXPECT_EQ(count_of(g, "Add") + count_of(g, "Clip"), 0) << block;
  }
  if (native_block() > 0) {  // the session applies it with the CPU's block
    EXPECT_NE(ops_of(session_at(b, OptimizationLevel::All)).find(fused::kBlockedConv),
              std::string::npos);
  }
  expect_same_outputs(b, OptimizationLevel::All, 1e-4f);
}

TEST(BlockedLayout, ShortChainsStayAsTheyAre) {
  // One block is three convolutions: under kMinChainConvs.
  const Graph g = optimized(mobilenet_chain(1), 16);
  EXPECT_EQ(count_of(g, fused::kBlockedConv), 0);
  EXPECT_EQ(count_of(g, fused::kToBlocked) + count_of(g, fused::kFromBlocked), 0);
}

TEST(BlockedLayout, DenseChainsAreBlockedButStridedLayersStayNchw) {
  // Nine 3x3 layers of 16 channels, the fifth with stride 2: the strided one stays NCHW,
  // between two chains of four, and the outputs do not change.
  ModelBuilder b;
  std::mt19937 rng(13);
  b.input("x", testing::random_floats({1, 16, 12, 12}, rng));
  std::string in = "x";
  for (int k = 0; k < 9; ++k) {
    const std::string w = "w" + std::to_string(k), out = "y" + std::to_string(k);
    const int64_t stride = k == 4 ? 2 : 1;
    Tensor weights = testing::random_floats({16, 16, 3, 3}, rng);
    for (int64_t i = 0; i < weights.numel(); ++i) weights.data<float>()[i] /= 12;  // ~1/sqrt(144)
    b.constant(w, weights)
        .node("Conv", {in, w}, {out},
              {ints_attr("kernel_shape", {3, 3}), ints_attr("pads", {1, 1, 1, 1}),
               ints_attr("strides", {stride, stride})});
    in = out;
  }
  b.output(in);
  EXPECT_EQ(count_of(optimized(b, 8), fused::kBlockedConv), 0);  // AVX2: dense stays NCHW
  const Graph g = optimized(b, 16);
  EXPECT_EQ(count_of(g, fused::kBlockedConv), 8);
  EXPECT_EQ(count_of(g, "Conv"), 1);
  EXPECT_EQ(count_of(g, fused::kToBlocked), 2);
  EXPECT_EQ(count_of(g, fused::kFromBlocked), 2);
  expect_same_outputs(b, OptimizationLevel::All, 1e-4f);
}

// SqueezeNet's Fire modules: squeeze 1x1 + Relu, then 1x1 and 3x3 expands + Relu joined
// by a channel Concat. `expand` channels per branch: 16 fills whole blocks of 8 and 16.
ModelBuilder fire_chain(int fires, int64_t expand) {
  ModelBuilder b(13);
  std::mt19937 rng(17);
  b.input("x", testing::random_floats({1, 2 * expand, 9, 9}, rng));
  std::string in = "x";
  int64_t channels = 2 * expand;
  for (int k = 0; k < fires; ++k) {
    const std::string p = "f" + std::to_string(k) + "_";
    b.constant(p + "ws", testing::random_floats({8, channels, 1, 1}, rng))
        .constant(p + "w1", testing::random_floats({expand, 8, 1, 1}, rng))
        .constant(p + "w3", testing::random_floats({expand, 8, 3, 3}, rng))
        .node("Conv", {in, p + "ws"}, {p + "s"}, {ints_attr("kernel_shape", {1, 1})})
        .node("Relu", {p + "s"}, {p + "sr"})
        .node("Conv", {p + "sr", p + "w1"}, {p + "e1"}, {ints_attr("kernel_shape", {1, 1})})
        .node("Relu", {p + "e1"}, {p + "e1r"})
        .node("Conv", {p + "sr", p + "w3"}, {p + "e3"},
              {ints_attr("kernel_shape", {3, 3}), ints_attr("pads", {1, 1, 1, 1})})
        .node("Relu", {p + "e3"}, {p + "e3r"})
        .node("Concat", {p + "e1r", p + "e3r"}, {p + "out"}, {int_attr("axis", 1)});
    in = p + "out";
    channels = 2 * expand;
  }
  b.output(in);
  return b;
}

TEST(BlockedLayout, FireModulesAreBlockedWithTheirConcats) {
  const ModelBuilder b = fire_chain(2, 16);
  const Graph g = optimized(b, 16);
  EXPECT_EQ(count_of(g, fused::kBlockedConv), 6);
  EXPECT_EQ(count_of(g, "Concat"), 2);  // on blocked values
  EXPECT_EQ(count_of(g, fused::kToBlocked), 1);
  EXPECT_EQ(count_of(g, fused::kFromBlocked), 1);
  expect_same_outputs(b, OptimizationLevel::All, 1e-4f);
  // 24 channels per branch are not whole blocks of 16: the Concats stay NCHW, and the
  // chains between them are too short.
  EXPECT_EQ(count_of(optimized(fire_chain(2, 24), 16), fused::kBlockedConv), 0);
}

TEST(BlockedLayout, ChainsWithManyEdgesStayAsTheyAre) {
  // Every block's output also leaves the graph: 1 reorder in and 4 out for 6 convolutions.
  ModelBuilder b = mobilenet_chain(2);
  b.output("b0_out").output("b0_e6").output("b1_d6");
  const Graph g = optimized(b, 16);
  EXPECT_EQ(count_of(g, fused::kBlockedConv), 0);
}

TEST(BlockedLayout, ValueReadOutsideTheChainKeepsItsName) {
  // A middle block's output is also a graph output: a reorder writes it under its name.
  ModelBuilder b = mobilenet_chain(4);
  b.output("b1_out");
  const Graph g = optimized(b, 8);
  EXPECT_EQ(count_of(g, fused::kBlockedConv), 12);
  EXPECT_EQ(count_of(g, fused::kFromBlocked), 2);
  bool named = false;
  for (const Node& nd : g.nodes)
    if (nd.op_type == fused::kFromBlocked) named = named || g.value(nd.outputs[0]).name == "b1_out";
  EXPECT_TRUE(named);
  expect_same_outputs(b, OptimizationLevel::All, 1e-4f);
}

}  // namespace
}  // namespace onyx
