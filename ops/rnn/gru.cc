// GRU: the gated recurrent unit. Per direction, with f (default Sigmoid) and g (default Tanh):
//
//   zt = f(Xt * Wz^T + Ht-1 * Rz^T + Wbz + Rbz)                   update gate
//   rt = f(Xt * Wr^T + Ht-1 * Rr^T + Wbr + Rbr)                   reset gate
//   ht = g(Xt * Wh^T + (rt (.) Ht-1) * Rh^T + Rbh + Wbh)          linear_before_reset = 0
//   ht = g(Xt * Wh^T + rt (.) (Ht-1 * Rh^T + Rbh) + Wbh)          linear_before_reset != 0
//   Ht = (1 - zt) (.) ht + zt (.) Ht-1
//
// W, R and B stack the gates as z, r, h. Versions: 1 (output_sequence), 3
// (linear_before_reset), 7, 14 (layout).
#include "common/dtype_lists.h"
#include "rnn/rnn_common.h"
#include "rnn/rnn_fast.h"
#include "rnn/rnn_ops.h"

namespace onyx {
namespace {

class GruKernel : public Kernel {
 public:
  explicit GruKernel(const KernelInit& init);
  void run(KernelContext& ctx) const override;

 private:
  RnnAttrs attrs_;
  bool fast_ = false;  // float, other gate functions: GEMM input projection, vectorized matvec
  bool linear_before_reset_ = false;
  RnnFastPath fast_path_;
};

void infer_gru(InferContext& ctx) { infer_recurrent(ctx, 3); }

}  // namespace

// ---- registration ----

void register_gru(Registry& registry) {
  std::vector<OpVersion> versions;
  for (auto [since, until] : {std::pair{1, 2}, {3, 6}, {7, 13}, {14, 21}, {22, kOpsetOpen}}) {
    // 22 only added bfloat16.
    versions.push_back(
        {since, until, since >= 22 ? float_dtypes_bf16() : float_dtypes(), rnn_attr_types(since)});
    if (since >= 3) versions.back().attr_types["linear_before_reset"] = AttrType::Int;
  }
  add_op_versions(registry, "GRU", versions, make_kernel<GruKernel>(), infer_gru);
}

// ---- construction ----

GruKernel::GruKernel(const KernelInit& init)
    : attrs_(read_rnn_attrs(init, "GRU", {"Sigmoid", "Tanh"})), fast_(!init.reference()) {
  const int64_t lbr = init.attrs().get_int("linear_before_reset", 0);
  if (lbr != 0 && init.opset() < 3) init.fail("linear_before_reset needs opset 3");
  linear_before_reset_ = lbr != 0;
  fast_path_ = RnnFastPath(init, attrs_, {RnnCellKind::Gru, linear_before_reset_, false});
}

// ---- compute ----

void GruKernel::run(KernelContext& ctx) const {
  const RnnShapes s = check_rnn_inputs(ctx, attrs_, 3, false, fast_path_.held());
  if (fast_path_.serves(ctx)) return fast_path_.run(ctx, attrs_, s);
  dispatch<RnnTypes>(ctx.input(0).dtype(), "GRU", [&](auto tag) {
    using T = typename decltype(tag)::type;
    using A = rnn_acc_t<T>;
    const int64_t H = s.hidden;
    std::vector<A> from_h(static_cast<size_t>(3 * H));  // Ht-1 * R^T + Rb (lbr: all three)
    std::vector<A> z(static_cast<size_t>(H)), r(static_cast<size_t>(H));
    std::vector<A> reset_h(static_cast<size_t>(H));  // rt (.) Ht-1
    // from_x = Xt * W^T + Wb, gates z, r, h.
    auto cell = [&](const RnnWeights<A>& w, const A* from_x, A* h, A*) {
      std::copy_n(w.rb, 3 * H, from_h.begin());
      recurrent_matvec(w, w.r, h, 2 * H, H, from_h.data());  // z and r gates
      for (int64_t k = 0; k < H; ++k) {
        z[k] = w.act[0](attrs_.clipped(from_x[k] + from_h[k]));
        r[k] = w.act[0](attrs_.clipped(from_x[H + k] + from_h[H + k]));
      }
      A* rh = from_h.data() + 2 * H;  // Rbh so far
      const A* rh_weights = w.r + 2 * H * H;
      if (linear_before_reset_) {
        recurrent_matvec(w, rh_weights, h, H, H, rh);  // Ht-1 * Rh^T + Rbh, then scaled by rt
        for (int64_t k = 0; k < H; ++k) rh[k] *= r[k];
      } else {
        for (int64_t k = 0; k < H; ++k) reset_h[k] = r[k] * h[k];
        recurrent_matvec(w, rh_weights, reset_h.data(), H, H, rh);  // (rt (.) Ht-1) * Rh^T + Rbh
      }
      for (int64_t k = 0; k < H; ++k) {
        const A candidate = w.act[1](attrs_.clipped(from_x[2 * H + k] + rh[k]));
        h[k] = (A(1) - z[k]) * candidate + z[k] * h[k];
      }
    };
    run_recurrence<T>(ctx, attrs_, s, 3, false, fast_, cell);
  });
}

}  // namespace onyx
