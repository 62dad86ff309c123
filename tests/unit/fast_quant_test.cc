// The fast 8-bit matrix products (kernels::igemm under MatMulInteger and QLinearMatMul)
// against the reference kernels, byte for byte, at 1, 2 and 4 threads; and every runnable
// igemm tile against a plain int64 loop.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "fast_check.h"
#include "kernels/cpu.h"
#include "kernels/gemm/igemm.h"

namespace onyx {
namespace {

using testing::expect_fast_matches_reference;
using testing::OpTester;

// Random 8-bit values of dtype t, or with `extreme` only the type's lowest and highest.
Tensor random_int8(DType t, Shape shape, std::mt19937& rng, bool extreme = false) {
  Tensor out(t, std::move(shape));
  const int lo = t == DType::Int8 ? -128 : 0, hi = t == DType::Int8 ? 127 : 255;
  std::uniform_int_distribution<int> u(lo, hi);
  std::bernoulli_distribution coin(0.5);
  for (int64_t i = 0; i < out.numel(); ++i) {
    const int v = extreme ? (coin(rng) ? hi : lo) : u(rng);
    if (t == DType::Int8)
      out.data<int8_t>()[i] = static_cast<int8_t>(v);
    else
      out.data<uint8_t>()[i] = static_cast<uint8_t>(v);
  }
  return out;
}

// One value of dtype t, stored as shape `shape` (a scalar zero point: {}).
Tensor filled_int8(DType t, Shape shape, int value) {
  Tensor out(t, std::move(shape));
  for (int64_t i = 0; i < out.numel(); ++i) {
    if (t == DType::Int8)
      out.data<int8_t>()[i] = static_cast<int8_t>(value);
    else
      out.data<uint8_t>()[i] = static_cast<uint8_t>(value);
  }
  return out;
}

const DType kTypes[] = {DType::UInt8, DType::Int8};

std::string name_of(DType t) { return t == DType::Int8 ? "int8" : "uint8"; }

struct Dims {
  int64_t M, K, N;
};

// Sizes around the tile (6 x 16), the blocks (72 rows, 128 columns, 512 K steps), primes.
const std::vector<Dims> kDims = {
    {1, 1, 1},    {1, 7, 1},    {3, 5, 7},   {6, 16, 16},    {7, 33, 17},
    {13, 17, 19}, {1, 768, 40}, {2, 2, 129}, {37, 1031, 29}, {80, 520, 130},
    {73, 64, 5},  {5, 1, 200},  {1, 513, 3}, {11, 1024, 47}, {150, 97, 257},
};

TEST(FastQuant, MatMulIntegerShapesAndTypes) {
  std::mt19937 rng(1);
  for (const Dims& d : kDims)
    for (DType ta : kTypes)
      for (DType tb : kTypes)
        for (int variant = 0; variant < 3; ++variant) {
          // 0: zero points omitted, B fed; 1: scalar zero points, B constant (packed once);
          // 2: per-row and per-column zero points, B fed.
          OpTester t("MatMulInteger", 10);
          t.input("A", random_int8(ta, {d.M, d.K}, rng));
          const Tensor b = random_int8(tb, {d.K, d.N}, rng);
          if (variant == 1)
            t.constant("B", b)
                .input("a_zero_point", random_int8(ta, {}, rng))
                .constant("b_zero_point", random_int8(tb, {}, rng));
          else if (variant == 2)
            t.input("B", b)
                .input("a_zero_point", random_int8(ta, {d.M}, rng))
                .input("b_zero_point", random_int8(tb, {d.N}, rng));
          else
            t.input("B", b);
          t.output("Y");
          expect_fast_matches_reference(t, name_of(ta) + " x " + name_of(tb) + " " +
                                               std::to_string(d.M) + "x" + std::to_string(d.K) +
                                               "x" + std::to_string(d.N) + " variant " +
                                               std::to_string(variant));
        }
}

// Only the extreme values with the opposite extreme zero points: every product is
// +-255 * 255, which saturates any int16 pair sum; long K makes the int32 sums wrap.
TEST(FastQuant, MatMulIntegerExtremesAndWrap) {
  std::mt19937 rng(2);
  for (DType ta : kTypes)
    for (DType tb : kTypes)
      for (const Dims& d : std::vector<Dims>{{7, 64, 33}, {2, 40000, 17}, {6, 35000, 16}})
        for (int zps = 0; zps < 4; ++zps) {
          const int a_lo = ta == DType::Int8 ? -128 : 0, a_hi = ta == DType::Int8 ? 127 : 255;
          const int b_lo = tb == DType::Int8 ? -128 : 0, b_hi = tb == DType::Int8 ? 127 : 255;
          // All at one extreme (the sums grow one way and wrap), or mixed.
          const bool uniform = zps < 2;
          const Tensor a = uniform ? filled_int8(ta, {d.M, d.K}, zps == 0 ? a_hi : a_lo)
                                   : random_int8(ta, {d.M, d.K}, rng, true);
          const Tensor b =
              uniform ? filled_int8(tb, {d.K, d.N}, b_lo) : random_int8(tb, {d.K, d.N}, rng, true);
          OpTester t("MatMulInteger", 10);
          t.input("A", a)
              .constant("B", b)
              .input("a_zero_point", filled_int8(ta, {}, zps % 2 ? a_hi : a_lo))
              .constant("b_zero_point", filled_int8(tb, {}, b_hi))
              .output("Y");
          expect_fast_matches_reference(t, name_of(ta) + " x " + name_of(tb) + " extremes K " +
                                               std::to_string(d.K) + " zps " + std::to_string(zps));
        }
}

TEST(FastQuant, MatMulIntegerBatchesAndVectors) {
  std::mt19937 rng(3);
  struct Case {
    Shape a, b, a_zp, b_zp;  // zero point shapes; {} scalar
  };
  const std::vector<Case> cases = {
      {{2, 1, 5, 9}, {3, 9, 7}, {}, {}},           // batch broadcast both ways
      {{4, 13, 33}, {33, 17}, {4, 13, 1}, {17}},   // stacked rows, per-row zp by batch
      {{13, 33}, {3, 33, 17}, {13}, {3, 1, 17}},   // B batched, per-column zp by batch
      {{19}, {2, 19, 21}, {}, {2, 1, 21}},         // 1-D A
      {{3, 5, 19}, {19}, {3, 5, 1}, {}},           // 1-D B
      {{19}, {19}, {}, {}},                        // dot product
      {{5, 1, 80, 100}, {1, 6, 100, 40}, {}, {}},  // many small products
      {{3, 0}, {0, 4}, {}, {}},                    // K = 0: zeros
      {{0, 8}, {8, 4}, {}, {}},                    // no rows
      {{2, 3, 8}, {2, 8, 0}, {}, {}},              // no columns
      {{0, 3, 8}, {8, 5}, {}, {}},                 // no batches
  };
  for (const Case& c : cases)
    for (DType ta : kTypes)
      for (DType tb : kTypes)
        for (bool constant_b : {false, true}) {
          OpTester t("MatMulInteger", 10);
          t.input("A", random_int8(ta, c.a, rng));
          if (constant_b)
            t.constant("B", random_int8(tb, c.b, rng))
                .input("a_zero_point", random_int8(ta, c.a_zp, rng))
                .constant("b_zero_point", random_int8(tb, c.b_zp, rng));
          else
            t.input("B", random_int8(tb, c.b, rng))
                .input("a_zero_point", random_int8(ta, c.a_zp, rng))
                .input("b_zero_point", random_int8(tb, c.b_zp, rng));
          t.output("Y");
          expect_fast_matches_reference(t, name_of(ta) + " x " + name_of(tb) + " " +
                                               shape_to_string(c.a) + " x " + shape_to_string(c.b));
        }
}

Tensor scales(Shape shape, std::mt19937& rng, float lo, float hi) {
  Tensor out(DType::Float, std::move(shape));
  std::uniform_real_distribution<float> u(lo, hi);
  for (int64_t i = 0; i < out.numel(); ++i) out.data<float>()[i] = u(rng);
  return out;
}

Tensor scalar(float v) { return Tensor::from_vector<float>({}, {v}); }

TEST(FastQuant, QLinearMatMulMatchesReference) {
  std::mt19937 rng(4);
  struct Case {
    Shape a, b;
    bool per_line;  // per-row a and per-column b scales and zero points
  };
  const std::vector<Case> cases = {
      {{1, 1}, {1, 1}, false},
      {{7, 33}, {33, 17}, true},
      {{13, 600}, {600, 29}, false},
      {{2, 3, 40}, {40, 130}, true},
      {{2, 1, 9, 40}, {3, 40, 5}, false},
      {{40}, {40, 19}, false},
      {{80, 77}, {77, 1}, true},
      {{4, 0}, {0, 3}, false},
      {{0, 7}, {7, 3}, false},
  };
  for (const Case& c : cases)
    for (DType ta : kTypes)
      for (DType tb : kTypes)
        for (DType ty : kTypes)
          for (int scaling = 0; scaling < 3; ++scaling) {
            const int64_t M = c.a.size() > 1 ? c.a[c.a.size() - 2] : 1;
            const int64_t N = c.b.size() > 1 ? c.b.back() : 1;
            const Shape a_param = c.per_line ? Shape{M} : Shape{};
            const Shape b_param = c.per_line ? Shape{N} : Shape{};
            OpTester t("QLinearMatMul", 10);
            t.input("a", random_int8(ta, c.a, rng, scaling == 2));
            // 0: random scales; 1: multiplier 0.5 (ties on every odd sum); 2: extreme
            // values with a large multiplier (saturation).
            if (scaling == 1)
              t.input("a_scale", c.per_line
                                     ? Tensor::from_vector<float>({M}, std::vector<float>(M, 0.5f))
                                     : scalar(0.5f));
            else
              t.input("a_scale", scales(a_param, rng, 0.001f, scaling == 2 ? 1.0f : 0.05f));
            t.input("a_zero_point", random_int8(ta, a_param, rng));
            t.constant("b", random_int8(tb, c.b, rng, scaling == 2));
            if (scaling == 1)
              t.constant("b_scale",
                         c.per_line ? Tensor::from_vector<float>({N}, std::vector<float>(N, 1.0f))
                                    : scalar(1.0f));
            else
              t.constant("b_scale", scales(b_param, rng, 0.001f, 0.05f));
            t.constant("b_zero_point", random_int8(tb, b_param, rng));
            t.input("y_scale", scaling == 1 ? scalar(1.0f) : scales({}, rng, 0.01f, 0.02f))
                .input("y_zero_point", random_int8(ty, {}, rng))
                .output("y");
            expect_fast_matches_reference(t, name_of(ta) + " x " + name_of(tb) + " -> " +
                                                 name_of(ty) + " " + shape_to_string(c.a) + " x " +
                                                 shape_to_string(c.b) + " scaling " +
                                                 std::to_string(scaling));
          }
}

// ConvInteger and QLinearConv by im2col and igemm: 1-D, 2-D and 3-D windows, groups,
// padding (read as the zero point), strides, dilations, per-channel weight zero points.
TEST(FastQuant, IntegerConvMatchesReference) {
  std::mt19937 rng(6);
  struct Config {
    Shape x, w;
    int64_t group;
    std::vector<int64_t> strides, dilations, pads;
  };
  const std::vector<Config> configs = {
      {{1, 3, 17, 13}, {8, 3, 3, 3}, 1, {1, 1}, {1, 1}, {1, 1, 1, 1}},
      {{2, 16, 9, 9}, {24, 16, 1, 1}, 1, {1, 1}, {1, 1}, {0, 0, 0, 0}},
      {{1, 5, 23, 19}, {7, 5, 7, 7}, 1, {2, 2}, {1, 1}, {3, 3, 3, 3}},
      {{1, 12, 10, 10}, {18, 4, 3, 1}, 3, {1, 2}, {2, 1}, {2, 0, 1, 0}},
      {{1, 8, 15, 15}, {8, 1, 3, 3}, 8, {1, 1}, {1, 1}, {1, 1, 1, 1}},
      {{2, 4, 31}, {6, 2, 5}, 2, {3}, {2}, {4, 1}},
      {{1, 2, 5, 6, 7}, {3, 2, 3, 2, 3}, 1, {1, 2, 1}, {1, 1, 2}, {1, 0, 1, 1, 1, 0}},
      {{1, 70, 6, 6}, {9, 70, 3, 3}, 1, {1, 1}, {1, 1}, {1, 1, 1, 1}},  // K crosses a block
      {{0, 3, 5, 5}, {4, 3, 3, 3}, 1, {1, 1}, {1, 1}, {1, 1, 1, 1}},    // empty batch
  };
  for (const Config& k : configs)
    for (DType tx : kTypes)
      for (DType tw : kTypes)
        for (bool quantized : {false, true}) {
          const int64_t M = k.w[0];
          const Shape w_param = quantized ? Shape{M} : Shape{};
          OpTester t(quantized ? "QLinearConv" : "ConvInteger", 10);
          if (!quantized) {
            t.input("x", random_int8(tx, k.x, rng))
                .constant("w", random_int8(tw, k.w, rng))
                .input("x_zero_point", random_int8(tx, {}, rng))
                .constant("w_zero_point", random_int8(tw, {M}, rng));
          } else {
            Tensor bias(DType::Int32, {M});
            std::uniform_int_distribution<int32_t> u(-20000, 20000);
            for (int64_t m = 0; m < M; ++m) bias.data<int32_t>()[m] = u(rng);
            t.input("x", random_int8(tx, k.x, rng))
                .input("x_scale", scalar(0.5f))
                .input("x_zero_point", random_int8(tx, {}, rng))
                .constant("w", random_int8(tw, k.w, rng))
                .constant("w_scale", scales(w_param, rng, 0.01f, 0.1f))
                .constant("w_zero_point", random_int8(tw, w_param, rng))
                .input("y_scale", scales({}, rng, 0.5f, 2.0f))
                .input("y_zero_point", random_int8(tx, {}, rng))
                .constant("B", bias);
          }
          t.attr("group", k.group)
              .attr("strides", k.strides)
              .attr("dilations", k.dilations)
              .attr("pads", k.pads)
              .output("y");
          expect_fast_matches_reference(
              t, std::string(quantized ? "QLinearConv " : "ConvInteger ") + name_of(tx) + " x " +
                     name_of(tw) + " " + shape_to_string(k.x) + " * " + shape_to_string(k.w));
        }
}

// The AVX512-VNNI tile is among the runnable ones exactly where the CPU has VNNI, and it
// is the default there unless ONYX_ISA lowers the ISA below AVX-512.
TEST(FastQuant, TheVnniTileServesWhereTheCpuHasIt) {
  bool listed = false;
  for (const kernels::IgemmKernel* kernel : kernels::runnable_igemm_kernels())
    listed = listed || std::string(kernel->name) == "avx512vnni_6x16";
#if defined(__x86_64__)
  EXPECT_EQ(listed, kernels::cpu_has_avx512vnni());
#else
  EXPECT_FALSE(listed);
#endif
  const bool vnni_default = std::string(kernels::default_igemm_kernel().name) == "avx512vnni_6x16";
  EXPECT_EQ(vnni_default, listed && kernels::active_isa() == kernels::Isa::Avx512);
}

// Each runnable tile (the portable one too, on any CPU) against int64 sums.
TEST(FastQuant, IgemmKernelsMatchPlainSums) {
  std::mt19937 rng(5);
  for (const kernels::IgemmKernel* kernel : kernels::runnable_igemm_kernels())
    for (const Dims& d : kDims)
      for (DType ta : kTypes)
        for (DType tb : kTypes) {
          const Tensor a = random_int8(ta, {d.M, d.K}, rng), b = random_int8(tb, {d.K, d.N}, rng);
          const Tensor a_zp = random_int8(ta, {d.M}, rng);
          std::vector<int32_t> a_zps(d.M);
          for (int64_t m = 0; m < d.M; ++m)
            a_zps[m] = ta == DType::Int8 ? a_zp.data<int8_t>()[m] : a_zp.data<uint8_t>()[m];
          const int32_t b_zp = tb == DType::Int8 ? -7 : 200;
          auto value = [](const Tensor& t, int64_t i) -> int64_t {
            return t.dtype() == DType::Int8 ? t.data<int8_t>()[i] : t.data<uint8_t>()[i];
          };
          kernels::Int8Matrix am{a.raw(), ta == DType::Int8, d.K, a_zps.data(), 0};
          kernels::Int8Matrix bm{b.raw(), tb == DType::Int8, d.N, nullptr, b_zp};
          const int64_t ldc = d.N + 3;  // a wider C: columns past N stay untouched
          std::vector<int32_t> c(static_cast<size_t>(d.M * ldc), 12345);
          kernels::igemm(d.M, d.N, d.K, am, bm, c.data(), ldc, kernels::serial(), *kernel);
          for (int64_t m = 0; m < d.M; ++m)
            for (int64_t n = 0; n < ldc; ++n) {
              int64_t want = 12345;
              if (n < d.N) {
                want = 0;
                for (int64_t k = 0; k < d.K; ++k)
                  want += (value(a, m * d.K + k) - a_zps[m]) * (value(b, k * d.N + n) - b_zp);
              }
              ASSERT_EQ(c[m * ldc + n], static_cast<int32_t>(want))
                  << kernel->name << " " << d.M << "x" << d.K << "x" << d.N << " at " << m << ","
                  << n;
            }
        }
}

}  // namespace
}  // namespace onyx
