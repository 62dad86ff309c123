// Hostile models, each built here, each refused with the kind of error that says whose
// fault it is and the words that say what is wrong. The guards that have a home of
// their own are tested there (loader_test: raw_data and typed counts, dims, external
// data; checker_test: cycles, undefined and duplicate names, subgraph nesting;
// function_expansion_test: function recursion and nesting; the op tests: indices and
// contradicting attributes). This file holds the limits that cut across them: what
// protobuf will parse, declared dims, the memory limit, and control-flow growth.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <climits>

#include "graph_builders.h"
#include "onyx/loader.h"
#include "onyx/onyx.h"
#include "op_tester.h"

namespace onyx::test {
namespace {

using testing::error_from;
using testing::expect_error;

constexpr int32_t kFloat = onnx::TensorProto::FLOAT;
constexpr int32_t kInt64 = onnx::TensorProto::INT64;
constexpr int32_t kBool = onnx::TensorProto::BOOL;

Session session_of(const onnx::ModelProto& m, SessionOptions options = {1, true}) {
  return Session::from_bytes(builtin_registry(), bytes_of(m), options);
}

template <typename T>
Tensor values(Shape shape, std::vector<T> v) {
  return Tensor::from_vector<T>(std::move(shape), std::move(v));
}

// ---- what protobuf will parse ----

TEST(HostileProtobuf, FilesOf2GiBOrMoreAreRefusedUnread) {
  // A sparse file one byte past protobuf's ceiling: it takes no disk and, since the
  // size is checked before a byte is parsed, no memory either.
  ScratchDir dir;
  const std::string path = dir.file("huge.onnx");
  const int fd = ::open(path.c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::ftruncate(fd, off_t{INT_MAX} + 1), 0);
  ::close(fd);
  expect_error(error_from([&] { load_model(path); }), ErrorKind::invalid_model, "2 GiB");
}

// A Constant node in `g` making float[1] `name`.
void add_constant(onnx::GraphProto* g, const std::string& name) {
  auto* value = add_node(g, "Constant", {}, {name})->add_attribute();
  value->set_name("value");
  value->set_type(onnx::AttributeProto::TENSOR);
  *value->mutable_t() = typed_floats("", {1}, {1});
  add_value(g->mutable_output(), name, kFloat, {"1"});
}

// `depth` If nodes, each inside the then-branch of the one above it (every name is
// its level's own: a subgraph may not shadow an outer name). On the wire each level is
// three messages deep (GraphProto > NodeProto > AttributeProto).
onnx::ModelProto nested_ifs(int depth) {
  onnx::ModelProto m = model_at(13);
  onnx::GraphProto* g = m.mutable_graph();
  add_value(g->mutable_input(), "c", kBool, {});
  add_value(g->mutable_output(), "y0", kFloat, {"1"});
  for (int level = 0; level < depth; ++level) {
    const std::string at = std::to_string(level);
    onnx::NodeProto* node = add_node(g, "If", {"c"}, {"y" + at}, "if" + at);
    add_constant(add_graph_attr(node, "else_branch"), "else" + at);
    g = add_graph_attr(node, "then_branch");
    add_value(g->mutable_output(), "y" + std::to_string(level + 1), kFloat, {"1"});
  }
  g->mutable_output()->Clear();
  add_constant(g, "y" + std::to_string(depth));
  return m;
}

TEST(HostileProtobuf, NestingPastTheParsersDepthLimitIsRefused) {
  // Shallow, the same model runs: the refusals below are for depth alone.
  EXPECT_EQ(session_of(nested_ifs(3)).run({{"c", values<bool>({}, {true})}})[0].to_vector<float>(),
            (std::vector<float>{1}));
  // 200 levels are 600 nested messages, past protobuf's recursion limit: the parser
  // stops there rather than recursing on (and overflowing the stack).
  const std::string bytes = bytes_of(nested_ifs(200));
  expect_error(error_from([&] { load_model_from_bytes(bytes); }), ErrorKind::invalid_model,
               "parse");
  // 40 levels parse, and are then refused by the subgraph depth limit, by name.
  expect_error(error_from([&] { session_of(nested_ifs(40)); }), ErrorKind::limit_exceeded, "deep");
}

// ---- declared dims ----

// y = Relu(x), x declared with `dims`.
onnx::ModelProto relu_declared(std::vector<std::string> dims) {
  onnx::ModelProto m = model_at(13);
  auto* g = m.mutable_graph();
  add_value(g->mutable_input(), "x", kFloat, std::move(dims));
  add_value(g->mutable_output(), "y", kFloat, {"?", "?"});
  add_node(g, "Relu", {"x"}, {"y"}, "relu");
  return m;
}

TEST(HostileDims, AbsurdDeclaredDimsAreCheckedAgainstTheFeed) {
  // 2^62 x 2^62 floats overflow int64 many times over; nothing multiplies them until
  // a feed arrives, and the feed does not match.
  const std::string huge = std::to_string(int64_t{1} << 62);
  Session s = session_of(relu_declared({huge, huge}));
  const Tensor x = values<float>({2, 2}, {1, -1, 2, -2});
  expect_error(error_from([&] { s.run({{"x", x}}); }), ErrorKind::invalid_input, "'x'");
  expect_error(error_from([&] {
                 s.planned_memory({{"x", RuntimeValue(x)}});
               }),
               ErrorKind::invalid_input, "'x'");
}

TEST(HostileDims, NegativeDeclaredDimsReadAsUnknown) {
  // Some converters write -1 for "any size"; like ONNX Runtime, Onyx reads a negative
  // declared dim as unknown rather than refusing the model. (A negative dim of a
  // tensor's data is refused: LoaderTensor.NegativeDimsAreRefused.)
  Session s = session_of(relu_declared({"-1", "2"}));
  const std::vector<Tensor> out = s.run({{"x", values<float>({3, 2}, {1, -1, 2, -2, 3, -3})}});
  EXPECT_EQ(out[0].to_vector<float>(), (std::vector<float>{1, 0, 2, 0, 3, 0}));
}

// ---- the memory limit ----

// One operator whose output size comes from fed data, with a request that fits the
// 1 MiB limit exactly (512 x 512 floats) and one a row over it.
struct SizedFromData {
  std::string op;
  onnx::ModelProto model;
  std::map<std::string, Tensor> fits, over;
};

// A tensor value of element type `elem` and any shape.
void add_any_shape(google::protobuf::RepeatedPtrField<onnx::ValueInfoProto>* list,
                   const std::string& name, int32_t elem) {
  auto* vi = list->Add();
  vi->set_name(name);
  vi->mutable_type()->mutable_tensor_type()->set_elem_type(elem);
}

// y = op(inputs) (an empty name is an omitted input); `fixed` feeds all but
// `size_input`, which gets `fits` or `over`.
SizedFromData sized(const std::string& op, std::vector<std::pair<std::string, int32_t>> inputs,
                    std::map<std::string, Tensor> fixed, const std::string& size_input, Tensor fits,
                    Tensor over) {
  SizedFromData c{op, model_at(13), {}, {}};
  auto* g = c.model.mutable_graph();
  std::vector<std::string> names;
  for (const auto& [name, elem] : inputs) {
    names.push_back(name);
    if (!name.empty()) add_any_shape(g->mutable_input(), name, elem);
  }
  add_any_shape(g->mutable_output(), "y", kFloat);
  add_node(g, op, names, {"y"}, "grow");
  c.fits = fixed;
  c.fits.emplace(size_input, std::move(fits));
  c.over = std::move(fixed);
  c.over.emplace(size_input, std::move(over));
  return c;
}

std::vector<SizedFromData> sized_from_data() {
  const Tensor one = values<float>({1, 1}, {1});
  const Tensor rows512 = values<int64_t>({2}, {512, 512});
  const Tensor rows513 = values<int64_t>({2}, {513, 512});
  std::vector<SizedFromData> cases;
  cases.push_back(sized("ConstantOfShape", {{"shape", kInt64}}, {}, "shape", rows512, rows513));
  cases.push_back(
      sized("Expand", {{"x", kFloat}, {"shape", kInt64}}, {{"x", one}}, "shape", rows512, rows513));
  cases.push_back(sized("Tile", {{"x", kFloat}, {"repeats", kInt64}}, {{"x", one}}, "repeats",
                        rows512, rows513));
  cases.push_back(sized("Pad", {{"x", kFloat}, {"pads", kInt64}}, {{"x", one}}, "pads",
                        values<int64_t>({4}, {0, 0, 511, 511}),
                        values<int64_t>({4}, {0, 0, 512, 511})));
  cases.push_back(sized("Range", {{"start", kFloat}, {"limit", kFloat}, {"delta", kFloat}},
                        {{"start", values<float>({}, {0})}, {"delta", values<float>({}, {1})}},
                        "limit", values<float>({}, {512 * 512}), values<float>({}, {513 * 512})));
  cases.push_back(sized("Resize", {{"x", kFloat}, {"", 0}, {"", 0}, {"sizes", kInt64}},
                        {{"x", values<float>({1, 1, 1, 1}, {1})}}, "sizes",
                        values<int64_t>({4}, {1, 1, 512, 512}),
                        values<int64_t>({4}, {1, 1, 513, 512})));
  std::vector<int64_t> indices(512);
  for (int64_t i = 0; i < 512; ++i) indices[i] = i % 7;
  cases.push_back(
      sized("OneHot", {{"indices", kInt64}, {"depth", kInt64}, {"values", kFloat}},
            {{"indices", values<int64_t>({512}, indices)}, {"values", values<float>({2}, {0, 1})}},
            "depth", values<int64_t>({}, {512}), values<int64_t>({}, {513})));
  return cases;
}

TEST(HostileMemory, OutputsSizedFromDataAreRefusedPastTheLimitBeforeAllocating) {
  SessionOptions options{1, true};
  options.limits.max_tensor_bytes = int64_t{1} << 20;
  for (SizedFromData& c : sized_from_data()) {
    SCOPED_TRACE(c.op);
    Session s = session_of(c.model, options);
    EXPECT_EQ(s.run(c.fits)[0].numel(), 512 * 512);
    const Error e = error_from([&] { s.run(c.over); });
    expect_error(e, ErrorKind::limit_exceeded, "max_tensor_bytes");
    EXPECT_NE(e.detail().find("grow"), std::string::npos) << e.what();  // the node
    // The session is unharmed: the request that fits still runs.
    EXPECT_EQ(s.run(c.fits)[0].numel(), 512 * 512);
  }
}

// ---- control-flow growth ----

// A Loop run `trips` times (fed) appending x to a sequence each pass; y is the final
// sequence's length.
onnx::ModelProto appending_loop() {
  onnx::ModelProto m = model_at(13);
  auto* g = m.mutable_graph();
  add_value(g->mutable_input(), "trips", kInt64, {});
  add_value(g->mutable_input(), "x", kFloat, {"1"});
  add_value(g->mutable_output(), "y", kInt64, {});
  add_node(g, "SequenceEmpty", {}, {"empty"}, "empty");
  auto* loop = add_node(g, "Loop", {"trips", "", "empty"}, {"seq"}, "append_loop");
  auto* body = add_graph_attr(loop, "body");
  add_value(body->mutable_input(), "i", kInt64, {});
  add_value(body->mutable_input(), "cond_in", kBool, {});
  body->add_input()->set_name("seq_in");
  add_node(body, "Identity", {"cond_in"}, {"cond_out"});
  add_node(body, "SequenceInsert", {"seq_in", "x"}, {"seq_out"}, "append");
  add_value(body->mutable_output(), "cond_out", kBool, {});
  body->add_output()->set_name("seq_out");
  add_node(g, "SequenceLength", {"seq"}, {"y"});
  return m;
}

TEST(HostileControlFlow, LoopTripCountsPastTheLimitAreRefused) {
  SessionOptions options{1, true};
  options.limits.max_loop_iterations = 100;
  options.limits.max_sequence_length = 1000;
  Session s = session_of(appending_loop(), options);
  const Tensor x = values<float>({1}, {1});
  EXPECT_EQ(s.run({{"trips", values<int64_t>({}, {100})}, {"x", x}})[0].to_vector<int64_t>(),
            (std::vector<int64_t>{100}));
  const Error e = error_from([&] { s.run({{"trips", values<int64_t>({}, {101})}, {"x", x}}); });
  expect_error(e, ErrorKind::limit_exceeded, "max_loop_iterations");
  EXPECT_NE(e.detail().find("append_loop"), std::string::npos) << e.what();
  // A trip count no machine would finish is refused the same way.
  expect_error(error_from([&] {
                 s.run({{"trips", values<int64_t>({}, {INT64_MAX})}, {"x", x}});
               }),
               ErrorKind::limit_exceeded, "max_loop_iterations");
}

TEST(HostileControlFlow, SequencesGrowingPastTheLimitAreRefused) {
  SessionOptions options{1, true};
  options.limits.max_sequence_length = 50;
  Session s = session_of(appending_loop(), options);
  const Tensor x = values<float>({1}, {1});
  EXPECT_EQ(s.run({{"trips", values<int64_t>({}, {50})}, {"x", x}})[0].to_vector<int64_t>(),
            (std::vector<int64_t>{50}));
  const Error e = error_from([&] { s.run({{"trips", values<int64_t>({}, {51})}, {"x", x}}); });
  expect_error(e, ErrorKind::limit_exceeded, "max_sequence_length");
  EXPECT_NE(e.detail().find("append"), std::string::npos) << e.what();
}

}  // namespace
}  // namespace onyx::test
