// The transformer fusions of the optimizer (graph/passes/fuse_gelu.cc, fuse_layer_norm.cc):
// each pattern built as exporters write it, checking the rewritten graph and that its
// outputs equal those of the graph as written; patterns that must stay as they are; and
// the fused operators' fast kernels against their reference kernels.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <string>

#include "fast_check.h"
#include "graph_builders.h"
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
using test::session_at;

constexpr float kSqrt2 = 1.41421356f;
constexpr float kSqrt2OverPi = 0.79788456f;

// Values over the range GELU and LayerNormalization see, with large magnitudes: most in
// [-6, 6], some in [-1e4, 1e4], and exact zeros.
Tensor wide_floats(Shape shape, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-6.0f, 6.0f), big(-1e4f, 1e4f);
  Tensor t(DType::Float, std::move(shape));
  for (int64_t i = 0; i < t.numel(); ++i)
    t.data<float>()[i] = i % 17 == 3 ? big(rng) : i % 29 == 5 ? 0.0f : u(rng);
  return t;
}

Tensor scalar(float v) { return Tensor::from_vector<float>({}, {v}); }

// ---- GELU ----

enum class Tail { XThenHalf, HalfThenX, HalfOfXFirst };

// x * 0.5 * (1 + Erf(x / sqrt 2)) as the exporters write it (the head Div, or a Mul by
// 1 / sqrt 2, then the tail's products in the order given); y is the output.
ModelBuilder erf_gelu(Tail tail, bool mul_head = false, float divisor = kSqrt2,
                      int64_t opset = 13) {
  ModelBuilder b(opset);
  b.input("x", wide_floats({2, 5, 37}, 7))
      .constant("one", scalar(1.0f))
      .constant("half", scalar(0.5f));
  if (mul_head)
    b.constant("inv_sqrt2", scalar(1.0f / divisor)).node("Mul", {"inv_sqrt2", "x"}, {"z"});
  else
    b.constant("sqrt2", scalar(divisor)).node("Div", {"x", "sqrt2"}, {"z"});
  b.node("Erf", {"z"}, {"e"}).node("Add", {"e", "one"}, {"p"});
  switch (tail) {
    case Tail::XThenHalf:  // torch.onnx's gelu
      b.node("Mul", {"x", "p"}, {"q"}).node("Mul", {"q", "half"}, {"y"});
      break;
    case Tail::HalfThenX:
      b.node("Mul", {"half", "p"}, {"q"}).node("Mul", {"q", "x"}, {"y"});
      break;
    case Tail::HalfOfXFirst:  // BERT's x * 0.5 * (1 + erf(...))
      b.node("Mul", {"x", "half"}, {"h"}).node("Mul", {"h", "p"}, {"y"});
      break;
  }
  return b;
}

// GPT-2's 0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x^3))).
ModelBuilder tanh_gelu(float exponent = 3.0f, float cubic = 0.044715f) {
  ModelBuilder b(13);
  b.input("x", wide_floats({3, 4, 65}, 11))
      .constant("half", scalar(0.5f))
      .constant("three", scalar(exponent))
      .constant("cubic", scalar(cubic))
      .constant("scale", scalar(kSqrt2OverPi))
      .constant("one", scalar(1.0f))
      .node("Mul", {"x", "half"}, {"h"})
      .node("Pow", {"x", "three"}, {"x3"})
      .node("Mul", {"x3", "cubic"}, {"w"})
      .node("Add", {"x", "w"}, {"v"})
      .node("Mul", {"v", "scale"}, {"u"})
      .node("Tanh", {"u"}, {"t"})
      .node("Add", {"t", "one"}, {"p"})
      .node("Mul", {"h", "p"}, {"y"});
  return b;
}

void expect_one_gelu(const ModelBuilder& b, const char* approximate) {
  Session s = session_at(b, OptimizationLevel::All);
  ASSERT_EQ(ops_of(s), "Gelu");
  const Node& gelu = s.model().graph.nodes[0];
  EXPECT_EQ(gelu.domain, fused::kDomain);
  EXPECT_EQ(attr_of(gelu, "approximate").s, approximate);
  EXPECT_EQ(s.model().graph.value(gelu.inputs[0]).name, "x");
  EXPECT_EQ(s.model().graph.value(gelu.outputs[0]).name, "y");
  expect_same_outputs(b, OptimizationLevel::All);
}

TEST(FuseGelu, ErfFormInEveryExportedOrderBecomesOneGelu) {
  for (Tail tail : {Tail::XThenHalf, Tail::HalfThenX, Tail::HalfOfXFirst})
    for (bool mul_head : {false, true}) {
      SCOPED_TRACE("tail " + std::to_string(static_cast<int>(tail)) + ", mul head " +
                   std::to_string(mul_head));
      ModelBuilder b = erf_gelu(tail, mul_head);
      b.output("y");
      expect_one_gelu(b, "none");
    }
}

TEST(FuseGelu, TanhFormAsGpt2WritesItBecomesOneGelu) {
  ModelBuilder b = tanh_gelu();
  b.output("y");
  expect_one_gelu(b, "tanh");
}

TEST(FuseGelu, GeluBetweenOtherNodesKeepsThem) {
  ModelBuilder b(13);
  b.input("a", wide_floats({4, 33}, 3))
      .constant("two", scalar(2.0f))
      .constant("sqrt2", scalar(kSqrt2))
      .constant("one", scalar(1.0f))
      .constant("half", scalar(0.5f))
      .node("Mul", {"a", "two"}, {"x"})
      .node("Div", {"x", "sqrt2"}, {"z"})
      .node("Erf", {"z"}, {"e"})
      .node("Add", {"one", "e"}, {"p"})
      .node("Mul", {"p", "x"}, {"q"})
      .node("Mul", {"q", "half"}, {"g"})
      .node("Relu", {"g"}, {"y"})
      .output("y")
      .output("x");  // x may be read elsewhere; only the chain's intermediates may not
  EXPECT_EQ(ops_of(session_at(b, OptimizationLevel::All)), "Mul,Gelu,Relu");
  EXPECT_EQ(ops_of(session_at(b, OptimizationLevel::Basic)), "Mul,Div,Erf,Add,Mul,Mul,Relu");
  expect_same_outputs(b, OptimizationLevel::All);
}

TEST(FuseGelu, WrongConstantsAreNotFused) {
  {
    ModelBuilder b = erf_gelu(Tail::XThenHalf, false, 1.5f);
    b.output("y");
    EXPECT_EQ(ops_of(session_at(b, OptimizationLevel::All)), "Div,Erf,Add,Mul,Mul");
  }
  {
    ModelBuilder b = tanh_gelu(2.0f);
    b.output("y");
    EXPECT_EQ(ops_of(session_at(b, OptimizationLevel::All)), "Mul,Pow,Mul,Add,Mul,Tanh,Add,Mul");
  }
  {
    ModelBuilder b = tanh_gelu(3.0f, 0.05f);
    b.output("y");
    EXPECT_EQ(ops_of(session_at(b, OptimizationLevel::All)), "Mul,Pow,Mul,Add,Mul,Tanh,Add,Mul");
  }
  {  // a half that is a vector broadcasts x to another shape
    ModelBuilder b(13);
    b.input("x", wide_floats({5}, 1))
        .constant("sqrt2", scalar(kSqrt2))
        .constant("one", scalar(1.0f))
        .constant("half", Tensor::from_vector<float>({1, 1}, {0.5f}))
        .node("Div", {"x", "sqrt2"}, {"z"})
        .node("Erf", {"z"}, {"e"})
        .node("Add", {"e", "one"}, {"p"})
        .node("Mul", {"x", "p"}, {"q"})
        .node("Mul", {"q", "half"}, {"y"})
        .output("y");
    EXPECT_EQ(ops_of(session_at(b, OptimizationLevel::All)), "Div,Erf,Add,Mul,Mul");
  }
}

TEST(FuseGelu, IntermediatesReadElsewhereOrReturnedAreNotFused) {
  for (const char* middle : {"z", "e", "p", "q"}) {
    SCOPED_TRACE(middle);
    ModelBuilder b = erf_gelu(Tail::XThenHalf);
    b.output("y").output(middle);  // a graph output in the middle
    EXPECT_EQ(ops_of(session_at(b, OptimizationLevel::All)), "Div,Erf,Add,Mul,Mul");
    expect_same_outputs(b, OptimizationLevel::All);
  }
  for (const char* middle : {"h", "x3", "w", "v", "u", "t", "p"}) {
    SCOPED_TRACE(middle);
    ModelBuilder b = tanh_gelu();
    b.node("Neg", {middle}, {"other"}).output("y").output("other");  // a second reader
    EXPECT_EQ(ops_of(session_at(b, OptimizationLevel::All)),
              "Mul,Pow,Mul,Add,Mul,Tanh,Add,Mul,Neg");
    expect_same_outputs(b, OptimizationLevel::All);
  }
}

TEST(FuseGelu, DoubleIsNotFused) {
  ModelBuilder b(13);
  b.input("x", Tensor::from_vector<double>({3}, {-1.0, 0.5, 2.0}))
      .constant("sqrt2", Tensor::from_vector<double>({}, {1.4142135623730951}))
      .constant("one", Tensor::from_vector<double>({}, {1.0}))
      .constant("half", Tensor::from_vector<double>({}, {0.5}))
      .node("Div", {"x", "sqrt2"}, {"z"})
      .node("Erf", {"z"}, {"e"})
      .node("Add", {"e", "one"}, {"p"})
      .node("Mul", {"x", "p"}, {"q"})
      .node("Mul", {"q", "half"}, {"y"})
      .output("y");
  EXPECT_EQ(ops_of(session_at(b, OptimizationLevel::All)), "Div,Erf,Add,Mul,Mul");
}

// ---- LayerNormalization ----

struct LayerNormForm {
  int64_t opset = 13;
  std::vector<int64_t> axes = {-1};
  bool affine = true;
  int64_t scale_length = 48;
};

// BERT's decomposed LayerNormalization of x (2, 7, 48); y is the output.
ModelBuilder decomposed_layer_norm(const LayerNormForm& f = {}) {
  ModelBuilder b(f.opset);
  Tensor x = wide_floats({2, 7, 48}, 5);
  for (int64_t i = 0; i < x.numel(); ++i)  // rows of different means and spreads
    x.data<float>()[i] = x.data<float>()[i] * 0.01f * static_cast<float>(i / 48 + 1) +
                         static_cast<float>(i / 48 % 5);
  b.input("x", x)
      .constant("two", scalar(2.0f))
      .constant("eps", scalar(1e-12f))
      .constant("gamma", test::random_floats({f.scale_length}, 2, 0.5f, 1.5f))
      .constant("beta", test::random_floats({f.scale_length}, 3));
  auto mean = [&](const std::string& in, const std::string& out) {
    if (f.opset >= 18) {
      b.constant("axes", Tensor::from_vector<int64_t>({1}, f.axes));
      b.node("ReduceMean", {in, "axes"}, {out});
    } else {
      b.node("ReduceMean", {in}, {out}, {ints_attr("axes", f.axes)});
    }
  };
  mean("x", "m");
  b.node("Sub", {"x", "m"}, {"d"}).node("Pow", {"d", "two"}, {"sq"});
  mean("sq", "v");
  b.node("Add", {"v", "eps"}, {"ve"}).node("Sqrt", {"ve"}, {"s"});
  if (f.affine)
    b.node("Div", {"d", "s"}, {"n"})
        .node("Mul", {"gamma", "n"}, {"o"})
        .node("Add", {"o", "beta"}, {"y"});
  else
    b.node("Div", {"d", "s"}, {"y"});
  return b;
}

constexpr const char* kDecomposed = "ReduceMean,Sub,Pow,ReduceMean,Add,Sqrt,Div,Mul,Add";

TEST(FuseLayerNorm, BertDecompositionBecomesOneLayerNormalization) {
  for (int64_t opset : {13, 17, 18}) {
    for (std::vector<int64_t> axes : {std::vector<int64_t>{-1}, std::vector<int64_t>{2}}) {
      SCOPED_TRACE("opset " + std::to_string(opset) + ", axis " + std::to_string(axes[0]));
      LayerNormForm form;
      form.opset = opset;
      form.axes = axes;
      ModelBuilder b = decomposed_layer_norm(form);
      b.output("y");
      Session s = session_at(b, OptimizationLevel::All);
      ASSERT_EQ(ops_of(s), "LayerNormalization");
      const Node& norm = s.model().graph.nodes[0];
      EXPECT_EQ(norm.domain, fused::kDomain);
      EXPECT_EQ(attr_of(norm, "axis").i, -1);
      EXPECT_EQ(attr_of(norm, "epsilon").f, 1e-12f);
      EXPECT_EQ(attr_of(norm, "stash_type").i, 1);
      ASSERT_EQ(norm.inputs.size(), 3u);
      EXPECT_EQ(s.model().graph.value(norm.inputs[1]).name, "gamma");
      EXPECT_EQ(s.model().graph.value(norm.inputs[2]).name, "beta");
      expect_same_outputs(b, OptimizationLevel::All);
    }
  }
}

TEST(FuseLayerNorm, WithoutScaleAndBiasTheScaleIsOnes) {
  LayerNormForm form;
  form.affine = false;
  ModelBuilder b = decomposed_layer_norm(form);
  b.output("y");
  Session s = session_at(b, OptimizationLevel::All);
  ASSERT_EQ(ops_of(s), "LayerNormalization");
  EXPECT_EQ(s.model().graph.nodes[0].inputs.size(), 2u);
  expect_same_outputs(b, OptimizationLevel::All);
}

TEST(FuseLayerNorm, AScaleThatBroadcastsFurtherStaysOutside) {
  LayerNormForm form;
  form.scale_length = 1;  // (1) against 48: LayerNormalization could take it, but keep it plain
  ModelBuilder b = decomposed_layer_norm(form);
  b.output("y");
  EXPECT_EQ(ops_of(session_at(b, OptimizationLevel::All)), "LayerNormalization,Mul,Add");
  expect_same_outputs(b, OptimizationLevel::All);
}

TEST(FuseLayerNorm, AxisNotLastIsNotFused) {
  LayerNormForm form;
  form.axes = {1};
  ModelBuilder b = decomposed_layer_norm(form);
  b.output("y");
  EXPECT_EQ(ops_of(session_at(b, OptimizationLevel::All)), kDecomposed);
}

TEST(FuseLayerNorm, IntermediatesReadElsewhereOrReturnedAreNotFused) {
  // With the centred d read elsewhere, what follows it is still an RMSNorm of d (scaled by
  // gamma), and fuse_rms_norm takes it; the centring and beta's Add stay.
  const std::string rms_of_d = "ReduceMean,Sub,RMSNormalization,Add";
  for (const char* middle : {"m", "d", "sq", "v", "ve", "s"}) {
    SCOPED_TRACE(middle);
    ModelBuilder b = decomposed_layer_norm();
    b.output("y").output(middle);
    const bool centring_read = std::string(middle) == "m" || std::string(middle) == "d";
    EXPECT_EQ(ops_of(session_at(b, OptimizationLevel::All)),
              centring_read ? rms_of_d : std::string(kDecomposed));
    expect_same_outputs(b, OptimizationLevel::All);
  }
  ModelBuilder b = decomposed_layer_norm();
  b.node("Neg", {"d"}, {"other"}).output("y").output("other");
  EXPECT_EQ(ops_of(session_at(b, OptimizationLevel::All)), rms_of_d + ",Neg");
  expect_same_outputs(b, OptimizationLevel::All);
}

TEST(FuseLayerNorm, AFedEpsilonOrAWrongExponentIsNotFused) {
  {
    ModelBuilder b = decomposed_layer_norm();
    b.constant("two", scalar(3.0f)).output("y");  // Pow(d, 3)
    EXPECT_EQ(ops_of(session_at(b, OptimizationLevel::All)), kDecomposed);
  }
  {
    ModelBuilder b = decomposed_layer_norm();
    b.input("eps", scalar(1e-5f)).output("y");  // a feed may change it
    EXPECT_EQ(ops_of(session_at(b, OptimizationLevel::All)), kDecomposed);
  }
}

// ---- Add + LayerNormalization ----

// x = a + b, y = LayerNormalization(x) (opset 17), and with `residual`, z = x + c: the
// sum read on past the norm, as in a pre-norm transformer.
ModelBuilder add_layer_norm(bool residual, Shape b_shape = {2, 7, 48}) {
  ModelBuilder b(17);
  b.input("a", wide_floats({2, 7, 48}, 31))
      .input("b", wide_floats(b_shape, 32))
      .constant("gamma", test::random_floats({48}, 33, 0.5f, 1.5f))
      .constant("beta", test::random_floats({48}, 34))
      .node("Add", {"a", "b"}, {"x"})
      .node("LayerNormalization", {"x", "gamma", "beta"}, {"y"}, {float_attr("epsilon", 1e-5f)})
      .output("y");
  if (residual)
    b.input("c", wide_floats({2, 7, 48}, 35)).node("Add", {"x", "c"}, {"z"}).output("z");
  return b;
}

TEST(FuseAddLayerNorm, TheResidualSumJoinsTheNormAndIsStillWritten) {
  for (bool residual : {false, true}) {
    SCOPED_TRACE(residual ? "sum read on" : "sum read by the norm alone");
    const ModelBuilder b = add_layer_norm(residual);
    Session s = session_at(b, OptimizationLevel::All);
    ASSERT_EQ(ops_of(s), residual ? "AddLayerNormalization,Add" : "AddLayerNormalization");
    const Node& n = s.model().graph.nodes[0];
    EXPECT_EQ(n.domain, fused::kDomain);
    ASSERT_EQ(n.inputs.size(), 4u);
    ASSERT_EQ(n.outputs.size(), 2u);
    EXPECT_EQ(s.model().graph.value(n.outputs[1]).name, "x");
    EXPECT_EQ(attr_of(n, "epsilon").f, 1e-5f);
    expect_same_outputs(b, OptimizationLevel::All);
  }
}

TEST(FuseAddLayerNorm, ABroadcastingAddIsNotFused) {
  const ModelBuilder b = add_layer_norm(false, {48});
  EXPECT_EQ(ops_of(session_at(b, OptimizationLevel::All)), "Add,LayerNormalization");
  expect_same_outputs(b, OptimizationLevel::All);
}

// ---- MatMul + bias ----

// A (2, 9, 40) x W (40, 24) + bias (24), as a transformer's projection.
ModelBuilder matmul_bias(Shape bias_shape = {24}, Shape a_shape = {2, 9, 40}) {
  ModelBuilder b(13);
  b.input("a", wide_floats(a_shape, 21))
      .constant("w", test::random_floats({40, 24}, 22))
      .constant("bias", test::random_floats(bias_shape, 23))
      .node("MatMul", {"a", "w"}, {"p"})
      .node("Add", {"bias", "p"}, {"y"});
  return b;
}

TEST(FuseMatMulBias, ConstantWeightsAndBiasBecomeOneFusedMatMul) {
  for (const Shape& a_shape : std::vector<Shape>{{2, 9, 40}, {9, 40}, {3, 1, 2, 40}}) {
    SCOPED_TRACE(shape_to_string(a_shape));
    ModelBuilder b = matmul_bias({24}, a_shape);
    b.output("y");
    Session s = session_at(b, OptimizationLevel::All);
    ASSERT_EQ(ops_of(s), "FusedMatMul");
    const Node& mm = s.model().graph.nodes[0];
    EXPECT_EQ(mm.domain, fused::kDomain);
    ASSERT_EQ(mm.inputs.size(), 3u);
    EXPECT_EQ(s.model().graph.value(mm.inputs[2]).name, "bias");
    expect_same_outputs(b, OptimizationLevel::All);
  }
}

TEST(FuseMatMulBias, OtherAddsAreNotFused) {
  for (const Shape& bias_shape : std::vector<Shape>{{9, 24}, {1, 24}, {1}}) {
    SCOPED_TRACE(shape_to_string(bias_shape));
    ModelBuilder b = matmul_bias(bias_shape);
    b.output("y");
    EXPECT_EQ(ops_of(session_at(b, OptimizationLevel::All)), "MatMul,Add");
    expect_same_outputs(b, OptimizationLevel::All);
  }
  {  // the product is read elsewhere too
    ModelBuilder b = matmul_bias();
    b.output("y").output("p");
    EXPECT_EQ(ops_of(session_at(b, OptimizationLevel::All)), "MatMul,Add");
  }
  {  // a fed bias may change shape
    ModelBuilder b = matmul_bias();
    b.input("bias", test::random_floats({24}, 5)).output("y");
    EXPECT_EQ(ops_of(session_at(b, OptimizationLevel::All)), "MatMul,Add");
  }
  {  // weights fed at run time
    ModelBuilder b(13);
    b.input("a", wide_floats({2, 9, 40}, 21))
        .input("w", test::random_floats({40, 24}, 22))
        .constant("bias", test::random_floats({24}, 23))
        .node("MatMul", {"a", "w"}, {"p"})
        .node("Add", {"p", "bias"}, {"y"})
        .output("y");
    EXPECT_EQ(ops_of(session_at(b, OptimizationLevel::All)), "MatMul,Add");
  }
}

TEST(FuseMatMulBias, ResidualAddJoinsAsAFourthInput) {
  ModelBuilder b = matmul_bias();
  b.input("r", test::random_floats({2, 9, 24}, 24)).node("Add", {"y", "r"}, {"z"}).output("z");
  Session s = session_at(b, OptimizationLevel::All);
  ASSERT_EQ(ops_of(s), "FusedMatMul");
  const Node& mm = s.model().graph.nodes[0];
  ASSERT_EQ(mm.inputs.size(), 4u);
  EXPECT_EQ(s.model().graph.value(mm.inputs[3]).name, "r");
  EXPECT_EQ(s.model().graph.value(mm.outputs[0]).name, "z");
  expect_same_outputs(b, OptimizationLevel::All);
}

TEST(FuseMatMulBias, BroadcastOrSharedResidualsStayAnAdd) {
  {  // the residual broadcasts: it is not read element for element
    ModelBuilder b = matmul_bias();
    b.input("r", test::random_floats({9, 24}, 24)).node("Add", {"y", "r"}, {"z"}).output("z");
    EXPECT_EQ(ops_of(session_at(b, OptimizationLevel::All)), "FusedMatMul,Add");
    expect_same_outputs(b, OptimizationLevel::All);
  }
  {  // the biased product is returned too
    ModelBuilder b = matmul_bias();
    b.input("r", test::random_floats({2, 9, 24}, 24))
        .node("Add", {"y", "r"}, {"z"})
        .output("z")
        .output("y");
    EXPECT_EQ(ops_of(session_at(b, OptimizationLevel::All)), "FusedMatMul,Add");
  }
}

// ---- GELU as a product's epilogue ----

// The erf GELU of `x` as BERT writes it, into `y`.
void add_erf_gelu(ModelBuilder& b, const std::string& x, const std::string& y) {
  b.constant("sqrt2", scalar(kSqrt2))
      .constant("one", scalar(1.0f))
      .constant("half", scalar(0.5f))
      .node("Div", {x, "sqrt2"}, {"z"})
      .node("Erf", {"z"}, {"e"})
      .node("Add", {"e", "one"}, {"p1"})
      .node("Mul", {x, "half"}, {"h"})
      .node("Mul", {"h", "p1"}, {y});
}

TEST(FuseGeluEpilogue, BertFeedForwardBecomesOneFusedMatMul) {
  ModelBuilder b = matmul_bias();
  add_erf_gelu(b, "y", "g");
  b.output("g");
  Session s = session_at(b, OptimizationLevel::All);
  ASSERT_EQ(ops_of(s), "FusedMatMul");
  const Node& mm = s.model().graph.nodes[0];
  EXPECT_EQ(attr_of(mm, fused::kActivation).s, "Gelu");
  EXPECT_EQ(attr_of(mm, fused::kApproximate).s, "none");
  EXPECT_EQ(s.model().graph.value(mm.outputs[0]).name, "g");
  expect_same_outputs(b, OptimizationLevel::All);
}

TEST(FuseGeluEpilogue, Gpt2GemmThenReshapeThenGeluMovesTheGeluIntoTheGemm) {
  // Gemm on 2-D rows, Reshape back to [1, 18, 24], the tanh GELU.
  ModelBuilder b(13);
  b.input("a", wide_floats({18, 40}, 21))
      .constant("w", test::random_floats({40, 24}, 22))
      .constant("c", test::random_floats({24}, 23))
      .constant("shape", Tensor::from_vector<int64_t>({3}, {1, 18, 24}))
      .node("Gemm", {"a", "w", "c"}, {"g"})
      .node("Reshape", {"g", "shape"}, {"x"})
      .constant("half", scalar(0.5f))
      .constant("three", scalar(3.0f))
      .constant("cubic", scalar(0.044715f))
      .constant("scale", scalar(kSqrt2OverPi))
      .constant("one", scalar(1.0f))
      .node("Mul", {"x", "half"}, {"h"})
      .node("Pow", {"x", "three"}, {"x3"})
      .node("Mul", {"x3", "cubic"}, {"w3"})
      .node("Add", {"x", "w3"}, {"v"})
      .node("Mul", {"v", "scale"}, {"u"})
      .node("Tanh", {"u"}, {"t"})
      .node("Add", {"t", "one"}, {"p"})
      .node("Mul", {"h", "p"}, {"y"})
      .output("y");
  Session s = session_at(b, OptimizationLevel::All);
  ASSERT_EQ(ops_of(s), "FusedGemm,Reshape");
  EXPECT_EQ(attr_of(s.model().graph.nodes[0], fused::kApproximate).s, "tanh");
  EXPECT_EQ(s.model().graph.value(s.model().graph.nodes[1].outputs[0]).name, "y");
  expect_same_outputs(b, OptimizationLevel::All);
}

TEST(FuseGeluEpilogue, Gelu20AfterAReshapeMovesUnlessTheReshapedProductIsReadElsewhere) {
  ModelBuilder b(20);
  b.input("a", wide_floats({18, 40}, 21))
      .constant("w", test::random_floats({40, 24}, 22))
      .constant("shape", Tensor::from_vector<int64_t>({3}, {1, 18, 24}))
      .node("Gemm", {"a", "w"}, {"g"})
      .node("Reshape", {"g", "shape"}, {"x"})
      .node("Gelu", {"x"}, {"y"})
      .output("y");
  EXPECT_EQ(ops_of(session_at(b, OptimizationLevel::All)), "FusedGemm,Reshape");
  expect_same_outputs(b, OptimizationLevel::All);
  b.output("x");  // the reshaped product is returned as it is
  EXPECT_EQ(ops_of(session_at(b, OptimizationLevel::All)), "Gemm,Reshape,Gelu");
  expect_same_outputs(b, OptimizationLevel::All);
}

// ---- the fused operators' fast kernels against their reference kernels ----

TEST(FusedOpsFastPath, GeluMatchesReference) {
  std::mt19937 rng(42);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  for (const char* approximate : {"none", "tanh"})
    for (const Shape& shape : std::vector<Shape>{{0}, {1}, {7}, {513}, {3, 1031}, {70001}})
      for (const char* domain : {"", fused::kDomain}) {
        Tensor x = wide_floats(shape, static_cast<uint32_t>(rng()));
        float* p = x.data<float>();
        const float edges[] = {nan, inf, -inf, 0.0f, -0.0f, 1e13f, -1e13f, 9.5f, -9.5f, 0.49f};
        for (int64_t i = 0; i < x.numel() && i < 10; ++i) p[i * 7 % x.numel()] = edges[i];
        testing::OpTester t("Gelu", *domain ? 1 : 20, domain);
        t.input("x", x).attr("approximate", approximate).output("y");
        testing::expect_fast_matches_reference(
            t, std::string("Gelu ") + approximate + " " + shape_to_string(shape) + " " + domain,
            1e-5f);
      }
}

TEST(FusedOpsFastPath, GeluRejectsUnknownApproximation) {
  testing::OpTester t("Gelu", 20);
  t.input("x", scalar(1.0f)).attr("approximate", "sigmoid").output("y");
  EXPECT_NE(testing::error_of([&] { t.run(); }).find("approximate"), std::string::npos);
}

TEST(FusedOpsFastPath, OnyxLayerNormalizationMatchesReference) {
  for (const Shape& shape : std::vector<Shape>{{1, 1}, {3, 7}, {2, 5, 48}, {4, 1031}, {0, 8}}) {
    const int64_t h = shape.back();
    testing::OpTester t(fused::kLayerNorm, fused::kVersion, fused::kDomain);
    t.input("x", wide_floats(shape, 9))
        .input("scale", test::random_floats({h}, 10))
        .input("bias", test::random_floats({h}, 11))
        .attr("axis", int64_t{-1})
        .attr("epsilon", 1e-5f)
        .output("y");
    testing::expect_fast_matches_reference(t, "LayerNormalization " + shape_to_string(shape),
                                           1e-5f);
  }
}

TEST(FusedOpsFastPath, AddLayerNormalizationMatchesReference) {
  for (const Shape& shape : std::vector<Shape>{{1, 1}, {3, 7}, {2, 5, 48}, {4, 1031}, {0, 8}}) {
    const int64_t h = shape.back();
    testing::OpTester t(fused::kAddLayerNorm, fused::kVersion, fused::kDomain);
    t.input("a", wide_floats(shape, 9))
        .input("b", wide_floats(shape, 19))
        .input("scale", test::random_floats({h}, 10))
        .input("bias", test::random_floats({h}, 11))
        .attr("epsilon", 1e-5f)
        .output("y")
        .output("s");
    testing::expect_fast_matches_reference(t, "AddLayerNormalization " + shape_to_string(shape),
                                           1e-5f);
  }
}

TEST(FusedOpsFastPath, AddLayerNormalizationRejectsInputsOfTwoShapes) {
  testing::OpTester t(fused::kAddLayerNorm, fused::kVersion, fused::kDomain);
  t.input("a", test::random_floats({2, 4}, 1))
      .input("b", test::random_floats({1, 4}, 2))
      .input("scale", test::random_floats({4}, 3))
      .output("y")
      .output("s");
  EXPECT_NE(testing::error_of([&] { t.run(); }).find("one dtype and shape"), std::string::npos);
}

TEST(FusedOpsFastPath, FusedMatMulMatchesReference) {
  struct Case {
    Shape a, w;
  };
  const std::vector<Case> cases = {
      {{1, 1}, {1, 1}},    {{2, 7, 13}, {13, 5}},       {{3, 65, 31}, {31, 97}},
      {{0, 4, 8}, {8, 3}}, {{4, 2, 129, 64}, {64, 48}}, {{2, 1, 5, 8}, {3, 8, 6}}};
  for (const Case& c : cases) {
    testing::OpTester t(fused::kMatMul, fused::kVersion, fused::kDomain);
    t.input("a", test::random_floats(c.a, 31))
        .constant("w", test::random_floats(c.w, 32))
        .input("bias", test::random_floats({c.w.back()}, 33))
        .output("y");
    testing::expect_fast_matches_reference(t, "FusedMatMul " + shape_to_string(c.a), 1e-5f);
  }
}

TEST(FusedOpsFastPath, FusedMatMulWithResidualMatchesReference) {
  struct Case {
    Shape a, w, y;
  };
  const std::vector<Case> cases = {{{1, 1}, {1, 1}, {1, 1}},
                                   {{2, 7, 13}, {13, 5}, {2, 7, 5}},
                                   {{3, 65, 31}, {31, 97}, {3, 65, 97}},
                                   {{4, 2, 129, 64}, {64, 48}, {4, 2, 129, 48}},
                                   {{2, 1, 5, 8}, {3, 8, 6}, {2, 3, 5, 6}}};
  for (const Case& c : cases) {
    testing::OpTester t(fused::kMatMul, fused::kVersion, fused::kDomain);
    t.input("a", test::random_floats(c.a, 41))
        .constant("w", test::random_floats(c.w, 42))
        .input("bias", test::random_floats({c.w.back()}, 43))
        .input("residual", test::random_floats(c.y, 44))
        .output("y");
    testing::expect_fast_matches_reference(t, "FusedMatMul+Z " + shape_to_string(c.a), 1e-5f);
  }
}

TEST(FusedOpsFastPath, FusedMatMulWithGeluMatchesReference) {
  for (const char* approximate : {"none", "tanh"})
    for (const Shape& a : std::vector<Shape>{{2, 7, 13}, {3, 65, 31}, {1, 31}}) {
      testing::OpTester t(fused::kMatMul, fused::kVersion, fused::kDomain);
      t.input("a", wide_floats(a, 51))
          .constant("w", test::random_floats({a.back(), 37}, 52))
          .input("bias", test::random_floats({37}, 53))
          .attr(fused::kActivation, std::string("Gelu"))
          .attr(fused::kApproximate, std::string(approximate))
          .output("y");
      testing::expect_fast_matches_reference(
          t, std::string("FusedMatMul Gelu ") + approximate + " " + shape_to_string(a), 1e-5f);
    }
}

TEST(FusedOpsFastPath, FusedMatMulRejectsAnUnknownGeluForm) {
  testing::OpTester t(fused::kMatMul, fused::kVersion, fused::kDomain);
  t.input("a", test::random_floats({2, 3}, 1))
      .input("w", test::random_floats({3, 4}, 2))
      .attr(fused::kActivation, std::string("Gelu"))
      .attr(fused::kApproximate, std::string("sigmoid"))
      .output("y");
  EXPECT_NE(testing::error_of([&] { t.run(); }).find("approximate"), std::string::npos);
}

TEST(FusedOpsFastPath, FusedMatMulRejectsAResidualOfAnotherShape) {
  testing::OpTester t(fused::kMatMul, fused::kVersion, fused::kDomain);
  t.input("a", test::random_floats({2, 3}, 1))
      .input("w", test::random_floats({3, 4}, 2))
      .input("bias", test::random_floats({4}, 3))
      .input("residual", test::random_floats({1, 4}, 4))
      .output("y");
  EXPECT_NE(testing::error_of([&] { t.run(); }).find("residual"), std::string::npos);
}

TEST(FusedOpsFastPath, FusedMatMulRejectsABiasOfTheWrongLength) {
  testing::OpTester t(fused::kMatMul, fused::kVersion, fused::kDomain);
  t.input("a", test::random_floats({2, 3}, 1))
      .input("w", test::random_floats({3, 4}, 2))
      .input("bias", test::random_floats({3}, 3))
      .output("y");
  EXPECT_NE(testing::error_of([&] { t.run(); }).find("bias"), std::string::npos);
}

}  // namespace
}  // namespace onyx
