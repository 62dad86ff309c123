// Structural validation of a loaded model: the onnx.checker rules that matter at
// run time. Throws onyx::Error naming node (name and index), op, domain and value.
#pragma once

#include <functional>
#include <string>

#include "onyx/ir.h"

namespace onyx {

// Optional knowledge of operator schemas: the attribute types an op expects.
// Returns the expected type for (domain, op, opset, attribute), or Undefined when
// the attribute is unknown to the schema or the op has no schema here.
using AttrTypeLookup = std::function<AttrType(const std::string& domain, const std::string& op,
                                              int opset, const std::string& attr)>;

// The newest versions this build implements: IR 13 (ONNX 1.22), default-domain opset
// 28 (ONNX 1.23) and ai.onnx.ml opset 5. A model that imports a newer default-domain or
// ai.onnx.ml opset, or declares a newer IR version, is refused by name: its operators
// may mean something these kernels do not compute. (Opset-28 versions not implemented
// yet are refused per node by the registry.)
constexpr int64_t kNewestIrVersion = 13;
constexpr int64_t kNewestDefaultOpset = 28;
constexpr int64_t kNewestMlOpset = 5;  // domain ai.onnx.ml

struct CheckOptions {
  AttrTypeLookup attr_types;  // may be empty
  int max_subgraph_depth = 64;
};

void check_model(const Model& model, const CheckOptions& options = {});

}  // namespace onyx
