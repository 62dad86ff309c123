// LSTM: long short-term memory. Per direction, with f (default Sigmoid), g and h (default
// Tanh), peepholes P (zero when absent) and (.) the elementwise product:
//
//   it = f(Xt * Wi^T + Ht-1 * Ri^T + Pi (.) Ct-1 + Wbi + Rbi)     input gate
//   ft = f(Xt * Wf^T + Ht-1 * Rf^T + Pf (.) Ct-1 + Wbf + Rbf)     forget gate
//   ct = g(Xt * Wc^T + Ht-1 * Rc^T + Wbc + Rbc)                   cell candidate
//   Ct = ft (.) Ct-1 + it (.) ct
//   ot = f(Xt * Wo^T + Ht-1 * Ro^T + Po (.) Ct + Wbo + Rbo)       output gate
//   Ht = ot (.) h(Ct)
//
// W, R and B stack the gates as i, o, f, c; P as i, o, f. input_forget = 1 couples the
// input and forget gates: ft = 1 - it. Versions: 1 (output_sequence), 7, 14 (layout).
#include "common/dtype_lists.h"
#include "rnn/rnn_common.h"
#include "rnn/rnn_fast.h"
#include "rnn/rnn_ops.h"

namespace onyx {
namespace {

class LstmKernel : public Kernel {
 public:
  explicit LstmKernel(const KernelInit& init);
  void run(KernelContext& ctx) const override;

 private:
  RnnAttrs attrs_;
  bool input_forget_ = false;
  bool fast_ = false;  // float, other gate functions: GEMM input projection, vectorized matvec
  RnnFastPath fast_path_;
};

void infer_lstm(InferContext& ctx) { infer_recurrent(ctx, 4); }

}  // namespace

// ---- registration ----

void register_lstm(Registry& registry) {
  std::vector<OpVersion> versions;
  for (auto [since, until] : {std::pair{1, 6}, {7, 13}, {14, 21}, {22, kOpsetOpen}}) {
    // 22 only added bfloat16.
    versions.push_back(
        {since, until, since >= 22 ? float_dtypes_bf16() : float_dtypes(), rnn_attr_types(since)});
    versions.back().attr_types["input_forget"] = AttrType::Int;
  }
  add_op_versions(registry, "LSTM", versions, make_kernel<LstmKernel>(), infer_lstm);
}

// ---- construction ----

LstmKernel::LstmKernel(const KernelInit& init)
    : attrs_(read_rnn_attrs(init, "LSTM", {"Sigmoid", "Tanh", "Tanh"})) {
  input_forget_ = init.attrs().get_int("input_forget", 0) != 0;
  fast_ = !init.reference();
  fast_path_ = RnnFastPath(init, attrs_, {RnnCellKind::Lstm, false, input_forget_});
}

// ---- compute ----

void LstmKernel::run(KernelContext& ctx) const {
  const RnnShapes s = check_rnn_inputs(ctx, attrs_, 4, true, fast_path_.held());
  if (fast_path_.serves(ctx)) return fast_path_.run(ctx, attrs_, s);
  dispatch<RnnTypes>(ctx.input(0).dtype(), "LSTM", [&](auto tag) {
    using T = typename decltype(tag)::type;
    using A = rnn_acc_t<T>;
    const int64_t H = s.hidden;
    std::vector<A> pre(static_cast<size_t>(4 * H));  // gate inputs i, o, f, c without peepholes
    auto cell = [&](const RnnWeights<A>& w, const A* xw, A* h, A* c) {
      for (int64_t k = 0; k < 4 * H; ++k) pre[k] = xw[k] + w.rb[k];
      recurrent_matvec(w, w.r, h, 4 * H, H, pre.data());
      const A* pi = w.p;
      const A* po = w.p + H;
      const A* pf = w.p + 2 * H;
      const Activation &f = w.act[0], &g = w.act[1], &act_h = w.act[2];
      for (int64_t k = 0; k < H; ++k) {
        const A i = f(attrs_.clipped(pre[k] + pi[k] * c[k]));
        const A forget =
            input_forget_ ? A(1) - i : f(attrs_.clipped(pre[2 * H + k] + pf[k] * c[k]));
        const A candidate = g(attrs_.clipped(pre[3 * H + k]));
        c[k] = forget * c[k] + i * candidate;
        const A o = f(attrs_.clipped(pre[H + k] + po[k] * c[k]));
        h[k] = o * act_h(c[k]);
      }
    };
    run_recurrence<T>(ctx, attrs_, s, 4, true, fast_, cell);
  });
}

}  // namespace onyx
