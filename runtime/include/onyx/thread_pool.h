// The session's threads: a oneTBB arena sized by SessionOptions::threads.
// Kernels split work with parallel_for; with one thread it runs inline.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

namespace onyx {

class ThreadPool {
 public:
  explicit ThreadPool(int threads);  // threads <= 0: one per CPU the process may use
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int threads() const { return threads_; }
  // Calls fn(begin, end) over disjoint chunks covering [0, n), chunks of at least `grain`.
  void parallel_for(int64_t n, int64_t grain,
                    const std::function<void(int64_t, int64_t)>& fn) const;

 private:
  int threads_;
  struct Arena;
  std::unique_ptr<Arena> arena_;
};

}  // namespace onyx
