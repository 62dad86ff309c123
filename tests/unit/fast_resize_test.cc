// Property tests of the fast Resize path (kernels::resize_planes) against the reference
// resample, at 1, 2 and 4 threads: every mode, coordinate transform and nearest mode,
// up and down, with scales and with sizes, ranks 1 to 5 (the fast path serves tensors
// resized on their last two axes; others must fall back and still agree).
#include <gtest/gtest.h>

#include <limits>
#include <random>

#include "fast_check.h"

namespace onyx {
namespace {

using testing::expect_fast_matches_reference;
using testing::OpTester;
using testing::random_floats;

Tensor floats(std::vector<float> values) {
  Tensor t(DType::Float, {static_cast<int64_t>(values.size())});
  for (size_t i = 0; i < values.size(); ++i) t.data<float>()[i] = values[i];
  return t;
}

Tensor ints(std::vector<int64_t> values) {
  Tensor t(DType::Int64, {static_cast<int64_t>(values.size())});
  for (size_t i = 0; i < values.size(); ++i) t.data<int64_t>()[i] = values[i];
  return t;
}

struct ResizeCase {
  Shape shape;
  std::vector<float> scales;   // empty: sizes
  std::vector<int64_t> sizes;  // used when scales is empty
  std::string mode, coord, nearest = "round_prefer_floor";
  int64_t antialias = 0;
  std::vector<float> roi = {};  // tf_crop_and_resize only
};

void expect_resize_matches(const ResizeCase& c, std::mt19937& rng, const std::string& what) {
  OpTester t("Resize", 19);
  Tensor x = random_floats(c.shape, rng);
  // Edge values in the input: NaN and infinities spread to the outputs that read them.
  if (x.numel() > 10) {
    x.data<float>()[3] = std::numeric_limits<float>::quiet_NaN();
    x.data<float>()[x.numel() - 2] = std::numeric_limits<float>::infinity();
    x.data<float>()[x.numel() / 2] = -0.0f;
  }
  t.input("X", x);
  if (c.roi.empty())
    t.omitted();
  else
    t.constant("roi", floats(c.roi));
  if (!c.scales.empty())
    t.constant("scales", floats(c.scales));
  else
    t.omitted().constant("sizes", ints(c.sizes));
  t.attr("mode", c.mode)
      .attr("coordinate_transformation_mode", c.coord)
      .attr("nearest_mode", c.nearest)
      .attr("antialias", c.antialias)
      .attr("extrapolation_value", -7.5f)
      .output("Y");
  expect_fast_matches_reference(t, what, 1e-5f);
}

TEST(FastResize, MatchesReference) {
  std::mt19937 rng(13);
  const std::vector<ResizeCase> cases = {
      {{1, 3, 8, 8}, {1, 1, 2, 2}, {}, "nearest", "asymmetric", "floor"},
      {{2, 2, 5, 7}, {1, 1, 2, 3}, {}, "nearest", "half_pixel", "round_prefer_ceil"},
      {{1, 1, 9, 13}, {1, 1, 0.5f, 0.6f}, {}, "nearest", "align_corners", "ceil"},
      {{1, 4, 7, 5}, {}, {1, 4, 11, 3}, "nearest", "pytorch_half_pixel", "round_prefer_floor"},
      {{1, 3, 8, 8}, {1, 1, 2, 2}, {}, "linear", "half_pixel"},
      {{1, 2, 17, 19}, {1, 1, 1.7f, 0.45f}, {}, "linear", "pytorch_half_pixel"},
      {{3, 5, 6}, {1, 2.5f, 1.5f}, {}, "linear", "align_corners"},
      {{1, 1, 31, 1}, {}, {1, 1, 40, 3}, "linear", "asymmetric"},
      {{2, 3, 12, 10}, {1, 1, 0.5f, 0.5f}, {}, "linear", "half_pixel_symmetric", "floor", 1},
      {{1, 2, 9, 9}, {1, 1, 1.5f, 2}, {}, "cubic", "half_pixel"},
      {{1, 1, 16, 24}, {1, 1, 0.4f, 0.3f}, {}, "cubic", "half_pixel", "floor", 1},
      {{1, 2, 10, 12},
       {},
       {1, 2, 7, 9},
       "linear",
       "tf_crop_and_resize",
       "floor",
       0,
       {0, 0, 0.1f, -0.2f, 1, 1, 0.8f, 1.3f}},
      {{1, 2, 10, 12},
       {},
       {1, 2, 7, 9},
       "nearest",
       "tf_crop_and_resize",
       "floor",
       0,
       {0, 0, -0.3f, 0.2f, 1, 1, 1.2f, 0.9f}},
      {{1, 3, 64, 64}, {1, 1, 2, 2}, {}, "linear", "half_pixel"},  // several tasks
      {{11}, {2.5f}, {}, "linear", "half_pixel"},                  // rank 1
      {{11}, {3}, {}, "nearest", "asymmetric", "floor"},
      {{4, 6}, {0.5f, 2}, {}, "linear", "align_corners"},                  // rank 2
      {{1, 3, 5, 5}, {1, 1, 1, 1}, {}, "linear", "half_pixel"},            // nothing changes
      {{1, 3, 5, 5}, {1, 1, 1, 2}, {}, "linear", "half_pixel"},            // last axis only
      {{1, 3, 5, 5}, {1, 1, 2, 1}, {}, "cubic", "half_pixel"},             // rows only
      {{2, 3, 4, 5}, {1, 2, 2, 2}, {}, "linear", "half_pixel"},            // three axes: falls back
      {{1, 2, 3, 4, 5}, {1, 1, 2, 1.5f, 2}, {}, "nearest", "half_pixel"},  // rank 5
      {{1, 2, 0, 5}, {1, 1, 2, 2}, {}, "linear", "half_pixel"},            // empty
  };
  for (size_t i = 0; i < cases.size(); ++i)
    expect_resize_matches(cases[i], rng, "resize case " + std::to_string(i));
}

}  // namespace
}  // namespace onyx
