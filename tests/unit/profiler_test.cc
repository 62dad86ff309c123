// SessionOptions::profiling: an event per run and per node executed, subgraph nodes one
// level deeper and inside their parent's time, and the Chrome trace written from them.
#include "onyx/profiler.h"

#include <gtest/gtest.h>

#include <sstream>

#include "graph_builders.h"
#include "onyx/onyx.h"

namespace onyx::test {
namespace {

constexpr int32_t kFloat = onnx::TensorProto::FLOAT;
constexpr int32_t kBool = onnx::TensorProto::BOOL;

// y = If(c) { Relu(x) } else { Neg(x) }, then z = Abs(y).
onnx::ModelProto if_model() {
  onnx::ModelProto m = model_at(13);
  auto* g = m.mutable_graph();
  add_value(g->mutable_input(), "c", kBool, {});
  add_value(g->mutable_input(), "x", kFloat, {"2"});
  add_value(g->mutable_output(), "z", kFloat, {"2"});
  auto* branch = add_node(g, "If", {"c"}, {"y"}, "choose");
  auto* then_g = add_graph_attr(branch, "then_branch");
  add_node(then_g, "Relu", {"x"}, {"t"}, "relu");
  add_value(then_g->mutable_output(), "t", kFloat, {"2"});
  auto* else_g = add_graph_attr(branch, "else_branch");
  add_node(else_g, "Neg", {"x"}, {"e"}, "neg");
  add_value(else_g->mutable_output(), "e", kFloat, {"2"});
  add_node(g, "Abs", {"y"}, {"z"});
  return m;
}

Session session_of(bool profiling) {
  SessionOptions options{1, true};
  options.profiling = profiling;
  options.optimization = OptimizationLevel::None;  // the nodes as written
  return Session::from_bytes(builtin_registry(), bytes_of(if_model()), options);
}

std::map<std::string, Tensor> feeds(bool c) {
  return {{"c", Tensor::from_vector<bool>({}, {c})},
          {"x", Tensor::from_vector<float>({2}, {-1, 2})}};
}

TEST(Profiler, OffByDefault) { EXPECT_EQ(session_of(false).profiler(), nullptr); }

TEST(Profiler, AnEventPerRunAndPerNodeWithSubgraphNodesNested) {
  Session s = session_of(true);
  ASSERT_NE(s.profiler(), nullptr);
  s.run(feeds(true));
  s.run(feeds(false));
  const std::vector<ProfileEvent> events = s.profiler()->events();
  // Per run: If, the branch's node, Abs, then the run itself: 8 in all.
  ASSERT_EQ(events.size(), 8u);
  const std::vector<std::pair<std::string, int>> want = {
      {"relu", 2}, {"choose", 1}, {"#1", 1}, {"run", 0},  // the first run took the then-branch
      {"neg", 2},  {"choose", 1}, {"#1", 1}, {"run", 0}};
  for (size_t i = 0; i < want.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(events[i].name, want[i].first);
    EXPECT_EQ(events[i].depth, want[i].second);
    EXPECT_GE(events[i].duration_us, 0);
  }
  EXPECT_EQ(events[1].op_type, "If");
  EXPECT_EQ(events[2].op_type, "Abs");
  EXPECT_EQ(events[3].op_type, "");
  // A branch node lies within its If, and every node within its run.
  const ProfileEvent &relu = events[0], &choose = events[1], &run = events[3];
  EXPECT_GE(relu.start_us, choose.start_us);
  EXPECT_LE(relu.start_us + relu.duration_us, choose.start_us + choose.duration_us);
  EXPECT_GE(choose.start_us, run.start_us);
  EXPECT_LE(events[2].start_us + events[2].duration_us, run.start_us + run.duration_us);
  EXPECT_GE(events[4].start_us, run.start_us + run.duration_us);  // the second run came after

  s.profiler()->clear();
  EXPECT_TRUE(s.profiler()->events().empty());
}

TEST(Profiler, ChromeTraceHasAnXEventPerEvent) {
  Session s = session_of(true);
  s.run(feeds(true));
  std::ostringstream trace;
  s.profiler()->write_chrome_trace(trace);
  const std::string json = trace.str();
  EXPECT_EQ(json.rfind("{\"displayTimeUnit\": \"ms\", \"traceEvents\": [\n", 0), 0u) << json;
  size_t count = 0;
  for (size_t at = json.find("\"ph\": \"X\""); at != std::string::npos;
       at = json.find("\"ph\": \"X\"", at + 1))
    ++count;
  EXPECT_EQ(count, 4u);
  EXPECT_NE(json.find("\"name\": \"If choose\", \"cat\": \"node\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"args\": {\"node\": \"relu\", \"op_type\": \"Relu\", \"depth\": 2}"),
            std::string::npos)
      << json;
  EXPECT_EQ(json.substr(json.size() - 3), "]}\n");
}

}  // namespace
}  // namespace onyx::test
