// Split: cuts a tensor along `axis` into one piece per output.
//
// The piece lengths come from the `split` attribute (opsets 1-12; opset 1 also takes them
// as an optional input 1) or the `split` input (13+); they must add up to the axis's
// length. Without them the axis is cut into equal pieces (it must divide evenly), except
// from opset 18, where one of `split` and `num_outputs` is required: `num_outputs` pieces
// of ceil(n / num_outputs), the last one smaller. Negative axes count from the back; the
// spec documents them from opset 11, but PyTorch exports them at older opsets too (the
// backend's test_GLU), so every version takes them.
#include <algorithm>
#include <optional>

#include "common/shape_utils.h"
#include "onyx/kernel.h"
#include "tensor/movement.h"
#include "tensor/tensor_ops.h"

namespace onyx {
namespace {

// ---- 1. registration ----

std::vector<OpVersion> split_versions() {
  const std::map<std::string, AttrType> attrs = {{"axis", AttrType::Int},
                                                 {"split", AttrType::Ints}};
  const std::map<std::string, AttrType> axis = {{"axis", AttrType::Int}};
  return {
      {1, 1, float_dtypes(), attrs},
      {2, 10, all_dtypes(), attrs},
      {11, 12, all_dtypes(), attrs},    // negative axes documented
      {13, 17, all_dtypes_13(), axis},  // split becomes input 1
      {18, kOpsetOpen, all_dtypes_13(), {{"axis", AttrType::Int}, {"num_outputs", AttrType::Int}}}};
}

// ---- 2. attributes ----

struct SplitParams {
  int64_t axis = 0;
  std::optional<std::vector<int64_t>> split;  // from the attribute
  std::optional<int64_t> num_outputs;         // opset 18
  int opset = 0;
  int outputs = 0;

  template <class Ctx>
  static SplitParams read(const Attrs& attrs, int opset, int outputs, Ctx& ctx) {
    SplitParams p;
    p.opset = opset;
    p.outputs = outputs;
    p.axis = attrs.get_int("axis", 0);
    if (outputs < 1) ctx.fail("Split needs at least one output");
    if (opset < 13 && attrs.has("split")) p.split = attrs.get_ints("split");
    if (opset >= 18 && attrs.has("num_outputs")) {
      p.num_outputs = attrs.get_int("num_outputs", 0);
      if (*p.num_outputs < 1)
        ctx.fail(cat("attribute 'num_outputs' must be positive, got ", *p.num_outputs));
      if (*p.num_outputs != outputs)
        ctx.fail(cat("attribute 'num_outputs' is ", *p.num_outputs, " but the node has ", outputs,
                     " outputs"));
    }
    return p;
  }

  // Whether input 1 carries the lengths (opset 1's optional input, or opset 13+).
  bool split_from_input() const { return opset == 1 || opset >= 13; }
};

// Lengths from input 1: int64 from opset 13; opset 1 types them like the data (floats).
template <class Ctx>
std::vector<int64_t> split_input(const Tensor& t, int opset, Ctx& ctx) {
  if (opset >= 13 && t.dtype() != DType::Int64)
    ctx.fail(cat("the split input must be int64, got ", t.describe()));
  if (t.rank() > 1) ctx.fail(cat("the split input must be 1-D, got ", t.describe()));
  std::vector<int64_t> out;
  dispatch<NumericTypes>(t.dtype(), "Split", [&](auto tag) {
    using T = typename decltype(tag)::type;
    for (int64_t i = 0; i < t.numel(); ++i) {
      double v = static_cast<double>(t.data<T>()[i]);
      if (v != static_cast<double>(static_cast<int64_t>(v)))
        ctx.fail(cat("split length ", v, " is not an integer"));
      out.push_back(static_cast<int64_t>(v));
    }
  });
  return out;
}

// The piece lengths for an axis of length n; fails through ctx when they do not fit.
template <class Ctx>
std::vector<int64_t> piece_lengths(const SplitParams& p,
                                   const std::optional<std::vector<int64_t>>& split, int64_t n,
                                   Ctx& ctx) {
  int64_t k = p.outputs;
  if (split && p.num_outputs) ctx.fail("give either the split input or 'num_outputs', not both");
  if (split) {
    if (static_cast<int64_t>(split->size()) != k)
      ctx.fail(cat("split has ", split->size(), " lengths for ", k, " outputs"));
    int64_t sum = 0;
    bool over = false;  // stop adding before the sum could overflow
    for (int64_t s : *split) {
      if (s < 0) ctx.fail(cat("split lengths must be >= 0, got ", s));
      over |= s > n - sum;
      if (!over) sum += s;
    }
    if (over || sum != n)
      ctx.fail(
          cat("split lengths ", shape_to_string(*split), " do not add up to the axis length ", n));
    return *split;
  }
  if (p.num_outputs) {
    int64_t chunk = (n + k - 1) / k;
    if (chunk * (k - 1) > n)
      ctx.fail(cat("cannot cut an axis of length ", n, " into ", k, " pieces of ", chunk,
                   " with a smaller last one"));
    std::vector<int64_t> out(static_cast<size_t>(k), chunk);
    out.back() = n - chunk * (k - 1);
    return out;
  }
  if (p.opset >= 18) ctx.fail("from opset 18 either the split input or 'num_outputs' is required");
  if (n % k != 0) ctx.fail(cat("cannot split an axis of length ", n, " into ", k, " equal pieces"));
  return std::vector<int64_t>(static_cast<size_t>(k), n / k);
}

// ---- 3. shape rule ----

std::vector<Shape> piece_shapes(const Shape& in, size_t axis, const std::vector<int64_t>& lengths);
void split_into(const Tensor& in, size_t axis, const std::vector<int64_t>& lengths,
                const std::vector<Tensor*>& outs);

void infer_split(InferContext& ctx) {
  SplitParams p =
      SplitParams::read(Attrs(ctx.node(), ctx.label()), ctx.opset(), ctx.num_outputs(), ctx);
  const TypeInfo& in = ctx.input(0);
  std::optional<std::vector<int64_t>> split = p.split;
  bool split_known = true;
  if (p.split_from_input() && ctx.has_input(1)) {
    if (const Tensor* c = ctx.constant(1)) {
      split = split_input(*c, ctx.opset(), ctx);
    } else {
      split_known = false;
    }
  }
  std::optional<std::vector<int64_t>> lengths;
  size_t axis = 0;
  if (in.shape) {
    axis = checked_axis(p.axis, in.shape->size(), true, ctx);
    const Dim& n = (*in.shape)[axis];
    if (n.is_known() && split_known) lengths = piece_lengths(p, split, n.value, ctx);
  }
  for (int i = 0; i < ctx.num_outputs(); ++i) {
    TypeInfo out = TypeInfo::tensor(in.elem, in.shape);
    if (out.shape) (*out.shape)[axis] = lengths ? Dim::known((*lengths)[i]) : Dim{};
    ctx.set_output(i, out);
  }
  // Fold small constants (shape vectors cut apart by exported models).
  const Tensor* c = ctx.constant(0);
  if (!c || !lengths || c->numel() > kMaxFoldElements) return;
  std::vector<Tensor> outs;
  std::vector<Tensor*> targets;
  for (const Shape& piece : piece_shapes(c->shape(), axis, *lengths))
    outs.emplace_back(c->dtype(), piece);
  for (Tensor& t : outs) targets.push_back(&t);
  split_into(*c, axis, *lengths, targets);
  for (int i = 0; i < ctx.num_outputs(); ++i) ctx.set_output_constant(i, outs[i]);
}

// ---- 4. compute ----

// Each piece copies, for every index over the dims before `axis`, its run of rows.
// The pieces' shapes: `in`'s with `axis` cut to each length.
std::vector<Shape> piece_shapes(const Shape& in, size_t axis, const std::vector<int64_t>& lengths) {
  std::vector<Shape> shapes;
  for (int64_t len : lengths) {
    shapes.push_back(in);
    shapes.back()[axis] = len;
  }
  return shapes;
}

// Copies the pieces into `outs`, one tensor of piece_shapes' shape each.
void split_into(const Tensor& in, size_t axis, const std::vector<int64_t>& lengths,
                const std::vector<Tensor*>& outs) {
  const Shape& shape = in.shape();
  int64_t outer = checked_numel(Shape(shape.begin(), shape.begin() + axis));
  int64_t inner = checked_numel(Shape(shape.begin() + axis + 1, shape.end()));
  int64_t n = shape[axis];
  int64_t offset = 0;
  for (size_t p = 0; p < lengths.size(); ++p) {
    const int64_t len = lengths[p];
    dispatch_by_size(in.dtype(), "Split", [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* src = static_cast<const T*>(in.raw());
      T* dst = static_cast<T*>(outs[p]->raw());
      for (int64_t o = 0; o < outer; ++o)
        dst = std::copy_n(src + (o * n + offset) * inner, len * inner, dst);
    });
    offset += len;
  }
}

class SplitKernel final : public Kernel {
 public:
  explicit SplitKernel(const KernelInit& init)
      : p_(SplitParams::read(init.attrs(), init.opset(), init.num_outputs(), init)) {
    const TypeInfo& in = init.input_type(0);
    if (in.shape) checked_axis(p_.axis, in.shape->size(), true, init);
  }

  void run(KernelContext& ctx) const override {
    const Tensor& in = ctx.input(0);
    size_t axis = checked_axis(p_.axis, in.shape().size(), true, ctx);
    std::optional<std::vector<int64_t>> split = p_.split;
    if (p_.split_from_input() && ctx.has_input(1)) split = split_input(ctx.input(1), p_.opset, ctx);
    std::vector<int64_t> lengths = piece_lengths(p_, split, in.shape()[axis], ctx);
    std::vector<Shape> shapes = piece_shapes(in.shape(), axis, lengths);
    std::vector<Tensor*> outs;
    for (int i = 0; i < ctx.num_outputs(); ++i)  // every element is written
      outs.push_back(&ctx.allocate_uninitialized_output(i, in.dtype(), std::move(shapes[i])));
    split_into(in, axis, lengths, outs);
  }

 private:
  SplitParams p_;
};

}  // namespace

void register_split(Registry& registry) {
  add_op_versions(registry, "Split", split_versions(), make_kernel<SplitKernel>(), infer_split);
}

}  // namespace onyx
