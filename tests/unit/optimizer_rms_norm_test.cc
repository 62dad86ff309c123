// The RMSNorm fusion (graph/passes/fuse_rms_norm.cc): each decomposition exporters write
// becomes one RMSNormalization whose outputs equal the graph's as written; patterns that
// must stay as they are; and RMSNormalization's fast path against its reference kernel
// and against values derived by hand.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "fast_check.h"
#include "onyx/fused_ops.h"
#include "optimizer_models.h"

namespace onyx {
namespace {

using test::attr_of;
using test::expect_same_outputs;
using test::ints_attr;
using test::ModelBuilder;
using test::ops_of;
using test::session_at;

enum class Square { Pow, Mul };
enum class Divide { Div, Reciprocal, OneOver };

struct RmsForm {
  Square square = Square::Pow;
  Divide divide = Divide::Reciprocal;
  bool scaled = true;
  bool x_read_elsewhere = true;  // the residual stream goes on past the norm
  int64_t opset = 13;
  int64_t scale_length = 32;
};

Tensor scalar(float v) { return Tensor::from_vector<float>({}, {v}); }

// RMSNorm of x (2, 6, 32) as LLaMA's and T5's exports write it; y is the output.
ModelBuilder decomposed_rms_norm(const RmsForm& f = {}) {
  ModelBuilder b(f.opset);
  b.input("x", test::random_floats({2, 6, 32}, 5, -3.0f, 3.0f))
      .constant("two", scalar(2.0f))
      .constant("eps", scalar(1e-6f))
      .constant("one", scalar(1.0f))
      .constant("weight", test::random_floats({f.scale_length}, 2, 0.5f, 1.5f));
  if (f.square == Square::Pow)
    b.node("Pow", {"x", "two"}, {"sq"});
  else
    b.node("Mul", {"x", "x"}, {"sq"});
  if (f.opset >= 18) {
    b.constant("axes", Tensor::from_vector<int64_t>({1}, {-1}));
    b.node("ReduceMean", {"sq", "axes"}, {"v"});
  } else {
    b.node("ReduceMean", {"sq"}, {"v"}, {ints_attr("axes", {-1})});
  }
  b.node("Add", {"v", "eps"}, {"ve"}).node("Sqrt", {"ve"}, {"r"});
  const std::string normalized = f.scaled ? "n" : "y";
  switch (f.divide) {
    case Divide::Div:
      b.node("Div", {"x", "r"}, {normalized});
      break;
    case Divide::Reciprocal:
      b.node("Reciprocal", {"r"}, {"inv"}).node("Mul", {"x", "inv"}, {normalized});
      break;
    case Divide::OneOver:
      b.node("Div", {"one", "r"}, {"inv"}).node("Mul", {"inv", "x"}, {normalized});
      break;
  }
  if (f.scaled) b.node("Mul", {"weight", "n"}, {"y"});
  b.output("y");
  if (f.x_read_elsewhere) b.node("Add", {"x", "y"}, {"residual"}).output("residual");
  return b;
}

TEST(FuseRmsNorm, EveryExportedFormBecomesOneRMSNormalization) {
  for (Square square : {Square::Pow, Square::Mul})
    for (Divide divide : {Divide::Div, Divide::Reciprocal, Divide::OneOver})
      for (int64_t opset : {13, 18}) {
        SCOPED_TRACE("square " + std::to_string(static_cast<int>(square)) + ", divide " +
                     std::to_string(static_cast<int>(divide)) + ", opset " + std::to_string(opset));
        RmsForm form;
        form.square = square;
        form.divide = divide;
        form.opset = opset;
        const ModelBuilder b = decomposed_rms_norm(form);
        Session s = session_at(b, OptimizationLevel::All);
        ASSERT_EQ(ops_of(s), "RMSNormalization,Add");
        const Node& norm = s.model().graph.nodes[0];
        EXPECT_EQ(norm.domain, fused::kDomain);
        EXPECT_EQ(attr_of(norm, "axis").i, -1);
        EXPECT_EQ(attr_of(norm, "epsilon").f, 1e-6f);
        ASSERT_EQ(norm.inputs.size(), 2u);
        EXPECT_EQ(s.model().graph.value(norm.inputs[1]).name, "weight");
        expect_same_outputs(b, OptimizationLevel::All);
      }
}

TEST(FuseRmsNorm, WithoutAScaleTheScaleIsOnes) {
  RmsForm form;
  form.scaled = false;
  form.x_read_elsewhere = false;
  const ModelBuilder b = decomposed_rms_norm(form);
  EXPECT_EQ(ops_of(session_at(b, OptimizationLevel::All)), "RMSNormalization");
  expect_same_outputs(b, OptimizationLevel::All);
}

TEST(FuseRmsNorm, AScaleThatBroadcastsFurtherStaysOutside) {
  RmsForm form;
  form.scale_length = 1;
  const ModelBuilder b = decomposed_rms_norm(form);
  EXPECT_EQ(ops_of(session_at(b, OptimizationLevel::All)), "RMSNormalization,Mul,Add");
  expect_same_outputs(b, OptimizationLevel::All);
}

TEST(FuseRmsNorm, AnIntermediateReadElsewhereIsNotFused) {
  ModelBuilder b = decomposed_rms_norm();
  b.output("r");  // the root is also a graph output
  const std::string ops = ops_of(session_at(b, OptimizationLevel::All));
  EXPECT_EQ(ops.find("RMSNormalization"), std::string::npos) << ops;
  expect_same_outputs(b, OptimizationLevel::All);
}

TEST(FuseRmsNorm, DividingSomethingElseIsNotFused) {
  // z / sqrt(mean(x^2) + eps): the root divides another tensor.
  ModelBuilder b(13);
  b.input("x", test::random_floats({3, 16}, 1))
      .input("z", test::random_floats({3, 16}, 2))
      .constant("two", scalar(2.0f))
      .constant("eps", scalar(1e-6f))
      .node("Pow", {"x", "two"}, {"sq"})
      .node("ReduceMean", {"sq"}, {"v"}, {ints_attr("axes", {-1})})
      .node("Add", {"v", "eps"}, {"ve"})
      .node("Sqrt", {"ve"}, {"r"})
      .node("Div", {"z", "r"}, {"y"})
      .output("y");
  EXPECT_EQ(ops_of(session_at(b, OptimizationLevel::All)), "Pow,ReduceMean,Add,Sqrt,Div");
}

TEST(RMSNormalization, FastPathMatchesReference) {
  for (const Shape& shape : std::vector<Shape>{{1, 1}, {3, 7}, {2, 5, 48}, {4, 1031}, {0, 8}})
    for (const char* domain : {"", fused::kDomain}) {
      const int64_t h = shape.back();
      testing::OpTester t(fused::kRmsNorm, *domain ? fused::kVersion : 23, domain);
      t.input("x", test::random_floats(shape, 9, -4.0f, 4.0f))
          .input("scale", test::random_floats({h}, 10))
          .attr("epsilon", 1e-5f)
          .output("y");
      testing::expect_fast_matches_reference(t, "RMSNormalization " + shape_to_string(shape),
                                             1e-5f);
    }
}

TEST(RMSNormalization, ValuesDerivedByHand) {
  // Row (3, 4): mean of squares 12.5, so y = x / sqrt(12.5 + 0.5) * scale.
  testing::OpTester t(fused::kRmsNorm, 23);
  t.input("x", Tensor::from_vector<float>({1, 2}, {3.0f, 4.0f}))
      .input("scale", Tensor::from_vector<float>({2}, {1.0f, 2.0f}))
      .attr("epsilon", 0.5f)
      .output("y");
  for (bool reference : {false, true}) {
    const Tensor y = t.session(1, reference).run(t.feeds())[0];
    EXPECT_NEAR(y.data<float>()[0], 3.0f / std::sqrt(13.0f), 1e-6f);
    EXPECT_NEAR(y.data<float>()[1], 8.0f / std::sqrt(13.0f), 1e-6f);
  }
}

TEST(RMSNormalization, RejectsABiasInput) {
  testing::OpTester t(fused::kRmsNorm, 23);
  t.input("x", test::random_floats({2, 4}, 1))
      .input("scale", test::random_floats({4}, 2))
      .input("bias", test::random_floats({4}, 3))
      .output("y");
  EXPECT_NE(testing::error_of([&] { t.run(); }).find("inputs X and Scale"), std::string::npos);
}

}  // namespace
}  // namespace onyx
