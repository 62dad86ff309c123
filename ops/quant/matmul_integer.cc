// MatMulInteger and QLinearMatMul: matrix products of 8-bit integers.
//
//   MatMulInteger  Y = (A - a_zero_point) x (B - b_zero_point), int32
//   QLinearMatMul  y = saturate(round_half_even(acc * a_scale * b_scale / y_scale) + y_zero_point)
//                  where acc is MatMulInteger's product of a and b
//
// Both multiply like numpy.matmul: the batch dims broadcast, a 1-D A is read as (1, K) and
// a 1-D B as (K, 1), and the added dim is dropped from the output. A's zero point and scale
// are per tensor (one value) or per row (an M-vector, or [..., M, 1] batched like A); B's
// are per tensor or per column (an N-vector, or [..., 1, N]). y's are per tensor. Sums are
// int32 and wrap on overflow, which the spec allows.
//
// Fast path (not with reference kernels): the int32 products by kernels::igemm, exact, a
// constant 2-D or 1-D B with a constant zero point packed once; QLinearMatMul requantizes
// them with the reference's arithmetic.
#include <optional>

#include "common/parallel.h"
#include "kernels/gemm/igemm.h"
#include "quant/quant.h"
#include "quant/quant_util.h"

namespace onyx {
namespace {

using Int8Types = type_list<int8_t, uint8_t>;

// (The ops have no attributes; their registration is at the end of the file.)

// ---- 3. shape rule ----

// numpy.matmul's output dims for inputs a_index and b_index, with dtype `out`.
void infer_matmul_dims(InferContext& ctx, int a_index, int b_index, DType out) {
  const TypeInfo& a = ctx.input(a_index);
  const TypeInfo& b = ctx.input(b_index);
  if (!a.has_shape() || !b.has_shape()) return ctx.set_output(0, TypeInfo::tensor(out));
  std::vector<Dim> as = *a.shape, bs = *b.shape;
  if (as.empty() || bs.empty()) ctx.fail("the matrix inputs must have rank 1 or more");
  const bool a_vector = as.size() == 1, b_vector = bs.size() == 1;
  if (a_vector) as.insert(as.begin(), Dim::known(1));
  if (b_vector) bs.push_back(Dim::known(1));
  const Dim &ka = as.back(), &kb = bs[bs.size() - 2];
  if (ka.is_known() && kb.is_known() && ka.value != kb.value)
    ctx.fail(cat("inner dims differ: A has K = ", ka.value, ", B has K = ", kb.value));
  std::vector<Dim> dims = *broadcast_dims(std::vector<Dim>(as.begin(), as.end() - 2),
                                          std::vector<Dim>(bs.begin(), bs.end() - 2), ctx.label());
  if (!a_vector) dims.push_back(as[as.size() - 2]);
  if (!b_vector) dims.push_back(bs.back());
  ctx.set_output(0, TypeInfo::tensor(out, dims));
}

// ---- 4. compute ----

struct MatMulGeometry {
  Shape a_batch, b_batch, batch, out_shape;
  int64_t M = 1, K = 1, N = 1;
};

template <class Ctx>
MatMulGeometry matmul_geometry(const Shape& a, const Shape& b, Ctx& ctx) {
  if (a.empty() || b.empty())
    ctx.fail(cat("the matrix inputs must have rank 1 or more, got ", shape_to_string(a), " and ",
                 shape_to_string(b)));
  Shape as = a, bs = b;
  if (a.size() == 1) as.insert(as.begin(), 1);
  if (b.size() == 1) bs.push_back(1);
  MatMulGeometry g;
  g.M = as[as.size() - 2];
  g.K = as.back();
  g.N = bs.back();
  if (bs[bs.size() - 2] != g.K)
    ctx.fail(cat("inner dims differ: A is ", shape_to_string(a), ", B is ", shape_to_string(b)));
  g.a_batch.assign(as.begin(), as.end() - 2);
  g.b_batch.assign(bs.begin(), bs.end() - 2);
  try {
    g.batch = broadcast_shapes(g.a_batch, g.b_batch, "batch dims");
  } catch (const Error& e) {
    ctx.fail(e);
  }
  g.out_shape = g.batch;
  if (a.size() > 1) g.out_shape.push_back(g.M);
  if (b.size() > 1) g.out_shape.push_back(g.N);
  return g;
}

// The parameter index of each row of A (or, with `columns`, each column of B), over the
// matrices of its own batch: `lines` M (or N) values per matrix. See the header comment.
template <class Ctx>
std::vector<int64_t> line_params(const Shape& param, const Shape& batch, int64_t lines,
                                 bool columns, const std::string& what, Ctx& ctx) {
  Shape target = batch;
  target.push_back(lines);
  if (checked_numel(param) == 1) return std::vector<int64_t>(checked_numel(target), 0);
  Shape reduced = param;  // the param without its size-1 matrix dim
  if (param.size() >= 2) {
    const size_t other = columns ? param.size() - 2 : param.size() - 1;
    if (param[other] != 1)
      ctx.fail(cat(what, " of shape ", shape_to_string(param), " must be ",
                   columns ? "[..., 1, N]" : "[..., M, 1]", " for per-", columns ? "column" : "row",
                   " quantization"));
    reduced.erase(reduced.begin() + static_cast<std::ptrdiff_t>(other));
  }
  std::vector<int64_t> index;
  if ((param.size() == 1 && param[0] != lines) || !broadcast_index(reduced, target, index))
    ctx.fail(cat(what, " of shape ", shape_to_string(param), " does not fit ", lines, " ",
                 columns ? "columns" : "rows", " in batch ", shape_to_string(batch)));
  return index;
}

// Calls emit(out_index, a_row, b_col, acc) for every output element, where a_row indexes
// A's rows (a_batch x M) and b_col B's columns (b_batch x N), acc the int32 sum of
// (A - a_zp[a_row]) * (B - b_zp[b_col]) over K.
template <class Emit>
void integer_matmul(const Tensor& a, const Tensor& b, const MatMulGeometry& g,
                    const std::vector<int64_t>& a_zp, const std::vector<int64_t>& b_zp,
                    const ThreadPool& pool, Emit&& emit) {
  std::vector<int64_t> a_mat, b_mat;  // matrix of A and of B read by each output batch
  broadcast_index(g.a_batch, g.batch, a_mat);
  broadcast_index(g.b_batch, g.batch, b_mat);
  const int64_t M = g.M, K = g.K, N = g.N;
  dispatch<Int8Types>(a.dtype(), "integer matmul", [&](auto a_tag) {
    using TA = typename decltype(a_tag)::type;
    dispatch<Int8Types>(b.dtype(), "integer matmul", [&](auto b_tag) {
      using TB = typename decltype(b_tag)::type;
      const TA* pa = a.data<TA>();
      const TB* pb = b.data<TB>();
      // One task per output row; rows write disjoint outputs.
      pool.parallel_for(checked_numel(g.batch) * M, 4, [&](int64_t r0, int64_t r1) {
        std::vector<int64_t> acc(static_cast<size_t>(N));
        for (int64_t r = r0; r < r1; ++r) {
          const int64_t i = r / M, m = r % M;
          const int64_t a_row = a_mat[i] * M + m, b_col0 = b_mat[i] * N;
          std::fill(acc.begin(), acc.end(), 0);
          for (int64_t k = 0; k < K; ++k) {
            const int64_t av = pa[a_row * K + k] - a_zp[a_row];
            const TB* brow = pb + (b_mat[i] * K + k) * N;
            for (int64_t n = 0; n < N; ++n) acc[n] += av * (brow[n] - b_zp[b_col0 + n]);
          }
          // int64 sums taken mod 2^32 equal the wrapping int32 sums.
          for (int64_t n = 0; n < N; ++n)
            emit(r * N + n, a_row, b_col0 + n, static_cast<int32_t>(acc[n]));
        }
      });
    });
  });
}

// Zero points (8-bit values) as the kernels library takes them.
std::vector<int32_t> to_int32(const std::vector<int64_t>& v) {
  return std::vector<int32_t>(v.begin(), v.end());
}

kernels::Int8Matrix int8_matrix(const Tensor& t, int64_t matrix, int64_t rows, int64_t cols,
                                const int32_t* zero_points) {
  kernels::Int8Matrix m;
  m.data = static_cast<const uint8_t*>(t.raw()) + matrix * rows * cols;
  m.is_signed = t.dtype() == DType::Int8;
  m.row_stride = cols;
  m.zero_points = zero_points;
  return m;
}

// integer_matmul's sums into c (the output's batch x M x N) by kernels::igemm. a_zp and
// b_zp are per line as there; `packed_b`, when set, is B with its zero points.
void fast_integer_matmul(const Tensor& a, const Tensor& b, const MatMulGeometry& g,
                         const std::vector<int32_t>& a_zp, const std::vector<int32_t>& b_zp,
                         const kernels::PackedInt8B* packed_b, const ThreadPool& pool, int32_t* c) {
  const int64_t M = g.M, K = g.K, N = g.N, batches = checked_numel(g.batch);
  const kernels::Parallel parallel = parallel_of(pool);
  auto product = [&](int64_t a_mat, int64_t b_mat, int64_t rows, int32_t* out,
                     const kernels::Parallel& par) {
    const kernels::Int8Matrix am = int8_matrix(a, a_mat, M, K, a_zp.data() + a_mat * M);
    if (packed_b && packed_b->holds(K, N))
      return kernels::igemm(rows, N, K, am, *packed_b, out, N, par);
    kernels::igemm(rows, N, K, am, int8_matrix(b, b_mat, K, N, b_zp.data() + b_mat * N), out, N,
                   par);
  };
  // One B for every batch: then A's batches are the output's, and stacked they are one
  // (batches * M) x K matrix that streams B once.
  if (g.b_batch.empty()) return product(0, 0, batches * M, c, parallel);
  std::vector<int64_t> a_mat, b_mat;
  broadcast_index(g.a_batch, g.batch, a_mat);
  broadcast_index(g.b_batch, g.batch, b_mat);
  auto one = [&](int64_t i, const kernels::Parallel& par) {
    product(a_mat[i], b_mat[i], M, c + i * M * N, par);
  };
  // Many small products: one thread per product. Else split each.
  if (batches >= parallel.threads && batches > 1 && M * N * K < (int64_t{1} << 22)) {
    parallel.for_tasks(batches, [&](int64_t i0, int64_t i1) {
      for (int64_t i = i0; i < i1; ++i) one(i, kernels::serial());
    });
  } else {
    for (int64_t i = 0; i < batches; ++i) one(i, parallel);
  }
}

// Each line's value of a per-line parameter, from its values and line_params' index.
template <class T>
std::vector<T> per_line(const std::vector<T>& values, const std::vector<int64_t>& index) {
  std::vector<T> out(index.size());
  for (size_t i = 0; i < index.size(); ++i) out[i] = values[static_cast<size_t>(index[i])];
  return out;
}

// The zero point of each line, 0 for an omitted zero point.
template <class Ctx>
std::vector<int64_t> line_zero_points(const Tensor* zp, const Shape& batch, int64_t lines,
                                      bool columns, const std::string& what, Ctx& ctx) {
  if (!zp) {
    Shape target = batch;
    target.push_back(lines);
    return std::vector<int64_t>(static_cast<size_t>(checked_numel(target)), 0);
  }
  return per_line(read_zero_points(*zp, what, ctx),
                  line_params(zp->shape(), batch, lines, columns, what, ctx));
}

// B (input b_index) packed with its zero point (input zp_index, or none) when both are
// constants and B has rank 1 or 2; nullopt otherwise, or when they do not fit (run then
// reports that).
std::optional<kernels::PackedInt8B> pack_constant_b(const KernelInit& init, int b_index,
                                                    int zp_index) {
  const Tensor* b = init.constant_input(b_index);
  const Tensor* zp = init.has_input(zp_index) ? init.constant_input(zp_index) : nullptr;
  if (!b || b->rank() < 1 || b->rank() > 2 || (init.has_input(zp_index) && !zp) ||
      (b->dtype() != DType::UInt8 && b->dtype() != DType::Int8) ||
      (zp && zp->dtype() != b->dtype()))
    return std::nullopt;
  const int64_t K = b->dim(0), N = b->rank() == 2 ? b->dim(1) : 1;
  try {
    const std::vector<int32_t> zps =
        to_int32(line_zero_points(zp, Shape{}, N, true, "b_zero_point", init));
    return kernels::PackedInt8B(int8_matrix(*b, 0, K, N, zps.data()), K, N);
  } catch (const Error&) {
    return std::nullopt;
  }
}

// int8 and uint8, and from opset 21 the float8 types (which Onyx rejects clearly).
std::vector<DType> int8_dtypes(int opset) {
  std::vector<DType> out = {DType::Int8, DType::UInt8};
  return opset >= 21 ? with_dtypes(out, float8_dtypes()) : out;
}

// ---- MatMulInteger: inputs A, B, a_zero_point, b_zero_point ----

template <class Ctx>
void check_matmul_integer_dtypes(const std::vector<DType>& t, Ctx& ctx) {
  const std::vector<DType> allowed = int8_dtypes(10);
  check_input_dtype(ctx, t[0], DType::Undefined, allowed, "A");
  check_input_dtype(ctx, t[1], DType::Undefined, allowed, "B");
  check_input_dtype(ctx, t[2], t[0], allowed, "a_zero_point");
  check_input_dtype(ctx, t[3], t[1], allowed, "b_zero_point");
}

void infer_matmul_integer(InferContext& ctx) {
  check_matmul_integer_dtypes(input_dtypes(ctx, 4), ctx);
  infer_matmul_dims(ctx, 0, 1, DType::Int32);
}

class MatMulIntegerKernel final : public Kernel {
 public:
  explicit MatMulIntegerKernel(const KernelInit& init) : fast_(!init.reference()) {
    check_matmul_integer_dtypes(input_dtypes(init, 4), init);
    if (fast_) packed_b_ = pack_constant_b(init, 1, 3);
  }

  void run(KernelContext& ctx) const override {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    const Tensor* a_zp = ctx.has_input(2) ? &ctx.input(2) : nullptr;
    const Tensor* b_zp = ctx.has_input(3) ? &ctx.input(3) : nullptr;
    check_matmul_integer_dtypes({a.dtype(), b.dtype(), a_zp ? a_zp->dtype() : DType::Undefined,
                                 b_zp ? b_zp->dtype() : DType::Undefined},
                                ctx);
    const MatMulGeometry g = matmul_geometry(a.shape(), b.shape(), ctx);
    Tensor& y = fast_ ? ctx.allocate_uninitialized_output(0, DType::Int32, g.out_shape)
                      : ctx.allocate_output(0, DType::Int32, g.out_shape);
    if (y.numel() == 0) return;  // (with K = 0, M rows of zero points could still be huge)
    const std::vector<int64_t> a_zps =
        line_zero_points(a_zp, g.a_batch, g.M, false, "a_zero_point", ctx);
    const std::vector<int64_t> b_zps =
        line_zero_points(b_zp, g.b_batch, g.N, true, "b_zero_point", ctx);
    int32_t* py = y.data<int32_t>();
    if (fast_)
      return fast_integer_matmul(a, b, g, to_int32(a_zps), to_int32(b_zps),
                                 packed_b_ ? &*packed_b_ : nullptr, ctx.pool(), py);
    integer_matmul(a, b, g, a_zps, b_zps, ctx.pool(),
                   [&](int64_t out, int64_t, int64_t, int32_t acc) { py[out] = acc; });
  }

 private:
  bool fast_;
  std::optional<kernels::PackedInt8B> packed_b_;
};

// ---- QLinearMatMul: a, a_scale, a_zero_point, b, b_scale, b_zero_point, y_scale, y_zero_point

template <class Ctx>
void check_qlinear_matmul_dtypes(const std::vector<DType>& t, int opset, Ctx& ctx) {
  const std::vector<DType> allowed = int8_dtypes(opset);
  const std::vector<DType> scales =
      opset >= 21 ? std::vector<DType>{DType::Float, DType::Float16, DType::BFloat16}
                  : std::vector<DType>{DType::Float};
  check_input_dtype(ctx, t[0], DType::Undefined, allowed, "a");
  check_input_dtype(ctx, t[2], t[0], allowed, "a_zero_point");
  check_input_dtype(ctx, t[3], DType::Undefined, allowed, "b");
  check_input_dtype(ctx, t[5], t[3], allowed, "b_zero_point");
  check_input_dtype(ctx, t[7], DType::Undefined, allowed, "y_zero_point");
  check_input_dtype(ctx, t[1], DType::Undefined, scales, "a_scale");
  check_input_dtype(ctx, t[4], t[1], scales, "b_scale");
  check_input_dtype(ctx, t[6], t[1], scales, "y_scale");
}

void infer_qlinear_matmul(InferContext& ctx) {
  const std::vector<DType> t = input_dtypes(ctx, 8);
  check_qlinear_matmul_dtypes(t, ctx.opset(), ctx);
  infer_matmul_dims(ctx, 0, 3, t[7]);
}

class QLinearMatMulKernel final : public Kernel {
 public:
  explicit QLinearMatMulKernel(const KernelInit& init)
      : opset_(init.opset()), fast_(!init.reference()) {
    for (int i = 0; i < 8; ++i)
      if (!init.has_input(i)) init.fail(cat("input ", i, " is missing; all 8 are required"));
    check_qlinear_matmul_dtypes(input_dtypes(init, 8), opset_, init);
    if (fast_) packed_b_ = pack_constant_b(init, 3, 5);
  }

  void run(KernelContext& ctx) const override {
    std::vector<const Tensor*> in(8);
    std::vector<DType> t(8);
    for (int i = 0; i < 8; ++i) {
      in[i] = &ctx.input(i);
      t[i] = in[i]->dtype();
    }
    check_qlinear_matmul_dtypes(t, opset_, ctx);
    const Tensor &a = *in[0], &b = *in[3];
    const MatMulGeometry g = matmul_geometry(a.shape(), b.shape(), ctx);
    Tensor& y = ctx.allocate_output(0, t[7], g.out_shape);
    if (y.numel() == 0) return;
    check_same_param_shape(*in[1], *in[2], "a", ctx);
    check_same_param_shape(*in[4], *in[5], "b", ctx);
    const std::vector<int64_t> a_index =
        line_params(in[1]->shape(), g.a_batch, g.M, false, "a_scale", ctx);
    const std::vector<int64_t> b_index =
        line_params(in[4]->shape(), g.b_batch, g.N, true, "b_scale", ctx);
    const std::vector<double> a_scale = per_line(read_scales(*in[1], "a_scale", ctx), a_index);
    const std::vector<double> b_scale = per_line(read_scales(*in[4], "b_scale", ctx), b_index);
    const std::vector<int64_t> a_zp =
        per_line(read_zero_points(*in[2], "a_zero_point", ctx), a_index);
    const std::vector<int64_t> b_zp =
        per_line(read_zero_points(*in[5], "b_zero_point", ctx), b_index);
    if (in[6]->numel() != 1 || in[7]->numel() != 1)
      ctx.fail(cat("y_scale and y_zero_point must hold one value each (per tensor), got ",
                   in[6]->describe(), " and ", in[7]->describe()));
    const std::vector<double> y_scale = read_scales(*in[6], "y_scale", ctx);
    check_divisor_scales(y_scale, "y_scale", ctx);
    const int64_t y_zp = read_zero_points(*in[7], "y_zero_point", ctx)[0];

    // The multiplier in float, the product in double, as the reference does.
    auto multiplier = [&](int64_t a_row, int64_t b_col) {
      return static_cast<float>(a_scale[a_row]) * static_cast<float>(b_scale[b_col]) /
             static_cast<float>(y_scale[0]);
    };
    if (fast_) {
      std::vector<int32_t> acc(static_cast<size_t>(y.numel()));
      fast_integer_matmul(a, b, g, to_int32(a_zp), to_int32(b_zp),
                          packed_b_ ? &*packed_b_ : nullptr, ctx.pool(), acc.data());
      std::vector<int64_t> a_mat, b_mat;  // as integer_matmul reads them
      broadcast_index(g.a_batch, g.batch, a_mat);
      broadcast_index(g.b_batch, g.batch, b_mat);
      const int64_t M = g.M, N = g.N;
      dispatch<Int8Types>(t[7], "QLinearMatMul", [&](auto tag) {
        using Q = typename decltype(tag)::type;
        Q* py = y.data<Q>();
        ctx.pool().parallel_for(checked_numel(g.batch) * M, 16, [&](int64_t r0, int64_t r1) {
          std::vector<float> row_multiplier(static_cast<size_t>(N));
          for (int64_t r = r0; r < r1; ++r) {
            const int64_t a_row = a_mat[r / M] * M + r % M, b_col0 = b_mat[r / M] * N;
            for (int64_t n = 0; n < N; ++n) row_multiplier[n] = multiplier(a_row, b_col0 + n);
            kernels::requantize(acc.data() + r * N, row_multiplier.data(), N,
                                static_cast<int32_t>(y_zp), py + r * N);
          }
        });
      });
      return;
    }
    dispatch<Int8Types>(t[7], "QLinearMatMul", [&](auto tag) {
      using Q = typename decltype(tag)::type;
      Q* py = y.data<Q>();
      integer_matmul(a, b, g, a_zp, b_zp, ctx.pool(),
                     [&](int64_t out, int64_t a_row, int64_t b_col, int32_t acc) {
                       py[out] = quantize_value<Q>(
                           acc * static_cast<double>(multiplier(a_row, b_col)), y_zp);
                     });
    });
  }

 private:
  int opset_;
  bool fast_;
  std::optional<kernels::PackedInt8B> packed_b_;
};

}  // namespace

// ---- 1. registration ----

void register_matmul_integer(Registry& registry) {
  add_op_versions(registry, "MatMulInteger", {{10, kOpsetOpen, int8_dtypes(10)}},
                  make_kernel<MatMulIntegerKernel>(), infer_matmul_integer);
  add_op_versions(registry, "QLinearMatMul",
                  {{10, 20, int8_dtypes(10)},
                   {21, kOpsetOpen, int8_dtypes(21)}},  // float8 a, b, y; half scales
                  make_kernel<QLinearMatMulKernel>(), infer_qlinear_matmul);
}

}  // namespace onyx
