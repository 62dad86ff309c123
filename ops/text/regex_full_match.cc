// RegexFullMatch: Y[i] = whether string X[i] matches `pattern` as a whole (not just a part of
// it). The spec names RE2's syntax, so RE2 itself compiles the pattern, once per node; strings
// are matched as UTF-8, as RE2 does by default.
//
// The spec lists `pattern` as optional but gives no default; the reference implementation
// fails without one (it compiles None), and so does this kernel.
#include <re2/re2.h>

#include <memory>

#include "common/shape_utils.h"
#include "onyx/kernel.h"
#include "text/text_ops.h"

namespace onyx {
namespace {

// ---- 1. registration ----

std::vector<OpVersion> regex_full_match_versions() {
  return {{20, kOpsetOpen, {DType::String}, {{"pattern", AttrType::String}}}};
}

// ---- 2. attributes ----

template <class Ctx>
std::string read_pattern(const Attrs& attrs, Ctx& ctx) {
  if (!attrs.has("pattern")) ctx.fail("attribute 'pattern' is required");
  return attrs.get_string("pattern", "");
}

template <class Ctx>
void check_input(int count, DType x, Ctx& ctx) {
  if (count != 1) ctx.fail(cat("takes 1 input, got ", count));
  if (x != DType::Undefined && x != DType::String)
    ctx.fail(cat("the input must be a string tensor, got ", dtype_name(x)));
}

// ---- 3. shape rule ----

void infer_regex_full_match(InferContext& ctx) {
  read_pattern(Attrs(ctx.node(), ctx.label()), ctx);
  check_input(ctx.num_inputs(), ctx.input(0).elem, ctx);
  ctx.set_output(0, TypeInfo::tensor(DType::Bool, ctx.input(0).shape));
}

// ---- 4. compute ----

class RegexFullMatchKernel final : public Kernel {
 public:
  explicit RegexFullMatchKernel(const KernelInit& init) {
    check_input(init.num_inputs(), init.input_dtype(0), init);
    std::string pattern = read_pattern(init.attrs(), init);
    RE2::Options options;
    options.set_log_errors(false);  // the error goes into our message instead of stderr
    regex_ = std::make_unique<RE2>(pattern, options);
    if (!regex_->ok())
      init.fail(cat("attribute 'pattern' is not a valid RE2 pattern: '", pattern,
                    "': ", regex_->error()));
  }

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    check_input(ctx.num_inputs(), x.dtype(), ctx);
    Tensor& y = ctx.allocate_uninitialized_output(0, DType::Bool, x.shape());
    const std::string* in = x.data<std::string>();
    bool* out = y.data<bool>();
    // A compiled RE2 is safe to match from several threads at once.
    for (int64_t i = 0; i < x.numel(); ++i) out[i] = RE2::FullMatch(in[i], *regex_);
  }

 private:
  std::unique_ptr<RE2> regex_;
};

}  // namespace

void register_regex_full_match(Registry& registry) {
  add_op_versions(registry, "RegexFullMatch", regex_full_match_versions(),
                  make_kernel<RegexFullMatchKernel>(), infer_regex_full_match);
}

}  // namespace onyx
