// Entry points of the operator families (one per folder under ops/).
#pragma once

#include "onyx/registry.h"

namespace onyx {

void register_math(Registry& registry);    // ops/math: elementwise arithmetic, activations
void register_nn(Registry& registry);      // ops/nn: conv, gemm, pooling, normalization
void register_tensor(Registry& registry);  // ops/tensor: shape and data movement
void register_logic(Registry& registry);   // ops/logic: logic and comparison: And, Or, Xor, Not,
                                           // Equal, Greater, Less, Where, ...
void register_reduce(
    Registry& registry);  // ops/reduce: reductions: Reduce*, ArgMax/ArgMin, CumSum, TopK
void register_cast(Registry& registry);      // ops/cast: type conversion: Cast, CastLike
void register_generate(Registry& registry);  // ops/generate: tensors made from shapes or counts:
                                             // Range, ConstantOfShape, EyeLike, OneHot, Trilu
void register_select(Registry& registry);    // ops/select: data-dependent selection: Compress,
                                             // NonZero, Unique, ReverseSequence
void register_linalg(Registry& registry);    // ops/linalg: linear algebra: Einsum, Det
void register_text(Registry& registry);      // ops/text: StringNormalizer, TfIdfVectorizer
void register_signal(Registry& registry);    // ops/signal: DFT, STFT, windows, MelWeightMatrix
void register_random(Registry& registry);    // ops/random: RandomUniform/Normal(Like), Bernoulli,
                                             // Multinomial
void register_rnn(Registry& registry);       // ops/rnn: RNN, GRU, LSTM
void register_training(Registry& registry);  // ops/training: Adagrad, Adam, Momentum
void register_image(Registry& registry);     // ops/image: Resize, Upsample, GridSample,
                                             // RoiAlign, NonMaxSuppression
void register_quant(Registry& registry);     // ops/quant: Quantize/DequantizeLinear,
                                             // QLinearMatMul/Conv, MatMul/ConvInteger
void register_control(Registry& registry);   // ops/control: If, Loop, Scan
void register_sequence(Registry& registry);  // ops/sequence: Sequence*, Optional*
void register_ml(Registry& registry);        // ops/ml: the ai.onnx.ml domain: LabelEncoder,
                                             // Scaler, TreeEnsemble, ...
void register_all(Registry& registry);

}  // namespace onyx
