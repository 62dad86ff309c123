// JPEG 2000 (JP2 file or raw J2K codestream) through openjpeg, read from memory.
// One or two components (gray, gray + alpha) give gray, three or more give RGB from the
// first three; alpha is dropped. Samples are brought to 8 bits (signed ones offset to
// unsigned first). Subsampled components and sYCC/CMYK colour spaces are refused.
#include <algorithm>
#include <cstring>
#include <memory>
#include <string>

#include <openjpeg.h>

#include "image/decode/decoders.h"

namespace onyx::image {
namespace {

struct Source {
  Bytes bytes{nullptr, 0};
  size_t pos = 0;
  std::string error;  // the first error openjpeg reports
};

OPJ_SIZE_T on_read(void* out, OPJ_SIZE_T n, void* user) {
  auto* s = static_cast<Source*>(user);
  if (s->pos >= s->bytes.size) return static_cast<OPJ_SIZE_T>(-1);
  const size_t k = std::min<size_t>(n, s->bytes.size - s->pos);
  std::memcpy(out, s->bytes.data + s->pos, k);
  s->pos += k;
  return k;
}
OPJ_OFF_T on_skip(OPJ_OFF_T n, void* user) {
  auto* s = static_cast<Source*>(user);
  if (n < 0 || static_cast<uint64_t>(n) > s->bytes.size - s->pos) return -1;
  s->pos += static_cast<size_t>(n);
  return n;
}
OPJ_BOOL on_seek(OPJ_OFF_T n, void* user) {
  auto* s = static_cast<Source*>(user);
  if (n < 0 || static_cast<uint64_t>(n) > s->bytes.size) return OPJ_FALSE;
  s->pos = static_cast<size_t>(n);
  return OPJ_TRUE;
}
void on_error(const char* msg, void* user) {
  auto* s = static_cast<Source*>(user);
  if (s->error.empty()) {
    s->error = msg;
    while (!s->error.empty() && s->error.back() == '\n') s->error.pop_back();
  }
}
void on_quiet(const char*, void*) {}

struct StreamFree {
  void operator()(opj_stream_t* s) const { opj_stream_destroy(s); }
};
struct CodecFree {
  void operator()(opj_codec_t* c) const { opj_destroy_codec(c); }
};
struct ImageFree {
  void operator()(opj_image_t* i) const { opj_image_destroy(i); }
};

// A sample of `prec` bits (1..31) brought to 0..255.
uint8_t to_8bit(int64_t v, const opj_image_comp_t& c) {
  if (c.sgnd) v += int64_t{1} << (c.prec - 1);
  const int64_t max = (int64_t{1} << c.prec) - 1;
  v = std::clamp<int64_t>(v, 0, max);
  if (c.prec == 8) return static_cast<uint8_t>(v);
  if (c.prec > 8) return static_cast<uint8_t>(v >> (c.prec - 8));
  return static_cast<uint8_t>((v * 255 + max / 2) / max);
}

}  // namespace

DecodedImage decode_jpeg2000(Bytes bytes) {
  static const uint8_t kCodestream[] = {0xFF, 0x4F, 0xFF, 0x51};
  const bool raw = bytes.size >= 4 && std::memcmp(bytes.data, kCodestream, 4) == 0;
  Source src;
  src.bytes = bytes;
  auto fail = [&src](const char* what) {
    throw DecodeError(std::string("JPEG 2000: ") + what +
                      (src.error.empty() ? "" : ": " + src.error));
  };
  std::unique_ptr<opj_stream_t, StreamFree> stream(opj_stream_create(1 << 16, OPJ_TRUE));
  std::unique_ptr<opj_codec_t, CodecFree> codec(
      opj_create_decompress(raw ? OPJ_CODEC_J2K : OPJ_CODEC_JP2));
  if (!stream || !codec) fail("openjpeg could not start");
  opj_stream_set_user_data(stream.get(), &src, nullptr);
  opj_stream_set_user_data_length(stream.get(), bytes.size);
  opj_stream_set_read_function(stream.get(), on_read);
  opj_stream_set_skip_function(stream.get(), on_skip);
  opj_stream_set_seek_function(stream.get(), on_seek);
  opj_set_error_handler(codec.get(), on_error, &src);
  opj_set_warning_handler(codec.get(), on_quiet, nullptr);
  opj_set_info_handler(codec.get(), on_quiet, nullptr);
  opj_dparameters_t params;
  opj_set_default_decoder_parameters(&params);
  if (!opj_setup_decoder(codec.get(), &params)) fail("cannot set up the decoder");

  opj_image_t* raw_image = nullptr;
  const bool header_ok = opj_read_header(stream.get(), codec.get(), &raw_image);
  std::unique_ptr<opj_image_t, ImageFree> image(raw_image);
  if (!header_ok || !image) fail("cannot read the header");
  if (image->x1 <= image->x0 || image->y1 <= image->y0 || image->numcomps == 0)
    fail("the header gives an empty image");
  const int64_t width = image->x1 - image->x0, height = image->y1 - image->y0;
  const int64_t channels = image->numcomps >= 3 ? 3 : 1;
  checked_image_bytes(height, width, channels, "JPEG 2000");
  if (image->color_space == OPJ_CLRSPC_SYCC || image->color_space == OPJ_CLRSPC_EYCC ||
      image->color_space == OPJ_CLRSPC_CMYK)
    fail("sYCC, e-YCC and CMYK colour spaces are not supported");
  for (int64_t c = 0; c < channels; ++c)
    if (image->comps[c].dx != 1 || image->comps[c].dy != 1)
      fail("subsampled components are not supported");

  if (!opj_decode(codec.get(), stream.get(), image.get()) ||
      !opj_end_decompress(codec.get(), stream.get()))
    fail("cannot decode the image data");
  for (int64_t c = 0; c < channels; ++c) {
    const opj_image_comp_t& comp = image->comps[c];
    if (!comp.data || comp.w != width || comp.h != height || comp.prec < 1 || comp.prec > 31)
      fail("a component's size or precision does not match the image");
  }

  DecodedImage img;
  allocate_image(img, height, width, channels, "JPEG 2000");
  const size_t n = static_cast<size_t>(width * height);
  for (int64_t c = 0; c < channels; ++c) {
    const opj_image_comp_t& comp = image->comps[c];
    for (size_t i = 0; i < n; ++i) img.pixels[i * channels + c] = to_8bit(comp.data[i], comp);
  }
  return img;
}

}  // namespace onyx::image
