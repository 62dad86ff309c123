// Function expansion: model-local functions inlined at load, checked by running the
// expanded model against values worked out by hand, and by the IR it leaves.
#include "onyx/function_expansion.h"

#include <gtest/gtest.h>

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "onyx/onyx.h"
#include "op_tester.h"
#include "unit/graph_builders.h"

namespace onyx {
namespace {

using test::add_node;
using test::add_value;
using testing::error_of;

// ---- building FunctionProtos

onnx::FunctionProto* add_function(onnx::ModelProto& m, const std::string& name,
                                  std::vector<std::string> inputs, std::vector<std::string> outputs,
                                  int64_t opset = 13) {
  auto* f = m.add_functions();
  f->set_name(name);
  f->set_domain("local");
  for (const auto& s : inputs) f->add_input(s);
  for (const auto& s : outputs) f->add_output(s);
  auto* imp = f->add_opset_import();
  imp->set_domain("");
  imp->set_version(opset);
  return f;
}

onnx::NodeProto* add_body_node(onnx::FunctionProto* f, const std::string& op,
                               std::vector<std::string> inputs, std::vector<std::string> outputs,
                               const std::string& domain = "") {
  auto* n = f->add_node();
  n->set_op_type(op);
  if (!domain.empty()) n->set_domain(domain);
  for (const auto& s : inputs) n->add_input(s);
  for (const auto& s : outputs) n->add_output(s);
  return n;
}

void set_float(onnx::NodeProto* n, const std::string& name, float v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::FLOAT);
  a->set_f(v);
}

// An attribute whose value is the caller's attribute `ref`.
void set_ref(onnx::NodeProto* n, const std::string& name, const std::string& ref,
             onnx::AttributeProto::AttributeType type = onnx::AttributeProto::FLOAT) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_ref_attr_name(ref);
  a->set_type(type);
}

// FunctionProto.attribute_proto is field 11 in newer onnx.proto, unknown to ours:
// write its wire bytes by hand (tag 11<<3|2 = 0x5a, one-byte length).
void add_default_float(onnx::FunctionProto* f, const std::string& name, float v) {
  onnx::AttributeProto a;
  a.set_name(name);
  a.set_type(onnx::AttributeProto::FLOAT);
  a.set_f(v);
  std::string bytes = proto::serialize(a);
  ASSERT_LT(bytes.size(), 128u);
  std::string* unknown = f->mutable_unknown_fields();
  unknown->push_back('\x5a');
  unknown->push_back(static_cast<char>(bytes.size()));
  unknown->append(bytes);
}

// Graph x: float[2] -> outputs as named (types float[2]); model imports "" and "local".
onnx::ModelProto base_model(std::vector<std::string> outputs) {
  onnx::ModelProto m;
  m.set_ir_version(8);
  test::add_opset(m, "", 13);
  test::add_opset(m, "local", 1);
  auto* g = m.mutable_graph();
  g->set_name("main");
  add_value(g->mutable_input(), "x", onnx::TensorProto::FLOAT, {"2"});
  for (const auto& o : outputs) add_value(g->mutable_output(), o, onnx::TensorProto::FLOAT, {"2"});
  return m;
}

// Scale(X) = LeakyRelu(X * k, alpha = slope): k defaults to 2, slope has no default.
void add_scale(onnx::ModelProto& m) {
  auto* f = add_function(m, "Scale", {"X"}, {"Y"});
  f->add_attribute("slope");
  add_default_float(f, "k", 2.0f);
  set_ref(add_body_node(f, "Constant", {}, {"c"}), "value_float", "k");
  add_body_node(f, "Mul", {"X", "c"}, {"t"});
  set_ref(add_body_node(f, "LeakyRelu", {"t"}, {"Y"}), "alpha", "slope");
}

Model expanded(const onnx::ModelProto& m, const FunctionLimits& limits = {}) {
  Model model = load_model_from_bytes(test::bytes_of(m));
  expand_functions(model, limits);
  return model;
}

std::vector<std::vector<float>> run(Model model, const std::vector<float>& x) {
  Session s(builtin_registry(), std::move(model));
  std::vector<std::vector<float>> out;
  for (const Tensor& t : s.run({{"x", Tensor::from_vector<float>({2}, x)}}))
    out.push_back(t.to_vector<float>());
  return out;
}

std::vector<std::string> op_types(const Graph& g) {
  std::vector<std::string> out;
  for (const Node& n : g.nodes) out.push_back(n.op_type);
  return out;
}

// ---------------------------------------------------------------- attributes

TEST(FunctionExpansion, DefaultOverrideAndDroppedReference) {
  onnx::ModelProto m = base_model({"y1", "y2"});
  add_scale(m);
  add_node(m.mutable_graph(), "Scale", {"x"}, {"y1"}, "plain", "local");
  auto* call = add_node(m.mutable_graph(), "Scale", {"x"}, {"y2"}, "tuned", "local");
  set_float(call, "k", 3.0f);
  set_float(call, "slope", 0.5f);

  Model model = expanded(m);
  EXPECT_EQ(op_types(model.graph), (std::vector<std::string>{"Constant", "Mul", "LeakyRelu",
                                                             "Constant", "Mul", "LeakyRelu"}));
  // The first LeakyRelu had no slope to take: its alpha is absent, not zero.
  EXPECT_EQ(model.graph.nodes[2].find_attr("alpha"), nullptr);
  ASSERT_NE(model.graph.nodes[5].find_attr("alpha"), nullptr);
  EXPECT_EQ(model.graph.nodes[5].find_attr("alpha")->f, 0.5f);
  EXPECT_TRUE(model.graph.nodes[5].find_attr("alpha")->ref_attr_name.empty());
  EXPECT_EQ(model.graph.nodes[1].name, "plain/Mul_1");

  // x = [1, -2]. y1 = LeakyRelu(2x, 0.01) = [2, -0.04]; y2 = LeakyRelu(3x, 0.5) = [3, -3].
  auto out = run(std::move(model), {1, -2});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0][0], 2.0f);
  EXPECT_FLOAT_EQ(out[0][1], -0.04f);
  EXPECT_EQ(out[1], (std::vector<float>{3, -3}));
}

TEST(FunctionExpansion, DefaultsSetOnTheIrDirectly) {
  Model model;
  model.ir_version = 8;
  model.opset_imports = {{"", 13}, {"local", 1}};
  Graph& g = model.graph;
  test::add_input(g, "x");
  test::add_output(g, "y");
  test::add_ir_node(g, "Shift", {"x"}, {"y"}, "call", "local");

  Function f;
  f.name = "Shift";
  f.domain = "local";
  f.inputs = {"A"};
  f.outputs = {"B"};
  f.opset_imports = {{"", 13}};
  Attribute d;
  d.name = "by";
  d.type = AttrType::Float;
  d.f = 10;
  f.attribute_defaults = {d};
  f.body = std::make_shared<Graph>();
  f.body->inputs = {f.body->intern("A")};
  Node& c = test::add_ir_node(*f.body, "Constant", {}, {"k"});
  Attribute ref;
  ref.name = "value_float";
  ref.type = AttrType::Float;
  ref.ref_attr_name = "by";
  c.attributes = {ref};
  test::add_ir_node(*f.body, "Add", {"A", "k"}, {"B"});
  f.body->outputs = {f.body->find("B")};
  model.functions = {f};

  expand_functions(model);
  // x + 10.
  auto out = run(std::move(model), {1, -2});
  EXPECT_EQ(out[0], (std::vector<float>{11, 8}));
}

TEST(FunctionExpansion, AttributeOfTheWrongTypeIsAnError) {
  onnx::ModelProto m = base_model({"y"});
  add_scale(m);
  auto* call = add_node(m.mutable_graph(), "Scale", {"x"}, {"y"}, "call", "local");
  auto* k = call->add_attribute();
  k->set_name("k");
  k->set_type(onnx::AttributeProto::INT);
  k->set_i(3);
  std::string err = error_of([&] { expanded(m); });
  EXPECT_NE(err.find("attribute 'value_float' refers to 'k' of type float"), std::string::npos)
      << err;
}

// ---------------------------------------------------------------- nesting and names

TEST(FunctionExpansion, FunctionCallingFunctionPassesReferencesOn) {
  onnx::ModelProto m = base_model({"y"});
  add_scale(m);
  // Twice(X) = Scale(X, k = factor) + X.
  auto* f = add_function(m, "Twice", {"X"}, {"Y"});
  f->add_attribute("factor");
  auto* inner = add_body_node(f, "Scale", {"X"}, {"s"}, "local");
  inner->set_name("inner");
  set_ref(inner, "k", "factor");
  add_body_node(f, "Add", {"s", "X"}, {"Y"});
  auto* imp = f->add_opset_import();
  imp->set_domain("local");
  imp->set_version(1);

  auto* call = add_node(m.mutable_graph(), "Twice", {"x"}, {"y"}, "outer", "local");
  set_float(call, "factor", 5.0f);
  Model model = expanded(m);
  EXPECT_EQ(op_types(model.graph),
            (std::vector<std::string>{"Constant", "Mul", "LeakyRelu", "Add"}));
  EXPECT_EQ(model.graph.nodes[1].name, "outer/inner/Mul_1");
  // x = [1, -2]: LeakyRelu(5x, 0.01) + x = [5 + 1, -0.1 - 2].
  auto out = run(std::move(model), {1, -2});
  EXPECT_EQ(out[0][0], 6.0f);
  EXPECT_FLOAT_EQ(out[0][1], -2.1f);
}

TEST(FunctionExpansion, TwoCallsInOneGraphGetDistinctNames) {
  onnx::ModelProto m = base_model({"y"});
  // Square(X) = X * X through an internal value named like a graph value.
  auto* f = add_function(m, "Square", {"X"}, {"Y"});
  add_body_node(f, "Mul", {"X", "X"}, {"t"});
  add_body_node(f, "Identity", {"t"}, {"Y"});
  // Unnamed calls, and a graph value that the first fresh name would take.
  add_node(m.mutable_graph(), "Square", {"x"}, {"Square_0/t"}, "", "local");
  add_node(m.mutable_graph(), "Square", {"Square_0/t"}, {"y"}, "", "local");

  Model model = expanded(m);
  std::set<std::string> names;
  for (const Node& n : model.graph.nodes)
    for (int out : n.outputs) EXPECT_TRUE(names.insert(model.graph.value(out).name).second);
  EXPECT_EQ(names.size(), 4u);
  // (x^2)^2 for x = [3, -2].
  auto out = run(std::move(model), {3, -2});
  EXPECT_EQ(out[0], (std::vector<float>{81, 16}));
}

TEST(FunctionExpansion, OutputThatIsAnInputBecomesACopy) {
  onnx::ModelProto m = base_model({"y", "z"});
  // Both(X) = (X, X + X).
  auto* f = add_function(m, "Both", {"X"}, {"X", "S"});
  add_body_node(f, "Add", {"X", "X"}, {"S"});
  add_node(m.mutable_graph(), "Both", {"x"}, {"y", "z"}, "both", "local");
  Model model = expanded(m);
  EXPECT_EQ(op_types(model.graph), (std::vector<std::string>{"Add", "Identity"}));
  auto out = run(std::move(model), {1, 2});
  EXPECT_EQ(out[0], (std::vector<float>{1, 2}));
  EXPECT_EQ(out[1], (std::vector<float>{2, 4}));
}

TEST(FunctionExpansion, MissingOptionalInputStaysOmitted) {
  onnx::ModelProto m = base_model({"y1", "y2"});
  auto* g = m.mutable_graph();
  *g->add_initializer() = test::raw_tensor("lo", onnx::TensorProto::FLOAT, {}, {0, 0, 0, 0});
  // 1.0f is 0x3f800000.
  *g->add_initializer() = test::raw_tensor("hi", onnx::TensorProto::FLOAT, {}, {0, 0, 0x80, 0x3f});
  auto* f = add_function(m, "Bound", {"X", "LO", "HI"}, {"Y"});
  add_body_node(f, "Clip", {"X", "LO", "HI"}, {"Y"});
  add_node(g, "Bound", {"x", "lo"}, {"y1"}, "low_only", "local");  // trailing input omitted
  add_node(g, "Bound", {"x", "", "hi"}, {"y2"}, "high_only", "local");

  Model model = expanded(m);
  ASSERT_EQ(model.graph.nodes.size(), 2u);
  EXPECT_EQ(model.graph.nodes[0].inputs.size(), 3u);
  EXPECT_EQ(model.graph.nodes[0].inputs[2], kNoValue);
  EXPECT_EQ(model.graph.nodes[1].inputs[1], kNoValue);
  // x = [-5, 5]: clip below at 0 -> [0, 5]; clip above at 1 -> [-5, 1].
  auto out = run(std::move(model), {-5, 5});
  EXPECT_EQ(out[0], (std::vector<float>{0, 5}));
  EXPECT_EQ(out[1], (std::vector<float>{-5, 1}));
}

TEST(FunctionExpansion, CallInsideAnIfBranch) {
  onnx::ModelProto m = base_model({"y"});
  add_scale(m);
  auto* g = m.mutable_graph();
  add_value(g->mutable_input(), "cond", onnx::TensorProto::BOOL, {});
  auto* iff = add_node(g, "If", {"cond"}, {"y"}, "branch");
  auto* then_attr = iff->add_attribute();
  then_attr->set_name("then_branch");
  then_attr->set_type(onnx::AttributeProto::GRAPH);
  auto* then_g = then_attr->mutable_g();
  then_g->set_name("then");
  add_node(then_g, "Scale", {"x"}, {"t_out"}, "in_then", "local");
  add_value(then_g->mutable_output(), "t_out", onnx::TensorProto::FLOAT, {"2"});
  auto* else_attr = iff->add_attribute();
  else_attr->set_name("else_branch");
  else_attr->set_type(onnx::AttributeProto::GRAPH);
  auto* else_g = else_attr->mutable_g();
  else_g->set_name("else");
  add_node(else_g, "Identity", {"x"}, {"e_out"});
  add_value(else_g->mutable_output(), "e_out", onnx::TensorProto::FLOAT, {"2"});

  Model model = load_model_from_bytes(test::bytes_of(m));
  const Model copy = model;  // shares the branch graphs with `model`
  expand_functions(model);
  const Graph& then_body = *model.graph.nodes[0].find_attr("then_branch")->g;
  EXPECT_EQ(op_types(then_body), (std::vector<std::string>{"Constant", "Mul", "LeakyRelu"}));
  EXPECT_EQ(op_types(*copy.graph.nodes[0].find_attr("then_branch")->g),
            (std::vector<std::string>{"Scale"}));
  // Reads x from the main graph, writes the branch output.
  const Node& mul = then_body.nodes[1];
  EXPECT_EQ(then_body.value(mul.inputs[0]).name, "x");
  EXPECT_TRUE(then_body.value(mul.inputs[0]).outer_scope);
  EXPECT_EQ(then_body.nodes[2].outputs[0], then_body.outputs[0]);
  EXPECT_EQ(then_body.nodes[0].find_attr("value_float")->f, 2.0f);
  EXPECT_EQ(then_body.nodes[1].opset, 13);
  check_model(model);
}

TEST(FunctionExpansion, SubgraphInsideTheBodyIsRenamed) {
  onnx::ModelProto m = base_model({"y"});
  add_value(m.mutable_graph()->mutable_input(), "cond", onnx::TensorProto::BOOL, {});
  // Pick(C, X) = If(C) then X + X else X, the branch reading the body value X2.
  auto* f = add_function(m, "Pick", {"C", "X"}, {"Y"});
  add_body_node(f, "Identity", {"X"}, {"X2"});
  auto* iff = add_body_node(f, "If", {"C"}, {"Y"});
  for (const char* branch : {"then_branch", "else_branch"}) {
    auto* a = iff->add_attribute();
    a->set_name(branch);
    a->set_type(onnx::AttributeProto::GRAPH);
    auto* sg = a->mutable_g();
    sg->set_name(branch);
    add_node(sg, "Add", {"X2", "X2"}, {"out"});
    add_value(sg->mutable_output(), "out", onnx::TensorProto::FLOAT, {"2"});
  }
  add_node(m.mutable_graph(), "Pick", {"cond", "x"}, {"y"}, "pick", "local");

  Model model = expanded(m);
  ASSERT_EQ(op_types(model.graph), (std::vector<std::string>{"Identity", "If"}));
  const Graph& then_body = *model.graph.nodes[1].find_attr("then_branch")->g;
  const Graph& else_body = *model.graph.nodes[1].find_attr("else_branch")->g;
  const Node& add = then_body.nodes[0];
  EXPECT_EQ(then_body.value(add.inputs[0]).name, "pick/X2");
  EXPECT_TRUE(then_body.value(add.inputs[0]).outer_scope);
  // The two branches' locals, both "out" in the body, get distinct names.
  EXPECT_NE(then_body.value(then_body.outputs[0]).name, else_body.value(else_body.outputs[0]).name);
  check_model(model);
}

// ---------------------------------------------------------------- opsets

TEST(FunctionExpansion, BodyNodesKeepTheFunctionsOpset) {
  onnx::ModelProto m = base_model({"y"});
  auto* f = add_function(m, "Neg2", {"X"}, {"Y"}, /*opset=*/14);
  add_body_node(f, "Neg", {"X"}, {"Y"});
  add_node(m.mutable_graph(), "Neg2", {"x"}, {"y"}, "call", "local");
  Model model = expanded(m);
  ASSERT_EQ(model.graph.nodes.size(), 1u);
  EXPECT_EQ(model.graph.nodes[0].opset, 14);
  resolve_opsets(model);  // the model imports 13; the function's 14 stays
  EXPECT_EQ(model.graph.nodes[0].opset, 14);
  auto out = run(std::move(model), {1, -2});
  EXPECT_EQ(out[0], (std::vector<float>{-1, 2}));
}

// ---------------------------------------------------------------- errors

TEST(FunctionExpansion, RecursionIsAnError) {
  onnx::ModelProto m = base_model({"y"});
  auto* f = add_function(m, "F", {"X"}, {"Y"});
  add_body_node(f, "G", {"X"}, {"Y"}, "local");
  auto* g = add_function(m, "G", {"X"}, {"Y"});
  add_body_node(g, "F", {"X"}, {"Y"}, "local");
  add_node(m.mutable_graph(), "F", {"x"}, {"y"}, "call", "local");
  std::string err = error_of([&] { expanded(m); });
  EXPECT_NE(err.find("function 'local::F' calls itself: local::F -> local::G -> local::F"),
            std::string::npos)
      << err;
}

TEST(FunctionExpansion, DepthAndSizeLimits) {
  onnx::ModelProto m = base_model({"y"});
  auto* a = add_function(m, "A", {"X"}, {"Y"});
  add_body_node(a, "B", {"X"}, {"Y"}, "local");
  auto* b = add_function(m, "B", {"X"}, {"Y"});
  add_body_node(b, "C", {"X"}, {"Y"}, "local");
  auto* c = add_function(m, "C", {"X"}, {"T"});
  add_body_node(c, "Neg", {"X"}, {"T0"});
  add_body_node(c, "Neg", {"T0"}, {"T"});
  add_node(m.mutable_graph(), "A", {"x"}, {"y"}, "call", "local");

  FunctionLimits shallow;
  shallow.max_depth = 2;
  std::string err = error_of([&] { expanded(m, shallow); });
  EXPECT_NE(err.find("nest deeper than 2 levels: local::A -> local::B -> local::C"),
            std::string::npos)
      << err;

  FunctionLimits small;
  small.max_nodes = 3;  // the call, A's and B's bodies fit; C's two nodes do not
  err = error_of([&] { expanded(m, small); });
  EXPECT_NE(err.find("past 3 nodes"), std::string::npos) << err;

  // x = [1, -2]: Neg(Neg(x)).
  EXPECT_EQ(run(expanded(m), {1, -2})[0], (std::vector<float>{1, -2}));
}

TEST(FunctionExpansion, TooManyInputsOrOutputsIsAnError) {
  onnx::ModelProto m = base_model({"y"});
  auto* f = add_function(m, "One", {"X"}, {"Y"});
  add_body_node(f, "Neg", {"X"}, {"Y"});
  add_node(m.mutable_graph(), "One", {"x", "x"}, {"y"}, "call", "local");
  std::string err = error_of([&] { expanded(m); });
  EXPECT_NE(err.find("node 'call' (#0, local::One): passes 2 inputs to function 'local::One', "
                     "which declares 1"),
            std::string::npos)
      << err;

  m.mutable_graph()->mutable_node(0)->mutable_input()->RemoveLast();
  m.mutable_graph()->mutable_node(0)->add_output("extra");
  err = error_of([&] { expanded(m); });
  EXPECT_NE(err.find("takes 2 outputs from function 'local::One', which declares 1"),
            std::string::npos)
      << err;
}

TEST(FunctionExpansion, BodyUsingAnUndefinedNameIsAnError) {
  onnx::ModelProto m = base_model({"y"});
  auto* f = add_function(m, "Leaky", {"X"}, {"Y"});
  add_body_node(f, "Add", {"X", "x"}, {"Y"});  // the caller's x is not visible inside
  add_node(m.mutable_graph(), "Leaky", {"x"}, {"y"}, "call", "local");
  std::string err = error_of([&] { expanded(m); });
  EXPECT_NE(err.find("uses 'x', which is neither an input of the function nor produced by its "
                     "body"),
            std::string::npos)
      << err;
}

TEST(FunctionExpansion, UnknownFunctionIsLeftForTheRegistry) {
  onnx::ModelProto m = base_model({"y"});
  add_scale(m);
  add_node(m.mutable_graph(), "Nope", {"x"}, {"y"}, "call", "local");
  Model model = expanded(m);
  ASSERT_EQ(op_types(model.graph), (std::vector<std::string>{"Nope"}));
  std::string err = error_of([&] { Session(builtin_registry(), std::move(model)); });
  EXPECT_NE(err.find("no kernel for Nope (domain local"), std::string::npos) << err;
}

// ---------------------------------------------------------------- save and load

TEST(FunctionExpansion, DefaultsSurviveASaveLoadRoundTrip) {
  onnx::ModelProto m = base_model({"y"});
  add_scale(m);
  add_node(m.mutable_graph(), "Scale", {"x"}, {"y"}, "call", "local");
  Model first = load_model_from_bytes(test::bytes_of(m));
  ASSERT_EQ(first.functions[0].attribute_defaults.size(), 1u);
  EXPECT_EQ(first.functions[0].attribute_defaults[0].name, "k");
  EXPECT_EQ(first.functions[0].attribute_defaults[0].f, 2.0f);

  const std::string bytes = serialize_model(first);
  // The written FunctionProto carries exactly one field-11 entry: our hand-written bytes.
  onnx::ModelProto written;
  ASSERT_TRUE(proto::parse(bytes.data(), bytes.size(), written));
  EXPECT_EQ(written.functions(0).unknown_fields(), m.functions(0).unknown_fields());

  Model second = load_model_from_bytes(bytes);
  ASSERT_EQ(second.functions[0].attribute_defaults.size(), 1u);
  EXPECT_EQ(second.functions[0].attribute_defaults[0].f, 2.0f);
  EXPECT_EQ(second.functions[0].attributes, (std::vector<std::string>{"slope"}));
  expand_functions(second);
  // LeakyRelu(2x, 0.01) for x = [1, -2].
  auto out = run(std::move(second), {1, -2});
  EXPECT_EQ(out[0][0], 2.0f);
  EXPECT_FLOAT_EQ(out[0][1], -0.04f);
}

TEST(FunctionExpansion, CorruptDefaultIsAnError) {
  onnx::ModelProto m = base_model({"y"});
  add_scale(m);
  // A field-11 entry whose bytes are not an AttributeProto (a truncated varint).
  m.mutable_functions(0)->mutable_unknown_fields()->append("\x5a\x01\x80", 3);
  add_node(m.mutable_graph(), "Scale", {"x"}, {"y"}, "call", "local");
  std::string err = error_of([&] { load_model_from_bytes(test::bytes_of(m)); });
  EXPECT_NE(err.find("function 'local::Scale': attribute default #1 is not a valid AttributeProto"),
            std::string::npos)
      << err;
}

// ---------------------------------------------------------------- untrusted input

TEST(FunctionExpansion, MutatedModelsFailCleanly) {
  // A model with nested calls, defaults, references and an omitted input, with bytes
  // overwritten at pseudo-random places: each variant expands and runs, or fails
  // with an onyx::Error.
  onnx::ModelProto m = base_model({"y", "z"});
  add_scale(m);
  auto* f = add_function(m, "Twice", {"X", "B"}, {"Y"});
  auto* inner = add_body_node(f, "Scale", {"X"}, {"s"}, "local");
  set_ref(inner, "k", "factor");
  add_body_node(f, "Clip", {"s", "B"}, {"Y"});
  add_node(m.mutable_graph(), "Twice", {"x"}, {"y"}, "a", "local");
  add_node(m.mutable_graph(), "Scale", {"y"}, {"z"}, "b", "local");
  const std::string bytes = test::bytes_of(m);
  uint64_t state = 777;
  auto next = [&state] {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<uint32_t>(state >> 33);
  };
  int ran = 0;
  for (int iter = 0; iter < 2000; ++iter) {
    std::string mutated = bytes;
    int flips = 1 + static_cast<int>(next() % 3);
    for (int k = 0; k < flips; ++k)
      mutated[next() % mutated.size()] = static_cast<char>(next() & 0xff);
    try {
      Model model = load_model_from_bytes(mutated);
      FunctionLimits limits;
      limits.max_nodes = 1000;
      expand_functions(model, limits);
      Session s(builtin_registry(), std::move(model));
      s.run({{"x", Tensor::from_vector<float>({2}, {1, -2})}});
      ++ran;
    } catch (const Error&) {
    }
  }
  EXPECT_GT(ran, 0);
}

}  // namespace
}  // namespace onyx
