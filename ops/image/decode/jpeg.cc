// JPEG through libjpeg-turbo, with its default (accurate integer) IDCT and fancy
// upsampling, as PIL decodes: colour images come out RGB, grayscale ones gray.
// libjpeg reports errors through error_exit, which must not return: it longjmps back to
// run_decoder, whose frame holds no objects with destructors, so nothing is skipped.
#include <csetjmp>
#include <cstdio>
#include <string>

#include <jerror.h>
#include <jpeglib.h>

#include "image/decode/decoders.h"

namespace onyx::image {
namespace {

struct ErrorManager {
  jpeg_error_mgr base;  // first, so libjpeg's pointer to it is one to us
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX + 16];
};

void on_error(j_common_ptr cinfo) {
  auto* err = reinterpret_cast<ErrorManager*>(cinfo->err);
  char text[JMSG_LENGTH_MAX];
  err->base.format_message(cinfo, text);
  std::snprintf(err->message, sizeof err->message, "JPEG: %s", text);
  std::longjmp(err->jump, 1);
}

// Warnings pass (libjpeg recovers from them), except premature end of data: libjpeg
// would pad the image with gray, where a truncated file should be an error.
void on_message(j_common_ptr cinfo, int level) {
  if (level < 0 && cinfo->err->msg_code == JWRN_JPEG_EOF) on_error(cinfo);
}

// Header, checks, allocation and scanlines. Returns false with err->message set on a
// libjpeg error or a refused header.
bool run_decoder(jpeg_decompress_struct* cinfo, ErrorManager* err, Bytes bytes, DecodedImage* img) {
  if (setjmp(err->jump)) return false;
  jpeg_mem_src(cinfo, bytes.data, static_cast<unsigned long>(bytes.size));
  jpeg_read_header(cinfo, TRUE);
  switch (cinfo->jpeg_color_space) {
    case JCS_GRAYSCALE:
      cinfo->out_color_space = JCS_GRAYSCALE;
      break;
    case JCS_CMYK:
    case JCS_YCCK:
      std::snprintf(err->message, sizeof err->message, "JPEG: CMYK images are not supported");
      return false;
    default:
      cinfo->out_color_space = JCS_RGB;
  }
  jpeg_calc_output_dimensions(cinfo);
  const int channels = cinfo->out_color_space == JCS_GRAYSCALE ? 1 : 3;
  try {
    allocate_image(*img, cinfo->output_height, cinfo->output_width, channels, "JPEG");
  } catch (const DecodeError& e) {
    std::snprintf(err->message, sizeof err->message, "%s", e.what());
    return false;
  }
  jpeg_start_decompress(cinfo);
  if (cinfo->output_components != channels) {
    std::snprintf(err->message, sizeof err->message, "JPEG: unexpected component count %d",
                  cinfo->output_components);
    return false;
  }
  const size_t row_bytes = static_cast<size_t>(img->width) * channels;
  while (cinfo->output_scanline < cinfo->output_height) {
    JSAMPROW row = img->pixels.data() + cinfo->output_scanline * row_bytes;
    jpeg_read_scanlines(cinfo, &row, 1);
  }
  jpeg_finish_decompress(cinfo);
  return true;
}

}  // namespace

DecodedImage decode_jpeg(Bytes bytes) {
  jpeg_decompress_struct cinfo;
  ErrorManager err;
  err.message[0] = '\0';
  cinfo.err = jpeg_std_error(&err.base);
  err.base.error_exit = on_error;
  err.base.emit_message = on_message;
  err.base.output_message = [](j_common_ptr) {};
  jpeg_create_decompress(&cinfo);
  DecodedImage img;
  bool ok;
  try {
    ok = run_decoder(&cinfo, &err, bytes, &img);
  } catch (...) {  // std::bad_alloc from the pixel buffer
    jpeg_destroy_decompress(&cinfo);
    throw;
  }
  jpeg_destroy_decompress(&cinfo);
  if (!ok) throw DecodeError(err.message);
  return img;
}

}  // namespace onyx::image
