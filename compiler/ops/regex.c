/* RegexFullMatch (opset 20): bool per string, whether the whole string
 * matches the pattern. The pattern is compiled here, once, into the
 * program the kernel runs (regex_compile.c, kernels/regex.h); a pattern
 * outside the supported subset is refused naming the node and the
 * construct. */
#include <stdio.h>
#include <string.h>

#include "../../runtime/include/onnxcc/kernels/regex.h"
#include "ops.h"
#include "regex_compile.h"

/* The node's program, or a refusal naming what in the pattern is wrong. */
static status regex_program(op_ctx *c, rx_program *prog) {
  const char *pattern = attr_string(c->n, "pattern", NULL);
  char err[200];
  if (!pattern) return diag_node_error(ST_BAD_MODEL, c->n, "missing attribute 'pattern'");
  if (rx_compile(pattern, prog, err, sizeof err) != 0)
    return diag_node_error(ST_UNSUPPORTED, c->n, "pattern: %s", err);
  return ST_OK;
}

static status regex_infer(op_ctx *c) {
  const ir_tensor *x;
  rx_program prog;
  status s;
  int dims[IR_MAX_RANK], r;
  OP_REQUIRE_INPUT(c, 0);
  x = &op_in(c, 0)->t;
  if (x->dtype != DT_STRING)
    return diag_node_error(ST_BAD_MODEL, c->n, "X is %s; RegexFullMatch takes strings", dtype_name(x->dtype));
  if ((s = regex_program(c, &prog)) != ST_OK) return s;
  rx_program_free(&prog);
  for (r = 0; r < x->rank; r++) dims[r] = ir_dim(c->g, x, r);
  op_set_output_exprs(c, 0, DT_BOOL, x->rank, dims);
  return ST_OK;
}

static status regex_lower(op_ctx *c, lowered *l) {
  const ir_tensor *x = &op_in(c, 0)->t;
  rt_regex_params *p;
  rx_program prog;
  status s;
  if (!c->final)
    return diag_node_error(ST_UNSUPPORTED, c->n, "onnxcc does not evaluate RegexFullMatch at compile time");
  p = op_lower_as(c, l, PD_rt_regex_params, "rt_regex_full_match");
  if (!p) return ST_UNSUPPORTED;
  if ((s = regex_program(c, &prog)) != ST_OK) return s;
  p->slot = (int64_t)dtype_size(DT_STRING);
  p->n_inst = prog.n_inst;
  op_bind_product(c, l, &p->count, x, 0, x->rank);
  memcpy(op_add_table(c, "regex_program", DT_INT32, prog.n_words, 1), prog.words,
         sizeof(int32_t) * (size_t)prog.n_words);
  l->scratch_bytes = (size_t)RT_RX_SCRATCH(prog.n_inst);
  rx_program_free(&prog);
  return ST_OK;
}

const op_family op_family_regex = {regex_infer, regex_lower, 1, 0};
