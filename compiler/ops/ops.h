/* The op table and what each op family provides.
 *
 * ops.def lists every supported op once: OP(Name, family) for the default
 * ONNX domain, OPD(domain, Name, family) for another domain (domain is a
 * tag of OP_DOMAINS below: OPD(ml, Binarizer, ml)). It expands into the op
 * ids, the name, domain and handler tables below, and into the generated
 * docs/operators.md. An op of another domain has the id OP_domain_Name
 * (OP_ml_Binarizer), so it never collides with a default-domain op of the
 * same name. Each family lives in compiler/ops/FAMILY.c
 * and defines `const op_family op_family_FAMILY`. */
#ifndef ONNXCC_OPS_H
#define ONNXCC_OPS_H

#include <stddef.h>
#include <stdint.h>

#include "../../runtime/include/onnxcc/kernels.h"
#include "../diag.h"
#include "../ir.h"
#include "../kernel_table.h"
#include "../lowered.h"

/* The operator set domains onnxcc knows, X(tag, name): the tag names the
 * domain in ops.def and in OP_DOMAIN_tag; the first is the default domain
 * (which a node also names as "ai.onnx"). Each has its own opset version
 * per model (op_graph_opset). "ms" is ONNX Runtime's contrib domain, for
 * the quantized ops its quantizer writes (msquant.c). The last, "onnxcc", holds the compiler's own
 * ops that passes make from patterns (fuse-silu's Silu): a model cannot
 * name them (op_lookup never finds them), passes set their op id. */
#define OP_DOMAINS(X) \
  X(onnx, "") X(ml, "ai.onnx.ml") X(training, "ai.onnx.preview.training") X(preview, "ai.onnx.preview") \
  X(ms, "com.microsoft") X(onnxcc, "onnxcc")
#define OP_DOMAIN_ID(tag, name) OP_DOMAIN_##tag,
enum op_domain { OP_DOMAINS(OP_DOMAIN_ID) OP_N_DOMAINS };
#undef OP_DOMAIN_ID

#define OP(name, family) OP_##name,
#define OPD(domain, name, family) OP_##domain##_##name,
enum op_id {
#include "ops.def"
  OP_COUNT
};
#undef OP
#undef OPD

/* Everything an op handler sees. */
typedef struct op_ctx {
  ir_graph *g;
  ir_node *n;
  int64_t opset;        /* the model's opset of the node's domain */
  /* 1 when the lower pass lowers the node for the generated code: lower
   * may then prepare constants in the layout its kernel wants (into the
   * blob, op_add_prepared). 0 when the constant folder lowers it to run
   * it once: no graph changes then. */
  int final;
} op_ctx;

typedef struct op_family {
  /* Checks attributes and input types, sets every output's dtype and shape.
   * Inputs' shapes are known; constant inputs have data. */
  status (*infer)(op_ctx *c);
  /* Chooses the kernel and fills its parameters. Output shapes are set. */
  status (*lower)(op_ctx *c, lowered *l);
  /* 1: infer computes symbolic output dims (ir_dim, op_set_output_exprs)
   * and lower fills every size field with op_bind*, so the family takes
   * inputs whose dims vary at run time. 0: the infer pass refuses such
   * inputs with a message naming the node. */
  int symbolic;
  /* 1: the family takes sequences and optionals (ir_box.h) where the op
   * does, and gives each output its kind; 0: the infer pass refuses them. */
  int boxed;
} op_family;

#define OP(name, family) extern const op_family op_family_##family;
#define OPD(domain, name, family) extern const op_family op_family_##family;
#include "ops.def"
#undef OP
#undef OPD

/* Op id for (domain, op_type), or -1. "" and "ai.onnx" both name the
 * default domain. */
int op_lookup(const char *domain, const char *op_type);
/* The domain id of a domain name (OP_DOMAIN_*), or -1 if onnxcc knows no
 * op of it. */
int op_domain_lookup(const char *domain);
/* The op's domain (OP_DOMAIN_*), and that domain's name ("" for the
 * default one). */
int op_domain(int op);
const char *op_domain_name(int domain);
/* The model's opset version of a domain (0 if the model does not import
 * it), and that of node n's own domain: what its handlers and its schema
 * check go by. */
int64_t op_graph_opset(const ir_graph *g, int domain);
int64_t op_node_opset(const ir_graph *g, const ir_node *n);
/* The op's type name without its domain ("Binarizer"). */
const char *op_name(int op);
const char *op_family_name(int op);
const op_family *op_handler(int op);

/* Whether op takes string tensors (strings.c): the infer pass refuses
 * string inputs and outputs of every other op, naming the node. */
int op_takes_strings(int op);
/* Lowers a broadcasting op on two string inputs to kernel `name`
 * (rt_strbinary_params: Equal, StringConcat). */
status op_lower_string_pair(op_ctx *c, lowered *l, const char *name);

/* ---- helpers for op handlers ---- */

/* Input/output i of the node, or NULL if absent or beyond the count. */
ir_value *op_in(const op_ctx *c, int i);
ir_value *op_out(const op_ctx *c, int i);
/* Input i must be present (else the model is invalid). */
#define OP_REQUIRE_INPUT(c, i)                                                           \
  do {                                                                                   \
    if (!op_in((c), (i)))                                                                \
      return diag_node_error(ST_BAD_MODEL, (c)->n, "input %d is required", (i));         \
  } while (0)

int64_t attr_int(const ir_node *n, const char *name, int64_t dflt);
float attr_float(const ir_node *n, const char *name, float dflt);
const char *attr_string(const ir_node *n, const char *name, const char *dflt);
/* Number of ints (and *out points at them), or -1 if absent. */
int attr_ints(const ir_node *n, const char *name, const int64_t **out);
int attr_floats(const ir_node *n, const char *name, const float **out);

/* A string attribute that must be one of `allowed` (n names); absent
 * means `dflt`. *index gets the position in `allowed`. A value outside
 * the list is an error naming the node, the attribute and the choices. */
status op_attr_enum(const op_ctx *c, const char *name, const char *dflt, const char *const *allowed, int n,
                    int *index);

/* Sets output i's type and shape. */
void op_set_output(op_ctx *c, int i, int dtype, int rank, const int64_t *dims);
/* Sets output i's type and shape from dim expressions (ir_dim). */
void op_set_output_exprs(op_ctx *c, int i, int dtype, int rank, const int *exprs);
/* Copies type and shape (symbolic dims included) of input `from` to output i. */
void op_same_as_input(op_ctx *c, int i, int from);
/* Output i becomes a sequence or optional of box type b; ST_OK, or an
 * error naming the node when the box is too large. */
status op_set_box_output(op_ctx *c, int i, const ir_box_type *b);
/* Dims a and b (expressions) must be equal for the node to make sense
 * (MatMul's inner dims, a -1 in Reshape dividing exactly): ST_OK when they
 * are the same expression; an error naming the node and `what` when both
 * are constants that differ; otherwise the node gets a run-time check
 * (RT_ERR_SHAPE before it runs). */
status op_check_equal(const op_ctx *c, int a, int b, const char *what);
/* The compilation's dim table (dimexpr.h). */
struct dx_table *op_dx(const op_ctx *c);

/* Normalises a possibly negative axis against rank; reports an error that
 * names the node when it is out of range. */
status op_axis(const op_ctx *c, int64_t axis, int rank, int *out);

/* numpy broadcasting of `n` shapes into dim expressions `exprs` (error if
 * incompatible): two dims broadcast when they are the same expression or
 * one is exactly 1. Two that inference cannot relate (N against S, S
 * against 4) must be equal at run time: the node gets a check
 * (op_check_equal), so a run where one of them is 1 and the other is not,
 * which ONNX would broadcast, fails with RT_ERR_SHAPE instead. */
status op_broadcast_exprs(const op_ctx *c, const ir_tensor *const *ins, int n, int *rank, int *exprs);
/* Row-major strides of a shape. */
void op_strides(int rank, const int64_t *dims, int64_t *strides);

/* Reads a constant integer input as a list (for shape-like inputs). Returns
 * the count; reports an error (and returns -1) if it is not constant. */
int op_const_ints(const op_ctx *c, int input, int64_t *out, int max, const char *what);

/* Like op_const_ints, as dim expressions: the input may be constant or
 * have symvals (dims known at run time). Returns the count, or -1 after
 * reporting (not known at compile time, or more than max values). */
int op_const_exprs(const op_ctx *c, int input, int *out, int max, const char *what);
/* Input `input` is read as dims but known only at run time: where it is
 * computed from small integer inputs of the model, asks for those to be
 * read as dims (symvals_request) so that the next round of inference sees
 * expressions shared with every other consumer. The caller goes on with
 * its own run-time dims for this round. */
void op_want_value_dims(const op_ctx *c, int input);

/* Starts a lowering to kernel `kernel` (enum kernel_id) with zeroed params
 * of params_size bytes, which must be the kernel's params struct; returns
 * the params. */
void *lowered_init(lowered *l, int kernel, size_t params_size);
/* The same for a kernel chosen by name ("rt_add_f32"): NULL, with an error
 * naming the node and the missing variant, when the runtime has no such
 * kernel (an op/dtype combination nobody wrote must not run silently). */
void *op_lower_named(const op_ctx *c, lowered *l, const char *kernel_name);

/* `ptype` documents the struct at the call; the result has the kernel's own
 * params type, so a mismatch does not compile. */
/* In the lower pass (c->final): a new constant of the given type and shape,
 * zero-filled, for the caller to fill and wire into the node in place of
 * an input (weights in a kernel's packed layout). Returns its value id. */
int op_add_prepared(op_ctx *c, const char *hint, int dtype, int rank, const int64_t *dims);
/* A 1-D constant of `count` elements (at least one) made by op_add_prepared
 * and wired into the node as input `slot` (-1: after the last; inputs
 * skipped on the way are absent); its data, for the caller to fill. How
 * attribute tables (ai.onnx.ml, TfIdfVectorizer) reach the weight blob. */
void *op_add_table(op_ctx *c, const char *hint, int dtype, int64_t count, int slot);

/* The element type's part of kernel names (f32, i64, bool: params.h
 * RT_TYPE_SUFFIXES), or the type's own name when no kernel name uses it
 * (the lookup then fails with a clear error). */
const char *op_dtype_suffix(int dtype);
/* op_lower_named with the name printf-formatted, and a check that the
 * kernel takes params type `params_id` (PD_rt_..._params): the result can
 * be cast to that struct. NULL after reporting. */
void *op_lower_as(const op_ctx *c, lowered *l, int params_id, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Fills the RT_QUANT_FIELDS of an operand from value v's quantization:
 * per tensor gives axis -1 and the pair; per axis gives the axis (the
 * kernel reads the pairs from extra inputs); no quantization gives axis
 * -1, scale 1, zero point 0. */
void op_quant_fields(const ir_value *v, int32_t *axis, float *scale, int32_t *zero_point);

/* ---- params fields from dim expressions ----
 * `field` points into l->params (after op_lower_as / LOWER). A constant
 * expression is stored; a symbolic one stores its upper bound and is
 * recorded in l->binds for the backend to set at run time. Int64 and
 * int32 fields are both accepted (the field table says which). */
void op_bind(const op_ctx *c, lowered *l, void *field, int expr);
/* ---- dims known only at run time (lowered.prepare) ----
 * In infer: a new symbol for dim k of what the node computes from input
 * values (its name derives from the node's first output, so a second
 * round of inference gets the same symbol), bounded by `bound` or, when
 * that is 0, by --max-dynamic-dim; -1 after an error naming the node and
 * the flag when there is no bound. */
int op_data_dim(const op_ctx *c, int k, int64_t bound, const char *what);
/* Whether expression e is the node's k-th run-time dim (op_data_dim). */
int op_is_data_dim(const op_ctx *c, int e, int k);
/* In lower: the prepare kernel (by name; its params type must be
 * params_id) and its params, zeroed; NULL after reporting. */
void *op_prepare_as(const op_ctx *c, lowered *l, int params_id, const char *name);
/* op_bind for a field of the prepare kernel's params. */
void op_bind_prepare(const op_ctx *c, lowered *l, void *field, int expr);
/* Appends symbol `expr` (from op_data_dim) to the dims the prepare kernel
 * writes, in order. */
status op_define(const op_ctx *c, lowered *l, int expr);
/* op_define for each dim of y that is one of the node's run-time dims
 * (numbered from 0 in y's order); *mask gets a bit per such dim, so that a
 * prepare kernel that computes all of y's dims knows which to write. */
status op_define_data_dims(const op_ctx *c, lowered *l, const ir_tensor *y, int32_t *mask);

/* field[d] = dim d of t, for d < t's rank. */
void op_bind_dims(const op_ctx *c, lowered *l, int64_t *field, const ir_tensor *t);
/* field = the product of t's dims [from, to). */
void op_bind_product(const op_ctx *c, lowered *l, void *field, const ir_tensor *t, int from, int to);
/* field[d] = the stride (in elements) of t read broadcast to out's shape:
 * 0 on broadcast dims (a dim of t that is exactly 1 where out's is not). */
void op_bind_broadcast_strides(const op_ctx *c, lowered *l, int64_t *field, const ir_tensor *t, const ir_tensor *out);
/* Whether two tensors have the same element type and the same dims
 * (symbolic ones by expression). */
int op_same_type_and_shape(const ir_tensor *a, const ir_tensor *b);

/* The float bounds Clip node c->n applies (unary.c): its min/max
 * attributes before opset 11, else its constant inputs 1 and 2; an absent
 * bound is an infinity. A bound input that is not a constant is left to
 * the caller (the kernel reads it at run time). */
void op_clip_float_bounds(const op_ctx *c, float *lo, float *hi);

/* The epilogue pass fuse-epilogue left on a Conv, Gemm or MatMul
 * (passes/fuse_epilogue.c), into a params struct's RT_EPILOGUE_FIELDS
 * (kernels/epilogue.h); all zero on a node it did not touch. */
status op_lower_epilogue(const op_ctx *c, int32_t *act, float *a, float *b, int32_t *has_residual);
#define OP_LOWER_EPILOGUE(c, p) op_lower_epilogue((c), &(p)->act, &(p)->act_a, &(p)->act_b, &(p)->has_residual)
/* A Conv's input scale from fuse-channel-scale: 0 none, else the params'
 * has_in_scale (fuse_channel_scale.c). */
int32_t op_lower_in_scale(const ir_node *n);
/* A BlockedConv's input map from fuse-input-bn into its params'
 * has_in_shift, in_act, in_act_a and in_act_b (all zero on a node it did
 * not touch); ST_INTERNAL when the map's constant at input 4 is not
 * 2 * in_ch floats (fuse_input_bn.c). */
status op_lower_in_shift(const op_ctx *c, int64_t in_ch, int32_t *has_shift, int32_t *act, float *a, float *b);

#define LOWER(l, kernel, ptype) \
  ((kparams_##kernel *)lowered_init((l), K_##kernel, sizeof(kparams_##kernel)))

#endif
