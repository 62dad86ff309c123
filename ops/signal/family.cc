// The signal family: Fourier transforms and the windows and filter banks around them:
// DFT, STFT, HannWindow, HammingWindow, BlackmanWindow, MelWeightMatrix
#include "common/families.h"
#include "signal/signal_ops.h"

namespace onyx {

void register_signal(Registry& registry) {
  register_dft(registry);
  register_stft(registry);
  register_windows(registry);
  register_mel_weight_matrix(registry);
}

}  // namespace onyx
