// One-node tests of the ai.onnx.ml operators ArrayFeatureExtractor, Binarizer,
// LabelEncoder (1, 2, 4), CategoryMapper, Scaler, Normalizer, Imputer, LinearRegressor,
// OneHotEncoder and FeatureVectorizer: expected values worked out by hand from the spec, and
// malformed nodes and inputs that must fail with a clear message.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "onyx/onyx.h"
#include "op_tester.h"

namespace onyx {
namespace {

using testing::error_of;
using testing::expect_near;
using testing::floats;
using testing::ints;
using testing::kNaN;
using testing::mentions;
using testing::OpTester;

constexpr const char* kMl = "ai.onnx.ml";

Tensor strings(Shape shape, std::vector<std::string> values) {
  return Tensor::from_vector<std::string>(std::move(shape), values);
}

// ---- ArrayFeatureExtractor ----

TEST(ArrayFeatureExtractor, PicksColumnsOfTheLastAxisInIndexOrder) {
  // Rows {1, 2, 3} and {4, 5, 6}, columns 2 then 0.
  OpTester t("ArrayFeatureExtractor", 1, kMl);
  t.input("X", floats({2, 3}, {1, 2, 3, 4, 5, 6})).input("Y", ints({2}, {2, 0})).output("Z");
  expect_near(t.run()[0], {2, 2}, {3, 1, 6, 4});
}

TEST(ArrayFeatureExtractor, HigherRankInt64AndIndicesOfAnyShape) {
  // X [2, 1, 3]; Y [1, 2] = {1, 1} read flat: every row gives its middle element twice.
  OpTester t("ArrayFeatureExtractor", 1, kMl);
  t.input("X", ints({2, 1, 3}, {10, 11, 12, 20, 21, 22})).input("Y", ints({1, 2}, {1, 1}));
  t.output("Z");
  Tensor z = t.run()[0];
  EXPECT_EQ(z.shape(), (Shape{2, 1, 2}));
  EXPECT_EQ(z.to_vector<int64_t>(), (std::vector<int64_t>{11, 11, 21, 21}));
}

TEST(ArrayFeatureExtractor, OneDimensionalStringsBecomeOneRow) {
  OpTester t("ArrayFeatureExtractor", 1, kMl);
  t.input("X", strings({3}, {"a", "b", "c"})).input("Y", ints({2}, {2, 1})).output("Z");
  Tensor z = t.run()[0];
  EXPECT_EQ(z.shape(), (Shape{1, 2}));
  EXPECT_EQ(z.to_vector<std::string>(), (std::vector<std::string>{"c", "b"}));
}

TEST(ArrayFeatureExtractor, NoIndicesGiveAnEmptyLastAxis) {
  OpTester t("ArrayFeatureExtractor", 1, kMl);
  t.input("X", floats({2, 3}, {1, 2, 3, 4, 5, 6})).input("Y", ints({0}, {})).output("Z");
  EXPECT_EQ(t.run()[0].shape(), (Shape{2, 0}));
}

TEST(ArrayFeatureExtractor, OutOfRangeIndicesAreErrors) {
  for (int64_t bad : {int64_t{3}, int64_t{-1}}) {
    OpTester t("ArrayFeatureExtractor", 1, kMl);
    t.input("X", floats({2, 3}, {1, 2, 3, 4, 5, 6})).input("Y", ints({2}, {0, bad})).output("Z");
    const std::string e = error_of([&] { t.run(); });
    EXPECT_TRUE(mentions(e, "index " + std::to_string(bad))) << e;
    EXPECT_TRUE(mentions(e, "out of range")) << e;
    EXPECT_TRUE(mentions(e, "ArrayFeatureExtractor")) << e;
  }
}

// ---- Binarizer ----

TEST(Binarizer, GreaterThanThresholdIsOneNaNIsZero) {
  OpTester t("Binarizer", 1, kMl);
  t.input("X", floats({5}, {-1, 0.5f, 1, 1.5f, kNaN})).attr("threshold", 1.0f).output("Y");
  expect_near(t.run()[0], {5}, {0, 0, 0, 1, 0});
}

TEST(Binarizer, IntegersAgainstTheDefaultThresholdZero) {
  OpTester t("Binarizer", 1, kMl);
  t.input("X", ints({2, 2}, {-5, 0, 3, testing::kMax64})).output("Y");
  Tensor y = t.run()[0];
  EXPECT_EQ(y.dtype(), DType::Int64);
  EXPECT_EQ(y.to_vector<int64_t>(), (std::vector<int64_t>{0, 0, 1, 1}));
  OpTester d("Binarizer", 1, kMl);
  d.input("X", Tensor::from_vector<double>({3}, {0.25, 0.5, 0.75})).attr("threshold", 0.5f);
  d.output("Y");
  EXPECT_EQ(d.run()[0].to_vector<double>(), (std::vector<double>{0, 0, 1}));
}

// ---- LabelEncoder ----

TEST(LabelEncoder, V1StringsToTheirFirstIndex) {
  // "a" is listed twice: its index is the first, 0. "z" is not listed: default_int64.
  OpTester t("LabelEncoder", 1, kMl);
  t.input("X", strings({3}, {"b", "a", "z"}))
      .attr("classes_strings", std::vector<std::string>{"a", "b", "a"})
      .attr("default_int64", int64_t{7})
      .output("Y");
  EXPECT_EQ(t.run()[0].to_vector<int64_t>(), (std::vector<int64_t>{1, 0, 7}));
}

TEST(LabelEncoder, V1IntegersToStringsWithDefaults) {
  OpTester t("LabelEncoder", 1, kMl);
  t.input("X", ints({2, 2}, {0, 2, 3, -1}))
      .attr("classes_strings", std::vector<std::string>{"x", "y", "z"})
      .output("Y");
  Tensor y = t.run()[0];
  EXPECT_EQ(y.shape(), (Shape{2, 2}));
  EXPECT_EQ(y.to_vector<std::string>(), (std::vector<std::string>{"x", "z", "_Unused", "_Unused"}));
}

TEST(LabelEncoder, V2FloatKeysMatchSignedZeroAndNaN) {
  OpTester t("LabelEncoder", 2, kMl);
  t.input("X", floats({4}, {0.5f, 0.0f, kNaN, 1}))
      .attr("keys_floats", std::vector<float>{0.5f, -0.0f, kNaN})
      .attr("values_strings", std::vector<std::string>{"half", "zero", "nan"})
      .attr("default_string", "other")
      .output("Y");
  EXPECT_EQ(t.run()[0].to_vector<std::string>(),
            (std::vector<std::string>{"half", "zero", "nan", "other"}));
}

TEST(LabelEncoder, V2IntegersToFloatsLastRepeatWinsDefaultIsNegativeZero) {
  OpTester t("LabelEncoder", 2, kMl);
  t.input("X", ints({3}, {1, 2, 3}))
      .attr("keys_int64s", std::vector<int64_t>{1, 2, 1})
      .attr("values_floats", std::vector<float>{10, 20, 30})
      .output("Y");
  Tensor y = t.run()[0];
  expect_near(y, {3}, {30, 20, 0});
  EXPECT_TRUE(std::signbit(y.data<float>()[2]));
}

TEST(LabelEncoder, V2StringsToIntegersAndAnEmptyInput) {
  OpTester t("LabelEncoder", 2, kMl);
  t.input("X", strings({0}, {}))
      .attr("keys_strings", std::vector<std::string>{"a"})
      .attr("values_int64s", std::vector<int64_t>{5})
      .output("Y");
  Tensor y = t.run()[0];
  EXPECT_EQ(y.dtype(), DType::Int64);
  EXPECT_EQ(y.shape(), (Shape{0}));
}

TEST(LabelEncoder, V4TensorKeysValuesAndDefault) {
  // int32 keys {3, 7} -> double values {0.25, 0.75}; 5 is no key: default_tensor 9.5.
  OpTester t("LabelEncoder", 4, kMl);
  t.input("X", Tensor::from_vector<int32_t>({3}, {7, 3, 5}))
      .attr("keys_tensor", Tensor::from_vector<int32_t>({2}, {3, 7}))
      .attr("values_tensor", Tensor::from_vector<double>({2}, {0.25, 0.75}))
      .attr("default_tensor", Tensor::from_vector<double>({1}, {9.5}))
      .output("Y");
  EXPECT_EQ(t.run()[0].to_vector<double>(), (std::vector<double>{0.75, 0.25, 9.5}));
}

TEST(LabelEncoder, V4Int16KeysToStringsAndValuesTensorWithoutDefault) {
  OpTester s("LabelEncoder", 4, kMl);
  s.input("X", Tensor::from_vector<int16_t>({2}, {-2, 4}))
      .attr("keys_tensor", Tensor::from_vector<int16_t>({1}, {-2}))
      .attr("values_strings", std::vector<std::string>{"minus two"})
      .output("Y");
  EXPECT_EQ(s.run()[0].to_vector<std::string>(),
            (std::vector<std::string>{"minus two", "_Unused"}));
  // Integral values without a default_tensor fall back to -1.
  OpTester t("LabelEncoder", 4, kMl);
  t.input("X", strings({2}, {"a", "b"}))
      .attr("keys_strings", std::vector<std::string>{"a"})
      .attr("values_tensor", Tensor::from_vector<int16_t>({1}, {3}))
      .output("Y");
  EXPECT_EQ(t.run()[0].to_vector<int16_t>(), (std::vector<int16_t>{3, -1}));
}

TEST(LabelEncoder, MalformedNodes) {
  auto error = [](int opset, auto&& fill) {
    OpTester t("LabelEncoder", opset, kMl);
    t.input("X", strings({1}, {"a"}));
    fill(t);
    t.output("Y");
    return error_of([&] { t.run(); });
  };
  std::string e = error(2, [](OpTester& t) {
    t.attr("keys_strings", std::vector<std::string>{"a", "b"});
    t.attr("values_int64s", std::vector<int64_t>{1});
  });
  EXPECT_TRUE(mentions(e, "same length")) << e;
  e = error(2, [](OpTester& t) {
    t.attr("keys_strings", std::vector<std::string>{"a"});
    t.attr("keys_int64s", std::vector<int64_t>{1});
    t.attr("values_int64s", std::vector<int64_t>{1});
  });
  EXPECT_TRUE(mentions(e, "exactly one of keys_")) << e;
  // keys_tensor is an opset-4 attribute: opset 2 sees no keys.
  e = error(2, [](OpTester& t) {
    t.attr("keys_tensor", strings({1}, {"a"}));
    t.attr("values_int64s", std::vector<int64_t>{1});
  });
  EXPECT_TRUE(mentions(e, "exactly one of keys_")) << e;
  e = error(4, [](OpTester& t) {
    t.attr("keys_strings", std::vector<std::string>{"a"});
    t.attr("values_tensor", Tensor::from_vector<int16_t>({1}, {3}));
    t.attr("default_tensor", Tensor::from_vector<int32_t>({1}, {3}));
  });
  EXPECT_TRUE(mentions(e, "default")) << e;
  // The input must have the keys' type.
  OpTester t("LabelEncoder", 2, kMl);
  t.input("X", ints({1}, {1}))
      .attr("keys_strings", std::vector<std::string>{"a"})
      .attr("values_int64s", std::vector<int64_t>{1})
      .output("Y");
  e = error_of([&] { t.run(); });
  EXPECT_TRUE(mentions(e, "keys' type string")) << e;
}

// ---- CategoryMapper ----

TEST(CategoryMapper, BothDirectionsWithDefaults) {
  const std::vector<int64_t> ids = {10, 20, 30};
  const std::vector<std::string> names = {"ten", "twenty", "ten"};
  OpTester s("CategoryMapper", 1, kMl);
  s.input("X", strings({2, 2}, {"ten", "twenty", "five", "ten"}))
      .attr("cats_int64s", ids)
      .attr("cats_strings", names)
      .attr("default_int64", int64_t{-7})
      .output("Y");
  Tensor y = s.run()[0];
  EXPECT_EQ(y.shape(), (Shape{2, 2}));
  // "ten" is listed twice: its first pair, 10, counts.
  EXPECT_EQ(y.to_vector<int64_t>(), (std::vector<int64_t>{10, 20, -7, 10}));
  OpTester i("CategoryMapper", 1, kMl);
  i.input("X", ints({3}, {30, 40, 20}))
      .attr("cats_int64s", ids)
      .attr("cats_strings", names)
      .output("Y");
  EXPECT_EQ(i.run()[0].to_vector<std::string>(),
            (std::vector<std::string>{"ten", "_Unused", "twenty"}));
  OpTester bad("CategoryMapper", 1, kMl);
  bad.input("X", ints({1}, {1}))
      .attr("cats_int64s", std::vector<int64_t>{1})
      .attr("cats_strings", names)
      .output("Y");
  const std::string e = error_of([&] { bad.run(); });
  EXPECT_TRUE(mentions(e, "same length")) << e;
}

// ---- Scaler ----

TEST(Scaler, OffsetThenScalePerFeatureOrForAll) {
  // (x - {1, 2}) * {2, 0.5} per column.
  OpTester t("Scaler", 1, kMl);
  t.input("X", floats({2, 2}, {1, 2, 3, 4}))
      .attr("offset", std::vector<float>{1, 2})
      .attr("scale", std::vector<float>{2, 0.5f})
      .output("Y");
  expect_near(t.run()[0], {2, 2}, {0, 0, 4, 1});
  // One value applies to every feature; int64 in, float out: (x - 1) * 0.5.
  OpTester i("Scaler", 1, kMl);
  i.input("X", ints({3}, {1, 3, 5}))
      .attr("offset", std::vector<float>{1})
      .attr("scale", std::vector<float>{0.5f})
      .output("Y");
  Tensor y = i.run()[0];
  EXPECT_EQ(y.dtype(), DType::Float);
  expect_near(y, {3}, {0, 1, 2});
}

TEST(Scaler, LengthsThatDoNotFit) {
  OpTester t("Scaler", 1, kMl);
  t.input("X", floats({1, 2}, {1, 2}))
      .attr("offset", std::vector<float>{1, 2})
      .attr("scale", std::vector<float>{1})
      .output("Y");
  std::string e = error_of([&] { t.run(); });
  EXPECT_TRUE(mentions(e, "same length")) << e;
  OpTester f("Scaler", 1, kMl);
  f.input("X", floats({1, 2}, {1, 2}))
      .attr("offset", std::vector<float>{1, 2, 3})
      .attr("scale", std::vector<float>{1, 2, 3})
      .output("Y");
  e = error_of([&] { f.run(); });
  EXPECT_TRUE(mentions(e, "has 2 features")) << e;
}

// ---- Normalizer ----

Tensor normalize(const char* norm, const Tensor& x) {
  OpTester t("Normalizer", 1, kMl);
  t.input("X", x).attr("norm", norm).output("Y");
  return t.run()[0];
}

TEST(Normalizer, MaxL1AndL2RowByRow) {
  // Row {1, -4, 2}: max |x| = 4, sum |x| = 7. A zero row is copied.
  const Tensor x = floats({2, 3}, {1, -4, 2, 0, 0, 0});
  expect_near(normalize("MAX", x), {2, 3}, {0.25f, -1, 0.5f, 0, 0, 0});
  expect_near(normalize("L1", x), {2, 3}, {1.0f / 7, -4.0f / 7, 2.0f / 7, 0, 0, 0});
  // {3, -4}: sqrt(9 + 16) = 5; a 1-D input is one row.
  expect_near(normalize("L2", Tensor::from_vector<int32_t>({2}, {3, -4})), {2}, {0.6f, -0.8f});
  const std::string e = error_of([&] { normalize("L3", x); });
  EXPECT_TRUE(mentions(e, "norm must be MAX, L1 or L2")) << e;
}

// ---- Imputer ----

TEST(Imputer, NaNsPerFeatureAndIntegersForAll) {
  OpTester t("Imputer", 1, kMl);
  t.input("X", floats({2, 2}, {kNaN, 1, 2, kNaN}))
      .attr("imputed_value_floats", std::vector<float>{10, 20})
      .attr("replaced_value_float", kNaN)
      .output("Y");
  expect_near(t.run()[0], {2, 2}, {10, 1, 2, 20});
  // replaced_value_int64 defaults to 0.
  OpTester i("Imputer", 1, kMl);
  i.input("X", ints({3}, {0, 5, 0})).attr("imputed_value_int64s", std::vector<int64_t>{7});
  i.output("Y");
  EXPECT_EQ(i.run()[0].to_vector<int64_t>(), (std::vector<int64_t>{7, 5, 7}));
}

TEST(Imputer, AttributesOfTheWrongKindOrLength) {
  OpTester t("Imputer", 1, kMl);
  t.input("X", floats({1}, {0})).attr("imputed_value_int64s", std::vector<int64_t>{7});
  t.output("Y");
  std::string e = error_of([&] { t.run(); });
  EXPECT_TRUE(mentions(e, "imputed_value_floats must be given")) << e;
  OpTester f("Imputer", 1, kMl);
  f.input("X", floats({1, 2}, {0, 0})).attr("imputed_value_floats", std::vector<float>{1, 2, 3});
  f.output("Y");
  e = error_of([&] { f.run(); });
  EXPECT_TRUE(mentions(e, "there must be 1 or 2")) << e;
}

// ---- LinearRegressor ----

TEST(LinearRegressor, TwoTargetsWithIntercepts) {
  // Target 0: x0 + x1 + 0.5; target 1: 2 x0 - x1 - 1.
  OpTester t("LinearRegressor", 1, kMl);
  t.input("X", floats({2, 2}, {1, 2, 3, 4}))
      .attr("coefficients", std::vector<float>{1, 1, 2, -1})
      .attr("intercepts", std::vector<float>{0.5f, -1})
      .attr("targets", int64_t{2})
      .output("Y");
  expect_near(t.run()[0], {2, 2}, {3.5f, -1, 7.5f, 1});
}

TEST(LinearRegressor, PostTransformAndMalformedCoefficients) {
  // 1-D int32 input, one row: 2 * 1 - 3 = -1 -> LOGISTIC 1 / (1 + e) = 0.26894142.
  OpTester t("LinearRegressor", 1, kMl);
  t.input("X", Tensor::from_vector<int32_t>({1}, {2}))
      .attr("coefficients", std::vector<float>{1})
      .attr("intercepts", std::vector<float>{-3})
      .attr("post_transform", "LOGISTIC")
      .output("Y");
  expect_near(t.run()[0], {1, 1}, {0.26894142f});
  OpTester m("LinearRegressor", 1, kMl);
  m.input("X", floats({1, 2}, {1, 2}))
      .attr("coefficients", std::vector<float>{1, 2, 3})
      .attr("targets", int64_t{2})
      .output("Y");
  std::string e = error_of([&] { m.run(); });
  EXPECT_TRUE(mentions(e, "not a multiple of 2")) << e;
  OpTester f("LinearRegressor", 1, kMl);
  f.input("X", floats({1, 3}, {1, 2, 3})).attr("coefficients", std::vector<float>{1, 2});
  f.output("Y");
  e = error_of([&] { f.run(); });
  EXPECT_TRUE(mentions(e, "has 3 features")) << e;
}

// ---- OneHotEncoder ----

TEST(OneHotEncoder, IntegersStringsAndTruncatedFloats) {
  OpTester t("OneHotEncoder", 1, kMl);
  t.input("X", ints({2}, {3, 8})).attr("cats_int64s", std::vector<int64_t>{8, 3, 5}).output("Y");
  expect_near(t.run()[0], {2, 3}, {0, 1, 0, 1, 0, 0});
  OpTester s("OneHotEncoder", 1, kMl);
  s.input("X", strings({1, 2}, {"b", "z"}))
      .attr("cats_strings", std::vector<std::string>{"a", "b"})
      .output("Y");
  expect_near(s.run()[0], {1, 2, 2}, {0, 1, 0, 0});
  // 3.7 casts to 3; NaN is no category.
  OpTester f("OneHotEncoder", 1, kMl);
  f.input("X", floats({2}, {3.7f, kNaN})).attr("cats_int64s", std::vector<int64_t>{3});
  f.output("Y");
  expect_near(f.run()[0], {2, 1}, {1, 0});
}

TEST(OneHotEncoder, UnknownCategoryWithoutZerosAndMissingCategories) {
  OpTester t("OneHotEncoder", 1, kMl);
  t.input("X", ints({2}, {3, 4}))
      .attr("cats_int64s", std::vector<int64_t>{3})
      .attr("zeros", int64_t{0})
      .output("Y");
  std::string e = error_of([&] { t.run(); });
  EXPECT_TRUE(mentions(e, "element 1 of X is in no category")) << e;
  OpTester n("OneHotEncoder", 1, kMl);
  n.input("X", ints({1}, {3})).output("Y");
  e = error_of([&] { n.run(); });
  EXPECT_TRUE(mentions(e, "exactly one of cats_int64s and cats_strings")) << e;
}

// ---- FeatureVectorizer ----

TEST(FeatureVectorizer, ConcatenatesPadsAndTruncates) {
  // X1 [2, 2] fills 3 columns (one zero column), X2 [2, 1] one.
  OpTester t("FeatureVectorizer", 1, kMl);
  t.input("X1", floats({2, 2}, {1, 2, 3, 4}))
      .input("X2", ints({2, 1}, {5, 6}))
      .attr("inputdimensions", std::vector<int64_t>{3, 1})
      .output("Y");
  expect_near(t.run()[0], {2, 4}, {1, 2, 0, 5, 3, 4, 0, 6});
  OpTester c("FeatureVectorizer", 1, kMl);
  c.input("X1", floats({2, 2}, {1, 2, 3, 4}))
      .input("X2", ints({2, 1}, {5, 6}))
      .attr("inputdimensions", std::vector<int64_t>{1, 1})
      .output("Y");
  expect_near(c.run()[0], {2, 2}, {1, 5, 3, 6});
}

TEST(FeatureVectorizer, RowCountsAndDimensionsMustAgree) {
  OpTester t("FeatureVectorizer", 1, kMl);
  t.input("X1", floats({2, 1}, {1, 2}))
      .input("X2", floats({3, 1}, {1, 2, 3}))
      .attr("inputdimensions", std::vector<int64_t>{1, 1})
      .output("Y");
  std::string e = error_of([&] { t.run(); });
  EXPECT_TRUE(mentions(e, "has 3 rows")) << e;
  OpTester d("FeatureVectorizer", 1, kMl);
  d.input("X1", floats({2, 1}, {1, 2})).attr("inputdimensions", std::vector<int64_t>{1, 1});
  d.output("Y");
  e = error_of([&] { d.run(); });
  EXPECT_TRUE(mentions(e, "inputdimensions has 2 sizes for 1 inputs")) << e;
}

// ---- the checker knows the newest ai.onnx.ml opset ----

TEST(MlDomain, NewerOpsetThanImplementedIsRefusedByName) {
  OpTester t("Binarizer", 6, kMl);
  t.input("X", floats({1}, {1})).output("Y");
  const std::string e = error_of([&] { t.run(); });
  EXPECT_TRUE(mentions(e, "opset 6 of domain 'ai.onnx.ml'")) << e;
  EXPECT_TRUE(mentions(e, "newest")) << e;
}

}  // namespace
}  // namespace onyx
