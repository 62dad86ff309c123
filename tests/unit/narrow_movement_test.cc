// The 8-, 4- and 2-bit element types through the operators that move them without
// arithmetic (Reshape, Squeeze, ..., Transpose, Pad, If, Loop, Scan). Tensors are given by
// their storage bytes, packed by hand in the comments (element i in byte i / n, the first
// element in the low bits), and the outputs are compared byte for byte, the zero padding
// of a half-used last byte included.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "onyx/loader.h"
#include "onyx/onyx.h"
#include "op_tester.h"
#include "unit/graph_builders.h"

namespace onyx {
namespace {

using testing::error_of;
using testing::ints;
using testing::mentions;
using testing::OpTester;

using Bytes = std::vector<uint8_t>;

// A tensor of `dtype` and `shape` whose storage is `bytes`.
Tensor stored(DType dtype, Shape shape, const Bytes& bytes) {
  Tensor t(dtype, std::move(shape));
  if (t.nbytes() != bytes.size()) {
    ADD_FAILURE() << t.describe() << " takes " << t.nbytes() << " bytes, " << bytes.size()
                  << " given";
    return t;
  }
  std::memcpy(t.raw(), bytes.data(), bytes.size());
  return t;
}

Bytes bytes_of(const Tensor& t) {
  const auto* p = static_cast<const uint8_t*>(t.raw());
  return Bytes(p, p + t.nbytes());
}

void expect_stored(const Tensor& t, DType dtype, const Shape& shape, const Bytes& bytes) {
  EXPECT_EQ(t.dtype(), dtype);
  EXPECT_EQ(t.shape(), shape);
  EXPECT_EQ(bytes_of(t), bytes);
}

// The refusal of a type at a version that does not list it names op, opset and dtype.
// The graph runs as written: the optimizer folds Shape of a known shape and drops
// Identity before any kernel is chosen.
void expect_refused(const OpTester& t, const std::string& op, int opset, DType dtype) {
  SessionOptions as_written{1, true};
  as_written.optimization = OptimizationLevel::None;
  const std::string message =
      error_of([&] { Session(builtin_registry(), t.model(), as_written).run(t.feeds()); });
  EXPECT_TRUE(mentions(message, op)) << message;
  EXPECT_TRUE(mentions(message, "opset " + std::to_string(opset))) << message;
  EXPECT_TRUE(mentions(message, dtype_name(dtype))) << message;
}

// ---- views: Reshape, Flatten, Squeeze, Unsqueeze, Identity ----

// float4e2m1 [[1.0, 0.5, -6.0]]: codes 0010, 0001, 1111 (bias 1: 1.0 = 0.01.0, 0.5 the
// subnormal 0.00.1, -6 = 1.11.1), bytes 0x12 and 0x0F. The views keep the bytes.
TEST(NarrowMovement, ReshapeAndSqueezeFloat4) {
  const Tensor x = stored(DType::Float4E2M1, {1, 3}, {0x12, 0x0F});
  OpTester reshape("Reshape", 23);
  reshape.input("x", x).constant("shape", ints({2}, {3, 1})).output("y");
  expect_stored(reshape.run()[0], DType::Float4E2M1, {3, 1}, {0x12, 0x0F});
  OpTester squeeze("Squeeze", 23);
  squeeze.input("x", x).constant("axes", ints({1}, {0})).output("y");
  expect_stored(squeeze.run()[0], DType::Float4E2M1, {3}, {0x12, 0x0F});
  OpTester unsqueeze("Unsqueeze", 24);
  unsqueeze.input("x", x).constant("axes", ints({1}, {-1})).output("y");
  expect_stored(unsqueeze.run()[0], DType::Float4E2M1, {1, 3, 1}, {0x12, 0x0F});
  OpTester flatten("Flatten", 25);
  flatten.input("x", x).attr("axis", int64_t{0}).output("y");
  expect_stored(flatten.run()[0], DType::Float4E2M1, {1, 3}, {0x12, 0x0F});
  OpTester old("Reshape", 21);  // float4e2m1 came at 23
  old.input("x", x).constant("shape", ints({1}, {3})).output("y");
  expect_refused(old, "Reshape", 21, DType::Float4E2M1);
  OpTester squeeze21("Squeeze", 21);
  squeeze21.input("x", x).constant("axes", ints({1}, {0})).output("y");
  expect_refused(squeeze21, "Squeeze", 21, DType::Float4E2M1);
}

// int2 [1, -2, -1, 0, 1]: codes 01 10 11 00 | 01: bytes 0x39, 0x01.
TEST(NarrowMovement, IdentityShapeAndSizeOfInt2) {
  const Tensor x = stored(DType::Int2, {5}, {0x39, 0x01});
  OpTester identity("Identity", 25);
  identity.input("x", x).output("y");
  expect_stored(identity.run()[0], DType::Int2, {5}, {0x39, 0x01});
  OpTester shape("Shape", 25);
  shape.input("x", x).output("y");
  EXPECT_EQ(shape.run()[0].to_vector<int64_t>(), (std::vector<int64_t>{5}));
  OpTester size("Size", 25);
  size.input("x", x).output("y");
  EXPECT_EQ(size.run()[0].to_vector<int64_t>(), (std::vector<int64_t>{5}));
  OpTester shape24("Shape", 24);
  shape24.input("x", x).output("y");
  expect_refused(shape24, "Shape", 24, DType::Int2);
  OpTester identity19("Identity", 19);  // float8 yes, float8e8m0 (24) no
  identity19.input("x", Tensor(DType::Float8E8M0, {1})).output("y");
  expect_refused(identity19, "Identity", 19, DType::Float8E8M0);
}

// ---- Constant and ConstantOfShape ----

TEST(NarrowMovement, ConstantHoldsInt4FromOpset21) {
  const Tensor value = stored(DType::Int4, {3}, {0xE1, 0x07});  // 1, -2, 7
  OpTester t("Constant", 21);
  t.attr("value", value).output("y");
  expect_stored(t.run()[0], DType::Int4, {3}, {0xE1, 0x07});
  OpTester old("Constant", 19);
  old.attr("value", value).output("y");
  const std::string message = error_of([&] { old.run(); });
  EXPECT_TRUE(mentions(message, "int4")) << message;
  EXPECT_TRUE(mentions(message, "opset 19")) << message;
}

// A value of int4 -3 (code D) over shape [3]: bytes DD 0D.

}  // namespace
}  // namespace onyx
