// StringNormalizer: drops the elements of a [C] or [1, C] string tensor that are stopwords,
// then lower-cases, upper-cases or keeps the rest (case_change_action LOWER, UPPER, NONE).
// With is_case_sensitive=0 (the default) an element is a stopword when it equals one
// ignoring case. When every element is dropped the output is [1] (or [1, 1]) holding one
// empty string; an empty input drops nothing and comes back as it is.
//
// Case mapping is our own (text/unicode.h): Unicode's simple mapping for Latin, Greek and
// Cyrillic, the same on every host. The `locale` attribute is accepted and checked to be a
// string, but the mapping does not depend on it (no per-language rules such as Turkish
// dotted i). Strings must be valid UTF-8; anything else is an error.
#include <unordered_set>

#include "common/shape_utils.h"
#include "onyx/kernel.h"
#include "text/text_ops.h"
#include "text/unicode.h"

namespace onyx {
namespace {

// ---- 1. registration ----

std::vector<OpVersion> string_normalizer_versions() {
  return {{10,
           kOpsetOpen,
           {DType::String},
           {{"case_change_action", AttrType::String},
            {"is_case_sensitive", AttrType::Int},
            {"locale", AttrType::String},
            {"stopwords", AttrType::Strings}}}};
}

// ---- 2. attributes ----

struct NormalizerParams {
  text::CaseChange action = text::CaseChange::None;
  bool case_sensitive = false;
  std::vector<std::string> stopwords;

  template <class Ctx>
  static NormalizerParams read(const Attrs& attrs, Ctx& ctx) {
    NormalizerParams p;
    std::string action = attrs.get_string("case_change_action", "NONE");
    if (action == "LOWER") {
      p.action = text::CaseChange::Lower;
    } else if (action == "UPPER") {
      p.action = text::CaseChange::Upper;
    } else if (action != "NONE") {
      ctx.fail(
          cat("attribute 'case_change_action' must be LOWER, UPPER or NONE, got '", action, "'"));
    }
    int64_t sensitive = attrs.get_int("is_case_sensitive", 0);
    if (sensitive != 0 && sensitive != 1)
      ctx.fail(cat("attribute 'is_case_sensitive' must be 0 or 1, got ", sensitive));
    p.case_sensitive = sensitive == 1;
    attrs.get_string("locale", "");  // accepted; the mapping is locale-independent
    p.stopwords = attrs.get_strings("stopwords");
    return p;
  }
};

// Input rank 1, or rank 2 with a leading 1; `dims` are the input's (maybe symbolic) dims.
template <class Ctx>
void check_input_dims(const std::vector<Dim>& dims, Ctx& ctx) {
  if (dims.size() == 1) return;
  if (dims.size() == 2 && (!dims[0].is_known() || dims[0].value == 1)) return;
  std::string shape;
  for (const Dim& d : dims) shape += (shape.empty() ? "" : ", ") + d.to_string();
  ctx.fail(cat("the input must have shape [C] or [1, C], got [", shape, "]"));
}

std::vector<Dim> dims_of(const Shape& shape) {
  std::vector<Dim> dims;
  for (int64_t d : shape) dims.push_back(Dim::known(d));
  return dims;
}

// ---- 3. shape rule ----

void infer_string_normalizer(InferContext& ctx) {
  NormalizerParams p = NormalizerParams::read(Attrs(ctx.node(), ctx.label()), ctx);
  const TypeInfo& in = ctx.input(0);
  if (in.elem != DType::Undefined && in.elem != DType::String)
    ctx.fail(cat("the input must be a string tensor, got ", dtype_name(in.elem)));
  TypeInfo out = TypeInfo::tensor(DType::String);
  if (in.shape) {
    check_input_dims(*in.shape, ctx);
    out.shape = *in.shape;
    // Without stopwords nothing is dropped; with them the count depends on the data.
    if (!p.stopwords.empty()) out.shape->back() = Dim{};
  }
  ctx.set_output(0, out);
}

// ---- 4. compute ----

class StringNormalizerKernel final : public Kernel {
 public:
  explicit StringNormalizerKernel(const KernelInit& init)
      : params_(NormalizerParams::read(init.attrs(), init)) {
    const TypeInfo& in = init.input_type(0);
    if (in.shape) check_input_dims(*in.shape, init);
    // Stopwords are kept as their comparison keys (case-folded unless case-sensitive).
    for (const std::string& word : params_.stopwords) {
      std::string key;
      size_t bad = 0;
      if (!text::change_case(word, compare_mode(), key, bad))
        init.fail(cat("stopword '", word, "' is not valid UTF-8 (byte ", bad, ")"));
      stop_keys_.insert(std::move(key));
    }
  }

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (x.dtype() != DType::String)
      ctx.fail(cat("the input must be a string tensor, got ", x.describe()));
    check_input_dims(dims_of(x.shape()), ctx);
    const std::string* in = x.data<std::string>();
    std::vector<std::string> kept;
    auto mapped = [&](int64_t i, text::CaseChange change) {
      std::string out;
      size_t bad = 0;
      if (!text::change_case(in[i], change, out, bad))
        ctx.fail(cat("input element ", i, " is not valid UTF-8 (byte ", bad, ")"));
      return out;
    };
    for (int64_t i = 0; i < x.numel(); ++i) {
      if (!stop_keys_.empty() && stop_keys_.count(mapped(i, compare_mode())) != 0) continue;
      kept.push_back(mapped(i, params_.action));  // also checks UTF-8 without stopwords
    }
    // Everything dropped: one empty string, as the spec asks.
    if (kept.empty() && x.numel() > 0) kept.emplace_back();
    Shape shape = x.shape();
    shape.back() = static_cast<int64_t>(kept.size());
    Tensor& y = ctx.allocate_output(0, DType::String, shape);
    std::string* out = y.data<std::string>();
    for (size_t i = 0; i < kept.size(); ++i) out[i] = std::move(kept[i]);
  }

 private:
  text::CaseChange compare_mode() const {
    return params_.case_sensitive ? text::CaseChange::None : text::CaseChange::Fold;
  }

  NormalizerParams params_;
  std::unordered_set<std::string> stop_keys_;
};

}  // namespace

void register_string_normalizer(Registry& registry) {
  add_op_versions(registry, "StringNormalizer", string_normalizer_versions(),
                  make_kernel<StringNormalizerKernel>(), infer_string_normalizer);
}

}  // namespace onyx
