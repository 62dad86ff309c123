// The operators of the nn family, one register function per kernel file.
#pragma once

#include "onyx/registry.h"

namespace onyx {

void register_conv(Registry& registry);         // conv.cc: Conv
void register_gemm(Registry& registry);         // gemm.cc: Gemm
void register_matmul(Registry& registry);       // matmul.cc: MatMul
void register_softmax(Registry& registry);      // softmax.cc: Softmax, LogSoftmax, Hardmax
void register_batchnorm(Registry& registry);    // batchnorm.cc: BatchNormalization
void register_pool(Registry& registry);         // pool.cc: MaxPool, AveragePool
void register_global_pool(Registry& registry);  // global_pool.cc: GlobalAverage/MaxPool
void register_dropout(Registry& registry);      // dropout.cc: Dropout

}  // namespace onyx
