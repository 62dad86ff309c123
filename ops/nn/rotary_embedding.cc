// RotaryEmbedding (opset 23): rotates pairs of each head's first rotary_embedding_dim
// elements by position-dependent angles, whose cosines and sines the caches hold.
//
//   X  [B, H, S, D] (4-D), or [B, S, H * D] (3-D, num_heads = H required)
//   cos_cache, sin_cache
//        [max_position + 1, R/2] with position_ids [B, S] (int64), or
//        [B, S, R/2] without position_ids (one row per batch and position)
//
// R = rotary_embedding_dim (0 means D). For each head row x and k < R/2, the pair is
// (x[2k], x[2k+1]) when interleaved, else (x[k], x[k + R/2]); with c, s the cache values
// at (position, k):
//
//   x1' = c * x1 - s * x2        x2' = s * x1 + c * x2
//
// Elements R..D-1 are copied. float16 and bfloat16 compute in float.
#include <string>
#include <vector>

#include "common/shape_utils.h"
#include "nn/nn.h"
#include "nn/nn_util.h"

namespace onyx {
namespace {

class RotaryEmbeddingKernel final : public Kernel {
 public:
  explicit RotaryEmbeddingKernel(const KernelInit& init)
      : interleaved_(init.attrs().get_int("interleaved", 0) != 0),
        num_heads_(init.attrs().get_int("num_heads", 0)),
        rotary_dim_(init.attrs().get_int("rotary_embedding_dim", 0)) {
    if (num_heads_ < 0) init.fail(cat("num_heads must be non-negative, got ", num_heads_));
    if (rotary_dim_ < 0 || rotary_dim_ % 2 != 0)
      init.fail(cat("rotary_embedding_dim must be even and non-negative, got ", rotary_dim_));
    if (!init.has_input(1) || !init.has_input(2))
      init.fail("RotaryEmbedding needs inputs X, cos_cache and sin_cache");
  }

  void run(KernelContext& ctx) const override {
    const Tensor &x = ctx.input(0), &cos = ctx.input(1), &sin = ctx.input(2);
    const Tensor* pos = ctx.num_inputs() > 3 && ctx.has_input(3) ? &ctx.input(3) : nullptr;
    const std::string dtype = dtype_name(x.dtype());
    if (cos.dtype() != x.dtype() || sin.dtype() != x.dtype())
      ctx.fail(cat("cos_cache and sin_cache must have X's dtype ", dtype, ", got ", cos.describe(),
                   " and ", sin.describe()));
    // Layout of X as [B, S, H, D] through strides, whichever rank it has.
    int64_t batch = 0, seq = 0, heads = 0, head = 0, s_stride = 0, h_stride = 0;
    if (x.rank() == 4) {
      batch = x.dim(0), heads = x.dim(1), seq = x.dim(2), head = x.dim(3);
      s_stride = head, h_stride = seq * head;
    } else if (x.rank() == 3) {
      if (num_heads_ <= 0) ctx.fail("3-D X needs the num_heads attribute");
      batch = x.dim(0), seq = x.dim(1), heads = num_heads_;
      if (x.dim(2) % heads != 0)
        ctx.fail(cat("X's hidden size ", x.dim(2), " is not a multiple of num_heads ", heads));
      head = x.dim(2) / heads;
      s_stride = x.dim(2), h_stride = head;
    } else {
      ctx.fail(cat("X must be 3-D or 4-D, got ", x.describe()));
    }
    const int64_t rotary = rotary_dim_ == 0 ? head : rotary_dim_;
    if (rotary > head || rotary % 2 != 0)
      ctx.fail(cat("rotary_embedding_dim ", rotary, " must be even and at most the head size ",
                   head, " (", dtype, ")"));
    const int64_t half = rotary / 2;
    const Shape want =
        pos ? Shape{cos.rank() == 2 ? cos.dim(0) : -1, half} : Shape{batch, seq, half};
    for (const Tensor* c : {&cos, &sin})
      if (c->shape() != want || c->shape() != cos.shape())
        ctx.fail(cat("cos_cache and sin_cache must both be ",
                     pos ? "[max_position + 1, " : cat("[", batch, ", ", seq, ", "), half,
                     "], got ", cos.describe(), " and ", sin.describe()));
    // Row of the caches for (b, s), checked against the cache length before any read.
    std::vector<int64_t> row(static_cast<size_t>(batch * seq));
    for (int64_t i = 0; i < batch * seq; ++i) row[i] = i;
    if (pos) {
      if (pos->shape() != Shape{batch, seq})
        ctx.fail(cat("position_ids must be [", batch, ", ", seq, "], got ", pos->describe()));
      if (pos->dtype() != DType::Int64)
        ctx.fail(cat("position_ids must be int64, got ", pos->describe()));
      row.assign(pos->data<int64_t>(), pos->data<int64_t>() + pos->numel());
      for (int64_t r : row)
        if (r < 0 || r >= cos.dim(0))
          ctx.fail(cat("position id ", r, " is outside the caches' ", cos.dim(0), " rows"));
    }
    Tensor& y = ctx.allocate_uninitialized_output(0, x.dtype(), x.shape());
    const int64_t b_stride = seq * heads * head;
    dispatch<FloatTypes>(x.dtype(), "RotaryEmbedding", [&](auto tag) {
      using T = typename decltype(tag)::type;
      auto value = [](T v) { return static_cast<float>(static_cast<acc_t<T>>(v)); };
      const T *px = x.data<T>(), *pc = cos.data<T>(), *ps = sin.data<T>();
      T* py = y.data<T>();
      for (int64_t b = 0; b < batch; ++b)
        for (int64_t s = 0; s < seq; ++s) {
          const T* c = pc + row[b * seq + s] * half;
          const T* sn = ps + row[b * seq + s] * half;
          for (int64_t h = 0; h < heads; ++h) {
            const int64_t base = b * b_stride + s * s_stride + h * h_stride;
            const T* in = px + base;
            T* out = py + base;
            for (int64_t k = 0; k < half; ++k) {
              const int64_t i1 = interleaved_ ? 2 * k : k;
              const int64_t i2 = interleaved_ ? 2 * k + 1 : k + half;
              const float x1 = value(in[i1]), x2 = value(in[i2]);
              const float cv = value(c[k]), sv = value(sn[k]);
              out[i1] = from_acc<T>(cv * x1 - sv * x2);
              out[i2] = from_acc<T>(sv * x1 + cv * x2);
            }
            for (int64_t d = rotary; d < head; ++d) out[d] = in[d];
          }
        }
    });
  }

 private:
  bool interleaved_;
  int64_t num_heads_, rotary_dim_;
};

}  // namespace

void register_rotary_embedding(Registry& registry) {
  const std::vector<DType> dtypes = {DType::Float, DType::Float16, DType::BFloat16};
  const std::map<std::string, AttrType> attrs = {{"interleaved", AttrType::Int},
                                                 {"num_heads", AttrType::Int},
                                                 {"rotary_embedding_dim", AttrType::Int}};
  add_op_versions(registry, "RotaryEmbedding", {{23, kOpsetOpen, dtypes, attrs}},
                  make_kernel<RotaryEmbeddingKernel>(), infer_same_as_input);
}

}  // namespace onyx
