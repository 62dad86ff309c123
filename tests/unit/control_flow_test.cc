// If, Loop and Scan through real Sessions: models are built as protobufs and
// loaded, so outer-scope names are resolved the way a file's are. Expected values
// are worked out by hand in the comments.
#include <gtest/gtest.h>

#include "onyx/loader.h"
#include "onyx/onyx.h"
#include "op_tester.h"
#include "unit/graph_builders.h"

namespace onyx {
namespace {

using test::add_graph_attr;
using test::add_int_attr;
using test::add_node;
using test::add_value;
using test::model_at;
using testing::error_of;
using testing::floats;
using testing::ints;

constexpr int32_t kFloat = onnx::TensorProto::FLOAT;
constexpr int32_t kInt64 = onnx::TensorProto::INT64;
constexpr int32_t kBool = onnx::TensorProto::BOOL;

void add_initializer(onnx::GraphProto* g, const std::string& name, int32_t dtype,
                     std::vector<int64_t> dims, std::vector<float> floats_or_ints) {
  auto* t = g->add_initializer();
  t->set_name(name);
  t->set_data_type(dtype);
  for (int64_t d : dims) t->add_dims(d);
  for (float v : floats_or_ints) {
    if (dtype == kFloat) t->add_float_data(v);
    if (dtype == kInt64) t->add_int64_data(static_cast<int64_t>(v));
    if (dtype == kBool) t->add_int32_data(static_cast<int32_t>(v));
  }
}

Session session_of(const onnx::ModelProto& m, SessionOptions options = {1, true}) {
  return Session(builtin_registry(), load_model_from_bytes(test::bytes_of(m)), options);
}

// A Loop whose carried value grows by one element per pass:
//   x0 = [0]; each pass x = Concat(x, one) with `one` = [1] from the main graph.
//   M = 3 -> x = [0, 1, 1, 1]; the scan output collects the iteration numbers [0, 1, 2].
onnx::ModelProto growing_loop(int64_t opset = 13) {
  onnx::ModelProto m = model_at(opset);
  auto* g = m.mutable_graph();
  add_value(g->mutable_input(), "x0", kFloat, {"1"});
  add_value(g->mutable_output(), "x", kFloat, {"?"});
  add_value(g->mutable_output(), "iters", kInt64, {"?"});
  add_initializer(g, "M", kInt64, {}, {3});
  add_initializer(g, "one", kFloat, {1}, {1});
  auto* loop = add_node(g, "Loop", {"M", "", "x0"}, {"x", "iters"}, "loop");
  auto* body = add_graph_attr(loop, "body");
  add_value(body->mutable_input(), "i", kInt64, {});
  add_value(body->mutable_input(), "cond_in", kBool, {});
  add_value(body->mutable_input(), "x_in", kFloat, {"?"});
  add_node(body, "Identity", {"cond_in"}, {"cond_out"});
  add_int_attr(add_node(body, "Concat", {"x_in", "one"}, {"x_out"}), "axis", 0);
  add_node(body, "Identity", {"i"}, {"i_out"});
  add_value(body->mutable_output(), "cond_out", kBool, {});
  add_value(body->mutable_output(), "x_out", kFloat, {"?"});
  add_value(body->mutable_output(), "i_out", kInt64, {});
  return m;
}

TEST(ControlFlow, LoopCarriedValueChangesShapeEveryPass) {
  for (int64_t opset : {11, 13, 16, 19, 21}) {  // every Loop version since 11
    SCOPED_TRACE(opset);
    Session s = session_of(growing_loop(opset));
    auto out = s.run({{"x0", floats({1}, {0})}});
    EXPECT_EQ(out[0].shape(), (Shape{4}));
    EXPECT_EQ(out[0].to_vector<float>(), (std::vector<float>{0, 1, 1, 1}));
    EXPECT_EQ(out[1].to_vector<int64_t>(), (std::vector<int64_t>{0, 1, 2}));
  }
}

TEST(ControlFlow, LoopWithoutTripCountOrConditionHitsTheIterationCap) {
  onnx::ModelProto m = growing_loop();
  m.mutable_graph()->mutable_node(0)->set_input(0, "");  // no M, no cond: unbounded
  SessionOptions options{1, true};
  options.limits.max_loop_iterations = 10;
  Session s = session_of(m, options);
  std::string why = error_of([&] { s.run({{"x0", floats({1}, {0})}}); });
  EXPECT_NE(why.find("10 iterations"), std::string::npos) << why;
}

// acc starts at 0; pass i adds `a` when i < 2, else `b` (If inside Loop, both
// branches reading main-graph inputs two scopes up). M = 4, a = 1, b = 10:
// acc = 1 + 1 + 10 + 10 = 22.
TEST(ControlFlow, NestedIfInsideLoopReadsOuterScopeValues) {
  onnx::ModelProto m = model_at(16);
  auto* g = m.mutable_graph();
  add_value(g->mutable_input(), "a", kFloat, {"1"});
  add_value(g->mutable_input(), "b", kFloat, {"1"});
  add_value(g->mutable_output(), "acc", kFloat, {"1"});
  add_initializer(g, "M", kInt64, {}, {4});
  add_initializer(g, "two", kInt64, {}, {2});
  add_initializer(g, "zero", kFloat, {1}, {0});
  auto* loop = add_node(g, "Loop", {"M", "", "zero"}, {"acc"}, "loop");
  auto* body = add_graph_attr(loop, "body");
  add_value(body->mutable_input(), "i", kInt64, {});
  add_value(body->mutable_input(), "c", kBool, {});
  add_value(body->mutable_input(), "acc_in", kFloat, {"1"});
  add_node(body, "Less", {"i", "two"}, {"early"});
  auto* branch = add_node(body, "If", {"early"}, {"acc_out"}, "pick");
  auto* then_g = add_graph_attr(branch, "then_branch");
  add_node(then_g, "Add", {"acc_in", "a"}, {"then_acc"});
  add_value(then_g->mutable_output(), "then_acc", kFloat, {"1"});
  auto* else_g = add_graph_attr(branch, "else_branch");
  add_node(else_g, "Add", {"acc_in", "b"}, {"else_acc"});
  add_value(else_g->mutable_output(), "else_acc", kFloat, {"1"});
  add_node(body, "Identity", {"c"}, {"c_out"});
  add_value(body->mutable_output(), "c_out", kBool, {});
  add_value(body->mutable_output(), "acc_out", kFloat, {"1"});

  Session s = session_of(m);
  auto out = s.run({{"a", floats({1}, {1})}, {"b", floats({1}, {10})}});
  EXPECT_EQ(out[0].to_vector<float>(), (std::vector<float>{22}));
  // The graph is planned once: a second run with other inputs reuses it.
  out = s.run({{"a", floats({1}, {2})}, {"b", floats({1}, {0})}});
  EXPECT_EQ(out[0].to_vector<float>(), (std::vector<float>{4}));
}

// If picks a branch by its condition, in every version.
TEST(ControlFlow, IfChoosesTheBranch) {
  for (int64_t opset : {1, 11, 13, 16, 19, 21}) {
    SCOPED_TRACE(opset);
    onnx::ModelProto m = model_at(opset);
    auto* g = m.mutable_graph();
    add_value(g->mutable_input(), "c", kBool, {});
    add_value(g->mutable_input(), "x", kFloat, {"2"});
    add_value(g->mutable_output(), "y", kFloat, {"2"});
    auto* node = add_node(g, "If", {"c"}, {"y"});
    auto* then_g = add_graph_attr(node, "then_branch");
    add_node(then_g, "Neg", {"x"}, {"t"});
    add_value(then_g->mutable_output(), "t", kFloat, {"2"});
    auto* else_g = add_graph_attr(node, "else_branch");
    add_node(else_g, "Abs", {"x"}, {"e"});
    add_value(else_g->mutable_output(), "e", kFloat, {"2"});
    Session s = session_of(m);
    Tensor x = floats({2}, {-1, 2});
    EXPECT_EQ(s.run({{"c", Tensor::scalar<bool>(true)}, {"x", x}})[0].to_vector<float>(),
              (std::vector<float>{1, -2}));
    EXPECT_EQ(s.run({{"c", Tensor::scalar<bool>(false)}, {"x", x}})[0].to_vector<float>(),
              (std::vector<float>{1, 2}));
  }
}

TEST(ControlFlow, SubgraphNestingDeeperThanTheLimitIsRefused) {
  // If -> If -> If, each then-branch holding the next.
  onnx::ModelProto m = model_at(13);
  auto* g = m.mutable_graph();
  add_value(g->mutable_input(), "c", kBool, {});
  add_value(g->mutable_output(), "y", kBool, {});
  onnx::GraphProto* level = g;
  std::string out = "y";
  for (int depth = 0; depth < 3; ++depth) {
    auto* node = add_node(level, "If", {"c"}, {out});
    auto* else_g = add_graph_attr(node, "else_branch");
    add_node(else_g, "Identity", {"c"}, {"e" + std::to_string(depth)});
    add_value(else_g->mutable_output(), "e" + std::to_string(depth), kBool, {});
    level = add_graph_attr(node, "then_branch");
    out = "t" + std::to_string(depth);
    add_value(level->mutable_output(), out, kBool, {});
  }
  add_node(level, "Not", {"c"}, {out});
  SessionOptions options{1, true};
  options.limits.max_subgraph_depth = 2;
  std::string why = error_of([&] { session_of(m, options); });
  EXPECT_NE(why.find("nested 3 subgraphs deep"), std::string::npos) << why;
  // Within the default limit it runs: c = true goes down every then-branch to Not(c).
  Session s = session_of(m);
  EXPECT_FALSE(s.run({{"c", Tensor::scalar<bool>(true)}})[0].to_vector<bool>()[0]);
}

// Scan-9 over axis 1 of a [2, 3] input, reversed: running sums of each column
// taken from the last column backwards.
//   x = [[1, 2, 3], [4, 5, 6]]; steps see columns [3, 6], [2, 5], [1, 4]
//   state: [3, 6] -> [5, 11] -> [6, 15]; scan output stacked on axis 0: [[3, 6], [5, 11], [6, 15]]
TEST(ControlFlow, ScanReverseOverAnInnerAxis) {
  for (int64_t opset : {9, 11, 16, 19, 21}) {  // the versions with scan_input_axes
    SCOPED_TRACE(opset);
    onnx::ModelProto m = model_at(opset);
    auto* g = m.mutable_graph();
    add_value(g->mutable_input(), "s0", kFloat, {"2"});
    add_value(g->mutable_input(), "x", kFloat, {"2", "3"});
    add_value(g->mutable_output(), "s", kFloat, {"2"});
    add_value(g->mutable_output(), "ys", kFloat, {"3", "2"});
    auto* scan = add_node(g, "Scan", {"s0", "x"}, {"s", "ys"});
    add_int_attr(scan, "num_scan_inputs", 1);
    for (const char* name : {"scan_input_axes", "scan_input_directions"}) {
      auto* a = scan->add_attribute();
      a->set_name(name);
      a->set_type(onnx::AttributeProto::INTS);
      a->add_ints(1);
    }
    auto* body = add_graph_attr(scan, "body");
    add_value(body->mutable_input(), "s_in", kFloat, {"2"});
    add_value(body->mutable_input(), "col", kFloat, {"2"});
    add_node(body, "Add", {"s_in", "col"}, {"s_out"});
    add_node(body, "Identity", {"s_out"}, {"y"});
    add_value(body->mutable_output(), "s_out", kFloat, {"2"});
    add_value(body->mutable_output(), "y", kFloat, {"2"});
    Session s = session_of(m);
    auto out = s.run({{"s0", floats({2}, {0, 0})}, {"x", floats({2, 3}, {1, 2, 3, 4, 5, 6})}});
    EXPECT_EQ(out[0].to_vector<float>(), (std::vector<float>{6, 15}));
    EXPECT_EQ(out[1].shape(), (Shape{3, 2}));
    EXPECT_EQ(out[1].to_vector<float>(), (std::vector<float>{3, 6, 5, 11, 6, 15}));
  }
}

// A Loop of 5 passes over a float[16] carried value: x = x * x + (-x). The body's
// intermediates (the product and the negation) have known shapes, so each pass takes
// them from the body's arena: 2 heap tensors fewer per pass than without an arena,
// with the same outputs (x0 = 0.5: 0.5 -> -0.25 -> 0.3125 -> ...).
TEST(ControlFlow, LoopBodyIntermediatesComeFromItsArena) {
  onnx::ModelProto m = model_at(13);
  auto* g = m.mutable_graph();
  add_value(g->mutable_input(), "x0", kFloat, {"16"});
  add_value(g->mutable_output(), "x", kFloat, {"16"});
  add_initializer(g, "M", kInt64, {}, {5});
  auto* loop = add_node(g, "Loop", {"M", "", "x0"}, {"x"}, "loop");
  auto* body = add_graph_attr(loop, "body");
  add_value(body->mutable_input(), "i", kInt64, {});
  add_value(body->mutable_input(), "cond_in", kBool, {});
  add_value(body->mutable_input(), "x_in", kFloat, {"16"});
  add_node(body, "Identity", {"cond_in"}, {"cond_out"});
  add_node(body, "Mul", {"x_in", "x_in"}, {"square"});
  add_node(body, "Neg", {"x_in"}, {"negated"});
  add_node(body, "Add", {"square", "negated"}, {"x_out"});
  add_value(body->mutable_output(), "cond_out", kBool, {});
  add_value(body->mutable_output(), "x_out", kFloat, {"16"});
  float x = 0.5f;
  for (int pass = 0; pass < 5; ++pass) x = x * x + -x;

  std::vector<float> results;
  std::vector<int64_t> allocations;
  for (bool arena : {true, false}) {
    SessionOptions options{1, true};
    options.memory_arena = arena;
    Session s = session_of(m, options);
    const Tensor x0 = floats({16}, std::vector<float>(16, 0.5f));
    s.run({{"x0", x0}});  // the first run makes the arenas
    const int64_t before = Tensor::heap_allocations();
    auto out = s.run({{"x0", x0}});
    allocations.push_back(Tensor::heap_allocations() - before);
    for (float v : out[0].to_vector<float>()) EXPECT_NEAR(v, x, 1e-6f) << "arena " << arena;
  }
  EXPECT_EQ(allocations[0], allocations[1] - 2 * 5);
}

}  // namespace
}  // namespace onyx
