// Images as model inputs and outputs, for `onyx run --input x=photo.jpg` and
// `--save-image y=out.png`.
//
// In: the file is decoded (onyx/image_io.h), made the model's channel count (a colour
// image becomes its luma, Y = 0.299 R + 0.587 G + 0.114 B, for a one-channel input; a gray
// one is repeated for three), ordered RGB or, with --bgr, BGR, resized bilinearly (pixel
// centres at half-integers, as Resize's half_pixel mode) to --size HxW or the input's
// static height and width, then, for a float input, value = (pixel * scale - mean) / std
// per channel (scale 1/255 by default, so pixels run 0..1); a uint8 input gets the pixels
// as they are. The batch is 1; the layout (NCHW or NHWC) is --layout, or what the
// declared shape shows (C = 1 or 3 in dim 1 or dim 3), else NCHW.
// Out: the inverse, pixel = (value * std + mean) / scale rounded and clamped to 0..255,
// for a tensor of 1 or 3 channels, [1, C, H, W], [1, H, W, C], [C, H, W], [H, W, C] or
// [H, W].
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cli.h"
#include "onyx/image_io.h"

namespace onyx::cli {

struct ImageOptions {
  std::optional<bool> channels_last;                // --layout NHWC / NCHW; unset: from the shape
  std::optional<std::pair<int64_t, int64_t>> size;  // --size HxW
  float scale = 1.0f / 255.0f;                      // --scale
  std::vector<float> mean{0.0f}, std{1.0f};         // --mean, --std: one value, or one per channel
  bool bgr = false;                                 // --bgr
};

// Adds --layout, --size, --scale, --mean, --std and --bgr to a command's options and flags.
void add_image_options(std::vector<std::string>& options, std::vector<std::string>& flags);
// The image options of a command line; usage errors for malformed ones.
ImageOptions image_options(const Args& args);
// True for the file names taken as images (.jpg .jpeg .png .bmp .tif .tiff .webp .ppm
// .pgm .pnm .jp2 .j2k).
bool is_image_file(const std::string& path);
// The tensor fed to input `name`, declared `declared`, from `image`.
Tensor image_to_tensor(const Image& image, const TypeInfo& declared, const ImageOptions& options,
                       const std::string& name);
// The image an output tensor holds.
Image tensor_to_image(const Tensor& t, const ImageOptions& options, const std::string& name);

}  // namespace onyx::cli
