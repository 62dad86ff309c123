// onyx bench: load time, first run, latency percentiles and peak memory of one model.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <iomanip>
#include <iostream>
#include <iterator>
#include <optional>
#include <utility>

#include "cli.h"
#include "images.h"
#include "progress.h"

namespace onyx::cli {
namespace {

double peak_rss_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // Linux reports KiB
}

double percentile(std::vector<double> sorted, double q) {
  if (sorted.empty()) return 0;
  size_t k = static_cast<size_t>(q * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(k, sorted.size() - 1)];
}

}  // namespace

int cmd_bench(Args& args) {
  std::vector<std::string> accepted = {"input", "inputs", "threads", "warmup",
                                       "iters", "loads",  "dim",     "optimization"};
  std::vector<std::string> accepted_flags = {"json", "reference", "no-arena"};
  add_image_options(accepted, accepted_flags);  // for --input NAME=IMAGE
  args.parse(accepted, accepted_flags);
  std::string path = args.one_positional("MODEL");
  int warmup = args.get_int("warmup", 3);
  int iters = args.get_int("iters", 20);
  int loads = args.get_int("loads", 1);
  if (warmup < 0 || iters < 1 || loads < 1)
    throw UsageError("--warmup must be >= 0, --iters and --loads >= 1");
  const std::map<std::string, int64_t> dims = dim_values(args);
  const SessionOptions options = session_options(args, 0);

  using clock = std::chrono::steady_clock;
  auto ms = [](auto a, auto b) { return std::chrono::duration<double, std::milli>(b - a).count(); };
  // The process's one-time set-up (every operator registered) is timed apart, as
  // ONNX Runtime's harness times its environment apart from its session creation.
  auto env_start = clock::now();
  const Registry& registry = builtin_registry();
  const double env_init = ms(env_start, clock::now());
  // Session creation is short and noisy: --loads repeats it and reports the median,
  // each new session created after the last one is gone.
  std::optional<Session> created;
  std::vector<double> load_times;
  for (int i = 0; i < loads; ++i) {
    created.reset();
    auto a = clock::now();
    created.emplace(registry, path, options);
    load_times.push_back(ms(a, clock::now()));
  }
  Session& session = *created;
  std::sort(load_times.begin(), load_times.end());
  std::map<std::string, RuntimeValue> feeds = gather_inputs(session, args, true, dims);
  auto t2 = clock::now();
  session.run_values(feeds);
  auto t3 = clock::now();
  Progress progress = Progress::for_terminal(warmup + iters);
  for (int i = 0; i < warmup; ++i) {
    progress.update(i, "warm-up");
    session.run_values(feeds);
  }
  std::vector<double> times;
  const int64_t allocations_before = Tensor::heap_allocations();
  for (int i = 0; i < iters; ++i) {
    progress.update(warmup + i, "runs");
    auto a = clock::now();
    session.run_values(feeds);
    times.push_back(ms(a, clock::now()));
  }
  progress.clear();
  // Tensor buffers a steady-state run takes from the heap (its outputs among them).
  const double allocations =
      static_cast<double>(Tensor::heap_allocations() - allocations_before) / iters;
  std::sort(times.begin(), times.end());
  double load = percentile(load_times, 0.5), first = ms(t2, t3);
  double mn = times.front(), med = percentile(times, 0.5), p90 = percentile(times, 0.9);
  double rss = peak_rss_mb();
  const PlannedMemory planned = session.planned_memory(feeds);
  const double planned_mb = static_cast<double>(planned.peak_bytes) / (1 << 20);
  const double arena_mb = static_cast<double>(planned.arena_bytes) / (1 << 20);
  const OptimizationReport& opt = session.stats().optimization;
  const char* level = optimization_level_name(options.optimization);

  const LoadSplit& split = session.stats().load;
  const std::pair<const char*, double> phases[] = {
      {"parse", split.parse}, {"check", split.check}, {"optimize", split.optimize},
      {"infer", split.infer}, {"plan", split.plan},   {"prepack", split.prepack}};

  std::cout << std::fixed << std::setprecision(3);
  if (args.flag("json")) {
    std::cout << "{\"model\": \"" << path << "\", \"env_init_ms\": " << env_init
              << ", \"load_ms\": " << load << ", \"first_run_ms\": " << first
              << ", \"min_ms\": " << mn << ", \"median_ms\": " << med << ", \"p90_ms\": " << p90
              << ", \"peak_rss_mb\": " << rss << ", \"threads\": " << session.threads()
              << ", \"iters\": " << iters << ", \"planned_peak_mb\": " << planned_mb
              << ", \"arena_mb\": " << arena_mb << ", \"heap_tensors_per_run\": " << allocations
              << ", \"optimization\": \"" << level << "\", \"nodes_before\": " << opt.nodes_before
              << ", \"nodes_after\": " << opt.nodes_after << ", \"load_split_ms\": {";
    for (size_t i = 0; i < std::size(phases); ++i)
      std::cout << (i ? ", " : "") << "\"" << phases[i].first << "\": " << phases[i].second;
    std::cout << "}}\n";
  } else {
    std::cout << path << "\n"
              << "  threads      " << session.threads() << "\n"
              << "  nodes        " << opt.nodes_before << " -> " << opt.nodes_after
              << " (optimization " << level << ")\n"
              << "  set-up       " << env_init << " ms (once per process)\n"
              << "  load         " << load << " ms (";
    for (size_t i = 0; i < std::size(phases); ++i)
      std::cout << (i ? ", " : "") << phases[i].first << " " << phases[i].second;
    std::cout << ")\n"
              << "  first run    " << first << " ms\n"
              << "  min          " << mn << " ms\n"
              << "  median       " << med << " ms\n"
              << "  p90          " << p90 << " ms   (" << iters << " iterations after " << warmup
              << " warm-up)\n"
              << "  peak RSS     " << rss << " MiB\n"
              << "  planned      " << planned_mb << " MiB live at most, in an arena of " << arena_mb
              << " MiB\n"
              << "  heap tensors " << allocations << " per run (outputs included)\n";
  }
  return 0;
}

}  // namespace onyx::cli
