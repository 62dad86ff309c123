// .onnx bytes -> Model. All protobuf parsing lives behind this header.
#pragma once

#include <string>
#include <string_view>

#include "onyx/ir.h"

namespace onyx {

struct LoadOptions {
  // Largest model or external-data file accepted, in bytes.
  int64_t max_file_bytes = int64_t{4} << 30;
};

// Loads a model file; external data is resolved relative to its folder.
Model load_model(const std::string& path, const LoadOptions& options = {});
// Loads serialized bytes; `base_dir` (may be empty) resolves external data.
Model load_model_from_bytes(std::string_view bytes, const std::string& base_dir = "",
                            const LoadOptions& options = {});

// A serialized TensorProto (.pb test files): bytes -> Tensor. `name` receives the
// tensor's name field when non-null. External data is resolved against base_dir.
Tensor load_tensor_proto(std::string_view bytes, const std::string& base_dir = "",
                         std::string* name = nullptr);
Tensor load_tensor_file(const std::string& path, std::string* name = nullptr);

// Model -> .onnx bytes and files. Initializers are written inline as raw_data.
std::string serialize_model(const Model& model);
void save_model(const Model& model, const std::string& path);
std::string serialize_tensor(const Tensor& tensor, const std::string& name = "");
void save_tensor(const Tensor& tensor, const std::string& path, const std::string& name = "");

// Reads a whole file, with a clear error when it cannot.
std::string read_file_bytes(const std::string& path, int64_t max_bytes = int64_t{4} << 30);
// Writes `bytes` to a temporary file beside `path`, then renames it over `path`: readers
// see the old file or the whole new one, never a part.
void write_file(const std::string& path, const std::string& bytes);

}  // namespace onyx
