// Printer tests: whole listings written out by hand from the format described in
// printer.cc, and one line per attribute kind.
#include "onyx/printer.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "unit/graph_builders.h"

namespace onyx {
namespace {

using test::add_input;
using test::add_ir_node;
using test::add_output;

Attribute attr(const std::string& name, AttrType type) {
  Attribute a;
  a.name = name;
  a.type = type;
  return a;
}

Attribute float_attr(const std::string& name, float f) {
  Attribute a = attr(name, AttrType::Float);
  a.f = f;
  return a;
}

Attribute int_attr(const std::string& name, int64_t i) {
  Attribute a = attr(name, AttrType::Int);
  a.i = i;
  return a;
}

Attribute tensor_attr(const std::string& name, Tensor t) {
  Attribute a = attr(name, AttrType::Tensor);
  a.t = std::move(t);
  return a;
}

Model small_model() {
  Model m;
  m.ir_version = 8;
  m.opset_imports = {{"", 13}, {"com.microsoft", 1}};
  m.producer_name = "exporter";
  m.producer_version = "1.0";
  m.metadata = {{"author", "me"}};
  Graph& g = m.graph;
  g.name = "main";
  add_input(g, "x",
            TypeInfo::tensor(DType::Float, std::vector<Dim>{Dim::symbol("N"), Dim::known(3)}));
  g.initializers[g.intern("w")] = Tensor(DType::Float, {3, 4});
  Node& gemm = add_ir_node(g, "Gemm", {"x", "w"}, {"y"});
  gemm.attributes = {float_attr("alpha", 0.5f), int_attr("transB", 1)};
  add_ir_node(g, "Split", {"y"}, {"a", "b"}).attributes = {int_attr("axis", 1)};
  add_ir_node(g, "Gelu", {"a"}, {"g"}, "", "com.microsoft");
  add_ir_node(g, "Clip", {"g", "", "b"}, {"c"});
  add_output(g, "c");
  return m;
}

TEST(Printer, Model) {
  std::ostringstream out;
  print_model(small_model(), out);
  EXPECT_EQ(out.str(),
            "ir_version: 8\n"
            "opset_import: ai.onnx 13, com.microsoft 1\n"
            "producer: exporter 1.0\n"
            "metadata: author = 'me'\n"
            "graph main (\n"
            "  %x: float[N, 3]\n"
            ") initializers (\n"
            "  %w: float[3, 4]\n"
            ") {\n"
            "  %y = Gemm[alpha = 0.5, transB = 1](%x, %w)\n"
            "  %a, %b = Split[axis = 1](%y)\n"
            "  %g = com.microsoft::Gelu(%a)\n"
            "  %c = Clip(%g, \"\", %b)\n"
            "  return %c\n"
            "}\n");
}

TEST(Printer, InitializerValuesAreNeverPrinted) {
  Model m = small_model();
  m.graph.initializers[m.graph.find("w")] = Tensor::from_vector<float>({2}, {123.5f, 7.25f});
  std::ostringstream out;
  print_model(m, out);
  EXPECT_NE(out.str().find("  %w: float[2]\n"), std::string::npos) << out.str();
  EXPECT_EQ(out.str().find("123.5"), std::string::npos) << out.str();
}

TEST(Printer, SubgraphsIndentedBeneathTheirNode) {
  Graph g;
  g.name = "main";
  add_input(g, "cond", TypeInfo::tensor_of(DType::Bool, {}));
  add_input(g, "x");
  auto then_g = std::make_shared<Graph>();
  then_g->name = "then";
  test::add_outer(*then_g, "x");
  add_ir_node(*then_g, "Identity", {"x"}, {"t"});
  then_g->outputs.push_back(then_g->find("t"));
  add_ir_node(g, "If", {"cond"}, {"r"}).attributes = {test::graph_attr("then_branch", then_g)};
  add_output(g, "r");
  std::ostringstream out;
  print_graph(g, out);
  EXPECT_EQ(out.str(),
            "graph main (\n"
            "  %cond: bool[]\n"
            "  %x: float[2]\n"
            ") {\n"
            "  %r = If[then_branch = <graph then>](%cond)\n"
            "    graph then (\n"
            "    ) {\n"
            "      %t = Identity(%x)\n"
            "      return %t\n"
            "    }\n"
            "  return %r\n"
            "}\n");
}

TEST(Printer, Functions) {
  Model m;
  m.ir_version = 8;
  Function f;
  f.name = "AddTwice";
  f.domain = "custom";
  f.inputs = {"a", "b"};
  f.outputs = {"c"};
  f.attributes = {"alpha"};
  f.opset_imports = {{"", 13}};
  f.body = std::make_shared<Graph>();
  add_ir_node(*f.body, "Add", {"a", "b"}, {"t"});
  add_ir_node(*f.body, "Add", {"t", "b"}, {"c"});
  m.functions.push_back(f);
  std::ostringstream out;
  print_model(m, out);
  EXPECT_EQ(out.str(),
            "ir_version: 8\n"
            "opset_import: (none)\n"
            "graph (\n"
            ") {\n"
            "  return\n"
            "}\n"
            "function custom::AddTwice(%a, %b) -> (%c) {\n"
            "  attributes: alpha\n"
            "  opset_import: ai.onnx 13\n"
            "  %t = Add(%a, %b)\n"
            "  %c = Add(%t, %b)\n"
            "}\n");
}

TEST(PrinterAttribute, Scalars) {
  EXPECT_EQ(attribute_to_string(float_attr("alpha", 0.5f)), "alpha = 0.5");
  EXPECT_EQ(attribute_to_string(float_attr("beta", 1.0f)), "beta = 1.0");
  EXPECT_EQ(attribute_to_string(float_attr("epsilon", 1e-5f)), "epsilon = 1e-05");
  EXPECT_EQ(attribute_to_string(float_attr("z", -0.0f)), "z = -0.0");
  EXPECT_EQ(attribute_to_string(int_attr("axis", -1)), "axis = -1");
  Attribute s = attr("mode", AttrType::String);
  s.s = "it's\n";
  EXPECT_EQ(attribute_to_string(s), "mode = 'it\\'s\\x0a'");
}

TEST(PrinterAttribute, Lists) {
  EXPECT_EQ(attribute_to_string(test::ints_attr("pads", {1, 1, 0, 0})), "pads = [1, 1, 0, 0]");
  EXPECT_EQ(attribute_to_string(test::ints_attr("perm", {})), "perm = []");
  Attribute fl = attr("scales", AttrType::Floats);
  fl.floats = {1.0f, 2.5f};
  EXPECT_EQ(attribute_to_string(fl), "scales = [1.0, 2.5]");
  Attribute ss = attr("names", AttrType::Strings);
  ss.strings = {"a", "b"};
  EXPECT_EQ(attribute_to_string(ss), "names = ['a', 'b']");
}

TEST(PrinterAttribute, Tensors) {
  EXPECT_EQ(
      attribute_to_string(tensor_attr("value", Tensor::from_vector<float>({2}, {1.0f, 2.5f}))),
      "value = <float[2] {1.0, 2.5}>");
  EXPECT_EQ(attribute_to_string(tensor_attr("value", Tensor::scalar<int64_t>(7))),
            "value = <int64[] {7}>");
  EXPECT_EQ(attribute_to_string(tensor_attr("v", Tensor::from_vector<int8_t>({1}, {-3}))),
            "v = <int8[1] {-3}>");
  EXPECT_EQ(attribute_to_string(tensor_attr("v", Tensor::from_vector<bool>({2}, {true, false}))),
            "v = <bool[2] {true, false}>");
  EXPECT_EQ(attribute_to_string(tensor_attr("v", Tensor::from_vector<std::string>({1}, {"a"}))),
            "v = <string[1] {'a'}>");
  EXPECT_EQ(
      attribute_to_string(tensor_attr("v", Tensor::from_vector<float16_t>({1}, {float16_t(1.0f)}))),
      "v = <float16[1] {1.0}>");
  // Larger tensors: dtype and shape only.
  EXPECT_EQ(attribute_to_string(tensor_attr("big", Tensor(DType::Float, {100}))),
            "big = <float[100]>");
  Attribute ts = attr("ts", AttrType::Tensors);
  ts.tensors = {Tensor::from_vector<int32_t>({1}, {5})};
  EXPECT_EQ(attribute_to_string(ts), "ts = [<int32[1] {5}>]");
  Attribute sp = attr("sparse_value", AttrType::SparseTensor);
  sp.t = Tensor::from_vector<float>({3}, {0.0f, 2.0f, 0.0f});
  EXPECT_EQ(attribute_to_string(sp), "sparse_value = <sparse float[3] {0.0, 2.0, 0.0}>");
}

TEST(PrinterAttribute, GraphsTypesAndReferences) {
  auto body = std::make_shared<Graph>();
  body->name = "loop_body";
  EXPECT_EQ(attribute_to_string(test::graph_attr("body", body)), "body = <graph loop_body>");
  Attribute gs = attr("branches", AttrType::Graphs);
  auto a = std::make_shared<Graph>();
  a->name = "a";
  auto b = std::make_shared<Graph>();
  b->name = "b";
  gs.graphs = {a, b};
  EXPECT_EQ(attribute_to_string(gs), "branches = [<graph a>, <graph b>]");
  Attribute tp = attr("type", AttrType::TypeProto);
  tp.tp = TypeInfo::tensor_of(DType::Float, {2});
  EXPECT_EQ(attribute_to_string(tp), "type = <type float[2]>");
  Attribute ref = attr("alpha", AttrType::Float);
  ref.ref_attr_name = "outer";
  EXPECT_EQ(attribute_to_string(ref), "alpha = @outer");
  EXPECT_EQ(attribute_to_string(attr("x", AttrType::Undefined)), "x = <undefined>");
}

}  // namespace
}  // namespace onyx

namespace onyx {
namespace {

// s = Add(x, w) with w a weight; r = If(cond) whose then-branch returns Identity(s),
// reading s from the main graph.
Model dot_model() {
  Model m;
  Graph& g = m.graph;
  g.name = "main";
  add_input(g, "cond", TypeInfo::tensor_of(DType::Bool, {}));
  add_input(g, "x");
  g.initializers[g.intern("w")] = Tensor(DType::Float, {2});
  add_ir_node(g, "Add", {"x", "w"}, {"s"}, "add");
  auto then_g = std::make_shared<Graph>();
  then_g->name = "then";
  test::add_outer(*then_g, "s");
  add_ir_node(*then_g, "Identity", {"s"}, {"t"});
  then_g->outputs.push_back(then_g->find("t"));
  add_ir_node(g, "If", {"cond"}, {"r"}).attributes = {test::graph_attr("then_branch", then_g)};
  add_output(g, "r");
  return m;
}

TEST(PrinterDot, NodesValuesAndSubgraphClusters) {
  std::ostringstream out;
  print_dot(dot_model(), out);
  EXPECT_EQ(out.str(),
            "digraph \"main\" {\n"
            "  compound=true;\n"
            "  node [fontname=\"Helvetica\", fontsize=10];\n"
            "  edge [fontname=\"Helvetica\", fontsize=9];\n"
            "  in0 [shape=ellipse, label=\"cond\"];\n"
            "  in1 [shape=ellipse, label=\"x\"];\n"
            "  n2 [shape=box, label=\"Add\\nadd\\nw: float[2]\"];\n"
            "  in1 -> n2 [label=\"x\\nfloat[2]\"];\n"
            "  n3 [shape=box, label=\"If\"];\n"
            "  in0 -> n3 [label=\"cond\\nbool[]\"];\n"
            "  subgraph cluster_4 {\n"
            "    label=\"If: then_branch\";\n"
            "    style=dashed;\n"
            "    n5 [shape=box, label=\"Identity\"];\n"
            "    n2 -> n5 [label=\"s\\n?\", style=dashed];\n"
            "    out6 [shape=ellipse, style=bold, label=\"t\"];\n"
            "    n5 -> out6 [label=\"t\\n?\"];\n"
            "  }\n"
            "  n3 -> n5 [style=dotted, lhead=cluster_4, arrowhead=none];\n"
            "  out7 [shape=ellipse, style=bold, label=\"r\"];\n"
            "  n3 -> out7 [label=\"r\\nfloat[2]\"];\n"
            "}\n");
}

TEST(PrinterDot, InferredTypesLabelTheMainGraphsEdges) {
  const Model m = dot_model();
  std::vector<TypeInfo> types(m.graph.values.size());
  types[m.graph.find("s")] = TypeInfo::tensor_of(DType::Float, {2});
  std::ostringstream out;
  print_dot(m, out, &types);
  EXPECT_NE(out.str().find("n2 -> n5 [label=\"s\\nfloat[2]\", style=dashed];"), std::string::npos)
      << out.str();
}

}  // namespace
}  // namespace onyx
