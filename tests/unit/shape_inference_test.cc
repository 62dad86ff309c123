// The shape-inference walk: declared and inferred types merge, symbolic dims stay
// symbolic, constants flow into data-dependent rules, conflicts are errors.
#include <gtest/gtest.h>

#include "onyx/onyx.h"
#include "onyx/shape_inference.h"

namespace onyx {
namespace {

ShapeRuleLookup builtin_rules() {
  return [](const Node& n) { return builtin_registry().shape_rule(n); };
}

Node make_node(Graph& g, const std::string& op, std::vector<std::string> ins,
               std::vector<std::string> outs, int opset = 13) {
  Node n;
  n.op_type = op;
  n.opset = opset;
  for (auto& i : ins) n.inputs.push_back(g.intern(i));
  for (auto& o : outs) n.outputs.push_back(g.intern(o));
  return n;
}

TEST(ShapeInference, SymbolicDimsPropagateThroughBroadcast) {
  Graph g;
  int x = g.intern("x"), y = g.intern("y");
  g.value(x).type = TypeInfo::tensor(
      DType::Float, std::vector<Dim>{Dim::symbol("N"), Dim::known(1), Dim::known(4)});
  g.value(y).type = TypeInfo::tensor(DType::Float, std::vector<Dim>{Dim::known(3), Dim::known(1)});
  g.inputs = {x, y};
  g.nodes.push_back(make_node(g, "Add", {"x", "y"}, {"z"}));
  InferenceResult r = infer_shapes(g, builtin_rules());
  // [N,1,4] + [3,1] -> [N,3,4]
  EXPECT_EQ(r.types[g.find("z")].to_string(), "float[N, 3, 4]");
}

TEST(ShapeInference, DeclaredUnknownDimsAreRefined) {
  Graph g;
  int x = g.intern("x");
  g.value(x).type = TypeInfo::tensor(DType::Float, std::vector<Dim>{Dim::known(2), Dim::known(3)});
  g.inputs = {x};
  g.nodes.push_back(make_node(g, "Relu", {"x"}, {"y"}));
  int y = g.find("y");
  g.value(y).type = TypeInfo::tensor(DType::Float, std::vector<Dim>{Dim{}, Dim::symbol("W")});
  InferenceResult r = infer_shapes(g, builtin_rules());
  EXPECT_EQ(r.types[y].to_string(), "float[2, 3]");
}

TEST(ShapeInference, DeclaredDtypeConflictIsAnError) {
  Graph g;
  int x = g.intern("x");
  g.value(x).type = TypeInfo::tensor(DType::Float, std::vector<Dim>{Dim::known(2)});
  g.inputs = {x};
  g.nodes.push_back(make_node(g, "Relu", {"x"}, {"y"}));
  g.value(g.find("y")).type = TypeInfo::tensor(DType::Int64);
  try {
    infer_shapes(g, builtin_rules());
    FAIL() << "expected a dtype conflict";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("int64"), std::string::npos) << e.what();
  }
}

TEST(ShapeInference, ConstantShapeChainsFoldIntoReshape) {
  // Reshape(x, Concat(Unsqueeze(Gather(Shape(x), 0)), [-1])) with x float[2, 3, 4].
  Graph g;
  int x = g.intern("x");
  g.value(x).type = TypeInfo::tensor_of(DType::Float, {2, 3, 4});
  g.inputs = {x};
  g.initializers[g.intern("zero")] = Tensor::scalar<int64_t>(0);
  g.initializers[g.intern("axes")] = Tensor::from_vector<int64_t>({1}, {0});
  g.initializers[g.intern("minus1")] = Tensor::from_vector<int64_t>({1}, {-1});
  g.nodes.push_back(make_node(g, "Shape", {"x"}, {"s"}));
  g.nodes.push_back(make_node(g, "Gather", {"s", "zero"}, {"n"}));
  g.nodes.push_back(make_node(g, "Unsqueeze", {"n", "axes"}, {"n1"}));
  g.nodes.push_back(make_node(g, "Concat", {"n1", "minus1"}, {"target"}));
  g.nodes.back().attributes.push_back([] {
    Attribute a;
    a.name = "axis";
    a.type = AttrType::Int;
    a.i = 0;
    return a;
  }());
  g.nodes.push_back(make_node(g, "Reshape", {"x", "target"}, {"y"}));
  InferenceResult r = infer_shapes(g, builtin_rules());
  EXPECT_EQ(r.types[g.find("y")].to_string(), "float[2, 12]");
  ASSERT_TRUE(r.constants[g.find("target")].defined());
  EXPECT_EQ(r.constants[g.find("target")].to_vector<int64_t>(), (std::vector<int64_t>{2, -1}));
}

TEST(ShapeInference, UnknownOpsKeepDeclaredTypes) {
  Graph g;
  int x = g.intern("x");
  g.value(x).type = TypeInfo::tensor_of(DType::Float, {2});
  g.inputs = {x};
  g.nodes.push_back(make_node(g, "SomeCustomOp", {"x"}, {"y"}));
  g.nodes.back().domain = "com.example";
  g.value(g.find("y")).type = TypeInfo::tensor_of(DType::Int32, {7});
  InferenceResult r = infer_shapes(g, builtin_rules());
  EXPECT_EQ(r.types[g.find("y")].to_string(), "int32[7]");
}

TEST(ShapeInference, RuleErrorsNameTheNode) {
  Graph g;
  int a = g.intern("a"), b = g.intern("b");
  g.value(a).type = TypeInfo::tensor_of(DType::Float, {2, 3});
  g.value(b).type = TypeInfo::tensor_of(DType::Float, {4});
  g.inputs = {a, b};
  g.nodes.push_back(make_node(g, "Add", {"a", "b"}, {"c"}));
  g.nodes.back().name = "bad_add";
  try {
    infer_shapes(g, builtin_rules());
    FAIL() << "expected a broadcast error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("bad_add"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace onyx
