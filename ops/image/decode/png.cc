// PNG through libpng. The conversions follow what PIL gives for ImageDecoder's outputs:
// palettes are expanded to RGB, low-bit gray to 8 bits, alpha (and tRNS) dropped, and
// 16-bit samples keep their high byte (PIL reads 16-bit RGB as "RGB;16B", the high byte;
// for 16-bit gray the reference's array is uint16, which the uint8 output cannot hold, so
// the high byte is used there too). Gray stays one channel, colour is RGB.
// libpng's errors longjmp back to run_decoder, whose frame holds no objects with
// destructors.
#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <string>

#include <png.h>

#include "image/decode/decoders.h"

namespace onyx::image {
namespace {

struct Reader {
  Bytes bytes;
  size_t pos = 8;  // past the signature, checked by the caller
  char message[256] = {};
};

void on_error(png_structp png, png_const_charp msg) {
  auto* r = static_cast<Reader*>(png_get_error_ptr(png));
  std::snprintf(r->message, sizeof r->message, "PNG: %s", msg);
  png_longjmp(png, 1);
}
void on_warning(png_structp, png_const_charp) {}

void on_read(png_structp png, png_bytep out, png_size_t n) {
  auto* r = static_cast<Reader*>(png_get_io_ptr(png));
  if (r->bytes.size - r->pos < n) png_error(png, "data is truncated");
  std::memcpy(out, r->bytes.data + r->pos, n);
  r->pos += n;
}

bool run_decoder(png_structp png, png_infop info, Reader* reader, DecodedImage* img) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_set_sig_bytes(png, 8);
  png_read_info(png, info);
  const png_uint_32 width = png_get_image_width(png, info);
  const png_uint_32 height = png_get_image_height(png, info);
  const int color = png_get_color_type(png, info);
  const int depth = png_get_bit_depth(png, info);
  const bool gray = !(color & PNG_COLOR_MASK_COLOR);
  if (color == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
  if (gray && depth < 8) png_set_expand_gray_1_2_4_to_8(png);
  if (depth == 16) png_set_strip_16(png);
  // Palette expansion turns tRNS into alpha, which is dropped with any other alpha.
  if ((color & PNG_COLOR_MASK_ALPHA) || png_get_valid(png, info, PNG_INFO_tRNS))
    png_set_strip_alpha(png);
  const int passes = png_set_interlace_handling(png);  // interlaced: 7 passes over the rows
  png_read_update_info(png, info);
  const int channels = gray ? 1 : 3;
  try {
    allocate_image(*img, height, width, channels, "PNG");
  } catch (const DecodeError& e) {
    std::snprintf(reader->message, sizeof reader->message, "%s", e.what());
    return false;
  }
  const size_t row_bytes = static_cast<size_t>(width) * channels;
  if (png_get_rowbytes(png, info) != row_bytes || png_get_channels(png, info) != channels) {
    std::snprintf(reader->message, sizeof reader->message, "PNG: unexpected row layout");
    return false;
  }
  for (int pass = 0; pass < passes; ++pass)
    for (png_uint_32 y = 0; y < height; ++y)
      png_read_row(png, img->pixels.data() + y * row_bytes, nullptr);
  png_read_end(png, nullptr);
  return true;
}

}  // namespace

DecodedImage decode_png(Bytes bytes) {
  if (bytes.size < 8 || png_sig_cmp(bytes.data, 0, 8)) throw DecodeError("PNG: bad signature");
  Reader reader{bytes};
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &reader, on_error, on_warning);
  if (!png) throw DecodeError("PNG: libpng could not start");
  png_infop info = png_create_info_struct(png);
  if (!info) {
    png_destroy_read_struct(&png, nullptr, nullptr);
    throw DecodeError("PNG: libpng could not start");
  }
  png_set_read_fn(png, &reader, on_read);
  // Header sizes are checked by allocate_image; these caps stop libpng's own buffers
  // (ancillary chunks) from growing without bound on hostile data.
  png_set_user_limits(png, kMaxImageSide, kMaxImageSide);
  png_set_chunk_malloc_max(png, 64 << 20);
  DecodedImage img;
  bool ok;
  try {
    ok = run_decoder(png, info, &reader, &img);
  } catch (...) {  // std::bad_alloc from the pixel buffer
    png_destroy_read_struct(&png, &info, nullptr);
    throw;
  }
  png_destroy_read_struct(&png, &info, nullptr);
  if (!ok) throw DecodeError(reader.message);
  return img;
}

}  // namespace onyx::image
