// onyx test: run ONNX backend test folders and compare with their reference outputs.
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>

#include "cli.h"
#include "compare.h"
#include "onyx/value_files.h"
#include "progress.h"

namespace fs = std::filesystem;

namespace onyx::cli {
namespace {

struct Outcome {
  std::string name;
  std::string status;  // PASS, FAIL, ERROR
  std::string reason;
  double ms = 0;
};

// Test folders under `root`: root itself when it holds model.onnx, else its
// subfolders (recursively), sorted by path.
void collect_tests(const fs::path& root, std::vector<fs::path>& out, int depth = 0) {
  if (fs::exists(root / "model.onnx")) {
    out.push_back(root);
    return;
  }
  if (!fs::is_directory(root)) fail(root.string(), ": not a test folder (no model.onnx)");
  if (depth > 3) return;
  std::vector<fs::path> children;
  for (const auto& entry : fs::directory_iterator(root))
    if (entry.is_directory()) children.push_back(entry.path());
  std::sort(children.begin(), children.end());
  for (const auto& c : children) collect_tests(c, out, depth + 1);
}

std::vector<fs::path> numbered_files(const fs::path& dir, const std::string& prefix) {
  std::vector<fs::path> files;
  for (int k = 0;; ++k) {
    fs::path p = dir / (prefix + std::to_string(k) + ".pb");
    if (!fs::exists(p)) break;
    files.push_back(p);
  }
  return files;
}

// numpy has no bfloat16, so ONNX's test data stores bfloat16 tensors as uint16
// bit patterns; read them as the dtype the model declares.
RuntimeValue as_declared(RuntimeValue v, const TypeInfo& declared) {
  if (v.is_tensor() && v.tensor().dtype() == DType::UInt16 && declared.elem == DType::BFloat16)
    return v.tensor().bitcast(DType::BFloat16);
  return v;
}

// Runs every test_data_set_N of one test; returns an empty reason when all match.
std::string run_one(const fs::path& dir, double rtol, double atol, const SessionOptions& options) {
  Session session(builtin_registry(), (dir / "model.onnx").string(), options);
  const Graph& graph = session.model().graph;
  std::vector<int> feed_ids = graph.feed_inputs();
  std::vector<fs::path> sets;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.is_directory() && entry.path().filename().string().rfind("test_data_set_", 0) == 0)
      sets.push_back(entry.path());
  std::sort(sets.begin(), sets.end());
  if (sets.empty()) fail("no test_data_set_N folders");
  for (const fs::path& set : sets) {
    std::map<std::string, RuntimeValue> feeds;
    std::vector<fs::path> inputs = numbered_files(set, "input_");
    for (size_t k = 0; k < inputs.size(); ++k) {
      // Files name their input; fall back to position among the inputs to feed.
      if (k >= feed_ids.size() && k >= graph.inputs.size())
        fail(inputs[k].filename().string(), ": more inputs than the model has");
      int id = k < feed_ids.size() ? feed_ids[k] : graph.inputs[k];
      std::string name;
      RuntimeValue value = load_value_file(inputs[k].string(), graph.value(id).type, &name);
      // A file naming another input is read again with that input's type.
      int named = graph.find(name);
      if (named != kNoValue && named != id &&
          std::count(graph.inputs.begin(), graph.inputs.end(), named)) {
        id = named;
        value = load_value_file(inputs[k].string(), graph.value(id).type);
      }
      feeds[graph.value(id).name] = as_declared(std::move(value), graph.value(id).type);
    }
    std::vector<RuntimeValue> got = session.run_values(feeds);
    std::vector<fs::path> outputs = numbered_files(set, "output_");
    if (outputs.size() != got.size())
      return set.filename().string() + ": model has " + std::to_string(got.size()) +
             " outputs, reference has " + std::to_string(outputs.size());
    for (size_t k = 0; k < outputs.size(); ++k) {
      const TypeInfo& declared = session.outputs()[k].type;
      RuntimeValue want = load_value_file(outputs[k].string(), declared);
      if (want.is_tensor() && got[k].is_tensor() && want.tensor().dtype() == DType::UInt16 &&
          got[k].tensor().dtype() == DType::BFloat16)
        want = want.tensor().bitcast(DType::BFloat16);  // same numpy quirk as for inputs
      std::string why = compare_values(got[k], want, rtol, atol);
      if (!why.empty())
        return set.filename().string() + " output '" + session.outputs()[k].name + "': " + why;
    }
  }
  return "";
}

// Runs one test in a child process, so that a crash or a hang becomes that test's
// ERROR and the run goes on. The child reports "STATUS\treason" through a pipe.
Outcome run_isolated(const fs::path& dir, double rtol, double atol, int timeout_s,
                     const SessionOptions& options) {
  Outcome o;
  int fds[2];
  if (pipe(fds) != 0) fail("pipe failed: ", std::strerror(errno));
  std::cout << std::flush;
  pid_t pid = fork();
  if (pid < 0) fail("fork failed: ", std::strerror(errno));
  if (pid == 0) {
    close(fds[0]);
    std::string report;
    try {
      std::string reason = run_one(dir, rtol, atol, options);
      report = (reason.empty() ? "PASS\t" : "FAIL\t") + reason;
    } catch (const std::exception& e) {
      report = std::string("ERROR\t") + e.what();
    }
    ssize_t ignored = write(fds[1], report.data(), report.size());
    (void)ignored;
    _exit(0);
  }
  close(fds[1]);
  std::string report;
  char buf[4096];
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  bool timed_out = false;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    ssize_t n = read(fds[0], buf, sizeof buf);
    if (n <= 0) break;
    report.append(buf, static_cast<size_t>(n));
  }
  close(fds[0]);
  if (timed_out) kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  size_t tab = report.find('\t');
  if (timed_out) {
    o.status = "ERROR";
    o.reason = "timed out after " + std::to_string(timeout_s) + " s";
  } else if (WIFSIGNALED(status) || tab == std::string::npos) {
    o.status = "ERROR";
    o.reason = WIFSIGNALED(status) ? std::string("crashed: ") + strsignal(WTERMSIG(status))
                                   : "the test process ended without a result";
  } else {
    o.status = report.substr(0, tab);
    o.reason = report.substr(tab + 1);
  }
  return o;
}

void write_json(const std::string& path, const std::vector<Outcome>& outcomes) {
  std::ofstream out(path);
  if (!out) fail_as(ErrorKind::io_error, "cannot write ", path);
  auto escape = [](const std::string& s) {
    std::string r;
    for (char c : s) {
      if (c == '"' || c == '\\') r += '\\';
      if (static_cast<unsigned char>(c) < 0x20) continue;
      r += c;
    }
    return r;
  };
  out << "[\n";
  for (size_t i = 0; i < outcomes.size(); ++i) {
    const Outcome& o = outcomes[i];
    out << "  {\"name\": \"" << escape(o.name) << "\", \"status\": \"" << o.status
        << "\", \"ms\": " << o.ms << ", \"reason\": \"" << escape(o.reason) << "\"}"
        << (i + 1 < outcomes.size() ? ",\n" : "\n");
  }
  out << "]\n";
}

}  // namespace

int cmd_test(Args& args) {
  args.parse({"rtol", "atol", "json", "filter", "timeout", "threads", "optimization"},
             {"no-isolate", "reference", "no-arena"});
  const SessionOptions options = session_options(args, 1);
  int timeout_s = args.get_int("timeout", 120);
  bool isolate = !args.flag("no-isolate");
  if (args.positional().empty()) throw UsageError("expected at least one PATH");
  double rtol = args.get_double("rtol", 1e-3);
  double atol = args.get_double("atol", 1e-7);
  std::optional<std::regex> filter;
  if (auto f = args.get("filter")) {
    try {
      filter = std::regex(*f, std::regex::icase);
    } catch (const std::regex_error&) {
      throw UsageError("--filter: invalid regular expression '" + *f + "'");
    }
  }
  std::vector<fs::path> tests;
  for (const std::string& p : args.positional()) collect_tests(p, tests);

  std::vector<Outcome> outcomes;
  int passed = 0, failed = 0;
  Progress progress = Progress::for_terminal(static_cast<int64_t>(tests.size()));
  int64_t seen = 0;
  for (const fs::path& dir : tests) {
    ++seen;
    // "suite/test_name": the same test name can appear in two suites.
    Outcome o{(dir.parent_path().filename() / dir.filename()).string(), "PASS", "", 0};
    if (filter && !std::regex_search(o.name, *filter)) continue;
    auto start = std::chrono::steady_clock::now();
    if (isolate) {
      Outcome r = run_isolated(dir, rtol, atol, timeout_s, options);
      o.status = r.status;
      o.reason = r.reason;
    } else {
      try {
        o.reason = run_one(dir, rtol, atol, options);
        if (!o.reason.empty()) o.status = "FAIL";
      } catch (const std::exception& e) {
        o.status = "ERROR";
        o.reason = e.what();
      }
    }
    o.ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    (o.status == "PASS" ? passed : failed)++;
    progress.clear();
    std::cout << o.status << " " << o.name;
    if (!o.reason.empty()) std::cout << ": " << o.reason;
    std::cout << "\n" << std::flush;
    progress.update(seen,
                    std::to_string(passed) + " passed, " + std::to_string(failed) + " failed");
    outcomes.push_back(std::move(o));
  }
  progress.clear();
  if (auto json = args.get("json")) write_json(*json, outcomes);
  std::cout << passed << " passed, " << failed << " failed\n";
  return failed == 0 ? 0 : 1;
}

}  // namespace onyx::cli
