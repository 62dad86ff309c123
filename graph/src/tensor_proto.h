// Internal to graph/: TensorProto <-> Tensor, shared by the loader and the writer.
// Handles every storage form (raw_data, typed fields, external data) and sparse
// tensors, checking sizes before anything is allocated.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "mapped_file.h"
#include "onyx/proto/onnx_proto.h"
#include "onyx/tensor.h"

namespace onyx::detail {

// External-data files for one load, resolved inside `base_dir` and memory-mapped
// once each, however many tensors point into them.
class ExternalData {
 public:
  ExternalData(std::string base_dir, int64_t max_file_bytes)
      : base_dir_(std::move(base_dir)), max_file_bytes_(max_file_bytes) {}

  // The mapped file named by `location`; `what` names the tensor in errors.
  const MappedFile& open(const std::string& location, const std::string& what);
  int64_t max_bytes() const { return max_file_bytes_; }

 private:
  std::string base_dir_;
  int64_t max_file_bytes_;
  std::map<std::string, MappedFile> files_;  // by canonical path
};

// A tensor's raw_data that the loader left where it lies in the model's bytes
// instead of copying it into the message.
struct RawDataView {
  const MappedFile* file = nullptr;  // the model file (its holder is null for bytes in memory)
  const char* data = nullptr;
  size_t size = 0;
};

// Decodes `proto`. Raw bytes are moved out of the message rather than copied, so
// the proto is left without its raw_data; `raw`, when given, is the raw_data the
// message was parsed without. `what` names the tensor in errors ("initializer 'w'").
Tensor tensor_from_proto(onnx::TensorProto& proto, ExternalData& external, const std::string& what,
                         const RawDataView* raw = nullptr);

// A sparse tensor, decoded and checked; `dense` has the zeros filled in.
struct SparseTensor {
  Tensor values;
  Tensor indices;
  Shape dims;
  Tensor dense;
};
SparseTensor sparse_from_proto(onnx::SparseTensorProto& proto, ExternalData& external,
                               const std::string& what);

// Writes `tensor` inline: raw_data for fixed-size types, string_data for strings.
void tensor_to_proto(const Tensor& tensor, const std::string& name, onnx::TensorProto* proto);
// Writes a dense tensor in sparse form: its non-zero elements with linear indices.
void dense_to_sparse_proto(const Tensor& dense, const std::string& name,
                           onnx::SparseTensorProto* proto);

}  // namespace onyx::detail
