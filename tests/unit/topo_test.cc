// Topological order tests: orders worked out by hand with "earliest ready node in
// file order first", subgraph references as dependencies, and cycle messages.
#include "onyx/topo.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "unit/graph_builders.h"

namespace onyx {
namespace {

using test::add_input;
using test::add_ir_node;

Graph graph_with_x() {
  Graph g;
  g.name = "g";
  add_input(g, "x");
  return g;
}

std::string topo_error(const Graph& g) {
  try {
    topological_order(g);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Topo, EmptyGraph) { EXPECT_TRUE(topological_order(Graph{}).empty()); }

TEST(Topo, ChainInFileOrder) {
  Graph g = graph_with_x();
  add_ir_node(g, "Relu", {"x"}, {"a"});
  add_ir_node(g, "Relu", {"a"}, {"b"});
  add_ir_node(g, "Relu", {"b"}, {"c"});
  EXPECT_EQ(topological_order(g), (std::vector<int>{0, 1, 2}));
}

TEST(Topo, ChainInReverseFileOrder) {
  Graph g = graph_with_x();
  add_ir_node(g, "Relu", {"b"}, {"c"});
  add_ir_node(g, "Relu", {"a"}, {"b"});
  add_ir_node(g, "Relu", {"x"}, {"a"});
  EXPECT_EQ(topological_order(g), (std::vector<int>{2, 1, 0}));
}

TEST(Topo, IndependentNodesKeepFileOrder) {
  Graph g = graph_with_x();
  g.initializers[g.intern("w")] = Tensor::scalar<float>(1.0f);
  for (int i = 0; i < 5; ++i) add_ir_node(g, "Add", {"x", "w"}, {"o" + std::to_string(i)});
  EXPECT_EQ(topological_order(g), (std::vector<int>{0, 1, 2, 3, 4}));
}

TEST(Topo, EarliestReadyNodeFirst) {
  // Ready at the start: #1 and #2. Taking #1 readies #3; then #2 (earliest) readies
  // #0, which is now the earliest ready, then #3.
  Graph g = graph_with_x();
  add_ir_node(g, "Relu", {"b"}, {"c"});
  add_ir_node(g, "Relu", {"x"}, {"a"});
  add_ir_node(g, "Relu", {"x"}, {"b"});
  add_ir_node(g, "Relu", {"a"}, {"d"});
  EXPECT_EQ(topological_order(g), (std::vector<int>{1, 2, 0, 3}));
}

TEST(Topo, DiamondWithOmittedInput) {
  Graph g = graph_with_x();
  add_ir_node(g, "Concat", {"l", "r"}, {"out"});
  add_ir_node(g, "Relu", {"top"}, {"r"});
  add_ir_node(g, "Relu", {"top"}, {"l"});
  add_ir_node(g, "Clip", {"x", "", ""}, {"top"});
  EXPECT_EQ(topological_order(g), (std::vector<int>{3, 1, 2, 0}));
}

TEST(Topo, SubgraphReferencesAreDependencies) {
  // #0 is an If whose branch reads "late", produced by #1.
  Graph g = graph_with_x();
  add_input(g, "cond", TypeInfo::tensor_of(DType::Bool, {}));
  auto branch = std::make_shared<Graph>();
  branch->name = "then";
  test::add_outer(*branch, "late");
  add_ir_node(*branch, "Identity", {"late"}, {"t"});
  branch->outputs.push_back(branch->find("t"));
  add_ir_node(g, "If", {"cond"}, {"r"}).attributes = {test::graph_attr("then_branch", branch)};
  add_ir_node(g, "Relu", {"x"}, {"late"});
  EXPECT_EQ(topological_order(g), (std::vector<int>{1, 0}));
}

TEST(Topo, NestedSubgraphReferencesAreDependencies) {
  // The reference sits two levels down and the middle graph does not list it.
  Graph g = graph_with_x();
  auto inner = std::make_shared<Graph>();
  inner->name = "inner";
  test::add_outer(*inner, "late");
  add_ir_node(*inner, "Identity", {"late"}, {"t"});
  auto middle = std::make_shared<Graph>();
  middle->name = "middle";
  add_ir_node(*middle, "Loop", {}, {"m"}).attributes = {test::graph_attr("body", inner)};
  add_ir_node(g, "Scan", {}, {"s"}).attributes = {test::graph_attr("body", middle)};
  add_ir_node(g, "Relu", {"x"}, {"late"});
  EXPECT_EQ(topological_order(g), (std::vector<int>{1, 0}));
}

TEST(Topo, CycleNamesItsNodes) {
  Graph g = graph_with_x();
  add_ir_node(g, "Add", {"x", "b"}, {"a"}, "n0");
  add_ir_node(g, "Relu", {"a"}, {"b"}, "n1");
  EXPECT_EQ(topo_error(g),
            "graph 'g': nodes form a cycle: node 'n0' (#0, Add) needs 'b' from node 'n1' (#1, "
            "Relu); node 'n1' (#1, Relu) needs 'a' from node 'n0' (#0, Add)");
}

TEST(Topo, CycleReportedWithoutItsDownstreamNodes) {
  Graph g = graph_with_x();
  add_ir_node(g, "Relu", {"a"}, {"d"}, "n0");  // stuck only because it follows the cycle
  add_ir_node(g, "Neg", {"b"}, {"a"}, "n1");
  add_ir_node(g, "Neg", {"a"}, {"b"}, "n2");
  EXPECT_EQ(topo_error(g),
            "graph 'g': nodes form a cycle: node 'n1' (#1, Neg) needs 'b' from node 'n2' (#2, "
            "Neg); node 'n2' (#2, Neg) needs 'a' from node 'n1' (#1, Neg)");
}

TEST(Topo, SubgraphUsingItsOwnNodesOutputIsACycle) {
  Graph g = graph_with_x();
  add_input(g, "cond", TypeInfo::tensor_of(DType::Bool, {}));
  auto branch = std::make_shared<Graph>();
  branch->name = "then";
  test::add_outer(*branch, "r");
  add_ir_node(*branch, "Identity", {"r"}, {"t"});
  add_ir_node(g, "If", {"cond"}, {"r"}, "if").attributes = {
      test::graph_attr("then_branch", branch)};
  EXPECT_EQ(topo_error(g),
            "graph 'g': nodes form a cycle: node 'if' (#0, If) needs 'r' from node 'if' (#0, If)");
}

}  // namespace
}  // namespace onyx
