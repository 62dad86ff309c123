// The optimizer's no-op elimination (eliminate_noops.cc) and layout-chain merging
// (merge_transposes_reshapes.cc): each rewrite on a small graph, checking the nodes that
// remain and that the outputs equal the unoptimized graph's; and the graphs that must
// stay as they are (shape changes, values known only at run time, intermediates read
// elsewhere, graph outputs).
#include <functional>
#include <limits>

#include "optimizer_models.h"

namespace onyx {
namespace {

using test::attr_of;
using test::expect_same_outputs;
using test::int_attr;
using test::ints_attr;
using test::ModelBuilder;
using test::ops_of;
using test::random_floats;
using test::session_at;
using testing::ints;

constexpr int64_t kEnd = std::numeric_limits<int64_t>::max();
constexpr OptimizationLevel kBasic = OptimizationLevel::Basic;

Tensor int64s(std::vector<int64_t> values) {
  const int64_t n = static_cast<int64_t>(values.size());
  return ints({n}, std::move(values));
}

Attribute dtype_attr(const char* name, DType dtype) {
  return int_attr(name, static_cast<int64_t>(dtype));
}

// x (of `shape`) -> Relu -> [the nodes `add` builds from "r" to "m"] -> Sigmoid -> y, so
// that the nodes under test read and write internal values.
template <class Build>
ModelBuilder between(const Shape& shape, Build add, int64_t opset = 17) {
  ModelBuilder b(opset);
  b.input("x", random_floats(shape, 7)).node("Relu", {"x"}, {"r"});
  add(b);
  b.node("Sigmoid", {"m"}, {"y"}).output("y");
  return b;
}

// A symbolic leading dim: x declared float[N, 3, 4], fed (2, 3, 4).
ModelBuilder between_symbolic(std::function<void(ModelBuilder&)> add) {
  ModelBuilder b;
  TypeInfo declared = TypeInfo::tensor(
      DType::Float, std::vector<Dim>{Dim::symbol("N"), Dim::known(3), Dim::known(4)});
  b.input("x", random_floats({2, 3, 4}, 8), declared).node("Relu", {"x"}, {"r"});
  add(b);
  b.node("Sigmoid", {"m"}, {"y"}).output("y");
  return b;
}

struct Case {
  const char* what;
  ModelBuilder model;
};

void expect_removed(const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    EXPECT_EQ(ops_of(session_at(c.model, kBasic)), "Relu,Sigmoid");
    EXPECT_EQ(ops_of(session_at(c.model, OptimizationLevel::All)), "Relu,Sigmoid");
    expect_same_outputs(c.model, kBasic);
  }
}

// Each case keeps the op types `ops` (between Relu and Sigmoid) and computes the same.
void expect_kept(const std::vector<std::pair<Case, std::string>>& cases) {
  for (const auto& [c, ops] : cases) {
    SCOPED_TRACE(c.what);
    EXPECT_EQ(ops_of(session_at(c.model, kBasic)), "Relu," + ops + ",Sigmoid");
    expect_same_outputs(c.model, kBasic);
  }
}

TEST(OptimizerNoops, NodesThatReturnTheirInputAreRemoved) {
  const Shape s = {2, 3, 4};
  expect_removed({
      {"reshape to the same shape",
       between(s,
               [](ModelBuilder& b) {
                 b.constant("shape", int64s({2, 3, 4})).node("Reshape", {"r", "shape"}, {"m"});
               })},
      {"reshape by 0 and -1",
       between(s,
               [](ModelBuilder& b) {
                 b.constant("shape", int64s({0, -1, 4})).node("Reshape", {"r", "shape"}, {"m"});
               })},
      {"flatten of a matrix",
       between({6, 4}, [](ModelBuilder& b) { b.node("Flatten", {"r"}, {"m"}); })},
      {"squeeze of no 1s", between(s, [](ModelBuilder& b) { b.node("Squeeze", {"r"}, {"m"}); })},
      {"identity transpose",
       between(s,
               [](ModelBuilder& b) {
                 b.node("Transpose", {"r"}, {"m"}, {ints_attr("perm", {0, 1, 2})});
               })},
      {"default transpose of a vector",
       between({5}, [](ModelBuilder& b) { b.node("Transpose", {"r"}, {"m"}); })},
      {"cast to float", between(s,
                                [](ModelBuilder& b) {
                                  b.node("Cast", {"r"}, {"m"}, {dtype_attr("to", DType::Float)});
                                })},
      {"castlike a float",
       between(s,
               [](ModelBuilder& b) {
                 b.constant("like", random_floats({1}, 3)).node("CastLike", {"r", "like"}, {"m"});
               })},
      {"slice of everything", between(s,
                                      [](ModelBuilder& b) {
                                        b.constant("starts", int64s({0, -10}))
                                            .constant("ends", int64s({kEnd, 4}))
                                            .constant("axes", int64s({0, -1}))
                                            .constant("steps", int64s({1, 1}))
                                            .node("Slice", {"r", "starts", "ends", "axes", "steps"},
                                                  {"m"});
                                      })},
      {"slice without axes and steps", between(s,
                                               [](ModelBuilder& b) {
                                                 b.constant("starts", ints({2}, {0, 0}))
                                                     .constant("ends", ints({2}, {2, 99}))
                                                     .node("Slice", {"r", "starts", "ends"}, {"m"});
                                               })},
      {"opset 9 slice", between(
                            s,
                            [](ModelBuilder& b) {
                              b.node("Slice", {"r"}, {"m"},
                                     {ints_attr("starts", {0}), ints_attr("ends", {3}),
                                      ints_attr("axes", {1})});
                            },
                            9)},
      {"pad by zeros",
       between(s,
               [](ModelBuilder& b) {
                 b.constant("pads", int64s({0, 0, 0, 0, 0, 0})).node("Pad", {"r", "pads"}, {"m"});
               })},
      {"opset 10 pad by zeros",
       between(
           s,
           [](ModelBuilder& b) {
             b.node("Pad", {"r"}, {"m"}, {ints_attr("pads", {0, 0, 0, 0, 0, 0})});
           },
           10)},
      {"expand to its own shape",
       between(s,
               [](ModelBuilder& b) {
                 b.constant("shape", int64s({3, 1})).node("Expand", {"r", "shape"}, {"m"});
               })},
      {"concat of one input",
       between(s, [](ModelBuilder& b) { b.node("Concat", {"r"}, {"m"}, {int_attr("axis", 1)}); })},
      {"split into one piece",
       between(s, [](ModelBuilder& b) { b.node("Split", {"r"}, {"m"}, {int_attr("axis", 1)}); })},
      {"split by the whole dim", between(s,
                                         [](ModelBuilder& b) {
                                           b.constant("split", int64s({3}))
                                               .node("Split", {"r", "split"}, {"m"},
                                                     {int_attr("axis", 1)});
                                         })},
      {"unsqueeze then squeeze", between(s,
                                         [](ModelBuilder& b) {
                                           b.constant("axes", int64s({-1, 1}))
                                               .node("Unsqueeze", {"r", "axes"}, {"u"})
                                               .node("Squeeze", {"u", "axes"}, {"m"});
                                         })},
      {"opset 11 unsqueeze then squeeze",
       between(
           s,
           [](ModelBuilder& b) {
             b.node("Unsqueeze", {"r"}, {"u"}, {ints_attr("axes", {0, 4})})
                 .node("Squeeze", {"u"}, {"m"}, {ints_attr("axes", {-1, 0})});
           },
           11)},
      {"squeeze then unsqueeze", between({2, 1, 3, 1},
                                         [](ModelBuilder& b) {
                                           b.constant("axes", int64s({3, 1}))
                                               .node("Squeeze", {"r", "axes"}, {"u"})
                                               .node("Unsqueeze", {"u", "axes"}, {"m"});
                                         })},
      {"squeeze of every 1, then unsqueeze", between({1, 3, 1},
                                                     [](ModelBuilder& b) {
                                                       b.constant("axes", int64s({0, 2}))
                                                           .node("Squeeze", {"r"}, {"u"})
                                                           .node("Unsqueeze", {"u", "axes"}, {"m"});
                                                     })},
  });
}

TEST(OptimizerNoops, SymbolicDimsAreRemovedWhenTheConstantsShowANoOp) {
  expect_removed({
      {"reshape copying the batch", between_symbolic([](ModelBuilder& b) {
         b.constant("shape", int64s({0, 3, 4})).node("Reshape", {"r", "shape"}, {"m"});
       })},
      {"reshape inferring the batch", between_symbolic([](ModelBuilder& b) {
         b.constant("shape", int64s({-1, 3, 4})).node("Reshape", {"r", "shape"}, {"m"});
       })},
      {"expand by 1s", between_symbolic([](ModelBuilder& b) {
         b.constant("shape", int64s({1, 1, 4})).node("Expand", {"r", "shape"}, {"m"});
       })},
      {"slice to the largest end", between_symbolic([](ModelBuilder& b) {
         b.constant("starts", int64s({0}))
             .constant("ends", int64s({kEnd}))
             .node("Slice", {"r", "starts", "ends"}, {"m"});
       })},
      {"unsqueeze then squeeze", between_symbolic([](ModelBuilder& b) {
         b.constant("axes", int64s({0}))
             .node("Unsqueeze", {"r", "axes"}, {"u"})
             .node("Squeeze", {"u", "axes"}, {"m"});
       })},
  });
}

TEST(OptimizerNoops, NodesThatChangeTheirInputStay) {
  const Shape s = {2, 3, 4};
  std::vector<std::pair<Case, std::string>> cases;
  auto keep = [&cases](const char* what, ModelBuilder b, const char* ops) {
    cases.push_back({{what, std::move(b)}, ops});
  };
  keep("reshape to another shape",
       between(s,
               [](ModelBuilder& b) {
                 b.constant("shape", int64s({6, 4})).node("Reshape", {"r", "shape"}, {"m"});
               }),
       "Reshape");
  keep("transpose",
       between(s,
               [](ModelBuilder& b) {
                 b.node("Transpose", {"r"}, {"m"}, {ints_attr("perm", {0, 2, 1})});
               }),
       "Transpose");
  keep("cast to double and back",
       between(s,
               [](ModelBuilder& b) {
                 b.node("Cast", {"r"}, {"d"}, {dtype_attr("to", DType::Double)})
                     .node("Cast", {"d"}, {"m"}, {dtype_attr("to", DType::Float)});
               }),
       "Cast,Cast");
  keep("slice short of the end",
       between(s,
               [](ModelBuilder& b) {
                 b.constant("starts", int64s({0}))
                     .constant("ends", int64s({3}))
                     .constant("axes", int64s({2}))
                     .node("Slice", {"r", "starts", "ends", "axes"}, {"m"});
               }),
       "Slice");
  keep("slice by step 2",
       between(s,
               [](ModelBuilder& b) {
                 b.constant("starts", int64s({0}))
                     .constant("ends", int64s({kEnd}))
                     .constant("axes", int64s({0}))
                     .constant("steps", int64s({2}))
                     .node("Slice", {"r", "starts", "ends", "axes", "steps"}, {"m"});
               }),
       "Slice");
  keep("slice from a negative start inside the dim",
       between(s,
               [](ModelBuilder& b) {
                 b.constant("starts", int64s({-1}))
                     .constant("ends", int64s({kEnd}))
                     .node("Slice", {"r", "starts", "ends"}, {"m"});
               }),
       "Slice");
  keep("pad",
       between(s,
               [](ModelBuilder& b) {
                 b.constant("pads", int64s({0, 0, 1, 0, 0, 0})).node("Pad", {"r", "pads"}, {"m"});
               }),
       "Pad");
  keep("expand that broadcasts",
       between({2, 1, 4},
               [](ModelBuilder& b) {
                 b.constant("shape", int64s({2, 3, 4})).node("Expand", {"r", "shape"}, {"m"});
               }),
       "Expand");
  keep("expand that adds a dim",
       between(s,
               [](ModelBuilder& b) {
                 b.constant("shape", int64s({1, 2, 3, 4})).node("Expand", {"r", "shape"}, {"m"});
               }),
       "Expand");
  keep("split into two",
       between(s,
               [](ModelBuilder& b) {
                 b.node("Split", {"r"}, {"m", "rest"}, {int_attr("axis", 0)});
               }),
       "Split");
  keep("concat of two",
       between(s,
               [](ModelBuilder& b) {
                 b.node("Concat", {"r", "r"}, {"m"}, {int_attr("axis", 0)});
               }),
       "Concat");
  keep("squeeze of other axes than unsqueezed",  // a reshape: merged, not removed
       between({2, 1, 4},
               [](ModelBuilder& b) {
                 b.constant("in", int64s({0}))
                     .constant("out", int64s({2}))
                     .node("Unsqueeze", {"r", "in"}, {"u"})
                     .node("Squeeze", {"u", "out"}, {"m"});
               }),
       "Reshape");
  keep("unsqueeze of other axes than squeezed",
       between({2, 1, 4},
               [](ModelBuilder& b) {
                 b.constant("in", int64s({1}))
                     .constant("out", int64s({0}))
                     .node("Squeeze", {"r", "in"}, {"u"})
                     .node("Unsqueeze", {"u", "out"}, {"m"});
               }),
       "Reshape");
  keep("an unsqueezed value read twice",
       between(s,
               [](ModelBuilder& b) {
                 b.constant("axes", int64s({0}))
                     .node("Unsqueeze", {"r", "axes"}, {"u"})
                     .node("Squeeze", {"u", "axes"}, {"q"})
                     .node("Add", {"q", "u"}, {"m"});
               }),
       "Unsqueeze,Squeeze,Add");
  expect_kept(cases);
}

TEST(OptimizerNoops, InputsKnownOnlyAtRunTimeKeepTheNode) {
  // Starts, pads, shapes and axes fed by the caller (feeds that make the nodes no-ops).
  ModelBuilder slice = between({2, 3}, [](ModelBuilder& b) {
    b.input("starts", int64s({0})).constant("ends", int64s({kEnd}));
    b.node("Slice", {"r", "starts", "ends"}, {"m"});
  });
  ModelBuilder pad = between({2, 3}, [](ModelBuilder& b) {
    b.input("pads", int64s({0, 0, 0, 0})).node("Pad", {"r", "pads"}, {"m"});
  });
  ModelBuilder reshape = between({2, 3}, [](ModelBuilder& b) {
    b.input("shape", int64s({2, 3})).node("Reshape", {"r", "shape"}, {"m"});
  });
  ModelBuilder squeeze = between({2, 3}, [](ModelBuilder& b) {
    b.input("axes", int64s({0}))
        .node("Unsqueeze", {"r", "axes"}, {"u"})
        .node("Squeeze", {"u", "axes"}, {"m"});
  });
  expect_kept({{{"slice", slice}, "Slice"},
               {{"pad", pad}, "Pad"},
               {{"reshape", reshape}, "Reshape"},
               {{"unsqueeze then squeeze", squeeze}, "Unsqueeze,Squeeze"}});
  // A symbolic dim the constants do not pin down.
  ModelBuilder symbolic = between_symbolic([](ModelBuilder& b) {
    b.constant("starts", int64s({0})).constant("ends", int64s({2}));
    b.node("Slice", {"r", "starts", "ends"}, {"m"});
  });
  ModelBuilder swapped = between_symbolic([](ModelBuilder& b) {
    b.constant("shape", int64s({0, 4, 3})).node("Reshape", {"r", "shape"}, {"m"});
  });
  expect_kept({{{"slice of a symbolic dim", symbolic}, "Slice"},
               {{"reshape of the trailing dims", swapped}, "Reshape"}});
}

TEST(OptimizerNoops, GraphOutputsKeepTheirNames) {
  // Relu's output takes the name y over.
  ModelBuilder renamed;
  renamed.input("x", random_floats({2, 3}, 4))
      .constant("shape", int64s({2, 3}))
      .node("Relu", {"x"}, {"r"})
      .node("Reshape", {"r", "shape"}, {"y"})
      .output("y");
  Session s = session_at(renamed, kBasic);
  ASSERT_EQ(ops_of(s), "Relu");
  const Graph& g = s.model().graph;
  EXPECT_EQ(g.value(g.nodes[0].outputs[0]).name, "y");
  EXPECT_EQ(s.outputs().at(0).name, "y");
  expect_same_outputs(renamed, kBasic);

  // Both ends are graph interface: nothing can take the name over.
  ModelBuilder input_to_output;
  input_to_output.input("x", random_floats({2, 3}, 4))
      .node("Cast", {"x"}, {"y"}, {dtype_attr("to", DType::Float)})
      .output("y");
  EXPECT_EQ(ops_of(session_at(input_to_output, kBasic)), "Cast");
  ModelBuilder both_outputs;
  both_outputs.input("x", random_floats({2, 3}, 4))
      .node("Relu", {"x"}, {"r"})
      .node("Cast", {"r"}, {"y"}, {dtype_attr("to", DType::Float)})
      .output("r")
      .output("y");
  EXPECT_EQ(ops_of(session_at(both_outputs, kBasic)), "Relu,Cast");
  expect_same_outputs(both_outputs, kBasic);
  // The input is read elsewhere too: renaming it would change what that reader sees.
  ModelBuilder shared;
  shared.input("x", random_floats({2, 3}, 4))
      .node("Relu", {"x"}, {"r"})
      .node("Concat", {"r"}, {"y"}, {int_attr("axis", 0)})
      .node("Sigmoid", {"r"}, {"z"})
      .output("y")
      .output("z");
  EXPECT_EQ(ops_of(session_at(shared, kBasic)), "Relu,Concat,Sigmoid");
  expect_same_outputs(shared, kBasic);
}

TEST(OptimizerNoops, CancellingPairsThatWriteAGraphOutput) {
  // Relu's output takes the name over.
  ModelBuilder renamed;
  renamed.input("x", random_floats({2, 3}, 4))
      .constant("axes", int64s({0}))
      .node("Relu", {"x"}, {"r"})
      .node("Unsqueeze", {"r", "axes"}, {"u"})
      .node("Squeeze", {"u", "axes"}, {"y"})
      .output("y");
  Session s = session_at(renamed, kBasic);
  ASSERT_EQ(ops_of(s), "Relu");
  EXPECT_EQ(s.model().graph.value(s.model().graph.nodes[0].outputs[0]).name, "y");
  expect_same_outputs(renamed, kBasic);
  // From a graph input to a graph output: one Identity remains.
  ModelBuilder passthrough;
  passthrough.input("x", random_floats({2, 1, 3}, 4))
      .constant("axes", int64s({1}))
      .node("Squeeze", {"x", "axes"}, {"q"})
      .node("Unsqueeze", {"q", "axes"}, {"y"})
      .output("y");
  EXPECT_EQ(ops_of(session_at(passthrough, kBasic)), "Identity");
  expect_same_outputs(passthrough, kBasic);
}

TEST(OptimizerNoops, IntegerCastAndSliceAreRemoved) {
  ModelBuilder b;
  b.input("x", ints({2, 5}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}))
      .constant("starts", int64s({0}))
      .constant("ends", int64s({5}))
      .constant("axes", int64s({1}))
      .node("Neg", {"x"}, {"n"})
      .node("Cast", {"n"}, {"c"}, {dtype_attr("to", DType::Int64)})
      .node("Slice", {"c", "starts", "ends", "axes"}, {"s"})
      .node("Abs", {"s"}, {"y"})
      .output("y");
  EXPECT_EQ(ops_of(session_at(b, kBasic)), "Neg,Abs");
  expect_same_outputs(b, kBasic);
}

// ---- merge_transposes_reshapes ----

TEST(OptimizerMerge, TwoTransposesBecomeOne) {
  ModelBuilder b = between({2, 3, 4, 5}, [](ModelBuilder& m) {
    m.node("Transpose", {"r"}, {"t"}, {ints_attr("perm", {0, 2, 3, 1})})
        .node("Transpose", {"t"}, {"m"}, {ints_attr("perm", {3, 1, 0, 2})});
  });
  Session s = session_at(b, kBasic);
  ASSERT_EQ(ops_of(s), "Relu,Transpose,Sigmoid");
  // Output dim j is input dim p1[p2[j]].
  EXPECT_EQ(attr_of(s.model().graph.nodes[1], "perm").ints, (std::vector<int64_t>{1, 2, 0, 3}));
  expect_same_outputs(b, kBasic);

  ModelBuilder reversed = between({2, 3, 4}, [](ModelBuilder& m) {
    m.node("Transpose", {"r"}, {"t"})
        .node("Transpose", {"t"}, {"m"}, {ints_attr("perm", {1, 0, 2})});
  });
  Session rs = session_at(reversed, kBasic);
  ASSERT_EQ(ops_of(rs), "Relu,Transpose,Sigmoid");
  EXPECT_EQ(attr_of(rs.model().graph.nodes[1], "perm").ints, (std::vector<int64_t>{1, 2, 0}));
  expect_same_outputs(reversed, kBasic);
}

TEST(OptimizerMerge, TransposesThatCancelAreRemoved) {
  expect_removed({
      {"inverse perms",
       between({2, 3, 4, 5},
               [](ModelBuilder& m) {
                 m.node("Transpose", {"r"}, {"t"}, {ints_attr("perm", {0, 2, 3, 1})})
                     .node("Transpose", {"t"}, {"m"}, {ints_attr("perm", {0, 3, 1, 2})});
               })},
      {"two reversals", between({2, 3, 4},
                                [](ModelBuilder& m) {
                                  m.node("Transpose", {"r"}, {"t"}).node("Transpose", {"t"}, {"m"});
                                })},
      {"three transposes",
       between({2, 3, 4},
               [](ModelBuilder& m) {
                 m.node("Transpose", {"r"}, {"t"}, {ints_attr("perm", {1, 2, 0})})
                     .node("Transpose", {"t"}, {"u"}, {ints_attr("perm", {1, 2, 0})})
                     .node("Transpose", {"u"}, {"m"}, {ints_attr("perm", {1, 2, 0})});
               })},
      {"a cast between", between({2, 3},
                                 [](ModelBuilder& m) {
                                   m.node("Transpose", {"r"}, {"t"})
                                       .node("Cast", {"t"}, {"c"}, {dtype_attr("to", DType::Float)})
                                       .node("Transpose", {"c"}, {"m"});
                                 })},
  });
}

TEST(OptimizerMerge, ReshapeChainsBecomeOneReshape) {
  struct Chain {
    const char* what;
    ModelBuilder model;
    Shape final_shape;  // the new Reshape's target, or {} when the last one is kept as is
  };
  const Shape s = {2, 3, 4};
  std::vector<Chain> chains = {
      {"reshape, reshape",
       between(s,
               [](ModelBuilder& m) {
                 m.constant("a", int64s({6, 4}))
                     .constant("b", int64s({4, -1}))
                     .node("Reshape", {"r", "a"}, {"t"})
                     .node("Reshape", {"t", "b"}, {"m"});
               }),
       {}},
      {"flatten, reshape",
       between(s,
               [](ModelBuilder& m) {
                 m.constant("b", int64s({-1}))
                     .node("Flatten", {"r"}, {"t"}, {int_attr("axis", 2)})
                     .node("Reshape", {"t", "b"}, {"m"});
               }),
       {}},
      {"unsqueeze, flatten, reshape copying a dim",
       between(s,
               [](ModelBuilder& m) {
                 m.constant("ax", int64s({0}))
                     .constant("b", int64s({0, 2, 6}))
                     .node("Unsqueeze", {"r", "ax"}, {"u"})
                     .node("Flatten", {"u"}, {"t"}, {int_attr("axis", 2)})
                     .node("Reshape", {"t", "b"}, {"m"});
               }),
       {2, 2, 6}},
      {"reshape, flatten",
       between(s,
               [](ModelBuilder& m) {
                 m.constant("a", int64s({4, 6}))
                     .node("Reshape", {"r", "a"}, {"t"})
                     .node("Flatten", {"t"}, {"m"}, {int_attr("axis", 0)});
               }),
       {1, 24}},
      {"reshape, unsqueeze",
       between(s,
               [](ModelBuilder& m) {
                 m.constant("a", int64s({4, 6}))
                     .constant("ax", int64s({1}))
                     .node("Reshape", {"r", "a"}, {"t"})
                     .node("Unsqueeze", {"t", "ax"}, {"m"});
               }),
       {4, 1, 6}},
  };
  for (const Chain& c : chains) {
    SCOPED_TRACE(c.what);
    Session session = session_at(c.model, kBasic);
    ASSERT_EQ(ops_of(session), "Relu,Reshape,Sigmoid");
    const Graph& g = session.model().graph;
    const Node& reshape = g.nodes[1];
    EXPECT_EQ(g.value(reshape.inputs[0]).name, "r");
    if (!c.final_shape.empty()) {
      const Tensor& target = g.initializers.at(reshape.inputs[1]);
      EXPECT_EQ(target.to_vector<int64_t>(), c.final_shape);
    }
    expect_same_outputs(c.model, kBasic);
  }
}

TEST(OptimizerMerge, SymbolicReshapeChainsMergeWhenTheLastShapeIsSelfContained) {
  ModelBuilder merged = between_symbolic([](ModelBuilder& m) {
    m.constant("a", int64s({-1, 4})).constant("b", int64s({-1, 12}));
    m.node("Reshape", {"r", "a"}, {"t"}).node("Reshape", {"t", "b"}, {"m"});
  });
  EXPECT_EQ(ops_of(session_at(merged, kBasic)), "Relu,Reshape,Sigmoid");
  expect_same_outputs(merged, kBasic);
  // The last one copies a dim of the first one's output: both stay.
  ModelBuilder copying = between_symbolic([](ModelBuilder& m) {
    m.constant("a", int64s({-1, 4})).constant("b", int64s({0, 2, 2}));
    m.node("Reshape", {"r", "a"}, {"t"}).node("Reshape", {"t", "b"}, {"m"});
  });
  EXPECT_EQ(ops_of(session_at(copying, kBasic)), "Relu,Reshape,Reshape,Sigmoid");
  expect_same_outputs(copying, kBasic);
}

TEST(OptimizerMerge, ReshapesBackToTheInputShapeAreRemoved) {
  expect_removed({
      {"reshape there and back", between({2, 3, 4},
                                         [](ModelBuilder& m) {
                                           m.constant("a", int64s({6, 4}))
                                               .constant("b", int64s({2, 3, 4}))
                                               .node("Reshape", {"r", "a"}, {"t"})
                                               .node("Reshape", {"t", "b"}, {"m"});
                                         })},
      {"flatten then unflatten", between({2, 3, 4},
                                         [](ModelBuilder& m) {
                                           m.constant("b", int64s({0, 3, 4}))
                                               .node("Flatten", {"r"}, {"t"})
                                               .node("Reshape", {"t", "b"}, {"m"});
                                         })},
  });
}

TEST(OptimizerMerge, IntermediatesReadElsewhereOrReturnedStay) {
  ModelBuilder transposes = between({3, 3}, [](ModelBuilder& m) {
    m.node("Transpose", {"r"}, {"t"})
        .node("Transpose", {"t"}, {"u"})
        .node("Add", {"u", "t"}, {"m"});
  });
  ModelBuilder reshapes = between({2, 3, 4}, [](ModelBuilder& m) {
    m.constant("a", int64s({6, 4}))
        .constant("b", int64s({4, 6}))
        .node("Reshape", {"r", "a"}, {"t"})
        .node("Reshape", {"t", "b"}, {"u"})
        .node("Transpose", {"t"}, {"v"})
        .node("Add", {"u", "v"}, {"m"});
  });
  expect_kept({{{"transposes", transposes}, "Transpose,Transpose,Add"},
               {{"reshapes", reshapes}, "Reshape,Reshape,Transpose,Add"}});

  ModelBuilder returned;
  returned.input("x", random_floats({2, 3}, 4))
      .constant("a", int64s({3, 2}))
      .constant("b", int64s({6}))
      .node("Reshape", {"x", "a"}, {"t"})
      .node("Reshape", {"t", "b"}, {"y"})
      .output("t")
      .output("y");
  EXPECT_EQ(ops_of(session_at(returned, kBasic)), "Reshape,Reshape");
  expect_same_outputs(returned, kBasic);
}

TEST(OptimizerMerge, TransposesMeetAcrossUnaryOps) {
  ModelBuilder cancel = between({2, 3, 4}, [](ModelBuilder& m) {
    m.node("Transpose", {"r"}, {"t"}, {ints_attr("perm", {0, 2, 1})})
        .node("Exp", {"t"}, {"e"})
        .node("LeakyRelu", {"e"}, {"l"}, {test::float_attr("alpha", 0.2f)})
        .node("Transpose", {"l"}, {"m"}, {ints_attr("perm", {0, 2, 1})});
  });
  EXPECT_EQ(ops_of(session_at(cancel, kBasic)), "Relu,Exp,LeakyRelu,Sigmoid");
  expect_same_outputs(cancel, kBasic);

  ModelBuilder composed = between({2, 3, 4}, [](ModelBuilder& m) {
    m.node("Transpose", {"r"}, {"t"})
        .node("Neg", {"t"}, {"n"})
        .node("Transpose", {"n"}, {"m"}, {ints_attr("perm", {1, 2, 0})});
  });
  Session s = session_at(composed, kBasic);
  ASSERT_EQ(ops_of(s), "Relu,Neg,Transpose,Sigmoid");
  EXPECT_EQ(attr_of(s.model().graph.nodes[2], "perm").ints, (std::vector<int64_t>{1, 0, 2}));
  expect_same_outputs(composed, kBasic);

  // No second Transpose, or the unary op's output read twice: nothing moves.
  ModelBuilder alone = between(
      {2, 3}, [](ModelBuilder& m) { m.node("Transpose", {"r"}, {"t"}).node("Exp", {"t"}, {"m"}); });
  ModelBuilder shared = between({3, 3}, [](ModelBuilder& m) {
    m.node("Transpose", {"r"}, {"t"})
        .node("Exp", {"t"}, {"e"})
        .node("Transpose", {"e"}, {"u"})
        .node("Add", {"u", "e"}, {"m"});
  });
  expect_kept({{{"no second transpose", alone}, "Transpose,Exp"},
               {{"unary output read twice", shared}, "Transpose,Exp,Transpose,Add"}});
}

TEST(OptimizerMerge, ReportedAsRewrites) {
  ModelBuilder b = between({2, 3}, [](ModelBuilder& m) {
    m.node("Transpose", {"r"}, {"t"})
        .node("Cast", {"t"}, {"c"}, {dtype_attr("to", DType::Float)})
        .node("Transpose", {"c"}, {"m"});
  });
  Session s = session_at(b, kBasic);
  EXPECT_EQ(s.stats().optimization.nodes_before, 5);
  EXPECT_EQ(s.stats().optimization.nodes_after, 2);
  std::map<std::string, int> rewrites;
  for (const auto& [pass, count] : s.stats().optimization.rewrites) rewrites[pass] = count;
  EXPECT_EQ(rewrites["eliminate_noops"], 1);
  EXPECT_EQ(rewrites["merge_transposes_reshapes"], 1);
  EXPECT_EQ(ops_of(session_at(b, OptimizationLevel::None)),
            "Relu,Transpose,Cast,Transpose,Sigmoid");
}

}  // namespace
}  // namespace onyx
