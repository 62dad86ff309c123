#include "onyx/profiler.h"

#include <atomic>
#include <cstdio>

namespace onyx {
namespace {

thread_local Profiler* t_current = nullptr;
thread_local int t_depth = 0;

int thread_number() {
  static std::atomic<int> next{1};
  thread_local const int number = next++;
  return number;
}

// `s` as a JSON string, quotes included.
std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

}  // namespace

Profiler::Profiler() : origin_(Clock::now()) {}

void Profiler::record(std::string name, std::string op_type, Clock::time_point start, int depth) {
  const Clock::time_point end = Clock::now();
  auto us = [](Clock::duration d) { return std::chrono::duration<double, std::micro>(d).count(); };
  std::lock_guard<std::mutex> lock(mutex_);
  if (start < origin_) return;
  events_.push_back({std::move(name), std::move(op_type), us(start - origin_), us(end - start),
                     thread_number(), depth});
}

std::vector<ProfileEvent> Profiler::events() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return events_;
}

void Profiler::clear() {
  std::lock_guard<std::mutex> lock(mutex_);
  events_.clear();
  origin_ = Clock::now();
}

void Profiler::write_chrome_trace(std::ostream& out) const {
  const std::vector<ProfileEvent> all = events();
  out << "{\"displayTimeUnit\": \"ms\", \"traceEvents\": [\n";
  for (size_t i = 0; i < all.size(); ++i) {
    const ProfileEvent& e = all[i];
    char times[96];
    std::snprintf(times, sizeof times, "\"ts\": %.3f, \"dur\": %.3f", e.start_us, e.duration_us);
    out << "  {\"name\": " << json_string(e.op_type.empty() ? e.name : e.op_type + " " + e.name)
        << ", \"cat\": " << (e.op_type.empty() ? "\"run\"" : "\"node\"") << ", \"ph\": \"X\", "
        << times << ", \"pid\": 1, \"tid\": " << e.thread
        << ", \"args\": {\"node\": " << json_string(e.name)
        << ", \"op_type\": " << json_string(e.op_type) << ", \"depth\": " << e.depth << "}}"
        << (i + 1 < all.size() ? ",\n" : "\n");
  }
  out << "]}\n";
}

Profiler* Profiler::current() { return t_current; }
int Profiler::current_depth() { return t_depth; }

Profiler::Scope::Scope(Profiler* profiler) : previous_(t_current) {
  t_current = profiler;
  ++t_depth;
}

Profiler::Scope::~Scope() {
  t_current = previous_;
  --t_depth;
}

}  // namespace onyx
