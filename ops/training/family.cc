// The training family: the optimizers and Gradient of the ai.onnx.preview.training domain.
#include "common/families.h"
#include "training/training_ops.h"

namespace onyx {

void register_training(Registry& registry) {
  register_adagrad(registry);
  register_adam(registry);
  register_momentum(registry);
  register_gradient(registry);
}

}  // namespace onyx
