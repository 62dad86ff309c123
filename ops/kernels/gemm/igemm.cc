// The 8-bit GEMM driver: packing with zero points subtracted, blocking, the portable tile
// and QLinearMatMul's requantization (see igemm.h).
#include "kernels/gemm/igemm.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "kernels/cpu.h"

namespace onyx::kernels {

const IgemmKernel* avx2_igemm_kernel();        // igemm_avx2.cc; null where not compiled
const IgemmKernel* avx512vnni_igemm_kernel();  // igemm_avx512vnni.cc; likewise

namespace {

constexpr int64_t kMaxKC = 512;  // K steps per block: a B panel of 16 KiB stays in L1
constexpr int64_t kMC = 72;      // rows per block (12 panels)
constexpr int64_t kNC = 128;     // columns per block (8 panels)

// Sums wrap modulo 2^32 as the op's int32 does; unsigned arithmetic keeps that defined.
inline int32_t wrap_add(int32_t x, int32_t y) {
  return static_cast<int32_t>(static_cast<uint32_t>(x) + static_cast<uint32_t>(y));
}

void generic_tile(int rows, int64_t pairs, const int16_t* a, const int16_t* b, int32_t* c,
                  int64_t ldc, bool accumulate) {
  // All MR rows (the panel's padding rows are zero): fixed trip counts vectorize.
  uint32_t sum[kIgemmMR][kIgemmNR] = {};
  for (int64_t p = 0; p < pairs; ++p, a += 2 * kIgemmMR, b += 2 * kIgemmNR)
    for (int r = 0; r < kIgemmMR; ++r) {
      const int32_t a0 = a[2 * r], a1 = a[2 * r + 1];
      // Each pair's sum is at most 2 * 255 * 255 in magnitude: exact in int32.
      for (int j = 0; j < kIgemmNR; ++j)
        sum[r][j] += static_cast<uint32_t>(a0 * b[2 * j] + a1 * b[2 * j + 1]);
    }
  for (int r = 0; r < rows; ++r)
    for (int j = 0; j < kIgemmNR; ++j) {
      const int32_t v = static_cast<int32_t>(sum[r][j]);
      c[r * ldc + j] = accumulate ? wrap_add(c[r * ldc + j], v) : v;
    }
}

const IgemmKernel kGenericKernel{"generic_6x16", generic_tile};

// x - zero point of line `line`, widened.
template <class T>
inline int16_t centered(const Int8Matrix& m, int64_t row, int64_t col, int64_t line) {
  const int32_t zp = m.zero_points ? m.zero_points[line] : m.zero_point;
  return static_cast<int16_t>(static_cast<const T*>(m.data)[row * m.row_stride + col] - zp);
}

template <class Fn>
void by_sign(bool is_signed, Fn&& fn) {
  if (is_signed)
    fn(int8_t{});
  else
    fn(uint8_t{});
}

// Rows [m0, m0 + mc) and K steps [k0, k0 + kc) of A into MR-row panels: for each pair of
// K steps, MR rows of two values. Rows and steps past the end are zero.
void pack_a(const Int8Matrix& a, int64_t m0, int64_t mc, int64_t k0, int64_t kc, int16_t* dst) {
  const int64_t pairs = (kc + 1) / 2;
  by_sign(a.is_signed, [&](auto tag) {
    using T = decltype(tag);
    for (int64_t t = 0; t * kIgemmMR < mc; ++t) {
      int16_t* panel = dst + t * pairs * 2 * kIgemmMR;
      for (int r = 0; r < kIgemmMR; ++r) {
        const int64_t m = m0 + t * kIgemmMR + r;
        if (t * kIgemmMR + r >= mc) {
          for (int64_t k = 0; k < 2 * pairs; ++k) panel[(k / 2) * 2 * kIgemmMR + 2 * r + k % 2] = 0;
          continue;
        }
        for (int64_t k = 0; k < kc; ++k)
          panel[(k / 2) * 2 * kIgemmMR + 2 * r + k % 2] = centered<T>(a, m, k0 + k, m);
        if (kc % 2) panel[(pairs - 1) * 2 * kIgemmMR + 2 * r + 1] = 0;
      }
    }
  });
}

// Panel p of B (columns [16p, 16p + 16)) over all K steps.
void pack_b_panel(const Int8Matrix& b, int64_t K, int64_t N, int64_t p, int16_t* dst) {
  const int64_t n0 = p * kIgemmNR, width = std::min<int64_t>(kIgemmNR, N - n0);
  const int64_t pairs = (K + 1) / 2;
  std::fill(dst, dst + pairs * 2 * kIgemmNR, int16_t{0});
  int32_t zp[kIgemmNR] = {};
  for (int64_t j = 0; j < width; ++j) zp[j] = b.zero_points ? b.zero_points[n0 + j] : b.zero_point;
  by_sign(b.is_signed, [&](auto tag) {
    using T = decltype(tag);
    for (int64_t k = 0; k < K; ++k) {
      const T* src = static_cast<const T*>(b.data) + k * b.row_stride + n0;
      int16_t* row = dst + (k / 2) * 2 * kIgemmNR + k % 2;
      if (width == kIgemmNR) {  // a fixed trip count the compiler unrolls
        for (int j = 0; j < kIgemmNR; ++j) row[2 * j] = static_cast<int16_t>(src[j] - zp[j]);
      } else {
        for (int64_t j = 0; j < width; ++j) row[2 * j] = static_cast<int16_t>(src[j] - zp[j]);
      }
    }
  });
}

// The K block: at most kMaxKC, split evenly, even so every block starts on a pair.
int64_t k_block(int64_t K) {
  const int64_t blocks = (K + kMaxKC - 1) / kMaxKC;
  const int64_t kc = (K + blocks - 1) / blocks;
  return kc + kc % 2;
}

}  // namespace

// The VNNI tile runs where AVX-512 does (ONYX_ISA may lower that) and the CPU has VNNI.
const IgemmKernel* usable_vnni_kernel(bool allowed) {
  const IgemmKernel* vnni = avx512vnni_igemm_kernel();
  return vnni && allowed && cpu_has_avx512vnni() ? vnni : nullptr;
}

const IgemmKernel& default_igemm_kernel() {
  static const IgemmKernel* k = [] {
    if (const IgemmKernel* vnni = usable_vnni_kernel(active_isa() == Isa::Avx512)) return vnni;
    const IgemmKernel* avx2 = avx2_igemm_kernel();
    return avx2 && active_isa() != Isa::Generic ? avx2 : &kGenericKernel;
  }();
  return *k;
}

std::vector<const IgemmKernel*> runnable_igemm_kernels() {
  std::vector<const IgemmKernel*> out{&kGenericKernel};
  if (const IgemmKernel* avx2 = avx2_igemm_kernel(); avx2 && isa_supported(Isa::Avx2))
    out.push_back(avx2);
  if (const IgemmKernel* vnni = usable_vnni_kernel(isa_supported(Isa::Avx512))) out.push_back(vnni);
  return out;
}

PackedInt8B::PackedInt8B(const Int8Matrix& b, int64_t K, int64_t N, const Parallel& parallel)
    : K_(K), N_(N), pairs_((K + 1) / 2), packed_(true) {
  const int64_t panels = (N + kIgemmNR - 1) / kIgemmNR;
  data_.resize(static_cast<size_t>(panels * pairs_ * 2 * kIgemmNR));
  parallel.for_tasks(panels, [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p)
      pack_b_panel(b, K, N, p, data_.data() + p * pairs_ * 2 * kIgemmNR);
  });
}

void igemm(int64_t M, int64_t N, int64_t K, const Int8Matrix& a, const Int8Matrix& b, int32_t* c,
           int64_t ldc, const Parallel& parallel, const IgemmKernel& kernel) {
  if (M <= 0 || N <= 0) return;
  igemm(M, N, K, a, PackedInt8B(b, std::max<int64_t>(K, 0), N, parallel), c, ldc, parallel, kernel);
}

void igemm(int64_t M, int64_t N, int64_t K, const Int8Matrix& a, const PackedInt8B& b, int32_t* c,
           int64_t ldc, const Parallel& parallel, const IgemmKernel& kernel) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    for (int64_t m = 0; m < M; ++m) std::fill(c + m * ldc, c + m * ldc + N, 0);
    return;
  }
  const int64_t kc_max = k_block(K);
  const int64_t m_blocks = (M + kMC - 1) / kMC, n_blocks = (N + kNC - 1) / kNC;
  // Small products stay on the calling thread.
  const Parallel& par = M * N * K < (int64_t{1} << 18) ? serial() : parallel;
  par.for_tasks(m_blocks * n_blocks, [&](int64_t t0, int64_t t1) {
    std::vector<int16_t> a_panels(static_cast<size_t>(kMC * kc_max));
    int32_t edge[kIgemmMR * kIgemmNR];
    for (int64_t t = t0; t < t1; ++t) {
      const int64_t m0 = (t / n_blocks) * kMC, mc = std::min(kMC, M - m0);
      const int64_t n0 = (t % n_blocks) * kNC, n_end = std::min(N, n0 + kNC);
      for (int64_t k0 = 0; k0 < K; k0 += kc_max) {
        const int64_t kc = std::min(kc_max, K - k0), pairs = (kc + 1) / 2;
        const bool accumulate = k0 > 0;
        pack_a(a, m0, mc, k0, kc, a_panels.data());
        for (int64_t n = n0; n < n_end; n += kIgemmNR) {
          const int16_t* b_panel = b.panel(n / kIgemmNR, k0);
          const int64_t cols = std::min<int64_t>(kIgemmNR, N - n);
          for (int64_t i = 0; i < mc; i += kIgemmMR) {
            const int rows = static_cast<int>(std::min<int64_t>(kIgemmMR, mc - i));
            const int16_t* a_panel = a_panels.data() + (i / kIgemmMR) * pairs * 2 * kIgemmMR;
            int32_t* c_tile = c + (m0 + i) * ldc + n;
            if (cols == kIgemmNR) {
              kernel.tile(rows, pairs, a_panel, b_panel, c_tile, ldc, accumulate);
              continue;
            }
            kernel.tile(rows, pairs, a_panel, b_panel, edge, kIgemmNR, false);
            for (int r = 0; r < rows; ++r)
              for (int64_t j = 0; j < cols; ++j) {
                const int32_t v = edge[r * kIgemmNR + j];
                c_tile[r * ldc + j] = accumulate ? wrap_add(c_tile[r * ldc + j], v) : v;
              }
          }
        }
      }
    }
  });
}

namespace {

// nearbyint rounds half to even in the default rounding mode, which Onyx never changes;
// it vectorizes where round_half_even's branches do not.
template <class Q>
inline void requantize_to(const int32_t* acc, const float* multiplier, int64_t n,
                          int32_t zero_point, Q* out) {
  constexpr double lo = std::numeric_limits<Q>::lowest(), hi = std::numeric_limits<Q>::max();
  const double zp = zero_point;
  for (int64_t i = 0; i < n; ++i) {
    double v = static_cast<double>(acc[i]) * static_cast<double>(multiplier[i]);
    v = v != v ? 0.0 : v;  // NaN (an infinite scale times 0) gives the zero point
    double q = std::nearbyint(v) + zp;
    q = q < lo ? lo : q;
    q = q > hi ? hi : q;
    out[i] = static_cast<Q>(q);
  }
}

}  // namespace

ONYX_AVX2_CLONES
void requantize(const int32_t* acc, const float* multiplier, int64_t n, int32_t zero_point,
                uint8_t* out) {
  requantize_to(acc, multiplier, n, zero_point, out);
}

ONYX_AVX2_CLONES
void requantize(const int32_t* acc, const float* multiplier, int64_t n, int32_t zero_point,
                int8_t* out) {
  requantize_to(acc, multiplier, n, zero_point, out);
}

}  // namespace onyx::kernels
