// Opset 22 gave about 48 operators a new version whose only change is bfloat16 (and, for
// the few that lacked it, float16) in their type constraints. Each test here runs such an op
// at opset 22 in float16 and bfloat16 and compares it with the same op run in float on the
// same inputs, which are exactly representable in both half types (multiples of 1/8 or 1/16
// of small magnitude), so the only difference allowed is the rounding of the result: about
// 2^-11 relative for float16 and 2^-8 for bfloat16. The opset-21 versions must refuse
// bfloat16 with an error that names the op and the dtype.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "onyx/narrow_tensor.h"
#include "op_tester.h"

namespace onyx::testing {
namespace {

// A float tensor of `shape` holding (k mod span - span / 2) * step for k = 0, 1, ..: small
// multiples of `step` plus `offset`, exact in float16 and bfloat16 when step is 1/8 or 1/16.
Tensor pattern(Shape shape, float step = 0.125f, int span = 17, float offset = 0) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  std::vector<float> v(static_cast<size_t>(n));
  for (int64_t k = 0; k < n; ++k)
    v[static_cast<size_t>(k)] = offset + static_cast<float>((k * 7) % span - span / 2) * step;
  return floats(std::move(shape), v);
}

// Float tensor `t` converted element by element to float, float16 or bfloat16.
Tensor as_dtype(const Tensor& t, DType dtype) {
  const std::vector<float> v = t.to_vector<float>();
  if (dtype == DType::Float16) {
    std::vector<float16_t> h;
    for (float x : v) h.push_back(float16_t(x));
    return Tensor::from_vector<float16_t>(t.shape(), h);
  }
  if (dtype == DType::BFloat16) {
    std::vector<bfloat16_t> h;
    for (float x : v) h.push_back(bfloat16_t(x));
    return Tensor::from_vector<bfloat16_t>(t.shape(), h);
  }
  return t;
}

// The values of a float, float16 or bfloat16 tensor, as floats.
std::vector<float> values_of(const Tensor& t) {
  std::vector<float> out;
  if (t.dtype() == DType::Float16)
    for (float16_t h : t.to_vector<float16_t>()) out.push_back(static_cast<float>(h));
  else if (t.dtype() == DType::BFloat16)
    for (bfloat16_t h : t.to_vector<bfloat16_t>()) out.push_back(static_cast<float>(h));
  else
    out = t.to_vector<float>();
  return out;
}

// Adds the node's inputs (its float ones in `dtype`), attributes and outputs.
using Build = std::function<void(OpTester&, DType)>;

std::vector<Tensor> run_as(const std::string& op, int opset, DType dtype, const Build& build) {
  OpTester t(op, opset);
  build(t, dtype);
  return t.run();
}

// Opset 22 in float16 and bfloat16 agrees with float: each output of the float run's dtype
// comes back in the half dtype, within `bf16_tol` (float16: an eighth of it) relative to
// max(1, |want|).
void expect_halves_match_float(const std::string& op, const Build& build, double bf16_tol) {
  const std::vector<Tensor> want = run_as(op, 22, DType::Float, build);
  for (DType dtype : {DType::Float16, DType::BFloat16}) {
    SCOPED_TRACE(op + " in " + dtype_name(dtype));
    const double tol = dtype == DType::BFloat16 ? bf16_tol : bf16_tol / 8;
    const std::vector<Tensor> got = run_as(op, 22, dtype, build);
    ASSERT_EQ(got.size(), want.size());
    for (size_t k = 0; k < want.size(); ++k) {
      if (want[k].dtype() != DType::Float) {  // an index or mask output: equal as is
        EXPECT_EQ(got[k].dtype(), want[k].dtype()) << "output " << k;
        continue;
      }
      EXPECT_EQ(got[k].dtype(), dtype) << "output " << k;
      ASSERT_EQ(got[k].shape(), want[k].shape()) << "output " << k;
      const std::vector<float> g = values_of(got[k]), w = values_of(want[k]);
      for (size_t i = 0; i < w.size(); ++i) {
        if (std::isnan(w[i])) {
          EXPECT_TRUE(std::isnan(g[i])) << "output " << k << " at " << i;
          continue;
        }
        EXPECT_NEAR(g[i], w[i], tol * std::max(1.0f, std::fabs(w[i])))
            << "output " << k << " at " << i;
      }
    }
  }
}

// The opset-`old` version refuses bfloat16, naming the op and the dtype.
void expect_refuses_bfloat16(const std::string& op, int old, const Build& build) {
  const std::string e = error_of([&] { run_as(op, old, DType::BFloat16, build); });
  EXPECT_TRUE(mentions(e, op)) << op << ": " << e;
  EXPECT_TRUE(mentions(e, "bfloat16")) << op << ": " << e;
  EXPECT_TRUE(mentions(e, std::to_string(old))) << op << ": " << e;
}

// One input X of `x` and one output Y, with optional attributes.
Build unary(const Tensor& x, std::function<void(OpTester&)> attrs = nullptr) {
  return [x, attrs](OpTester& t, DType dtype) {
    t.input("X", as_dtype(x, dtype)).output("Y");
    if (attrs) attrs(t);
  };
}

TEST(Opset22Half, ActivationsTrigAndRound) {
  const Tensor x = pattern({2, 3, 4});                      // [-1, 1] in steps of 1/8
  const Tensor wide = pattern({2, 3, 4}, 0.5f);             // [-4, 4] in steps of 1/2
  const Tensor unit = pattern({2, 3, 4}, 1.0f / 16, 31);    // (-1, 1) for Asin, Acos, Atanh
  const Tensor above1 = pattern({2, 3, 4}, 0.125f, 17, 2);  // [1, 3] for Acosh
  struct Case {
    const char* op;
    int old;  // the opset-21 version's first opset: refuses bfloat16
    Tensor x;
  };
  const std::vector<Case> cases = {{"Elu", 6, wide},
                                   {"Selu", 6, wide},
                                   {"HardSigmoid", 6, wide},
                                   {"HardSwish", 14, wide},
                                   {"Softplus", 1, wide},
                                   {"Softsign", 1, wide},
                                   {"ThresholdedRelu", 10, wide},
                                   {"Mish", 18, wide},
                                   {"Sin", 7, wide},
                                   {"Cos", 7, wide},
                                   {"Tan", 7, x},
                                   {"Asin", 7, unit},
                                   {"Acos", 7, unit},
                                   {"Atan", 7, wide},
                                   {"Sinh", 9, wide},
                                   {"Cosh", 9, wide},
                                   {"Asinh", 9, wide},
                                   {"Acosh", 9, above1},
                                   {"Atanh", 9, unit},
                                   {"Round", 11, wide}};
  for (const Case& c : cases) {
    expect_halves_match_float(c.op, unary(c.x), 1.0 / 128);
    expect_refuses_bfloat16(c.op, 21, unary(c.x));
    // float16 was accepted long before 22.
    EXPECT_NO_THROW(run_as(c.op, c.old, DType::Float16, unary(c.x))) << c.op;
  }
}

TEST(Opset22Half, RoundBreaksTiesToEvenInHalfTypes) {
  // Halves are exact in both types: 0.5 -> 0, 1.5 -> 2, 2.5 -> 2, -2.5 -> -2.
  const Tensor x = floats({4}, {0.5f, 1.5f, 2.5f, -2.5f});
  for (DType dtype : {DType::Float16, DType::BFloat16}) {
    const Tensor y = run_as("Round", 22, dtype, unary(x))[0];
    EXPECT_EQ(values_of(y), (std::vector<float>{0, 2, 2, -2})) << dtype_name(dtype);
  }
}

TEST(Opset22Half, ConvAndConvTranspose) {
  const Tensor x = pattern({1, 4, 5, 5});
  const Tensor w = pattern({6, 2, 3, 3}, 0.125f, 13);
  const Tensor b = pattern({6}, 0.25f, 5);
  Build conv = [&](OpTester& t, DType dtype) {
    t.input("X", as_dtype(x, dtype))
        .input("W", as_dtype(w, dtype))
        .input("B", as_dtype(b, dtype))
        .attr("group", int64_t{2})
        .attr("pads", std::vector<int64_t>{1, 0, 1, 2})
        .attr("strides", std::vector<int64_t>{2, 1})
        .output("Y");
  };
  expect_halves_match_float("Conv", conv, 1.0 / 128);
  expect_refuses_bfloat16("Conv", 21, conv);

  const Tensor wt = pattern({4, 3, 3, 3}, 0.125f, 13);
  Build convt = [&](OpTester& t, DType dtype) {
    t.input("X", as_dtype(x, dtype))
        .input("W", as_dtype(wt, dtype))
        .attr("strides", std::vector<int64_t>{2, 2})
        .attr("output_padding", std::vector<int64_t>{1, 0})
        .output("Y");
  };
  expect_halves_match_float("ConvTranspose", convt, 1.0 / 128);
  expect_refuses_bfloat16("ConvTranspose", 21, convt);
}

TEST(Opset22Half, Pools) {
  const Tensor x = pattern({2, 3, 5, 4});
  auto window = [](OpTester& t) {
    t.attr("kernel_shape", std::vector<int64_t>{3, 2})
        .attr("pads", std::vector<int64_t>{1, 0, 1, 1})
        .attr("strides", std::vector<int64_t>{2, 1});
  };
  // MaxPool with its Indices output, which stays int64.
  Build max_pool = [&](OpTester& t, DType dtype) {
    t.input("X", as_dtype(x, dtype)).output("Y").output("Indices");
    window(t);
  };
  Build avg_pool = [&](OpTester& t, DType dtype) {
    t.input("X", as_dtype(x, dtype)).output("Y").attr("count_include_pad", int64_t{1});
    window(t);
  };
  Build lp_pool = [&](OpTester& t, DType dtype) {
    t.input("X", as_dtype(x, dtype)).output("Y").attr("p", int64_t{3});
    window(t);
  };
  for (auto [op, build] : {std::pair{"MaxPool", max_pool}, std::pair{"AveragePool", avg_pool},
                           std::pair{"LpPool", lp_pool}}) {
    expect_halves_match_float(op, build, 1.0 / 128);
    expect_refuses_bfloat16(op, 21, build);
  }
  for (const char* op : {"GlobalAveragePool", "GlobalMaxPool", "GlobalLpPool"}) {
    expect_halves_match_float(op, unary(x), 1.0 / 128);
    expect_refuses_bfloat16(op, 21, unary(x));
  }
}

TEST(Opset22Half, MaxUnpool) {
  // Each value goes to its flat index in the 1 x 1 x 4 x 4 output; the rest are 0.
  Build unpool = [](OpTester& t, DType dtype) {
    t.input("X", as_dtype(floats({1, 1, 2, 2}, {1.5f, -2, 0.25f, 3}), dtype))
        .input("I", ints({1, 1, 2, 2}, {0, 7, 9, 14}))
        .attr("kernel_shape", std::vector<int64_t>{2, 2})
        .attr("strides", std::vector<int64_t>{2, 2})
        .output("Y");
  };
  expect_halves_match_float("MaxUnpool", unpool, 0);
  EXPECT_EQ(values_of(run_as("MaxUnpool", 22, DType::BFloat16, unpool)[0]),
            (std::vector<float>{1.5f, 0, 0, 0, 0, 0, 0, -2, 0, 0.25f, 0, 0, 0, 0, 3, 0}));
  expect_refuses_bfloat16("MaxUnpool", 21, unpool);
}

TEST(Opset22Half, InstanceNormalizationAndNllLoss) {
  const Tensor x = pattern({2, 3, 4, 2});
  const Tensor scale = floats({3}, {0.5f, 1, 2});
  const Tensor bias = floats({3}, {0, 0.25f, -1});
  Build norm = [&](OpTester& t, DType dtype) {
    t.input("input", as_dtype(x, dtype))
        .input("scale", as_dtype(scale, dtype))
        .input("B", as_dtype(bias, dtype))
        .output("Y");
  };
  expect_halves_match_float("InstanceNormalization", norm, 1.0 / 128);
  expect_refuses_bfloat16("InstanceNormalization", 21, norm);

  const Tensor logp = pattern({3, 4});
  const Tensor target = ints({3}, {0, 3, 1});
  const Tensor weight = floats({4}, {1, 0.5f, 2, 0.25f});
  Build nll = [&](OpTester& t, DType dtype) {
    t.input("input", as_dtype(logp, dtype))
        .input("target", target)
        .input("weight", as_dtype(weight, dtype))
        .attr("reduction", "mean")
        .output("loss");
  };
  expect_halves_match_float("NegativeLogLikelihoodLoss", nll, 1.0 / 128);
  expect_refuses_bfloat16("NegativeLogLikelihoodLoss", 21, nll);
}

TEST(Opset22Half, DropoutFloat8) {
  // Dropout-22 added the four float8 types (bfloat16 came at 13). Training with a seed
  // keeps the same elements in every dtype; ratio 0.5 scales the kept ones by 2, exactly.
  const Tensor x = floats({2, 4}, {1, -0.5f, 2, 0.25f, -3, 1.5f, 0.75f, -1});
  const Tensor ratio = floats({}, {0.5f});
  Build train = [&](OpTester& t, DType dtype) {
    t.input("data", as_dtype(x, dtype))
        .input("ratio", as_dtype(ratio, dtype))
        .input("training_mode", Tensor::scalar<bool>(true))
        .attr("seed", int64_t{7})
        .output("output")
        .output("mask");
  };
  expect_halves_match_float("Dropout", train, 0);
  const std::vector<Tensor> want = run_as("Dropout", 22, DType::Float, train);
  const std::vector<float> w = values_of(want[0]);
  // The seed keeps some elements and drops others, so the comparison below means something.
  const auto kept = std::count_if(w.begin(), w.end(), [](float v) { return v != 0; });
  EXPECT_GT(kept, 0);
  EXPECT_LT(kept, 8);
  for (size_t i = 0; i < w.size(); ++i) {
    if (w[i] != 0) {
      EXPECT_EQ(w[i], 2 * x.to_vector<float>()[i]);
    }
  }
  for (DType f8 :
       {DType::Float8E4M3FN, DType::Float8E4M3FNUZ, DType::Float8E5M2, DType::Float8E5M2FNUZ}) {
    SCOPED_TRACE(dtype_name(f8));
    Build build = [&](OpTester& t, DType) {
      Tensor data(f8, x.shape()), r(f8, ratio.shape());
      narrow_into(x, data);
      narrow_into(ratio, r);
      t.input("data", data)
          .input("ratio", r)
          .input("training_mode", Tensor::scalar<bool>(true))
          .attr("seed", int64_t{7})
          .output("output")
          .output("mask");
    };
    const std::vector<Tensor> got = run_as("Dropout", 22, DType::Float, build);
    ASSERT_EQ(got[0].dtype(), f8);
    EXPECT_EQ(widen(got[0]).to_vector<float>(), w);
    EXPECT_EQ(got[1].to_vector<bool>(), want[1].to_vector<bool>());
    const std::string e = error_of([&] { run_as("Dropout", 21, DType::Float, build); });
    EXPECT_TRUE(mentions(e, "Dropout") && mentions(e, dtype_name(f8)) && mentions(e, "21")) << e;
  }
}

TEST(Opset22Half, RecurrentFamily) {
  // seq 3, batch 2, input 2, hidden 2, one direction; W, R, B of each op's gate count.
  const int64_t H = 2;
  const Tensor x = pattern({3, 2, 2});
  for (auto [op, gates] : {std::pair{"RNN", 1}, std::pair{"GRU", 3}, std::pair{"LSTM", 4}}) {
    const Tensor w = pattern({1, gates * H, 2}, 0.125f, 11);
    const Tensor r = pattern({1, gates * H, H}, 0.125f, 7);
    const Tensor b = pattern({1, 2 * gates * H}, 0.0625f, 9);
    Build build = [&](OpTester& t, DType dtype) {
      t.input("X", as_dtype(x, dtype))
          .input("W", as_dtype(w, dtype))
          .input("R", as_dtype(r, dtype))
          .input("B", as_dtype(b, dtype))
          .attr("hidden_size", H)
          .output("Y")
          .output("Y_h");
    };
    // The state is stored in the op's type between steps, so rounding compounds over the
    // three steps: a wider tolerance than one rounding.
    expect_halves_match_float(op, build, 1.0 / 32);
    expect_refuses_bfloat16(op, 21, build);
  }
}

TEST(Opset22Half, RoiAlignGridSampleDet) {
  const Tensor x = pattern({1, 2, 6, 5});
  const Tensor rois = floats({2, 4}, {0.5f, 0.5f, 3.5f, 4.25f, 1, 0, 4, 5.5f});
  Build roi = [&](OpTester& t, DType dtype) {
    t.input("X", as_dtype(x, dtype))
        .input("rois", as_dtype(rois, dtype))
        .input("batch_indices", ints({2}, {0, 0}))
        .attr("output_height", int64_t{2})
        .attr("output_width", int64_t{3})
        .attr("sampling_ratio", int64_t{2})
        .output("Y");
  };
  expect_halves_match_float("RoiAlign", roi, 1.0 / 128);
  expect_refuses_bfloat16("RoiAlign", 21, roi);

  // GridSample's opset-22 change is the grid's type (T2); X was any type before.
  const Tensor grid = pattern({1, 3, 2, 2}, 0.125f, 15);
  Build sample = [&](OpTester& t, DType dtype) {
    t.input("X", as_dtype(x, dtype)).input("grid", as_dtype(grid, dtype)).output("Y");
  };
  expect_halves_match_float("GridSample", sample, 1.0 / 128);
  Build bf16_grid_only = [&](OpTester& t, DType dtype) {
    t.input("X", x).input("grid", as_dtype(grid, dtype)).output("Y");
  };
  expect_refuses_bfloat16("GridSample", 21, bf16_grid_only);
  EXPECT_NO_THROW(run_as("GridSample", 20, DType::Float16, bf16_grid_only));

  // Det of [[2, 1], [1, 1]] = 1 and [[0.5, 0.25], [0.25, 1.5]] = 0.6875 (exact in both).
  const Tensor m = floats({2, 2, 2}, {2, 1, 1, 1, 0.5f, 0.25f, 0.25f, 1.5f});
  expect_halves_match_float("Det", unary(m), 1.0 / 128);
  expect_refuses_bfloat16("Det", 21, unary(m));
  EXPECT_EQ(values_of(run_as("Det", 22, DType::BFloat16, unary(m))[0]),
            (std::vector<float>{1, 0.6875f}));
}

// X (1, 1, 4, 4) holds 4h + w at row h, column w.
Tensor ramp_4x4() {
  std::vector<float> v(16);
  for (int i = 0; i < 16; ++i) v[static_cast<size_t>(i)] = static_cast<float>(i);
  return floats({1, 1, 4, 4}, v);
}

Build max_roi_pool(const Tensor& rois, float spatial_scale) {
  return [rois, spatial_scale](OpTester& t, DType dtype) {
    t.input("X", as_dtype(ramp_4x4(), dtype))
        .input("rois", as_dtype(rois, dtype))
        .attr("pooled_shape", std::vector<int64_t>{2, 2})
        .attr("spatial_scale", spatial_scale)
        .output("Y");
  };
}

TEST(MaxRoiPool, BinsByHand) {
  // roi 0 covers all of X: 2 x 2 bins of 2 x 2, maxima 5, 7, 13, 15.
  // roi 1, x 1..2 and y 0..2: bins of 1.5 rows ([0, 2) and [1, 3)) by 1 column (1 and 2):
  //   max(X[0..1][1]) = 5, X[0..1][2] = 6, X[1..2][1] = 9, X[1..2][2] = 10.
  // roi 2 lies right of X: every bin is empty and gives 0.
  const Tensor rois = floats({3, 5}, {0, 0, 0, 3, 3, 0, 1, 0, 2, 2, 0, 10, 10, 12, 12});
  const Tensor y = run_as("MaxRoiPool", 1, DType::Float, max_roi_pool(rois, 1.0f))[0];
  expect_near(y, {3, 1, 2, 2}, {5, 7, 13, 15, 5, 6, 9, 10, 0, 0, 0, 0}, 0);
}

TEST(MaxRoiPool, ScaledCornersRoundHalfToEven) {
  // (1, 1, 5, 5) * 0.5 = (0.5, 0.5, 2.5, 2.5) rounds to (0, 0, 2, 2) as Python's round does
  // in the ONNX reference (half away from zero would give (1, 1, 3, 3) and 10, 11, 14, 15):
  // 3 x 3 elements in bins of 1.5, maxima 5, 6, 9, 10.
  const Tensor rois = floats({1, 5}, {0, 1, 1, 5, 5});
  const Tensor y = run_as("MaxRoiPool", 22, DType::Float, max_roi_pool(rois, 0.5f))[0];
  expect_near(y, {1, 1, 2, 2}, {5, 6, 9, 10}, 0);
}

TEST(MaxRoiPool, HalfTypesAndErrors) {
  const Tensor rois = floats({2, 5}, {0, 0, 0, 3, 3, 0, 1, 0, 2, 2});
  expect_halves_match_float("MaxRoiPool", max_roi_pool(rois, 1.0f), 0);
  expect_refuses_bfloat16("MaxRoiPool", 21, max_roi_pool(rois, 1.0f));
  EXPECT_NO_THROW(run_as("MaxRoiPool", 1, DType::Float16, max_roi_pool(rois, 1.0f)));
  // A batch index past N, and rois that are not [num_rois, 5].
  std::string e = error_of([&] {
    run_as("MaxRoiPool", 22, DType::Float, max_roi_pool(floats({1, 5}, {1, 0, 0, 1, 1}), 1));
  });
  EXPECT_TRUE(mentions(e, "batch 1")) << e;
  e = error_of([&] {
    run_as("MaxRoiPool", 22, DType::Float, max_roi_pool(floats({1, 4}, {0, 0, 1, 1}), 1));
  });
  EXPECT_TRUE(mentions(e, "[num_rois, 5]")) << e;
  // pooled_shape is required.
  e = error_of([&] {
    OpTester t("MaxRoiPool", 22);
    t.input("X", ramp_4x4()).input("rois", rois).output("Y");
    t.run();
  });
  EXPECT_TRUE(mentions(e, "pooled_shape")) << e;
}

TEST(Opset22Half, EyeLike) {
  // k = 1: ones at (0, 1) and (1, 2) of a 2 x 3 input.
  const Tensor x = floats({2, 3}, {0, 0, 0, 0, 0, 0});
  Build eye = [&](OpTester& t, DType dtype) {
    t.input("input", as_dtype(x, dtype)).attr("k", int64_t{1}).output("output");
  };
  expect_halves_match_float("EyeLike", eye, 0);
  EXPECT_EQ(values_of(run_as("EyeLike", 22, DType::BFloat16, eye)[0]),
            (std::vector<float>{0, 1, 0, 0, 0, 1}));
  expect_refuses_bfloat16("EyeLike", 21, eye);
  // The dtype attribute may name bfloat16 only from 22.
  Build to_bf16 = [&](OpTester& t, DType) {
    t.input("input", x).attr("dtype", static_cast<int64_t>(DType::BFloat16)).output("output");
  };
  EXPECT_EQ(run_as("EyeLike", 22, DType::Float, to_bf16)[0].dtype(), DType::BFloat16);
  expect_refuses_bfloat16("EyeLike", 21, to_bf16);
}

TEST(Opset22Half, RandomOps) {
  // RandomUniform draws in [low, high), rounded to the dtype and redrawn when it rounds out.
  Build uniform = [](OpTester& t, DType dtype) {
    t.attr("dtype", static_cast<int64_t>(dtype))
        .attr("shape", std::vector<int64_t>{64})
        .attr("low", 2.0f)
        .attr("high", 3.0f)
        .attr("seed", 1.0f)
        .output("Y");
  };
  const Tensor u = run_as("RandomUniform", 22, DType::BFloat16, uniform)[0];
  ASSERT_EQ(u.dtype(), DType::BFloat16);
  for (float v : values_of(u)) {
    EXPECT_GE(v, 2.0f);
    EXPECT_LT(v, 3.0f);
  }
  expect_refuses_bfloat16("RandomUniform", 21, uniform);
  // RandomNormalLike with scale 0 is its mean, so its values are known.
  Build normal_like = [](OpTester& t, DType dtype) {
    t.input("input", as_dtype(floats({3}, {0, 0, 0}), dtype))
        .attr("mean", 1.5f)
        .attr("scale", 0.0f)
        .output("Y");
  };
  expect_halves_match_float("RandomNormalLike", normal_like, 0);
  EXPECT_EQ(values_of(run_as("RandomNormalLike", 22, DType::BFloat16, normal_like)[0]),
            (std::vector<float>{1.5f, 1.5f, 1.5f}));
  expect_refuses_bfloat16("RandomNormalLike", 21, normal_like);

  // Bernoulli of probabilities 0 and 1 is certain.
  Build bernoulli = [](OpTester& t, DType dtype) {
    t.input("input", as_dtype(floats({4}, {0, 1, 1, 0}), dtype)).output("output");
  };
  expect_halves_match_float("Bernoulli", bernoulli, 0);
  EXPECT_EQ(values_of(run_as("Bernoulli", 22, DType::BFloat16, bernoulli)[0]),
            (std::vector<float>{0, 1, 1, 0}));
  expect_refuses_bfloat16("Bernoulli", 21, bernoulli);

  // Multinomial from logits where class 1 outweighs the others by e^100: always class 1.
  Build multinomial = [](OpTester& t, DType dtype) {
    t.input("input", as_dtype(floats({1, 3}, {-100, 0, -100}), dtype))
        .attr("sample_size", int64_t{4})
        .output("output");
  };
  for (DType dtype : {DType::Float16, DType::BFloat16})
    EXPECT_EQ(run_as("Multinomial", 22, dtype, multinomial)[0].to_vector<int32_t>(),
              (std::vector<int32_t>{1, 1, 1, 1}));
  expect_refuses_bfloat16("Multinomial", 21, multinomial);
}

}  // namespace
}  // namespace onyx::testing
