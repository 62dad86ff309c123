// Where run/bench inputs come from: .pb and .npy files, test-data folders, or random.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <random>
#include <sstream>

#include "cli.h"
#include "onyx/narrow_tensor.h"
#include "onyx/value_files.h"

namespace onyx::cli {
namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

DType npy_dtype(const std::string& descr, const std::string& path) {
  static const std::map<std::string, DType> kinds = {
      {"f4", DType::Float},  {"f8", DType::Double}, {"f2", DType::Float16}, {"i1", DType::Int8},
      {"i2", DType::Int16},  {"i4", DType::Int32},  {"i8", DType::Int64},   {"u1", DType::UInt8},
      {"u2", DType::UInt16}, {"u4", DType::UInt32}, {"u8", DType::UInt64},  {"b1", DType::Bool}};
  if (descr.size() == 3 && (descr[0] == '<' || descr[0] == '|')) {
    auto it = kinds.find(descr.substr(1));
    if (it != kinds.end()) return it->second;
  }
  fail(path, ": unsupported .npy dtype '", descr, "' (little-endian numeric or bool only)");
}

// The value of `key` in the .npy header dict, e.g. 'descr': '<f4' -> <f4.
std::string header_field(const std::string& header, const std::string& key,
                         const std::string& path) {
  size_t k = header.find("'" + key + "'");
  if (k == std::string::npos) fail(path, ": .npy header has no '", key, "'");
  size_t colon = header.find(':', k);
  if (colon == std::string::npos) fail(path, ": malformed .npy header");
  size_t start = header.find_first_not_of(" ", colon + 1);
  if (start == std::string::npos) fail(path, ": malformed .npy header");
  if (header[start] == '\'') {
    size_t end = header.find('\'', start + 1);
    if (end == std::string::npos) fail(path, ": malformed .npy header");
    return header.substr(start + 1, end - start - 1);
  }
  if (header[start] == '(') {
    size_t end = header.find(')', start);
    if (end == std::string::npos) fail(path, ": malformed .npy header");
    return header.substr(start + 1, end - start - 1);
  }
  size_t end = header.find_first_of(",}", start);
  return header.substr(start, end - start);
}

}  // namespace

Tensor load_npy(const std::string& path) {
  std::string bytes = read_file_bytes(path);
  if (bytes.size() < 10 || bytes.compare(0, 6, "\x93NUMPY") != 0) fail(path, ": not a .npy file");
  int major = static_cast<unsigned char>(bytes[6]);
  size_t header_len, offset;
  if (major == 1) {
    header_len = static_cast<unsigned char>(bytes[8]) | (static_cast<unsigned char>(bytes[9]) << 8);
    offset = 10;
  } else {
    if (bytes.size() < 12) fail(path, ": truncated .npy header");
    header_len = 0;
    for (int i = 3; i >= 0; --i)
      header_len = (header_len << 8) | static_cast<unsigned char>(bytes[8 + i]);
    offset = 12;
  }
  if (offset + header_len > bytes.size()) fail(path, ": truncated .npy header");
  std::string header = bytes.substr(offset, header_len);
  DType dtype = npy_dtype(header_field(header, "descr", path), path);
  if (header_field(header, "fortran_order", path) != "False")
    fail(path, ": Fortran-ordered .npy arrays are not supported");
  Shape shape;
  std::stringstream dims(header_field(header, "shape", path));
  std::string item;
  while (std::getline(dims, item, ',')) {
    item.erase(std::remove(item.begin(), item.end(), ' '), item.end());
    if (item.empty()) continue;
    try {
      shape.push_back(std::stoll(item));
    } catch (const std::exception&) {
      fail(path, ": malformed .npy shape");
    }
  }
  Tensor t(dtype, shape);
  size_t data_offset = offset + header_len;
  if (bytes.size() - data_offset != t.nbytes())
    fail(path, ": .npy holds ", bytes.size() - data_offset, " data bytes, shape ",
         shape_to_string(shape), " needs ", t.nbytes());
  if (t.nbytes()) std::memcpy(t.raw(), bytes.data() + data_offset, t.nbytes());
  return t;
}

RuntimeValue load_input_file(const std::string& path, const TypeInfo& declared) {
  if (ends_with(path, ".npy")) return load_npy(path);
  return load_value_file(path, declared);  // TensorProto, SequenceProto or OptionalProto
}

Tensor random_tensor(const TypeInfo& type, const std::map<std::string, int64_t>& dims,
                     uint64_t seed, const std::string& name) {
  if (!type.is_tensor()) fail("input '", name, "': random values only for tensor inputs");
  if (!type.shape) fail("input '", name, "' has unknown rank; give it with --input");
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
    const std::string name = spec.substr(0, eq);
    feeds[name] = load_input_file(spec.substr(eq + 1), declared(name));
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
      fail("no value for input '", v.name, "' (", v.type.to_string(),
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
