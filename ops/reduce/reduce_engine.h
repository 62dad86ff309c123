// The engine behind the ten Reduce* operators. An operator is a small functor:
//
//   struct SumOp {
//     static constexpr const char* name = "ReduceSum";
//     using Types = NumericTypes;                          // dtypes it instantiates
//     template <class T> using Acc = wide_t<T>;            // its accumulator
//     template <class T> static Acc<T> init();             // the value of an empty fold
//     template <class T> static void add(Acc<T>& a, T x);  // fold in one element
//     template <class T> static auto finish(const Acc<T>& a, int64_t count);
//     template <class T> static constexpr bool defined_on_empty();  // else an error
//   };
//
// and each output element is finish(add(...add(init, x0)..., xn), n) over the input
// elements that share its coordinates on the kept dims.
#pragma once

#include <algorithm>
#include <memory>
#include <vector>

#include "onyx/kernel.h"
#include "reduce/reduce.h"

namespace onyx {

// Floating elements accumulate in double (float16 and bfloat16 included); integers and
// bool in their own type, so integer sums wrap around like numpy's.
template <class T>
using wide_t = std::conditional_t<std::is_floating_point_v<T> || is_half_v<T>, double, T>;
template <class T>
inline wide_t<T> widen(T x) {
  if constexpr (is_half_v<T>) {
    return static_cast<double>(static_cast<float>(x));
  } else {
    return static_cast<wide_t<T>>(x);
  }
}

// Stores a finished value as T. A floating result headed for an integer dtype is truncated
// toward zero (numpy's astype); NaN, infinities and values out of T's range are an error.
template <class T, class R, class Ctx>
T to_output(R v, const char* op, Ctx& ctx) {
  if constexpr (std::is_integral_v<T> && std::is_floating_point_v<R>) {
    const double t = std::trunc(static_cast<double>(v));
    const double upper = std::ldexp(1.0, std::numeric_limits<T>::digits);  // 2^bits (unsigned)
    const double lower = std::is_signed_v<T> ? -upper : 0.0;
    if (!(t >= lower && t < upper))
      ctx.fail(cat(op, ": the result ", v, " is not representable in ", dtype_name(dtype_v<T>)));
    return static_cast<T>(t);
  } else if constexpr (is_half_v<T>) {
    return T(static_cast<float>(v));
  } else {
    return static_cast<T>(v);
  }
}

// Which dims the axes name (each in [-rank, rank), at most once). No axes names every dim,
// or none with noop_with_empty_axes.
template <class Ctx>
std::vector<bool> reduced_dims(const std::vector<int64_t>& axes, int rank, bool noop, Ctx& ctx) {
  std::vector<bool> reduced(static_cast<size_t>(rank), axes.empty() && !noop);
  for (int64_t a : axes) {
    if (a < -rank || a >= rank) ctx.fail(cat("axis ", a, " is out of range for rank ", rank));
    size_t d = static_cast<size_t>(a < 0 ? a + rank : a);
    if (reduced[d]) ctx.fail(cat("axis ", a, " is named more than once in axes"));
    reduced[d] = true;
  }
  return reduced;
}

// The output dims: reduced dims become 1 (keepdims) or disappear.
template <class D>
std::vector<D> reduced_shape(const std::vector<D>& dims, const std::vector<bool>& reduced,
                             bool keepdims, const D& one) {
  std::vector<D> out;
  for (size_t d = 0; d < dims.size(); ++d) {
    if (!reduced[d]) {
      out.push_back(dims[d]);
    } else if (keepdims) {
      out.push_back(one);
    }
  }
  return out;
}

// out = the reduction of x over the `reduced` dims; `out` has its final shape. With a pool,
// independent outputs are computed in parallel. Shape rules fold constants with it too.
template <class Op>
void reduce_tensor(const Tensor& x, const std::vector<bool>& reduced, Tensor& out,
                   const ThreadPool* pool, const NodeScope& ctx) {
  dispatch<typename Op::Types>(x.dtype(), Op::name, [&](auto tag) {
    using T = typename decltype(tag)::type;
    using Acc = typename Op::template Acc<T>;
    const int64_t out_n = out.numel();
    if (out_n == 0) return;
    T* po = out.data<T>();
    // Drop size-1 dims and merge neighbours of the same kind: alternating runs of kept
    // and reduced dims. `count` is the number of elements each output folds.
    std::vector<int64_t> sizes;
    std::vector<bool> is_reduced;
    int64_t count = 1;
    for (size_t d = 0; d < x.shape().size(); ++d) {
      const int64_t n = x.shape()[d];
      if (reduced[d]) count *= n;
      if (n == 1) continue;
      if (!sizes.empty() && is_reduced.back() == reduced[d]) {
        sizes.back() *= n;
      } else {
        sizes.push_back(n);
        is_reduced.push_back(reduced[d]);
      }
    }
    if (count == 0) {  // every output folds an empty set
      if (!Op::template defined_on_empty<T>())
        ctx.fail(cat(Op::name, " of an empty set is undefined for ", dtype_name(x.dtype())));
      const T v = to_output<T>(Op::template finish<T>(Op::template init<T>(), 0), Op::name, ctx);
      std::fill_n(po, out_n, v);
      return;
    }
    if (sizes.empty()) {  // a single element
      sizes.push_back(1);
      is_reduced.push_back(true);
    }
    const T* px = x.data<T>();
    const size_t runs = sizes.size();
    if (is_reduced.back() && runs <= 2) {
      // Each output folds `count` contiguous elements: the common (and parallel) case.
      auto rows = [&](int64_t begin, int64_t end) {
        for (int64_t o = begin; o < end; ++o) {
          Acc a = Op::template init<T>();
          const T* row = px + o * count;
          for (int64_t i = 0; i < count; ++i) Op::template add<T>(a, row[i]);
          po[o] = to_output<T>(Op::template finish<T>(a, count), Op::name, ctx);
        }
      };
      if (pool) {
        pool->parallel_for(out_n, std::max<int64_t>(1, (int64_t{1} << 15) / count), rows);
      } else {
        rows(0, out_n);
      }
      return;
    }
    // General case: one pass over the input in memory order, folding each element into
    // its output's accumulator; an odometer over the outer runs tracks the output offset.
    std::vector<int64_t> out_stride(runs, 0);
    for (size_t r = runs, s = 1; r-- > 0;) {
      if (is_reduced[r]) continue;
      out_stride[r] = static_cast<int64_t>(s);
      s *= static_cast<size_t>(sizes[r]);
    }
    // Not std::vector: it would pack bool accumulators into bits.
    std::unique_ptr<Acc[]> acc(new Acc[static_cast<size_t>(out_n)]);
    std::fill_n(acc.get(), out_n, Op::template init<T>());
    const int64_t inner = sizes.back();
    const bool inner_reduced = is_reduced.back();
    const int64_t rows = x.numel() / inner;
    std::vector<int64_t> index(runs, 0);
    int64_t o = 0;
    for (int64_t row = 0; row < rows; ++row, px += inner) {
      if (inner_reduced) {
        for (int64_t i = 0; i < inner; ++i) Op::template add<T>(acc[o], px[i]);
      } else {
        Acc* a = acc.get() + o;
        for (int64_t i = 0; i < inner; ++i) Op::template add<T>(a[i], px[i]);
      }
      for (size_t r = runs - 1; r-- > 0;) {
        o += out_stride[r];
        if (++index[r] < sizes[r]) break;
        o -= out_stride[r] * sizes[r];
        index[r] = 0;
      }
    }
    for (int64_t i = 0; i < out_n; ++i)
      po[i] = to_output<T>(Op::template finish<T>(acc[i], count), Op::name, ctx);
  });
}

}  // namespace onyx
