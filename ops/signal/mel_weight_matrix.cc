// MelWeightMatrix: a [dft_length / 2 + 1, num_mel_bins] matrix of triangular filters that maps
// a onesided spectrum (rows: linear frequency bins) to the mel scale mel(f) = 2595
// log10(1 + f / 700) (columns: mel bands), as the spec's reference computes it:
//
//   edges e[i], i = 0 .. num_mel_bins + 1: equally spaced in mel from lower_edge_hertz in steps
//     of (mel(upper) - mel(lower)) / (num_mel_bins + 2), mapped back to hertz and then to a
//     spectrum bin floor((dft_length + 1) * f / sample_rate);
//   band i rises from 0 at e[i] to 1 at e[i + 1] and falls back towards 0 at e[i + 2]
//     (right edge excluded); a band whose rise has width 0 is 1 at e[i + 1].
// Every bin index is checked against the matrix's rows. The output's dtype is
// `output_datatype` (default float).
#include <cmath>
#include <vector>

#include "common/shape_utils.h"
#include "onyx/kernel.h"
#include "signal/signal_ops.h"

namespace onyx {
namespace {

// ---- 1. registration ----

std::vector<OpVersion> mel_versions() {
  return {{17, kOpsetOpen, {DType::Int32, DType::Int64}, {{"output_datatype", AttrType::Int}}}};
}

// ---- 2. attributes: output_datatype (signal::output_datatype) ----

template <class Ctx>
double hertz_of(const Tensor& t, const char* what, Ctx& ctx) {
  if (t.numel() != 1 || t.rank() > 1) ctx.fail(cat(what, " must be a scalar, got ", t.describe()));
  return dispatch<FloatTypes>(t.dtype(), "MelWeightMatrix", [&](auto tag) {
    using T = typename decltype(tag)::type;
    return static_cast<double>(t.data<T>()[0]);
  });
}

// ---- 3. shape rule ----

void infer_mel_weight_matrix(InferContext& ctx) {
  const DType dtype = signal::output_datatype(Attrs(ctx.node(), ctx.label()), ctx);
  std::vector<Dim> dims(2);
  if (const Tensor* length = ctx.constant(1))
    dims[0] = Dim::known(signal::scalar_int(*length, "dft_length", ctx) / 2 + 1);
  if (const Tensor* bins = ctx.constant(0))
    dims[1] = Dim::known(signal::scalar_int(*bins, "num_mel_bins", ctx));
  for (const Dim& d : dims)
    if (d.value < -1) ctx.fail("num_mel_bins and dft_length must not be negative");
  ctx.set_output(0, TypeInfo::tensor(dtype, dims));
}

// ---- 4. compute ----

class MelWeightMatrixKernel final : public Kernel {
 public:
  explicit MelWeightMatrixKernel(const KernelInit& init)
      : dtype_(signal::output_datatype(init.attrs(), init)) {}

  void run(KernelContext& ctx) const override {
    const int64_t mel_bins = signal::scalar_int(ctx.input(0), "num_mel_bins", ctx);
    const int64_t dft_length = signal::scalar_int(ctx.input(1), "dft_length", ctx);
    const int64_t sample_rate = signal::scalar_int(ctx.input(2), "sample_rate", ctx);
    const double lower = hertz_of(ctx.input(3), "lower_edge_hertz", ctx);
    const double upper = hertz_of(ctx.input(4), "upper_edge_hertz", ctx);
    if (mel_bins <= 0) ctx.fail(cat("num_mel_bins must be positive, got ", mel_bins));
    if (dft_length <= 0) ctx.fail(cat("dft_length must be positive, got ", dft_length));
    if (sample_rate <= 0) ctx.fail(cat("sample_rate must be positive, got ", sample_rate));
    if (!(lower >= 0 && lower <= upper))
      ctx.fail(cat("need 0 <= lower_edge_hertz <= upper_edge_hertz, got ", lower, " and ", upper));
    const int64_t rows = dft_length / 2 + 1;
    // Allocated first: a size too large to hold fails here, before any other buffer.
    Tensor& y = ctx.allocate_output(0, dtype_, {rows, mel_bins});

    // The band edges as spectrum bins.
    auto mel = [](double hz) { return 2595.0 * std::log10(1.0 + hz / 700.0); };
    const double low_mel = mel(lower);
    const double step = (mel(upper) - low_mel) / static_cast<double>(mel_bins + 2);
    std::vector<int64_t> edge(static_cast<size_t>(mel_bins + 2));
    auto beyond = [&](double bin) {
      ctx.fail(cat("the mel bands reach spectrum bin ", bin, ", outside [0, ", rows,
                   "): upper_edge_hertz ", upper, " is above the Nyquist frequency ",
                   sample_rate / 2.0, " for dft_length ", dft_length));
    };
    for (int64_t i = 0; i < mel_bins + 2; ++i) {
      const double hz = 700.0 * (std::pow(10.0, (low_mel + step * i) / 2595.0) - 1.0);
      const double bin =
          std::floor(static_cast<double>(dft_length + 1) * hz / static_cast<double>(sample_rate));
      // An edge past `rows` always puts a weight outside the matrix; refusing it here also
      // keeps the conversion to int64 defined (inf, huge values).
      if (!(bin >= 0 && bin <= static_cast<double>(rows))) beyond(bin);
      edge[static_cast<size_t>(i)] = static_cast<int64_t>(bin);
    }
    // Weights in double, [rows, mel_bins] row-major; every index is checked before use.
    std::vector<double> w(static_cast<size_t>(y.numel()), 0.0);
    auto set = [&](int64_t row, int64_t band, double value) {
      if (row < 0 || row >= rows) beyond(static_cast<double>(row));
      w[static_cast<size_t>(row * mel_bins + band)] = value;
    };
    for (int64_t i = 0; i < mel_bins; ++i) {
      const int64_t left = edge[static_cast<size_t>(i)];
      const int64_t center = edge[static_cast<size_t>(i + 1)];
      const int64_t right = edge[static_cast<size_t>(i + 2)];
      if (center == left) {
        set(center, i, 1.0);
      } else {
        for (int64_t j = left; j <= center; ++j)
          set(j, i, static_cast<double>(j - left) / static_cast<double>(center - left));
      }
      for (int64_t j = center; j < right; ++j)
        set(j, i, static_cast<double>(right - j) / static_cast<double>(right - center));
    }

    dispatch<NumericTypes>(dtype_, "MelWeightMatrix", [&](auto tag) {
      using T = typename decltype(tag)::type;
      T* dst = y.data<T>();
      for (size_t k = 0; k < w.size(); ++k) dst[k] = static_cast<T>(w[k]);
    });
  }

 private:
  DType dtype_;
};

}  // namespace

void register_mel_weight_matrix(Registry& registry) {
  add_op_versions(registry, "MelWeightMatrix", mel_versions(), make_kernel<MelWeightMatrixKernel>(),
                  infer_mel_weight_matrix);
}

}  // namespace onyx
