// One-node tests of the signal operators (DFT, STFT, the cosine windows, MelWeightMatrix) for
// cases the ONNX backend data misses: DFT-20's axis input, onesided and padded transforms,
// lengths that are not powers of two, and bad inputs. Expected values are worked out by hand
// in the comments (w = e^{-2 pi i / n}; for n = 4, w = -i).
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>

#include "onyx/onyx.h"
#include "onyx/shape_inference.h"
#include "op_tester.h"

namespace onyx {
namespace {

using testing::error_of;
using testing::floats;
using testing::mentions;
using testing::OpTester;

void expect_near(const Tensor& got, const Shape& shape, const std::vector<float>& want,
                 double tol = 1e-6) {
  ASSERT_EQ(got.shape(), shape);
  std::vector<float> v = got.to_vector<float>();
  ASSERT_EQ(v.size(), want.size());
  for (size_t i = 0; i < v.size(); ++i) EXPECT_NEAR(v[i], want[i], tol) << "at " << i;
}

// DFT-17 of x (attributes as given), with an optional dft_length.
Tensor dft17(const Tensor& x, int64_t axis, int64_t inverse, int64_t onesided,
             std::optional<int64_t> length = std::nullopt) {
  OpTester t("DFT", 17);
  t.input("x", x);
  if (length) t.input("n", Tensor::scalar<int64_t>(*length));
  t.attr("axis", axis).attr("inverse", inverse).attr("onesided", onesided).output("y");
  return t.run()[0];
}

TEST(DFT, RealLengthFour) {
  // x = [1, 2, 3, 4]: X[0] = 10; X[1] = 1 - 2i - 3 + 4i = -2 + 2i; X[2] = 1 - 2 + 3 - 4 = -2;
  // X[3] = conj(X[1]) = -2 - 2i.
  Tensor x = floats({1, 4, 1}, {1, 2, 3, 4});
  expect_near(dft17(x, 1, 0, 0), {1, 4, 2}, {10, 0, -2, 2, -2, 0, -2, -2});
  // onesided keeps bins 0 .. 4/2.
  expect_near(dft17(x, 1, 0, 1), {1, 3, 2}, {10, 0, -2, 2, -2, 0});
  // Negative axis -2 is the same axis.
  expect_near(dft17(x, -2, 0, 0), {1, 4, 2}, {10, 0, -2, 2, -2, 0, -2, -2});
}

TEST(DFT, InverseRoundTrip) {
  // The inverse of the spectrum above (scaled by 1/4) gives back [1, 2, 3, 4] as complex.
  Tensor spectrum = floats({1, 4, 2}, {10, 0, -2, 2, -2, 0, -2, -2});
  expect_near(dft17(spectrum, 1, 1, 0), {1, 4, 2}, {1, 0, 2, 0, 3, 0, 4, 0});
}

TEST(DFT, ComplexAndOddLengths) {
  // A unit impulse at j = 1 gives X[k] = w^k: n = 4: [1, -i, -1, i].
  expect_near(dft17(floats({1, 4, 2}, {0, 0, 1, 0, 0, 0, 0, 0}), 1, 0, 0), {1, 4, 2},
              {1, 0, 0, -1, -1, 0, 0, 1});
  // n = 3 (the direct sum): w = -1/2 - i sqrt(3)/2, w^2 = conj(w).
  const float h = std::sqrt(3.0f) / 2;
  expect_near(dft17(floats({1, 3, 1}, {0, 1, 0}), 1, 0, 0), {1, 3, 2}, {1, 0, -0.5f, -h, -0.5f, h});
  // n = 8 (three radix-2 stages): the impulse at j = 1 gives w^k, w = (1 - i) / sqrt(2).
  const float r = std::sqrt(0.5f);
  expect_near(dft17(floats({1, 8, 2}, {0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}), 1, 0, 0),
              {1, 8, 2}, {1, 0, r, -r, 0, -1, -r, -r, -1, 0, -r, r, 0, 1, r, r});
  // n = 5, onesided: 5/2 + 1 = 3 bins; a constant signal has only the DC term 5.
  expect_near(dft17(floats({1, 5, 1}, {1, 1, 1, 1, 1}), 1, 0, 1), {1, 3, 2}, {5, 0, 0, 0, 0, 0});
}

TEST(DFT, LengthPadsOrTruncates) {
  // [1, 2] padded to 4: X = [3, 1 - 2i, -1, 1 + 2i].
  expect_near(dft17(floats({1, 2, 1}, {1, 2}), 1, 0, 0, 4), {1, 4, 2}, {3, 0, 1, -2, -1, 0, 1, 2});
  // [1, 2, 3, 4] cut to its first 2 values: X = [3, -1].
  expect_near(dft17(floats({1, 4, 1}, {1, 2, 3, 4}), 1, 0, 0, 2), {1, 2, 2}, {3, 0, -1, 0});
  EXPECT_TRUE(mentions(error_of([] {
                         dft17(floats({1, 2, 1}, {1, 2}), 1, 0, 0, 0);
                       }),
                       "dft_length must be positive"));
}

TEST(DFT, OtherAxesAndBatches) {
  // [2, 2, 1] along axis 0: X[0][c] = x[0][c] + x[1][c], X[1][c] = x[0][c] - x[1][c].
  // x = [[1, 2], [3, 5]] -> [[4, 7], [-2, -3]].
  expect_near(dft17(floats({2, 2, 1}, {1, 2, 3, 5}), 0, 0, 0), {2, 2, 2},
              {4, 0, 7, 0, -2, 0, -3, 0});
  // Along axis 1 instead: rows [1, 2] -> [3, -1] and [3, 5] -> [8, -2].
  expect_near(dft17(floats({2, 2, 1}, {1, 2, 3, 5}), 1, 0, 0), {2, 2, 2},
              {3, 0, -1, 0, 8, 0, -2, 0});
}

TEST(DFT, Opset20AxisInput) {
  // Default axis -2: the last signal axis, here 1 of [1, 4, 1].
  OpTester def("DFT", 20);
  def.input("x", floats({1, 4, 1}, {1, 2, 3, 4})).output("y");
  expect_near(def.run()[0], {1, 4, 2}, {10, 0, -2, 2, -2, 0, -2, -2});
  // The axis as an input: 0 of [4, 1, 1]; dft_length omitted.
  OpTester ax("DFT", 20);
  ax.input("x", floats({4, 1, 1}, {1, 2, 3, 4}))
      .omitted()
      .input("axis", Tensor::scalar<int64_t>(0))
      .output("y");
  expect_near(ax.run()[0], {4, 1, 2}, {10, 0, -2, 2, -2, 0, -2, -2});
  // The last dim holds the complex parts: -1 is not an axis.
  OpTester bad("DFT", 20);
  bad.input("x", floats({4, 1}, {1, 2, 3, 4}))
      .omitted()
      .input("axis", Tensor::scalar<int64_t>(-1))
      .output("y");
  EXPECT_TRUE(mentions(error_of([&] { bad.run(); }), "out of range"));
}

TEST(DFT, BadInputs) {
  // Complex input cannot be onesided.
  EXPECT_TRUE(mentions(error_of([] {
                         dft17(floats({1, 2, 2}, {1, 0, 2, 0}), 1, 0, 1);
                       }),
                       "onesided"));
  EXPECT_TRUE(mentions(error_of([] {
                         dft17(floats({1, 2, 3}, {1, 0, 2, 0, 1, 1}), 1, 0, 0);
                       }),
                       "last dim"));
  EXPECT_TRUE(mentions(error_of([] {
                         dft17(floats({1, 2, 1}, {1, 2}), 1, 2, 0);
                       }),
                       "inverse must be"));
  EXPECT_TRUE(mentions(error_of([] { dft17(floats({1, 2, 1}, {1, 2}), 2, 0, 0); }), "axis 2"));
}

TEST(DFT, ShapeRuleKeepsSymbols) {
  OpTester t("DFT", 17);
  t.input("x", floats({1, 4, 1}, {1, 2, 3, 4})).attr("onesided", int64_t{1}).output("y");
  Model m = t.model();
  m.graph.value(m.graph.inputs[0]).type = TypeInfo::tensor(
      DType::Float, std::vector<Dim>{Dim::symbol("N"), Dim::known(9), Dim::known(1)});
  m.graph.value(m.graph.outputs[0]).type = TypeInfo{};
  const Registry& r = builtin_registry();
  InferenceResult res = infer_shapes(m.graph, [&r](const Node& n) { return r.shape_rule(n); });
  EXPECT_EQ(res.types[m.graph.outputs[0]].to_string(), "float[N, 5, 2]");  // 9 / 2 + 1
}

Tensor stft(const Tensor& signal, int64_t step, const Tensor* window, std::optional<int64_t> n,
            int64_t onesided = 1) {
  OpTester t("STFT", 17);
  t.input("signal", signal).input("step", Tensor::scalar<int64_t>(step));
  if (window)
    t.input("window", *window);
  else
    t.omitted();
  if (n) t.input("n", Tensor::scalar<int64_t>(*n));
  t.attr("onesided", onesided).output("y");
  return t.run()[0];
}

TEST(STFT, FramesWindowsAndBins) {
  Tensor x = floats({1, 4, 1}, {1, 2, 3, 4});
  // Frames of 2 at step 2: [1, 2] -> [3, -1], [3, 4] -> [7, -1]; onesided: 2/2 + 1 = 2 bins.
  expect_near(stft(x, 2, nullptr, 2), {1, 2, 2, 2}, {3, 0, -1, 0, 7, 0, -1, 0});
  // Step 1 gives 3 frames; onesided = 0 keeps all bins (here also 2).
  expect_near(stft(x, 1, nullptr, 2, 0), {1, 3, 2, 2}, {3, 0, -1, 0, 5, 0, -1, 0, 7, 0, -1, 0});
  // Window [1, 0.5] (frame_length from it): [1, 1] -> [2, 0]; [3, 2] -> [5, 1].
  Tensor w = floats({2}, {1, 0.5f});
  expect_near(stft(x, 2, &w, std::nullopt), {1, 2, 2, 2}, {2, 0, 0, 0, 5, 0, 1, 0});
  // A complex signal with onesided = 0: [(1, 1), (0, 2)] -> [(1, 3), (1, -1)].
  expect_near(stft(floats({1, 2, 2}, {1, 1, 0, 2}), 1, nullptr, 2, 0), {1, 1, 2, 2}, {1, 3, 1, -1});
}

TEST(STFT, BadInputs) {
  Tensor x = floats({1, 4, 1}, {1, 2, 3, 4});
  Tensor w = floats({3}, {1, 1, 1});
  EXPECT_TRUE(mentions(error_of([&] { stft(x, 1, &w, 2); }), "differs from frame_length"));
  EXPECT_TRUE(mentions(error_of([&] { stft(x, 1, nullptr, 5); }), "shorter than frame_length"));
  EXPECT_TRUE(mentions(error_of([&] { stft(x, 0, nullptr, 2); }), "frame_step must be positive"));
  EXPECT_TRUE(mentions(error_of([&] { stft(x, 1, nullptr, std::nullopt); }), "window or"));
  EXPECT_TRUE(mentions(error_of([] {
                         stft(floats({1, 2, 2}, {1, 1, 0, 2}), 1, nullptr, 2);
                       }),
                       "onesided"));
}

Tensor window(const char* op, int64_t size, int64_t periodic, int64_t dtype = 1) {
  OpTester t(op, 17);
  t.input("size", Tensor::scalar<int64_t>(size))
      .attr("periodic", periodic)
      .attr("output_datatype", dtype)
      .output("y");
  return t.run()[0];
}

TEST(Windows, ValuesAtKnownPoints) {
  // Periodic, size 4 (N = 4): cos(2 pi n / 4) = [1, 0, -1, 0], cos(4 pi n / 4) = [1, -1, 1, -1].
  expect_near(window("HannWindow", 4, 1), {4}, {0, 0.5f, 1, 0.5f});
  expect_near(window("HammingWindow", 4, 1), {4}, {4.0f / 46, 25.0f / 46, 1, 25.0f / 46});
  // Blackman: 0.42 - 0.5 c1 + 0.08 c2: [0, 0.34, 1, 0.34].
  expect_near(window("BlackmanWindow", 4, 1), {4}, {0, 0.34f, 1, 0.34f});
  // Symmetric, size 5 (N = 4): the same points plus w[4] = w[0].
  expect_near(window("HannWindow", 5, 0), {5}, {0, 0.5f, 1, 0.5f, 0});
  // One symmetric point is the centre value 1; size 0 is empty.
  expect_near(window("HannWindow", 1, 0), {1}, {1});
  EXPECT_EQ(window("HannWindow", 0, 1).shape(), Shape{0});
}

TEST(Windows, OutputDatatypes) {
  Tensor d = window("HannWindow", 4, 1, 11);  // double
  EXPECT_EQ(d.dtype(), DType::Double);
  EXPECT_DOUBLE_EQ(d.to_vector<double>()[1], 0.5);
  // Integers truncate: [0, 0.5, 1, 0.5] -> [0, 0, 1, 0].
  EXPECT_EQ(window("HannWindow", 4, 1, 6).to_vector<int32_t>(), (std::vector<int32_t>{0, 0, 1, 0}));
  EXPECT_TRUE(mentions(error_of([] { window("HannWindow", 4, 1, 8); }), "output_datatype"));
  EXPECT_TRUE(mentions(error_of([] { window("HannWindow", -1, 1); }), "negative"));
  EXPECT_TRUE(mentions(error_of([] { window("HannWindow", 4, 2); }), "periodic must be"));
}

Tensor mel(int64_t bins, int64_t length, int64_t rate, float lower, float upper) {
  OpTester t("MelWeightMatrix", 17);
  t.input("bins", Tensor::scalar<int64_t>(bins))
      .input("length", Tensor::scalar<int64_t>(length))
      .input("rate", Tensor::scalar<int64_t>(rate))
      .input("lower", Tensor::scalar<float>(lower))
      .input("upper", Tensor::scalar<float>(upper))
      .output("y");
  return t.run()[0];
}

TEST(MelWeightMatrix, ShapeAndBadInputs) {
  // dft_length 16 -> 9 rows; each column is a triangle with peak 1.
  Tensor m = mel(4, 16, 8000, 0, 4000);
  ASSERT_EQ(m.shape(), (Shape{9, 4}));
  std::vector<float> v = m.to_vector<float>();
  for (int band = 0; band < 4; ++band) {
    float peak = 0;
    for (int row = 0; row < 9; ++row) peak = std::max(peak, v[row * 4 + band]);
    EXPECT_EQ(peak, 1.0f) << band;
  }
  // 100 Hz at a sample rate of 8 is far above the Nyquist frequency 4: bins past the rows.
  EXPECT_TRUE(mentions(error_of([] { mel(1, 8, 8, 0, 100); }), "outside [0, 5)"));
  EXPECT_TRUE(mentions(error_of([] { mel(1, 8, 8, 0, INFINITY); }), "outside [0, 5)"));
  EXPECT_TRUE(mentions(error_of([] { mel(0, 8, 8, 0, 4); }), "num_mel_bins must be positive"));
  EXPECT_TRUE(mentions(error_of([] { mel(1, 8, 8, 3, 2); }), "lower_edge_hertz"));
}

}  // namespace
}  // namespace onyx
