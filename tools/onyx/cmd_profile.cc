// onyx profile: where a run's time goes, by operator type and by node, from the
// session's profiler (onyx/profiler.h); --trace writes the runs as a Chrome trace.
#include <algorithm>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <sstream>

#include "cli.h"
#include "images.h"
#include "onyx/loader.h"
#include "onyx/profiler.h"

namespace onyx::cli {
namespace {

struct Totals {
  std::string name;
  std::string op_type;  // by node: the node's op
  int depth = 0;
  double total_us = 0;
  int64_t calls = 0;
};

// Rows sorted by total time, most first.
std::vector<std::pair<std::string, Totals>> by_time(const std::map<std::string, Totals>& rows) {
  std::vector<std::pair<std::string, Totals>> sorted(rows.begin(), rows.end());
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    return a.second.total_us > b.second.total_us;
  });
  return sorted;
}

void print_table(const std::string& title, const std::vector<std::pair<std::string, Totals>>& rows,
                 double run_us, int runs, size_t top, bool with_op) {
  std::cout << "\n" << title << "\n";
  std::cout << "  " << std::left << std::setw(with_op ? 32 : 24) << (with_op ? "node" : "op type");
  if (with_op) std::cout << std::setw(22) << "op type";
  std::cout << std::right << std::setw(8) << "share" << std::setw(9) << "calls" << std::setw(12)
            << "mean us" << std::setw(12) << "ms/run"
            << "\n";
  for (size_t i = 0; i < rows.size() && i < top; ++i) {
    const Totals& t = rows[i].second;
    std::string label =
        std::string(static_cast<size_t>(2 * std::max(t.depth - 1, 0)), ' ') + t.name;
    if (label.size() > 31) label = label.substr(0, 28) + "...";
    std::cout << "  " << std::left << std::setw(with_op ? 32 : 24) << label;
    if (with_op) std::cout << std::setw(22) << t.op_type.substr(0, 21);
    std::cout << std::right << std::fixed << std::setprecision(1) << std::setw(7)
              << (run_us > 0 ? 100.0 * t.total_us / run_us : 0.0) << "%" << std::setw(9) << t.calls
              << std::setw(12) << std::setprecision(1) << t.total_us / static_cast<double>(t.calls)
              << std::setw(12) << std::setprecision(3) << t.total_us / runs / 1000.0 << "\n";
  }
  if (rows.size() > top) std::cout << "  ... " << rows.size() - top << " more (--top N)\n";
}

}  // namespace

int cmd_profile(Args& args) {
  std::vector<std::string> accepted = {"input", "inputs",       "threads", "warmup", "iters",
                                       "dim",   "optimization", "trace",   "top"};
  std::vector<std::string> accepted_flags = {"reference", "no-arena"};
  add_image_options(accepted, accepted_flags);  // for --input NAME=IMAGE
  args.parse(accepted, accepted_flags);
  const std::string path = args.one_positional("MODEL");
  const int warmup = args.get_int("warmup", 1);
  const int iters = args.get_int("iters", 10);
  const int top = args.get_int("top", 20);
  if (warmup < 0 || iters < 1 || top < 1)
    throw UsageError("--warmup must be >= 0, --iters and --top >= 1");
  SessionOptions options = session_options(args, 0);
  options.profiling = true;
  Session session(builtin_registry(), path, options);
  std::map<std::string, RuntimeValue> feeds = gather_inputs(session, args, true, dim_values(args));
  for (int i = 0; i < warmup; ++i) session.run_values(feeds);
  Profiler& profiler = *session.profiler();
  profiler.clear();  // warm-up runs are not counted
  for (int i = 0; i < iters; ++i) session.run_values(feeds);

  const std::vector<ProfileEvent> events = profiler.events();
  double run_us = 0;
  std::vector<double> runs;
  std::map<std::string, Totals> ops, nodes;
  for (const ProfileEvent& e : events) {
    if (e.depth == 0) {
      run_us += e.duration_us;
      runs.push_back(e.duration_us);
      continue;
    }
    // Subgraph nodes lie within their If/Loop/Scan node's time: only the main graph's
    // nodes make up the op-type shares, which then add up to the run (less overhead).
    if (e.depth == 1) {
      Totals& op = ops[e.op_type];
      op.name = e.op_type;
      op.total_us += e.duration_us;
      ++op.calls;
    }
    // Names need not be unique across a graph and its bodies: the depth tells them apart.
    Totals& node = nodes[std::to_string(e.depth) + " " + e.name];
    node.name = e.name;
    node.op_type = e.op_type;
    node.depth = e.depth;
    node.total_us += e.duration_us;
    ++node.calls;
  }
  std::sort(runs.begin(), runs.end());
  std::cout << path << ": " << iters << " runs after " << warmup << " warm-up, "
            << session.threads() << " threads, median run " << std::fixed << std::setprecision(3)
            << runs[runs.size() / 2] / 1000.0 << " ms\n"
            << "(shares are of the total run time; the nodes of If, Loop and Scan bodies are "
               "indented, and their time is also inside their parent node's)\n";
  print_table("by op type", by_time(ops), run_us, iters, static_cast<size_t>(top), false);
  print_table("by node", by_time(nodes), run_us, iters, static_cast<size_t>(top), true);

  if (auto trace = args.get("trace")) {
    std::ostringstream json;
    profiler.write_chrome_trace(json);
    write_file(*trace, json.str());
    std::cout << "\ntrace: " << *trace << " (" << events.size()
              << " events; open in chrome://tracing or ui.perfetto.dev)\n";
  }
  return 0;
}

}  // namespace onyx::cli
