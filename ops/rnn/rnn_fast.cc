// The float fast path of the recurrent ops (see rnn_fast.h): the packing of W and R, the
// GEMMs of each step and the vectorised gate arithmetic.
//
// Batch entries are kept in "slots" sorted by sequence length, longest first, so that at
// every step the entries still running are a prefix of the slots and one GEMM of that many
// rows advances them all. The input projection is computed in slot order, step by step
// (entry b's row of step n is X at its own time step, which a reverse pass counts down
// from its length), so the rows a step adds in its epilogue lie evenly apart.
#include "rnn/rnn_fast.h"

#include <algorithm>
#include <numeric>

#include "common/parallel.h"
#include "kernels/cpu.h"
#include "kernels/simd/vmath.h"

namespace onyx {

// The elementwise parts of the cells, plain loops the compiler vectorises.
namespace rnn_cell {

ONYX_AVX2_CLONES
void clamp(float* x, float bound, int64_t n) {  // as RnnAttrs::clipped; NaN stays NaN
  for (int64_t i = 0; i < n; ++i) x[i] = std::min(std::max(x[i], -bound), bound);
}

ONYX_AVX2_CLONES
void add_product(float* __restrict y, const float* __restrict a, const float* __restrict b,
                 int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] += a[i] * b[i];
}

ONYX_AVX2_CLONES
void product(const float* __restrict a, const float* __restrict b, float* __restrict y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = a[i] * b[i];
}

ONYX_AVX2_CLONES
void one_minus(const float* __restrict x, float* __restrict y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = 1.0f - x[i];
}

// LSTM: c = forget * c + input * candidate.
ONYX_AVX2_CLONES
void lstm_cell_state(const float* __restrict input, const float* __restrict forget,
                     const float* __restrict candidate, float* __restrict c, int64_t n) {
  for (int64_t i = 0; i < n; ++i) c[i] = forget[i] * c[i] + input[i] * candidate[i];
}

// GRU, linear_before_reset: pre = from_x + reset * pre, pre holding Ht-1 * Rh^T + Rbh.
ONYX_AVX2_CLONES
void gru_reset_after(const float* __restrict from_x, const float* __restrict reset,
                     float* __restrict pre, int64_t n) {
  for (int64_t i = 0; i < n; ++i) pre[i] = from_x[i] + reset[i] * pre[i];
}

// GRU: h = (1 - z) * candidate + z * h.
ONYX_AVX2_CLONES
void gru_hidden(const float* __restrict update, const float* __restrict candidate,
                float* __restrict h, int64_t n) {
  for (int64_t i = 0; i < n; ++i) h[i] = (1.0f - update[i]) * candidate[i] + update[i] * h[i];
}

}  // namespace rnn_cell

namespace {

// The A operand of the input projection: rows of X picked by a table.
class GatheredRows final : public kernels::PanelSource {
 public:
  GatheredRows(const float* x, int64_t row_length, const int64_t* rows)
      : x_(x), row_length_(row_length), rows_(rows) {}
  void pack(int64_t k0, int64_t kc, int64_t x0, int64_t width, int panel,
            float* dst) const override {
    for (int64_t i = 0; i < panel; ++i) {
      if (i >= width) {
        for (int64_t k = 0; k < kc; ++k) dst[k * panel + i] = 0.0f;
        continue;
      }
      const float* src = x_ + rows_[x0 + i] * row_length_ + k0;
      for (int64_t k = 0; k < kc; ++k) dst[k * panel + i] = src[k];
    }
  }

 private:
  const float* x_;
  int64_t row_length_;
  const int64_t* rows_;
};

bool uses_default_activations(const RnnAttrs& attrs, RnnCellKind kind) {
  using K = ActivationKind;
  std::vector<K> want = {K::Tanh};
  if (kind == RnnCellKind::Gru) want = {K::Sigmoid, K::Tanh};
  if (kind == RnnCellKind::Lstm) want = {K::Sigmoid, K::Tanh, K::Tanh};
  if (attrs.per_direction != static_cast<int>(want.size())) return false;
  for (int dir = 0; dir < attrs.num_directions; ++dir)
    for (size_t i = 0; i < want.size(); ++i)
      if (attrs.activations_of(dir)[i].kind != want[i]) return false;  // no parameters
  return true;
}

}  // namespace

// ---- construction ----

std::vector<RnnFastPath::GateBlock> RnnFastPath::blocks() const {
  if (cell_.kind == RnnCellKind::Gru) return {{0, 2}, {2, 1}};
  return {{0, cell_.gates()}};
}

RnnFastPath::RnnFastPath(const KernelInit& init, const RnnAttrs& attrs, RnnCellOptions cell)
    : cell_(cell) {
  enabled_ = !init.reference() && uses_default_activations(attrs, cell.kind);
  if (!enabled_) return;
  const int nd = attrs.num_directions;
  const int nr = kernels::default_microkernel().nr;
  // Shapes are checked against each other at run time; a mismatch there leaves the
  // panels unused (PackedPanels::holds).
  const Tensor* w = init.constant_input(1);
  if (w && w->dtype() == DType::Float && w->rank() == 3 && w->dim(0) == nd) {
    const int64_t G = w->dim(1), I = w->dim(2);
    for (int dir = 0; dir < nd; ++dir)
      packed_w_.emplace_back(
          kernels::StridedSource::b_matrix(w->data<float>() + dir * G * I, I, true), G, I, nr);
  }
  const Tensor* r = init.constant_input(2);
  if (r && r->dtype() == DType::Float && r->rank() == 3 && r->dim(0) == nd &&
      r->dim(1) == cell.gates() * r->dim(2)) {
    const int64_t H = r->dim(2), G = r->dim(1);
    for (int dir = 0; dir < nd; ++dir)
      for (const GateBlock& block : blocks())
        packed_r_.emplace_back(kernels::StridedSource::b_matrix(
                                   r->data<float>() + (dir * G + block.first * H) * H, H, true),
                               block.count * H, H, nr);
  }
  if (!packed_w_.empty() && !packed_r_.empty() && w->dim(1) == r->dim(1)) {
    held_ = {w->shape(), r->shape()};
    init.drop_constant_input(1);
    init.drop_constant_input(2);
  }
}

// ---- compute ----

void RnnFastPath::run(KernelContext& ctx, const RnnAttrs& attrs, const RnnShapes& s) const {
  const kernels::MicroKernel& uk = kernels::default_microkernel();
  const kernels::Parallel parallel = parallel_of(ctx.pool());
  const RnnCellKind kind = cell_.kind;
  const bool lstm = kind == RnnCellKind::Lstm;
  const int nd = attrs.num_directions;
  const int64_t H = s.hidden, G = cell_.gates() * H, B = s.batch, I = s.input;
  const std::vector<GateBlock> gate_blocks = blocks();
  const RnnLayout at(attrs, s);
  const RnnOutputs<float> out = allocate_rnn_outputs<float>(ctx, attrs, s, lstm);
  const std::vector<int64_t> lengths = rnn_sequence_lengths(ctx, s);
  auto data_of = [&](int i) { return ctx.has_input(i) ? ctx.input(i).data<float>() : nullptr; };
  const float* x = ctx.input(0).data<float>();
  // Read only where not packed (checked shapes make held panels fit).
  const float* w = held_.held() ? nullptr : ctx.input(1).data<float>();
  const float* r = held_.held() ? nullptr : ctx.input(2).data<float>();
  const float* bias = data_of(3);
  const float* h0 = data_of(5);
  const float* c0 = lstm ? data_of(6) : nullptr;
  const float* peep = lstm ? data_of(7) : nullptr;

  // Slots: batch entries by length, longest first; running[n] of them run at step n.
  std::vector<int64_t> order(static_cast<size_t>(B));
  std::iota(order.begin(), order.end(), int64_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](int64_t a, int64_t b) { return lengths[a] > lengths[b]; });
  const int64_t steps = B > 0 ? lengths[order[0]] : 0;
  std::vector<int64_t> running(static_cast<size_t>(steps));
  for (int64_t n = 0, m = B; n < steps; ++n) {
    while (m > 0 && lengths[order[m - 1]] <= n) --m;
    running[n] = m;
  }

  // Shapes were checked against the inputs, so only the projection buffer is new.
  const int64_t rows = checked_numel({steps, B});
  std::vector<float> xw(static_cast<size_t>(checked_numel({rows, G})));
  std::vector<int64_t> x_rows(static_cast<size_t>(rows));
  std::vector<float> in_bias(static_cast<size_t>(G)), h(static_cast<size_t>(B * H));
  std::vector<float> c(static_cast<size_t>(lstm ? B * H : 0));
  std::vector<float> pre(static_cast<size_t>(B * G)), act(static_cast<size_t>(B * G));
  std::vector<float> scratch(static_cast<size_t>(B * H));
  const float* no_bias = nullptr;

  for (int dir = 0; dir < nd; ++dir) {
    const bool reverse = attrs.direction == RnnDirection::Reverse || dir == 1;
    // Input bias Wb + Rb, except GRU's Rbh under linear_before_reset, which the reset
    // gate scales: the recurrent GEMM of the h gate adds it.
    const float* wb = bias ? bias + dir * 2 * G : nullptr;
    const float* rb = bias ? wb + G : nullptr;
    const bool rbh_apart = kind == RnnCellKind::Gru && cell_.linear_before_reset;
    for (int64_t k = 0; k < G; ++k)
      in_bias[k] = bias ? wb[k] + (rbh_apart && k >= 2 * H ? 0.0f : rb[k]) : 0.0f;

    for (int64_t n = 0; n < steps; ++n)
      for (int64_t slot = 0; slot < B; ++slot) {
        const int64_t b = order[slot], len = lengths[b];
        const int64_t t = n >= len ? 0 : reverse ? len - 1 - n : n;  // past the end: unused
        x_rows[n * B + slot] = at.x_row(t, b);
      }
    const kernels::StridedSource w_strided =
        kernels::StridedSource::b_matrix(w ? w + dir * G * I : nullptr, I, true);
    const bool w_packed = packed_w_.size() == static_cast<size_t>(nd) && packed_w_[dir].holds(G, I);
    kernels::GemmEpilogue input_ep;
    input_ep.bias = in_bias.data();
    input_ep.bias_per_row = false;
    kernels::gemm(uk, rows, G, I, GatheredRows(x, I, x_rows.data()),
                  w_packed ? static_cast<const kernels::PanelSource&>(packed_w_[dir]) : w_strided,
                  xw.data(), G, input_ep, parallel);

    // R^T of each gate block, packed or read in place.
    std::vector<kernels::StridedSource> r_strided;
    std::vector<const kernels::PanelSource*> r_blocks;
    for (const GateBlock& block : gate_blocks)
      r_strided.push_back(kernels::StridedSource::b_matrix(
          r ? r + (dir * G + block.first * H) * H : nullptr, H, true));
    for (size_t i = 0; i < gate_blocks.size(); ++i) {
      const size_t p = dir * gate_blocks.size() + i;
      const bool packed = packed_r_.size() == static_cast<size_t>(nd) * gate_blocks.size() &&
                          packed_r_[p].holds(gate_blocks[i].count * H, H);
      r_blocks.push_back(packed ? static_cast<const kernels::PanelSource*>(&packed_r_[p])
                                : &r_strided[i]);
    }
    // rows x (gates of a block) += A * R^T: the columns [first * H, ...) of pre.
    auto recurrent_gemm = [&](int64_t m, size_t block, const float* a, const float* addend,
                              const float* col_bias) {
      kernels::GemmEpilogue ep;
      ep.addend = addend;
      ep.addend_rs = G;
      ep.addend_cs = 1;
      ep.bias = col_bias;
      ep.bias_per_row = false;
      kernels::gemm(uk, m, gate_blocks[block].count * H, H, kernels::StridedSource(a, H, 1),
                    *r_blocks[block], pre.data() + gate_blocks[block].first * H, G, ep, parallel);
    };

    for (int64_t slot = 0; slot < B; ++slot) {
      const int64_t state = at.state_at(dir, order[slot]);
      float* hs = h.data() + slot * H;
      if (h0)
        std::copy_n(h0 + state, H, hs);
      else
        std::fill_n(hs, H, 0.0f);
      if (lstm) {
        float* cs = c.data() + slot * H;
        if (c0)
          std::copy_n(c0 + state, H, cs);
        else
          std::fill_n(cs, H, 0.0f);
      }
    }
    const float* p_in = peep ? peep + dir * 3 * H : nullptr;
    const float* p_out = p_in ? p_in + H : nullptr;
    const float* p_forget = p_in ? p_in + 2 * H : nullptr;
    const bool clip = attrs.clip.has_value();
    const float bound = clip ? *attrs.clip : 0.0f;

    for (int64_t n = 0; n < steps; ++n) {
      const int64_t m = running[n];
      const float* xw_step = xw.data() + n * B * G;
      if (kind == RnnCellKind::Rnn) {
        recurrent_gemm(m, 0, h.data(), xw_step, no_bias);
        if (clip) rnn_cell::clamp(pre.data(), bound, m * H);
        kernels::vtanh(pre.data(), h.data(), m * H);
      } else if (kind == RnnCellKind::Lstm) {
        recurrent_gemm(m, 0, h.data(), xw_step, no_bias);
        for (int64_t i = 0; i < m; ++i) {
          float* gi = pre.data() + i * G;  // i, o, f, c
          float* ai = act.data() + i * G;
          float* ci = c.data() + i * H;
          if (p_in) {  // the output gate's peephole reads the new cell state
            rnn_cell::add_product(gi, p_in, ci, H);
            rnn_cell::add_product(gi + 2 * H, p_forget, ci, H);
            if (clip) {
              rnn_cell::clamp(gi, bound, H);
              rnn_cell::clamp(gi + 2 * H, bound, 2 * H);
            }
            kernels::vsigmoid(gi, ai, H);
            kernels::vsigmoid(gi + 2 * H, ai + 2 * H, H);
          } else {
            if (clip) rnn_cell::clamp(gi, bound, G);
            kernels::vsigmoid(gi, ai, 3 * H);
          }
          if (cell_.input_forget) rnn_cell::one_minus(ai, ai + 2 * H, H);
          kernels::vtanh(gi + 3 * H, ai + 3 * H, H);
          rnn_cell::lstm_cell_state(ai, ai + 2 * H, ai + 3 * H, ci, H);
          if (p_in) {
            rnn_cell::add_product(gi + H, p_out, ci, H);
            if (clip) rnn_cell::clamp(gi + H, bound, H);
            kernels::vsigmoid(gi + H, ai + H, H);
          }
          float* tanh_c = scratch.data() + i * H;
          kernels::vtanh(ci, tanh_c, H);
          rnn_cell::product(ai + H, tanh_c, h.data() + i * H, H);
        }
      } else {  // GRU: z and r first, since the h gate reads r
        recurrent_gemm(m, 0, h.data(), xw_step, no_bias);
        for (int64_t i = 0; i < m; ++i) {
          if (clip) rnn_cell::clamp(pre.data() + i * G, bound, 2 * H);
          kernels::vsigmoid(pre.data() + i * G, act.data() + i * G, 2 * H);
        }
        if (cell_.linear_before_reset) {
          recurrent_gemm(m, 1, h.data(), nullptr, rb ? rb + 2 * H : no_bias);
          for (int64_t i = 0; i < m; ++i)
            rnn_cell::gru_reset_after(xw_step + i * G + 2 * H, act.data() + i * G + H,
                                      pre.data() + i * G + 2 * H, H);
        } else {
          for (int64_t i = 0; i < m; ++i)
            rnn_cell::product(act.data() + i * G + H, h.data() + i * H, scratch.data() + i * H, H);
          recurrent_gemm(m, 1, scratch.data(), xw_step + 2 * H, no_bias);
        }
        for (int64_t i = 0; i < m; ++i) {
          float* gh = pre.data() + i * G + 2 * H;
          float* ah = act.data() + i * G + 2 * H;
          if (clip) rnn_cell::clamp(gh, bound, H);
          kernels::vtanh(gh, ah, H);
          rnn_cell::gru_hidden(act.data() + i * G, ah, h.data() + i * H, H);
        }
      }
      if (out.y)
        for (int64_t slot = 0; slot < m; ++slot) {
          const int64_t b = order[slot], len = lengths[b];
          const int64_t t = reverse ? len - 1 - n : n;
          std::copy_n(h.data() + slot * H, H, out.y + at.y_at(t, dir, b));
        }
    }
    for (int64_t slot = 0; slot < B; ++slot) {
      const int64_t state = at.state_at(dir, order[slot]);
      if (out.yh) std::copy_n(h.data() + slot * H, H, out.yh + state);
      if (out.yc) std::copy_n(c.data() + slot * H, H, out.yc + state);
    }
  }
}

}  // namespace onyx
