// Property tests: every fast kernel against the reference kernel of its op, on random
// and edge shapes (1, primes, odd sizes, empty), at 1, 2 and 4 threads. The reference
// session (SessionOptions::reference_kernels) is the oracle.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "fast_check.h"

namespace onyx {
namespace {

using testing::expect_fast_matches_reference;
using testing::expect_same_bits_or_nan;
using testing::OpTester;
using testing::random_floats;

TEST(FastKernels, ConvMatchesReference) {
  std::mt19937 rng(11);
  struct Config {
    int64_t n, c, m, group, h, w, kh, kw, sh, sw, dh, dw;
    std::vector<int64_t> pads;
    bool bias;
  };
  const std::vector<Config> configs = {
      {1, 3, 8, 1, 17, 13, 3, 3, 1, 1, 1, 1, {1, 1, 1, 1}, true},      // 3x3 padded
      {2, 16, 24, 1, 9, 9, 1, 1, 1, 1, 1, 1, {0, 0, 0, 0}, true},      // pointwise, batch 2
      {1, 5, 7, 1, 23, 19, 7, 7, 2, 2, 1, 1, {3, 3, 3, 3}, false},     // 7x7 stride 2
      {1, 3, 16, 1, 15, 14, 3, 3, 2, 2, 1, 1, {0, 0, 0, 0}, true},     // 3x3 stride 2, unpadded
      {1, 4, 9, 1, 16, 17, 3, 3, 1, 2, 1, 2, {1, 2, 0, 1}, true},      // stride 2, dilated
      {1, 8, 8, 8, 15, 15, 3, 3, 1, 1, 1, 1, {1, 1, 1, 1}, true},      // depthwise
      {2, 32, 32, 32, 28, 28, 3, 3, 1, 1, 1, 1, {1, 1, 1, 1}, false},  // depthwise, many chunks
      {1, 12, 12, 12, 16, 11, 3, 3, 2, 2, 1, 1, {1, 0, 1, 2}, true},   // depthwise s2 asym
      {1, 9, 9, 9, 14, 13, 3, 3, 2, 2, 1, 1, {1, 1, 1, 1}, true},      // depthwise s2, odd pad
      {1, 5, 5, 5, 12, 17, 3, 3, 2, 2, 1, 1, {0, 3, 2, 0}, false},     // depthwise s2, pad 3
      {1, 12, 18, 3, 10, 10, 3, 1, 1, 2, 2, 1, {2, 0, 1, 0}, true},    // grouped, dilated
      {1, 4, 6, 2, 1, 1, 1, 1, 1, 1, 1, 1, {0, 0, 0, 0}, false},       // 1x1 spatial
      {1, 2, 40, 1, 31, 37, 5, 3, 3, 1, 1, 2, {0, 1, 2, 3}, true},     // odd everything
      {1, 3, 20, 1, 20, 22, 3, 3, 3, 3, 1, 1, {1, 1, 1, 1}, true},     // stride 3 each way
      {1, 300, 5, 1, 4, 4, 3, 3, 1, 1, 1, 1, {1, 1, 1, 1}, true},      // K crosses a block
      {1, 3, 2, 1, 2, 2, 3, 3, 1, 1, 1, 1, {0, 0, 0, 0}, true},        // kernel > input: empty
      {1, 6, 6, 6, 7, 7, 5, 5, 3, 3, 2, 2, {4, 4, 4, 4}, false},       // depthwise dilated
      {1, 10, 10, 10, 13, 19, 3, 3, 1, 1, 2, 2, {2, 2, 2, 2}, true},   // depthwise 3x3 dilated
      {1, 7, 7, 7, 12, 21, 3, 3, 2, 1, 1, 1, {1, 1, 1, 1}, true},      // depthwise, rows s2
      {0, 3, 4, 1, 5, 5, 3, 3, 1, 1, 1, 1, {1, 1, 1, 1}, true},        // empty batch
      {1, 40, 64, 1, 7, 7, 1, 1, 1, 1, 1, 1, {0, 0, 0, 0}, true},      // pointwise 7x7: transposed
      {2, 33, 161, 1, 7, 7, 1, 1, 1, 1, 1, 1, {0, 0, 0, 0}, false},    // the same, odd channels
  };
  for (size_t i = 0; i < configs.size(); ++i) {
    const Config& k = configs[i];
    OpTester t("Conv", 11);
    t.input("X", random_floats({k.n, k.c, k.h, k.w}, rng))
        .constant("W", random_floats({k.m, k.c / k.group, k.kh, k.kw}, rng));
    if (k.bias) t.constant("B", random_floats({k.m}, rng));
    t.attr("group", k.group)
        .attr("strides", std::vector<int64_t>{k.sh, k.sw})
        .attr("dilations", std::vector<int64_t>{k.dh, k.dw})
        .attr("pads", k.pads)
        .output("Y");
    if (k.h + k.pads[0] + k.pads[2] < (k.kh - 1) * k.dh + 1) {
      // No window fits: the op must fail the same way in both modes.
      const std::string e = testing::error_of([&] { t.run(); });
      EXPECT_TRUE(testing::mentions(e, "kernel extent")) << e;
      EXPECT_TRUE(testing::mentions(e, "exceeds padded input size")) << e;
      continue;
    }
    expect_fast_matches_reference(t, "conv config " + std::to_string(i));
  }
}

// The transposed product of pointwise layers on small planes (Y^T = X^T W^T, then
// transposed): bias, residual and activation must land on the right elements.
TEST(FastKernels, PointwiseSmallPlaneEpilogueMatchesReference) {
  std::mt19937 rng(12);
  for (int64_t hw : {7, 1, 3}) {
    for (int64_t m : {64, 19}) {
      OpTester t("FusedConv", 1, "ai.onyx");
      t.input("X", random_floats({1, 24, hw, hw}, rng))
          .constant("W", random_floats({m, 24, 1, 1}, rng))
          .constant("B", random_floats({m}, rng))
          .input("Z", random_floats({1, m, hw, hw}, rng))
          .attr("kernel_shape", std::vector<int64_t>{1, 1})
          .attr("activation", std::string("Relu"))
          .output("Y");
      expect_fast_matches_reference(t, "pointwise " + std::to_string(hw) + "x" +
                                           std::to_string(hw) + " to " + std::to_string(m));
    }
  }
}

TEST(FastKernels, WinogradConvMatchesReference) {
  // 3x3 stride-1 layers with 32 or more channels each way take Winograd F(4x4, 3x3).
  std::mt19937 rng(21);
  struct Config {
    int64_t n, c, m, h, w;
    std::vector<int64_t> pads;
  };
  // Inputs of at least kWinogradMinTiles 4x4 tiles; odd sizes leave partial tiles.
  for (const Config& k :
       {Config{1, 32, 32, 23, 29, {1, 1, 1, 1}}, Config{2, 48, 32, 33, 26, {1, 1, 1, 1}},
        Config{1, 35, 40, 30, 22, {0, 0, 0, 0}}, Config{1, 300, 33, 24, 24, {1, 0, 2, 1}},
        Config{1, 64, 32, 58, 31, {1, 1, 1, 1}}}) {
    OpTester t("Conv", 11);
    t.input("X", random_floats({k.n, k.c, k.h, k.w}, rng))
        .constant("W", random_floats({k.m, k.c, 3, 3}, rng))
        .constant("B", random_floats({k.m}, rng))
        .attr("pads", k.pads)
        .output("Y");
    // Winograd's transforms cost accuracy: outputs here are sums of 9 C products of
    // values in [-1, 1]; 2e-6 x 9C bounds the error relative to that scale.
    expect_fast_matches_reference(t,
                                  "Winograd C=" + std::to_string(k.c) + " M=" + std::to_string(k.m),
                                  2e-6f * 9 * static_cast<float>(k.c));
  }
}

TEST(FastKernels, ConvAutoPadSameUpper) {
  std::mt19937 rng(12);
  OpTester t("Conv", 11);
  t.input("X", random_floats({1, 4, 10, 9}, rng))
      .constant("W", random_floats({5, 4, 4, 3}, rng))
      .attr("auto_pad", "SAME_UPPER")
      .attr("strides", std::vector<int64_t>{2, 2})
      .output("Y");
  expect_fast_matches_reference(t, "SAME_UPPER");
}

TEST(FastKernels, GemmMatchesReference) {
  std::mt19937 rng(13);
  for (int64_t M : {1, 6, 29})
    for (int64_t N : {1, 16, 33})
      for (int64_t K : {1, 300})
        for (int trans = 0; trans < 4; ++trans)
          for (bool constant_b : {false, true}) {
            const bool ta = trans & 1, tb = trans & 2;
            OpTester t("Gemm", 13);
            t.input("A", random_floats(ta ? Shape{K, M} : Shape{M, K}, rng));
            const Tensor b = random_floats(tb ? Shape{N, K} : Shape{K, N}, rng);
            if (constant_b)
              t.constant("B", b);
            else
              t.input("B", b);
            t.input("C", random_floats({N}, rng))  // broadcast along rows
                .attr("transA", int64_t{ta})
                .attr("transB", int64_t{tb})
                .attr("alpha", 0.7f)
                .attr("beta", -1.5f)
                .output("Y");
            expect_fast_matches_reference(t, "Gemm M=" + std::to_string(M) + " N=" +
                                                 std::to_string(N) + " K=" + std::to_string(K));
          }
}

TEST(FastKernels, GemmColumnBiasAndNoC) {
  std::mt19937 rng(14);
  OpTester with_column("Gemm", 13);
  with_column.input("A", random_floats({7, 5}, rng))
      .constant("B", random_floats({5, 9}, rng))
      .constant("C", random_floats({7, 1}, rng))
      .output("Y");
  expect_fast_matches_reference(with_column, "C of shape [M, 1]");
  OpTester without("Gemm", 13);
  without.input("A", random_floats({3, 0}, rng)).input("B", random_floats({0, 4}, rng)).output("Y");
  expect_fast_matches_reference(without, "K = 0, no C");
}

TEST(FastKernels, GemmColumnCByHand) {
  // C of shape [M, 1] adds one value per row: Y = A * I + C.
  OpTester t("Gemm", 13);
  t.input("A", testing::floats({2, 2}, {1, 2, 3, 4}))
      .constant("B", testing::floats({2, 2}, {1, 0, 0, 1}))
      .constant("C", testing::floats({2, 1}, {10, 20}))
      .output("Y");
  for (bool reference : {true, false})
    EXPECT_EQ(t.session(1, reference).run(t.feeds())[0].to_vector<float>(),
              (std::vector<float>{11, 12, 23, 24}))
        << (reference ? "reference" : "fast");
}

TEST(FastKernels, MatMulMatchesReference) {
  std::mt19937 rng(15);
  struct Config {
    Shape a, b;
    bool constant_b;
  };
  const std::vector<Config> configs = {
      {{7, 13}, {13, 5}, false},
      {{7, 13}, {13, 5}, true},
      {{3, 1, 9, 300}, {2, 300, 17}, false},
      {{12, 16, 8}, {12, 8, 16}, false},
      {{5}, {5, 3}, false},
      {{4, 6}, {6}, false},
      {{9}, {9}, false},
      {{2, 3, 128, 64}, {64, 96}, true},
      {{0, 4}, {4, 3}, false},
      {{4, 0}, {0, 3}, true},
  };
  for (size_t i = 0; i < configs.size(); ++i) {
    OpTester t("MatMul", 13);
    t.input("A", random_floats(configs[i].a, rng));
    if (configs[i].constant_b)
      t.constant("B", random_floats(configs[i].b, rng));
    else
      t.input("B", random_floats(configs[i].b, rng));
    t.output("Y");
    expect_fast_matches_reference(t, "MatMul config " + std::to_string(i));
  }
}

TEST(FastKernels, PoolingMatchesReference) {
  std::mt19937 rng(16);
  struct Config {
    const char* op;
    int64_t opset, h, w, kh, kw, s, d;
    std::vector<int64_t> pads;
    int64_t ceil, include_pad;
  };
  const std::vector<Config> configs = {
      {"MaxPool", 12, 56, 56, 3, 3, 1, 1, {1, 1, 1, 1}, 0, 0},      // many chunks of planes
      {"MaxPool", 12, 112, 112, 3, 3, 2, 1, {1, 1, 1, 1}, 0, 0},    // ResNet's stem
      {"MaxPool", 12, 13, 17, 3, 2, 2, 2, {0, 1, 2, 0}, 1, 0},      // dilated, ceil, asym
      {"MaxPool", 12, 1, 1, 1, 1, 1, 1, {0, 0, 0, 0}, 0, 0},        // 1x1
      {"AveragePool", 19, 14, 9, 3, 3, 2, 1, {1, 1, 1, 1}, 1, 0},   // ceil without pad count
      {"AveragePool", 19, 14, 9, 3, 3, 2, 1, {1, 1, 1, 1}, 1, 1},   // ceil with pad count
      {"AveragePool", 19, 10, 11, 2, 4, 3, 2, {0, 2, 1, 1}, 0, 1},  // dilated (opset 19)
      {"MaxPool", 12, 111, 111, 3, 3, 2, 1, {0, 0, 0, 0}, 1, 0},    // SqueezeNet's, ceil
      {"MaxPool", 12, 20, 21, 2, 2, 2, 1, {0, 0, 0, 0}, 0, 0},      // 2x2 stride 2
      {"MaxPool", 12, 15, 16, 3, 4, 2, 1, {2, 2, 1, 1}, 1, 0},      // stride 2, pad 2, ceil
      {"AveragePool", 19, 17, 18, 3, 3, 2, 1, {0, 1, 0, 2}, 1, 1},  // stride 2, asym, ceil
      {"AveragePool", 19, 17, 18, 3, 3, 2, 1, {1, 0, 2, 0}, 0, 0},  // stride 2, asym
      {"MaxPool", 12, 27, 27, 3, 3, 2, 1, {0, 0, 0, 0}, 1, 0},      // rows end at a block's end
      {"MaxPool", 12, 17, 17, 3, 3, 2, 1, {0, 0, 0, 0}, 1, 0},      // one block, its end masked
      {"MaxPool", 12, 55, 55, 3, 3, 2, 1, {0, 0, 0, 0}, 1, 0},      // SqueezeNet's second
  };
  for (size_t i = 0; i < configs.size(); ++i) {
    const Config& k = configs[i];
    OpTester t(k.op, k.opset);
    Tensor x = random_floats({2, 3, k.h, k.w}, rng);
    if (std::string(k.op) == "MaxPool" && x.numel() > 200) {  // NaN never wins after the first tap
      for (int64_t at : {5, 77, 200}) x.data<float>()[at] = testing::kNaN;
      // The last column of a row and of a plane: read by the masked end of a block.
      x.data<float>()[4 * k.w - 1] = testing::kNaN;
      x.data<float>()[3 * k.h * k.w - 1] = testing::kNaN;
    }
    t.input("X", x)
        .attr("kernel_shape", std::vector<int64_t>{k.kh, k.kw})
        .attr("strides", std::vector<int64_t>{k.s, k.s})
        .attr("dilations", std::vector<int64_t>{k.d, k.d})
        .attr("pads", k.pads)
        .attr("ceil_mode", k.ceil);
    if (std::string(k.op) == "AveragePool") t.attr("count_include_pad", k.include_pad);
    t.output("Y");
    // Maxima are exact; averages may sum in another order.
    expect_fast_matches_reference(t, "pool config " + std::to_string(i),
                                  std::string(k.op) == "MaxPool" ? 0.0f : 1e-6f);
  }
}

TEST(FastKernels, GlobalAveragePoolMatchesReference) {
  std::mt19937 rng(17);
  // Planes of 1, 7 (under one vector), 169 and 3025 values (a tail after whole vectors).
  for (const Shape& shape : {Shape{2, 3, 1, 1}, Shape{1, 5, 7}, Shape{1, 1000, 13, 13},
                             Shape{2, 4, 55, 55}, Shape{0, 3, 4, 4}}) {
    OpTester t("GlobalAveragePool", 1);
    t.input("X", random_floats(shape, rng)).output("Y");
    // The vector sum adds in another order.
    expect_fast_matches_reference(t, "GlobalAveragePool " + shape_to_string(shape), 1e-6f);
  }
}

// Random values with the edge cases planted: NaN, infinities, signed zeros, denormals.
Tensor edgy_floats(Shape shape, std::mt19937& rng) {
  Tensor t = random_floats(std::move(shape), rng);
  const float edges[] = {testing::kNaN, testing::kInf, -testing::kInf, 0.0f,  -0.0f,
                         1e-40f,        -1e-40f,       3e38f,          -3e38f};
  float* p = t.data<float>();
  for (int64_t i = 0; i < t.numel(); i += 7) p[i] = edges[(i / 7) % 9];
  return t;
}

TEST(FastKernels, PReluMatchesReferenceOnEdgeValues) {
  std::mt19937 rng(17);
  const Shape x_shape = {2, 5, 67, 131};  // more than one task's worth of elements
  for (const Shape& slope_shape : {Shape{5, 1, 1}, Shape{1}, Shape{131}, x_shape}) {
    OpTester t("PRelu", 16);
    t.input("X", edgy_floats(x_shape, rng)).constant("slope", random_floats(slope_shape, rng));
    t.output("Y");
    expect_same_bits_or_nan(t, "PRelu slope " + shape_to_string(slope_shape));
  }
}

TEST(FastKernels, ClipAndBatchNormMatchReferenceOnEdgeValues) {
  std::mt19937 rng(18);
  OpTester clip13("Clip", 13);
  clip13.input("X", edgy_floats({3, 70000}, rng))
      .constant("min", Tensor::scalar<float>(-0.5f))
      .constant("max", Tensor::scalar<float>(6.0f))
      .output("Y");
  expect_same_bits_or_nan(clip13, "Clip 13");
  OpTester clip6("Clip", 6);
  clip6.input("X", edgy_floats({1000}, rng)).attr("min", 0.0f).output("Y");
  expect_same_bits_or_nan(clip6, "Clip 6, min only");

  OpTester bn("BatchNormalization", 15);
  bn.input("X", edgy_floats({2, 7, 33, 35}, rng))
      .constant("scale", random_floats({7}, rng))
      .constant("B", random_floats({7}, rng))
      .constant("mean", random_floats({7}, rng))
      .constant("var", Tensor::from_vector<float>({7}, {0.5f, 1, 2, 0.1f, 3, 0.01f, 1}))
      .output("Y");
  expect_same_bits_or_nan(bn, "BatchNormalization");
}

TEST(FastKernels, PowBySmallExponentsMatchesReference) {
  std::mt19937 rng(19);
  OpTester square("Pow", 15);
  square.input("X", edgy_floats({5, 40000}, rng))
      .constant("Y", Tensor::scalar<float>(2.0f))
      .output("Z");
  expect_same_bits_or_nan(square, "x^2");  // exact in double, so bit for bit
  OpTester cube("Pow", 15);
  cube.input("X", edgy_floats({5, 40000}, rng))
      .constant("Y", Tensor::scalar<int64_t>(3))
      .output("Z");
  expect_fast_matches_reference(cube, "x^3", 1e-6f);
}

TEST(FastKernels, VectorizedUnaryOpsMatchReference) {
  std::mt19937 rng(20);
  for (const char* op : {"Exp", "Tanh", "Sigmoid", "Erf"}) {
    OpTester t(op, 13);
    t.input("X", edgy_floats({3, 50000}, rng)).output("Y");
    expect_fast_matches_reference(t, op, 1e-6f);  // vmath.h: a few ulp
  }
}

}  // namespace
}  // namespace onyx
