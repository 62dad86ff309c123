// Internals shared by the files of ops/text: each file's registration entry.
#pragma once

#include "onyx/registry.h"

namespace onyx {

void register_string_normalizer(Registry& registry);  // string_normalizer.cc: StringNormalizer
void register_tfidf_vectorizer(Registry& registry);   // tfidf_vectorizer.cc: TfIdfVectorizer

}  // namespace onyx
