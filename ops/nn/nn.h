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
// normalization.cc: InstanceNormalization, MeanVarianceNormalization, LRN
void register_normalization(Registry& registry);
void register_layer_norm(Registry& registry);     // layer_norm.cc: LayerNormalization
void register_lp_pool(Registry& registry);        // lp_pool.cc: LpPool, GlobalLpPool
void register_convtranspose(Registry& registry);  // convtranspose.cc: ConvTranspose
// loss.cc: NegativeLogLikelihoodLoss, SoftmaxCrossEntropyLoss
void register_loss(Registry& registry);
void register_max_unpool(Registry& registry);  // max_unpool.cc: MaxUnpool
// fused_attention.cc: ScaledDotProductAttention (ai.onyx)
void register_fused_attention(Registry& registry);
void register_attention(Registry& registry);         // attention.cc: Attention
void register_rotary_embedding(Registry& registry);  // rotary_embedding.cc: RotaryEmbedding
void register_group_norm(Registry& registry);        // group_norm.cc: GroupNormalization
void register_lp_norm(Registry& registry);           // lp_norm.cc: LpNormalization
void register_deform_conv(Registry& registry);       // deform_conv.cc: DeformConv
// linear_attention.cc: LinearAttention
void register_linear_attention(Registry& registry);
// causal_conv_with_state.cc: CausalConvWithState
void register_causal_conv_with_state(Registry& registry);
// blocked_conv.cc: ReorderToBlocked, ReorderFromBlocked, BlockedConv (ai.onyx)
void register_blocked_conv(Registry& registry);

}  // namespace onyx
