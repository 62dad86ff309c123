// StringSplit: splits every string of X into substrings. Output Y has X's shape plus one last
// dim as long as the longest split, shorter splits padded with empty strings; output Z (int64,
// X's shape) holds each element's count of substrings.
//
// With a delimiter, every occurrence splits (consecutive ones delimit empty strings, and ""
// gives one empty substring). Without one (absent or ""), runs of whitespace split and
// leading or trailing whitespace yields nothing, so "" and "  " give no substrings. At most
// `maxsplit` splits are made, left to right; the rest of the string is the last substring.
//
// The reference implementation (numpy.char.split, i.e. Python's str.split) decides the
// details the spec leaves open: a negative maxsplit splits without limit; in whitespace mode
// the remainder after the last split has its leading whitespace dropped but keeps its
// trailing whitespace; "whitespace" is Python's str.isspace() set, Unicode spaces included.
#include <string_view>

#include "common/shape_utils.h"
#include "onyx/kernel.h"
#include "text/text_ops.h"

namespace onyx {
namespace {

// ---- 1. registration ----

std::vector<OpVersion> string_split_versions() {
  return {{20,
           kOpsetOpen,
           {DType::String},
           {{"delimiter", AttrType::String}, {"maxsplit", AttrType::Int}}}};
}

// ---- 2. attributes ----

struct SplitParams {
  std::string delimiter;  // empty: split on runs of whitespace
  int64_t maxsplit = -1;  // negative: no limit

  static SplitParams read(const Attrs& attrs) {
    SplitParams p;
    p.delimiter = attrs.get_string("delimiter", "");
    p.maxsplit = attrs.get_int("maxsplit", -1);
    return p;
  }
};

template <class Ctx>
void check_input(int count, DType x, Ctx& ctx) {
  if (count != 1) ctx.fail(cat("takes 1 input, got ", count));
  if (x != DType::Undefined && x != DType::String)
    ctx.fail(cat("the input must be a string tensor, got ", dtype_name(x)));
}

// ---- 3. shape rule ----

void infer_string_split(InferContext& ctx) {
  check_input(ctx.num_inputs(), ctx.input(0).elem, ctx);
  const std::optional<std::vector<Dim>>& in = ctx.input(0).shape;
  std::optional<std::vector<Dim>> y = in;
  if (y) y->push_back(Dim{});  // the longest split is known only from the data
  ctx.set_output(0, TypeInfo::tensor(DType::String, y));
  if (ctx.num_outputs() > 1) ctx.set_output(1, TypeInfo::tensor(DType::Int64, in));
}

// ---- 4. compute ----

// Byte length of the whitespace character starting at s[i], or 0 when there is none. The
// multi-byte ones are matched as their UTF-8 encodings: their lead bytes never occur inside
// another character, so scanning byte by byte cannot match mid-character.
size_t whitespace_at(std::string_view s, size_t i) {
  auto c = [&](size_t k) { return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0; };
  unsigned char b0 = c(0);
  if (b0 == ' ' || (b0 >= 0x09 && b0 <= 0x0D) || (b0 >= 0x1C && b0 <= 0x1F)) return 1;
  if (b0 == 0xC2) return (c(1) == 0x85 || c(1) == 0xA0) ? 2 : 0;  // U+0085, U+00A0
  if (b0 == 0xE1) return (c(1) == 0x9A && c(2) == 0x80) ? 3 : 0;  // U+1680
  if (b0 == 0xE3) return (c(1) == 0x80 && c(2) == 0x80) ? 3 : 0;  // U+3000
  if (b0 != 0xE2) return 0;
  unsigned char b1 = c(1), b2 = c(2);
  if (b1 == 0x80 && ((b2 >= 0x80 && b2 <= 0x8A) || b2 == 0xA8 || b2 == 0xA9 || b2 == 0xAF))
    return 3;                                 // U+2000..U+200A, U+2028, U+2029, U+202F
  return (b1 == 0x81 && b2 == 0x9F) ? 3 : 0;  // U+205F
}

size_t skip_whitespace(std::string_view s, size_t i) {
  while (i < s.size()) {
    size_t n = whitespace_at(s, i);
    if (n == 0) break;
    i += n;
  }
  return i;
}

// Appends the substrings of `s` (views into it) to `out`.
void split_whitespace(std::string_view s, int64_t maxsplit, std::vector<std::string_view>& out) {
  size_t i = 0;
  for (int64_t splits = 0; maxsplit < 0 || splits < maxsplit; ++splits) {
    i = skip_whitespace(s, i);
    if (i == s.size()) return;
    size_t start = i;
    while (i < s.size() && whitespace_at(s, i) == 0) ++i;
    out.push_back(s.substr(start, i - start));
  }
  i = skip_whitespace(s, i);
  if (i < s.size()) out.push_back(s.substr(i));
}

void split_delimiter(std::string_view s, std::string_view delimiter, int64_t maxsplit,
                     std::vector<std::string_view>& out) {
  size_t pos = 0;
  for (int64_t splits = 0; maxsplit < 0 || splits < maxsplit; ++splits) {
    size_t found = s.find(delimiter, pos);
    if (found == std::string_view::npos) break;
    out.push_back(s.substr(pos, found - pos));
    pos = found + delimiter.size();
  }
  out.push_back(s.substr(pos));
}

class StringSplitKernel final : public Kernel {
 public:
  explicit StringSplitKernel(const KernelInit& init) : params_(SplitParams::read(init.attrs())) {
    check_input(init.num_inputs(), init.input_dtype(0), init);
    if (init.num_outputs() < 1 || init.num_outputs() > 2)
      init.fail(cat("has outputs Y and Z, got ", init.num_outputs(), " outputs"));
  }

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    check_input(ctx.num_inputs(), x.dtype(), ctx);
    const std::string* in = x.data<std::string>();
    const int64_t n = x.numel();
    // All substrings, element after element, as views into the input.
    std::vector<std::string_view> pieces;
    std::vector<int64_t> counts(static_cast<size_t>(n));
    int64_t longest = 0;
    for (int64_t e = 0; e < n; ++e) {
      size_t before = pieces.size();
      if (params_.delimiter.empty())
        split_whitespace(in[e], params_.maxsplit, pieces);
      else
        split_delimiter(in[e], params_.delimiter, params_.maxsplit, pieces);
      counts[e] = static_cast<int64_t>(pieces.size() - before);
      longest = std::max(longest, counts[e]);
    }
    Shape y_shape = x.shape();
    y_shape.push_back(longest);
    try {
      // Padding can make Y far larger than the substrings: refuse overflowing byte counts.
      checked_numel({n, longest, static_cast<int64_t>(sizeof(std::string))});
    } catch (const Error&) {
      ctx.fail(cat("output Y of shape ", shape_to_string(y_shape), " is too large"));
    }
    Tensor& y = ctx.allocate_output(0, DType::String, y_shape);
    std::string* out = y.data<std::string>();
    size_t next = 0;
    for (int64_t e = 0; e < n; ++e)
      for (int64_t k = 0; k < counts[e]; ++k) out[e * longest + k] = pieces[next++];
    if (ctx.has_output(1)) {
      Tensor& z = ctx.allocate_output(1, DType::Int64, x.shape());
      std::copy(counts.begin(), counts.end(), z.data<int64_t>());
    }
  }

 private:
  SplitParams params_;
};

}  // namespace

void register_string_split(Registry& registry) {
  add_op_versions(registry, "StringSplit", string_split_versions(),
                  make_kernel<StringSplitKernel>(), infer_string_split);
}

}  // namespace onyx
