// The one list of operator families. Each family adds its own kernels.
#include "common/families.h"
#include "onyx/onyx.h"

namespace onyx {

void register_all(Registry& registry) {
  register_math(registry);
  register_nn(registry);
  register_tensor(registry);
  register_logic(registry);
  register_reduce(registry);
  register_cast(registry);
  register_generate(registry);
  register_select(registry);
  register_linalg(registry);
  register_image(registry);
  register_text(registry);
  register_signal(registry);
  register_random(registry);
  register_rnn(registry);
  register_training(registry);
  register_quant(registry);
  register_control(registry);
  register_sequence(registry);
  register_ml(registry);
}

const Registry& builtin_registry() {
  static const Registry registry = [] {
    Registry r;
    register_all(r);
    return r;
  }();
  return registry;
}

}  // namespace onyx
