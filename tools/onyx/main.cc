// onyx: check, print, run, test and benchmark ONNX models.
#include <cstring>
#include <iostream>
#include <new>
#include <string>

#include "cli.h"
#include "onyx/error.h"

namespace {

void usage(std::ostream& out) {
  out << "usage: onyx <command> [options]\n"
         "\n"
         "commands:\n"
         "  check MODEL            validate a model\n"
         "  print MODEL [--optimized] [--optimization LEVEL] [--dot]\n"
         "                         list a model's graph (--optimized: as it runs;\n"
         "                         --dot: as Graphviz DOT)\n"
         "  run MODEL [--input NAME=FILE]... [--inputs DIR] [--random-inputs]\n"
         "            [--output-dir DIR [--output-format pb|npy]] [--threads N] [--reference]\n"
         "            [--optimization LEVEL] [--no-arena] [--save-image NAME=FILE.png]...\n"
         "            [--layout NCHW|NHWC] [--size HxW] [--scale S] [--mean M[,M,M]]\n"
         "            [--std S[,S,S]] [--bgr]   (an --input FILE.jpg/.png/... is an image)\n"
         "  test PATH... [--rtol R] [--atol A] [--json FILE] [--filter REGEX]\n"
         "             [--timeout S] [--no-isolate] [--threads N] [--reference]\n"
         "             [--optimization LEVEL] [--no-arena]\n"
         "  bench MODEL [--input NAME=FILE]... [--inputs DIR] [--threads N] [--warmup W]\n"
         "              [--iters I] [--loads L] [--dim NAME=VALUE]... [--json] [--reference]\n"
         "              [--optimization LEVEL] [--no-arena]\n"
         "  profile MODEL [--input NAME=FILE]... [--inputs DIR] [--threads N] [--warmup W]\n"
         "                [--iters I] [--dim NAME=VALUE]... [--top K] [--trace FILE.json]\n"
         "                [--reference] [--optimization LEVEL] [--no-arena]\n"
         "                         time per op type and per node; --trace writes a Chrome trace\n"
         "\n"
         "--reference runs the plain reference kernels (no packed GEMM, Winograd or\n"
         "vector math): the oracle the fast kernels are tested against.\n"
         "--loads L creates the session L times and reports the median load time.\n"
         "--optimization none|basic|all (default all) says how far the graph is rewritten\n"
         "before it runs: basic folds constants, drops Identity and inference Dropout and\n"
         "folds BatchNormalization into Conv; all also fuses activations and residual\n"
         "additions into Conv and Gemm, bias and residual additions into MatMul,\n"
         "exported GELU, LayerNormalization and RMSNorm decompositions into one node\n"
         "each, a residual Add into the LayerNormalization after it, and attention\n"
         "(Q K^T, scale, mask, Softmax, times V) into one node.\n"
         "--no-arena puts every intermediate on the heap instead of in the planned arena\n"
         "(one buffer whose offsets come from value lifetimes, reused from run to run).\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h")) {
    usage(argc < 2 ? std::cerr : std::cout);
    return argc < 2 ? 2 : 0;
  }
  std::string command = argv[1];
  onyx::cli::Args args(argc - 2, argv + 2);
  try {
    if (command == "check") return onyx::cli::cmd_check(args);
    if (command == "print") return onyx::cli::cmd_print(args);
    if (command == "run") return onyx::cli::cmd_run(args);
    if (command == "test") return onyx::cli::cmd_test(args);
    if (command == "bench") return onyx::cli::cmd_bench(args);
    if (command == "profile") return onyx::cli::cmd_profile(args);
    std::cerr << "onyx: unknown command '" << command << "'\n";
    usage(std::cerr);
    return 2;
  } catch (const onyx::cli::UsageError& e) {
    std::cerr << "onyx " << command << ": " << e.what() << "\n";
    return 2;
  } catch (const onyx::Error& e) {
    // Every kind of error but a usage error exits 1; the message starts with its kind.
    std::cerr << "onyx " << command << ": "
              << (e.kind() == onyx::ErrorKind::unclassified ? "error: " : "") << e.what() << "\n";
    return 1;
  } catch (const std::bad_alloc&) {
    std::cerr << "onyx " << command << ": limit exceeded: out of memory\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "onyx " << command << ": internal error: " << e.what() << "\n";
    return 1;
  }
}
