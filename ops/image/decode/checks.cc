// Dimension checks shared by the decoders.
#include <string>

#include "image/decode/decoders.h"

namespace onyx::image {

size_t checked_image_bytes(int64_t height, int64_t width, int64_t channels, const char* format) {
  if (height < 1 || width < 1)
    throw DecodeError(std::string(format) + " header gives an empty image (" +
                      std::to_string(width) + " x " + std::to_string(height) + ")");
  if (height > kMaxImageSide || width > kMaxImageSide || channels < 1 || channels > 4 ||
      height * width > kMaxImageBytes / channels)  // each factor <= 2^20: no overflow
    throw DecodeError(std::string(format) + " header claims " + std::to_string(width) + " x " +
                      std::to_string(height) + " pixels, above the limit of " +
                      std::to_string(kMaxImageBytes) + " bytes or " +
                      std::to_string(kMaxImageSide) + " per side");
  return static_cast<size_t>(height * width * channels);
}

void allocate_image(DecodedImage& image, int64_t height, int64_t width, int64_t channels,
                    const char* format) {
  const size_t n = checked_image_bytes(height, width, channels, format);
  image.height = height;
  image.width = width;
  image.channels = channels;
  image.pixels.assign(n, 0);
}

}  // namespace onyx::image
