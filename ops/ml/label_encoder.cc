// LabelEncoder (ai.onnx.ml 1, 2, 4): maps each element of X through a table of keys to
// values; elements that match no key take the default. Y has X's shape.
//
//   1  classes_strings: strings -> their index in the list (first match), default_int64;
//      integers -> classes_strings[i], default_string when i is out of range.
//   2  keys_{strings,int64s,floats} -> values_{strings,int64s,floats}, default_{string,int64,
//      float} of the values' type; a repeated key maps to its last value.
//   4  also keys_tensor / values_tensor (1-D, of string, int64, int32, int16, float or
//      double) and default_tensor (one element of the values' type).
//
// Float keys match by value: -0 matches 0, and a NaN key matches every NaN (the spec).
#include <cmath>
#include <map>
#include <type_traits>

#include "ml/ml_ops.h"

namespace onyx {
namespace {

// ---- 1. registration ----

using KeyTypes = type_list<std::string, int64_t, int32_t, int16_t, float, double>;

std::vector<OpVersion> label_encoder_versions() {
  const std::vector<DType> v1 = {DType::String, DType::Int64};
  const std::vector<DType> v2 = {DType::String, DType::Int64, DType::Float};
  return {{1, 1, v1}, {2, 3, v2}, {4, kOpsetOpen, dtypes_of(KeyTypes{})}};
}

// ---- 2. attributes: the table ----

// Key -> position in the values, by kind of key: one ordered map each for strings,
// integers (int16/32/64 alike) and reals (float/double alike, NaN apart).
class KeyIndex {
 public:
  // Adds keys[i] -> i for every i; `last_wins` picks which of repeated keys counts.
  void add_all(const Tensor& keys, bool last_wins) {
    dispatch<KeyTypes>(keys.dtype(), "LabelEncoder keys", [&](auto tag) {
      using K = typename decltype(tag)::type;
      const K* k = keys.data<K>();
      for (int64_t i = 0; i < keys.numel(); ++i) {
        int64_t& slot = slot_of(k[i]);
        if (slot < 0 || last_wins) slot = i;
      }
    });
  }

  // The position of key k, or `miss` when it has none.
  template <class K>
  int64_t find(const K& k, int64_t miss) const {
    if constexpr (std::is_same_v<K, std::string>) {
      auto it = strings_.find(k);
      return it == strings_.end() ? miss : it->second;
    } else if constexpr (std::is_integral_v<K>) {
      auto it = ints_.find(static_cast<int64_t>(k));
      return it == ints_.end() ? miss : it->second;
    } else {
      const double d = static_cast<double>(k);
      if (std::isnan(d)) return nan_ < 0 ? miss : nan_;
      auto it = reals_.find(d);
      return it == reals_.end() ? miss : it->second;
    }
  }

 private:
  template <class K>
  int64_t& slot_of(const K& k) {
    if constexpr (std::is_same_v<K, std::string>) {
      return strings_.try_emplace(k, -1).first->second;
    } else if constexpr (std::is_integral_v<K>) {
      return ints_.try_emplace(static_cast<int64_t>(k), -1).first->second;
    } else {
      const double d = static_cast<double>(k);
      return std::isnan(d) ? nan_ : reals_.try_emplace(d, -1).first->second;
    }
  }

  std::map<std::string, int64_t> strings_;
  std::map<int64_t, int64_t> ints_;
  std::map<double, int64_t> reals_;  // -0.0 and 0.0 compare equal: one key
  int64_t nan_ = -1;
};

// One mapping: X's elements of `key_dtype` -> `values`, whose last element is the default.
struct Table {
  DType key_dtype = DType::Undefined;
  KeyIndex index;
  Tensor values;  // n + 1 elements
};

// keys and values (1-D, equal lengths) and a one-element default of the values' dtype.
Table make_table(const Tensor& keys, const Tensor& values, const Tensor& fallback, bool last_wins,
                 const KernelInit& init) {
  if (keys.numel() != values.numel())
    init.fail(cat("the keys (", keys.numel(), ") and values (", values.numel(),
                  ") must have the same length"));
  if (fallback.dtype() != values.dtype() || fallback.numel() != 1)
    init.fail("the default must be one value of the values' type " +
              std::string(dtype_name(values.dtype())) + ", got " + fallback.describe());
  Table table;
  table.key_dtype = keys.dtype();
  table.index.add_all(keys, last_wins);
  const int64_t n = values.numel();
  table.values = Tensor(values.dtype(), {n + 1});
  dispatch_by_size(values.dtype(), "LabelEncoder values", [&](auto tag) {
    using U = typename decltype(tag)::type;
    U* out = static_cast<U*>(table.values.raw());
    const U* in = static_cast<const U*>(values.raw());
    for (int64_t i = 0; i < n; ++i) out[i] = in[i];
    out[n] = *static_cast<const U*>(fallback.raw());
  });
  return table;
}

// The list attribute `prefix` + {strings, int64s, floats}, or `prefix` + "tensor" (opset 4),
// as a 1-D tensor; exactly one must be given.
Tensor one_of(const Attrs& attrs, const std::string& prefix, int opset, const KernelInit& init) {
  std::vector<Tensor> found;
  if (attrs.has(prefix + "strings")) {
    std::vector<std::string> v = attrs.get_strings(prefix + "strings");
    found.push_back(Tensor::from_vector<std::string>({static_cast<int64_t>(v.size())}, v));
  }
  if (attrs.has(prefix + "int64s")) {
    std::vector<int64_t> v = attrs.get_ints(prefix + "int64s");
    found.push_back(Tensor::from_vector<int64_t>({static_cast<int64_t>(v.size())}, v));
  }
  if (attrs.has(prefix + "floats")) {
    std::vector<float> v = attrs.get_floats(prefix + "floats");
    found.push_back(Tensor::from_vector<float>({static_cast<int64_t>(v.size())}, v));
  }
  if (opset >= 4 && attrs.has(prefix + "tensor")) {
    const Tensor& t = *attrs.get_tensor(prefix + "tensor");
    if (t.rank() != 1 || !dtype_in(KeyTypes{}, t.dtype()))
      init.fail(cat(prefix,
                    "tensor must be a 1-D tensor of string, int64, int32, int16, float or "
                    "double, got ",
                    t.describe()));
    found.push_back(t);
  }
  const std::string kinds =
      opset >= 4 ? "strings, int64s, floats, tensor" : "strings, int64s, floats";
  if (found.size() != 1)
    init.fail(cat("exactly one of ", prefix, "{", kinds, "} must be given, got ", found.size()));
  return found[0];
}

// The default for values of `dtype`: default_tensor when given (opset 4), else the typed
// attribute, else the spec's fallback (-1, -0.0 or "_Unused").
Tensor default_of(const Attrs& attrs, DType dtype, int opset) {
  if (opset >= 4 && attrs.has("default_tensor")) return *attrs.get_tensor("default_tensor");
  Tensor t(dtype, {1});
  if (dtype == DType::String) {
    t.data<std::string>()[0] = attrs.get_string("default_string", "_Unused");
    return t;
  }
  if (dtype == DType::Float || dtype == DType::Double) {
    const double d = attrs.get_float("default_float", -0.0f);
    dispatch<type_list<float, double>>(dtype, "LabelEncoder", [&](auto tag) {
      using V = typename decltype(tag)::type;
      t.data<V>()[0] = static_cast<V>(d);
    });
    return t;
  }
  const int64_t i = attrs.get_int("default_int64", -1);
  dispatch<type_list<int64_t, int32_t, int16_t>>(dtype, "LabelEncoder", [&](auto tag) {
    using V = typename decltype(tag)::type;
    t.data<V>()[0] = static_cast<V>(i);
  });
  return t;
}

// The output dtype the attributes give for input dtype `x` (Undefined when unknown).
DType output_dtype(const Node& node, DType x) {
  if (node.opset < 2) {
    if (x == DType::String) return DType::Int64;
    if (x == DType::Int64) return DType::String;
    return node.find_attr("default_string") ? DType::String : DType::Int64;
  }
  if (node.find_attr("values_strings")) return DType::String;
  if (node.find_attr("values_int64s")) return DType::Int64;
  if (node.find_attr("values_floats")) return DType::Float;
  if (const Attribute* a = node.find_attr("values_tensor"); a && node.opset >= 4)
    return a->t.dtype();
  return DType::Undefined;
}

// ---- 3. shape rule ----

void infer_label_encoder(InferContext& ctx) {
  const TypeInfo& x = ctx.input(0);
  ctx.set_output(0, TypeInfo::tensor(output_dtype(ctx.node(), x.elem), x.shape));
}

// ---- 4. compute ----

class LabelEncoderKernel final : public Kernel {
 public:
  explicit LabelEncoderKernel(const KernelInit& init) {
    const Attrs& attrs = init.attrs();
    if (init.opset() < 2) {
      // Both directions of the one list; X's dtype picks one at run time.
      const std::vector<std::string> classes = attrs.get_strings("classes_strings");
      const int64_t n = static_cast<int64_t>(classes.size());
      std::vector<int64_t> positions(classes.size());
      for (int64_t i = 0; i < n; ++i) positions[static_cast<size_t>(i)] = i;
      const Tensor names = Tensor::from_vector<std::string>({n}, classes);
      const Tensor ids = Tensor::from_vector<int64_t>({n}, positions);
      tables_.push_back(make_table(names, ids, default_of(attrs, DType::Int64, 1), false, init));
      tables_.push_back(make_table(ids, names, default_of(attrs, DType::String, 1), false, init));
      return;
    }
    const Tensor keys = one_of(attrs, "keys_", init.opset(), init);
    const Tensor values = one_of(attrs, "values_", init.opset(), init);
    tables_.push_back(
        make_table(keys, values, default_of(attrs, values.dtype(), init.opset()), true, init));
  }

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Table* table = nullptr;
    for (const Table& t : tables_)
      if (t.key_dtype == x.dtype()) table = &t;
    if (!table)
      ctx.fail(cat("X must be a tensor of the keys' type ", dtype_name(tables_[0].key_dtype),
                   ", got ", x.describe()));
    // Each element's position in the values; a miss is the default, after the last value.
    const int64_t miss = table->values.numel() - 1;
    std::vector<int64_t> position(static_cast<size_t>(x.numel()));
    dispatch<KeyTypes>(x.dtype(), "LabelEncoder", [&](auto tag) {
      using K = typename decltype(tag)::type;
      const K* px = x.data<K>();
      for (int64_t i = 0; i < x.numel(); ++i)
        position[static_cast<size_t>(i)] = table->index.find(px[i], miss);
    });
    Tensor& y = ctx.allocate_output(0, table->values.dtype(), x.shape());
    dispatch_by_size(y.dtype(), "LabelEncoder", [&](auto tag) {
      using U = typename decltype(tag)::type;
      const U* values = static_cast<const U*>(table->values.raw());
      U* py = static_cast<U*>(y.raw());
      for (int64_t i = 0; i < x.numel(); ++i) py[i] = values[position[static_cast<size_t>(i)]];
    });
  }

 private:
  std::vector<Table> tables_;
};

}  // namespace

void register_label_encoder(Registry& registry) {
  add_ml_op(registry, "LabelEncoder", label_encoder_versions(), make_kernel<LabelEncoderKernel>(),
            infer_label_encoder);
}

}  // namespace onyx
