// Checker tests: a valid model passes; each rule is broken once, by hand, and the
// message must name the node, op and offending value.
#include "onyx/checker.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "unit/graph_builders.h"

namespace onyx {
namespace {

using test::add_input;
using test::add_ir_node;
using test::add_output;

// x (input) + w (initializer) -> Add -> a -> Relu -> y (output).
Model valid_model() {
  Model m;
  m.ir_version = 8;
  m.opset_imports = {{"", 13}};
  Graph& g = m.graph;
  g.name = "main";
  add_input(g, "x");
  g.initializers[g.intern("w")] = Tensor::from_vector<float>({2}, {1, 2});
  add_ir_node(g, "Add", {"x", "w"}, {"a"}, "add0");
  add_ir_node(g, "Relu", {"a"}, {"y"}, "relu1");
  add_output(g, "y");
  return m;
}

std::string check_error(const Model& m, const CheckOptions& options = {}) {
  try {
    check_model(m, options);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

TEST(Checker, ValidModelPasses) { EXPECT_NO_THROW(check_model(valid_model())); }

TEST(Checker, FileOrderNeedNotBeTopological) {
  Model m = valid_model();
  std::swap(m.graph.nodes[0], m.graph.nodes[1]);
  EXPECT_NO_THROW(check_model(m));
}

TEST(Checker, IrVersionRequired) {
  Model m = valid_model();
  m.ir_version = 0;
  EXPECT_EQ(check_error(m), "model: ir_version is missing");
}

TEST(Checker, VersionsNewerThanThisRuntimeAreRefusedByNumber) {
  Model m = valid_model();
  m.ir_version = 99;
  std::string e = check_error(m);
  EXPECT_NE(e.find("IR version 99"), std::string::npos) << e;
  m = valid_model();
  m.opset_imports = {{"ai.onnx", 9999}};
  e = check_error(m);
  EXPECT_NE(e.find("opset 9999"), std::string::npos) << e;
  EXPECT_NE(e.find("'ai.onnx'"), std::string::npos) << e;
  m = valid_model();
  m.opset_imports = {{"", kNewestDefaultOpset}, {"ai.onnx.ml", kNewestMlOpset + 1}};
  e = check_error(m);
  EXPECT_NE(e.find("opset 6 of domain 'ai.onnx.ml'"), std::string::npos) << e;
  // The newest known versions still load; other domains keep their own numbering.
  m = valid_model();
  m.ir_version = kNewestIrVersion;
  m.opset_imports = {
      {"", kNewestDefaultOpset}, {"ai.onnx.ml", kNewestMlOpset}, {"com.example", 9999}};
  EXPECT_EQ(check_error(m), "(no error)");
}

TEST(Checker, Opset28LoadsAndOpset29IsRefused) {
  Model m = valid_model();
  m.opset_imports = {{"", 28}};
  EXPECT_EQ(check_error(m), "(no error)");
  m.opset_imports = {{"", 29}};
  const std::string e = check_error(m);
  EXPECT_NE(e.find("opset 29"), std::string::npos) << e;
  EXPECT_NE(e.find("newer than opset 28"), std::string::npos) << e;
}

TEST(Checker, UndefinedInput) {
  Model m = valid_model();
  add_ir_node(m.graph, "Conv", {"z", "w"}, {"c"}, "conv1");
  EXPECT_EQ(check_error(m),
            "node 'conv1' (#2, Conv): input 'z' is not defined by any earlier node, graph input "
            "or initializer");
}

TEST(Checker, OmittedOptionalInputIsFine) {
  Model m = valid_model();
  add_ir_node(m.graph, "Clip", {"y", "", "w"}, {"c"}, "clip");
  EXPECT_NO_THROW(check_model(m));
}

TEST(Checker, ValueProducedTwice) {
  Model m = valid_model();
  add_ir_node(m.graph, "Neg", {"x"}, {"a"}, "neg2");
  EXPECT_EQ(check_error(m),
            "node 'neg2' (#2, Neg): output 'a' is already produced by node 'add0' (#0, Add)");
}

TEST(Checker, OutputThatIsAGraphInputOrInitializer) {
  Model m = valid_model();
  add_ir_node(m.graph, "Neg", {"a"}, {"x"}, "neg2");
  EXPECT_EQ(check_error(m), "node 'neg2' (#2, Neg): output 'x' is also a graph input");
  Model m2 = valid_model();
  add_ir_node(m2.graph, "Neg", {"a"}, {"w"}, "neg2");
  EXPECT_EQ(check_error(m2), "node 'neg2' (#2, Neg): output 'w' is also an initializer");
}

TEST(Checker, Cycle) {
  Model m = valid_model();
  m.graph.nodes[0].inputs[1] = m.graph.find("y");  // add0 now needs relu1's output
  std::string err = check_error(m);
  EXPECT_TRUE(contains(err, "cycle")) << err;
  EXPECT_TRUE(contains(err, "node 'add0' (#0, Add)")) << err;
  EXPECT_TRUE(contains(err, "node 'relu1' (#1, Relu)")) << err;
}

TEST(Checker, DomainMustBeImported) {
  Model m = valid_model();
  add_ir_node(m.graph, "Foo", {"y"}, {"f"}, "n", "com.x");
  EXPECT_EQ(check_error(m),
            "node 'n' (#2, com.x::Foo): domain 'com.x' is not imported by the model (no "
            "opset_import entry)");
  // A model-local function defines its domain.
  Function fn;
  fn.name = "Foo";
  fn.domain = "com.x";
  fn.inputs = {"a"};
  fn.outputs = {"b"};
  fn.body = std::make_shared<Graph>();
  fn.body->inputs.push_back(fn.body->intern("a"));
  add_ir_node(*fn.body, "Neg", {"a"}, {"b"});
  fn.body->outputs.push_back(fn.body->find("b"));
  m.functions.push_back(fn);
  EXPECT_NO_THROW(check_model(m));
}

TEST(Checker, DefaultDomainSpellings) {
  Model m = valid_model();
  m.opset_imports = {{"ai.onnx", 13}};
  m.graph.nodes[1].domain = "ai.onnx";
  EXPECT_NO_THROW(check_model(m));
  m.opset_imports = {{"", 13}, {"ai.onnx", 12}};
  EXPECT_EQ(check_error(m), "model: opset_import lists domain 'ai.onnx' twice");
}

TEST(Checker, AttributeTypesFromSchema) {
  CheckOptions options;
  options.attr_types = [](const std::string& domain, const std::string& op, int opset,
                          const std::string& attr) {
    if (domain.empty() && op == "Relu" && opset == 13 && attr == "kernel_shape")
      return AttrType::Ints;
    return AttrType::Undefined;
  };
  Model m = valid_model();
  Attribute bad;
  bad.name = "kernel_shape";
  bad.type = AttrType::Float;
  m.graph.nodes[1].attributes.push_back(bad);
  EXPECT_EQ(check_error(m, options),
            "node 'relu1' (#1, Relu): attribute 'kernel_shape' has type float, expected ints");
  m.graph.nodes[1].attributes[0] = test::ints_attr("kernel_shape", {3, 3});
  EXPECT_NO_THROW(check_model(m, options));
  // Attributes the schema does not know are left alone.
  m.graph.nodes[1].attributes.push_back(test::ints_attr("extra", {1}));
  EXPECT_NO_THROW(check_model(m, options));
}

TEST(Checker, AttributeWithoutTypeOrTwice) {
  Model m = valid_model();
  Attribute untyped;
  untyped.name = "alpha";
  m.graph.nodes[0].attributes.push_back(untyped);
  EXPECT_EQ(check_error(m), "node 'add0' (#0, Add): attribute 'alpha' has no type");
  Model m2 = valid_model();
  m2.graph.nodes[0].attributes.push_back(test::ints_attr("k", {1}));
  m2.graph.nodes[0].attributes.push_back(test::ints_attr("k", {2}));
  EXPECT_EQ(check_error(m2), "node 'add0' (#0, Add): attribute 'k' appears twice");
}

TEST(Checker, GraphInputsAndOutputsNeedTypes) {
  Model m = valid_model();
  m.graph.value(m.graph.find("x")).type = TypeInfo{};
  EXPECT_EQ(check_error(m), "graph input 'x' has no type");
  Model m2 = valid_model();
  m2.graph.value(m2.graph.find("y")).type = TypeInfo{};
  EXPECT_EQ(check_error(m2), "graph output 'y' has no type");
  Model m3 = valid_model();
  m3.graph.value(m3.graph.find("y")).type = TypeInfo::tensor(DType::Undefined);
  EXPECT_EQ(check_error(m3), "graph output 'y' has no element type");
}

TEST(Checker, GraphOutputMustBeProduced) {
  Model m = valid_model();
  add_output(m.graph, "zz");
  EXPECT_EQ(check_error(m),
            "graph output 'zz' is not produced by any node, graph input or initializer");
}

TEST(Checker, EmptyOpType) {
  Model m = valid_model();
  m.graph.nodes[1].op_type = "";
  EXPECT_TRUE(contains(check_error(m), "op_type is empty"));
}

// ---------------------------------------------------------------- subgraphs

// main: x, cond -> If(cond) -> r; the then branch is `body`.
Model if_model(std::shared_ptr<Graph> body) {
  Model m = valid_model();
  add_input(m.graph, "cond", TypeInfo::tensor_of(DType::Bool, {}));
  add_ir_node(m.graph, "If", {"cond"}, {"r"}, "if")
      .attributes.push_back(test::graph_attr("then_branch", std::move(body)));
  return m;
}

std::shared_ptr<Graph> branch_using(const std::string& outer_name, const std::string& out = "t") {
  auto g = std::make_shared<Graph>();
  g->name = "then";
  test::add_outer(*g, outer_name);
  add_ir_node(*g, "Identity", {outer_name}, {out});
  g->outputs.push_back(g->find(out));
  return g;
}

TEST(CheckerSubgraph, OuterValuesVisible) {
  EXPECT_NO_THROW(check_model(if_model(branch_using("x"))));
  EXPECT_NO_THROW(check_model(if_model(branch_using("w"))));  // an initializer
  EXPECT_NO_THROW(check_model(if_model(branch_using("a"))));  // a node output
}

TEST(CheckerSubgraph, ValueFromALaterNodeCounts) {
  // The If comes first in the file, its branch uses relu2's output: fine in
  // topological terms.
  Model m = if_model(branch_using("late"));
  add_ir_node(m.graph, "Relu", {"y"}, {"late"}, "relu2");
  EXPECT_NO_THROW(check_model(m));
}

TEST(CheckerSubgraph, UnknownOuterNameIsReported) {
  EXPECT_EQ(check_error(if_model(branch_using("nope"))),
            "node 'if' (#2, If) attribute 'then_branch' > graph 'then': node '' (#0, Identity): "
            "input 'nope' is not defined by any node, input or initializer of this or an "
            "enclosing graph");
}

TEST(CheckerSubgraph, UsingItsOwnNodesOutputIsACycle) {
  std::string err = check_error(if_model(branch_using("r")));
  EXPECT_TRUE(contains(err, "cycle")) << err;
  EXPECT_TRUE(contains(err, "node 'if' (#2, If)")) << err;
}

TEST(CheckerSubgraph, ShadowingAnOuterNameIsRefused) {
  auto g = std::make_shared<Graph>();
  g->name = "then";
  add_ir_node(*g, "Constant", {}, {"x"}, "k");
  g->outputs.push_back(g->find("x"));
  EXPECT_EQ(check_error(if_model(g)),
            "node 'if' (#2, If) attribute 'then_branch' > graph 'then': node 'k' (#0, Constant): "
            "output 'x' is already defined in an enclosing graph");
}

TEST(CheckerSubgraph, SubgraphInputsMayBeUntyped) {
  auto body = std::make_shared<Graph>();
  body->name = "body";
  body->inputs.push_back(body->intern("i"));  // no type: allowed below the main graph
  add_ir_node(*body, "Identity", {"i"}, {"o"});
  body->outputs.push_back(body->find("o"));
  EXPECT_NO_THROW(check_model(if_model(body)));
}

TEST(CheckerSubgraph, NestingDepthIsLimited) {
  // Three nested Ifs, each using "x" from the top.
  std::shared_ptr<Graph> inner = branch_using("x", "t2");
  for (int level = 0; level < 2; ++level) {
    auto g = std::make_shared<Graph>();
    g->name = "level" + std::to_string(level);
    test::add_outer(*g, "cond");
    test::add_outer(*g, "x");
    // Output names differ per level: reusing one would shadow the enclosing graph's.
    std::string out = "o" + std::to_string(level);
    add_ir_node(*g, "If", {"cond"}, {out})
        .attributes.push_back(test::graph_attr("then_branch", inner));
    g->outputs.push_back(g->find(out));
    inner = g;
  }
  Model m = if_model(inner);
  EXPECT_NO_THROW(check_model(m));
  CheckOptions shallow;
  shallow.max_subgraph_depth = 2;
  EXPECT_TRUE(contains(check_error(m, shallow), "deeper than 2")) << check_error(m, shallow);
}

// ---------------------------------------------------------------- functions

TEST(CheckerFunctions, BodyIsChecked) {
  Model m = valid_model();
  m.opset_imports.push_back({"custom", 1});
  Function fn;
  fn.name = "F";
  fn.domain = "custom";
  fn.inputs = {"a"};
  fn.outputs = {"b"};
  fn.opset_imports = {{"", 13}};
  fn.body = std::make_shared<Graph>();
  fn.body->inputs.push_back(fn.body->intern("a"));
  add_ir_node(*fn.body, "Add", {"a", "ghost"}, {"b"}, "add");
  fn.body->outputs.push_back(fn.body->find("b"));
  m.functions.push_back(fn);
  EXPECT_EQ(check_error(m),
            "function 'custom::F': node 'add' (#0, Add): input 'ghost' is not defined by any "
            "earlier node, graph input or initializer");
  m.functions[0].body->nodes[0].inputs[1] = m.functions[0].body->find("a");
  EXPECT_NO_THROW(check_model(m));
  m.functions.push_back(m.functions[0]);
  EXPECT_EQ(check_error(m), "function 'custom::F': defined twice");
}

}  // namespace
}  // namespace onyx
