// What a shape rule (InferContext), a kernel's set-up (KernelInit) and a running kernel
// (KernelContext) have in common: each speaks for one node, and its errors name that
// node. Helpers that need nothing more take a `const NodeScope&`, so that code serving
// both constant folding and the kernel (Reduce*, Add, Sum, ... over every dtype) is
// compiled once rather than once per context.
#pragma once

#include <string>

#include "onyx/error.h"

namespace onyx {

class NodeScope {
 public:
  // "node 'x' (#i, Conv, opset 13)"
  virtual std::string label() const = 0;
  // An error of the entry point's kind, the label put in front of the message.
  [[noreturn]] void fail(const std::string& message) const;
  // With a kind of its own (limit_exceeded, say) rather than the entry point's.
  [[noreturn]] void fail(ErrorKind kind, const std::string& message) const;
  // A helper's error with this node's label put in front, its kind kept.
  [[noreturn]] void fail(const Error& error) const;

 protected:
  NodeScope() = default;
  NodeScope(const NodeScope&) = default;
  NodeScope& operator=(const NodeScope&) = default;
  ~NodeScope() = default;
};

}  // namespace onyx
