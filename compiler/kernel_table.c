#include "kernel_table.h"

#include <stddef.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>

#include "../codegen/text.h"

/* ---- params descriptions, from the runtime's field lists ---- */

#define ENUM_NAME(x) #x,
#define FD_I(name) {#name, PK_I64, offsetof(T_, name), 0, NULL, NULL, 0},
#define FD_F(name) {#name, PK_F32, offsetof(T_, name), 0, NULL, NULL, 0},
#define FD_IA(name, n) {#name, PK_I64, offsetof(T_, name), n, NULL, NULL, 0},
#define FD_FA(name, n) {#name, PK_F32, offsetof(T_, name), n, NULL, NULL, 0},
#define FD_I32(name) {#name, PK_I32, offsetof(T_, name), 0, NULL, NULL, 0},
#define FD_I32A(name, n) {#name, PK_I32, offsetof(T_, name), n, NULL, NULL, 0},
#define FD_E(name, prefix, LIST)                                                  \
  {#name, PK_ENUM, offsetof(T_, name), 0, #prefix, enames_##name,                  \
   (int)(sizeof enames_##name / sizeof enames_##name[0])},
/* The name array of an E field's list, declared before the field array;
 * named by the field, so two fields of one list (a conv's act and in_act)
 * each have theirs. */
#define NO_I(name)
#define NO_IA(name, n)
#define ENAMES(name, prefix, LIST) static const char *const enames_##name[] = {LIST(ENUM_NAME)};

/* One function per params type returns its field array: the typedef T_
 * inside lets offsetof in the FD_ macros name the struct. */
#define DEFINE_FIELDS(T, LIST)                                                                          \
  static const param_field *fields_of_##T(int *n) {                                                    \
    typedef T T_;                                                                                          \
    LIST(NO_I, NO_I, NO_IA, NO_IA, NO_I, NO_IA, ENAMES)                                                    \
    static const param_field f[] = {LIST(FD_I, FD_F, FD_IA, FD_FA, FD_I32, FD_I32A, FD_E){NULL, PK_I64, 0, 0, NULL, NULL, 0}};             \
    *n = (int)(sizeof f / sizeof f[0]) - 1;                                                                \
    return f;                                                                                              \
  }
RT_ALL_PARAMS_TYPES(DEFINE_FIELDS)
#undef DEFINE_FIELDS

static params_desc descs[PD_COUNT];
static int descs_ready;

static void build_descs(void) {
  int n;
#define FILL_DESC(T, LIST)               \
  descs[PD_##T].type = #T;               \
  descs[PD_##T].size = sizeof(T);        \
  descs[PD_##T].fields = fields_of_##T(&n); \
  descs[PD_##T].n_fields = n;
  RT_ALL_PARAMS_TYPES(FILL_DESC)
#undef FILL_DESC
  descs_ready = 1;
}

const params_desc *params_get(int id) {
  if (!descs_ready) build_descs();
  return id >= 0 && id < PD_COUNT ? &descs[id] : NULL;
}

/* ---- the kernel table ---- */

static kernel_info kernels[K_COUNT];
static int sorted[K_COUNT]; /* ids by name, for kernel_find */
static int kernels_ready;

static int by_name(const void *a, const void *b) {
  return strcmp(kernels[*(const int *)a].name, kernels[*(const int *)b].name);
}

static void build_kernels(void) {
  int i;
#define FILL_KERNEL(FN, PT)       \
  kernels[K_##FN].name = #FN;     \
  kernels[K_##FN].fn = FN;        \
  kernels[K_##FN].params = params_get(PD_##PT);
  RT_ALL_KERNELS(FILL_KERNEL)
#undef FILL_KERNEL
  for (i = 0; i < K_COUNT; i++) sorted[i] = i;
  qsort(sorted, K_COUNT, sizeof sorted[0], by_name);
  kernels_ready = 1;
}

const kernel_info *kernel_get(int id) {
  if (!kernels_ready) build_kernels();
  return id >= 0 && id < K_COUNT ? &kernels[id] : NULL;
}

int kernel_find(const char *name) {
  int lo = 0, hi = K_COUNT - 1;
  if (!kernels_ready) build_kernels();
  while (lo <= hi) {
    int mid = lo + (hi - lo) / 2, c = strcmp(kernels[sorted[mid]].name, name);
    if (!c) return sorted[mid];
    if (c < 0) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

long long params_field_int(const param_field *f, const void *params, int i) {
  const char *p = (const char *)params + f->offset;
  switch (f->kind) {
  case PK_I64: return ((const int64_t *)(const void *)p)[i];
  case PK_I32:
  case PK_ENUM: return ((const int32_t *)(const void *)p)[i];
  case PK_F32: return (long long)((const float *)(const void *)p)[i];
  }
  return 0;
}

double params_field_float(const param_field *f, const void *params, int i) {
  const char *p = (const char *)params + f->offset;
  return f->kind == PK_F32 ? ((const float *)(const void *)p)[i] : (double)params_field_int(f, params, i);
}

const param_field *params_field_at(const params_desc *d, size_t off, int *index) {
  int k;
  for (k = 0; k < d->n_fields; k++) {
    const param_field *f = &d->fields[k];
    size_t w = f->kind == PK_I64 ? 8 : 4, n = f->count ? (size_t)f->count : 1;
    if (off >= f->offset && off < f->offset + n * w && (off - f->offset) % w == 0) {
      *index = (int)((off - f->offset) / w);
      return f;
    }
  }
  return NULL;
}

static void print_element(text *w, const param_field *f, const void *params, int i) {
  long long v;
  switch (f->kind) {
  case PK_F32: text_f32(w, (float)params_field_float(f, params, i)); return;
  case PK_I64: text_i64(w, params_field_int(f, params, i)); return;
  case PK_I32: text_printf(w, "%lld", params_field_int(f, params, i)); return;
  case PK_ENUM:
    v = params_field_int(f, params, i);
    if (v >= 0 && v < f->n_enum) text_printf(w, "%s%s", f->enum_prefix, f->enum_names[v]);
    else text_printf(w, "%lld", v); /* not a name of the list: the compiler's bug, shown as is */
    return;
  }
}

static int element_is_zero(const param_field *f, const void *params, int i) {
  if (f->kind == PK_F32) {
    double x = params_field_float(f, params, i);
    return x == 0.0 && !signbit(x);
  }
  return params_field_int(f, params, i) == 0;
}

void params_print(text *w, const params_desc *d, const void *params) {
  int k, i, last;
  for (k = 0; k < d->n_fields; k++) {
    const param_field *f = &d->fields[k];
    if (!f->count) {
      text_printf(w, ".%s = ", f->name);
      print_element(w, f, params, 0);
      text_puts(w, ", ");
      continue;
    }
    for (last = f->count; last > 0 && element_is_zero(f, params, last - 1); last--) {
    }
    if (!last) continue; /* all zero: implied */
    text_printf(w, ".%s = {", f->name);
    for (i = 0; i < last; i++) {
      if (i) text_puts(w, ", ");
      print_element(w, f, params, i);
    }
    text_puts(w, "}, ");
  }
}
