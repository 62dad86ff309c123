// Resize of feature maps (upsampling 2x as FPN/U-Net decoders do, and a bilinear
// downsample), fast and reference side by side. Arguments: threads, reference (1) or
// fast (0).
#include "bench_session.h"

namespace onyx {
namespace {

using bench::random_floats;
using bench::run_fast_or_reference;
using testing::OpTester;

void run_resize(benchmark::State& state, const std::string& mode, float scale) {
  const Shape shape = {1, 64, 56, 56};
  Tensor scales(DType::Float, {4});
  const float values[] = {1, 1, scale, scale};
  for (int i = 0; i < 4; ++i) scales.data<float>()[i] = values[i];
  OpTester t("Resize", 19);
  const Tensor x = random_floats(shape, 3);
  t.input("X", x).omitted().constant("scales", scales).attr("mode", mode).output("Y");
  const double out_bytes = static_cast<double>(x.nbytes()) * scale * scale;
  run_fast_or_reference(state, t, "GB/s", static_cast<double>(x.nbytes()) + out_bytes);
}

void BM_ResizeNearest2x(benchmark::State& st) { run_resize(st, "nearest", 2.0f); }
void BM_ResizeLinear2x(benchmark::State& st) { run_resize(st, "linear", 2.0f); }
void BM_ResizeLinearHalf(benchmark::State& st) { run_resize(st, "linear", 0.5f); }
BENCHMARK(BM_ResizeNearest2x)
    ->ArgsProduct({{1, 2}, {0, 1}})
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ResizeLinear2x)
    ->ArgsProduct({{1, 2}, {0, 1}})
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ResizeLinearHalf)
    ->ArgsProduct({{1, 2}, {0, 1}})
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace onyx
