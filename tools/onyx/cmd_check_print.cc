// onyx check / onyx print
#include <iostream>

#include "cli.h"

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

int cmd_print(Args& args) {
  args.parse({"optimization"}, {"optimized"});
  Model model = load_model(args.one_positional("MODEL"));
  if (!args.flag("optimized") && !args.get("optimization")) {
    print_model(model, std::cout);
    return 0;
  }
  // The graph as a session runs it: rewritten at the chosen level (all by default).
  SessionOptions options = session_options(args, 1);
  options.free_packed_weights = false;  // print every weight, packed or not
  Session session(builtin_registry(), std::move(model), options);
  print_model(session.model(), std::cout);
  return 0;
}

}  // namespace onyx::cli
