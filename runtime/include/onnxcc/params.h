/* How kernels and their parameter structs are declared.
 *
 * Every kernel variant (one op, one element type, one algorithm:
 * rt_add_f32, rt_conv_f32_im2col, ...) is its own function with the
 * uniform signature below, so a program links only the variants its model
 * calls and no kernel switches on op or dtype at run time. Each takes a
 * const parameter struct that the compiler fills at compile time. A struct
 * is described once, as an X-macro list of fields:
 *
 *   #define RT_CONV_PARAMS(I, F, IA, FA, I32, I32A, E) \
 *     I32(group) IA(pads, 6) F(alpha) E(mode, RT_CONV_, RT_CONV_MODES)
 *   RT_PARAMS_STRUCT(rt_conv_params, RT_CONV_PARAMS)
 *
 * I = int64_t, I32 = int32_t, F = float, IA/I32A/FA = fixed-size arrays of
 * them, E = an int32_t holding one of an X-macro list of names (the
 * generated code prints the name, PREFIX##NAME, not the number). Use the
 * narrowest field that holds every value the compiler can put there. The
 * same list gives the compiler a description of the struct (field names,
 * kinds, offsets), from which it prints a filled struct as a C
 * initializer, so the layout is never written twice.
 *
 * Each kernel header also lists its variants, K(function, params type),
 * and its params types, P(type, LIST); kernels.h joins the lists. */
#ifndef ONNXCC_PARAMS_H
#define ONNXCC_PARAMS_H

#include <stdint.h>

#define RT_FIELD_I(name) int64_t name;
#define RT_FIELD_F(name) float name;
#define RT_FIELD_IA(name, n) int64_t name[n];
#define RT_FIELD_FA(name, n) float name[n];
#define RT_FIELD_I32(name) int32_t name;
#define RT_FIELD_I32A(name, n) int32_t name[n];
#define RT_FIELD_E(name, prefix, LIST) int32_t name;

#define RT_PARAMS_STRUCT(type, LIST)                                                         \
  typedef struct type {                                                                      \
    LIST(RT_FIELD_I, RT_FIELD_F, RT_FIELD_IA, RT_FIELD_FA, RT_FIELD_I32, RT_FIELD_I32A,      \
         RT_FIELD_E)                                                                         \
  } type;

/* The uniform kernel signature: params, inputs, outputs, scratch memory.
 * An absent optional input is NULL. */
typedef void (*rt_kernel_fn)(const void *params, const void *const *in,
                             void *const *out, void *scratch);

/* Callers pass at least this many slots in `in` and `out`; slots past the
 * node's inputs/outputs are NULL, so a kernel may test optional ones. */
#define RT_MIN_ARGS 8

/* Two input slots past every input of the kernels that read them (they
 * are the slots of any kernel's inputs 5 and 6, so only kernels whose
 * header says so read them: kernels/nchwc.h): the first and the
 * one-past-last byte of the weights the next node reads first. Such a kernel
 * prefetches them into cache while its last tiles run, so the next node
 * does not start by waiting on memory. NULL: nothing to warm (and
 * always NULL in code from an older compiler, which does not know them). */
#define RT_WARM_SLOT (RT_MIN_ARGS - 3)
#define RT_WARM_END_SLOT (RT_MIN_ARGS - 2)

#define RT_KERNEL(name) \
  void name(const void *params, const void *const *in, void *const *out, void *scratch)

/* The quantization of one operand, for use inside a field list:
 * RT_QUANT_FIELDS(x, I32, F) declares x_axis (-1: one scale and zero point
 * for the whole tensor, here; else the axis along which they vary, and the
 * kernel takes them as extra inputs), x_scale and x_zero_point. */
#define RT_QUANT_FIELDS(prefix, I32, F) I32(prefix##_axis) F(prefix##_scale) I32(prefix##_zero_point)

/* Element types as kernel names spell them: rt_add_f32, rt_cast_i64_f16.
 * X(rt_dtype, suffix). */
#define RT_TYPE_SUFFIXES(X) \
  X(RT_FLOAT, f32) X(RT_DOUBLE, f64) X(RT_FLOAT16, f16) X(RT_BFLOAT16, bf16) \
  X(RT_BOOL, bool) X(RT_INT8, i8) X(RT_INT16, i16) X(RT_INT32, i32) X(RT_INT64, i64) \
  X(RT_UINT8, u8) X(RT_UINT16, u16) X(RT_UINT32, u32) X(RT_UINT64, u64) \
  X(RT_FLOAT8E4M3FN, f8e4m3fn) X(RT_FLOAT8E4M3FNUZ, f8e4m3fnuz) X(RT_FLOAT8E5M2, f8e5m2) \
  X(RT_FLOAT8E5M2FNUZ, f8e5m2fnuz) X(RT_INT4, i4) X(RT_UINT4, u4) X(RT_FLOAT4E2M1, f4e2m1) \
  X(RT_FLOAT8E8M0, f8e8m0) X(RT_UINT2, u2) X(RT_INT2, i2)

/* For a header's K(...) list: declares the variant. */
#define RT_DECLARE_KERNEL(name, ptype) RT_KERNEL(name);

#endif
