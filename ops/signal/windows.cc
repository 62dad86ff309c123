// HannWindow, HammingWindow, BlackmanWindow: generalized cosine windows of `size` points,
//
//   w[n] = a0 - a1 cos(2 pi n / N) + a2 cos(4 pi n / N),   n = 0 .. size - 1
//
// with N = size when periodic = 1 (the default: one period of a longer window, as spectral
// analysis wants) and N = size - 1 when periodic = 0 (symmetric, w[0] = w[size - 1]).
//   Hann:     a0 = 0.5,     a1 = 0.5,     a2 = 0
//   Hamming:  a0 = 25/46,   a1 = 21/46,   a2 = 0
//   Blackman: a0 = 0.42,    a1 = 0.5,     a2 = 0.08
// A symmetric window of one point has N = 0; it is [1], the window's value at its centre.
// The output's dtype is `output_datatype` (default float); values are computed in double.
#include <cmath>
#include <memory>
#include <numbers>
#include <vector>

#include "common/shape_utils.h"
#include "onyx/kernel.h"
#include "signal/signal_ops.h"

namespace onyx {
namespace {

struct CosineTerms {
  double a0, a1, a2;
};

// ---- 1. registration: see register_windows below ----

// ---- 2. attributes ----

struct WindowParams {
  DType dtype = DType::Float;
  bool periodic = true;

  template <class Ctx>
  static WindowParams read(const Attrs& attrs, Ctx& ctx) {
    WindowParams p;
    p.dtype = signal::output_datatype(attrs, ctx);
    const int64_t periodic = attrs.get_int("periodic", 1);
    if (periodic != 0 && periodic != 1) ctx.fail(cat("periodic must be 0 or 1, got ", periodic));
    p.periodic = periodic == 1;
    return p;
  }
};

template <class Ctx>
int64_t window_size(const Tensor& t, Ctx& ctx) {
  const int64_t size = signal::scalar_int(t, "size", ctx);
  if (size < 0) ctx.fail(cat("size must not be negative, got ", size));
  return size;
}

// ---- 3. shape rule ----

void infer_window(InferContext& ctx) {
  const WindowParams p = WindowParams::read(Attrs(ctx.node(), ctx.label()), ctx);
  const Tensor* size = ctx.constant(0);
  ctx.set_output(
      0, TypeInfo::tensor(p.dtype,
                          std::vector<Dim>{size ? Dim::known(window_size(*size, ctx)) : Dim{}}));
}

// ---- 4. compute ----

class WindowKernel final : public Kernel {
 public:
  WindowKernel(const KernelInit& init, CosineTerms terms)
      : params_(WindowParams::read(init.attrs(), init)), terms_(terms) {}

  void run(KernelContext& ctx) const override {
    const int64_t size = window_size(ctx.input(0), ctx);
    Tensor& y = ctx.allocate_output(0, params_.dtype, {size});
    const double period = static_cast<double>(params_.periodic ? size : size - 1);
    dispatch<NumericTypes>(params_.dtype, "window", [&](auto tag) {
      using T = typename decltype(tag)::type;
      T* dst = y.data<T>();
      for (int64_t n = 0; n < size; ++n) {
        double w = 1.0;
        if (period > 0) {
          const double x = 2.0 * std::numbers::pi * static_cast<double>(n) / period;
          w = terms_.a0 - terms_.a1 * std::cos(x) + terms_.a2 * std::cos(2.0 * x);
        }
        dst[n] = static_cast<T>(w);
      }
    });
  }

 private:
  WindowParams params_;
  CosineTerms terms_;
};

void register_window(Registry& registry, const char* op, CosineTerms terms) {
  KernelFactory create = [terms](const KernelInit& init) -> std::unique_ptr<Kernel> {
    return std::make_unique<WindowKernel>(init, terms);
  };
  add_op_versions(registry, op,
                  {{17,
                    kOpsetOpen,
                    {DType::Int32, DType::Int64},
                    {{"output_datatype", AttrType::Int}, {"periodic", AttrType::Int}}}},
                  create, infer_window);
}

}  // namespace

void register_windows(Registry& registry) {
  register_window(registry, "HannWindow", {0.5, 0.5, 0.0});
  register_window(registry, "HammingWindow", {25.0 / 46.0, 21.0 / 46.0, 0.0});
  register_window(registry, "BlackmanWindow", {0.42, 0.5, 0.08});
}

}  // namespace onyx
