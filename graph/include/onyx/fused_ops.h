// The operators the optimizer fuses into (domain "ai.onyx", version 1). Each is an ONNX
// operator with an epilogue applied to every output value, so that its output is written
// once instead of being read back by the nodes that followed it:
//
//   FusedConv(X, W, B?, Z?)  Y = activation(Conv(X, W, B) + Z)    Conv's attributes;
//                            Z, when present, has Y's shape (a residual connection)
//   FusedGemm(A, B, C?)      Y = activation(Gemm(A, B, C))         Gemm's attributes
//
// The activation is named by the string attribute `activation`, one of the ONNX
// operators below, and its parameters are the floats of `activation_params`:
//   Relu, Sigmoid, Tanh, HardSwish   (none)
//   LeakyRelu                        (alpha)
//   HardSigmoid                      (alpha, beta)
//   Clip                             (min, max)
// Absent, the node applies no activation.
#pragma once

namespace onyx::fused {

constexpr const char* kDomain = "ai.onyx";
constexpr int kVersion = 1;
constexpr const char* kConv = "FusedConv";
constexpr const char* kGemm = "FusedGemm";
constexpr const char* kActivation = "activation";
constexpr const char* kActivationParams = "activation_params";

}  // namespace onyx::fused
