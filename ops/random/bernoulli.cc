// Bernoulli: out[i] = 1 with probability p[i] and 0 otherwise, for a tensor of probabilities
// p in [0, 1] (float16, float or double; bfloat16 from opset 22). The output's dtype is the `dtype`
// attribute, or the input's when absent. Each value draws u uniform on [0, 1) and is 1 when u < p,
// so p = 0 never gives 1 and p = 1 always does. See random_ops.h for seeding.
#include <cmath>
#include <vector>

#include "common/shape_utils.h"
#include "random/random_ops.h"

namespace onyx {
namespace {

using BernoulliOutTypes = type_list<float, double, float16_t, bfloat16_t, int8_t, int16_t, int32_t,
                                    int64_t, uint8_t, uint16_t, uint32_t, uint64_t, bool>;

// ---- 1. registration ----

std::vector<OpVersion> bernoulli_versions() {
  const std::map<std::string, AttrType> a = {{"dtype", AttrType::Int}, {"seed", AttrType::Float}};
  // 22 only added bfloat16 to the probabilities' types.
  return {{15, 21, random::random_float_dtypes(15), a},
          {22, kOpsetOpen, random::random_float_dtypes(22), a}};
}

// ---- 2. attributes ----

struct BernoulliParams {
  DType dtype = DType::Undefined;  // Undefined: the input's
  random::Seed seed;

  template <class Ctx>
  static BernoulliParams read(const Attrs& attrs, Ctx& ctx) {
    BernoulliParams p;
    if (attrs.has("dtype")) {
      const int64_t code = attrs.get_int("dtype", 0);
      p.dtype = static_cast<DType>(code);
      if (code < 0 || code > 64 || !dtype_in(BernoulliOutTypes{}, p.dtype))
        ctx.fail(cat("attribute 'dtype' = ", code, " (",
                     dtype_name_of_code(static_cast<int32_t>(code)),
                     ") is not a numeric or bool type"));
    }
    p.seed = random::Seed::read(attrs);
    return p;
  }
  DType output_dtype(DType input) const { return dtype == DType::Undefined ? input : dtype; }
};

// ---- 3. shape rule ----

void infer_bernoulli(InferContext& ctx) {
  const BernoulliParams p = BernoulliParams::read(Attrs(ctx.node(), ctx.label()), ctx);
  const TypeInfo& in = ctx.input(0);
  ctx.set_output(0, TypeInfo::tensor(p.output_dtype(in.elem), in.shape));
}

// ---- 4. compute ----

class BernoulliKernel final : public Kernel {
 public:
  explicit BernoulliKernel(const KernelInit& init)
      : p_(BernoulliParams::read(init.attrs(), init)) {}

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    // The draws, as 0/1, before they are written in the output's dtype.
    std::vector<uint8_t> draws(static_cast<size_t>(x.numel()));
    random::Rng rng(p_.seed);
    dispatch<FloatTypes>(x.dtype(), "Bernoulli", [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* prob = x.data<T>();
      for (size_t i = 0; i < draws.size(); ++i) {
        const double pr = static_cast<double>(prob[i]);
        if (!(pr >= 0 && pr <= 1))
          ctx.fail(cat("probability ", pr, " at flat index ", i, " is outside [0, 1]"));
        draws[i] = rng.uniform() < pr ? 1 : 0;
      }
    });
    Tensor& y = ctx.allocate_output(0, p_.output_dtype(x.dtype()), x.shape());
    dispatch<BernoulliOutTypes>(y.dtype(), "Bernoulli", [&](auto tag) {
      using T = typename decltype(tag)::type;
      T* dst = y.data<T>();
      for (size_t i = 0; i < draws.size(); ++i) dst[i] = static_cast<T>(draws[i] ? 1.0f : 0.0f);
    });
  }

 private:
  BernoulliParams p_;
};

}  // namespace

void register_bernoulli(Registry& registry) {
  add_op_versions(registry, "Bernoulli", bernoulli_versions(), make_kernel<BernoulliKernel>(),
                  infer_bernoulli);
}

}  // namespace onyx
