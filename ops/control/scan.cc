// Scan: runs `body` once per position along the scan axis of its scan inputs,
// threading state values through the steps and stacking each scan output.
//
//   Scan-9+: inputs (state..., scan inputs...); per-input axes and directions.
//   Scan-8:  inputs (sequence_lens?, state..., scan inputs...) with a leading batch
//            dim on every input and output; the scan axis is 1 (0 within a batch
//            entry). Steps past an entry's sequence length leave zeros.
#include "common/pieces.h"
#include "common/shape_utils.h"
#include "control/control_ops.h"
#include "onyx/subgraph.h"

namespace onyx {
namespace {

// ---- 1. registration ----

std::vector<OpVersion> scan_versions() {
  const std::map<std::string, AttrType> attrs = {{"body", AttrType::Graph},
                                                 {"num_scan_inputs", AttrType::Int},
                                                 {"directions", AttrType::Ints},
                                                 {"scan_input_axes", AttrType::Ints},
                                                 {"scan_input_directions", AttrType::Ints},
                                                 {"scan_output_axes", AttrType::Ints},
                                                 {"scan_output_directions", AttrType::Ints}};
  return {{8, 8, {}, attrs},   {9, 10, {}, attrs},  {11, 15, {}, attrs},
          {16, 18, {}, attrs}, {19, 20, {}, attrs}, {21, 22, {}, attrs},
          {23, 23, {}, attrs}, {24, 24, {}, attrs}, {25, kOpsetOpen, {}, attrs}};
}

// ---- 2. attributes ----

struct ScanAttrs {
  bool batched = false;  // Scan-8
  int states = 0;
  int scan_inputs = 0;
  int scan_outputs = 0;
  std::vector<int64_t> in_axes, in_reverse, out_axes, out_reverse;
};

ScanAttrs read_scan_attrs(const Node& node, int num_inputs, int num_outputs,
                          const std::function<void(const std::string&)>& fail) {
  ScanAttrs a;
  const Attrs attrs(node, "Scan");
  a.batched = node.opset < 9;
  a.scan_inputs = static_cast<int>(attrs.required_int("num_scan_inputs"));
  a.states = num_inputs - (a.batched ? 1 : 0) - a.scan_inputs;
  if (a.scan_inputs < 1 || a.states < 0)
    fail(cat("num_scan_inputs ", a.scan_inputs, " does not fit ", num_inputs, " inputs"));
  a.scan_outputs = num_outputs - a.states;
  if (a.scan_outputs < 0)
    fail(cat("the node has ", num_outputs, " outputs, fewer than its ", a.states, " states"));
  auto per = [&](const char* name, size_t n, int64_t fallback) {
    std::vector<int64_t> v = attrs.get_ints(name, std::vector<int64_t>(n, fallback));
    if (v.size() != n) fail(cat(name, " has ", v.size(), " entries; expected ", n));
    return v;
  };
  if (a.batched) {
    a.in_reverse = per("directions", a.scan_inputs, 0);
    a.in_axes.assign(a.scan_inputs, 0);
    a.out_axes.assign(a.scan_outputs, 0);
    a.out_reverse.assign(a.scan_outputs, 0);
  } else {
    a.in_axes = per("scan_input_axes", a.scan_inputs, 0);
    a.in_reverse = per("scan_input_directions", a.scan_inputs, 0);
    a.out_axes = per("scan_output_axes", a.scan_outputs, 0);
    a.out_reverse = per("scan_output_directions", a.scan_outputs, 0);
  }
  for (const auto* dirs : {&a.in_reverse, &a.out_reverse})
    for (int64_t d : *dirs)
      if (d != 0 && d != 1) fail(cat("a direction is ", d, "; it must be 0 or 1"));
  return a;
}

// ---- 3. shape rule ----

void infer_scan(InferContext& ctx) {
  const Attribute* body = ctx.node().find_attr("body");
  if (!body || !body->g) return;
  ScanAttrs a = read_scan_attrs(ctx.node(), ctx.num_inputs(), ctx.num_outputs(),
                                [&](const std::string& m) { ctx.fail(m); });
  const int first_state = a.batched ? 1 : 0;
  for (int i = 0; i < ctx.num_outputs(); ++i) {
    TypeInfo t = declared_output_type(*body->g, i);
    if (i < a.states) {
      if (t.kind == TypeInfo::Kind::Unknown) t = ctx.input(first_state + i);
      ctx.set_output(i, t);
    } else {
      TypeInfo out = with_dim_at(t, static_cast<int>(a.out_axes[i - a.states]), Dim{});
      ctx.set_output(i, a.batched ? with_dim_at(out, 0, Dim{}) : out);
    }
  }
}

// ---- 4. compute ----

class ScanKernel final : public Kernel {
 public:
  explicit ScanKernel(const KernelInit& init)
      : a_(read_scan_attrs(init.node(), init.num_inputs(), init.num_outputs(),
                           [&](const std::string& m) { init.fail(m); })) {
    check_carried_dtypes(init);
    body_ = init.subgraph("body");
    if (body_->num_inputs() != a_.states + a_.scan_inputs ||
        body_->num_outputs() != a_.states + a_.scan_outputs)
      init.fail(cat("body has ", body_->num_inputs(), " inputs and ", body_->num_outputs(),
                    " outputs; the node needs ", a_.states + a_.scan_inputs, " and ",
                    a_.states + a_.scan_outputs));
  }

  void run(KernelContext& ctx) const override {
    const int first_state = a_.batched ? 1 : 0;
    std::vector<Tensor> states, scans;
    for (int i = 0; i < a_.states; ++i) states.push_back(ctx.input(first_state + i));
    for (int j = 0; j < a_.scan_inputs; ++j)
      scans.push_back(ctx.input(first_state + a_.states + j));
    if (!a_.batched) return emit(ctx, scan_once(ctx, states, scans, -1));

    // Scan-8: one independent scan per batch entry, restacked along the batch dim.
    const int64_t batch = scans[0].rank() > 0 ? scans[0].dim(0) : 0;
    for (const Tensor& t : states) check_batch(ctx, t, batch);
    for (const Tensor& t : scans) check_batch(ctx, t, batch);
    std::vector<int64_t> lens;
    if (ctx.has_input(0)) lens = tensor_to_ints(ctx.input(0), "sequence_lens", ctx);
    if (!lens.empty() && static_cast<int64_t>(lens.size()) != batch)
      ctx.fail(cat("sequence_lens has ", lens.size(), " entries for a batch of ", batch));
    std::vector<std::vector<Tensor>> per_output(states.size() + a_.scan_outputs);
    for (int64_t b = 0; b < batch; ++b) {
      std::vector<Tensor> s, x;
      for (const Tensor& t : states) s.push_back(slice_along(t, 0, b));
      for (const Tensor& t : scans) x.push_back(slice_along(t, 0, b));
      std::vector<Tensor> outs = scan_once(ctx, s, x, lens.empty() ? -1 : lens[b]);
      for (size_t k = 0; k < outs.size(); ++k) per_output[k].push_back(std::move(outs[k]));
    }
    std::vector<Tensor> outs;
    for (size_t k = 0; k < per_output.size(); ++k) {
      TypeInfo element = body_->output_type(static_cast<int>(k));
      if (k >= states.size()) element = with_dim_at(element, 0, Dim::known(0));
      outs.push_back(stack_tensors(per_output[k], 0, element, ctx));
    }
    emit(ctx, outs);
  }

 private:
  static void check_batch(const KernelContext& ctx, const Tensor& t, int64_t batch) {
    if (t.rank() < 1 || t.dim(0) != batch)
      ctx.fail(cat("every input needs the batch dim ", batch, "; got ", t.describe()));
  }

  void emit(KernelContext& ctx, std::vector<Tensor> outs) const {
    for (int i = 0; i < ctx.num_outputs(); ++i) ctx.set_output(i, std::move(outs[i]));
  }

  // One scan over unbatched inputs; `length` < 0 means the full scan axis. Returns
  // the final states, then the stacked scan outputs.
  std::vector<Tensor> scan_once(const KernelContext& ctx, std::vector<Tensor> states,
                                const std::vector<Tensor>& scans, int64_t length) const {
    std::vector<int> axes;
    int64_t steps = -1;
    for (int j = 0; j < a_.scan_inputs; ++j) {
      const Tensor& x = scans[j];
      int axis = normalize_axis(a_.in_axes[j], x.rank(), "scan_input_axes");
      axes.push_back(axis);
      if (steps >= 0 && x.dim(axis) != steps)
        ctx.fail(cat("scan inputs disagree on the sequence length: ", steps, " and ", x.dim(axis)));
      steps = x.dim(axis);
    }
    const int64_t used = length < 0 ? steps : length;
    if (used > steps) ctx.fail(cat("sequence length ", length, " exceeds the scan axis ", steps));
    std::vector<std::vector<Tensor>> collected(static_cast<size_t>(a_.scan_outputs));
    for (int64_t t = 0; t < used; ++t) {
      std::vector<RuntimeValue> ins(states.begin(), states.end());
      for (int j = 0; j < a_.scan_inputs; ++j)
        ins.push_back(slice_along(scans[j], axes[j], a_.in_reverse[j] ? used - 1 - t : t));
      std::vector<RuntimeValue> outs = body_->run(ctx, std::move(ins));
      for (int i = 0; i < a_.states; ++i) states[i] = outs[i].tensor("state output");
      for (int k = 0; k < a_.scan_outputs; ++k)
        collected[k].push_back(outs[a_.states + k].tensor("scan output"));
    }
    std::vector<Tensor> result = std::move(states);
    for (int k = 0; k < a_.scan_outputs; ++k) {
      std::vector<Tensor>& items = collected[k];
      if (a_.out_reverse[k]) std::reverse(items.begin(), items.end());
      // Steps past a short sequence (Scan-8) are zeros.
      if (!items.empty())
        while (static_cast<int64_t>(items.size()) < steps)
          items.push_back(Tensor(items[0].dtype(), items[0].shape()));
      const TypeInfo& element = body_->output_type(a_.states + k);
      const int rank = !items.empty()  ? items[0].rank()
                       : element.shape ? static_cast<int>(element.shape->size())
                                       : 0;
      const int axis = normalize_axis(a_.out_axes[k], rank + 1, "scan_output_axes");
      result.push_back(stack_tensors(items, axis, element, ctx));
    }
    return result;
  }

  ScanAttrs a_;
  std::unique_ptr<Subgraph> body_;
};

}  // namespace

void register_scan(Registry& registry) {
  add_op_versions(registry, "Scan", scan_versions(), make_kernel<ScanKernel>(), infer_scan);
}

}  // namespace onyx
