// Internals shared by the files of ops/text: each file's registration entry.
#pragma once

#include "onyx/registry.h"

namespace onyx {

void register_string_normalizer(Registry& registry);  // string_normalizer.cc: StringNormalizer
void register_tfidf_vectorizer(Registry& registry);   // tfidf_vectorizer.cc: TfIdfVectorizer
void register_string_concat(Registry& registry);      // string_concat.cc: StringConcat
void register_string_split(Registry& registry);       // string_split.cc: StringSplit
void register_regex_full_match(Registry& registry);   // regex_full_match.cc: RegexFullMatch

}  // namespace onyx
