// MatMul: matrix product with numpy.matmul semantics.
//
//   A (..., M, K) x B (..., K, N) -> Y (..., M, N), the leading (batch) dims broadcast
//   multidirectionally. A 1-D A is read as (1, K) and a 1-D B as (K, 1); the dim added
//   for them is removed from Y again.
//
// The same kernel serves the optimizer's FusedMatMul (onyx/fused_ops.h): MatMul followed by
// the Add of a bias vector of N values and of a residual Z of Y's shape, then an
// activation, which the fast path applies in the GEMM's epilogue.
#include <algorithm>
#include <functional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "common/parallel.h"
#include "common/shape_utils.h"
#include "kernels/gemm/gemm.h"
#include "nn/fused_epilogue.h"
#include "nn/nn.h"
#include "nn/nn_util.h"
#include "onyx/fused_ops.h"

namespace onyx {
namespace {

// Every dtype some MatMul version accepts; the registry narrows it per version.
using MatMulTypes =
    type_list<float, double, float16_t, bfloat16_t, int32_t, int64_t, uint32_t, uint64_t>;

class MatMulKernel : public Kernel {
 public:
  explicit MatMulKernel(const KernelInit& init);
  void run(KernelContext& ctx) const override;

 private:
  // Float batches of GEMMs; a constant 2-D B is packed once.
  // `matrices(i)` gives the matrix of A and of B that output batch i reads.
  // `residual`, when given, has Y's layout and is added after the bias.
  void run_fast(KernelContext& ctx, const Tensor& a, const float* pb, size_t b_rank, Tensor& y,
                int64_t M, int64_t N, int64_t K, int64_t batches, const float* bias,
                const float* residual,
                const std::function<std::pair<int64_t, int64_t>(int64_t)>& matrices) const;

  std::string label_;
  bool fused_bias_ = false;               // FusedMatMul: input 2 is added to every row of Y
  bool fused_residual_ = false;           // FusedMatMul: input 3 (Y's shape) is added to Y
  kernels::ActivationParams activation_;  // FusedMatMul: applied last
  bool fast_ = false;
  kernels::PackedPanels packed_b_;
  Shape packed_b_shape_;  // set when B lives on only in packed_b_
};

void infer_matmul(InferContext& ctx);

}  // namespace

// ---- registration ----

void register_matmul(Registry& registry) {
  const std::vector<DType> floats = {DType::Float, DType::Double, DType::Float16};
  std::vector<DType> with_ints = floats;
  for (DType t : {DType::Int32, DType::Int64, DType::UInt32, DType::UInt64}) with_ints.push_back(t);
  std::vector<DType> with_bf16 = with_ints;
  with_bf16.push_back(DType::BFloat16);
  // 9 added the integer types, 13 bfloat16; the semantics never changed.
  for (auto [since, until, dtypes] : {std::tuple{1, 8, floats}, std::tuple{9, 12, with_ints},
                                      std::tuple{13, kOpsetOpen, with_bf16}}) {
    KernelDef def;
    def.op_type = "MatMul";
    def.since_version = since;
    def.until_version = until;
    def.dtypes = dtypes;
    def.create = make_kernel<MatMulKernel>();
    def.infer = infer_matmul;
    if (until == kOpsetOpen) {
      KernelDef fused_def = def;
      fused_def.domain = fused::kDomain;
      fused_def.op_type = fused::kMatMul;
      fused_def.since_version = fused::kVersion;
      fused_def.dtypes = {DType::Float, DType::Double, DType::Float16, DType::BFloat16};
      fused_def.attr_types = with_fused_attrs({});
      registry.add(std::move(fused_def));
    }
    registry.add(std::move(def));
  }
}

// ---- construction ----

MatMulKernel::MatMulKernel(const KernelInit& init)
    : label_(init.label()), activation_(read_fused_activation(init)) {
  if (!init.has_input(0) || !init.has_input(1)) init.fail("MatMul needs inputs A and B");
  fused_bias_ = is_fused_node(init.node()) && init.has_input(2);
  fused_residual_ = is_fused_node(init.node()) && init.has_input(3);
  for (int i = 0; i < 2; ++i) {
    const TypeInfo& t = init.input_type(i);
    if (t.has_shape() && t.shape->empty())
      init.fail(cat("input ", i, " is a scalar; MatMul needs rank 1 or more"));
  }
  fast_ = !init.reference() && init.input_dtype(0) == DType::Float;
  const Tensor* b = init.constant_input(1);
  if (fast_ && b && b->dtype() == DType::Float && b->rank() == 2) {
    packed_b_ =
        kernels::PackedPanels(kernels::StridedSource::b_matrix(b->data<float>(), b->dim(1), false),
                              b->dim(1), b->dim(0), kernels::default_microkernel().nr);
    packed_b_shape_ = b->shape();  // the float path reads the panels only
    init.drop_constant_input(1);
  }
}

// ---- shape rule ----

namespace {

void infer_matmul(InferContext& ctx) {
  const TypeInfo& a = ctx.input(0);
  const TypeInfo& b = ctx.input(1);
  if (!a.has_shape() || !b.has_shape()) {
    ctx.set_output(0, TypeInfo::tensor(a.elem));
    return;
  }
  std::vector<Dim> as = *a.shape, bs = *b.shape;
  if (as.empty() || bs.empty()) ctx.fail("MatMul inputs must have rank 1 or more");
  const bool a_vector = as.size() == 1, b_vector = bs.size() == 1;
  if (a_vector) as.insert(as.begin(), Dim::known(1));
  if (b_vector) bs.push_back(Dim::known(1));
  const Dim& ka = as.back();
  const Dim& kb = bs[bs.size() - 2];
  if (ka.is_known() && kb.is_known() && ka.value != kb.value)
    ctx.fail(cat("inner dims differ: A has K = ", ka.value, ", B has K = ", kb.value));
  std::vector<Dim> out = *broadcast_dims(std::vector<Dim>(as.begin(), as.end() - 2),
                                         std::vector<Dim>(bs.begin(), bs.end() - 2), ctx.label());
  if (!a_vector) out.push_back(as[as.size() - 2]);
  if (!b_vector) out.push_back(bs.back());
  ctx.set_output(0, TypeInfo::tensor(a.elem, out));
}

}  // namespace

// ---- compute ----

void MatMulKernel::run(KernelContext& ctx) const {
  const Tensor& a = ctx.input(0);
  const bool b_packed = !packed_b_shape_.empty();
  const Tensor* b = b_packed ? nullptr : &ctx.input(1);
  const DType b_dtype = b ? b->dtype() : DType::Float;
  const Shape& b_shape = b ? b->shape() : packed_b_shape_;
  const std::string b_text = b ? b->describe() : dtype_name(b_dtype) + shape_to_string(b_shape);
  if (a.rank() == 0 || b_shape.empty())
    ctx.fail(cat("inputs must have rank 1 or more, got ", a.describe(), " and ", b_text));
  if (a.dtype() != b_dtype)
    ctx.fail(cat("A and B must share one dtype; got ", a.describe(), " and ", b_text));
  // Promote vectors to matrices, as numpy does.
  Shape as = a.shape(), bs = b_shape;
  if (a.rank() == 1) as.insert(as.begin(), 1);
  if (b_shape.size() == 1) bs.push_back(1);
  const int64_t M = as[as.size() - 2], K = as.back(), N = bs.back();
  if (bs[bs.size() - 2] != K)
    ctx.fail(cat("inner dims differ: A is ", a.describe(), ", B is ", b_text));
  const Shape a_batch(as.begin(), as.end() - 2), b_batch(bs.begin(), bs.end() - 2);
  const Shape batch = broadcast_shapes(a_batch, b_batch, label_);
  // Strides (in matrices) to read A's and B's batch dims as broadcast to `batch`.
  const std::vector<int64_t> a_step = broadcast_strides(a_batch, batch);
  const std::vector<int64_t> b_step = broadcast_strides(b_batch, batch);
  const std::vector<int64_t> out_step = strides_of(batch);
  const int64_t batches = checked_numel(batch);
  // The matrix of A and of B that output batch i reads.
  auto matrices = [&](int64_t i) {
    int64_t a_mat = 0, b_mat = 0;
    for (size_t d = 0; d < batch.size(); ++d) {
      const int64_t coord = (i / out_step[d]) % batch[d];
      a_mat += coord * a_step[d];
      b_mat += coord * b_step[d];
    }
    return std::pair{a_mat, b_mat};
  };

  Shape out_shape = batch;
  if (a.rank() > 1) out_shape.push_back(M);
  if (b_shape.size() > 1) out_shape.push_back(N);
  const Tensor* bias = fused_bias_ ? &ctx.input(2) : nullptr;
  if (bias && (bias->dtype() != a.dtype() || bias->rank() != 1 || bias->dim(0) != N))
    ctx.fail(cat("the bias must be a vector of the ", N, " columns of Y, got ", bias->describe()));
  const Tensor* residual = fused_residual_ ? &ctx.input(3) : nullptr;
  if (residual && (residual->dtype() != a.dtype() || residual->shape() != out_shape))
    ctx.fail(cat("the residual must be ", dtype_name(a.dtype()), shape_to_string(out_shape),
                 " like Y, got ", residual->describe()));
  if (fast_ && a.dtype() == DType::Float) {
    Tensor& y = ctx.allocate_uninitialized_output(0, a.dtype(), out_shape);
    run_fast(ctx, a, b ? b->data<float>() : nullptr, b_shape.size(), y, M, N, K, batches,
             bias ? bias->data<float>() : nullptr, residual ? residual->data<float>() : nullptr,
             matrices);
    return;
  }
  if (!b) ctx.fail("B was packed at load, but this input needs the reference loop");
  Tensor& y = ctx.allocate_output(0, a.dtype(), out_shape);

  dispatch<MatMulTypes>(a.dtype(), "MatMul", [&](auto tag) {
    using T = typename decltype(tag)::type;
    using A = acc_t<T>;
    const T* pa = a.data<T>();
    const T* pb = b->data<T>();
    const T* pbias = bias ? bias->data<T>() : nullptr;
    const T* pres = residual ? residual->data<T>() : nullptr;
    T* py = y.data<T>();
    // One task per output row (batch index, m); rows are written independently.
    ctx.pool().parallel_for(batches * M, 8, [&](int64_t r0, int64_t r1) {
      std::vector<A> acc(static_cast<size_t>(N));
      for (int64_t r = r0; r < r1; ++r) {
        const int64_t i = r / M, m = r % M;
        const auto [a_mat, b_mat] = matrices(i);
        std::fill(acc.begin(), acc.end(), A(0));
        matmul_accumulate(pa + a_mat * M * K + m * K, K, 1, pb + b_mat * K * N, N, 1, 1, N, K,
                          acc.data());
        // The product rounded to T, then the bias and the residual added, as Adds would.
        for (int64_t n = 0; n < N; ++n) {
          T v = from_acc<T>(acc[n]);
          if (pbias) v = from_acc<T>(static_cast<A>(v) + static_cast<A>(pbias[n]));
          if (pres) v = from_acc<T>(static_cast<A>(v) + static_cast<A>(pres[r * N + n]));
          py[r * N + n] = v;
        }
      }
    });
  });
  if (activation_.kind != kernels::Activation::None) apply_fused_epilogue(activation_, nullptr, y);
}

void MatMulKernel::run_fast(
    KernelContext& ctx, const Tensor& a, const float* pb, size_t b_rank, Tensor& y, int64_t M,
    int64_t N, int64_t K, int64_t batches, const float* bias, const float* residual,
    const std::function<std::pair<int64_t, int64_t>(int64_t)>& matrices) const {
  const kernels::MicroKernel& uk = kernels::default_microkernel();
  const kernels::Parallel parallel = parallel_of(ctx.pool());
  const float* pa = a.data<float>();
  float* py = y.data<float>();
  kernels::GemmEpilogue epilogue;
  epilogue.bias = bias;
  epilogue.bias_per_row = false;
  epilogue.addend_rs = N;
  epilogue.addend_cs = 1;
  epilogue.activation = activation_;
  // y (rows x N) = a (rows x K) * b (K x N) + bias (+ residual), b packed once when it is
  // the constant. y0 is Y's row where this product starts: the residual's is the same.
  auto product = [&](const float* a0, const float* b0, int64_t rows, float* y0,
                     const kernels::Parallel& par) {
    const kernels::StridedSource a_src(a0, K, 1), b_src(b0, 1, N);
    const kernels::PanelSource& b_operand =
        packed_b_.holds(N, K) ? static_cast<const kernels::PanelSource&>(packed_b_) : b_src;
    kernels::GemmEpilogue ep = epilogue;
    if (residual) ep.addend = residual + (y0 - py);
    kernels::gemm(uk, rows, N, K, a_src, b_operand, y0, N, ep, par);
  };
  // One B for every batch: A's batches stacked are one (batches * M) x K matrix, and so
  // is Y's. One GEMM then streams B once instead of once per batch.
  if (b_rank <= 2) return product(pa, pb, batches * M, py, parallel);
  auto one = [&](int64_t i, const kernels::Parallel& par) {
    const auto [a_mat, b_mat] = matrices(i);
    product(pa + a_mat * M * K, pb + b_mat * K * N, M, py + i * M * N, par);
  };
  // Many small products (attention heads): one thread per product. Else split each.
  if (batches >= parallel.threads && batches > 1 && M * N * K < (int64_t{1} << 22)) {
    parallel.for_tasks(batches, [&](int64_t i0, int64_t i1) {
      for (int64_t i = i0; i < i1; ++i) one(i, kernels::serial());
    });
  } else {
    for (int64_t i = 0; i < batches; ++i) one(i, parallel);
  }
}

}  // namespace onyx
