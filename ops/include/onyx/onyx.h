// Everything a user of the Onyx C++ library needs: models, tensors, sessions and
// the built-in operator set.
#pragma once

#include "onyx/checker.h"
#include "onyx/image_io.h"
#include "onyx/ir.h"
#include "onyx/loader.h"
#include "onyx/printer.h"
#include "onyx/registry.h"
#include "onyx/session.h"
#include "onyx/tensor.h"

namespace onyx {

// The registry holding every built-in operator (built once, on first use).
const Registry& builtin_registry();

inline Session load_session(const std::string& path, SessionOptions options = {}) {
  return Session(builtin_registry(), path, options);
}

}  // namespace onyx
