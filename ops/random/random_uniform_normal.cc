// RandomUniform, RandomNormal, RandomUniformLike, RandomNormalLike: tensors of random values.
//
//   RandomUniform(Like): uniform on [low, high)          (defaults 0 and 1)
//   RandomNormal(Like):  normal with mean and scale (sd)  (defaults 0 and 1)
//
// The plain ops take the output's shape from the `shape` attribute and its dtype from `dtype`
// (default float); the *Like ops copy the input's shape, and its dtype when `dtype` is absent.
// The output dtype is float16, float or double. Values are drawn in double and rounded; a
// uniform value that rounds out of [low, high) in a narrow dtype is drawn again, so every
// value stays in range. See random_ops.h for seeding.
#include <cmath>
#include <memory>
#include <vector>

#include "common/shape_utils.h"
#include "random/random_ops.h"

namespace onyx {
namespace {

enum class Law { Uniform, Normal };

// ---- 1. registration: see register_random_uniform_normal below ----

// ---- 2. attributes ----

struct RandomParams {
  Law law = Law::Uniform;
  bool like = false;           // *Like: shape (and maybe dtype) from input 0
  double a = 0, b = 1;         // low and high, or mean and scale
  DType dtype = DType::Float;  // Undefined: the input's (*Like only)
  Shape shape;                 // the plain ops' `shape`
  random::Seed seed;
  int opset = 1;  // bfloat16 from 22

  template <class Ctx>
  static RandomParams read(const Attrs& attrs, Law law, bool like, Ctx& ctx) {
    RandomParams p;
    p.law = law;
    p.like = like;
    p.opset = ctx.node().opset;
    if (law == Law::Uniform) {
      p.a = attrs.get_float("low", 0.0f);
      p.b = attrs.get_float("high", 1.0f);
      if (!std::isfinite(p.a) || !std::isfinite(p.b) || p.a > p.b)
        ctx.fail(cat("need finite low <= high, got low ", p.a, " and high ", p.b));
    } else {
      p.a = attrs.get_float("mean", 0.0f);
      p.b = attrs.get_float("scale", 1.0f);
      if (!std::isfinite(p.a) || !std::isfinite(p.b) || p.b < 0)
        ctx.fail(cat("need a finite mean and scale >= 0, got mean ", p.a, " and scale ", p.b));
    }
    p.dtype = random::float_dtype_attr(attrs, ctx);
    if (p.dtype == DType::Undefined && !like) p.dtype = DType::Float;
    if (!like) {
      if (!attrs.has("shape")) ctx.fail("the 'shape' attribute is required");
      p.shape = attrs.get_ints("shape");
      for (int64_t d : p.shape)
        if (d < 0) ctx.fail(cat("shape ", shape_to_string(p.shape), " has a negative dim"));
      checked_numel(p.shape);
    }
    p.seed = random::Seed::read(attrs);
    return p;
  }

  // The output dtype given the input's (*Like); fails when that is not a float type.
  template <class Ctx>
  DType output_dtype(DType input, Ctx& ctx) const {
    if (dtype != DType::Undefined) return dtype;
    if (input != DType::Undefined && !dtype_listed(random::random_float_dtypes(opset), input))
      ctx.fail(cat("the input's dtype ", dtype_name(input), " is not ",
                   random::random_float_names(opset), " at opset ", opset,
                   ": set the 'dtype' attribute"));
    return input;
  }
};

// ---- 3. shape rule ----

void infer_random(InferContext& ctx, Law law, bool like) {
  const RandomParams p = RandomParams::read(Attrs(ctx.node(), ctx.label()), law, like, ctx);
  if (!like) return ctx.set_output(0, TypeInfo::tensor_of(p.dtype, p.shape));
  const TypeInfo& in = ctx.input(0);
  ctx.set_output(0, TypeInfo::tensor(p.output_dtype(in.elem, ctx), in.shape));
}

// ---- 4. compute ----

class RandomKernel final : public Kernel {
 public:
  RandomKernel(const KernelInit& init, Law law, bool like)
      : p_(RandomParams::read(init.attrs(), law, like, init)) {
    if (like) p_.output_dtype(init.input_dtype(0), init);
    if (init.num_inputs() != (like ? 1 : 0))
      init.fail(cat("takes ", like ? 1 : 0, " inputs, got ", init.num_inputs()));
  }

  void run(KernelContext& ctx) const override {
    const Shape& shape = p_.like ? ctx.input(0).shape() : p_.shape;
    const DType dtype = p_.like ? p_.output_dtype(ctx.input(0).dtype(), ctx) : p_.dtype;
    Tensor& y = ctx.allocate_output(0, dtype, shape);
    random::Rng rng(p_.seed);
    dispatch<FloatTypes>(dtype, "Random", [&](auto tag) {
      using T = typename decltype(tag)::type;
      T* dst = y.data<T>();
      for (int64_t i = 0; i < y.numel(); ++i)
        dst[i] = p_.law == Law::Uniform ? uniform<T>(rng, ctx) : normal<T>(rng);
    });
  }

 private:
  template <class T>
  T uniform(random::Rng& rng, KernelContext& ctx) const {
    const double low = p_.a, high = p_.b;
    for (int attempt = 0; attempt < 64; ++attempt) {
      const T v = static_cast<T>(low + (high - low) * rng.uniform());
      const double back = static_cast<double>(v);
      if ((back >= low && back < high) || low == high) return v;
    }
    // Only a range narrower than the dtype's spacing rounds outside it this often.
    ctx.fail(cat("no ", dtype_name(dtype_v<T>), " value lies in [", low, ", ", high, ")"));
  }

  template <class T>
  T normal(random::Rng& rng) const {
    return static_cast<T>(p_.a + p_.b * rng.normal());
  }

  RandomParams p_;
};

void register_random_op(Registry& registry, const char* op, Law law, bool like) {
  KernelFactory create = [law, like](const KernelInit& init) -> std::unique_ptr<Kernel> {
    return std::make_unique<RandomKernel>(init, law, like);
  };
  std::map<std::string, AttrType> attrs = {{"dtype", AttrType::Int}, {"seed", AttrType::Float}};
  if (law == Law::Uniform) {
    attrs["low"] = AttrType::Float;
    attrs["high"] = AttrType::Float;
  } else {
    attrs["mean"] = AttrType::Float;
    attrs["scale"] = AttrType::Float;
  }
  if (!like) attrs["shape"] = AttrType::Ints;
  // The *Like ops accept any input type (only its shape is read, and maybe its dtype). 22
  // only added bfloat16 to the output types, which the `dtype` checks above enforce.
  add_op_versions(registry, op, {{1, 21, {}, attrs}, {22, kOpsetOpen, {}, attrs}}, create,
                  [law, like](InferContext& ctx) { infer_random(ctx, law, like); });
}

}  // namespace

void register_random_uniform_normal(Registry& registry) {
  register_random_op(registry, "RandomUniform", Law::Uniform, false);
  register_random_op(registry, "RandomNormal", Law::Normal, false);
  register_random_op(registry, "RandomUniformLike", Law::Uniform, true);
  register_random_op(registry, "RandomNormalLike", Law::Normal, true);
}

}  // namespace onyx
