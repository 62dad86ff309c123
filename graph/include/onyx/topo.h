// Topological order of a graph's nodes, stable with respect to file order: among
// ready nodes the earliest in the file goes first. Throws on cycles, naming a node.
#pragma once

#include <vector>

#include "onyx/ir.h"

namespace onyx {

std::vector<int> topological_order(const Graph& graph);

}  // namespace onyx
