/* Kernels on string tensors: Cast between numbers and strings,
 * StringNormalizer, Equal, StringConcat, StringSplit, and LabelEncoder
 * with string keys or values.
 *
 * A string element is a slot of `slot` bytes (../strings.h: a uint32_t
 * length, the bytes, a NUL); every kernel here takes the slot size as a
 * parameter, since the compilation chooses it (--max-string-bytes). Input
 * slots are well formed: the generated code checks the caller's, and
 * kernels write only well-formed ones. */
#ifndef ONNXCC_KERNELS_STRINGS_H
#define ONNXCC_KERNELS_STRINGS_H

#include "../params.h"
#include "../runtime.h"
#include "sequence.h" /* RT_STATUS_SLOT */

/* rt_cast_T_string: each of `count` numbers (T) as text. Floats the way
 * ONNX's reference (numpy) writes them: the fewest significant digits
 * that read back as the same value, positional for 1e-4 <= |x| < 1e16
 * and for 0, with ".0" where that has no '.' ("1.0", "100000.0",
 * "-0.0"), else scientific ("1e+20", "1.5e-07"); "inf", "-inf", "nan".
 * Integers in decimal. (bool has no kernel: ONNX Runtime and
 * numpy disagree on its text.)
 * rt_cast_string_T: each string (out of slots) as the number its text
 * starts with, after blanks, as ONNX Runtime reads them ("1.5x" is 1.5).
 * Floats read with strtof / strtod, so "INF", "-Infinity", "NaN" in any
 * case and hex floats work; text that starts with no number becomes NaN
 * (ONNX Runtime fails the run; a kernel cannot fail). Integers read as
 * decimal, saturating; no number gives 0. T: the
 * RT_STRING_CAST_TYPES. The slot must hold at least 24 bytes of text
 * (the compiler's --max-string-bytes is at least 32). */
#define RT_STRCAST_PARAMS(I, F, IA, FA, I32, I32A, E) I(count) I(slot)
RT_PARAMS_STRUCT(rt_strcast_params, RT_STRCAST_PARAMS)

#define RT_STRING_CAST_TYPES(X, K) \
  X(K, f32) X(K, f64) X(K, i8) X(K, i16) X(K, i32) X(K, i64) X(K, u8) X(K, u16) X(K, u32) X(K, u64)

/* rt_string_normalizer: x (in[0]) is `count` strings; y (out[0]) the ones
 * that are no stopword, in order, their ASCII letters changed by `action`
 * (0: none, 1: to lower case, 2: to upper; bytes >= 0x80 are left as they
 * are: no locale, no Unicode case mapping). Stopwords are the `stops`
 * slots of in[1]; `case_sensitive` 0 compares ASCII letters without case
 * (the compiler then stores the stopwords lower-cased). When no string is
 * left, y is one empty string, as ONNX says. The number of strings
 * written (at least 1) goes to out[1] (int64) when that slot is not NULL:
 * the output's run-time dim. */
#define RT_STRNORM_PARAMS(I, F, IA, FA, I32, I32A, E) I(count) I(slot) I(stops) I32(action) I32(case_sensitive)
RT_PARAMS_STRUCT(rt_strnorm_params, RT_STRNORM_PARAMS)

/* rt_label_encode_string_bytes: each of the n strings x (in[0]) -> the
 * value of the equal key among the `keys` slots of in[1], which the
 * compiler sorted by bytes (rt_str_cmp) with no two equal, found by
 * binary search; else the default. in[2] holds keys + 1 values of
 * `esize` bytes each (any element type, string slots included): the
 * values in the keys' order, then the default.
 * rt_label_encode_T_bytes: numeric keys T (in[1], `keys` of them; the
 * first equal key wins, NaN matching NaN) to values of `esize` bytes as
 * above (string values). T: i64, f32, f64. */
#define RT_STRLABEL_PARAMS(I, F, IA, FA, I32, I32A, E) I(n) I(keys) I(slot) I(esize)
RT_PARAMS_STRUCT(rt_strlabel_params, RT_STRLABEL_PARAMS)

/* Broadcasting ops on two string inputs: the output has `rank` dims
 * `dims`; input k is read at sum(index[d] * strides_k[d]) slots, 0 on
 * broadcast dims (as rt_binary_params).
 * rt_equal_string: y (bool) = whether the two strings have the same bytes.
 * rt_string_concat: y (strings) = a's bytes, then b's. A result longer than
 * a slot holds is cut to it and the run fails with RT_ERR_VALUE at
 * out[RT_STATUS_SLOT] (kernels/sequence.h), so it is never used. */
#define RT_STRBINARY_PARAMS(I, F, IA, FA, I32, I32A, E) \
  I(rank) IA(dims, RT_MAX_RANK) IA(a_strides, RT_MAX_RANK) IA(b_strides, RT_MAX_RANK) I(slot)
RT_PARAMS_STRUCT(rt_strbinary_params, RT_STRBINARY_PARAMS)

/* rt_string_split: each of the n strings x (in[0]) cut at `delimiter`
 * (the `delim_len` bytes of in[1]'s first slot) or, when delim_len is 0,
 * at runs of ASCII blanks (' ', \t, \n, \v, \f, \r), leading and
 * trailing ones dropped: Python's str.split, which ONNX's reference uses.
 * At most maxsplit cuts when maxsplit >= 0 (the rest stays whole, with
 * blanks at its start dropped). y (out[0], strings) is [n, m] with m the
 * most pieces any string gave, shorter rows padded with empty strings;
 * z (out[1], int64 [n]) the pieces per string; m goes to out[2] (int64)
 * when that slot is not NULL: y's run-time dim. */
#define RT_STRSPLIT_PARAMS(I, F, IA, FA, I32, I32A, E) I(n) I(slot) I(delim_len) I(maxsplit)
RT_PARAMS_STRUCT(rt_strsplit_params, RT_STRSPLIT_PARAMS)

#define RT_STRCAST_TO_(K, t) K(rt_cast_##t##_string, rt_strcast_params) K(rt_cast_string_##t, rt_strcast_params)

#define RT_STRINGS_KERNELS(K)                                                                                    \
  RT_STRING_CAST_TYPES(RT_STRCAST_TO_, K)                                                                        \
  K(rt_string_normalizer, rt_strnorm_params)                                                                     \
  K(rt_equal_string, rt_strbinary_params) K(rt_string_concat, rt_strbinary_params)                               \
  K(rt_string_split, rt_strsplit_params)                                                                         \
  K(rt_label_encode_string_bytes, rt_strlabel_params) K(rt_label_encode_i64_bytes, rt_strlabel_params)         \
  K(rt_label_encode_f32_bytes, rt_strlabel_params) K(rt_label_encode_f64_bytes, rt_strlabel_params)
#define RT_STRINGS_PARAMS_TYPES(P)                                                                               \
  P(rt_strcast_params, RT_STRCAST_PARAMS) P(rt_strnorm_params, RT_STRNORM_PARAMS)                                \
  P(rt_strlabel_params, RT_STRLABEL_PARAMS) P(rt_strbinary_params, RT_STRBINARY_PARAMS)                          \
  P(rt_strsplit_params, RT_STRSPLIT_PARAMS)

RT_STRINGS_KERNELS(RT_DECLARE_KERNEL)

#endif
