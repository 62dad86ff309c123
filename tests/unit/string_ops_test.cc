// One-node tests of StringConcat, StringSplit and RegexFullMatch (opset 20) for cases the
// ONNX backend data misses. Expected values are worked out by hand in the comments, following
// Python's str.split and RE2's full-match rules that the spec and its reference name.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "onyx/onyx.h"
#include "op_tester.h"

namespace onyx {
namespace {

using testing::error_of;
using testing::mentions;
using testing::OpTester;

using Strings = std::vector<std::string>;
using Bools = std::vector<bool>;
using Ints = std::vector<int64_t>;

Tensor strings(Shape shape, Strings values) {
  return Tensor::from_vector<std::string>(std::move(shape), values);
}

// ---- StringConcat ----

TEST(StringConcat, BroadcastsRowAgainstColumn) {
  // X [2, 1] + Y [3]: Z[i][j] = X[i] + Y[j], shape [2, 3].
  OpTester t("StringConcat", 20);
  t.input("X", strings({2, 1}, {"a", "bc"})).input("Y", strings({3}, {"1", "", "xyz"}));
  t.output("Z");
  Tensor z = t.run()[0];
  EXPECT_EQ(z.shape(), (Shape{2, 3}));
  EXPECT_EQ(z.to_vector<std::string>(), (Strings{"a1", "a", "axyz", "bc1", "bc", "bcxyz"}));
}

TEST(StringConcat, EmptyStringsAndUtf8) {
  // Concatenation joins bytes: "" + "" = "", and multi-byte characters pass unchanged.
  OpTester t("StringConcat", 20);
  t.input("X", strings({3}, {"", "", "caf"})).input("Y", strings({3}, {"", "b", "\xC3\xA9"}));
  t.output("Z");
  EXPECT_EQ(t.run()[0].to_vector<std::string>(), (Strings{"", "b", "caf\xC3\xA9"}));
}

TEST(StringConcat, RankZeroAndEmptyTensor) {
  // A scalar broadcasts against [0]: the output is [0].
  OpTester t("StringConcat", 20);
  t.input("X", strings({}, {"s"})).input("Y", strings({0}, {})).output("Z");
  Tensor z = t.run()[0];
  EXPECT_EQ(z.shape(), (Shape{0}));
  // Two scalars give a scalar.
  OpTester s("StringConcat", 20);
  s.input("X", strings({}, {"ab"})).input("Y", strings({}, {"cd"})).output("Z");
  Tensor w = s.run()[0];
  EXPECT_EQ(w.shape(), (Shape{}));
  EXPECT_EQ(w.to_vector<std::string>(), (Strings{"abcd"}));
}

TEST(StringConcat, MismatchedShapesFailNamingTheOp) {
  OpTester t("StringConcat", 20);
  t.input("X", strings({2}, {"a", "b"})).input("Y", strings({3}, {"a", "b", "c"})).output("Z");
  std::string error = error_of([&] { t.run(); });
  EXPECT_TRUE(mentions(error, "StringConcat")) << error;
}

// ---- StringSplit ----

struct SplitResult {
  Tensor y, z;
};

SplitResult split(const Tensor& x, const std::string* delimiter, const int64_t* maxsplit) {
  OpTester t("StringSplit", 20);
  t.input("X", x).output("Y").output("Z");
  if (delimiter) t.attr("delimiter", *delimiter);
  if (maxsplit) t.attr("maxsplit", *maxsplit);
  std::vector<Tensor> out = t.run();
  return {out[0], out[1]};
}

TEST(StringSplit, WithDelimiterPadsToTheLongest) {
  // "a,b,c" -> 3 pieces; "d" -> 1 piece, padded with two "".
  std::string comma = ",";
  SplitResult r = split(strings({2}, {"a,b,c", "d"}), &comma, nullptr);
  EXPECT_EQ(r.y.shape(), (Shape{2, 3}));
  EXPECT_EQ(r.y.to_vector<std::string>(), (Strings{"a", "b", "c", "d", "", ""}));
  EXPECT_EQ(r.z.to_vector<int64_t>(), (Ints{3, 1}));
}

TEST(StringSplit, ConsecutiveAndEdgeDelimitersDelimitEmptyStrings) {
  // ",a,,b," -> "", "a", "", "b", "" (5); "" -> one empty piece (1).
  std::string comma = ",";
  SplitResult r = split(strings({2}, {",a,,b,", ""}), &comma, nullptr);
  EXPECT_EQ(r.y.shape(), (Shape{2, 5}));
  EXPECT_EQ(r.y.to_vector<std::string>(), (Strings{"", "a", "", "b", "", "", "", "", "", ""}));
  EXPECT_EQ(r.z.to_vector<int64_t>(), (Ints{5, 1}));
}

TEST(StringSplit, MultiCharacterDelimiter) {
  // "1<>2<>>3" on "<>": "1", "2", ">3".
  std::string delim = "<>";
  SplitResult r = split(strings({1}, {"1<>2<>>3"}), &delim, nullptr);
  EXPECT_EQ(r.y.to_vector<std::string>(), (Strings{"1", "2", ">3"}));
  EXPECT_EQ(r.z.to_vector<int64_t>(), (Ints{3}));
}

TEST(StringSplit, WhitespaceRunsWithoutDelimiter) {
  // "  a \t b\n" -> "a", "b"; "   " and "" -> nothing; absent and "" delimiter agree.
  Tensor x = strings({3}, {"  a \t b\n", "   ", ""});
  const std::string empty;
  for (const std::string* delimiter : {static_cast<const std::string*>(nullptr), &empty}) {
    SplitResult r = split(x, delimiter, nullptr);
    EXPECT_EQ(r.y.shape(), (Shape{3, 2}));
    EXPECT_EQ(r.y.to_vector<std::string>(), (Strings{"a", "b", "", "", "", ""}));
    EXPECT_EQ(r.z.to_vector<int64_t>(), (Ints{2, 0, 0}));
  }
}

TEST(StringSplit, UnicodeWhitespaceSplits) {
  // U+3000 (ideographic space) and U+00A0 (no-break space) are whitespace to str.split().
  SplitResult r = split(strings({1}, {"x\xE3\x80\x80y\xC2\xA0z"}), nullptr, nullptr);
  EXPECT_EQ(r.y.to_vector<std::string>(), (Strings{"x", "y", "z"}));
}

TEST(StringSplit, MaxsplitKeepsTheRest) {
  // With ",": "a,b,c,d" maxsplit 2 -> "a", "b", "c,d".
  std::string comma = ",";
  int64_t two = 2;
  SplitResult r = split(strings({1}, {"a,b,c,d"}), &comma, &two);
  EXPECT_EQ(r.y.to_vector<std::string>(), (Strings{"a", "b", "c,d"}));
  // Whitespace, maxsplit 1: " a  b c " -> "a", "b c " (the rest loses only leading space).
  int64_t one = 1;
  r = split(strings({1}, {" a  b c "}), nullptr, &one);
  EXPECT_EQ(r.y.to_vector<std::string>(), (Strings{"a", "b c "}));
  // maxsplit 0 splits nothing: " a b" -> "a b" (whitespace mode still drops the lead).
  int64_t zero = 0;
  r = split(strings({2}, {" a b", "x,y"}), nullptr, &zero);
  EXPECT_EQ(r.y.to_vector<std::string>(), (Strings{"a b", "x,y"}));
  EXPECT_EQ(r.z.to_vector<int64_t>(), (Ints{1, 1}));
}

TEST(StringSplit, RankZeroInput) {
  // A scalar gives Y of shape [count] and Z of shape [].
  std::string dash = "-";
  SplitResult r = split(strings({}, {"p-q"}), &dash, nullptr);
  EXPECT_EQ(r.y.shape(), (Shape{2}));
  EXPECT_EQ(r.y.to_vector<std::string>(), (Strings{"p", "q"}));
  EXPECT_EQ(r.z.shape(), (Shape{}));
  EXPECT_EQ(r.z.to_vector<int64_t>(), (Ints{2}));
}

TEST(StringSplit, EmptyInputTensor) {
  // X [2, 0]: Y [2, 0, 0], Z [2, 0].
  SplitResult r = split(strings({2, 0}, {}), nullptr, nullptr);
  EXPECT_EQ(r.y.shape(), (Shape{2, 0, 0}));
  EXPECT_EQ(r.z.shape(), (Shape{2, 0}));
}

// ---- RegexFullMatch ----

Tensor full_match(const std::string& pattern, const Tensor& x) {
  OpTester t("RegexFullMatch", 20);
  t.input("X", x).attr("pattern", pattern).output("Y");
  return t.run()[0];
}

TEST(RegexFullMatch, WholeStringOnly) {
  // "b+" matches "bbb" whole, but only part of "abbb" and "bbbc"; nothing of "".
  Tensor y = full_match("b+", strings({2, 2}, {"bbb", "abbb", "bbbc", ""}));
  EXPECT_EQ(y.dtype(), DType::Bool);
  EXPECT_EQ(y.shape(), (Shape{2, 2}));
  EXPECT_EQ(y.to_vector<bool>(), (Bools{true, false, false, false}));
}

TEST(RegexFullMatch, Re2SyntaxAndUtf8) {
  // \d{3}-\d{4} and a character class over a two-byte UTF-8 character (é is one char).
  EXPECT_EQ(full_match(R"(\d{3}-\d{4})", strings({2}, {"555-1234", "55-51234"})).to_vector<bool>(),
            (Bools{true, false}));
  EXPECT_EQ(full_match("caf.", strings({1}, {"caf\xC3\xA9"})).to_vector<bool>(), (Bools{true}));
}

TEST(RegexFullMatch, RankZeroAndEmptyInput) {
  Tensor y = full_match("a*", strings({}, {""}));
  EXPECT_EQ(y.shape(), (Shape{}));
  EXPECT_EQ(y.to_vector<bool>(), (Bools{true}));
  EXPECT_EQ(full_match("a*", strings({0}, {})).shape(), (Shape{0}));
}

TEST(RegexFullMatch, InvalidPatternFailsNamingTheOp) {
  OpTester t("RegexFullMatch", 20);
  t.input("X", strings({1}, {"a"})).attr("pattern", "(unclosed").output("Y");
  std::string error = error_of([&] { t.run(); });
  EXPECT_TRUE(mentions(error, "RegexFullMatch")) << error;
  EXPECT_TRUE(mentions(error, "pattern")) << error;
}

TEST(RegexFullMatch, MissingPatternFails) {
  OpTester t("RegexFullMatch", 20);
  t.input("X", strings({1}, {"a"})).output("Y");
  std::string error = error_of([&] { t.run(); });
  EXPECT_TRUE(mentions(error, "RegexFullMatch")) << error;
  EXPECT_TRUE(mentions(error, "'pattern' is required")) << error;
}

}  // namespace
}  // namespace onyx
