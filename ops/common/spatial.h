// Geometry of sliding-window operators (Conv, MaxPool, AveragePool): how auto_pad,
// pads, strides, dilations and ceil_mode turn an input size into an output size and
// begin/end padding. Kernels and shape rules both call these, so the two never disagree.
//
// Per spatial axis, with effective kernel extent e = (kernel - 1) * dilation + 1:
//   NOTSET      out = floor((in + pad_begin + pad_end - e) / stride) + 1   (ceil with
//               ceil_mode, dropping a last window that would start past the input
//               and the begin padding)
//   VALID       out = ceil((in - e + 1) / stride), no padding
//   SAME_UPPER  out = ceil(in / stride), total padding
//   SAME_LOWER    max(0, (out - 1) * stride + e - in), the odd unit at the end (UPPER)
//               or at the beginning (LOWER)
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "onyx/ir.h"
#include "onyx/kernel.h"
#include "onyx/tensor.h"

namespace onyx {

enum class AutoPad { NotSet, SameUpper, SameLower, Valid };

// The window attributes of one node, as written (vectors empty when absent).
struct WindowAttrs {
  AutoPad auto_pad = AutoPad::NotSet;
  std::vector<int64_t> kernel_shape;  // Conv may omit it (taken from the weights)
  std::vector<int64_t> strides;       // empty: 1 on every axis
  std::vector<int64_t> dilations;     // empty: 1 on every axis
  std::vector<int64_t> pads;          // empty: 0; else [x1_begin, x2_begin, .., x1_end, ..]
  bool ceil_mode = false;
};

// Reads and validates auto_pad, kernel_shape, strides, dilations, pads and ceil_mode
// (values positive / non-negative, pads even-sized, no pads with auto_pad). Errors
// start with `label`.
WindowAttrs read_window_attrs(const Attrs& attrs, const std::string& label);

// One spatial axis, resolved for a concrete input size.
struct AxisWindow {
  int64_t in = 0, kernel = 0, stride = 1, dilation = 1;
  int64_t pad_begin = 0, pad_end = 0, out = 0;
};

// Markers in a tap list for taps that read no input element.
constexpr int64_t kTapPadding = -1;  // on the declared (or automatic) padding
constexpr int64_t kTapOutside = -2;  // past the end padding (the extra ceil_mode window)

// The resolved geometry of all spatial axes.
class Window {
 public:
  Window() = default;
  explicit Window(std::vector<AxisWindow> axes);

  const std::vector<AxisWindow>& axes() const { return axes_; }
  int rank() const { return static_cast<int>(axes_.size()); }
  Shape output_dims() const;
  int64_t input_size() const { return input_size_; }  // elements per spatial plane
  int64_t output_size() const { return output_size_; }
  int64_t taps() const { return taps_; }  // kernel elements

  // For output position p (row-major over the output dims), taps[q] for each kernel
  // element q (row-major over the kernel dims) is the row-major input offset it reads,
  // or kTapPadding / kTapOutside. `taps` is resized to taps().
  void taps_of(int64_t p, std::vector<int64_t>& taps) const;
  // A row-major input offset re-expressed column-major (MaxPool storage_order = 1).
  int64_t column_major(int64_t offset) const;

 private:
  std::vector<AxisWindow> axes_;
  std::vector<int64_t> in_strides_, out_strides_, kernel_strides_;
  int64_t input_size_ = 1, output_size_ = 1, taps_ = 1;
};

// Resolves every axis for the input spatial dims and kernel; fails (naming `label`)
// when attribute lengths do not match the rank or the output would be empty.
Window resolve_window(const WindowAttrs& attrs, const Shape& in_spatial,
                      const std::vector<int64_t>& kernel, const std::string& label);

// The output spatial dims for a shape rule: computed where the input dim is known,
// unknown otherwise. Checks attribute lengths against the rank like resolve_window.
std::vector<Dim> window_output_dims(const WindowAttrs& attrs, const std::vector<Dim>& in_spatial,
                                    const std::vector<int64_t>& kernel, const std::string& label);

// Conv and ConvTranspose: a given kernel_shape must match W's spatial dims
// (W is [M, C/group, k1, k2, ...]).
void check_kernel_shape(const std::vector<int64_t>& kernel_shape, const std::vector<Dim>& w,
                        const std::string& label);

// Conv's attributes (also ConvInteger's and QLinearConv's): the window and group.
struct ConvAttrs {
  WindowAttrs window;
  int64_t group = 1;
};
ConvAttrs read_conv_attrs(const Attrs& attrs, const std::string& label);
// Checks X (N, C, ...) against W (M, C/group, ...) and kernel_shape, for the dims known.
void check_conv_dims(const ConvAttrs& a, const std::vector<Dim>& x, const std::vector<Dim>& w,
                     const std::string& label);
// Y's dims (N, M, output spatial dims) from X's dims and W's (when known), as far as known.
std::vector<Dim> conv_output_dims(const ConvAttrs& a, const std::vector<Dim>& x,
                                  const std::optional<std::vector<Dim>>& w,
                                  const std::string& label);

// Concrete dims as Dims, so run-time checks can share the shape rule's code.
std::vector<Dim> known_dims(const Shape& shape);

// ---- Resize / Upsample output geometry ----
//
// Per resized axis a (the `axes` that scales/sizes list; all axes when absent):
//   scales given  out_a = floor(in_a * scale_a * roi_extent_a), the transform uses scale_a
//                 (roi_extent_a = roi_end - roi_start, 1 unless tf_crop_and_resize)
//   sizes given   stretch:      out_a = sizes_a, scale_a = out_a / in_a
//                 not_larger:   s = min over axes of sizes_a / in_a, out_a = round(s * in_a)
//                 not_smaller:  s = max over axes of sizes_a / in_a, out_a = round(s * in_a)
//                               (half up), and scale_a = s on every listed axis
// Axes not listed keep their size with scale 1.

enum class AspectPolicy { Stretch, NotLarger, NotSmaller };

struct ResizeRequest {
  std::vector<int> axes;           // normalized, distinct; empty: every axis in order
  std::vector<float> scales;       // one per listed axis, or empty when sizes are given
  std::vector<int64_t> sizes;      // one per listed axis, or empty when scales are given
  std::vector<double> roi_extent;  // one per listed axis, or empty (1 on every axis)
  AspectPolicy policy = AspectPolicy::Stretch;
};

// Concrete geometry: output dims, the scale each input axis is resized by, and the real
// length of each resized axis (in * scale * roi_extent; = out with stretched sizes), which
// align_corners, pytorch_half_pixel and tf_crop_and_resize map coordinates with.
struct ResizeGeometry {
  Shape out;
  std::vector<double> scales;
  std::vector<double> lengths;
};

// Fails (naming `label`) when lengths do not match the rank, a scale is not positive, a
// size is negative, or an empty axis would have to grow.
ResizeGeometry resize_geometry(const ResizeRequest& request, const Shape& in,
                               const std::string& label);
// The same rule over possibly symbolic dims: axes left alone (or scaled by exactly 1) keep
// their dim, symbolic or not; a resized axis is known when its input dim is (or sizes are
// given with the stretch policy).
std::vector<Dim> resize_output_dims(const ResizeRequest& request, const std::vector<Dim>& in,
                                    const std::string& label);

}  // namespace onyx
