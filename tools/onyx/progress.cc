#include "progress.h"

#include <unistd.h>

#include <cstdio>
#include <iostream>

namespace onyx::cli {

Progress::Progress(std::ostream& out, bool enabled, int64_t total)
    : out_(out), enabled_(enabled), total_(total), start_(std::chrono::steady_clock::now()) {}

Progress Progress::for_terminal(int64_t total) {
  return Progress(std::cerr, isatty(STDERR_FILENO) != 0, total);
}

Progress::~Progress() { clear(); }

void Progress::update(int64_t done, const std::string& detail) {
  if (!enabled_) return;
  const auto seconds =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - start_)
          .count();
  const int width = static_cast<int>(std::to_string(total_).size());
  char head[64];
  std::snprintf(head, sizeof head, "[%*lld/%lld] ", width, static_cast<long long>(done),
                static_cast<long long>(total_));
  char clock[32];
  std::snprintf(clock, sizeof clock, "  %lld:%02lld", static_cast<long long>(seconds / 60),
                static_cast<long long>(seconds % 60));
  const std::string line = head + detail + clock;
  // Overwrite what was there; pad with spaces where the new line is shorter.
  out_ << '\r' << line;
  if (line.size() < drawn_) out_ << std::string(drawn_ - line.size(), ' ') << '\r' << line;
  out_ << std::flush;
  drawn_ = line.size();
}

void Progress::clear() {
  if (!enabled_ || drawn_ == 0) return;
  out_ << '\r' << std::string(drawn_, ' ') << '\r' << std::flush;
  drawn_ = 0;
}

}  // namespace onyx::cli
