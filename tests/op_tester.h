// Builds a one-node model in memory and runs it through a real Session, so op
// tests exercise the same path as a loaded file (checker, inference, kernel).
//
//   OpTester t("Gemm", 13);
//   t.input("A", a).input("B", b).attr("transB", int64_t{1}).output("Y");
//   Tensor y = t.run()[0];
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "onyx/onyx.h"
#include "onyx/shape_inference.h"

namespace onyx::testing {

// The message of the onyx::Error that `fn` throws; empty when it throws none.
inline std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

// The onyx::Error that `fn` throws; fails the test when it throws none.
inline Error error_from(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "no error was thrown";
  return Error("none");
}

// `e` has `kind`, its message starts with the kind's prefix, and its detail mentions
// `part` (the node, value or limit that matters).
inline void expect_error(const Error& e, ErrorKind kind, const std::string& part) {
  EXPECT_EQ(e.kind(), kind) << e.what();
  const std::string prefix = std::string(error_kind_name(kind)) + ": ";
  EXPECT_EQ(std::string(e.what()).rfind(prefix, 0), 0u) << e.what();
  EXPECT_EQ(std::string(e.what()), prefix + e.detail());
  EXPECT_NE(e.detail().find(part), std::string::npos) << e.what();
}

// Edge values the op tests feed.
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr int64_t kMin64 = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax64 = std::numeric_limits<int64_t>::max();

// Tensor literals for op tests: floats({2, 2}, {1, 2, 3, 4}).
inline Tensor floats(Shape shape, std::vector<float> values) {
  return Tensor::from_vector<float>(std::move(shape), values);
}
inline Tensor ints(Shape shape, std::vector<int64_t> values) {
  return Tensor::from_vector<int64_t>(std::move(shape), values);
}

// Whether an error message names `part` (an op, an attribute, a reason).
inline bool mentions(const std::string& message, const std::string& part) {
  return message.find(part) != std::string::npos;
}

// t has `shape` and holds `want`, each value within `tol`.
inline void expect_near(const Tensor& t, const Shape& shape, const std::vector<float>& want,
                        double tol = 1e-5) {
  ASSERT_EQ(t.shape(), shape);
  const std::vector<float> got = t.to_vector<float>();
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(got[i], want[i], tol) << "at " << i;
}

class OpTester {
 public:
  explicit OpTester(std::string op_type, int64_t opset, std::string domain = "") {
    node_.op_type = std::move(op_type);
    node_.domain = domain;
    node_.opset = static_cast<int>(opset);  // as the loader resolves it; inference reads it
    node_.name = node_.op_type + "_under_test";
    model_.ir_version = 8;
    model_.opset_imports.push_back({domain, opset});
    if (!domain.empty()) model_.opset_imports.push_back({"", 17});
    model_.graph.name = "op_test";
  }

  // A graph input fed with `value` at run time (declared with its dtype and shape).
  OpTester& input(const std::string& name, const Tensor& value) {
    int id = model_.graph.intern(name);
    model_.graph.value(id).type = TypeInfo::tensor_of(value.dtype(), value.shape());
    model_.graph.inputs.push_back(id);
    node_.inputs.push_back(id);
    feeds_[name] = value;
    return *this;
  }
  // An initializer input (constant at load time, as exported weights are).
  OpTester& constant(const std::string& name, const Tensor& value) {
    int id = model_.graph.intern(name);
    model_.graph.initializers[id] = value;
    node_.inputs.push_back(id);
    return *this;
  }
  // An omitted optional input (empty name in the file).
  OpTester& omitted() {
    node_.inputs.push_back(kNoValue);
    return *this;
  }
  // An omitted optional output (empty name in the file).
  OpTester& omitted_output() {
    node_.outputs.push_back(kNoValue);
    return *this;
  }
  OpTester& output(const std::string& name) {
    int id = model_.graph.intern(name);
    node_.outputs.push_back(id);
    model_.graph.outputs.push_back(id);
    return *this;
  }

  OpTester& attr(const std::string& name, int64_t v) {
    return add(name, AttrType::Int, [&](Attribute& a) { a.i = v; });
  }
  OpTester& attr(const std::string& name, float v) {
    return add(name, AttrType::Float, [&](Attribute& a) { a.f = v; });
  }
  OpTester& attr(const std::string& name, const std::string& v) {
    return add(name, AttrType::String, [&](Attribute& a) { a.s = v; });
  }
  OpTester& attr(const std::string& name, const char* v) { return attr(name, std::string(v)); }
  OpTester& attr(const std::string& name, std::vector<int64_t> v) {
    return add(name, AttrType::Ints, [&](Attribute& a) { a.ints = v; });
  }
  OpTester& attr(const std::string& name, std::vector<float> v) {
    return add(name, AttrType::Floats, [&](Attribute& a) { a.floats = v; });
  }
  OpTester& attr(const std::string& name, std::vector<std::string> v) {
    return add(name, AttrType::Strings, [&](Attribute& a) { a.strings = v; });
  }
  OpTester& attr(const std::string& name, const Tensor& v) {
    return add(name, AttrType::Tensor, [&](Attribute& a) { a.t = v; });
  }

  // The model as built (for tests that serialize or tweak it). Graph outputs are
  // declared with the types shape inference gives them, as an exporter would.
  Model model() const {
    Model m = model_;
    m.graph.nodes.push_back(node_);
    const Registry& r = builtin_registry();
    InferenceResult inferred =
        infer_shapes(m.graph, [&r](const Node& n) { return r.shape_rule(n); });
    for (int id : m.graph.outputs) m.graph.value(id).type = inferred.types[id];
    return m;
  }

  // `reference`: the plain reference kernels only (SessionOptions::reference_kernels).
  Session session(int threads = 1, bool reference = false) const {
    SessionOptions options{threads, true};
    options.reference_kernels = reference;
    return Session(builtin_registry(), model(), options);
  }
  const std::map<std::string, Tensor>& feeds() const { return feeds_; }

  std::vector<Tensor> run(int threads = 1) const { return session(threads).run(feeds_); }

 private:
  template <class Fill>
  OpTester& add(const std::string& name, AttrType type, Fill fill) {
    Attribute a;
    a.name = name;
    a.type = type;
    fill(a);
    node_.attributes.push_back(std::move(a));
    return *this;
  }

  Model model_;
  Node node_;
  std::map<std::string, Tensor> feeds_;
};

}  // namespace onyx::testing
