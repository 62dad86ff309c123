// BitShift: Z = X << Y or X >> Y elementwise (attribute direction = "LEFT" or "RIGHT"),
// X and Y of one unsigned integer type, broadcast numpy style. Bits shifted out are lost,
// and a shift by the type's width or more gives 0 (as numpy; C++ leaves it undefined).
#include "math/elementwise.h"
#include "math/math.h"

namespace onyx {
namespace {

// ---- 1. registration ----

std::vector<OpVersion> bitshift_versions() {
  return {{11, kOpsetOpen, dtypes_of(UnsignedIntTypes{}), {{"direction", AttrType::String}}}};
}

// ---- 2. construction: the required direction ----

// ---- 3. shape rule: the broadcast of X and Y, their dtype ----

void infer_bitshift(InferContext& ctx) {
  check_same_dtype(ctx.input(0).elem, ctx.input(1).elem, ctx);
  infer_binary_elementwise(ctx, LegacyBroadcast{});
}

// ---- 4. compute ----

template <class T>
T shift(T x, T amount, bool left) {
  if (amount >= T(sizeof(T) * 8)) return T(0);
  return static_cast<T>(left ? x << amount : x >> amount);
}

class BitShiftKernel final : public Kernel {
 public:
  explicit BitShiftKernel(const KernelInit& init) {
    if (!init.attrs().has("direction")) init.fail("attribute 'direction' is required");
    std::string direction = init.attrs().get_string("direction", "");
    if (direction != "LEFT" && direction != "RIGHT")
      init.fail(
          cat("attribute 'direction' must be \"LEFT\" or \"RIGHT\", got \"", direction, "\""));
    left_ = direction == "LEFT";
    check_same_dtype(init.input_dtype(0), init.input_dtype(1), init);
  }

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& y = ctx.input(1);
    check_same_dtype(x.dtype(), y.dtype(), ctx);
    Tensor& z = ctx.allocate_output(0, x.dtype(),
                                    LegacyBroadcast::broadcast_or_fail(x.shape(), y.shape(), ctx));
    dispatch<UnsignedIntTypes>(x.dtype(), "BitShift", [&](auto tag) -> void {
      using T = typename decltype(tag)::type;
      const bool left = left_;
      broadcast_binary(x.data<T>(), x.shape(), y.data<T>(), y.shape(), z.data<T>(), z.shape(),
                       [left](T v, T amount) { return shift(v, amount, left); });
    });
  }

 private:
  bool left_ = true;
};

}  // namespace

void register_bitshift(Registry& registry) {
  add_op_versions(registry, "BitShift", bitshift_versions(), make_kernel<BitShiftKernel>(),
                  infer_bitshift);
}

}  // namespace onyx
