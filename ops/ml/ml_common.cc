// What the ml operators share: registration in the ai.onnx.ml domain.
#include "ml/ml_ops.h"

namespace onyx {

void add_ml_op(Registry& registry, const std::string& op_type,
               const std::vector<OpVersion>& versions, const KernelFactory& create,
               const ShapeRule& infer) {
  for (const OpVersion& v : versions) {
    KernelDef def;
    def.domain = kMlDomain;
    def.op_type = op_type;
    def.since_version = v.since;
    def.until_version = v.until;
    def.dtypes = v.dtypes;
    def.create = create;
    def.infer = infer;
    def.attr_types = v.attr_types;
    registry.add(std::move(def));
  }
}

}  // namespace onyx
