// The attention fusion (graph/passes/fuse_attention.cc): BERT's and GPT-2's exported
// attention become one ScaledDotProductAttention whose outputs equal the graph's as
// written; the patterns that must stay as they are; and the fused kernel, whose key tiles
// and online softmax are checked against its reference kernel.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "fast_check.h"
#include "onyx/fused_ops.h"
#include "optimizer_models.h"

namespace onyx {
namespace {

using test::attr_of;
using test::expect_same_outputs;
using test::int_attr;
using test::ints_attr;
using test::ModelBuilder;
using test::ops_of;
using test::session_at;

enum class MaskForm { None, Add, Where };
enum class ScaleForm { None, Div, Mul };

struct AttentionForm {
  int64_t batch = 2, seq = 5, heads = 3, head_dim = 8;
  MaskForm mask = MaskForm::Add;
  ScaleForm scale = ScaleForm::Div;
  int64_t opset = 13;
  bool return_scores = false;  // the scores are also a graph output
};

Tensor scalar(float v) { return Tensor::from_vector<float>({}, {v}); }

// Attention as torch.onnx writes BERT's and GPT-2's: projections [B, S, H * D] split
// into heads, Q Kᵀ, the scale, the mask, Softmax, the product with V, heads merged.
ModelBuilder exported_attention(const AttentionForm& f) {
  const int64_t b = f.batch, s = f.seq, h = f.heads, d = f.head_dim;
  ModelBuilder m(f.opset);
  m.input("q", test::random_floats({b, s, h * d}, 1, -2.0f, 2.0f))
      .input("k", test::random_floats({b, s, h * d}, 2, -2.0f, 2.0f))
      .input("v", test::random_floats({b, s, h * d}, 3))
      .constant("split", Tensor::from_vector<int64_t>({4}, {b, s, h, d}))
      .constant("merge", Tensor::from_vector<int64_t>({3}, {b, s, h * d}))
      .node("Reshape", {"q", "split"}, {"q4"})
      .node("Reshape", {"k", "split"}, {"k4"})
      .node("Reshape", {"v", "split"}, {"v4"})
      .node("Transpose", {"q4"}, {"qt"}, {ints_attr("perm", {0, 2, 1, 3})})
      .node("Transpose", {"k4"}, {"kt"}, {ints_attr("perm", {0, 2, 3, 1})})
      .node("Transpose", {"v4"}, {"vt"}, {ints_attr("perm", {0, 2, 1, 3})})
      .node("MatMul", {"qt", "kt"}, {"qk"});
  std::string scores = "qk";
  if (f.scale == ScaleForm::Div) {
    m.constant("root_d", scalar(std::sqrt(static_cast<float>(d))))
        .node("Div", {"qk", "root_d"}, {"scaled"});
    scores = "scaled";
  } else if (f.scale == ScaleForm::Mul) {
    m.constant("inv_root_d", scalar(1.0f / std::sqrt(static_cast<float>(d))))
        .node("Mul", {"inv_root_d", "qk"}, {"scaled"});
    scores = "scaled";
  }
  if (f.mask == MaskForm::Add) {  // BERT: (1 - attention_mask) * -10000, [B, 1, 1, S]
    Tensor mask(DType::Float, {b, 1, 1, s});
    for (int64_t i = 0; i < mask.numel(); ++i)
      mask.data<float>()[i] = (i % s) >= s - 1 - (i / s) % 2 ? -10000.0f : 0.0f;
    m.input("mask", mask).node("Add", {scores, "mask"}, {"masked"});
    scores = "masked";
  } else if (f.mask == MaskForm::Where) {  // GPT-2: causal, filled with float's lowest
    Tensor causal(DType::Bool, {1, 1, s, s});
    for (int64_t i = 0; i < s; ++i)
      for (int64_t j = 0; j < s; ++j) causal.data<bool>()[i * s + j] = j <= i;
    m.constant("causal", causal)
        .constant("lowest", scalar(std::numeric_limits<float>::lowest()))
        .node("Where", {"causal", scores, "lowest"}, {"masked"});
    scores = "masked";
  }
  m.node("Softmax", {scores}, {"p"}, {int_attr("axis", -1)})
      .node("MatMul", {"p", "vt"}, {"o"})
      .node("Transpose", {"o"}, {"ot"}, {ints_attr("perm", {0, 2, 1, 3})})
      .node("Reshape", {"ot", "merge"}, {"y"})
      .output("y");
  if (f.return_scores) m.output(scores);
  return m;
}

TEST(FuseAttention, BertAndGpt2AttentionBecomeOneNode) {
  for (MaskForm mask : {MaskForm::None, MaskForm::Add, MaskForm::Where})
    for (ScaleForm scale : {ScaleForm::None, ScaleForm::Div, ScaleForm::Mul}) {
      SCOPED_TRACE("mask " + std::to_string(static_cast<int>(mask)) + ", scale " +
                   std::to_string(static_cast<int>(scale)));
      AttentionForm form;
      form.mask = mask;
      form.scale = scale;
      const ModelBuilder b = exported_attention(form);
      Session s = session_at(b, OptimizationLevel::All);
      ASSERT_EQ(ops_of(s), "Reshape,Reshape,Reshape,ScaledDotProductAttention,Reshape");
      const Node& n = s.model().graph.nodes[3];
      EXPECT_EQ(n.domain, fused::kDomain);
      EXPECT_EQ(attr_of(n, "perm_q").ints, (std::vector<int64_t>{0, 2, 1, 3}));
      EXPECT_EQ(attr_of(n, "perm_k").ints, (std::vector<int64_t>{0, 2, 1, 3}));
      EXPECT_EQ(attr_of(n, "perm_v").ints, (std::vector<int64_t>{0, 2, 1, 3}));
      EXPECT_EQ(attr_of(n, "perm_out").ints, (std::vector<int64_t>{0, 2, 1, 3}));
      const float want_scale = scale == ScaleForm::None ? 1.0f : 1.0f / std::sqrt(8.0f);
      EXPECT_NEAR(attr_of(n, "scale").f, want_scale, 1e-7f);
      EXPECT_EQ(n.inputs.size(), mask == MaskForm::None ? 3u : 4u);
      EXPECT_EQ(n.find_attr("mask_fill") != nullptr, mask == MaskForm::Where);
      expect_same_outputs(b, OptimizationLevel::All);
    }
}

TEST(FuseAttention, LongSequencesTakeSeveralKeyTilesAndStillMatch) {
  // 600 keys: three key tiles, so the running max and sum carry across tiles; 70 queries:
  // three row blocks, the last one short.
  for (MaskForm mask : {MaskForm::Add, MaskForm::Where}) {
    AttentionForm form;
    form.batch = 1;
    form.seq = 600;
    form.heads = 2;
    form.mask = mask;
    const ModelBuilder b = exported_attention(form);
    ASSERT_EQ(ops_of(session_at(b, OptimizationLevel::All)),
              "Reshape,Reshape,Reshape,ScaledDotProductAttention,Reshape");
    expect_same_outputs(b, OptimizationLevel::All);
  }
}

TEST(FuseAttention, OlderSoftmaxOverTheLastAxisFuses) {
  AttentionForm form;
  form.opset = 11;
  ModelBuilder b = exported_attention(form);
  EXPECT_EQ(ops_of(session_at(b, OptimizationLevel::All)),
            "Reshape,Reshape,Reshape,ScaledDotProductAttention,Reshape");
  expect_same_outputs(b, OptimizationLevel::All);
}

TEST(FuseAttention, ScoresReadElsewhereAreNotFused) {
  AttentionForm form;
  form.return_scores = true;
  const ModelBuilder b = exported_attention(form);
  const std::string ops = ops_of(session_at(b, OptimizationLevel::All));
  EXPECT_EQ(ops.find("ScaledDotProductAttention"), std::string::npos) << ops;
  expect_same_outputs(b, OptimizationLevel::All);
}

TEST(FuseAttention, SoftmaxOverAnotherAxisIsNotFused) {
  ModelBuilder b(13);
  b.input("q", test::random_floats({1, 2, 4, 8}, 1))
      .input("kt", test::random_floats({1, 2, 8, 4}, 2))
      .input("v", test::random_floats({1, 2, 4, 8}, 3))
      .node("MatMul", {"q", "kt"}, {"s"})
      .node("Softmax", {"s"}, {"p"}, {int_attr("axis", 2)})
      .node("MatMul", {"p", "v"}, {"y"})
      .output("y");
  EXPECT_EQ(ops_of(session_at(b, OptimizationLevel::All)), "MatMul,Softmax,MatMul");
}

TEST(FuseAttention, AMaskThatGrowsTheScoresIsNotFused) {
  // Scores [1, 1, 4, 4] plus a mask [1, 2, 4, 4]: the Add makes two heads of one.
  ModelBuilder b(13);
  b.input("q", test::random_floats({1, 1, 4, 8}, 1))
      .input("kt", test::random_floats({1, 1, 8, 4}, 2))
      .input("v", test::random_floats({1, 2, 4, 8}, 3))
      .input("mask", test::random_floats({1, 2, 4, 4}, 4))
      .node("MatMul", {"q", "kt"}, {"s"})
      .node("Add", {"s", "mask"}, {"m"})
      .node("Softmax", {"m"}, {"p"}, {int_attr("axis", -1)})
      .node("MatMul", {"p", "v"}, {"y"})
      .output("y");
  EXPECT_EQ(ops_of(session_at(b, OptimizationLevel::All)), "MatMul,Add,Softmax,MatMul");
}

TEST(FuseAttention, PlainFourDimensionalOperandsFuseWithoutTransposes) {
  ModelBuilder b(13);
  b.input("q", test::random_floats({2, 3, 7, 8}, 1))
      .input("kt", test::random_floats({2, 3, 8, 9}, 2))
      .input("v", test::random_floats({2, 3, 9, 5}, 3))
      .node("MatMul", {"q", "kt"}, {"s"})
      .node("Softmax", {"s"}, {"p"}, {int_attr("axis", 3)})
      .node("MatMul", {"p", "v"}, {"y"})
      .output("y");
  Session s = session_at(b, OptimizationLevel::All);
  ASSERT_EQ(ops_of(s), "ScaledDotProductAttention");
  EXPECT_EQ(attr_of(s.model().graph.nodes[0], "perm_k").ints, (std::vector<int64_t>{0, 1, 3, 2}));
  expect_same_outputs(b, OptimizationLevel::All);
}

// ---- the fused kernel against its reference ----

struct KernelCase {
  Shape q, k, v, mask;  // q [B, H, Sq, D], k [B, H, Skv, D], v [B, H, Skv, Dv]
  DType mask_dtype = DType::Float;
};

Tensor mask_of(const KernelCase& c, uint32_t seed) {
  Tensor m = test::random_floats(c.mask, seed, -3.0f, 3.0f);
  if (c.mask_dtype == DType::Float) {
    const float inf = std::numeric_limits<float>::infinity();
    for (int64_t i = 0; i < m.numel(); i += 7) m.data<float>()[i] = -inf;  // some keys never seen
    return m;
  }
  Tensor keep(DType::Bool, c.mask);
  for (int64_t i = 0; i < m.numel(); ++i) keep.data<bool>()[i] = m.data<float>()[i] > -1.0f;
  return keep;
}

TEST(FusedAttentionKernel, MatchesReferenceOverTileEdgesMasksAndStrides) {
  const std::vector<KernelCase> cases = {
      {{1, 1, 1, 1}, {1, 1, 1, 1}, {1, 1, 1, 1}, {}},
      {{2, 3, 5, 8}, {2, 3, 7, 8}, {2, 3, 7, 4}, {2, 1, 1, 7}},
      {{1, 2, 33, 16}, {1, 2, 257, 16}, {1, 2, 257, 16}, {1, 2, 33, 257}},  // tile edges
      {{1, 1, 70, 24}, {1, 1, 600, 24}, {1, 1, 600, 8}, {70, 600}, DType::Bool},
      {{1, 2, 4, 8}, {1, 2, 513, 8}, {1, 2, 513, 8}, {1, 1, 4, 1}, DType::Bool},
      {{2, 2, 0, 8}, {2, 2, 6, 8}, {2, 2, 6, 3}, {}},
      {{1, 2, 3, 4}, {1, 2, 0, 4}, {1, 2, 0, 5}, {}},  // no keys: zeros
  };
  for (const KernelCase& c : cases)
    for (bool transposed : {false, true}) {
      // transposed: the operands stored [B, S, H, D], as the head split leaves them.
      const std::vector<int64_t> perm =
          transposed ? std::vector<int64_t>{0, 2, 1, 3} : std::vector<int64_t>{0, 1, 2, 3};
      auto stored = [&](const Shape& s) { return transposed ? Shape{s[0], s[2], s[1], s[3]} : s; };
      testing::OpTester t(fused::kAttention, fused::kVersion, fused::kDomain);
      t.input("q", test::random_floats(stored(c.q), 1, -2.0f, 2.0f))
          .input("k", test::random_floats(stored(c.k), 2, -2.0f, 2.0f))
          .input("v", test::random_floats(stored(c.v), 3));
      if (!c.mask.empty()) t.input("mask", mask_of(c, 4));
      t.attr("scale", 0.3f)
          .attr("mask_fill", -1e9f)
          .attr("perm_q", perm)
          .attr("perm_k", perm)
          .attr("perm_v", perm)
          .attr("perm_out", perm)
          .output("y");
      testing::expect_fast_matches_reference(t,
                                             "attention q " + shape_to_string(c.q) + " k " +
                                                 shape_to_string(c.k) +
                                                 (transposed ? " transposed" : ""),
                                             2e-5f);
    }
}

TEST(FusedAttentionKernel, RowsOfNaNOrAllMinusInfinityAreNaNAsSoftmaxMakesThem) {
  const float inf = std::numeric_limits<float>::infinity();
  for (int64_t keys : {5, 300}) {  // one key tile, and two
    Tensor mask(DType::Float, {1, 1, 3, keys});
    for (int64_t j = 0; j < keys; ++j) {
      mask.data<float>()[j] = -inf;                                   // row 0: all -inf
      mask.data<float>()[keys + j] = j == keys - 1 ? NAN : 0.0f;      // row 1: one NaN
      mask.data<float>()[2 * keys + j] = j < keys - 1 ? -inf : 0.0f;  // row 2: one key left
    }
    testing::OpTester t(fused::kAttention, fused::kVersion, fused::kDomain);
    t.input("q", test::random_floats({1, 1, 3, 4}, 1))
        .input("k", test::random_floats({1, 1, keys, 4}, 2))
        .input("v", test::random_floats({1, 1, keys, 2}, 3))
        .input("mask", mask)
        .output("y");
    for (bool reference : {false, true}) {
      const Tensor y = t.session(1, reference).run(t.feeds())[0];
      const float* p = y.data<float>();
      EXPECT_TRUE(std::isnan(p[0]) && std::isnan(p[1])) << keys << " keys, reference " << reference;
      EXPECT_TRUE(std::isnan(p[2]) && std::isnan(p[3])) << keys << " keys, reference " << reference;
      // Row 2 attends to the last key alone: its output is that key's value.
      const float* v = t.feeds().at("v").data<float>() + (keys - 1) * 2;
      EXPECT_FLOAT_EQ(p[4], v[0]);
      EXPECT_FLOAT_EQ(p[5], v[1]);
    }
  }
}

TEST(FusedAttentionKernel, RejectsOperandsThatDoNotFit) {
  testing::OpTester t(fused::kAttention, fused::kVersion, fused::kDomain);
  t.input("q", test::random_floats({1, 2, 3, 4}, 1))
      .input("k", test::random_floats({1, 2, 5, 6}, 2))  // D 6 against 4
      .input("v", test::random_floats({1, 2, 5, 4}, 3))
      .output("y");
  EXPECT_NE(testing::error_of([&] { t.run(); }).find("do not fit"), std::string::npos);
  testing::OpTester bad_perm(fused::kAttention, fused::kVersion, fused::kDomain);
  bad_perm.input("q", test::random_floats({1, 2, 3, 4}, 1))
      .input("k", test::random_floats({1, 2, 3, 4}, 2))
      .input("v", test::random_floats({1, 2, 3, 4}, 3))
      .attr("perm_q", std::vector<int64_t>{0, 1, 1, 3})
      .output("y");
  EXPECT_NE(testing::error_of([&] { bad_perm.run(); }).find("perm_q"), std::string::npos);
  testing::OpTester bad_mask(fused::kAttention, fused::kVersion, fused::kDomain);
  bad_mask.input("q", test::random_floats({1, 2, 3, 4}, 1))
      .input("k", test::random_floats({1, 2, 5, 4}, 2))
      .input("v", test::random_floats({1, 2, 5, 4}, 3))
      .input("mask", test::random_floats({3, 3}, 4))
      .output("y");
  EXPECT_NE(testing::error_of([&] { bad_mask.run(); }).find("does not broadcast"),
            std::string::npos);
}

}  // namespace
}  // namespace onyx
