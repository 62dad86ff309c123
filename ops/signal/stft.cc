// STFT: the short-time Fourier transform, one DFT per frame of a sliding window.
//
//   signal [batch, length, 1 | 2]   real, or (real, imaginary) pairs
//   output [batch, frames, bins, 2] frames = (length - frame_length) / frame_step + 1
//
// Frame f starts at f * frame_step and holds frame_length samples, each multiplied by
// window[j] when a window is given. frame_length comes from its input or, absent, from the
// window's length (both given: they must agree). bins = frame_length, or
// frame_length / 2 + 1 with onesided = 1 (the default), which needs a real signal.
// Sums run in double.
#include <vector>

#include "common/shape_utils.h"
#include "onyx/kernel.h"
#include "signal/signal_ops.h"

namespace onyx {
namespace {

// ---- 1. registration ----

std::vector<OpVersion> stft_versions() {
  return {{17, kOpsetOpen, signal::signal_float_dtypes(), {{"onesided", AttrType::Int}}}};
}

// ---- 2. attributes ----

template <class Ctx>
bool read_onesided(const Attrs& attrs, Ctx& ctx) {
  const int64_t onesided = attrs.get_int("onesided", 1);
  if (onesided != 0 && onesided != 1) ctx.fail(cat("onesided must be 0 or 1, got ", onesided));
  return onesided == 1;
}

template <class Ctx>
void check_signal_rank(int rank, Ctx& ctx) {
  if (rank != 3) ctx.fail(cat("signal must be [batch, length, 1 or 2], got rank ", rank));
}

template <class Ctx>
void check_parts(int64_t parts, bool onesided, Ctx& ctx) {
  if (parts != 1 && parts != 2)
    ctx.fail(cat("the signal's last dim must be 1 (real) or 2 (complex), got ", parts));
  if (onesided && parts == 2)
    ctx.fail("onesided output is not possible for a complex signal (set onesided = 0)");
}

template <class Ctx>
int64_t frame_step_of(const Tensor& t, Ctx& ctx) {
  const int64_t step = signal::scalar_int(t, "frame_step", ctx);
  if (step <= 0) ctx.fail(cat("frame_step must be positive, got ", step));
  return step;
}

// frame_length from its input and/or the window's length (-1 for an unknown window length).
template <class Ctx>
int64_t frame_length_of(const Tensor* length, int64_t window_length, bool has_window, Ctx& ctx) {
  if (!length && !has_window) ctx.fail("STFT needs a window or a frame_length input");
  if (!length) return window_length;
  const int64_t n = signal::scalar_int(*length, "frame_length", ctx);
  if (n <= 0) ctx.fail(cat("frame_length must be positive, got ", n));
  if (has_window && window_length >= 0 && window_length != n)
    ctx.fail(cat("the window's length ", window_length, " differs from frame_length ", n));
  return n;
}

template <class Ctx>
int64_t frame_count(int64_t length, int64_t frame_length, int64_t step, Ctx& ctx) {
  if (length < frame_length)
    ctx.fail(cat("the signal's length ", length, " is shorter than frame_length ", frame_length));
  return (length - frame_length) / step + 1;
}

// ---- 3. shape rule ----

void infer_stft(InferContext& ctx) {
  const bool onesided = read_onesided(Attrs(ctx.node(), ctx.label()), ctx);
  const TypeInfo& sig = ctx.input(0);
  std::vector<Dim> dims(4);
  dims[3] = Dim::known(2);
  if (sig.shape) {
    check_signal_rank(static_cast<int>(sig.shape->size()), ctx);
    dims[0] = (*sig.shape)[0];
    if ((*sig.shape)[2].is_known()) check_parts((*sig.shape)[2].value, onesided, ctx);
  }
  const bool has_window = ctx.has_input(2);
  int64_t window_length = -1;
  if (has_window && ctx.input(2).shape) {
    const std::vector<Dim>& w = *ctx.input(2).shape;
    if (w.size() != 1) ctx.fail(cat("window must be 1-D, got ", ctx.input(2).to_string()));
    if (w[0].is_known()) window_length = w[0].value;
  }
  const Tensor* length_input = ctx.has_input(3) ? ctx.constant(3) : nullptr;
  int64_t frame_length = -1;  // unknown
  if (!ctx.has_input(3) || length_input)
    frame_length = frame_length_of(length_input, window_length, has_window, ctx);
  if (frame_length >= 0) dims[2] = Dim::known(onesided ? frame_length / 2 + 1 : frame_length);
  const Tensor* step = ctx.constant(1);
  if (frame_length >= 0 && step && sig.shape && (*sig.shape)[1].is_known())
    dims[1] = Dim::known(
        frame_count((*sig.shape)[1].value, frame_length, frame_step_of(*step, ctx), ctx));
  ctx.set_output(0, TypeInfo::tensor(sig.elem, dims));
}

// ---- 4. compute ----

class StftKernel final : public Kernel {
 public:
  explicit StftKernel(const KernelInit& init) : onesided_(read_onesided(init.attrs(), init)) {
    if (init.num_inputs() < 2 || !init.has_input(1)) init.fail("STFT needs a frame_step input");
    if (init.num_inputs() > 4) init.fail("STFT takes at most 4 inputs");
  }

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    check_signal_rank(x.rank(), ctx);
    const int64_t parts = x.dim(2);
    check_parts(parts, onesided_, ctx);
    const int64_t step = frame_step_of(ctx.input(1), ctx);
    const Tensor* window = ctx.has_input(2) ? &ctx.input(2) : nullptr;
    if (window && (window->rank() != 1 || window->dtype() != x.dtype()))
      ctx.fail(cat("window must be 1-D of the signal's dtype, got ", window->describe()));
    const int64_t n = frame_length_of(ctx.has_input(3) ? &ctx.input(3) : nullptr,
                                      window ? window->dim(0) : -1, window != nullptr, ctx);
    const int64_t batch = x.dim(0), length = x.dim(1);
    const int64_t frames = frame_count(length, n, step, ctx);
    const int64_t bins = onesided_ ? n / 2 + 1 : n;
    Tensor& y = ctx.allocate_output(0, x.dtype(), {batch, frames, bins, 2});
    if (y.numel() == 0) return;

    const signal::DftPlan plan(n, false);
    dispatch<FloatTypes>(x.dtype(), "STFT", [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* src = x.data<T>();
      const T* win = window ? window->data<T>() : nullptr;
      T* dst = y.data<T>();
      std::vector<signal::Complex> buf(static_cast<size_t>(n)), scratch;
      for (int64_t b = 0; b < batch; ++b) {
        for (int64_t f = 0; f < frames; ++f) {
          for (int64_t j = 0; j < n; ++j) {
            const T* v = src + (b * length + f * step + j) * parts;
            const double w = win ? static_cast<double>(win[j]) : 1.0;
            buf[static_cast<size_t>(j)] = signal::Complex(
                w * static_cast<double>(v[0]), parts == 2 ? w * static_cast<double>(v[1]) : 0.0);
          }
          plan.transform(buf, scratch);
          T* out = dst + (b * frames + f) * bins * 2;
          for (int64_t k = 0; k < bins; ++k) {
            out[2 * k] = static_cast<T>(buf[static_cast<size_t>(k)].real());
            out[2 * k + 1] = static_cast<T>(buf[static_cast<size_t>(k)].imag());
          }
        }
      }
    });
  }

 private:
  bool onesided_;
};

}  // namespace

void register_stft(Registry& registry) {
  add_op_versions(registry, "STFT", stft_versions(), make_kernel<StftKernel>(), infer_stft);
}

}  // namespace onyx
