// The optional operators.
//   Optional (15)            input? -> an optional holding the input, or an empty one
//                            (typed by the `type` attribute)
//   OptionalHasElement (15, 18)  optional -> bool scalar; from 18 the input may also be
//                            a plain tensor or sequence (true) or omitted (false)
//   OptionalGetElement (15, 18)  optional -> its element (an error when empty); from 18 a
//                            plain tensor or sequence passes through
#include "common/shape_utils.h"
#include "sequence/sequence_ops.h"

namespace onyx {
namespace {

class OptionalKernel final : public Kernel {
 public:
  explicit OptionalKernel(const KernelInit& init) {
    if (!init.has_input(0) && !init.attrs().has("type"))
      init.fail("an Optional without an input needs the `type` attribute");
  }
  void run(KernelContext& ctx) const override {
    ctx.set_output_value(0, ctx.has_input(0) ? ctx.value(0) : RuntimeValue::empty_optional());
  }
};

void infer_optional(InferContext& ctx) {
  if (ctx.has_input(0)) return ctx.set_output(0, TypeInfo::optional_of(ctx.input(0)));
  if (const Attribute* a = ctx.node().find_attr("type"))
    ctx.set_output(0, TypeInfo::optional_of(a->tp));
}

class OptionalHasElementKernel final : public Kernel {
 public:
  explicit OptionalHasElementKernel(const KernelInit&) {}
  void run(KernelContext& ctx) const override {
    ctx.set_output(0, Tensor::scalar<bool>(ctx.has_input(0)));
  }
};

void infer_has_element(InferContext& ctx) {
  ctx.set_output(0, TypeInfo::tensor(DType::Bool, std::vector<Dim>{}));
}

class OptionalGetElementKernel final : public Kernel {
 public:
  explicit OptionalGetElementKernel(const KernelInit&) {}
  void run(KernelContext& ctx) const override {
    if (!ctx.has_input(0)) ctx.fail("the optional input is empty");
    ctx.set_output_value(0, ctx.value(0));
  }
};

void infer_get_element(InferContext& ctx) {
  const TypeInfo& t = ctx.input(0);
  ctx.set_output(0, t.kind == TypeInfo::Kind::Optional ? element_type(t) : t);
}

}  // namespace

void register_optional(Registry& registry) {
  add_op_versions(registry, "Optional", {{15, kOpsetOpen, {}, {{"type", AttrType::TypeProto}}}},
                  make_kernel<OptionalKernel>(), infer_optional);
  add_op_versions(registry, "OptionalHasElement", {{15, 17, {}}, {18, kOpsetOpen, {}}},
                  make_kernel<OptionalHasElementKernel>(), infer_has_element);
  add_op_versions(registry, "OptionalGetElement", {{15, 17, {}}, {18, kOpsetOpen, {}}},
                  make_kernel<OptionalGetElementKernel>(), infer_get_element);
}

}  // namespace onyx
