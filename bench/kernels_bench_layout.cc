// Data movement: Transpose and DepthToSpace, fast (kernels::permute) and reference side
// by side. Arguments: threads, reference (1) or fast (0).
#include "bench_session.h"

namespace onyx {
namespace {

using bench::random_floats;
using bench::run_fast_or_reference;
using testing::OpTester;

void run_transpose(benchmark::State& state, Shape shape, std::vector<int64_t> perm) {
  OpTester t("Transpose", 13);
  const Tensor x = random_floats(shape, 1);
  t.input("X", x).attr("perm", perm).output("Y");
  run_fast_or_reference(state, t, "GB/s", 2.0 * static_cast<double>(x.nbytes()));
}

#define TRANSPOSE(name, shape, ...)                                                           \
  void BM_Transpose_##name(benchmark::State& st) { run_transpose(st, shape, {__VA_ARGS__}); } \
  BENCHMARK(BM_Transpose_##name)                                                              \
      ->ArgsProduct({{1, 2}, {0, 1}})                                                         \
      ->UseRealTime()                                                                         \
      ->Unit(benchmark::kMicrosecond)

// Attention: heads out of the hidden dim (row copies), K transposed (tiles).
TRANSPOSE(HeadsSplit, (Shape{1, 128, 12, 64}), 0, 2, 1, 3);
TRANSPOSE(KeysTransposed, (Shape{1, 12, 128, 64}), 0, 1, 3, 2);
// A large matrix, and the pixel shuffle of a super-resolution network as exported.
TRANSPOSE(Matrix1024, (Shape{1024, 1024}), 1, 0);
TRANSPOSE(PixelShuffle3, (Shape{1, 1, 3, 3, 224, 224}), 0, 1, 4, 2, 5, 3);

void BM_DepthToSpace(benchmark::State& state) {
  OpTester t("DepthToSpace", 13);
  const Tensor x = random_floats({1, 64, 56, 56}, 2);
  t.input("X", x).attr("blocksize", int64_t{2}).attr("mode", std::string("DCR")).output("Y");
  run_fast_or_reference(state, t, "GB/s", 2.0 * static_cast<double>(x.nbytes()));
}
BENCHMARK(BM_DepthToSpace)
    ->ArgsProduct({{1, 2}, {0, 1}})
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace onyx
