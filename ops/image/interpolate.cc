#include "image/interpolate.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

#include "common/shape_utils.h"

namespace onyx {
namespace {

double source_coordinate(const InterpOptions& o, double p, double scale, int64_t in, int64_t out,
                         double len_out, double r0, double r1) {
  const double len_in = static_cast<double>(in);
  switch (o.coord) {
    case CoordMode::HalfPixel:
      return (p + 0.5) / scale - 0.5;
    case CoordMode::HalfPixelSymmetric: {
      const double adjustment = static_cast<double>(out) / len_out;
      const double offset = len_in / 2 * (1 - adjustment);
      return offset + (p + 0.5) / scale - 0.5;
    }
    case CoordMode::PytorchHalfPixel:
      return len_out > 1 ? (p + 0.5) / scale - 0.5 : 0.0;
    case CoordMode::AlignCorners:
      return len_out > 1 ? p * (len_in - 1) / (len_out - 1) : 0.0;
    case CoordMode::Asymmetric:
      return p / scale;
    case CoordMode::TfHalfPixelForNN:
      return (p + 0.5) / scale;
    case CoordMode::TfCropAndResize:
      return len_out > 1 ? r0 * (len_in - 1) + p * (r1 - r0) * (len_in - 1) / (len_out - 1)
                         : 0.5 * (r0 + r1) * (len_in - 1);
  }
  return 0;
}

int64_t nearest_index(NearestMode mode, double x) {
  const double below = std::floor(x);
  switch (mode) {
    case NearestMode::RoundPreferFloor:
      return static_cast<int64_t>(x - below == 0.5 ? below : std::round(x));
    case NearestMode::RoundPreferCeil:
      return static_cast<int64_t>(x - below == 0.5 ? below + 1 : std::round(x));
    case NearestMode::Floor:
      return static_cast<int64_t>(below);
    case NearestMode::Ceil:
      return static_cast<int64_t>(std::ceil(x));
  }
  return 0;
}

// Keys' cubic convolution kernel with coefficient a.
double cubic_weight(double a, double d) {
  d = std::fabs(d);
  if (d <= 1) return ((a + 2) * d - (a + 3)) * d * d + 1;
  if (d < 2) return ((a * d - 5 * a) * d + 8 * a) * d - 4 * a;
  return 0;
}

// Linear/cubic taps of source coordinate x, appended to t.
void filter_taps(const InterpOptions& o, double x, double scale, AxisTaps& t) {
  const double stretch = o.antialias ? std::min(scale, 1.0) : 1.0;
  const double radius = (o.mode == InterpMode::Linear ? 1.0 : 2.0) / stretch;
  const int64_t lo = static_cast<int64_t>(std::floor(x - radius));
  const int64_t hi = static_cast<int64_t>(std::ceil(x + radius));
  const size_t first = t.index.size();
  double sum = 0;
  for (int64_t j = lo; j <= hi; ++j) {
    const bool inside = j >= 0 && j < t.in;
    if (!inside && o.exclude_outside) continue;
    const double d = (static_cast<double>(j) - x) * stretch;
    const double w =
        o.mode == InterpMode::Linear ? std::max(0.0, 1 - std::fabs(d)) : cubic_weight(o.cubic_a, d);
    if (w == 0) continue;
    t.index.push_back(std::clamp<int64_t>(j, 0, t.in - 1));  // edge elements repeat
    t.weight.push_back(w);
    sum += w;
  }
  if ((o.antialias || o.exclude_outside) && sum != 0)
    for (size_t k = first; k < t.weight.size(); ++k) t.weight[k] /= sum;
}

template <class T, class A>
T to_storage(A v) {
  if constexpr (std::is_integral_v<T>) {
    if (std::isnan(v)) return T{0};
    v = std::trunc(v);
    if (v <= static_cast<A>(std::numeric_limits<T>::lowest()))
      return std::numeric_limits<T>::lowest();
    if (v >= static_cast<A>(std::numeric_limits<T>::max())) return std::numeric_limits<T>::max();
    return static_cast<T>(v);
  } else {
    return T(static_cast<std::conditional_t<std::is_same_v<T, double>, double, float>>(v));
  }
}

// Wide intermediates: double for double and 32/64-bit integers, float otherwise.
template <class T>
using interp_t =
    std::conditional_t<std::is_same_v<T, double> || (std::is_integral_v<T> && sizeof(T) >= 4),
                       double, float>;

// One 1-D pass along an axis viewed as [outer, t.in, inner] -> [outer, t.out, inner].
template <class In, class A>
void resample_axis(const In* src, A* dst, int64_t outer, int64_t inner, const AxisTaps& t,
                   A extrapolation, const ThreadPool& pool) {
  const int64_t grain = std::max<int64_t>(1, 4096 / std::max<int64_t>(1, t.out * inner));
  pool.parallel_for(outer, grain, [&](int64_t o0, int64_t o1) {
    for (int64_t o = o0; o < o1; ++o) {
      const In* s = src + o * t.in * inner;
      for (int64_t p = 0; p < t.out; ++p) {
        A* row = dst + (o * t.out + p) * inner;
        std::fill(row, row + inner, t.outside[p] ? extrapolation : A(0));
        if (t.outside[p]) continue;
        for (int64_t k = t.begin[p]; k < t.begin[p + 1]; ++k) {
          const A w = static_cast<A>(t.weight[k]);
          const In* in_row = s + t.index[k] * inner;
          for (int64_t i = 0; i < inner; ++i) row[i] += w * static_cast<A>(in_row[i]);
        }
      }
    }
  });
}

// Nearest: every output element copies one input element (or is the extrapolation value).
template <class T>
void gather_nearest(const T* x, T* y, const Shape& in, const std::vector<AxisTaps>& axes,
                    T extrapolation) {
  const size_t rank = axes.size();
  const std::vector<int64_t> strides = strides_of(in);
  std::vector<std::vector<int64_t>> offsets(rank);  // per axis and output position; -1: outside
  for (size_t a = 0; a < rank; ++a)
    for (int64_t p = 0; p < axes[a].out; ++p)
      offsets[a].push_back(axes[a].outside[p] ? -1 : axes[a].index[axes[a].begin[p]] * strides[a]);
  const int64_t last = axes[rank - 1].out;
  Shape out(rank);
  for (size_t a = 0; a < rank; ++a) out[a] = axes[a].out;
  const int64_t rows = last == 0 ? 0 : checked_numel(out) / last;
  std::vector<int64_t> idx(rank, 0);
  for (int64_t r = 0; r < rows; ++r, y += last) {
    int64_t base = 0;
    bool outside = false;
    for (size_t a = 0; a + 1 < rank; ++a) {
      outside = outside || offsets[a][idx[a]] < 0;
      base += offsets[a][idx[a]];
    }
    for (int64_t j = 0; j < last; ++j) {
      const int64_t off = offsets[rank - 1][j];
      y[j] = outside || off < 0 ? extrapolation : x[base + off];
    }
    for (size_t a = rank - 1; a-- > 0;) {  // odometer over the outer axes
      if (++idx[a] < axes[a].out) break;
      idx[a] = 0;
    }
  }
}

}  // namespace

bool AxisTaps::identity() const {
  if (in != out) return false;
  for (int64_t p = 0; p < out; ++p)
    if (outside[p] || begin[p + 1] - begin[p] != 1 || index[begin[p]] != p ||
        weight[begin[p]] != 1.0)
      return false;
  return true;
}

AxisTaps axis_taps(const InterpOptions& options, int64_t in, int64_t out, double length,
                   double scale, double roi_start, double roi_end) {
  AxisTaps t;
  t.in = in;
  t.out = out;
  t.begin.push_back(0);
  for (int64_t p = 0; p < out; ++p) {
    double x = source_coordinate(options, static_cast<double>(p), scale, in, out, length, roi_start,
                                 roi_end);
    // NaN (from a NaN roi) counts as outside too.
    const bool outside = options.coord == CoordMode::TfCropAndResize &&
                         !(x >= 0 && x <= static_cast<double>(in - 1));
    // Farther out than any filter reaches, every tap reads an edge element anyway; clamping
    // keeps the integer casts below in range.
    const double margin = 4 + 2 / std::min(scale, 1.0);
    if (!outside) x = std::clamp(x, -margin, static_cast<double>(in) + margin);
    t.outside.push_back(outside ? 1 : 0);
    if (!outside && options.mode == InterpMode::Nearest) {
      t.index.push_back(std::clamp<int64_t>(nearest_index(options.nearest, x), 0, in - 1));
      t.weight.push_back(1.0);
    } else if (!outside) {
      filter_taps(options, x, scale, t);
    }
    t.begin.push_back(static_cast<int64_t>(t.index.size()));
  }
  return t;
}

void resample(const Tensor& x, const std::vector<AxisTaps>& axes, const InterpOptions& options,
              Tensor& y, const ThreadPool& pool, const char* op) {
  if (y.numel() == 0) return;
  if (x.rank() == 0) {  // a scalar has no axis to resize
    std::memcpy(y.raw(), x.raw(), x.nbytes());
    return;
  }
  dispatch<NumericTypes>(x.dtype(), op, [&](auto tag) {
    using T = typename decltype(tag)::type;
    using A = interp_t<T>;
    const T* px = x.data<T>();
    T* py = y.data<T>();
    if (options.mode == InterpMode::Nearest)
      return gather_nearest<T>(px, py, x.shape(), axes, to_storage<T>(options.extrapolation));
    // One pass per axis that changes anything, each in the wide type A.
    Shape shape = x.shape();
    std::vector<A> current, next;
    bool started = false;
    for (size_t a = 0; a < axes.size(); ++a) {
      if (axes[a].identity()) continue;
      const int64_t outer = checked_numel(Shape(shape.begin(), shape.begin() + a));
      const int64_t inner = checked_numel(Shape(shape.begin() + a + 1, shape.end()));
      shape[a] = axes[a].out;
      next.assign(static_cast<size_t>(checked_numel(shape)), A(0));
      const A extrapolation = static_cast<A>(options.extrapolation);
      if (started) {
        resample_axis<A, A>(current.data(), next.data(), outer, inner, axes[a], extrapolation,
                            pool);
      } else {
        resample_axis<T, A>(px, next.data(), outer, inner, axes[a], extrapolation, pool);
      }
      current.swap(next);
      started = true;
    }
    if (!started) {
      std::copy_n(px, x.numel(), py);
      return;
    }
    for (size_t i = 0; i < current.size(); ++i) py[i] = to_storage<T>(current[i]);
  });
}

}  // namespace onyx
