// The nn family: convolution, matrix products, pooling, normalization, softmax, dropout.
#include "common/families.h"
#include "nn/nn.h"

namespace onyx {

void register_nn(Registry& registry) {
  register_conv(registry);
  register_blocked_conv(registry);
  register_gemm(registry);
  register_matmul(registry);
  register_softmax(registry);
  register_batchnorm(registry);
  register_pool(registry);
  register_global_pool(registry);
  register_dropout(registry);
  register_normalization(registry);
  register_layer_norm(registry);
  register_fused_attention(registry);
  register_lp_pool(registry);
  register_convtranspose(registry);
  register_loss(registry);
  register_max_unpool(registry);
  register_attention(registry);
  register_rotary_embedding(registry);
  register_group_norm(registry);
  register_lp_norm(registry);
  register_deform_conv(registry);
  register_linear_attention(registry);
  register_causal_conv_with_state(registry);
}

}  // namespace onyx
