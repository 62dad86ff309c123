// The fast Softmax, LogSoftmax and LayerNormalization paths (kernels/simd/normalize.h)
// against the reference kernels: coerce-2-D (opset 11) and single-axis (opset 13) slices,
// contiguous and strided, odd, length-1 and empty shapes, NaN and infinities, at 1, 2 and
// 4 threads.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "fast_check.h"

namespace onyx {
namespace {

using testing::expect_fast_matches_reference;
using testing::floats;
using testing::kInf;
using testing::kNaN;
using testing::OpTester;
using testing::random_floats;

std::string shape_label(const Shape& s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) out += (i ? "," : "") + std::to_string(s[i]);
  return out + "]";
}

Tensor scaled(Tensor t, float factor) {
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] *= factor;
  return t;
}

struct AxisCase {
  Shape shape;
  int64_t axis;
};

// Shapes and axes that give contiguous rows (inner 1), strided columns (inner > 1), the
// long rows of attention, length 1 and empty tensors.
const std::vector<AxisCase> kSoftmaxCases = {
    {{7}, 0},
    {{1}, 0},
    {{3, 1}, 1},
    {{5, 13}, 1},
    {{5, 13}, -1},
    {{4, 9}, 0},
    {{2, 3, 17}, -1},
    {{2, 3, 17}, 1},
    {{2, 3, 17}, -3},
    {{3, 31, 5, 7}, 1},
    {{1, 1000, 7, 7}, 1},
    {{2, 19, 300}, 1},
    {{2, 6, 129, 67}, 3},
    {{4, 1, 33}, 1},
    {{1, 37, 1}, 1},
    {{3, 0, 4}, 1},
    {{0, 5}, 1},
    {{3, 4, 0}, 1},
    {{3, 4, 0}, 2},
};

TEST(FastNormalize, SoftmaxMatchesReference) {
  std::mt19937 rng(31);
  for (const char* op : {"Softmax", "LogSoftmax", "Hardmax"})
    for (int opset : {11, 13})
      for (const AxisCase& c : kSoftmaxCases)
        for (float range : {1.0f, 40.0f}) {
          OpTester t(op, opset);
          t.input("X", scaled(random_floats(c.shape, rng), range)).attr("axis", c.axis).output("Y");
          expect_fast_matches_reference(t, std::string(op) + " opset " + std::to_string(opset) +
                                               " " + shape_label(c.shape) + " axis " +
                                               std::to_string(c.axis));
        }
}

TEST(FastNormalize, SoftmaxDefaultAxis) {
  std::mt19937 rng(32);
  for (int opset : {1, 11, 13}) {
    OpTester t("Softmax", opset);
    t.input("X", random_floats({3, 4, 21}, rng)).output("Y");
    expect_fast_matches_reference(t, "default axis, opset " + std::to_string(opset));
  }
}

// Rows (axis -1) and columns (axis 0) of edge values: NaN, +-inf, all -inf, huge values.
TEST(FastNormalize, SoftmaxEdgeValues) {
  const float big = 3e38f;
  const std::vector<std::vector<float>> rows = {
      {1, kNaN, 2, 3, 4, 5, 6, 7, 8, 9, 10},      // NaN in the middle
      {kNaN, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10},      // NaN first
      {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, kNaN},      // NaN in the tail
      {1, 2, kInf, 3, 4, 5, 6, 7, 8, 9, 10},      // +inf
      {-kInf, 2, 3, 4, 5, -kInf, 7, 8, 9, 0, 1},  // -inf elements
      {-kInf, -kInf, -kInf, -kInf, -kInf, -kInf, -kInf, -kInf, -kInf, -kInf, -kInf},
      {big, -big, big, 0, 1, 2, 3, 4, 5, 6, 7},  // huge, overflowing differences
      {-100, -200, 0, -300, -400, -500, -90, -88, -87, -1000, -20},
      {5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5},
  };
  std::vector<float> values;
  for (const auto& r : rows) values.insert(values.end(), r.begin(), r.end());
  const Tensor x = floats({static_cast<int64_t>(rows.size()), 11}, values);
  for (const char* op : {"Softmax", "LogSoftmax"})
    for (int64_t axis : {-1, 0}) {
      OpTester t(op, 13);
      t.input("X", x).attr("axis", axis).output("Y");
      expect_fast_matches_reference(t,
                                    std::string(op) + " edge values, axis " + std::to_string(axis));
    }
}

struct LayerNormCase {
  Shape shape;
  int64_t axis;
  Shape scale;  // empty: X's normalized dims
};

TEST(FastNormalize, LayerNormMatchesReference) {
  std::mt19937 rng(41);
  const std::vector<LayerNormCase> cases = {
      {{128, 768}, -1, {}},    // BERT
      {{2, 5, 64}, -1, {}},    // last dim
      {{2, 5, 64}, 1, {}},     // two dims
      {{2, 5, 64}, -2, {}},    // the same, negative
      {{2, 5, 64}, 0, {}},     // everything, one row
      {{3, 7, 11}, 2, {}},     // odd
      {{3, 1}, 1, {}},         // length 1
      {{1, 1}, -1, {}},        // one element
      {{17, 3}, 1, {}},        // short rows
      {{4, 999}, 1, {}},       // odd long rows
      {{4, 5, 6}, 1, {6}},     // broadcast over dim 1: reference loop
      {{4, 5, 6}, 1, {1, 6}},  // the same
      {{4, 1, 6}, 1, {6}},     // fewer dims, every element: fast path
      {{4, 5, 6}, -1, {1}},    // one scale for all
      {{0, 8}, 1, {}},         // no rows
      {{3, 0}, 1, {}},         // empty rows: NaN statistics
  };
  for (const LayerNormCase& c : cases)
    for (bool with_bias : {false, true})
      for (int outputs : {1, 2, 3}) {
        const int rank = static_cast<int>(c.shape.size());
        const int axis = static_cast<int>(c.axis < 0 ? c.axis + rank : c.axis);
        const Shape inner =
            c.scale.empty() ? Shape(c.shape.begin() + axis, c.shape.end()) : c.scale;
        OpTester t("LayerNormalization", 17);
        t.input("X", random_floats(c.shape, rng)).input("Scale", random_floats(inner, rng));
        if (with_bias) t.input("B", random_floats(inner, rng));
        t.attr("axis", c.axis).output("Y");
        if (outputs > 1) t.output("Mean");
        if (outputs > 2) t.output("InvStdDev");
        expect_fast_matches_reference(t, "LayerNorm " + shape_label(c.shape) + " axis " +
                                             std::to_string(c.axis) + " scale " +
                                             shape_label(inner) + (with_bias ? " bias" : "") +
                                             " outputs " + std::to_string(outputs));
      }
}

TEST(FastNormalize, LayerNormStashTypeAndEpsilon) {
  std::mt19937 rng(42);
  for (int64_t stash : {1, 16}) {
    OpTester t("LayerNormalization", 17);
    t.input("X", random_floats({6, 40}, rng))
        .input("Scale", random_floats({40}, rng))
        .input("B", random_floats({40}, rng))
        .attr("stash_type", stash)
        .attr("epsilon", 0.5f)
        .output("Y")
        .output("Mean")
        .output("InvStdDev");
    expect_fast_matches_reference(t, "stash_type " + std::to_string(stash));
  }
}

// Statistics that float sums would get wrong: a large offset with small deviations.
TEST(FastNormalize, LayerNormLargeOffset) {
  std::mt19937 rng(43);
  Tensor x = random_floats({8, 4096}, rng);
  for (int64_t i = 0; i < x.numel(); ++i) x.data<float>()[i] = 1000.0f + 0.01f * x.data<float>()[i];
  OpTester t("LayerNormalization", 17);
  t.input("X", x)
      .input("Scale", random_floats({4096}, rng))
      .input("B", random_floats({4096}, rng))
      .output("Y")
      .output("Mean")
      .output("InvStdDev");
  expect_fast_matches_reference(t, "large offset");
}

TEST(FastNormalize, LayerNormEdgeValues) {
  const std::vector<std::vector<float>> rows = {
      {1, kNaN, 2, 3, 4, 5, 6, 7, 8, 9, 10},          {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, kNaN},
      {1, 2, kInf, 3, 4, 5, 6, 7, 8, 9, 10},          {-kInf, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1},
      {3e38f, -3e38f, 3e38f, 0, 1, 2, 3, 4, 5, 6, 7}, {5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5},
      {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1e-30f},
  };
  std::vector<float> values;
  for (const auto& r : rows) values.insert(values.end(), r.begin(), r.end());
  std::mt19937 rng(44);
  OpTester t("LayerNormalization", 17);
  t.input("X", floats({static_cast<int64_t>(rows.size()), 11}, values))
      .input("Scale", random_floats({11}, rng))
      .input("B", random_floats({11}, rng))
      .output("Y")
      .output("Mean")
      .output("InvStdDev");
  expect_fast_matches_reference(t, "LayerNorm edge values");
}

TEST(FastNormalize, LayerNormRejectsScaleThatDoesNotBroadcast) {
  std::mt19937 rng(45);
  OpTester t("LayerNormalization", 17);
  t.input("X", random_floats({4, 6}, rng)).input("Scale", random_floats({5}, rng)).output("Y");
  for (bool reference : {true, false}) {
    const std::string error = testing::error_of([&] { t.session(2, reference).run(t.feeds()); });
    EXPECT_NE(error.find("does not broadcast"), std::string::npos) << error;
  }
}

}  // namespace
}  // namespace onyx
