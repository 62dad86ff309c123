#include "onyx/value_files.h"

#include <filesystem>

#include "onyx/loader.h"
#include "onyx/proto/onnx_proto.h"
#include "tensor_proto.h"

namespace onyx {
namespace {

using Kind = TypeInfo::Kind;

TensorSequence sequence_from_proto(onnx::SequenceProto& proto, const TypeInfo& declared,
                                   detail::ExternalData& external) {
  if (proto.elem_type() != onnx::SequenceProto::TENSOR &&
      proto.elem_type() != onnx::SequenceProto::UNDEFINED)
    fail("sequence '", proto.name(), "': only sequences of tensors are supported (elem_type ",
         proto.elem_type(), ")");
  TensorSequence seq;
  if (declared.inner) seq.elem = declared.inner->elem;
  for (onnx::TensorProto& t : *proto.mutable_tensor_values()) {
    Tensor item = detail::tensor_from_proto(t, external, "sequence '" + proto.name() + "' item");
    if (seq.elem == DType::Undefined) seq.elem = item.dtype();
    if (item.dtype() != seq.elem)
      fail("sequence '", proto.name(), "' mixes ", dtype_name(seq.elem), " and ",
           dtype_name(item.dtype()));
    seq.tensors.push_back(std::move(item));
  }
  return seq;
}

template <class Message>
void parse_or_fail(std::string_view bytes, Message& proto, const char* what) {
  if (!proto::parse(bytes.data(), bytes.size(), proto))
    fail("not a valid ", what, " (truncated or corrupt bytes)");
}

RuntimeValue value_from_bytes(std::string_view bytes, const TypeInfo& declared,
                              const std::string& base_dir, std::string* name) {
  detail::ExternalData external(base_dir, LoadOptions{}.max_file_bytes);
  std::string ignored;
  if (!name) name = &ignored;
  switch (declared.kind) {
    case Kind::Sequence: {
      onnx::SequenceProto proto;
      parse_or_fail(bytes, proto, "SequenceProto");
      *name = proto.name();
      return sequence_from_proto(proto, declared, external);
    }
    case Kind::Optional: {
      onnx::OptionalProto proto;
      parse_or_fail(bytes, proto, "OptionalProto");
      *name = proto.name();
      const TypeInfo inner = declared.inner ? *declared.inner : TypeInfo{};
      switch (proto.elem_type()) {
        case onnx::OptionalProto::UNDEFINED:
          return RuntimeValue::empty_optional();
        case onnx::OptionalProto::TENSOR:
          return detail::tensor_from_proto(*proto.mutable_tensor_value(), external,
                                           "optional '" + proto.name() + "'");
        case onnx::OptionalProto::SEQUENCE:
          return sequence_from_proto(*proto.mutable_sequence_value(), inner, external);
        default:
          fail("optional '", proto.name(), "': element kind ", proto.elem_type(),
               " is not supported");
      }
    }
    default: {
      onnx::TensorProto proto;
      parse_or_fail(bytes, proto, "TensorProto");
      *name = proto.name();
      return detail::tensor_from_proto(proto, external, "tensor '" + proto.name() + "'");
    }
  }
}

}  // namespace

// Value files are what callers feed a model: a bad one is a bad input.
RuntimeValue load_value_proto(std::string_view bytes, const TypeInfo& declared,
                              const std::string& base_dir, std::string* name) {
  return classify_errors(ErrorKind::invalid_input,
                         [&] { return value_from_bytes(bytes, declared, base_dir, name); });
}

RuntimeValue load_value_file(const std::string& path, const TypeInfo& declared, std::string* name) {
  return classify_errors(ErrorKind::invalid_input, [&] {
    std::string bytes = read_file_bytes(path);
    try {
      return value_from_bytes(bytes, declared, std::filesystem::path(path).parent_path().string(),
                              name);
    } catch (const Error& e) {
      throw e.with_context("'" + path + "': ");
    }
  });
}

std::string serialize_value(const RuntimeValue& value, const TypeInfo& declared,
                            const std::string& name) {
  auto fill_sequence = [&](const TensorSequence& seq, onnx::SequenceProto* proto) {
    proto->set_name(name);
    proto->set_elem_type(onnx::SequenceProto::TENSOR);
    for (const Tensor& t : seq.tensors) detail::tensor_to_proto(t, "", proto->add_tensor_values());
  };
  switch (declared.kind) {
    case Kind::Sequence: {
      onnx::SequenceProto proto;
      fill_sequence(value.sequence("a sequence output"), &proto);
      return proto::serialize(proto);
    }
    case Kind::Optional: {
      onnx::OptionalProto proto;
      proto.set_name(name);
      if (value.is_tensor()) {
        proto.set_elem_type(onnx::OptionalProto::TENSOR);
        detail::tensor_to_proto(value.tensor(), "", proto.mutable_tensor_value());
      } else if (value.is_sequence()) {
        proto.set_elem_type(onnx::OptionalProto::SEQUENCE);
        fill_sequence(value.sequence(), proto.mutable_sequence_value());
      }
      return proto::serialize(proto);
    }
    default:
      return serialize_tensor(value.tensor("a tensor output"), name);
  }
}

}  // namespace onyx
