// Einsum: output[output labels] = sum over the other labels of the product of the operands,
// each indexed by its term (numpy.einsum semantics). A label repeated within one term reads
// a diagonal; "..." stands for broadcast dims; without "->" the output is the broadcast dims
// followed by the labels used exactly once, in alphabetical order. The kernel is one plain
// loop over the whole index space (output labels outside, summed labels inside), refused
// up front when that space exceeds kMaxIterations. Floats accumulate in double; integers
// wrap around like numpy's.
//
// Fast path (float): an equation that is one contraction of two operands runs as a batched
// GEMM (linalg/einsum_gemm.h); everything else takes the loop.
#include <algorithm>
#include <type_traits>

#include "common/parallel.h"
#include "common/shape_utils.h"
#include "linalg/einsum_equation.h"
#include "linalg/einsum_gemm.h"
#include "linalg/linalg_ops.h"
#include "onyx/kernel.h"

namespace onyx {
namespace {

constexpr int64_t kMaxIterations = int64_t{1} << 32;

// ---- 1. registration: ONNX's all_numeric_types ----

std::vector<OpVersion> einsum_versions() {
  std::vector<DType> numeric;
  for (DType t : dtypes_of(NumericTypes{}))
    if (t != DType::BFloat16) numeric.push_back(t);
  return {{12, 27, numeric, {{"equation", AttrType::String}}}};  // Einsum-28 is not implemented
}

// ---- 2. attributes: the equation, parsed once ----

template <class Ctx>
EinsumEquation read_equation(const Attrs& attrs, Ctx& ctx) {
  if (!attrs.has("equation")) ctx.fail("required attribute 'equation' is missing");
  try {
    return EinsumEquation::parse(attrs.get_string("equation", ""));
  } catch (const Error& e) {
    ctx.fail(e);
  }
}

template <class Ctx>
EinsumBinding bind_or_fail(const EinsumEquation& eq, const std::vector<size_t>& ranks, Ctx& ctx) {
  try {
    return EinsumBinding::bind(eq, ranks);
  } catch (const Error& e) {
    ctx.fail(e);
  }
}

// ---- 3. shape rule ----

// One output dim from all occurrences of its label: a known size other than 1 wins (1s
// broadcast), then a symbol, then 1.
Dim label_dim(const EinsumBinding& b, int label, const std::vector<std::vector<Dim>>& dims) {
  std::optional<Dim> symbol;
  bool one = false;
  for (size_t k = 0; k < b.operands.size(); ++k)
    for (size_t d = 0; d < b.operands[k].size(); ++d) {
      if (b.operands[k][d] != label) continue;
      const Dim& dim = dims[k][d];
      if (dim.is_known() && dim.value != 1) return dim;
      if (dim.is_known()) one = true;
      if (!dim.is_known() && !symbol) symbol = dim;
    }
  if (symbol) return *symbol;
  return one ? Dim::known(1) : Dim{};
}

void infer_einsum(InferContext& ctx) {
  EinsumEquation eq = read_equation(Attrs(ctx.node(), ctx.label()), ctx);
  DType dt = ctx.input(0).elem;
  std::vector<size_t> ranks;
  std::vector<std::vector<Dim>> dims;
  std::vector<Shape> shapes;  // while every input's shape is concrete
  for (int k = 0; k < ctx.num_inputs(); ++k) {
    const TypeInfo& in = ctx.input(k);
    if (dt != DType::Undefined && in.elem != DType::Undefined && in.elem != dt)
      ctx.fail(
          cat("inputs must share one dtype, got ", dtype_name(dt), " and ", dtype_name(in.elem)));
    if (!in.shape) continue;
    ranks.push_back(in.shape->size());
    dims.push_back(*in.shape);
    if (std::optional<Shape> s = in.concrete_shape()) shapes.push_back(*s);
  }
  TypeInfo out = TypeInfo::tensor(dt);
  if (ranks.size() == static_cast<size_t>(ctx.num_inputs())) {
    EinsumBinding b = bind_or_fail(eq, ranks, ctx);
    if (shapes.size() == ranks.size()) {  // all sizes known: check they agree
      try {
        b.label_sizes(shapes);
      } catch (const Error& e) {
        ctx.fail(e);
      }
    }
    out.shape = std::vector<Dim>();
    for (int label : b.output) out.shape->push_back(label_dim(b, label, dims));
  } else if (eq.output &&
             std::count(eq.output->begin(), eq.output->end(), EinsumEquation::kEllipsis) == 0) {
    out.shape = std::vector<Dim>(eq.output->size());  // the rank is known
  }
  ctx.set_output(0, out);
}

// ---- 4. compute ----

// Floats accumulate in double; integers wrap around in an unsigned type at least as wide as
// `unsigned`, so that small types are not promoted to a signed int that could overflow.
template <class T, bool = std::is_integral_v<T>>
struct accumulator {
  using type = double;
};
template <class T>
struct accumulator<T, true> {
  using type =
      std::conditional_t<(sizeof(T) < sizeof(unsigned)), unsigned, std::make_unsigned_t<T>>;
};
template <class T>
using acc_t = typename accumulator<T>::type;

template <class T>
acc_t<T> to_acc(T v) {
  if constexpr (std::is_integral_v<T>) {
    return static_cast<acc_t<T>>(v);
  } else {
    return static_cast<double>(v);
  }
}

// The number of points of the index space; more than kMaxIterations is refused (this also
// keeps the product from overflowing).
int64_t index_space_points(const Shape& space, KernelContext& ctx) {
  if (std::find(space.begin(), space.end(), 0) != space.end()) return 0;
  int64_t total = 1;
  for (int64_t s : space) {
    if (total > kMaxIterations / s)
      ctx.fail(cat("the equation's index space ", shape_to_string(space),
                   " has more points than the limit of ", kMaxIterations));
    total *= s;
  }
  return total;
}

class EinsumKernel final : public Kernel {
 public:
  explicit EinsumKernel(const KernelInit& init)
      : equation_(read_equation(init.attrs(), init)), fast_(!init.reference()) {
    if (static_cast<size_t>(init.num_inputs()) != equation_.inputs.size())
      init.fail(cat("the equation has ", equation_.inputs.size(), " input terms but the node has ",
                    init.num_inputs(), " inputs"));
  }

  void run(KernelContext& ctx) const override {
    const int n = ctx.num_inputs();
    std::vector<const Tensor*> in;
    std::vector<size_t> ranks;
    std::vector<Shape> shapes;
    for (int k = 0; k < n; ++k) {
      in.push_back(&ctx.input(k));
      if (in[k]->dtype() != in[0]->dtype())
        ctx.fail(cat("inputs must share one dtype, got ", in[0]->describe(), " and ",
                     in[k]->describe()));
      ranks.push_back(static_cast<size_t>(in[k]->rank()));
      shapes.push_back(in[k]->shape());
    }
    EinsumBinding b = bind_or_fail(equation_, ranks, ctx);
    std::vector<int64_t> size;
    try {
      size = b.label_sizes(shapes);
    } catch (const Error& e) {
      ctx.fail(e);
    }
    if (fast_ && n == 2 && in[0]->dtype() == DType::Float) {
      if (std::optional<EinsumGemmPlan> plan = EinsumGemmPlan::make(b, size, shapes)) {
        Shape out_shape;
        for (int l : b.output) out_shape.push_back(size[static_cast<size_t>(l)]);
        Tensor& out = ctx.allocate_uninitialized_output(0, DType::Float, out_shape);
        plan->run(in[0]->data<float>(), in[1]->data<float>(), out.data<float>(),
                  parallel_of(ctx.pool()));
        return;
      }
    }

    // The index space: output labels first, then the summed ones.
    std::vector<int> labels = b.output;
    for (const auto& term : b.operands)
      for (int l : term)
        if (std::find(labels.begin(), labels.end(), l) == labels.end()) labels.push_back(l);
    Shape space, out_shape;
    for (int l : labels) space.push_back(size[static_cast<size_t>(l)]);
    for (int l : b.output) out_shape.push_back(size[static_cast<size_t>(l)]);
    const int64_t total = index_space_points(space, ctx);

    // strides[k][i]: how far operand k (k = n: the output) moves when label labels[i] steps.
    // A label repeated in a term adds its strides (a diagonal); a broadcast dim of 1 adds 0.
    std::vector<std::vector<int64_t>> strides(static_cast<size_t>(n) + 1,
                                              std::vector<int64_t>(labels.size(), 0));
    auto add_strides = [&](size_t k, const std::vector<int>& term, const Shape& shape) {
      std::vector<int64_t> dim_strides = strides_of(shape);
      for (size_t d = 0; d < term.size(); ++d) {
        size_t i =
            static_cast<size_t>(std::find(labels.begin(), labels.end(), term[d]) - labels.begin());
        if (shape[d] != 1) strides[k][i] += dim_strides[d];
      }
    };
    for (size_t k = 0; k < static_cast<size_t>(n); ++k) add_strides(k, b.operands[k], shapes[k]);
    add_strides(static_cast<size_t>(n), b.output, out_shape);

    Tensor& out = ctx.allocate_output(0, in[0]->dtype(), out_shape);
    dispatch<NumericTypes>(out.dtype(), "Einsum", [&](auto tag) {
      using T = typename decltype(tag)::type;
      std::vector<acc_t<T>> acc(static_cast<size_t>(out.numel()), acc_t<T>(0));
      std::vector<const T*> src;
      for (const Tensor* t : in) src.push_back(t->data<T>());
      std::vector<int64_t> index(labels.size(), 0), offset(static_cast<size_t>(n) + 1, 0);
      for (int64_t step = 0; step < total; ++step) {
        acc_t<T> product = acc_t<T>(1);
        for (size_t k = 0; k < src.size(); ++k) product *= to_acc(src[k][offset[k]]);
        acc[static_cast<size_t>(offset[static_cast<size_t>(n)])] += product;
        // Advance the odometer, innermost label first.
        for (size_t i = labels.size(); i-- > 0;) {
          for (size_t k = 0; k < offset.size(); ++k) offset[k] += strides[k][i];
          if (++index[i] < space[i]) break;
          for (size_t k = 0; k < offset.size(); ++k) offset[k] -= strides[k][i] * space[i];
          index[i] = 0;
        }
      }
      T* dst = out.data<T>();
      for (size_t i = 0; i < acc.size(); ++i) dst[i] = static_cast<T>(acc[i]);
    });
  }

 private:
  EinsumEquation equation_;
  bool fast_ = false;  // float contractions of two operands by GEMM
};

}  // namespace

void register_einsum(Registry& registry) {
  add_op_versions(registry, "Einsum", einsum_versions(), make_kernel<EinsumKernel>(), infer_einsum);
}

}  // namespace onyx
