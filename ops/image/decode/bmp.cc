// BMP (Windows bitmap), uncompressed: 1/4/8-bit palettes, 16/24/32-bit direct colour
// (BI_RGB or BI_BITFIELDS masks). Parsed by hand; RLE and embedded JPEG/PNG are refused.
// Alpha is dropped and palettes are expanded to RGB (what PIL's convert("RGB") gives).
#include <bit>
#include <string>

#include "image/decode/decoders.h"

namespace onyx::image {
namespace {

uint32_t u16(const uint8_t* p) { return p[0] | (p[1] << 8); }
uint32_t u32(const uint8_t* p) {
  return p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<uint32_t>(p[3]) << 24);
}

// One colour channel under a bitfield mask, scaled to 0..255.
struct Field {
  uint32_t mask = 0;
  int shift = 0, bits = 0;
  explicit Field(uint32_t m) : mask(m) {
    if (m) {
      shift = std::countr_zero(m);
      bits = std::popcount(m);
    }
  }
  uint8_t operator()(uint32_t px) const {
    if (!bits) return 0;
    const uint32_t v = (px & mask) >> shift;
    if (bits >= 8) return static_cast<uint8_t>(v >> (bits - 8));
    const uint32_t max = (1u << bits) - 1;
    return static_cast<uint8_t>((v * 255 + max / 2) / max);
  }
};

}  // namespace

DecodedImage decode_bmp(Bytes bytes) {
  const uint8_t* d = bytes.data;
  const size_t size = bytes.size;
  if (size < 26 || d[0] != 'B' || d[1] != 'M') throw DecodeError("BMP: header is truncated");
  const uint32_t pixel_offset = u32(d + 10), header = u32(d + 14);
  int64_t width, height;
  uint32_t bpp, compression = 0, colors_used = 0;
  size_t palette_entry = 4;
  if (header == 12) {  // OS/2 BITMAPCOREHEADER
    width = u16(d + 18);
    height = static_cast<int16_t>(u16(d + 20));
    bpp = u16(d + 24);
    palette_entry = 3;
  } else if (header >= 40 && header <= 124 && size >= 14 + 40) {
    width = static_cast<int32_t>(u32(d + 18));
    height = static_cast<int32_t>(u32(d + 22));
    bpp = u16(d + 28);
    compression = u32(d + 30);
    colors_used = u32(d + 46);
  } else {
    throw DecodeError("BMP: unsupported or truncated info header of " + std::to_string(header) +
                      " bytes");
  }
  if (compression != 0 && compression != 3)
    throw DecodeError("BMP: compression " + std::to_string(compression) +
                      " (RLE, JPEG or PNG) is not supported");
  if (bpp != 1 && bpp != 4 && bpp != 8 && bpp != 16 && bpp != 24 && bpp != 32)
    throw DecodeError("BMP: " + std::to_string(bpp) + " bits per pixel is not supported");
  if (compression == 3 && bpp != 16 && bpp != 32)
    throw DecodeError("BMP: bitfields need 16 or 32 bits per pixel");
  const bool top_down = height < 0;
  if (top_down) height = -height;
  checked_image_bytes(height, width, 3, "BMP");

  // Colour masks: after a 40-byte header, inside a longer one, or the BI_RGB defaults.
  uint32_t masks[3] = {0x7C00, 0x03E0, 0x001F};
  if (bpp == 32) masks[0] = 0xFF0000, masks[1] = 0xFF00, masks[2] = 0xFF;
  const size_t dib_end = 14 + static_cast<size_t>(header);
  size_t palette_at = dib_end;
  if (compression == 3) {
    const size_t at = 14 + 40;
    if (size < at + 12) throw DecodeError("BMP: bitfield masks are truncated");
    for (int i = 0; i < 3; ++i) masks[i] = u32(d + at + 4 * i);
    if (header == 40) palette_at += 12;
  }
  const Field red(masks[0]), green(masks[1]), blue(masks[2]);

  size_t palette_size = 0;
  if (bpp <= 8) {
    palette_size = colors_used ? colors_used : (1u << bpp);
    if (palette_size > (1u << bpp)) palette_size = 1u << bpp;
    if (palette_at + palette_size * palette_entry > size)
      throw DecodeError("BMP: palette is truncated");
  }

  const size_t stride = (static_cast<size_t>(width) * bpp + 31) / 32 * 4;
  if (pixel_offset > size || (size - pixel_offset) / stride < static_cast<size_t>(height))
    throw DecodeError("BMP: pixel data is truncated (" + std::to_string(width) + " x " +
                      std::to_string(height) + " at " + std::to_string(bpp) + " bits needs " +
                      std::to_string(stride * height) + " bytes)");

  DecodedImage img;
  allocate_image(img, height, width, 3, "BMP");
  for (int64_t y = 0; y < height; ++y) {
    const uint8_t* row = d + pixel_offset + stride * (top_down ? y : height - 1 - y);
    uint8_t* out = img.pixels.data() + y * width * 3;
    for (int64_t x = 0; x < width; ++x, out += 3) {
      if (bpp <= 8) {
        const size_t bit = static_cast<size_t>(x) * bpp;
        const uint32_t index = (row[bit / 8] >> (8 - bpp - bit % 8)) & ((1u << bpp) - 1);
        if (index >= palette_size) {
          out[0] = out[1] = out[2] = 0;  // outside a short palette: black, as viewers show
          continue;
        }
        const uint8_t* entry = d + palette_at + index * palette_entry;
        out[0] = entry[2], out[1] = entry[1], out[2] = entry[0];
      } else if (bpp == 24) {
        const uint8_t* p = row + x * 3;
        out[0] = p[2], out[1] = p[1], out[2] = p[0];
      } else {
        const uint32_t px = bpp == 16 ? u16(row + x * 2) : u32(row + x * 4);
        out[0] = red(px), out[1] = green(px), out[2] = blue(px);
      }
    }
  }
  return img;
}

}  // namespace onyx::image
