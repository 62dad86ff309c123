// Removal of nodes whose output equals their input, as inferred types and load-time
// constants show: Reshape, Flatten, Squeeze and Expand to the input's own shape,
// Transpose by the identity permutation, Cast and CastLike to the input's dtype, Slice
// that keeps every element, Pad by zeros, Concat of one input, Split into one piece, and
// Unsqueeze then Squeeze (or Squeeze then Unsqueeze) of the same axes. Identity and
// inference Dropout are eliminate_identities' work. Values that a graph output or a
// subgraph names keep their names (GraphEdit::bypass): such a node stays, except that a
// cancelling pair becomes one Identity.
#include <algorithm>
#include <limits>

#include "passes.h"

namespace onyx::passes {

namespace {

using Ints = std::vector<int64_t>;

// The node's attribute `name` of type ints, or nullopt.
std::optional<Ints> ints_attr(const Node& node, const char* name) {
  const Attribute* a = node.find_attr(name);
  if (!a || a->type != AttrType::Ints) return std::nullopt;
  return a->ints;
}

int64_t int_attr(const Node& node, const char* name, int64_t fallback) {
  const Attribute* a = node.find_attr(name);
  return a && a->type == AttrType::Int ? a->i : fallback;
}

// Input `slot` when present.
int input_of(const Node& node, size_t slot) {
  return slot < node.inputs.size() ? node.inputs[slot] : kNoValue;
}

// The known dims of a tensor value (-1 where unknown), or nullopt when the rank is
// unknown.
std::optional<Ints> dims_of(const GraphEdit& edit, int value) {
  if (value == kNoValue) return std::nullopt;
  const TypeInfo& t = edit.type(value);
  if (!t.is_tensor() || !t.shape) return std::nullopt;
  Ints dims;
  for (const Dim& d : *t.shape) dims.push_back(d.is_known() ? d.value : -1);
  return dims;
}

// Whether both values have the same fully known shape.
bool same_static_shape(const GraphEdit& edit, int a, int b) {
  if (a == kNoValue || b == kNoValue) return false;
  const std::optional<Shape> sa = edit.type(a).concrete_shape();
  const std::optional<Shape> sb = edit.type(b).concrete_shape();
  return sa && sb && *sa == *sb;
}

// `axes` normalized against `rank` and sorted; nullopt when one is out of range or
// repeated.
std::optional<Ints> normalized_axes(Ints axes, int64_t rank) {
  for (int64_t& a : axes) {
    if (a < -rank || a >= rank) return std::nullopt;
    if (a < 0) a += rank;
  }
  std::sort(axes.begin(), axes.end());
  if (std::adjacent_find(axes.begin(), axes.end()) != axes.end()) return std::nullopt;
  return axes;
}

// Whether a Reshape (opset 5 on; the attribute form before is left alone) gives its
// input's shape back.
bool reshape_keeps_shape(const GraphEdit& edit, const Node& node) {
  if (node.opset < 5) return false;
  const int x = input_of(node, 0);
  if (same_static_shape(edit, x, node.outputs[0])) return true;
  // With symbolic dims: every target entry copies (0) or restates its input dim, and at
  // most one -1 stands where every other dim is known and nonzero, so it must restate its
  // dim too.
  const std::optional<Ints> dims = dims_of(edit, x);
  const std::optional<Ints> target = edit.constant_ints(input_of(node, 1));
  if (!dims || !target || target->size() != dims->size()) return false;
  const bool allowzero = int_attr(node, "allowzero", 0) != 0;
  int inferred = -1;
  for (size_t i = 0; i < dims->size(); ++i) {
    const int64_t t = (*target)[i], d = (*dims)[i];
    if (t == 0 && !allowzero) continue;
    if (t == -1 && inferred < 0) {
      inferred = static_cast<int>(i);
      continue;
    }
    if (t < 0 || t != d) return false;
  }
  if (inferred < 0) return true;
  for (size_t i = 0; i < dims->size(); ++i)
    if (static_cast<int>(i) != inferred && (*dims)[i] <= 0) return false;
  return true;
}

bool transpose_is_identity(const GraphEdit& edit, const Node& node) {
  const std::optional<int> rank = edit.rank(input_of(node, 0));
  std::optional<Ints> perm = ints_attr(node, "perm");
  if (!perm) return rank && *rank <= 1;  // the default reverses the dims
  if (!rank || perm->size() != static_cast<size_t>(*rank)) return false;  // the kernel fails
  for (size_t i = 0; i < perm->size(); ++i)
    if ((*perm)[i] != static_cast<int64_t>(i)) return false;
  return true;
}

bool cast_keeps_dtype(const GraphEdit& edit, const Node& node) {
  const int x = input_of(node, 0);
  if (x == kNoValue || !edit.type(x).is_tensor()) return false;
  const DType from = edit.type(x).elem;
  if (from == DType::Undefined) return false;
  if (is_onnx(node, "CastLike")) {
    const int like = input_of(node, 1);
    return like != kNoValue && edit.type(like).is_tensor() && edit.type(like).elem == from;
  }
  const Attribute* to = node.find_attr("to");
  return to && to->type == AttrType::Int && to->i == static_cast<int64_t>(from);
}

// Slice with starts 0 (or before the first element), ends at or past each dim and steps
// 1 on every axis it names.
bool slice_keeps_all(const GraphEdit& edit, const Node& node) {
  const std::optional<Ints> dims = dims_of(edit, input_of(node, 0));
  if (!dims) return false;
  std::optional<Ints> starts, ends, axes, steps;
  if (node.opset < 10) {
    starts = ints_attr(node, "starts");
    ends = ints_attr(node, "ends");
    axes = ints_attr(node, "axes");
  } else {
    starts = edit.constant_ints(input_of(node, 1));
    ends = edit.constant_ints(input_of(node, 2));
    if (input_of(node, 3) != kNoValue && !(axes = edit.constant_ints(input_of(node, 3))))
      return false;
    if (input_of(node, 4) != kNoValue && !(steps = edit.constant_ints(input_of(node, 4))))
      return false;
  }
  if (!starts || !ends || starts->size() != ends->size()) return false;
  const size_t n = starts->size();
  const int64_t rank = static_cast<int64_t>(dims->size());
  if (!axes) {
    if (n > dims->size()) return false;
    axes = Ints(n);
    for (size_t i = 0; i < n; ++i) (*axes)[i] = static_cast<int64_t>(i);
  }
  if (axes->size() != n || (steps && steps->size() != n)) return false;
  if (!normalized_axes(*axes, rank)) return false;
  for (size_t i = 0; i < n; ++i) {
    const int64_t axis = (*axes)[i] < 0 ? (*axes)[i] + rank : (*axes)[i];
    const int64_t dim = (*dims)[static_cast<size_t>(axis)];
    const int64_t start = (*starts)[i], end = (*ends)[i];
    if (steps && (*steps)[i] != 1) return false;
    // A negative start counts from the end and clamps to 0.
    if (start != 0 && !(start < 0 && dim >= 0 && start + dim <= 0)) return false;
    // An unknown dim is only surely covered by the largest end.
    if (dim < 0 ? end != std::numeric_limits<int64_t>::max() : end < dim) return false;
  }
  return true;
}

bool pads_are_zero(const GraphEdit& edit, const Node& node) {
  std::optional<Ints> pads = node.opset < 11 ? ints_attr(node, node.opset < 2 ? "paddings" : "pads")
                                             : edit.constant_ints(input_of(node, 1));
  return pads && std::all_of(pads->begin(), pads->end(), [](int64_t p) { return p == 0; });
}

// Expand by a constant shape whose entries (aligned from the back, no longer than the
// input's rank) are 1 or the input's own dims.
bool expand_keeps_shape(const GraphEdit& edit, const Node& node) {
  const int x = input_of(node, 0);
  if (same_static_shape(edit, x, node.outputs[0])) return true;
  const std::optional<Ints> dims = dims_of(edit, x);
  const std::optional<Ints> shape = edit.constant_ints(input_of(node, 1));
  if (!dims || !shape || shape->size() > dims->size()) return false;
  const size_t skip = dims->size() - shape->size();
  for (size_t i = 0; i < shape->size(); ++i) {
    const int64_t s = (*shape)[i], d = (*dims)[skip + i];
    if (s != 1 && (d < 0 || s != d)) return false;  // 1 keeps any dim
  }
  return true;
}

// Whether the `axis` attribute names a dim of input 0 (else the kernel fails, and stays).
bool axis_in_range(const GraphEdit& edit, const Node& node) {
  const std::optional<int> rank = edit.rank(input_of(node, 0));
  const int64_t axis = int_attr(node, "axis", 0);
  return rank && axis >= -*rank && axis < *rank;
}

bool split_is_whole(const GraphEdit& edit, const Node& node) {
  if (node.outputs.size() != 1) return false;
  std::optional<Ints> split;
  if (node.opset < 13 && node.find_attr("split")) {
    split = ints_attr(node, "split");
    if (!split) return false;
  } else if ((node.opset == 1 || node.opset >= 13) && input_of(node, 1) != kNoValue) {
    split = edit.constant_ints(input_of(node, 1));
    if (!split) return false;
  }
  if (!axis_in_range(edit, node)) return false;
  if (!split) return true;  // one piece of the whole axis
  const std::optional<Ints> dims = dims_of(edit, input_of(node, 0));
  if (!dims || split->size() != 1) return false;
  const int64_t rank = static_cast<int64_t>(dims->size());
  const int64_t axis = int_attr(node, "axis", 0);
  const int64_t dim = (*dims)[static_cast<size_t>(axis < 0 ? axis + rank : axis)];
  return dim >= 0 && (*split)[0] == dim;
}

// The axes of Squeeze/Unsqueeze (attribute before opset 13, input after), normalized
// against `rank`; Squeeze without axes takes the 1s of a fully known shape.
std::optional<Ints> squeeze_axes(const GraphEdit& edit, const Node& node, int64_t rank) {
  std::optional<Ints> axes =
      node.opset < 13
          ? ints_attr(node, "axes")
          : (input_of(node, 1) == kNoValue ? std::nullopt : edit.constant_ints(input_of(node, 1)));
  if (axes) return normalized_axes(*axes, rank);
  if (node.opset >= 13 && input_of(node, 1) != kNoValue) return std::nullopt;
  if (!is_onnx(node, "Squeeze")) return std::nullopt;
  const std::optional<Shape> shape = edit.type(input_of(node, 0)).concrete_shape();
  if (!shape) return std::nullopt;
  Ints ones;
  for (size_t i = 0; i < shape->size(); ++i)
    if ((*shape)[i] == 1) ones.push_back(static_cast<int64_t>(i));
  return ones;
}

// For a Squeeze or Unsqueeze node: the value before the Unsqueeze/Squeeze that it
// undoes (whose output only this node reads), or kNoValue. The first node is removed
// when it becomes unread.
int undone_squeeze(const GraphEdit& edit, const Node& node, int index) {
  const bool squeeze = is_onnx(node, "Squeeze");
  const int mid = input_of(node, 0);
  const int first = mid == kNoValue ? -1 : edit.producer(mid);
  if (first < 0 || edit.sole_consumer(mid) != index) return kNoValue;
  const Node& prev = edit.node(first);
  if (!is_onnx(prev, squeeze ? "Unsqueeze" : "Squeeze")) return kNoValue;
  const int x = input_of(prev, 0);
  const std::optional<int> mid_rank = edit.rank(mid), x_rank = edit.rank(x);
  if (!mid_rank || !x_rank) return kNoValue;
  // Both lists name dims of the higher-rank value: Unsqueeze's output, Squeeze's input.
  const int64_t high = std::max(*mid_rank, *x_rank);
  const std::optional<Ints> a = squeeze_axes(edit, prev, high);
  const std::optional<Ints> b = squeeze_axes(edit, node, high);
  if (!a || !b || *a != *b || a->empty()) return kNoValue;
  if (high - static_cast<int64_t>(a->size()) != std::min(*mid_rank, *x_rank)) return kNoValue;
  if (!squeeze) {  // the Squeeze must have removed 1s, else it fails at run time
    const std::optional<Ints> dims = dims_of(edit, x);
    for (int64_t axis : *a)
      if ((*dims)[static_cast<size_t>(axis)] != 1) return kNoValue;
  }
  return x;
}

bool is_noop(const GraphEdit& edit, const Node& node) {
  if (!node.is_default_domain()) return false;
  const std::string& op = node.op_type;
  if (op == "Reshape") return reshape_keeps_shape(edit, node);
  if (op == "Flatten" || op == "Squeeze")
    return same_static_shape(edit, input_of(node, 0), node.outputs[0]);
  if (op == "Transpose") return transpose_is_identity(edit, node);
  if (op == "Cast" || op == "CastLike") return cast_keeps_dtype(edit, node);
  if (op == "Slice") return slice_keeps_all(edit, node);
  if (op == "Pad") return pads_are_zero(edit, node);
  if (op == "Expand") return expand_keeps_shape(edit, node);
  if (op == "Concat") return node.inputs.size() == 1 && axis_in_range(edit, node);
  if (op == "Split") return split_is_whole(edit, node);
  return false;
}

}  // namespace

int eliminate_noops(GraphEdit& edit) {
  int removed = 0;
  for (int i = 0; i < edit.num_nodes(); ++i) {
    const Node& node = edit.node(i);
    if (edit.removed(i) || node.inputs.empty() || node.inputs[0] == kNoValue ||
        node.outputs.empty() || node.outputs[0] == kNoValue)
      continue;
    if (is_onnx(node, "Squeeze") || is_onnx(node, "Unsqueeze")) {
      const int x = undone_squeeze(edit, node, i);
      if (x != kNoValue) {
        // The pair gives x back: the first goes, the second reads x and goes too, or,
        // where its output's name must stay and cannot pass to x's producer, becomes an
        // Identity.
        edit.remove_node(edit.producer(node.inputs[0]));
        Node identity;
        identity.name = node.name;
        identity.op_type = "Identity";
        identity.opset = node.opset;
        identity.opset_pinned = node.opset_pinned;
        identity.inputs = {x};
        identity.outputs = {node.outputs[0]};
        edit.replace_node(i, std::move(identity));
        edit.bypass(i);
        ++removed;
        continue;
      }
    }
    if (is_noop(edit, node) && edit.bypass(i)) ++removed;
  }
  return removed;
}

}  // namespace onyx::passes
