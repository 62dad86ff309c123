// Writes the bundled example: a small image classifier shaped like a PyTorch
// export (Conv/BatchNorm/Relu blocks, pooling, a view(x.size(0), -1) built from
// Shape/Gather/Unsqueeze/Concat/Reshape, Gemm, Softmax), with seeded weights,
// plus one input image as a TensorProto.
//
//   make_example OUTDIR   ->  OUTDIR/model.onnx, OUTDIR/input_0.pb
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <iostream>
#include <random>

#include "onyx/loader.h"

namespace onyx {
namespace {

class Builder {
 public:
  Builder() {
    model_.ir_version = 8;
    model_.opset_imports = {{"", 13}};
    model_.producer_name = "onyx-make-example";
    model_.graph.name = "tiny_cnn";
  }

  int value(const std::string& name) { return model_.graph.intern(name); }

  // A seeded, He-style random weight.
  void weight(const std::string& name, Shape shape, float scale) {
    Tensor t(DType::Float, shape);
    std::normal_distribution<float> normal(0.0f, scale);
    for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = normal(rng_);
    model_.graph.initializers[value(name)] = t;
  }
  void constant(const std::string& name, Tensor t) { model_.graph.initializers[value(name)] = t; }

  Node& node(const std::string& op, const std::vector<std::string>& ins,
             const std::vector<std::string>& outs) {
    Node n;
    n.name = op + "_" + std::to_string(model_.graph.nodes.size());
    n.op_type = op;
    for (const auto& i : ins) n.inputs.push_back(i.empty() ? kNoValue : value(i));
    for (const auto& o : outs) n.outputs.push_back(value(o));
    model_.graph.nodes.push_back(std::move(n));
    return model_.graph.nodes.back();
  }

  static void ints(Node& n, const std::string& name, std::vector<int64_t> v) {
    Attribute a;
    a.name = name;
    a.type = AttrType::Ints;
    a.ints = std::move(v);
    n.attributes.push_back(std::move(a));
  }
  static void integer(Node& n, const std::string& name, int64_t v) {
    Attribute a;
    a.name = name;
    a.type = AttrType::Int;
    a.i = v;
    n.attributes.push_back(std::move(a));
  }

  Model& model() { return model_; }
  std::mt19937& rng() { return rng_; }

 private:
  Model model_;
  std::mt19937 rng_{20261129};
};

// conv(k3, pad 1) -> batchnorm -> relu
void conv_block(Builder& b, const std::string& in, const std::string& out, int64_t cin,
                int64_t cout) {
  b.weight(out + ".conv.weight", {cout, cin, 3, 3}, std::sqrt(2.0f / static_cast<float>(cin * 9)));
  b.weight(out + ".conv.bias", {cout}, 0.05f);
  Node& conv = b.node("Conv", {in, out + ".conv.weight", out + ".conv.bias"}, {out + ".conv"});
  Builder::ints(conv, "kernel_shape", {3, 3});
  Builder::ints(conv, "pads", {1, 1, 1, 1});
  Builder::ints(conv, "strides", {1, 1});
  std::uniform_real_distribution<float> pos(0.5f, 1.5f);
  Tensor gamma(DType::Float, {cout}), var(DType::Float, {cout});
  for (int64_t c = 0; c < cout; ++c) {
    gamma.data<float>()[c] = pos(b.rng());
    var.data<float>()[c] = pos(b.rng());
  }
  b.constant(out + ".bn.weight", gamma);
  b.weight(out + ".bn.bias", {cout}, 0.1f);
  b.weight(out + ".bn.running_mean", {cout}, 0.1f);
  b.constant(out + ".bn.running_var", var);
  b.node("BatchNormalization",
         {out + ".conv", out + ".bn.weight", out + ".bn.bias", out + ".bn.running_mean",
          out + ".bn.running_var"},
         {out + ".bn"});
  b.node("Relu", {out + ".bn"}, {out});
}

Model make_model() {
  Builder b;
  Graph& g = b.model().graph;
  int input = b.value("input");
  g.value(input).type = TypeInfo::tensor(
      DType::Float,
      std::vector<Dim>{Dim::symbol("batch"), Dim::known(3), Dim::known(32), Dim::known(32)});
  g.inputs = {input};

  conv_block(b, "input", "block1", 3, 16);
  Node& pool = b.node("MaxPool", {"block1"}, {"pool1"});
  Builder::ints(pool, "kernel_shape", {2, 2});
  Builder::ints(pool, "strides", {2, 2});
  conv_block(b, "pool1", "block2", 16, 32);
  Node& pool2 = b.node("AveragePool", {"block2"}, {"pool2"});
  Builder::ints(pool2, "kernel_shape", {2, 2});
  Builder::ints(pool2, "strides", {2, 2});
  conv_block(b, "pool2", "block3", 32, 32);
  b.node("GlobalAveragePool", {"block3"}, {"gap"});

  // x.view(x.size(0), -1), as torch.onnx.export writes it.
  b.node("Shape", {"gap"}, {"gap.shape"});
  b.constant("zero", Tensor::scalar<int64_t>(0));
  Node& gather = b.node("Gather", {"gap.shape", "zero"}, {"batch_size"});
  Builder::integer(gather, "axis", 0);
  b.constant("axes0", Tensor::from_vector<int64_t>({1}, {0}));
  b.node("Unsqueeze", {"batch_size", "axes0"}, {"batch_size.1d"});
  b.constant("minus_one", Tensor::from_vector<int64_t>({1}, {-1}));
  Node& concat = b.node("Concat", {"batch_size.1d", "minus_one"}, {"flat.shape"});
  Builder::integer(concat, "axis", 0);
  b.node("Reshape", {"gap", "flat.shape"}, {"flat"});

  b.weight("fc.weight", {10, 32}, std::sqrt(1.0f / 32));
  b.weight("fc.bias", {10}, 0.05f);
  Node& gemm = b.node("Gemm", {"flat", "fc.weight", "fc.bias"}, {"logits"});
  Builder::integer(gemm, "transB", 1);
  Node& softmax = b.node("Softmax", {"logits"}, {"probabilities"});
  Builder::integer(softmax, "axis", 1);

  int output = b.value("probabilities");
  g.value(output).type =
      TypeInfo::tensor(DType::Float, std::vector<Dim>{Dim::symbol("batch"), Dim::known(10)});
  g.outputs = {output};
  return b.model();
}

// A smooth synthetic image (so the example is reproducible without data files).
Tensor make_input() {
  Tensor t(DType::Float, {1, 3, 32, 32});
  float* p = t.data<float>();
  for (int c = 0; c < 3; ++c)
    for (int y = 0; y < 32; ++y)
      for (int x = 0; x < 32; ++x)
        p[(c * 32 + y) * 32 + x] = std::sin(0.2f * static_cast<float>(x * (c + 1))) *
                                   std::cos(0.15f * static_cast<float>(y));
  return t;
}

}  // namespace
}  // namespace onyx

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: make_example OUTDIR\n";
    return 2;
  }
  try {
    std::filesystem::create_directories(argv[1]);
    std::string dir = argv[1];
    onyx::save_model(onyx::make_model(), dir + "/model.onnx");
    onyx::save_tensor(onyx::make_input(), dir + "/input_0.pb", "input");
    std::cout << "wrote " << dir << "/model.onnx and input_0.pb\n";
  } catch (const std::exception& e) {
    std::cerr << "make_example: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
