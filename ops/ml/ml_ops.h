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
void register_category_mapper(Registry& registry);          // category_mapper.cc
void register_tree_ensemble(Registry& registry);            // tree_ensemble.cc: TreeEnsemble 5
void register_scaler(Registry& registry);                   // scaler.cc
void register_normalizer(Registry& registry);               // normalizer.cc
void register_imputer(Registry& registry);                  // imputer.cc
void register_linear_regressor(Registry& registry);         // linear_regressor.cc
void register_one_hot_encoder(Registry& registry);          // one_hot_encoder.cc
void register_feature_vectorizer(Registry& registry);       // feature_vectorizer.cc
void register_tree_ensemble_regressor(Registry& registry);  // tree_ensemble_regressor.cc: 1, 3

// The classifiers and the SVMs.
void register_linear_classifier(Registry& registry);         // linear_classifier.cc
void register_tree_ensemble_classifier(Registry& registry);  // tree_ensemble_classifier.cc: 1, 3
void register_svm_regressor(Registry& registry);             // svm_regressor.cc
void register_svm_classifier(Registry& registry);            // svm_classifier.cc

// tensor(float), tensor(double), tensor(int64), tensor(int32): the numeric inputs of most
// ml operators.
using MlNumericTypes = type_list<float, double, int64_t, int32_t>;

// The rows and features of an input that must be [N, F] or [F] (one row); fails via ctx.
struct RowsOf {
  int64_t rows = 0, features = 0;
};
RowsOf rows_of(const Tensor& x, const KernelContext& ctx);
// The shape rule's view of the same: [N, ?] for X [N, F] or [F] (N = 1), else unknown.
Dim rows_dim(const TypeInfo& x);

// Registers one KernelDef of the ai.onnx.ml domain per row of `versions`.
void add_ml_op(Registry& registry, const std::string& op_type,
               const std::vector<OpVersion>& versions, const KernelFactory& create,
               const ShapeRule& infer);

// The score transforms of the ml regressors and classifiers, in the order of the
// integer encoding TreeEnsemble (5) uses.
enum class PostTransform { None = 0, Softmax = 1, Logistic = 2, SoftmaxZero = 3, Probit = 4 };

// The transform named by a string attribute ("NONE", "SOFTMAX", ...); fails through `init`.
PostTransform post_transform_named(const std::string& name, const KernelInit& init);
// Applies `transform` to one row of n scores in place:
//   SOFTMAX       exp(s - max) / sum
//   LOGISTIC      1 / (1 + exp(-s))            per score
//   SOFTMAX_ZERO  softmax over the non-zero scores; zeros stay zero
//   PROBIT        sqrt(2) * erfinv(2 s - 1)    per score (the normal quantile of s)
void apply_post_transform(PostTransform transform, double* scores, int64_t n);

// The class labels of a classifier: exactly one of classlabels_strings and the integer
// list (`ints_name`: classlabels_ints or classlabels_int64s) names the classes, and the
// labels output Y has that list's type.
struct ClassLabels {
  bool use_strings = false;
  std::vector<int64_t> ints;
  std::vector<std::string> strings;

  // Fails through `init` unless exactly one of the two lists is given and non-empty.
  static ClassLabels read(const Attrs& attrs, const std::string& ints_name, const KernelInit& init);
  int64_t size() const { return static_cast<int64_t>(use_strings ? strings.size() : ints.size()); }
  DType dtype() const { return use_strings ? DType::String : DType::Int64; }
  // Output 0 as [rows] of the labels' type.
  Tensor& allocate(KernelContext& ctx, int64_t rows) const;
  // y[row] = the label of class `index` (in [0, size())).
  void write(Tensor& y, int64_t row, int64_t index) const;
};

// The classifiers' shape rule: Y [N] of string or int64 (as the node's labels are
// strings or not), Z float [N, score_columns].
void infer_classifier(InferContext& ctx, Dim score_columns);

}  // namespace onyx
