#include "onyx/node_scope.h"

namespace onyx {

void NodeScope::fail(const std::string& message) const { onyx::fail(label(), ": ", message); }
void NodeScope::fail(ErrorKind kind, const std::string& message) const {
  onyx::fail_as(kind, label(), ": ", message);
}
void NodeScope::fail(const Error& error) const { throw error.with_context(label() + ": "); }

}  // namespace onyx
