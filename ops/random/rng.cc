// The random source of ops/random (see random_ops.h).
#include <atomic>
#include <cmath>
#include <cstring>
#include <numbers>

#include "random/random_ops.h"

namespace onyx::random {
namespace {

// SplitMix64's finalizer: spreads nearby inputs (seeds 1.0 and 2.0, consecutive counters)
// over unrelated engine states.
uint64_t mix(uint64_t z) {
  z += 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// A fresh seed per call: a process-wide counter started from the system's entropy source,
// so concurrent runs and runs in a loop all get different streams.
uint64_t fresh_seed() {
  static std::atomic<uint64_t> counter{[] {
    std::random_device device;
    return (static_cast<uint64_t>(device()) << 32) ^ device();
  }()};
  return mix(counter.fetch_add(1, std::memory_order_relaxed));
}

uint64_t seed_of(float value) {
  if (value == 0) value = 0;  // -0.0 and 0.0 are the same seed
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  return mix(bits);
}

}  // namespace

Seed Seed::read(const Attrs& attrs) {
  Seed s;
  s.fixed = attrs.has("seed");
  s.value = attrs.get_float("seed", 0.0f);
  return s;
}

Rng::Rng(const Seed& seed) : engine_(seed.fixed ? seed_of(seed.value) : fresh_seed()) {}

double Rng::uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }

double Rng::normal() {
  if (has_spare_) {
    has_spare_ = false;
    return spare_;
  }
  const double u1 = 1.0 - uniform();  // in (0, 1]: the logarithm stays finite
  const double u2 = uniform();
  const double r = std::sqrt(-2.0 * std::log(u1));
  const double t = 2.0 * std::numbers::pi * u2;
  spare_ = r * std::sin(t);
  has_spare_ = true;
  return r * std::cos(t);
}

}  // namespace onyx::random
