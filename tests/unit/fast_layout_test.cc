// Property tests of the data-movement fast paths (kernels::permute under Transpose,
// DepthToSpace and SpaceToDepth; Slice's block copies) against the reference kernels, at
// 1, 2 and 4 threads: every element must arrive bit for bit, for every element width.
#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <numeric>
#include <random>

#include "fast_check.h"

namespace onyx {
namespace {

using testing::expect_same_bits_or_nan;
using testing::OpTester;

// Random bytes: every bit pattern is a valid value of the integer types, and for floats
// they include NaNs with payloads, infinities, denormals and negative zeros.
Tensor random_bits(DType dtype, Shape shape, std::mt19937& rng) {
  Tensor t(dtype, std::move(shape));
  auto* bytes = static_cast<unsigned char*>(t.raw());
  for (size_t i = 0; i < t.nbytes(); ++i) bytes[i] = static_cast<unsigned char>(rng());
  if (dtype == DType::Bool)
    for (size_t i = 0; i < t.nbytes(); ++i) bytes[i] &= 1;
  return t;
}

// Floats with the edge values in known places: NaN, infinities, signed zeros.
Tensor floats_with_edges(Shape shape, std::mt19937& rng) {
  Tensor t = testing::random_floats(std::move(shape), rng);
  const float edges[] = {std::numeric_limits<float>::quiet_NaN(),
                         std::numeric_limits<float>::infinity(),
                         -std::numeric_limits<float>::infinity(),
                         -0.0f,
                         0.0f,
                         std::numeric_limits<float>::denorm_min()};
  for (int64_t i = 0; i < t.numel(); i += 7) t.data<float>()[i] = edges[(i / 7) % 6];
  return t;
}

void expect_transpose_matches(const Tensor& x, const std::vector<int64_t>& perm,
                              const std::string& what) {
  OpTester t("Transpose", 13);
  t.input("X", x).attr("perm", perm).output("Y");
  expect_same_bits_or_nan(t, what);
}

std::string describe(const Shape& shape, const std::vector<int64_t>& perm) {
  return "shape " + shape_to_string(shape) + " perm " + shape_to_string(perm);
}

TEST(FastLayout, TransposeEveryPermutationOfRank4) {
  std::mt19937 rng(3);
  const Shape shapes[] = {{2, 3, 5, 7}, {9, 1, 17, 10}, {33, 2, 1, 40}};
  for (const Shape& shape : shapes) {
    std::vector<int64_t> perm = {0, 1, 2, 3};
    const Tensor x = floats_with_edges(shape, rng);
    do {
      expect_transpose_matches(x, perm, describe(shape, perm));
    } while (std::next_permutation(perm.begin(), perm.end()));
  }
}

TEST(FastLayout, TransposeShapesAndWidths) {
  std::mt19937 rng(5);
  struct Case {
    Shape shape;
    std::vector<int64_t> perm;
  };
  const std::vector<Case> cases = {
      {{}, {}},                                  // a scalar
      {{1}, {0}},                                // one element
      {{0, 3}, {1, 0}},                          // empty
      {{4, 0, 2}, {2, 0, 1}},                    // empty in the middle
      {{7}, {0}},                                // identity
      {{1, 1, 1}, {2, 0, 1}},                    // all size 1
      {{31, 37}, {1, 0}},                        // primes, not tile multiples
      {{64, 96}, {1, 0}},                        // whole tiles
      {{1, 128, 12, 64}, {0, 2, 1, 3}},          // attention heads: row copies
      {{1, 12, 128, 64}, {0, 1, 3, 2}},          // K transposed: tiles
      {{1, 2, 58, 7, 7}, {0, 2, 1, 3, 4}},       // channel shuffle
      {{3, 300, 65}, {2, 0, 1}},                 // several tasks
      {{2, 5, 1, 3, 1, 4}, {5, 3, 1, 0, 2, 4}},  // size-1 dims dropped
      {{8, 16, 24}, {2, 1, 0}},                  // reverse
      {{1000, 3}, {1, 0}},                       // short rows, long columns
      {{3, 1000}, {1, 0}},                       // long rows, short columns
      {{2, 3, 2, 3, 2, 3}, {1, 3, 5, 0, 2, 4}},  // rank 6
  };
  const DType dtypes[] = {DType::Float, DType::UInt8,  DType::Bool,    DType::Float16,
                          DType::Int32, DType::Double, DType::Int64,   DType::Int16,
                          DType::Int8,  DType::UInt64, DType::BFloat16};
  for (const Case& c : cases) {
    for (DType dtype : dtypes) {
      const Tensor x = random_bits(dtype, c.shape, rng);
      expect_transpose_matches(x, c.perm, describe(c.shape, c.perm) + " " + dtype_name(dtype));
    }
  }
}

TEST(FastLayout, TransposeDefaultPermutationReverses) {
  std::mt19937 rng(7);
  OpTester t("Transpose", 13);
  t.input("X", floats_with_edges({3, 17, 40}, rng)).output("Y");
  expect_same_bits_or_nan(t, "no perm");
}

TEST(FastLayout, DepthToSpaceAndSpaceToDepthMatchReference) {
  std::mt19937 rng(9);
  struct Case {
    const char* op;
    const char* mode;  // DepthToSpace; SpaceToDepth from opset 28 ("" for none)
    int64_t blocksize;
    Shape shape;
  };
  const std::vector<Case> cases = {
      {"DepthToSpace", "DCR", 2, {1, 8, 3, 5}},    {"DepthToSpace", "CRD", 2, {2, 12, 7, 4}},
      {"DepthToSpace", "DCR", 3, {1, 27, 11, 13}}, {"DepthToSpace", "CRD", 3, {1, 18, 1, 1}},
      {"DepthToSpace", "DCR", 1, {2, 3, 4, 5}},    {"DepthToSpace", "DCR", 2, {0, 8, 3, 3}},
      {"DepthToSpace", "DCR", 4, {1, 64, 33, 20}}, {"DepthToSpace", "CRD", 2, {1, 36, 40, 41}},
      {"SpaceToDepth", "", 2, {1, 3, 6, 8}},       {"SpaceToDepth", "", 3, {2, 5, 9, 15}},
      {"SpaceToDepth", "", 4, {1, 16, 64, 36}},    {"SpaceToDepth", "", 1, {1, 2, 3, 3}},
      {"SpaceToDepth", "CRD", 2, {1, 3, 6, 8}},    {"SpaceToDepth", "CRD", 3, {2, 5, 9, 15}},
      {"SpaceToDepth", "DCR", 2, {1, 4, 8, 2}},
  };
  for (const Case& c : cases) {
    for (DType dtype : {DType::Float, DType::UInt8, DType::Int64, DType::Float16}) {
      const bool space_to_depth_mode = std::string(c.op) == "SpaceToDepth" && *c.mode;
      OpTester t(c.op, space_to_depth_mode ? 28 : 13);
      t.input("X", random_bits(dtype, c.shape, rng)).attr("blocksize", c.blocksize);
      if (*c.mode) t.attr("mode", std::string(c.mode));
      t.output("Y");
      expect_same_bits_or_nan(t, std::string(c.op) + " " + c.mode + " b" +
                                     std::to_string(c.blocksize) + " " + shape_to_string(c.shape) +
                                     " " + dtype_name(dtype));
    }
  }
}

Tensor int64s(std::vector<int64_t> values) {
  Tensor t(DType::Int64, {static_cast<int64_t>(values.size())});
  for (size_t i = 0; i < values.size(); ++i) t.data<int64_t>()[i] = values[i];
  return t;
}

TEST(FastLayout, SliceMatchesReference) {
  std::mt19937 rng(17);
  struct Case {
    Shape shape;
    std::vector<int64_t> starts, ends, axes, steps;
  };
  const std::vector<Case> cases = {
      {{10, 20}, {2, 3}, {8, 17}, {0, 1}, {1, 1}},        // rows of step 1: block copies
      {{10, 20}, {2, 3}, {8, 17}, {0, 1}, {2, 3}},        // strided rows
      {{4, 5, 33}, {-1}, {-100}, {0}, {-1}},              // reversed outer dim
      {{4, 5, 33}, {30}, {0}, {2}, {-2}},                 // reversed inner dim
      {{3, 1, 7}, {0, 0}, {1000, 1000}, {1, 2}, {1, 1}},  // ends past the dims
      {{6, 6}, {3}, {3}, {1}, {1}},                       // empty
      {{2, 3, 4, 5}, {1, 1, 1}, {2, 3, 5}, {1, 2, 3}, {1, 1, 1}},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    const Case& c = cases[i];
    for (DType dtype : {DType::Float, DType::UInt8, DType::Int64, DType::Float16}) {
      OpTester t("Slice", 13);
      t.input("X", random_bits(dtype, c.shape, rng))
          .constant("starts", int64s(c.starts))
          .constant("ends", int64s(c.ends))
          .constant("axes", int64s(c.axes))
          .constant("steps", int64s(c.steps))
          .output("Y");
      expect_same_bits_or_nan(t, "slice case " + std::to_string(i) + " " + dtype_name(dtype));
    }
  }
}

}  // namespace
}  // namespace onyx
