/* The compiler's view of the runtime's kernels: one entry per kernel
 * variant, built from the runtime headers' K/P lists (kernels.h), with the
 * function itself (the constant folder calls it) and a description of its
 * parameter struct (codegen and --dump-after=lower print from it). */
#ifndef ONNXCC_KERNEL_TABLE_H
#define ONNXCC_KERNEL_TABLE_H

#include <stddef.h>

#include "../runtime/include/onnxcc/kernels.h"

typedef enum param_kind { PK_I64, PK_I32, PK_F32, PK_ENUM } param_kind;

typedef struct param_field {
  const char *name;
  param_kind kind;
  size_t offset;
  int count;                      /* array length; 0 for a scalar */
  const char *enum_prefix;        /* PK_ENUM: C name = prefix + enum_names[v] */
  const char *const *enum_names;
  int n_enum;
} param_field;

typedef struct params_desc {
  const char *type;               /* "rt_conv_params" */
  size_t size;
  const param_field *fields;
  int n_fields;
} params_desc;

#define KERNEL_ENUM(name, ptype) K_##name,
enum kernel_id { RT_ALL_KERNELS(KERNEL_ENUM) K_COUNT };
#undef KERNEL_ENUM

#define PARAMS_ENUM(type, LIST) PD_##type,
enum params_id { RT_ALL_PARAMS_TYPES(PARAMS_ENUM) PD_COUNT };
#undef PARAMS_ENUM

/* kparams_rt_conv is rt_conv's params type: LOWER() returns a pointer to
 * it, so naming the wrong struct is a compile error. */
#define KERNEL_PTYPE(name, ptype) typedef ptype kparams_##name;
RT_ALL_KERNELS(KERNEL_PTYPE)
#undef KERNEL_PTYPE

typedef struct kernel_info {
  const char *name;               /* "rt_conv" */
  rt_kernel_fn fn;
  const params_desc *params;
} kernel_info;

const kernel_info *kernel_get(int id);
/* Kernel id by function name, or -1 (binary search; no allocation). */
int kernel_find(const char *name);
const params_desc *params_get(int params_id);

/* A field's value as int64 (I64/I32/ENUM) or double (F32), element i. */
long long params_field_int(const param_field *f, const void *params, int i);
double params_field_float(const param_field *f, const void *params, int i);

/* The field holding byte `offset` of a params struct of type d, and the
 * element index there; NULL if no integer or float element starts there. */
const param_field *params_field_at(const params_desc *d, size_t offset, int *index);

struct text;
/* Prints a filled params struct as designated initializers, ".a = 1, ..."
 * (valid C; also what --dump-after=lower shows). Zero trailing array
 * elements are left out; an enum field prints its name. */
void params_print(struct text *w, const params_desc *d, const void *params);

#endif
