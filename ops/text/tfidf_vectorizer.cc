// TfIdfVectorizer: counts, in each row of a [C] or [N, C] input (int32, int64 or string),
// the n-grams listed in a pool, and writes them to a float vector [max(ngram_indexes) + 1]
// (or [N, that]).
//
// The pool (pool_int64s or pool_strings) holds the 1-grams, then the 2-grams, ... with
// ngram_counts[k] the pool position where the (k+1)-grams start; n-gram i of the pool goes to
// output coordinate ngram_indexes[i]. Only sizes in [min_gram_length, max_gram_length] are
// counted. An n-gram of size n takes items at positions p, p+g, ..., p+(n-1)g for every gap
// g = 1 .. max_skip_count + 1, so each gap counts again, except for 1-grams, which are the
// same for every gap and counted once.
//
// mode TF writes the counts; IDF writes weights[i] when n-gram i occurs at all (1 without
// weights); TFIDF writes weights[i] * count (the count without weights). Per the spec's text,
// weights[i] belongs to the i-th n-gram of the pool (ONNX Runtime and the ONNX reference
// index weights by output coordinate instead; the two agree when ngram_indexes is 0, 1, ...).
// N-grams sharing an output coordinate add up.
#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <type_traits>
#include <variant>

#include "common/shape_utils.h"
#include "onyx/kernel.h"
#include "text/text_ops.h"

namespace onyx {
namespace {

// ---- 1. registration ----

std::vector<OpVersion> tfidf_versions() {
  return {{9,
           kOpsetOpen,
           {DType::String, DType::Int32, DType::Int64},
           {{"mode", AttrType::String},
            {"min_gram_length", AttrType::Int},
            {"max_gram_length", AttrType::Int},
            {"max_skip_count", AttrType::Int},
            {"ngram_counts", AttrType::Ints},
            {"ngram_indexes", AttrType::Ints},
            {"pool_int64s", AttrType::Ints},
            {"pool_strings", AttrType::Strings},
            {"weights", AttrType::Floats}}}};
}

// ---- 2. attributes ----

enum class Mode { TF, IDF, TFIDF };

// The pool's n-grams as a trie: a path of items from the root spells an n-gram, and a node
// lists the pool n-grams (their numbers i) that end there.
template <class Item>
struct NgramTrie {
  struct Node {
    std::map<Item, size_t, std::less<>> children;  // std::less<>: int32 items find int64 keys
    std::vector<size_t> ngrams;
  };
  std::vector<Node> nodes = std::vector<Node>(1);  // nodes[0] is the root

  void insert(const std::vector<Item>& pool, size_t begin, size_t n, size_t ngram) {
    size_t node = 0;
    for (size_t k = begin; k < begin + n; ++k) {
      auto it = nodes[node].children.find(pool[k]);
      if (it == nodes[node].children.end()) {
        it = nodes[node].children.emplace(pool[k], nodes.size()).first;
        nodes.emplace_back();
      }
      node = it->second;
    }
    nodes[node].ngrams.push_back(ngram);
  }
  // The child of `node` along `item`, or 0 when there is none (the root is nobody's child).
  template <class Key>
  size_t child(size_t node, const Key& item) const {
    auto it = nodes[node].children.find(item);
    return it == nodes[node].children.end() ? 0 : it->second;
  }
};

struct TfIdfParams {
  Mode mode = Mode::TF;
  int64_t min_len = 1, max_len = 1, max_skip = 0;
  std::vector<int64_t> indexes;  // output coordinate of each pool n-gram
  std::vector<float> weights;    // empty, or one per pool n-gram
  int64_t output_size = 0;       // max(indexes) + 1
  size_t ngram_total = 0;        // n-grams in the pool, of every size
  std::variant<NgramTrie<int64_t>, NgramTrie<std::string>> trie;

  bool string_pool() const { return trie.index() == 1; }

  template <class Ctx>
  static TfIdfParams read(const Attrs& attrs, Ctx& ctx) {
    TfIdfParams p;
    for (const char* name : {"mode", "ngram_counts", "ngram_indexes"})
      if (!attrs.has(name)) ctx.fail(cat("required attribute '", name, "' is missing"));
    std::string mode = attrs.get_string("mode", "");
    if (mode == "TF") {
      p.mode = Mode::TF;
    } else if (mode == "IDF") {
      p.mode = Mode::IDF;
    } else if (mode == "TFIDF") {
      p.mode = Mode::TFIDF;
    } else {
      ctx.fail(cat("attribute 'mode' must be TF, IDF or TFIDF, got '", mode, "'"));
    }
    p.min_len = attrs.required_int("min_gram_length");
    p.max_len = attrs.required_int("max_gram_length");
    p.max_skip = attrs.required_int("max_skip_count");
    if (p.min_len < 1 || p.max_len < p.min_len)
      ctx.fail(
          cat("need 1 <= min_gram_length <= max_gram_length, got ", p.min_len, " and ", p.max_len));
    if (p.max_skip < 0) ctx.fail(cat("attribute 'max_skip_count' is negative: ", p.max_skip));
    if (attrs.has("pool_int64s") == attrs.has("pool_strings"))
      ctx.fail("exactly one of the attributes 'pool_int64s' and 'pool_strings' must be set");
    if (attrs.has("pool_strings")) {
      p.trie = NgramTrie<std::string>{};
      p.load(attrs.get_strings("pool_strings"), attrs.get_ints("ngram_counts"), ctx);
    } else {
      p.load(attrs.get_ints("pool_int64s"), attrs.get_ints("ngram_counts"), ctx);
    }
    p.indexes = attrs.get_ints("ngram_indexes");
    p.weights = attrs.get_floats("weights");
    p.check_indexes(ctx);
    return p;
  }

  // Splits the pool by ngram_counts, puts the n-grams of counted sizes in the trie and
  // checks ngram_indexes and weights against the number of n-grams.
  template <class Item, class Ctx>
  void load(const std::vector<Item>& pool, const std::vector<int64_t>& counts, Ctx& ctx) {
    const int64_t pool_size = static_cast<int64_t>(pool.size());
    if (counts.empty() || counts[0] != 0)
      ctx.fail("attribute 'ngram_counts' must start with 0 (where the 1-grams start)");
    size_t ngram = 0;  // number of the next pool n-gram
    for (size_t k = 0; k < counts.size(); ++k) {
      const int64_t n = static_cast<int64_t>(k) + 1;
      const int64_t begin = counts[k];
      const int64_t end = k + 1 < counts.size() ? counts[k + 1] : pool_size;
      if (end < begin || end > pool_size)
        ctx.fail(cat("attribute 'ngram_counts' must be non-decreasing and at most the pool size ",
                     pool_size, ", got ", shape_to_string(counts)));
      if ((end - begin) % n != 0)
        ctx.fail(
            cat("the pool holds ", end - begin, " items for ", n, "-grams, not a multiple of ", n));
      auto& trie = std::get<NgramTrie<Item>>(this->trie);
      for (int64_t at = begin; at < end; at += n, ++ngram)
        if (n >= min_len && n <= max_len)
          trie.insert(pool, static_cast<size_t>(at), static_cast<size_t>(n), ngram);
    }
    ngram_total = ngram;
  }

  template <class Ctx>
  void check_indexes(Ctx& ctx) {
    if (indexes.size() != ngram_total)
      ctx.fail(cat("attribute 'ngram_indexes' has ", indexes.size(), " entries for ", ngram_total,
                   " n-grams in the pool"));
    if (indexes.empty()) ctx.fail("the pool holds no n-grams, so the output size is undefined");
    if (!weights.empty() && weights.size() != ngram_total)
      ctx.fail(cat("attribute 'weights' has ", weights.size(), " entries for ", ngram_total,
                   " n-grams in the pool"));
    for (int64_t i : indexes) {
      if (i < 0 || i == INT64_MAX)
        ctx.fail(cat("attribute 'ngram_indexes' holds an invalid coordinate ", i));
      output_size = std::max(output_size, i + 1);
    }
  }
};

// The input must suit the pool: strings for pool_strings, int32/int64 for pool_int64s.
template <class Ctx>
void check_input_dtype(DType dtype, const TfIdfParams& p, Ctx& ctx) {
  if (dtype == DType::Undefined) return;
  bool ok =
      p.string_pool() ? dtype == DType::String : (dtype == DType::Int32 || dtype == DType::Int64);
  if (!ok)
    ctx.fail(cat("a ", p.string_pool() ? "pool_strings" : "pool_int64s", " pool cannot match a ",
                 dtype_name(dtype), " input"));
}

// ---- 3. shape rule ----

void infer_tfidf_vectorizer(InferContext& ctx) {
  TfIdfParams p = TfIdfParams::read(Attrs(ctx.node(), ctx.label()), ctx);
  const TypeInfo& in = ctx.input(0);
  check_input_dtype(in.elem, p, ctx);
  TypeInfo out = TypeInfo::tensor(DType::Float);
  if (in.shape) {
    if (in.shape->size() == 1) {
      out.shape = std::vector<Dim>{Dim::known(p.output_size)};
    } else if (in.shape->size() == 2) {
      out.shape = std::vector<Dim>{(*in.shape)[0], Dim::known(p.output_size)};
    } else {
      ctx.fail(cat("the input must have shape [C] or [N, C], got rank ", in.shape->size()));
    }
  }
  ctx.set_output(0, out);
}

// ---- 4. compute ----

class TfIdfVectorizerKernel final : public Kernel {
 public:
  explicit TfIdfVectorizerKernel(const KernelInit& init)
      : p_(TfIdfParams::read(init.attrs(), init)) {
    check_input_dtype(init.input_dtype(0), p_, init);
  }

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    check_input_dtype(x.dtype(), p_, ctx);
    if (x.rank() != 1 && x.rank() != 2)
      ctx.fail(cat("the input must have shape [C] or [N, C], got ", x.describe()));
    const int64_t rows = x.rank() == 2 ? x.dim(0) : 1;
    const int64_t cols = x.shape().back();
    Shape out_shape = x.rank() == 2 ? Shape{rows, p_.output_size} : Shape{p_.output_size};
    checked_numel(out_shape);
    Tensor& y = ctx.allocate_output(0, DType::Float, out_shape);
    float* out = y.data<float>();
    dispatch<type_list<int32_t, int64_t, std::string>>(x.dtype(), "TfIdfVectorizer", [&](auto tag) {
      using T = typename decltype(tag)::type;
      using Item = std::conditional_t<std::is_same_v<T, std::string>, std::string, int64_t>;
      const auto& trie = std::get<NgramTrie<Item>>(p_.trie);
      std::vector<int64_t> counts(p_.indexes.size());
      for (int64_t r = 0; r < rows; ++r) {
        std::fill(counts.begin(), counts.end(), 0);
        count_row(trie, x.data<T>() + r * cols, cols, counts);
        write_row(counts, out + r * p_.output_size);
      }
    });
  }

 private:
  // Adds to counts[i] every occurrence of pool n-gram i in the row.
  template <class Item, class T>
  void count_row(const NgramTrie<Item>& trie, const T* row, int64_t cols,
                 std::vector<int64_t>& counts) const {
    // Gaps of cols or more cannot fit a 2-gram, so they need no walk (this also keeps
    // max_skip + 1 from overflowing).
    const int64_t max_gap = std::max<int64_t>(1, std::min(p_.max_skip, cols - 2) + 1);
    for (int64_t gap = 1; gap <= max_gap; ++gap) {
      for (int64_t start = 0; start < cols; ++start) {
        size_t node = 0;
        for (int64_t n = 1, at = start; at < cols; ++n, at += gap) {
          node = trie.child(node, row[at]);
          if (node == 0) break;
          if (n == 1 && gap > 1) continue;  // 1-grams were counted with gap 1
          for (size_t i : trie.nodes[node].ngrams) ++counts[i];
        }
      }
    }
  }

  void write_row(const std::vector<int64_t>& counts, float* out) const {
    for (size_t i = 0; i < counts.size(); ++i) {
      if (counts[i] == 0) continue;
      float weight = p_.weights.empty() ? 1.0f : p_.weights[i];
      float value = static_cast<float>(counts[i]);  // Mode::TF
      if (p_.mode == Mode::IDF) value = weight;
      if (p_.mode == Mode::TFIDF) value = weight * static_cast<float>(counts[i]);
      out[p_.indexes[i]] += value;
    }
  }

  TfIdfParams p_;
};

}  // namespace

void register_tfidf_vectorizer(Registry& registry) {
  add_op_versions(registry, "TfIdfVectorizer", tfidf_versions(),
                  make_kernel<TfIdfVectorizerKernel>(), infer_tfidf_vectorizer);
}

}  // namespace onyx
