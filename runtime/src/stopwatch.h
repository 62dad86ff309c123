// Milliseconds since a point in time, for the load-time split of session creation.
#pragma once

#include <chrono>

namespace onyx {

using Clock = std::chrono::steady_clock;

inline double elapsed_ms(Clock::time_point since) {
  return std::chrono::duration<double, std::milli>(Clock::now() - since).count();
}

}  // namespace onyx
