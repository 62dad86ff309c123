// The float fast path of RNN, GRU and LSTM with the default gate functions. One GEMM
// projects the inputs of every step (Xt * W^T + Wb + Rb, the biases in its epilogue); each
// step then multiplies the hidden states of all batch entries by R^T in one GEMM that adds
// the projected inputs in its epilogue, and applies the vectorised sigmoid and tanh.
// W and R given as initializers are packed into GEMM panels once, when the session is
// created. Sequence lengths, directions, layouts, initial states, peepholes and clip
// follow the reference loop (rnn_common.h); other gate functions use that loop.
#pragma once

#include <vector>

#include "kernels/gemm/gemm.h"
#include "rnn/rnn_common.h"

namespace onyx {

enum class RnnCellKind { Rnn, Gru, Lstm };

struct RnnCellOptions {
  RnnCellKind kind = RnnCellKind::Rnn;
  bool linear_before_reset = false;  // GRU
  bool input_forget = false;         // LSTM
  int gates() const { return kind == RnnCellKind::Rnn ? 1 : kind == RnnCellKind::Gru ? 3 : 4; }
};

class RnnFastPath {
 public:
  RnnFastPath() = default;
  // Enabled outside reference sessions when every direction uses the op's default gate
  // functions; packs W and R when they are float initializers, and then holds them
  // alone (the session frees the originals).
  RnnFastPath(const KernelInit& init, const RnnAttrs& attrs, RnnCellOptions cell);
  const RnnHeldWeights& held() const { return held_; }
  bool serves(const KernelContext& ctx) const {
    return enabled_ && ctx.input(0).dtype() == DType::Float;
  }
  void run(KernelContext& ctx, const RnnAttrs& attrs, const RnnShapes& s) const;

  // The gate columns of R that one recurrent GEMM covers: gates [first, first + count).
  // GRU needs two, since its h gate reads the reset gate's output.
  struct GateBlock {
    int first, count;
  };

 private:
  std::vector<GateBlock> blocks() const;

  RnnCellOptions cell_;
  bool enabled_ = false;
  std::vector<kernels::PackedPanels> packed_w_;  // per direction: W^T, G columns
  std::vector<kernels::PackedPanels> packed_r_;  // per direction and gate block: R^T
  RnnHeldWeights held_;                          // set when both are packed
};

}  // namespace onyx
