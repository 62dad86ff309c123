// The text family: string processing: StringNormalizer, TfIdfVectorizer.
#include "common/families.h"
#include "text/text_ops.h"

namespace onyx {

void register_text(Registry& registry) {
  register_string_normalizer(registry);
  register_tfidf_vectorizer(registry);
}

}  // namespace onyx
