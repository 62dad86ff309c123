// Constant: outputs the tensor held by exactly one of its attributes: `value`,
// `sparse_value` (opset 11+, densified by the loader), or one of `value_float(s)`,
// `value_int(s)`, `value_string(s)` (opset 12+). The value is known at load time, so
// the shape rule records it as a constant for the rules downstream.
#include "common/shape_utils.h"
#include "onyx/kernel.h"
#include "onyx/narrow_tensor.h"
#include "tensor/tensor_ops.h"

namespace onyx {
namespace {

// ---- 1. registration ----

std::vector<OpVersion> constant_versions() {
  std::map<std::string, AttrType> attrs = {{"value", AttrType::Tensor}};
  std::vector<OpVersion> versions = {{1, 8, {}, attrs}, {9, 10, {}, attrs}};
  attrs["sparse_value"] = AttrType::SparseTensor;
  versions.push_back({11, 11, {}, attrs});
  attrs.insert({{"value_float", AttrType::Float},
                {"value_floats", AttrType::Floats},
                {"value_int", AttrType::Int},
                {"value_ints", AttrType::Ints},
                {"value_string", AttrType::String},
                {"value_strings", AttrType::Strings}});
  versions.push_back({12, 12, {}, attrs});
  versions.push_back({13, 18, {}, attrs});
  // Each later version widens the value's types only (constant_value checks them).
  versions.push_back({19, 20, {}, attrs});          // float8
  versions.push_back({21, 22, {}, attrs});          // int4, uint4
  versions.push_back({23, 23, {}, attrs});          // float4e2m1
  versions.push_back({24, 24, {}, attrs});          // float8e8m0
  versions.push_back({25, kOpsetOpen, {}, attrs});  // int2, uint2
  return versions;
}

// ---- 2. attributes: the one that holds the value ----

template <class Ctx>
Tensor constant_value(const Node& node, int opset, const std::string& label, Ctx& ctx) {
  Attrs attrs(node, label);
  std::vector<std::string> names = {"value"};
  if (opset >= 11) names.push_back("sparse_value");
  if (opset >= 12)
    names.insert(names.end(), {"value_float", "value_floats", "value_int", "value_ints",
                               "value_string", "value_strings"});
  std::string name;
  for (const std::string& n : names) {
    if (!attrs.has(n)) continue;
    if (!name.empty()) ctx.fail(cat("attributes '", name, "' and '", n, "' are both set"));
    name = n;
  }
  if (name.empty()) {
    std::string list;
    for (const std::string& n : names) list += (list.empty() ? "'" : ", '") + n + "'";
    ctx.fail("needs one of the attributes " + list);
  }
  Tensor value;
  if (name == "value") {
    value = *attrs.get_tensor("value");
  } else if (name == "sparse_value") {
    const Attribute* a = attrs.find(name);
    if (a->type != AttrType::SparseTensor)
      ctx.fail(
          cat("attribute 'sparse_value' must be a sparse tensor, got ", attr_type_name(a->type)));
    value = a->t;
  } else if (name == "value_float") {
    value = Tensor::scalar<float>(attrs.get_float(name, 0));
  } else if (name == "value_floats") {
    std::vector<float> v = attrs.get_floats(name);
    value = Tensor::from_vector<float>({static_cast<int64_t>(v.size())}, v);
  } else if (name == "value_int") {
    value = Tensor::scalar<int64_t>(attrs.get_int(name, 0));
  } else if (name == "value_ints") {
    std::vector<int64_t> v = attrs.get_ints(name);
    value = Tensor::from_vector<int64_t>({static_cast<int64_t>(v.size())}, v);
  } else if (name == "value_string") {
    value = Tensor::scalar<std::string>(attrs.get_string(name, ""));
  } else {
    std::vector<std::string> v = attrs.get_strings(name);
    value = Tensor::from_vector<std::string>({static_cast<int64_t>(v.size())}, v);
  }
  // Opsets 1-8 list only float types, but the PyTorch exporter of that era wrote int64
  // constants (Reshape targets) there too; any dtype is accepted, except the 8-, 4- and
  // 2-bit types before the version that lists them.
  if (!value.defined()) ctx.fail(cat("attribute '", name, "' holds no tensor"));
  if (dtype_is_narrow(value.dtype()) &&
      !dtype_listed(narrow_dtypes_ir(all_types_ir_at(opset)), value.dtype()))
    ctx.fail(
        cat("a value of dtype ", dtype_name(value.dtype()), " is not allowed at opset ", opset));
  return value;
}

// ---- 3. shape rule: the value itself ----

void infer_constant(InferContext& ctx) {
  ctx.set_output_constant(0, constant_value(ctx.node(), ctx.opset(), ctx.label(), ctx));
}

// ---- 4. compute: hand out the stored tensor (shared, never written) ----

class ConstantKernel final : public Kernel {
 public:
  explicit ConstantKernel(const KernelInit& init)
      : value_(constant_value(init.node(), init.opset(), init.label(), init)) {}

  void run(KernelContext& ctx) const override { ctx.set_output(0, value_); }

 private:
  Tensor value_;
};

}  // namespace

void register_constant(Registry& registry) {
  add_op_versions(registry, "Constant", constant_versions(), make_kernel<ConstantKernel>(),
                  infer_constant);
}

}  // namespace onyx
