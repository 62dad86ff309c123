#include "common/shape_utils.h"

#include <algorithm>

namespace onyx {

int normalize_axis(int64_t axis, int rank, const std::string& what) {
  if (axis < -rank || axis >= rank) fail(what, ": axis ", axis, " is out of range for rank ", rank);
  return static_cast<int>(axis < 0 ? axis + rank : axis);
}

Shape broadcast_shapes(const Shape& a, const Shape& b, const std::string& what) {
  size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da == db || db == 1) {
      out[i] = da;
    } else if (da == 1) {
      out[i] = db;
    } else {
      fail(what, ": shapes ", shape_to_string(a), " and ", shape_to_string(b),
           " cannot be broadcast");
    }
  }
  return out;
}

std::optional<std::vector<Dim>> broadcast_dims(const std::optional<std::vector<Dim>>& a,
                                               const std::optional<std::vector<Dim>>& b,
                                               const std::string& what) {
  if (!a || !b) return std::nullopt;
  size_t rank = std::max(a->size(), b->size());
  std::vector<Dim> out(rank);
  for (size_t i = 0; i < rank; ++i) {
    Dim da = i < rank - a->size() ? Dim::known(1) : (*a)[i - (rank - a->size())];
    Dim db = i < rank - b->size() ? Dim::known(1) : (*b)[i - (rank - b->size())];
    if (da == db || (db.is_known() && db.value == 1)) {
      out[i] = da;
    } else if (da.is_known() && da.value == 1) {
      out[i] = db;
    } else if (da.is_known() && db.is_known()) {
      fail(what, ": dims ", da.value, " and ", db.value, " cannot be broadcast");
    } else if (da.is_known()) {
      out[i] = da;  // the symbolic side must be 1 or equal
    } else if (db.is_known()) {
      out[i] = db;
    } else {
      out[i] = Dim{};  // two different symbols: unknown
    }
  }
  return out;
}

std::vector<int64_t> strides_of(const Shape& shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (int i = static_cast<int>(shape.size()) - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

std::vector<int64_t> broadcast_strides(const Shape& shape, const Shape& out) {
  std::vector<int64_t> own = strides_of(shape);
  std::vector<int64_t> result(out.size(), 0);
  size_t offset = out.size() - shape.size();
  for (size_t i = 0; i < shape.size(); ++i) result[offset + i] = shape[i] == 1 ? 0 : own[i];
  return result;
}

void infer_same_as_input(InferContext& ctx) {
  if (ctx.num_outputs() > 0) ctx.set_output(0, ctx.input(0));
}

void infer_broadcast(InferContext& ctx) {
  std::optional<std::vector<Dim>> shape = ctx.input(0).shape;
  for (int i = 1; i < ctx.num_inputs(); ++i)
    shape = broadcast_dims(shape, ctx.input(i).shape, ctx.label());
  ctx.set_output(0, TypeInfo::tensor(ctx.input(0).elem, shape));
}

void add_op_versions(Registry& registry, const std::string& op_type,
                     const std::vector<OpVersion>& versions, const KernelFactory& create,
                     const ShapeRule& infer, int dtype_input) {
  for (const OpVersion& v : versions) {
    KernelDef def;
    def.op_type = op_type;
    def.since_version = v.since;
    def.until_version = v.until;
    def.dtypes = v.dtypes;
    def.dtype_input = dtype_input;
    def.create = create;
    def.infer = infer;
    def.attr_types = v.attr_types;
    registry.add(std::move(def));
  }
}

std::optional<int64_t> declared_length(const TypeInfo& type) {
  if (!type.shape || type.shape->size() != 1) return std::nullopt;
  const Dim& d = (*type.shape)[0];
  if (!d.is_known() || d.value > kMaxFoldElements) return std::nullopt;
  return d.value;
}

BroadcastWalk::BroadcastWalk(const std::vector<Shape>& inputs, const Shape& out)
    : strides_(inputs.size()), steps_(inputs.size(), 0) {
  rows_ = checked_numel(out) == 0 ? 0 : 1;
  if (rows_ == 0) return;
  std::vector<std::vector<int64_t>> full(inputs.size());
  for (size_t k = 0; k < inputs.size(); ++k) full[k] = broadcast_strides(inputs[k], out);
  // Drop size-1 output dims, then merge a dim into the previous one when every input
  // reads both as one contiguous (or one broadcast) block.
  for (size_t d = 0; d < out.size(); ++d) {
    if (out[d] == 1) continue;
    bool merge = !dims_.empty();
    for (size_t k = 0; merge && k < inputs.size(); ++k)
      merge = strides_[k].back() == full[k][d] * out[d];
    if (merge) {
      dims_.back() *= out[d];
      for (size_t k = 0; k < inputs.size(); ++k) strides_[k].back() = full[k][d];
    } else {
      dims_.push_back(out[d]);
      for (size_t k = 0; k < inputs.size(); ++k) strides_[k].push_back(full[k][d]);
    }
  }
  if (dims_.empty()) return;  // a single element
  inner_ = dims_.back();
  dims_.pop_back();
  for (size_t k = 0; k < inputs.size(); ++k) {
    steps_[k] = strides_[k].back();
    strides_[k].pop_back();
  }
  for (int64_t d : dims_) rows_ *= d;
}

std::vector<int64_t> tensor_to_ints(const Tensor& t, const std::string& what) {
  if (t.rank() > 1) fail(what, ": expected a 1-D tensor, got ", t.describe());
  std::vector<int64_t> out(static_cast<size_t>(t.numel()));
  if (t.dtype() == DType::Int64) {
    for (int64_t i = 0; i < t.numel(); ++i) out[i] = t.data<int64_t>()[i];
  } else if (t.dtype() == DType::Int32) {
    for (int64_t i = 0; i < t.numel(); ++i) out[i] = t.data<int32_t>()[i];
  } else {
    fail(what, ": expected an int64 or int32 tensor, got ", t.describe());
  }
  return out;
}

}  // namespace onyx
