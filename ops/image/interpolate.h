// Separable interpolation shared by Resize and Upsample. Each resized axis gets a table
// that lists, for every output position, the input positions it reads and their weights;
// an N-D resize then runs one 1-D pass per axis (nearest picks one element per axis, so
// it gathers in a single pass instead).
//
// Source coordinate x of output position p on an axis (in = input size, out = the real
// resized length in * scale, which is the output size when sizes are given and no
// keep_aspect_ratio_policy applies; scale = the axis's scale, [r0, r1] = its roi):
//   half_pixel            (p + 0.5) / scale - 0.5
//   half_pixel_symmetric  the same, shifted by (in / 2) * (1 - out_int / out) so that the
//                         centers of input and output line up (out_int = the output size)
//   pytorch_half_pixel    out > 1 ? (p + 0.5) / scale - 0.5 : 0
//   align_corners         out > 1 ? p * (in - 1) / (out - 1) : 0
//   asymmetric            p / scale
//   tf_half_pixel_for_nn  (p + 0.5) / scale
//   tf_crop_and_resize    out > 1 ? r0 * (in - 1) + p * (r1 - r0) * (in - 1) / (out - 1)
//                                 : (r0 + r1) / 2 * (in - 1); a source outside [0, in - 1]
//                         yields extrapolation_value
// Nearest rounds x (round_prefer_floor/ceil round halves down/up; floor; ceil). Linear and
// cubic weigh input j by f(j - x): linear f(d) = max(0, 1 - |d|); cubic is Keys' kernel with
// coefficient A. With antialias the filter is stretched by 1 / scale when downsampling
// (f((j - x) * scale)) and the weights are normalized. Taps past the edges read the edge
// element, or are dropped (and the rest renormalized) with exclude_outside.
#pragma once

#include <cstdint>
#include <vector>

#include "onyx/tensor.h"
#include "onyx/thread_pool.h"

namespace onyx {

enum class InterpMode { Nearest, Linear, Cubic };
enum class CoordMode {
  HalfPixel,
  HalfPixelSymmetric,
  PytorchHalfPixel,
  AlignCorners,
  Asymmetric,
  TfHalfPixelForNN,
  TfCropAndResize
};
enum class NearestMode { RoundPreferFloor, RoundPreferCeil, Floor, Ceil };

struct InterpOptions {
  InterpMode mode = InterpMode::Nearest;
  CoordMode coord = CoordMode::HalfPixel;
  NearestMode nearest = NearestMode::RoundPreferFloor;
  double cubic_a = -0.75;
  bool exclude_outside = false;
  bool antialias = false;
  double extrapolation = 0;
};

// The taps of one axis: output p reads index[k] with weight[k] for k in
// [begin[p], begin[p + 1]), or is extrapolation_value when outside[p].
struct AxisTaps {
  int64_t in = 0, out = 0;
  std::vector<int64_t> begin;
  std::vector<int64_t> index;
  std::vector<double> weight;
  std::vector<uint8_t> outside;
  bool identity() const;  // output p is input p on every position
};

// `out` is the output size, `length` the real resized length (see above).
AxisTaps axis_taps(const InterpOptions& options, int64_t in, int64_t out, double length,
                   double scale, double roi_start, double roi_end);

// Resamples x into y (already allocated with the output shape, same dtype), one table per
// axis of x. Integer outputs are truncated toward zero and saturated.
void resample(const Tensor& x, const std::vector<AxisTaps>& axes, const InterpOptions& options,
              Tensor& y, const ThreadPool& pool, const char* op);

}  // namespace onyx
