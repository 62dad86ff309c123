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

namespace {

struct Writer {
  std::string bytes;
  char message[256] = {};
};

void on_write_error(png_structp png, png_const_charp msg) {
  auto* w = static_cast<Writer*>(png_get_error_ptr(png));
  std::snprintf(w->message, sizeof w->message, "PNG: %s", msg);
  png_longjmp(png, 1);
}

void on_write(png_structp png, png_bytep data, png_size_t n) {
  static_cast<Writer*>(png_get_io_ptr(png))->bytes.append(reinterpret_cast<char*>(data), n);
}
void on_flush(png_structp) {}

// libpng's errors longjmp here; the frame holds no objects with destructors.
bool run_encoder(png_structp png, png_infop info, const DecodedImage* img) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_set_IHDR(png, info, static_cast<png_uint_32>(img->width),
               static_cast<png_uint_32>(img->height), 8,
               img->channels == 1 ? PNG_COLOR_TYPE_GRAY : PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_set_filter(png, 0, PNG_FILTER_NONE);
  png_write_info(png, info);
  const size_t row = static_cast<size_t>(img->width * img->channels);
  for (int64_t y = 0; y < img->height; ++y)
    png_write_row(png, const_cast<png_bytep>(img->pixels.data() + static_cast<size_t>(y) * row));
  png_write_end(png, nullptr);
  return true;
}

}  // namespace

std::string encode_png(const DecodedImage& image) {
  if ((image.channels != 1 && image.channels != 3) || image.height < 1 || image.width < 1 ||
      image.height > kMaxImageSide || image.width > kMaxImageSide ||
      image.pixels.size() != static_cast<size_t>(image.height * image.width * image.channels))
    throw DecodeError("PNG: cannot write a " + std::to_string(image.height) + "x" +
                      std::to_string(image.width) + " image of " + std::to_string(image.channels) +
                      " channels");
  Writer writer;
  png_structp png =
      png_create_write_struct(PNG_LIBPNG_VER_STRING, &writer, on_write_error, on_warning);
  if (!png) throw DecodeError("PNG: libpng could not start");
  png_infop info = png_create_info_struct(png);
  if (!info) {
    png_destroy_write_struct(&png, nullptr);
    throw DecodeError("PNG: libpng could not start");
  }
  png_set_write_fn(png, &writer, on_write, on_flush);
  bool ok;
  try {
    ok = run_encoder(png, info, &image);
  } catch (...) {  // std::bad_alloc from the output string
    png_destroy_write_struct(&png, &info);
    throw;
  }
  png_destroy_write_struct(&png, &info);
  if (!ok) throw DecodeError(writer.message);
  return std::move(writer.bytes);
}

}  // namespace onyx::image
