// Loader tests: every dtype in raw and typed form (expected values worked out by
// hand from the bytes), size and shape checks, corrupt input, external data and its
// path rules, sparse initializers, types, subgraph scoping and functions.
#include "onyx/loader.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdint>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "onyx/checker.h"
#include "onyx/printer.h"
#include "unit/graph_builders.h"

namespace onyx {
namespace {

using test::raw_tensor;

Tensor load(const onnx::TensorProto& t) { return load_tensor_proto(test::bytes_of(t)); }

// Runs `fn`, expects an onyx::Error whose message contains every part.
template <class Fn>
void expect_error(Fn&& fn, std::initializer_list<std::string> parts) {
  try {
    fn();
    ADD_FAILURE() << "expected an error containing '" << *parts.begin() << "'";
  } catch (const Error& e) {
    std::string msg = e.what();
    for (const std::string& p : parts) EXPECT_NE(msg.find(p), std::string::npos) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << "messages are one line: " << msg;
  }
}

std::vector<uint16_t> half_bits(const Tensor& t) {
  std::vector<uint16_t> out;
  if (t.dtype() == DType::Float16)
    for (auto h : t.to_vector<float16_t>()) out.push_back(h.bits);
  else
    for (auto h : t.to_vector<bfloat16_t>()) out.push_back(h.bits);
  return out;
}

// ---------------------------------------------------------------- raw_data, per dtype

TEST(LoaderRaw, Float) {
  Tensor t = load(raw_tensor("f", onnx::TensorProto::FLOAT, {2},
                             {0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0}));
  EXPECT_EQ(t.dtype(), DType::Float);
  EXPECT_EQ(t.shape(), (Shape{2}));
  EXPECT_EQ(t.to_vector<float>(), (std::vector<float>{1.0f, -2.0f}));
}

TEST(LoaderRaw, UInt8AndInt8) {
  EXPECT_EQ(load(raw_tensor("u", onnx::TensorProto::UINT8, {2}, {0x00, 0xff})).to_vector<uint8_t>(),
            (std::vector<uint8_t>{0, 255}));
  EXPECT_EQ(load(raw_tensor("i", onnx::TensorProto::INT8, {2}, {0xff, 0x7f})).to_vector<int8_t>(),
            (std::vector<int8_t>{-1, 127}));
}

TEST(LoaderRaw, UInt16AndInt16) {
  EXPECT_EQ(load(raw_tensor("u", onnx::TensorProto::UINT16, {2}, {0x34, 0x12, 0xff, 0xff}))
                .to_vector<uint16_t>(),
            (std::vector<uint16_t>{0x1234, 65535}));
  EXPECT_EQ(load(raw_tensor("i", onnx::TensorProto::INT16, {2}, {0xfe, 0xff, 0x00, 0x80}))
                .to_vector<int16_t>(),
            (std::vector<int16_t>{-2, -32768}));
}

TEST(LoaderRaw, Int32AndUInt32) {
  EXPECT_EQ(load(raw_tensor("i", onnx::TensorProto::INT32, {2},
                            {0x01, 0x00, 0x00, 0x80, 0xff, 0xff, 0xff, 0x7f}))
                .to_vector<int32_t>(),
            (std::vector<int32_t>{-2147483647, 2147483647}));
  EXPECT_EQ(load(raw_tensor("u", onnx::TensorProto::UINT32, {2},
                            {0xff, 0xff, 0xff, 0xff, 0x01, 0x00, 0x00, 0x00}))
                .to_vector<uint32_t>(),
            (std::vector<uint32_t>{4294967295u, 1}));
}

TEST(LoaderRaw, Int64AndUInt64) {
  EXPECT_EQ(
      load(raw_tensor("i", onnx::TensorProto::INT64, {2},
                      {0x02, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}))
          .to_vector<int64_t>(),
      (std::vector<int64_t>{2, -1}));
  EXPECT_EQ(load(raw_tensor("u", onnx::TensorProto::UINT64, {1},
                            {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}))
                .to_vector<uint64_t>(),
            (std::vector<uint64_t>{18446744073709551615ull}));
}

TEST(LoaderRaw, Double) {
  Tensor t = load(raw_tensor("d", onnx::TensorProto::DOUBLE, {2},
                             {0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0, 0, 0, 0, 0, 0, 0xe0, 0xbf}));
  EXPECT_EQ(t.to_vector<double>(), (std::vector<double>{1.0, -0.5}));
}

TEST(LoaderRaw, BoolNormalizesNonZeroToTrue) {
  Tensor t = load(raw_tensor("b", onnx::TensorProto::BOOL, {3}, {0x01, 0x00, 0x02}));
  const uint8_t* bytes = static_cast<const uint8_t*>(t.raw());
  EXPECT_EQ(bytes[0], 1);
  EXPECT_EQ(bytes[1], 0);
  EXPECT_EQ(bytes[2], 1);
}

TEST(LoaderRaw, Float16AndBFloat16) {
  Tensor h = load(raw_tensor("h", onnx::TensorProto::FLOAT16, {2}, {0x00, 0x3c, 0x00, 0xc0}));
  EXPECT_EQ(half_bits(h), (std::vector<uint16_t>{0x3c00, 0xc000}));
  EXPECT_EQ(static_cast<float>(h.data<float16_t>()[0]), 1.0f);
  EXPECT_EQ(static_cast<float>(h.data<float16_t>()[1]), -2.0f);
  // bfloat16 0xc0c0: sign 1, exponent 0x81 (2^2), mantissa 1 + 64/128 -> -6.
  Tensor b = load(raw_tensor("b", onnx::TensorProto::BFLOAT16, {2}, {0x80, 0x3f, 0xc0, 0xc0}));
  EXPECT_EQ(half_bits(b), (std::vector<uint16_t>{0x3f80, 0xc0c0}));
  EXPECT_EQ(static_cast<float>(b.data<bfloat16_t>()[0]), 1.0f);
  EXPECT_EQ(static_cast<float>(b.data<bfloat16_t>()[1]), -6.0f);
}

TEST(LoaderRaw, ScalarAndEmpty) {
  Tensor s = load(raw_tensor("s", onnx::TensorProto::INT32, {}, {0x2a, 0, 0, 0}));
  EXPECT_EQ(s.rank(), 0);
  EXPECT_EQ(s.to_vector<int32_t>(), (std::vector<int32_t>{42}));
  Tensor e = load(raw_tensor("e", onnx::TensorProto::FLOAT, {0, 3}, {}));
  EXPECT_EQ(e.shape(), (Shape{0, 3}));
  EXPECT_EQ(e.numel(), 0);
}

TEST(LoaderRaw, WrongSizeIsRefused) {
  expect_error(
      [] {
        load(raw_tensor("w", onnx::TensorProto::FLOAT, {2, 2},
                        {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
      },
      {"tensor 'w'", "raw_data has 12 bytes, expected 16"});
  expect_error(
      [] {
        load(raw_tensor("w", onnx::TensorProto::INT64, {1}, {0, 0, 0, 0, 0, 0, 0, 0, 0}));
      },
      {"raw_data has 9 bytes, expected 8"});
}

TEST(LoaderRaw, StringsCannotBeRaw) {
  expect_error([] { load(raw_tensor("s", onnx::TensorProto::STRING, {1}, {'a'})); },
               {"tensor 's'", "string"});
}

// ---------------------------------------------------------------- typed fields, per dtype

TEST(LoaderTyped, FloatDoubleInt64) {
  const onnx::TensorProto f = test::typed_floats("", {2}, {1.5f, -2.0f});
  EXPECT_EQ(load(f).to_vector<float>(), (std::vector<float>{1.5f, -2.0f}));

  onnx::TensorProto d;
  d.set_data_type(onnx::TensorProto::DOUBLE);
  d.add_dims(2);
  d.add_double_data(0.25);
  d.add_double_data(-8.0);
  EXPECT_EQ(load(d).to_vector<double>(), (std::vector<double>{0.25, -8.0}));

  onnx::TensorProto i;
  i.set_data_type(onnx::TensorProto::INT64);
  i.add_dims(2);
  i.add_int64_data(std::numeric_limits<int64_t>::min());
  i.add_int64_data(5);
  EXPECT_EQ(load(i).to_vector<int64_t>(),
            (std::vector<int64_t>{std::numeric_limits<int64_t>::min(), 5}));
}

onnx::TensorProto int32_field(int32_t dtype, std::vector<int32_t> values) {
  onnx::TensorProto t;
  t.set_name("t");
  t.set_data_type(dtype);
  t.add_dims(static_cast<int64_t>(values.size()));
  for (int32_t v : values) t.add_int32_data(v);
  return t;
}

TEST(LoaderTyped, NarrowIntegersUseInt32Data) {
  EXPECT_EQ(load(int32_field(onnx::TensorProto::INT32, {7, -8})).to_vector<int32_t>(),
            (std::vector<int32_t>{7, -8}));
  EXPECT_EQ(load(int32_field(onnx::TensorProto::INT16, {-300, 300})).to_vector<int16_t>(),
            (std::vector<int16_t>{-300, 300}));
  EXPECT_EQ(load(int32_field(onnx::TensorProto::INT8, {-128, 127})).to_vector<int8_t>(),
            (std::vector<int8_t>{-128, 127}));
  EXPECT_EQ(load(int32_field(onnx::TensorProto::UINT16, {65535, 0})).to_vector<uint16_t>(),
            (std::vector<uint16_t>{65535, 0}));
  EXPECT_EQ(load(int32_field(onnx::TensorProto::UINT8, {255, 1})).to_vector<uint8_t>(),
            (std::vector<uint8_t>{255, 1}));
  EXPECT_EQ(load(int32_field(onnx::TensorProto::BOOL, {1, 0, 5})).to_vector<bool>(),
            (std::vector<bool>{true, false, true}));
}

TEST(LoaderTyped, HalfTypesAreBitPatternsInInt32Data) {
  Tensor h = load(int32_field(onnx::TensorProto::FLOAT16, {0x3c00, 0x3800}));
  EXPECT_EQ(static_cast<float>(h.data<float16_t>()[0]), 1.0f);
  EXPECT_EQ(static_cast<float>(h.data<float16_t>()[1]), 0.5f);
  Tensor b = load(int32_field(onnx::TensorProto::BFLOAT16, {0x3f80, 0x4000}));
  EXPECT_EQ(static_cast<float>(b.data<bfloat16_t>()[0]), 1.0f);
  EXPECT_EQ(static_cast<float>(b.data<bfloat16_t>()[1]), 2.0f);
}

TEST(LoaderTyped, UnsignedWideUseUInt64Data) {
  onnx::TensorProto u32;
  u32.set_data_type(onnx::TensorProto::UINT32);
  u32.add_dims(2);
  u32.add_uint64_data(4294967295u);
  u32.add_uint64_data(3);
  EXPECT_EQ(load(u32).to_vector<uint32_t>(), (std::vector<uint32_t>{4294967295u, 3}));

  onnx::TensorProto u64;
  u64.set_data_type(onnx::TensorProto::UINT64);
  u64.add_dims(1);
  u64.add_uint64_data(std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(load(u64).to_vector<uint64_t>(),
            (std::vector<uint64_t>{std::numeric_limits<uint64_t>::max()}));
}

TEST(LoaderTyped, Strings) {
  onnx::TensorProto s;
  s.set_data_type(onnx::TensorProto::STRING);
  s.add_dims(2);
  s.add_string_data("ab");
  s.add_string_data("");
  EXPECT_EQ(load(s).to_vector<std::string>(), (std::vector<std::string>{"ab", ""}));
}

TEST(LoaderTyped, CountMustMatchShape) {
  onnx::TensorProto f;
  f.set_name("w");
  f.set_data_type(onnx::TensorProto::FLOAT);
  f.add_dims(2);
  f.add_dims(2);
  for (int i = 0; i < 3; ++i) f.add_float_data(1.0f);
  expect_error([&] { load(f); }, {"tensor 'w'", "float_data has 3 values, expected 4"});
  // No data at all for a non-empty tensor.
  onnx::TensorProto none;
  none.set_name("n");
  none.set_data_type(onnx::TensorProto::INT64);
  none.add_dims(1);
  expect_error([&] { load(none); }, {"tensor 'n'", "int64_data has 0 values, expected 1"});
}

TEST(LoaderTyped, ValuesOutOfRangeAreRefused) {
  expect_error([] { load(int32_field(onnx::TensorProto::INT8, {200})); },
               {"tensor 't'", "int32_data[0] = 200", "int8"});
  expect_error([] { load(int32_field(onnx::TensorProto::UINT16, {-1})); }, {"uint16"});
  onnx::TensorProto u32;
  u32.set_data_type(onnx::TensorProto::UINT32);
  u32.add_dims(1);
  u32.add_uint64_data(4294967296ull);
  expect_error([&] { load(u32); }, {"uint64_data[0] = 4294967296", "uint32"});
}

// ---------------------------------------------------------------- dtypes and shapes refused

TEST(LoaderTensor, UnsupportedDtypesNameTensorAndType) {
  struct Case {
    int32_t code;
    const char* name;
  } cases[] = {{0, "undefined"},
               {14, "complex64"},
               {15, "complex128"},
               {27, "dtype(27)"},
               {99, "dtype(99)"}};
  for (const Case& c : cases) {
    onnx::TensorProto t;
    t.set_name("odd");
    t.set_data_type(c.code);
    t.add_dims(1);
    t.set_raw_data(std::string(16, '\0'));
    expect_error([&] { load(t); }, {"tensor 'odd'", "unsupported data type", c.name});
  }
}

TEST(LoaderTensor, NegativeDimsAreRefused) {
  expect_error(
      [] {
        load(raw_tensor("neg", onnx::TensorProto::FLOAT, {2, -1}, {}));
      },
      {"tensor 'neg'", "negative dimension -1"});
}

TEST(LoaderTensor, OverflowingDimsAreRefused) {
  onnx::TensorProto t = raw_tensor("big", onnx::TensorProto::FLOAT, {}, {});
  t.add_dims(int64_t{1} << 62);
  t.add_dims(4);
  expect_error([&] { load(t); }, {"tensor 'big'"});
  // The product fits int64 but the byte count does not.
  onnx::TensorProto bytes = raw_tensor("bytes", onnx::TensorProto::DOUBLE, {}, {});
  bytes.add_dims(int64_t{1} << 61);
  expect_error([&] { load(bytes); }, {"tensor 'bytes'"});
}

// ---------------------------------------------------------------- corrupt input

TEST(LoaderParse, TruncatedModelFailsCleanly) {
  std::string bytes = test::bytes_of(test::relu_model());
  ASSERT_GT(bytes.size(), 20u);
  expect_error([&] { load_model_from_bytes(bytes.substr(0, bytes.size() / 2)); },
               {"failed to parse"});
  expect_error([&] { load_model_from_bytes(""); }, {"failed to parse"});
}

TEST(LoaderParse, EveryPrefixEitherLoadsOrThrowsOnyxError) {
  onnx::ModelProto m = test::relu_model();
  *m.mutable_graph()->add_initializer() =
      raw_tensor("w", onnx::TensorProto::FLOAT, {2}, {0, 0, 0x80, 0x3f, 0, 0, 0, 0x40});
  std::string bytes = test::bytes_of(m);
  for (size_t n = 0; n < bytes.size(); ++n) {
    try {
      load_model_from_bytes(bytes.substr(0, n));
    } catch (const Error&) {
      // expected for most prefixes
    }
  }
}

TEST(LoaderParse, GarbageFailsCleanly) {
  const std::string garbage[] = {std::string(64, '\xff'), "hello, world",
                                 std::string("\x0a\x05\x01", 3)};
  for (const std::string& g : garbage)
    expect_error([&] { load_model_from_bytes(g); }, {"failed to parse", "not a valid ONNX model"});
  expect_error([] { load_tensor_proto(std::string(10, '\xff')); }, {"failed to parse"});
}

TEST(LoaderParse, MissingFile) {
  expect_error([] { load_model("/nonexistent/dir/model.onnx"); }, {"/nonexistent/dir/model.onnx"});
}

// ---------------------------------------------------------------- model fields

TEST(LoaderModel, HeaderFields) {
  onnx::ModelProto m = test::relu_model();
  m.set_producer_name("prod");
  m.set_producer_version("1.2");
  m.set_domain("org.test");
  m.set_model_version(7);
  m.set_doc_string("a doc");
  auto* kv = m.add_metadata_props();
  kv->set_key("author");
  kv->set_value("me");
  test::add_opset(m, "com.microsoft", 1);
  Model model = load_model_from_bytes(test::bytes_of(m));
  EXPECT_EQ(model.ir_version, 8);
  ASSERT_EQ(model.opset_imports.size(), 2u);
  EXPECT_EQ(model.opset_imports[0].domain, "");
  EXPECT_EQ(model.opset_imports[0].version, 13);
  EXPECT_EQ(model.opset_imports[1].domain, "com.microsoft");
  EXPECT_EQ(model.producer_name, "prod");
  EXPECT_EQ(model.producer_version, "1.2");
  EXPECT_EQ(model.domain, "org.test");
  EXPECT_EQ(model.model_version, 7);
  EXPECT_EQ(model.doc, "a doc");
  ASSERT_EQ(model.metadata.size(), 1u);
  EXPECT_EQ(model.metadata[0].first, "author");
  EXPECT_EQ(model.metadata[0].second, "me");
  EXPECT_EQ(model.graph.name, "main");
  ASSERT_EQ(model.graph.nodes.size(), 1u);
  const Node& relu = model.graph.nodes[0];
  EXPECT_EQ(relu.op_type, "Relu");
  EXPECT_EQ(relu.name, "relu");
  EXPECT_EQ(relu.opset, 13);
  ASSERT_EQ(model.graph.inputs.size(), 1u);
  EXPECT_EQ(relu.inputs, (std::vector<int>{model.graph.inputs[0]}));
  EXPECT_EQ(relu.outputs, (std::vector<int>{model.graph.outputs[0]}));
  EXPECT_EQ(model.base_dir, "");
}

TEST(LoaderModel, NoGraphIsRefused) {
  onnx::ModelProto m;
  m.set_ir_version(8);
  expect_error([&] { load_model_from_bytes(test::bytes_of(m)); }, {"no graph"});
}

TEST(LoaderModel, NodeOpsetFollowsImportsForItsDomain) {
  onnx::ModelProto m;
  m.set_ir_version(8);
  test::add_opset(m, "ai.onnx", 12);  // same domain as ""
  test::add_opset(m, "com.microsoft", 1);
  auto* g = m.mutable_graph();
  test::add_value(g->mutable_input(), "x", onnx::TensorProto::FLOAT, {"2"});
  test::add_node(g, "Relu", {"x"}, {"a"});
  test::add_node(g, "Relu", {"a"}, {"b"}, "", "ai.onnx");
  test::add_node(g, "Gelu", {"b"}, {"c"}, "", "com.microsoft");
  test::add_node(g, "Mystery", {"c"}, {"d"}, "", "org.unknown");
  Model model = load_model_from_bytes(test::bytes_of(m));
  ASSERT_EQ(model.graph.nodes.size(), 4u);
  EXPECT_EQ(model.graph.nodes[0].opset, 12);
  EXPECT_EQ(model.graph.nodes[1].opset, 12);
  EXPECT_EQ(model.graph.nodes[2].opset, 1);
  EXPECT_EQ(model.graph.nodes[3].opset, 0);
}

TEST(LoaderModel, EmptyInputNameIsNoValue) {
  onnx::ModelProto m = test::relu_model();
  test::add_node(m.mutable_graph(), "Clip", {"y", "", "y"}, {"z", ""});
  Model model = load_model_from_bytes(test::bytes_of(m));
  const Node& clip = model.graph.nodes[1];
  ASSERT_EQ(clip.inputs.size(), 3u);
  EXPECT_EQ(clip.inputs[1], kNoValue);
  EXPECT_EQ(clip.inputs[0], model.graph.find("y"));
  EXPECT_EQ(clip.outputs[1], kNoValue);
}

TEST(LoaderModel, DuplicateInputsAndInitializersAreRefused) {
  onnx::ModelProto m = test::relu_model();
  test::add_value(m.mutable_graph()->mutable_input(), "x", onnx::TensorProto::FLOAT, {"2"});
  expect_error([&] { load_model_from_bytes(test::bytes_of(m)); }, {"input 'x'", "twice"});

  onnx::ModelProto m2 = test::relu_model();
  *m2.mutable_graph()->add_initializer() = raw_tensor("w", onnx::TensorProto::UINT8, {1}, {1});
  *m2.mutable_graph()->add_initializer() = raw_tensor("w", onnx::TensorProto::UINT8, {1}, {2});
  expect_error([&] { load_model_from_bytes(test::bytes_of(m2)); }, {"initializer 'w'", "twice"});
}

TEST(LoaderModel, InitializerErrorsNameTheInitializer) {
  onnx::ModelProto m = test::relu_model();
  *m.mutable_graph()->add_initializer() =
      raw_tensor("bad_w", onnx::TensorProto::FLOAT, {3}, {0, 0});
  expect_error([&] { load_model_from_bytes(test::bytes_of(m)); },
               {"initializer 'bad_w'", "raw_data has 2 bytes, expected 12"});
}

TEST(LoaderModel, InitializersAndTheirTypes) {
  onnx::ModelProto m = test::relu_model();
  auto* g = m.mutable_graph();
  // "w" is also declared as an input with a symbolic dim; "k" is not declared.
  test::add_value(g->mutable_input(), "w", onnx::TensorProto::FLOAT, {"N"});
  *g->add_initializer() = raw_tensor("w", onnx::TensorProto::FLOAT, {1}, {0, 0, 0x80, 0x3f});
  *g->add_initializer() = raw_tensor("k", onnx::TensorProto::INT64, {2},
                                     {3, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0});
  Model model = load_model_from_bytes(test::bytes_of(m));
  const Graph& graph = model.graph;
  int w = graph.find("w"), k = graph.find("k");
  ASSERT_TRUE(graph.is_initializer(w));
  ASSERT_TRUE(graph.is_initializer(k));
  EXPECT_EQ(graph.initializers.at(w).to_vector<float>(), (std::vector<float>{1.0f}));
  EXPECT_EQ(graph.initializers.at(k).to_vector<int64_t>(), (std::vector<int64_t>{3, 4}));
  // The declared type wins; an undeclared initializer is typed by its data.
  ASSERT_TRUE(graph.value(w).type.shape.has_value());
  EXPECT_EQ((*graph.value(w).type.shape)[0].param, "N");
  EXPECT_EQ(graph.value(k).type.kind, TypeInfo::Kind::Tensor);
  EXPECT_EQ(graph.value(k).type.elem, DType::Int64);
  EXPECT_EQ(graph.value(k).type.concrete_shape(), (std::optional<Shape>(Shape{2})));
  EXPECT_EQ(graph.feed_inputs(), (std::vector<int>{graph.find("x")}));
}

// ---------------------------------------------------------------- value types

TEST(LoaderTypes, AllKinds) {
  onnx::ModelProto m = test::relu_model();
  auto* g = m.mutable_graph();
  auto add = [&](const std::string& name) {
    auto* vi = g->add_value_info();
    vi->set_name(name);
    return vi->mutable_type();
  };
  // Tensor: known, symbolic and unknown dims.
  test::set_tensor_type(add("t"), onnx::TensorProto::FLOAT16, {"3", "batch", "?"});
  // Tensor without a shape: rank unknown.
  add("norank")->mutable_tensor_type()->set_elem_type(onnx::TensorProto::INT32);
  // Sequence of int64 tensors.
  test::set_tensor_type(add("seq")->mutable_sequence_type()->mutable_elem_type(),
                        onnx::TensorProto::INT64, {"?"});
  // Optional of a float tensor.
  test::set_tensor_type(add("opt")->mutable_optional_type()->mutable_elem_type(),
                        onnx::TensorProto::FLOAT, {});
  // Map from int64 to a float tensor.
  auto* map = add("map")->mutable_map_type();
  map->set_key_type(onnx::TensorProto::INT64);
  test::set_tensor_type(map->mutable_value_type(), onnx::TensorProto::FLOAT, {"1"});
  // Sparse tensor.
  auto* sp = add("sp")->mutable_sparse_tensor_type();
  sp->set_elem_type(onnx::TensorProto::DOUBLE);
  sp->mutable_shape()->add_dim()->set_dim_value(5);

  Model model = load_model_from_bytes(test::bytes_of(m));
  const Graph& graph = model.graph;
  EXPECT_EQ(graph.declared_value_infos.size(), 6u);
  const TypeInfo& t = graph.value(graph.find("t")).type;
  EXPECT_EQ(t.kind, TypeInfo::Kind::Tensor);
  EXPECT_EQ(t.elem, DType::Float16);
  ASSERT_TRUE(t.shape.has_value());
  ASSERT_EQ(t.shape->size(), 3u);
  EXPECT_EQ((*t.shape)[0], Dim::known(3));
  EXPECT_EQ((*t.shape)[1], Dim::symbol("batch"));
  EXPECT_EQ((*t.shape)[2], Dim{});

  const TypeInfo& norank = graph.value(graph.find("norank")).type;
  EXPECT_EQ(norank.elem, DType::Int32);
  EXPECT_FALSE(norank.shape.has_value());

  const TypeInfo& seq = graph.value(graph.find("seq")).type;
  EXPECT_EQ(seq.kind, TypeInfo::Kind::Sequence);
  ASSERT_TRUE(seq.inner);
  EXPECT_EQ(seq.inner->elem, DType::Int64);

  const TypeInfo& opt = graph.value(graph.find("opt")).type;
  EXPECT_EQ(opt.kind, TypeInfo::Kind::Optional);
  ASSERT_TRUE(opt.inner);
  EXPECT_EQ(opt.inner->kind, TypeInfo::Kind::Tensor);
  ASSERT_TRUE(opt.inner->shape.has_value());
  EXPECT_TRUE(opt.inner->shape->empty());  // a scalar, not an unknown rank

  const TypeInfo& mp = graph.value(graph.find("map")).type;
  EXPECT_EQ(mp.kind, TypeInfo::Kind::Map);
  EXPECT_EQ(mp.elem, DType::Int64);
  ASSERT_TRUE(mp.inner);
  EXPECT_EQ(mp.inner->elem, DType::Float);

  const TypeInfo& sparse = graph.value(graph.find("sp")).type;
  EXPECT_EQ(sparse.kind, TypeInfo::Kind::SparseTensor);
  EXPECT_EQ(sparse.elem, DType::Double);
  EXPECT_EQ(sparse.concrete_shape(), (std::optional<Shape>(Shape{5})));
}

// ---------------------------------------------------------------- attributes

TEST(LoaderAttributes, EveryKind) {
  onnx::ModelProto m = test::relu_model();
  auto* n = test::add_node(m.mutable_graph(), "Custom", {"y"}, {"z"}, "c", "org.test");
  auto add = [&](const std::string& name, onnx::AttributeProto::AttributeType type) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(type);
    return a;
  };
  add("f", onnx::AttributeProto::FLOAT)->set_f(0.25f);
  add("i", onnx::AttributeProto::INT)->set_i(-3);
  add("s", onnx::AttributeProto::STRING)->set_s("hi");
  *add("t", onnx::AttributeProto::TENSOR)->mutable_t() =
      raw_tensor("", onnx::TensorProto::INT8, {2}, {0x05, 0xfb});
  auto* g = add("g", onnx::AttributeProto::GRAPH)->mutable_g();
  g->set_name("sub");
  auto* fl = add("fl", onnx::AttributeProto::FLOATS);
  fl->add_floats(1.0f);
  fl->add_floats(2.5f);
  auto* in = add("in", onnx::AttributeProto::INTS);
  in->add_ints(3);
  in->add_ints(4);
  auto* ss = add("ss", onnx::AttributeProto::STRINGS);
  ss->add_strings("a");
  ss->add_strings("b");
  *add("ts", onnx::AttributeProto::TENSORS)->add_tensors() =
      raw_tensor("", onnx::TensorProto::UINT8, {1}, {9});
  auto* gs = add("gs", onnx::AttributeProto::GRAPHS);
  gs->add_graphs()->set_name("g0");
  gs->add_graphs()->set_name("g1");
  auto* st = add("st", onnx::AttributeProto::SPARSE_TENSOR)->mutable_sparse_tensor();
  *st->mutable_values() = raw_tensor("", onnx::TensorProto::INT32, {1}, {7, 0, 0, 0});
  *st->mutable_indices() = raw_tensor("", onnx::TensorProto::INT64, {1}, {2, 0, 0, 0, 0, 0, 0, 0});
  st->add_dims(3);
  test::set_tensor_type(add("tp", onnx::AttributeProto::TYPE_PROTO)->mutable_tp(),
                        onnx::TensorProto::BOOL, {"2"});
  test::set_tensor_type(add("tps", onnx::AttributeProto::TYPE_PROTOS)->add_type_protos(),
                        onnx::TensorProto::UINT8, {});
  // IR v1 style: no type field, the filled value says it.
  n->add_attribute()->set_name("legacy");
  n->mutable_attribute(n->attribute_size() - 1)->set_i(11);

  Model model = load_model_from_bytes(test::bytes_of(m));
  const Node& c = model.graph.nodes[1];
  EXPECT_EQ(c.domain, "org.test");
  ASSERT_EQ(c.attributes.size(), 14u);
  auto attr = [&](const char* name) {
    const Attribute* a = c.find_attr(name);
    EXPECT_NE(a, nullptr) << name;
    return a;
  };
  EXPECT_EQ(attr("f")->type, AttrType::Float);
  EXPECT_EQ(attr("f")->f, 0.25f);
  EXPECT_EQ(attr("i")->i, -3);
  EXPECT_EQ(attr("s")->s, "hi");
  EXPECT_EQ(attr("t")->t.to_vector<int8_t>(), (std::vector<int8_t>{5, -5}));
  ASSERT_TRUE(attr("g")->g);
  EXPECT_EQ(attr("g")->g->name, "sub");
  EXPECT_EQ(attr("fl")->floats, (std::vector<float>{1.0f, 2.5f}));
  EXPECT_EQ(attr("in")->ints, (std::vector<int64_t>{3, 4}));
  EXPECT_EQ(attr("ss")->strings, (std::vector<std::string>{"a", "b"}));
  ASSERT_EQ(attr("ts")->tensors.size(), 1u);
  EXPECT_EQ(attr("ts")->tensors[0].to_vector<uint8_t>(), (std::vector<uint8_t>{9}));
  ASSERT_EQ(attr("gs")->graphs.size(), 2u);
  EXPECT_EQ(attr("gs")->graphs[1]->name, "g1");
  EXPECT_EQ(attr("st")->type, AttrType::SparseTensor);
  EXPECT_EQ(attr("st")->t.to_vector<int32_t>(), (std::vector<int32_t>{0, 0, 7}));
  EXPECT_EQ(attr("tp")->tp.elem, DType::Bool);
  ASSERT_EQ(attr("tps")->tps.size(), 1u);
  EXPECT_EQ(attr("tps")->tps[0].elem, DType::UInt8);
  EXPECT_EQ(attr("legacy")->type, AttrType::Int);
  EXPECT_EQ(attr("legacy")->i, 11);
}

TEST(LoaderAttributes, BadTensorNamesNodeAndAttribute) {
  onnx::ModelProto m = test::relu_model();
  auto* n = test::add_node(m.mutable_graph(), "Constant", {}, {"k"}, "const0");
  auto* a = n->add_attribute();
  a->set_name("value");
  a->set_type(onnx::AttributeProto::TENSOR);
  *a->mutable_t() = raw_tensor("", onnx::TensorProto::FLOAT, {2}, {1, 2, 3});
  expect_error([&] { load_model_from_bytes(test::bytes_of(m)); },
               {"node 'const0' (#1, Constant)", "attribute 'value'", "raw_data has 3 bytes"});
}

// ---------------------------------------------------------------- sparse initializers

onnx::SparseTensorProto sparse_2x3(std::vector<int64_t> index_dims, std::vector<int64_t> idx) {
  onnx::SparseTensorProto sp;
  auto* v = sp.mutable_values();
  v->set_name("sp");
  v->set_data_type(onnx::TensorProto::FLOAT);
  v->add_dims(3);
  for (float f : {1.0f, 2.0f, 3.0f}) v->add_float_data(f);
  auto* i = sp.mutable_indices();
  i->set_data_type(onnx::TensorProto::INT64);
  for (int64_t d : index_dims) i->add_dims(d);
  for (int64_t x : idx) i->add_int64_data(x);
  sp.add_dims(2);
  sp.add_dims(3);
  return sp;
}

Model with_sparse(const onnx::SparseTensorProto& sp) {
  onnx::ModelProto m = test::relu_model();
  *m.mutable_graph()->add_sparse_initializer() = sp;
  return load_model_from_bytes(test::bytes_of(m));
}

TEST(LoaderSparse, LinearIndicesDensify) {
  // Linear positions 0, 4, 5 of a 2x3 tensor: (0,0), (1,1), (1,2).
  Model model = with_sparse(sparse_2x3({3}, {0, 4, 5}));
  int id = model.graph.find("sp");
  ASSERT_TRUE(model.graph.is_initializer(id));
  const Tensor& dense = model.graph.initializers.at(id);
  EXPECT_EQ(dense.shape(), (Shape{2, 3}));
  EXPECT_EQ(dense.to_vector<float>(), (std::vector<float>{1, 0, 0, 0, 2, 3}));
  ASSERT_EQ(model.graph.sparse_initializers.size(), 1u);
  EXPECT_EQ(model.graph.sparse_initializers[0].value, id);
  EXPECT_EQ(model.graph.sparse_initializers[0].dims, (Shape{2, 3}));
  EXPECT_EQ(model.graph.sparse_initializers[0].values.numel(), 3);
}

TEST(LoaderSparse, CoordinateIndicesDensify) {
  Model model = with_sparse(sparse_2x3({3, 2}, {0, 0, 1, 1, 1, 2}));
  EXPECT_EQ(model.graph.initializers.at(model.graph.find("sp")).to_vector<float>(),
            (std::vector<float>{1, 0, 0, 0, 2, 3}));
}

TEST(LoaderSparse, BadIndicesAreRefused) {
  expect_error(
      [] {
        with_sparse(sparse_2x3({3}, {0, 4, 6}));
      },
      {"sparse initializer 'sp'", "out of range"});
  expect_error([] { with_sparse(sparse_2x3({3}, {4, 0, 5})); }, {"strictly increasing"});
  expect_error([] { with_sparse(sparse_2x3({3}, {0, 4, 4})); }, {"strictly increasing"});
  expect_error([] { with_sparse(sparse_2x3({3, 2}, {0, 0, 1, 3, 1, 2})); }, {"out of range"});
  expect_error([] { with_sparse(sparse_2x3({2}, {0, 4})); }, {"sparse indices have shape [2]"});
}

// ---------------------------------------------------------------- subgraphs

// If(cond) with then = Identity(x) and else = If(cond) whose then uses x: x is two
// levels up from the innermost graph.
onnx::ModelProto if_model() {
  onnx::ModelProto m;
  m.set_ir_version(8);
  test::add_opset(m, "", 13);
  auto* g = m.mutable_graph();
  g->set_name("main");
  test::add_value(g->mutable_input(), "cond", onnx::TensorProto::BOOL, {});
  test::add_value(g->mutable_input(), "x", onnx::TensorProto::FLOAT, {"2"});
  test::add_value(g->mutable_output(), "y", onnx::TensorProto::FLOAT, {"2"});
  auto* outer_if = test::add_node(g, "If", {"cond"}, {"y"}, "if0");

  auto* then_attr = outer_if->add_attribute();
  then_attr->set_name("then_branch");
  then_attr->set_type(onnx::AttributeProto::GRAPH);
  auto* then_g = then_attr->mutable_g();
  then_g->set_name("then");
  test::add_node(then_g, "Identity", {"x"}, {"t_out"});
  then_g->add_output()->set_name("t_out");

  auto* else_attr = outer_if->add_attribute();
  else_attr->set_name("else_branch");
  else_attr->set_type(onnx::AttributeProto::GRAPH);
  auto* else_g = else_attr->mutable_g();
  else_g->set_name("else");
  auto* inner_if = test::add_node(else_g, "If", {"cond"}, {"e_out"});
  else_g->add_output()->set_name("e_out");
  for (const char* branch : {"then_branch", "else_branch"}) {
    auto* a = inner_if->add_attribute();
    a->set_name(branch);
    a->set_type(onnx::AttributeProto::GRAPH);
    auto* ig = a->mutable_g();
    ig->set_name(std::string("inner_") + branch);
    test::add_node(ig, "Neg", {"x"}, {"n"});
    ig->add_output()->set_name("n");
  }
  return m;
}

TEST(LoaderSubgraph, NamesFromEnclosingGraphsAreOuterScope) {
  Model model = load_model_from_bytes(test::bytes_of(if_model()));
  const Graph& main = model.graph;
  EXPECT_FALSE(main.value(main.find("x")).outer_scope);
  const Node& outer_if = main.nodes[0];
  const Graph& then_g = *outer_if.find_attr("then_branch")->g;
  EXPECT_EQ(then_g.name, "then");
  ASSERT_NE(then_g.find("x"), kNoValue);
  EXPECT_TRUE(then_g.value(then_g.find("x")).outer_scope);
  EXPECT_FALSE(then_g.value(then_g.find("t_out")).outer_scope);
  EXPECT_EQ(then_g.nodes[0].opset, 13);

  const Graph& else_g = *outer_if.find_attr("else_branch")->g;
  // "x" is used only by the inner If's branches, yet it is a free name of "else" too,
  // and "cond" is used directly.
  ASSERT_NE(else_g.find("x"), kNoValue);
  EXPECT_TRUE(else_g.value(else_g.find("x")).outer_scope);
  EXPECT_TRUE(else_g.value(else_g.find("cond")).outer_scope);
  EXPECT_FALSE(else_g.value(else_g.find("e_out")).outer_scope);
  const Graph& inner = *else_g.nodes[0].find_attr("then_branch")->g;
  EXPECT_TRUE(inner.value(inner.find("x")).outer_scope);
  EXPECT_FALSE(inner.value(inner.find("n")).outer_scope);
}

TEST(LoaderSubgraph, ErrorsInsideSubgraphsSayWhere) {
  onnx::ModelProto m = if_model();
  auto* then_g = m.mutable_graph()->mutable_node(0)->mutable_attribute(0)->mutable_g();
  *then_g->add_initializer() = raw_tensor("bad", onnx::TensorProto::INT32, {2}, {1});
  expect_error([&] { load_model_from_bytes(test::bytes_of(m)); },
               {"node 'if0' (#0, If)", "then_branch", "initializer 'bad'", "raw_data has 1 bytes"});
}

TEST(LoaderParse, MutatedModelsNeverCrash) {
  // A model using subgraphs, initializers, a sparse initializer and attributes; bytes
  // flipped at pseudo-random places. Every variant must load or fail with an
  // onyx::Error, and what loads must survive check, print and a round trip.
  onnx::ModelProto m = if_model();
  auto* g = m.mutable_graph();
  *g->add_initializer() =
      raw_tensor("w", onnx::TensorProto::FLOAT, {2}, {0, 0, 0x80, 0x3f, 0, 0, 0, 0x40});
  *g->add_sparse_initializer() = sparse_2x3({3}, {0, 4, 5});
  auto* a = g->mutable_node(0)->add_attribute();
  a->set_name("k");
  a->set_type(onnx::AttributeProto::INTS);
  a->add_ints(3);
  const std::string bytes = test::bytes_of(m);
  LoadOptions options;
  options.max_file_bytes = 1 << 20;  // keeps a mutated sparse shape from asking for gigabytes
  uint64_t state = 12345;
  auto next = [&state] {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<uint32_t>(state >> 33);
  };
  int loaded = 0;
  for (int iter = 0; iter < 3000; ++iter) {
    std::string mutated = bytes;
    int flips = 1 + static_cast<int>(next() % 4);
    for (int k = 0; k < flips; ++k)
      mutated[next() % mutated.size()] = static_cast<char>(next() & 0xff);
    try {
      Model model = load_model_from_bytes(mutated, "", options);
      ++loaded;
      std::ostringstream sink;
      print_model(model, sink);
      try {
        check_model(model);
      } catch (const Error&) {
      }
      load_model_from_bytes(serialize_model(model), "", options);
    } catch (const Error&) {
    }
  }
  EXPECT_GT(loaded, 0);  // some mutations hit names or values and still load
}

// ---------------------------------------------------------------- functions

TEST(LoaderFunctions, ModelLocalFunction) {
  onnx::ModelProto m = test::relu_model();
  test::add_node(m.mutable_graph(), "AddTwice", {"y", "x"}, {"z"}, "call", "custom");
  auto* f = m.add_functions();
  f->set_name("AddTwice");
  f->set_domain("custom");
  f->set_doc_string("adds b twice");
  f->add_input("a");
  f->add_input("b");
  f->add_output("c");
  f->add_attribute("alpha");
  auto* imp = f->add_opset_import();
  imp->set_domain("");
  imp->set_version(14);
  auto* add1 = f->add_node();
  add1->set_op_type("Add");
  add1->add_input("a");
  add1->add_input("b");
  add1->add_output("t");
  auto* add2 = f->add_node();
  add2->set_op_type("Add");
  add2->add_input("t");
  add2->add_input("b");
  add2->add_output("c");

  Model model = load_model_from_bytes(test::bytes_of(m));
  EXPECT_EQ(model.graph.nodes[1].opset, 0);  // "custom" is not imported
  ASSERT_EQ(model.functions.size(), 1u);
  const Function& fn = model.functions[0];
  EXPECT_EQ(fn.name, "AddTwice");
  EXPECT_EQ(fn.domain, "custom");
  EXPECT_EQ(fn.doc, "adds b twice");
  EXPECT_EQ(fn.inputs, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(fn.outputs, (std::vector<std::string>{"c"}));
  EXPECT_EQ(fn.attributes, (std::vector<std::string>{"alpha"}));
  ASSERT_EQ(fn.opset_imports.size(), 1u);
  EXPECT_EQ(fn.opset_imports[0].version, 14);
  ASSERT_TRUE(fn.body);
  ASSERT_EQ(fn.body->nodes.size(), 2u);
  EXPECT_EQ(fn.body->nodes[0].opset, 14);  // the function's own import
  const Graph& body = *fn.body;
  EXPECT_EQ(body.nodes[1].inputs, (std::vector<int>{body.find("t"), body.find("b")}));
  EXPECT_EQ(body.inputs, (std::vector<int>{body.find("a"), body.find("b")}));
  EXPECT_EQ(body.outputs, (std::vector<int>{body.find("c")}));
}

// ---------------------------------------------------------------- external data

onnx::ModelProto external_model(const std::string& location, const std::string& offset,
                                const std::string& length) {
  onnx::ModelProto m = test::relu_model();
  onnx::TensorProto w = raw_tensor("w", onnx::TensorProto::FLOAT, {2}, {});
  test::set_external_data(w, location, offset, length);
  *m.mutable_graph()->add_initializer() = w;
  return m;
}

// 8 bytes of padding, then 1.0f and 3.0f.
const std::string kWeights =
    std::string(8, '\xaa') + std::string("\x00\x00\x80\x3f\x00\x00\x40\x40", 8);

TEST(LoaderExternal, ReadsTheRangeRelativeToTheModelFolder) {
  test::ScratchDir dir;
  dir.write("weights.bin", kWeights);
  dir.write("model.onnx", test::bytes_of(external_model("weights.bin", "8", "8")));
  Model model = load_model(dir.file("model.onnx"));
  EXPECT_EQ(model.base_dir, dir.path().string());
  EXPECT_EQ(model.graph.initializers.at(model.graph.find("w")).to_vector<float>(),
            (std::vector<float>{1.0f, 3.0f}));
}

TEST(LoaderExternal, InMemoryLoadUsesBaseDir) {
  test::ScratchDir dir;
  dir.write("sub/weights.bin", kWeights);
  std::string bytes = test::bytes_of(external_model("sub/weights.bin", "8", ""));
  Model model = load_model_from_bytes(bytes, dir.path().string());
  EXPECT_EQ(model.graph.initializers.at(model.graph.find("w")).to_vector<float>(),
            (std::vector<float>{1.0f, 3.0f}));
  // A detour that stays inside the folder is fine.
  Model again = load_model_from_bytes(
      test::bytes_of(external_model("sub/../sub/weights.bin", "8", "")), dir.path().string());
  EXPECT_EQ(again.graph.initializers.at(again.graph.find("w")).to_vector<float>(),
            (std::vector<float>{1.0f, 3.0f}));
}

TEST(LoaderExternal, UnalignedOffsetStillReads) {
  test::ScratchDir dir;
  dir.write("w.bin", std::string(1, '\x01') + kWeights.substr(8));
  Model model =
      load_model_from_bytes(test::bytes_of(external_model("w.bin", "1", "8")), dir.path().string());
  EXPECT_EQ(model.graph.initializers.at(model.graph.find("w")).to_vector<float>(),
            (std::vector<float>{1.0f, 3.0f}));
}

TEST(LoaderExternal, EmptyBaseDirIsAnError) {
  expect_error([] { load_model_from_bytes(test::bytes_of(external_model("weights.bin", "", ""))); },
               {"initializer 'w'", "external data", "loaded from memory"});
}

TEST(LoaderExternal, AbsolutePathRefused) {
  test::ScratchDir dir;
  dir.write("weights.bin", kWeights);
  expect_error(
      [&] {
        load_model_from_bytes(test::bytes_of(external_model(dir.file("weights.bin"), "8", "")),
                              dir.path().string());
      },
      {"initializer 'w'", "absolute"});
}

TEST(LoaderExternal, DotDotEscapeRefused) {
  test::ScratchDir outer;
  outer.write("secret.bin", kWeights);
  outer.write("models/placeholder", "");
  std::string base = outer.file("models");
  expect_error(
      [&] {
        load_model_from_bytes(test::bytes_of(external_model("../secret.bin", "8", "")), base);
      },
      {"initializer 'w'", "outside the model's folder"});
  expect_error(
      [&] {
        load_model_from_bytes(test::bytes_of(external_model("a/../../secret.bin", "8", "")), base);
      },
      {"outside the model's folder"});
}

TEST(LoaderExternal, SymlinkEscapeRefused) {
  test::ScratchDir outer;
  outer.write("secret.bin", kWeights);
  outer.write("models/placeholder", "");
  std::filesystem::create_symlink(outer.file("secret.bin"), outer.file("models/link.bin"));
  std::filesystem::create_directory_symlink(outer.path(), outer.file("models/up"));
  std::string base = outer.file("models");
  expect_error(
      [&] { load_model_from_bytes(test::bytes_of(external_model("link.bin", "8", "")), base); },
      {"outside the model's folder"});
  expect_error(
      [&] {
        load_model_from_bytes(test::bytes_of(external_model("up/secret.bin", "8", "")), base);
      },
      {"outside the model's folder"});
}

TEST(LoaderExternal, HardLinksRefused) {
  test::ScratchDir outer;
  outer.write("secret.bin", kWeights);
  outer.write("models/weights.bin", kWeights);
  std::filesystem::create_hard_link(outer.file("secret.bin"), outer.file("models/link.bin"));
  std::string base = outer.file("models");
  expect_error(
      [&] { load_model_from_bytes(test::bytes_of(external_model("link.bin", "8", "")), base); },
      {"initializer 'w'", "link.bin", "hard link (2 names)"});
  // The same bytes under one name load.
  EXPECT_NO_THROW(
      load_model_from_bytes(test::bytes_of(external_model("weights.bin", "8", "")), base));
}

TEST(LoaderExternal, RangesPastTheEndRefused) {
  test::ScratchDir dir;
  dir.write("weights.bin", kWeights);  // 16 bytes
  std::string base = dir.path().string();
  expect_error(
      [&] { load_model_from_bytes(test::bytes_of(external_model("weights.bin", "12", "")), base); },
      {"initializer 'w'", "past the end", "16 bytes"});
  expect_error(
      [&] {
        load_model_from_bytes(test::bytes_of(external_model("weights.bin", "100", "8")), base);
      },
      {"past the end"});
  // A length that disagrees with the tensor's size.
  expect_error(
      [&] {
        load_model_from_bytes(test::bytes_of(external_model("weights.bin", "0", "12")), base);
      },
      {"length 12", "8 bytes"});
  expect_error(
      [&] { load_model_from_bytes(test::bytes_of(external_model("weights.bin", "-4", "")), base); },
      {"offset '-4'"});
}

TEST(LoaderExternal, MissingFileRefused) {
  test::ScratchDir dir;
  expect_error(
      [&] {
        load_model_from_bytes(test::bytes_of(external_model("nope.bin", "", "")),
                              dir.path().string());
      },
      {"initializer 'w'", "nope.bin"});
}

TEST(LoaderExternal, OnlyRegularFiles) {
  test::ScratchDir dir;
  dir.write("sub/placeholder", "");
  ASSERT_EQ(mkfifo(dir.file("pipe").c_str(), 0600), 0);
  std::string base = dir.path().string();
  // A FIFO must be refused, not waited on.
  expect_error([&] { load_model_from_bytes(test::bytes_of(external_model("pipe", "", "")), base); },
               {"initializer 'w'", "'pipe' is not a regular file"});
  expect_error([&] { load_model_from_bytes(test::bytes_of(external_model("sub", "", "")), base); },
               {"'sub' is not a regular file"});
}

// ---------------------------------------------------------------- tensor files

TEST(LoaderTensorFiles, LoadTensorFileAndName) {
  test::ScratchDir dir;
  dir.write("input_0.pb",
            test::bytes_of(raw_tensor("x", onnx::TensorProto::INT16, {1}, {0x10, 0x27})));
  std::string name;
  Tensor t = load_tensor_file(dir.file("input_0.pb"), &name);
  EXPECT_EQ(name, "x");
  EXPECT_EQ(t.to_vector<int16_t>(), (std::vector<int16_t>{10000}));
}

TEST(LoaderTensorFiles, ReadFileBytes) {
  test::ScratchDir dir;
  dir.write("f.bin", std::string("ab\0c", 4));
  EXPECT_EQ(read_file_bytes(dir.file("f.bin")), std::string("ab\0c", 4));
  expect_error([&] { read_file_bytes(dir.file("f.bin"), 3); }, {"f.bin", "limit"});
  expect_error([&] { read_file_bytes(dir.file("missing.bin")); }, {"missing.bin"});
  expect_error([&] { read_file_bytes(dir.path().string()); }, {"not a regular file"});
}

}  // namespace
}  // namespace onyx
