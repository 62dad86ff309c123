// The operators of the quant family, one register function per kernel file.
#pragma once

#include "onyx/registry.h"

namespace onyx {

void register_quantize_linear(Registry& registry);    // quantize_linear.cc: QuantizeLinear
void register_dequantize_linear(Registry& registry);  // dequantize_linear.cc: DequantizeLinear
// dynamic_quantize_linear.cc: DynamicQuantizeLinear
void register_dynamic_quantize_linear(Registry& registry);
// matmul_integer.cc: MatMulInteger, QLinearMatMul
void register_matmul_integer(Registry& registry);
// conv_integer.cc: ConvInteger, QLinearConv
void register_conv_integer(Registry& registry);

}  // namespace onyx
