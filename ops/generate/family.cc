// The generate family: tensors made from shapes or counts: Range, ConstantOfShape, EyeLike, OneHot, Trilu
#include "common/families.h"

namespace onyx {

void register_generate(Registry& registry) {
  (void)registry;  // operators are added here as their files land
}

}  // namespace onyx
