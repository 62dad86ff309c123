// The operators the optimizer fuses into (domain "ai.onyx", version 1). Each is an ONNX
// operator with an epilogue applied to every output value, so that its output is written
// once instead of being read back by the nodes that followed it:
//
//   FusedConv(X, W, B?, Z?)  Y = activation(Conv(X, W, B) + Z)    Conv's attributes;
//                            Z, when present, has Y's shape (a residual connection)
//   FusedGemm(A, B, C?)      Y = activation(Gemm(A, B, C))         Gemm's attributes
//   FusedMatMul(A, B, bias?, Z?)  Y = activation(MatMul(A, B) + bias + Z)   bias: a
//                            vector of Y's last dim; Z, when present, has Y's shape
//
// The activation is named by the string attribute `activation`, one of the ONNX
// operators below, and its parameters are the floats of `activation_params`:
//   Relu, Sigmoid, Tanh, HardSwish   (none)
//   LeakyRelu                        (alpha)
//   HardSigmoid                      (alpha, beta)
//   Clip                             (min, max)
//   Gelu                             (none; the string attribute `approximate`, "none"
//                                    or "tanh", as Gelu-20)
// Absent, the node applies no activation.
//
// Newer ONNX operators that the optimizer writes into models of any opset, with the ONNX
// operator's semantics and attributes:
//
//   Gelu(X)                  Gelu-20: approximate = "none" (erf) or "tanh"
//   LayerNormalization(X, Scale, B?)   LayerNormalization-17 (outputs Mean and
//                            InvStdDev included)
//   RMSNormalization(X, Scale)         RMSNormalization-23
//   AddLayerNormalization(A, B, Scale, Bias?) -> (Y, S)   S = A + B (one shape), Y its
//                            LayerNormalization (LayerNormalization-17's attributes)
//
// The channel-blocked layout (ops/nn/blocked_conv.cc), which the blocked_layout pass puts
// in place of chains of convolutions. A blocked tensor of logical
// shape (N, C, H, W) is declared (N, C', H, W), C' = C rounded up to the `block`
// attribute, and stored (N, C' / block, H, W, block), the padded channels zero:
//
//   ReorderToBlocked(X) -> Y       NCHW into the blocked layout
//   ReorderFromBlocked(X) -> Y     back, to `channels` channels
//   BlockedConv(X, W, B?, Z?)      FusedConv on blocked X, Z and Y (W and B as Conv's), for
//                                  group 1 with a square window, stride 1 and one padding,
//                                  or a 3x3 depthwise one (padding 1, stride 1 or 2)
//
// And the attention of exported transformers, as one node (ops/nn/fused_attention.cc):
//
//   ScaledDotProductAttention(Q, K, V, mask?)
//       Y = Transpose(Softmax(scale * q kᵀ + mask) v, perm_out), where q, k and v are
//       Q, K and V transposed by perm_q, perm_k and perm_v into [B, H, S, D]; a bool mask
//       selects (s = mask ? s : mask_fill) instead of adding
#pragma once

namespace onyx::fused {

constexpr const char* kDomain = "ai.onyx";
constexpr int kVersion = 1;
constexpr const char* kConv = "FusedConv";
constexpr const char* kGemm = "FusedGemm";
constexpr const char* kMatMul = "FusedMatMul";
constexpr const char* kGelu = "Gelu";
constexpr const char* kLayerNorm = "LayerNormalization";
constexpr const char* kRmsNorm = "RMSNormalization";
constexpr const char* kAddLayerNorm = "AddLayerNormalization";
constexpr const char* kAttention = "ScaledDotProductAttention";
constexpr const char* kToBlocked = "ReorderToBlocked";
constexpr const char* kFromBlocked = "ReorderFromBlocked";
constexpr const char* kBlockedConv = "BlockedConv";
constexpr const char* kBlock = "block";
constexpr const char* kActivation = "activation";
constexpr const char* kActivationParams = "activation_params";
constexpr const char* kApproximate = "approximate";

}  // namespace onyx::fused
