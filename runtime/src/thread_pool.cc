#include "onyx/thread_pool.h"

#include <algorithm>
#include <thread>

#if defined(__linux__)
#include <sched.h>
#endif

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

namespace onyx {

struct ThreadPool::Arena {
  explicit Arena(int threads) : arena(threads) {}
  mutable tbb::task_arena arena;
};

namespace {

// The CPUs this process may run on (taskset, cgroups cpusets), else the core count.
int default_threads() {
#if defined(__linux__)
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) return std::max(1, CPU_COUNT(&set));
#endif
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

}  // namespace

ThreadPool::ThreadPool(int threads) {
  if (threads <= 0) threads = default_threads();
  threads_ = threads;
  arena_ = std::make_unique<Arena>(threads);
}

ThreadPool::~ThreadPool() = default;

void ThreadPool::parallel_for(int64_t n, int64_t grain,
                              const std::function<void(int64_t, int64_t)>& fn) const {
  if (n <= 0) return;
  grain = std::max<int64_t>(grain, 1);
  if (threads_ == 1 || n <= grain) {
    fn(0, n);
    return;
  }
  arena_->arena.execute([&] {
    tbb::parallel_for(tbb::blocked_range<int64_t>(0, n, grain),
                      [&](const tbb::blocked_range<int64_t>& r) { fn(r.begin(), r.end()); });
  });
}

}  // namespace onyx
