// Internals shared by the files of ops/logic: each file's registration entry and the
// kernel of the two-input ops with a bool result (comparisons, And, Or, Xor).
#pragma once

#include <string>
#include <vector>

#include "math/elementwise.h"
#include "math/math.h"
#include "onyx/kernel.h"
#include "onyx/registry.h"

namespace onyx {

void register_compare(Registry& registry);  // Equal, Greater, GreaterOrEqual, Less, LessOrEqual
void register_logical(Registry& registry);  // And, Or, Xor, Not
void register_where(Registry& registry);

// The attributes of the legacy (opset < 7) broadcast, see math/elementwise.h.
inline std::map<std::string, AttrType> legacy_broadcast_attrs() {
  return {{"broadcast", AttrType::Int}, {"axis", AttrType::Int}};
}

// A value as compared: half types as float, the rest as they are (strings by reference).
template <class T>
decltype(auto) compared(const T& x) {
  if constexpr (is_half_v<T>) {
    return static_cast<float>(x);
  } else {
    return (x);
  }
}

// C = Fn(A, B) elementwise, A and B of one dtype (Fn::Types), C bool. Fn is a function
// object: name, Types and `template <class V> static bool apply(const V& a, const V& b)`.
//
// out = Fn(a, b), reading b as shape `b_view`; `out` (bool) already has its final shape.
template <class Fn>
void compute_bool_binary(const Tensor& a, const Tensor& b, const Shape& b_view, Tensor& out) {
  dispatch<typename Fn::Types>(a.dtype(), Fn::name, [&](auto tag) {
    using T = typename decltype(tag)::type;
    broadcast_binary(a.data<T>(), a.shape(), b.data<T>(), b_view, out.data<bool>(), out.shape(),
                     [](const T& x, const T& y) { return Fn::apply(compared(x), compared(y)); });
  });
}

// Shape rule: the broadcast of A and B (A's shape before opset 7), bool; small constant
// inputs are folded (the Equal/Less/Where chains of exported shape computations).
template <class Fn>
void infer_bool_binary(InferContext& ctx) {
  check_same_dtype(ctx.input(0).elem, ctx.input(1).elem, ctx);
  LegacyBroadcast legacy = LegacyBroadcast::read(ctx.node(), ctx.opset(), ctx.label(), ctx);
  infer_binary_elementwise(ctx, legacy, DType::Bool);
  const Tensor* ca = ctx.constant(0);
  const Tensor* cb = ctx.constant(1);
  if (!ca || !cb || ca->dtype() != cb->dtype() || !dtype_in(typename Fn::Types{}, ca->dtype()))
    return;
  Shape shape = legacy.output_shape(ca->shape(), cb->shape(), ctx);
  if (!foldable(shape)) return;
  Tensor out(DType::Bool, shape);
  compute_bool_binary<Fn>(*ca, *cb, legacy.view_of_b(ca->shape(), cb->shape(), ctx), out);
  ctx.set_output_constant(0, std::move(out));
}

template <class Fn>
class BoolBinaryKernel final : public Kernel {
 public:
  explicit BoolBinaryKernel(const KernelInit& init)
      : legacy_(LegacyBroadcast::read(init.node(), init.opset(), init.label(), init)) {
    check_same_dtype(init.input_dtype(0), init.input_dtype(1), init);
  }

  void run(KernelContext& ctx) const override {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    check_same_dtype(a.dtype(), b.dtype(), ctx);
    Shape b_view = legacy_.view_of_b(a.shape(), b.shape(), ctx);
    Tensor& out =
        ctx.allocate_output(0, DType::Bool, legacy_.output_shape(a.shape(), b.shape(), ctx));
    compute_bool_binary<Fn>(a, b, b_view, out);
  }

 private:
  LegacyBroadcast legacy_;
};

template <class Fn>
void add_bool_binary(Registry& registry, const std::vector<OpVersion>& versions) {
  add_op_versions(registry, Fn::name, versions, make_kernel<BoolBinaryKernel<Fn>>(),
                  infer_bool_binary<Fn>);
}

}  // namespace onyx
