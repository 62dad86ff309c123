#include "nn/fused_epilogue.h"

#include <vector>

#include "common/shape_utils.h"
#include "nn/nn_util.h"
#include "onyx/fused_ops.h"

namespace onyx {

namespace {

struct ActivationName {
  const char* name;
  kernels::Activation kind;
  size_t params;
};

constexpr ActivationName kActivations[] = {
    {"Relu", kernels::Activation::Relu, 0},
    {"Sigmoid", kernels::Activation::Sigmoid, 0},
    {"Tanh", kernels::Activation::Tanh, 0},
    {"HardSwish", kernels::Activation::HardSwish, 0},
    {"LeakyRelu", kernels::Activation::LeakyRelu, 1},
    {"HardSigmoid", kernels::Activation::HardSigmoid, 2},
    {"Clip", kernels::Activation::Clip, 2},
};

}  // namespace

bool is_fused_node(const Node& node) { return node.domain == fused::kDomain; }

kernels::ActivationParams read_fused_activation(const KernelInit& init) {
  kernels::ActivationParams p;
  if (!is_fused_node(init.node()) || !init.attrs().has(fused::kActivation)) return p;
  const std::string name = init.attrs().get_string(fused::kActivation, "");
  const std::vector<float> params = init.attrs().get_floats(fused::kActivationParams, {});
  if (name == "Gelu") {  // Gelu-20's string attribute picks the form
    const std::string approximate = init.attrs().get_string(fused::kApproximate, "none");
    if (approximate != "none" && approximate != "tanh")
      init.fail(cat("approximate must be 'none' or 'tanh', got '", approximate, "'"));
    if (!params.empty()) init.fail(cat("activation Gelu takes no parameters, got ", params.size()));
    p.kind = approximate == "tanh" ? kernels::Activation::GeluTanh : kernels::Activation::Gelu;
    return p;
  }
  for (const ActivationName& a : kActivations) {
    if (name != a.name) continue;
    if (params.size() != a.params)
      init.fail(cat("activation ", name, " takes ", a.params, " parameters, got ", params.size()));
    p.kind = a.kind;
    if (a.params > 0) p.a = params[0];
    if (a.params > 1) p.b = params[1];
    return p;
  }
  init.fail(cat("unknown fused activation '", name, "'"));
}

std::map<std::string, AttrType> with_fused_attrs(std::map<std::string, AttrType> base) {
  base[fused::kActivation] = AttrType::String;
  base[fused::kActivationParams] = AttrType::Floats;
  base[fused::kApproximate] = AttrType::String;
  return base;
}

void apply_fused_epilogue(const kernels::ActivationParams& activation, const Tensor* residual,
                          Tensor& y) {
  if (!residual && activation.kind == kernels::Activation::None) return;
  dispatch<FloatTypes>(y.dtype(), "fused epilogue", [&](auto tag) {
    using T = typename decltype(tag)::type;
    using A = acc_t<T>;
    T* out = y.data<T>();
    const T* add = residual ? residual->data<T>() : nullptr;
    for (int64_t i = 0; i < y.numel(); ++i) {
      const A sum = static_cast<A>(out[i]) + (add ? static_cast<A>(add[i]) : A(0));
      out[i] = from_acc<T>(kernels::activate<A>(activation, sum));
    }
  });
}

}  // namespace onyx
