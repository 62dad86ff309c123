// Multinomial: sample_size class indices per batch row, drawn from the distribution whose
// unnormalized log-probabilities are the row: P(c) = exp(x[c]) / sum_k exp(x[k]).
//
//   input [batch, classes] float16/float/double -> output [batch, sample_size] int32 or int64
//
// Each draw takes u uniform on [0, total) and returns the first class whose cumulative weight
// exceeds u, so a class of weight 0 (x = -inf) is never drawn. A row of NaN or +inf, or one
// with no finite weight, is an error. See random_ops.h for seeding.
#include <algorithm>
#include <cmath>
#include <vector>

#include "common/shape_utils.h"
#include "random/random_ops.h"

namespace onyx {
namespace {

// ---- 1. registration ----

std::vector<OpVersion> multinomial_versions() {
  const std::map<std::string, AttrType> a = {
      {"dtype", AttrType::Int}, {"sample_size", AttrType::Int}, {"seed", AttrType::Float}};
  // 22 only added bfloat16 to the input's types.
  return {{7, 21, random::random_float_dtypes(7), a},
          {22, kOpsetOpen, random::random_float_dtypes(22), a}};
}

// ---- 2. attributes ----

struct MultinomialParams {
  DType dtype = DType::Int32;
  int64_t samples = 1;
  random::Seed seed;

  template <class Ctx>
  static MultinomialParams read(const Attrs& attrs, Ctx& ctx) {
    MultinomialParams p;
    const int64_t code = attrs.get_int("dtype", static_cast<int64_t>(DType::Int32));
    p.dtype = static_cast<DType>(code);
    if (p.dtype != DType::Int32 && p.dtype != DType::Int64)
      ctx.fail(cat("attribute 'dtype' = ", code, " (",
                   dtype_name_of_code(static_cast<int32_t>(code)), ") is not int32 or int64"));
    p.samples = attrs.get_int("sample_size", 1);
    if (p.samples < 1) ctx.fail(cat("sample_size must be at least 1, got ", p.samples));
    p.seed = random::Seed::read(attrs);
    return p;
  }
};

// ---- 3. shape rule ----

void infer_multinomial(InferContext& ctx) {
  const MultinomialParams p = MultinomialParams::read(Attrs(ctx.node(), ctx.label()), ctx);
  const TypeInfo& in = ctx.input(0);
  std::vector<Dim> dims = {Dim{}, Dim::known(p.samples)};
  if (in.shape) {
    if (in.shape->size() != 2)
      ctx.fail(cat("input must be [batch, classes], got ", in.to_string()));
    dims[0] = (*in.shape)[0];
  }
  ctx.set_output(0, TypeInfo::tensor(p.dtype, dims));
}

// ---- 4. compute ----

class MultinomialKernel final : public Kernel {
 public:
  explicit MultinomialKernel(const KernelInit& init)
      : p_(MultinomialParams::read(init.attrs(), init)) {}

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (x.rank() != 2) ctx.fail(cat("input must be [batch, classes], got ", x.describe()));
    const int64_t batch = x.dim(0), classes = x.dim(1);
    // Allocated first: a sample_size too large to hold fails here. The sampled classes are
    // collected as int64 and written in the output's dtype at the end.
    Tensor& y = ctx.allocate_output(0, p_.dtype, {batch, p_.samples});
    std::vector<int64_t> picks(static_cast<size_t>(y.numel()));
    random::Rng rng(p_.seed);
    dispatch<FloatTypes>(x.dtype(), "Multinomial", [&](auto tag) {
      using T = typename decltype(tag)::type;
      std::vector<double> cumulative(static_cast<size_t>(classes));
      for (int64_t b = 0; b < batch; ++b) {
        const T* row = x.data<T>() + b * classes;
        // Weights exp(x - max) keep the largest at 1, so no finite row overflows.
        double max = -INFINITY;
        for (int64_t c = 0; c < classes; ++c) {
          const double v = static_cast<double>(row[c]);
          if (std::isnan(v) || v == INFINITY)
            ctx.fail(cat("row ", b, " holds ", v, " at class ", c));
          max = std::max(max, v);
        }
        if (max == -INFINITY) ctx.fail(cat("row ", b, " gives every class probability 0"));
        double total = 0;
        for (int64_t c = 0; c < classes; ++c) {
          total += std::exp(static_cast<double>(row[c]) - max);
          cumulative[static_cast<size_t>(c)] = total;
        }
        // The last class of positive weight, for a u that rounds up to the total.
        int64_t last = classes - 1;
        while (last > 0 &&
               cumulative[static_cast<size_t>(last)] == cumulative[static_cast<size_t>(last - 1)])
          --last;
        for (int64_t s = 0; s < p_.samples; ++s) {
          const double u = rng.uniform() * total;
          const auto it = std::upper_bound(cumulative.begin(), cumulative.end(), u);
          const int64_t pick = it == cumulative.end() ? last : it - cumulative.begin();
          picks[static_cast<size_t>(b * p_.samples + s)] = pick;
        }
      }
    });
    dispatch<type_list<int32_t, int64_t>>(p_.dtype, "Multinomial", [&](auto tag) {
      using T = typename decltype(tag)::type;
      T* dst = y.data<T>();
      for (size_t i = 0; i < picks.size(); ++i) dst[i] = static_cast<T>(picks[i]);
    });
  }

 private:
  MultinomialParams p_;
};

}  // namespace

void register_multinomial(Registry& registry) {
  add_op_versions(registry, "Multinomial", multinomial_versions(), make_kernel<MultinomialKernel>(),
                  infer_multinomial);
}

}  // namespace onyx
