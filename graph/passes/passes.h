// The optimizer's passes, one per file. Each rewrites the graph through a GraphEdit and
// returns how many sites it rewrote; the driver (optimizer.cc) runs them in order.
#pragma once

#include "graph_edit.h"

namespace onyx::passes {

int fold_constants(GraphEdit& edit);             // fold_constants.cc
int eliminate_identities(GraphEdit& edit);       // eliminate_identities.cc
int eliminate_noops(GraphEdit& edit);            // eliminate_noops.cc
int merge_transposes_reshapes(GraphEdit& edit);  // merge_transposes_reshapes.cc
int fuse_conv_batchnorm(GraphEdit& edit);        // fuse_conv_batchnorm.cc
int fuse_epilogues(GraphEdit& edit);             // fuse_epilogues.cc
int fuse_gelu(GraphEdit& edit);                  // fuse_gelu.cc
int fuse_layer_norm(GraphEdit& edit);            // fuse_layer_norm.cc
int fuse_rms_norm(GraphEdit& edit);              // fuse_rms_norm.cc
int fuse_add_layer_norm(GraphEdit& edit);        // fuse_add_layer_norm.cc
int fuse_matmul_bias(GraphEdit& edit);           // fuse_matmul_bias.cc
int fuse_attention(GraphEdit& edit);             // fuse_attention.cc
// blocked_layout.cc: `block` is the kernels' channel block (OptimizerTarget).
int blocked_layout(GraphEdit& edit, int64_t block);

// Whether a node is of the default ONNX domain and the given op type.
inline bool is_onnx(const Node& node, const char* op_type) {
  return node.is_default_domain() && node.op_type == op_type;
}

}  // namespace onyx::passes
