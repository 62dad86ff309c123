// The SVM kernels' attributes and the check of X's width.
#include "ml/svm_kernel.h"

#include <map>

namespace onyx {

SvmKernel read_svm_kernel(const Attrs& attrs, bool linear_mode, const KernelInit& init) {
  static const std::map<std::string, SvmKernelType> types = {{"LINEAR", SvmKernelType::Linear},
                                                             {"POLY", SvmKernelType::Poly},
                                                             {"RBF", SvmKernelType::Rbf},
                                                             {"SIGMOID", SvmKernelType::Sigmoid}};
  const std::string name = attrs.get_string("kernel_type", "LINEAR");
  auto it = types.find(name);
  if (it == types.end())
    init.fail("kernel_type must be LINEAR, POLY, RBF or SIGMOID, got '" + name + "'");
  const std::vector<float> params = attrs.get_floats("kernel_params");
  if (!params.empty() && params.size() != 3)
    init.fail(cat("kernel_params holds gamma, coef0 and degree, got ", params.size(), " values"));
  SvmKernel k;
  k.type = linear_mode ? SvmKernelType::Linear : it->second;
  if (!params.empty()) {
    k.gamma = params[0];
    k.coef0 = params[1];
    k.degree = static_cast<int64_t>(params[2]);  // the reference truncates it to an integer
  }
  return k;
}

RowsOf svm_rows(const Tensor& x, int64_t features, const KernelContext& ctx) {
  const RowsOf shape = rows_of(x, ctx);
  if (shape.features != features)
    ctx.fail(cat("the model has ", features, " features, but X ", x.describe(), " has ",
                 shape.features));
  return shape;
}

}  // namespace onyx
