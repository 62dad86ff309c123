// The onyx CLI as a new user meets it: malformed models and inputs each give a
// one-line error on stderr and exit 1, usage errors exit 2, never a crash.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <fstream>
#include <sstream>

#include "graph_builders.h"
#include "onyx/loader.h"
#include "onyx/npy.h"
#include "onyx/value_files.h"

namespace onyx::test {
namespace {

struct CliResult {
  int status = -1;  // exit code; -1 when killed by a signal
  std::string err;
};

CliResult onyx_cli(const std::string& args, const ScratchDir& dir) {
  std::string err_file = dir.file("stderr.txt");
  std::string cmd = std::string(ONYX_CLI_PATH) + " " + args + " > /dev/null 2> " + err_file;
  int raw = std::system(cmd.c_str());
  CliResult r;
  if (WIFEXITED(raw)) r.status = WEXITSTATUS(raw);
  std::ifstream in(err_file);
  std::stringstream s;
  s << in.rdbuf();
  r.err = s.str();
  return r;
}

// Exit 1 with exactly one line on stderr, "onyx COMMAND: KIND: ...", that mentions
// `needle`.
void expect_one_line_error(const CliResult& r, const std::string& kind, const std::string& needle) {
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  const size_t after_command = r.err.find(": ");
  ASSERT_NE(after_command, std::string::npos) << r.err;
  EXPECT_EQ(r.err.compare(after_command + 2, kind.size() + 2, kind + ": "), 0) << r.err;
  EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
}

TEST(Cli, TruncatedModel) {
  ScratchDir dir;
  std::string bytes = bytes_of(relu_model());
  dir.write("m.onnx", bytes.substr(0, bytes.size() / 2));
  expect_one_line_error(onyx_cli("check " + dir.file("m.onnx"), dir), "invalid model", "parse");
}

TEST(Cli, MissingFile) {
  ScratchDir dir;
  expect_one_line_error(onyx_cli("run " + dir.file("nope.onnx"), dir), "io error", "nope.onnx");
}

TEST(Cli, UnknownOpNamesOpDomainAndOpset) {
  ScratchDir dir;
  onnx::ModelProto m = relu_model();
  m.mutable_graph()->mutable_node(0)->set_op_type("Frobnicate");
  dir.write("m.onnx", bytes_of(m));
  CliResult r = onyx_cli("check " + dir.file("m.onnx"), dir);
  expect_one_line_error(r, "unsupported operator", "Frobnicate");
  EXPECT_NE(r.err.find("ai.onnx"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("opset 13"), std::string::npos) << r.err;
}

TEST(Cli, MissingInputAndWrongDtype) {
  ScratchDir dir;
  dir.write("m.onnx", bytes_of(relu_model()));
  expect_one_line_error(onyx_cli("run " + dir.file("m.onnx"), dir), "invalid input", "input 'x'");
  save_tensor(Tensor::from_vector<int64_t>({2}, {1, 2}), dir.file("x.pb"));
  expect_one_line_error(
      onyx_cli("run " + dir.file("m.onnx") + " --input x=" + dir.file("x.pb"), dir),
      "invalid input", "must be float");
  save_tensor(Tensor::from_vector<float>({3}, {1, 2, 3}), dir.file("x3.pb"));
  expect_one_line_error(
      onyx_cli("run " + dir.file("m.onnx") + " --input x=" + dir.file("x3.pb"), dir),
      "invalid input", "dim 0");
}

TEST(Cli, RawDataOfTheWrongSize) {
  ScratchDir dir;
  onnx::ModelProto m = relu_model();
  auto* g = m.mutable_graph();
  *g->add_initializer() =
      raw_tensor("w", onnx::TensorProto::FLOAT, {2}, {0, 0, 128, 63});  // 4 bytes for 2 floats
  g->mutable_node(0)->set_input(0, "w");
  dir.write("m.onnx", bytes_of(m));
  expect_one_line_error(onyx_cli("check " + dir.file("m.onnx"), dir), "invalid model", "'w'");
}

TEST(Cli, ExternalDataOutsideTheModelFolder) {
  ScratchDir dir;
  onnx::ModelProto m = relu_model();
  auto* g = m.mutable_graph();
  onnx::TensorProto* w = g->add_initializer();
  w->set_name("w");
  w->set_data_type(onnx::TensorProto::FLOAT);
  w->add_dims(2);
  test::set_external_data(*w, "../outside.bin");
  g->mutable_node(0)->set_input(0, "w");
  dir.write("outside.bin", std::string(8, '\0'));
  dir.write("model/m.onnx", bytes_of(m));
  expect_one_line_error(onyx_cli("check " + dir.file("model/m.onnx"), dir), "invalid model",
                        "outside");
}

TEST(Cli, UsageErrorsExitTwo) {
  ScratchDir dir;
  EXPECT_EQ(onyx_cli("", dir).status, 2);
  EXPECT_EQ(onyx_cli("frobnicate", dir).status, 2);
  EXPECT_EQ(onyx_cli("run", dir).status, 2);
  EXPECT_EQ(onyx_cli("bench m.onnx --iters", dir).status, 2);
  EXPECT_EQ(onyx_cli("test " + dir.file("x") + " --bogus", dir).status, 2);
}

// Outputs are written to a temporary file and renamed into place: a write that fails
// leaves neither a partial output nor the temporary file behind.
TEST(Cli, OutputFilesAreWrittenWhole) {
  ScratchDir dir;
  dir.write("m.onnx", bytes_of(relu_model()));
  save_tensor(Tensor::from_vector<float>({2}, {-1.5f, 2.5f}), dir.file("x.pb"), "x");
  const std::string run = "run " + dir.file("m.onnx") + " --input x=" + dir.file("x.pb") +
                          " --output-dir " + dir.file("out");
  std::filesystem::create_directories(dir.file("out/output_0.pb"));  // in the way
  expect_one_line_error(onyx_cli(run, dir), "io error", "output_0.pb");
  std::filesystem::remove(dir.file("out/output_0.pb"));
  dir.write("out/output_0.pb", "stale");
  ASSERT_EQ(onyx_cli(run, dir).status, 0);
  EXPECT_EQ(load_tensor_file(dir.file("out/output_0.pb")).to_vector<float>(),
            (std::vector<float>{0.0f, 2.5f}));
  for (const auto& entry : std::filesystem::directory_iterator(dir.file("out")))
    EXPECT_EQ(entry.path().filename(), "output_0.pb");  // no temporary file is left
}

TEST(Cli, RunWritesOutputsThatMatchByHand) {
  ScratchDir dir;
  dir.write("m.onnx", bytes_of(relu_model()));
  save_tensor(Tensor::from_vector<float>({2}, {-1.5f, 2.5f}), dir.file("x.pb"), "x");
  CliResult r = onyx_cli("run " + dir.file("m.onnx") + " --input x=" + dir.file("x.pb") +
                             " --output-dir " + dir.file("out"),
                         dir);
  ASSERT_EQ(r.status, 0) << r.err;
  Tensor y = load_tensor_file(dir.file("out/output_0.pb"));
  EXPECT_EQ(y.to_vector<float>(), (std::vector<float>{0.0f, 2.5f}));
}

// A sequence goes in and out as SequenceProto files: [[1, 2], [3]] with [4] appended.
TEST(Cli, RunReadsAndWritesSequenceFiles) {
  ScratchDir dir;
  onnx::ModelProto m = model_at(13);
  auto* g = m.mutable_graph();
  for (auto* list : {g->mutable_input(), g->mutable_output()}) {
    auto* vi = list->Add();
    vi->set_name(list == g->mutable_input() ? "seq" : "out");
    vi->mutable_type()
        ->mutable_sequence_type()
        ->mutable_elem_type()
        ->mutable_tensor_type()
        ->set_elem_type(onnx::TensorProto::FLOAT);
  }
  add_value(g->mutable_input(), "t", onnx::TensorProto::FLOAT, {"?"});
  add_node(g, "SequenceInsert", {"seq", "t"}, {"out"});
  dir.write("m.onnx", bytes_of(m));
  const TypeInfo seq_type = TypeInfo::sequence_of(TypeInfo::tensor(DType::Float));
  TensorSequence seq{
      DType::Float,
      {Tensor::from_vector<float>({2}, {1, 2}), Tensor::from_vector<float>({1}, {3})}};
  dir.write("seq.pb", serialize_value(seq, seq_type, "seq"));
  save_tensor(Tensor::from_vector<float>({1}, {4}), dir.file("t.pb"), "t");
  CliResult r = onyx_cli("run " + dir.file("m.onnx") + " --input seq=" + dir.file("seq.pb") +
                             " --input t=" + dir.file("t.pb") + " --output-dir " + dir.file("out"),
                         dir);
  ASSERT_EQ(r.status, 0) << r.err;
  RuntimeValue out = load_value_file(dir.file("out/output_0.pb"), seq_type);
  ASSERT_EQ(out.sequence().tensors.size(), 3u);
  EXPECT_EQ(out.sequence().tensors[2].to_vector<float>(), (std::vector<float>{4}));
}

// An int4 input read from .npy (its stand-in: int8 values, one per byte) and passed on by
// Identity: written as .pb it is the packed int4 [1, -2, 7] (codes 1 E 7: bytes E1 07), as
// .npy the same int8 values again. A value no int4 holds is a one-line error.
TEST(Cli, RunReadsAndWritesInt4AsNpy) {
  ScratchDir dir;
  const int32_t int4 = static_cast<int32_t>(DType::Int4);
  onnx::ModelProto m = model_at(21);
  auto* g = m.mutable_graph();
  add_value(g->mutable_input(), "x", int4, {"3"});
  add_value(g->mutable_output(), "y", int4, {"3"});
  add_node(g, "Identity", {"x"}, {"y"});
  dir.write("m.onnx", bytes_of(m));
  save_npy(Tensor::from_vector<int8_t>({3}, {1, -2, 7}), dir.file("x.npy"));
  const std::string run = "run " + dir.file("m.onnx") + " --input x=" + dir.file("x.npy");
  CliResult r = onyx_cli(run + " --output-dir " + dir.file("pb"), dir);
  ASSERT_EQ(r.status, 0) << r.err;
  Tensor packed = load_tensor_file(dir.file("pb/output_0.pb"));
  ASSERT_EQ(packed.dtype(), DType::Int4);
  const auto* bytes = static_cast<const uint8_t*>(packed.raw());
  EXPECT_EQ(std::vector<uint8_t>(bytes, bytes + packed.nbytes()),
            (std::vector<uint8_t>{0xE1, 0x07}));
  r = onyx_cli(run + " --output-dir " + dir.file("npy") + " --output-format npy", dir);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(load_npy(dir.file("npy/output_0.npy")).to_vector<int8_t>(),
            (std::vector<int8_t>{1, -2, 7}));
  // --random-inputs fills an int4 input too (random values of its wide type, narrowed).
  r = onyx_cli("run " + dir.file("m.onnx") + " --random-inputs --output-dir " + dir.file("rnd") +
                   " --output-format npy",
               dir);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(load_npy(dir.file("rnd/output_0.npy")).shape(), (Shape{3}));
  save_npy(Tensor::from_vector<int8_t>({3}, {1, 9, 7}), dir.file("x.npy"));
  expect_one_line_error(onyx_cli(run, dir), "invalid input", "outside int4");
  EXPECT_EQ(onyx_cli(run + " --output-dir " + dir.file("o") + " --output-format csv", dir).status,
            2);
}

}  // namespace
}  // namespace onyx::test
