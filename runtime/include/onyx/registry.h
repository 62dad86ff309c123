// The kernel registry: (domain, op type, opset range, dtypes) -> kernel factory and
// shape rule. Each operator family adds its entries in register_<family>(Registry&);
// register_all (ops/) calls them all. No static self-registration.
#pragma once

#include <climits>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "onyx/kernel.h"
#include "onyx/shape_inference.h"

namespace onyx {

constexpr int kOpsetOpen = INT_MAX;  // "until the next version", for the newest entry

using KernelFactory = std::function<std::unique_ptr<Kernel>(const KernelInit&)>;

struct KernelDef {
  std::string domain;  // "" for the default ONNX domain
  std::string op_type;
  int since_version = 1;           // first opset this entry serves
  int until_version = kOpsetOpen;  // last opset it serves (inclusive)
  // Accepted element types of input `dtype_input`; empty accepts any.
  std::vector<DType> dtypes;
  int dtype_input = 0;
  KernelFactory create;
  ShapeRule infer;
  // Attribute types the op expects (for the checker); unknown names are allowed.
  std::map<std::string, AttrType> attr_types;
};

template <class... Ts>
std::vector<DType> dtypes_of(type_list<Ts...>) {
  return {dtype_v<Ts>...};
}

template <class K>
KernelFactory make_kernel() {
  return
      [](const KernelInit& init) -> std::unique_ptr<Kernel> { return std::make_unique<K>(init); };
}

class Registry {
 public:
  void add(KernelDef def);

  // The entry serving this node, given its resolved opset and input dtypes.
  // Throws onyx::Error naming op, domain, opset and dtypes when none fits.
  const KernelDef& resolve(const Node& node, const std::vector<DType>& input_dtypes,
                           const std::string& label) const;
  // Any entry for (domain, op, opset), ignoring dtypes; nullptr when none.
  const KernelDef* find(const std::string& domain, const std::string& op_type, int opset) const;
  // Adapters for graph/: the checker's attribute types and inference's rules.
  AttrType attr_type(const std::string& domain, const std::string& op_type, int opset,
                     const std::string& attr) const;
  const ShapeRule* shape_rule(const Node& node) const;
  std::vector<std::string> op_types() const;  // "domain::Op" sorted, for listings

 private:
  static std::string key(const std::string& domain, const std::string& op_type);
  std::map<std::string, std::vector<KernelDef>> defs_;
};

}  // namespace onyx
