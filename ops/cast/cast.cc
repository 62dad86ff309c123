// Cast and CastLike: convert every element to another dtype, the shape unchanged. Cast
// names the target in attribute `to` (a TensorProto type name such as "FLOAT" in opset 1,
// its code from opset 6); CastLike (opset 15) takes the dtype of its second input.
//
// Opset 9 adds string, 13 bfloat16, 19 the float8 types with the `saturate` attribute
// that only applies to them, 21 int4/uint4, 23 float4e2m1, 24 float8e8m0 with the
// `round_mode` attribute for casts to it (the docs show it at 25; whether 24 had it is
// unclear, so 24 accepts it too), and 25 int2/uint2. The conversion rules
// are in convert.h, the narrow formats in onyx/small_float.h and onyx/packed.h.
#include <algorithm>

#include "cast/cast_ops.h"
#include "cast/convert.h"
#include "common/shape_utils.h"
#include "onyx/kernel.h"

namespace onyx {
namespace {

// ---- 1. registration ----

std::vector<DType> cast_dtypes(int opset) {
  std::vector<DType> out;
  for (DType t : dtypes_of(AllTypes{})) {
    if (t == DType::String && opset < 9) continue;
    if (t == DType::BFloat16 && opset < 13) continue;
    out.push_back(t);
  }
  // The narrow types, each from the opset that added it.
  const std::pair<int, std::vector<DType>> added[] = {
      {19, {DType::Float8E4M3FN, DType::Float8E4M3FNUZ, DType::Float8E5M2, DType::Float8E5M2FNUZ}},
      {21, {DType::Int4, DType::UInt4}},
      {23, {DType::Float4E2M1}},
      {24, {DType::Float8E8M0}},
      {25, {DType::Int2, DType::UInt2}}};
  for (const auto& [since, types] : added)
    if (opset >= since) out.insert(out.end(), types.begin(), types.end());
  return out;
}

std::vector<OpVersion> cast_versions() {
  const std::map<std::string, AttrType> to = {{"to", AttrType::Int}};
  const std::map<std::string, AttrType> saturate = {{"to", AttrType::Int},
                                                    {"saturate", AttrType::Int}};
  const std::map<std::string, AttrType> round_mode = {
      {"to", AttrType::Int}, {"saturate", AttrType::Int}, {"round_mode", AttrType::String}};
  return {{1, 5, cast_dtypes(1), {{"to", AttrType::String}}},
          {6, 8, cast_dtypes(6), to},
          {9, 12, cast_dtypes(9), to},             // string
          {13, 18, cast_dtypes(13), to},           // bfloat16
          {19, 20, cast_dtypes(19), saturate},     // float8 types and saturate
          {21, 22, cast_dtypes(21), saturate},     // int4, uint4
          {23, 23, cast_dtypes(23), saturate},     // float4e2m1
          {24, 24, cast_dtypes(24), round_mode},   // float8e8m0, round_mode
          {25, 27, cast_dtypes(25), round_mode}};  // int2, uint2; Cast-28 is not implemented
}

std::vector<OpVersion> cast_like_versions() {
  const std::map<std::string, AttrType> saturate = {{"saturate", AttrType::Int}};
  const std::map<std::string, AttrType> round_mode = {{"saturate", AttrType::Int},
                                                      {"round_mode", AttrType::String}};
  return {{15, 18, cast_dtypes(15)},                       // Cast-13's types
          {19, 20, cast_dtypes(19), saturate},             // as Cast: float8 types
          {21, 22, cast_dtypes(21), saturate},             // int4, uint4
          {23, 23, cast_dtypes(23), saturate},             // float4e2m1
          {24, 24, cast_dtypes(24), round_mode},           // float8e8m0, round_mode
          {25, kOpsetOpen, cast_dtypes(25), round_mode}};  // int2, uint2
}

// ---- 2. attributes ----

// The target dtype named by Cast-1's `to` ("FLOAT", "INT64", ...), matched without case.
template <class Ctx>
DType dtype_named(const std::string& name, Ctx& ctx) {
  for (int code = 1; code <= static_cast<int>(DType::Float4E2M1); ++code) {
    std::string known = dtype_info(static_cast<DType>(code)).name;
    bool same = known.size() == name.size();
    for (size_t i = 0; same && i < name.size(); ++i)  // ASCII folding, no locale
      same = (name[i] >= 'A' && name[i] <= 'Z' ? name[i] - 'A' + 'a' : name[i]) == known[i];
    if (same) return static_cast<DType>(code);
  }
  ctx.fail(cat("attribute 'to' names no data type: '", name, "'"));
}

// Checks that this opset's Cast can produce or read `t` and that this build stores it.
template <class Ctx>
void check_dtype(DType t, int opset, const char* role, Ctx& ctx) {
  const DTypeInfo& info = dtype_info(t);
  if (!info.supported)
    ctx.fail(cat("cannot cast ", role, " ", dtype_name_of_code(static_cast<int32_t>(t)),
                 ": the type is not supported in this build"));
  std::vector<DType> allowed = cast_dtypes(opset);
  if (std::find(allowed.begin(), allowed.end(), t) == allowed.end())
    ctx.fail(cat("cannot cast ", role, " ", info.name, " at opset ", opset));
}

struct CastParams {
  DType to = DType::Undefined;  // Cast only; CastLike reads input 1's dtype
  CastOptions options;

  template <class Ctx>
  static CastParams read(const Node& node, const Attrs& attrs, int opset, Ctx& ctx) {
    CastParams p;
    if (node.op_type == "Cast") {
      if (!attrs.has("to")) ctx.fail("attribute 'to' is required");
      p.to = opset < 6 ? dtype_named(attrs.get_string("to", ""), ctx)
                       : static_cast<DType>(attrs.get_int("to", 0));
      check_dtype(p.to, opset, "to", ctx);
    }
    if (opset >= 19) {
      int64_t saturate = attrs.get_int("saturate", 1);
      if (saturate != 0 && saturate != 1)
        ctx.fail(cat("attribute 'saturate' must be 0 or 1, got ", saturate));
      p.options.narrowing.saturate = saturate == 1;
    }
    if (opset >= 24) {
      const std::string mode = attrs.get_string("round_mode", "up");
      if (mode == "up")
        p.options.narrowing.e8m0 = E8M0Rounding::Up;
      else if (mode == "down")
        p.options.narrowing.e8m0 = E8M0Rounding::Down;
      else if (mode == "nearest")
        p.options.narrowing.e8m0 = E8M0Rounding::Nearest;
      else
        ctx.fail(cat("attribute 'round_mode' must be up, down or nearest, got '", mode, "'"));
    }
    // The backend data of opsets 13-18 (Cast and CastLike alike) truncates to bfloat16.
    if (opset < 19) p.options.bf16 = BFloat16Rounding::Truncate;
    return p;
  }
};

// ---- 3. shape rule ----

void infer_cast(InferContext& ctx) {
  CastParams p = CastParams::read(ctx.node(), Attrs(ctx.node(), ctx.label()), ctx.opset(), ctx);
  const TypeInfo& in = ctx.input(0);
  DType to = p.to;
  if (ctx.node().op_type == "CastLike") {
    to = ctx.input(1).elem;
    if (to != DType::Undefined) check_dtype(to, ctx.opset(), "to", ctx);
  }
  if (in.elem != DType::Undefined) check_dtype(in.elem, ctx.opset(), "from", ctx);
  const Tensor* c = ctx.constant(0);
  if (c && to != DType::Undefined && c->numel() <= kMaxFoldElements) {
    Tensor folded(to, c->shape());  // fold small constants (shape arithmetic in exported models)
    try {
      convert_elements(*c, folded, p.options);
    } catch (const Error& e) {
      ctx.fail(e);
    }
    return ctx.set_output_constant(0, std::move(folded));
  }
  ctx.set_output(0, TypeInfo::tensor(to, in.shape));
}

// ---- 4. compute ----

class CastKernel final : public Kernel {
 public:
  explicit CastKernel(const KernelInit& init)
      : p_(CastParams::read(init.node(), init.attrs(), init.opset(), init)), opset_(init.opset()) {
    if (init.node().op_type == "CastLike" && init.num_inputs() != 2)
      init.fail("CastLike needs the input and target_type inputs");
    if (init.input_dtype(0) != DType::Undefined)
      check_dtype(init.input_dtype(0), opset_, "from", init);
  }

  void run(KernelContext& ctx) const override {
    const Tensor& in = ctx.input(0);
    DType to = p_.to;
    if (to == DType::Undefined) {  // CastLike
      to = ctx.input(1).dtype();
      check_dtype(to, opset_, "to", ctx);
    }
    check_dtype(in.dtype(), opset_, "from", ctx);
    if (in.dtype() == to) return ctx.set_output(0, in);  // nothing to convert: share the buffer
    Tensor& out = ctx.allocate_output(0, to, in.shape());
    try {
      convert_elements(in, out, p_.options);
    } catch (const Error& e) {
      ctx.fail(e);
    }
  }

 private:
  CastParams p_;
  int opset_;
};

}  // namespace

void register_cast_ops(Registry& registry) {
  add_op_versions(registry, "Cast", cast_versions(), make_kernel<CastKernel>(), infer_cast);
  add_op_versions(registry, "CastLike", cast_like_versions(), make_kernel<CastKernel>(),
                  infer_cast);
}

}  // namespace onyx
