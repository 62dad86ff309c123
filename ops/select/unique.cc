// Unique: the distinct elements of the flattened input, or the distinct slices along `axis`,
// with four outputs: Y (the distinct values), indices (where each first occurs in the input),
// inverse_indices (for every input element or slice, its position in Y) and counts. With
// sorted=1 (default) Y is in ascending order (slices compare lexicographically, like
// numpy.unique); with sorted=0 it is in order of first occurrence. NaNs sort last and are
// equal to each other.
#include <algorithm>
#include <cmath>
#include <optional>

#include "common/shape_utils.h"
#include "onyx/kernel.h"
#include "select/select_ops.h"

namespace onyx {
namespace {

// ---- 1. registration ----

std::vector<OpVersion> unique_versions() {
  return {{11, kOpsetOpen, all_dtypes(), {{"axis", AttrType::Int}, {"sorted", AttrType::Int}}}};
}

// ---- 2. attributes ----

struct UniqueParams {
  std::optional<int64_t> axis;  // absent: flatten
  bool sorted = true;

  template <class Ctx>
  static UniqueParams read(const Attrs& attrs, Ctx& ctx) {
    UniqueParams p;
    if (attrs.has("axis")) p.axis = attrs.get_int("axis", 0);
    int64_t sorted = attrs.get_int("sorted", 1);
    if (sorted != 0 && sorted != 1)
      ctx.fail(cat("attribute 'sorted' must be 0 or 1, got ", sorted));
    p.sorted = sorted == 1;
    return p;
  }

  // The axis in [0, rank), or nullopt when the input is flattened.
  template <class Ctx>
  std::optional<size_t> resolve(size_t rank, Ctx& ctx) const {
    if (!axis) return std::nullopt;
    return static_cast<size_t>(normalize_axis_or_fail(*axis, rank, ctx));
  }

  template <class Ctx>
  static int64_t normalize_axis_or_fail(int64_t axis, size_t rank, Ctx& ctx) {
    const int64_t r = static_cast<int64_t>(rank);
    if (axis < -r || axis >= r) ctx.fail(cat("axis ", axis, " is out of range for rank ", r));
    return axis < 0 ? axis + r : axis;
  }
};

// ---- 3. shape rule ----

void infer_unique(InferContext& ctx) {
  UniqueParams p = UniqueParams::read(Attrs(ctx.node(), ctx.label()), ctx);
  const TypeInfo& in = ctx.input(0);
  TypeInfo y = TypeInfo::tensor(in.elem);
  if (!p.axis) {
    y.shape = std::vector<Dim>(1);
  } else if (in.shape) {
    y.shape = in.shape;
    (*y.shape)[*p.resolve(in.shape->size(), ctx)] = Dim{};  // the number of distinct slices
  }
  ctx.set_output(0, y);
  for (int i = 1; i < ctx.num_outputs(); ++i)
    ctx.set_output(i, TypeInfo::tensor(DType::Int64, std::vector<Dim>(1)));
}

// ---- 4. compute ----

// Three-way comparison of two elements: NaN is greater than every number and equal to NaN.
template <class T>
int compare_elements(const T& a, const T& b) {
  if constexpr (std::is_same_v<T, std::string> || std::is_integral_v<T>) {
    return a < b ? -1 : (b < a ? 1 : 0);
  } else {
    const double x = static_cast<double>(a), y = static_cast<double>(b);  // halves in float
    if (std::isnan(x) || std::isnan(y)) return std::isnan(x) - std::isnan(y);
    return x < y ? -1 : (y < x ? 1 : 0);
  }
}

// The distinct slices, as groups of equal slices in output order.
struct Group {
  int64_t first;  // the first input slice of the group
  int64_t count;
};

class UniqueKernel final : public Kernel {
 public:
  explicit UniqueKernel(const KernelInit& init) : params_(UniqueParams::read(init.attrs(), init)) {
    const TypeInfo& in = init.input_type(0);
    if (in.shape) params_.resolve(in.shape->size(), init);
  }

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    std::optional<size_t> axis = params_.resolve(x.shape().size(), ctx);
    // View the input as [outer, n, inner]: slice i is x[o, i, k] over all (o, k).
    const Shape& s = x.shape();
    int64_t outer = 1, n = x.numel(), inner = 1;
    if (axis) {
      outer = checked_numel(Shape(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(*axis)));
      n = s[*axis];
      inner = checked_numel(Shape(s.begin() + static_cast<std::ptrdiff_t>(*axis) + 1, s.end()));
    }
    std::vector<int64_t> inverse(static_cast<size_t>(n));
    std::vector<Group> groups = group_slices(x, outer, n, inner, inverse);

    const int64_t u = static_cast<int64_t>(groups.size());
    Shape y_shape = {u};
    if (axis) {
      y_shape = s;
      y_shape[*axis] = u;
    }
    Tensor& y = ctx.allocate_output(0, x.dtype(), y_shape);
    dispatch_by_size(x.dtype(), "Unique", [&](auto tag) {
      using U = typename decltype(tag)::type;
      const U* src = static_cast<const U*>(x.raw());
      U* dst = static_cast<U*>(y.raw());
      for (int64_t o = 0; o < outer; ++o)
        for (const Group& g : groups)
          dst = std::copy_n(src + (o * n + g.first) * inner, inner, dst);
    });
    if (ctx.has_output(1)) {
      int64_t* p = ctx.allocate_output(1, DType::Int64, {u}).data<int64_t>();
      for (const Group& g : groups) *p++ = g.first;
    }
    if (ctx.has_output(2)) ctx.set_output(2, Tensor::from_vector<int64_t>({n}, inverse));
    if (ctx.has_output(3)) {
      int64_t* p = ctx.allocate_output(3, DType::Int64, {u}).data<int64_t>();
      for (const Group& g : groups) *p++ = g.count;
    }
  }

 private:
  // Groups the n slices by equality, in output order; fills inverse[i] = the group of slice i.
  std::vector<Group> group_slices(const Tensor& x, int64_t outer, int64_t n, int64_t inner,
                                  std::vector<int64_t>& inverse) const {
    std::vector<int64_t> order(static_cast<size_t>(n));
    std::vector<Group> groups;
    std::vector<int64_t> group_of_position(static_cast<size_t>(n));  // along `order`
    dispatch<AllTypes>(x.dtype(), "Unique", [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* src = x.data<T>();
      auto compare = [&](int64_t a, int64_t b) {  // lexicographic over the slice's elements
        for (int64_t o = 0; o < outer; ++o)
          for (int64_t k = 0; k < inner; ++k)
            if (int c =
                    compare_elements(src[(o * n + a) * inner + k], src[(o * n + b) * inner + k]))
              return c;
        return 0;
      };
      for (int64_t i = 0; i < n; ++i) order[static_cast<size_t>(i)] = i;
      // Stable: within a run of equal slices the first occurrence comes first.
      std::stable_sort(order.begin(), order.end(),
                       [&](int64_t a, int64_t b) { return compare(a, b) < 0; });
      for (size_t p = 0; p < order.size(); ++p) {
        if (p == 0 || compare(order[p - 1], order[p]) != 0) groups.push_back({order[p], 0});
        ++groups.back().count;
        group_of_position[p] = static_cast<int64_t>(groups.size()) - 1;
      }
    });
    // Sorted groups are in ascending order already; otherwise order them by first occurrence.
    std::vector<int64_t> rank_of_group(groups.size());
    std::vector<size_t> by_output(groups.size());
    for (size_t g = 0; g < groups.size(); ++g) by_output[g] = g;
    if (!params_.sorted)
      std::sort(by_output.begin(), by_output.end(),
                [&](size_t a, size_t b) { return groups[a].first < groups[b].first; });
    std::vector<Group> out;
    for (size_t r = 0; r < by_output.size(); ++r) {
      rank_of_group[by_output[r]] = static_cast<int64_t>(r);
      out.push_back(groups[by_output[r]]);
    }
    for (size_t p = 0; p < order.size(); ++p)
      inverse[static_cast<size_t>(order[p])] =
          rank_of_group[static_cast<size_t>(group_of_position[p])];
    return out;
  }

  UniqueParams params_;
};

}  // namespace

void register_unique(Registry& registry) {
  add_op_versions(registry, "Unique", unique_versions(), make_kernel<UniqueKernel>(), infer_unique);
}

}  // namespace onyx
