// Per-kernel timings through a real one-node Session (the same path a model takes).
// Run: build/bench/onyx_kernel_bench [--benchmark_filter=Conv]
#include <benchmark/benchmark.h>

#include "bench_session.h"

namespace onyx {
namespace {

using bench::random_floats;
using bench::run_session;
using testing::OpTester;

// ResNet-style 3x3 convolution, 64 -> 64 channels on 56x56.
void BM_Conv3x3(benchmark::State& state) {
  OpTester t("Conv", 13);
  t.input("X", random_floats({1, 64, 56, 56}, 1))
      .constant("W", random_floats({64, 64, 3, 3}, 2))
      .constant("B", random_floats({64}, 3))
      .attr("kernel_shape", std::vector<int64_t>{3, 3})
      .attr("pads", std::vector<int64_t>{1, 1, 1, 1})
      .output("Y");
  run_session(state, t, 2.0 * 64 * 64 * 9 * 56 * 56);
}
BENCHMARK(BM_Conv3x3)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);

// One convolution layer of the zoo's CNNs, with bias and Relu as the optimizer fuses
// them: C -> M channels over an H x H image, a k x k kernel, `stride`, "same" padding,
// `group` groups (group == C: depthwise).
struct ConvLayer {
  int64_t C, H, M, k, stride, group;
};

void run_conv_layer(benchmark::State& state, ConvLayer l) {
  const int64_t pad = l.k / 2, OH = (l.H + 2 * pad - l.k) / l.stride + 1;
  OpTester t("FusedConv", 1, "ai.onyx");
  t.input("X", random_floats({1, l.C, l.H, l.H}, 21))
      .constant("W", random_floats({l.M, l.C / l.group, l.k, l.k}, 22))
      .constant("B", random_floats({l.M}, 23))
      .attr("kernel_shape", std::vector<int64_t>{l.k, l.k})
      .attr("strides", std::vector<int64_t>{l.stride, l.stride})
      .attr("pads", std::vector<int64_t>{pad, pad, pad, pad})
      .attr("group", l.group)
      .attr("activation", std::string("Relu"))
      .output("Y");
  run_session(state, t, 2.0 * l.M * (l.C / l.group) * l.k * l.k * OH * OH);
}

#define CONV_LAYER(name, ...)                                                      \
  void BM_Conv_##name(benchmark::State& st) { run_conv_layer(st, {__VA_ARGS__}); } \
  BENCHMARK(BM_Conv_##name)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMicrosecond)

// MobileNetV2 at 224x224: the stem, then the first blocks, where most of its time goes.
CONV_LAYER(MobileNetV2_Stem3to32s2, 3, 224, 32, 3, 2, 1);
CONV_LAYER(MobileNetV2_Depthwise32, 32, 112, 32, 3, 1, 32);
CONV_LAYER(MobileNetV2_Pointwise32to16, 32, 112, 16, 1, 1, 1);
CONV_LAYER(MobileNetV2_Pointwise16to96, 16, 112, 96, 1, 1, 1);
CONV_LAYER(MobileNetV2_Depthwise96s2, 96, 112, 96, 3, 2, 96);
CONV_LAYER(MobileNetV2_Pointwise96to24, 96, 56, 24, 1, 1, 1);
CONV_LAYER(MobileNetV2_Depthwise144, 144, 56, 144, 3, 1, 144);
CONV_LAYER(MobileNetV2_Depthwise576s2, 576, 14, 576, 3, 2, 576);
CONV_LAYER(MobileNetV2_Depthwise576, 576, 14, 576, 3, 1, 576);
CONV_LAYER(MobileNetV2_Depthwise960, 960, 7, 960, 3, 1, 960);
CONV_LAYER(MobileNetV2_Pointwise320to1280, 320, 7, 1280, 1, 1, 1);
// SqueezeNet 1.1: the stem, a first-stage expand3x3 and the classifier convolution.
CONV_LAYER(SqueezeNet_Stem3to64s2, 3, 224, 64, 3, 2, 1);
CONV_LAYER(SqueezeNet_Expand3x3_16to64, 16, 55, 64, 3, 1, 1);
CONV_LAYER(SqueezeNet_Expand3x3_32to128, 32, 27, 128, 3, 1, 1);
CONV_LAYER(SqueezeNet_Expand3x3_64to256, 64, 13, 256, 3, 1, 1);
CONV_LAYER(SqueezeNet_Classifier512to1000, 512, 13, 1000, 1, 1, 1);

void BM_Gemm512(benchmark::State& state) {
  OpTester t("Gemm", 13);
  t.input("A", random_floats({512, 512}, 4))
      .constant("B", random_floats({512, 512}, 5))
      .output("Y");
  run_session(state, t, 2.0 * 512 * 512 * 512);
}
BENCHMARK(BM_Gemm512)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_MatMulBatched(benchmark::State& state) {
  OpTester t("MatMul", 13);
  t.input("A", random_floats({12, 128, 64}, 6))
      .input("B", random_floats({12, 64, 128}, 7))
      .output("Y");
  run_session(state, t, 2.0 * 12 * 128 * 64 * 128);
}
BENCHMARK(BM_MatMulBatched)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_SoftmaxRows(benchmark::State& state) {
  OpTester t("Softmax", 13);
  t.input("X", random_floats({128, 1000}, 8)).output("Y");
  run_session(state, t, 0);
}
BENCHMARK(BM_SoftmaxRows)->Arg(1)->UseRealTime()->Unit(benchmark::kMicrosecond);

void BM_AddBroadcast(benchmark::State& state) {
  OpTester t("Add", 14);
  t.input("A", random_floats({1, 64, 56, 56}, 9))
      .constant("B", random_floats({64, 1, 1}, 10))
      .output("Y");
  run_session(state, t, 0);
}
BENCHMARK(BM_AddBroadcast)->Arg(1)->UseRealTime()->Unit(benchmark::kMicrosecond);

void BM_MaxPool3x3(benchmark::State& state) {
  OpTester t("MaxPool", 12);
  t.input("X", random_floats({1, 64, 112, 112}, 11))
      .attr("kernel_shape", std::vector<int64_t>{3, 3})
      .attr("strides", std::vector<int64_t>{2, 2})
      .attr("pads", std::vector<int64_t>{1, 1, 1, 1})
      .output("Y");
  run_session(state, t, 0);
}
BENCHMARK(BM_MaxPool3x3)->Arg(1)->UseRealTime()->Unit(benchmark::kMicrosecond);

// SqueezeNet 1.1's poolings: unpadded, ceil_mode, on 111x111, 55x55 and 27x27 planes.
// Arguments: threads, reference (1) or fast (0).
void run_squeezenet_pool(benchmark::State& state, int64_t channels, int64_t size) {
  OpTester t("MaxPool", 12);
  const Tensor x = random_floats({1, channels, size, size}, 12);
  t.input("X", x)
      .attr("kernel_shape", std::vector<int64_t>{3, 3})
      .attr("strides", std::vector<int64_t>{2, 2})
      .attr("ceil_mode", int64_t{1})
      .output("Y");
  bench::run_fast_or_reference(state, t, "GB/s", 1.25 * static_cast<double>(x.nbytes()));
}
void BM_MaxPool3x3Ceil(benchmark::State& st) { run_squeezenet_pool(st, 64, 111); }
void BM_MaxPool3x3Ceil_55(benchmark::State& st) { run_squeezenet_pool(st, 128, 55); }
void BM_MaxPool3x3Ceil_27(benchmark::State& st) { run_squeezenet_pool(st, 256, 27); }
BENCHMARK(BM_MaxPool3x3Ceil)
    ->ArgsProduct({{1}, {0, 1}})
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_MaxPool3x3Ceil_55)
    ->ArgsProduct({{1}, {0, 1}})
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_MaxPool3x3Ceil_27)
    ->ArgsProduct({{1}, {0, 1}})
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace onyx
