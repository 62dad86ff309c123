// Sequences and optionals as runtime values: fed to and returned by Session, read
// and written as SequenceProto/OptionalProto files, and the Sequence*/Optional*
// operators. Expected values are worked out by hand.
#include <gtest/gtest.h>

#include "onyx/loader.h"
#include "onyx/onyx.h"
#include "onyx/value_files.h"
#include "op_tester.h"
#include "unit/graph_builders.h"

namespace onyx {
namespace {

using test::add_graph_attr;
using test::add_int_attr;
using test::add_node;
using test::model_at;
using testing::error_of;
using testing::floats;
using testing::ints;

constexpr int32_t kFloat = onnx::TensorProto::FLOAT;

void add_sequence_value(google::protobuf::RepeatedPtrField<onnx::ValueInfoProto>* list,
                        const std::string& name, int32_t elem) {
  auto* vi = list->Add();
  vi->set_name(name);
  vi->mutable_type()
      ->mutable_sequence_type()
      ->mutable_elem_type()
      ->mutable_tensor_type()
      ->set_elem_type(elem);
}

void add_tensor_value(google::protobuf::RepeatedPtrField<onnx::ValueInfoProto>* list,
                      const std::string& name, int32_t elem, std::vector<std::string> dims) {
  test::add_value(list, name, elem, std::move(dims));
}

Session session_of(const onnx::ModelProto& m) {
  return Session(builtin_registry(), load_model_from_bytes(test::bytes_of(m)), {1, true});
}

TensorSequence seq_of(std::vector<Tensor> items) {
  return TensorSequence{items.empty() ? DType::Float : items[0].dtype(), std::move(items)};
}

// seq in -> SequenceInsert(seq, t, position -1) -> out; SequenceAt(out, 0) -> first;
// SequenceLength(out) -> n.
TEST(Sequence, SequenceValuesFlowThroughSessionInputsAndOutputs) {
  onnx::ModelProto m = model_at(13);
  auto* g = m.mutable_graph();
  add_sequence_value(g->mutable_input(), "seq", kFloat);
  add_tensor_value(g->mutable_input(), "t", kFloat, {"?"});
  add_sequence_value(g->mutable_output(), "out", kFloat);
  add_tensor_value(g->mutable_output(), "first", kFloat, {"?"});
  add_tensor_value(g->mutable_output(), "n", onnx::TensorProto::INT64, {});
  auto* pos = g->add_initializer();
  pos->set_name("pos");
  pos->set_data_type(onnx::TensorProto::INT64);
  pos->add_int64_data(-1);
  auto* zero = g->add_initializer();
  zero->set_name("zero");
  zero->set_data_type(onnx::TensorProto::INT64);
  zero->add_int64_data(0);
  add_node(g, "SequenceInsert", {"seq", "t", "pos"}, {"out"});
  add_node(g, "SequenceAt", {"out", "zero"}, {"first"});
  add_node(g, "SequenceLength", {"out"}, {"n"});
  Session s = session_of(m);

  // [a, b] with t inserted before the last: [a, t, b].
  Tensor a = floats({1}, {1}), b = floats({2}, {2, 3}), t = floats({3}, {4, 5, 6});
  auto out = s.run_values({{"seq", seq_of({a, b})}, {"t", t}});
  const auto& items = out[0].sequence().tensors;
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[1].to_vector<float>(), (std::vector<float>{4, 5, 6}));
  EXPECT_EQ(items[2].to_vector<float>(), (std::vector<float>{2, 3}));
  EXPECT_EQ(out[1].tensor().to_vector<float>(), (std::vector<float>{1}));
  EXPECT_EQ(out[2].tensor().to_vector<int64_t>(), (std::vector<int64_t>{3}));

  // Feeding a tensor where a sequence is declared is a clear error.
  std::string why = error_of([&] { s.run_values({{"seq", a}, {"t", t}}); });
  EXPECT_NE(why.find("must be a sequence"), std::string::npos) << why;
  // The tensor-only run() names run_values for non-tensor outputs.
  why = error_of([&] { s.run({{"t", t}}); });
  EXPECT_NE(why.find("missing input 'seq'"), std::string::npos) << why;
}

TEST(Sequence, EmptySequenceThroughConcatFromSequenceIsAClearError) {
  onnx::ModelProto m = model_at(13);
  auto* g = m.mutable_graph();
  add_tensor_value(g->mutable_output(), "y", kFloat, {"?"});
  add_node(g, "SequenceEmpty", {}, {"empty"});
  add_int_attr(add_node(g, "ConcatFromSequence", {"empty"}, {"y"}), "axis", 0);
  Session s = session_of(m);
  std::string why = error_of([&] { s.run({}); });
  EXPECT_NE(why.find("cannot concatenate an empty sequence"), std::string::npos) << why;
}

// SplitToSequence of [[1, 2], [3, 4], [5, 6]] into rows (no split input, keepdims 0),
// then ConcatFromSequence stacking them along a new last axis: the transpose
// [[1, 3, 5], [2, 4, 6]].
TEST(Sequence, SplitToSequenceAndStackBack) {
  onnx::ModelProto m = model_at(13);
  auto* g = m.mutable_graph();
  add_tensor_value(g->mutable_input(), "x", kFloat, {"3", "2"});
  add_tensor_value(g->mutable_output(), "y", kFloat, {"?", "?"});
  add_int_attr(add_node(g, "SplitToSequence", {"x"}, {"rows"}), "keepdims", 0);
  auto* concat = add_node(g, "ConcatFromSequence", {"rows"}, {"y"});
  add_int_attr(concat, "axis", -1);
  add_int_attr(concat, "new_axis", 1);
  Session s = session_of(m);
  Tensor y = s.run({{"x", floats({3, 2}, {1, 2, 3, 4, 5, 6})}})[0];
  EXPECT_EQ(y.shape(), (Shape{2, 3}));
  EXPECT_EQ(y.to_vector<float>(), (std::vector<float>{1, 3, 5, 2, 4, 6}));
}

// SplitToSequence-24 adds bfloat16: [1, 2, 3] split into pieces of 1 and 2.
TEST(Sequence, SplitToSequenceTakesBfloat16FromOpset24) {
  auto split = [](int opset) {
    onnx::ModelProto m = model_at(opset);
    auto* g = m.mutable_graph();
    add_tensor_value(g->mutable_input(), "x", onnx::TensorProto::BFLOAT16, {"3"});
    add_sequence_value(g->mutable_output(), "pieces", onnx::TensorProto::BFLOAT16);
    auto* sizes = g->add_initializer();
    sizes->set_name("sizes");
    sizes->set_data_type(onnx::TensorProto::INT64);
    sizes->add_dims(2);
    sizes->add_int64_data(1);
    sizes->add_int64_data(2);
    add_node(g, "SplitToSequence", {"x", "sizes"}, {"pieces"});
    Session s = session_of(m);
    const Tensor x = Tensor::from_vector<bfloat16_t>(
        {3}, {bfloat16_t(1.0f), bfloat16_t(2.0f), bfloat16_t(3.0f)});
    return s.run_values({{"x", x}})[0].sequence();
  };
  const TensorSequence pieces = split(24);
  ASSERT_EQ(pieces.tensors.size(), 2u);
  EXPECT_EQ(pieces.tensors[0].shape(), Shape{1});
  EXPECT_EQ(pieces.tensors[1].shape(), Shape{2});
  EXPECT_EQ(static_cast<float>(pieces.tensors[1].data<bfloat16_t>()[1]), 3.0f);
  const std::string why = error_of([&] { split(23); });
  EXPECT_NE(why.find("bfloat16"), std::string::npos) << why;
}

TEST(Sequence, PositionsOutOfRangeAreRefused) {
  onnx::ModelProto m = model_at(13);
  auto* g = m.mutable_graph();
  add_sequence_value(g->mutable_input(), "seq", kFloat);
  add_tensor_value(g->mutable_input(), "p", onnx::TensorProto::INT64, {});
  add_tensor_value(g->mutable_output(), "y", kFloat, {"?"});
  add_node(g, "SequenceAt", {"seq", "p"}, {"y"});
  Session s = session_of(m);
  TensorSequence two = seq_of({floats({1}, {7}), floats({1}, {8})});
  EXPECT_EQ(s.run_values({{"seq", two}, {"p", Tensor::scalar<int64_t>(-2)}})[0]
                .tensor()
                .to_vector<float>(),
            (std::vector<float>{7}));
  std::string why = error_of([&] {
    s.run_values({{"seq", two}, {"p", Tensor::scalar<int64_t>(2)}});
  });
  EXPECT_NE(why.find("out of range [-2, 1]"), std::string::npos) << why;
}

// Optional(no input, type float tensor) -> empty; OptionalHasElement -> false.
// An optional graph input fed empty or full.
TEST(Sequence, OptionalsHoldAValueOrNothing) {
  for (int64_t opset : {15, 18}) {  // both OptionalHasElement versions
    SCOPED_TRACE(opset);
    onnx::ModelProto m = model_at(opset);
    auto* g = m.mutable_graph();
    auto* in = g->add_input();
    in->set_name("maybe");
    in->mutable_type()
        ->mutable_optional_type()
        ->mutable_elem_type()
        ->mutable_tensor_type()
        ->set_elem_type(kFloat);
    add_tensor_value(g->mutable_output(), "has", onnx::TensorProto::BOOL, {});
    add_node(g, "OptionalHasElement", {"maybe"}, {"has"});
    Session s = session_of(m);
    EXPECT_FALSE(
        s.run_values({{"maybe", RuntimeValue::empty_optional()}})[0].tensor().to_vector<bool>()[0]);
    EXPECT_TRUE(s.run_values({{"maybe", floats({1}, {1})}})[0].tensor().to_vector<bool>()[0]);
  }
}

// Optional without an input is empty; OptionalGetElement of it is a clear error.
TEST(Sequence, GettingTheElementOfAnEmptyOptionalIsAnError) {
  onnx::ModelProto m = model_at(18);
  auto* g = m.mutable_graph();
  add_tensor_value(g->mutable_output(), "y", kFloat, {"?"});
  auto* opt = add_node(g, "Optional", {}, {"none"});
  auto* type = opt->add_attribute();
  type->set_name("type");
  type->set_type(onnx::AttributeProto::TYPE_PROTO);
  type->mutable_tp()->mutable_tensor_type()->set_elem_type(kFloat);
  add_node(g, "OptionalGetElement", {"none"}, {"y"});
  Session s = session_of(m);
  std::string why = error_of([&] { s.run({}); });
  EXPECT_NE(why.find("the optional input is empty"), std::string::npos) << why;
}

TEST(Sequence, ValueFilesRoundTrip) {
  TypeInfo seq_type = TypeInfo::sequence_of(TypeInfo::tensor(DType::Float));
  RuntimeValue seq = seq_of({floats({2}, {1, 2}), floats({1}, {3})});
  std::string name;
  RuntimeValue back = load_value_proto(serialize_value(seq, seq_type, "s"), seq_type, "", &name);
  EXPECT_EQ(name, "s");
  ASSERT_EQ(back.sequence().tensors.size(), 2u);
  EXPECT_EQ(back.sequence().tensors[1].to_vector<float>(), (std::vector<float>{3}));

  TypeInfo opt_type = TypeInfo::optional_of(TypeInfo::tensor(DType::Float));
  EXPECT_TRUE(load_value_proto(serialize_value(RuntimeValue::empty_optional(), opt_type), opt_type)
                  .is_empty_optional());
  RuntimeValue full = load_value_proto(serialize_value(floats({1}, {5}), opt_type), opt_type);
  EXPECT_EQ(full.tensor().to_vector<float>(), (std::vector<float>{5}));
  // A tensor file where a sequence is declared does not pass for one.
  const std::string e = error_of([&] { load_value_proto("\x0a\x03", seq_type); });
  EXPECT_TRUE(testing::mentions(e, "not a valid SequenceProto")) << e;
}

}  // namespace
}  // namespace onyx
