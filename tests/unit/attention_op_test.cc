// One-node tests of Attention (opsets 23, 24) and RotaryEmbedding (opset 23) on inputs
// small enough to work out by hand; each expected value is derived in the comment above.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "fast_check.h"
#include "onyx/onyx.h"
#include "op_tester.h"

namespace onyx {
namespace {

using testing::error_of;
using testing::expect_fast_matches_reference;
using testing::expect_near;
using testing::floats;
using testing::ints;
using testing::OpTester;

const float kLn3 = std::log(3.0f);

Tensor bools(Shape shape, std::vector<bool> values) {
  Tensor t(DType::Bool, std::move(shape));
  for (size_t i = 0; i < values.size(); ++i) t.data<bool>()[i] = values[i];
  return t;
}

TEST(AttentionOp, OneQueryTwoKeys) {
  // scale 1: scores q·k0 = 0 and q·k1 = ln 3, softmax 1/4 and 3/4;
  // Y = 1/4 [4, 0] + 3/4 [0, 8] = [1, 6].
  OpTester t("Attention", 23);
  t.input("Q", floats({1, 1, 1, 2}, {1, 0}))
      .input("K", floats({1, 1, 2, 2}, {0, 0, kLn3, 0}))
      .input("V", floats({1, 1, 2, 2}, {4, 0, 0, 8}))
      .attr("scale", 1.0f)
      .output("Y");
  expect_near(t.run()[0], {1, 1, 1, 2}, {1, 6});
}

TEST(AttentionOp, DefaultScaleIsInverseRootOfHeadSize) {
  // D = 4, scale 1/2: q·k1 = 2 ln 3, scaled ln 3, so the weights are again 1/4 and 3/4:
  // Y = 1/4 * 4 + 3/4 * 8 = 7.
  OpTester t("Attention", 23);
  t.input("Q", floats({1, 1, 1, 4}, {1, 1, 0, 0}))
      .input("K", floats({1, 1, 2, 4}, {0, 0, 0, 0, kLn3, kLn3, 0, 0}))
      .input("V", floats({1, 1, 2, 1}, {4, 8}))
      .output("Y");
  expect_near(t.run()[0], {1, 1, 1, 1}, {7});
}

TEST(AttentionOp, GroupedQueryHeadsShareKvHeadsInOrder) {
  // 4 query heads over 2 KV heads, one key each (weight 1): heads 0, 1 read KV head 0 and
  // heads 2, 3 read KV head 1, so Y = [10, 10, 20, 20] (not 10, 20, 10, 20).
  OpTester t("Attention", 23);
  t.input("Q", floats({1, 4, 1, 1}, {1, 2, 3, 4}))
      .input("K", floats({1, 2, 1, 1}, {5, 6}))
      .input("V", floats({1, 2, 1, 1}, {10, 20}))
      .output("Y");
  expect_near(t.run()[0], {1, 4, 1, 1}, {10, 10, 20, 20});
}

TEST(AttentionOp, ThreeDimensionalInputsSplitHeads) {
  // The same mapping with Q [1, 1, 4] as 4 heads of size 1 and K, V [1, 1, 2] as 2:
  // Y [1, 1, 4] = [10, 10, 20, 20].
  OpTester t("Attention", 23);
  t.input("Q", floats({1, 1, 4}, {1, 2, 3, 4}))
      .input("K", floats({1, 1, 2}, {5, 6}))
      .input("V", floats({1, 1, 2}, {10, 20}))
      .attr("q_num_heads", int64_t{4})
      .attr("kv_num_heads", int64_t{2})
      .output("Y");
  expect_near(t.run()[0], {1, 1, 4}, {10, 10, 20, 20});
}

TEST(AttentionOp, CausalMask) {
  // All scores 0. Query 0 sees key 0 only: Y = 2; query 1 sees both: Y = (2 + 4) / 2 = 3.
  OpTester t("Attention", 23);
  t.input("Q", floats({1, 1, 2, 1}, {0, 0}))
      .input("K", floats({1, 1, 2, 1}, {0, 0}))
      .input("V", floats({1, 1, 2, 1}, {2, 4}))
      .attr("is_causal", int64_t{1})
      .output("Y");
  expect_near(t.run()[0], {1, 1, 2, 1}, {2, 3});
}

TEST(AttentionOp, KvCacheConcatenatesAndShiftsTheCausalFrontier) {
  // present_key = [past 1, new 0], present_value = [2, 4]. Query 0 comes after the one
  // cached key, so causally it sees both: scores ln 3 and 0, weights 3/4 and 1/4,
  // Y = 3/4 * 2 + 1/4 * 4 = 2.5 (2 if the frontier ignored the cache).
  OpTester t("Attention", 23);
  t.input("Q", floats({1, 1, 1, 1}, {kLn3}))
      .input("K", floats({1, 1, 1, 1}, {0}))
      .input("V", floats({1, 1, 1, 1}, {4}))
      .omitted()
      .input("past_key", floats({1, 1, 1, 1}, {1}))
      .input("past_value", floats({1, 1, 1, 1}, {2}))
      .attr("scale", 1.0f)
      .attr("is_causal", int64_t{1})
      .output("Y")
      .output("present_key")
      .output("present_value");
  std::vector<Tensor> out = t.run();
  expect_near(out[0], {1, 1, 1, 1}, {2.5f});
  expect_near(out[1], {1, 1, 2, 1}, {1, 0});
  expect_near(out[2], {1, 1, 2, 1}, {2, 4});
}

TEST(AttentionOp, FullyMaskedRowGivesZerosNotNaN) {
  // Row 0 keeps no key: its weights and Y are 0. Row 1 keeps both (scores 0): Y = 3,
  // weights 1/2 each, which qk_matmul_output mode 3 returns.
  OpTester t("Attention", 23);
  t.input("Q", floats({1, 1, 2, 1}, {1, 1}))
      .input("K", floats({1, 1, 2, 1}, {0, 0}))
      .input("V", floats({1, 1, 2, 1}, {2, 4}))
      .input("attn_mask", bools({2, 2}, {false, false, true, true}))
      .attr("qk_matmul_output_mode", int64_t{3})
      .output("Y")
      .omitted_output()
      .omitted_output()
      .output("qk");
  std::vector<Tensor> out = t.run();
  expect_near(out[0], {1, 1, 2, 1}, {0, 3});
  expect_near(out[1], {1, 1, 2, 2}, {0, 0, 0.5f, 0.5f});
}

TEST(AttentionOp, AdditiveMaskShorterThanKeysMasksTheRest) {
  // A float mask [1, 2] over 3 keys: key 2 is masked; mask 0 and -ln 3 on scores 0 give
  // weights 3/4 and 1/4: Y = 3/4 * 2 + 1/4 * 4 = 2.5 (key 2's 100 never counts).
  OpTester t("Attention", 23);
  t.input("Q", floats({1, 1, 1, 1}, {0}))
      .input("K", floats({1, 1, 3, 1}, {1, 2, 3}))
      .input("V", floats({1, 1, 3, 1}, {2, 4, 100}))
      .input("attn_mask", floats({1, 2}, {0, -kLn3}))
      .output("Y");
  expect_near(t.run()[0], {1, 1, 1, 1}, {2.5f});
}

TEST(AttentionOp, NonpadKvSeqlenMasksPaddedKeys) {
  // Opset 24: batch 0 keeps 2 of 3 keys (scores 0): Y = (1 + 2) / 2; causally the one query
  // comes after key 1 (offset 2 - 1), so is_causal changes nothing.
  OpTester t("Attention", 24);
  t.input("Q", floats({1, 1, 1, 1}, {5}))
      .input("K", floats({1, 1, 3, 1}, {0, 0, 0}))
      .input("V", floats({1, 1, 3, 1}, {1, 2, 100}))
      .omitted()
      .omitted()
      .omitted()
      .input("nonpad_kv_seqlen", ints({1}, {2}))
      .attr("is_causal", int64_t{1})
      .output("Y");
  expect_near(t.run()[0], {1, 1, 1, 1}, {1.5f});
}

TEST(AttentionOp, SoftcapBoundsTheScores) {
  // softcap 1: tanh(100) = 1 and tanh(0) = 0, so the weights are e / (e + 1) and
  // 1 / (e + 1): Y = e / (e + 1).
  OpTester t("Attention", 23);
  t.input("Q", floats({1, 1, 1, 1}, {1}))
      .input("K", floats({1, 1, 2, 1}, {100, 0}))
      .input("V", floats({1, 1, 2, 1}, {1, 0}))
      .attr("scale", 1.0f)
      .attr("softcap", 1.0f)
      .output("Y");
  const float e = std::exp(1.0f);
  expect_near(t.run()[0], {1, 1, 1, 1}, {e / (e + 1)});
}

TEST(AttentionOp, HiddenSizeNotAMultipleOfHeadsIsAnError) {
  OpTester t("Attention", 23);
  t.input("Q", floats({1, 1, 5}, {1, 2, 3, 4, 5}))
      .input("K", floats({1, 1, 2}, {1, 2}))
      .input("V", floats({1, 1, 2}, {1, 2}))
      .attr("q_num_heads", int64_t{2})
      .attr("kv_num_heads", int64_t{1})
      .output("Y");
  const std::string message = error_of([&] { t.run(); });
  EXPECT_NE(message.find("Attention"), std::string::npos) << message;
  EXPECT_NE(message.find("not a multiple of q_num_heads 2"), std::string::npos) << message;
}

TEST(AttentionOp, KvHeadsNotDividingQueryHeadsIsAnError) {
  OpTester t("Attention", 23);
  t.input("Q", floats({1, 3, 1, 1}, {1, 2, 3}))
      .input("K", floats({1, 2, 1, 1}, {1, 2}))
      .input("V", floats({1, 2, 1, 1}, {1, 2}))
      .output("Y");
  const std::string message = error_of([&] { t.run(); });
  EXPECT_NE(message.find("Attention"), std::string::npos) << message;
  EXPECT_NE(message.find("3 query heads are not a multiple of the 2"), std::string::npos)
      << message;

  OpTester attrs("Attention", 23);
  attrs.input("Q", floats({1, 1, 3}, {1, 2, 3}))
      .input("K", floats({1, 1, 2}, {1, 2}))
      .input("V", floats({1, 1, 2}, {1, 2}))
      .attr("q_num_heads", int64_t{3})
      .attr("kv_num_heads", int64_t{2})
      .output("Y");
  const std::string built = error_of([&] { attrs.run(); });
  EXPECT_NE(built.find("Attention"), std::string::npos) << built;
  EXPECT_NE(built.find("q_num_heads 3 is not a multiple of kv_num_heads 2"), std::string::npos)
      << built;
}

// The fast path (kernels::attention) against the reference kernel on random inputs:
// grouped heads, 3-D and 4-D layouts, a KV cache, the causal frontier and broadcast float
// masks, with more queries and keys than one tile holds.
TEST(AttentionOp, FastPathMatchesReference) {
  struct Case {
    bool three_d, causal;
    int64_t q_heads, kv_heads, q_len, kv_len, past;
    Shape mask;  // empty: none
  };
  const std::vector<Case> cases = {
      {false, false, 4, 2, 40, 300, 0, {}},       {true, true, 6, 2, 37, 37, 0, {}},
      {false, true, 2, 2, 5, 3, 260, {}},         {true, false, 4, 1, 33, 20, 7, {33, 27}},
      {false, true, 4, 2, 3, 4, 2, {2, 4, 3, 6}}, {false, false, 2, 1, 3, 5, 0, {2, 1, 1, 5}},
  };
  std::mt19937 rng(7);
  const int64_t batch = 2, head = 8, v_head = 5;
  for (const Case& c : cases) {
    OpTester t("Attention", 23);
    if (c.three_d) {
      t.input("Q", testing::random_floats({batch, c.q_len, c.q_heads * head}, rng))
          .input("K", testing::random_floats({batch, c.kv_len, c.kv_heads * head}, rng))
          .input("V", testing::random_floats({batch, c.kv_len, c.kv_heads * v_head}, rng))
          .attr("q_num_heads", c.q_heads)
          .attr("kv_num_heads", c.kv_heads);
    } else {
      t.input("Q", testing::random_floats({batch, c.q_heads, c.q_len, head}, rng))
          .input("K", testing::random_floats({batch, c.kv_heads, c.kv_len, head}, rng))
          .input("V", testing::random_floats({batch, c.kv_heads, c.kv_len, v_head}, rng));
    }
    if (c.mask.empty())
      t.omitted();
    else
      t.input("attn_mask", testing::random_floats(c.mask, rng));
    if (c.past > 0)
      t.input("past_key", testing::random_floats({batch, c.kv_heads, c.past, head}, rng))
          .input("past_value", testing::random_floats({batch, c.kv_heads, c.past, v_head}, rng));
    t.attr("is_causal", int64_t{c.causal}).output("Y");
    if (c.past > 0) t.output("present_key").output("present_value");
    expect_fast_matches_reference(t, "Attention, q_len " + std::to_string(c.q_len));
  }
}

// RotaryEmbedding with cos 0, sin 1 turns each pair (x1, x2) into (-x2, x1).
TEST(RotaryEmbeddingOp, HalvesAndInterleavedPairs) {
  // Head [1, 2, 3, 4], caches cos [0, 1], sin [1, 0] (pair 0 turned, pair 1 kept).
  // Halves: pairs (x0, x2) = (1, 3) -> (-3, 1) and (x1, x3) = (2, 4) kept: [-3, 2, 1, 4].
  // Interleaved: pairs (x0, x1) = (1, 2) -> (-2, 1) and (x2, x3) kept: [-2, 1, 3, 4].
  for (int64_t interleaved : {0, 1}) {
    OpTester t("RotaryEmbedding", 23);
    t.input("X", floats({1, 1, 1, 4}, {1, 2, 3, 4}))
        .input("cos", floats({1, 1, 2}, {0, 1}))
        .input("sin", floats({1, 1, 2}, {1, 0}))
        .attr("interleaved", interleaved)
        .output("Y");
    expect_near(t.run()[0], {1, 1, 1, 4},
                interleaved ? std::vector<float>{-2, 1, 3, 4} : std::vector<float>{-3, 2, 1, 4});
  }
}

TEST(RotaryEmbeddingOp, PositionIdsPickCacheRows) {
  // Row 0 of the caches is the identity, row 1 the turn above; position 1 picks row 1.
  OpTester t("RotaryEmbedding", 23);
  t.input("X", floats({1, 1, 1, 4}, {1, 2, 3, 4}))
      .input("cos", floats({2, 2}, {1, 1, 0, 1}))
      .input("sin", floats({2, 2}, {0, 0, 1, 0}))
      .input("position_ids", ints({1, 1}, {1}))
      .output("Y");
  expect_near(t.run()[0], {1, 1, 1, 4}, {-3, 2, 1, 4});

  OpTester bad("RotaryEmbedding", 23);
  bad.input("X", floats({1, 1, 1, 4}, {1, 2, 3, 4}))
      .input("cos", floats({2, 2}, {1, 1, 0, 1}))
      .input("sin", floats({2, 2}, {0, 0, 1, 0}))
      .input("position_ids", ints({1, 1}, {2}))
      .output("Y");
  EXPECT_NE(error_of([&] { bad.run(); }).find("position id 2"), std::string::npos);
}

TEST(RotaryEmbeddingOp, PartialRotationOfThreeDimensionalInput) {
  // X [1, 1, 8] as 2 heads of 4, rotary_embedding_dim 2 (one pair (x0, x1) per head):
  // head 0 [1, 2, 3, 4] -> [-2, 1, 3, 4], head 1 [5, 6, 7, 8] -> [-6, 5, 7, 8].
  OpTester t("RotaryEmbedding", 23);
  t.input("X", floats({1, 1, 8}, {1, 2, 3, 4, 5, 6, 7, 8}))
      .input("cos", floats({1, 1, 1}, {0}))
      .input("sin", floats({1, 1, 1}, {1}))
      .attr("num_heads", int64_t{2})
      .attr("rotary_embedding_dim", int64_t{2})
      .output("Y");
  expect_near(t.run()[0], {1, 1, 8}, {-2, 1, 3, 4, -6, 5, 7, 8});
}

}  // namespace
}  // namespace onyx
