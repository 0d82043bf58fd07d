/* TfIdfVectorizer: counting the n-grams of a pool in rows of integers. */
#ifndef ONNXCC_KERNELS_TFIDF_H
#define ONNXCC_KERNELS_TFIDF_H

#include "../params.h"
#include "../runtime.h"

/* What each output holds: the count (TF), the weight where the count is
 * not 0 (IDF), or the weight times the count (TFIDF). */
#define RT_TFIDF_MODES(X) X(TF) X(IDF) X(TFIDF)
#define RT_TFIDF_NAME_(n) RT_TFIDF_##n,
enum rt_tfidf_mode { RT_TFIDF_MODES(RT_TFIDF_NAME_) RT_TFIDF_MODE_COUNT_ };
#undef RT_TFIDF_NAME_

/* The pool as a trie the compiler builds, in[1]: int64 records of
 * RT_TFIDF_EDGE fields, one per trie edge (token), the children of one
 * node contiguous and sorted by token, the root's first (root_count of
 * them): token, the output column of the n-gram ending there (-1: none
 * counted), the index of its first child and its number of children. */
#define RT_TFIDF_EDGE 4

/* rt_tfidf_T: x in[0] [rows, cols] of T gives y [rows, out_size] float.
 * In each row, for each skip s from 1 to max_skip + 1 and each start, the
 * items start, start + s, start + 2s, ... are walked down the trie, and
 * every n-gram of min_gram..max_gram items found on the way adds 1 to its
 * column; unigrams count at s = 1 only, and a start stops the walk over
 * starts of that s once min_gram items at step s no longer fit. Then the
 * mode applies, with weights in[2] (out_size floats; NULL: all 1). T:
 * i32, i64. */
#define RT_TFIDF_PARAMS(I, F, IA, FA, I32, I32A, E) \
  I(rows) I(cols) I(out_size) I(root_count) I32(min_gram) I32(max_gram) I32(max_skip) E(mode, RT_TFIDF_, RT_TFIDF_MODES)
RT_PARAMS_STRUCT(rt_tfidf_params, RT_TFIDF_PARAMS)

#define RT_TFIDF_KERNELS(K) K(rt_tfidf_i32, rt_tfidf_params) K(rt_tfidf_i64, rt_tfidf_params)
#define RT_TFIDF_PARAMS_TYPES(P) P(rt_tfidf_params, RT_TFIDF_PARAMS)
RT_TFIDF_KERNELS(RT_DECLARE_KERNEL)

#endif
