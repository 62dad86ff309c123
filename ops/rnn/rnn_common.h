// What RNN, GRU and LSTM share: the gate-activation table, the attributes every recurrent
// op has (direction, activations, clip, layout, hidden_size), the input shape checks, the
// shape rule, and the direction/batch/time loop. Each op file keeps only its cell equations.
//
// Inputs: 0 X, 1 W, 2 R, 3 B, 4 sequence_lens, 5 initial_h (LSTM: 6 initial_c, 7 P).
// Outputs: 0 Y, 1 Y_h (LSTM: 2 Y_c), each optional.
// layout 0: X [seq, batch, input], Y [seq, dirs, batch, hidden], Y_h [dirs, batch, hidden].
// layout 1: X [batch, seq, input], Y [batch, seq, dirs, hidden], Y_h [batch, dirs, hidden];
//           initial_h/initial_c are then [batch, dirs, hidden] too.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "common/parallel.h"
#include "common/shape_utils.h"
#include "kernels/gemm/gemm.h"
#include "kernels/simd/matvec.h"
#include "onyx/kernel.h"
#include "onyx/shape_inference.h"

namespace onyx {

// Recurrent ops accept float16, float and double (bfloat16 only from opset 22).
using RnnTypes = FloatTypes;

// float16 and bfloat16 compute in float, double in double.
template <class T>
using rnn_acc_t = std::conditional_t<std::is_same_v<T, double>, double, float>;

template <class T, class A>
T rnn_store(A v) {
  if constexpr (std::is_same_v<T, double> || std::is_same_v<T, float>)
    return static_cast<T>(v);
  else
    return T(static_cast<float>(v));
}

// ---- activations ----

enum class ActivationKind {
  Relu,
  Tanh,
  Sigmoid,
  Affine,
  LeakyRelu,
  ThresholdedRelu,
  ScaledTanh,
  HardSigmoid,
  Elu,
  Softsign,
  Softplus
};

// One gate activation with its parameters (defaults as the ONNX operators of the same name).
struct Activation {
  ActivationKind kind = ActivationKind::Tanh;
  float alpha = 0;
  float beta = 0;

  template <class A>
  A operator()(A x) const {
    const A a = static_cast<A>(alpha), b = static_cast<A>(beta);
    switch (kind) {
      case ActivationKind::Relu:
        return x > 0 ? x : A(0);
      case ActivationKind::Tanh:
        return std::tanh(x);
      case ActivationKind::Sigmoid:  // written so that exp never overflows
        return x >= 0 ? A(1) / (A(1) + std::exp(-x)) : std::exp(x) / (A(1) + std::exp(x));
      case ActivationKind::Affine:
        return a * x + b;
      case ActivationKind::LeakyRelu:
        return x >= 0 ? x : a * x;
      case ActivationKind::ThresholdedRelu:
        return x >= a ? x : A(0);
      case ActivationKind::ScaledTanh:
        return a * std::tanh(b * x);
      case ActivationKind::HardSigmoid:
        return std::min(std::max(a * x + b, A(0)), A(1));
      case ActivationKind::Elu:
        return x >= 0 ? x : a * (std::exp(x) - A(1));
      case ActivationKind::Softsign:
        return x / (A(1) + std::abs(x));
      case ActivationKind::Softplus:  // log(1 + e^x), stable for large |x|
        return x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x));
    }
    return x;
  }
};

// ---- attributes ----

enum class RnnDirection { Forward, Reverse, Bidirectional };

struct RnnAttrs {
  std::string op;            // "RNN", "GRU" or "LSTM", for messages
  int64_t hidden_size = -1;  // -1: not given, taken from R
  RnnDirection direction = RnnDirection::Forward;
  int num_directions = 1;
  int layout = 0;
  std::optional<float> clip;              // bound on every gate's pre-activation
  int per_direction = 1;                  // activations per direction: 1, 2 or 3
  std::vector<Activation> activations;    // num_directions * per_direction
  bool wants[3] = {false, false, false};  // which of Y, Y_h, Y_c the node lists

  const Activation* activations_of(int dir) const { return &activations[dir * per_direction]; }
  template <class A>
  A clipped(A x) const {
    if (!clip) return x;
    const A c = static_cast<A>(*clip);
    return std::min(std::max(x, -c), c);
  }
};

// Reads and validates the shared attributes. `default_activations` has one name per gate
// function of one direction (RNN: Tanh; GRU: Sigmoid, Tanh; LSTM: Sigmoid, Tanh, Tanh).
RnnAttrs read_rnn_attrs(const KernelInit& init, const std::string& op,
                        const std::vector<std::string>& default_activations);

// The attribute types the checker enforces for the version of a recurrent op from `since`.
std::map<std::string, AttrType> rnn_attr_types(int since);

// ---- shapes ----

struct RnnShapes {
  int64_t seq = 0, batch = 0, input = 0, hidden = 0;
};

// The shapes of W and R where a kernel holds them packed and the session freed the
// originals: they stand in for those inputs, which are float. Empty: read the inputs.
struct RnnHeldWeights {
  Shape w, r;
  bool held() const { return !w.empty(); }
};

// Checks X, W, R, B, sequence_lens and initial_h (and, when `lstm`, initial_c and P)
// against each other and the attributes; `gates` is 1 (RNN), 3 (GRU) or 4 (LSTM).
RnnShapes check_rnn_inputs(const KernelContext& ctx, const RnnAttrs& attrs, int gates, bool lstm,
                           const RnnHeldWeights& held = {});

// Each batch entry's sequence length, checked to lie in [0, seq]; all `seq` when absent.
std::vector<int64_t> rnn_sequence_lengths(const KernelContext& ctx, const RnnShapes& s);

// The shape rule of all three ops: Y, Y_h (and Y_c) from X's dims, the direction, the
// layout and the hidden size (attribute, else R's last dim).
void infer_recurrent(InferContext& ctx, int gates);

// ---- compute ----

// One direction's recurrent parameters in the compute type A. Gate blocks are stacked
// as in the spec (RNN: i; GRU: z, r, h; LSTM: i, o, f, c). The input side, Xt * W^T + Wb,
// reaches the cell already computed.
template <class A>
struct RnnWeights {
  const A* r;   // [gates * hidden, hidden]
  const A* rb;  // [gates * hidden], zeros when B is absent
  const A* p;   // LSTM peepholes [3 * hidden] (i, o, f), zeros when absent; else null
  const Activation* act;
  const kernels::Parallel* parallel;  // the fast matvec's threads; null: reference loop
};

// out[i] += sum_j m[i, j] * v[j] for a row-major [rows, cols] matrix m.
template <class A>
void matvec_add(const A* m, const A* v, int64_t rows, int64_t cols, A* out) {
  for (int64_t i = 0; i < rows; ++i) {
    A sum = 0;
    const A* row = m + i * cols;
    for (int64_t j = 0; j < cols; ++j) sum += row[j] * v[j];
    out[i] += sum;
  }
}

// out += m * v with the recurrent weights: the vectorized, threaded kernel on the fast
// path (float), else the plain loop above.
template <class A>
void recurrent_matvec(const RnnWeights<A>& w, const A* m, const A* v, int64_t rows, int64_t cols,
                      A* out) {
  if constexpr (std::is_same_v<A, float>) {
    if (w.parallel) return kernels::matvec_add(m, v, rows, cols, out, *w.parallel);
  }
  matvec_add(m, v, rows, cols, out);
}

// Input i of the node as n values of A (zeros when the input is absent). A tensor that
// already holds A is read in place; others are converted into `storage`.
template <class T, class A>
class RnnValues {
 public:
  RnnValues(const KernelContext& ctx, int i, int64_t n) {
    if constexpr (std::is_same_v<T, A>) {
      if (ctx.has_input(i)) {
        data_ = ctx.input(i).data<T>();
        return;
      }
    }
    storage_.assign(static_cast<size_t>(n), A(0));
    if (ctx.has_input(i)) {
      const T* p = ctx.input(i).data<T>();
      for (size_t k = 0; k < storage_.size(); ++k) storage_[k] = static_cast<A>(p[k]);
    }
    data_ = storage_.data();
  }
  const A* data() const { return data_; }

 private:
  std::vector<A> storage_;
  const A* data_ = nullptr;
};

// Where the rows of X, Y and the states lie in the node's layout (attribute layout).
struct RnnLayout {
  RnnLayout(const RnnAttrs& attrs, const RnnShapes& s)
      : seq(s.seq),
        batch(s.batch),
        hidden(s.hidden),
        nd(attrs.num_directions),
        batch_major(attrs.layout == 1) {}
  // The row of X[t, b].
  int64_t x_row(int64_t t, int64_t bi) const { return batch_major ? bi * seq + t : t * batch + bi; }
  // The element offset of Y[t, dir, b].
  int64_t y_at(int64_t t, int dir, int64_t bi) const {
    return (batch_major ? (bi * seq + t) * nd + dir : (t * nd + dir) * batch + bi) * hidden;
  }
  // The element offset of a state [dir, b] (initial_h, Y_h, ...).
  int64_t state_at(int dir, int64_t bi) const {
    return (batch_major ? bi * nd + dir : dir * batch + bi) * hidden;
  }
  int64_t seq, batch, hidden;
  int nd;
  bool batch_major;
};

// The outputs the node lists (null where omitted): Y zero-filled, since steps past an
// entry's sequence length stay zero.
template <class T>
struct RnnOutputs {
  T* y = nullptr;
  T* yh = nullptr;
  T* yc = nullptr;
};

template <class T>
RnnOutputs<T> allocate_rnn_outputs(KernelContext& ctx, const RnnAttrs& attrs, const RnnShapes& s,
                                   bool lstm) {
  const int64_t nd = attrs.num_directions, H = s.hidden;
  const bool batch_major = attrs.layout == 1;
  const DType dt = ctx.input(0).dtype();
  RnnOutputs<T> out;
  if (attrs.wants[0]) {
    Shape shape = batch_major ? Shape{s.batch, s.seq, nd, H} : Shape{s.seq, nd, s.batch, H};
    out.y = ctx.allocate_output(0, dt, shape).template data<T>();
  }
  const Shape state_shape = batch_major ? Shape{s.batch, nd, H} : Shape{nd, s.batch, H};
  if (attrs.wants[1]) out.yh = ctx.allocate_output(1, dt, state_shape).template data<T>();
  if (lstm && attrs.wants[2]) out.yc = ctx.allocate_output(2, dt, state_shape).template data<T>();
  return out;
}

// Runs the recurrence for every direction and batch entry:
//   cell(weights, xw_t, h, c)
// advances the hidden state h (and, for LSTM, the cell state c) by one step in place,
// given xw_t = Xt * W^T + Wb. The loop writes h into Y at each valid step (later steps
// stay zero), and the final states into Y_h / Y_c. A reverse pass of an entry of length L
// starts at step L - 1. `fast` (float only) computes every step's xw_t with one GEMM
// and the recurrent products with the vectorized, threaded matvec.
template <class T, class Cell>
void run_recurrence(KernelContext& ctx, const RnnAttrs& attrs, const RnnShapes& s, int gates,
                    bool lstm, bool fast, Cell&& cell) {
  using A = rnn_acc_t<T>;
  const int nd = attrs.num_directions;
  const int64_t H = s.hidden, G = gates * H;
  const std::vector<int64_t> lengths = rnn_sequence_lengths(ctx, s);
  const RnnValues<T, A> x(ctx, 0, s.seq * s.batch * s.input);
  const RnnValues<T, A> w(ctx, 1, nd * G * s.input);
  const RnnValues<T, A> r(ctx, 2, nd * G * H);
  const RnnValues<T, A> b(ctx, 3, nd * 2 * G);
  const RnnValues<T, A> h0(ctx, 5, nd * s.batch * H);
  // LSTM only (else empty): initial cell state and peepholes.
  const RnnValues<T, A> c0(ctx, lstm ? 6 : -1, lstm ? nd * s.batch * H : 0);
  const RnnValues<T, A> p(ctx, lstm ? 7 : -1, lstm ? nd * 3 * H : 0);

  const RnnLayout at(attrs, s);
  const RnnOutputs<T> out = allocate_rnn_outputs<T>(ctx, attrs, s, lstm);
  T* y = out.y;
  T* yh = out.yh;
  T* yc = out.yc;

  // Xt * W^T + Wb for every row of X, one direction at a time.
  const int64_t rows = s.seq * s.batch;
  std::vector<A> xw(static_cast<size_t>(rows * G));
  const kernels::Parallel parallel = parallel_of(ctx.pool());
  const bool fast_float = fast && std::is_same_v<A, float>;
  auto project_inputs = [&](const A* w_dir, const A* wb_dir) {
    if constexpr (std::is_same_v<A, float>) {
      if (fast_float) {
        kernels::GemmEpilogue ep;
        ep.bias = wb_dir;
        ep.bias_per_row = false;
        kernels::gemm(kernels::default_microkernel(), rows, G, s.input,
                      kernels::StridedSource::a_matrix(x.data(), s.input, false),
                      kernels::StridedSource::b_matrix(w_dir, s.input, true), xw.data(), G, ep,
                      parallel);
        return;
      }
    }
    for (int64_t row = 0; row < rows; ++row) {
      A* out = xw.data() + row * G;
      std::copy_n(wb_dir, G, out);
      matvec_add(w_dir, x.data() + row * s.input, G, s.input, out);
    }
  };

  std::vector<A> h(static_cast<size_t>(H)), c(static_cast<size_t>(H));
  for (int dir = 0; dir < nd; ++dir) {
    project_inputs(w.data() + dir * G * s.input, b.data() + dir * 2 * G);
    const RnnWeights<A> wts{r.data() + dir * G * H, b.data() + dir * 2 * G + G,
                            lstm ? p.data() + dir * 3 * H : nullptr, attrs.activations_of(dir),
                            fast_float ? &parallel : nullptr};
    const bool reverse = attrs.direction == RnnDirection::Reverse || dir == 1;
    for (int64_t bi = 0; bi < s.batch; ++bi) {
      const int64_t start = at.state_at(dir, bi);
      std::copy_n(h0.data() + start, H, h.begin());
      if (lstm) std::copy_n(c0.data() + start, H, c.begin());
      const int64_t len = lengths[static_cast<size_t>(bi)];
      for (int64_t step = 0; step < len; ++step) {
        const int64_t t = reverse ? len - 1 - step : step;
        cell(wts, xw.data() + at.x_row(t, bi) * G, h.data(), c.data());
        if (y)
          for (int64_t k = 0; k < H; ++k) y[at.y_at(t, dir, bi) + k] = rnn_store<T>(h[k]);
      }
      for (int64_t k = 0; k < H; ++k) {
        if (yh) yh[start + k] = rnn_store<T>(h[k]);
        if (yc) yc[start + k] = rnn_store<T>(c[k]);
      }
    }
  }
}

}  // namespace onyx
