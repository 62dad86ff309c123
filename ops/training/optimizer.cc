// The shared plumbing of Adagrad, Adam and Momentum.
#include "training/optimizer.h"

namespace onyx {

void add_optimizer(Registry& registry, const std::string& op, KernelFactory create, ShapeRule infer,
                   std::map<std::string, AttrType> attr_types) {
  KernelDef def;
  def.domain = kTrainingDomain;
  def.op_type = op;
  def.since_version = 1;
  def.until_version = kOpsetOpen;
  def.dtypes = {DType::Float, DType::Double};  // of R
  def.create = std::move(create);
  def.infer = std::move(infer);
  def.attr_types = std::move(attr_types);
  registry.add(std::move(def));
}

namespace {

// n from the input count 2 + groups * n, failing through `ctx` when it does not fit.
template <class Ctx>
int64_t tensor_count_of(const Ctx& ctx, int groups) {
  const int inputs = ctx.num_inputs();
  if (inputs < 2 + groups || (inputs - 2) % groups != 0)
    ctx.fail(cat("expects R, T and ", groups, " lists of n >= 1 tensors (2 + ", groups,
                 " * n inputs), got ", inputs, " inputs"));
  return (inputs - 2) / groups;
}

}  // namespace

int64_t optimized_tensor_count(const KernelInit& init, int groups) {
  for (int i = 0; i < init.num_inputs(); ++i)
    if (!init.has_input(i)) init.fail(cat("input ", i, " is omitted; every input is required"));
  const int64_t n = tensor_count_of(init, groups);
  if (init.num_outputs() != (groups - 1) * n)
    init.fail(cat("with ", n, " optimized tensors expects ", (groups - 1) * n, " outputs, got ",
                  init.num_outputs()));
  return n;
}

OptimizerStep read_optimizer_step(const KernelContext& ctx) {
  const Tensor& r = ctx.input(0);
  const Tensor& t = ctx.input(1);
  if (r.numel() != 1 || r.rank() > 1) ctx.fail("R must be a scalar, got " + r.describe());
  if (t.numel() != 1 || t.rank() > 1 || t.dtype() != DType::Int64)
    ctx.fail("T must be an int64 scalar, got " + t.describe());
  OptimizerStep step;
  dispatch<OptimizerTypes>(r.dtype(), "R", [&](auto tag) {
    using T = typename decltype(tag)::type;
    step.rate = static_cast<double>(r.data<T>()[0]);
  });
  step.count = t.data<int64_t>()[0];
  if (step.count < 0) ctx.fail(cat("T (the update count) must be >= 0, got ", step.count));
  return step;
}

const Tensor& optimizer_input(const KernelContext& ctx, int64_t n, int list, int64_t j) {
  const Tensor& x = ctx.input(static_cast<int>(2 + j));
  const Tensor& t = ctx.input(static_cast<int>(2 + list * n + j));
  if (!dtype_in(OptimizerTypes{}, x.dtype()))
    ctx.fail(cat("X", j + 1, " must be float or double, got ", x.describe()));
  if (t.dtype() != x.dtype() || t.shape() != x.shape())
    ctx.fail(cat("input ", 2 + list * n + j, " ", t.describe(), " must match X", j + 1, " ",
                 x.describe()));
  return t;
}

void infer_optimizer(InferContext& ctx, int groups) {
  const int64_t n = tensor_count_of(ctx, groups);
  for (int k = 0; k + 1 < groups; ++k)
    for (int64_t j = 0; j < n; ++j)
      ctx.set_output(static_cast<int>(k * n + j),
                     ctx.input(static_cast<int>(2 + (k == 0 ? 0 : k + 1) * n + j)));
}

}  // namespace onyx
