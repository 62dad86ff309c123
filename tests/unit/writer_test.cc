// Writer tests: the bytes it writes (read back with protobuf directly and compared
// with hand-derived fields) and load(serialize(load(m))) keeping every part of a
// model that uses each feature.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "onyx/loader.h"
#include "op_tester.h"
#include "unit/graph_builders.h"

namespace onyx {
namespace {

using test::raw_tensor;

std::string name_of(const Graph& g, int id) { return id == kNoValue ? "" : g.value(id).name; }

std::vector<std::string> names_of(const Graph& g, const std::vector<int>& ids) {
  std::vector<std::string> out;
  for (int id : ids) out.push_back(name_of(g, id));
  return out;
}

onnx::ModelProto parse_model(const std::string& bytes) {
  onnx::ModelProto m;
  EXPECT_TRUE(proto::parse(bytes.data(), bytes.size(), m));
  return m;
}

// ---------------------------------------------------------------- bytes written

TEST(Writer, TensorAsRawData) {
  std::string bytes = serialize_tensor(Tensor::from_vector<int16_t>({2}, {1, -2}), "t");
  onnx::TensorProto tp;
  ASSERT_TRUE(proto::parse(bytes.data(), bytes.size(), tp));
  EXPECT_EQ(tp.name(), "t");
  EXPECT_EQ(tp.data_type(), onnx::TensorProto::INT16);
  ASSERT_EQ(tp.dims_size(), 1);
  EXPECT_EQ(tp.dims(0), 2);
  EXPECT_EQ(tp.raw_data(), std::string("\x01\x00\xfe\xff", 4));
  EXPECT_EQ(tp.int32_data_size(), 0);
}

TEST(Writer, StringTensorAsStringData) {
  std::string bytes = serialize_tensor(Tensor::from_vector<std::string>({2}, {"x", ""}));
  onnx::TensorProto tp;
  ASSERT_TRUE(proto::parse(bytes.data(), bytes.size(), tp));
  EXPECT_EQ(tp.data_type(), onnx::TensorProto::STRING);
  ASSERT_EQ(tp.string_data_size(), 2);
  EXPECT_EQ(tp.string_data(0), "x");
  EXPECT_EQ(tp.string_data(1), "");
  EXPECT_FALSE(tp.has_raw_data());
}

TEST(Writer, TensorRoundTripEveryDtype) {
  auto check = [](const Tensor& t, auto expected) {
    using T = typename decltype(expected)::value_type;
    Tensor back = load_tensor_proto(serialize_tensor(t, "n"));
    EXPECT_EQ(back.dtype(), t.dtype());
    EXPECT_EQ(back.shape(), t.shape());
    EXPECT_EQ(back.to_vector<T>(), expected);
  };
  check(Tensor::from_vector<float>({2}, {1.5f, -0.0f}), std::vector<float>{1.5f, -0.0f});
  check(Tensor::from_vector<double>({1}, {1e300}), std::vector<double>{1e300});
  check(Tensor::from_vector<int8_t>({2}, {-128, 127}), std::vector<int8_t>{-128, 127});
  check(Tensor::from_vector<uint8_t>({1}, {200}), std::vector<uint8_t>{200});
  check(Tensor::from_vector<int16_t>({1}, {-7}), std::vector<int16_t>{-7});
  check(Tensor::from_vector<uint16_t>({1}, {60000}), std::vector<uint16_t>{60000});
  check(Tensor::from_vector<int32_t>({1}, {-70000}), std::vector<int32_t>{-70000});
  check(Tensor::from_vector<uint32_t>({1}, {4000000000u}), std::vector<uint32_t>{4000000000u});
  check(Tensor::from_vector<int64_t>({2, 1}, {-1, 1}), std::vector<int64_t>{-1, 1});
  check(Tensor::from_vector<uint64_t>({1}, {1ull << 63}), std::vector<uint64_t>{1ull << 63});
  check(Tensor::from_vector<bool>({2}, {true, false}), std::vector<bool>{true, false});
  check(Tensor::from_vector<std::string>({1}, {"hé"}), std::vector<std::string>{"hé"});
  // 0x3555 is float16 for 0.333251953125; 0x3eab is bfloat16 for 0.333984375.
  float16_t h;
  h.bits = 0x3555;
  Tensor half = load_tensor_proto(serialize_tensor(Tensor::from_vector<float16_t>({1}, {h})));
  EXPECT_EQ(half.data<float16_t>()[0].bits, 0x3555);
  EXPECT_EQ(static_cast<float>(half.data<float16_t>()[0]), 0.333251953125f);
  bfloat16_t b;
  b.bits = 0x3eab;
  Tensor bf = load_tensor_proto(serialize_tensor(Tensor::from_vector<bfloat16_t>({1}, {b})));
  EXPECT_EQ(bf.data<bfloat16_t>()[0].bits, 0x3eab);
  EXPECT_EQ(static_cast<float>(bf.data<bfloat16_t>()[0]), 0.333984375f);
}

// A model built as IR (no loader involved), checked field by field in the proto.
TEST(Writer, ModelFromIr) {
  Model model;
  model.ir_version = 7;
  model.opset_imports = {{"", 11}};
  model.producer_name = "hand";
  Graph& g = model.graph;
  g.name = "g";
  test::add_input(
      g, "x",
      TypeInfo::tensor(DType::Float, std::vector<Dim>{Dim::symbol("N"), Dim{}, Dim::known(4)}));
  int w = g.intern("w");
  g.initializers[w] = Tensor::from_vector<float>({1}, {2.0f});
  Node& clip = test::add_ir_node(g, "Clip", {"x", "", "w"}, {"y"}, "clip0");
  Attribute alpha;
  alpha.name = "alpha";
  alpha.type = AttrType::Floats;
  alpha.floats = {0.5f};
  clip.attributes.push_back(alpha);
  test::add_output(g, "y", TypeInfo::tensor(DType::Float));  // rank unknown

  onnx::ModelProto mp = parse_model(serialize_model(model));
  EXPECT_EQ(mp.ir_version(), 7);
  ASSERT_EQ(mp.opset_import_size(), 1);
  EXPECT_EQ(mp.opset_import(0).version(), 11);
  EXPECT_EQ(mp.producer_name(), "hand");
  const onnx::GraphProto& gp = mp.graph();
  EXPECT_EQ(gp.name(), "g");
  ASSERT_EQ(gp.node_size(), 1);
  const onnx::NodeProto& np = gp.node(0);
  EXPECT_EQ(np.name(), "clip0");
  EXPECT_EQ(np.op_type(), "Clip");
  ASSERT_EQ(np.input_size(), 3);
  EXPECT_EQ(np.input(0), "x");
  EXPECT_EQ(np.input(1), "");
  EXPECT_EQ(np.input(2), "w");
  ASSERT_EQ(np.attribute_size(), 1);
  EXPECT_EQ(np.attribute(0).type(), onnx::AttributeProto::FLOATS);
  EXPECT_EQ(np.attribute(0).floats(0), 0.5f);
  ASSERT_EQ(gp.initializer_size(), 1);
  EXPECT_EQ(gp.initializer(0).name(), "w");
  EXPECT_EQ(gp.initializer(0).raw_data(), std::string("\x00\x00\x00\x40", 4));  // 2.0f
  ASSERT_EQ(gp.input_size(), 1);
  const auto& shape = gp.input(0).type().tensor_type().shape();
  ASSERT_EQ(shape.dim_size(), 3);
  EXPECT_EQ(shape.dim(0).dim_param(), "N");
  EXPECT_FALSE(shape.dim(1).has_dim_param());
  EXPECT_FALSE(shape.dim(1).has_dim_value());
  EXPECT_EQ(shape.dim(2).dim_value(), 4);
  ASSERT_EQ(gp.output_size(), 1);
  EXPECT_EQ(gp.output(0).type().tensor_type().elem_type(), onnx::TensorProto::FLOAT);
  EXPECT_FALSE(gp.output(0).type().tensor_type().has_shape());
}

TEST(Writer, SparseAttributeWrittenSparse) {
  Model model;
  model.ir_version = 8;
  Attribute a;
  a.name = "sparse_value";
  a.type = AttrType::SparseTensor;
  a.t = Tensor::from_vector<float>({4}, {0.0f, 5.0f, 0.0f, 7.0f});
  test::add_ir_node(model.graph, "Constant", {}, {"k"}).attributes.push_back(a);
  onnx::ModelProto mp = parse_model(serialize_model(model));
  const onnx::AttributeProto& ap = mp.graph().node(0).attribute(0);
  EXPECT_EQ(ap.type(), onnx::AttributeProto::SPARSE_TENSOR);
  const onnx::SparseTensorProto& sp = ap.sparse_tensor();
  ASSERT_EQ(sp.dims_size(), 1);
  EXPECT_EQ(sp.dims(0), 4);
  // 5.0f = 0x40a00000, 7.0f = 0x40e00000; positions 1 and 3.
  EXPECT_EQ(sp.values().raw_data(), std::string("\x00\x00\xa0\x40\x00\x00\xe0\x40", 8));
  EXPECT_EQ(sp.indices().raw_data(), std::string("\x01\0\0\0\0\0\0\0\x03\0\0\0\0\0\0\0", 16));
}

// ---------------------------------------------------------------- full round trip

onnx::ModelProto rich_model() {
  onnx::ModelProto m;
  m.set_ir_version(8);
  test::add_opset(m, "", 13);
  test::add_opset(m, "custom", 1);
  m.set_producer_name("p");
  m.set_producer_version("9");
  m.set_domain("org.d");
  m.set_model_version(3);
  m.set_doc_string("model doc");
  auto* kv = m.add_metadata_props();
  kv->set_key("k");
  kv->set_value("v");

  auto* g = m.mutable_graph();
  g->set_name("main");
  g->set_doc_string("graph doc");
  test::add_value(g->mutable_input(), "x", onnx::TensorProto::FLOAT, {"N", "2"});
  g->mutable_input(0)->set_doc_string("the input");
  test::add_value(g->mutable_input(), "cond", onnx::TensorProto::BOOL, {});
  *g->add_initializer() = test::typed_floats("w", {2}, {1.5f, -1.0f});
  onnx::TensorProto s;
  s.set_name("s");
  s.set_data_type(onnx::TensorProto::STRING);
  s.add_dims(2);
  s.add_string_data("a");
  s.add_string_data("b");
  *g->add_initializer() = s;
  auto* sp = g->add_sparse_initializer();
  *sp->mutable_values() = raw_tensor("sp", onnx::TensorProto::INT32, {2}, {4, 0, 0, 0, 6, 0, 0, 0});
  *sp->mutable_indices() = raw_tensor("", onnx::TensorProto::INT64, {2},
                                      {1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0});
  sp->add_dims(3);
  test::add_value(g->mutable_value_info(), "h", onnx::TensorProto::FLOAT, {"?", "2"});

  auto* mul = test::add_node(g, "Mul", {"x", "w"}, {"h"}, "mul");
  mul->set_doc_string("node doc");
  test::add_node(g, "AddTwice", {"h", "h"}, {"z"}, "call", "custom");
  auto* iff = test::add_node(g, "If", {"cond"}, {"r"}, "if");
  auto* then_a = iff->add_attribute();
  then_a->set_name("then_branch");
  then_a->set_type(onnx::AttributeProto::GRAPH);
  then_a->mutable_g()->set_name("then");
  test::add_node(then_a->mutable_g(), "Identity", {"z"}, {"t"});
  test::add_value(then_a->mutable_g()->mutable_output(), "t", onnx::TensorProto::FLOAT, {"N", "2"});
  auto* else_a = iff->add_attribute();
  else_a->set_name("else_branch");
  else_a->set_type(onnx::AttributeProto::GRAPH);
  else_a->mutable_g()->set_name("else");
  test::add_node(else_a->mutable_g(), "Neg", {"z"}, {"e"});
  else_a->mutable_g()->add_output()->set_name("e");

  auto* c = test::add_node(g, "Custom", {"r", ""}, {"q"}, "attrs", "custom");
  auto add = [&](const std::string& name, onnx::AttributeProto::AttributeType type) {
    auto* a = c->add_attribute();
    a->set_name(name);
    a->set_type(type);
    return a;
  };
  add("f", onnx::AttributeProto::FLOAT)->set_f(-0.75f);
  add("i", onnx::AttributeProto::INT)->set_i(1ll << 40);
  add("s", onnx::AttributeProto::STRING)->set_s(std::string("a\0b", 3));
  *add("t", onnx::AttributeProto::TENSOR)->mutable_t() =
      raw_tensor("", onnx::TensorProto::UINT16, {1}, {0x01, 0x02});
  auto* fl = add("fl", onnx::AttributeProto::FLOATS);
  fl->add_floats(0.5f);
  auto* in = add("in", onnx::AttributeProto::INTS);
  in->add_ints(-1);
  in->add_ints(2);
  add("ss", onnx::AttributeProto::STRINGS)->add_strings("z");
  *add("ts", onnx::AttributeProto::TENSORS)->add_tensors() =
      raw_tensor("", onnx::TensorProto::BOOL, {1}, {1});
  auto* gs = add("gs", onnx::AttributeProto::GRAPHS);
  gs->add_graphs()->set_name("empty0");
  auto* st = add("st", onnx::AttributeProto::SPARSE_TENSOR)->mutable_sparse_tensor();
  *st->mutable_values() = raw_tensor("", onnx::TensorProto::INT64, {1}, {9, 0, 0, 0, 0, 0, 0, 0});
  *st->mutable_indices() = raw_tensor("", onnx::TensorProto::INT64, {1}, {0, 0, 0, 0, 0, 0, 0, 0});
  st->add_dims(2);
  auto* tp = add("tp", onnx::AttributeProto::TYPE_PROTO)->mutable_tp();
  test::set_tensor_type(tp->mutable_sequence_type()->mutable_elem_type(), onnx::TensorProto::INT8,
                        {"3"});
  auto* tps = add("tps", onnx::AttributeProto::TYPE_PROTOS);
  auto* map = tps->add_type_protos()->mutable_map_type();
  map->set_key_type(onnx::TensorProto::STRING);
  test::set_tensor_type(map->mutable_value_type(), onnx::TensorProto::FLOAT, {});
  auto* ref = add("ref", onnx::AttributeProto::FLOAT);
  ref->set_ref_attr_name("outer_alpha");
  ref->set_doc_string("attr doc");

  test::add_value(g->mutable_output(), "r", onnx::TensorProto::FLOAT, {"N", "2"});
  g->add_output()->set_name("q");  // no type

  auto* f = m.add_functions();
  f->set_name("AddTwice");
  f->set_domain("custom");
  f->add_input("a");
  f->add_input("b");
  f->add_output("c");
  f->add_attribute("alpha");
  auto* imp = f->add_opset_import();
  imp->set_domain("");
  imp->set_version(13);
  auto* add1 = f->add_node();
  add1->set_op_type("Add");
  add1->add_input("a");
  add1->add_input("b");
  add1->add_output("t");
  auto* add2 = f->add_node();
  add2->set_op_type("Add");
  add2->add_input("t");
  add2->add_input("b");
  add2->add_output("c");
  return m;
}

void expect_rich(const Model& model) {
  EXPECT_EQ(model.ir_version, 8);
  ASSERT_EQ(model.opset_imports.size(), 2u);
  EXPECT_EQ(model.opset_imports[1].domain, "custom");
  EXPECT_EQ(model.opset_imports[1].version, 1);
  EXPECT_EQ(model.producer_name, "p");
  EXPECT_EQ(model.producer_version, "9");
  EXPECT_EQ(model.domain, "org.d");
  EXPECT_EQ(model.model_version, 3);
  EXPECT_EQ(model.doc, "model doc");
  ASSERT_EQ(model.metadata.size(), 1u);
  EXPECT_EQ(model.metadata[0], (std::pair<std::string, std::string>{"k", "v"}));

  const Graph& g = model.graph;
  EXPECT_EQ(g.name, "main");
  EXPECT_EQ(g.doc, "graph doc");
  EXPECT_EQ(names_of(g, g.inputs), (std::vector<std::string>{"x", "cond"}));
  EXPECT_EQ(names_of(g, g.outputs), (std::vector<std::string>{"r", "q"}));
  EXPECT_EQ(g.value(g.find("x")).doc, "the input");
  const TypeInfo& xt = g.value(g.find("x")).type;
  ASSERT_TRUE(xt.shape.has_value());
  EXPECT_EQ(*xt.shape, (std::vector<Dim>{Dim::symbol("N"), Dim::known(2)}));
  EXPECT_EQ(g.value(g.find("cond")).type.elem, DType::Bool);
  EXPECT_EQ(g.value(g.find("q")).type.kind, TypeInfo::Kind::Unknown);
  ASSERT_EQ(g.declared_value_infos.size(), 1u);
  const Value& h = g.value(g.declared_value_infos[0]);
  EXPECT_EQ(h.name, "h");
  EXPECT_EQ(*h.type.shape, (std::vector<Dim>{Dim{}, Dim::known(2)}));

  ASSERT_EQ(g.initializers.size(), 3u);
  EXPECT_EQ(g.initializers.at(g.find("w")).to_vector<float>(), (std::vector<float>{1.5f, -1.0f}));
  EXPECT_EQ(g.initializers.at(g.find("s")).to_vector<std::string>(),
            (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(g.initializers.at(g.find("sp")).to_vector<int32_t>(), (std::vector<int32_t>{0, 4, 6}));
  ASSERT_EQ(g.sparse_initializers.size(), 1u);
  EXPECT_EQ(g.sparse_initializers[0].value, g.find("sp"));
  EXPECT_EQ(g.sparse_initializers[0].values.to_vector<int32_t>(), (std::vector<int32_t>{4, 6}));
  EXPECT_EQ(g.sparse_initializers[0].indices.to_vector<int64_t>(), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(g.sparse_initializers[0].dims, (Shape{3}));

  ASSERT_EQ(g.nodes.size(), 4u);
  const Node& mul = g.nodes[0];
  EXPECT_EQ(mul.name, "mul");
  EXPECT_EQ(mul.doc, "node doc");
  EXPECT_EQ(mul.opset, 13);
  EXPECT_EQ(names_of(g, mul.inputs), (std::vector<std::string>{"x", "w"}));
  const Node& call = g.nodes[1];
  EXPECT_EQ(call.domain, "custom");
  EXPECT_EQ(call.opset, 1);
  const Node& iff = g.nodes[2];
  const Graph& then_g = *iff.find_attr("then_branch")->g;
  EXPECT_EQ(then_g.name, "then");
  EXPECT_TRUE(then_g.value(then_g.find("z")).outer_scope);
  EXPECT_EQ(names_of(then_g, then_g.outputs), (std::vector<std::string>{"t"}));
  EXPECT_EQ(then_g.value(then_g.outputs[0]).type.elem, DType::Float);
  const Graph& else_g = *iff.find_attr("else_branch")->g;
  EXPECT_EQ(else_g.nodes[0].op_type, "Neg");

  const Node& c = g.nodes[3];
  EXPECT_EQ(names_of(g, c.inputs), (std::vector<std::string>{"r", ""}));
  ASSERT_EQ(c.attributes.size(), 13u);
  EXPECT_EQ(c.find_attr("f")->f, -0.75f);
  EXPECT_EQ(c.find_attr("i")->i, 1ll << 40);
  EXPECT_EQ(c.find_attr("s")->s, std::string("a\0b", 3));
  EXPECT_EQ(c.find_attr("t")->t.to_vector<uint16_t>(), (std::vector<uint16_t>{0x0201}));
  EXPECT_EQ(c.find_attr("fl")->floats, (std::vector<float>{0.5f}));
  EXPECT_EQ(c.find_attr("in")->ints, (std::vector<int64_t>{-1, 2}));
  EXPECT_EQ(c.find_attr("ss")->strings, (std::vector<std::string>{"z"}));
  EXPECT_EQ(c.find_attr("ts")->tensors.at(0).to_vector<bool>(), (std::vector<bool>{true}));
  EXPECT_EQ(c.find_attr("gs")->graphs.at(0)->name, "empty0");
  EXPECT_EQ(c.find_attr("st")->type, AttrType::SparseTensor);
  EXPECT_EQ(c.find_attr("st")->t.to_vector<int64_t>(), (std::vector<int64_t>{9, 0}));
  const TypeInfo& tp = c.find_attr("tp")->tp;
  EXPECT_EQ(tp.kind, TypeInfo::Kind::Sequence);
  EXPECT_EQ(tp.inner->elem, DType::Int8);
  EXPECT_EQ(tp.inner->concrete_shape(), (std::optional<Shape>(Shape{3})));
  const TypeInfo& map = c.find_attr("tps")->tps.at(0);
  EXPECT_EQ(map.kind, TypeInfo::Kind::Map);
  EXPECT_EQ(map.elem, DType::String);
  EXPECT_EQ(map.inner->elem, DType::Float);
  const Attribute* ref = c.find_attr("ref");
  EXPECT_EQ(ref->ref_attr_name, "outer_alpha");
  EXPECT_EQ(ref->doc, "attr doc");
  EXPECT_EQ(ref->type, AttrType::Float);

  ASSERT_EQ(model.functions.size(), 1u);
  const Function& f = model.functions[0];
  EXPECT_EQ(f.name, "AddTwice");
  EXPECT_EQ(f.domain, "custom");
  EXPECT_EQ(f.inputs, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(f.outputs, (std::vector<std::string>{"c"}));
  EXPECT_EQ(f.attributes, (std::vector<std::string>{"alpha"}));
  ASSERT_EQ(f.opset_imports.size(), 1u);
  EXPECT_EQ(f.opset_imports[0].version, 13);
  ASSERT_EQ(f.body->nodes.size(), 2u);
  EXPECT_EQ(names_of(*f.body, f.body->nodes[1].inputs), (std::vector<std::string>{"t", "b"}));
  EXPECT_EQ(f.body->nodes[1].opset, 13);
}

TEST(WriterRoundTrip, KeepsEverything) {
  Model first = load_model_from_bytes(test::bytes_of(rich_model()));
  expect_rich(first);
  Model second = load_model_from_bytes(serialize_model(first));
  expect_rich(second);
  // And once more, from what the writer wrote.
  expect_rich(load_model_from_bytes(serialize_model(second)));
}

TEST(WriterRoundTrip, InitializersBecomeRawAndSparseStaysSparse) {
  Model model = load_model_from_bytes(test::bytes_of(rich_model()));
  onnx::ModelProto mp = parse_model(serialize_model(model));
  const onnx::GraphProto& g = mp.graph();
  ASSERT_EQ(g.initializer_size(), 2);
  for (const auto& t : g.initializer()) {
    if (t.name() == "w") {
      EXPECT_EQ(t.float_data_size(), 0);
      // 1.5f = 0x3fc00000, -1.0f = 0xbf800000.
      EXPECT_EQ(t.raw_data(), std::string("\x00\x00\xc0\x3f\x00\x00\x80\xbf", 8));
    } else {
      EXPECT_EQ(t.name(), "s");
      EXPECT_EQ(t.string_data_size(), 2);
    }
  }
  ASSERT_EQ(g.sparse_initializer_size(), 1);
  EXPECT_EQ(g.sparse_initializer(0).values().name(), "sp");
}

TEST(WriterRoundTrip, ExternalDataIsWrittenInline) {
  test::ScratchDir dir;
  dir.write("w.bin", std::string("\x00\x00\x80\x3f", 4));
  onnx::ModelProto m = test::relu_model();
  onnx::TensorProto w = raw_tensor("w", onnx::TensorProto::FLOAT, {1}, {});
  test::set_external_data(w, "w.bin");
  *m.mutable_graph()->add_initializer() = w;
  dir.write("model.onnx", test::bytes_of(m));
  Model model = load_model(dir.file("model.onnx"));
  save_model(model, dir.file("inline.onnx"));

  onnx::ModelProto written = parse_model(read_file_bytes(dir.file("inline.onnx")));
  ASSERT_EQ(written.graph().initializer_size(), 1);
  const onnx::TensorProto& t = written.graph().initializer(0);
  EXPECT_NE(t.data_location(), onnx::TensorProto::EXTERNAL);
  EXPECT_EQ(t.external_data_size(), 0);
  EXPECT_EQ(t.raw_data(), std::string("\x00\x00\x80\x3f", 4));
  Model again = load_model(dir.file("inline.onnx"));
  EXPECT_EQ(again.graph.initializers.at(again.graph.find("w")).to_vector<float>(),
            (std::vector<float>{1.0f}));
}

TEST(WriterRoundTrip, SaveTensorFile) {
  test::ScratchDir dir;
  save_tensor(Tensor::from_vector<double>({2}, {0.5, -4.0}), dir.file("t.pb"), "out");
  std::string name;
  Tensor t = load_tensor_file(dir.file("t.pb"), &name);
  EXPECT_EQ(name, "out");
  EXPECT_EQ(t.to_vector<double>(), (std::vector<double>{0.5, -4.0}));
}

TEST(Writer, UnwritablePathIsAnError) {
  Model model;
  model.ir_version = 8;
  const std::string e = testing::error_of([&] { save_model(model, "/nonexistent/dir/out.onnx"); });
  EXPECT_TRUE(testing::mentions(e, "cannot open '/nonexistent/dir/out.onnx' for writing")) << e;
}

}  // namespace
}  // namespace onyx
