// One-node tests of the image family (Resize, Upsample, GridSample, RoiAlign,
// NonMaxSuppression) and MaxUnpool for versions and options the ONNX backend data misses,
// and for bad inputs. Expected values are worked out by hand in the comments.
#include <gtest/gtest.h>

#include <functional>

#include "onyx/onyx.h"
#include "onyx/shape_inference.h"
#include "op_tester.h"

namespace onyx {
namespace {

using testing::error_of;
using testing::expect_near;
using testing::floats;
using testing::ints;
using testing::OpTester;

#define EXPECT_ERROR(stmt, text) \
  EXPECT_NE(error_of([&] { stmt; }).find(text), std::string::npos) << error_of([&] { stmt; })

// The inferred type of output 0 when input 0 is declared as `x_type` instead.
std::string inferred_output(const OpTester& t, const TypeInfo& x_type) {
  Model m = t.model();
  m.graph.value(m.graph.inputs[0]).type = x_type;
  m.graph.value(m.graph.outputs[0]).type = TypeInfo{};
  const Registry& r = builtin_registry();
  InferenceResult res = infer_shapes(m.graph, [&r](const Node& n) { return r.shape_rule(n); });
  return res.types[m.graph.outputs[0]].to_string();
}

// ---- Resize ----

TEST(ImageResize, AntialiasLinearDownsample) {
  // in 4 -> out 2, scale 0.5, half_pixel: sources 0.5 and 2.5. The antialiased tent has
  // radius 2: weights tri((j - 0.5) / 2) on j = -1..2 are .25 .75 .75 .25, normalized
  // /2 -> .125 .375 .375 .125; j = -1 reads x[0]. 0.375*1 + 0.125*2 = 0.625. For 2.5:
  // j = 1..4 (4 reads x[3]): .125*1 + .375*2 + .375*3 + .125*3 = 2.375.
  OpTester t("Resize", 18);
  t.input("x", floats({4}, {0, 1, 2, 3}))
      .omitted()
      .omitted()
      .constant("sizes", ints({1}, {2}))
      .attr("mode", "linear")
      .attr("antialias", int64_t{1})
      .output("y");
  expect_near(t.run()[0], {2}, {0.625f, 2.375f});
  // Without antialias: plain linear at 0.5 and 2.5.
  OpTester plain("Resize", 18);
  plain.input("x", floats({4}, {0, 1, 2, 3}))
      .omitted()
      .omitted()
      .constant("sizes", ints({1}, {2}))
      .attr("mode", "linear")
      .output("y");
  expect_near(plain.run()[0], {2}, {0.5f, 2.5f});
}

TEST(ImageResize, AntialiasCubicDownsample) {
  // Scale 0.5, source 0.5: Keys' kernel (A = -0.75) stretched by 2 on j = -3..4, at
  // |j - 0.5| / 2 = 1.75, 1.25, .75, .25, .25, .75, 1.25, 1.75: -.03515625, -.10546875,
  // .26171875, .87890625 (mirrored); they sum to 2. j <= 0 read 0, j = 4 reads x[3]:
  // (.87890625 * 1 + .26171875 * 2 - .10546875 * 3 - .03515625 * 3) / 2 = 0.490234375.
  // Source 2.5 mirrors it: 3 - 0.490234375.
  OpTester t("Resize", 18);
  t.input("x", floats({4}, {0, 1, 2, 3}))
      .omitted()
      .constant("scales", floats({1}, {0.5f}))
      .attr("mode", "cubic")
      .attr("antialias", int64_t{1})
      .output("y");
  expect_near(t.run()[0], {2}, {0.490234375f, 2.509765625f});
}

TEST(ImageResize, AxesSubset) {
  // Only the last axis: scale 0.5, half_pixel sources 0.5 and 2.5 round (prefer floor)
  // to columns 0 and 2.
  for (int64_t axis : {int64_t{1}, int64_t{-1}}) {
    OpTester t("Resize", 18);
    t.input("x", floats({2, 4}, {1, 2, 3, 4, 5, 6, 7, 8}))
        .omitted()
        .constant("scales", floats({1}, {0.5f}))
        .attr("axes", std::vector<int64_t>{axis})
        .output("y");
    expect_near(t.run()[0], {2, 2}, {1, 3, 5, 7});
  }
  OpTester dup("Resize", 18);
  dup.input("x", floats({2, 4}, {1, 2, 3, 4, 5, 6, 7, 8}))
      .omitted()
      .constant("scales", floats({2}, {1, 0.5f}))
      .attr("axes", std::vector<int64_t>{1, -1})
      .output("y");
  EXPECT_ERROR(dup.run(), "repeated");
}

TEST(ImageResize, KeepAspectRatioPolicy) {
  // X [1, 1, 2, 4], sizes 4 x 4 on axes 2, 3: ratios 2 and 1.
  auto run = [](const char* policy) {
    OpTester t("Resize", 18);
    t.input("x", floats({1, 1, 2, 4}, {0, 1, 2, 3, 4, 5, 6, 7}))
        .omitted()
        .omitted()
        .constant("sizes", ints({2}, {4, 4}))
        .attr("axes", std::vector<int64_t>{2, 3})
        .attr("keep_aspect_ratio_policy", policy)
        .output("y");
    return t.run()[0];
  };
  // not_larger: scale min(2, 1) = 1 -> the input itself.
  expect_near(run("not_larger"), {1, 1, 2, 4}, {0, 1, 2, 3, 4, 5, 6, 7});
  // not_smaller: scale 2 on both axes -> [1, 1, 4, 8], each element repeated 2 x 2
  // (half_pixel sources (p + .5) / 2 - .5 = -.25, .25, .75, ... round to 0, 0, 1, 1, ...).
  Tensor y = run("not_smaller");
  ASSERT_EQ(y.shape(), (Shape{1, 1, 4, 8}));
  EXPECT_EQ(y.to_vector<float>()[0], 0);
  EXPECT_EQ(y.to_vector<float>()[3], 1);
  EXPECT_EQ(y.to_vector<float>()[31], 7);
  OpTester bad("Resize", 18);
  bad.input("x", floats({1, 4}, {0, 1, 2, 3}))
      .omitted()
      .constant("scales", floats({2}, {1, 2}))
      .attr("keep_aspect_ratio_policy", "not_larger")
      .output("y");
  EXPECT_ERROR(bad.run(), "keep_aspect_ratio_policy");
}

TEST(ImageResize, HalfPixelSymmetric) {
  // in 4, scale 0.6 -> out floor(2.4) = 2. adjustment 2 / 2.4, offset 2 * (1 - 2/2.4) = 1/3;
  // sources 1/3 + .5/.6 - .5 = 2/3 and 1/3 + 1.5/.6 - .5 = 7/3 -> linear values themselves.
  OpTester t("Resize", 19);
  t.input("x", floats({4}, {0, 1, 2, 3}))
      .omitted()
      .constant("scales", floats({1}, {0.6f}))
      .attr("mode", "linear")
      .attr("coordinate_transformation_mode", "half_pixel_symmetric")
      .output("y");
  expect_near(t.run()[0], {2}, {2.0f / 3, 7.0f / 3});
  OpTester old("Resize", 18);  // not known before opset 19
  old.input("x", floats({4}, {0, 1, 2, 3}))
      .omitted()
      .constant("scales", floats({1}, {0.6f}))
      .attr("coordinate_transformation_mode", "half_pixel_symmetric")
      .output("y");
  EXPECT_ERROR(old.run(), "half_pixel_symmetric");
}

TEST(ImageResize, TfCropAndResizeExtrapolates) {
  // roi [0.5, 1.5] of 4 elements, 3 outputs: sources 0.5*3 + p * 1 * 3 / 2 = 1.5, 3, 4.5;
  // 4.5 lies past the last element (3) -> extrapolation_value.
  OpTester t("Resize", 13);
  t.input("x", floats({4}, {0, 1, 2, 3}))
      .constant("roi", floats({2}, {0.5f, 1.5f}))
      .omitted()
      .constant("sizes", ints({1}, {3}))
      .attr("mode", "linear")
      .attr("coordinate_transformation_mode", "tf_crop_and_resize")
      .attr("extrapolation_value", 9.0f)
      .output("y");
  expect_near(t.run()[0], {3}, {1.5f, 3, 9});
}

TEST(ImageResize, BadInputs) {
  OpTester both("Resize", 13);
  both.input("x", floats({4}, {0, 1, 2, 3}))
      .omitted()
      .constant("scales", floats({1}, {2}))
      .constant("sizes", ints({1}, {8}))
      .output("y");
  EXPECT_ERROR(both.run(), "exactly one of scales and sizes");
  OpTester neither("Resize", 13);
  neither.input("x", floats({4}, {0, 1, 2, 3})).output("y");
  EXPECT_ERROR(neither.run(), "exactly one of scales and sizes");
  OpTester roi("Resize", 13);
  roi.input("x", floats({2, 2}, {0, 1, 2, 3}))
      .input("roi", floats({3}, {0, 0, 1}))
      .omitted()
      .constant("sizes", ints({2}, {3, 3}))
      .attr("coordinate_transformation_mode", "tf_crop_and_resize")
      .output("y");
  EXPECT_ERROR(roi.run(), "roi with 4 values");
  OpTester rank("Resize", 13);
  rank.input("x", floats({2, 2}, {0, 1, 2, 3}))
      .omitted()
      .input("scales", floats({1}, {2}))
      .output("y");
  EXPECT_ERROR(rank.run(), "scales has 1 values for 2");
  OpTester negative("Resize", 13);
  negative.input("x", floats({4}, {0, 1, 2, 3}))
      .omitted()
      .input("scales", floats({1}, {-2}))
      .output("y");
  EXPECT_ERROR(negative.run(), "positive");
  OpTester mode("Resize", 10);
  mode.input("x", floats({4}, {0, 1, 2, 3}))
      .constant("scales", floats({1}, {2}))
      .attr("mode", "cubic")
      .output("y");
  EXPECT_ERROR(mode.run(), "mode 'cubic'");
}

TEST(ImageResize, Opset10IsAsymmetricFloor) {
  // scale 1.5: out 6, sources p / 1.5 = 0, .67, 1.33, 2, 2.67, 3.33 -> floor 0 0 1 2 2 3.
  OpTester t("Resize", 10);
  t.input("x", floats({4}, {1, 2, 3, 4})).constant("scales", floats({1}, {1.5f})).output("y");
  expect_near(t.run()[0], {6}, {1, 1, 2, 3, 3, 4});
}

TEST(ImageResize, IntegerLinearTruncates) {
  // align_corners, 2 -> 3: sources 0, .5, 1 -> 0, 127.5 (truncated to 127), 255.
  OpTester t("Resize", 13);
  t.input("x", Tensor::from_vector<uint8_t>({2}, {0, 255}))
      .omitted()
      .omitted()
      .constant("sizes", ints({1}, {3}))
      .attr("mode", "linear")
      .attr("coordinate_transformation_mode", "align_corners")
      .output("y");
  EXPECT_EQ(t.run()[0].to_vector<uint8_t>(), (std::vector<uint8_t>{0, 127, 255}));
}

TEST(ImageResize, ShapeRuleKeepsSymbolicDims) {
  OpTester t("Resize", 13);
  t.input("x", floats({1, 1, 2, 3}, std::vector<float>(6, 0)))
      .omitted()
      .constant("scales", floats({4}, {1, 1, 2, 2}))
      .output("y");
  const TypeInfo x = TypeInfo::tensor(
      DType::Float,
      std::vector<Dim>{Dim::symbol("N"), Dim::symbol("C"), Dim::known(2), Dim::known(3)});
  EXPECT_EQ(inferred_output(t, x), "float[N, C, 4, 6]");
  OpTester s("Resize", 18);
  s.input("x", floats({1, 1, 2, 3}, std::vector<float>(6, 0)))
      .omitted()
      .omitted()
      .constant("sizes", ints({2}, {5, 7}))
      .attr("axes", std::vector<int64_t>{2, 3})
      .output("y");
  const TypeInfo sym = TypeInfo::tensor(
      DType::Float,
      std::vector<Dim>{Dim::symbol("N"), Dim::known(1), Dim::symbol("H"), Dim::known(3)});
  EXPECT_EQ(inferred_output(s, sym), "float[N, 1, 5, 7]");
}

TEST(ImageResize, Opset11SizesWithEmptyScales) {
  // Opset 11 requires the scales input; an empty one defers to sizes. Nearest, half_pixel:
  // 2 -> 4 sources (p + .5) / 2 - .5 = -.25, .25, .75, 1.25 -> 0, 0, 1, 1.
  OpTester t("Resize", 11);
  t.input("x", floats({2}, {3, 4}))
      .constant("roi", floats({0}, {}))
      .constant("scales", floats({0}, {}))
      .constant("sizes", ints({1}, {4}))
      .output("y");
  expect_near(t.run()[0], {4}, {3, 3, 4, 4});
}

// ---- Upsample ----

TEST(ImageUpsample, Opset7AttributeScalesLinear) {
  // asymmetric, scale 2: sources 0, .5, 1, 1.5 -> 0, 1, 2, 2 (1.5 reads x[1] twice).
  OpTester t("Upsample", 7);
  t.input("x", floats({2}, {0, 2}))
      .attr("mode", "linear")
      .attr("scales", std::vector<float>{2})
      .output("y");
  expect_near(t.run()[0], {4}, {0, 1, 2, 2});
  OpTester down("Upsample", 9);
  down.input("x", floats({2}, {0, 2})).constant("scales", floats({1}, {0.5f})).output("y");
  EXPECT_ERROR(down.run(), ">= 1");
}

// ---- GridSample ----

TEST(ImageGridSample, Opset20Volumetric) {
  // The grid point (0, 0, 0) with align_corners 0 is position 0.5 on each axis of a
  // 2 x 2 x 2 volume: the mean of all eight values 0..7 = 3.5.
  OpTester t("GridSample", 20);
  t.input("x", floats({1, 1, 2, 2, 2}, {0, 1, 2, 3, 4, 5, 6, 7}))
      .input("grid", floats({1, 1, 1, 1, 3}, {0, 0, 0}))
      .output("y");
  expect_near(t.run()[0], {1, 1, 1, 1, 1}, {3.5f});
}

TEST(ImageGridSample, Opset20OneAxisReflection) {
  // X [1, 1, 4] = 0..3, align_corners 1: g = -1 -> 0, g = 1 -> 3; nearest at g = 1.5:
  // x = 2.5 / 2 * 3 = 3.75 -> 4, reflected at 3 -> 2.
  OpTester t("GridSample", 20);
  t.input("x", floats({1, 1, 4}, {0, 1, 2, 3}))
      .input("grid", floats({1, 3, 1}, {-1, 1, 1.5f}))
      .attr("mode", "nearest")
      .attr("padding_mode", "reflection")
      .attr("align_corners", int64_t{1})
      .output("y");
  expect_near(t.run()[0], {1, 1, 3}, {0, 3, 2});
}

TEST(ImageGridSample, NearestRoundsLikePyTorch) {
  // align_corners 0 on a width of 4: g = -0.5 -> x = ((g + 1) * 4 - 1) / 2 = 0.5 and
  // g = 0 -> 1.5; the height of 1 maps g = 0 to 0. 2-D rounds halves to even: 0 and 2.
  OpTester t("GridSample", 16);
  t.input("x", floats({1, 1, 1, 4}, {0, 1, 2, 3}))
      .input("grid", floats({1, 1, 2, 2}, {-0.5f, 0, 0, 0}))
      .attr("mode", "nearest")
      .output("y");
  expect_near(t.run()[0], {1, 1, 1, 2}, {0, 2});
  // 3-D rounds halves away from zero: 0.5 -> 1.
  OpTester v("GridSample", 20);
  v.input("x", floats({1, 1, 1, 1, 4}, {0, 1, 2, 3}))
      .input("grid", floats({1, 1, 1, 1, 3}, {-0.5f, 0, 0}))
      .attr("mode", "nearest")
      .output("y");
  expect_near(v.run()[0], {1, 1, 1, 1, 1}, {1});
}

TEST(ImageGridSample, ModeNamesAndRanks) {
  OpTester old("GridSample", 16);
  old.input("x", floats({1, 1, 2, 2}, {0, 1, 2, 3}))
      .input("grid", floats({1, 1, 1, 2}, {0, 0}))
      .attr("mode", "cubic")
      .output("y");
  EXPECT_ERROR(old.run(), "bilinear, nearest, bicubic");
  OpTester now("GridSample", 20);
  now.input("x", floats({1, 1, 2, 2}, {0, 1, 2, 3}))
      .input("grid", floats({1, 1, 1, 2}, {0, 0}))
      .attr("mode", "bilinear")
      .output("y");
  EXPECT_ERROR(now.run(), "linear, nearest, cubic");
  OpTester rank("GridSample", 16);
  rank.input("x", floats({1, 1, 4}, {0, 1, 2, 3}))
      .input("grid", floats({1, 1, 1}, {0}))
      .output("y");
  EXPECT_ERROR(rank.run(), "rank 4");
  OpTester last("GridSample", 16);
  last.input("x", floats({1, 1, 2, 2}, {0, 1, 2, 3}))
      .input("grid", floats({1, 1, 1, 3}, {0, 0, 0}))
      .output("y");
  EXPECT_ERROR(last.run(), "last dim must be 2");
}

// ---- RoiAlign ----

TEST(ImageRoiAlign, Opset10HasNoHalfPixelShift) {
  // X = [[0, 1], [2, 3]], roi (0, 0, 1, 1), one 1 x 1 bin with one sample at its center.
  // Opset 10: (0.5, 0.5), the mean of all four = 1.5. Opset 16 (half_pixel): the region
  // shifts by -0.5, the sample lands on (0, 0) = 0.
  for (auto [opset, want] : {std::pair{10, 1.5f}, std::pair{16, 0.0f}}) {
    OpTester t("RoiAlign", opset);
    t.input("x", floats({1, 1, 2, 2}, {0, 1, 2, 3}))
        .input("rois", floats({1, 4}, {0, 0, 1, 1}))
        .input("batch_indices", ints({1}, {0}))
        .attr("output_height", int64_t{1})
        .attr("output_width", int64_t{1})
        .attr("sampling_ratio", int64_t{1})
        .output("y");
    expect_near(t.run()[0], {1, 1, 1, 1}, {want});
  }
}

TEST(ImageRoiAlign, MaxOfWeightedCorners) {
  // Opset 10, 2 x 2 samples at (.25|.75, .25|.75); each sample's value is its largest
  // weighted corner w * x: .375, .5625, 1.125, 1.6875 -> max 1.6875.
  OpTester t("RoiAlign", 10);
  t.input("x", floats({1, 1, 2, 2}, {0, 1, 2, 3}))
      .input("rois", floats({1, 4}, {0, 0, 1, 1}))
      .input("batch_indices", ints({1}, {0}))
      .attr("mode", "max")
      .attr("output_height", int64_t{1})
      .attr("output_width", int64_t{1})
      .attr("sampling_ratio", int64_t{2})
      .output("y");
  expect_near(t.run()[0], {1, 1, 1, 1}, {1.6875f});
}

TEST(ImageRoiAlign, BatchIndexOutOfRange) {
  OpTester t("RoiAlign", 16);
  t.input("x", floats({1, 1, 2, 2}, {0, 1, 2, 3}))
      .input("rois", floats({1, 4}, {0, 0, 1, 1}))
      .input("batch_indices", ints({1}, {1}))
      .output("y");
  EXPECT_ERROR(t.run(), "batch index 1 is out of range");
}

// ---- NonMaxSuppression ----

// Two images, three boxes (y1, x1, y2, x2): 0 and 1 overlap with IoU 0.9 / 1.1 = 0.82,
// 2 is apart from both.
OpTester nms(int64_t max_out) {
  OpTester t("NonMaxSuppression", 11);
  const std::vector<float> boxes = {0, 0, 1, 1, 0, 0.1f, 1, 1.1f, 0, 2, 1, 3};
  std::vector<float> both = boxes;
  both.insert(both.end(), boxes.begin(), boxes.end());
  t.input("boxes", floats({2, 3, 4}, both))
      .input("scores", floats({2, 2, 3}, {0.9f, 0.8f, 0.7f, 0.1f, 0.95f, 0.2f,  // image 0
                                          0.3f, 0.2f, 0.1f, 0.05f, 0.1f, 0.12f}))
      .input("max", ints({1}, {max_out}))
      .input("iou", floats({1}, {0.5f}))
      .input("score", floats({1}, {0.15f}))
      .output("selected");
  return t;
}

TEST(ImageNms, SeveralClassesAndBatches) {
  // Image 0, class 0: 0 (.9) kept, 1 (.8) suppressed by 0, 2 (.7) kept. Class 1: 1 (.95)
  // kept, 2 (.2) kept, 0 (.1) is under the score threshold. Image 1, class 0: 0 (.3) kept,
  // 1 (.2) suppressed, 2 (.1) under the threshold; class 1: all under the threshold.
  EXPECT_EQ(nms(3).run()[0].to_vector<int64_t>(),
            (std::vector<int64_t>{0, 0, 0, 0, 0, 2, 0, 1, 1, 0, 1, 2, 1, 0, 0}));
  // At most one box per class: the best of each.
  EXPECT_EQ(nms(1).run()[0].to_vector<int64_t>(),
            (std::vector<int64_t>{0, 0, 0, 0, 1, 1, 1, 0, 0}));
}

TEST(ImageNms, DefaultsAndBadThreshold) {
  OpTester none("NonMaxSuppression", 10);  // max_output_boxes_per_class absent: 0
  none.input("boxes", floats({1, 1, 4}, {0, 0, 1, 1}))
      .input("scores", floats({1, 1, 1}, {1}))
      .output("selected");
  EXPECT_EQ(none.run()[0].shape(), (Shape{0, 3}));
  OpTester bad("NonMaxSuppression", 11);
  bad.input("boxes", floats({1, 1, 4}, {0, 0, 1, 1}))
      .input("scores", floats({1, 1, 1}, {1}))
      .input("max", ints({1}, {1}))
      .input("iou", floats({1}, {1.5f}))
      .output("selected");
  EXPECT_ERROR(bad.run(), "iou_threshold");
  OpTester shape("NonMaxSuppression", 11);
  shape.input("boxes", floats({1, 1, 4}, {0, 0, 1, 1}))
      .input("scores", floats({1, 1, 2}, {1, 1}))
      .output("selected");
  EXPECT_ERROR(shape.run(), "scores must have shape");
}

// ---- MaxUnpool ----

TEST(MaxUnpool, OneAxisAndShapes) {
  // kernel 2, stride 2: 2 inputs unpool to (2 - 1) * 2 + 2 = 4; x[i] goes to flat I[i].
  OpTester t("MaxUnpool", 11);
  t.input("x", floats({1, 1, 2}, {5, 7}))
      .input("i", ints({1, 1, 2}, {1, 2}))
      .attr("kernel_shape", std::vector<int64_t>{2})
      .attr("strides", std::vector<int64_t>{2})
      .output("y");
  expect_near(t.run()[0], {1, 1, 4}, {0, 5, 7, 0});
  // output_shape [1, 1, 6]: the unpooled 4 values at the start, zeros after.
  OpTester o("MaxUnpool", 9);
  o.input("x", floats({1, 1, 2}, {5, 7}))
      .input("i", ints({1, 1, 2}, {1, 2}))
      .constant("shape", ints({3}, {1, 1, 6}))
      .attr("kernel_shape", std::vector<int64_t>{2})
      .attr("strides", std::vector<int64_t>{2})
      .output("y");
  expect_near(o.run()[0], {1, 1, 6}, {0, 5, 7, 0, 0, 0});
}

TEST(MaxUnpool, BadIndicesAndShapes) {
  OpTester t("MaxUnpool", 11);
  t.input("x", floats({1, 1, 2}, {5, 7}))
      .input("i", ints({1, 1, 2}, {1, 4}))
      .attr("kernel_shape", std::vector<int64_t>{2})
      .attr("strides", std::vector<int64_t>{2})
      .output("y");
  EXPECT_ERROR(t.run(), "index 4 in I is out of range [0, 4)");
  OpTester small("MaxUnpool", 11);
  small.input("x", floats({1, 1, 2}, {5, 7}))
      .input("i", ints({1, 1, 2}, {1, 2}))
      .input("shape", ints({3}, {1, 1, 3}))
      .attr("kernel_shape", std::vector<int64_t>{2})
      .attr("strides", std::vector<int64_t>{2})
      .output("y");
  EXPECT_ERROR(small.run(), "cannot hold");
  OpTester no_kernel("MaxUnpool", 11);
  no_kernel.input("x", floats({1, 1, 2}, {5, 7})).input("i", ints({1, 1, 2}, {1, 2})).output("y");
  EXPECT_ERROR(no_kernel.run(), "kernel_shape is required");
}

}  // namespace
}  // namespace onyx
