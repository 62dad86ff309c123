// PNM (Netpbm P1..P6): a text header, then ASCII or binary samples. Parsed by hand.
// Samples with a maxval other than 255 are scaled to 0..255 with rounding; bitmaps
// (P1, P4) store 1 for black.
#include <string>

#include "image/decode/decoders.h"

namespace onyx::image {
namespace {

class PnmReader {
 public:
  explicit PnmReader(Bytes b) : b_(b) {}

  bool at_end() const { return pos_ >= b_.size; }
  size_t remaining() const { return b_.size - pos_; }
  size_t pos() const { return pos_; }
  uint8_t byte(size_t i) const { return b_.data[i]; }

  // Skips whitespace and '#' comments (to the end of the line).
  void skip_space() {
    while (!at_end()) {
      const uint8_t c = b_.data[pos_];
      if (c == '#') {
        while (!at_end() && b_.data[pos_] != '\n' && b_.data[pos_] != '\r') ++pos_;
      } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f') {
        ++pos_;
      } else {
        return;
      }
    }
  }

  // A decimal number after optional whitespace; `max_digits` bounds a single P1 digit.
  int64_t number(const char* what, int max_digits = 9) {
    skip_space();
    int64_t v = 0;
    int digits = 0;
    while (!at_end() && digits < max_digits && b_.data[pos_] >= '0' && b_.data[pos_] <= '9') {
      v = v * 10 + (b_.data[pos_++] - '0');
      ++digits;
    }
    if (digits == 0)
      throw DecodeError(std::string("PNM: ") + (at_end() ? "data ends" : "bad character") +
                        " where the " + what + " was expected");
    return v;
  }

  // The single whitespace byte that ends a binary header.
  void end_header() {
    if (at_end()) throw DecodeError("PNM: data ends after the header");
    ++pos_;
  }

 private:
  Bytes b_;
  size_t pos_ = 2;  // past the magic "Pn"
};

}  // namespace

DecodedImage decode_pnm(Bytes bytes) {
  if (bytes.size < 2 || bytes.data[0] != 'P' || bytes.data[1] < '1' || bytes.data[1] > '6')
    throw DecodeError("PNM: not a P1..P6 file");
  const int kind = bytes.data[1] - '0';
  const bool bitmap = kind == 1 || kind == 4, ascii = kind <= 3;
  const int64_t channels = (kind == 3 || kind == 6) ? 3 : 1;
  PnmReader r(bytes);
  const int64_t width = r.number("width"), height = r.number("height");
  const int64_t maxval = bitmap ? 1 : r.number("maxval");
  if (maxval < 1 || maxval > 65535)
    throw DecodeError("PNM: maxval " + std::to_string(maxval) + " is outside 1..65535");
  const size_t n = checked_image_bytes(height, width, channels, "PNM");

  // Refuse a header that promises more samples than the data can hold, before allocating.
  const size_t sample_bytes = maxval > 255 ? 2 : 1;
  if (!ascii) r.end_header();
  const size_t need = kind == 4 ? static_cast<size_t>((width + 7) / 8 * height)
                      : ascii   ? n  // at least one character per sample
                                : n * sample_bytes;
  if (r.remaining() < need)
    throw DecodeError("PNM: data is truncated (" + std::to_string(width) + " x " +
                      std::to_string(height) + " needs " + std::to_string(need) + " bytes, " +
                      std::to_string(r.remaining()) + " left)");

  DecodedImage img;
  allocate_image(img, height, width, channels, "PNM");
  auto scale = [maxval](int64_t v) -> uint8_t {
    if (v > maxval) v = maxval;
    return static_cast<uint8_t>(maxval == 255 ? v : (v * 255 + maxval / 2) / maxval);
  };
  uint8_t* out = img.pixels.data();
  if (kind == 4) {
    const size_t row_bytes = static_cast<size_t>((width + 7) / 8), base = r.pos();
    for (int64_t y = 0; y < height; ++y)
      for (int64_t x = 0; x < width; ++x) {
        const uint8_t packed = r.byte(base + y * row_bytes + x / 8);
        *out++ = (packed >> (7 - x % 8)) & 1 ? 0 : 255;
      }
  } else if (ascii) {
    for (size_t i = 0; i < n; ++i) {
      const int64_t v = r.number("sample", bitmap ? 1 : 9);
      out[i] = bitmap ? (v ? 0 : 255) : scale(v);
    }
  } else {
    const size_t base = r.pos();
    for (size_t i = 0; i < n; ++i) {
      const int64_t v = sample_bytes == 2 ? (r.byte(base + 2 * i) << 8) | r.byte(base + 2 * i + 1)
                                          : r.byte(base + i);
      out[i] = scale(v);
    }
  }
  return img;
}

}  // namespace onyx::image
