// The fast ConvTranspose (GEMM + col2im) and Einsum (batched GEMM) paths against their
// reference kernels, at 1, 2 and 4 threads.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "fast_check.h"
#include "linalg/einsum_equation.h"
#include "linalg/einsum_gemm.h"
#include "op_tester.h"

namespace onyx {
namespace {

using testing::expect_fast_matches_reference;
using testing::OpTester;
using testing::random_floats;

using Ints = std::vector<int64_t>;

struct ConvTConfig {
  int64_t n, c, m, group;
  Ints in, kernel, strides, dilations, pads, output_padding, output_shape;
  std::string auto_pad;
  bool bias;
};

void check_convtranspose(const ConvTConfig& k, std::mt19937& rng, const std::string& what) {
  Shape x_shape = {k.n, k.c};
  Shape w_shape = {k.c, k.m / k.group};
  for (int64_t d : k.in) x_shape.push_back(d);
  for (int64_t d : k.kernel) w_shape.push_back(d);
  OpTester t("ConvTranspose", 11);
  t.input("X", random_floats(x_shape, rng)).constant("W", random_floats(w_shape, rng));
  if (k.bias) t.constant("B", random_floats({k.m}, rng));
  if (!k.strides.empty()) t.attr("strides", k.strides);
  if (!k.dilations.empty()) t.attr("dilations", k.dilations);
  if (!k.pads.empty()) t.attr("pads", k.pads);
  if (!k.output_padding.empty()) t.attr("output_padding", k.output_padding);
  if (!k.output_shape.empty()) t.attr("output_shape", k.output_shape);
  if (!k.auto_pad.empty()) t.attr("auto_pad", k.auto_pad);
  if (k.group != 1) t.attr("group", k.group);
  t.output("Y");
  expect_fast_matches_reference(t, what);
}

TEST(FastConvTranspose, MatchesReference) {
  std::mt19937 rng(31);
  // n, c, m, group, in, kernel, strides, dilations, pads, output_padding, output_shape,
  // auto_pad, bias
  const std::vector<ConvTConfig> configs = {
      {1, 3, 5, 1, {7, 9}, {3, 3}, {}, {}, {}, {}, {}, "", true},                    // plain
      {2, 4, 6, 1, {5, 6}, {4, 4}, {2, 2}, {}, {1, 1, 1, 1}, {}, {}, "", true},      // decoder
      {1, 8, 4, 1, {11, 13}, {3, 3}, {3, 3}, {}, {0, 0, 0, 0}, {}, {}, "", false},   // stride 3
      {1, 3, 7, 1, {9, 8}, {3, 2}, {1, 2}, {2, 1}, {1, 0, 2, 1}, {}, {}, "", true},  // dilated
      {1, 5, 3, 1, {6, 7}, {3, 3}, {2, 3}, {}, {0, 2, 1, 0}, {1, 2}, {}, "", true},  // out pad
      {2, 2, 3, 1, {5, 5}, {3, 3}, {2, 2}, {}, {}, {}, {12, 11}, "", true},          // output_shape
      {1, 2, 3, 1, {5, 5}, {3, 3}, {2, 2}, {}, {}, {}, {1, 3, 9, 13}, "", false},    // with N, C
      {1, 3, 2, 1, {7, 6}, {3, 4}, {2, 2}, {}, {}, {}, {}, "SAME_UPPER", true},
      {1, 3, 2, 1, {7, 6}, {3, 4}, {2, 3}, {}, {}, {}, {}, "SAME_LOWER", false},
      {1, 6, 9, 3, {8, 7}, {3, 3}, {2, 2}, {}, {1, 1, 1, 1}, {}, {}, "", true},      // groups
      {2, 8, 8, 8, {6, 5}, {4, 4}, {2, 2}, {}, {1, 1, 1, 1}, {}, {}, "", true},      // depthwise
      {1, 16, 13, 1, {9, 10}, {1, 1}, {}, {}, {}, {}, {}, "", true},                 // 1x1
      {1, 7, 5, 1, {9, 11}, {1, 1}, {2, 2}, {}, {}, {1, 1}, {}, "", false},          // 1x1 stride 2
      {2, 5, 4, 1, {17}, {5}, {2}, {}, {2, 1}, {}, {}, "", true},                    // 1-D
      {1, 6, 4, 2, {13}, {3}, {3}, {2}, {0, 3}, {1}, {}, "", false},                 // 1-D groups
      {1, 3, 3, 1, {23}, {4}, {2}, {}, {}, {}, {}, "SAME_LOWER", true},              // 1-D SAME
      {0, 4, 3, 1, {5, 5}, {3, 3}, {2, 2}, {}, {}, {}, {}, "", true},                // empty batch
      {1, 1, 1, 1, {1, 1}, {1, 1}, {}, {}, {}, {}, {}, "", true},                    // all ones
      {1, 4, 3, 1, {1, 1}, {5, 5}, {3, 3}, {}, {}, {}, {}, "", true},                // one pixel
      {1, 3, 4, 1, {4, 5}, {3, 3}, {2, 2}, {}, {3, 3, 3, 3}, {}, {}, "", true},      // heavy pads
      {1, 2, 2, 1, {4, 4}, {3, 3}, {2, 2}, {}, {}, {}, {3, 12}, "", true},           // shape crops
      {1, 2, 3, 1, {3, 3}, {2, 2}, {1, 1}, {}, {}, {}, {6, 6}, "SAME_UPPER", true},  // past the end
      {1, 37, 31, 1, {29, 23}, {4, 4}, {2, 2}, {}, {1, 1, 1, 1}, {}, {}, "", true},  // primes
      {1, 64, 32, 1, {56, 30}, {4, 4}, {2, 2}, {}, {1, 1, 1, 1}, {}, {}, "", true},  // tiled rows
      {1, 3, 64, 1, {300}, {16}, {4}, {}, {6, 5}, {}, {}, "", true},  // 1-D, a row over budget
      {1, 2, 64, 1, {3, 70}, {8, 8}, {2, 3}, {}, {1, 2, 3, 4}, {}, {}, "", true},  // rows split
      {1, 3, 4, 1, {3, 4, 5}, {2, 2, 2}, {2, 1, 2}, {}, {}, {}, {}, "", true},     // 3-D: reference
  };
  for (size_t i = 0; i < configs.size(); ++i)
    check_convtranspose(configs[i], rng, "convtranspose config " + std::to_string(i));
}

TEST(FastConvTranspose, WeightsNotConstant) {
  // A W fed at run time takes the reference loop; the result is the same.
  std::mt19937 rng(32);
  OpTester t("ConvTranspose", 11);
  t.input("X", random_floats({1, 3, 5, 4}, rng))
      .input("W", random_floats({3, 2, 3, 3}, rng))
      .attr("strides", Ints{2, 2})
      .output("Y");
  expect_fast_matches_reference(t, "W as an input");
}

TEST(FastConvTranspose, NaNAndInfinity) {
  std::mt19937 rng(33);
  Tensor x = random_floats({1, 2, 4, 4}, rng);
  x.data<float>()[3] = testing::kNaN;
  x.data<float>()[20] = testing::kInf;
  OpTester t("ConvTranspose", 11);
  t.input("X", x)
      .constant("W", random_floats({2, 3, 3, 3}, rng))
      .attr("strides", Ints{2, 2})
      .output("Y");
  expect_fast_matches_reference(t, "NaN and inf");
}

// ---- Einsum ----

// Operand shapes for an explicit equation: each letter gets its size from `sizes`
// ('a' first), and "..." in operand k stands for `ellipsis[k]`.
std::vector<Shape> operand_shapes(const std::string& equation, const std::vector<int64_t>& sizes,
                                  const std::vector<Shape>& ellipsis) {
  std::vector<Shape> shapes(1);
  const std::string inputs = equation.substr(0, equation.find("->"));
  for (size_t i = 0; i < inputs.size(); ++i) {
    const char ch = inputs[i];
    if (ch == ',') {
      shapes.emplace_back();
    } else if (ch == '.') {
      const Shape& e = ellipsis[shapes.size() - 1];
      shapes.back().insert(shapes.back().end(), e.begin(), e.end());
      i += 2;
    } else {
      shapes.back().push_back(sizes[static_cast<size_t>(ch - 'a')]);
    }
  }
  return shapes;
}

// Whether the fast path takes the equation on operands of these shapes.
bool takes_gemm(const std::string& equation, const std::vector<Shape>& shapes) {
  const EinsumEquation eq = EinsumEquation::parse(equation);
  std::vector<size_t> ranks;
  for (const Shape& s : shapes) ranks.push_back(s.size());
  const EinsumBinding b = EinsumBinding::bind(eq, ranks);
  return EinsumGemmPlan::make(b, b.label_sizes(shapes), shapes).has_value();
}

void check_einsum(const std::string& equation, const std::vector<Shape>& shapes, bool gemm,
                  std::mt19937& rng) {
  const std::string what = equation + " on " + [&] {
    std::string s;
    for (const Shape& sh : shapes) s += shape_to_string(sh);
    return s;
  }();
  EXPECT_EQ(takes_gemm(equation, shapes), gemm) << what;
  OpTester t("Einsum", 12);
  for (size_t k = 0; k < shapes.size(); ++k)
    t.input("in" + std::to_string(k), random_floats(shapes[k], rng));
  t.attr("equation", equation).output("out");
  expect_fast_matches_reference(t, what);
}

TEST(FastEinsum, ContractionsMatchReference) {
  std::mt19937 rng(41);
  const std::vector<std::string> equations = {
      "ij,jk->ik",    "bij,bjk->bik", "bhqd,bhkd->bhqk", "bhqk,bhkd->bhqd", "ik,jk->ij",
      "i,i->",        "ij,jk->ki",    "ji,kj->ik",       "ij,kj->jik",      "i,j->ij",
      "bi,bi->b",     "ij,ij->",      "abc,cd->abd",     "abc,cbd->ad",     "ijk,jil->kl",
      "bij,bkj->bki", "bqd,kd->bqk",  "ib,jb->bij",      "ab,cd->acbd",     "iabj,bjc->aic",
      "ij,jk",        "bij,bjk",      "ba,cb",
  };
  // Sizes per letter: 1s, primes and odd sizes, larger ones.
  const std::vector<std::vector<int64_t>> size_sets = {
      {2, 3, 4, 5, 6, 7, 2, 3, 4, 5, 6, 7, 2, 3, 4, 5, 6, 7, 2, 3, 4, 5, 6, 7, 2, 3},
      {1, 7, 1, 13, 3, 1, 5, 1, 11, 2, 17, 1, 3, 1, 2, 9, 1, 4, 1, 5, 1, 3, 1, 7, 1, 2},
      {3, 37, 29, 17, 31, 19, 41, 23, 13, 43, 11, 47, 7, 5, 3, 2, 53, 5, 3, 2, 5, 7, 3, 2, 5, 3},
  };
  for (const std::string& eq : equations)
    for (const auto& sizes : size_sets) check_einsum(eq, operand_shapes(eq, sizes, {}), true, rng);
}

TEST(FastEinsum, LargeProducts) {
  std::mt19937 rng(42);
  check_einsum("bhqd,bhkd->bhqk", {{1, 3, 70, 64}, {1, 3, 90, 64}}, true, rng);
  check_einsum("bhqk,bhkd->bhqd", {{2, 2, 65, 129}, {2, 2, 129, 33}}, true, rng);
  check_einsum("ij,jk->ik", {{150, 333}, {333, 200}}, true, rng);  // split over threads
  check_einsum("ik,jk->ij", {{1, 700}, {300, 700}}, true, rng);
  check_einsum("i,i->", {{10007}, {10007}}, true, rng);
}

TEST(FastEinsum, Ellipsis) {
  std::mt19937 rng(43);
  check_einsum("...ij,...jk->...ik", {{2, 3, 4, 5}, {2, 3, 5, 6}}, true, rng);
  check_einsum("...ij,jk->...ik", {{2, 3, 4, 5}, {5, 7}}, true, rng);
  check_einsum("b...d,b...d->b...", {{2, 3, 4, 5}, {2, 3, 4, 5}}, true, rng);
  check_einsum("...ij,...jk", {{3, 4, 5}, {3, 5, 2}}, true, rng);
  // A batch dim of 1 broadcast against 3: the reference loop.
  check_einsum("...ij,...jk->...ik", {{1, 4, 5}, {3, 5, 6}}, false, rng);
}

TEST(FastEinsum, OtherEquationsFallBack) {
  std::mt19937 rng(44);
  check_einsum("ii->i", {{5, 5}}, false, rng);                         // one operand, diagonal
  check_einsum("ij->ji", {{3, 4}}, false, rng);                        // one operand
  check_einsum("ij,jk,kl->il", {{2, 3}, {3, 4}, {4, 5}}, false, rng);  // three operands
  check_einsum("ii,ij->j", {{4, 4}, {4, 3}}, false, rng);              // repeated label
  check_einsum("ij,jk->k", {{3, 4}, {4, 5}}, false, rng);              // i summed in one operand
  check_einsum("bij,bjk->bik", {{1, 3, 4}, {5, 4, 2}}, false, rng);    // b broadcast
}

TEST(FastEinsum, EmptyAndEdgeValues) {
  std::mt19937 rng(45);
  check_einsum("ij,jk->ik", {{0, 3}, {3, 4}}, true, rng);  // empty output
  check_einsum("ij,jk->ik", {{3, 0}, {0, 4}}, true, rng);  // empty sum: zeros
  check_einsum("bij,bjk->bik", {{0, 2, 3}, {0, 3, 2}}, true, rng);
  OpTester t("Einsum", 12);
  Tensor a = random_floats({4, 6}, rng), b = random_floats({6, 5}, rng);
  a.data<float>()[7] = testing::kNaN;
  b.data<float>()[2] = testing::kInf;
  t.input("a", a).input("b", b).attr("equation", "ij,jk->ik").output("out");
  expect_fast_matches_reference(t, "NaN and inf");
}

}  // namespace
}  // namespace onyx
