// One-node tests of the text operators (StringNormalizer, TfIdfVectorizer) for cases the ONNX
// backend data misses, and of string tensors passing through the data-movement, selection,
// comparison and cast operators. Expected values are worked out by hand in the comments.
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "onyx/onyx.h"
#include "onyx/shape_inference.h"
#include "op_tester.h"

namespace onyx {
namespace {

using testing::error_of;
using testing::floats;
using testing::ints;
using testing::mentions;
using testing::OpTester;

using Strings = std::vector<std::string>;

Tensor strings(Shape shape, Strings values) {
  return Tensor::from_vector<std::string>(std::move(shape), values);
}
Tensor strings(Strings values) {
  Shape shape{static_cast<int64_t>(values.size())};
  return strings(shape, std::move(values));
}
Tensor bools(Shape shape, std::vector<bool> values) {
  return Tensor::from_vector<bool>(std::move(shape), values);
}

// A one-node model built the way OpTester builds one, but taking any attribute: OpTester has
// no string-list attributes (stopwords, pool_strings). The output is declared with the type
// inference gives it, as an exporter would.
class NodeModel {
 public:
  NodeModel(std::string op, int64_t opset) {
    node_.op_type = std::move(op);
    node_.name = node_.op_type + "_under_test";
    node_.opset = static_cast<int>(opset);
    model_.ir_version = 8;
    model_.opset_imports.push_back({"", opset});
    model_.graph.name = "text_test";
  }
  NodeModel& input(const std::string& name, const Tensor& value) {
    int id = model_.graph.intern(name);
    model_.graph.value(id).type = TypeInfo::tensor_of(value.dtype(), value.shape());
    model_.graph.inputs.push_back(id);
    node_.inputs.push_back(id);
    feeds_[name] = value;
    return *this;
  }
  template <class V>
  NodeModel& attr(const std::string& name, V value) {
    Attribute a;
    a.name = name;
    if constexpr (std::is_same_v<V, int64_t>) {
      a.type = AttrType::Int;
      a.i = value;
    } else if constexpr (std::is_same_v<V, std::string>) {
      a.type = AttrType::String;
      a.s = value;
    } else if constexpr (std::is_same_v<V, std::vector<int64_t>>) {
      a.type = AttrType::Ints;
      a.ints = value;
    } else if constexpr (std::is_same_v<V, std::vector<float>>) {
      a.type = AttrType::Floats;
      a.floats = value;
    } else {
      static_assert(std::is_same_v<V, Strings>);
      a.type = AttrType::Strings;
      a.strings = value;
    }
    node_.attributes.push_back(std::move(a));
    return *this;
  }

  // The model, with input 0 declared as `x_type` when given.
  Model model(const TypeInfo* x_type = nullptr) const {
    Model m = model_;
    if (x_type) m.graph.value(m.graph.inputs[0]).type = *x_type;
    Node node = node_;
    int y = m.graph.intern("y");
    node.outputs.push_back(y);
    m.graph.outputs.push_back(y);
    m.graph.nodes.push_back(node);
    const Registry& r = builtin_registry();
    InferenceResult res = infer_shapes(m.graph, [&r](const Node& n) { return r.shape_rule(n); });
    m.graph.value(y).type = res.types[y];
    return m;
  }
  Tensor run() const {
    return Session(builtin_registry(), model(), SessionOptions{1, true}).run(feeds_)[0];
  }
  // The inferred type of the output when input 0 is declared as `x_type`.
  std::string inferred(const TypeInfo& x_type) const {
    Model m = model(&x_type);
    return m.graph.value(m.graph.outputs[0]).type.to_string();
  }

 private:
  Model model_;
  Node node_;
  std::map<std::string, Tensor> feeds_;
};

// ---- StringNormalizer ----

Tensor normalize(const Tensor& x, const std::string& action, int64_t case_sensitive = 0,
                 Strings stopwords = {}) {
  NodeModel t("StringNormalizer", 10);
  t.input("x", x)
      .attr("case_change_action", action)
      .attr("is_case_sensitive", case_sensitive)
      .attr("locale", std::string("en_US"));
  if (!stopwords.empty()) t.attr("stopwords", stopwords);
  return t.run();
}

std::string lower(const std::string& s) {
  return normalize(strings({s}), "LOWER").to_vector<std::string>()[0];
}
std::string upper(const std::string& s) {
  return normalize(strings({s}), "UPPER").to_vector<std::string>()[0];
}

TEST(StringNormalizer, CaseMappingAcrossScripts) {
  // Latin-1 Supplement, Greek and Cyrillic capitals sit 0x20 below their small letters.
  EXPECT_EQ(lower("ÀÉÎ"), "àéî");
  EXPECT_EQ(upper("àéî"), "ÀÉÎ");
  EXPECT_EQ(lower("ΑΒΓ"), "αβγ");
  EXPECT_EQ(upper("αβγ"), "ΑΒΓ");
  EXPECT_EQ(lower("ДОМ"), "дом");
  EXPECT_EQ(upper("дом"), "ДОМ");
  // Whole alphabets, ASCII mixed in.
  EXPECT_EQ(lower("Hello ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝÞ"), "hello àáâãäåæçèéêëìíîïðñòóôõöøùúûüýþ");
  EXPECT_EQ(upper("абвгдеёжзийклмнопрстуфхцчшщъыьэюя"), "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ");
  EXPECT_EQ(lower("ΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨΩ"), "αβγδεζηθικλμνξοπρστυφχψω");
  // Ѐ-Џ map 0x50 up (Ѐ U+0400 -> ѐ U+0450); Greek tonos letters have irregular offsets.
  EXPECT_EQ(lower("ЁЂЏ"), "ёђџ");
  EXPECT_EQ(upper("άέήίόύώ"), "ΆΈΉΊΌΎΏ");
  // Latin Extended-A alternates capital, small: Ā ā Ă ă ... and from Ĺ on the odd ones lead.
  EXPECT_EQ(lower("ĀĂĄĆČĎĐĒĘĚĞĠĦĪĮĲĴĶĹĻĽĿŁŃŅŇŊŌŐŒŔŘŚŞŠŢŤŦŨŪŮŰŲŴŶŹŻŽ"),
            "āăąćčďđēęěğġħīįĳĵķĺļľŀłńņňŋōőœŕřśşšţťŧũūůűųŵŷźżž");
  EXPECT_EQ(upper("āăąćčďđēęěğġħīįĳĵķĺļľŀłńņňŋōőœŕřśşšţťŧũūůűųŵŷźżž"),
            "ĀĂĄĆČĎĐĒĘĚĞĠĦĪĮĲĴĶĹĻĽĿŁŃŅŇŊŌŐŒŔŘŚŞŠŢŤŦŨŪŮŰŲŴŶŹŻŽ");
  // ÿ (Latin-1) pairs with Ÿ (Latin Extended-A).
  EXPECT_EQ(upper("ÿ"), "Ÿ");
  EXPECT_EQ(lower("Ÿ"), "ÿ");
}

TEST(StringNormalizer, OneWayAndUnmappedCharacters) {
  // Final sigma upper-cases to Σ, which lower-cases to σ; ı and ſ upper-case to ASCII.
  EXPECT_EQ(upper("ὁδός"), "ὁΔΌΣ");  // ὁ (U+1F41, Greek Extended) is outside the table
  EXPECT_EQ(lower("ΣΟΦΟΣ"), "σοφοσ");
  EXPECT_EQ(upper("ıſ"), "IS");
  EXPECT_EQ(lower("İ"), "i");
  // ß has no one-letter capital in the simple mapping; ×, ÷, CJK and emoji have no case.
  EXPECT_EQ(upper("straße"), "STRAßE");
  EXPECT_EQ(upper("×÷日本😀"), "×÷日本😀");
  EXPECT_EQ(lower("×÷日本😀"), "×÷日本😀");
  // NONE keeps the text as it is.
  EXPECT_EQ(normalize(strings({"MiXeD"}), "NONE").to_vector<std::string>(), Strings{"MiXeD"});
}

TEST(StringNormalizer, StopwordsIgnoreCaseBeyondAscii) {
  const std::string odos_sigma = "\u03BF\u03B4\u03BF\u03C3";  // οδοσ, with σ
  const std::string odos_final = "\u03BF\u03B4\u03BF\u03C2";  // οδος, with final ς
  Tensor x = strings({"été", "Été", "ÉTÉ", "дом", "ДОМ", "Дом", odos_sigma, "ΟΔΟΣ", "home"});
  Strings stop = {"ÉTÉ", "дом", odos_final};
  // Case-insensitive: every spelling of the three words goes (σ, ς and Σ fold together).
  EXPECT_EQ(normalize(x, "NONE", 0, stop).to_vector<std::string>(), Strings{"home"});
  // Case-sensitive: only the exact spellings "ÉTÉ" and "дом" go; the final ς matches nothing.
  EXPECT_EQ(normalize(x, "UPPER", 1, stop).to_vector<std::string>(),
            (Strings{"ÉTÉ", "ÉTÉ", "ДОМ", "ДОМ", "ΟΔΟΣ", "ΟΔΟΣ", "HOME"}));
}

TEST(StringNormalizer, AllRemovedAndEmptyShapes) {
  // Everything dropped: one empty string, [1] for a [C] input and [1, 1] for [1, C].
  Tensor a = normalize(strings({"Mon", "MON"}), "LOWER", 0, {"mon"});
  EXPECT_EQ(a.shape(), Shape{1});
  EXPECT_EQ(a.to_vector<std::string>(), Strings{""});
  Tensor b = normalize(strings({1, 3}, {"mon", "Mon", "mon"}), "NONE", 0, {"MON"});
  EXPECT_EQ(b.shape(), (Shape{1, 1}));
  EXPECT_EQ(b.to_vector<std::string>(), Strings{""});
  // [1, C] keeps its leading 1: [1, 3] with one stopword is [1, 2].
  Tensor c = normalize(strings({1, 3}, {"a", "b", "c"}), "UPPER", 1, {"b"});
  EXPECT_EQ(c.shape(), (Shape{1, 2}));
  EXPECT_EQ(c.to_vector<std::string>(), (Strings{"A", "C"}));
  // An empty input drops nothing and stays empty.
  EXPECT_EQ(normalize(strings({}), "LOWER", 0, {"x"}).shape(), Shape{0});
}

TEST(StringNormalizer, InvalidUtf8IsAnError) {
  // Truncated sequence, overlong '/', UTF-16 surrogate, stray continuation byte, 0xFF.
  for (std::string bad : {"ok\xC3", "\xC0\xAF", "\xED\xA0\x80", "a\x80", "\xFF"}) {
    std::string e = error_of([&] { normalize(strings({"fine", bad}), "LOWER"); });
    EXPECT_TRUE(mentions(e, "input element 1 is not valid UTF-8")) << e;
  }
  // Even without a case change, since stopwords compare case-folded text.
  EXPECT_TRUE(mentions(error_of([] { normalize(strings({"\xC3("}), "NONE"); }), "not valid UTF-8"));
  EXPECT_TRUE(
      mentions(error_of([] { normalize(strings({"a"}), "NONE", 0, {"\xE2\x82"}); }), "stopword"));
}

TEST(StringNormalizer, RejectsBadShapesAndAttributes) {
  EXPECT_TRUE(mentions(error_of([] {
                         normalize(strings({2, 2}, {"a", "b", "c", "d"}), "NONE");
                       }),
                       "[C] or [1, C]"));
  EXPECT_TRUE(mentions(error_of([] { normalize(strings({"a"}), "lower"); }),
                       "must be LOWER, UPPER or NONE"));
  EXPECT_TRUE(mentions(error_of([] { normalize(strings({"a"}), "NONE", 2); }), "0 or 1"));
  OpTester t("StringNormalizer", 10);
  t.input("x", ints({2}, {1, 2})).output("y");
  const std::string e = error_of([&] { t.run(); });
  EXPECT_TRUE(mentions(e, "StringNormalizer")) << e;
  EXPECT_TRUE(mentions(e, "must be a string tensor, got int64")) << e;
}

TEST(StringNormalizer, ShapeRule) {
  NodeModel t("StringNormalizer", 10);
  t.input("x", strings({1, 2}, {"a", "b"}));
  TypeInfo batch =
      TypeInfo::tensor(DType::String, std::vector<Dim>{Dim::known(1), Dim::symbol("C")});
  // Without stopwords nothing is dropped, so C stays; with them the count is unknown.
  EXPECT_EQ(t.inferred(batch), "string[1, C]");
  t.attr("stopwords", Strings{"a"});
  EXPECT_EQ(t.inferred(batch), "string[1, ?]");
}

// ---- TfIdfVectorizer ----

struct TfIdf {
  std::string mode = "TF";
  int64_t min = 1, max = 2, skip = 1;
  // Unigrams 1 and 3, then bigrams [1 2], [2 3], [3 3].
  std::vector<int64_t> counts = {0, 2};
  std::vector<int64_t> pool = {1, 3, 1, 2, 2, 3, 3, 3};
  std::vector<int64_t> indexes = {0, 1, 2, 3, 4};
  std::vector<float> weights;

  NodeModel tester(const Tensor& x) const {
    NodeModel t("TfIdfVectorizer", 9);
    t.input("x", x)
        .attr("mode", mode)
        .attr("min_gram_length", min)
        .attr("max_gram_length", max)
        .attr("max_skip_count", skip)
        .attr("ngram_counts", counts)
        .attr("ngram_indexes", indexes);
    if (!pool.empty()) t.attr("pool_int64s", pool);
    if (!weights.empty()) t.attr("weights", weights);
    return t;
  }
  Tensor run(const Tensor& x) const { return tester(x).run(); }
  std::vector<float> values(const Tensor& x) const { return run(x).to_vector<float>(); }
};

// X = 1 2 3 1 2 2. Unigrams: 1 twice, 3 once. Adjacent pairs (gap 1): 12 23 31 12 22, so
// [1 2] x2, [2 3] x1. Gap 2 pairs (i, i+2): 13 21 32 12, so [1 2] x1. Gap 3: 11 22 32, none.
// Gap 4: 12 22, [1 2] x1. Gap 5: 12, [1 2] x1. [3 3] never occurs.
const Tensor kX = ints({6}, {1, 2, 3, 1, 2, 2});

TEST(TfIdfVectorizer, SkipGramCounts) {
  TfIdf p;
  p.skip = 0;
  EXPECT_EQ(p.values(kX), (std::vector<float>{2, 1, 2, 1, 0}));
  p.skip = 1;
  EXPECT_EQ(p.values(kX), (std::vector<float>{2, 1, 3, 1, 0}));
  p.skip = 5;  // gaps 1..6: [1 2] = 2 + 1 + 0 + 1 + 1
  EXPECT_EQ(p.values(kX), (std::vector<float>{2, 1, 5, 1, 0}));
  p.skip = 1000;  // gaps past the row change nothing
  EXPECT_EQ(p.values(kX), (std::vector<float>{2, 1, 5, 1, 0}));
  // Unigrams are counted once, not once per gap; bigrams only: unigram slots stay 0.
  p.skip = 1;
  p.min = 2;
  EXPECT_EQ(p.values(kX), (std::vector<float>{0, 0, 3, 1, 0}));
  // Unigrams only.
  p.min = 1;
  p.max = 1;
  EXPECT_EQ(p.values(kX), (std::vector<float>{2, 1, 0, 0, 0}));
  // The same counts from int32 input.
  p.max = 2;
  Tensor x32 = Tensor::from_vector<int32_t>({6}, {1, 2, 3, 1, 2, 2});
  EXPECT_EQ(p.values(x32), (std::vector<float>{2, 1, 3, 1, 0}));
}

TEST(TfIdfVectorizer, TrigramWithGap) {
  // Only 3-grams: the 1- and 2-gram sections are empty. In 1 9 2 9 3, [1 2 3] appears with
  // gap 2 (positions 0, 2, 4) only.
  TfIdf p;
  p.min = p.max = 3;
  p.counts = {0, 0, 0};
  p.pool = {1, 2, 3};
  p.indexes = {0};
  Tensor x = ints({5}, {1, 9, 2, 9, 3});
  p.skip = 0;
  EXPECT_EQ(p.values(x), std::vector<float>{0});
  p.skip = 1;
  EXPECT_EQ(p.values(x), std::vector<float>{1});
}

TEST(TfIdfVectorizer, Modes) {
  // Counts with skip 1 are [2, 1, 3, 1, 0] (see SkipGramCounts).
  TfIdf p;
  p.mode = "IDF";  // 1 where the n-gram occurs
  EXPECT_EQ(p.values(kX), (std::vector<float>{1, 1, 1, 1, 0}));
  p.weights = {0.5f, 2, 0.25f, 4, 8};  // weight where it occurs
  EXPECT_EQ(p.values(kX), (std::vector<float>{0.5f, 2, 0.25f, 4, 0}));
  p.mode = "TFIDF";  // weight * count: 0.5*2, 2*1, 0.25*3, 4*1, 8*0
  EXPECT_EQ(p.values(kX), (std::vector<float>{1, 2, 0.75f, 4, 0}));
  p.weights.clear();  // counts as they are
  EXPECT_EQ(p.values(kX), (std::vector<float>{2, 1, 3, 1, 0}));
  p.mode = "TF";  // weights do not apply to TF
  p.weights = {0.5f, 2, 0.25f, 4, 8};
  EXPECT_EQ(p.values(kX), (std::vector<float>{2, 1, 3, 1, 0}));
}

TEST(TfIdfVectorizer, IndexesPermuteAndShareCoordinates) {
  // Pool n-gram i goes to coordinate indexes[i] and keeps its own weight (spec text).
  TfIdf p;
  p.mode = "TFIDF";
  p.weights = {0.5f, 2, 0.25f, 4, 8};
  p.indexes = {4, 3, 2, 1, 0};
  EXPECT_EQ(p.values(kX), (std::vector<float>{0, 4, 0.75f, 2, 1}));
  // Two n-grams on one coordinate add up; the output is max(indexes) + 1 = 6 long.
  p.mode = "TF";
  p.weights.clear();
  p.indexes = {5, 5, 0, 1, 2};
  EXPECT_EQ(p.values(kX), (std::vector<float>{3, 1, 0, 0, 0, 3}));
}

TEST(TfIdfVectorizer, BatchAndEmptyRows) {
  // Rows 1 2 3 and 3 3 1, adjacent pairs only. Row 0: 1, 3, [1 2], [2 3]. Row 1: 1, 3 twice,
  // [3 3].
  TfIdf p;
  p.skip = 0;
  Tensor y = p.run(ints({2, 3}, {1, 2, 3, 3, 3, 1}));
  EXPECT_EQ(y.shape(), (Shape{2, 5}));
  EXPECT_EQ(y.to_vector<float>(), (std::vector<float>{1, 1, 1, 1, 0, 1, 2, 0, 0, 1}));
  EXPECT_EQ(p.run(ints({2, 0}, {})).to_vector<float>(), std::vector<float>(10, 0.0f));
  EXPECT_EQ(p.run(ints({0}, {})).to_vector<float>(), std::vector<float>(5, 0.0f));
}

TEST(TfIdfVectorizer, StringPool) {
  // Unigrams "hello", "world" and the bigram "hello world". In hello world hello: hello x2,
  // world x1, and the adjacent pairs are (hello world) and (world hello).
  TfIdf p;
  p.pool.clear();
  p.indexes = {0, 1, 2};
  p.skip = 0;
  NodeModel t = p.tester(strings({"hello", "world", "hello"}));
  t.attr("pool_strings", Strings{"hello", "world", "hello", "world"});
  EXPECT_EQ(t.run().to_vector<float>(), (std::vector<float>{2, 1, 1}));
  // A string pool cannot match numbers, nor an int pool strings.
  NodeModel wrong = p.tester(ints({2}, {1, 2}));
  wrong.attr("pool_strings", Strings{"a", "b", "a", "b"});
  EXPECT_TRUE(mentions(error_of([&] { wrong.run(); }), "cannot match a int64 input"));
  TfIdf q;
  EXPECT_TRUE(mentions(error_of([&] { q.run(strings({"a"})); }), "cannot match a string input"));
}

TEST(TfIdfVectorizer, RejectsBadAttributesAndShapes) {
  auto error_for = [](const std::function<void(TfIdf&)>& change) {
    TfIdf p;
    change(p);
    return error_of([&] { p.run(kX); });
  };
  EXPECT_TRUE(mentions(error_for([](TfIdf& p) { p.mode = "BM25"; }), "TF, IDF or TFIDF"));
  EXPECT_TRUE(mentions(error_for([](TfIdf& p) { p.min = 0; }), "min_gram_length"));
  EXPECT_TRUE(mentions(error_for([](TfIdf& p) { p.max = 0; }), "min_gram_length"));
  EXPECT_TRUE(mentions(error_for([](TfIdf& p) { p.skip = -1; }), "max_skip_count"));
  EXPECT_TRUE(mentions(error_for([](TfIdf& p) { p.pool.clear(); }), "exactly one"));
  // 7 bigram items are not a whole number of bigrams.
  EXPECT_TRUE(mentions(error_for([](TfIdf& p) { p.pool.push_back(9); }), "not a multiple of 2"));
  EXPECT_TRUE(mentions(error_for([](TfIdf& p) { p.counts = {0, 9}; }), "non-decreasing"));
  EXPECT_TRUE(mentions(error_for([](TfIdf& p) { p.counts = {1, 2}; }), "start with 0"));
  EXPECT_TRUE(mentions(error_for([](TfIdf& p) { p.indexes = {0, 1}; }), "2 entries for 5"));
  EXPECT_TRUE(mentions(error_for([](TfIdf& p) { p.indexes = {0, 1, 2, 3, -1}; }), "invalid"));
  EXPECT_TRUE(mentions(error_for([](TfIdf& p) { p.weights = {1}; }), "'weights' has 1"));
  TfIdf p;
  EXPECT_TRUE(mentions(error_of([&] { p.run(ints({1, 1, 2}, {1, 2})); }), "[C] or [N, C]"));
}

TEST(TfIdfVectorizer, ShapeRule) {
  TfIdf p;
  NodeModel t = p.tester(ints({2, 3}, {1, 2, 3, 4, 5, 6}));
  TypeInfo batch = TypeInfo::tensor(DType::Int64, std::vector<Dim>{Dim::symbol("N"), Dim{}});
  EXPECT_EQ(t.inferred(batch), "float[N, 5]");
  EXPECT_EQ(t.inferred(TypeInfo::tensor(DType::Int64, std::vector<Dim>{Dim{}})), "float[5]");
}

// ---- string tensors through other operators ----

Tensor run1(OpTester& t) { return t.run()[0]; }

TEST(StringTensors, DataMovement) {
  Tensor x = strings({2, 3}, {"a", "b", "c", "d", "e", "f"});
  {
    OpTester t("Identity", 13);
    t.input("x", x).output("y");
    EXPECT_EQ(run1(t).to_vector<std::string>(), (Strings{"a", "b", "c", "d", "e", "f"}));
  }
  {
    OpTester t("Transpose", 13);  // [[a b c] [d e f]] -> [[a d] [b e] [c f]]
    t.input("x", x).output("y");
    Tensor y = run1(t);
    EXPECT_EQ(y.shape(), (Shape{3, 2}));
    EXPECT_EQ(y.to_vector<std::string>(), (Strings{"a", "d", "b", "e", "c", "f"}));
  }
  {
    OpTester t("Reshape", 14);
    t.input("x", x).constant("s", ints({2}, {3, -1})).output("y");
    EXPECT_EQ(run1(t).shape(), (Shape{3, 2}));
  }
  {
    OpTester t("Concat", 13);  // along axis 1: each row grows by one
    t.input("x", x).input("z", strings({2, 1}, {"g", "h"})).attr("axis", int64_t{1}).output("y");
    EXPECT_EQ(run1(t).to_vector<std::string>(), (Strings{"a", "b", "c", "g", "d", "e", "f", "h"}));
  }
  {
    OpTester t("Gather", 13);  // columns 2 and 0
    t.input("x", x).input("i", ints({2}, {2, 0})).attr("axis", int64_t{1}).output("y");
    EXPECT_EQ(run1(t).to_vector<std::string>(), (Strings{"c", "a", "f", "d"}));
  }
  {
    OpTester t("Unsqueeze", 13);
    t.input("x", x).constant("axes", ints({1}, {0})).output("y");
    Tensor y = run1(t);
    EXPECT_EQ(y.shape(), (Shape{1, 2, 3}));
    OpTester s("Squeeze", 13);
    s.input("x", y).constant("axes", ints({1}, {0})).output("y");
    EXPECT_EQ(run1(s).shape(), (Shape{2, 3}));
  }
  {
    OpTester t("Slice", 13);  // columns 1.. of the last row
    t.input("x", x)
        .constant("starts", ints({2}, {1, 1}))
        .constant("ends", ints({2}, {2, 3}))
        .output("y");
    EXPECT_EQ(run1(t).to_vector<std::string>(), (Strings{"e", "f"}));
  }
  {
    OpTester t("Split", 13);  // columns [0, 1) and [1, 3)
    t.input("x", x).constant("split", ints({2}, {1, 2})).attr("axis", int64_t{1});
    t.output("y0").output("y1");
    std::vector<Tensor> y = t.run();
    EXPECT_EQ(y[0].to_vector<std::string>(), (Strings{"a", "d"}));
    EXPECT_EQ(y[1].to_vector<std::string>(), (Strings{"b", "c", "e", "f"}));
  }
  {
    OpTester t("Tile", 13);
    t.input("x", strings({2}, {"p", "q"})).constant("r", ints({1}, {2})).output("y");
    EXPECT_EQ(run1(t).to_vector<std::string>(), (Strings{"p", "q", "p", "q"}));
  }
  {
    OpTester t("Expand", 13);  // [2, 1] -> [2, 2]
    t.input("x", strings({2, 1}, {"p", "q"})).constant("s", ints({2}, {2, 2})).output("y");
    EXPECT_EQ(run1(t).to_vector<std::string>(), (Strings{"p", "p", "q", "q"}));
  }
  {
    OpTester t("Pad", 13);  // constant mode pads with empty strings
    t.input("x", strings({2}, {"p", "q"})).constant("pads", ints({2}, {1, 0})).output("y");
    EXPECT_EQ(run1(t).to_vector<std::string>(), (Strings{"", "p", "q"}));
  }
  {
    OpTester t("GatherElements", 13);  // per row: row 0 takes column 2, row 1 column 0
    t.input("x", x).input("i", ints({2, 1}, {2, 0})).attr("axis", int64_t{1}).output("y");
    EXPECT_EQ(run1(t).to_vector<std::string>(), (Strings{"c", "d"}));
  }
  {
    OpTester t("ScatterElements", 13);
    t.input("x", x)
        .input("i", ints({1, 1}, {1}))
        .input("u", strings({1, 1}, {"z"}))
        .attr("axis", int64_t{0})
        .output("y");
    // Index 1 along axis 0 at column 0: element [1, 0] becomes "z".
    EXPECT_EQ(run1(t).to_vector<std::string>(), (Strings{"a", "b", "c", "z", "e", "f"}));
  }
}

TEST(StringTensors, SelectionAndComparison) {
  {
    OpTester t("Where", 16);  // X where true, Y (broadcast scalar) where false
    t.input("c", bools({2}, {true, false}))
        .input("x", strings({"x1", "x2"}))
        .input("z", strings({}, {"y"}))
        .output("y");
    EXPECT_EQ(run1(t).to_vector<std::string>(), (Strings{"x1", "y"}));
  }
  {
    OpTester t("Equal", 19);  // strings compare from opset 19
    t.input("a", strings({"a", "b", ""})).input("b", strings({"a", "c", ""})).output("y");
    EXPECT_EQ(run1(t).to_vector<bool>(), (std::vector<bool>{true, false, true}));
  }
  {
    // Sorted distinct values a < b; b first occurs at 0, a at 1; counts 1 and 2.
    OpTester t("Unique", 11);
    t.input("x", strings({"b", "a", "b"}))
        .output("y")
        .output("indices")
        .output("inverse")
        .output("counts");
    std::vector<Tensor> y = t.run();
    EXPECT_EQ(y[0].to_vector<std::string>(), (Strings{"a", "b"}));
    EXPECT_EQ(y[1].to_vector<int64_t>(), (std::vector<int64_t>{1, 0}));
    EXPECT_EQ(y[2].to_vector<int64_t>(), (std::vector<int64_t>{1, 0, 1}));
    EXPECT_EQ(y[3].to_vector<int64_t>(), (std::vector<int64_t>{1, 2}));
  }
  {
    OpTester t("Compress", 11);
    t.input("x", strings({"a", "b", "c"})).input("c", bools({3}, {false, true, true})).output("y");
    EXPECT_EQ(run1(t).to_vector<std::string>(), (Strings{"b", "c"}));
  }
  {
    OpTester t("NonZero", 13);  // an empty string counts as zero
    t.input("x", strings({"a", "", "c"})).output("y");
    EXPECT_EQ(run1(t).to_vector<int64_t>(), (std::vector<int64_t>{0, 2}));
  }
  {
    OpTester t("Size", 13);
    t.input("x", strings({2, 2}, {"a", "b", "c", "d"})).output("y");
    EXPECT_EQ(run1(t).to_vector<int64_t>(), std::vector<int64_t>{4});
  }
}

TEST(StringTensors, GeneratorsAndIndexing) {
  Tensor x = strings({2, 2}, {"a", "b", "c", "d"});
  {
    OpTester t("Trilu", 14);  // upper triangle; the rest becomes the empty string
    t.input("x", x).output("y");
    EXPECT_EQ(run1(t).to_vector<std::string>(), (Strings{"a", "b", "", "d"}));
  }
  {
    OpTester t("OneHot", 11);  // indices 1, 0 over depth 3 with values off/on
    t.input("i", ints({2}, {1, 0}))
        .constant("depth", Tensor::scalar<int64_t>(3))
        .input("v", strings({"off", "on"}))
        .output("y");
    Tensor y = run1(t);
    EXPECT_EQ(y.shape(), (Shape{2, 3}));
    EXPECT_EQ(y.to_vector<std::string>(), (Strings{"off", "on", "off", "on", "off", "off"}));
  }
  {
    OpTester t("GatherND", 13);  // elements [1, 0] and [0, 1]
    t.input("x", x).input("i", ints({2, 2}, {1, 0, 0, 1})).output("y");
    EXPECT_EQ(run1(t).to_vector<std::string>(), (Strings{"c", "b"}));
  }
  {
    OpTester t("ScatterND", 13);  // positions 1 and 3 take x and y
    t.input("x", strings({"a", "b", "c", "d"}))
        .input("i", ints({2, 1}, {1, 3}))
        .input("u", strings({"x", "y"}))
        .output("y");
    EXPECT_EQ(run1(t).to_vector<std::string>(), (Strings{"a", "x", "c", "y"}));
  }
  {
    // Time along axis 0, batch along axis 1: column 0 (a, c) reverses over length 2, column 1
    // (b, d) over length 1 stays.
    OpTester t("ReverseSequence", 10);
    t.input("x", x)
        .input("lens", ints({2}, {2, 1}))
        .attr("batch_axis", int64_t{1})
        .attr("time_axis", int64_t{0})
        .output("y");
    EXPECT_EQ(run1(t).to_vector<std::string>(), (Strings{"c", "b", "a", "d"}));
  }
  {
    OpTester t("Flatten", 13);
    t.input("x", strings({2, 1, 2}, {"a", "b", "c", "d"})).output("y");
    EXPECT_EQ(run1(t).shape(), (Shape{2, 2}));
  }
  {
    OpTester t("Shape", 15);
    t.input("x", x).output("y");
    EXPECT_EQ(run1(t).to_vector<int64_t>(), (std::vector<int64_t>{2, 2}));
  }
}

TEST(StringTensors, Cast) {
  {
    OpTester t("Cast", 13);  // shortest text that reads back to the same float
    t.input("x", floats({3}, {0.5f, -2, 100})).attr("to", int64_t{8}).output("y");
    EXPECT_EQ(run1(t).to_vector<std::string>(), (Strings{"0.5", "-2", "100"}));
  }
  {
    OpTester t("Cast", 13);
    t.input("x", strings({"3.25", "-1e2"})).attr("to", int64_t{1}).output("y");
    EXPECT_EQ(run1(t).to_vector<float>(), (std::vector<float>{3.25f, -100}));
  }
  {
    OpTester t("Cast", 13);
    t.input("x", strings({"-7", "42"})).attr("to", int64_t{7}).output("y");
    EXPECT_EQ(run1(t).to_vector<int64_t>(), (std::vector<int64_t>{-7, 42}));
  }
  {
    OpTester t("Cast", 13);
    t.input("x", ints({2}, {-7, 42})).attr("to", int64_t{8}).output("y");
    EXPECT_EQ(run1(t).to_vector<std::string>(), (Strings{"-7", "42"}));
  }
  {
    OpTester t("CastLike", 15);  // to the dtype of the second input
    t.input("x", floats({1}, {1.5f})).input("like", strings({"z"})).output("y");
    EXPECT_EQ(run1(t).to_vector<std::string>(), Strings{"1.5"});
  }
}

}  // namespace
}  // namespace onyx
