// Shared pieces of the onyx commands: argument parsing, input files, summaries.
#pragma once

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "onyx/onyx.h"

namespace onyx::cli {

// A wrong command line: exit status 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Options are `--name value` or `--name=value`; flags are `--name`; the rest are
// positional. Each command says which options it takes; anything else is a usage error.
class Args {
 public:
  Args(int argc, char** argv);
  // Declares the options of a command and parses; `flags` take no value.
  void parse(const std::vector<std::string>& options, const std::vector<std::string>& flags);
  const std::vector<std::string>& positional() const { return positional_; }
  std::string one_positional(const std::string& what) const;
  bool flag(const std::string& name) const;
  std::optional<std::string> get(const std::string& name) const;
  std::vector<std::string> all(const std::string& name) const;
  int get_int(const std::string& name, int fallback) const;
  double get_double(const std::string& name, double fallback) const;

 private:
  std::vector<std::string> raw_;
  std::vector<std::string> positional_;
  std::multimap<std::string, std::string> values_;
};

// Input files: numpy .npy (onyx/npy.h), or a .pb holding the message `declared` calls for
// (TensorProto, SequenceProto or OptionalProto).
RuntimeValue load_input_file(const std::string& path, const TypeInfo& declared);
// Inputs for `run`/`bench`: --input NAME=FILE, --inputs DIR (input_K.pb in graph
// input order), else random values when `random` (symbolic dims from --dim or 1).
std::map<std::string, RuntimeValue> gather_inputs(const Session& session, const Args& args,
                                                  bool random,
                                                  const std::map<std::string, int64_t>& dims);
Tensor random_tensor(const TypeInfo& type, const std::map<std::string, int64_t>& dims,
                     uint64_t seed, const std::string& name);
// "out  float[1, 1000]  first: 0.1 0.2 ...  min -1 max 2 mean 0.5"
std::string summarize(const std::string& name, const Tensor& t);
// The same for any value; a sequence or an optional is described by kind and length.
std::string summarize(const std::string& name, const RuntimeValue& v);

// --dim NAME=VALUE options: sizes for symbolic dims of random inputs.
std::map<std::string, int64_t> dim_values(const Args& args);
// The session options of run, test and bench: --threads N (`default_threads` when absent),
// --reference and --optimization none|basic|all.
SessionOptions session_options(const Args& args, int default_threads);

int cmd_check(Args& args);
int cmd_print(Args& args);
int cmd_run(Args& args);
int cmd_test(Args& args);
int cmd_bench(Args& args);
int cmd_profile(Args& args);

}  // namespace onyx::cli
