// onyx run: one inference, outputs summarized and optionally written as .pb files (or
// tensors as .npy, see onyx/npy.h).
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>

#include "cli.h"
#include "images.h"
#include "onyx/npy.h"
#include "onyx/value_files.h"

namespace onyx::cli {

int cmd_run(Args& args) {
  std::vector<std::string> accepted = {"input",   "inputs",       "output-dir", "output-format",
                                       "threads", "optimization", "save-image"};
  std::vector<std::string> accepted_flags = {"random-inputs", "reference", "no-arena"};
  add_image_options(accepted, accepted_flags);
  args.parse(accepted, accepted_flags);
  std::string path = args.one_positional("MODEL");
  const std::string format = args.get("output-format").value_or("pb");
  if (format != "pb" && format != "npy")
    throw UsageError("--output-format is pb or npy, got '" + format + "'");
  auto t0 = std::chrono::steady_clock::now();
  Session session(builtin_registry(), path, session_options(args, 0));
  auto t1 = std::chrono::steady_clock::now();
  std::map<std::string, RuntimeValue> feeds =
      gather_inputs(session, args, args.flag("random-inputs"), {});
  auto t2 = std::chrono::steady_clock::now();
  std::vector<RuntimeValue> outputs = session.run_values(feeds);
  auto t3 = std::chrono::steady_clock::now();

  for (const auto& [name, v] : feeds) std::cout << "input   " << summarize(name, v) << "\n";
  for (size_t i = 0; i < outputs.size(); ++i)
    std::cout << "output  " << summarize(session.outputs()[i].name, outputs[i]) << "\n";
  auto ms = [](auto a, auto b) { return std::chrono::duration<double, std::milli>(b - a).count(); };
  std::cout << std::fixed << std::setprecision(2) << "load " << ms(t0, t1) << " ms, run "
            << ms(t2, t3) << " ms, threads " << session.threads() << "\n";

  if (auto dir = args.get("output-dir")) {
    std::filesystem::create_directories(*dir);
    for (size_t i = 0; i < outputs.size(); ++i) {
      const std::string stem = *dir + "/output_" + std::to_string(i);
      // .npy holds tensors only: sequences and optionals stay .pb.
      if (format == "npy" && outputs[i].is_tensor()) {
        save_npy(outputs[i].tensor(), stem + ".npy");
        continue;
      }
      write_file(stem + ".pb",
                 serialize_value(outputs[i], session.outputs()[i].type, session.outputs()[i].name));
    }
    std::cout << "wrote " << outputs.size() << " outputs to " << *dir << "\n";
  }
  for (const std::string& spec : args.all("save-image")) {
    const size_t eq = spec.find('=');
    if (eq == std::string::npos || eq == 0)
      throw UsageError("--save-image expects OUTPUT=FILE.png, got '" + spec + "'");
    const std::string name = spec.substr(0, eq), file = spec.substr(eq + 1);
    size_t i = 0;
    while (i < outputs.size() && session.outputs()[i].name != name) ++i;
    if (i == outputs.size())
      throw UsageError("--save-image: the model has no output '" + name + "'");
    write_png(file, tensor_to_image(outputs[i].tensor(name), image_options(args), name));
    std::cout << "wrote " << name << " to " << file << "\n";
  }
  return 0;
}

}  // namespace onyx::cli
