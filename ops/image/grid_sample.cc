// GridSample: Y[n, c, o] samples X[n, c] at the normalized position grid[n, o, :] (the
// last spatial axis of X first: grid[..., 0] is x along the width, grid[..., 1] is y).
//
//   position  align_corners = 1: -1 and 1 are the centers of the corner elements,
//             x = (g + 1) / 2 * (L - 1); align_corners = 0: -1 and 1 are their outer
//             edges, x = ((g + 1) * L - 1) / 2
//   padding   a position outside the border (the corner centers, or edges) is clamped to
//             [0, L - 1] (border) or reflected at the border until inside (reflection);
//             then each element the filter reads outside X is 0 (zeros), the edge element
//             (border) or its reflection (reflection)
//   mode      nearest: the element at round(x) (halves to even; std::round for 3-D, as
//             PyTorch); linear: weights 1 - |j - x| on floor(x), floor(x) + 1; cubic: Keys'
//             kernel with A = -0.75 on floor(x) - 1 .. floor(x) + 2; N-D is their product
//
// GridSample-16 takes 4-D X with modes bilinear/nearest/bicubic; 20 takes any rank >= 3
// and names the modes linear/nearest/cubic.
#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

#include "common/dtype_lists.h"
#include "common/shape_utils.h"
#include "image/image_ops.h"

namespace onyx {
namespace {

enum class GridMode { Nearest, Linear, Cubic };
enum class GridPadding { Zeros, Border, Reflection };

// ---- 1. registration ----

std::vector<OpVersion> grid_sample_versions() {
  const std::map<std::string, AttrType> a = {{"align_corners", AttrType::Int},
                                             {"mode", AttrType::String},
                                             {"padding_mode", AttrType::String}};
  // X's types; the grid's (T2) are float16/float/double, and bfloat16 from 22, checked by the
  // kernel since the registry checks one input.
  return {{16, 19, numeric_dtypes(), a},
          {20, 21, numeric_dtypes(), a},
          {22, kOpsetOpen, numeric_dtypes(), a}};
}

// ---- 2. attributes ----

struct GridAttrs {
  GridMode mode = GridMode::Linear;
  GridPadding padding = GridPadding::Zeros;
  bool align_corners = false;
  bool any_rank = false;  // opset 20+: N-D
};

GridAttrs read_grid_attrs(const Attrs& attrs, int opset, const std::string& label) {
  GridAttrs g;
  g.any_rank = opset >= 20;
  const std::string mode = attrs.get_string("mode", g.any_rank ? "linear" : "bilinear");
  if (mode == "nearest") {
    g.mode = GridMode::Nearest;
  } else if (mode == (g.any_rank ? "linear" : "bilinear")) {
    g.mode = GridMode::Linear;
  } else if (mode == (g.any_rank ? "cubic" : "bicubic")) {
    g.mode = GridMode::Cubic;
  } else {
    fail(label, ": mode '", mode, "' is not one of ",
         g.any_rank ? "linear, nearest, cubic" : "bilinear, nearest, bicubic");
  }
  const std::string padding = attrs.get_string("padding_mode", "zeros");
  if (padding == "zeros") {
    g.padding = GridPadding::Zeros;
  } else if (padding == "border") {
    g.padding = GridPadding::Border;
  } else if (padding == "reflection") {
    g.padding = GridPadding::Reflection;
  } else {
    fail(label, ": padding_mode '", padding, "' is not one of zeros, border, reflection");
  }
  const int64_t align = attrs.get_int("align_corners", 0);
  if (align != 0 && align != 1) fail(label, ": align_corners must be 0 or 1, got ", align);
  g.align_corners = align == 1;
  return g;
}

// ---- 3. shape rule: Y = (N, C, grid's spatial dims) ----

template <class D>
std::vector<D> grid_output(const GridAttrs& g, const std::vector<D>& x, const std::vector<D>& grid,
                           const std::string& label) {
  if (x.size() < 3 || (!g.any_rank && x.size() != 4))
    fail(label, ": X must have rank ", g.any_rank ? "3 or more" : "4", ", got rank ", x.size());
  if (grid.size() != x.size())
    fail(label, ": grid must have rank ", x.size(), " like X, got rank ", grid.size());
  std::vector<D> out = {x[0], x[1]};
  out.insert(out.end(), grid.begin() + 1, grid.end() - 1);
  return out;
}

void check_dims(const Shape& x, const Shape& grid, const std::string& label) {
  if (grid[0] != x[0]) fail(label, ": grid has batch ", grid[0], " but X has ", x[0]);
  if (grid.back() != static_cast<int64_t>(x.size()) - 2)
    fail(label, ": grid's last dim must be ", x.size() - 2, ", got ", grid.back());
}

void infer_grid_sample(InferContext& ctx) {
  const GridAttrs g = read_grid_attrs(Attrs(ctx.node(), ctx.label()), ctx.opset(), ctx.label());
  const TypeInfo& x = ctx.input(0);
  const TypeInfo& grid = ctx.input(1);
  if (!x.has_shape() || !grid.has_shape()) return ctx.set_output(0, TypeInfo::tensor(x.elem));
  ctx.set_output(0, TypeInfo::tensor(x.elem, grid_output(g, *x.shape, *grid.shape, ctx.label())));
}

// ---- 4. compute ----

// Folds x into [lo, hi] by reflecting at the ends as often as needed.
double reflect(double x, double lo, double hi) {
  const double range = hi - lo;
  if (range <= 0) return lo;
  if (x >= lo && x <= hi) return x;
  const double d = x < lo ? lo - x : x - hi;
  const double flips = std::floor(d / range);
  const double r = d - flips * range;
  const bool even = std::fmod(flips, 2.0) == 0;
  if (x < lo) return even ? lo + r : hi - r;
  return even ? hi - r : lo + r;
}

double keys_cubic(double d) {
  constexpr double a = -0.75;
  d = std::fabs(d);
  if (d <= 1) return ((a + 2) * d - (a + 3)) * d * d + 1;
  if (d < 2) return ((a * d - 5 * a) * d + 8 * a) * d - 4 * a;
  return 0;
}

struct Tap {
  int64_t index;  // -1: reads the zero padding
  double weight;
};

class GridSampleKernel final : public Kernel {
 public:
  explicit GridSampleKernel(const KernelInit& init)
      : label_(init.label()),
        attrs_(read_grid_attrs(init.attrs(), init.opset(), label_)),
        opset_(init.opset()) {
    check_grid_dtype(init.input_dtype(1));
    if (init.input_type(0).has_shape() && init.input_type(1).has_shape())
      grid_output(attrs_, *init.input_type(0).shape, *init.input_type(1).shape, label_);
  }

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& grid = ctx.input(1);
    const Shape out_shape = grid_output(attrs_, x.shape(), grid.shape(), label_);
    check_dims(x.shape(), grid.shape(), label_);
    check_grid_dtype(grid.dtype());
    const std::vector<double> g = float_values(grid);
    Tensor& y = ctx.allocate_output(0, x.dtype(), out_shape);
    const size_t r = static_cast<size_t>(x.rank() - 2);
    const Shape spatial(x.shape().begin() + 2, x.shape().end());
    const std::vector<int64_t> strides = strides_of(spatial);
    const int64_t N = x.dim(0), C = x.dim(1), S = checked_numel(spatial);
    const int64_t P = checked_numel(Shape(out_shape.begin() + 2, out_shape.end()));
    dispatch<NumericTypes>(x.dtype(), "GridSample", [&](auto tag) {
      using T = typename decltype(tag)::type;
      using A = std::conditional_t<std::is_same_v<T, double>, double, float>;
      const T* px = x.data<T>();
      T* py = y.data<T>();
      ctx.pool().parallel_for(N * P, 64, [&](int64_t begin, int64_t end) {
        std::vector<std::vector<Tap>> taps(r);
        std::vector<size_t> pick(r);
        for (int64_t np = begin; np < end; ++np) {
          const int64_t n = np / P, p = np % P;
          for (size_t k = 0; k < r; ++k)  // grid lists the last axis first
            axis_taps(g[static_cast<size_t>(np) * r + (r - 1 - k)], spatial[k], r, taps[k]);
          for (int64_t c = 0; c < C; ++c) {
            const T* plane = px + (n * C + c) * S;
            A sum = 0;
            std::fill(pick.begin(), pick.end(), 0);
            for (bool more = true; more;) {  // every combination of one tap per axis
              double w = 1;
              int64_t offset = 0;
              for (size_t k = 0; k < r && offset >= 0; ++k) {
                const Tap& t = taps[k][pick[k]];
                w *= t.weight;
                offset = t.index < 0 ? -1 : offset + t.index * strides[k];
              }
              if (offset >= 0 && w != 0) sum += static_cast<A>(w) * static_cast<A>(plane[offset]);
              more = false;
              for (size_t k = r; k-- > 0;) {
                if (++pick[k] < taps[k].size()) {
                  more = true;
                  break;
                }
                pick[k] = 0;
              }
            }
            py[(n * C + c) * P + p] = convert<T>(sum);
          }
        }
      });
    });
  }

 private:
  // The grid (T2) is float16, float or double; GridSample-22 added bfloat16.
  void check_grid_dtype(DType t) const {
    if (t == DType::Undefined) return;  // not known before run
    const std::vector<DType> allowed = opset_ >= 22 ? float_dtypes_bf16() : float_dtypes();
    if (!dtype_listed(allowed, t))
      fail(label_, ": GridSample (domain ai.onnx, opset ", opset_,
           ") does not accept a grid of dtype ", dtype_name(t),
           opset_ < 22 && t == DType::BFloat16 ? " (bfloat16 needs opset 22)" : "");
  }

  static std::vector<double> float_values(const Tensor& t) {
    std::vector<double> out(static_cast<size_t>(t.numel()));
    dispatch<FloatTypes>(t.dtype(), "GridSample grid", [&](auto tag) {
      using G = typename decltype(tag)::type;
      for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<double>(t.data<G>()[i]);
    });
    return out;
  }

  template <class T, class A>
  static T convert(A v) {
    if constexpr (std::is_integral_v<T>) {
      return static_cast<T>(std::clamp<A>(std::trunc(v), A(std::numeric_limits<T>::lowest()),
                                          A(std::numeric_limits<T>::max())));
    } else {
      return T(v);
    }
  }

  // The input index the filter reads along one axis of length len, after padding.
  int64_t fetch(int64_t i, int64_t len, double lo, double hi) const {
    if (i >= 0 && i < len) return i;
    if (attrs_.padding == GridPadding::Zeros) return -1;
    if (attrs_.padding == GridPadding::Border) return std::clamp<int64_t>(i, 0, len - 1);
    return std::clamp<int64_t>(static_cast<int64_t>(reflect(static_cast<double>(i), lo, hi)), 0,
                               len - 1);
  }

  // Taps of normalized coordinate v on an axis of length len.
  void axis_taps(double v, int64_t len, size_t rank, std::vector<Tap>& taps) const {
    taps.clear();
    const double L = static_cast<double>(len);
    double x = attrs_.align_corners ? (v + 1) / 2 * (L - 1) : ((v + 1) * L - 1) / 2;
    const double lo = attrs_.align_corners ? 0 : -0.5, hi = attrs_.align_corners ? L - 1 : L - 0.5;
    if (std::isnan(x) || len == 0) return taps.push_back({-1, 0});
    if (attrs_.mode == GridMode::Nearest) x = rank == 3 ? std::round(x) : std::nearbyint(x);
    if (x < lo || x > hi) {
      if (attrs_.padding == GridPadding::Border) x = std::clamp(x, 0.0, L - 1);
      if (attrs_.padding == GridPadding::Reflection) x = reflect(x, lo, hi);
    }
    x = std::clamp(x, -4.0, L + 4.0);  // farther out every tap reads zero padding anyway
    if (attrs_.mode == GridMode::Nearest)
      return taps.push_back({fetch(static_cast<int64_t>(x), len, lo, hi), 1.0});
    const double x0 = std::floor(x), t = x - x0;
    const int64_t i0 = static_cast<int64_t>(x0);
    if (attrs_.mode == GridMode::Linear) {
      taps.push_back({fetch(i0, len, lo, hi), 1 - t});
      taps.push_back({fetch(i0 + 1, len, lo, hi), t});
      return;
    }
    for (int64_t k = -1; k <= 2; ++k)
      taps.push_back({fetch(i0 + k, len, lo, hi), keys_cubic(static_cast<double>(k) - t)});
  }

  std::string label_;
  GridAttrs attrs_;
  int opset_;
};

}  // namespace

void register_grid_sample(Registry& registry) {
  add_op_versions(registry, "GridSample", grid_sample_versions(), make_kernel<GridSampleKernel>(),
                  infer_grid_sample);
}

}  // namespace onyx
