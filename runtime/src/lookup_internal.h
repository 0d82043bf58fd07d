/* Key lookup shared by the label-encoding kernels (ml.c, strings.c). */
#ifndef ONNXCC_LOOKUP_INTERNAL_H
#define ONNXCC_LOOKUP_INTERNAL_H

/* Sets j to the index of a among keys[0..n), n when a is not there; a NaN
 * key matches a NaN value (ONNX's LabelEncoder maps NaN like any key). A
 * statement; keys, n and a are read more than once. */
#define RT_KEY_FIND(keys, n, a, j)                                        \
  for ((j) = 0; (j) < (n); (j)++)                                         \
    if ((keys)[j] == (a) || ((keys)[j] != (keys)[j] && (a) != (a))) break

#endif
