// The planned arena: block offsets from value lifetimes (plan_memory), outputs written
// over dying inputs, views kept with their source, and sessions that place their
// intermediates in arenas reused from run to run without allocating.
#include <gtest/gtest.h>

#include <random>
#include <thread>

#include "graph_builders.h"
#include "onyx/onyx.h"
#include "onyx/planner.h"

namespace onyx {
namespace {

using test::add_input;
using test::add_ir_node;
using test::add_output;
using test::float_type;

// Types for every value of `g`: float[n] for each, as a test plan wants them.
std::vector<TypeInfo> all_float(const Graph& g, int64_t n) {
  return std::vector<TypeInfo>(g.values.size(), float_type({n}));
}

std::vector<int> in_order(const Graph& g) {
  std::vector<int> order(g.nodes.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
  return order;
}

// No two blocks alive at one step share a byte, and every block lies in the arena.
void expect_disjoint_while_alive(const MemoryPlan& plan) {
  for (size_t a = 0; a < plan.blocks.size(); ++a) {
    const MemoryPlan::Block& x = plan.blocks[a];
    EXPECT_LE(x.offset + x.bytes, plan.arena_bytes);
    EXPECT_EQ(x.offset % 64, 0);
    for (size_t b = a + 1; b < plan.blocks.size(); ++b) {
      const MemoryPlan::Block& y = plan.blocks[b];
      const bool alive_together = x.first <= y.last && y.first <= x.last;
      const bool share_bytes = x.offset < y.offset + y.bytes && y.offset < x.offset + x.bytes;
      EXPECT_FALSE(alive_together && share_bytes)
          << "blocks " << a << " [" << x.first << "," << x.last << "] and " << b << " [" << y.first
          << "," << y.last << "] overlap";
    }
  }
}

TEST(MemoryPlan, ChainAlternatesBetweenTwoBlocksWithoutReuse) {
  // x -> a -> b -> c -> d -> y: each value dies as the next is made, so two blocks of
  // 1 KiB, used alternately, hold all four intermediates.
  Graph g;
  add_input(g, "x");
  const char* names[] = {"x", "a", "b", "c", "d", "y"};
  for (int i = 0; i + 1 < 6; ++i) add_ir_node(g, "Neg", {names[i]}, {names[i + 1]});
  add_output(g, "y");
  MemoryPlan plan = plan_memory(g, in_order(g), all_float(g, 256));
  ASSERT_EQ(plan.blocks.size(), 4u);
  EXPECT_EQ(plan.arena_bytes, 2 * 1024);
  EXPECT_EQ(plan.peak_bytes, 2 * 1024);
  EXPECT_EQ(plan.block_of[g.find("x")], -1);  // inputs and outputs stay outside
  EXPECT_EQ(plan.block_of[g.find("y")], -1);
  expect_disjoint_while_alive(plan);
}

TEST(MemoryPlan, OutputWrittenOverDyingInputSharesItsBlock) {
  Graph g;
  add_input(g, "x");
  add_ir_node(g, "Neg", {"x"}, {"a"});
  add_ir_node(g, "Relu", {"a"}, {"b"});  // a dies here: b may take its bytes
  add_ir_node(g, "Relu", {"b"}, {"c"});  // b is read again below: c may not
  add_ir_node(g, "Add", {"b", "c"}, {"y"});
  add_output(g, "y");
  const std::vector<std::vector<OutputReuse>> over_input0 = {
      {}, {{0, 0, false}}, {{0, 0, false}}, {}};
  MemoryPlan plan = plan_memory(g, in_order(g), all_float(g, 16), over_input0);
  const int a = g.find("a"), b = g.find("b"), c = g.find("c");
  EXPECT_EQ(plan.written_over[b], a);
  EXPECT_EQ(plan.block_of[a], plan.block_of[b]);
  EXPECT_EQ(plan.written_over[c], -1);
  EXPECT_NE(plan.block_of[c], plan.block_of[b]);
  expect_disjoint_while_alive(plan);
}

TEST(MemoryPlan, ViewKeepsItsSourceBlockAliveAndTakesNoBytes) {
  Graph g;
  add_input(g, "x");
  add_ir_node(g, "Neg", {"x"}, {"a"});
  add_ir_node(g, "Reshape", {"a", "shape"}, {"v"});  // a view of a, read last below
  add_ir_node(g, "Neg", {"x"}, {"b"});               // a is dead here, but v is not
  add_ir_node(g, "Add", {"v", "b"}, {"y"});
  add_output(g, "y");
  const std::vector<std::vector<OutputReuse>> reuse = {{}, {{0, 0, true}}, {}, {}};
  MemoryPlan plan = plan_memory(g, in_order(g), all_float(g, 16), reuse);
  const int a = g.find("a"), v = g.find("v"), b = g.find("b");
  EXPECT_EQ(plan.block_of[v], plan.block_of[a]);
  EXPECT_EQ(plan.placeable_bytes[v], 0);
  EXPECT_EQ(plan.blocks[plan.block_of[a]].last, 3);  // until v's reader
  EXPECT_NE(plan.blocks[plan.block_of[a]].offset, plan.blocks[plan.block_of[b]].offset);
  expect_disjoint_while_alive(plan);
}

TEST(MemoryPlan, ViewThatIsAGraphOutputKeepsItsSourceOnTheHeap) {
  Graph g;
  add_input(g, "x");
  add_ir_node(g, "Neg", {"x"}, {"a"});
  add_ir_node(g, "Reshape", {"a", "shape"}, {"y"});
  add_output(g, "y");
  MemoryPlan plan = plan_memory(g, in_order(g), all_float(g, 16), {{}, {{0, 0, true}}});
  EXPECT_EQ(plan.block_of[g.find("a")], -1);
  EXPECT_TRUE(plan.blocks.empty());
}

TEST(MemoryPlan, RandomGraphsNeverShareBytesBetweenLiveValues) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 50; ++trial) {
    Graph g;
    add_input(g, "v0");
    std::vector<TypeInfo> types = {float_type({1})};
    std::vector<std::vector<OutputReuse>> reuse;
    const int nodes = 5 + static_cast<int>(rng() % 40);
    for (int i = 1; i <= nodes; ++i) {
      std::string a = "v" + std::to_string(rng() % i), b = "v" + std::to_string(rng() % i);
      add_ir_node(g, "Add", {a, b}, {"v" + std::to_string(i)});
      const auto size = static_cast<int64_t>(1 + rng() % 3) * 100;
      types.resize(g.values.size(), float_type({size}));
      types[g.find("v" + std::to_string(i))] = float_type({size});
      if (rng() % 3 == 0)
        reuse.push_back({{0, static_cast<int>(rng() % 2), rng() % 2 == 0}});
      else
        reuse.push_back({});
    }
    add_output(g, "v" + std::to_string(nodes));
    MemoryPlan plan = plan_memory(g, in_order(g), types, reuse);
    expect_disjoint_while_alive(plan);
    int64_t sum = 0;
    for (const auto& block : plan.blocks) sum += (block.bytes + 63) / 64 * 64;
    EXPECT_LE(plan.arena_bytes, sum);
  }
}

// ---- sessions ----

// y = Tanh(Neg(Relu(x) + Sigmoid(x)) reshaped), x static float[2, 64]: an in-place
// chain, a view and a branch.
Model elementwise_model(std::vector<Dim> x_dims = {Dim::known(2), Dim::known(64)}) {
  Model m;
  m.ir_version = 8;
  m.opset_imports = {{"", 14}};
  Graph& g = m.graph;
  add_input(g, "x", TypeInfo::tensor(DType::Float, x_dims));
  g.initializers[g.intern("flat")] = Tensor::from_vector<int64_t>({1}, {-1});
  add_ir_node(g, "Relu", {"x"}, {"r"});
  add_ir_node(g, "Sigmoid", {"x"}, {"s"});
  add_ir_node(g, "Add", {"r", "s"}, {"sum"});
  add_ir_node(g, "Neg", {"sum"}, {"n"});
  add_ir_node(g, "Reshape", {"n", "flat"}, {"f"});
  add_ir_node(g, "Tanh", {"f"}, {"y"});
  add_output(g, "y", TypeInfo::tensor(DType::Float));
  return m;
}

std::vector<float> expected_elementwise(const std::vector<float>& x) {
  std::vector<float> y;
  for (float v : x) {
    const float sum = std::max(v, 0.0f) + 1.0f / (1.0f + std::exp(-v));
    y.push_back(std::tanh(-sum));
  }
  return y;
}

Tensor ramp(Shape shape, float start) {
  Tensor t(DType::Float, std::move(shape));
  float* p = t.data<float>();
  for (int64_t i = 0; i < t.numel(); ++i) p[i] = start + 0.05f * static_cast<float>(i);
  return t;
}

void expect_near(const std::vector<float>& got, const std::vector<float>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-5f) << i;
}

TEST(MemoryArena, StaticModelRunsWithoutAllocatingIntermediates) {
  Session s(builtin_registry(), elementwise_model(), SessionOptions{1});
  EXPECT_GT(s.stats().arena_bytes, 0);
  const Tensor x = ramp({2, 64}, -3.0f);
  s.run({{"x", x}});  // the first run makes the arena
  const int64_t before = Tensor::heap_allocations();
  auto out = s.run({{"x", x}});
  // The output, handed to the caller, is the one buffer a steady-state run allocates.
  EXPECT_EQ(Tensor::heap_allocations() - before, 1);
  expect_near(out[0].to_vector<float>(), expected_elementwise(x.to_vector<float>()));

  SessionOptions heap_only{1};
  heap_only.memory_arena = false;
  Session h(builtin_registry(), elementwise_model(), heap_only);
  EXPECT_EQ(h.stats().arena_bytes, 0);
  const int64_t heap_before = Tensor::heap_allocations();
  auto heap_out = h.run({{"x", x}});
  EXPECT_GT(Tensor::heap_allocations() - heap_before, 1);  // the count does see intermediates
  EXPECT_EQ(heap_out[0].to_vector<float>(), out[0].to_vector<float>());
}

TEST(MemoryArena, SymbolicBatchGetsAPlanPerInputShape) {
  Session s(builtin_registry(), elementwise_model({Dim::symbol("batch"), Dim::known(64)}),
            SessionOptions{1});
  EXPECT_EQ(s.stats().planned_peak_bytes, 0);  // nothing static before the batch is known
  for (int64_t batch : {3, 5, 3}) {
    const Tensor x = ramp({batch, 64}, -2.0f);
    // r, s alive together, then sum written over r, n over sum: two float[batch, 64].
    PlannedMemory planned = s.planned_memory({{"x", x}});
    EXPECT_EQ(planned.peak_bytes, 2 * batch * 64 * 4);
    EXPECT_GE(planned.arena_bytes, 2 * batch * 64 * 4);
    s.run({{"x", x}});
    const int64_t before = Tensor::heap_allocations();
    auto out = s.run({{"x", x}});
    EXPECT_EQ(Tensor::heap_allocations() - before, 1) << "batch " << batch;
    expect_near(out[0].to_vector<float>(), expected_elementwise(x.to_vector<float>()));
  }
}

TEST(MemoryArena, OutputsDoNotChangeWhenTheArenaIsReused) {
  // y is a view of an intermediate (the plan keeps that one on the heap); z is the
  // very tensor a sequence held, an arena block the plan did not see escape: it must be
  // copied out, or the next run would overwrite the caller's result.
  Model m;
  m.ir_version = 8;
  m.opset_imports = {{"", 14}};
  Graph& g = m.graph;
  add_input(g, "x", float_type({4, 8}));
  g.initializers[g.intern("flat")] = Tensor::from_vector<int64_t>({1}, {-1});
  g.initializers[g.intern("zero")] = Tensor::scalar<int64_t>(0);
  add_ir_node(g, "Neg", {"x"}, {"n"});
  add_ir_node(g, "Abs", {"n"}, {"a"});
  add_ir_node(g, "Reshape", {"a", "flat"}, {"y"});
  add_ir_node(g, "Sigmoid", {"x"}, {"s"});
  add_ir_node(g, "SequenceConstruct", {"s"}, {"seq"});
  add_ir_node(g, "SequenceAt", {"seq", "zero"}, {"z"});
  add_output(g, "y", TypeInfo::tensor(DType::Float));
  add_output(g, "z", TypeInfo::tensor(DType::Float));
  Session s(builtin_registry(), m, SessionOptions{1});
  const Tensor x1 = ramp({4, 8}, -1.0f), x2 = ramp({4, 8}, 5.0f);
  auto first = s.run({{"x", x1}});
  const std::vector<float> y = first[0].to_vector<float>(), z = first[1].to_vector<float>();
  s.run({{"x", x2}});
  s.run({{"x", x2}});
  EXPECT_EQ(first[0].to_vector<float>(), y);
  EXPECT_EQ(first[1].to_vector<float>(), z);
  for (size_t i = 0; i < y.size(); ++i) {
    const float v = x1.data<float>()[i];
    EXPECT_EQ(y[i], std::abs(v));
    EXPECT_NEAR(z[i], 1.0f / (1.0f + std::exp(-v)), 1e-6f);
  }
}

TEST(MemoryArena, ValueHeldOutsideThePlanKeepsItsBytes) {
  // SequenceAt hands back the tensor the sequence holds: b is r's own buffer, though
  // the plan sees r die at SequenceConstruct. The plan gives r's bytes to e, made
  // later while b is alive: the arena sees the extra holder and puts e on the heap.
  Model m;
  m.ir_version = 8;
  m.opset_imports = {{"", 14}};
  Graph& g = m.graph;
  add_input(g, "x", float_type({64}));
  g.initializers[g.intern("zero")] = Tensor::scalar<int64_t>(0);
  add_ir_node(g, "Neg", {"x"}, {"r"});
  add_ir_node(g, "SequenceConstruct", {"r"}, {"seq"});
  add_ir_node(g, "SequenceAt", {"seq", "zero"}, {"b"});
  add_ir_node(g, "Concat", {"x", "x"}, {"e"}).attributes.push_back(test::int_attr("axis", 0));
  add_ir_node(g, "Concat", {"b", "b"}, {"bb"}).attributes.push_back(test::int_attr("axis", 0));
  add_ir_node(g, "Sub", {"e", "bb"}, {"y"});
  add_output(g, "y", TypeInfo::tensor(DType::Float));
  Session s(builtin_registry(), m, SessionOptions{1});
  const Tensor x = ramp({64}, -1.5f);
  for (int run = 0; run < 3; ++run) {
    auto out = s.run({{"x", x}});
    ASSERT_EQ(out[0].numel(), 128);
    for (int64_t i = 0; i < 128; ++i)  // x - (-x), had b been overwritten by e: 0
      EXPECT_EQ(out[0].data<float>()[i], 2 * x.data<float>()[i % 64]) << i;
  }
}

TEST(MemoryArena, ConcurrentRunsEachGetAnArena) {
  Session s(builtin_registry(), elementwise_model({Dim::symbol("batch"), Dim::known(64)}),
            SessionOptions{1});
  std::vector<std::thread> threads;
  std::vector<int> right(6, 0);
  for (int i = 0; i < 6; ++i)
    threads.emplace_back([&, i] {
      const Tensor x = ramp({1 + i % 2, 64}, -0.5f * static_cast<float>(i));
      bool ok = true;
      for (int k = 0; k < 20; ++k) {
        const std::vector<float> got = s.run({{"x", x}})[0].to_vector<float>();
        const std::vector<float> want = expected_elementwise(x.to_vector<float>());
        for (size_t j = 0; j < got.size(); ++j) ok = ok && std::abs(got[j] - want[j]) < 1e-5f;
      }
      right[static_cast<size_t>(i)] = ok ? 1 : 0;
    });
  for (auto& t : threads) t.join();
  for (int i = 0; i < 6; ++i) EXPECT_EQ(right[static_cast<size_t>(i)], 1) << "thread " << i;
}

}  // namespace
}  // namespace onyx
