// BitwiseAnd, BitwiseOr, BitwiseXor (opset 18): C = A & B, A | B, A ^ B elementwise, A and
// B of one integer type, broadcast numpy style. BitwiseNot (opset 18): Y = ~X. Signed
// types work on their two's complement bits, as numpy does.
#include "math/elementwise.h"
#include "math/math.h"
#include "math/unary_kernel.h"

namespace onyx {
namespace {

// ---- 1. registration: every integer type, from opset 18 ----

std::vector<OpVersion> bitwise_versions() { return {{18, kOpsetOpen, dtypes_of(IntTypes{})}}; }

// ---- 2. construction: no attributes; both inputs of one dtype ----

// ---- 3. shape rule: the broadcast of A and B, their dtype ----

void infer_bitwise_binary(InferContext& ctx) {
  check_same_dtype(ctx.input(0).elem, ctx.input(1).elem, ctx);
  infer_binary_elementwise(ctx, LegacyBroadcast{});
}

// ---- 4. compute: one function object per op ----

struct AndFn {
  static constexpr const char* name = "BitwiseAnd";
  template <class T>
  static T apply(T a, T b) {
    return static_cast<T>(a & b);
  }
};
struct OrFn {
  static constexpr const char* name = "BitwiseOr";
  template <class T>
  static T apply(T a, T b) {
    return static_cast<T>(a | b);
  }
};
struct XorFn {
  static constexpr const char* name = "BitwiseXor";
  template <class T>
  static T apply(T a, T b) {
    return static_cast<T>(a ^ b);
  }
};
struct NotFn {
  static constexpr const char* name = "BitwiseNot";
  using Types = IntTypes;
  // Small types promote to int before ~; the cast keeps the low bits, which are the answer.
  template <class C>
  static C apply(C x) {
    return static_cast<C>(~x);
  }
};

template <class Fn>
class BitwiseBinaryKernel final : public Kernel {
 public:
  explicit BitwiseBinaryKernel(const KernelInit& init) {
    check_same_dtype(init.input_dtype(0), init.input_dtype(1), init);
  }

  void run(KernelContext& ctx) const override {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    check_same_dtype(a.dtype(), b.dtype(), ctx);
    Tensor& c = ctx.allocate_uninitialized_output(  // every element is written below
        0, a.dtype(), LegacyBroadcast::broadcast_or_fail(a.shape(), b.shape(), ctx));
    dispatch<IntTypes>(a.dtype(), Fn::name, [&](auto tag) -> void {
      using T = typename decltype(tag)::type;
      broadcast_binary(
          a.data<T>(), a.shape(), b.data<T>(), b.shape(), c.data<T>(), c.shape(),
          [](T x, T y) { return Fn::template apply<T>(x, y); }, &ctx.pool());
    });
  }
  // Either input of the output's shape (the planner checks the size).
  std::vector<OutputReuse> output_reuse() const override { return elementwise_over({0, 1}); }
};

template <class Fn>
void add_bitwise_binary(Registry& registry) {
  add_op_versions(registry, Fn::name, bitwise_versions(), make_kernel<BitwiseBinaryKernel<Fn>>(),
                  infer_bitwise_binary);
}

}  // namespace

void register_bitwise(Registry& registry) {
  add_bitwise_binary<AndFn>(registry);
  add_bitwise_binary<OrFn>(registry);
  add_bitwise_binary<XorFn>(registry);
  add_unary<NotFn>(registry, bitwise_versions());
}

}  // namespace onyx
