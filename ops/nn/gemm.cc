// Gemm: Y = alpha * A' * B' + beta * C, where A' = transpose(A) if transA, B' likewise.
//
//   A' is (M, K), B' is (K, N), Y is (M, N). C broadcasts to (M, N): before opset 7 only
//   when the legacy `broadcast` attribute is 1 (else C must be exactly (M, N)); from
//   opset 7 always (unidirectionally); from opset 11 C may be omitted.
//
// The same kernel serves the optimizer's FusedGemm (onyx/fused_ops.h): Gemm of the newest
// version followed by an activation.
#include <algorithm>
#include <string>
#include <vector>

#include "common/parallel.h"
#include "kernels/gemm/gemm.h"
#include "kernels/simd/matvec.h"
#include "nn/fused_epilogue.h"
#include "nn/nn.h"
#include "nn/nn_util.h"
#include "onyx/fused_ops.h"

namespace onyx {
namespace {

// Every dtype some Gemm version accepts; the registry narrows it per version.
using GemmTypes =
    type_list<float, double, float16_t, bfloat16_t, int32_t, int64_t, uint32_t, uint64_t>;

class GemmKernel : public Kernel {
 public:
  explicit GemmKernel(const KernelInit& init);
  void run(KernelContext& ctx) const override;

 private:
  std::string label_;
  float alpha_ = 1, beta_ = 1;
  bool trans_a_ = false, trans_b_ = false;
  bool broadcast_c_ = true;               // false only for opsets 1-6 without broadcast=1
  kernels::ActivationParams activation_;  // FusedGemm only
  // Float fast path: a constant B packed once into GEMM panels.
  bool fast_ = false;
  kernels::PackedPanels packed_b_;
  Shape packed_b_shape_;  // set when B lives on only in packed_b_
};

void infer_gemm(InferContext& ctx);

}  // namespace

// ---- registration ----

void register_gemm(Registry& registry) {
  const std::vector<DType> floats = {DType::Float, DType::Double, DType::Float16};
  std::vector<DType> with_ints = floats;
  for (DType t : {DType::Int32, DType::Int64, DType::UInt32, DType::UInt64}) with_ints.push_back(t);
  std::vector<DType> with_bf16 = with_ints;
  with_bf16.push_back(DType::BFloat16);
  struct Version {
    int since, until;
    std::vector<DType> dtypes;
  };
  // 1 and 6 (the same here): legacy broadcast attribute; 7: unidirectional broadcast;
  // 9: integer types; 11: C optional; 13: bfloat16.
  for (const Version& v : {Version{1, 5, floats}, Version{6, 6, floats}, Version{7, 8, floats},
                           Version{9, 10, with_ints}, Version{11, 12, with_ints},
                           Version{13, kOpsetOpen, with_bf16}}) {
    KernelDef def;
    def.op_type = "Gemm";
    def.since_version = v.since;
    def.until_version = v.until;
    def.dtypes = v.dtypes;
    def.create = make_kernel<GemmKernel>();
    def.infer = infer_gemm;
    def.attr_types = {{"alpha", AttrType::Float},
                      {"beta", AttrType::Float},
                      {"transA", AttrType::Int},
                      {"transB", AttrType::Int}};
    if (v.since < 7) def.attr_types["broadcast"] = AttrType::Int;
    if (v.until == kOpsetOpen) {
      KernelDef fused_def = def;
      fused_def.domain = fused::kDomain;
      fused_def.op_type = fused::kGemm;
      fused_def.since_version = fused::kVersion;
      fused_def.dtypes = {DType::Float, DType::Double, DType::Float16, DType::BFloat16};
      fused_def.attr_types = with_fused_attrs(def.attr_types);
      registry.add(std::move(fused_def));
    }
    registry.add(std::move(def));
  }
}

// ---- construction ----

GemmKernel::GemmKernel(const KernelInit& init)
    : label_(init.label()), activation_(read_fused_activation(init)) {
  const Attrs& attrs = init.attrs();
  // FusedGemm has the newest Gemm's semantics.
  const int opset = is_fused_node(init.node()) ? kOpsetOpen : init.opset();
  alpha_ = attrs.get_float("alpha", 1.0f);
  beta_ = attrs.get_float("beta", 1.0f);
  trans_a_ = attrs.get_int("transA", 0) != 0;
  trans_b_ = attrs.get_int("transB", 0) != 0;
  if (opset < 7) broadcast_c_ = attrs.get_int("broadcast", 0) != 0;
  if (!init.has_input(0) || !init.has_input(1)) init.fail("Gemm needs inputs A and B");
  if (opset < 11 && !init.has_input(2)) init.fail("input C is required before opset 11");
  fast_ = !init.reference() && init.input_dtype(0) == DType::Float;
  const Tensor* b = init.constant_input(1);
  // One row of A against a transposed B runs as dot products over B as stored (see run):
  // where A's shape says so, B stays as it is.
  const TypeInfo& a = init.input_type(0);
  const bool one_row = a.has_shape() && a.shape->size() == 2 &&
                       (*a.shape)[trans_a_ ? 1 : 0].is_known() &&
                       (*a.shape)[trans_a_ ? 1 : 0].value == 1;
  if (fast_ && b && b->dtype() == DType::Float && b->rank() == 2 && !(one_row && trans_b_)) {
    const int64_t K = trans_b_ ? b->dim(1) : b->dim(0), N = trans_b_ ? b->dim(0) : b->dim(1);
    packed_b_ = kernels::PackedPanels(
        kernels::StridedSource::b_matrix(b->data<float>(), b->dim(1), trans_b_), N, K,
        kernels::default_microkernel().nr);
    packed_b_shape_ = b->shape();  // the float path reads the panels only
    init.drop_constant_input(1);
  }
}

// ---- shape rule ----

namespace {

void infer_gemm(InferContext& ctx) {
  const Attrs attrs(ctx.node(), ctx.label());
  const TypeInfo& a = ctx.input(0);
  const TypeInfo& b = ctx.input(1);
  std::vector<Dim> out = {Dim{}, Dim{}};
  Dim ka, kb;
  if (a.has_shape()) {
    if (a.shape->size() != 2) ctx.fail(cat("A must be 2-D, got rank ", a.shape->size()));
    const bool t = attrs.get_int("transA", 0) != 0;
    out[0] = (*a.shape)[t ? 1 : 0];
    ka = (*a.shape)[t ? 0 : 1];
  }
  if (b.has_shape()) {
    if (b.shape->size() != 2) ctx.fail(cat("B must be 2-D, got rank ", b.shape->size()));
    const bool t = attrs.get_int("transB", 0) != 0;
    out[1] = (*b.shape)[t ? 0 : 1];
    kb = (*b.shape)[t ? 1 : 0];
  }
  if (ka.is_known() && kb.is_known() && ka.value != kb.value)
    ctx.fail(cat("inner dims differ: A' has K = ", ka.value, ", B' has K = ", kb.value));
  ctx.set_output(0, TypeInfo::tensor(a.elem, out));
}

}  // namespace

// ---- compute ----

void GemmKernel::run(KernelContext& ctx) const {
  const Tensor& a = ctx.input(0);
  const bool b_packed = !packed_b_shape_.empty();
  const Tensor* b = b_packed ? nullptr : &ctx.input(1);
  const DType b_dtype = b ? b->dtype() : DType::Float;
  const Shape& b_shape = b ? b->shape() : packed_b_shape_;
  const std::string b_text = b ? b->describe() : dtype_name(b_dtype) + shape_to_string(b_shape);
  const Tensor* c = ctx.has_input(2) ? &ctx.input(2) : nullptr;
  if (a.rank() != 2 || b_shape.size() != 2)
    ctx.fail(cat("A and B must be 2-D, got ", a.describe(), " and ", b_text));
  if (b_dtype != a.dtype() || (c && c->dtype() != a.dtype()))
    ctx.fail(cat("A, B and C must share one dtype; got ", a.describe(), ", ", b_text,
                 c ? ", " + c->describe() : ""));
  const int64_t M = trans_a_ ? a.dim(1) : a.dim(0), K = trans_a_ ? a.dim(0) : a.dim(1);
  const int64_t N = trans_b_ ? b_shape[0] : b_shape[1], Kb = trans_b_ ? b_shape[1] : b_shape[0];
  if (K != Kb)
    ctx.fail(cat("inner dims differ: A' is [", M, ", ", K, "], B' is [", Kb, ", ", N, "]"));

  // C is read through strides: 0 along the axes it broadcasts over.
  int64_t c_row = 0, c_col = 0;
  if (c) {
    const Shape& cs = c->shape();
    const bool exact = cs == Shape{M, N};
    const int64_t rows = cs.size() == 2 ? cs[0] : 1, cols = cs.empty() ? 1 : cs.back();
    const bool fits = cs.size() <= 2 && (rows == M || rows == 1) && (cols == N || cols == 1);
    if (!exact && !(broadcast_c_ && fits))
      ctx.fail(cat("C of shape ", shape_to_string(cs), " does not ",
                   broadcast_c_ ? "broadcast to " : "equal (broadcast = 0) ",
                   shape_to_string({M, N})));
    c_row = rows == 1 ? 0 : cols;  // C's own row stride
    c_col = cols == 1 ? 0 : 1;
  }
  if (b_packed || (fast_ && a.dtype() == DType::Float)) {  // packed: a is float, as checked
    Tensor& y = ctx.allocate_uninitialized_output(0, a.dtype(), {M, N});
    kernels::GemmEpilogue ep;
    ep.alpha = alpha_;
    if (c) {
      ep.addend = c->data<float>();
      ep.addend_rs = c_row;
      ep.addend_cs = c_col;
      ep.beta = beta_;
    }
    ep.activation = activation_;
    if (M == 1 && trans_b_ && b) {
      // One row of A against the rows of B: dot products over contiguous memory (a
      // classifier head), where a GEMM tile would waste all but one of its rows.
      float* out = y.data<float>();
      std::fill(out, out + N, 0.0f);
      kernels::matvec_add(b->data<float>(), a.data<float>(), N, K, out, parallel_of(ctx.pool()));
      kernels::apply_epilogue(ep, out, N, 0, 0, 1, N);
      return;
    }
    const kernels::StridedSource a_src =
        kernels::StridedSource::a_matrix(a.data<float>(), a.dim(1), trans_a_);
    const kernels::StridedSource b_src =
        kernels::StridedSource::b_matrix(b ? b->data<float>() : nullptr, b_shape[1], trans_b_);
    const kernels::PanelSource& b_operand =
        b_packed ? static_cast<const kernels::PanelSource&>(packed_b_) : b_src;
    kernels::gemm(kernels::default_microkernel(), M, N, K, a_src, b_operand, y.data<float>(), N, ep,
                  parallel_of(ctx.pool()));
    return;
  }
  Tensor& y = ctx.allocate_output(0, a.dtype(), {M, N});

  dispatch<GemmTypes>(a.dtype(), "Gemm", [&](auto tag) {
    using T = typename decltype(tag)::type;
    using A = acc_t<T>;
    // alpha and beta scale in float for float/half types, in double otherwise.
    using S = std::conditional_t<std::is_same_v<A, float>, float, double>;
    const T* pa = a.data<T>();
    const T* pb = b->data<T>();  // never packed here: packing implies the float path
    const T* pc = c ? c->data<T>() : nullptr;
    T* py = y.data<T>();
    // A'(m, k) and B'(k, n) as strided views of the stored matrices.
    const int64_t a_row = trans_a_ ? 1 : K, a_col = trans_a_ ? M : 1;
    const int64_t b_row = trans_b_ ? 1 : N, b_col = trans_b_ ? K : 1;
    ctx.pool().parallel_for(M, 8, [&](int64_t m0, int64_t m1) {
      std::vector<A> acc(static_cast<size_t>((m1 - m0) * N), A(0));
      matmul_accumulate(pa + m0 * a_row, a_row, a_col, pb, b_row, b_col, m1 - m0, N, K, acc.data());
      for (int64_t m = m0; m < m1; ++m) {
        for (int64_t n = 0; n < N; ++n) {
          S v = static_cast<S>(alpha_) * static_cast<S>(acc[(m - m0) * N + n]);
          if (pc) v += static_cast<S>(beta_) * static_cast<S>(pc[m * c_row + n * c_col]);
          py[m * N + n] = from_acc<T>(v);
        }
      }
    });
  });
  apply_fused_epilogue(activation_, nullptr, y);
}

}  // namespace onyx
