// Equal, Greater, GreaterOrEqual, Less, LessOrEqual: C = A op B elementwise, a bool
// tensor; A and B have one dtype and broadcast numpy style (before opset 7 with the legacy
// B-to-A rule of math/elementwise.h). Any comparison with NaN is false, Equal(NaN, NaN)
// too. Equal also compares bools and (from opset 19) strings, byte for byte.
#include "logic/logic.h"

namespace onyx {
namespace {

// ---- 1. registration ----

std::vector<OpVersion> equal_versions() {
  const std::vector<DType> v1 = {DType::Bool, DType::Int32, DType::Int64};
  const std::vector<DType> v11 = with_dtypes(numeric_dtypes_no_bf16(), {DType::Bool});
  const std::vector<DType> v13 = with_dtypes(numeric_dtypes(), {DType::Bool});
  return {{1, 6, v1, legacy_broadcast_attrs()},
          {7, 10, v1},
          {11, 12, v11},
          {13, 18, v13},
          {19, kOpsetOpen, with_dtypes(v13, {DType::String})}};
}

std::vector<OpVersion> greater_less_versions() {
  return {{1, 6, float_dtypes(), legacy_broadcast_attrs()},
          {7, 8, float_dtypes()},
          {9, 12, numeric_dtypes_no_bf16()},
          {13, kOpsetOpen, numeric_dtypes()}};
}

std::vector<OpVersion> or_equal_versions() {  // GreaterOrEqual, LessOrEqual
  return {{12, 15, numeric_dtypes_no_bf16()}, {16, kOpsetOpen, numeric_dtypes()}};
}

// ---- 2. attributes: the legacy broadcast's, read by LegacyBroadcast ----

// ---- 3. shape rule: infer_bool_binary ----

// ---- 4. compute ----

using EqualTypes = type_list<float, double, float16_t, bfloat16_t, int8_t, int16_t, int32_t,
                             int64_t, uint8_t, uint16_t, uint32_t, uint64_t, bool, std::string>;

struct EqualFn {
  static constexpr const char* name = "Equal";
  using Types = EqualTypes;
  template <class V>
  static bool apply(const V& a, const V& b) {
    return a == b;
  }
};

struct GreaterFn {
  static constexpr const char* name = "Greater";
  using Types = NumericTypes;
  template <class V>
  static bool apply(const V& a, const V& b) {
    return a > b;
  }
};

struct GreaterOrEqualFn {
  static constexpr const char* name = "GreaterOrEqual";
  using Types = NumericTypes;
  template <class V>
  static bool apply(const V& a, const V& b) {
    return a >= b;
  }
};

struct LessFn {
  static constexpr const char* name = "Less";
  using Types = NumericTypes;
  template <class V>
  static bool apply(const V& a, const V& b) {
    return a < b;
  }
};

struct LessOrEqualFn {
  static constexpr const char* name = "LessOrEqual";
  using Types = NumericTypes;
  template <class V>
  static bool apply(const V& a, const V& b) {
    return a <= b;
  }
};

}  // namespace

void register_compare(Registry& registry) {
  add_bool_binary<EqualFn>(registry, equal_versions());
  add_bool_binary<GreaterFn>(registry, greater_less_versions());
  add_bool_binary<GreaterOrEqualFn>(registry, or_equal_versions());
  add_bool_binary<LessFn>(registry, greater_less_versions());
  add_bool_binary<LessOrEqualFn>(registry, or_equal_versions());
}

}  // namespace onyx
