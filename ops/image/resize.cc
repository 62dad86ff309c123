// Resize and Upsample: every output element is a weighted average of input elements near
// its source coordinate (interpolate.h states the coordinate transforms and filters); the
// output size comes from scales or sizes (common/spatial.h: resize_geometry).
//
//   Upsample-7/9, Resize-10  scales only; asymmetric coordinates, nearest rounds down
//   Resize-11                roi, scales (empty when sizes are given), optional sizes;
//                            coordinate_transformation_mode, nearest_mode, cubic
//   Resize-13                roi and scales optional; bfloat16
//   Resize-18                antialias, axes, keep_aspect_ratio_policy; drops
//                            tf_half_pixel_for_nn
//   Resize-19                half_pixel_symmetric
// Exactly one of scales and sizes is given; an empty tensor counts as not given.
//
// A float tensor resized on its last two axes alone (images) takes the fast path,
// kernels::resize_planes, with the same tap tables.
#include <set>

#include "common/dtype_lists.h"
#include "common/parallel.h"
#include "common/shape_utils.h"
#include "common/spatial.h"
#include "image/image_ops.h"
#include "image/interpolate.h"
#include "kernels/image/resize.h"

namespace onyx {
namespace {

// ---- 1. registration ----

std::vector<OpVersion> resize_versions() {
  std::map<std::string, AttrType> a = {{"mode", AttrType::String}};
  std::vector<OpVersion> v = {{10, 10, numeric_dtypes_no_bf16(), a}};
  a["coordinate_transformation_mode"] = AttrType::String;
  a["cubic_coeff_a"] = AttrType::Float;
  a["exclude_outside"] = AttrType::Int;
  a["extrapolation_value"] = AttrType::Float;
  a["nearest_mode"] = AttrType::String;
  v.push_back({11, 12, numeric_dtypes_no_bf16(), a});
  v.push_back({13, 17, numeric_dtypes(), a});
  a["antialias"] = AttrType::Int;
  a["axes"] = AttrType::Ints;
  a["keep_aspect_ratio_policy"] = AttrType::String;
  v.push_back({18, 18, numeric_dtypes(), a});
  v.push_back({19, kOpsetOpen, numeric_dtypes(), a});
  return v;
}

std::vector<OpVersion> upsample_versions() {
  return {
      {7, 8, numeric_dtypes_no_bf16(), {{"mode", AttrType::String}, {"scales", AttrType::Floats}}},
      {9, 9, numeric_dtypes_no_bf16(), {{"mode", AttrType::String}}}};
}

// ---- 2. attributes ----

struct ResizeAttrs {
  InterpOptions options;
  std::vector<int64_t> axes;  // as written (Resize-18+), empty: all
  AspectPolicy policy = AspectPolicy::Stretch;
  std::vector<float> attr_scales;  // Upsample-7
  int roi_input = -1, scales_input = -1, sizes_input = -1;
  bool upsample = false;
};

template <class E>
E pick(const std::string& value, const char* attr, const std::map<std::string, E>& choices,
       const std::string& label) {
  auto it = choices.find(value);
  if (it == choices.end()) fail(label, ": ", attr, " '", value, "' is not supported here");
  return it->second;
}

bool read_flag(const Attrs& attrs, const char* name, const std::string& label) {
  const int64_t v = attrs.get_int(name, 0);
  if (v != 0 && v != 1) fail(label, ": ", name, " must be 0 or 1, got ", v);
  return v == 1;
}

ResizeAttrs read_resize_attrs(const Attrs& attrs, bool upsample, int opset,
                              const std::string& label) {
  ResizeAttrs r;
  r.upsample = upsample;
  InterpOptions& o = r.options;
  std::map<std::string, InterpMode> modes = {{"nearest", InterpMode::Nearest},
                                             {"linear", InterpMode::Linear}};
  if (!upsample && opset >= 11) modes["cubic"] = InterpMode::Cubic;
  o.mode = pick(attrs.get_string("mode", "nearest"), "mode", modes, label);
  // The older versions resize like the version converter's translation to Resize-11.
  o.coord = CoordMode::Asymmetric;
  o.nearest = NearestMode::Floor;
  if (upsample) {
    if (opset < 9) {
      if (!attrs.has("scales")) fail(label, ": attribute scales is required");
      r.attr_scales = attrs.get_floats("scales");
    } else {
      r.scales_input = 1;
    }
  } else if (opset < 11) {
    r.scales_input = 1;
  } else {
    r.roi_input = 1;
    r.scales_input = 2;
    r.sizes_input = 3;
    std::map<std::string, CoordMode> coords = {{"half_pixel", CoordMode::HalfPixel},
                                               {"pytorch_half_pixel", CoordMode::PytorchHalfPixel},
                                               {"align_corners", CoordMode::AlignCorners},
                                               {"asymmetric", CoordMode::Asymmetric},
                                               {"tf_crop_and_resize", CoordMode::TfCropAndResize}};
    if (opset < 18) coords["tf_half_pixel_for_nn"] = CoordMode::TfHalfPixelForNN;
    if (opset >= 19) coords["half_pixel_symmetric"] = CoordMode::HalfPixelSymmetric;
    o.coord = pick(attrs.get_string("coordinate_transformation_mode", "half_pixel"),
                   "coordinate_transformation_mode", coords, label);
    o.nearest = pick(
        attrs.get_string("nearest_mode", "round_prefer_floor"), "nearest_mode",
        std::map<std::string, NearestMode>{{"round_prefer_floor", NearestMode::RoundPreferFloor},
                                           {"round_prefer_ceil", NearestMode::RoundPreferCeil},
                                           {"floor", NearestMode::Floor},
                                           {"ceil", NearestMode::Ceil}},
        label);
    o.cubic_a = attrs.get_float("cubic_coeff_a", -0.75f);
    o.exclude_outside = read_flag(attrs, "exclude_outside", label);
    o.extrapolation = attrs.get_float("extrapolation_value", 0.0f);
  }
  if (!upsample && opset >= 18) {
    o.antialias = read_flag(attrs, "antialias", label);
    r.axes = attrs.get_ints("axes");
    r.policy =
        pick(attrs.get_string("keep_aspect_ratio_policy", "stretch"), "keep_aspect_ratio_policy",
             std::map<std::string, AspectPolicy>{{"stretch", AspectPolicy::Stretch},
                                                 {"not_larger", AspectPolicy::NotLarger},
                                                 {"not_smaller", AspectPolicy::NotSmaller}},
             label);
  }
  return r;
}

// The resized axes, normalized and checked for repeats.
std::vector<int> resized_axes(const ResizeAttrs& r, int rank, const std::string& label) {
  std::vector<int> axes;
  std::set<int> seen;
  for (int64_t a : r.axes) {
    const int axis = normalize_axis(a, rank, label + ": axes");
    if (!seen.insert(axis).second) fail(label, ": axis ", a, " is repeated in axes");
    axes.push_back(axis);
  }
  return axes;
}

// Values of an optional float input; empty when absent or empty.
std::vector<double> float_input(const Tensor* t, const char* what, const std::string& label) {
  std::vector<double> out;
  if (!t) return out;
  dispatch<FloatTypes>(t->dtype(), what, [&](auto tag) {
    using T = typename decltype(tag)::type;
    for (int64_t i = 0; i < t->numel(); ++i) out.push_back(static_cast<double>(t->data<T>()[i]));
  });
  if (t->rank() > 1) fail(label, ": ", what, " must be 1-D, got ", t->describe());
  return out;
}

// What scales/sizes/roi ask for. roi_start/roi_end get one value per listed axis.
ResizeRequest make_request(const ResizeAttrs& r, int rank, const Tensor* roi, const Tensor* scales,
                           const Tensor* sizes, const std::string& label, bool require_roi,
                           std::vector<double>* roi_start = nullptr,
                           std::vector<double>* roi_end = nullptr) {
  ResizeRequest q;
  q.axes = resized_axes(r, rank, label);
  q.policy = r.policy;
  const size_t n = q.axes.empty() ? static_cast<size_t>(rank) : q.axes.size();
  if (!r.attr_scales.empty()) {
    q.scales = r.attr_scales;
  } else if (scales && scales->numel() > 0) {
    if (scales->dtype() != DType::Float)
      fail(label, ": scales must be float, got ", scales->describe());
    q.scales = scales->to_vector<float>();
  }
  if (sizes && sizes->numel() > 0) q.sizes = tensor_to_ints(*sizes, label + ": sizes");
  if (!q.scales.empty() && r.policy != AspectPolicy::Stretch)
    fail(label, ": keep_aspect_ratio_policy applies to sizes, not to scales");
  if (r.scales_input >= 0 && r.sizes_input < 0 && q.scales.empty())
    fail(label, ": scales must not be empty");
  for (float s : q.scales)
    if (r.upsample && !(s >= 1)) fail(label, ": Upsample scales must be >= 1, got ", s);
  if (r.options.coord == CoordMode::TfCropAndResize && (roi || require_roi)) {
    const std::vector<double> v = float_input(roi, "roi", label);
    if (v.size() != 2 * n)
      fail(label, ": tf_crop_and_resize needs roi with ", 2 * n,
           " values (starts, then ends), got ", v.size());
    for (size_t i = 0; i < n; ++i) q.roi_extent.push_back(v[n + i] - v[i]);
    if (roi_start) roi_start->assign(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(n));
    if (roi_end) roi_end->assign(v.begin() + static_cast<std::ptrdiff_t>(n), v.end());
  }
  return q;
}

// The tap table of one axis as the fast kernel reads it (float weights).
kernels::ResizeAxis fast_axis(const AxisTaps& t) {
  kernels::ResizeAxis a;
  a.in = t.in;
  a.out = t.out;
  a.identity = t.identity();
  a.begin = t.begin;
  a.index = t.index;
  a.weight.assign(t.weight.begin(), t.weight.end());
  a.outside = t.outside;
  return a;
}

// Runs the fast kernel when only the last two axes (or the last one) change; false
// leaves the resize to the reference.
bool resize_last_two_axes(const Tensor& x, const std::vector<AxisTaps>& taps,
                          const InterpOptions& options, Tensor& y, const ThreadPool& pool) {
  const int rank = x.rank();
  if (x.dtype() != DType::Float || rank < 1 || x.numel() == 0 || y.numel() == 0) return false;
  for (int a = 0; a + 2 < rank; ++a)
    if (!taps[static_cast<size_t>(a)].identity()) return false;
  kernels::ResizeAxis rows;
  if (rank >= 2) {
    rows = fast_axis(taps[static_cast<size_t>(rank - 2)]);
  } else {  // a 1-D tensor: one row
    rows.in = rows.out = 1;
    rows.identity = true;
  }
  const kernels::ResizeAxis cols = fast_axis(taps.back());
  const int64_t planes = x.numel() / (rows.in * cols.in);
  kernels::resize_planes(x.data<float>(), y.data<float>(), planes, rows, cols,
                         options.mode == InterpMode::Nearest,
                         static_cast<float>(options.extrapolation), parallel_of(pool));
  return true;
}

const Tensor* optional_input(KernelContext& ctx, int i) {
  return i >= 0 && ctx.has_input(i) ? &ctx.input(i) : nullptr;
}

// ---- 3. shape rule ----

void infer_resize(InferContext& ctx) {
  const TypeInfo& x = ctx.input(0);
  const std::string& op = ctx.node().op_type;
  const ResizeAttrs r =
      read_resize_attrs(Attrs(ctx.node(), ctx.label()), op == "Upsample", ctx.opset(), ctx.label());
  if (!x.has_shape()) return ctx.set_output(0, TypeInfo::tensor(x.elem));
  const int rank = static_cast<int>(x.shape->size());
  auto known = [&](int i) -> const Tensor* {
    return i >= 0 && ctx.has_input(i) ? ctx.constant(i) : nullptr;
  };
  auto unknown = [&](int i) { return i >= 0 && ctx.has_input(i) && !ctx.constant(i); };
  const Tensor* scales = known(r.scales_input);
  const Tensor* sizes = known(r.sizes_input);
  const bool have_scales = !r.attr_scales.empty() || (scales && scales->numel() > 0);
  const bool have_sizes = sizes && sizes->numel() > 0;
  // Sizes decide when given; scales when given and sizes cannot be (a value not known at
  // load time might be the one given). Otherwise the resized dims are unknown.
  const bool roi_unknown = r.options.coord == CoordMode::TfCropAndResize && unknown(r.roi_input);
  std::vector<Dim> out = *x.shape;
  if (have_sizes || (have_scales && !unknown(r.sizes_input) && !roi_unknown)) {
    const ResizeRequest q =
        make_request(r, rank, known(r.roi_input), scales, sizes, ctx.label(), !roi_unknown);
    out = resize_output_dims(q, *x.shape, ctx.label());
  } else {
    const std::vector<int> axes = resized_axes(r, rank, ctx.label());
    for (int a = 0; a < rank; ++a)
      if (axes.empty() || std::find(axes.begin(), axes.end(), a) != axes.end())
        out[static_cast<size_t>(a)] = Dim{};
  }
  ctx.set_output(0, TypeInfo::tensor(x.elem, out));
}

// ---- 4. compute ----

class ResizeKernel final : public Kernel {
 public:
  explicit ResizeKernel(const KernelInit& init)
      : label_(init.label()),
        attrs_(read_resize_attrs(init.attrs(), init.node().op_type == "Upsample", init.opset(),
                                 label_)),
        fast_(!init.reference()) {
    const TypeInfo& x = init.input_type(0);
    if (x.has_shape()) resized_axes(attrs_, static_cast<int>(x.shape->size()), label_);
    for (float s : attrs_.attr_scales)
      if (!(s >= 1)) init.fail(cat("Upsample scales must be >= 1, got ", s));
  }

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    std::vector<double> roi_start, roi_end;
    const ResizeRequest q =
        make_request(attrs_, x.rank(), optional_input(ctx, attrs_.roi_input),
                     optional_input(ctx, attrs_.scales_input),
                     optional_input(ctx, attrs_.sizes_input), label_, true, &roi_start, &roi_end);
    const ResizeGeometry g = resize_geometry(q, x.shape(), label_);
    Tensor& y = ctx.allocate_output(0, x.dtype(), g.out);
    std::vector<AxisTaps> taps;
    for (int a = 0; a < x.rank(); ++a) {
      double r0 = 0, r1 = 1;  // roi of an axis not listed: the whole axis
      const auto listed =
          q.axes.empty() ? a : std::find(q.axes.begin(), q.axes.end(), a) - q.axes.begin();
      if (!roi_start.empty() && static_cast<size_t>(listed) < roi_start.size()) {
        r0 = roi_start[static_cast<size_t>(listed)];
        r1 = roi_end[static_cast<size_t>(listed)];
      }
      const size_t u = static_cast<size_t>(a);
      taps.push_back(
          axis_taps(attrs_.options, x.dim(a), g.out[u], g.lengths[u], g.scales[u], r0, r1));
    }
    if (fast_ && resize_last_two_axes(x, taps, attrs_.options, y, ctx.pool())) return;
    resample(x, taps, attrs_.options, y, ctx.pool(), label_.c_str());
  }

 private:
  std::string label_;
  ResizeAttrs attrs_;
  bool fast_;
};

}  // namespace

void register_resize(Registry& registry) {
  add_op_versions(registry, "Resize", resize_versions(), make_kernel<ResizeKernel>(), infer_resize);
  add_op_versions(registry, "Upsample", upsample_versions(), make_kernel<ResizeKernel>(),
                  infer_resize);
}

}  // namespace onyx
