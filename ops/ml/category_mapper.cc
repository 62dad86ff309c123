// CategoryMapper (ai.onnx.ml, 1): maps strings to integers or integers to strings through
// the pairs (cats_strings[i], cats_int64s[i]). X's dtype picks the direction: strings
// become int64 (default_int64 when unlisted), int64 become strings (default_string).
// Y has X's shape. A repeated category maps to its first pair.
#include <map>

#include "ml/ml_ops.h"

namespace onyx {
namespace {

class CategoryMapperKernel final : public Kernel {
 public:
  explicit CategoryMapperKernel(const KernelInit& init) {
    const Attrs& attrs = init.attrs();
    const std::vector<int64_t> ints = attrs.get_ints("cats_int64s");
    const std::vector<std::string> strings = attrs.get_strings("cats_strings");
    if (ints.size() != strings.size())
      init.fail(cat("cats_int64s (", ints.size(), ") and cats_strings (", strings.size(),
                    ") must have the same length"));
    for (size_t i = 0; i < ints.size(); ++i) {
      to_int_.try_emplace(strings[i], ints[i]);
      to_string_.try_emplace(ints[i], strings[i]);
    }
    default_int_ = attrs.get_int("default_int64", -1);
    default_string_ = attrs.get_string("default_string", "_Unused");
  }

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (x.dtype() == DType::String) {
      Tensor& y = ctx.allocate_uninitialized_output(0, DType::Int64, x.shape());
      for (int64_t i = 0; i < x.numel(); ++i) {
        auto it = to_int_.find(x.data<std::string>()[i]);
        y.data<int64_t>()[i] = it == to_int_.end() ? default_int_ : it->second;
      }
    } else if (x.dtype() == DType::Int64) {
      Tensor& y = ctx.allocate_output(0, DType::String, x.shape());
      for (int64_t i = 0; i < x.numel(); ++i) {
        auto it = to_string_.find(x.data<int64_t>()[i]);
        y.data<std::string>()[i] = it == to_string_.end() ? default_string_ : it->second;
      }
    } else {
      ctx.fail("X must be a string or int64 tensor, got " + x.describe());
    }
  }

 private:
  std::map<std::string, int64_t> to_int_;
  std::map<int64_t, std::string> to_string_;
  int64_t default_int_ = -1;
  std::string default_string_;
};

void infer_category_mapper(InferContext& ctx) {
  const TypeInfo& x = ctx.input(0);
  const DType y = x.elem == DType::String  ? DType::Int64
                  : x.elem == DType::Int64 ? DType::String
                                           : DType::Undefined;
  ctx.set_output(0, TypeInfo::tensor(y, x.shape));
}

}  // namespace

void register_category_mapper(Registry& registry) {
  add_ml_op(registry, "CategoryMapper",
            {{1,
              kOpsetOpen,
              {DType::String, DType::Int64},
              {{"cats_int64s", AttrType::Ints},
               {"cats_strings", AttrType::Strings},
               {"default_int64", AttrType::Int},
               {"default_string", AttrType::String}}}},
            make_kernel<CategoryMapperKernel>(), infer_category_mapper);
}

}  // namespace onyx
