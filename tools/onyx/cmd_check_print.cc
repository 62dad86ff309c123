// onyx check / onyx print
#include <iostream>
#include <optional>

#include "cli.h"
#include "onyx/shape_inference.h"

namespace onyx::cli {

int cmd_check(Args& args) {
  args.parse({}, {});
  std::string path = args.one_positional("MODEL");
  Model model = load_model(path);
  // Building a session also infers shapes and resolves a kernel for every node (of the
  // graph as written: no rewrites), so "check" passing means the model can run here.
  SessionOptions options{1, true};
  options.optimization = OptimizationLevel::None;
  Session session(builtin_registry(), std::move(model), options);
  std::cout << path << ": OK (" << session.stats().nodes << " nodes, " << session.inputs().size()
            << " inputs, " << session.outputs().size() << " outputs)\n";
  return 0;
}

namespace {

// --dot: the model as Graphviz DOT, its main graph's edges labelled with inferred
// types (the declared ones where inference fails on this model).
void print_as_dot(const Model& model) {
  std::optional<InferenceResult> inferred;
  try {
    inferred =
        infer_shapes(model.graph, [](const Node& n) { return builtin_registry().shape_rule(n); });
  } catch (const Error&) {
  }
  print_dot(model, std::cout, inferred ? &inferred->types : nullptr);
}

}  // namespace

int cmd_print(Args& args) {
  args.parse({"optimization"}, {"optimized", "dot"});
  Model model = load_model(args.one_positional("MODEL"));
  auto print = [&](const Model& m) {
    args.flag("dot") ? print_as_dot(m) : print_model(m, std::cout);
  };
  if (!args.flag("optimized") && !args.get("optimization")) {
    print(model);
    return 0;
  }
  // The graph as a session runs it: rewritten at the chosen level (all by default).
  SessionOptions options = session_options(args, 1);
  options.free_packed_weights = false;  // print every weight, packed or not
  Session session(builtin_registry(), std::move(model), options);
  print(session.model());
  return 0;
}

}  // namespace onyx::cli
