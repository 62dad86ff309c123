// The one-dimensional DFT shared by DFT and STFT (see signal_ops.h).
#include <cmath>
#include <numbers>
#include <utility>

#include "signal/signal_ops.h"

namespace onyx::signal {

DftPlan::DftPlan(int64_t n, bool inverse) : n_(n), inverse_(inverse) {
  twiddle_.resize(static_cast<size_t>(n));
  const double sign = inverse ? 1.0 : -1.0;
  for (int64_t m = 0; m < n; ++m) {
    const double angle = 2.0 * std::numbers::pi * static_cast<double>(m) / static_cast<double>(n);
    twiddle_[static_cast<size_t>(m)] = Complex(std::cos(angle), sign * std::sin(angle));
  }
}

void DftPlan::transform(std::vector<Complex>& data, std::vector<Complex>& scratch) const {
  if (n_ == 0) return;
  const bool power_of_two = (n_ & (n_ - 1)) == 0;
  if (power_of_two)
    radix2(data);
  else
    direct(data, scratch);
  if (inverse_)
    for (Complex& v : data) v /= static_cast<double>(n_);
}

// y[k] = sum_j x[j] w^(jk), with jk reduced mod n so that every factor is a table entry.
void DftPlan::direct(std::vector<Complex>& data, std::vector<Complex>& scratch) const {
  const size_t n = static_cast<size_t>(n_);
  scratch.assign(n, Complex(0, 0));
  for (size_t k = 0; k < n; ++k) {
    Complex sum(0, 0);
    size_t m = 0;  // j * k mod n, advanced by k per step
    for (size_t j = 0; j < n; ++j) {
      sum += data[j] * twiddle_[m];
      m += k;
      if (m >= n) m -= n;
    }
    scratch[k] = sum;
  }
  data.swap(scratch);
}

// Cooley-Tukey, decimation in time: reorder by bit-reversed index, then merge pairs of
// half-length transforms with butterflies of growing span.
void DftPlan::radix2(std::vector<Complex>& data) const {
  const size_t n = static_cast<size_t>(n_);
  for (size_t i = 1, j = 0; i < n; ++i) {
    size_t bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j |= bit;
    if (i < j) std::swap(data[i], data[j]);
  }
  for (size_t span = 2; span <= n; span <<= 1) {
    const size_t half = span / 2;
    const size_t stride = n / span;  // twiddle index step: w_span^j = w_n^(j * n / span)
    for (size_t start = 0; start < n; start += span) {
      for (size_t j = 0; j < half; ++j) {
        const Complex u = data[start + j];
        const Complex v = data[start + j + half] * twiddle_[j * stride];
        data[start + j] = u + v;
        data[start + j + half] = u - v;
      }
    }
  }
}

}  // namespace onyx::signal
