// ImageDecoder on images built here with known pixels (hand-written PNM and BMP, a PNG
// written with libpng), in each pixel format, and on hostile inputs: each must be an
// error naming the op, never a crash or a huge allocation.
#include <gtest/gtest.h>
#include <png.h>

#include <string>
#include <vector>

#include "onyx/onyx.h"
#include "op_tester.h"

namespace onyx {
namespace {

using testing::error_of;
using testing::OpTester;

Tensor bytes_tensor(const std::string& s) {
  std::vector<uint8_t> v(s.begin(), s.end());
  return Tensor::from_vector<uint8_t>({static_cast<int64_t>(v.size())}, v);
}
Tensor bytes_tensor(const std::vector<uint8_t>& v) {
  return Tensor::from_vector<uint8_t>({static_cast<int64_t>(v.size())}, v);
}

Tensor decode(const Tensor& bytes, const std::string& pixel_format = "RGB") {
  OpTester t("ImageDecoder", 20);
  t.input("encoded", bytes).attr("pixel_format", pixel_format).output("image");
  return t.run()[0];
}

void expect_pixels(const Tensor& t, const Shape& shape, const std::vector<uint8_t>& want) {
  ASSERT_EQ(t.shape(), shape);
  EXPECT_EQ(t.to_vector<uint8_t>(), want);
}

#define EXPECT_ERROR(stmt, text)                                                      \
  do {                                                                                \
    const std::string msg = error_of([&] { stmt; });                                  \
    EXPECT_NE(msg.find("ImageDecoder"), std::string::npos) << msg;                    \
    EXPECT_NE(msg.find(text), std::string::npos) << "want '" << text << "': " << msg; \
  } while (0)

// A 2 x 2 RGB image: red, green / blue, white.
const std::vector<uint8_t> kRgb = {255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255};
// Its luma, 16-bit fixed point 601-2 weights, rounded: 0.299 * 255 = 76.2 -> 76,
// 0.587 * 255 = 149.7 -> 150, 0.114 * 255 = 29.1 -> 29, white stays 255.
const std::vector<uint8_t> kGray = {76, 150, 29, 255};

std::string ppm_binary() {
  return std::string("P6\n# made by hand\n2 2\n255\n") +
         std::string(reinterpret_cast<const char*>(kRgb.data()), kRgb.size());
}

TEST(ImageDecoder, PnmBinaryInEachPixelFormat) {
  expect_pixels(decode(bytes_tensor(ppm_binary())), {2, 2, 3}, kRgb);
  expect_pixels(decode(bytes_tensor(ppm_binary()), "BGR"), {2, 2, 3},
                {0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 255});
  expect_pixels(decode(bytes_tensor(ppm_binary()), "Grayscale"), {2, 2, 1}, kGray);
}

TEST(ImageDecoder, PnmAsciiAndScaledMaxval) {
  // P3 with maxval 15: 15 -> 255, 0 -> 0, 5 -> 5 * 255 / 15 = 85.
  expect_pixels(decode(bytes_tensor("P3 2 1 15\n15 0 5  0 15 15\n")), {1, 2, 3},
                {255, 0, 85, 0, 255, 255});
  // A gray P2 asked for as RGB repeats its level in each channel.
  expect_pixels(decode(bytes_tensor("P2\n2 1\n255\n7 200\n")), {1, 2, 3}, {7, 7, 7, 200, 200, 200});
  // P1: 1 is black.
  expect_pixels(decode(bytes_tensor("P1\n3 1\n1 0 1\n"), "Grayscale"), {1, 3, 1}, {0, 255, 0});
}

// A 2 x 2 24-bit BMP, rows stored bottom-up as BGR, each padded to 4 bytes.
std::vector<uint8_t> bmp_24bit() {
  std::vector<uint8_t> b = {'B', 'M', 70, 0, 0,  0, 0, 0, 0, 0, 54, 0, 0, 0,         // file header
                            40,  0,   0,  0, 2,  0, 0, 0, 2, 0, 0,  0, 1, 0, 24, 0,  // info header
                            0,   0,   0,  0, 16, 0, 0, 0, 0, 0, 0,  0, 0, 0, 0,  0,
                            0,   0,   0,  0, 0,  0, 0, 0};
  const std::vector<uint8_t> rows = {255, 0, 0,   255, 255, 255, 0, 0,   // bottom: blue, white
                                     0,   0, 255, 0,   255, 0,   0, 0};  // top: red, green
  b.insert(b.end(), rows.begin(), rows.end());
  return b;
}

TEST(ImageDecoder, Bmp24BitInEachPixelFormat) {
  expect_pixels(decode(bytes_tensor(bmp_24bit())), {2, 2, 3}, kRgb);
  expect_pixels(decode(bytes_tensor(bmp_24bit()), "Grayscale"), {2, 2, 1}, kGray);
}

std::vector<uint8_t> png_of(const std::vector<uint8_t>& pixels, int width, int height,
                            png_uint_32 format) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  image.width = width;
  image.height = height;
  image.format = format;
  png_alloc_size_t size = 0;
  EXPECT_TRUE(png_image_write_to_memory(&image, nullptr, &size, 0, pixels.data(), 0, nullptr));
  std::vector<uint8_t> out(size);
  EXPECT_TRUE(png_image_write_to_memory(&image, out.data(), &size, 0, pixels.data(), 0, nullptr));
  out.resize(size);
  return out;
}

TEST(ImageDecoder, PngFromLibpng) {
  const std::vector<uint8_t> png = png_of(kRgb, 2, 2, PNG_FORMAT_RGB);
  expect_pixels(decode(bytes_tensor(png)), {2, 2, 3}, kRgb);
  expect_pixels(decode(bytes_tensor(png), "Grayscale"), {2, 2, 1}, kGray);
  // Alpha is dropped, not blended.
  const std::vector<uint8_t> rgba = {10, 20, 30, 0, 40, 50, 60, 128};
  expect_pixels(decode(bytes_tensor(png_of(rgba, 2, 1, PNG_FORMAT_RGBA))), {1, 2, 3},
                {10, 20, 30, 40, 50, 60});
  // A gray PNG stays exact in Grayscale.
  expect_pixels(decode(bytes_tensor(png_of({3, 250}, 2, 1, PNG_FORMAT_GRAY)), "Grayscale"),
                {1, 2, 1}, {3, 250});
}

TEST(ImageDecoder, TruncatedDataIsAnError) {
  const std::string ppm = ppm_binary();
  EXPECT_ERROR(decode(bytes_tensor(ppm.substr(0, ppm.size() - 1))), "truncated");
  const std::vector<uint8_t> bmp = bmp_24bit();
  EXPECT_ERROR(decode(bytes_tensor(std::vector<uint8_t>(bmp.begin(), bmp.end() - 3))), "truncated");
  const std::vector<uint8_t> png = png_of(kRgb, 2, 2, PNG_FORMAT_RGB);
  EXPECT_ERROR(decode(bytes_tensor(std::vector<uint8_t>(png.begin(), png.begin() + 40))), "PNG");
  EXPECT_ERROR(decode(bytes_tensor("P6\n2 2")), "PNM");
}

TEST(ImageDecoder, HugeHeaderIsRefusedBeforeAllocating) {
  EXPECT_ERROR(decode(bytes_tensor("P6\n100000 100000\n255\n" + std::string(16, 'x'))),
               "100000 x 100000");
  std::vector<uint8_t> bmp = bmp_24bit();
  const uint8_t big[4] = {0xA0, 0x86, 0x01, 0x00};  // 100000, little-endian
  std::copy(big, big + 4, bmp.begin() + 18);
  std::copy(big, big + 4, bmp.begin() + 22);
  EXPECT_ERROR(decode(bytes_tensor(bmp)), "100000 x 100000");
}

TEST(ImageDecoder, UnknownFormatIsAnError) {
  EXPECT_ERROR(decode(bytes_tensor("GIF89a......")), "match none of");
  EXPECT_ERROR(decode(bytes_tensor(std::vector<uint8_t>{})), "match none of");
}

TEST(ImageDecoder, BadPixelFormatIsAnError) {
  EXPECT_ERROR(decode(bytes_tensor(ppm_binary()), "RGBA"), "pixel_format");
}

}  // namespace
}  // namespace onyx
