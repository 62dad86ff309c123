// The text family: string processing: StringNormalizer, TfIdfVectorizer, StringConcat,
// StringSplit, RegexFullMatch.
#include "common/families.h"
#include "text/text_ops.h"

namespace onyx {

void register_text(Registry& registry) {
  register_string_normalizer(registry);
  register_tfidf_vectorizer(registry);
  register_string_concat(registry);
  register_string_split(registry);
  register_regex_full_match(registry);
}

}  // namespace onyx
