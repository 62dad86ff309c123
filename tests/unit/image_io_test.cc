// Image files (onyx/image_io.h) and the CLI's image inputs and outputs (tools/onyx/
// images.h), with expected values worked out by hand in the comments.
#include "onyx/image_io.h"

#include <gtest/gtest.h>

#include "graph_builders.h"
#include "images.h"
#include "op_tester.h"

namespace onyx::cli {
namespace {

using testing::error_from;
using testing::expect_error;

// 1 x 2 RGB: (255, 0, 51) then (0, 255, 102).
Image two_pixels() { return Image{1, 2, 3, {255, 0, 51, 0, 255, 102}}; }

TypeInfo tensor_type(DType dtype, std::vector<int64_t> dims) {
  std::vector<Dim> shape;
  for (int64_t d : dims) shape.push_back(d < 0 ? Dim::symbol("d") : Dim::known(d));
  return TypeInfo::tensor(dtype, shape);
}

void expect_floats(const Tensor& t, const Shape& shape, const std::vector<float>& want) {
  testing::expect_near(t, shape, want, 1e-4);
}

TEST(ImageFiles, PngRoundTripsGrayAndColour) {
  test::ScratchDir dir;
  for (const Image& image : {Image{3, 2, 1, {0, 1, 2, 127, 128, 255}}, two_pixels()}) {
    write_png(dir.file("x.png"), image);
    const Image back = read_image(dir.file("x.png"));
    EXPECT_EQ(back.height, image.height);
    EXPECT_EQ(back.width, image.width);
    EXPECT_EQ(back.channels, image.channels);
    EXPECT_EQ(back.pixels, image.pixels);
  }
}

TEST(ImageFiles, ErrorsNameTheFile) {
  test::ScratchDir dir;
  expect_error(error_from([&] { read_image(dir.file("absent.png")); }), ErrorKind::io_error,
               "absent.png");
  dir.write("notes.png", "not an image at all");
  expect_error(error_from([&] { read_image(dir.file("notes.png")); }), ErrorKind::invalid_input,
               "notes.png");
  dir.write("cut.png", "\x89PNG\r\n\x1A\n\0\0");
  expect_error(error_from([&] { read_image(dir.file("cut.png")); }), ErrorKind::invalid_input,
               "PNG");
}

TEST(ImageInputs, NchwFloatIsScaledThenNormalized) {
  ImageOptions o;
  o.mean = {0.5f};
  o.std = {0.5f};
  // (pixel / 255 - 0.5) / 0.5, channel by channel.
  expect_floats(image_to_tensor(two_pixels(), tensor_type(DType::Float, {1, 3, 1, 2}), o, "x"),
                {1, 3, 1, 2}, {1, -1, -1, 1, -0.6f, -0.2f});
}

TEST(ImageInputs, NhwcUint8InBgrOrder) {
  ImageOptions o;
  o.bgr = true;
  const Image image{2, 2, 3, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}};
  // [1, 2, 2, 3]: dim 3 holds the channels; each pixel's bytes reversed.
  const Tensor t = image_to_tensor(image, tensor_type(DType::UInt8, {1, 2, 2, 3}), o, "x");
  EXPECT_EQ(t.shape(), (Shape{1, 2, 2, 3}));
  EXPECT_EQ(t.to_vector<uint8_t>(), (std::vector<uint8_t>{3, 2, 1, 6, 5, 4, 9, 8, 7, 12, 11, 10}));
}

TEST(ImageInputs, ColourBecomesLumaAndResizesBilinearly) {
  ImageOptions o;
  o.scale = 1;
  // Luma 0.299 R + 0.587 G + 0.114 B: 82.059 and 161.313. Widened 2 -> 4 with pixel
  // centres at half-integers, output x samples input x/2 - 0.25 (clamped to [0, 1]):
  // 0, 0.25, 0.75, 1 of the way from the first to the second; both rows alike.
  const float a = 82.059f, b = 161.313f;
  const std::vector<float> row = {a, a + 0.25f * (b - a), a + 0.75f * (b - a), b};
  std::vector<float> want = row;
  want.insert(want.end(), row.begin(), row.end());
  expect_floats(image_to_tensor(two_pixels(), tensor_type(DType::Float, {1, 1, 2, 4}), o, "x"),
                {1, 1, 2, 4}, want);
  // --size wins over the declared dims, which may also be symbolic.
  o.size = std::make_pair<int64_t, int64_t>(1, 2);
  expect_floats(image_to_tensor(two_pixels(), tensor_type(DType::Float, {1, 1, -1, -1}), o, "x"),
                {1, 1, 1, 2}, {a, b});
}

TEST(ImageInputs, WrongInputsAreRefusedByName) {
  ImageOptions o;
  expect_error(error_from([&] {
                 image_to_tensor(two_pixels(), tensor_type(DType::Int64, {1, 3, 1, 2}), o, "x");
               }),
               ErrorKind::invalid_input, "'x' is int64");
  expect_error(error_from([&] {
                 image_to_tensor(two_pixels(), tensor_type(DType::Float, {3, 1, 2}), o, "x");
               }),
               ErrorKind::invalid_input, "rank-4");
  expect_error(error_from([&] {
                 image_to_tensor(two_pixels(), tensor_type(DType::Float, {1, 4, 1, 2}), o, "x");
               }),
               ErrorKind::invalid_input, "4 channels");
  o.mean = {0.1f, 0.2f};
  EXPECT_THROW(image_to_tensor(two_pixels(), tensor_type(DType::Float, {1, 3, 1, 2}), o, "x"),
               UsageError);
}

TEST(ImageOutputs, InvertTheInputConversion) {
  ImageOptions o;
  o.mean = {0.4f, 0.5f, 0.6f};
  o.std = {0.2f, 0.25f, 0.3f};
  o.bgr = true;
  const Image image{2, 2, 3, {0, 10, 20, 30, 40, 50, 60, 70, 80, 255, 128, 1}};
  for (std::vector<int64_t> dims : {std::vector<int64_t>{1, 3, 2, 2}, {1, 2, 2, 3}}) {
    const Tensor t = image_to_tensor(image, tensor_type(DType::Float, dims), o, "x");
    EXPECT_EQ(tensor_to_image(t, o, "y").pixels, image.pixels);
  }
  // [H, W] is a gray image; values past 0..255 are clamped.
  const Image gray =
      tensor_to_image(Tensor::from_vector<float>({1, 3}, {-1, 0.6f, 2}), ImageOptions{}, "y");
  EXPECT_EQ(gray.channels, 1);
  EXPECT_EQ(gray.pixels, (std::vector<uint8_t>{0, 153, 255}));  // 0.6 * 255 = 153
  expect_error(error_from([&] {
                 tensor_to_image(Tensor(DType::Float, {1, 4, 2, 2}), ImageOptions{}, "y");
               }),
               ErrorKind::invalid_input, "'y'");
}

}  // namespace
}  // namespace onyx::cli
