#include "linalg/einsum_equation.h"

#include <algorithm>
#include <cctype>

#include "common/shape_utils.h"

namespace onyx {
namespace {

int letter_label(char c) {
  return std::isupper(static_cast<unsigned char>(c)) ? c - 'A' : 26 + (c - 'a');
}

// One term: letters and at most one "...". `text` has no spaces, commas or arrows.
std::vector<int> parse_term(const std::string& text, const std::string& equation) {
  std::vector<int> term;
  bool ellipsis = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (std::isalpha(static_cast<unsigned char>(c))) {
      term.push_back(letter_label(c));
    } else if (c == '.') {
      if (text.compare(i, 3, "...") != 0)
        fail("Einsum equation '", equation, "': a '.' must be part of '...'");
      if (ellipsis) fail("Einsum equation '", equation, "': a term has more than one '...'");
      ellipsis = true;
      term.push_back(EinsumEquation::kEllipsis);
      i += 2;
    } else {
      fail("Einsum equation '", equation, "': unexpected character '", std::string(1, c), "'");
    }
  }
  return term;
}

}  // namespace

std::string einsum_label_name(int label) {
  if (label < 26) return std::string(1, static_cast<char>('A' + label));
  if (label < kEinsumLetters) return std::string(1, static_cast<char>('a' + label - 26));
  return cat("...#", label - kEinsumLetters);
}

EinsumEquation EinsumEquation::parse(const std::string& text) {
  std::string eq;
  for (char c : text)
    if (!std::isspace(static_cast<unsigned char>(c))) eq += c;
  std::string lhs = eq;
  std::optional<std::string> rhs;
  size_t arrow = eq.find("->");
  if (arrow != std::string::npos) {
    lhs = eq.substr(0, arrow);
    rhs = eq.substr(arrow + 2);
  }
  for (const std::string& side : {lhs, rhs.value_or("")})
    if (side.find_first_of("->") != std::string::npos)
      fail("Einsum equation '", text, "': '-' and '>' may only appear once, as '->'");
  if (rhs && rhs->find(',') != std::string::npos)
    fail("Einsum equation '", text, "': the output term cannot contain ','");

  EinsumEquation result;
  size_t start = 0;
  while (true) {  // split the left side at commas; empty terms are scalar operands
    size_t comma = lhs.find(',', start);
    result.inputs.push_back(parse_term(lhs.substr(start, comma - start), text));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (rhs) {
    std::vector<int> out = parse_term(*rhs, text);
    for (size_t i = 0; i < out.size(); ++i) {
      if (out[i] == kEllipsis) continue;
      if (std::count(out.begin(), out.end(), out[i]) > 1)
        fail("Einsum equation '", text, "': output label '", einsum_label_name(out[i]),
             "' appears more than once");
      bool used = std::any_of(result.inputs.begin(), result.inputs.end(), [&](const auto& term) {
        return std::find(term.begin(), term.end(), out[i]) != term.end();
      });
      if (!used)
        fail("Einsum equation '", text, "': output label '", einsum_label_name(out[i]),
             "' does not appear in any input term");
    }
    result.output = std::move(out);
  }
  return result;
}

EinsumBinding EinsumBinding::bind(const EinsumEquation& eq, const std::vector<size_t>& ranks) {
  if (eq.inputs.size() != ranks.size())
    fail("Einsum: the equation has ", eq.inputs.size(), " input terms but the node has ",
         ranks.size(), " inputs");
  // How many dims each operand's "..." covers; broadcast dims align from the right.
  std::vector<size_t> covered(ranks.size(), 0);
  size_t broadcast = 0;
  for (size_t k = 0; k < ranks.size(); ++k) {
    const std::vector<int>& term = eq.inputs[k];
    bool ellipsis = std::find(term.begin(), term.end(), EinsumEquation::kEllipsis) != term.end();
    size_t letters = term.size() - (ellipsis ? 1 : 0);
    if (ellipsis ? letters > ranks[k] : letters != ranks[k])
      fail("Einsum: input ", k, " has rank ", ranks[k], " but its term has ", letters, " labels",
           ellipsis ? " and '...'" : "");
    if (ellipsis) covered[k] = ranks[k] - letters;
    broadcast = std::max(broadcast, covered[k]);
  }
  auto expand = [&](const std::vector<int>& term, size_t dims, std::vector<int>& out) {
    for (int label : term) {
      if (label != EinsumEquation::kEllipsis) {
        out.push_back(label);
        continue;
      }
      for (size_t j = broadcast - dims; j < broadcast; ++j)
        out.push_back(kEinsumLetters + static_cast<int>(j));
    }
  };
  EinsumBinding b;
  b.num_labels = kEinsumLetters + static_cast<int>(broadcast);
  b.operands.resize(ranks.size());
  for (size_t k = 0; k < ranks.size(); ++k) expand(eq.inputs[k], covered[k], b.operands[k]);
  if (eq.output) {
    expand(*eq.output, broadcast, b.output);
  } else {  // implicit: the broadcast dims, then the letters used exactly once, in order
    for (size_t j = 0; j < broadcast; ++j) b.output.push_back(kEinsumLetters + static_cast<int>(j));
    std::vector<int> uses(kEinsumLetters, 0);
    for (const auto& term : eq.inputs)
      for (int label : term)
        if (label != EinsumEquation::kEllipsis) ++uses[static_cast<size_t>(label)];
    for (int label = 0; label < kEinsumLetters; ++label)
      if (uses[static_cast<size_t>(label)] == 1) b.output.push_back(label);
  }
  return b;
}

std::vector<int64_t> EinsumBinding::label_sizes(const std::vector<Shape>& shapes) const {
  std::vector<int64_t> size(static_cast<size_t>(num_labels), 0);
  std::vector<bool> seen(static_cast<size_t>(num_labels), false);
  for (size_t k = 0; k < operands.size(); ++k) {
    std::vector<int64_t> here(static_cast<size_t>(num_labels), -1);  // within this operand
    for (size_t d = 0; d < operands[k].size(); ++d) {
      const size_t label = static_cast<size_t>(operands[k][d]);
      const int64_t dim = shapes[k][d];
      if (here[label] >= 0 && here[label] != dim)
        fail("Einsum: label '", einsum_label_name(operands[k][d]), "' repeats in input ", k,
             " with different sizes ", here[label], " and ", dim);
      here[label] = dim;
      if (!seen[label] || size[label] == 1) {
        size[label] = dim;
      } else if (dim != 1 && dim != size[label]) {
        fail("Einsum: label '", einsum_label_name(operands[k][d]), "' has size ", size[label],
             " in one input and ", dim, " in input ", k);
      }
      seen[label] = true;
    }
  }
  return size;
}

}  // namespace onyx
