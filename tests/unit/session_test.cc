// Session creation and run: input validation, registry errors, output selection,
// memory plan, shape inference through the session.
#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "onyx/loader.h"
#include "onyx/onyx.h"
#include "op_tester.h"

namespace onyx {
namespace {

using testing::error_of;
using testing::OpTester;

// y = Relu(x + b) with x declared float[batch, 3].
Model relu_add_model() {
  Model m;
  m.ir_version = 8;
  m.opset_imports = {{"", 13}};
  Graph& g = m.graph;
  int x = g.intern("x");
  g.value(x).type =
      TypeInfo::tensor(DType::Float, std::vector<Dim>{Dim::symbol("batch"), Dim::known(3)});
  g.inputs = {x};
  int b = g.intern("b");
  g.initializers[b] = Tensor::from_vector<float>({3}, {1, -2, 0.5f});
  int s = g.intern("s");
  int y = g.intern("y");
  g.value(y).type = TypeInfo::tensor(DType::Float);
  Node add;
  add.name = "add";
  add.op_type = "Add";
  add.inputs = {x, b};
  add.outputs = {s};
  Node relu;
  relu.name = "relu";
  relu.op_type = "Relu";
  relu.inputs = {s};
  relu.outputs = {y};
  g.nodes = {add, relu};
  g.outputs = {y};
  return m;
}

TEST(Session, RunsAndPropagatesSymbolicDims) {
  Session s(builtin_registry(), relu_add_model());
  ASSERT_EQ(s.outputs().size(), 1u);
  // Inference keeps the symbolic batch dim and the static 3.
  EXPECT_EQ(s.outputs()[0].type.to_string(), "float[batch, 3]");
  auto out = s.run({{"x", Tensor::from_vector<float>({2, 3}, {0, 0, 0, -2, 3, -1})}});
  // Relu(x + [1, -2, 0.5]) by hand.
  EXPECT_EQ(out[0].to_vector<float>(), (std::vector<float>{1, 0, 0.5f, 0, 1, 0}));
  EXPECT_EQ(out[0].shape(), (Shape{2, 3}));
}

TEST(Session, ValidatesInputs) {
  Session s(builtin_registry(), relu_add_model());
  EXPECT_NE(error_of([&] { s.run({}); }).find("missing input 'x'"), std::string::npos);
  EXPECT_NE(error_of([&] {
              s.run({{"x", Tensor(DType::Int64, {1, 3})}});
            }).find("must be float"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              s.run({{"x", Tensor(DType::Float, {1, 4})}});
            }).find("dim 1 must be 3"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              s.run({{"x", Tensor(DType::Float, {3})}});
            }).find("rank 2"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              s.run({{"x", Tensor(DType::Float, {1, 3})}, {"nope", Tensor(DType::Float, {1})}});
            }).find("'nope' is not an input"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              s.run({{"x", Tensor(DType::Float, {1, 3})}}, {"s"});
            }).find("not an output"),
            std::string::npos);
}

TEST(Session, UnknownOpNamesOpDomainAndOpset) {
  Model m = relu_add_model();
  m.graph.nodes[1].op_type = "NoSuchOp";
  m.graph.nodes[1].opset = 13;
  std::string why = error_of([&] { Session s(builtin_registry(), m, {1, false}); });
  EXPECT_NE(why.find("NoSuchOp"), std::string::npos) << why;
  EXPECT_NE(why.find("ai.onnx"), std::string::npos) << why;
  EXPECT_NE(why.find("opset 13"), std::string::npos) << why;
}

TEST(Session, UnsupportedDtypeNamesTheDtype) {
  // Relu has no string kernel.
  Model m;
  m.ir_version = 8;
  m.opset_imports = {{"", 13}};
  int x = m.graph.intern("x"), y = m.graph.intern("y");
  m.graph.value(x).type = TypeInfo::tensor(DType::String, std::vector<Dim>{Dim::known(1)});
  m.graph.value(y).type = TypeInfo::tensor(DType::String, std::vector<Dim>{Dim::known(1)});
  m.graph.inputs = {x};
  m.graph.outputs = {y};
  Node n;
  n.op_type = "Relu";
  n.opset = 13;
  n.inputs = {x};
  n.outputs = {y};
  m.graph.nodes = {n};
  std::string why = error_of([&] { Session s(builtin_registry(), m, {1, false}); });
  EXPECT_NE(why.find("string"), std::string::npos) << why;
  EXPECT_NE(why.find("Relu"), std::string::npos) << why;
}

TEST(Session, ConcurrentRunsAgree) {
  Session s(builtin_registry(), relu_add_model(), {2, true});
  Tensor x = Tensor::from_vector<float>({1, 3}, {1, 1, 1});
  std::vector<std::thread> threads;
  std::vector<std::vector<float>> results(4);
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&, i] { results[i] = s.run({{"x", x}})[0].to_vector<float>(); });
  for (auto& t : threads) t.join();
  for (const auto& r : results) EXPECT_EQ(r, (std::vector<float>{2, 0, 1.5f}));
}

TEST(Session, WritingIntoAnOutputLeavesTheModelAlone) {
  // test_if returns a Constant of the branch it takes: the output must be the caller's
  // own copy, not the Constant node's value, or the next run returns what was written.
  const std::filesystem::path folder = std::filesystem::path(ONYX_BACKEND_DATA) / "node/test_if";
  if (!std::filesystem::exists(folder / "model.onnx")) GTEST_SKIP() << folder << " is missing";
  Session s(builtin_registry(), (folder / "model.onnx").string(), SessionOptions{1});
  const Tensor cond = load_tensor_file((folder / "test_data_set_0/input_0.pb").string());
  std::vector<Tensor> first = s.run({{s.inputs()[0].name, cond}});
  const std::vector<float> want = first[0].to_vector<float>();
  for (int64_t i = 0; i < first[0].numel(); ++i) first[0].data<float>()[i] = -99.0f;
  EXPECT_EQ(s.run({{s.inputs()[0].name, cond}})[0].to_vector<float>(), want);
}

TEST(Session, PlanReleasesIntermediates) {
  Session s(builtin_registry(), relu_add_model());
  // Only 's' is an intermediate, and its batch dim is symbolic: nothing static to count.
  EXPECT_EQ(s.stats().planned_peak_bytes, 0);
  EXPECT_EQ(s.stats().nodes, 2);
}

}  // namespace
}  // namespace onyx
