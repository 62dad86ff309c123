// Internals shared by the files of ops/random: each file's registration entry and the
// random source they all draw from.
//
// Reproducibility: a node with a `seed` attribute seeds a fresh engine from it on every run,
// so each run returns the same values; without one, each run draws a fresh seed from a
// process-wide source. The engine is std::mt19937_64, whose output the C++ standard fixes
// exactly; the distributions (uniform, normal) are our own arithmetic on its bits, so values
// for a seed do not depend on the standard library.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "common/dtype_lists.h"
#include "onyx/kernel.h"
#include "onyx/registry.h"

namespace onyx {

void register_random_uniform_normal(Registry& registry);  // random_uniform_normal.cc
void register_bernoulli(Registry& registry);              // bernoulli.cc: Bernoulli
void register_multinomial(Registry& registry);            // multinomial.cc: Multinomial

namespace random {

// The `seed` attribute: a float whose bit pattern picks the stream.
struct Seed {
  bool fixed = false;
  float value = 0;
  static Seed read(const Attrs& attrs);
};

class Rng {
 public:
  // A generator for one run: from the seed attribute, or freshly seeded when there is none.
  explicit Rng(const Seed& seed);
  // Uniform on [0, 1) with 53 random bits: k / 2^53 for a uniformly drawn k.
  double uniform();
  // Standard normal by the Box-Muller transform: two uniforms give two independent normals
  // r cos(t), r sin(t) with r = sqrt(-2 ln u1), t = 2 pi u2; the second is kept for the
  // next call.
  double normal();

 private:
  std::mt19937_64 engine_;
  bool has_spare_ = false;
  double spare_ = 0;
};

// The float types RandomUniform/RandomNormal(-Like), Bernoulli and Multinomial produce or
// read: float16, float and double, and bfloat16 from opset 22.
inline std::vector<DType> random_float_dtypes(int opset) {
  return opset >= 22 ? float_dtypes_bf16() : float_dtypes();
}
inline const char* random_float_names(int opset) {
  return opset >= 22 ? "bfloat16, float16, float or double" : "float16, float or double";
}

// The `dtype` attribute of an op whose output is a float type; Undefined when absent.
template <class Ctx>
DType float_dtype_attr(const Attrs& attrs, Ctx& ctx) {
  if (!attrs.has("dtype")) return DType::Undefined;
  const int64_t code = attrs.get_int("dtype", 0);
  const DType dt = static_cast<DType>(code);
  const int opset = ctx.node().opset;
  if (code < 0 || code > 64 || !dtype_listed(random_float_dtypes(opset), dt))
    ctx.fail("attribute 'dtype' = " + std::to_string(code) + " (" +
             dtype_name_of_code(static_cast<int32_t>(code)) + ") is not " +
             random_float_names(opset) + " at opset " + std::to_string(opset));
  return dt;
}

}  // namespace random
}  // namespace onyx
