/* The intermediate representation: a graph of values and nodes.
 *
 * Everything after the loader sees only this. Values and nodes are
 * individually allocated, so pointers to them stay valid while the graph
 * grows; graph lists refer to them by index. Nodes are kept in topological
 * order (the loader sorts them, passes keep the order). */
#ifndef ONNXCC_IR_H
#define ONNXCC_IR_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"

#define IR_MAX_RANK 8

/* ONNX element types (same numbers as TensorProto.DataType): name,
 * number, bytes per element in memory, name in messages, C type.
 * float8 elements (float8e8m0 too) are one byte each (their bit pattern).
 * The sub-byte types (int4, uint4, float4e2m1: 4 bits; int2, uint2: 2
 * bits) are one byte each too, unpacked (int4 and int2 sign-extended into
 * an int8_t, float4e2m1 its bit pattern): TensorProto packs them two or
 * four to a byte, lowest bits first, and tensor_pb.c unpacks and packs at
 * that boundary (docs/design.md, "Element types"), so every kernel and the
 * planner index them like bytes. A
 * string is a fixed-size slot whose size the compilation chooses (its 0
 * here is never read: dtype_size; docs/design.md, "String tensors"). */
#define IR_DTYPES(X)                    \
  X(FLOAT, 1, 4, "float", "float")      \
  X(UINT8, 2, 1, "uint8", "uint8_t")    \
  X(INT8, 3, 1, "int8", "int8_t")       \
  X(UINT16, 4, 2, "uint16", "uint16_t") \
  X(INT16, 5, 2, "int16", "int16_t")    \
  X(INT32, 6, 4, "int32", "int32_t")    \
  X(INT64, 7, 8, "int64", "int64_t")    \
  X(STRING, 8, 0, "string", "slot")     \
  X(BOOL, 9, 1, "bool", "uint8_t")      \
  X(FLOAT16, 10, 2, "float16", "uint16_t") \
  X(DOUBLE, 11, 8, "double", "double")  \
  X(UINT32, 12, 4, "uint32", "uint32_t") \
  X(UINT64, 13, 8, "uint64", "uint64_t") \
  X(BFLOAT16, 16, 2, "bfloat16", "uint16_t") \
  X(FLOAT8E4M3FN, 17, 1, "float8e4m3fn", "uint8_t") \
  X(FLOAT8E4M3FNUZ, 18, 1, "float8e4m3fnuz", "uint8_t") \
  X(FLOAT8E5M2, 19, 1, "float8e5m2", "uint8_t") \
  X(FLOAT8E5M2FNUZ, 20, 1, "float8e5m2fnuz", "uint8_t") \
  X(UINT4, 21, 1, "uint4", "uint8_t") \
  X(INT4, 22, 1, "int4", "int8_t") \
  X(FLOAT4E2M1, 23, 1, "float4e2m1", "uint8_t") \
  X(FLOAT8E8M0, 24, 1, "float8e8m0", "uint8_t") \
  X(UINT2, 25, 1, "uint2", "uint8_t") \
  X(INT2, 26, 1, "int2", "int8_t")

#define IR_DTYPE_ENUM(name, num, size, text, ctype) DT_##name = num,
typedef enum ir_dtype { DT_UNDEFINED = 0, IR_DTYPES(IR_DTYPE_ENUM) } ir_dtype;
#undef IR_DTYPE_ENUM

/* Bytes per element; 0 for unknown types. A string is a slot of
 * RT_STRING_SLOT(max) bytes (runtime/include/onnxcc/strings.h), max being
 * the compilation's --max-string-bytes. */
size_t dtype_size(int dtype);
/* Sets the longest string of the compilation: once, from the options,
 * before the model is loaded (compile_graph). It is process-wide state,
 * like the rest of a compilation's settings read through dtype_size: one
 * compilation at a time per process (the CLI and the tests are
 * single-threaded). */
#define IR_MAX_STRING_BYTES_DEFAULT 64
/* The least --max-string-bytes: every number Cast writes as text fits. */
#define IR_MIN_STRING_BYTES 32
#define IR_MAX_STRING_BYTES_LIMIT (1 << 20) /* the CLI's check (main.c says both) */
void dtype_set_max_string_bytes(size_t max);
size_t dtype_max_string_bytes(void);
const char *dtype_name(int dtype);
/* The groups below leave out float8, float4 and the 2- and 4-bit integers:
 * ops taking "a float" or "an integer" have no kernels for those, and
 * callers that take them (Cast, quantization) name them (dtype_is_float8,
 * dtype_packed_bits). */
int dtype_is_float(int dtype);   /* float, double, float16, bfloat16 */
int dtype_is_signed_int(int dtype);
int dtype_is_unsigned_int(int dtype); /* includes bool */
int dtype_is_float8(int dtype);  /* the four float8 types of opset 19 (not float8e8m0) */
/* Bits per element where a TensorProto packs several to a byte: 4 (int4,
 * uint4, float4e2m1), 2 (int2, uint2); 0 for every other type. */
int dtype_packed_bits(int dtype);

/* A tensor's type, shape and (for constants) contents.
 *
 * A dim is either exact (sym[d] == 0, the value is dims[d]) or symbolic:
 * sym[d] is 1 + the id of an expression in the compilation's dim table
 * (dimexpr.h, ir_dx) and dims[d] is its upper bound. Code that only needs
 * sizes (the planner, buffer checks) reads dims[] and gets the bounds;
 * code that fills kernel parameters reads the expressions (ir_dim). */
typedef struct ir_tensor {
  int dtype;
  int rank;                     /* -1: not inferred yet */
  int64_t dims[IR_MAX_RANK];
  int sym[IR_MAX_RANK];
  void *data;                   /* constant contents (owned), or NULL */
} ir_tensor;

/* Whether any dim of t is symbolic. */
int tensor_is_symbolic(const ir_tensor *t);

/* Element and byte counts. Every tensor in the graph has a shape that
 * passed ir_shape_check (the loader and the infer pass make sure), so these
 * cannot overflow there; on a shape that did not pass they saturate at
 * INT64_MAX / SIZE_MAX rather than wrap. */
int64_t tensor_numel(const ir_tensor *t);
size_t tensor_bytes(const ir_tensor *t);
/* Whether a shape is acceptable anywhere in the compiler: rank 0..8, every
 * dim >= 0, and the product of the dims (zeros counted as ones, so that no
 * partial product of the dims can overflow either) times the element size
 * at most CK_MAX_TENSOR_BYTES. *bytes gets the tensor's real size. */
int ir_shape_check(int dtype, int rank, const int64_t *dims, int64_t *bytes);

struct ir_node;
struct ir_value;
/* ST_OK if value v (an output of node n) has a shape that passes
 * ir_shape_check; else reports it, naming the node, and returns ST_BAD_MODEL. */
status ir_check_output_shape(const struct ir_node *n, const struct ir_value *v);
/* "float[1,3,224,224]" into buf. */
const char *tensor_type_str(const ir_tensor *t, char *buf, size_t n);
/* Element i of a constant integer tensor (any integer dtype) as int64;
 * floats are truncated and clamped to the int64 range (NaN gives 0). An
 * index outside the tensor gives 0: callers check counts first, this only
 * keeps a missed check from reading out of bounds. */
int64_t tensor_int(const ir_tensor *t, int64_t i);
/* Element i of a constant numeric tensor as double (0 outside the tensor). */
double tensor_double(const ir_tensor *t, int64_t i);

/* How a quantized value's integers map to reals: real = (q - zero_point) *
 * scale, for the whole tensor (axis -1, n 1) or per slice along `axis`
 * (n = dims[axis]). Kernels receive it through their params
 * (RT_QUANT_FIELDS, params.h) and, per axis, as an extra input. */
typedef struct ir_quant {
  int axis;
  int n;
  float *scale;        /* n values (owned) */
  int32_t *zero_point; /* n values (owned) */
} ir_quant;

/* What a value holds: a tensor, or a "boxed" value: a sequence of
 * tensors, an optional tensor or an optional sequence. A boxed value lives
 * in memory as one box (layout in runtime/include/onnxcc/box.h): a header
 * (whether it is present, how many elements it holds) and `cap` records,
 * each the element's dims and its data, dense at those dims. Its `t` is
 * that box as bytes (uint8[box bytes]), so the planner, views and copies
 * need no special case; `box` says what is in it. */
typedef enum ir_kind {
  VK_TENSOR = 0,
  VK_SEQUENCE = 1,
  VK_OPTIONAL = 2,          /* an optional tensor (cap 1) */
  VK_OPTIONAL_SEQUENCE = 3  /* an optional sequence */
} ir_kind;

typedef struct ir_box_type {
  int kind;                 /* ir_kind; VK_TENSOR: not boxed */
  int64_t cap;              /* most elements it can hold */
  /* The elements' type: dtype, rank, and per dim: exact; or a dim
   * expression over input dims (sym, fixed for the whole run), the same
   * for every element; or, where var[d] is set, a size that differs from
   * element to element (each record holds its own), at most dims[d].
   * With cap 0 (always empty, SequenceEmpty) rank is -1: no type yet.
   * With var_rank the elements' ranks differ too (a loop that appends
   * slices to a sequence that began with a scalar): rank is the largest,
   * every dim is per-element, each record holds its own rank (box.h), and
   * dims[d] bounds dim d of every element that has one (at least 1, so the
   * product bounds every element's size). Only ops that move whole
   * elements take such a box; reading one out as a tensor is refused. */
  ir_tensor elem;
  unsigned char var[IR_MAX_RANK];
  unsigned char var_rank;
} ir_box_type;

/* The keys of the maps a graph output holds, when ONNX declares it a
 * sequence of maps (ZipMap's output): the value itself is the dense
 * tensor of the maps' values, one row per map, one column per key, and
 * every map has these keys in this order (docs/api.md, "Map outputs"). */
typedef struct ir_map_keys {
  int key_dtype;     /* DT_INT64 or DT_STRING */
  int64_t n;
  int64_t *ints;     /* n keys, for DT_INT64 */
  char **strs;       /* n keys, for DT_STRING */
} ir_map_keys;

void ir_map_keys_free(ir_map_keys *k);

typedef struct ir_value {
  char *name;
  ir_tensor t;
  char *dim_param[IR_MAX_RANK]; /* symbolic dim names of graph inputs */
  int producer;                 /* index of producing node, -1 if none */
  int graph_input;              /* index in graph inputs, or -1 */
  int uses;                     /* consumer count, kept by ir_count_uses */
  int64_t offset;               /* planner: arena or weight offset */
  int folded;                   /* data came from constant folding */
  /* In a subgraph: this value stands for a value of an enclosing graph
   * (a body reads an outer name). It is one of the subgraph's inputs, and
   * `capture` is the index of the owner node's input that carries the
   * outer value; -1 for every other value. */
  int capture;
  ir_quant *quant;              /* NULL unless the value is quantized */
  /* A small integer tensor whose values are dims known only at run time
   * (Shape of a tensor with symbolic dims, and what Gather, Concat, ...
   * make of it): one dim expression (dimexpr.h) per element, row-major;
   * NULL otherwise. The tensor's own shape is exact, it has no data, and
   * its nodes still run (they compute the same values); consumers that
   * need a shape read the expressions (op_const_exprs). */
  int *symvals;
  ir_box_type box;              /* what a boxed value holds; kind 0: a tensor */
  /* An If output whose branches give the same dims but one of them with
   * fewer leading 1s (a scalar against [1]): t has the larger rank, and
   * the value may really have rank_pad dims fewer. Only consumers whose
   * result cannot tell (broadcasting ops where another input has at least
   * t's rank) may read it. */
  int rank_pad;
  /* A graph output ONNX declares as sequence(map(K, float)): K's element
   * type from the load; 0 otherwise. */
  int map_key_dtype;
  ir_map_keys *map_keys;        /* its keys, set by the op that makes it (ZipMap) */
  /* A graph input ONNX declares as map(K, V): this value holds its keys
   * (K [n]), and value map_values - 1 its values (V [n]), the next graph
   * input; 0 for every other value. */
  int map_values;
} ir_value;

#define IR_ATTR_TYPES(X) \
  X(FLOAT, 1) X(INT, 2) X(STRING, 3) X(TENSOR, 4) X(GRAPH, 5) X(FLOATS, 6) \
  X(INTS, 7) X(STRINGS, 8) X(TENSORS, 9) X(GRAPHS, 10) X(SPARSE_TENSOR, 11) \
  X(TYPE_PROTO, 13)

#define IR_ATTR_ENUM(name, num) ATTR_##name = num,
typedef enum ir_attr_type { ATTR_UNDEFINED = 0, IR_ATTR_TYPES(IR_ATTR_ENUM) } ir_attr_type;
#undef IR_ATTR_ENUM

typedef struct ir_attr {
  char *name;
  int type;          /* ir_attr_type */
  float f;
  int64_t i;
  char *s;           /* STRING (NUL-terminated) */
  int n;             /* element count of ints / floats / strings */
  int64_t *ints;
  float *floats;
  char **strings;
  ir_tensor tensor;  /* TENSOR */
  struct ir_graph *graph; /* GRAPH (owned): a subgraph, e.g. If's then_branch */
  /* TYPE_PROTO (Optional's `type`): the kind (ir_kind) and element dtype */
  int type_kind, type_dtype;
} ir_attr;

typedef struct ir_node {
  char *name;
  char *op_type;
  char *domain;       /* "" for the default ONNX domain */
  int op;             /* index into the op table, -1 if unknown */
  int n_in, n_out;
  int *in;            /* value indices; -1 marks an absent optional input */
  int *out;
  int n_attr;
  ir_attr *attr;
  /* The last n_implicit inputs were added by the loader: outer values the
   * node's subgraphs read (ir_value.capture points at them), or a map
   * input's values (load.c's map_reader). They keep lifetimes, order and
   * use counts right without a special case. */
  int n_implicit;
  int dead;           /* marked for removal by a pass */
  /* Pairs of dim expressions (dimexpr.h) that inference could not prove
   * equal but the node needs equal (op_check_equal): the generated code
   * compares them before the node runs and returns RT_ERR_SHAPE if they
   * differ. */
  int *checks;
  int n_checks;
  struct lowered *low;/* set by the lower pass (lowered.h): kernel and params */
} ir_node;

typedef struct ir_graph {
  ir_value **values;
  int n_values, cap_values;
  ir_node **nodes;
  int n_nodes, cap_nodes;
  int *inputs;        /* runtime inputs (initializers excluded); in a
                         subgraph, its formal inputs then its captures */
  int n_inputs;
  int n_formal_inputs; /* inputs the graph declares (all, in the main graph) */
  /* A subgraph's enclosing graph and the node whose attribute holds it;
   * NULL for the main graph. */
  struct ir_graph *parent;
  struct ir_node *owner;
  int *outputs;
  int n_outputs;
  int64_t opset;      /* default-domain opset version */
  int64_t opset_ml;   /* ai.onnx.ml opset version; 0: not imported */
  int64_t opset_training; /* ai.onnx.preview.training opset version; 0: not imported */
  int64_t opset_preview; /* ai.onnx.preview opset version; 0: not imported */
  int64_t opset_ms;       /* com.microsoft (ONNX Runtime's contrib ops) version; 0: not imported */
  char *name;
  char *producer;
  /* Constant-folding budget (bytes): one folded tensor at most, and all
   * folded tensors alive at once; `fold_live` is what they hold now. */
  int64_t fold_max_tensor, fold_max_total, fold_live;
  /* compile_options.max_dynamic_dim (0: none) */
  int64_t max_dynamic_dim;
  /* compile_options.bare_metal */
  int bare_metal;
  /* compile_options.no_winograd */
  int no_winograd;
  /* --threads: the split kernels' task buffers' stride (rt_parallel.task_stride;
   * threads_size_scratch), 0 without threads */
  size_t task_stride;
  /* Set in infer (main graph only) when model inputs became values read
   * as dims (passes/symvals.c): the round stops and inference runs again. */
  int infer_again;
  /* The backend the graph is compiled for (backend.h); NULL: the default. */
  const struct backend *backend;
  /* The dim expressions of the whole compilation (dimexpr.h): owned by
   * the main graph, created on first use; subgraphs use their root's
   * (ir_dx). */
  struct dx_table *dx;
  /* name -> value index, open addressing */
  int *hash;
  int hash_cap;
} ir_graph;

ir_graph *ir_new(void);
void ir_free(ir_graph *g);

/* Looks up a value by name; -1 if absent. */
int ir_find(const ir_graph *g, const char *name);
/* Finds or creates the value `name`. */
int ir_value_get(ir_graph *g, const char *name);
/* Creates a fresh value with a unique name derived from `hint`. */
int ir_value_new(ir_graph *g, const char *hint);
static inline ir_value *ir_val(const ir_graph *g, int id) { return id >= 0 ? g->values[id] : 0; }

/* Defaults of the folding budget: enough for any shape computation and
 * for real weights that a model computes (VGG-19's 411 MB fc6 weight built
 * by ConstantOfShape in ONNX's own test models, a transposed embedding),
 * small enough that a hostile model cannot make the compiler hold more
 * than a couple of gigabytes. --fold-budget changes them; the fuzz
 * harness uses much less. */
#define IR_FOLD_MAX_TENSOR_DEFAULT ((int64_t)1 << 30)
#define IR_FOLD_MAX_TOTAL_DEFAULT ((int64_t)2 << 30)

/* Allocates zeroed data for a constant value of the shape it has, counted
 * against the folding budget. Returns 0 (allocating nothing) when the
 * tensor would exceed the budget. */
int ir_fold_alloc(ir_graph *g, ir_value *v);
/* Frees a constant value's data (returning folded bytes to the budget). */
void ir_free_data(ir_graph *g, ir_value *v);

/* Appends a node (the caller fills inputs, outputs and attributes). */
ir_node *ir_node_add(ir_graph *g, const char *name, const char *op_type, const char *domain);
/* Removes nodes marked dead and re-links producers. */
void ir_compact(ir_graph *g);
/* Recomputes value->producer and value->uses (graph outputs count as uses). */
void ir_count_uses(ir_graph *g);

/* Attribute lookup; NULL if absent. */
const ir_attr *ir_attr_find(const ir_node *n, const char *name);
/* Frees what attribute a owns (its name, values and subgraph); a pass
 * that drops an attribute from a node calls it. */
void ir_attr_free(ir_attr *a);
/* Appends an attribute `name` of `type`, every other field zero, to n and
 * returns it (valid until the next one is added). */
ir_attr *ir_attr_add(ir_node *n, const char *name, int type);

/* Replaces every use of value `from` (node inputs, graph outputs) by `to`. */
void ir_replace_uses(ir_graph *g, int from, int to);

/* Gives v a quantization of n (scale, zero point) pairs along axis (-1:
 * per tensor, n 1), replacing any it had. */
void ir_set_quant(ir_value *v, int axis, int n, const float *scale, const int32_t *zero_point);

/* The dim table of g's compilation (the main graph's; created on first
 * use). */
struct dx_table *ir_dx(const ir_graph *g);
/* Dim d of t as an expression id: a constant for an exact dim. */
int ir_dim(const ir_graph *g, const ir_tensor *t, int d);
/* Most elements a value with symvals may have. */
#define IR_SYMVALS_MAX 64
/* Gives v the n expressions `exprs` as its symvals (replacing any). */
void ir_set_symvals(ir_value *v, const int *exprs, int n);
/* Sets dim d of t to expression e: exact when e is a constant, else
 * symbolic with e's upper bound in dims[d]. */
void ir_set_dim(const ir_graph *g, ir_tensor *t, int d, int e);
/* The product of dims [from, to) of t as an expression. */
int ir_dims_product(const ir_graph *g, const ir_tensor *t, int from, int to);

/* Makes `t` hold a copy of `src` (data included). */
void tensor_copy(ir_tensor *t, const ir_tensor *src);

/* Prints the graph in a readable text form (for --dump-after). */
void ir_dump(const ir_graph *g, void *file);
/* The same, calling `note` after each node's line (the lowering). */
void ir_dump_with(const ir_graph *g, void *file, void (*note)(const ir_graph *g, const ir_node *n, void *file));

#endif
