// One-node tests of LinearAttention and CausalConvWithState (opset 27) on inputs small
// enough to work out by hand; each expected value is derived in the comment above it.
// State matrices S [dk, dv] are written row by row.
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
using testing::OpTester;

// Attribute errors surface when the session builds the kernel, whose label names the
// opset too; shape errors surface at run time, whose label names node and op.
void expect_error_names(const std::string& message, const std::string& op,
                        const std::string& detail, bool at_build = false) {
  EXPECT_NE(message.find(op), std::string::npos) << message;
  if (at_build) {
    EXPECT_NE(message.find("opset 27"), std::string::npos) << message;
  }
  EXPECT_NE(message.find(detail), std::string::npos) << message;
}

// A LinearAttention node with one query and one KV head and scale 1 unless changed.
OpTester linear_attention(const std::string& rule, int64_t q_heads = 1, int64_t kv_heads = 1) {
  OpTester t("LinearAttention", 27);
  t.attr("q_num_heads", q_heads).attr("kv_num_heads", kv_heads).attr("scale", 1.0f);
  if (!rule.empty()) t.attr("update_rule", rule);
  return t;
}

TEST(LinearAttentionOp, LinearRuleAccumulatesOuterProducts) {
  // dk = dv = 2. t0: S = [1, 0]ᵀ [2, 3] = [[2, 3], [0, 0]], y0 = [1, 1] S = [2, 3].
  // t1: S += [0, 1]ᵀ [4, 5] = [[2, 3], [4, 5]], y1 = [1, 2] S = [10, 13].
  OpTester t = linear_attention("linear");
  t.input("q", floats({1, 2, 2}, {1, 1, 1, 2}))
      .input("k", floats({1, 2, 2}, {1, 0, 0, 1}))
      .input("v", floats({1, 2, 2}, {2, 3, 4, 5}))
      .output("y")
      .output("state");
  std::vector<Tensor> out = t.run();
  expect_near(out[0], {1, 2, 2}, {2, 3, 10, 13});
  expect_near(out[1], {1, 1, 2, 2}, {2, 3, 4, 5});
}

TEST(LinearAttentionOp, PastStateCarriesAcrossCalls) {
  // Continuing from S = [[2, 3], [4, 5]] with k = [1, 1], v = [1, -1]:
  // S = [[3, 2], [5, 4]], y = [1, 0] S = [3, 2]; the same as a third token above.
  OpTester t = linear_attention("linear");
  t.input("q", floats({1, 1, 2}, {1, 0}))
      .input("k", floats({1, 1, 2}, {1, 1}))
      .input("v", floats({1, 1, 2}, {1, -1}))
      .input("past", floats({1, 1, 2, 2}, {2, 3, 4, 5}))
      .output("y")
      .output("state");
  std::vector<Tensor> out = t.run();
  expect_near(out[0], {1, 1, 2}, {3, 2});
  expect_near(out[1], {1, 1, 2, 2}, {3, 2, 5, 4});
}

TEST(LinearAttentionOp, GatedPerHeadDecayScalesTheState) {
  // decay ln 0.5 halves S = [[2, 3], [4, 5]]; k = 0 adds nothing: y = [1, 1] S = [3, 4].
  OpTester t = linear_attention("gated");
  t.input("q", floats({1, 1, 2}, {1, 1}))
      .input("k", floats({1, 1, 2}, {0, 0}))
      .input("v", floats({1, 1, 2}, {0, 0}))
      .input("past", floats({1, 1, 2, 2}, {2, 3, 4, 5}))
      .input("decay", floats({1, 1, 1}, {std::log(0.5f)}))
      .output("y")
      .output("state");
  std::vector<Tensor> out = t.run();
  expect_near(out[0], {1, 1, 2}, {3, 4});
  expect_near(out[1], {1, 1, 2, 2}, {1, 1.5f, 2, 2.5f});
}

TEST(LinearAttentionOp, DeltaRuleWritesOnlyWhatTheStateLacks) {
  // S = [[2, 3], [4, 5]], k = [1, 0]: Sᵀk = [2, 3], v' = 0.5 ([6, 7] - [2, 3]) = [2, 2],
  // S = [[4, 5], [4, 5]], y = [1, 0] S = [4, 5].
  OpTester t = linear_attention("delta");
  t.input("q", floats({1, 1, 2}, {1, 0}))
      .input("k", floats({1, 1, 2}, {1, 0}))
      .input("v", floats({1, 1, 2}, {6, 7}))
      .input("past", floats({1, 1, 2, 2}, {2, 3, 4, 5}))
      .omitted()
      .input("beta", floats({1, 1, 1}, {0.5f}))
      .output("y")
      .output("state");
  std::vector<Tensor> out = t.run();
  expect_near(out[0], {1, 1, 2}, {4, 5});
  expect_near(out[1], {1, 1, 2, 2}, {4, 5, 4, 5});
}

TEST(LinearAttentionOp, GatedDeltaIsTheDefaultWithPerKeyDecayAndDefaultScale) {
  // dk = 2, dv = 1, S = [1, 1]: decay [ln 2, 0] gives S = [2, 1]; k = [1, 1] retrieves 3,
  // v' = 1 * (5 - 3) = 2, S = [4, 3]; y = (1 / sqrt 2) [1, 1] S = 7 / sqrt 2.
  OpTester t("LinearAttention", 27);
  t.attr("q_num_heads", int64_t{1}).attr("kv_num_heads", int64_t{1});
  t.input("q", floats({1, 1, 2}, {1, 1}))
      .input("k", floats({1, 1, 2}, {1, 1}))
      .input("v", floats({1, 1, 1}, {5}))
      .input("past", floats({1, 1, 2, 1}, {1, 1}))
      .input("decay", floats({1, 1, 2}, {std::log(2.0f), 0}))
      .input("beta", floats({1, 1, 1}, {1}))
      .output("y")
      .output("state");
  std::vector<Tensor> out = t.run();
  expect_near(out[0], {1, 1, 1}, {7 / std::sqrt(2.0f)});
  expect_near(out[1], {1, 1, 2, 1}, {4, 3});
}

TEST(LinearAttentionOp, EraseGateMasksTheRetrievalKey) {
  // S = [2, 4], k = [1, 1], erase [1, 0]: retrieval key [1, 0] reads 2, v' = 5 - 2 = 3,
  // S = [2 + 3, 4 + 3] = [5, 7]; y = [0, 1] S = 7.
  OpTester t = linear_attention("delta");
  t.input("q", floats({1, 1, 2}, {0, 1}))
      .input("k", floats({1, 1, 2}, {1, 1}))
      .input("v", floats({1, 1, 1}, {5}))
      .input("past", floats({1, 1, 2, 1}, {2, 4}))
      .omitted()
      .input("beta", floats({1, 1, 1}, {1}))
      .input("erase", floats({1, 1, 2}, {1, 0}))
      .output("y")
      .output("state");
  std::vector<Tensor> out = t.run();
  expect_near(out[0], {1, 1, 1}, {7});
  expect_near(out[1], {1, 1, 2, 1}, {5, 7});
}

TEST(LinearAttentionOp, QueryHeadsShareKvHeadsInOrder) {
  // 4 query heads over 2 KV heads, dk = dv = 1: S = [2 * 3, 1 * 10] = [6, 10]; heads 0, 1
  // read 6 and heads 2, 3 read 10: y = [1 * 6, -1 * 6, 1 * 10, 2 * 10].
  OpTester t = linear_attention("linear", 4, 2);
  t.input("q", floats({1, 1, 4}, {1, -1, 1, 2}))
      .input("k", floats({1, 1, 2}, {2, 1}))
      .input("v", floats({1, 1, 2}, {3, 10}))
      .output("y")
      .output("state");
  std::vector<Tensor> out = t.run();
  expect_near(out[0], {1, 1, 4}, {6, -6, 10, 20});
  expect_near(out[1], {1, 2, 1, 1}, {6, 10});
}

TEST(LinearAttentionOp, Float16ComputesInFloat) {
  // The first test's values, stored as float16 (all exact).
  auto h = [](Shape s, std::vector<float> v) {
    std::vector<float16_t> out;
    for (float x : v) out.push_back(float16_t(x));
    return Tensor::from_vector<float16_t>(std::move(s), out);
  };
  OpTester t = linear_attention("linear");
  t.input("q", h({1, 2, 2}, {1, 1, 1, 2}))
      .input("k", h({1, 2, 2}, {1, 0, 0, 1}))
      .input("v", h({1, 2, 2}, {2, 3, 4, 5}))
      .output("y")
      .output("state");
  std::vector<Tensor> out = t.run();
  ASSERT_EQ(out[0].dtype(), DType::Float16);
  std::vector<float16_t> y = out[0].to_vector<float16_t>();
  const std::vector<float> want = {2, 3, 10, 13};
  for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(static_cast<float>(y[i]), want[i]);
}

TEST(LinearAttentionOp, BadAttributesAndShapesNameTheOp) {
  auto run = [](OpTester t) { return error_of([&] { t.run(); }); };
  auto qkv = [](OpTester t) {
    t.input("q", floats({1, 1, 2}, {1, 1}))
        .input("k", floats({1, 1, 2}, {1, 1}))
        .input("v", floats({1, 1, 2}, {1, 1}));
    return t;
  };
  expect_error_names(run(qkv(linear_attention("bogus")).output("y")), "LinearAttention",
                     "update_rule", true);
  expect_error_names(run(qkv(linear_attention("linear", 3, 2)).output("y")), "LinearAttention",
                     "kv_num_heads", true);
  expect_error_names(run(qkv(linear_attention("gated")).output("y")), "LinearAttention",
                     "requires decay", true);
  OpTester beta = qkv(linear_attention("linear"));
  beta.omitted().omitted().input("beta", floats({1, 1, 1}, {1})).output("y");
  expect_error_names(run(beta), "LinearAttention", "forbids beta", true);
  OpTester past = qkv(linear_attention("linear"));
  past.input("past", floats({1, 1, 2, 1}, {0, 0})).output("y");
  expect_error_names(run(past), "LinearAttention", "past_state");
  OpTester heads = linear_attention("linear", 2, 1);
  heads.input("q", floats({1, 1, 3}, {1, 1, 1}))
      .input("k", floats({1, 1, 2}, {1, 1}))
      .input("v", floats({1, 1, 2}, {1, 1}))
      .output("y");
  expect_error_names(run(heads), "LinearAttention", "q_num_heads");
}

// A CausalConvWithState node.
OpTester causal_conv(const std::string& activation = "") {
  OpTester t("CausalConvWithState", 27);
  if (!activation.empty()) t.attr("activation", activation);
  return t;
}

TEST(CausalConvWithStateOp, ZeroPastStateAndItsTail) {
  // w = [1, 2, 3], padded = [0, 0, 1, 2, 3]: y0 = 3 * 1 = 3, y1 = 2 * 1 + 3 * 2 = 8,
  // y2 = 1 + 4 + 9 = 14; present_state = the last two of padded = [2, 3].
  OpTester t = causal_conv();
  t.input("x", floats({1, 1, 3}, {1, 2, 3}))
      .input("w", floats({1, 1, 3}, {1, 2, 3}))
      .output("y")
      .output("state");
  std::vector<Tensor> out = t.run();
  expect_near(out[0], {1, 1, 3}, {3, 8, 14});
  expect_near(out[1], {1, 1, 2}, {2, 3});
}

TEST(CausalConvWithStateOp, DecodeStepContinuesTheSequence) {
  // Continuing the test above with past [2, 3] and x = [4]: y = 1 * 2 + 2 * 3 + 3 * 4 = 20,
  // what a fourth input would give in one call; bias 10 adds to it. State [3, 4].
  OpTester t = causal_conv();
  t.input("x", floats({1, 1, 1}, {4}))
      .input("w", floats({1, 1, 3}, {1, 2, 3}))
      .input("b", floats({1}, {10}))
      .input("past", floats({1, 1, 2}, {2, 3}))
      .output("y")
      .output("state");
  std::vector<Tensor> out = t.run();
  expect_near(out[0], {1, 1, 1}, {30});
  expect_near(out[1], {1, 1, 2}, {3, 4});
}

TEST(CausalConvWithStateOp, ChannelsAreConvolvedApart) {
  // Channel 0 takes the previous input (w = [1, 0]), channel 1 the current one ([0, 1]):
  // x = [[1, 2], [3, 4]] gives [[0, 1], [3, 4]]; the state keeps each channel's last input.
  OpTester t = causal_conv();
  t.input("x", floats({1, 2, 2}, {1, 2, 3, 4}))
      .input("w", floats({2, 1, 2}, {1, 0, 0, 1}))
      .output("y")
      .output("state");
  std::vector<Tensor> out = t.run();
  expect_near(out[0], {1, 2, 2}, {0, 1, 3, 4});
  expect_near(out[1], {1, 2, 1}, {2, 4});
}

TEST(CausalConvWithStateOp, SiluAndItsSwishAliasWithKernelSizeOne) {
  // k = 1: y = x, state [1, 1, 0]. silu(ln 3) = ln 3 * sigmoid(ln 3) = 0.75 ln 3, silu(0) = 0.
  for (const char* name : {"silu", "swish"}) {
    OpTester t = causal_conv(name);
    t.input("x", floats({1, 1, 2}, {std::log(3.0f), 0}))
        .input("w", floats({1, 1, 1}, {1}))
        .output("y")
        .output("state");
    std::vector<Tensor> out = t.run();
    expect_near(out[0], {1, 1, 2}, {0.75f * std::log(3.0f), 0});
    EXPECT_EQ(out[1].shape(), (Shape{1, 1, 0})) << name;
  }
}

TEST(CausalConvWithStateOp, BadAttributesAndShapesNameTheOp) {
  auto run = [](OpTester t) { return error_of([&] { t.run(); }); };
  OpTester act = causal_conv("relu");
  act.input("x", floats({1, 1, 2}, {1, 2})).input("w", floats({1, 1, 1}, {1})).output("y");
  expect_error_names(run(act), "CausalConvWithState", "activation", true);
  OpTester w = causal_conv();
  w.input("x", floats({1, 1, 2}, {1, 2})).input("w", floats({1, 2, 1}, {1, 1})).output("y");
  expect_error_names(run(w), "CausalConvWithState", "weight");
  OpTester past = causal_conv();
  past.input("x", floats({1, 1, 2}, {1, 2}))
      .input("w", floats({1, 1, 3}, {1, 1, 1}))
      .omitted()
      .input("past", floats({1, 1, 1}, {0}))
      .output("y");
  expect_error_names(run(past), "CausalConvWithState", "past_state");
  OpTester bias = causal_conv();
  bias.input("x", floats({1, 1, 2}, {1, 2}))
      .input("w", floats({1, 1, 1}, {1}))
      .input("b", floats({2}, {1, 1}))
      .output("y");
  expect_error_names(run(bias), "CausalConvWithState", "bias");
}

}  // namespace
}  // namespace onyx
