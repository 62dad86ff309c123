// Image files, for `onyx run --input x=photo.jpg` and `--save-image`, and for library
// users: JPEG, PNG, BMP, TIFF, WebP, PNM and JPEG 2000 read into 8-bit pixels (the format
// recognised by the file's first bytes, as ImageDecoder does), and PNG written.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace onyx {

struct Image {
  int64_t height = 0, width = 0;
  int64_t channels = 0;         // 1 (gray) or 3 (RGB)
  std::vector<uint8_t> pixels;  // height * width * channels, row-major, interleaved
};

// The file's pixels. An unreadable file is an io error, one that is no image (or a
// corrupt one) an invalid input, both naming the path.
Image read_image(const std::string& path);
// Writes `image` as a PNG file, atomically (a temporary file, then a rename).
void write_png(const std::string& path, const Image& image);

}  // namespace onyx
