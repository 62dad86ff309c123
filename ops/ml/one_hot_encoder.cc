// OneHotEncoder (ai.onnx.ml, 1): each element of X becomes a row of K floats, 1 at the
// index of its category and 0 elsewhere, so Y has X's shape plus a last axis of K.
// Strings look up cats_strings; numbers are cast to int64 (truncated) and look up
// cats_int64s. An element of no category gives zeros, or an error when zeros = 0.
#include <map>

#include "ml/ml_ops.h"

namespace onyx {
namespace {

using OneHotTypes = type_list<std::string, int64_t, int32_t, float, double>;

class OneHotEncoderKernel final : public Kernel {
 public:
  explicit OneHotEncoderKernel(const KernelInit& init) {
    const Attrs& attrs = init.attrs();
    const std::vector<int64_t> ints = attrs.get_ints("cats_int64s");
    const std::vector<std::string> strings = attrs.get_strings("cats_strings");
    if (ints.empty() == strings.empty())
      init.fail("exactly one of cats_int64s and cats_strings must be given");
    strings_ = !strings.empty();
    // A repeated category keeps its first index.
    for (size_t i = 0; i < ints.size(); ++i) int_index_.try_emplace(ints[i], i);
    for (size_t i = 0; i < strings.size(); ++i) string_index_.try_emplace(strings[i], i);
    categories_ = static_cast<int64_t>(strings_ ? strings.size() : ints.size());
    zeros_ = attrs.get_int("zeros", 1) != 0;
  }

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if ((x.dtype() == DType::String) != strings_)
      ctx.fail(
          cat("X is ", x.describe(), ", but the categories are ", strings_ ? "strings" : "int64s"));
    Shape shape = x.shape();
    shape.push_back(categories_);
    Tensor& y = ctx.allocate_output(0, DType::Float, shape);  // zero-filled
    float* py = y.data<float>();
    dispatch<OneHotTypes>(x.dtype(), "OneHotEncoder", [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* px = x.data<T>();
      for (int64_t i = 0; i < x.numel(); ++i) {
        int64_t index = -1;
        if constexpr (std::is_same_v<T, std::string>) {
          auto it = string_index_.find(px[i]);
          if (it != string_index_.end()) index = static_cast<int64_t>(it->second);
        } else {
          // A NaN or out-of-range number is no category (casting it would be undefined).
          const double v = static_cast<double>(px[i]);
          if (v > -9.2e18 && v < 9.2e18) {
            auto it = int_index_.find(static_cast<int64_t>(v));
            if (it != int_index_.end()) index = static_cast<int64_t>(it->second);
          }
        }
        if (index >= 0)
          py[i * categories_ + index] = 1;
        else if (!zeros_)
          ctx.fail(cat("element ", i, " of X is in no category, and zeros = 0"));
      }
    });
  }

 private:
  bool strings_ = false, zeros_ = true;
  int64_t categories_ = 0;
  std::map<int64_t, size_t> int_index_;
  std::map<std::string, size_t> string_index_;
};

void infer_one_hot_encoder(InferContext& ctx) {
  const TypeInfo& x = ctx.input(0);
  const Node& node = ctx.node();
  const Attribute* ints = node.find_attr("cats_int64s");
  const Attribute* strings = node.find_attr("cats_strings");
  std::optional<std::vector<Dim>> shape;
  if (x.shape) {
    shape = *x.shape;
    const size_t k = ints ? ints->ints.size() : strings ? strings->strings.size() : 0;
    shape->push_back(ints || strings ? Dim::known(static_cast<int64_t>(k)) : Dim{});
  }
  ctx.set_output(0, TypeInfo::tensor(DType::Float, shape));
}

}  // namespace

void register_one_hot_encoder(Registry& registry) {
  add_ml_op(registry, "OneHotEncoder",
            {{1,
              kOpsetOpen,
              dtypes_of(OneHotTypes{}),
              {{"cats_int64s", AttrType::Ints},
               {"cats_strings", AttrType::Strings},
               {"zeros", AttrType::Int}}}},
            make_kernel<OneHotEncoderKernel>(), infer_one_hot_encoder);
}

}  // namespace onyx
