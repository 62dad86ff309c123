// Single-precision GEMM: C = epilogue(A * B), packed and cache-blocked.
//
//   A is M x K, B is K x N, C is M x N with row stride ldc. Either operand comes from a
//   PanelSource: a strided matrix (any transposition, no copy), panels packed once (the
//   constant weights of a session), or a producer of its own (convolution's implicit
//   im2col). The driver blocks K by gemm_k_block(K), M by MC and N by NC, packs A and B into
//   microkernel panels, and runs the microkernel of the active ISA on every MR x NR tile.
//   The epilogue (alpha, bias, beta * addend, activation) is applied to each tile as the
//   microkernel stores it after the last K block (bias, addend and a clamp, in registers),
//   or right after, while the tile is in cache (alpha, beta, the other activations).
#pragma once

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "kernels/activation.h"
#include "kernels/bulk_memory.h"
#include "kernels/gemm/microkernel_api.h"
#include "kernels/parallel.h"

namespace onyx::kernels {

constexpr int64_t kGemmMaxKC = 320;  // K steps per block: an A and a B panel stay in L1

// The K block of a product of depth K: at most kGemmMaxKC, split evenly so that no block
// is a short remainder (each block costs one more pass over the C tile).
inline int64_t gemm_k_block(int64_t K) {
  const int64_t blocks = K <= 0 ? 1 : (K + kGemmMaxKC - 1) / kGemmMaxKC;
  return K <= 0 ? 1 : (K + blocks - 1) / blocks;
}

// The microkernel the active ISA uses.
const MicroKernel& default_microkernel();
// Every microkernel this CPU can run (tests and benchmarks walk this list).
std::vector<const MicroKernel*> runnable_microkernels();

// One GEMM operand seen as "lines" (A's rows or B's columns) of K values each.
class PanelSource {
 public:
  virtual ~PanelSource() = default;
  // Writes lines [x0, x0 + width) over K steps [k0, k0 + kc) to dst[k * panel + i];
  // lines past `width` (up to `panel`) are zero.
  virtual void pack(int64_t k0, int64_t kc, int64_t x0, int64_t width, int panel,
                    float* dst) const = 0;
  // A source packed in advance for this panel width returns its panel for (k0, x0)
  // here; others nullptr. Within a K block the panels lie one after another, panel * kc
  // floats apart, so the driver asks once per block.
  virtual const float* packed(int64_t /*k0*/, int64_t /*x0*/, int /*panel*/) const {
    return nullptr;
  }
};

// A matrix in memory: line x, step k is data[x * line_stride + k * k_stride].
class StridedSource final : public PanelSource {
 public:
  StridedSource(const float* data, int64_t line_stride, int64_t k_stride)
      : data_(data), line_stride_(line_stride), k_stride_(k_stride) {}
  // A (M x K) stored row-major with row stride lda, or transposed (K x M).
  static StridedSource a_matrix(const float* a, int64_t lda, bool transposed) {
    return transposed ? StridedSource(a, 1, lda) : StridedSource(a, lda, 1);
  }
  // B (K x N) stored row-major with row stride ldb, or transposed (N x K).
  static StridedSource b_matrix(const float* b, int64_t ldb, bool transposed) {
    return transposed ? StridedSource(b, ldb, 1) : StridedSource(b, 1, ldb);
  }
  void pack(int64_t k0, int64_t kc, int64_t x0, int64_t width, int panel,
            float* dst) const override;

 private:
  const float* data_;
  int64_t line_stride_, k_stride_;
};

// An operand packed once into the panels of one microkernel (MR panels for A, NR for
// B), in the order the driver reads them. Sessions keep constant weights this way and
// drop the unpacked copy.
class PackedPanels final : public PanelSource {
 public:
  PackedPanels() = default;
  PackedPanels(const PanelSource& source, int64_t lines, int64_t depth, int panel);
  // Panels left unwritten, to be filled with set_panel(), each panel exactly once, for
  // an operand computed a few lines at a time (no full-size copy to pack from).
  PackedPanels(int64_t lines, int64_t depth, int panel);
  // Writes the panel of lines [x0, x0 + panel): line x0 + i is rows[i * row_stride + k]
  // for k in [0, depth). Lines past the last are padded with zeros. x0 is a multiple of
  // the panel width. One panel's memory is written in order, which is what makes this
  // fast: filling line by line strides over every panel's k.
  void set_panel(int64_t x0, const float* rows, int64_t row_stride);
  void pack(int64_t k0, int64_t kc, int64_t x0, int64_t width, int panel,
            float* dst) const override;
  const float* packed(int64_t k0, int64_t x0, int panel) const override;
  int64_t lines() const { return lines_; }
  int64_t depth() const { return depth_; }
  int panel() const { return panel_; }
  bool empty() const { return data_.empty(); }
  // Whether these panels are the operand of a lines x depth product.
  bool holds(int64_t lines, int64_t depth) const {
    return !empty() && lines_ == lines && depth_ == depth;
  }

 private:
  // Sizes the panels for lines x depth, leaving them unwritten.
  void size_for(int64_t lines, int64_t depth, int panel);
  std::vector<float, WeightAllocator<float>> data_;  // every element packed
  int64_t lines_ = 0, depth_ = 0, padded_ = 0;
  int64_t block_ = 1;  // gemm_k_block(depth_)
  int panel_ = 0;
};

struct GemmEpilogue {
  float alpha = 1.0f;           // scales A * B
  const float* bias = nullptr;  // added: bias[m] (per_row) or bias[n]
  bool bias_per_row = true;
  const float* addend = nullptr;  // beta * addend[m * rs + n * cs]: Gemm's C, a residual
  int64_t addend_rs = 0, addend_cs = 0;
  float beta = 1.0f;
  ActivationParams activation;
};

// Applies the epilogue to the block of C at rows [m0, m0 + rows), columns [n0, n0 + cols)
// (c points at its first element), for products computed elsewhere (a matrix-vector one).
void apply_epilogue(const GemmEpilogue& ep, float* c, int64_t ldc, int64_t m0, int64_t n0,
                    int64_t rows, int64_t cols);

// C = epilogue(A * B). A's lines are rows (M), B's are columns (N).
void gemm(const MicroKernel& uk, int64_t M, int64_t N, int64_t K, const PanelSource& a,
          const PanelSource& b, float* c, int64_t ldc, const GemmEpilogue& epilogue = {},
          const Parallel& parallel = serial());

// BLAS-style convenience: C = alpha * op(A) * op(B) + beta * C, row-major.
void sgemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* a,
           int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc,
           const Parallel& parallel = serial(), const MicroKernel& uk = default_microkernel());

}  // namespace onyx::kernels
