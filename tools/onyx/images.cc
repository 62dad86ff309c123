#include "images.h"

#include <algorithm>
#include <cmath>

namespace onyx::cli {
namespace {

float parse_float(const std::string& text, const std::string& option) {
  try {
    size_t used = 0;
    const float v = std::stof(text, &used);
    if (used != text.size() || !std::isfinite(v)) throw std::invalid_argument(text);
    return v;
  } catch (const std::exception&) {
    throw UsageError("--" + option + " expects numbers, got '" + text + "'");
  }
}

std::vector<float> parse_floats(const std::string& text, const std::string& option) {
  std::vector<float> out;
  size_t start = 0;
  for (;;) {
    const size_t comma = text.find(',', start);
    out.push_back(parse_float(text.substr(start, comma - start), option));
    if (comma == std::string::npos) return out;
    start = comma + 1;
  }
}

// One value per channel: a single value serves them all.
std::vector<float> per_channel(const std::vector<float>& v, int64_t channels, const char* option) {
  if (v.size() == 1) return std::vector<float>(static_cast<size_t>(channels), v[0]);
  if (static_cast<int64_t>(v.size()) == channels) return v;
  throw UsageError(std::string("--") + option + " gives " + std::to_string(v.size()) +
                   " values for an image of " + std::to_string(channels) + " channels");
}

bool is_channel_count(int64_t n) { return n == 1 || n == 3; }

constexpr int64_t kMaxSide = 16384;  // --size: a 16384 x 16384 x 3 float image is 3 GiB

// Bilinear sampling of an H x W x C float image at row y, column x of an out_h x out_w
// grid, pixel centres at half-integers (Resize's half_pixel), edges clamped.
void resize_bilinear(const std::vector<float>& in, int64_t h, int64_t w, int64_t c, int64_t out_h,
                     int64_t out_w, std::vector<float>& out) {
  out.assign(static_cast<size_t>(out_h * out_w * c), 0.0f);
  auto source = [](int64_t i, int64_t in_size, int64_t out_size, int64_t& i0, int64_t& i1,
                   float& f) {
    const float s = std::clamp((static_cast<float>(i) + 0.5f) * static_cast<float>(in_size) /
                                       static_cast<float>(out_size) -
                                   0.5f,
                               0.0f, static_cast<float>(in_size - 1));
    i0 = static_cast<int64_t>(s);
    i1 = std::min(i0 + 1, in_size - 1);
    f = s - static_cast<float>(i0);
  };
  for (int64_t y = 0; y < out_h; ++y) {
    int64_t y0, y1;
    float fy;
    source(y, h, out_h, y0, y1, fy);
    for (int64_t x = 0; x < out_w; ++x) {
      int64_t x0, x1;
      float fx;
      source(x, w, out_w, x0, x1, fx);
      for (int64_t k = 0; k < c; ++k) {
        auto at = [&](int64_t yy, int64_t xx) {
          return in[static_cast<size_t>((yy * w + xx) * c + k)];
        };
        const float top = at(y0, x0) + (at(y0, x1) - at(y0, x0)) * fx;
        const float bottom = at(y1, x0) + (at(y1, x1) - at(y1, x0)) * fx;
        out[static_cast<size_t>((y * out_w + x) * c + k)] = top + (bottom - top) * fy;
      }
    }
  }
}

}  // namespace

void add_image_options(std::vector<std::string>& options, std::vector<std::string>& flags) {
  options.insert(options.end(), {"layout", "size", "scale", "mean", "std"});
  flags.push_back("bgr");
}

ImageOptions image_options(const Args& args) {
  ImageOptions o;
  if (auto layout = args.get("layout")) {
    if (*layout != "NCHW" && *layout != "NHWC")
      throw UsageError("--layout is NCHW or NHWC, got '" + *layout + "'");
    o.channels_last = *layout == "NHWC";
  }
  if (auto size = args.get("size")) {
    const size_t x = size->find('x');
    try {
      if (x == std::string::npos) throw std::invalid_argument(*size);
      size_t used_h = 0, used_w = 0;
      const int64_t h = std::stoll(size->substr(0, x), &used_h);
      const int64_t w = std::stoll(size->substr(x + 1), &used_w);
      if (used_h != x || used_w != size->size() - x - 1 || h < 1 || w < 1 || h > kMaxSide ||
          w > kMaxSide)
        throw std::invalid_argument(*size);
      o.size = {h, w};
    } catch (const std::exception&) {
      throw UsageError("--size expects HxW (each 1 to " + std::to_string(kMaxSide) + "), got '" +
                       *size + "'");
    }
  }
  if (auto scale = args.get("scale")) o.scale = parse_float(*scale, "scale");
  if (o.scale == 0) throw UsageError("--scale must not be 0");
  if (auto mean = args.get("mean")) o.mean = parse_floats(*mean, "mean");
  if (auto std = args.get("std")) o.std = parse_floats(*std, "std");
  for (float s : o.std)
    if (s == 0) throw UsageError("--std must not be 0");
  o.bgr = args.flag("bgr");
  return o;
}

bool is_image_file(const std::string& path) {
  const size_t dot = path.rfind('.');
  if (dot == std::string::npos) return false;
  std::string ext = path.substr(dot + 1);
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  for (const char* e :
       {"jpg", "jpeg", "png", "bmp", "tif", "tiff", "webp", "ppm", "pgm", "pnm", "jp2", "j2k"})
    if (ext == e) return true;
  return false;
}

Tensor image_to_tensor(const Image& image, const TypeInfo& declared, const ImageOptions& o,
                       const std::string& name) {
  if (declared.kind != TypeInfo::Kind::Tensor)
    fail_as(ErrorKind::invalid_input, "input '", name, "' is ", declared.to_string(),
            ", not a tensor an image can feed");
  const DType dtype = declared.elem;
  if (dtype != DType::Float && dtype != DType::UInt8)
    fail_as(ErrorKind::invalid_input, "input '", name, "' is ", dtype_name(dtype),
            ": an image feeds float or uint8 inputs");
  if (declared.shape && declared.shape->size() != 4)
    fail_as(ErrorKind::invalid_input, "input '", name, "' is ", declared.to_string(),
            ": an image feeds a rank-4 input, NCHW or NHWC");
  auto known = [&](size_t i) {
    return declared.shape && (*declared.shape)[i].is_known() ? (*declared.shape)[i].value : -1;
  };
  const bool last =
      o.channels_last.value_or(!is_channel_count(known(1)) && is_channel_count(known(3)));
  int64_t channels = known(last ? 3 : 1);
  if (channels < 0) channels = image.channels;
  if (!is_channel_count(channels))
    fail_as(ErrorKind::invalid_input, "input '", name, "' is ", declared.to_string(), " (",
            last ? "NHWC" : "NCHW", "): its ", channels, " channels are not an image's 1 or 3");
  int64_t height = o.size ? o.size->first : known(last ? 1 : 2);
  int64_t width = o.size ? o.size->second : known(last ? 2 : 3);
  if (height < 1) height = image.height;
  if (width < 1) width = image.width;
  const std::vector<float> mean = per_channel(o.mean, channels, "mean");
  const std::vector<float> stdev = per_channel(o.std, channels, "std");

  // The image in the model's channels, at its own size.
  const int64_t pixels = image.height * image.width;
  std::vector<float> source(static_cast<size_t>(pixels * channels));
  for (int64_t i = 0; i < pixels; ++i) {
    const uint8_t* p = &image.pixels[static_cast<size_t>(i * image.channels)];
    float* q = &source[static_cast<size_t>(i * channels)];
    if (channels == 1) {
      q[0] = image.channels == 1 ? p[0] : 0.299f * p[0] + 0.587f * p[1] + 0.114f * p[2];
    } else if (image.channels == 1) {
      q[0] = q[1] = q[2] = p[0];
    } else {
      q[0] = p[o.bgr ? 2 : 0];
      q[1] = p[1];
      q[2] = p[o.bgr ? 0 : 2];
    }
  }
  std::vector<float> resized;
  resize_bilinear(source, image.height, image.width, channels, height, width, resized);

  Tensor t(dtype, last ? Shape{1, height, width, channels} : Shape{1, channels, height, width});
  for (int64_t y = 0; y < height; ++y)
    for (int64_t x = 0; x < width; ++x)
      for (int64_t c = 0; c < channels; ++c) {
        const float v = resized[static_cast<size_t>((y * width + x) * channels + c)];
        const int64_t at = last ? (y * width + x) * channels + c : (c * height + y) * width + x;
        if (dtype == DType::UInt8)
          t.data<uint8_t>()[at] = static_cast<uint8_t>(std::clamp(std::lround(v), 0L, 255L));
        else
          t.data<float>()[at] =
              (v * o.scale - mean[static_cast<size_t>(c)]) / stdev[static_cast<size_t>(c)];
      }
  return t;
}

Image tensor_to_image(const Tensor& t, const ImageOptions& o, const std::string& name) {
  if (t.dtype() != DType::Float && t.dtype() != DType::UInt8)
    fail_as(ErrorKind::invalid_input, "output '", name, "' is ", t.describe(),
            ": only float and uint8 tensors are written as images");
  Shape s = t.shape();
  if (s.size() == 4 && s[0] == 1) s.erase(s.begin());
  bool last = false;
  if (s.size() == 2) {
    s.push_back(1);
    last = true;
  } else if (s.size() == 3) {
    last = o.channels_last.value_or(!is_channel_count(s[0]) && is_channel_count(s[2]));
  }
  const int64_t channels = s.size() == 3 ? s[last ? 2 : 0] : 0;
  if (s.size() != 3 || !is_channel_count(channels))
    fail_as(
        ErrorKind::invalid_input, "output '", name, "' is ", t.describe(),
        ": an image is [1, C, H, W], [1, H, W, C], [C, H, W], [H, W, C] or [H, W], with C 1 or 3");
  const int64_t height = s[last ? 0 : 1], width = s[last ? 1 : 2];
  const std::vector<float> mean = per_channel(o.mean, channels, "mean");
  const std::vector<float> stdev = per_channel(o.std, channels, "std");
  Image image{height, width, channels,
              std::vector<uint8_t>(static_cast<size_t>(height * width * channels))};
  for (int64_t y = 0; y < height; ++y)
    for (int64_t x = 0; x < width; ++x)
      for (int64_t c = 0; c < channels; ++c) {
        const int64_t at = last ? (y * width + x) * channels + c : (c * height + y) * width + x;
        const float v = t.dtype() == DType::UInt8
                            ? t.data<uint8_t>()[at]
                            : (t.data<float>()[at] * stdev[static_cast<size_t>(c)] +
                               mean[static_cast<size_t>(c)]) /
                                  o.scale;
        // The file is RGB: a BGR tensor's first channel is blue.
        const int64_t file_c = channels == 3 && o.bgr ? 2 - c : c;
        image.pixels[static_cast<size_t>((y * width + x) * channels + file_c)] =
            static_cast<uint8_t>(std::clamp(std::lround(v), 0L, 255L));
      }
  return image;
}

}  // namespace onyx::cli
