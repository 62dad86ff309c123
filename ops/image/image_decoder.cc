// ImageDecoder (opset 20): a 1-D uint8 tensor of encoded image bytes -> uint8 [H, W, C],
// C = 3 for pixel_format "RGB" or "BGR", 1 for "Grayscale". The format is recognised by
// its magic bytes; the decoders live in image/decode/, one file per format.
//
// Where the spec is silent, the ONNX reference implementation (PIL) decides: Grayscale is
// PIL's convert("L") on the RGB pixels, the ITU-R 601-2 luma in 16-bit fixed point with
// rounding (weights 19595, 38470, 7471, summing to 65536, so gray pixels keep their
// level); a gray image asked for as RGB or BGR repeats its level in all three channels
// (PIL's convert("RGB")).
#include <map>
#include <string>

#include "common/shape_utils.h"
#include "image/decode/decoders.h"
#include "image/image_ops.h"

namespace onyx {
namespace {

using image::Bytes;
using image::DecodedImage;

enum class PixelFormat { RGB, BGR, Grayscale };

template <class Ctx>
PixelFormat read_pixel_format(const Attrs& attrs, Ctx& ctx) {
  const std::string f = attrs.get_string("pixel_format", "RGB");
  if (f == "RGB") return PixelFormat::RGB;
  if (f == "BGR") return PixelFormat::BGR;
  if (f == "Grayscale") return PixelFormat::Grayscale;
  ctx.fail(cat("pixel_format must be RGB, BGR or Grayscale, got '", f, "'"));
}

int64_t channels_of(PixelFormat f) { return f == PixelFormat::Grayscale ? 1 : 3; }

void infer_image_decoder(InferContext& ctx) {
  const PixelFormat f = read_pixel_format(Attrs(ctx.node(), ctx.label()), ctx);
  const TypeInfo& x = ctx.input(0);
  if (x.has_shape() && x.shape->size() != 1)
    ctx.fail(cat("encoded_stream must be 1-D, got rank ", x.shape->size()));
  ctx.set_output(0, TypeInfo::tensor(DType::UInt8,
                                     std::vector<Dim>{Dim{}, Dim{}, Dim::known(channels_of(f))}));
}

class ImageDecoderKernel final : public Kernel {
 public:
  explicit ImageDecoderKernel(const KernelInit& init)
      : format_(read_pixel_format(init.attrs(), init)) {}

  void run(KernelContext& ctx) const override;

 private:
  PixelFormat format_;
};

void ImageDecoderKernel::run(KernelContext& ctx) const {
  const Tensor& x = ctx.input(0);
  if (x.rank() != 1) ctx.fail(cat("encoded_stream must be a 1-D uint8 tensor, got ", x.describe()));
  const Bytes bytes{x.data<uint8_t>(), static_cast<size_t>(x.numel())};
  const char* name = nullptr;
  const image::Decoder decode = image::find_decoder(bytes, &name);
  if (!decode)
    ctx.fail(
        cat("cannot decode the image: its first bytes match none of JPEG, PNG, BMP, TIFF, "
            "WebP, PNM or JPEG 2000 (",
            bytes.size, " bytes given)"));
  DecodedImage img;
  try {
    img = decode(bytes);
  } catch (const image::DecodeError& e) {
    ctx.fail(cat("cannot decode the ", name, " image: ", e.what()));
  }

  const int64_t C = channels_of(format_), n = img.height * img.width;
  Tensor& y = ctx.allocate_uninitialized_output(0, DType::UInt8, {img.height, img.width, C});
  const uint8_t* in = img.pixels.data();
  uint8_t* out = y.data<uint8_t>();
  if (img.channels == 1) {
    for (int64_t i = 0; i < n; ++i)
      for (int64_t c = 0; c < C; ++c) out[i * C + c] = in[i];
  } else if (format_ == PixelFormat::Grayscale) {
    for (int64_t i = 0; i < n; ++i) {
      const uint32_t r = in[3 * i], g = in[3 * i + 1], b = in[3 * i + 2];
      out[i] = static_cast<uint8_t>((r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16);
    }
  } else {
    const bool bgr = format_ == PixelFormat::BGR;
    for (int64_t i = 0; i < n; ++i) {
      out[3 * i] = in[3 * i + (bgr ? 2 : 0)];
      out[3 * i + 1] = in[3 * i + 1];
      out[3 * i + 2] = in[3 * i + (bgr ? 0 : 2)];
    }
  }
}

}  // namespace

void register_image_decoder(Registry& registry) {
  add_op_versions(registry, "ImageDecoder",
                  {{20, kOpsetOpen, {DType::UInt8}, {{"pixel_format", AttrType::String}}}},
                  make_kernel<ImageDecoderKernel>(), infer_image_decoder);
}

}  // namespace onyx
