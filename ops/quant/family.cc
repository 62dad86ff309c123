// The quant family: linear quantization and the integer matrix products and convolutions.
#include "common/families.h"
#include "quant/quant.h"

namespace onyx {

void register_quant(Registry& registry) {
  register_quantize_linear(registry);
  register_dequantize_linear(registry);
  register_dynamic_quantize_linear(registry);
  register_matmul_integer(registry);
  register_conv_integer(registry);
}

}  // namespace onyx
