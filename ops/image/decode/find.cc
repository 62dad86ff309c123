// Recognises an image's format by its first bytes (find_decoder in decoders.h).
#include <cstring>

#include "image/decode/decoders.h"

namespace onyx::image {
namespace {

bool starts_with(Bytes b, const char* magic, size_t n, size_t at = 0) {
  return b.size >= at + n && std::memcmp(b.data + at, magic, n) == 0;
}

}  // namespace

Decoder find_decoder(Bytes b, const char** name) {
  struct Entry {
    const char* name;
    Decoder decode;
    bool (*match)(Bytes);
  };
  static const Entry kFormats[] = {
      {"JPEG", decode_jpeg, [](Bytes b) { return starts_with(b, "\xFF\xD8\xFF", 3); }},
      {"PNG", decode_png, [](Bytes b) { return starts_with(b, "\x89PNG\r\n\x1A\n", 8); }},
      {"BMP", decode_bmp, [](Bytes b) { return starts_with(b, "BM", 2); }},
      {"TIFF", decode_tiff,
       [](Bytes b) { return starts_with(b, "II*\0", 4) || starts_with(b, "MM\0*", 4); }},
      {"WebP", decode_webp,
       [](Bytes b) { return starts_with(b, "RIFF", 4) && starts_with(b, "WEBP", 4, 8); }},
      {"PNM", decode_pnm,
       [](Bytes b) {
         return b.size >= 2 && b.data[0] == 'P' && b.data[1] >= '1' && b.data[1] <= '6';
       }},
      {"JPEG 2000", decode_jpeg2000,
       [](Bytes b) {
         return starts_with(b, "\0\0\0\x0CjP  \r\n\x87\n", 12) ||
                starts_with(b, "\xFF\x4F\xFF\x51", 4);
       }},
  };
  for (const Entry& e : kFormats)
    if (e.match(b)) {
      *name = e.name;
      return e.decode;
    }
  return nullptr;
}

}  // namespace onyx::image
