// RNN: the simple recurrent layer. Per direction, with f the activation (default Tanh):
//
//   Ht = f(Xt * Wi^T + Ht-1 * Ri^T + Wbi + Rbi)
//
// Versions: 1 (with the output_sequence attribute, which only made Y optional), 7, 14
// (layout). Directions, sequence_lens, clip and the layouts are handled by rnn_common.h.
#include "common/dtype_lists.h"
#include "rnn/rnn_common.h"
#include "rnn/rnn_fast.h"
#include "rnn/rnn_ops.h"

namespace onyx {
namespace {

class RnnKernel : public Kernel {
 public:
  explicit RnnKernel(const KernelInit& init)
      : attrs_(read_rnn_attrs(init, "RNN", {"Tanh"})),
        fast_(!init.reference()),
        fast_path_(init, attrs_, {RnnCellKind::Rnn}) {}
  void run(KernelContext& ctx) const override;

 private:
  RnnAttrs attrs_;
  bool fast_ = false;  // float, other gate functions: GEMM input projection, vectorized matvec
  RnnFastPath fast_path_;
};

void infer_rnn(InferContext& ctx) { infer_recurrent(ctx, 1); }

}  // namespace

// ---- registration ----

void register_rnn_op(Registry& registry) {
  std::vector<OpVersion> versions;
  for (auto [since, until] : {std::pair{1, 6}, {7, 13}, {14, 21}, {22, kOpsetOpen}}) {
    // 22 only added bfloat16.
    versions.push_back(
        {since, until, since >= 22 ? float_dtypes_bf16() : float_dtypes(), rnn_attr_types(since)});
  }
  add_op_versions(registry, "RNN", versions, make_kernel<RnnKernel>(), infer_rnn);
}

// ---- compute ----

void RnnKernel::run(KernelContext& ctx) const {
  const RnnShapes s = check_rnn_inputs(ctx, attrs_, 1, false, fast_path_.held());
  if (fast_path_.serves(ctx)) return fast_path_.run(ctx, attrs_, s);
  dispatch<RnnTypes>(ctx.input(0).dtype(), "RNN", [&](auto tag) {
    using T = typename decltype(tag)::type;
    using A = rnn_acc_t<T>;
    const int64_t H = s.hidden;
    std::vector<A> gate(static_cast<size_t>(H));
    auto cell = [&](const RnnWeights<A>& w, const A* xw, A* h, A*) {
      for (int64_t k = 0; k < H; ++k) gate[k] = xw[k] + w.rb[k];
      recurrent_matvec(w, w.r, h, H, H, gate.data());
      for (int64_t k = 0; k < H; ++k) h[k] = w.act[0](attrs_.clipped(gate[k]));
    };
    run_recurrence<T>(ctx, attrs_, s, 1, false, fast_, cell);
  });
}

}  // namespace onyx
