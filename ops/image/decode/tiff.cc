// TIFF through libtiff, read from memory, first page only. libtiff's RGBA interface
// covers its photometric interpretations, bit depths and compressions, giving 8-bit
// RGBA, oriented top-left; alpha is then dropped. Errors come back through per-open
// handlers (libtiff >= 4.5), so no process-wide handler is touched.
#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <tiffio.h>

#include "image/decode/decoders.h"

namespace onyx::image {
namespace {

struct Source {
  Bytes bytes{nullptr, 0};
  uint64_t pos = 0;
  std::string error;  // the first error libtiff reports
};

tmsize_t on_read(thandle_t h, void* out, tmsize_t n) {
  auto* s = static_cast<Source*>(h);
  if (n < 0 || s->pos >= s->bytes.size) return 0;
  const uint64_t k = std::min<uint64_t>(static_cast<uint64_t>(n), s->bytes.size - s->pos);
  std::memcpy(out, s->bytes.data + s->pos, k);
  s->pos += k;
  return static_cast<tmsize_t>(k);
}
tmsize_t on_write(thandle_t, void*, tmsize_t) { return 0; }
toff_t on_seek(thandle_t h, toff_t off, int whence) {
  auto* s = static_cast<Source*>(h);
  const uint64_t base = whence == SEEK_CUR ? s->pos : whence == SEEK_END ? s->bytes.size : 0;
  if (off > UINT64_MAX - base) return static_cast<toff_t>(-1);
  s->pos = base + off;  // past the end is allowed; reads there return nothing
  return s->pos;
}
int on_close(thandle_t) { return 0; }
toff_t on_size(thandle_t h) { return static_cast<Source*>(h)->bytes.size; }
int on_map(thandle_t, void**, toff_t*) { return 0; }
void on_unmap(thandle_t, void*, toff_t) {}

int on_error(TIFF*, void* user, const char* module, const char* fmt, va_list args) {
  auto* s = static_cast<Source*>(user);
  if (s->error.empty()) {
    char text[512];
    std::vsnprintf(text, sizeof text, fmt, args);
    s->error = module ? std::string(module) + ": " + text : text;
  }
  return 1;  // handled: keep libtiff's global handler quiet
}
int on_warning(TIFF*, void*, const char*, const char*, va_list) { return 1; }

struct TiffCloser {
  void operator()(TIFF* t) const { TIFFClose(t); }
};
struct OptionsFree {
  void operator()(TIFFOpenOptions* o) const { TIFFOpenOptionsFree(o); }
};

}  // namespace

DecodedImage decode_tiff(Bytes bytes) {
  Source src;
  src.bytes = bytes;
  std::unique_ptr<TIFFOpenOptions, OptionsFree> opts(TIFFOpenOptionsAlloc());
  if (!opts) throw DecodeError("TIFF: libtiff could not start");
  TIFFOpenOptionsSetErrorHandlerExtR(opts.get(), on_error, &src);
  TIFFOpenOptionsSetWarningHandlerExtR(opts.get(), on_warning, &src);
  TIFFOpenOptionsSetMaxSingleMemAlloc(opts.get(), kMaxImageBytes);
  std::unique_ptr<TIFF, TiffCloser> tif(TIFFClientOpenExt("image", "rm", &src, on_read, on_write,
                                                          on_seek, on_close, on_size, on_map,
                                                          on_unmap, opts.get()));
  auto fail = [&src](const char* what) {
    throw DecodeError(std::string("TIFF: ") + what + (src.error.empty() ? "" : ": " + src.error));
  };
  if (!tif) fail("cannot read the header");
  uint32_t width = 0, height = 0;
  if (!TIFFGetField(tif.get(), TIFFTAG_IMAGEWIDTH, &width) ||
      !TIFFGetField(tif.get(), TIFFTAG_IMAGELENGTH, &height))
    fail("image width or length is missing");
  const size_t n = checked_image_bytes(height, width, 4, "TIFF") / 4;
  char why[1024] = {};
  if (!TIFFRGBAImageOK(tif.get(), why)) fail(why);
  std::vector<uint32_t> raster(n);
  if (!TIFFReadRGBAImageOriented(tif.get(), width, height, raster.data(), ORIENTATION_TOPLEFT, 1))
    fail("cannot decode the image data");
  if (!src.error.empty()) fail("corrupt image data");

  DecodedImage img;
  allocate_image(img, height, width, 3, "TIFF");
  for (size_t i = 0; i < n; ++i) {
    img.pixels[3 * i] = static_cast<uint8_t>(TIFFGetR(raster[i]));
    img.pixels[3 * i + 1] = static_cast<uint8_t>(TIFFGetG(raster[i]));
    img.pixels[3 * i + 2] = static_cast<uint8_t>(TIFFGetB(raster[i]));
  }
  return img;
}

}  // namespace onyx::image
