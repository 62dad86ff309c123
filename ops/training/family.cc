// The training family: the optimizers of the ai.onnx.preview.training domain.
#include "common/families.h"
#include "training/training_ops.h"

namespace onyx {

void register_training(Registry& registry) {
  register_adagrad(registry);
  register_adam(registry);
  register_momentum(registry);
}

}  // namespace onyx
