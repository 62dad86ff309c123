#include "kernels/nchwc/blocked_conv.h"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <vector>

#include "kernels/cpu.h"
#include "kernels/layout/permute.h"
#include "kernels/nchwc/blocked_conv_tiles.h"

namespace onyx::kernels::nchwc {

namespace {

// The kernels of the active ISA, or null.
const BlockedKernels* native_kernels() {
  switch (active_isa()) {
    case Isa::Avx512:
      return blocked_kernels_avx512();
    case Isa::Avx2:
      return blocked_kernels_avx2();
    case Isa::Generic:
      break;
  }
  return nullptr;
}

// The calling thread's scratch buffer, kept from call to call; or, when the thread is
// already using it (it ran another convolution's task while waiting for its own
// tasks), a fresh one for this call.
class ScratchLease {
 public:
  ScratchLease() : owned_(!in_use_) { in_use_ = true; }
  ~ScratchLease() {
    if (owned_) in_use_ = false;
  }
  ScratchLease(const ScratchLease&) = delete;
  ScratchLease& operator=(const ScratchLease&) = delete;
  std::vector<float>& buffer() { return owned_ ? kept_ : fresh_; }

 private:
  static thread_local std::vector<float> kept_;
  static thread_local bool in_use_;
  bool owned_;
  std::vector<float> fresh_;
};
thread_local std::vector<float> ScratchLease::kept_;
thread_local bool ScratchLease::in_use_ = false;

// Work below this many output floats stays on the calling thread.
constexpr int64_t kMinParallelOutputs = 16 * 1024;

}  // namespace

int64_t native_block() {
  const BlockedKernels* k = native_kernels();
  return k ? k->block : 0;
}

// Both reorders are transposes of each block of channels, (B, HW) <-> (HW, B): the full
// blocks go through permute()'s tiled transpose, the last, partial one (C not a multiple
// of B) element by element, its padded lanes zero.
void to_blocked(const float* x, int64_t C, int64_t HW, int64_t block, float* y,
                const Parallel& parallel) {
  const int64_t full = C / block, lanes = C - full * block;
  if (full > 0) permute(x, y, sizeof(float), {full, block, HW}, {0, 2, 1}, parallel);
  if (lanes == 0) return;
  const float* xb = x + full * block * HW;
  float* yb = y + full * HW * block;
  for (int64_t p = 0; p < HW; ++p) {
    for (int64_t l = 0; l < lanes; ++l) yb[p * block + l] = xb[l * HW + p];
    for (int64_t l = lanes; l < block; ++l) yb[p * block + l] = 0.0f;
  }
}

void from_blocked(const float* x, int64_t C, int64_t HW, int64_t block, float* y,
                  const Parallel& parallel) {
  const int64_t full = C / block, lanes = C - full * block;
  if (full > 0) permute(x, y, sizeof(float), {full, HW, block}, {0, 2, 1}, parallel);
  const float* xb = x + full * HW * block;
  float* yb = y + full * block * HW;
  for (int64_t l = 0; l < lanes; ++l)
    for (int64_t p = 0; p < HW; ++p) yb[l * HW + p] = xb[p * block + l];
}

BlockedConvWeights::BlockedConvWeights(const BlockedConvShape& s, const float* w, const float* b,
                                       int64_t block)
    : block_(block) {
  const int64_t M = padded_channels(s.M, block), C = padded_channels(s.C, block);
  b_.assign(static_cast<size_t>(M), 0.0f);
  if (b != nullptr) std::copy(b, b + s.M, b_.begin());
  switch (s.kind) {
    case BlockedConvKind::Depthwise:
      w_.assign(static_cast<size_t>(C * 9), 0.0f);
      for (int64_t c = 0; c < s.C; ++c)
        for (int64_t k = 0; k < 9; ++k)
          w_[static_cast<size_t>(((c / block) * 9 + k) * block + c % block)] = w[c * 9 + k];
      break;
    case BlockedConvKind::Pointwise:
      w_.assign(static_cast<size_t>(M * C), 0.0f);
      for (int64_t m = 0; m < s.M; ++m)
        for (int64_t c = 0; c < s.C; ++c)
          w_[static_cast<size_t>(((m / block) * C + c) * block + m % block)] = w[m * s.C + c];
      break;
    case BlockedConvKind::Dense: {
      const int64_t K = s.K, Cb = C / block;
      w_.assign(static_cast<size_t>(M * C * K * K), 0.0f);
      for (int64_t m = 0; m < s.M; ++m)
        for (int64_t c = 0; c < s.C; ++c)
          for (int64_t t = 0; t < K * K; ++t) {
            const int64_t at = (((m / block) * Cb + c / block) * K * K + t) * block * block +
                               (c % block) * block + m % block;
            w_[static_cast<size_t>(at)] = w[(m * s.C + c) * K * K + t];
          }
      break;
    }
  }
}

void blocked_conv(const BlockedConvShape& s, const BlockedConvWeights& w, const float* x,
                  const float* residual, const ActivationParams& activation, float* y,
                  const Parallel& parallel) {
  const BlockedKernels* k = native_kernels();
  if (k == nullptr || w.block() != k->block)
    throw std::logic_error("blocked_conv: the weights were not blocked for this CPU's kernels");
  BlockedJob j{};
  j.x = x;
  j.w = w.weights();
  j.b = w.bias();
  j.z = residual;
  j.y = y;
  j.C = padded_channels(s.C, k->block);
  j.M = padded_channels(s.M, k->block);
  j.H = s.H;
  j.W = s.W;
  j.OH = s.OH();
  j.OW = s.OW();
  j.stride = s.stride;
  j.lanes_used = s.M - (j.M - k->block);
  if (!as_clamp(activation, j.lo, j.hi)) {
    j.lo = -std::numeric_limits<float>::infinity();
    j.hi = std::numeric_limits<float>::infinity();
    j.after = &activation;
  }
  if (j.OH <= 0 || j.OW <= 0) return;
  int64_t (*tasks_of)(const BlockedJob&) = k->pointwise_tasks;
  void (*kernel)(const BlockedJob&, int64_t, int64_t) = k->pointwise;
  if (s.kind == BlockedConvKind::Depthwise) {
    tasks_of = k->depthwise_tasks;
    kernel = k->depthwise;
  } else if (s.kind == BlockedConvKind::Dense) {
    // The dense tiles read x with its padding in place: a zero-bordered copy (the tiles'
    // reads stay inside it: the last position computed is the last row's last column).
    j.K = s.K;
    j.pad = s.dense_pad;
    const int64_t B = k->block, Hp = s.H + 2 * j.pad, Wp = s.W + 2 * j.pad, Cb = j.C / B;
    ScratchLease lease;
    std::vector<float>& padded = lease.buffer();
    padded.resize(static_cast<size_t>(Cb * Hp * Wp * B));
    for (int64_t cb = 0; cb < Cb; ++cb) {
      float* plane = padded.data() + cb * Hp * Wp * B;
      std::fill(plane, plane + j.pad * Wp * B, 0.0f);                        // the rows above
      std::fill(plane + (j.pad + s.H) * Wp * B, plane + Hp * Wp * B, 0.0f);  // and below
      for (int64_t h = 0; h < s.H; ++h) {
        float* row = plane + (h + j.pad) * Wp * B;
        std::fill(row, row + j.pad * B, 0.0f);
        std::copy(x + (cb * s.H + h) * s.W * B, x + (cb * s.H + h + 1) * s.W * B, row + j.pad * B);
        std::fill(row + (j.pad + s.W) * B, row + Wp * B, 0.0f);
      }
    }
    j.x = padded.data();
    tasks_of = k->dense_tasks;
    kernel = k->dense;
  }
  const int64_t tasks = tasks_of(j);
  auto run = [&](int64_t t0, int64_t t1) { kernel(j, t0, t1); };
  if (j.M * j.OH * j.OW < kMinParallelOutputs)
    run(0, tasks);
  else
    parallel.for_tasks(tasks, run);
}

}  // namespace onyx::kernels::nchwc
