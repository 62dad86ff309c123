// The float fast path of RNN, GRU and LSTM (ops/rnn/rnn_fast.h) against the reference
// loop: directions, hidden sizes around the GEMM tile, odd batches, sequence lengths,
// every optional input present or not, both layouts, clip, linear_before_reset,
// input_forget, W and R as initializers (packed panels) or fed at run time, some outputs
// omitted, and non-default gate functions (which take the reference cells).
//
// Tolerance 1e-4 (relative above 1): the fast path sums the products in another order and
// uses vsigmoid / vtanh (<= 4 ulp), about 1e-6 per step on states bounded by 1; with
// weights scaled as trained layers are (below), the recurrence does not amplify it, so
// the 17-step sequences stay well within.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "fast_check.h"
#include "op_tester.h"

namespace onyx {
namespace {

using testing::expect_fast_matches_reference;
using testing::OpTester;
using testing::random_floats;

struct Case {
  std::string op = "LSTM";
  int64_t seq = 5, batch = 3, input = 4, hidden = 7;
  std::string direction = "forward";
  bool bias = true, initial_h = true, initial_c = true, peepholes = true;
  bool lens = false, batch_major = false, constants = false;
  int64_t linear_before_reset = 0;  // GRU
  int64_t input_forget = 0;         // LSTM
  std::optional<float> clip;
  std::vector<std::string> activations;
  std::vector<float> alpha, beta;
  bool outputs[3] = {true, true, true};  // Y, Y_h, Y_c (LSTM)
  bool extreme_x = false;  // X scaled to saturate the gates, with infinities and a NaN

  std::string label() const {
    return op + " " + direction + " seq " + std::to_string(seq) + " batch " +
           std::to_string(batch) + " input " + std::to_string(input) + " hidden " +
           std::to_string(hidden) + (bias ? " B" : "") + (initial_h ? " h0" : "") +
           (initial_c ? " c0" : "") + (peepholes ? " P" : "") + (lens ? " lens" : "") +
           (batch_major ? " layout1" : "") + (constants ? " const" : " runtime") +
           (linear_before_reset ? " lbr" : "") + (input_forget ? " input_forget" : "") +
           (clip ? " clip" : "") + " outputs " + std::to_string(outputs[0]) +
           std::to_string(outputs[1]) + std::to_string(outputs[2]);
  }
};

Tensor scaled(Tensor t, int64_t fan_in) {
  const float scale = 1.0f / std::sqrt(static_cast<float>(std::max<int64_t>(fan_in, 1)));
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] *= scale;
  return t;
}

int gates_of(const std::string& op) { return op == "RNN" ? 1 : op == "GRU" ? 3 : 4; }

OpTester make_tester(const Case& c, uint32_t seed) {
  std::mt19937 rng(seed);
  const bool lstm = c.op == "LSTM";
  const int64_t nd = c.direction == "bidirectional" ? 2 : 1, G = gates_of(c.op) * c.hidden;
  OpTester t(c.op, 14);
  const Shape x_shape =
      c.batch_major ? Shape{c.batch, c.seq, c.input} : Shape{c.seq, c.batch, c.input};
  const Shape state = c.batch_major ? Shape{c.batch, nd, c.hidden} : Shape{nd, c.batch, c.hidden};
  Tensor x = random_floats(x_shape, rng);
  if (c.extreme_x && x.numel() > 0) {
    float* v = x.data<float>();
    for (int64_t i = 0; i < x.numel(); ++i) v[i] *= 30.0f;
    v[1 % x.numel()] = testing::kInf;
    v[x.numel() - 1] = -testing::kInf;
    v[x.numel() / 2] = testing::kNaN;
  }
  t.input("X", x);
  auto weight = [&](const std::string& name, const Tensor& v) {
    if (c.constants)
      t.constant(name, v);
    else
      t.input(name, v);
  };
  // Weights scaled as trained layers' initializers are, by 1 / sqrt(fan-in): with R
  // uniform in [-1, 1] a tanh RNN of hidden 64 is chaotic and amplifies any rounding
  // difference (1e-7) past 1e-4 within 17 steps, for the reference loop itself too.
  weight("W", scaled(random_floats({nd, G, c.input}, rng), c.input));
  weight("R", scaled(random_floats({nd, G, c.hidden}, rng), c.hidden));
  // Optional inputs in order; the ones after the last given are left off.
  const int last = lstm && c.peepholes   ? 7
                   : lstm && c.initial_c ? 6
                   : c.initial_h         ? 5
                   : c.lens              ? 4
                   : c.bias              ? 3
                                         : 2;
  if (last >= 3) {
    if (c.bias)
      weight("B", random_floats({nd, 2 * G}, rng));
    else
      t.omitted();
  }
  if (last >= 4) {
    if (c.lens) {
      std::vector<int32_t> lens(static_cast<size_t>(c.batch));
      std::uniform_int_distribution<int32_t> len(0, static_cast<int32_t>(c.seq));
      for (auto& l : lens) l = len(rng);
      if (!lens.empty()) lens[0] = static_cast<int32_t>(c.seq);  // the longest runs to the end
      if (lens.size() > 1) lens[1] = static_cast<int32_t>(c.seq / 2);  // one surely shorter
      t.input("sequence_lens", Tensor::from_vector<int32_t>({c.batch}, lens));
    } else {
      t.omitted();
    }
  }
  auto optional_input = [&](int index, bool present, const std::string& name, Shape shape) {
    if (last < index) return;
    if (present)
      t.input(name, random_floats(std::move(shape), rng));
    else
      t.omitted();
  };
  optional_input(5, c.initial_h, "initial_h", state);
  optional_input(6, c.initial_c, "initial_c", state);
  optional_input(7, c.peepholes, "P", {nd, 3 * c.hidden});

  const int outputs = lstm ? 3 : 2;
  int last_output = 0;
  for (int i = 0; i < outputs; ++i)
    if (c.outputs[i]) last_output = i;
  const char* names[] = {"Y", "Y_h", "Y_c"};
  for (int i = 0; i <= last_output; ++i) {
    if (c.outputs[i])
      t.output(names[i]);
    else
      t.omitted_output();
  }

  t.attr("hidden_size", c.hidden).attr("direction", c.direction);
  if (c.batch_major) t.attr("layout", int64_t{1});
  if (c.op == "GRU") t.attr("linear_before_reset", c.linear_before_reset);
  if (lstm) t.attr("input_forget", c.input_forget);
  if (c.clip) t.attr("clip", *c.clip);
  if (!c.activations.empty()) t.attr("activations", c.activations);
  if (!c.alpha.empty()) t.attr("activation_alpha", c.alpha);
  if (!c.beta.empty()) t.attr("activation_beta", c.beta);
  return t;
}

void check(const Case& c, uint32_t seed, float tolerance = 1e-4f) {
  SCOPED_TRACE(c.label());
  expect_fast_matches_reference(make_tester(c, seed), c.label(), tolerance);
}

// RNN, GRU both ways and LSTM.
std::vector<Case> every_cell() {
  std::vector<Case> cells;
  for (const char* op : {"RNN", "GRU", "GRU", "LSTM"}) {
    Case c;
    c.op = op;
    c.linear_before_reset = c.op == "GRU" && cells.size() == 2;
    cells.push_back(c);
  }
  return cells;
}

TEST(FastRnn, DirectionsAndSizes) {
  uint32_t seed = 1;
  for (Case c : every_cell())
    for (const char* direction : {"forward", "reverse", "bidirectional"})
      for (int64_t hidden : {1, 7, 33, 64})
        for (int64_t batch : {1, 13})
          for (int64_t seq : {1, 17}) {
            c.direction = direction;
            c.hidden = hidden;
            c.batch = batch;
            c.seq = seq;
            c.input = hidden == 64 ? 37 : 5;
            c.lens = seed % 2 == 0;
            c.constants = seed % 3 != 0;
            check(c, seed++);
          }
}

TEST(FastRnn, OptionalInputsLayoutsAndOutputs) {
  uint32_t seed = 100;
  for (Case c : every_cell())
    for (int mask = 0; mask < 128; ++mask) {
      const bool lstm = c.op == "LSTM";
      if (!lstm && (mask & 24)) continue;  // initial_c and P are LSTM's
      c.bias = mask & 1;
      c.initial_h = mask & 2;
      c.initial_c = mask & 8;
      c.peepholes = mask & 16;
      c.lens = mask & 4;
      c.batch_major = mask & 32;
      c.constants = mask & 64;
      c.direction = mask % 3 == 0 ? "bidirectional" : mask % 3 == 1 ? "reverse" : "forward";
      c.batch = 5;
      // Every subset of the outputs but the empty one, in turn.
      const int subsets = lstm ? 7 : 3, subset = 1 + mask % subsets;
      for (int i = 0; i < 3; ++i) c.outputs[i] = (subset >> i) & 1;
      check(c, seed++);
    }
}

TEST(FastRnn, ClipAndInputForget) {
  uint32_t seed = 300;
  for (Case c : every_cell())
    for (bool peepholes : {false, true})
      for (int64_t input_forget : {0, 1}) {
        if (c.op != "LSTM" && (peepholes || input_forget)) continue;
        c.peepholes = peepholes;
        c.input_forget = input_forget;
        c.clip = 0.7f;
        c.seq = 17;
        c.hidden = 33;
        c.direction = "bidirectional";
        c.lens = true;
        check(c, seed++);
        c.clip.reset();
        check(c, seed++);
      }
}

TEST(FastRnn, LargeInputsSaturateAndNaNPropagates) {
  uint32_t seed = 400;
  for (Case c : every_cell()) {
    c.seq = 6;
    c.hidden = 16;
    c.batch = 3;
    c.extreme_x = true;
    check(c, seed++);
  }
}

TEST(FastRnn, EmptyAndZeroLengths) {
  uint32_t seed = 500;
  for (Case c : every_cell()) {
    c.lens = true;
    c.batch = 7;
    c.seq = 3;  // some entries get length 0
    check(c, seed++);
    c.lens = false;
    c.batch = 0;
    check(c, seed++);
    c.batch = 2;
    c.seq = 0;
    check(c, seed++);
  }
}

// Other gate functions take the reference cells; the results must match all the same.
TEST(FastRnn, NonDefaultActivationsFallBack) {
  uint32_t seed = 600;
  Case rnn;
  rnn.op = "RNN";
  rnn.direction = "bidirectional";
  rnn.activations = {"Relu", "LeakyRelu"};
  rnn.alpha = {0.2f};
  check(rnn, seed++);
  Case gru;
  gru.op = "GRU";
  gru.activations = {"HardSigmoid", "ScaledTanh"};
  gru.alpha = {0.3f, 0.9f};
  gru.beta = {0.4f, 1.1f};
  check(gru, seed++);
  Case lstm;
  lstm.activations = {"Sigmoid", "Tanh", "Softsign"};
  check(lstm, seed++);
  // Default functions named explicitly still take the fast path, per direction.
  lstm.direction = "bidirectional";
  lstm.activations = {"Sigmoid", "Tanh", "Tanh", "Sigmoid", "Tanh", "Tanh"};
  check(lstm, seed++);
  lstm.activations = {"Sigmoid", "Tanh", "Tanh", "Sigmoid", "Tanh", "Relu"};
  check(lstm, seed++);
}

}  // namespace
}  // namespace onyx
