// A progress line for long commands (onyx test, onyx bench): "[ 120/1072] 118 passed,
// 2 failed  0:42", redrawn in place on a terminal and absent otherwise, so that logs and
// pipes get the command's normal output only.
#pragma once

#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>

namespace onyx::cli {

class Progress {
 public:
  // Draws on `out` only when `enabled`; for_terminal() enables it when stderr is a tty.
  Progress(std::ostream& out, bool enabled, int64_t total);
  static Progress for_terminal(int64_t total);
  ~Progress();

  // Shows `done` of the total, with `detail` ("118 passed, 2 failed") and the time so far.
  void update(int64_t done, const std::string& detail = "");
  // Erases the line, before the command prints a line of its own (update redraws it).
  void clear();

 private:
  std::ostream& out_;
  bool enabled_;
  int64_t total_;
  size_t drawn_ = 0;  // characters on the line now
  std::chrono::steady_clock::time_point start_;
};

}  // namespace onyx::cli
