// The control family: operators that run subgraphs: If, Loop, Scan.
#include "common/families.h"
#include "control/control_ops.h"

namespace onyx {

void register_control(Registry& registry) {
  register_if(registry);
  register_loop(registry);
  register_scan(registry);
}

}  // namespace onyx
