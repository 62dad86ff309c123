// Where run/bench inputs come from: .pb and .npy files, test-data folders, or random.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <random>
#include <sstream>

#include "cli.h"
#include "images.h"
#include "onyx/narrow_tensor.h"
#include "onyx/npy.h"
#include "onyx/value_files.h"

namespace onyx::cli {
namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

RuntimeValue load_input_file(const std::string& path, const TypeInfo& declared) {
  // A .npy holds the types numpy lacks (bfloat16, float8, int4, ...) as stand-ins that
  // the input's declared type undoes (onyx/npy.h).
  return classify_errors(ErrorKind::invalid_input, [&]() -> RuntimeValue {
    if (ends_with(path, ".npy")) return from_npy_array(load_npy(path), declared.elem, path);
    return load_value_file(path, declared);  // TensorProto, SequenceProto or OptionalProto
  });
}

Tensor random_tensor(const TypeInfo& type, const std::map<std::string, int64_t>& dims,
                     uint64_t seed, const std::string& name) {
  if (!type.is_tensor()) fail("input '", name, "': random values only for tensor inputs");
  if (!type.shape) fail("input '", name, "' has unknown rank; give it with --input");
  if (dtype_is_narrow(type.elem)) {  // float8, int4, ...: wide random values narrowed
    TypeInfo wide = type;
    wide.elem = widened_dtype(type.elem);
    Tensor wide_values = random_tensor(wide, dims, seed, name);
    Tensor t(type.elem, wide_values.shape());
    narrow_into(wide_values, t);
    return t;
  }
  Shape shape;
  for (const Dim& d : *type.shape) {
    if (d.is_known()) {
      shape.push_back(d.value);
    } else {
      auto it = dims.find(d.param);
      shape.push_back(it != dims.end() ? it->second : 1);
    }
  }
  Tensor t(type.elem, shape);
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> uniform(-1.0, 1.0);
  dispatch<AllTypes>(type.elem, "random input", [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* p = t.data<T>();
    for (int64_t i = 0; i < t.numel(); ++i) {
      if constexpr (std::is_same_v<T, std::string>) {
        p[i] = std::to_string(rng() % 100);
      } else if constexpr (std::is_same_v<T, bool>) {
        p[i] = (rng() & 1) != 0;
      } else if constexpr (std::is_integral_v<T>) {
        p[i] = static_cast<T>(rng() % 10);  // small, valid as indices for most models
      } else {
        p[i] = T(static_cast<float>(uniform(rng)));
      }
    }
  });
  return t;
}

std::map<std::string, RuntimeValue> gather_inputs(const Session& session, const Args& args,
                                                  bool random,
                                                  const std::map<std::string, int64_t>& dims) {
  std::map<std::string, RuntimeValue> feeds;
  const Graph& graph = session.model().graph;
  auto declared = [&](const std::string& name) {
    int id = graph.find(name);
    return id == kNoValue ? TypeInfo{} : graph.value(id).type;
  };
  for (const std::string& spec : args.all("input")) {
    size_t eq = spec.find('=');
    if (eq == std::string::npos || eq == 0)
      throw UsageError("--input expects NAME=FILE, got '" + spec + "'");
    const std::string name = spec.substr(0, eq), file = spec.substr(eq + 1);
    feeds[name] = is_image_file(file)
                      ? RuntimeValue(image_to_tensor(read_image(file), declared(name),
                                                     image_options(args), name))
                      : load_input_file(file, declared(name));
  }
  std::vector<int> feed_ids = graph.feed_inputs();
  if (auto dir = args.get("inputs")) {
    for (size_t k = 0; k < feed_ids.size(); ++k) {
      std::string file = *dir + "/input_" + std::to_string(k) + ".pb";
      const std::string& name = graph.value(feed_ids[k]).name;
      if (!feeds.count(name) && std::filesystem::exists(file))
        feeds[name] = load_value_file(file, declared(name));
    }
  }
  uint64_t seed = 1;
  for (int id : feed_ids) {
    const Value& v = graph.value(id);
    if (feeds.count(v.name)) continue;
    if (!random)
      fail_as(ErrorKind::invalid_input, "no value for input '", v.name, "' (", v.type.to_string(),
              "); give --input, --inputs or --random-inputs");
    feeds[v.name] = random_tensor(v.type, dims, seed++, v.name);
  }
  return feeds;
}

std::string summarize(const std::string& name, const Tensor& t) {
  std::ostringstream out;
  out << name << "  " << t.describe();
  if (t.dtype() == DType::String) {
    out << "  first:";
    for (int64_t i = 0; i < std::min<int64_t>(t.numel(), 5); ++i)
      out << " \"" << t.data<std::string>()[i] << "\"";
    return out.str();
  }
  // Narrow types (float8, int4, ...) show their values, read through their wide type.
  const Tensor values = dtype_is_narrow(t.dtype()) ? widen(t) : t;
  dispatch<NumericTypes>(values.dtype() == DType::Bool ? DType::UInt8 : values.dtype(), "summary",
                         [&](auto tag) {
                           using T = typename decltype(tag)::type;
                           const T* p = static_cast<const T*>(values.raw());
                           out << "  first:";
                           for (int64_t i = 0; i < std::min<int64_t>(t.numel(), 6); ++i)
                             out << " " << static_cast<double>(p[i]);
                           if (t.numel() == 0) return;
                           double lo = INFINITY, hi = -INFINITY, sum = 0;
                           for (int64_t i = 0; i < t.numel(); ++i) {
                             double v = static_cast<double>(p[i]);
                             lo = std::min(lo, v);
                             hi = std::max(hi, v);
                             sum += v;
                           }
                           out << "  min " << lo << "  max " << hi << "  mean "
                               << sum / static_cast<double>(t.numel());
                         });
  return out.str();
}

std::string summarize(const std::string& name, const RuntimeValue& v) {
  return v.is_tensor() ? summarize(name, v.tensor()) : name + "  " + v.describe();
}

}  // namespace onyx::cli
