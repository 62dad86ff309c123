#include "onyx/proto/onnx_proto.h"

#include <climits>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

namespace onyx::proto {

bool parse(const void* data, size_t size, google::protobuf::MessageLite& message) {
  if (size > static_cast<size_t>(INT_MAX)) return false;  // protobuf's hard 2 GiB ceiling
  google::protobuf::io::ArrayInputStream raw(data, static_cast<int>(size));
  google::protobuf::io::CodedInputStream in(&raw);
  in.SetTotalBytesLimit(INT_MAX);
  in.SetRecursionLimit(256);  // deep subgraph nesting is refused, not a stack overflow
  return message.ParseFromCodedStream(&in) && in.ConsumedEntireMessage();
}

std::string serialize(const google::protobuf::MessageLite& message) {
  std::string out;
  {  // the streams flush into `out` when they go out of scope
    google::protobuf::io::StringOutputStream raw(&out);
    google::protobuf::io::CodedOutputStream coded(&raw);
    coded.SetSerializationDeterministic(true);
    message.SerializeToCodedStream(&coded);
  }
  return out;
}

}  // namespace onyx::proto
