// onyx/image_io.h over the decoders of image/decode/ (the ones ImageDecoder uses).
#include "onyx/image_io.h"

#include "image/decode/decoders.h"
#include "onyx/error.h"
#include "onyx/loader.h"

namespace onyx {

Image read_image(const std::string& path) {
  const std::string bytes = read_file_bytes(path, image::kMaxImageBytes);
  const image::Bytes view{reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()};
  const char* format = nullptr;
  const image::Decoder decode = image::find_decoder(view, &format);
  if (!decode)
    fail_as(ErrorKind::invalid_input, "'", path,
            "' is not an image Onyx reads: its first bytes match none of JPEG, PNG, BMP, TIFF, "
            "WebP, PNM or JPEG 2000");
  try {
    image::DecodedImage decoded = decode(view);
    return Image{decoded.height, decoded.width, decoded.channels, std::move(decoded.pixels)};
  } catch (const image::DecodeError& e) {
    fail_as(ErrorKind::invalid_input, "cannot decode the ", format, " image '", path,
            "': ", e.what());
  }
}

void write_png(const std::string& path, const Image& image) {
  std::string bytes;
  try {
    bytes = image::encode_png(
        image::DecodedImage{image.height, image.width, image.channels, image.pixels});
  } catch (const image::DecodeError& e) {
    fail_as(ErrorKind::invalid_input, "cannot write '", path, "': ", e.what());
  }
  write_file(path, bytes);
}

}  // namespace onyx
