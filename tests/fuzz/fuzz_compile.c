/* libFuzzer harness: the fuzzer's bytes are a model file, run through the
 * whole compiler (load, passes, plan, weights, C emitters) in memory.
 * Any input must end in ST_OK or an error status; a crash, a sanitizer
 * report, a leak, an abort (xmalloc's out of memory included) or a hang is
 * a bug. Nothing is written to disk. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../codegen/c/emit_c.h"
#include "../../compiler/compile.h"
#include "../../compiler/pb_depth.h"
#include "onnx.pb-c.h"

/* Folding budgets far below the defaults, so one input cannot take the
 * fuzzer's memory (-rss_limit_mb) by folding legitimately. */
#define FUZZ_FOLD_MAX_TENSOR (64ll << 20)
#define FUZZ_FOLD_MAX_TOTAL (256ll << 20)
/* Weights up to this size are also emitted as a C array (--embed-weights). */
#define FUZZ_EMBED_MAX (1u << 20)

/* An empty folder of our own: model_path lies in it, so a tensor's
 * external data (looked up beside the model) finds nothing to read. */
static char model_dir[] = "/tmp/onnxcc-fuzz-XXXXXX";
static char model_path[sizeof model_dir + 16];

static void remove_dir(void) { rmdir(model_dir); }

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  if (!mkdtemp(model_dir)) {
    perror("onnxcc fuzz: mkdtemp");
    abort();
  }
  snprintf(model_path, sizeof model_path, "%s/fuzz.onnx", model_dir);
  atexit(remove_dir);
  diag_set_quiet(1);
  return 0;
}

static void add_dim_pin(compile_options *o, const char *name) {
  int i;
  if (!name || !*name || o->n_dims >= OPT_MAX_PINS) return;
  for (i = 0; i < o->n_dims; i++)
    if (strcmp(o->dims[i].name, name) == 0) return;
  o->dims[o->n_dims].name = name;
  o->dims[o->n_dims].dims[0] = 1;
  o->n_dims++;
}

/* Pins every symbolic dim of the graph inputs to 1, like `--dim NAME=1`,
 * so models with a batch dim get past loading. The names point into `m`,
 * which the caller frees after compiling. */
static void pin_symbolic_dims(compile_options *o, const Onnx__ModelProto *m) {
  size_t i, k;
  if (!m->graph) return;
  for (i = 0; i < m->graph->n_input; i++) {
    const Onnx__ValueInfoProto *vi = m->graph->input[i];
    const Onnx__TypeProto *tp = vi ? vi->type : NULL;
    const Onnx__TensorShapeProto *sh;
    if (!tp || tp->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE || !tp->tensor_type) continue;
    sh = tp->tensor_type->shape;
    for (k = 0; sh && k < sh->n_dim; k++)
      if (sh->dim[k]->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM)
        add_dim_pin(o, sh->dim[k]->dim_param);
  }
}

static void emit(const compiled *c, int embed) {
  backend_emit_args a;
  text h, src;
  memset(&a, 0, sizeof a);
  a.g = c->g;
  a.p = &c->p;
  a.weights = &c->weights;
  a.name = "fuzz";
  a.out_path = "fuzz.c";
  a.header_path = "fuzz.h";
  a.model_path = model_path;
  a.embed_weights = embed;
  text_init(&h);
  text_init(&src);
  emit_c_header(&a, &h);
  emit_c_source(&a, &src);
  text_free(&h);
  text_free(&src);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  compile_options o;
  Onnx__ModelProto *m = NULL;
  compiled c;
  memset(&o, 0, sizeof o);
  o.model_path = model_path;
  o.model_data = data;
  o.model_size = size;
  o.name = "fuzz";
  o.opt_level = 1;
  o.fold_max_tensor = FUZZ_FOLD_MAX_TENSOR;
  o.fold_max_total = FUZZ_FOLD_MAX_TOTAL;
  /* The pre-parse for the pins must not recurse deeper than the loader
   * allows, or it would be the stack overflow the loader guards against. */
  if (size && !pb_depth_exceeds(data, size, PB_MAX_DEPTH)) {
    m = onnx__model_proto__unpack(NULL, size, data);
    if (m) pin_symbolic_dims(&o, m);
  }
  if (compile_graph(&o, NULL, &c) == ST_OK) {
    emit(&c, 0);
    if (c.weights.size <= FUZZ_EMBED_MAX) emit(&c, 1);
  }
  compiled_free(&c);
  if (m) onnx__model_proto__free_unpacked(m, NULL);
  return 0;
}
