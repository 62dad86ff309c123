// Per-node timings of runs: SessionOptions::profiling turns it on, Session::profiler()
// reads it, `onyx profile` prints it as tables and writes it as a Chrome trace
// (chrome://tracing, Perfetto).
//
// A run records one event for itself and one per node it executes, on the thread that
// called run(). Nodes inside an If, Loop or Scan body are recorded too, one level
// deeper, and lie within the event of the node that ran them.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <ostream>
#include <string>
#include <vector>

namespace onyx {

struct ProfileEvent {
  std::string name;     // the node's name ("#3" when it has none), or "run"
  std::string op_type;  // empty for a run
  double start_us = 0;  // since the profiler was made or last cleared
  double duration_us = 0;
  int thread = 0;  // a small number per calling thread
  int depth = 0;   // 0: a run; 1: a node of the main graph; 2: a node in its subgraphs ...
};

class Profiler {
 public:
  Profiler();

  using Clock = std::chrono::steady_clock;

  // Records what ran from `start` until now. Safe to call from several runs at once;
  // an event that began before the last clear() is dropped with the ones cleared.
  void record(std::string name, std::string op_type, Clock::time_point start, int depth);
  std::vector<ProfileEvent> events() const;
  void clear();  // forget every event; times restart from zero

  // The events as a Chrome trace (JSON, "X" events, microseconds).
  void write_chrome_trace(std::ostream& out) const;

  // The profiler of the run on this thread (null when none): set by Scope, read by the
  // executor for each node.
  static Profiler* current();
  static int current_depth();

  // Makes `profiler` this thread's current one, one level deeper, while it lives.
  class Scope {
   public:
    explicit Scope(Profiler* profiler);
    ~Scope();
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    Profiler* previous_;
  };

 private:
  mutable std::mutex mutex_;
  std::vector<ProfileEvent> events_;
  Clock::time_point origin_;  // guarded by mutex_, as clear() resets it while runs record
};

}  // namespace onyx
