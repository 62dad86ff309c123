#include "kernels/nchwc/blocked_conv.h"

#include <algorithm>
#include <limits>
#include <stdexcept>

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
  const bool depthwise = s.kind == BlockedConvKind::Depthwise;
  const int64_t tasks = depthwise ? k->depthwise_tasks(j) : k->pointwise_tasks(j);
  auto run = [&](int64_t t0, int64_t t1) {
    if (depthwise)
      k->depthwise(j, t0, t1);
    else
      k->pointwise(j, t0, t1);
  };
  if (j.M * j.OH * j.OW < kMinParallelOutputs)
    run(0, tasks);
  else
    parallel.for_tasks(tasks, run);
}

}  // namespace onyx::kernels::nchwc
