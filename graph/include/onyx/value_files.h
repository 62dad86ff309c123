// Test-data files for values of any kind: a TensorProto for a tensor, a
// SequenceProto for a sequence, an OptionalProto for an optional. The declared
// type of the model input or output says which message the file holds.
#pragma once

#include <string>
#include <string_view>

#include "onyx/ir.h"
#include "onyx/runtime_value.h"

namespace onyx {

// `name` (when non-null) receives the name the message carries.
RuntimeValue load_value_proto(std::string_view bytes, const TypeInfo& declared,
                              const std::string& base_dir = "", std::string* name = nullptr);
RuntimeValue load_value_file(const std::string& path, const TypeInfo& declared,
                             std::string* name = nullptr);

// The message `declared` calls for, holding `value` (an empty optional included).
std::string serialize_value(const RuntimeValue& value, const TypeInfo& declared,
                            const std::string& name = "");

}  // namespace onyx
