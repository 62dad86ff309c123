// The Python module `onyx`, shaped like onnxruntime's so that `import onyx as ort` is
// the only change a script needs:
//
//   import onyx as ort, numpy as np
//   s = ort.InferenceSession("model.onnx")
//   y = s.run(None, {s.get_inputs()[0].name: np.zeros((1, 3, 32, 32), np.float32)})[0]
//
// Tensors cross as numpy arrays (strings as object arrays), sequences as lists, empty
// optionals as None. A C-contiguous input array of the declared type is read in place,
// not copied; outputs are handed over without a copy. run() releases the GIL, so
// several Python threads can run one session at once. Onyx's errors become Python
// exceptions of a class per error kind, all deriving from onyx.Error (a RuntimeError),
// with Onyx's message.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <ctime>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "onyx/image_io.h"
#include "onyx/loader.h"
#include "onyx/onyx.h"
#include "onyx/printer.h"
#include "onyx/profiler.h"

namespace py = pybind11;

namespace onyx::python {
namespace {

// ---- element types ----

// The numpy dtype holding `t`; nullopt for types numpy lacks (bfloat16, float8, int4).
std::optional<py::dtype> numpy_dtype(DType t) {
  switch (t) {
    case DType::Float:
      return py::dtype::of<float>();
    case DType::Double:
      return py::dtype::of<double>();
    case DType::Float16:
      return py::dtype("float16");
    case DType::Int8:
      return py::dtype::of<int8_t>();
    case DType::Int16:
      return py::dtype::of<int16_t>();
    case DType::Int32:
      return py::dtype::of<int32_t>();
    case DType::Int64:
      return py::dtype::of<int64_t>();
    case DType::UInt8:
      return py::dtype::of<uint8_t>();
    case DType::UInt16:
      return py::dtype::of<uint16_t>();
    case DType::UInt32:
      return py::dtype::of<uint32_t>();
    case DType::UInt64:
      return py::dtype::of<uint64_t>();
    case DType::Bool:
      return py::dtype::of<bool>();
    case DType::String:
      return py::dtype("O");
    default:
      return std::nullopt;
  }
}

// The Onyx type of a numpy array's elements; Undefined for kinds Onyx has no type for.
DType onyx_dtype(const py::dtype& d) {
  const char kind = d.kind();
  const py::ssize_t size = d.itemsize();
  if (kind == 'f')
    return size == 2   ? DType::Float16
           : size == 4 ? DType::Float
           : size == 8 ? DType::Double
                       : DType::Undefined;
  if (kind == 'i')
    return size == 1   ? DType::Int8
           : size == 2 ? DType::Int16
           : size == 4 ? DType::Int32
           : size == 8 ? DType::Int64
                       : DType::Undefined;
  if (kind == 'u')
    return size == 1   ? DType::UInt8
           : size == 2 ? DType::UInt16
           : size == 4 ? DType::UInt32
           : size == 8 ? DType::UInt64
                       : DType::Undefined;
  if (kind == 'b') return DType::Bool;
  if (kind == 'U' || kind == 'S' || kind == 'O') return DType::String;
  return DType::Undefined;
}

// onnxruntime's spelling of a type: "tensor(float)", "seq(tensor(int64))".
std::string ort_type_string(const TypeInfo& t) {
  switch (t.kind) {
    case TypeInfo::Kind::Tensor:
      return std::string("tensor(") + dtype_name(t.elem) + ")";
    case TypeInfo::Kind::SparseTensor:
      return std::string("sparse_tensor(") + dtype_name(t.elem) + ")";
    case TypeInfo::Kind::Sequence:
      return "seq(" + (t.inner ? ort_type_string(*t.inner) : "?") + ")";
    case TypeInfo::Kind::Optional:
      return "optional(" + (t.inner ? ort_type_string(*t.inner) : "?") + ")";
    case TypeInfo::Kind::Map:
      return std::string("map(") + dtype_name(t.elem) + "," +
             (t.inner ? ort_type_string(*t.inner) : "?") + ")";
    case TypeInfo::Kind::Unknown:
      break;
  }
  return "unknown";
}

// ---- values in ----

// Keeps a Python object alive for as long as a tensor views its memory. The last
// reference may go on a thread that does not hold the GIL (run() releases it).
std::shared_ptr<void> hold(py::object object) {
  return std::shared_ptr<void>(new py::object(std::move(object)), [](void* p) {
    py::gil_scoped_acquire gil;
    delete static_cast<py::object*>(p);
  });
}

Shape shape_of(const py::array& a) { return Shape(a.shape(), a.shape() + a.ndim()); }

Tensor strings_from(const py::array& a, const std::string& name) {
  Tensor t(DType::String, shape_of(a));
  std::string* out = t.data<std::string>();
  const py::array objects = a.attr("astype")("O").attr("ravel")();
  for (py::ssize_t i = 0; i < objects.size(); ++i) {
    py::object item = objects.attr("__getitem__")(i);
    if (py::isinstance<py::bytes>(item))
      out[i] = item.cast<std::string>();
    else if (py::isinstance<py::str>(item))
      out[i] = item.cast<std::string>();  // UTF-8
    else
      throw py::type_error(
          "onyx: input '" + name + "': element " + std::to_string(i) + " of a string tensor is " +
          std::string(py::str(item.get_type().attr("__name__"))) + ", not str or bytes");
  }
  return t;
}

// A tensor of `value` (anything numpy.asarray takes), in place when it is already a
// C-contiguous array of a type Onyx holds the same way.
Tensor tensor_from(const py::handle& value, const std::string& name) {
  py::array a = py::array::ensure(value);
  if (!a) throw py::type_error("onyx: input '" + name + "' is not convertible to a numpy array");
  const DType dt = onyx_dtype(a.dtype());
  if (dt == DType::Undefined)
    throw py::type_error("onyx: input '" + name + "' has numpy type " +
                         std::string(py::str(a.dtype())) + ", which Onyx does not take");
  if (dt == DType::String) return strings_from(a, name);
  if (!a.dtype().attr("isnative").cast<bool>())  // big-endian data: to this machine's order
    a = a.attr("astype")(a.dtype().attr("newbyteorder")("="));
  if (!(a.flags() & py::array::c_style)) a = py::array::ensure(a, py::array::c_style);
  void* data = const_cast<void*>(a.data());
  return Tensor::share(dt, shape_of(a), hold(a), data);
}

// The value fed for an input of declared type `type`.
RuntimeValue value_from(const py::handle& value, const TypeInfo& type, const std::string& name) {
  if (type.kind == TypeInfo::Kind::Optional) {
    if (value.is_none()) return RuntimeValue::empty_optional();
    return value_from(value, type.inner ? *type.inner : TypeInfo{}, name);
  }
  if (type.kind == TypeInfo::Kind::Sequence) {
    if (!py::isinstance<py::list>(value) && !py::isinstance<py::tuple>(value))
      throw py::type_error("onyx: input '" + name + "' is a sequence: feed a list of arrays");
    TensorSequence seq;
    seq.elem = type.inner ? type.inner->elem : DType::Undefined;
    for (const py::handle item : value) seq.tensors.push_back(tensor_from(item, name));
    return seq;
  }
  return tensor_from(value, name);
}

// ---- values out ----

py::object string_array(const Tensor& t) {
  py::array out(py::dtype("O"), std::vector<py::ssize_t>(t.shape().begin(), t.shape().end()));
  py::object flat = out.attr("reshape")(-1);
  const std::string* in = t.data<std::string>();
  for (int64_t i = 0; i < t.numel(); ++i) {
    // Text where it is UTF-8 (as onnxruntime returns it), the bytes where it is not.
    PyObject* s =
        PyUnicode_DecodeUTF8(in[i].data(), static_cast<py::ssize_t>(in[i].size()), nullptr);
    py::object item;
    if (s) {
      item = py::reinterpret_steal<py::object>(s);
    } else {
      PyErr_Clear();
      item = py::bytes(in[i]);
    }
    flat.attr("__setitem__")(i, item);
  }
  return out;
}

// A numpy array viewing `t`'s memory, which it keeps alive. Session::run never returns
// an output that aliases an input, a weight or memory a later run reuses, so writing to
// the array changes nothing else.
py::object array_from(const Tensor& t, const std::string& name) {
  const std::optional<py::dtype> dt = numpy_dtype(t.dtype());
  if (!dt)
    throw py::type_error("onyx: output '" + name + "' is " + dtype_name(t.dtype()) +
                         ", which numpy has no type for");
  if (t.dtype() == DType::String) return string_array(t);
  auto* owner = new Tensor(t);
  py::capsule keep(owner, [](void* p) { delete static_cast<Tensor*>(p); });
  return py::array(*dt, std::vector<py::ssize_t>(t.shape().begin(), t.shape().end()), {},
                   owner->raw(), keep);
}

py::object python_value(const RuntimeValue& v, const std::string& name) {
  if (v.is_empty_optional()) return py::none();
  if (v.is_sequence()) {
    py::list items;
    for (const Tensor& t : v.sequence(name).tensors) items.append(array_from(t, name));
    return items;
  }
  return array_from(v.tensor(name), name);
}

// ---- errors ----

// onyx.Error and a subclass per kind, filled in when the module is made.
struct Exceptions {
  py::object base;
  std::map<ErrorKind, py::object> by_kind;
};
Exceptions& exceptions() {
  static auto* e = new Exceptions();  // lives as long as the interpreter
  return *e;
}

// ---- the API ----

enum class GraphOptimizationLevel {
  ORT_DISABLE_ALL = 0,
  ORT_ENABLE_BASIC = 1,
  ORT_ENABLE_EXTENDED = 2,
  ORT_ENABLE_ALL = 99
};

struct PySessionOptions {
  int intra_op_num_threads = 0;  // 0: one per core
  int inter_op_num_threads = 0;  // accepted for onnxruntime's scripts: nodes run in order
  GraphOptimizationLevel graph_optimization_level = GraphOptimizationLevel::ORT_ENABLE_ALL;
  bool use_reference_kernels = false;  // Onyx's readable reference kernels only
  bool enable_profiling = false;       // time every node; end_profiling() writes the trace
  std::string profile_file_prefix = "onyx_profile";

  SessionOptions to_onyx() const {
    if (intra_op_num_threads < 0)
      throw py::value_error("onyx: intra_op_num_threads must be >= 0, not " +
                            std::to_string(intra_op_num_threads));
    SessionOptions o(intra_op_num_threads, true);
    o.reference_kernels = use_reference_kernels;
    o.profiling = enable_profiling;
    o.optimization = graph_optimization_level == GraphOptimizationLevel::ORT_DISABLE_ALL
                         ? OptimizationLevel::None
                     : graph_optimization_level == GraphOptimizationLevel::ORT_ENABLE_BASIC
                         ? OptimizationLevel::Basic
                         : OptimizationLevel::All;
    return o;
  }
};

struct NodeArg {
  std::string name;
  std::string type;
  py::list shape;  // ints, symbolic names, None for an unknown dim

  explicit NodeArg(const IOInfo& io) : name(io.name), type(ort_type_string(io.type)) {
    if (io.type.kind != TypeInfo::Kind::Tensor || !io.type.shape) return;
    for (const Dim& d : *io.type.shape) {
      if (d.is_known())
        shape.append(d.value);
      else if (!d.param.empty())
        shape.append(d.param);
      else
        shape.append(py::none());
    }
  }
};

struct ModelMetadata {
  std::string producer_name, graph_name, domain, description, graph_description;
  int64_t version = 0;
  std::map<std::string, std::string> custom_metadata_map;
};

// The file's path, or its bytes; base_dir is where external data is looked for.
Model load_from(const py::object& path_or_bytes) {
  if (py::isinstance<py::bytes>(path_or_bytes)) {
    const std::string bytes = path_or_bytes.cast<std::string>();
    return load_model_from_bytes(bytes);
  }
  const std::string path = py::str(py::module_::import("os").attr("fspath")(path_or_bytes));
  return load_model(path);
}

class InferenceSession {
 public:
  InferenceSession(const py::object& path_or_bytes, std::optional<PySessionOptions> options,
                   std::optional<py::list> providers, const py::object& /*provider_options*/)
      : options_(options.value_or(PySessionOptions{})) {
    if (providers) {
      for (const py::handle p : *providers) {
        // A name, or (name, options) as onnxruntime takes them.
        const std::string name =
            py::isinstance<py::tuple>(p) ? py::str(p.cast<py::tuple>()[0]) : py::str(p);
        if (name != "CPUExecutionProvider")
          PyErr_WarnEx(
              PyExc_RuntimeWarning,
              ("onyx: provider '" + name + "' is not available; running on the CPU").c_str(), 1);
      }
    }
    SessionOptions o = options_.to_onyx();
    Model model = load_from(path_or_bytes);
    {
      py::gil_scoped_release unlocked;
      session_ = std::make_unique<Session>(builtin_registry(), std::move(model), o);
    }
    for (const IOInfo& io : session_->inputs()) inputs_.emplace_back(io);
    for (const IOInfo& io : session_->outputs()) outputs_.emplace_back(io);
  }

  py::list run(const std::optional<std::vector<std::string>>& output_names, const py::dict& feed,
               const py::object& /*run_options*/) const {
    std::map<std::string, RuntimeValue> feeds;
    for (const auto& [key, value] : feed) {
      const std::string name = py::str(key);
      const TypeInfo* declared = nullptr;
      for (const IOInfo& io : session_->inputs())
        if (io.name == name) declared = &io.type;
      if (!declared) throw Error(ErrorKind::invalid_input, "the model has no input '" + name + "'");
      feeds.emplace(name, value_from(value, *declared, name));
    }
    const std::vector<std::string> names = output_names.value_or(std::vector<std::string>{});
    std::vector<RuntimeValue> results;
    {
      py::gil_scoped_release unlocked;
      results = session_->run_values(feeds, names);
    }
    py::list out;
    for (size_t i = 0; i < results.size(); ++i)
      out.append(python_value(results[i], names.empty() ? session_->outputs()[i].name : names[i]));
    return out;
  }

  std::vector<NodeArg> get_inputs() const { return inputs_; }
  std::vector<NodeArg> get_outputs() const { return outputs_; }
  std::vector<std::string> get_providers() const { return {"CPUExecutionProvider"}; }
  const PySessionOptions& get_session_options() const { return options_; }

  // Writes the runs' timings as a Chrome trace, PREFIX_DATE_TIME.json in the working
  // folder, and returns its name (as onnxruntime does); profiling goes on afresh.
  std::string end_profiling() const {
    Profiler* profiler = session_->profiler();
    if (!profiler) return "";  // onnxruntime returns an empty name when profiling is off
    const std::time_t now = std::time(nullptr);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%d_%H-%M-%S", std::localtime(&now));
    const std::string path = options_.profile_file_prefix + "_" + stamp + ".json";
    std::ostringstream json;
    profiler->write_chrome_trace(json);
    write_file(path, json.str());
    profiler->clear();
    return path;
  }

  ModelMetadata get_modelmeta() const {
    const Model& m = session_->model();
    ModelMetadata meta;
    meta.producer_name = m.producer_name;
    meta.graph_name = m.graph.name;
    meta.domain = m.domain;
    meta.description = m.doc;
    meta.graph_description = m.graph.doc;
    meta.version = m.model_version;
    for (const auto& [k, v] : m.metadata) meta.custom_metadata_map[k] = v;
    return meta;
  }

 private:
  PySessionOptions options_;
  std::unique_ptr<Session> session_;
  std::vector<NodeArg> inputs_, outputs_;
};

// onnx.checker.check_model's counterpart: loads, checks, infers shapes and finds a
// kernel for every node (as `onyx check` does); raises on the first problem.
void check_model(const py::object& path_or_bytes) {
  Model model = load_from(path_or_bytes);
  SessionOptions o(1, true);
  o.optimization = OptimizationLevel::None;
  Session session(builtin_registry(), std::move(model), o);
}

// onnx.helper.printable_graph's counterpart: the model as `onyx print` shows it.
std::string printable_graph(const py::object& path_or_bytes) {
  std::ostringstream out;
  print_model(load_from(path_or_bytes), out);
  return out.str();
}

// An image file's pixels as a (height, width, channels) uint8 array, channels 1 or 3.
py::array_t<uint8_t> read_image_file(const std::string& path) {
  auto image = std::make_unique<Image>(read_image(path));
  const std::vector<py::ssize_t> shape{image->height, image->width, image->channels};
  uint8_t* pixels = image->pixels.data();
  py::capsule owner(image.release(), [](void* p) { delete static_cast<Image*>(p); });
  return py::array_t<uint8_t>(shape, pixels, owner);
}

// Writes a (height, width) or (height, width, 1 or 3) uint8 array as a PNG file. Other
// dtypes are refused rather than cast: float pixels in [0, 1] would all become 0 or 1.
void write_png_file(const std::string& path, const py::array& pixels) {
  if (!pixels.dtype().is(py::dtype::of<uint8_t>()))
    throw Error(ErrorKind::invalid_input,
                "write_png: the array must be uint8, not " + std::string(py::str(pixels.dtype())));
  const py::ssize_t rank = pixels.ndim();
  const py::ssize_t channels = rank == 3 ? pixels.shape(2) : 1;
  if ((rank != 2 && rank != 3) || (channels != 1 && channels != 3))
    throw Error(ErrorKind::invalid_input,
                "write_png: the array must be (height, width) or (height, width, 1 or 3), not "
                "of rank " +
                    std::to_string(rank) + " with " + std::to_string(channels) + " channels");
  Image image{pixels.shape(0), pixels.shape(1), channels, {}};
  // A C-contiguous copy, whatever the array's strides.
  const auto dense = py::array_t<uint8_t, py::array::c_style>::ensure(pixels);
  image.pixels.assign(dense.data(), dense.data() + dense.size());
  write_png(path, image);
}

}  // namespace
}  // namespace onyx::python

PYBIND11_MODULE(onyx, m) {
  using namespace onyx::python;
  m.doc() = "Onyx, an ONNX inference runtime, with onnxruntime's Python API";
  m.attr("__version__") = ONYX_VERSION;

  Exceptions& ex = exceptions();
  ex.base = py::reinterpret_steal<py::object>(
      PyErr_NewException("onyx.Error", PyExc_RuntimeError, nullptr));
  m.attr("Error") = ex.base;
  const std::pair<onyx::ErrorKind, const char*> kinds[] = {
      {onyx::ErrorKind::invalid_model, "InvalidModel"},
      {onyx::ErrorKind::unsupported_operator, "UnsupportedOperator"},
      {onyx::ErrorKind::unsupported_model, "UnsupportedModel"},
      {onyx::ErrorKind::invalid_input, "InvalidInput"},
      {onyx::ErrorKind::limit_exceeded, "LimitExceeded"},
      {onyx::ErrorKind::io_error, "IoError"},
      {onyx::ErrorKind::internal_error, "InternalError"},
  };
  for (const auto& [kind, name] : kinds) {
    const std::string qualified = std::string("onyx.") + name;
    py::object cls = py::reinterpret_steal<py::object>(
        PyErr_NewException(qualified.c_str(), ex.base.ptr(), nullptr));
    m.attr(name) = cls;
    ex.by_kind[kind] = cls;
  }
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const onyx::Error& e) {
      Exceptions& ex = exceptions();
      auto it = ex.by_kind.find(e.kind());
      PyErr_SetString((it == ex.by_kind.end() ? ex.base : it->second).ptr(), e.what());
    }
  });

  py::enum_<GraphOptimizationLevel>(m, "GraphOptimizationLevel")
      .value("ORT_DISABLE_ALL", GraphOptimizationLevel::ORT_DISABLE_ALL)
      .value("ORT_ENABLE_BASIC", GraphOptimizationLevel::ORT_ENABLE_BASIC)
      .value("ORT_ENABLE_EXTENDED", GraphOptimizationLevel::ORT_ENABLE_EXTENDED)
      .value("ORT_ENABLE_ALL", GraphOptimizationLevel::ORT_ENABLE_ALL);

  py::class_<PySessionOptions>(m, "SessionOptions")
      .def(py::init<>())
      .def_readwrite("intra_op_num_threads", &PySessionOptions::intra_op_num_threads,
                     "Threads one run uses (0: one per core)")
      .def_readwrite("inter_op_num_threads", &PySessionOptions::inter_op_num_threads,
                     "Accepted for onnxruntime's scripts; nodes run one after another")
      .def_readwrite("graph_optimization_level", &PySessionOptions::graph_optimization_level)
      .def_readwrite("use_reference_kernels", &PySessionOptions::use_reference_kernels,
                     "Run Onyx's plain reference kernels only")
      .def_readwrite("enable_profiling", &PySessionOptions::enable_profiling,
                     "Time every node; InferenceSession.end_profiling() writes the trace")
      .def_readwrite("profile_file_prefix", &PySessionOptions::profile_file_prefix);

  py::class_<NodeArg>(m, "NodeArg")
      .def_readonly("name", &NodeArg::name)
      .def_readonly("type", &NodeArg::type)
      .def_readonly("shape", &NodeArg::shape)
      .def("__repr__", [](const NodeArg& a) {
        return "NodeArg(name='" + a.name + "', type='" + a.type +
               "', shape=" + std::string(py::repr(a.shape)) + ")";
      });

  py::class_<ModelMetadata>(m, "ModelMetadata")
      .def_readonly("producer_name", &ModelMetadata::producer_name)
      .def_readonly("graph_name", &ModelMetadata::graph_name)
      .def_readonly("domain", &ModelMetadata::domain)
      .def_readonly("description", &ModelMetadata::description)
      .def_readonly("graph_description", &ModelMetadata::graph_description)
      .def_readonly("version", &ModelMetadata::version)
      .def_readonly("custom_metadata_map", &ModelMetadata::custom_metadata_map);

  py::class_<InferenceSession>(m, "InferenceSession")
      .def(py::init<const py::object&, std::optional<PySessionOptions>, std::optional<py::list>,
                    const py::object&>(),
           py::arg("path_or_bytes"), py::arg("sess_options") = py::none(),
           py::arg("providers") = py::none(), py::arg("provider_options") = py::none())
      .def("run", &InferenceSession::run, py::arg("output_names"), py::arg("input_feed"),
           py::arg("run_options") = py::none())
      .def("get_inputs", &InferenceSession::get_inputs)
      .def("get_outputs", &InferenceSession::get_outputs)
      .def("get_modelmeta", &InferenceSession::get_modelmeta)
      .def("get_providers", &InferenceSession::get_providers)
      .def("get_session_options", &InferenceSession::get_session_options)
      .def("end_profiling", &InferenceSession::end_profiling);

  m.def("get_available_providers", [] { return std::vector<std::string>{"CPUExecutionProvider"}; });
  m.def("get_device", [] { return "CPU"; });
  m.def("check_model", &check_model, py::arg("model"),
        "Loads and checks a model (a path or bytes) as `onyx check` does; raises on a problem");
  m.def("printable_graph", &printable_graph, py::arg("model"),
        "The model (a path or bytes) as text, as `onyx print` shows it");
  m.def("read_image", &read_image_file, py::arg("path"),
        "An image file (JPEG, PNG, BMP, TIFF, WebP, PNM, JPEG 2000) as a (height, width, "
        "channels) uint8 array; channels is 1 (gray) or 3 (RGB)");
  m.def("write_png", &write_png_file, py::arg("path"), py::arg("pixels"),
        "Writes a (height, width) or (height, width, 1 or 3) uint8 array as a PNG file");
}
