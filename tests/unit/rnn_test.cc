// One-node tests of RNN, GRU and LSTM for cases the ONNX backend data misses: sequence_lens,
// reverse and bidirectional passes, layout = 1, non-default activations, clip,
// linear_before_reset, input_forget, old opsets and bad inputs. Expected values come from
// the plain reference cells below (one batch entry, one direction, written from the
// spec's equations) or by hand in the comments.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "onyx/onyx.h"
#include "op_tester.h"

namespace onyx {
namespace {

using testing::error_of;
using testing::floats;
using testing::OpTester;
using Vec = std::vector<float>;

::testing::AssertionResult mentions(const std::string& error, const std::string& what) {
  if (error.find(what) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "error '" << error << "' does not mention '" << what << "'";
}

void expect_near(const Tensor& got, const Vec& want, float tol = 1e-5f) {
  ASSERT_EQ(got.numel(), static_cast<int64_t>(want.size())) << got.describe();
  const float* p = got.data<float>();
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(p[i], want[i], tol) << "at " << i;
}

float sigmoid(float x) { return 1.0f / (1.0f + std::exp(-x)); }

// Row k of (M * v) for a row-major matrix M with v.size() columns.
float row_dot(const Vec& m, int64_t k, const Vec& v) {
  float s = 0;
  for (size_t j = 0; j < v.size(); ++j) s += m[k * v.size() + j] * v[j];
  return s;
}

// The spec's LSTM equations for one batch entry and one direction: returns H after each
// step of `xs` (in the order given) and leaves the final states in h and c.
std::vector<Vec> lstm_ref(const std::vector<Vec>& xs, const Vec& w, const Vec& r, const Vec& b,
                          const Vec& p, Vec& h, Vec& c, bool input_forget = false) {
  const int64_t H = static_cast<int64_t>(h.size());
  std::vector<Vec> out;
  for (const Vec& x : xs) {
    Vec gate(4 * H);  // i, o, f, c
    for (int64_t k = 0; k < 4 * H; ++k)
      gate[k] = row_dot(w, k, x) + row_dot(r, k, h) + b[k] + b[4 * H + k];
    Vec h_new(H), c_new(H);
    for (int64_t k = 0; k < H; ++k) {
      float i = sigmoid(gate[k] + p[k] * c[k]);
      float f = input_forget ? 1 - i : sigmoid(gate[2 * H + k] + p[2 * H + k] * c[k]);
      c_new[k] = f * c[k] + i * std::tanh(gate[3 * H + k]);
      float o = sigmoid(gate[H + k] + p[H + k] * c_new[k]);
      h_new[k] = o * std::tanh(c_new[k]);
    }
    h = h_new;
    c = c_new;
    out.push_back(h);
  }
  return out;
}

// The spec's GRU equations (gates z, r, h) with activations f and g.
std::vector<Vec> gru_ref(
    const std::vector<Vec>& xs, const Vec& w, const Vec& r, const Vec& b, Vec& h,
    bool linear_before_reset, const std::function<float(float)>& f = sigmoid,
    const std::function<float(float)>& g = [](float v) { return std::tanh(v); }) {
  const int64_t H = static_cast<int64_t>(h.size());
  std::vector<Vec> out;
  for (const Vec& x : xs) {
    Vec z(H), rr(H), h_new(H);
    for (int64_t k = 0; k < H; ++k) {
      z[k] = f(row_dot(w, k, x) + row_dot(r, k, h) + b[k] + b[3 * H + k]);
      rr[k] = f(row_dot(w, H + k, x) + row_dot(r, H + k, h) + b[H + k] + b[4 * H + k]);
    }
    Vec reset_h(H);
    for (int64_t k = 0; k < H; ++k) reset_h[k] = rr[k] * h[k];
    for (int64_t k = 0; k < H; ++k) {
      float rec = linear_before_reset ? rr[k] * (row_dot(r, 2 * H + k, h) + b[5 * H + k])
                                      : row_dot(r, 2 * H + k, reset_h) + b[5 * H + k];
      float cand = g(row_dot(w, 2 * H + k, x) + rec + b[2 * H + k]);
      h_new[k] = (1 - z[k]) * cand + z[k] * h[k];
    }
    h = h_new;
    out.push_back(h);
  }
  return out;
}

// Runs a built node, optionally with an `activations` list (OpTester has no list-of-strings
// attributes) and with some outputs left off (kNoValue), as "" names do in a file.
std::vector<Tensor> run_node(const OpTester& t, const std::vector<std::string>& activations,
                             const std::vector<int>& dropped = {}) {
  Model m = t.model();
  Node& node = m.graph.nodes[0];
  if (!activations.empty()) {
    Attribute a;
    a.name = "activations";
    a.type = AttrType::Strings;
    a.strings = activations;
    node.attributes.push_back(a);
  }
  for (int i : dropped) {
    int id = node.outputs[i];
    node.outputs[i] = kNoValue;
    std::erase(m.graph.outputs, id);
  }
  return Session(builtin_registry(), m, SessionOptions{1, true}).run(t.feeds());
}

// Small fixed weights: w and r hold `rows` rows, values varied so gates differ.
Vec ramp(int64_t n, float start, float step) {
  Vec v(n);
  for (int64_t i = 0; i < n; ++i) v[i] = start + step * static_cast<float>(i % 7) - 0.1f * (i % 3);
  return v;
}

// LSTM, H = 2, I = 1, seq 3, batch 2 with lengths {3, 1}: entry 1 stops after step 0.
TEST(Lstm, SequenceLensShorterThanSequence) {
  const Vec w = ramp(8, -0.3f, 0.1f), r = ramp(16, 0.2f, -0.05f), b = ramp(16, 0.05f, 0.02f);
  const Vec x = {0.5f, -1.0f, 1.5f, 2.0f, -0.5f, 3.0f};  // [seq][batch][1]
  OpTester t("LSTM", 14);
  t.input("X", floats({3, 2, 1}, x))
      .input("W", floats({1, 8, 1}, w))
      .input("R", floats({1, 8, 2}, r))
      .input("B", floats({1, 16}, b))
      .input("seq", Tensor::from_vector<int32_t>({2}, {3, 1}))
      .attr("hidden_size", int64_t{2})
      .output("Y")
      .output("Y_h")
      .output("Y_c");
  std::vector<Tensor> out = t.run();
  ASSERT_EQ(out[0].shape(), (Shape{3, 1, 2, 2}));
  const Vec p(6, 0.0f);
  Vec h0(2, 0), c0(2, 0), h1(2, 0), c1(2, 0);
  auto y0 = lstm_ref({{x[0]}, {x[2]}, {x[4]}}, w, r, b, p, h0, c0);
  auto y1 = lstm_ref({{x[1]}}, w, r, b, p, h1, c1);
  // Y[t][0][b][k]: entry 1 is zero past its single step.
  expect_near(out[0], {y0[0][0], y0[0][1], y1[0][0], y1[0][1], y0[1][0], y0[1][1], 0, 0, y0[2][0],
                       y0[2][1], 0, 0});
  expect_near(out[1], {h0[0], h0[1], h1[0], h1[1]});
  expect_near(out[2], {c0[0], c0[1], c1[0], c1[1]});
}

// Reverse direction with lengths {3, 2}: entry 1 starts at its last valid step, t = 1.
TEST(Lstm, ReverseStartsAtLastValidStep) {
  const Vec w = ramp(4, 0.4f, -0.1f), r = ramp(4, -0.2f, 0.1f);
  const Vec x = {1.0f, -2.0f, 0.5f, 0.25f, 4.0f, 8.0f};  // [seq][batch][1]; x[2][1] unused
  OpTester t("LSTM", 7);
  t.input("X", floats({3, 2, 1}, x))
      .input("W", floats({1, 4, 1}, w))
      .input("R", floats({1, 4, 1}, r))
      .omitted()
      .input("seq", Tensor::from_vector<int32_t>({2}, {3, 2}))
      .attr("direction", "reverse")
      .output("Y")
      .output("Y_h");
  std::vector<Tensor> out = t.run();
  const Vec b(8, 0.0f), p(3, 0.0f);
  Vec h0{0}, c0{0}, h1{0}, c1{0};
  auto y0 = lstm_ref({{x[4]}, {x[2]}, {x[0]}}, w, r, b, p, h0, c0);  // t = 2, 1, 0
  auto y1 = lstm_ref({{x[3]}, {x[1]}}, w, r, b, p, h1, c1);          // t = 1, 0
  expect_near(out[0], {y0[2][0], y1[1][0], y0[1][0], y1[0][0], y0[0][0], 0});
  expect_near(out[1], {h0[0], h1[0]});
}

// layout = 1: X [batch, seq, input], initial states and Y_h [batch, dirs, hidden],
// Y [batch, seq, dirs, hidden]. Also input_forget, peepholes and initial states.
TEST(Lstm, BatchMajorLayoutWithInputForget) {
  const Vec w = ramp(8, 0.1f, 0.05f), r = ramp(16, -0.1f, 0.04f), b = ramp(16, 0.0f, 0.03f);
  const Vec p = {0.1f, -0.2f, 0.3f, 0.05f, 0.15f, -0.1f};
  const Vec x = {1.0f, 2.0f, -1.0f, 0.5f};  // [batch 2][seq 2][1]
  const Vec h_init = {0.1f, -0.1f, 0.2f, 0.3f}, c_init = {0.5f, -0.5f, 1.0f, 0.0f};
  OpTester t("LSTM", 14);
  t.input("X", floats({2, 2, 1}, x))
      .input("W", floats({1, 8, 1}, w))
      .input("R", floats({1, 8, 2}, r))
      .input("B", floats({1, 16}, b))
      .omitted()
      .input("h", floats({2, 1, 2}, h_init))
      .input("c", floats({2, 1, 2}, c_init))
      .input("P", floats({1, 6}, p))
      .attr("layout", int64_t{1})
      .attr("input_forget", int64_t{1})
      .output("Y")
      .output("Y_h")
      .output("Y_c");
  std::vector<Tensor> out = t.run();
  ASSERT_EQ(out[0].shape(), (Shape{2, 2, 1, 2}));
  ASSERT_EQ(out[1].shape(), (Shape{2, 1, 2}));
  Vec h0 = {h_init[0], h_init[1]}, c0 = {c_init[0], c_init[1]};
  Vec h1 = {h_init[2], h_init[3]}, c1 = {c_init[2], c_init[3]};
  auto y0 = lstm_ref({{x[0]}, {x[1]}}, w, r, b, p, h0, c0, true);
  auto y1 = lstm_ref({{x[2]}, {x[3]}}, w, r, b, p, h1, c1, true);
  expect_near(out[0],
              {y0[0][0], y0[0][1], y0[1][0], y0[1][1], y1[0][0], y1[0][1], y1[1][0], y1[1][1]});
  expect_near(out[1], {h0[0], h0[1], h1[0], h1[1]});
  expect_near(out[2], {c0[0], c0[1], c1[0], c1[1]});
}

// Bidirectional GRU, H = 2, I = 2, seq 3, batch 1: direction 1 runs t = 2, 1, 0 with its
// own weights; Y is [seq, 2, batch, hidden].
TEST(Gru, Bidirectional) {
  const Vec w = ramp(24, -0.2f, 0.07f), r = ramp(24, 0.3f, -0.06f), b = ramp(24, 0.1f, -0.03f);
  const Vec x = {1.0f, 0.5f, -0.5f, 2.0f, 0.0f, -1.0f};
  OpTester t("GRU", 7);
  t.input("X", floats({3, 1, 2}, x))
      .input("W", floats({2, 6, 2}, w))
      .input("R", floats({2, 6, 2}, r))
      .input("B", floats({2, 12}, b))
      .attr("hidden_size", int64_t{2})
      .attr("direction", "bidirectional")
      .output("Y")
      .output("Y_h");
  std::vector<Tensor> out = t.run();
  ASSERT_EQ(out[0].shape(), (Shape{3, 2, 1, 2}));
  auto half = [](const Vec& v, int d) {
    return Vec(v.begin() + d * v.size() / 2, v.begin() + (d + 1) * v.size() / 2);
  };
  Vec hf(2, 0), hb(2, 0);
  auto yf = gru_ref({{x[0], x[1]}, {x[2], x[3]}, {x[4], x[5]}}, half(w, 0), half(r, 0), half(b, 0),
                    hf, false);
  auto yb = gru_ref({{x[4], x[5]}, {x[2], x[3]}, {x[0], x[1]}}, half(w, 1), half(r, 1), half(b, 1),
                    hb, false);
  expect_near(out[0], {yf[0][0], yf[0][1], yb[2][0], yb[2][1], yf[1][0], yf[1][1], yb[1][0],
                       yb[1][1], yf[2][0], yf[2][1], yb[0][0], yb[0][1]});
  expect_near(out[1], {hf[0], hf[1], hb[0], hb[1]});
}

// linear_before_reset = 1 and custom activations: HardSigmoid(0.3, 0.4) for f and
// ScaledTanh(2.0, 0.5) for g take their alpha/beta values in order.
TEST(Gru, LinearBeforeResetAndActivationParams) {
  const Vec w = ramp(6, 0.2f, 0.1f), r = ramp(12, -0.3f, 0.08f), b = ramp(12, 0.1f, 0.05f);
  const Vec x = {1.0f, -2.0f, 0.5f};
  OpTester t("GRU", 14);
  t.input("X", floats({3, 1, 1}, x))
      .input("W", floats({1, 6, 1}, w))
      .input("R", floats({1, 6, 2}, r))
      .input("B", floats({1, 12}, b))
      .attr("linear_before_reset", int64_t{1})
      .attr("activation_alpha", Vec{0.3f, 2.0f})
      .attr("activation_beta", Vec{0.4f, 0.5f})
      .output("Y");
  auto hard_sigmoid = [](float v) { return std::min(std::max(0.3f * v + 0.4f, 0.0f), 1.0f); };
  auto scaled_tanh = [](float v) { return 2.0f * std::tanh(0.5f * v); };
  Vec h(2, 0);
  auto y = gru_ref({{x[0]}, {x[1]}, {x[2]}}, w, r, b, h, true, hard_sigmoid, scaled_tanh);
  expect_near(run_node(t, {"HardSigmoid", "ScaledTanh"})[0],
              {y[0][0], y[0][1], y[1][0], y[1][1], y[2][0], y[2][1]});
}

TEST(Rnn, LeakyReluWithClipByHand) {
  // H = 1, W = 1, R = 0.5, x = {2, -4}, LeakyRelu alpha 0.5, clip 2.5:
  //   h1 = leaky(clip(2)) = 2;  h2 = leaky(clip(-4 + 0.5 * 2 = -3) = -2.5) = -1.25.
  for (int opset : {1, 7, 14}) {
    OpTester t("RNN", opset);
    t.input("X", floats({2, 1, 1}, {2, -4}))
        .input("W", floats({1, 1, 1}, {1}))
        .input("R", floats({1, 1, 1}, {0.5f}))
        .attr("hidden_size", int64_t{1})
        .attr("activation_alpha", Vec{0.5f})
        .attr("clip", 2.5f)
        .output("Y")
        .output("Y_h");
    std::vector<Tensor> out = run_node(t, {"LeakyRelu"});
    expect_near(out[0], {2, -1.25f});
    expect_near(out[1], {-1.25f});
  }
}

// Only Y_h requested (Y left off, as "" in a file); RNN with its default Tanh, by hand:
// h1 = tanh(1) = 0.761594, h2 = tanh(1 + 0.761594) = 0.942682.
TEST(Rnn, OmittedYAndDoubleDtype) {
  OpTester t("RNN", 14);
  t.input("X", Tensor::from_vector<double>({2, 1, 1}, {1, 1}))
      .input("W", Tensor::from_vector<double>({1, 1, 1}, {1}))
      .input("R", Tensor::from_vector<double>({1, 1, 1}, {1}))
      .output("Y")
      .output("Y_h");
  std::vector<Tensor> out = run_node(t, {}, {0});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_NEAR(out[0].data<double>()[0], std::tanh(1.0 + std::tanh(1.0)), 1e-12);
}

// float16 computes in float and rounds once on output: h1 = tanh(0.5) = 0.462117 and
// h2 = tanh(0.5 + 0.462117) = 0.745070; float16 keeps 11 significant bits.
TEST(Rnn, Float16) {
  auto halves = [](Shape shape, Vec v) {
    std::vector<float16_t> h;
    for (float f : v) h.push_back(float16_t(f));
    return Tensor::from_vector<float16_t>(std::move(shape), h);
  };
  OpTester t("RNN", 14);
  t.input("X", halves({2, 1, 1}, {0.5f, 0.5f}))
      .input("W", halves({1, 1, 1}, {1}))
      .input("R", halves({1, 1, 1}, {1}))
      .output("Y");
  Tensor y = t.run()[0];
  ASSERT_EQ(y.dtype(), DType::Float16);
  EXPECT_NEAR(static_cast<float>(y.data<float16_t>()[0]), std::tanh(0.5f), 1e-3f);
  EXPECT_NEAR(static_cast<float>(y.data<float16_t>()[1]), std::tanh(0.5f + std::tanh(0.5f)), 1e-3f);
}

TEST(Rnn, ShapeInferenceKeepsSymbolicDims) {
  OpTester t("LSTM", 14);
  t.input("X", floats({3, 2, 1}, Vec(6, 0)))
      .input("W", floats({2, 8, 1}, Vec(16, 0)))
      .input("R", floats({2, 8, 2}, Vec(32, 0)))
      .attr("direction", "bidirectional")
      .attr("layout", int64_t{1})
      .output("Y")
      .output("Y_h")
      .output("Y_c");
  Model m = t.model();
  m.graph.value(m.graph.inputs[0]).type = TypeInfo::tensor(
      DType::Float, std::vector<Dim>{Dim::symbol("B"), Dim::symbol("S"), Dim::known(1)});
  for (int id : m.graph.outputs) m.graph.value(id).type = TypeInfo{};
  const Registry& reg = builtin_registry();
  InferenceResult res = infer_shapes(m.graph, [&reg](const Node& n) { return reg.shape_rule(n); });
  EXPECT_EQ(res.types[m.graph.outputs[0]].to_string(), "float[B, S, 2, 2]");
  EXPECT_EQ(res.types[m.graph.outputs[1]].to_string(), "float[B, 2, 2]");
  EXPECT_EQ(res.types[m.graph.outputs[2]].to_string(), "float[B, 2, 2]");
}

TEST(Rnn, BadInputsAndAttributes) {
  auto lstm = [](Shape w_shape, std::vector<int32_t> lens) {
    OpTester t("LSTM", 14);
    t.input("X", floats({3, 2, 1}, Vec(6, 1)))
        .input("W", floats(w_shape, Vec(checked_numel(w_shape), 0.1f)))
        .input("R", floats({1, 8, 2}, Vec(16, 0.1f)))
        .omitted()
        .input("seq", Tensor::from_vector<int32_t>({2}, lens))
        .output("Y");
    return t;
  };
  // Caught by the shape rule (rows) and by the kernel (input size).
  EXPECT_TRUE(mentions(error_of([&] {
                         lstm({1, 6, 1}, {3, 3}).run();
                       }),
                       "W float[1, 6, 1] must have 4 * hidden_size rows (hidden_size 2)"));
  EXPECT_TRUE(mentions(error_of([&] {
                         lstm({1, 8, 2}, {3, 3}).run();
                       }),
                       "W must have shape [1, 8, 1], got float[1, 8, 2]"));
  EXPECT_TRUE(mentions(error_of([&] {
                         lstm({1, 8, 1}, {3, 4}).run();
                       }),
                       "sequence_lens[1] = 4 is outside [0, 3]"));
  EXPECT_TRUE(mentions(error_of([&] { lstm({1, 8, 1}, {-1, 2}).run(); }), "outside"));

  auto rnn = [](auto&& configure, std::vector<std::string> activations = {}) {
    OpTester t("RNN", 7);
    t.input("X", floats({1, 1, 1}, {1}))
        .input("W", floats({1, 1, 1}, {1}))
        .input("R", floats({1, 1, 1}, {1}));
    configure(t);
    t.output("Y");
    return error_of([&] { run_node(t, activations); });
  };
  auto no_attrs = [](OpTester&) {};
  EXPECT_TRUE(mentions(rnn([](OpTester& t) { t.attr("direction", "sideways"); }),
                       "direction must be forward, reverse or bidirectional"));
  EXPECT_TRUE(mentions(rnn(no_attrs, {"Swish"}), "unknown activation 'Swish'"));
  EXPECT_TRUE(mentions(rnn(no_attrs, {"Tanh", "Relu", "Relu"}), "takes 1 activations, got 3"));
  EXPECT_TRUE(mentions(rnn([](OpTester& t) { t.attr("activation_alpha", Vec{0.5f}); }),
                       "activations use only 0"));
  EXPECT_TRUE(mentions(rnn([](OpTester& t) { t.attr("clip", -1.0f); }), "clip must be positive"));
  EXPECT_TRUE(mentions(rnn([](OpTester& t) { t.attr("layout", int64_t{1}); }),
                       "layout attribute needs opset 14"));

  OpTester old_gru("GRU", 1);
  old_gru.input("X", floats({1, 1, 1}, {1}))
      .input("W", floats({1, 3, 1}, Vec(3, 1)))
      .input("R", floats({1, 3, 1}, Vec(3, 1)))
      .attr("linear_before_reset", int64_t{1})
      .output("Y");
  EXPECT_TRUE(mentions(error_of([&] { old_gru.run(); }), "linear_before_reset needs opset 3"));

  // hidden_size 3 fits W's 3 * 3 rows but not R's last dim.
  OpTester wide("GRU", 14);
  wide.input("X", floats({1, 1, 1}, {1}))
      .input("W", floats({1, 9, 1}, Vec(9, 1)))
      .input("R", floats({1, 9, 1}, Vec(9, 1)))
      .attr("hidden_size", int64_t{3})
      .output("Y");
  EXPECT_TRUE(mentions(error_of([&] { wide.run(); }), "hidden_size is 3 but R"));
  OpTester mixed("GRU", 14);
  mixed.input("X", floats({1, 1, 1}, {1}))
      .input("W", Tensor::from_vector<double>({1, 3, 1}, std::vector<double>(3, 1)))
      .input("R", floats({1, 3, 1}, Vec(3, 1)))
      .output("Y");
  EXPECT_TRUE(mentions(error_of([&] { mixed.run(); }), "W must have X's dtype float"));
}

}  // namespace
}  // namespace onyx
