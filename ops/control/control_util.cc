// Helpers shared by If, Loop and Scan.
#include "common/dtype_lists.h"
#include "common/shape_utils.h"
#include "control/control_ops.h"
#include "onyx/narrow_tensor.h"

namespace onyx {

TypeInfo declared_output_type(const Graph& graph, int i) {
  if (i < 0 || i >= static_cast<int>(graph.outputs.size())) return {};
  return graph.value(graph.outputs[i]).type;
}

TypeInfo merge_branch_types(const TypeInfo& a, const TypeInfo& b) {
  if (a.kind == TypeInfo::Kind::Unknown) return b;
  if (b.kind == TypeInfo::Kind::Unknown || a.kind != b.kind) return a;
  TypeInfo merged = a;
  if (a.inner && b.inner)
    merged.inner = std::make_shared<TypeInfo>(merge_branch_types(*a.inner, *b.inner));
  if (!a.shape || !b.shape || a.shape->size() != b.shape->size()) {
    merged.shape.reset();
    return merged;
  }
  for (size_t d = 0; d < a.shape->size(); ++d)
    if (!((*a.shape)[d] == (*b.shape)[d])) (*merged.shape)[d] = Dim{};
  return merged;
}

TypeInfo without_shape(const TypeInfo& type) {
  TypeInfo t = type;
  t.shape.reset();
  if (t.inner) t.inner = std::make_shared<TypeInfo>(without_shape(*t.inner));
  return t;
}

TypeInfo with_dim_at(const TypeInfo& type, int axis, Dim dim) {
  TypeInfo t = type;
  if (!t.is_tensor() || !t.shape) {
    t.shape.reset();
    return t;
  }
  int rank = static_cast<int>(t.shape->size()) + 1;
  if (axis < 0) axis += rank;
  if (axis < 0 || axis >= rank) {
    t.shape.reset();
    return t;
  }
  t.shape->insert(t.shape->begin() + axis, std::move(dim));
  return t;
}

namespace {

DType element_dtype(const TypeInfo& type) {
  return type.inner ? element_dtype(*type.inner) : type.elem;
}

}  // namespace

void check_carried_dtypes(const KernelInit& init) {
  const std::vector<DType> listed = narrow_dtypes_ir(all_types_ir_at(init.opset()));
  auto check = [&](const TypeInfo& type, const char* kind, int i) {
    const DType t = element_dtype(type);
    if (dtype_is_narrow(t) && !dtype_listed(listed, t))
      init.fail(cat(kind, " ", i, " has element type ", dtype_name(t), ", which ",
                    init.node().op_type, " does not carry at opset ", init.opset()));
  };
  for (int i = 0; i < init.num_inputs(); ++i)
    if (init.has_input(i)) check(init.input_type(i), "input", i);
  for (int i = 0; i < init.num_outputs(); ++i) check(init.output_type(i), "output", i);
}

}  // namespace onyx
