// WebP (lossy and lossless) through libwebp, decoded straight to RGB: alpha is dropped.
#include <string>

#include <webp/decode.h>

#include "image/decode/decoders.h"

namespace onyx::image {

DecodedImage decode_webp(Bytes bytes) {
  int width = 0, height = 0;
  if (!WebPGetInfo(bytes.data, bytes.size, &width, &height))
    throw DecodeError("WebP: header is corrupt or truncated");
  DecodedImage img;
  allocate_image(img, height, width, 3, "WebP");
  if (!WebPDecodeRGBInto(bytes.data, bytes.size, img.pixels.data(), img.pixels.size(), width * 3))
    throw DecodeError("WebP: image data is corrupt or truncated");
  return img;
}

}  // namespace onyx::image
