#include "common/spatial.h"

#include <algorithm>
#include <cmath>

namespace onyx {

namespace {

// Attribute values beyond this are rejected so that window arithmetic stays in int64.
constexpr int64_t kMaxAttrValue = int64_t{1} << 31;
// Input dims beyond this cannot be real tensors; rejecting them keeps sums exact.
constexpr int64_t kMaxSpatialDim = int64_t{1} << 48;
// Taps are enumerated with fixed-size scratch arrays.
constexpr int kMaxSpatialRank = 8;

void check_values(const std::vector<int64_t>& values, const char* name, int64_t min,
                  const std::string& label) {
  for (int64_t v : values) {
    if (v < min || v > kMaxAttrValue)
      fail(label, ": attribute ", name, " holds ", v, ", expected a value in [", min, ", ",
           kMaxAttrValue, "]");
  }
}

void check_lengths(const WindowAttrs& attrs, size_t rank, size_t kernel_rank,
                   const std::string& label) {
  if (rank < 1 || rank > static_cast<size_t>(kMaxSpatialRank))
    fail(label, ": ", rank, " spatial dims are not supported (expected 1 to ", kMaxSpatialRank,
         ")");
  if (kernel_rank != rank)
    fail(label, ": kernel has ", kernel_rank, " spatial dims but the input has ", rank);
  if (!attrs.strides.empty() && attrs.strides.size() != rank)
    fail(label, ": strides has ", attrs.strides.size(), " values for ", rank, " spatial dims");
  if (!attrs.dilations.empty() && attrs.dilations.size() != rank)
    fail(label, ": dilations has ", attrs.dilations.size(), " values for ", rank, " spatial dims");
  if (!attrs.pads.empty() && attrs.pads.size() != 2 * rank)
    fail(label, ": pads has ", attrs.pads.size(), " values for ", rank, " spatial dims (expected ",
         2 * rank, ")");
}

// Output size and applied padding of one axis (see the table in spatial.h).
AxisWindow resolve_axis(const WindowAttrs& attrs, size_t axis, size_t rank, int64_t in,
                        int64_t kernel, const std::string& label) {
  if (in < 0 || in > kMaxSpatialDim)
    fail(label, ": spatial dim ", axis, " of size ", in, " is out of range");
  if (kernel < 1 || kernel > kMaxAttrValue)
    fail(label, ": kernel size ", kernel, " on spatial dim ", axis, " is out of range");
  AxisWindow w;
  w.in = in;
  w.kernel = kernel;
  w.stride = attrs.strides.empty() ? 1 : attrs.strides[axis];
  w.dilation = attrs.dilations.empty() ? 1 : attrs.dilations[axis];
  const int64_t extent = (kernel - 1) * w.dilation + 1;
  switch (attrs.auto_pad) {
    case AutoPad::NotSet: {
      w.pad_begin = attrs.pads.empty() ? 0 : attrs.pads[axis];
      w.pad_end = attrs.pads.empty() ? 0 : attrs.pads[axis + rank];
      const int64_t span = in + w.pad_begin + w.pad_end - extent;
      if (span < 0)
        fail(label, ": kernel extent ", extent, " exceeds padded input size ",
             in + w.pad_begin + w.pad_end, " on spatial dim ", axis);
      w.out = (attrs.ceil_mode ? (span + w.stride - 1) / w.stride : span / w.stride) + 1;
      // A ceil_mode window must still start inside the input or the begin padding.
      if (attrs.ceil_mode && (w.out - 1) * w.stride >= in + w.pad_begin) --w.out;
      break;
    }
    case AutoPad::Valid: {
      if (in < extent)
        fail(label, ": kernel extent ", extent, " exceeds input size ", in, " on spatial dim ",
             axis, " (auto_pad VALID)");
      w.out = (in - extent) / w.stride + 1;
      break;
    }
    case AutoPad::SameUpper:
    case AutoPad::SameLower: {
      w.out = (in + w.stride - 1) / w.stride;
      const int64_t total = std::max<int64_t>(0, (w.out - 1) * w.stride + extent - in);
      const int64_t small = total / 2, large = total - total / 2;
      w.pad_begin = attrs.auto_pad == AutoPad::SameUpper ? small : large;
      w.pad_end = total - w.pad_begin;
      break;
    }
  }
  return w;
}

}  // namespace

WindowAttrs read_window_attrs(const Attrs& attrs, const std::string& label) {
  WindowAttrs w;
  const std::string auto_pad = attrs.get_string("auto_pad", "NOTSET");
  if (auto_pad == "NOTSET") {
    w.auto_pad = AutoPad::NotSet;
  } else if (auto_pad == "SAME_UPPER") {
    w.auto_pad = AutoPad::SameUpper;
  } else if (auto_pad == "SAME_LOWER") {
    w.auto_pad = AutoPad::SameLower;
  } else if (auto_pad == "VALID") {
    w.auto_pad = AutoPad::Valid;
  } else {
    fail(label, ": auto_pad '", auto_pad, "' is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID");
  }
  w.kernel_shape = attrs.get_ints("kernel_shape");
  w.strides = attrs.get_ints("strides");
  w.dilations = attrs.get_ints("dilations");
  w.pads = attrs.get_ints("pads");
  const int64_t ceil_mode = attrs.get_int("ceil_mode", 0);
  if (ceil_mode != 0 && ceil_mode != 1) fail(label, ": ceil_mode must be 0 or 1, got ", ceil_mode);
  w.ceil_mode = ceil_mode == 1;
  check_values(w.kernel_shape, "kernel_shape", 1, label);
  check_values(w.strides, "strides", 1, label);
  check_values(w.dilations, "dilations", 1, label);
  check_values(w.pads, "pads", 0, label);
  if (w.pads.size() % 2 != 0) fail(label, ": pads has an odd number of values, ", w.pads.size());
  if (!w.kernel_shape.empty() && !w.pads.empty() && w.pads.size() != 2 * w.kernel_shape.size())
    fail(label, ": pads has ", w.pads.size(), " values for a kernel of rank ",
         w.kernel_shape.size());
  // The spec allows explicit pads only with NOTSET; all-zero pads are harmless.
  bool any_pad = std::any_of(w.pads.begin(), w.pads.end(), [](int64_t p) { return p != 0; });
  if (w.auto_pad != AutoPad::NotSet && any_pad)
    fail(label, ": pads cannot be given together with auto_pad ", auto_pad);
  if (w.auto_pad != AutoPad::NotSet) w.pads.clear();
  return w;
}

Window::Window(std::vector<AxisWindow> axes) : axes_(std::move(axes)) {
  const size_t n = axes_.size();
  in_strides_.assign(n, 1);
  out_strides_.assign(n, 1);
  kernel_strides_.assign(n, 1);
  Shape in(n), out(n), kernel(n);
  for (size_t a = 0; a < n; ++a) {
    in[a] = axes_[a].in;
    out[a] = axes_[a].out;
    kernel[a] = axes_[a].kernel;
  }
  input_size_ = checked_numel(in);
  output_size_ = checked_numel(out);
  taps_ = checked_numel(kernel);
  for (size_t a = n; a-- > 1;) {
    in_strides_[a - 1] = in_strides_[a] * in[a];
    out_strides_[a - 1] = out_strides_[a] * out[a];
    kernel_strides_[a - 1] = kernel_strides_[a] * kernel[a];
  }
}

Shape Window::output_dims() const {
  Shape out;
  for (const AxisWindow& a : axes_) out.push_back(a.out);
  return out;
}

void Window::taps_of(int64_t p, std::vector<int64_t>& taps) const {
  taps.resize(static_cast<size_t>(taps_));
  const size_t n = axes_.size();
  int64_t origin[kMaxSpatialRank];  // input coordinate of kernel element 0, per axis
  for (size_t a = 0; a < n; ++a) {
    const int64_t o = (p / out_strides_[a]) % axes_[a].out;
    origin[a] = o * axes_[a].stride - axes_[a].pad_begin;
  }
  for (int64_t q = 0; q < taps_; ++q) {
    int64_t offset = 0, mark = 0;
    for (size_t a = 0; a < n; ++a) {
      const AxisWindow& w = axes_[a];
      const int64_t i = origin[a] + ((q / kernel_strides_[a]) % w.kernel) * w.dilation;
      if (i >= w.in + w.pad_end) {
        mark = kTapOutside;
      } else if ((i < 0 || i >= w.in) && mark == 0) {
        mark = kTapPadding;
      }
      offset += i * in_strides_[a];
    }
    taps[static_cast<size_t>(q)] = mark != 0 ? mark : offset;
  }
}

int64_t Window::column_major(int64_t offset) const {
  int64_t result = 0, stride = 1;
  for (size_t a = 0; a < axes_.size(); ++a) {
    result += ((offset / in_strides_[a]) % axes_[a].in) * stride;
    stride *= axes_[a].in;
  }
  return result;
}

Window resolve_window(const WindowAttrs& attrs, const Shape& in_spatial,
                      const std::vector<int64_t>& kernel, const std::string& label) {
  const size_t rank = in_spatial.size();
  check_lengths(attrs, rank, kernel.size(), label);
  std::vector<AxisWindow> axes;
  for (size_t a = 0; a < rank; ++a)
    axes.push_back(resolve_axis(attrs, a, rank, in_spatial[a], kernel[a], label));
  return Window(std::move(axes));
}

std::vector<Dim> window_output_dims(const WindowAttrs& attrs, const std::vector<Dim>& in_spatial,
                                    const std::vector<int64_t>& kernel, const std::string& label) {
  const size_t rank = in_spatial.size();
  check_lengths(attrs, rank, kernel.size(), label);
  std::vector<Dim> out;
  for (size_t a = 0; a < rank; ++a) {
    if (in_spatial[a].is_known()) {
      out.push_back(
          Dim::known(resolve_axis(attrs, a, rank, in_spatial[a].value, kernel[a], label).out));
    } else {
      out.push_back(Dim{});  // a symbolic size changes with the window: unknown
    }
  }
  return out;
}

void check_kernel_shape(const std::vector<int64_t>& kernel_shape, const std::vector<Dim>& w,
                        const std::string& label) {
  if (kernel_shape.empty()) return;
  if (kernel_shape.size() != w.size() - 2)
    fail(label, ": kernel_shape has ", kernel_shape.size(), " values for ", w.size() - 2,
         " spatial dims");
  for (size_t i = 0; i + 2 < w.size(); ++i) {
    if (w[i + 2].is_known() && w[i + 2].value != kernel_shape[i])
      fail(label, ": kernel_shape[", i, "] = ", kernel_shape[i], " does not match W's dim ",
           w[i + 2].value);
  }
}

ConvAttrs read_conv_attrs(const Attrs& attrs, const std::string& label) {
  ConvAttrs a;
  a.window = read_window_attrs(attrs, label);
  a.group = attrs.get_int("group", 1);
  if (a.group < 1) fail(label, ": group must be at least 1, got ", a.group);
  return a;
}

void check_conv_dims(const ConvAttrs& a, const std::vector<Dim>& x, const std::vector<Dim>& w,
                     const std::string& label) {
  if (x.size() < 3) fail(label, ": X must have rank 3 or more (N, C, D1..), got rank ", x.size());
  if (w.size() != x.size()) fail(label, ": W has rank ", w.size(), " but X has rank ", x.size());
  if (x[1].is_known() && w[1].is_known() && x[1].value != a.group * w[1].value)
    fail(label, ": X has ", x[1].value, " channels but W expects group ", a.group, " x ",
         w[1].value);
  if (w[0].is_known() && w[0].value % a.group != 0)
    fail(label, ": W has ", w[0].value, " output channels, not a multiple of group ", a.group);
  check_kernel_shape(a.window.kernel_shape, w, label);
}

std::vector<Dim> conv_output_dims(const ConvAttrs& a, const std::vector<Dim>& x,
                                  const std::optional<std::vector<Dim>>& w,
                                  const std::string& label) {
  if (x.size() < 3) fail(label, ": X must have rank 3 or more (N, C, D1..), got rank ", x.size());
  std::vector<Dim> out = {x[0], Dim{}};
  std::vector<int64_t> kernel = a.window.kernel_shape;
  if (w) {
    check_conv_dims(a, x, *w, label);
    out[1] = (*w)[0];
    if (kernel.empty()) {
      for (size_t i = 2; i < w->size(); ++i) {
        if (!(*w)[i].is_known()) {
          kernel.clear();
          break;
        }
        kernel.push_back((*w)[i].value);
      }
    }
  }
  const std::vector<Dim> spatial(x.begin() + 2, x.end());
  if (kernel.size() != spatial.size()) {
    out.resize(x.size());  // the kernel size is not known yet: spatial dims unknown
    return out;
  }
  for (const Dim& d : window_output_dims(a.window, spatial, kernel, label)) out.push_back(d);
  return out;
}

std::vector<Dim> known_dims(const Shape& shape) {
  std::vector<Dim> dims;
  dims.reserve(shape.size());
  for (int64_t d : shape) dims.push_back(Dim::known(d));
  return dims;
}

namespace {

// How many values scales/sizes/roi must hold, and the input axis each refers to.
std::vector<int> resized_axes(const ResizeRequest& r, size_t rank, const std::string& label) {
  std::vector<int> axes = r.axes;
  if (axes.empty())
    for (size_t a = 0; a < rank; ++a) axes.push_back(static_cast<int>(a));
  for (int a : axes)
    if (a < 0 || static_cast<size_t>(a) >= rank)
      fail(label, ": axis ", a, " is out of range for rank ", rank);
  const size_t n = axes.size();
  if (!r.scales.empty() && r.scales.size() != n)
    fail(label, ": scales has ", r.scales.size(), " values for ", n, " resized axes");
  if (!r.sizes.empty() && r.sizes.size() != n)
    fail(label, ": sizes has ", r.sizes.size(), " values for ", n, " resized axes");
  if (r.scales.empty() == r.sizes.empty())
    fail(label, ": exactly one of scales and sizes must be given");
  if (!r.roi_extent.empty() && r.roi_extent.size() != n)
    fail(label, ": roi covers ", r.roi_extent.size(), " axes, expected ", n);
  for (float s : r.scales)
    if (!(s > 0) || !std::isfinite(s)) fail(label, ": scales must be positive, got ", s);
  for (int64_t s : r.sizes)
    if (s < 0 || s > kMaxSpatialDim) fail(label, ": sizes holds ", s, ", out of range");
  return axes;
}

}  // namespace

ResizeGeometry resize_geometry(const ResizeRequest& request, const Shape& in,
                               const std::string& label) {
  const std::vector<int> axes = resized_axes(request, in.size(), label);
  ResizeGeometry g{in, std::vector<double>(in.size(), 1.0), {}};
  for (int64_t d : in) g.lengths.push_back(static_cast<double>(d));
  if (!request.scales.empty()) {
    for (size_t i = 0; i < axes.size(); ++i) {
      const float extent = request.roi_extent.empty() ? 1.0f : float(request.roi_extent[i]);
      const size_t a = static_cast<size_t>(axes[i]);
      // float arithmetic, as the spec's shape inference does, so shapes agree with it
      const double out = std::floor(static_cast<float>(in[a]) * request.scales[i] * extent);
      if (!(out >= 0 && out <= double(kMaxSpatialDim)))
        fail(label, ": resized dim ", a, " would have ", out, " elements");
      g.out[a] = static_cast<int64_t>(out);
      g.scales[a] = request.scales[i];
      g.lengths[a] = static_cast<double>(in[a]) * g.scales[a] * double(extent);
    }
    return g;
  }
  for (size_t i = 0; i < axes.size(); ++i) {
    const size_t a = static_cast<size_t>(axes[i]);
    if (in[a] == 0 && request.sizes[i] != 0)
      fail(label, ": cannot resize the empty axis ", a, " to ", request.sizes[i]);
    g.out[a] = request.sizes[i];
    g.scales[a] = in[a] == 0 ? 1.0 : double(request.sizes[i]) / double(in[a]);
    g.lengths[a] = double(request.sizes[i]);
  }
  if (request.policy == AspectPolicy::Stretch) return g;
  // One scale for all listed axes: the smallest (not_larger) or largest (not_smaller).
  double s = g.scales[static_cast<size_t>(axes[0])];
  for (int a : axes) {
    const double sa = g.scales[static_cast<size_t>(a)];
    s = request.policy == AspectPolicy::NotLarger ? std::min(s, sa) : std::max(s, sa);
  }
  for (int a : axes) {
    const size_t u = static_cast<size_t>(a);
    g.out[u] = static_cast<int64_t>(std::floor(s * double(in[u]) + 0.5));
    g.scales[u] = s;
    g.lengths[u] = s * double(in[u]);
  }
  return g;
}

std::vector<Dim> resize_output_dims(const ResizeRequest& request, const std::vector<Dim>& in,
                                    const std::string& label) {
  const std::vector<int> axes = resized_axes(request, in.size(), label);
  bool listed_known = true;
  for (int a : axes) listed_known = listed_known && in[static_cast<size_t>(a)].is_known();
  std::vector<Dim> out = in;
  if (listed_known) {
    Shape concrete(in.size(), 0);  // unlisted dims do not take part: any value will do
    for (int a : axes) concrete[static_cast<size_t>(a)] = in[static_cast<size_t>(a)].value;
    const ResizeGeometry g = resize_geometry(request, concrete, label);
    for (int a : axes) out[static_cast<size_t>(a)] = Dim::known(g.out[static_cast<size_t>(a)]);
    return out;
  }
  // Some listed dim is unknown: sizes with the stretch policy still fix each output dim,
  // scales fix those whose input dim is known; a keep-aspect policy needs them all.
  for (size_t i = 0; i < axes.size(); ++i) {
    const size_t a = static_cast<size_t>(axes[i]);
    if (!request.sizes.empty()) {
      out[a] = request.policy == AspectPolicy::Stretch ? Dim::known(request.sizes[i]) : Dim{};
    } else if (!in[a].is_known()) {
      // A scale of exactly 1 keeps even a symbolic dim.
      const bool same =
          request.scales[i] == 1.0f && (request.roi_extent.empty() || request.roi_extent[i] == 1.0);
      out[a] = same ? in[a] : Dim{};
    } else {
      ResizeRequest one;
      one.axes = {0};
      one.scales = {request.scales[i]};
      if (!request.roi_extent.empty()) one.roi_extent = {request.roi_extent[i]};
      out[a] = Dim::known(resize_geometry(one, Shape{in[a].value}, label).out[0]);
    }
  }
  return out;
}

}  // namespace onyx
