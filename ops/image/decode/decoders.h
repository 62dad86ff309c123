// The image decoders behind ImageDecoder: one small file per format, each turning the
// encoded bytes into 8-bit pixels, row-major, interleaved, 1 (gray) or 3 (RGB) channels.
// Colour conversion beyond that (BGR, Grayscale) belongs to the operator.
//
// Every decoder treats its input as untrusted: sizes from headers are checked before
// anything is allocated, and a corrupt or unsupported file raises DecodeError, never a
// crash. None of them touches process-wide state, so decoders may run concurrently.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace onyx::image {

struct DecodedImage {
  int64_t height = 0, width = 0, channels = 0;  // channels: 1 (gray) or 3 (RGB)
  std::vector<uint8_t> pixels;                  // height * width * channels
};

// What failed, in words; the operator adds the node and op.
class DecodeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Bytes {
  const uint8_t* data;
  size_t size;
};

// Checks header dimensions against the caps below and returns the pixel buffer size;
// throws DecodeError (naming `format`) when they are out of range.
size_t checked_image_bytes(int64_t height, int64_t width, int64_t channels, const char* format);
// Allocates image.pixels once the dimensions pass checked_image_bytes.
void allocate_image(DecodedImage& image, int64_t height, int64_t width, int64_t channels,
                    const char* format);

// Caps on header dimensions: larger claims are refused before any allocation.
constexpr int64_t kMaxImageSide = 1 << 20;
constexpr int64_t kMaxImageBytes = int64_t{1} << 30;

DecodedImage decode_jpeg(Bytes bytes);
DecodedImage decode_png(Bytes bytes);
DecodedImage decode_bmp(Bytes bytes);
DecodedImage decode_tiff(Bytes bytes);
DecodedImage decode_webp(Bytes bytes);
DecodedImage decode_pnm(Bytes bytes);
DecodedImage decode_jpeg2000(Bytes bytes);

// The decoder for these bytes, recognised by their first bytes (JPEG, PNG, BMP, TIFF,
// WebP, PNM, JPEG 2000), with the format's name in `name`; nullptr when none matches.
using Decoder = DecodedImage (*)(Bytes);
Decoder find_decoder(Bytes bytes, const char** name);

// 8-bit gray or RGB pixels as a PNG file's bytes (no filtering; zlib's default level).
std::string encode_png(const DecodedImage& image);

}  // namespace onyx::image
