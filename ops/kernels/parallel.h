// How a kernel spreads its work over threads. The kernels library owns no threads:
// the caller passes its pool as a Parallel, and a kernel splits work into tasks.
#pragma once

#include <cstdint>
#include <functional>

namespace onyx::kernels {

using TaskRange = std::function<void(int64_t begin, int64_t end)>;

struct Parallel {
  int threads = 1;
  // Calls fn over disjoint ranges covering [0, tasks); empty: run inline.
  std::function<void(int64_t tasks, const TaskRange& fn)> run_tasks;

  void for_tasks(int64_t tasks, const TaskRange& fn) const {
    if (tasks <= 0) return;
    if (threads <= 1 || tasks == 1 || !run_tasks)
      fn(0, tasks);
    else
      run_tasks(tasks, fn);
  }
};

inline const Parallel& serial() {
  static const Parallel one;
  return one;
}

}  // namespace onyx::kernels
