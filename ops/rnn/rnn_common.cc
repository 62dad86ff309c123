// The shared plumbing of RNN, GRU and LSTM: attribute parsing, input checks, shape rule.
#include "rnn/rnn_common.h"

#include <cctype>

namespace onyx {
namespace {

struct ActivationSpec {
  const char* name;
  ActivationKind kind;
  bool uses_alpha;
  float alpha;  // default, as the ONNX operator of the same name
  bool uses_beta;
  float beta;
};

// The spec's list of gate activations. activation_alpha / activation_beta values are
// consumed in order by the functions that take that parameter.
constexpr ActivationSpec kActivations[] = {
    {"relu", ActivationKind::Relu, false, 0.0f, false, 0.0f},
    {"tanh", ActivationKind::Tanh, false, 0.0f, false, 0.0f},
    {"sigmoid", ActivationKind::Sigmoid, false, 0.0f, false, 0.0f},
    {"affine", ActivationKind::Affine, true, 1.0f, true, 0.0f},
    {"leakyrelu", ActivationKind::LeakyRelu, true, 0.01f, false, 0.0f},
    {"thresholdedrelu", ActivationKind::ThresholdedRelu, true, 1.0f, false, 0.0f},
    {"scaledtanh", ActivationKind::ScaledTanh, true, 1.0f, true, 1.0f},
    {"hardsigmoid", ActivationKind::HardSigmoid, true, 0.2f, true, 0.5f},
    {"elu", ActivationKind::Elu, true, 1.0f, false, 0.0f},
    {"softsign", ActivationKind::Softsign, false, 0.0f, false, 0.0f},
    {"softplus", ActivationKind::Softplus, false, 0.0f, false, 0.0f},
};

std::string lower(std::string s) {
  for (char& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

int directions_of(const std::string& direction, RnnDirection* out) {
  if (direction == "forward") return *out = RnnDirection::Forward, 1;
  if (direction == "reverse") return *out = RnnDirection::Reverse, 1;
  if (direction == "bidirectional") return *out = RnnDirection::Bidirectional, 2;
  return 0;
}

}  // namespace

std::map<std::string, AttrType> rnn_attr_types(int since) {
  std::map<std::string, AttrType> types = {
      {"activation_alpha", AttrType::Floats}, {"activation_beta", AttrType::Floats},
      {"activations", AttrType::Strings},     {"clip", AttrType::Float},
      {"direction", AttrType::String},        {"hidden_size", AttrType::Int}};
  if (since < 7) types["output_sequence"] = AttrType::Int;  // only made Y optional
  if (since >= 14) types["layout"] = AttrType::Int;
  return types;
}

RnnAttrs read_rnn_attrs(const KernelInit& init, const std::string& op,
                        const std::vector<std::string>& default_activations) {
  const Attrs& attrs = init.attrs();
  RnnAttrs a;
  a.op = op;
  if (!init.has_input(0) || !init.has_input(1) || !init.has_input(2))
    init.fail(op + " needs inputs X, W and R");
  if (attrs.has("hidden_size")) {
    a.hidden_size = attrs.get_int("hidden_size", -1);
    if (a.hidden_size <= 0) init.fail(cat("hidden_size must be positive, got ", a.hidden_size));
  }
  const std::string direction = attrs.get_string("direction", "forward");
  a.num_directions = directions_of(direction, &a.direction);
  if (a.num_directions == 0)
    init.fail("direction must be forward, reverse or bidirectional, got '" + direction + "'");
  const int64_t layout = attrs.get_int("layout", 0);
  if (layout != 0 && init.opset() < 14) init.fail("the layout attribute needs opset 14");
  if (layout != 0 && layout != 1) init.fail(cat("layout must be 0 or 1, got ", layout));
  a.layout = static_cast<int>(layout);
  if (attrs.has("clip")) {
    const float clip = attrs.get_float("clip", 0.0f);
    if (!(clip > 0.0f)) init.fail(cat("clip must be positive, got ", clip));
    a.clip = clip;
  }

  // Activations: one set per direction; a single set is reused for both directions.
  a.per_direction = static_cast<int>(default_activations.size());
  std::vector<std::string> names = attrs.get_strings("activations", {});
  const size_t per = default_activations.size();
  const size_t want = per * static_cast<size_t>(a.num_directions);
  if (names.empty()) names = default_activations;
  if (names.size() == per && want == 2 * per) {
    const std::vector<std::string> one = names;
    names.insert(names.end(), one.begin(), one.end());
  }
  if (names.size() != want)
    init.fail(cat(op, " ", direction, " takes ", want, " activations, got ", names.size()));
  const std::vector<float> alphas = attrs.get_floats("activation_alpha", {});
  const std::vector<float> betas = attrs.get_floats("activation_beta", {});
  size_t next_alpha = 0, next_beta = 0;
  for (const std::string& name : names) {
    const ActivationSpec* spec = nullptr;
    for (const ActivationSpec& s : kActivations)
      if (lower(name) == s.name) spec = &s;
    if (!spec) init.fail("unknown activation '" + name + "'");
    Activation act{spec->kind, spec->alpha, spec->beta};
    if (spec->uses_alpha && next_alpha < alphas.size()) act.alpha = alphas[next_alpha++];
    if (spec->uses_beta && next_beta < betas.size()) act.beta = betas[next_beta++];
    a.activations.push_back(act);
  }
  if (next_alpha < alphas.size() || next_beta < betas.size())
    init.fail(cat("activation_alpha has ", alphas.size(), " and activation_beta ", betas.size(),
                  " values, but the activations use only ", next_alpha, " and ", next_beta));

  for (int i = 0; i < 3; ++i)
    a.wants[i] = i < init.num_outputs() && init.node().outputs[i] != kNoValue;
  return a;
}

RnnShapes check_rnn_inputs(const KernelContext& ctx, const RnnAttrs& a, int gates, bool lstm,
                           const RnnHeldWeights& held) {
  const Tensor& x = ctx.input(0);
  // Input i's shape, or the held weights' for W and R.
  auto shape_of = [&](int i) -> const Shape& {
    if (held.held() && (i == 1 || i == 2)) return i == 1 ? held.w : held.r;
    return ctx.input(i).shape();
  };
  auto describe = [&](int i) {
    return held.held() && (i == 1 || i == 2) ? "float" + shape_to_string(shape_of(i))
                                             : ctx.input(i).describe();
  };
  const Shape& r = shape_of(2);
  if (x.rank() != 3) ctx.fail("X must be 3-D, got " + x.describe());
  if (r.size() != 3) ctx.fail("R must be 3-D, got " + describe(2));
  const char* names[] = {"X", "W", "R", "B", "", "initial_h", "initial_c", "P"};
  if (held.held() && x.dtype() != DType::Float)
    ctx.fail("X must have W's dtype float, got " + x.describe());
  for (int i : {1, 2, 3, 5, 6, 7}) {
    if ((i >= 6 && !lstm) || !ctx.has_input(i) || (held.held() && i <= 2)) continue;
    if (ctx.input(i).dtype() != x.dtype())
      ctx.fail(cat(names[i], " must have X's dtype ", dtype_name(x.dtype()), ", got ",
                   ctx.input(i).describe()));
  }
  RnnShapes s;
  s.seq = x.dim(a.layout == 1 ? 1 : 0);
  s.batch = x.dim(a.layout == 1 ? 0 : 1);
  s.input = x.dim(2);
  s.hidden = r[2];
  if (a.hidden_size >= 0 && a.hidden_size != s.hidden)
    ctx.fail(cat("hidden_size is ", a.hidden_size, " but R ", describe(2), " has hidden size ",
                 s.hidden));
  const int64_t nd = a.num_directions;
  const int64_t G = checked_numel({gates, s.hidden});
  auto expect = [&](int i, Shape want) {
    if (ctx.has_input(i) && shape_of(i) != want)
      ctx.fail(cat(names[i], " must have shape ", shape_to_string(want), ", got ", describe(i)));
  };
  expect(1, {nd, G, s.input});
  expect(2, {nd, G, s.hidden});
  expect(3, {nd, 2 * G});
  const Shape state = a.layout == 1 ? Shape{s.batch, nd, s.hidden} : Shape{nd, s.batch, s.hidden};
  expect(5, state);
  if (lstm) {
    expect(6, state);
    expect(7, {nd, 3 * s.hidden});
  }
  if (ctx.has_input(4)) {
    const Tensor& lens = ctx.input(4);
    if (lens.dtype() != DType::Int32 && lens.dtype() != DType::Int64)
      ctx.fail("sequence_lens must be int32 (or int64), got " + lens.describe());
    if (lens.shape() != Shape{s.batch})
      ctx.fail(cat("sequence_lens must have shape [", s.batch, "], got ", lens.describe()));
  }
  return s;
}

std::vector<int64_t> rnn_sequence_lengths(const KernelContext& ctx, const RnnShapes& s) {
  if (!ctx.has_input(4)) return std::vector<int64_t>(static_cast<size_t>(s.batch), s.seq);
  std::vector<int64_t> lens = tensor_to_ints(ctx.input(4), "sequence_lens", ctx);
  for (size_t b = 0; b < lens.size(); ++b)
    if (lens[b] < 0 || lens[b] > s.seq)
      ctx.fail(cat("sequence_lens[", b, "] = ", lens[b], " is outside [0, ", s.seq,
                   "] (the sequence length)"));
  return lens;
}

void infer_recurrent(InferContext& ctx, int gates) {
  const Attrs attrs(ctx.node(), ctx.label());
  RnnDirection unused;
  const std::string direction = attrs.get_string("direction", "forward");
  const int64_t nd = directions_of(direction, &unused);
  if (nd == 0)
    ctx.fail("direction must be forward, reverse or bidirectional, got '" + direction + "'");
  const bool batch_major = ctx.opset() >= 14 && attrs.get_int("layout", 0) == 1;
  const TypeInfo& x = ctx.input(0);
  Dim seq, batch, hidden;
  if (x.has_shape()) {
    if (x.shape->size() != 3) ctx.fail(cat("X must be 3-D, got ", x.to_string()));
    seq = (*x.shape)[batch_major ? 1 : 0];
    batch = (*x.shape)[batch_major ? 0 : 1];
  }
  const TypeInfo& r = ctx.input(2);
  if (attrs.has("hidden_size")) {
    const int64_t h = attrs.get_int("hidden_size", -1);
    if (h <= 0) ctx.fail(cat("hidden_size must be positive, got ", h));
    hidden = Dim::known(h);
  } else if (r.has_shape() && r.shape->size() == 3)
    hidden = (*r.shape)[2];
  const TypeInfo& w = ctx.input(1);
  // Compared by division so that a huge hidden_size cannot overflow.
  if (hidden.is_known() && w.has_shape() && w.shape->size() == 3 && (*w.shape)[1].is_known()) {
    const int64_t rows = (*w.shape)[1].value;
    if (rows % gates != 0 || rows / gates != hidden.value)
      ctx.fail(cat("W ", w.to_string(), " must have ", gates, " * hidden_size rows (hidden_size ",
                   hidden.value, ")"));
  }
  const Dim dirs = Dim::known(nd);
  const std::vector<Dim> y = batch_major ? std::vector<Dim>{batch, seq, dirs, hidden}
                                         : std::vector<Dim>{seq, dirs, batch, hidden};
  const std::vector<Dim> state =
      batch_major ? std::vector<Dim>{batch, dirs, hidden} : std::vector<Dim>{dirs, batch, hidden};
  ctx.set_output(0, TypeInfo::tensor(x.elem, y));
  ctx.set_output(1, TypeInfo::tensor(x.elem, state));
  if (gates == 4) ctx.set_output(2, TypeInfo::tensor(x.elem, state));
}

}  // namespace onyx
