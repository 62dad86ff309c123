// Every failure a user can cause comes back as an onyx::Error whose kind, and the
// stable prefix of its message, say whose fault it is: the model's, the inputs', a
// limit's, a file's, or an operator Onyx lacks.
#include <gtest/gtest.h>

#include "graph_builders.h"
#include "onyx/loader.h"
#include "onyx/onyx.h"
#include "onyx/value_files.h"
#include "op_tester.h"

namespace onyx::test {
namespace {

using testing::error_from;
using testing::expect_error;

Session session_of(const onnx::ModelProto& m, SessionOptions options = {1, true}) {
  return Session::from_bytes(builtin_registry(), bytes_of(m), options);
}

TEST(ErrorKinds, PrefixesAreStableWords) {
  EXPECT_STREQ(error_kind_name(ErrorKind::invalid_model), "invalid model");
  EXPECT_STREQ(error_kind_name(ErrorKind::unsupported_operator), "unsupported operator");
  EXPECT_STREQ(error_kind_name(ErrorKind::unsupported_model), "unsupported model");
  EXPECT_STREQ(error_kind_name(ErrorKind::invalid_input), "invalid input");
  EXPECT_STREQ(error_kind_name(ErrorKind::limit_exceeded), "limit exceeded");
  EXPECT_STREQ(error_kind_name(ErrorKind::io_error), "io error");
  EXPECT_STREQ(error_kind_name(ErrorKind::internal_error), "internal error");
  // An error of no kind yet has no prefix; classifying it keeps its words.
  Error plain("axis 3 out of range");
  EXPECT_STREQ(plain.what(), "axis 3 out of range");
  EXPECT_STREQ(plain.classified(ErrorKind::invalid_input).what(),
               "invalid input: axis 3 out of range");
  // A kind once given is kept by later classification and by added context.
  Error limit(ErrorKind::limit_exceeded, "too big");
  EXPECT_EQ(limit.classified(ErrorKind::invalid_model).kind(), ErrorKind::limit_exceeded);
  EXPECT_STREQ(limit.with_context("node 'n': ").what(), "limit exceeded: node 'n': too big");
}

TEST(ErrorKinds, ClassifyErrorsLeavesKindsAndOutOfMemory) {
  expect_error(error_from([] { classify_errors(ErrorKind::invalid_input, [] { fail("bad"); }); }),
               ErrorKind::invalid_input, "bad");
  expect_error(error_from([] {
                 classify_errors(ErrorKind::invalid_input,
                                 [] { fail_as(ErrorKind::io_error, "cannot open 'f'"); });
               }),
               ErrorKind::io_error, "cannot open 'f'");
  expect_error(
      error_from([] { classify_errors(ErrorKind::invalid_model, [] { throw std::bad_alloc(); }); }),
      ErrorKind::limit_exceeded, "out of memory");
  EXPECT_EQ(classify_errors(ErrorKind::invalid_model, [] { return 7; }), 7);
}

TEST(ErrorKinds, MissingFileIsAnIoError) {
  ScratchDir dir;
  expect_error(error_from([&] { load_model(dir.file("absent.onnx")); }), ErrorKind::io_error,
               "absent.onnx");
  expect_error(error_from([&] { load_tensor_file(dir.file("absent.pb")); }), ErrorKind::io_error,
               "absent.pb");
}

TEST(ErrorKinds, CorruptBytesAreAnInvalidModel) {
  std::string bytes = bytes_of(relu_model());
  expect_error(error_from([&] { load_model_from_bytes(bytes.substr(0, bytes.size() / 2)); }),
               ErrorKind::invalid_model, "parse");
}

TEST(ErrorKinds, BrokenGraphIsAnInvalidModel) {
  onnx::ModelProto m = relu_model();
  m.mutable_graph()->mutable_node(0)->set_input(0, "nowhere");
  expect_error(error_from([&] { session_of(m); }), ErrorKind::invalid_model, "nowhere");
}

TEST(ErrorKinds, NewerIrVersionIsAnUnsupportedModel) {
  onnx::ModelProto m = relu_model();
  m.set_ir_version(99);
  expect_error(error_from([&] { session_of(m); }), ErrorKind::unsupported_model, "IR version 99");
}

TEST(ErrorKinds, UnknownOperatorAndNewerOpsetAreUnsupportedOperators) {
  onnx::ModelProto m = relu_model();
  m.mutable_graph()->mutable_node(0)->set_op_type("Frobnicate");
  expect_error(error_from([&] { session_of(m); }), ErrorKind::unsupported_operator, "Frobnicate");
  onnx::ModelProto newer = relu_model();
  newer.mutable_opset_import(0)->set_version(99);
  expect_error(error_from([&] { session_of(newer); }), ErrorKind::unsupported_operator, "opset 99");
}

TEST(ErrorKinds, WrongFeedsAreInvalidInputs) {
  Session s = session_of(relu_model());
  expect_error(error_from([&] { s.run({}); }), ErrorKind::invalid_input, "missing input 'x'");
  expect_error(error_from([&] {
                 s.run({{"x", Tensor::from_vector<int64_t>({2}, {1, 2})}});
               }),
               ErrorKind::invalid_input, "x");
  expect_error(error_from([&] {
                 s.run({{"x", Tensor()}});
               }),
               ErrorKind::invalid_input, "undefined tensor");
}

// y = Gather(data, indices) with indices fed at run time.
onnx::ModelProto gather_model() {
  onnx::ModelProto m = model_at(13);
  auto* g = m.mutable_graph();
  add_value(g->mutable_input(), "data", onnx::TensorProto::FLOAT, {"3"});
  add_value(g->mutable_input(), "indices", onnx::TensorProto::INT64, {"1"});
  add_value(g->mutable_output(), "y", onnx::TensorProto::FLOAT, {"1"});
  add_node(g, "Gather", {"data", "indices"}, {"y"}, "gather");
  return m;
}

TEST(ErrorKinds, AKernelFailingOnFedValuesIsAnInvalidInputNamingTheNode) {
  Session s = session_of(gather_model());
  Error e = error_from([&] {
    s.run({{"data", Tensor::from_vector<float>({3}, {1, 2, 3})},
           {"indices", Tensor::from_vector<int64_t>({1}, {7})}});
  });
  expect_error(e, ErrorKind::invalid_input, "gather");
  EXPECT_NE(e.detail().find("Gather"), std::string::npos) << e.what();
  EXPECT_NE(e.detail().find("7"), std::string::npos) << e.what();
}

// y = ConstantOfShape(shape): the output's size comes from data.
onnx::ModelProto constant_of_shape_model() {
  onnx::ModelProto m = model_at(13);
  auto* g = m.mutable_graph();
  add_value(g->mutable_input(), "shape", onnx::TensorProto::INT64, {"2"});
  add_value(g->mutable_output(), "y", onnx::TensorProto::FLOAT, {"a", "b"});
  add_node(g, "ConstantOfShape", {"shape"}, {"y"}, "fill");
  return m;
}

TEST(ErrorKinds, AnOutputPastTheMemoryLimitIsRefusedBeforeAllocating) {
  SessionOptions options{1, true};
  options.limits.max_tensor_bytes = int64_t{1} << 20;  // 1 MiB
  Session s = session_of(constant_of_shape_model(), options);
  // 512 x 512 floats is exactly 1 MiB: allowed.
  EXPECT_EQ(s.run({{"shape", Tensor::from_vector<int64_t>({2}, {512, 512})}})[0].numel(),
            512 * 512);
  // One row more is refused, and so is a size whose element count overflows int64;
  // neither allocates (the second could not).
  Error over = error_from([&] {
    s.run({{"shape", Tensor::from_vector<int64_t>({2}, {513, 512})}});
  });
  expect_error(over, ErrorKind::limit_exceeded, "max_tensor_bytes");
  EXPECT_NE(over.detail().find("fill"), std::string::npos) << over.what();
  EXPECT_NE(over.detail().find("1050624"), std::string::npos) << over.what();  // 513*512*4
  expect_error(
      error_from([&] {
        s.run({{"shape", Tensor::from_vector<int64_t>({2}, {int64_t{1} << 40, int64_t{1} << 40})}});
      }),
      ErrorKind::limit_exceeded, "fill");
}

TEST(ErrorKinds, TheDefaultMemoryLimitIsThePhysicalMemory) {
  Session s = session_of(constant_of_shape_model());
  // 2^50 floats (4 PiB) is more than any machine this runs on has.
  expect_error(
      error_from([&] {
        s.run({{"shape", Tensor::from_vector<int64_t>({2}, {int64_t{1} << 25, int64_t{1} << 25})}});
      }),
      ErrorKind::limit_exceeded, "max_tensor_bytes");
}

TEST(ErrorKinds, BadTensorFilesAreInvalidInputs) {
  ScratchDir dir;
  dir.write("x.pb", "\xff\xff\xff");
  expect_error(error_from([&] { load_tensor_file(dir.file("x.pb")); }), ErrorKind::invalid_input,
               "x.pb");
  expect_error(
      error_from([&] { load_value_file(dir.file("x.pb"), TypeInfo::tensor_of(DType::Float, {})); }),
      ErrorKind::invalid_input, "x.pb");
}

}  // namespace
}  // namespace onyx::test
