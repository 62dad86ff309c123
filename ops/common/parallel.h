// The session's thread pool seen by the kernels library (ops/kernels), which owns no
// threads of its own.
#pragma once

#include "kernels/parallel.h"
#include "onyx/thread_pool.h"

namespace onyx {

inline kernels::Parallel parallel_of(const ThreadPool& pool) {
  kernels::Parallel p;
  p.threads = pool.threads();
  p.run_tasks = [&pool](int64_t tasks, const kernels::TaskRange& fn) {
    pool.parallel_for(tasks, 1, fn);
  };
  return p;
}

}  // namespace onyx
