// The operators of the ml family (domain ai.onnx.ml), one register function per kernel
// file, and what those files share.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/shape_utils.h"
#include "onyx/kernel.h"
#include "onyx/registry.h"

namespace onyx {

constexpr const char* kMlDomain = "ai.onnx.ml";

void register_array_feature_extractor(Registry& registry);  // array_feature_extractor.cc
void register_binarizer(Registry& registry);                // binarizer.cc
void register_label_encoder(Registry& registry);            // label_encoder.cc: versions 1, 2, 4

// tensor(float), tensor(double), tensor(int64), tensor(int32): the numeric inputs of most
// ml operators.
using MlNumericTypes = type_list<float, double, int64_t, int32_t>;

// Registers one KernelDef of the ai.onnx.ml domain per row of `versions`.
void add_ml_op(Registry& registry, const std::string& op_type,
               const std::vector<OpVersion>& versions, const KernelFactory& create,
               const ShapeRule& infer);

}  // namespace onyx
