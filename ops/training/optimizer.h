// What the optimizers of ai.onnx.preview.training share. Each takes a learning rate R
// (float or double scalar), an update count T (int64 scalar), then `groups` lists of n
// tensors each: the tensors X1..Xn, their gradients G1..Gn and one or two lists of
// optimizer state. The outputs are the new X1..Xn followed by the new state lists, so
// output list k is input list 0 (X) for k = 0 and input list k + 1 for k >= 1.
#pragma once

#include <cstdint>
#include <string>

#include "common/shape_utils.h"
#include "onyx/kernel.h"
#include "onyx/shape_inference.h"

namespace onyx {

constexpr const char* kTrainingDomain = "ai.onnx.preview.training";

// X, G and the states are float or double.
using OptimizerTypes = type_list<float, double>;

// Registers `op` at opset 1 of the training domain.
void add_optimizer(Registry& registry, const std::string& op, KernelFactory create, ShapeRule infer,
                   std::map<std::string, AttrType> attr_types);

// The number n of optimized tensors, checked at construction: all inputs present,
// 2 + groups * n inputs and (groups - 1) * n outputs.
int64_t optimized_tensor_count(const KernelInit& init, int groups);

struct OptimizerStep {
  double rate = 0;    // R
  int64_t count = 0;  // T, the number of updates done so far
};
// R and T, checked to be scalars of the right dtypes (T >= 0).
OptimizerStep read_optimizer_step(const KernelContext& ctx);

// Input `list` (0 = X, 1 = G, 2.. = states) of tensor j, checked to match X_j's shape
// and dtype.
const Tensor& optimizer_input(const KernelContext& ctx, int64_t n, int list, int64_t j);

// Output types: each output copies its input's type (see above).
void infer_optimizer(InferContext& ctx, int groups);

}  // namespace onyx
