// BitCast (opset 26): the input's bytes read as dtype `to`, of the same bit width, the
// shape unchanged. Nothing is converted, so the output shares the input's buffer. The
// spec reads the bytes as little endian, which is the byte order of every target Onyx
// builds for (x86-64, aarch64).
//
// Every stored type but string may take part. A bool holds only 0 or 1, so bytes read as
// bool must be 0 or 1: any other byte is an error rather than an undefined bool.
#include "cast/cast_ops.h"
#include "common/shape_utils.h"
#include "onyx/kernel.h"

namespace onyx {
namespace {

// ---- 1. registration ----

std::vector<DType> bitcast_dtypes() {
  std::vector<DType> out;
  for (DType t : dtypes_of(AllTypes{}))
    if (t != DType::String) out.push_back(t);
  return out;
}

// ---- 2. attributes: the required target type; the widths must agree ----

template <class Ctx>
void check_target(DType t, const char* role, Ctx& ctx) {
  const DTypeInfo& info = dtype_info(t);
  if (t == DType::String || t == DType::Undefined || !info.supported)
    ctx.fail(cat("cannot bitcast ", role, " ", dtype_name_of_code(static_cast<int32_t>(t)),
                 t == DType::String ? ": strings have no fixed width"
                                    : ": the type is not supported in this build"));
}

template <class Ctx>
DType read_to(const Attrs& attrs, Ctx& ctx) {
  if (!attrs.has("to")) ctx.fail("attribute 'to' is required");
  const int64_t code = attrs.get_int("to", 0);
  if (code <= 0 || code > static_cast<int64_t>(DType::Float4E2M1))
    ctx.fail(cat("attribute 'to' names no data type: ", code));
  const DType to = static_cast<DType>(code);
  check_target(to, "to", ctx);
  return to;
}

// Fails unless `from` (when known) is a type of `to`'s width.
template <class Ctx>
void check_widths(DType from, DType to, Ctx& ctx) {
  if (from == DType::Undefined) return;
  check_target(from, "from", ctx);
  if (dtype_info(from).bits != dtype_info(to).bits)
    ctx.fail(cat("cannot bitcast ", dtype_name(from), " (", dtype_info(from).bits, " bits) to ",
                 dtype_name(to), " (", dtype_info(to).bits, " bits): the widths differ"));
}

// ---- 3. shape rule: the input's shape, dtype `to` ----

void infer_bitcast(InferContext& ctx) {
  const DType to = read_to(Attrs(ctx.node(), ctx.label()), ctx);
  const TypeInfo& in = ctx.input(0);
  check_widths(in.elem, to, ctx);
  ctx.set_output(0, TypeInfo::tensor(to, in.shape));
}

// ---- 4. compute: a view of the same bytes ----

class BitCastKernel final : public Kernel {
 public:
  explicit BitCastKernel(const KernelInit& init) : to_(read_to(init.attrs(), init)) {
    check_widths(init.input_dtype(0), to_, init);
  }

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    check_widths(x.dtype(), to_, ctx);
    if (to_ == DType::Bool && x.dtype() != DType::Bool) {
      const auto* bytes = static_cast<const unsigned char*>(x.raw());
      for (int64_t i = 0; i < x.numel(); ++i)
        if (bytes[i] > 1)
          ctx.fail(cat("byte ", int{bytes[i]}, " of element ", i, " is not a bool (0 or 1)"));
    }
    ctx.set_output(0, x.bitcast(to_));
  }

 private:
  DType to_;
};

}  // namespace

void register_bitcast(Registry& registry) {
  add_op_versions(registry, "BitCast",
                  {{26, kOpsetOpen, bitcast_dtypes(), {{"to", AttrType::Int}}}},
                  make_kernel<BitCastKernel>(), infer_bitcast);
}

}  // namespace onyx
