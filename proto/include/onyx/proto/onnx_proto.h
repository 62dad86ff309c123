// The one doorway to the protoc-generated ONNX messages. Only graph/ (the loader,
// the writer and the test-data readers) includes this header.
#pragma once

#include <cstddef>
#include <string>

#include "onyx_proto/onnx.pb.h"
#include "onyx_proto/onnx_data.pb.h"

namespace onyx::proto {

// Parses a serialized message, lifting protobuf's default size limits (models can
// approach 2 GiB). Returns false on malformed or truncated bytes.
bool parse(const void* data, size_t size, google::protobuf::MessageLite& message);

// Serializes deterministically (map fields ordered), so written files are stable.
std::string serialize(const google::protobuf::MessageLite& message);

}  // namespace onyx::proto
