// The nn family: convolution, matrix products, pooling, normalization, softmax, dropout.
#include "common/families.h"
#include "nn/nn.h"

namespace onyx {

void register_nn(Registry& registry) {
  register_conv(registry);
  register_gemm(registry);
  register_matmul(registry);
  register_softmax(registry);
  register_batchnorm(registry);
  register_pool(registry);
  register_global_pool(registry);
  register_dropout(registry);
}

}  // namespace onyx
