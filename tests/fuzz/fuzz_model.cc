// libFuzzer target: the whole path a model takes, from untrusted bytes to one run.
//
//   bytes -> load_model_from_bytes -> Session (checker, function expansion, shape
//   inference, optimizer, kernel construction, planning) -> run_values() on small
//   deterministic inputs made from the declared input types.
//
// Every onyx::Error is an expected outcome (the model or its inputs were refused).
// Anything else is a bug: a crash, an ASan or UBSan report, or any other exception
// (std::bad_alloc, std::out_of_range, ...) escaping the library.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "onyx/error.h"
#include "onyx/float16.h"
#include "onyx/loader.h"
#include "onyx/onyx.h"

namespace {

// splitmix64: deterministic values seeded from the input bytes.
struct Rng {
  uint64_t state;
  uint64_t next() {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  int64_t small(int64_t lo, int64_t hi) {  // in [lo, hi]
    return lo + static_cast<int64_t>(next() % static_cast<uint64_t>(hi - lo + 1));
  }
};

constexpr int64_t kMaxElementsPerInput = 4096;
constexpr int64_t kMaxElementsTotal = 16384;

template <class T>
void fill_ints(onyx::Tensor& t, Rng& rng, int64_t lo, int64_t hi) {
  T* p = t.data<T>();
  for (int64_t i = 0; i < t.numel(); ++i) p[i] = static_cast<T>(rng.small(lo, hi));
}

template <class T>
void fill_floats(onyx::Tensor& t, Rng& rng) {
  T* p = t.data<T>();
  for (int64_t i = 0; i < t.numel(); ++i) p[i] = static_cast<T>(rng.small(-300, 300) / 100.0);
}

// A tensor of `type`, dims known as declared (symbolic ones 1 to 3); nullopt when the
// dtype has no filler here or the tensor would be too large.
std::optional<onyx::Tensor> make_tensor(const onyx::TypeInfo& type, Rng& rng, int64_t& total) {
  using onyx::DType;
  onyx::Shape shape;
  if (type.shape) {
    for (const onyx::Dim& d : *type.shape) {
      int64_t v = d.is_known() ? d.value : rng.small(1, 3);
      if (v > kMaxElementsPerInput) return std::nullopt;
      shape.push_back(v);
    }
  } else {
    shape = {rng.small(1, 3)};
  }
  int64_t n = 1;
  for (int64_t v : shape) {
    n *= v;
    if (n > kMaxElementsPerInput) return std::nullopt;
  }
  if (total + n > kMaxElementsTotal) return std::nullopt;
  total += n;
  onyx::Tensor t(type.elem, shape);
  switch (type.elem) {
    case DType::Float: fill_floats<float>(t, rng); break;
    case DType::Double: fill_floats<double>(t, rng); break;
    case DType::Float16: {
      auto* p = t.data<onyx::float16_t>();
      for (int64_t i = 0; i < n; ++i) p[i] = onyx::float16_t(static_cast<float>(rng.small(-300, 300) / 100.0));
      break;
    }
    case DType::Int8: fill_ints<int8_t>(t, rng, -3, 3); break;
    case DType::Int16: fill_ints<int16_t>(t, rng, -3, 3); break;
    case DType::Int32: fill_ints<int32_t>(t, rng, -3, 3); break;
    case DType::Int64: fill_ints<int64_t>(t, rng, -3, 3); break;
    case DType::UInt8: fill_ints<uint8_t>(t, rng, 0, 3); break;
    case DType::UInt16: fill_ints<uint16_t>(t, rng, 0, 3); break;
    case DType::UInt32: fill_ints<uint32_t>(t, rng, 0, 3); break;
    case DType::UInt64: fill_ints<uint64_t>(t, rng, 0, 3); break;
    case DType::Bool: fill_ints<bool>(t, rng, 0, 1); break;
    case DType::String: {
      auto* p = t.data<std::string>();
      static const char* const words[] = {"", "a", "Bc", "onyx", " x y "};
      for (int64_t i = 0; i < n; ++i) p[i] = words[rng.small(0, 4)];
      break;
    }
    default:
      // Other dtypes (bfloat16, float8, 4-bit, ...) run on their zero bytes, if the
      // build stores them at all.
      if (!onyx::dtype_info(type.elem).supported) return std::nullopt;
      break;
  }
  return t;
}

std::optional<onyx::RuntimeValue> make_value(const onyx::TypeInfo& type, Rng& rng, int64_t& total) {
  using Kind = onyx::TypeInfo::Kind;
  if (type.kind == Kind::Tensor) {
    auto t = make_tensor(type, rng, total);
    if (!t) return std::nullopt;
    return onyx::RuntimeValue(std::move(*t));
  }
  if (type.kind == Kind::Sequence && type.inner && type.inner->kind == Kind::Tensor) {
    onyx::TensorSequence seq;
    seq.elem = type.inner->elem;
    int64_t count = rng.small(0, 2);
    for (int64_t i = 0; i < count; ++i) {
      auto t = make_tensor(*type.inner, rng, total);
      if (!t) return std::nullopt;
      seq.tensors.push_back(std::move(*t));
    }
    return onyx::RuntimeValue(std::move(seq));
  }
  if (type.kind == Kind::Optional && type.inner) {
    if (rng.small(0, 3) == 0) return onyx::RuntimeValue::empty_optional();
    return make_value(*type.inner, rng, total);
  }
  return std::nullopt;
}

void run_model(std::string_view bytes) {
  onyx::LoadOptions load;
  load.max_file_bytes = int64_t{1} << 20;
  onyx::Model model = onyx::load_model_from_bytes(bytes, "", load);

  onyx::SessionOptions options(/*threads=*/1);
  options.limits.max_loop_iterations = 1000;
  options.limits.max_sequence_length = 1000;
  options.limits.max_subgraph_depth = 8;
  // Below libFuzzer's -malloc_limit_mb (1 GiB): a size that comes from data (MaxUnpool's
  // output_shape, say) is refused as limit_exceeded instead of reported as a finding.
  options.limits.max_tensor_bytes = int64_t{256} << 20;
  onyx::Session session(onyx::builtin_registry(), std::move(model), options);

  uint64_t seed = 1469598103934665603ull;  // FNV-1a of the bytes
  for (unsigned char c : bytes) seed = (seed ^ c) * 1099511628211ull;
  Rng rng{seed};
  std::map<std::string, onyx::RuntimeValue> feeds;
  int64_t total = 0;
  for (const onyx::IOInfo& in : session.inputs()) {
    auto v = make_value(in.type, rng, total);
    if (!v) return;  // an input this target cannot make: loading was the test
    feeds.emplace(in.name, std::move(*v));
  }
  session.run_values(feeds);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    run_model(std::string_view(reinterpret_cast<const char*>(data), size));
  } catch (const onyx::Error&) {
    // Refused with a message: the expected outcome for a hostile model.
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fuzz_model: exception other than onyx::Error escaped: %s\n", e.what());
    std::abort();
  }
  return 0;
}
