#include "compare.h"

#include "onyx/narrow_tensor.h"

#include <cmath>
#include <sstream>

namespace onyx::cli {

std::string compare_tensors(const Tensor& got, const Tensor& want, double rtol, double atol) {
  std::ostringstream why;
  if (got.dtype() != want.dtype()) {
    why << "dtype " << dtype_name(got.dtype()) << ", expected " << dtype_name(want.dtype());
    return why.str();
  }
  if (got.shape() != want.shape()) {
    why << "shape " << shape_to_string(got.shape()) << ", expected "
        << shape_to_string(want.shape());
    return why.str();
  }
  // Narrow types (float8, int4, ...) compare as their values: NaN matches any NaN code.
  if (dtype_is_narrow(got.dtype())) return compare_tensors(widen(got), widen(want), rtol, atol);
  int64_t bad = -1, count = 0;
  double worst = 0;
  dispatch<AllTypes>(got.dtype(), "compare", [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* g = got.data<T>();
    const T* w = want.data<T>();
    for (int64_t i = 0; i < got.numel(); ++i) {
      bool ok;
      if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, bool> ||
                    std::is_integral_v<T>) {
        ok = g[i] == w[i];
      } else {
        double a = static_cast<double>(g[i]), b = static_cast<double>(w[i]);
        if (std::isnan(a) || std::isnan(b)) {
          ok = std::isnan(a) && std::isnan(b);
        } else if (std::isinf(a) || std::isinf(b)) {
          ok = a == b;
        } else {
          double err = std::fabs(a - b);
          ok = err <= atol + rtol * std::fabs(b);
          if (!ok) worst = std::max(worst, err);
        }
      }
      if (!ok) {
        if (bad < 0) bad = i;
        ++count;
      }
    }
    if (bad >= 0) {
      why << count << " of " << got.numel() << " values differ; first at flat index " << bad;
      if constexpr (std::is_same_v<T, std::string>) {
        why << ": got \"" << g[bad] << "\", expected \"" << w[bad] << "\"";
      } else {
        why << ": got " << static_cast<double>(g[bad]) << ", expected "
            << static_cast<double>(w[bad]);
        if (worst > 0) why << " (max abs error " << worst << ")";
      }
    }
  });
  return why.str();
}

std::string compare_values(const RuntimeValue& got, const RuntimeValue& want, double rtol,
                           double atol) {
  if (got.kind() != want.kind()) return "got " + got.describe() + ", want " + want.describe();
  if (got.is_tensor()) return compare_tensors(got.tensor(), want.tensor(), rtol, atol);
  if (!got.is_sequence()) return "";
  const auto& g = got.sequence().tensors;
  const auto& w = want.sequence().tensors;
  if (g.size() != w.size())
    return "got a sequence of " + std::to_string(g.size()) + ", want " + std::to_string(w.size());
  for (size_t i = 0; i < g.size(); ++i) {
    std::string why = compare_tensors(g[i], w[i], rtol, atol);
    if (!why.empty()) return "item " + std::to_string(i) + ": " + why;
  }
  return "";
}

}  // namespace onyx::cli
