#include "model_parse.h"

#include <climits>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/wire_format_lite.h>

namespace onyx::detail {
namespace {

using google::protobuf::io::CodedInputStream;
using Wire = google::protobuf::internal::WireFormatLite;

// Field numbers in onnx.proto.
constexpr int kModelGraph = 7;
constexpr int kGraphInitializer = 5;
constexpr int kTensorRawData = 9;
// proto::parse's nesting limit, less the levels a piece starts below the model.
constexpr int kRecursionLimit = 256;

struct Range {
  const char* begin;
  const char* end;
};

// Splits the message in `bytes` into the length-delimited fields numbered `field`
// (their payloads, in order) and the runs of other fields between them. False on
// malformed wire data.
bool split_fields(Range bytes, int field, std::vector<Range>& others, std::vector<Range>& hits) {
  const int size = static_cast<int>(bytes.end - bytes.begin);
  CodedInputStream in(reinterpret_cast<const uint8_t*>(bytes.begin), size);
  in.SetRecursionLimit(kRecursionLimit);
  int gap = 0;  // where the current run of other fields began
  for (;;) {
    const int start = in.CurrentPosition();
    const uint32_t tag = in.ReadTag();
    if (tag == 0) {
      if (start != size) return false;  // a zero tag before the end
      break;
    }
    if (Wire::GetTagFieldNumber(tag) != field ||
        Wire::GetTagWireType(tag) != Wire::WIRETYPE_LENGTH_DELIMITED) {
      if (!Wire::SkipField(&in, tag)) return false;
      continue;
    }
    uint32_t length = 0;
    if (!in.ReadVarint32(&length)) return false;
    const int payload = in.CurrentPosition();
    if (length > static_cast<uint32_t>(size - payload)) return false;
    if (start > gap) others.push_back({bytes.begin + gap, bytes.begin + start});
    hits.push_back({bytes.begin + payload, bytes.begin + payload + length});
    in.Skip(static_cast<int>(length));
    gap = payload + static_cast<int>(length);
  }
  if (gap < size) others.push_back({bytes.begin + gap, bytes.end});
  return true;
}

// Merges runs of fields into `message`, as parsing them in one piece would.
bool merge(const std::vector<Range>& runs, google::protobuf::MessageLite& message, int depth) {
  for (const Range& r : runs) {
    CodedInputStream in(reinterpret_cast<const uint8_t*>(r.begin),
                        static_cast<int>(r.end - r.begin));
    in.SetRecursionLimit(kRecursionLimit - depth);
    if (!message.MergeFromCodedStream(&in) || !in.ConsumedEntireMessage()) return false;
  }
  return true;
}

}  // namespace

bool parse_model(const MappedFile& file, std::string_view bytes, ParsedModel& out) {
  if (bytes.size() > static_cast<size_t>(INT_MAX)) return false;  // protobuf's 2 GiB ceiling
  std::vector<Range> model_rest, graphs;
  if (!split_fields({bytes.data(), bytes.data() + bytes.size()}, kModelGraph, model_rest, graphs))
    return false;
  if (graphs.size() != 1) {  // no graph, or pieces protobuf would merge: parse plainly
    out.initializer_raw.clear();
    return proto::parse(bytes.data(), bytes.size(), out.proto);
  }
  std::vector<Range> graph_rest, initializers;
  if (!merge(model_rest, out.proto, 0) ||
      !split_fields(graphs[0], kGraphInitializer, graph_rest, initializers))
    return false;
  onnx::GraphProto& graph = *out.proto.mutable_graph();
  if (!merge(graph_rest, graph, 1)) return false;
  out.initializer_raw.assign(initializers.size(), std::nullopt);
  std::vector<Range> tensor_rest, raw;
  for (size_t i = 0; i < initializers.size(); ++i) {
    tensor_rest.clear();
    raw.clear();
    if (!split_fields(initializers[i], kTensorRawData, tensor_rest, raw) ||
        !merge(tensor_rest, *graph.add_initializer(), 2))
      return false;
    if (!raw.empty())  // a repeated optional field: the last one counts
      out.initializer_raw[i] = RawDataView{&file, raw.back().begin,
                                           static_cast<size_t>(raw.back().end - raw.back().begin)};
  }
  return true;
}

}  // namespace onyx::detail
