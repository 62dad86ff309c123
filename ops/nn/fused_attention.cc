// ScaledDotProductAttention (domain ai.onyx, onyx/fused_ops.h): what the optimizer makes of
// the attention that exporters write as MatMul, scale, mask, Softmax and MatMul between
// the transposes that split and merge heads.
//
//   q = Transpose(Q, perm_q)    [B, H, Sq, D]
//   k = Transpose(K, perm_k)    [B, H, Skv, D]
//   v = Transpose(V, perm_v)    [B, H, Skv, Dv]
//   s = scale * q kᵀ            [B, H, Sq, Skv]
//   s = s + mask                a float mask (numpy broadcast to s's shape), or
//   s = mask ? s : mask_fill    a bool mask
//   Y = Transpose(Softmax(s, axis -1) v, perm_out)
//
// The perms default to 0, 1, 2, 3. The reference kernel below is that formula, row by
// row; the fast path is kernels::attention, which reads every operand through its strides
// (no transpose is copied) and tiles the keys, so the scores never exist whole.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "common/parallel.h"
#include "common/shape_utils.h"
#include "kernels/attention/attention.h"
#include "kernels/gemm/gemm.h"
#include "nn/nn.h"
#include "onyx/fused_ops.h"

namespace onyx {
namespace {

using Perm = std::vector<int64_t>;

const Perm kIdentity = {0, 1, 2, 3};

// The perm attribute `name`, checked to be a permutation of 0..3.
template <class Ctx>
Perm read_perm(const Attrs& attrs, const char* name, Ctx& ctx) {
  Perm perm = attrs.get_ints(name, kIdentity);
  Perm sorted = perm;
  std::sort(sorted.begin(), sorted.end());
  if (sorted != kIdentity)
    ctx.fail(cat(name, " must be a permutation of 0, 1, 2, 3, got ", perm.size(), " values"));
  return perm;
}

// Dims of Transpose(x, perm) from x's dims.
template <class D>
std::vector<D> permuted(const std::vector<D>& dims, const Perm& perm) {
  std::vector<D> out;
  for (int64_t p : perm) out.push_back(dims[static_cast<size_t>(p)]);
  return out;
}

void infer_attention(InferContext& ctx) {
  const Attrs attrs(ctx.node(), ctx.label());
  const Perm perm_q = read_perm(attrs, "perm_q", ctx), perm_v = read_perm(attrs, "perm_v", ctx);
  const Perm perm_out = read_perm(attrs, "perm_out", ctx);
  const TypeInfo &q = ctx.input(0), &v = ctx.input(2);
  std::optional<std::vector<Dim>> shape;
  if (q.has_shape() && v.has_shape() && q.shape->size() == 4 && v.shape->size() == 4) {
    std::vector<Dim> out = permuted(*q.shape, perm_q);  // [B, H, Sq, D]
    out[3] = permuted(*v.shape, perm_v)[3];             // Dv
    shape = permuted(out, perm_out);
  }
  ctx.set_output(0, TypeInfo::tensor(q.elem, shape));
}

class AttentionKernel final : public Kernel {
 public:
  explicit AttentionKernel(const KernelInit& init)
      : fast_(!init.reference()),
        scale_(init.attrs().get_float("scale", 1.0f)),
        fill_(init.attrs().get_float("mask_fill", 0.0f)),
        perm_q_(read_perm(init.attrs(), "perm_q", init)),
        perm_k_(read_perm(init.attrs(), "perm_k", init)),
        perm_v_(read_perm(init.attrs(), "perm_v", init)),
        perm_out_(read_perm(init.attrs(), "perm_out", init)) {
    if (init.num_inputs() < 3 || !init.has_input(1) || !init.has_input(2))
      init.fail("ScaledDotProductAttention needs inputs Q, K and V");
  }

  void run(KernelContext& ctx) const override {
    kernels::AttentionProblem p;
    const Tensor &q = ctx.input(0), &k = ctx.input(1), &v = ctx.input(2);
    for (const Tensor* t : {&q, &k, &v})
      if (t->dtype() != DType::Float || t->rank() != 4)
        ctx.fail(cat("Q, K and V must be 4-D float tensors, got ", t->describe()));
    const Shape qs = permuted(q.shape(), perm_q_), ks = permuted(k.shape(), perm_k_),
                vs = permuted(v.shape(), perm_v_);
    if (ks[0] != qs[0] || vs[0] != qs[0] || ks[1] != qs[1] || vs[1] != qs[1] || ks[3] != qs[3] ||
        vs[2] != ks[2])
      ctx.fail(cat(
          "q ", shape_to_string(qs), ", k ", shape_to_string(ks), " and v ", shape_to_string(vs),
          " (after their perms) do not fit [B, H, Sq, D], [B, H, Skv, ", "D], [B, H, Skv, Dv]"));
    p.batch = qs[0], p.heads = qs[1], p.q_len = qs[2], p.head_dim = qs[3];
    p.kv_len = ks[2], p.v_dim = vs[3];
    p.scale = scale_;
    p.fill = fill_;
    p.q = view<const float>(q, perm_q_);
    p.k = view<const float>(k, perm_k_);
    p.v = view<const float>(v, perm_v_);
    const Shape logical = {p.batch, p.heads, p.q_len, p.v_dim};
    Tensor& y = ctx.allocate_uninitialized_output(0, DType::Float, permuted(logical, perm_out_));
    // Logical dim perm_out[i] is Y's dim i.
    const std::vector<int64_t> y_strides = strides_of(y.shape());
    p.out.data = y.data<float>();
    for (int i = 0; i < 4; ++i) p.out.stride[perm_out_[i]] = y_strides[i];
    if (ctx.num_inputs() > 3 && ctx.has_input(3)) set_mask(ctx, ctx.input(3), p);
    if (fast_)
      kernels::attention(kernels::default_microkernel(), p, parallel_of(ctx.pool()));
    else
      reference(p);
  }

 private:
  // The view of Transpose(t, perm) on t's data.
  template <class T>
  static kernels::View4<T> view(const Tensor& t, const Perm& perm) {
    kernels::View4<T> out;
    out.data = t.data<std::remove_const_t<T>>();
    const std::vector<int64_t> strides = strides_of(t.shape());
    for (int i = 0; i < 4; ++i) out.stride[i] = strides[perm[i]];
    return out;
  }

  static void set_mask(KernelContext& ctx, const Tensor& mask, kernels::AttentionProblem& p) {
    const Shape scores = {p.batch, p.heads, p.q_len, p.kv_len};
    if (mask.rank() > 4) ctx.fail(cat("mask has rank ", mask.rank(), ", more than 4"));
    for (int i = 0; i < mask.rank(); ++i) {
      const int64_t m = mask.dim(i), s = scores[4 - mask.rank() + i];
      if (m != 1 && m != s)
        ctx.fail(cat("mask ", shape_to_string(mask.shape()), " does not broadcast to the scores ",
                     shape_to_string(scores)));
    }
    const std::vector<int64_t> strides = broadcast_strides(mask.shape(), scores);
    if (mask.dtype() == DType::Float) {
      p.add_mask.data = mask.data<float>();
      std::copy(strides.begin(), strides.end(), p.add_mask.stride);
    } else if (mask.dtype() == DType::Bool) {
      p.keep_mask.data = mask.data<bool>();
      std::copy(strides.begin(), strides.end(), p.keep_mask.stride);
    } else {
      ctx.fail(cat("mask must be float or bool, got ", mask.describe()));
    }
  }

  // The formula, one query row at a time: scores, their softmax, the weighted sum of V.
  static void reference(const kernels::AttentionProblem& p) {
    std::vector<float> s(static_cast<size_t>(p.kv_len));
    for (int64_t b = 0; b < p.batch; ++b)
      for (int64_t h = 0; h < p.heads; ++h)
        for (int64_t i = 0; i < p.q_len; ++i) {
          float max = -std::numeric_limits<float>::infinity();
          for (int64_t j = 0; j < p.kv_len; ++j) {
            double dot = 0;
            for (int64_t d = 0; d < p.head_dim; ++d)
              dot += double{*p.q.at(b, h, i, d)} * double{*p.k.at(b, h, j, d)};
            float score = p.scale * static_cast<float>(dot);
            if (p.add_mask.data) score += *p.add_mask.at(b, h, i, j);
            if (p.keep_mask.data && !*p.keep_mask.at(b, h, i, j)) score = p.fill;
            s[j] = score;
            max = std::max(max, score);
          }
          double sum = 0;
          for (int64_t j = 0; j < p.kv_len; ++j) sum += std::exp(double{s[j]} - max);
          for (int64_t e = 0; e < p.v_dim; ++e) {
            double o = 0;
            for (int64_t j = 0; j < p.kv_len; ++j)
              o += std::exp(double{s[j]} - max) / sum * double{*p.v.at(b, h, j, e)};
            *p.out.at(b, h, i, e) = static_cast<float>(o);
          }
        }
  }

  bool fast_;
  float scale_, fill_;
  Perm perm_q_, perm_k_, perm_v_, perm_out_;
};

}  // namespace

void register_fused_attention(Registry& registry) {
  const std::map<std::string, AttrType> attrs = {
      {"scale", AttrType::Float}, {"mask_fill", AttrType::Float}, {"perm_q", AttrType::Ints},
      {"perm_k", AttrType::Ints}, {"perm_v", AttrType::Ints},     {"perm_out", AttrType::Ints}};
  registry.add(KernelDef{fused::kDomain,
                         fused::kAttention,
                         fused::kVersion,
                         kOpsetOpen,
                         {DType::Float},
                         0,
                         make_kernel<AttentionKernel>(),
                         infer_attention,
                         attrs});
}

}  // namespace onyx
