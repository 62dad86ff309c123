// A human-readable listing of a model, in the spirit of onnx.helper.printable_graph.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "onyx/ir.h"

namespace onyx {

void print_model(const Model& model, std::ostream& out);
void print_graph(const Graph& graph, std::ostream& out, int indent = 0);
std::string attribute_to_string(const Attribute& attr);
// The model as Graphviz DOT: a box per node (its weights listed inside), an ellipse per
// graph input and output, an edge per value labelled with its name, dtype and shape, and
// subgraphs as clusters. `types` (per value id of the main graph) are inferred types;
// null, or for subgraphs, the file's declared types label the edges.
void print_dot(const Model& model, std::ostream& out, const std::vector<TypeInfo>* types = nullptr);

}  // namespace onyx
