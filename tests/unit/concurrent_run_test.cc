// One session, eight threads: Session::run called at once from 8 threads, 25 times each,
// gives exactly (bit for bit) the outputs of a run alone. Models with control flow (If,
// Loop, Scan and a function expanded into a Loop) and without (convolution, recurrent
// layers, Einsum, Resize), from the ONNX backend data and the bundled example, each at
// one and at two intra-op threads.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "onyx/loader.h"
#include "onyx/onyx.h"
#include "onyx/profiler.h"

namespace onyx {
namespace {

namespace fs = std::filesystem;

// The model of a backend test folder and its first data set's inputs, by input name (the
// bundled example keeps its input beside the model).
struct Case {
  std::string model;
  std::map<std::string, Tensor> feeds;
};

Case load_case(const fs::path& folder) {
  Case c{(folder / "model.onnx").string(), {}};
  Session probe(builtin_registry(), c.model, SessionOptions{1});
  const fs::path data =
      fs::exists(folder / "test_data_set_0") ? folder / "test_data_set_0" : folder;
  for (size_t i = 0; i < probe.inputs().size(); ++i) {
    const fs::path file = data / ("input_" + std::to_string(i) + ".pb");
    c.feeds.emplace(probe.inputs()[i].name, load_tensor_file(file.string()));
  }
  return c;
}

bool same_bits(const std::vector<Tensor>& a, const std::vector<Tensor>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].dtype() != b[i].dtype() || a[i].shape() != b[i].shape() ||
        std::memcmp(a[i].raw(), b[i].raw(), a[i].nbytes()) != 0)
      return false;
  return true;
}

void expect_concurrent_runs_agree(const fs::path& folder) {
  if (!fs::exists(folder / "model.onnx")) GTEST_SKIP() << folder << " is not installed";
  const Case c = load_case(folder);
  for (int intra : {1, 2}) {
    SCOPED_TRACE(folder.filename().string() + ", intra-op threads " + std::to_string(intra));
    Session session(builtin_registry(), c.model, SessionOptions{intra});
    const std::vector<Tensor> alone = session.run(c.feeds);
    constexpr int kThreads = 8, kRuns = 25;
    std::vector<int> agreed(kThreads, 0);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
      threads.emplace_back([&, t] {
        for (int r = 0; r < kRuns; ++r) agreed[t] += same_bits(session.run(c.feeds), alone);
      });
    for (auto& t : threads) t.join();
    for (int t = 0; t < kThreads; ++t) EXPECT_EQ(agreed[t], kRuns) << "thread " << t;
  }
}

class ConcurrentRuns : public ::testing::TestWithParam<const char*> {};

TEST_P(ConcurrentRuns, AgreeBitForBitWithARunAlone) {
  expect_concurrent_runs_agree(fs::path(ONYX_BACKEND_DATA) / "node" / GetParam());
}

INSTANTIATE_TEST_SUITE_P(ControlFlow, ConcurrentRuns,
                         ::testing::Values("test_if", "test_loop11", "test_scan9_sum",
                                           "test_scan_sum",
                                           "test_range_float_type_positive_delta_expanded"));
INSTANTIATE_TEST_SUITE_P(Dense, ConcurrentRuns,
                         ::testing::Values("test_conv_with_strides_padding", "test_gru_defaults",
                                           "test_lstm_defaults", "test_einsum_batch_matmul",
                                           "test_resize_upsample_scales_linear", "test_lrn"));

TEST(ConcurrentRuns, BundledExampleAgreesBitForBit) {
  expect_concurrent_runs_agree(fs::path(ONYX_EXAMPLES_DIR) / "tiny_cnn");
}

// With profiling on, eight threads record into one profiler while one of them clears it:
// every run still agrees, and what is left holds whole runs' worth of events.
TEST(ConcurrentRuns, ProfiledRunsRecordFromEveryThread) {
  const Case c = load_case(fs::path(ONYX_BACKEND_DATA) / "node" / "test_loop11");
  SessionOptions options{1};
  options.profiling = true;
  Session session(builtin_registry(), c.model, options);
  const std::vector<Tensor> alone = session.run(c.feeds);
  session.profiler()->clear();
  constexpr int kThreads = 8, kRuns = 10;
  std::vector<int> agreed(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int r = 0; r < kRuns; ++r) {
        agreed[t] += same_bits(session.run(c.feeds), alone);
        if (t == 0 && r == kRuns / 2) session.profiler()->clear();
      }
    });
  for (auto& t : threads) t.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(agreed[t], kRuns) << "thread " << t;
  int runs = 0;
  for (const ProfileEvent& e : session.profiler()->events()) {
    runs += e.depth == 0;
    EXPECT_GE(e.duration_us, 0);
  }
  EXPECT_GT(runs, 0);
  EXPECT_LE(runs, kThreads * kRuns);
}

}  // namespace
}  // namespace onyx
