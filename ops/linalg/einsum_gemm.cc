#include "linalg/einsum_gemm.h"

#include <algorithm>

#include "common/shape_utils.h"
#include "kernels/gemm/gemm.h"

namespace onyx {
namespace {

// The stride of `labels` merged into one dimension (their last one's); 0 for none.
int64_t merged_stride(const std::vector<int>& labels, const std::vector<int64_t>& stride) {
  return labels.empty() ? 0 : stride[static_cast<size_t>(labels.back())];
}

// Whether `labels`, in this order, lie in memory as one strided dimension would.
bool mergeable(const std::vector<int>& labels, const std::vector<int64_t>& stride,
               const std::vector<int64_t>& size) {
  for (size_t i = 0; i + 1 < labels.size(); ++i) {
    const auto a = static_cast<size_t>(labels[i]), b = static_cast<size_t>(labels[i + 1]);
    if (stride[a] != stride[b] * size[b]) return false;
  }
  return true;
}

// Per label, the strides of a contiguous array of `order` (the last label fastest).
std::vector<int64_t> contiguous_strides(const std::vector<int>& order,
                                        const std::vector<int64_t>& size) {
  std::vector<int64_t> stride(size.size(), 0);
  int64_t step = 1;
  for (size_t i = order.size(); i-- > 0;) {
    stride[static_cast<size_t>(order[i])] = step;
    step *= size[static_cast<size_t>(order[i])];
  }
  return stride;
}

// dst[labels] = src[labels], each side read through its strides per label.
void copy_strided(const float* src, const std::vector<int64_t>& src_stride, float* dst,
                  const std::vector<int64_t>& dst_stride, const std::vector<int>& labels,
                  const std::vector<int64_t>& size) {
  if (labels.empty()) {
    *dst = *src;
    return;
  }
  const auto inner = static_cast<size_t>(labels.back());
  const int64_t n = size[inner], ss = src_stride[inner], ds = dst_stride[inner];
  std::vector<int64_t> index(labels.size() - 1, 0);
  int64_t s = 0, d = 0;
  for (;;) {
    for (int64_t i = 0; i < n; ++i) dst[d + i * ds] = src[s + i * ss];
    size_t a = index.size();  // advance the outer labels, innermost first
    for (; a > 0; --a) {
      const auto l = static_cast<size_t>(labels[a - 1]);
      s += src_stride[l];
      d += dst_stride[l];
      if (++index[a - 1] < size[l]) break;
      s -= src_stride[l] * size[l];
      d -= dst_stride[l] * size[l];
      index[a - 1] = 0;
    }
    if (a == 0) return;
  }
}

}  // namespace

std::optional<EinsumGemmPlan> EinsumGemmPlan::make(const EinsumBinding& binding,
                                                   const std::vector<int64_t>& label_size,
                                                   const std::vector<Shape>& shapes) {
  if (binding.operands.size() != 2 || shapes.size() != 2) return std::nullopt;
  const size_t labels = label_size.size();
  EinsumGemmPlan plan;
  plan.size_ = label_size;
  // Which terms hold each label; a label twice in one term is a diagonal.
  std::vector<int> in_x(labels, 0), in_y(labels, 0), in_out(labels, 0);
  auto note = [&](const std::vector<int>& term, std::vector<int>& seen) {
    for (int l : term)
      if (seen[static_cast<size_t>(l)]++ > 0) return false;
    return true;
  };
  if (!note(binding.operands[0], in_x) || !note(binding.operands[1], in_y) ||
      !note(binding.output, in_out))
    return std::nullopt;
  Operand* ops[2] = {&plan.x_, &plan.y_};
  for (size_t k = 0; k < 2; ++k) {
    const std::vector<int>& term = binding.operands[k];
    const std::vector<int64_t> strides = strides_of(shapes[k]);
    ops[k]->stride.assign(labels, 0);
    for (size_t d = 0; d < term.size(); ++d) {
      const auto l = static_cast<size_t>(term[d]);
      if (shapes[k][d] != label_size[l]) return std::nullopt;  // a dim of 1 broadcast
      ops[k]->stride[l] = strides[d];
    }
  }
  // Labels of size 1 index nothing and join no group.
  auto matters = [&](int l) { return label_size[static_cast<size_t>(l)] != 1; };
  for (size_t l = 0; l < labels; ++l) {
    if (label_size[l] == 1 || (!in_x[l] && !in_y[l])) continue;
    if (in_x[l] != in_y[l] && !in_out[l]) return std::nullopt;  // summed within one operand
  }
  for (int l : binding.output) {
    if (!matters(l)) continue;
    const auto i = static_cast<size_t>(l);
    plan.output_.push_back(l);
    (in_x[i] && in_y[i] ? plan.batch_ : in_x[i] ? plan.left_ : plan.right_).push_back(l);
  }
  auto contracted_in = [&](const std::vector<int>& term) {
    std::vector<int> order;
    for (int l : term)
      if (matters(l) && !in_out[static_cast<size_t>(l)]) order.push_back(l);
    return order;
  };
  // The contracted labels in an order both operands can merge, else in x's order.
  plan.contracted_ = contracted_in(binding.operands[0]);
  if (!mergeable(plan.contracted_, plan.y_.stride, plan.size_)) {
    const std::vector<int> y_order = contracted_in(binding.operands[1]);
    if (mergeable(y_order, plan.x_.stride, plan.size_)) plan.contracted_ = y_order;
  }
  auto cat_labels = [](std::vector<int> a, const std::vector<int>& b, const std::vector<int>& c) {
    a.insert(a.end(), b.begin(), b.end());
    a.insert(a.end(), c.begin(), c.end());
    return a;
  };
  // An operand that cannot be read as [free][contracted] through strides is copied, with
  // the free labels innermost (the GEMM packs such panels by rows).
  if (!mergeable(plan.left_, plan.x_.stride, plan.size_) ||
      !mergeable(plan.contracted_, plan.x_.stride, plan.size_))
    plan.x_.copy_order = cat_labels(plan.batch_, plan.contracted_, plan.left_);
  if (!mergeable(plan.right_, plan.y_.stride, plan.size_) ||
      !mergeable(plan.contracted_, plan.y_.stride, plan.size_))
    plan.y_.copy_order = cat_labels(plan.batch_, plan.contracted_, plan.right_);

  plan.out_stride_.assign(labels, 0);
  {
    Shape out_shape;
    for (int l : binding.output) out_shape.push_back(label_size[static_cast<size_t>(l)]);
    const std::vector<int64_t> strides = strides_of(out_shape);
    for (size_t d = 0; d < binding.output.size(); ++d)
      plan.out_stride_[static_cast<size_t>(binding.output[d])] = strides[d];
  }
  // The GEMM writes rows at one stride and columns contiguously: the output's right labels
  // (or, computing the transposed product, its left ones) must be its last.
  const bool rows_cols = mergeable(plan.left_, plan.out_stride_, plan.size_) &&
                         mergeable(plan.right_, plan.out_stride_, plan.size_);
  auto unit_last = [&](const std::vector<int>& group) {
    return group.empty() || merged_stride(group, plan.out_stride_) == 1;
  };
  if (rows_cols && unit_last(plan.right_)) {
    plan.swapped_ = false;
  } else if (rows_cols && unit_last(plan.left_)) {
    plan.swapped_ = true;
  } else {
    plan.permute_ = true;
  }
  return plan;
}

int64_t EinsumGemmPlan::count(const std::vector<int>& labels) const {
  int64_t n = 1;
  for (int l : labels) n *= size_[static_cast<size_t>(l)];
  return n;
}

const float* EinsumGemmPlan::view(const Operand& op, const float* data, std::vector<float>& storage,
                                  std::vector<int64_t>& stride) const {
  if (op.copy_order.empty()) {
    stride = op.stride;
    return data;
  }
  storage.resize(static_cast<size_t>(count(op.copy_order)));
  stride = contiguous_strides(op.copy_order, size_);
  copy_strided(data, op.stride, storage.data(), stride, op.copy_order, size_);
  return storage.data();
}

void EinsumGemmPlan::run(const float* x, const float* y, float* out,
                         const kernels::Parallel& parallel) const {
  const int64_t M = count(left_), N = count(right_), K = count(contracted_);
  const int64_t batches = count(batch_), total = batches * M * N;
  if (total == 0) return;
  if (K == 0) {  // an empty sum
    std::fill(out, out + total, 0.0f);
    return;
  }
  std::vector<float> x_copy, y_copy, block;
  std::vector<int64_t> xs, ys;
  const float* xd = view(x_, x, x_copy, xs);
  const float* yd = view(y_, y, y_copy, ys);
  // Where the GEMM writes: the output, or a contiguous [batch][left][right] block.
  float* c = out;
  std::vector<int64_t> cs = out_stride_;
  int64_t ldc = 0;
  if (permute_) {
    block.resize(static_cast<size_t>(total));
    c = block.data();
    std::vector<int> order = batch_;
    order.insert(order.end(), left_.begin(), left_.end());
    order.insert(order.end(), right_.begin(), right_.end());
    cs = contiguous_strides(order, size_);
    ldc = N;
  } else if (!swapped_) {
    ldc = left_.empty() ? N : merged_stride(left_, cs);
  } else {
    ldc = right_.empty() ? M : merged_stride(right_, cs);
  }
  // Each batch index's offsets into x, y and c.
  std::vector<int64_t> offsets(static_cast<size_t>(3 * batches), 0);
  for (int64_t i = 0; i < batches; ++i) {
    int64_t rem = i, ox = 0, oy = 0, oc = 0;
    for (size_t a = batch_.size(); a-- > 0;) {
      const auto l = static_cast<size_t>(batch_[a]);
      const int64_t v = rem % size_[l];
      rem /= size_[l];
      ox += v * xs[l];
      oy += v * ys[l];
      oc += v * cs[l];
    }
    offsets[static_cast<size_t>(3 * i)] = ox;
    offsets[static_cast<size_t>(3 * i + 1)] = oy;
    offsets[static_cast<size_t>(3 * i + 2)] = oc;
  }
  const kernels::MicroKernel& uk = kernels::default_microkernel();
  auto product = [&](int64_t i, const kernels::Parallel& par) {
    const int64_t* o = &offsets[static_cast<size_t>(3 * i)];
    // x as [left][contracted], y as [right][contracted]: lines and K steps.
    const kernels::StridedSource xsrc(xd + o[0], merged_stride(left_, xs),
                                      merged_stride(contracted_, xs));
    const kernels::StridedSource ysrc(yd + o[1], merged_stride(right_, ys),
                                      merged_stride(contracted_, ys));
    if (swapped_)
      kernels::gemm(uk, N, M, K, ysrc, xsrc, c + o[2], ldc, {}, par);
    else
      kernels::gemm(uk, M, N, K, xsrc, ysrc, c + o[2], ldc, {}, par);
  };
  if (batches > 1 && batches >= parallel.threads) {
    parallel.for_tasks(batches, [&](int64_t i0, int64_t i1) {
      for (int64_t i = i0; i < i1; ++i) product(i, kernels::serial());
    });
  } else {
    for (int64_t i = 0; i < batches; ++i) product(i, parallel);
  }
  if (permute_) copy_strided(c, cs, out, out_stride_, output_, size_);
}

}  // namespace onyx
