// Internals shared by the files of ops/signal: each file's registration entry, the
// one-dimensional DFT that DFT and STFT both use, and small input readers.
#pragma once

#include <complex>
#include <cstdint>
#include <string>
#include <vector>

#include "common/dtype_lists.h"
#include "onyx/dtype.h"
#include "onyx/kernel.h"
#include "onyx/registry.h"

namespace onyx {

void register_dft(Registry& registry);                // dft.cc: DFT
void register_stft(Registry& registry);               // stft.cc: STFT
void register_windows(Registry& registry);            // windows.cc: Hann/Hamming/BlackmanWindow
void register_mel_weight_matrix(Registry& registry);  // mel_weight_matrix.cc: MelWeightMatrix

namespace signal {

using Complex = std::complex<double>;

// The float types of T1 in DFT and STFT (the spec's list includes bfloat16 from opset 17).
inline std::vector<DType> signal_float_dtypes() { return dtypes_of(FloatTypes{}); }

// The transform of length n, forward y[k] = sum_j x[j] e^{-2 pi i jk/n} or inverse
// x[j] = 1/n sum_k y[k] e^{+2 pi i jk/n}, accumulated in double. Powers of two use an
// iterative radix-2 FFT; other lengths the direct O(n^2) sum. Both read one table of
// twiddles e^{-+2 pi i m/n}, computed once, so w^(jk) is exact up to one rounding.
class DftPlan {
 public:
  DftPlan(int64_t n, bool inverse);
  int64_t size() const { return n_; }
  // Transforms `data` (n values) in place; `scratch` is reused between calls.
  void transform(std::vector<Complex>& data, std::vector<Complex>& scratch) const;

 private:
  void direct(std::vector<Complex>& data, std::vector<Complex>& scratch) const;
  void radix2(std::vector<Complex>& data) const;

  int64_t n_;
  bool inverse_;
  std::vector<Complex> twiddle_;  // twiddle_[m] = e^{-+2 pi i m / n}
};

// The value of a scalar (or one-element) integer input, failing through `ctx` otherwise.
template <class Ctx>
int64_t scalar_int(const Tensor& t, const std::string& what, Ctx& ctx) {
  if (t.numel() != 1 || t.rank() > 1) ctx.fail(what + " must be a scalar, got " + t.describe());
  if (t.dtype() == DType::Int64) return t.data<int64_t>()[0];
  if (t.dtype() == DType::Int32) return t.data<int32_t>()[0];
  ctx.fail(what + " must be int32 or int64, got " + t.describe());
}

// The `output_datatype` attribute of the window and mel ops: a numeric type, default float.
template <class Ctx>
DType output_datatype(const Attrs& attrs, Ctx& ctx) {
  const int64_t code = attrs.get_int("output_datatype", static_cast<int64_t>(DType::Float));
  const DType dt = static_cast<DType>(code);
  if (code < 0 || code > 64 || !dtype_in(NumericTypes{}, dt))
    ctx.fail("attribute 'output_datatype' = " + std::to_string(code) + " (" +
             dtype_name_of_code(static_cast<int32_t>(code)) + ") is not a numeric type");
  return dt;
}

}  // namespace signal
}  // namespace onyx
