// The Einsum equation language: parsing (once, when the kernel is built) and binding the
// terms to the operands' ranks (expanding "..." into broadcast dims). Errors throw
// onyx::Error with a message that names the problem.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "onyx/tensor.h"

namespace onyx {

// A label names one index of the equation: letters 'A'-'Z' are 0-25 and 'a'-'z' 26-51 (so
// label order is the letters' ASCII order), and the dims covered by "..." are 52, 53, ...
constexpr int kEinsumLetters = 52;

struct EinsumEquation {
  static constexpr int kEllipsis = -1;  // "..." inside a term

  std::vector<std::vector<int>> inputs;    // one term per operand: labels and kEllipsis
  std::optional<std::vector<int>> output;  // the term after "->" (explicit mode)

  // Parses e.g. "bij,bjk->bik", "...ii->...i" or "i,i" (spaces are ignored).
  static EinsumEquation parse(const std::string& text);
};

// An equation applied to operands of known ranks: every dim of every operand and of the
// output gets its label.
struct EinsumBinding {
  int num_labels = 0;                      // letters plus broadcast dims
  std::vector<std::vector<int>> operands;  // per operand, the label of each dim
  std::vector<int> output;                 // the label of each output dim

  static EinsumBinding bind(const EinsumEquation& eq, const std::vector<size_t>& ranks);
  // The size of every label (0 for labels no operand uses), from the operands' shapes.
  // A label's occurrences must agree, except that a dim of 1 broadcasts across operands.
  std::vector<int64_t> label_sizes(const std::vector<Shape>& shapes) const;
};

std::string einsum_label_name(int label);  // "a", or "...#0" for the first broadcast dim

}  // namespace onyx
