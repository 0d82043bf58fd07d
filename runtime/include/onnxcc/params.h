/* How kernel parameter structs are declared.
 *
 * Every kernel takes a const parameter struct that the compiler fills at
 * compile time. Each struct is described once, as an X-macro list of fields:
 *
 *   #define RT_CONV_PARAMS(I, F, IA, FA) I(groups) IA(pads, 16) F(alpha)
 *   RT_PARAMS_STRUCT(rt_conv_params, RT_CONV_PARAMS)
 *
 * I = int64_t, F = float, IA/FA = fixed-size arrays of them. The same list
 * lets the compiler print a filled struct as a C initializer, so the struct
 * layout is never written twice. */
#ifndef ONNXCC_PARAMS_H
#define ONNXCC_PARAMS_H

#include <stdint.h>

#define RT_FIELD_I(name) int64_t name;
#define RT_FIELD_F(name) float name;
#define RT_FIELD_IA(name, n) int64_t name[n];
#define RT_FIELD_FA(name, n) float name[n];

#define RT_PARAMS_STRUCT(type, LIST) \
  typedef struct type { LIST(RT_FIELD_I, RT_FIELD_F, RT_FIELD_IA, RT_FIELD_FA) } type;

/* The uniform kernel signature: params, inputs, outputs, scratch memory.
 * An absent optional input is NULL. */
typedef void (*rt_kernel_fn)(const void *params, const void *const *in,
                             void *const *out, void *scratch);

/* Callers pass at least this many slots in `in` and `out`; slots past the
 * node's inputs/outputs are NULL, so a kernel may test optional ones. */
#define RT_MIN_ARGS 8

#define RT_KERNEL(name) \
  void name(const void *params, const void *const *in, void *const *out, void *scratch)

#endif
