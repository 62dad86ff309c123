// Pad: grows (or, with negative pads, crops) each axis at both ends. `pads` lists
// [x1_begin, x2_begin, ..., x1_end, x2_end, ...]: an attribute (`paddings` in opset 1,
// `pads` in 2-10, with the fill in attribute `value`), then input 1 from opset 11 (with
// the fill as optional input 2). From opset 18 optional input 3 names the axes the pads
// apply to (others are not padded).
//
// Modes: constant (the fill value), edge (repeat the border element), reflect (mirror
// about the border element, not repeating it) and, from opset 19, wrap (continue
// periodically, as on a torus). Like numpy.pad, reflect and wrap repeat as often as a
// long pad needs. Negative pads crop first; the other end is then padded from the
// cropped data. Padding an empty axis is only possible in constant mode.
//
// Elements move by their storage (packed 4- and 2-bit elements by their codes). The
// default fill "0, empty string or False" is the all-zero code for every type, which is
// 0 for the float8, float4e2m1 and sub-byte integer types; float8e8m0 has no zero, and its
// code 0 (2^-127) is what Cast gives for 0 there too.
#include <algorithm>

#include "common/element_access.h"
#include "common/shape_utils.h"
#include "onyx/kernel.h"
#include "tensor/movement.h"
#include "tensor/tensor_ops.h"

namespace onyx {
namespace {

// ---- 1. registration ----

std::vector<DType> numeric_dtypes_11() {  // Pad-11's numeric types: no bfloat16
  std::vector<DType> out;
  for (DType t : dtypes_of(NumericTypes{}))
    if (t != DType::BFloat16) out.push_back(t);
  return out;
}

std::vector<OpVersion> pad_versions() {
  const std::map<std::string, AttrType> mode = {{"mode", AttrType::String}};
  return {{1,
           1,
           float_dtypes(),
           {{"paddings", AttrType::Ints}, {"mode", AttrType::String}, {"value", AttrType::Float}}},
          {2,
           10,
           float_dtypes(),
           {{"pads", AttrType::Ints}, {"mode", AttrType::String}, {"value", AttrType::Float}}},
          {11, 12, numeric_dtypes_11(), mode},  // pads and constant_value become inputs
          {13, 17, all_dtypes_13(), mode},
          {18, 18, all_dtypes_13(), mode},             // axes input
          {19, 20, all_dtypes_13(), mode},             // wrap mode
          {21, 22, all_dtypes_ir(10), mode},           // float8, int4, uint4
          {23, 23, all_dtypes_ir(11), mode},           // float4e2m1
          {24, 24, all_dtypes_ir(12), mode},           // float8e8m0
          {25, kOpsetOpen, all_dtypes_ir(13), mode}};  // int2, uint2
}

// ---- 2. attributes ----

enum class PadMode { Constant, Reflect, Edge, Wrap };

struct PadParams {
  PadMode mode = PadMode::Constant;
  std::optional<std::vector<int64_t>> pads;  // attribute, before opset 11
  float value = 0;                           // attribute, before opset 11
  int opset = 0;

  template <class Ctx>
  static PadParams read(const Attrs& attrs, int opset, Ctx& ctx) {
    PadParams p;
    p.opset = opset;
    std::string mode = attrs.get_string("mode", "constant");
    if (mode == "constant") {
      p.mode = PadMode::Constant;
    } else if (mode == "reflect") {
      p.mode = PadMode::Reflect;
    } else if (mode == "edge") {
      p.mode = PadMode::Edge;
    } else if (mode == "wrap" && opset >= 19) {
      p.mode = PadMode::Wrap;
    } else {
      ctx.fail(cat("unsupported mode '", mode, "' (constant, reflect, edge",
                   opset >= 19 ? ", wrap)" : "; wrap needs opset 19)"));
    }
    if (opset < 11) {
      const char* name = opset == 1 ? "paddings" : "pads";
      if (!attrs.has(name)) ctx.fail(cat("attribute '", name, "' is required"));
      p.pads = attrs.get_ints(name);
      p.value = attrs.get_float("value", 0.0f);
    }
    return p;
  }
};

// Per-dim begin and end pads for an input of `rank`, spreading pads over `axes` if given.
template <class Ctx>
std::pair<Shape, Shape> pads_per_dim(const std::vector<int64_t>& pads,
                                     const std::optional<std::vector<int64_t>>& axes, size_t rank,
                                     Ctx& ctx) {
  size_t k = axes ? axes->size() : rank;
  if (pads.size() != 2 * k)
    ctx.fail(cat("pads has ", pads.size(), " values; ", 2 * k, " expected (begin and end for ", k,
                 axes ? " axes)" : " dims)"));
  Shape begin(rank, 0), end(rank, 0);
  std::vector<bool> seen(rank, false);
  for (size_t i = 0; i < k; ++i) {
    size_t d = axes ? checked_axis((*axes)[i], rank, true, ctx) : i;
    if (seen[d]) ctx.fail(cat("axis ", d, " is listed twice in axes"));
    seen[d] = true;
    begin[d] = pads[i];
    end[d] = pads[i + k];
  }
  return {begin, end};
}

// The padded length of a dim of size n, or a failure when cropping removes more than n.
template <class Ctx>
int64_t padded_length(int64_t n, int64_t begin, int64_t end, Ctx& ctx) {
  bool crops_too_much = begin < -n || end < -n;  // checked first: -begin may not exist
  int64_t kept =
      crops_too_much ? -1 : n - std::max<int64_t>(0, -begin) - std::max<int64_t>(0, -end);
  if (kept < 0) ctx.fail(cat("pads ", begin, " and ", end, " crop more than a dim of size ", n));
  int64_t out;
  if (__builtin_add_overflow(kept, std::max<int64_t>(0, begin), &out) ||
      __builtin_add_overflow(out, std::max<int64_t>(0, end), &out))
    ctx.fail(cat("pads ", begin, " and ", end, " overflow the dim"));
  return out;
}

// ---- 3. shape rule ----

void infer_pad(InferContext& ctx) {
  PadParams p = PadParams::read(Attrs(ctx.node(), ctx.label()), ctx.opset(), ctx);
  const TypeInfo& in = ctx.input(0);
  TypeInfo out = TypeInfo::tensor(in.elem, in.shape);
  if (!out.shape) return ctx.set_output(0, out);
  std::optional<std::vector<int64_t>> pads = p.pads, axes;
  if (!pads && ctx.constant(1)) pads = tensor_to_ints(*ctx.constant(1), "pads", ctx);
  bool axes_known = !(ctx.opset() >= 18 && ctx.has_input(3));
  if (!axes_known && ctx.constant(3)) {
    axes = index_values(*ctx.constant(3), "axes", ctx);
    axes_known = true;
  }
  if (!pads || !axes_known) {
    out.shape = std::vector<Dim>(out.shape->size());
    return ctx.set_output(0, out);
  }
  auto [begin, end] = pads_per_dim(*pads, axes, out.shape->size(), ctx);
  for (size_t d = 0; d < begin.size(); ++d) {
    Dim& dim = (*out.shape)[d];
    if (dim.is_known()) {
      dim = Dim::known(padded_length(dim.value, begin[d], end[d], ctx));
    } else if (begin[d] != 0 || end[d] != 0) {
      dim = Dim{};
    }
  }
  ctx.set_output(0, out);
}

// ---- 4. compute ----

// For each output position along one dim, the input position it copies, or -1 for the
// fill value.
template <class Ctx>
std::vector<int64_t> source_map(int64_t n, int64_t begin, int64_t end, PadMode mode, Ctx& ctx) {
  int64_t lo = std::max<int64_t>(0, -begin);  // the kept input range [lo, lo + kept)
  int64_t kept = n - lo - std::max<int64_t>(0, -end);
  int64_t front = std::max<int64_t>(0, begin);
  std::vector<int64_t> map(static_cast<size_t>(padded_length(n, begin, end, ctx)));
  if (kept == 0 && mode != PadMode::Constant && map.size() > 0)
    ctx.fail("only constant mode can pad an axis with no elements");
  int64_t period = 2 * (kept - 1);  // reflect: ... 2 1 [0 1 2 ... kept-1] kept-2 ...
  for (size_t o = 0; o < map.size(); ++o) {
    int64_t s = static_cast<int64_t>(o) - front;  // position in the kept range
    if (s < 0 || s >= kept) {
      if (mode == PadMode::Constant) {
        map[o] = -1;
        continue;
      }
      if (mode == PadMode::Edge) s = std::clamp<int64_t>(s, 0, kept - 1);
      if (mode == PadMode::Wrap) s = ((s % kept) + kept) % kept;
      if (mode == PadMode::Reflect) {
        s = period == 0 ? 0 : ((s % period) + period) % period;
        if (s >= kept) s = period - s;
      }
    }
    map[o] = lo + s;
  }
  return map;
}

// Walks the output row by row (all dims but the last): a row whose outer position maps to
// the fill is filled; otherwise its elements come from the last dim's map.
void pad_into(const Tensor& in, const std::vector<std::vector<int64_t>>& maps, const Tensor& fill,
              Tensor& out) {
  if (out.numel() == 0) return;
  size_t rank = maps.size();
  std::vector<int64_t> strides = strides_of(in.shape());
  const std::vector<int64_t> scalar_map = {0};
  const std::vector<int64_t>& last = rank ? maps[rank - 1] : scalar_map;
  int64_t row = static_cast<int64_t>(last.size());
  dispatch_by_storage(in.dtype(), "Pad", [&](auto tag) {
    using E = ElementAccess<typename decltype(tag)::type>;
    const void* src = in.raw();
    const auto value = E::get(fill.raw(), 0);
    void* dst = out.raw();
    std::vector<int64_t> index(rank ? rank - 1 : 0, 0);
    for (int64_t r = 0, rows = out.numel() / row, at = 0; r < rows; ++r, at += row) {
      int64_t base = 0;
      bool filled = false;
      for (size_t d = 0; d < index.size(); ++d) {
        int64_t s = maps[d][static_cast<size_t>(index[d])];
        filled |= s < 0;
        base += s * strides[d];
      }
      for (int64_t i = 0; i < row; ++i) {
        int64_t s = last[static_cast<size_t>(i)];
        E::set(dst, at + i,
               filled || s < 0 ? value : E::get(src, base + s * (rank ? strides[rank - 1] : 0)));
      }
      for (size_t d = index.size(); d-- > 0;) {
        if (++index[d] < static_cast<int64_t>(maps[d].size())) break;
        index[d] = 0;
      }
    }
  });
}

class PadKernel final : public Kernel {
 public:
  explicit PadKernel(const KernelInit& init)
      : p_(PadParams::read(init.attrs(), init.opset(), init)) {
    if (p_.opset >= 11 && !init.has_input(1)) init.fail("Pad needs the pads input from opset 11");
  }

  void run(KernelContext& ctx) const override {
    const Tensor& in = ctx.input(0);
    std::optional<std::vector<int64_t>> axes;
    if (p_.opset >= 18 && ctx.has_input(3)) axes = index_values(ctx.input(3), "axes", ctx);
    std::vector<int64_t> pads = p_.pads ? *p_.pads : tensor_to_ints(ctx.input(1), "pads", ctx);
    auto [begin, end] = pads_per_dim(pads, axes, in.shape().size(), ctx);
    Shape shape;
    for (size_t d = 0; d < begin.size(); ++d)
      shape.push_back(padded_length(in.shape()[d], begin[d], end[d], ctx));
    checked_numel(shape);
    Tensor& out = ctx.allocate_output(0, in.dtype(), shape);
    std::vector<std::vector<int64_t>> maps;
    for (size_t d = 0; d < begin.size(); ++d)
      maps.push_back(source_map(in.shape()[d], begin[d], end[d], p_.mode, ctx));
    pad_into(in, maps, fill_value(ctx, in.dtype()), out);
  }

 private:
  // The constant mode's fill as a one-element tensor (zero, empty or false by default).
  Tensor fill_value(KernelContext& ctx, DType dtype) const {
    Tensor fill(dtype, {});
    if (p_.opset < 11) {
      dispatch<FloatTypes>(dtype, "Pad", [&](auto tag) {
        using T = typename decltype(tag)::type;
        fill.data<T>()[0] = static_cast<T>(p_.value);
      });
    } else if (ctx.has_input(2)) {
      const Tensor& v = ctx.input(2);
      if (v.dtype() != dtype || v.numel() != 1)
        ctx.fail(
            cat("constant_value must be one ", dtype_name(dtype), " value, got ", v.describe()));
      fill = v.reshaped({});
    }
    return fill;
  }

  PadParams p_;
};

}  // namespace

void register_pad(Registry& registry) {
  add_op_versions(registry, "Pad", pad_versions(), make_kernel<PadKernel>(), infer_pad);
}

}  // namespace onyx
