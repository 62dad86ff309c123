// Loading from a mapped file: initializers read in place (or copied once) must hold
// the values protobuf itself decodes, whatever their alignment in the file; odd
// wire layouts still parse as protobuf would; and session creation reports where
// its time went.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "onyx/loader.h"
#include "onyx/onyx.h"
#include "op_tester.h"
#include "unit/graph_builders.h"
#include "unit/optimizer_models.h"

namespace onyx {
namespace {

using test::raw_tensor;

bool same_bytes(const Tensor& a, const Tensor& b) {
  return a.dtype() == b.dtype() && a.shape() == b.shape() && a.nbytes() == b.nbytes() &&
         (a.nbytes() == 0 || std::memcmp(a.raw(), b.raw(), a.nbytes()) == 0);
}

// A Relu model with initializers of every fixed-size layout that matters: names of
// each length shift their raw_data to every alignment; bool bytes other than 0 and
// 1; typed fields; empty and scalar tensors.
onnx::ModelProto model_with_initializers() {
  onnx::ModelProto m = test::relu_model();
  onnx::GraphProto& g = *m.mutable_graph();
  std::mt19937 rng(7);
  auto random_bytes = [&](size_t n) {
    std::string s(n, '\0');
    for (char& c : s) c = static_cast<char>(rng() & 0xff);
    return s;
  };
  const int32_t dtypes[] = {onnx::TensorProto::FLOAT, onnx::TensorProto::DOUBLE,
                            onnx::TensorProto::INT64, onnx::TensorProto::FLOAT16,
                            onnx::TensorProto::INT8,  onnx::TensorProto::INT32};
  const size_t widths[] = {4, 8, 8, 2, 1, 4};
  for (int k = 0; k < 6; ++k) {
    for (int shift = 0; shift < 8; ++shift) {
      onnx::TensorProto t;
      t.set_name("w" + std::to_string(k) + std::string(static_cast<size_t>(shift + 1), 'x'));
      t.set_data_type(dtypes[k]);
      const int64_t n = 1 + 1031 * shift;  // up to several pages
      t.add_dims(n);
      std::string bytes = random_bytes(static_cast<size_t>(n) * widths[k]);
      if (dtypes[k] == onnx::TensorProto::FLOAT || dtypes[k] == onnx::TensorProto::DOUBLE)
        for (size_t i = 0; i + widths[k] <= bytes.size(); i += widths[k])
          bytes[i + widths[k] - 1] &= 0x3f;  // finite values, so NaN bit patterns do not matter
      t.set_raw_data(bytes);
      *g.add_initializer() = t;
    }
  }
  *g.add_initializer() = raw_tensor("flags", onnx::TensorProto::BOOL, {4}, {0, 1, 2, 255});
  *g.add_initializer() = raw_tensor("empty", onnx::TensorProto::FLOAT, {0}, {});
  *g.add_initializer() = raw_tensor("scalar", onnx::TensorProto::FLOAT, {}, {0, 0, 0x80, 0x3f});
  *g.add_initializer() = test::typed_floats("typed", {2}, {1.5f, -2.0f});
  return m;
}

// What protobuf alone makes of each initializer, keyed by name.
std::map<std::string, Tensor> expected_initializers(const onnx::ModelProto& m) {
  std::map<std::string, Tensor> out;
  for (const onnx::TensorProto& t : m.graph().initializer())
    out[t.name()] = load_tensor_proto(test::bytes_of(t));
  return out;
}

void expect_initializers(const Model& model, const std::map<std::string, Tensor>& expected) {
  ASSERT_EQ(model.graph.initializers.size(), expected.size());
  for (const auto& [name, want] : expected) {
    int id = model.graph.find(name);
    ASSERT_NE(id, kNoValue) << name;
    EXPECT_TRUE(same_bytes(model.graph.initializers.at(id), want)) << name;
  }
}

TEST(LoaderMapped, InitializersMatchProtobufAtEveryAlignment) {
  onnx::ModelProto m = model_with_initializers();
  const auto expected = expected_initializers(m);
  test::ScratchDir dir;
  dir.write("m.onnx", test::bytes_of(m));
  Model mapped = load_model(dir.file("m.onnx"));
  expect_initializers(mapped, expected);
  expect_initializers(load_model_from_bytes(test::bytes_of(m)), expected);
  EXPECT_EQ(mapped.graph.initializers.at(mapped.graph.find("flags")).to_vector<bool>(),
            (std::vector<bool>{false, true, true, true}));
}

TEST(LoaderMapped, TensorsOutliveTheModelAndTheFile) {
  onnx::ModelProto m = model_with_initializers();
  const auto expected = expected_initializers(m);
  test::ScratchDir dir;
  dir.write("m.onnx", test::bytes_of(m));
  std::map<std::string, Tensor> kept;
  {
    Model model = load_model(dir.file("m.onnx"));
    for (const auto& [id, t] : model.graph.initializers) kept[model.graph.value(id).name] = t;
  }
  std::filesystem::remove(dir.file("m.onnx"));
  for (const auto& [name, want] : expected) EXPECT_TRUE(same_bytes(kept.at(name), want)) << name;
}

TEST(LoaderMapped, RepeatedFieldsMergeAsProtobufMerges) {
  // Concatenated messages merge: two graph fields, and a tensor whose raw_data
  // appears twice (the last wins).
  onnx::ModelProto a = test::relu_model();
  *a.mutable_graph()->add_initializer() =
      raw_tensor("w", onnx::TensorProto::FLOAT, {1}, {0, 0, 0x80, 0x3f});
  onnx::ModelProto b;
  *b.mutable_graph()->add_initializer() =
      raw_tensor("v", onnx::TensorProto::FLOAT, {1}, {0, 0, 0, 0x40});
  onnx::ModelProto merged;
  ASSERT_TRUE(proto::parse(test::bytes_of(a).data(), test::bytes_of(a).size(), merged));
  merged.MergeFrom(b);
  Model two_graphs = load_model_from_bytes(test::bytes_of(a) + test::bytes_of(b));
  expect_initializers(two_graphs, expected_initializers(merged));

  onnx::ModelProto c = test::relu_model();
  onnx::TensorProto t = raw_tensor("w", onnx::TensorProto::FLOAT, {1}, {0, 0, 0x80, 0x3f});
  onnx::TensorProto again;
  again.set_raw_data(std::string("\x00\x00\x40\x40", 4));
  std::string twice = test::bytes_of(t) + test::bytes_of(again);
  // The graph's initializer field, written by hand around the doubled tensor.
  std::string graph = test::bytes_of(c.graph());
  graph += '\x2a';  // field 5, length-delimited
  graph += static_cast<char>(twice.size());
  graph += twice;
  onnx::ModelProto header = c;
  header.clear_graph();
  std::string bytes = test::bytes_of(header);
  bytes += '\x3a';  // field 7, length-delimited
  ASSERT_LT(graph.size(), 128u);
  bytes += static_cast<char>(graph.size());
  bytes += graph;
  Model doubled = load_model_from_bytes(bytes);
  EXPECT_EQ(doubled.graph.initializers.at(doubled.graph.find("w")).to_vector<float>(),
            (std::vector<float>{3.0f}));
}

TEST(LoaderMapped, EveryPrefixOfAFileLoadsOrThrows) {
  onnx::ModelProto m = test::relu_model();
  *m.mutable_graph()->add_initializer() =
      raw_tensor("w", onnx::TensorProto::FLOAT, {2}, {0, 0, 0x80, 0x3f, 0, 0, 0, 0x40});
  const std::string bytes = test::bytes_of(m);
  test::ScratchDir dir;
  for (size_t n = 0; n <= bytes.size(); ++n) {
    dir.write("m.onnx", bytes.substr(0, n));
    try {
      load_model(dir.file("m.onnx"));
    } catch (const Error&) {
      // expected for most prefixes
    }
  }
}

TEST(LoaderMapped, WrongRawSizeIsStillRefused) {
  onnx::ModelProto m = test::relu_model();
  *m.mutable_graph()->add_initializer() =
      raw_tensor("w", onnx::TensorProto::FLOAT, {2}, {0, 0, 0x80, 0x3f});
  test::ScratchDir dir;
  dir.write("m.onnx", test::bytes_of(m));
  try {
    load_model(dir.file("m.onnx"));
    ADD_FAILURE() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("initializer 'w': raw_data has 4 bytes"),
              std::string::npos)
        << e.what();
  }
}

TEST(LoaderMapped, ExternalDataIsStillConfinedToTheModelFolder) {
  test::ScratchDir dir;
  dir.write("inside/w.bin", std::string("\x00\x00\x80\x3f", 4));
  dir.write("outside.bin", std::string("\x00\x00\x80\x3f", 4));
  auto model_pointing_at = [](const std::string& location) {
    onnx::ModelProto m = test::relu_model();
    onnx::TensorProto w = raw_tensor("w", onnx::TensorProto::FLOAT, {1}, {});
    test::set_external_data(w, location);
    *m.mutable_graph()->add_initializer() = w;
    return test::bytes_of(m);
  };
  dir.write("inside/ok.onnx", model_pointing_at("w.bin"));
  Model ok = load_model(dir.file("inside/ok.onnx"));
  EXPECT_EQ(ok.graph.initializers.at(ok.graph.find("w")).to_vector<float>(),
            (std::vector<float>{1.0f}));
  dir.write("inside/escape.onnx", model_pointing_at("../outside.bin"));
  const std::string e = testing::error_of([&] { load_model(dir.file("inside/escape.onnx")); });
  EXPECT_TRUE(testing::mentions(e, "initializer 'w'")) << e;
  EXPECT_TRUE(testing::mentions(e, "'../outside.bin' resolves outside the model's folder")) << e;
}

// ---------------------------------------------------------------- packed weights freed

// y = Conv(x, w) then MatMul by b; `b` is also added to the output of a second
// MatMul when `shared`, so one of its readers keeps it.
Model packed_weights_model(bool shared) {
  Model m;
  m.ir_version = 8;
  m.opset_imports = {{"", 13}};
  Graph& g = m.graph;
  test::add_input(g, "x", test::float_type({1, 3, 5, 5}));
  g.initializers[g.intern("w")] = test::random_floats({4, 3, 3, 3}, 3);
  g.initializers[g.intern("b")] = test::random_floats({3, 5}, 4);
  test::add_ir_node(g, "Conv", {"x", "w"}, {"c"}, "conv");
  test::add_ir_node(g, "MatMul", {"c", "b"}, {"y"}, "matmul");
  test::add_output(g, "y", test::float_type({1, 4, 3, 5}));
  if (shared) {
    test::add_ir_node(g, "Add", {"y", "b"}, {"z"}, "add");
    test::add_output(g, "z", test::float_type({1, 4, 3, 5}));
  }
  return m;
}

std::vector<Tensor> run_model(bool shared, SessionOptions options, bool* has_w, bool* has_b) {
  Session session(builtin_registry(), packed_weights_model(shared), options);
  const Graph& g = session.model().graph;
  *has_w = g.is_initializer(g.find("w"));
  *has_b = g.is_initializer(g.find("b"));
  Tensor x(DType::Float, {1, 3, 5, 5});
  for (int64_t i = 0; i < x.numel(); ++i) x.data<float>()[i] = 0.01f * static_cast<float>(i % 37);
  return session.run({{"x", x}});
}

TEST(SessionPackedWeights, OriginalsAreFreedAndOutputsUnchanged) {
  for (bool shared : {false, true}) {
    SessionOptions reference;
    reference.reference_kernels = true;
    SessionOptions fast, keep;
    keep.free_packed_weights = false;
    bool has_w = false, has_b = false;
    const std::vector<Tensor> want = run_model(shared, reference, &has_w, &has_b);
    EXPECT_TRUE(has_w && has_b) << "the reference kernels pack nothing";
    const std::vector<Tensor> kept = run_model(shared, keep, &has_w, &has_b);
    EXPECT_TRUE(has_w && has_b);
    const std::vector<Tensor> got = run_model(shared, fast, &has_w, &has_b);
    EXPECT_FALSE(has_w) << "Conv packs w and is its only reader";
    EXPECT_EQ(has_b, shared) << "Add reads b as it is";
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i) {
      ASSERT_EQ(got[i].shape(), want[i].shape());
      EXPECT_TRUE(same_bytes(got[i], kept[i]));
      for (int64_t k = 0; k < got[i].numel(); ++k)
        EXPECT_NEAR(got[i].data<float>()[k], want[i].data<float>()[k], 1e-4) << k;
    }
  }
}

TEST(SessionPackedWeights, AnInitializerFedAsAnInputIsKept) {
  Model m = packed_weights_model(false);
  m.graph.inputs.push_back(m.graph.find("b"));  // a feed may replace it
  m.graph.value(m.graph.find("b")).type = test::float_type({3, 5});
  Session session(builtin_registry(), std::move(m));
  const Graph& g = session.model().graph;
  EXPECT_TRUE(g.is_initializer(g.find("b")));
  EXPECT_FALSE(g.is_initializer(g.find("w")));
}

// Gemm(x, B) with x of `rows` x 6 and B constant (transposed when `trans_b`).
Model gemm_model(int64_t rows, bool trans_b) {
  Model m;
  m.ir_version = 8;
  m.opset_imports = {{"", 13}};
  Graph& g = m.graph;
  test::add_input(g, "x", test::float_type({rows, 6}));
  Tensor b(DType::Float, trans_b ? Shape{4, 6} : Shape{6, 4});
  for (int64_t i = 0; i < b.numel(); ++i)
    b.data<float>()[i] = 0.1f * static_cast<float>(i % 7) - 0.3f;
  g.initializers[g.intern("b")] = b;
  Attribute t;
  t.name = "transB";
  t.type = AttrType::Int;
  t.i = trans_b ? 1 : 0;
  test::add_ir_node(g, "Gemm", {"x", "b"}, {"y"}, "gemm").attributes.push_back(t);
  test::add_output(g, "y", test::float_type({rows, 4}));
  return m;
}

TEST(SessionPackedWeights, GemmFreesItsPackedBExceptForOneRowAgainstBAsStored) {
  struct Case {
    int64_t rows;
    bool trans_b, freed;
  };
  for (const Case& c :
       {Case{3, false, true}, Case{3, true, true}, Case{1, false, true}, Case{1, true, false}}) {
    SCOPED_TRACE(::testing::Message() << c.rows << " rows, transB " << c.trans_b);
    Tensor x(DType::Float, {c.rows, 6});
    for (int64_t i = 0; i < x.numel(); ++i) x.data<float>()[i] = 0.05f * static_cast<float>(i);
    SessionOptions reference;
    reference.reference_kernels = true;
    const std::vector<Tensor> want =
        Session(builtin_registry(), gemm_model(c.rows, c.trans_b), reference).run({{"x", x}});
    Session fast(builtin_registry(), gemm_model(c.rows, c.trans_b));
    const Graph& g = fast.model().graph;
    EXPECT_EQ(!g.is_initializer(g.find("b")), c.freed);
    const std::vector<Tensor> got = fast.run({{"x", x}});
    ASSERT_EQ(got[0].shape(), want[0].shape());
    for (int64_t k = 0; k < got[0].numel(); ++k)
      EXPECT_NEAR(got[0].data<float>()[k], want[0].data<float>()[k], 1e-5) << k;
  }
}

// LSTM over x (3 steps, batch 2, 4 features) with hidden size 5 and constant W, R, B.
Model lstm_model() {
  Model m;
  m.ir_version = 8;
  m.opset_imports = {{"", 14}};
  Graph& g = m.graph;
  test::add_input(g, "x", test::float_type({3, 2, 4}));
  g.initializers[g.intern("w")] = test::random_floats({1, 20, 4}, 5, -0.5f, 0.5f);
  g.initializers[g.intern("r")] = test::random_floats({1, 20, 5}, 6, -0.5f, 0.5f);
  g.initializers[g.intern("b")] = test::random_floats({1, 40}, 7, -0.5f, 0.5f);
  Attribute hidden;
  hidden.name = "hidden_size";
  hidden.type = AttrType::Int;
  hidden.i = 5;
  test::add_ir_node(g, "LSTM", {"x", "w", "r", "b"}, {"y", "h", "c"}, "lstm")
      .attributes.push_back(hidden);
  test::add_output(g, "y", test::float_type({3, 1, 2, 5}));
  test::add_output(g, "c", test::float_type({1, 2, 5}));
  return m;
}

TEST(SessionPackedWeights, RecurrentWeightsAreFreedOncePackedAndOutputsUnchanged) {
  Tensor x(DType::Float, {3, 2, 4});
  for (int64_t i = 0; i < x.numel(); ++i) x.data<float>()[i] = 0.07f * static_cast<float>(i % 11);
  SessionOptions reference;
  reference.reference_kernels = true;
  const std::vector<Tensor> want =
      Session(builtin_registry(), lstm_model(), reference).run({{"x", x}});
  Session fast(builtin_registry(), lstm_model());
  const Graph& g = fast.model().graph;
  EXPECT_FALSE(g.is_initializer(g.find("w")));
  EXPECT_FALSE(g.is_initializer(g.find("r")));
  EXPECT_TRUE(g.is_initializer(g.find("b")));  // read at run time
  const std::vector<Tensor> got = fast.run({{"x", x}});
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    ASSERT_EQ(got[i].shape(), want[i].shape());
    for (int64_t k = 0; k < got[i].numel(); ++k)
      EXPECT_NEAR(got[i].data<float>()[k], want[i].data<float>()[k], 1e-5) << i << ", " << k;
  }
}

// y = Gather(table, ids) and z = Gather(table, cols, axis 1) over a float [50, 6] table
// whose raw data sits `shift` bytes further into the file; with `also_returned`, the
// table is a graph output too.
onnx::ModelProto gather_model(int shift, bool also_returned) {
  onnx::ModelProto m = test::model_at(13);
  onnx::GraphProto* g = m.mutable_graph();
  test::add_value(g->mutable_input(), "ids", onnx::TensorProto::INT64, {"4"});
  test::add_value(g->mutable_input(), "cols", onnx::TensorProto::INT64, {"2"});
  onnx::TensorProto table;
  table.set_name("table" + std::string(static_cast<size_t>(shift), 'x'));
  table.set_data_type(onnx::TensorProto::FLOAT);
  table.add_dims(50);
  table.add_dims(6);
  std::string bytes(50 * 6 * sizeof(float), '\0');
  for (size_t i = 0; i < 300; ++i) {
    const float v = 0.5f * static_cast<float>(i) - 7.0f;
    std::memcpy(&bytes[i * sizeof(float)], &v, sizeof v);
  }
  table.set_raw_data(bytes);
  *g->add_initializer() = table;
  test::add_node(g, "Gather", {table.name(), "ids"}, {"y"}, "rows");
  test::add_int_attr(test::add_node(g, "Gather", {table.name(), "cols"}, {"z"}, "columns"), "axis",
                     1);
  test::add_value(g->mutable_output(), "y", onnx::TensorProto::FLOAT, {"4", "6"});
  test::add_value(g->mutable_output(), "z", onnx::TensorProto::FLOAT, {"50", "2"});
  if (also_returned)
    test::add_value(g->mutable_output(), table.name(), onnx::TensorProto::FLOAT, {"50", "6"});
  return m;
}

TEST(SessionPackedWeights, GatheredTablesCopiedAtLoadAreReadFromTheFileInstead) {
  const std::map<std::string, Tensor> feeds = {
      {"ids", Tensor::from_vector<int64_t>({4}, {0, 49, -1, 7})},
      {"cols", Tensor::from_vector<int64_t>({2}, {-6, 5})}};
  int copied = 0;
  for (bool also_returned : {false, true})
    for (int shift = 0; shift < 4; ++shift) {
      SCOPED_TRACE(::testing::Message() << "shift " << shift << ", returned " << also_returned);
      test::ScratchDir dir;
      dir.write("m.onnx", test::bytes_of(gather_model(shift, also_returned)));
      const std::string table = "table" + std::string(static_cast<size_t>(shift), 'x');
      const Model loaded = load_model(dir.file("m.onnx"));
      const bool was_copied = loaded.graph.initializer_file_bytes.count(loaded.graph.find(table));
      copied += was_copied;
      SessionOptions reference;
      reference.reference_kernels = true;
      const std::vector<Tensor> want =
          Session(builtin_registry(), dir.file("m.onnx"), reference).run(feeds);
      Session fast(builtin_registry(), dir.file("m.onnx"));
      const Graph& g = fast.model().graph;
      EXPECT_EQ(g.is_initializer(g.find(table)), also_returned || !was_copied);
      const std::vector<Tensor> got = fast.run(feeds);
      ASSERT_EQ(got.size(), want.size());
      for (size_t i = 0; i < got.size(); ++i) EXPECT_TRUE(same_bytes(got[i], want[i])) << i;
      EXPECT_EQ(got[0].data<float>()[6], 0.5f * 294 - 7.0f);  // row 49, column 0
      EXPECT_NE(testing::error_of([&] {
                  fast.run({{"ids", Tensor::from_vector<int64_t>({4}, {0, 50, 1, 2})},
                            {"cols", feeds.at("cols")}});
                }).find("out of range"),
                std::string::npos);
    }
  EXPECT_GT(copied, 0) << "no shift left the table unaligned: the file path went untested";
}

// ---------------------------------------------------------------- the load-time split

void expect_consistent(const LoadSplit& s) {
  const double phases[] = {s.parse, s.check, s.optimize, s.infer, s.plan, s.prepack};
  double sum = 0;
  for (double p : phases) {
    EXPECT_GE(p, 0.0);
    sum += p;
  }
  EXPECT_GT(s.total, 0.0);
  EXPECT_LE(sum, s.total * (1 + 1e-9) + 1e-6);
}

TEST(SessionLoadSplit, FromAFileEveryPhaseIsCountedOnce) {
  onnx::ModelProto m = model_with_initializers();
  test::ScratchDir dir;
  dir.write("m.onnx", test::bytes_of(m));
  Session session(builtin_registry(), dir.file("m.onnx"));
  const LoadSplit& split = session.stats().load;
  expect_consistent(split);
  EXPECT_GT(split.parse, 0.0);
  EXPECT_GT(split.prepack, 0.0);
}

TEST(SessionLoadSplit, FromAModelThereIsNoParse) {
  Session session(builtin_registry(), load_model_from_bytes(test::bytes_of(test::relu_model())));
  expect_consistent(session.stats().load);
  EXPECT_EQ(session.stats().load.parse, 0.0);
}

TEST(Cli, BenchJsonReportsTheLoadSplit) {
  test::ScratchDir dir;
  dir.write("m.onnx", test::bytes_of(test::relu_model()));
  std::string cmd = std::string(ONYX_CLI_PATH) + " bench " + dir.file("m.onnx") +
                    " --json --iters 1 --warmup 0 2>&1";
  FILE* pipe = popen(cmd.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string out;
  char buf[512];
  while (size_t n = fread(buf, 1, sizeof buf, pipe)) out.append(buf, n);
  EXPECT_EQ(pclose(pipe), 0) << out;
  EXPECT_NE(out.find("\"load_split_ms\": {\"parse\": "), std::string::npos) << out;
  for (const char* phase : {"check", "optimize", "infer", "plan", "prepack"})
    EXPECT_NE(out.find("\"" + std::string(phase) + "\": "), std::string::npos) << phase << out;
}

}  // namespace
}  // namespace onyx
