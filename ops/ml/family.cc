// The ml family: the traditional machine-learning operators of the ai.onnx.ml domain
// (scikit-learn, XGBoost and LightGBM exports). Operators whose inputs or outputs are
// maps or sequences of maps (ZipMap, DictVectorizer, CastMap) are not here yet.
#include "common/families.h"
#include "ml/ml_ops.h"

namespace onyx {

void register_ml(Registry& registry) {
  register_array_feature_extractor(registry);
  register_binarizer(registry);
  register_label_encoder(registry);
  register_category_mapper(registry);
  register_tree_ensemble(registry);
  register_scaler(registry);
  register_normalizer(registry);
  register_imputer(registry);
  register_linear_regressor(registry);
  register_one_hot_encoder(registry);
  register_feature_vectorizer(registry);
  register_tree_ensemble_regressor(registry);
  register_linear_classifier(registry);
  register_tree_ensemble_classifier(registry);
  register_svm_regressor(registry);
  register_svm_classifier(registry);
}

}  // namespace onyx
