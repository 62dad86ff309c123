#include <algorithm>

#include "cli.h"

namespace onyx::cli {

Args::Args(int argc, char** argv) : raw_(argv, argv + argc) {}

void Args::parse(const std::vector<std::string>& options, const std::vector<std::string>& flags) {
  auto known = [](const std::vector<std::string>& list, const std::string& n) {
    return std::find(list.begin(), list.end(), n) != list.end();
  };
  for (size_t i = 0; i < raw_.size(); ++i) {
    const std::string& a = raw_[i];
    if (a.size() < 3 || a.rfind("--", 0) != 0) {
      positional_.push_back(a);
      continue;
    }
    std::string name = a.substr(2);
    std::string value;
    bool has_value = false;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      has_value = true;
    }
    if (known(flags, name)) {
      if (has_value) throw UsageError("--" + name + " takes no value");
      values_.emplace(name, "1");
    } else if (known(options, name)) {
      if (!has_value) {
        if (i + 1 >= raw_.size()) throw UsageError("--" + name + " needs a value");
        value = raw_[++i];
      }
      values_.emplace(name, value);
    } else {
      throw UsageError("unknown option --" + name);
    }
  }
}

std::string Args::one_positional(const std::string& what) const {
  if (positional_.size() != 1) throw UsageError("expected exactly one " + what);
  return positional_[0];
}

bool Args::flag(const std::string& name) const { return values_.count(name) != 0; }

std::optional<std::string> Args::get(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> Args::all(const std::string& name) const {
  std::vector<std::string> out;
  for (auto [it, end] = values_.equal_range(name); it != end; ++it) out.push_back(it->second);
  return out;
}

int Args::get_int(const std::string& name, int fallback) const {
  auto v = get(name);
  if (!v) return fallback;
  try {
    size_t used = 0;
    int n = std::stoi(*v, &used);
    if (used != v->size()) throw std::invalid_argument(*v);
    return n;
  } catch (const std::exception&) {
    throw UsageError("--" + name + " expects an integer, got '" + *v + "'");
  }
}

double Args::get_double(const std::string& name, double fallback) const {
  auto v = get(name);
  if (!v) return fallback;
  try {
    size_t used = 0;
    double d = std::stod(*v, &used);
    if (used != v->size()) throw std::invalid_argument(*v);
    return d;
  } catch (const std::exception&) {
    throw UsageError("--" + name + " expects a number, got '" + *v + "'");
  }
}

std::map<std::string, int64_t> dim_values(const Args& args) {
  std::map<std::string, int64_t> dims;
  for (const std::string& spec : args.all("dim")) {
    size_t eq = spec.find('=');
    try {
      if (eq == std::string::npos) throw std::invalid_argument(spec);
      dims[spec.substr(0, eq)] = std::stoll(spec.substr(eq + 1));
    } catch (const std::exception&) {
      throw UsageError("--dim expects NAME=VALUE, got '" + spec + "'");
    }
  }
  return dims;
}

SessionOptions session_options(const Args& args, int default_threads) {
  SessionOptions options;
  options.threads = args.get_int("threads", default_threads);
  options.reference_kernels = args.flag("reference");
  options.memory_arena = !args.flag("no-arena");
  if (auto level = args.get("optimization")) {
    const std::optional<OptimizationLevel> parsed = parse_optimization_level(*level);
    if (!parsed)
      throw UsageError("--optimization expects none, basic or all, got '" + *level + "'");
    options.optimization = *parsed;
  }
  return options;
}

}  // namespace onyx::cli
