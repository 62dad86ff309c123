// Parses a ModelProto without copying the bulk of it: the raw_data of the main
// graph's initializers stays where it lies in the model's bytes and is handed back
// as views, for tensors to point into (or copy once).
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "mapped_file.h"
#include "onyx/proto/onnx_proto.h"
#include "tensor_proto.h"

namespace onyx::detail {

struct ParsedModel {
  onnx::ModelProto proto;
  // Per initializer of proto.graph(): its raw_data, when it had one (the message
  // itself holds none).
  std::vector<std::optional<RawDataView>> initializer_raw;
};

// Parses `bytes`, which lie inside `file` (whose holder may be null when the bytes
// live elsewhere and outlive the parse). False on bytes protobuf would refuse.
bool parse_model(const MappedFile& file, std::string_view bytes, ParsedModel& out);

}  // namespace onyx::detail
