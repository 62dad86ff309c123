// libFuzzer target: the readers of input and output files.
//
// The first byte picks the reader, the second the element type a reader is told to
// expect; the rest is the file:
//   0  TensorProto .pb     (load_tensor_proto), then written and read back
//   1  .npy                (parse_npy, then from_npy_array to the chosen dtype)
//   2  SequenceProto .pb   (load_value_proto, declared seq(tensor))
//   3  OptionalProto .pb   (load_value_proto, declared optional(tensor) or optional(seq))
//
// Every onyx::Error is an expected outcome; anything else is a bug.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>

#include "onyx/error.h"
#include "onyx/loader.h"
#include "onyx/npy.h"
#include "onyx/value_files.h"

namespace {

[[noreturn]] void bug(const char* what) {
  std::fprintf(stderr, "fuzz_inputs: %s\n", what);
  std::abort();
}

void read(uint8_t reader, uint8_t type_byte, std::string_view file) {
  using onyx::TypeInfo;
  const auto elem = static_cast<onyx::DType>(type_byte % 27);
  switch (reader % 4) {
    case 0: {
      std::string name;
      onyx::Tensor t = onyx::load_tensor_proto(file, "", &name);
      onyx::Tensor back = onyx::load_tensor_proto(onyx::serialize_tensor(t, name));
      if (back.dtype() != t.dtype() || back.shape() != t.shape())
        bug("a TensorProto written and read back changed dtype or shape");
      break;
    }
    case 1: {
      onyx::Tensor array = onyx::parse_npy(file, "fuzz.npy");
      onyx::Tensor t = onyx::from_npy_array(array, elem, "fuzz.npy");
      (void)t;
      break;
    }
    case 2:
      onyx::load_value_proto(file, TypeInfo::sequence_of(TypeInfo::tensor(elem)));
      break;
    default: {
      TypeInfo inner = TypeInfo::tensor(elem);
      if (type_byte & 0x80) inner = TypeInfo::sequence_of(inner);
      onyx::load_value_proto(file, TypeInfo::optional_of(inner));
      break;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  try {
    read(data[0], data[1], std::string_view(reinterpret_cast<const char*>(data) + 2, size - 2));
  } catch (const onyx::Error&) {
    // Refused with a message: the expected outcome for a hostile file.
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fuzz_inputs: exception other than onyx::Error escaped: %s\n", e.what());
    std::abort();
  }
  return 0;
}
