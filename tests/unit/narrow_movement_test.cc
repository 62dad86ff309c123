// The 8-, 4- and 2-bit element types through the operators that move them without
// arithmetic (Transpose, Pad, Reshape, Squeeze, ..., If, Loop, Scan), through .npy files
// and the printer. Tensors are given by their storage bytes, packed by hand in the
// comments (element i in byte i / n, the first element in the low bits), and the outputs
// are compared byte for byte, the zero padding of a half-used last byte included.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "onyx/loader.h"
#include "onyx/npy.h"
#include "onyx/onyx.h"
#include "onyx/printer.h"
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

// ---- Transpose ----

// int4 [[1, 2, 3], [4, 5, 6], [7, -1, -8]]: codes 1 2 3 4 5 6 7 F 8, so bytes 21 43 65 F7 and
// 08 (the ninth element alone in the low nibble). Transposed: [[1, 4, 7], [2, 5, -1],
// [3, 6, -8]], codes 1 4 7 2 5 F 3 6 8: bytes 41 27 F5 63 08.
TEST(NarrowMovement, TransposeInt4MovesNibbles) {
  const Tensor x = stored(DType::Int4, {3, 3}, {0x21, 0x43, 0x65, 0xF7, 0x08});
  OpTester t("Transpose", 21);
  t.input("x", x).output("y");
  const Bytes want = {0x41, 0x27, 0xF5, 0x63, 0x08};
  expect_stored(t.run()[0], DType::Int4, {3, 3}, want);
  expect_stored(t.session(1, true).run(t.feeds())[0], DType::Int4, {3, 3}, want);
}

// uint2 of shape [1, 3, 2] with perm [2, 1, 0]: x[0][i][j] = codes 0 1 2 3 1 2 (i = 0:
// 0 1, i = 1: 2 3, i = 2: 1 2), bytes 0b11_10_01_00 = 0xE4 and 0b10_01 = 0x09. The output
// [2, 3, 1] holds x[0][i][j] at (j, i, 0): codes 0 2 1 | 1 3 2, bytes 0b01_01_10_00 = 0x58
// and 0b10_11 = 0x0B.
TEST(NarrowMovement, TransposeUInt2ThreeDims) {
  const Tensor x = stored(DType::UInt2, {1, 3, 2}, {0xE4, 0x09});
  OpTester t("Transpose", 25);
  t.input("x", x).attr("perm", std::vector<int64_t>{2, 1, 0}).output("y");
  expect_stored(t.run()[0], DType::UInt2, {2, 3, 1}, {0x58, 0x0B});
}

// float8e5m2 bytes move as bytes, through the fast (tiled) path and the reference alike.
TEST(NarrowMovement, TransposeFloat8AsBytes) {
  const Tensor x = stored(DType::Float8E5M2, {2, 3}, {0x3C, 0x38, 0x40, 0xBC, 0x7C, 0x01});
  OpTester t("Transpose", 21);
  t.input("x", x).output("y");
  const Bytes want = {0x3C, 0xBC, 0x38, 0x7C, 0x40, 0x01};
  expect_stored(t.run()[0], DType::Float8E5M2, {3, 2}, want);
  expect_stored(t.session(1, true).run(t.feeds())[0], DType::Float8E5M2, {3, 2}, want);
}

// Transpose-13 lists neither float8 (added at 21) nor int4 (21); Transpose-21 lacks
// float4e2m1 (23), Transpose-24 int2 (25).
TEST(NarrowMovement, TransposeRefusesTypesBeforeTheirVersion) {
  const std::pair<int, DType> cases[] = {{19, DType::Int4},
                                         {20, DType::Float8E4M3FN},
                                         {22, DType::Float4E2M1},
                                         {23, DType::Float8E8M0},
                                         {24, DType::Int2}};
  for (const auto& [opset, dtype] : cases) {
    SCOPED_TRACE(dtype_name(dtype));
    OpTester t("Transpose", opset);
    t.input("x", Tensor(dtype, {2, 3})).output("y");
    expect_refused(t, "Transpose", opset, dtype);
  }
}

// ---- Pad ----

// uint2 [1, 2, 3, 0, 1]: byte 0b00_11_10_01 = 0x39, then 0x01. Pads [1, 2] with
// constant_value 3: [3, 1, 2, 3, 0, 1, 3, 3], bytes 0b11_10_01_11 = 0xE7 and
// 0b11_11_01_00 = 0xF4.
TEST(NarrowMovement, PadUInt2WithAConstant) {
  const Tensor x = stored(DType::UInt2, {5}, {0x39, 0x01});
  OpTester t("Pad", 25);
  t.input("x", x).constant("pads", ints({2}, {1, 2}));
  t.constant("value", stored(DType::UInt2, {}, {0x03})).output("y");
  expect_stored(t.run()[0], DType::UInt2, {8}, {0xE7, 0xF4});
}

// The default fill is 0; reflect mirrors about the border codes: pads [2, 1] give
// [0, 0, 1, 2, 3, 0, 1, 0] (constant) and [3, 2, 1, 2, 3, 0, 1, 0] (reflect).
TEST(NarrowMovement, PadUInt2DefaultAndReflect) {
  const Tensor x = stored(DType::UInt2, {5}, {0x39, 0x01});
  OpTester constant("Pad", 25);
  constant.input("x", x).constant("pads", ints({2}, {2, 1})).output("y");
  expect_stored(constant.run()[0], DType::UInt2, {8}, {0x90, 0x13});  // 00 00 01 10 | 11 00 01 00
  OpTester reflect("Pad", 25);
  reflect.input("x", x).constant("pads", ints({2}, {2, 1})).attr("mode", "reflect").output("y");
  expect_stored(reflect.run()[0], DType::UInt2, {8}, {0x9B, 0x13});  // 11 10 01 10 | 11 00 01 00
}

// int4 [[1, -1, 2]] padded to [[-8, 1, -1, 2], [-8, -8, -8, -8]] by pads [0, 1, 1, 0]
// and constant_value -8 (code 8): codes 8 1 F 2 8 8 8 8: bytes 18 2F 88 88. Then a crop:
// pads [0, -1, 0, 0] keep [[-1, 2]], codes F 2: one byte 2F.
TEST(NarrowMovement, PadInt4TwoDimsAndCrop) {
  const Tensor x = stored(DType::Int4, {1, 3}, {0xF1, 0x02});
  OpTester t("Pad", 21);
  t.input("x", x).constant("pads", ints({4}, {0, 1, 1, 0}));
  t.constant("value", stored(DType::Int4, {}, {0x08})).output("y");
  expect_stored(t.run()[0], DType::Int4, {2, 4}, {0x18, 0x2F, 0x88, 0x88});
  OpTester crop("Pad", 21);
  crop.input("x", x).constant("pads", ints({4}, {0, -1, 0, 0})).output("y");
  expect_stored(crop.run()[0], DType::Int4, {1, 2}, {0x2F});
}

// float8e4m3fn: the fill is given as its byte (0x38 = 1.0) and copied as it is.
TEST(NarrowMovement, PadFloat8WithEdgeAndConstant) {
  const Tensor x = stored(DType::Float8E4M3FN, {2}, {0x30, 0xC0});  // 0.5, -2
  OpTester edge("Pad", 21);
  edge.input("x", x).constant("pads", ints({2}, {1, 1})).attr("mode", "edge").output("y");
  expect_stored(edge.run()[0], DType::Float8E4M3FN, {4}, {0x30, 0x30, 0xC0, 0xC0});
  OpTester constant("Pad", 24);
  constant.input("x", x).constant("pads", ints({2}, {0, 1}));
  constant.constant("value", stored(DType::Float8E4M3FN, {}, {0x38})).output("y");
  expect_stored(constant.run()[0], DType::Float8E4M3FN, {3}, {0x30, 0xC0, 0x38});
}

TEST(NarrowMovement, PadRefusesTypesBeforeTheirVersionAndAForeignFill) {
  OpTester pad19("Pad", 19);  // Pad-19 added wrap, not float8: that came at 21
  pad19.input("x", Tensor(DType::Float8E5M2, {2})).constant("pads", ints({2}, {1, 1}));
  pad19.output("y");
  expect_refused(pad19, "Pad", 19, DType::Float8E5M2);
  OpTester pad24("Pad", 24);
  pad24.input("x", Tensor(DType::UInt2, {2})).constant("pads", ints({2}, {1, 1})).output("y");
  expect_refused(pad24, "Pad", 24, DType::UInt2);
  OpTester foreign("Pad", 25);
  foreign.input("x", Tensor(DType::UInt2, {2})).constant("pads", ints({2}, {1, 1}));
  foreign.constant("value", Tensor::scalar<uint8_t>(3)).output("y");
  EXPECT_TRUE(mentions(error_of([&] { foreign.run(); }), "constant_value must be one uint2"));
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
TEST(NarrowMovement, ConstantOfShapeFillsPackedCodes) {
  OpTester t("ConstantOfShape", 21);
  t.constant("shape", ints({1}, {3})).attr("value", stored(DType::Int4, {1}, {0x0D})).output("y");
  expect_stored(t.run()[0], DType::Int4, {3}, {0xDD, 0x0D});
  OpTester uint2("ConstantOfShape", 25);  // 2 (code 10) five times: 10101010 and 10
  uint2.input("shape", ints({2}, {1, 5})).attr("value", stored(DType::UInt2, {1}, {0x02}));
  uint2.output("y");
  expect_stored(uint2.run()[0], DType::UInt2, {1, 5}, {0xAA, 0x02});
  OpTester old("ConstantOfShape", 20);  // float8 yes, int4 (21) no
  old.constant("shape", ints({1}, {3})).attr("value", stored(DType::Int4, {1}, {0x0D}));
  old.output("y");
  EXPECT_TRUE(mentions(error_of([&] { old.run(); }), "int4"));
}

// ---- control flow ----

constexpr int32_t kInt4 = static_cast<int32_t>(DType::Int4);
constexpr int32_t kInt2 = static_cast<int32_t>(DType::Int2);
constexpr int32_t kInt64 = static_cast<int32_t>(DType::Int64);
constexpr int32_t kBool = static_cast<int32_t>(DType::Bool);

Session session_of(const onnx::ModelProto& m) {
  return Session(builtin_registry(), load_model_from_bytes(test::bytes_of(m)), {1, true});
}

// Scan over int4 [1, -2, 3, -4, 5] (bytes E1 C3 05) backwards, the body passing each
// element on: [5, -4, 3, -2, 1], codes 5 C 3 E 1: bytes C5 E3 01.
onnx::ModelProto reverse_scan(int64_t opset) {
  onnx::ModelProto m = test::model_at(opset);
  auto* g = m.mutable_graph();
  test::add_value(g->mutable_input(), "x", kInt4, {"5"});
  test::add_value(g->mutable_output(), "y", kInt4, {"5"});
  auto* scan = test::add_node(g, "Scan", {"x"}, {"y"}, "scan");
  test::add_int_attr(scan, "num_scan_inputs", 1);
  auto* dirs = scan->add_attribute();
  dirs->set_name("scan_input_directions");
  dirs->set_type(onnx::AttributeProto::INTS);
  dirs->add_ints(1);
  auto* body = test::add_graph_attr(scan, "body");
  test::add_value(body->mutable_input(), "e", kInt4, {});
  test::add_node(body, "Identity", {"e"}, {"e_out"});
  test::add_value(body->mutable_output(), "e_out", kInt4, {});
  return m;
}

TEST(NarrowMovement, ScanSlicesAndStacksInt4) {
  Session s = session_of(reverse_scan(21));
  auto out = s.run({{"x", stored(DType::Int4, {5}, {0xE1, 0xC3, 0x05})}});
  expect_stored(out[0], DType::Int4, {5}, {0xC5, 0xE3, 0x01});
  const std::string message = error_of([&] { session_of(reverse_scan(19)); });
  EXPECT_TRUE(mentions(message, "int4")) << message;
  EXPECT_TRUE(mentions(message, "opset 19")) << message;
}

// Loop twice over a carried int2 [1, -2, 0] (one byte 0b00_10_01), also collected as a
// scan output: [[1, -2, 0], [1, -2, 0]], codes 1 2 0 1 | 2 0: bytes 0x49 and 0x02.
onnx::ModelProto int2_loop(int64_t opset) {
  onnx::ModelProto m = test::model_at(opset);
  auto* g = m.mutable_graph();
  test::add_value(g->mutable_input(), "x", kInt2, {"3"});
  test::add_value(g->mutable_output(), "last", kInt2, {"3"});
  test::add_value(g->mutable_output(), "all", kInt2, {"2", "3"});
  auto* trips = g->add_initializer();
  trips->set_name("M");
  trips->set_data_type(kInt64);
  trips->add_int64_data(2);
  auto* loop = test::add_node(g, "Loop", {"M", "", "x"}, {"last", "all"}, "loop");
  auto* body = test::add_graph_attr(loop, "body");
  test::add_value(body->mutable_input(), "i", kInt64, {});
  test::add_value(body->mutable_input(), "cond_in", kBool, {});
  test::add_value(body->mutable_input(), "x_in", kInt2, {"3"});
  test::add_node(body, "Identity", {"cond_in"}, {"cond_out"});
  test::add_node(body, "Identity", {"x_in"}, {"x_out"});
  test::add_node(body, "Identity", {"x_in"}, {"x_scan"});
  test::add_value(body->mutable_output(), "cond_out", kBool, {});
  test::add_value(body->mutable_output(), "x_out", kInt2, {"3"});
  test::add_value(body->mutable_output(), "x_scan", kInt2, {"3"});
  return m;
}

TEST(NarrowMovement, LoopCarriesAndStacksInt2) {
  Session s = session_of(int2_loop(25));
  auto out = s.run({{"x", stored(DType::Int2, {3}, {0x09})}});
  expect_stored(out[0], DType::Int2, {3}, {0x09});
  expect_stored(out[1], DType::Int2, {2, 3}, {0x49, 0x02});
  const std::string message = error_of([&] { session_of(int2_loop(24)); });
  EXPECT_TRUE(mentions(message, "int2")) << message;
  EXPECT_TRUE(mentions(message, "opset 24")) << message;
}

// If returning an outer float8e4m3fn value: accepted from If-19, refused by If-16.
onnx::ModelProto float8_if(int64_t opset) {
  const int32_t f8 = static_cast<int32_t>(DType::Float8E4M3FN);
  onnx::ModelProto m = test::model_at(opset);
  auto* g = m.mutable_graph();
  test::add_value(g->mutable_input(), "c", kBool, {});
  test::add_value(g->mutable_input(), "x", f8, {"2"});
  test::add_value(g->mutable_output(), "y", f8, {"2"});
  auto* node = test::add_node(g, "If", {"c"}, {"y"}, "if");
  for (const char* branch : {"then_branch", "else_branch"}) {
    auto* b = test::add_graph_attr(node, branch);
    test::add_node(b, "Identity", {"x"}, {"out"});
    test::add_value(b->mutable_output(), "out", f8, {"2"});
  }
  return m;
}

TEST(NarrowMovement, IfReturnsFloat8FromOpset19) {
  Session s = session_of(float8_if(19));
  auto out = s.run(
      {{"c", Tensor::scalar<bool>(true)}, {"x", stored(DType::Float8E4M3FN, {2}, {0x38, 0xB0})}});
  expect_stored(out[0], DType::Float8E4M3FN, {2}, {0x38, 0xB0});
  const std::string message = error_of([&] { session_of(float8_if(16)); });
  EXPECT_TRUE(mentions(message, "float8e4m3fn")) << message;
}

// ---- .npy ----

// The stand-ins of onyx/npy.h: int4 [1, -2, 7] is int8 [1, -2, 7]; uint2 [3, 0, 1, 2, 3]
// uint8 [3, 0, 1, 2, 3]; float4e2m1 codes 2 1 F uint8 [2, 1, 15]; float8 bytes as uint8.
TEST(NarrowNpy, StandInsRoundTrip) {
  struct Case {
    Tensor t;
    DType as;
    Bytes array;  // the stand-in's bytes
  };
  const Case cases[] = {
      {stored(DType::Int4, {3}, {0xE1, 0x07}), DType::Int8, {0x01, 0xFE, 0x07}},
      {stored(DType::UInt2, {5}, {0x93, 0x03}), DType::UInt8, {3, 0, 1, 2, 3}},
      {stored(DType::Float4E2M1, {1, 3}, {0x12, 0x0F}), DType::UInt8, {2, 1, 15}},
      {stored(DType::Int2, {2, 1}, {0x0E}), DType::Int8, {0xFE, 0xFF}},  // -2, -1
      {stored(DType::Float8E5M2FNUZ, {2}, {0x80, 0x40}), DType::UInt8, {0x80, 0x40}},
      {stored(DType::Float8E8M0, {1}, {0x7F}), DType::UInt8, {0x7F}},
      {stored(DType::BFloat16, {1}, {0x80, 0x3F}), DType::UInt16, {0x80, 0x3F}}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.t.describe());
    const Tensor array = to_npy_array(c.t);
    expect_stored(array, c.as, c.t.shape(), c.array);
    const Tensor back = parse_npy(npy_bytes(c.t), "test");
    expect_stored(back, c.as, c.t.shape(), c.array);
    expect_stored(from_npy_array(back, c.t.dtype(), "test"), c.t.dtype(), c.t.shape(),
                  bytes_of(c.t));
  }
}

// The file numpy writes for np.array([[1, -2, 7]], np.int8): magic, version 1.0, a
// header padded to 64 bytes in all, then the data.
TEST(NarrowNpy, FileLayoutIsNumpys) {
  const std::string bytes = npy_bytes(stored(DType::Int4, {1, 3}, {0xE1, 0x07}));
  std::string header = "{'descr': '|i1', 'fortran_order': False, 'shape': (1, 3), }";
  ASSERT_EQ(header.size(), 59u);  // 10 + 59 + 1 (the newline): 58 spaces make 128
  header += std::string(58, ' ') + "\n";
  const std::string want = std::string("\x93NUMPY\x01\x00", 8) + char(header.size()) + '\0' +
                           header + std::string("\x01\xFE\x07", 3);
  EXPECT_EQ(bytes, want);
  EXPECT_EQ(parse_npy(npy_bytes(Tensor::scalar<float>(2.5f)), "t").to_vector<float>(),
            (std::vector<float>{2.5f}));
  EXPECT_EQ(parse_npy(npy_bytes(ints({2}, {-1, 5})), "t").to_vector<int64_t>(),
            (std::vector<int64_t>{-1, 5}));
}

TEST(NarrowNpy, ReadingChecksTheStandIn) {
  const Tensor nine = Tensor::from_vector<int8_t>({2}, {1, 9});
  EXPECT_TRUE(mentions(error_of([&] { from_npy_array(nine, DType::Int4, "x.npy"); }),
                       "element 1 is 9, outside int4's [-8, 7]"));
  const Tensor codes = Tensor::from_vector<uint8_t>({1}, {16});
  EXPECT_TRUE(mentions(error_of([&] { from_npy_array(codes, DType::Float4E2M1, "x.npy"); }),
                       "4-bit codes"));
  const Tensor floats = Tensor::from_vector<float>({1}, {1.0f});
  EXPECT_TRUE(mentions(error_of([&] { from_npy_array(floats, DType::Float8E4M3FN, "x.npy"); }),
                       "a float8e4m3fn tensor is read from a .npy of uint8, not float"));
  EXPECT_TRUE(mentions(error_of([&] { npy_bytes(Tensor::scalar<std::string>("a")); }),
                       "cannot write a string tensor"));
  std::string truncated = npy_bytes(Tensor::from_vector<int8_t>({3}, {1, 2, 3}));
  truncated.pop_back();
  EXPECT_TRUE(mentions(error_of([&] { parse_npy(truncated, "x.npy"); }), "needs 3"));
  // A huge declared shape is refused before anything is allocated.
  std::string huge = npy_bytes(Tensor::from_vector<int8_t>({1}, {1}));
  huge.replace(huge.find("(1,)"), 4, "(99999999999999,)");
  EXPECT_TRUE(mentions(error_of([&] { parse_npy(huge, "x.npy"); }), "needs 99999999999999"));
}

// ---- printer ----

TEST(NarrowPrint, SmallNarrowTensorsShowTheirValues) {
  Attribute a;
  a.name = "value";
  a.type = AttrType::Tensor;
  a.t = stored(DType::Int4, {3}, {0xE1, 0x07});
  EXPECT_EQ(attribute_to_string(a), "value = <int4[3] {1, -2, 7}>");
  a.t = stored(DType::Float8E4M3FN, {2}, {0x38, 0xB0});  // 1.0, -0.5
  EXPECT_EQ(attribute_to_string(a), "value = <float8e4m3fn[2] {1.0, -0.5}>");
}

}  // namespace
}  // namespace onyx
