// Models for the optimizer's tests, built node by node, and the checks they share: the
// op types an optimized session runs, and that its outputs equal the unoptimized graph's.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <map>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "graph_builders.h"
#include "onyx/onyx.h"
#include "onyx/shape_inference.h"
#include "op_tester.h"

namespace onyx::test {

inline Tensor random_floats(Shape shape, uint32_t seed, float lo = -1.0f, float hi = 1.0f) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(lo, hi);
  Tensor t(DType::Float, std::move(shape));
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = u(rng);
  return t;
}

// A model of several nodes, built value by value (default domain, one opset).
class ModelBuilder {
 public:
  explicit ModelBuilder(int64_t opset = 17) : opset_(opset) {
    model_.ir_version = 8;
    model_.opset_imports.push_back({"", opset});
    model_.graph.name = "optimizer_test";
  }
  ModelBuilder& input(const std::string& name, const Tensor& feed) {
    return input(name, feed, TypeInfo::tensor_of(feed.dtype(), feed.shape()));
  }
  // An input declared with `declared` (symbolic dims), fed `feed`.
  ModelBuilder& input(const std::string& name, const Tensor& feed, TypeInfo declared) {
    const int id = model_.graph.intern(name);
    model_.graph.value(id).type = std::move(declared);
    model_.graph.inputs.push_back(id);
    feeds_[name] = feed;
    return *this;
  }
  ModelBuilder& constant(const std::string& name, const Tensor& value) {
    model_.graph.initializers[model_.graph.intern(name)] = value;
    return *this;
  }
  // inputs: names, "" for an omitted optional input.
  ModelBuilder& node(const std::string& op, std::vector<std::string> inputs,
                     std::vector<std::string> outputs, std::vector<Attribute> attrs = {}) {
    Node n;
    n.op_type = op;
    n.name = op + "_" + std::to_string(model_.graph.nodes.size());
    n.opset = static_cast<int>(opset_);
    for (const std::string& in : inputs)
      n.inputs.push_back(in.empty() ? kNoValue : model_.graph.intern(in));
    for (const std::string& out : outputs) n.outputs.push_back(model_.graph.intern(out));
    n.attributes = std::move(attrs);
    model_.graph.nodes.push_back(std::move(n));
    return *this;
  }
  // The last node added is of `domain` (version 1), which the model then imports.
  ModelBuilder& in_domain(const std::string& domain) {
    model_.graph.nodes.back().domain = domain;
    model_.graph.nodes.back().opset = 1;
    bool imported = false;
    for (const OpsetImport& o : model_.opset_imports) imported = imported || o.domain == domain;
    if (!imported) model_.opset_imports.push_back({domain, 1});
    return *this;
  }
  ModelBuilder& output(const std::string& name) {
    model_.graph.outputs.push_back(model_.graph.intern(name));
    return *this;
  }
  // Graph outputs typed by inference, as an exporter declares them.
  Model model() const {
    Model m = model_;
    const Registry& r = builtin_registry();
    InferenceResult inferred =
        infer_shapes(m.graph, [&r](const Node& n) { return r.shape_rule(n); });
    for (int id : m.graph.outputs) m.graph.value(id).type = inferred.types[id];
    return m;
  }
  const std::map<std::string, Tensor>& feeds() const { return feeds_; }

 private:
  int64_t opset_;
  Model model_;
  std::map<std::string, Tensor> feeds_;
};

inline Session session_at(const ModelBuilder& b, OptimizationLevel level, int threads = 1,
                          bool reference = false) {
  SessionOptions options{threads, true};
  options.optimization = level;
  options.reference_kernels = reference;
  return Session(builtin_registry(), b.model(), options);
}

// "FusedConv,Relu": the op types of the optimized graph, in file order.
inline std::string ops_of(const Session& s) {
  std::string out;
  for (const Node& n : s.model().graph.nodes) out += (out.empty() ? "" : ",") + n.op_type;
  return out;
}

// The optimized model at every thread count and with the reference kernels gives the
// outputs of the graph as written, within `tol` (relative to 1 + |value|).
inline void expect_same_outputs(const ModelBuilder& b, OptimizationLevel level, float tol = 1e-5f) {
  const std::vector<Tensor> want = session_at(b, OptimizationLevel::None).run(b.feeds());
  for (bool reference : {false, true})
    for (int threads : {1, 2, 4}) {
      const std::vector<Tensor> got = session_at(b, level, threads, reference).run(b.feeds());
      ASSERT_EQ(got.size(), want.size());
      for (size_t k = 0; k < got.size(); ++k) {
        ASSERT_EQ(got[k].shape(), want[k].shape());
        ASSERT_EQ(got[k].dtype(), want[k].dtype());
        if (got[k].dtype() != DType::Float) {
          EXPECT_EQ(std::memcmp(got[k].raw(), want[k].raw(), got[k].nbytes()), 0) << "output " << k;
          continue;
        }
        for (int64_t i = 0; i < got[k].numel(); ++i) {
          const float g = got[k].data<float>()[i], w = want[k].data<float>()[i];
          if (std::isnan(w)) {
            ASSERT_TRUE(std::isnan(g)) << "output " << k << " at " << i;
            continue;
          }
          ASSERT_NEAR(g, w, tol * (1 + std::fabs(w)))
              << "output " << k << " at " << i << ", threads " << threads << ", reference "
              << reference;
        }
      }
    }
}

inline const Attribute& attr_of(const Node& n, const std::string& name) {
  const Attribute* a = n.find_attr(name);
  if (!a) throw std::runtime_error("no attribute " + name + " on " + n.op_type);
  return *a;
}

}  // namespace onyx::test
