// Gradient (ai.onnx.preview.training): derivatives worked out by hand.
#include <gtest/gtest.h>

#include "onyx/loader.h"
#include "onyx/onyx.h"
#include "op_tester.h"
#include "unit/graph_builders.h"

namespace onyx {
namespace {

using test::add_node;
using test::add_opset;
using test::add_value;
using test::model_at;
using testing::error_of;
using testing::floats;

constexpr int32_t kFloat = onnx::TensorProto::FLOAT;
constexpr const char* kTraining = "ai.onnx.preview.training";

void strings_attr(onnx::NodeProto* node, const std::string& name,
                  const std::vector<std::string>& values) {
  auto* a = node->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::STRINGS);
  for (const std::string& v : values) a->add_strings(v);
}

void string_attr(onnx::NodeProto* node, const std::string& name, const std::string& value) {
  auto* a = node->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::STRING);
  a->set_s(value);
}

// f = Identity(Neg(Sub(Div(Mul(Add(a, b), a), b), a))), with `extra` a further input
// that f does not read; Gradient of f by xs, with dims `dims` on every input.
onnx::ModelProto gradient_model(const std::vector<std::string>& xs, const std::string& op = "Add",
                                const std::vector<std::string>& b_dims = {"1"}) {
  onnx::ModelProto m = model_at(12);
  add_opset(m, kTraining, 1);
  auto* g = m.mutable_graph();
  add_value(g->mutable_input(), "a", kFloat, {"1"});
  add_value(g->mutable_input(), "b", kFloat, b_dims);
  add_value(g->mutable_input(), "extra", kFloat, {"1"});
  add_node(g, op, {"a", "b"}, {"c"});
  add_node(g, "Mul", {"c", "a"}, {"d"});
  add_node(g, "Div", {"d", "b"}, {"e"});
  add_node(g, "Sub", {"e", "a"}, {"s"});
  add_node(g, "Neg", {"s"}, {"n"});
  add_node(g, "Identity", {"n"}, {"f"});
  std::vector<std::string> outs;
  for (const std::string& x : xs) outs.push_back("df_d" + x);
  auto* grad = add_node(g, "Gradient", xs, outs, "grad", kTraining);
  strings_attr(grad, "xs", xs);
  string_attr(grad, "y", "f");
  add_value(g->mutable_output(), "f", kFloat, {"?"});
  for (const std::string& o : outs) add_value(g->mutable_output(), o, kFloat, {"?"});
  return m;
}

Session session_of(const onnx::ModelProto& m) {
  return Session(builtin_registry(), load_model_from_bytes(test::bytes_of(m)), {1, true});
}

// a = 2, b = 4: c = 6, d = 12, e = 3, f = -(e - a) = -1.
// de/da = (c + a) / b = 2 and de/db = a / b - d / b^2 = 0.5 - 0.75 = -0.25, so
// df/da = -(de/da - 1) = -1 and df/db = -de/db = 0.25; f does not read `extra`: 0.
TEST(Gradient, ReverseModeThroughElementwiseOps) {
  Session s = session_of(gradient_model({"a", "b", "extra"}));
  auto out = s.run({{"a", floats({1}, {2})}, {"b", floats({1}, {4})}, {"extra", floats({1}, {7})}});
  EXPECT_FLOAT_EQ(out[0].to_vector<float>()[0], -1);
  EXPECT_FLOAT_EQ(out[1].to_vector<float>()[0], -1);
  EXPECT_FLOAT_EQ(out[2].to_vector<float>()[0], 0.25f);
  EXPECT_FLOAT_EQ(out[3].to_vector<float>()[0], 0);
}

TEST(Gradient, AnOperatorWithoutADerivativeIsRefusedAtLoad) {
  std::string why = error_of([&] { session_of(gradient_model({"a"}, "Max")); });
  EXPECT_NE(why.find("cannot differentiate through"), std::string::npos) << why;
  EXPECT_NE(why.find("Max"), std::string::npos) << why;
}

TEST(Gradient, BroadcastingIsNotDifferentiated) {
  Session s = session_of(gradient_model({"a", "b"}, "Add", {"3"}));
  std::string why = error_of([&] {
    s.run({{"a", floats({1}, {2})}, {"b", floats({3}, {1, 2, 4})}, {"extra", floats({1}, {0})}});
  });
  EXPECT_NE(why.find("broadcasting is not differentiated"), std::string::npos) << why;
}

}  // namespace
}  // namespace onyx
