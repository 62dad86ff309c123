// One-node tests of RotaryEmbedding (opset 23) on inputs small enough to work out by hand; each
// expected value is derived in the comment above.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "onyx/onyx.h"
#include "op_tester.h"

namespace onyx {
namespace {

using testing::error_of;
using testing::floats;
using testing::ints;
using testing::OpTester;

void expect_near(const Tensor& got, const Shape& shape, const std::vector<float>& want) {
  ASSERT_EQ(got.shape(), shape);
  std::vector<float> v = got.to_vector<float>();
  ASSERT_EQ(v.size(), want.size());
  for (size_t i = 0; i < v.size(); ++i) EXPECT_NEAR(v[i], want[i], 1e-5) << "at " << i;
}

// RotaryEmbedding with cos 0, sin 1 turns each pair (x1, x2) into (-x2, x1).
TEST(RotaryEmbeddingOp, HalvesAndInterleavedPairs) {
  // Head [1, 2, 3, 4], caches cos [0, 1], sin [1, 0] (pair 0 turned, pair 1 kept).
  // Halves: pairs (x0, x2) = (1, 3) -> (-3, 1) and (x1, x3) = (2, 4) kept: [-3, 2, 1, 4].
  // Interleaved: pairs (x0, x1) = (1, 2) -> (-2, 1) and (x2, x3) kept: [-2, 1, 3, 4].
  for (int64_t interleaved : {0, 1}) {
    OpTester t("RotaryEmbedding", 23);
    t.input("X", floats({1, 1, 1, 4}, {1, 2, 3, 4}))
        .input("cos", floats({1, 1, 2}, {0, 1}))
        .input("sin", floats({1, 1, 2}, {1, 0}))
        .attr("interleaved", interleaved)
        .output("Y");
    expect_near(t.run()[0], {1, 1, 1, 4},
                interleaved ? std::vector<float>{-2, 1, 3, 4} : std::vector<float>{-3, 2, 1, 4});
  }
}

TEST(RotaryEmbeddingOp, PositionIdsPickCacheRows) {
  // Row 0 of the caches is the identity, row 1 the turn above; position 1 picks row 1.
  OpTester t("RotaryEmbedding", 23);
  t.input("X", floats({1, 1, 1, 4}, {1, 2, 3, 4}))
      .input("cos", floats({2, 2}, {1, 1, 0, 1}))
      .input("sin", floats({2, 2}, {0, 0, 1, 0}))
      .input("position_ids", ints({1, 1}, {1}))
      .output("Y");
  expect_near(t.run()[0], {1, 1, 1, 4}, {-3, 2, 1, 4});

  OpTester bad("RotaryEmbedding", 23);
  bad.input("X", floats({1, 1, 1, 4}, {1, 2, 3, 4}))
      .input("cos", floats({2, 2}, {1, 1, 0, 1}))
      .input("sin", floats({2, 2}, {0, 0, 1, 0}))
      .input("position_ids", ints({1, 1}, {2}))
      .output("Y");
  EXPECT_NE(error_of([&] { bad.run(); }).find("position id 2"), std::string::npos);
}

TEST(RotaryEmbeddingOp, PartialRotationOfThreeDimensionalInput) {
  // X [1, 1, 8] as 2 heads of 4, rotary_embedding_dim 2 (one pair (x0, x1) per head):
  // head 0 [1, 2, 3, 4] -> [-2, 1, 3, 4], head 1 [5, 6, 7, 8] -> [-6, 5, 7, 8].
  OpTester t("RotaryEmbedding", 23);
  t.input("X", floats({1, 1, 8}, {1, 2, 3, 4, 5, 6, 7, 8}))
      .input("cos", floats({1, 1, 1}, {0}))
      .input("sin", floats({1, 1, 1}, {1}))
      .attr("num_heads", int64_t{2})
      .attr("rotary_embedding_dim", int64_t{2})
      .output("Y");
  expect_near(t.run()[0], {1, 1, 8}, {-2, 1, 3, 4, -6, 5, 7, 8});
}

}  // namespace
}  // namespace onyx
