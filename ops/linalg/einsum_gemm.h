// Einsum equations that are one contraction of two float operands, run as a batched GEMM.
//
// Each label is a batch label (in both operands and the output), a contracted one (in both
// operands, not the output), a left-free one (the first operand and the output) or a
// right-free one (the second operand and the output). For every batch index the output's
// left x right block is the product of the first operand's left x contracted block and
// the second's contracted x right block. Operands and output are read and written
// through strides (a transposition is free); an operand whose labels of one kind cannot
// be merged into one strided dimension is copied first, and an output whose layout the
// GEMM cannot write is computed contiguously and permuted into place.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "kernels/parallel.h"
#include "linalg/einsum_equation.h"

namespace onyx {

class EinsumGemmPlan {
 public:
  // The plan for these operands, or nothing when the equation is not one such contraction:
  // not two operands, a label repeated within a term (a diagonal), a label summed within
  // one operand alone, or a dim of 1 broadcast against a longer one.
  static std::optional<EinsumGemmPlan> make(const EinsumBinding& binding,
                                            const std::vector<int64_t>& label_size,
                                            const std::vector<Shape>& shapes);
  // out has the output's shape (labels in the binding's output order).
  void run(const float* x, const float* y, float* out, const kernels::Parallel& parallel) const;

 private:
  struct Operand {
    std::vector<int64_t> stride;  // per label, in elements; 0 where the operand lacks it
    std::vector<int> copy_order;  // non-empty: read through a contiguous copy in this order
  };
  // The operand's data as the GEMM reads it (a copy in `storage` when the plan says so),
  // and its strides per label.
  const float* view(const Operand& op, const float* data, std::vector<float>& storage,
                    std::vector<int64_t>& stride) const;
  int64_t count(const std::vector<int>& labels) const;

  std::vector<int64_t> size_;                           // per label
  std::vector<int> batch_, left_, right_, contracted_;  // labels by kind, in GEMM order
  std::vector<int> output_;                             // the output's labels (size > 1)
  std::vector<int64_t> out_stride_;                     // per label
  Operand x_, y_;
  bool swapped_ = false;  // the GEMM computes the transposed product: rows are right_
  bool permute_ = false;  // the GEMM writes a contiguous block permuted into out after
};

}  // namespace onyx
