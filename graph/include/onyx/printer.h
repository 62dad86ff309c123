// A human-readable listing of a model, in the spirit of onnx.helper.printable_graph.
#pragma once

#include <ostream>
#include <string>

#include "onyx/ir.h"

namespace onyx {

void print_model(const Model& model, std::ostream& out);
void print_graph(const Graph& graph, std::ostream& out, int indent = 0);
std::string attribute_to_string(const Attribute& attr);

}  // namespace onyx
