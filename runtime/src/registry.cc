#include "onyx/registry.h"

#include <algorithm>

namespace onyx {
namespace {

std::string canonical_domain(const std::string& d) { return d == "ai.onnx" ? std::string() : d; }

std::string domain_label(const std::string& d) { return d.empty() ? "ai.onnx" : d; }

}  // namespace

std::string Registry::key(const std::string& domain, const std::string& op_type) {
  return canonical_domain(domain) + "::" + op_type;
}

void Registry::add(KernelDef def) {
  if (!def.create) fail("registry: ", def.op_type, " has no kernel factory");
  if (def.since_version > def.until_version)
    fail("registry: ", def.op_type, " has an empty opset range");
  def.domain = canonical_domain(def.domain);
  defs_[key(def.domain, def.op_type)].push_back(std::move(def));
}

const KernelDef* Registry::find(const std::string& domain, const std::string& op_type,
                                int opset) const {
  auto it = defs_.find(key(domain, op_type));
  if (it == defs_.end()) return nullptr;
  for (const KernelDef& def : it->second)
    if (def.since_version <= opset && opset <= def.until_version) return &def;
  return nullptr;
}

namespace {

// The message is built only on failure: resolve runs for every node of every session.
[[noreturn]] void refuse(const Node& node, const std::string& label, const std::string& details,
                         const char* reason) {
  fail_as(ErrorKind::unsupported_operator, label, ": no kernel for ", node.op_type, " (domain ",
          domain_label(node.domain), ", opset ", node.opset, details, "): ", reason);
}

}  // namespace

const KernelDef& Registry::resolve(const Node& node, const std::vector<DType>& input_dtypes,
                                   const std::string& label) const {
  auto it = defs_.find(key(node.domain, node.op_type));
  if (it == defs_.end()) refuse(node, label, "", "operator not supported");
  bool version_found = false;
  for (const KernelDef& def : it->second) {
    if (def.since_version > node.opset || node.opset > def.until_version) continue;
    version_found = true;
    if (def.dtypes.empty()) return def;
    size_t k = static_cast<size_t>(def.dtype_input);
    DType dt = k < input_dtypes.size() ? input_dtypes[k] : DType::Undefined;
    // An unknown input dtype cannot be checked here; the kernel checks at run time.
    if (dt == DType::Undefined) return def;
    if (std::find(def.dtypes.begin(), def.dtypes.end(), dt) != def.dtypes.end()) return def;
  }
  if (!version_found) refuse(node, label, "", "this opset version is not supported");
  std::string dtypes = ", input dtypes";
  for (size_t i = 0; i < input_dtypes.size(); ++i)
    dtypes.append(i ? ", " : " ").append(dtype_name(input_dtypes[i]));
  refuse(node, label, dtypes, "dtype not supported");
}

AttrType Registry::attr_type(const std::string& domain, const std::string& op_type, int opset,
                             const std::string& attr) const {
  const KernelDef* def = find(domain, op_type, opset);
  if (!def) return AttrType::Undefined;
  auto it = def->attr_types.find(attr);
  return it == def->attr_types.end() ? AttrType::Undefined : it->second;
}

const ShapeRule* Registry::shape_rule(const Node& node) const {
  const KernelDef* def = find(node.domain, node.op_type, node.opset);
  return def && def->infer ? &def->infer : nullptr;
}

std::vector<std::string> Registry::op_types() const {
  std::vector<std::string> out;
  for (const auto& [k, defs] : defs_) out.push_back(k.rfind("::", 0) == 0 ? k.substr(2) : k);
  return out;
}

}  // namespace onyx
