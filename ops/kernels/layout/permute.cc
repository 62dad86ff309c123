#include "kernels/layout/permute.h"

#include <algorithm>
#include <cstring>

#include "kernels/cpu.h"
#include "kernels/layout/transpose_tile.h"

namespace onyx::kernels {
namespace {

// Work below this many bytes stays on the calling thread.
constexpr int64_t kPermuteTaskBytes = 64 * 1024;
// Tiles are kTile x kTile elements: 32 rows of 32 elements span 32 cache lines of
// reads and writes at 4 bytes, well inside L1.
constexpr int64_t kTile = 32;

// The permutation as output dims (sizes and input strides, in elements) with size-1
// dims dropped and runs of dims that stay adjacent and in order merged into one.
struct ReducedPermute {
  std::vector<int64_t> dims, in_strides;
  bool empty = false;
};

ReducedPermute reduce(const std::vector<int64_t>& shape, const std::vector<int64_t>& perm) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (size_t d = shape.size(); d-- > 1;) strides[d - 1] = strides[d] * shape[d];
  ReducedPermute r;
  for (int64_t axis : perm) {
    const int64_t d = shape[static_cast<size_t>(axis)];
    const int64_t s = strides[static_cast<size_t>(axis)];
    if (d == 0) r.empty = true;
    if (d == 1) continue;
    if (!r.dims.empty() && r.in_strides.back() == s * d) {  // continues the previous dim
      r.dims.back() *= d;
      r.in_strides.back() = s;
    } else {
      r.dims.push_back(d);
      r.in_strides.push_back(s);
    }
  }
  return r;
}

// Walks a set of dims in row-major order, tracking the input and output offsets of the
// current index (dims may be listed in any order; each has its own strides).
class Odometer {
 public:
  Odometer(std::vector<int64_t> dims, std::vector<int64_t> in_strides,
           std::vector<int64_t> out_strides)
      : dims_(std::move(dims)),
        in_strides_(std::move(in_strides)),
        out_strides_(std::move(out_strides)),
        index_(dims_.size(), 0) {}

  int64_t count() const {
    int64_t n = 1;
    for (int64_t d : dims_) n *= d;
    return n;
  }
  // Moves to the flat position `flat`.
  void seek(int64_t flat) {
    in_ = out_ = 0;
    for (size_t d = dims_.size(); d-- > 0;) {
      index_[d] = flat % dims_[d];
      flat /= dims_[d];
      in_ += index_[d] * in_strides_[d];
      out_ += index_[d] * out_strides_[d];
    }
  }
  void next() {
    for (size_t d = dims_.size(); d-- > 0;) {
      in_ += in_strides_[d];
      out_ += out_strides_[d];
      if (++index_[d] < dims_[d]) return;
      in_ -= in_strides_[d] * dims_[d];
      out_ -= out_strides_[d] * dims_[d];
      index_[d] = 0;
    }
  }
  int64_t in() const { return in_; }
  int64_t out() const { return out_; }

 private:
  std::vector<int64_t> dims_, in_strides_, out_strides_, index_;
  int64_t in_ = 0, out_ = 0;
};

// Tasks of about kPermuteTaskBytes each over `units` units of `unit_bytes`.
int64_t units_per_task(int64_t units, int64_t unit_bytes, const Parallel& parallel) {
  const int64_t total = units * unit_bytes;
  if (parallel.threads <= 1 || total < 2 * kPermuteTaskBytes) return std::max<int64_t>(units, 1);
  return std::max<int64_t>(1, kPermuteTaskBytes / std::max<int64_t>(unit_bytes, 1));
}

void split(int64_t units, int64_t per_task, const Parallel& parallel,
           const std::function<void(int64_t, int64_t)>& fn) {
  const int64_t tasks = (units + per_task - 1) / per_task;
  parallel.for_tasks(
      tasks, [&](int64_t t0, int64_t t1) { fn(t0 * per_task, std::min(units, t1 * per_task)); });
}

// The output rows are runs of the input: one block copy each.
void copy_rows(const char* in, char* out, int64_t bytes, const ReducedPermute& r,
               const Parallel& parallel) {
  const int64_t row_bytes = r.dims.back() * bytes;
  std::vector<int64_t> dims(r.dims.begin(), r.dims.end() - 1);
  std::vector<int64_t> in_strides(r.in_strides.begin(), r.in_strides.end() - 1);
  std::vector<int64_t> out_strides(dims.size());
  int64_t stride = r.dims.back();
  for (size_t d = dims.size(); d-- > 0;) {
    out_strides[d] = stride;
    stride *= dims[d];
  }
  Odometer rows(dims, in_strides, out_strides);
  const int64_t count = rows.count();
  split(count, units_per_task(count, row_bytes, parallel), parallel, [&](int64_t r0, int64_t r1) {
    Odometer at = rows;
    at.seek(r0);
    for (int64_t row = r0; row < r1; ++row, at.next())
      std::memcpy(out + at.out() * bytes, in + at.in() * bytes, static_cast<size_t>(row_bytes));
  });
}

template <int kBytes>
struct Element {
  unsigned char b[kBytes];
};
template <int kBytes>
using element_t = std::conditional_t<
    kBytes == 1, uint8_t,
    std::conditional_t<
        kBytes == 2, uint16_t,
        std::conditional_t<kBytes == 4, uint32_t,
                           std::conditional_t<kBytes == 8, uint64_t, Element<kBytes>>>>>;

// out[a * out_stride + b] = in[a + b * in_stride] for a < rows, b < cols.
template <class E>
void transpose_tile(const E* in, E* out, int64_t rows, int64_t cols, int64_t in_stride,
                    int64_t out_stride) {
  for (int64_t a = 0; a < rows; ++a)
    for (int64_t b = 0; b < cols; ++b) out[a * out_stride + b] = in[a + b * in_stride];
}

// A last output dim of 2 to 4 elements right after the contiguous dim (a pixel shuffle's
// interleave): out[a * B + b] = in[a + b * in_stride], with B fixed so that the loop
// vectorizes into loads and interleaving permutes.
template <int B, class E>
ONYX_AVX2_CLONES void interleave_rows(const E* in, E* out, int64_t rows, int64_t in_stride) {
  for (int64_t a = 0; a < rows; ++a)
    for (int b = 0; b < B; ++b) out[a * B + b] = in[a + b * in_stride];
}

template <class E>
bool interleave(const E* in, E* out, int64_t rows, int64_t cols, int64_t in_stride,
                int64_t out_stride) {
  if (out_stride != cols) return false;
  switch (cols) {
    case 2:
      interleave_rows<2>(in, out, rows, in_stride);
      return true;
    case 3:
      interleave_rows<3>(in, out, rows, in_stride);
      return true;
    case 4:
      interleave_rows<4>(in, out, rows, in_stride);
      return true;
    default:
      return false;
  }
}

// The last output dim is strided in the input. With `a` the output dim that is
// contiguous in the input and `b` the last output dim, every index of the other dims
// owns an (A x B) matrix, transposed in kTile x kTile tiles.
template <int kBytes>
void transpose_tiles(const char* in_bytes, char* out_bytes, const ReducedPermute& r,
                     const Parallel& parallel) {
  using E = element_t<kBytes>;
  const E* in = reinterpret_cast<const E*>(in_bytes);
  E* out = reinterpret_cast<E*>(out_bytes);
  const size_t last = r.dims.size() - 1;
  const size_t a_dim = static_cast<size_t>(std::find(r.in_strides.begin(), r.in_strides.end(), 1) -
                                           r.in_strides.begin());
  std::vector<int64_t> out_strides(r.dims.size());
  int64_t stride = 1;
  for (size_t d = r.dims.size(); d-- > 0;) {
    out_strides[d] = stride;
    stride *= r.dims[d];
  }
  // The other dims, then the tiles of dim a as the innermost "dim" of the walk.
  const int64_t A = r.dims[a_dim], B = r.dims[last];
  const int64_t b_in_stride = r.in_strides[last], a_out_stride = out_strides[a_dim];
  std::vector<int64_t> dims, in_strides, walk_out_strides;
  for (size_t d = 0; d < last; ++d) {
    if (d == a_dim) continue;
    dims.push_back(r.dims[d]);
    in_strides.push_back(r.in_strides[d]);
    walk_out_strides.push_back(out_strides[d]);
  }
  dims.push_back((A + kTile - 1) / kTile);
  in_strides.push_back(kTile);
  walk_out_strides.push_back(kTile * a_out_stride);
  Odometer strips(dims, in_strides, walk_out_strides);
  const int64_t count = strips.count();
  const TransposeTile4Fn fast4 = kBytes == 4 ? transpose_tile_4byte() : nullptr;
  split(count, units_per_task(count, kTile * B * kBytes, parallel), parallel,
        [&](int64_t s0, int64_t s1) {
          Odometer at = strips;
          at.seek(s0);
          for (int64_t s = s0; s < s1; ++s, at.next()) {
            const int64_t a0 = (s % dims.back()) * kTile, rows = std::min(kTile, A - a0);
            for (int64_t b0 = 0; b0 < B; b0 += kTile) {
              const E* src = in + at.in() + b0 * b_in_stride;
              E* dst = out + at.out() + b0;
              const int64_t cols = std::min(kTile, B - b0);
              if (interleave(src, dst, rows, cols, b_in_stride, a_out_stride)) continue;
              if (fast4)
                fast4(src, dst, rows, cols, b_in_stride, a_out_stride);
              else
                transpose_tile(src, dst, rows, cols, b_in_stride, a_out_stride);
            }
          }
        });
}

}  // namespace

void permute(const void* in, void* out, int element_bytes, const std::vector<int64_t>& shape,
             const std::vector<int64_t>& perm, const Parallel& parallel) {
  const ReducedPermute r = reduce(shape, perm);
  if (r.empty) return;
  const char* src = static_cast<const char*>(in);
  char* dst = static_cast<char*>(out);
  if (r.dims.empty()) {  // a single element
    std::memcpy(dst, src, static_cast<size_t>(element_bytes));
    return;
  }
  if (r.in_strides.back() == 1) return copy_rows(src, dst, element_bytes, r, parallel);
  switch (element_bytes) {
    case 1:
      return transpose_tiles<1>(src, dst, r, parallel);
    case 2:
      return transpose_tiles<2>(src, dst, r, parallel);
    case 4:
      return transpose_tiles<4>(src, dst, r, parallel);
    case 8:
      return transpose_tiles<8>(src, dst, r, parallel);
    default:
      return transpose_tiles<16>(src, dst, r, parallel);
  }
}

}  // namespace onyx::kernels

namespace onyx::kernels {

TransposeTile4Fn transpose_tile_4byte() {
  return active_isa() >= Isa::Avx2 ? transpose_tile_4byte_avx2() : nullptr;
}

}  // namespace onyx::kernels
