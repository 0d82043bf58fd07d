#include "run_profile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../codegen/c/emit_profile.h"

void run_json_string(text *j, const char *s) {
  text_puts(j, "\"");
  for (; *s; s++) {
    if (*s == '"' || *s == '\\') text_printf(j, "\\%c", *s);
    else if ((unsigned char)*s < 32) text_printf(j, "\\u%04x", (unsigned char)*s);
    else text_printf(j, "%c", *s);
  }
  text_puts(j, "\"");
}

/* One profiled node: which graph node, its times over the runs, and in a
 * --threads model the medians of its tasks' time on the thread running
 * the model and on the others (splits). */
typedef struct prof_row {
  int node;
  double median_ms, mean_ms, min_ms;
  double own_ms, others_ms;
} prof_row;

/* One op type of the summary: its nodes' times added. */
typedef struct prof_op {
  const char *op;
  int nodes;
  double median_ms, mean_ms;
} prof_op;

static int by_time(const void *a, const void *b) {
  const prof_row *x = a, *y = b;
  if (x->median_ms != y->median_ms) return x->median_ms < y->median_ms ? 1 : -1;
  return (x->node > y->node) - (x->node < y->node); /* ties in the order they run */
}

static int op_by_time(const void *a, const void *b) {
  const prof_op *x = a, *y = b;
  if (x->median_ms != y->median_ms) return x->median_ms < y->median_ms ? 1 : -1;
  return strcmp(x->op, y->op);
}

/* The driver's lines into rows (in the order the nodes run) and its mean
 * run; ST_INTERNAL, said, when they are missing or do not match the
 * graph. */
static status read_rows(const char *log, const compiled *c, prof_row *rows, int n, double *run_mean_ms,
                        int splits) {
  const char *at = log ? strstr(log, "ONNXCC_PROFILE ") : NULL;
  const int want = splits ? 6 : 4; /* the numbers in a node's line */
  int nodes = -1, runs = 0, i, k = 0;
  if (!at || sscanf(at, "ONNXCC_PROFILE %d %d %lf", &nodes, &runs, run_mean_ms) != 3 || nodes != n)
    return diag_error(ST_INTERNAL, "the profiled model printed %s (expected %d nodes):\n%s",
                      at ? "another node count" : "no profile", n, log ? log : "");
  for (i = 0; i < c->g->n_nodes; i++) {
    int index;
    if (!emit_profile_has_node(c->g, &c->p, i)) continue;
    at = strstr(at + 1, "ONNXCC_NODE ");
    if (!at ||
        sscanf(at, "ONNXCC_NODE %d %lf %lf %lf %lf %lf", &index, &rows[k].median_ms, &rows[k].mean_ms,
               &rows[k].min_ms, &rows[k].own_ms, &rows[k].others_ms) != want ||
        index != k)
      return diag_error(ST_INTERNAL, "the profiled model's line for node %d is missing or malformed:\n%s", k, log);
    rows[k++].node = i;
  }
  return ST_OK;
}

static double percent(double part, double whole) { return whole > 0 ? 100.0 * part / whole : 0; }

/* Two statistics, because the machine may be busy: the median of each
 * node's times is what a quiet run of it takes, and sorts the table; the
 * means add up (the nodes' means and the time outside them make the mean
 * run), so the shares are of those. On a quiet machine the two agree. */
static void print_table(const compiled *c, prof_row *rows, int n, double run_median_ms, double run_mean_ms,
                        int splits) {
  const ir_graph *g = c->g;
  prof_op *ops = xcalloc((size_t)n + 1, sizeof(prof_op));
  double median_sum = 0, mean_sum = 0, cum = 0;
  int i, k, n_ops = 0;
  for (i = 0; i < n; i++) median_sum += rows[i].median_ms, mean_sum += rows[i].mean_ms;
  fprintf(stderr, "onnxcc: profile of %d node%s: %.4f ms of the mean run of %.4f ms (%.1f%%; the rest is outside "
          "them: input checks, output copies, the hooks); their medians add up to %.4f ms, the median run takes "
          "%.4f ms\n", n, n == 1 ? "" : "s", mean_sum, run_mean_ms, percent(mean_sum, run_mean_ms), median_sum,
          run_median_ms);
  fprintf(stderr, "%5s %10s %10s %7s %7s  %-22s %-30s %s%s\n", "rank", "median ms", "mean ms", "% mean", "cum %", "op",
          "kernel", splits ? "   own ms other ms " : "", "node");
  qsort(rows, (size_t)n, sizeof *rows, by_time);
  for (i = 0; i < n; i++) {
    const ir_node *nd = g->nodes[rows[i].node];
    cum += rows[i].mean_ms;
    fprintf(stderr, "%5d %10.4f %10.4f %6.1f%% %6.1f%%  %-22s %-30s ", i + 1, rows[i].median_ms, rows[i].mean_ms,
            percent(rows[i].mean_ms, run_mean_ms), percent(cum, run_mean_ms), nd->op_type,
            emit_profile_kernel(g, &c->p, rows[i].node));
    /* a split node's task time on the thread running the model and on the others together */
    if (splits && rows[i].others_ms > 0) fprintf(stderr, "%9.4f %8.4f ", rows[i].own_ms, rows[i].others_ms);
    else if (splits) fprintf(stderr, "%9s %8s ", "-", "-");
    fprintf(stderr, "%s\n", nd->name);
    for (k = 0; k < n_ops && strcmp(ops[k].op, nd->op_type); k++) {}
    if (k == n_ops) ops[n_ops++].op = nd->op_type;
    ops[k].nodes++;
    ops[k].median_ms += rows[i].median_ms;
    ops[k].mean_ms += rows[i].mean_ms;
  }
  qsort(ops, (size_t)n_ops, sizeof *ops, op_by_time);
  fprintf(stderr, "by op type:\n%-22s %6s %10s %10s %7s\n", "op", "nodes", "median ms", "mean ms", "% mean");
  for (k = 0; k < n_ops; k++)
    fprintf(stderr, "%-22s %6d %10.4f %10.4f %6.1f%%\n", ops[k].op, ops[k].nodes, ops[k].median_ms, ops[k].mean_ms,
            percent(ops[k].mean_ms, run_mean_ms));
  fprintf(stderr, "%-22s %6s %10s %10.4f %6.1f%%\n", "(outside the nodes)", "", "", run_mean_ms - mean_sum,
          percent(run_mean_ms - mean_sum, run_mean_ms));
  free(ops);
}

static void add_json(const compiled *c, const prof_row *rows, int n, double run_mean_ms, int splits, text *json) {
  int i;
  text_printf(json, ", \"mean_ms\": %.4f, \"profile\": [", run_mean_ms);
  for (i = 0; i < n; i++) {
    const ir_node *nd = c->g->nodes[rows[i].node];
    text_puts(json, i ? ", {\"node\": " : "{\"node\": ");
    run_json_string(json, nd->name);
    text_puts(json, ", \"op\": ");
    run_json_string(json, nd->op_type);
    text_puts(json, ", \"kernel\": ");
    run_json_string(json, emit_profile_kernel(c->g, &c->p, rows[i].node));
    text_printf(json, ", \"median_ms\": %.6f, \"mean_ms\": %.6f, \"min_ms\": %.6f", rows[i].median_ms,
                rows[i].mean_ms, rows[i].min_ms);
    if (splits) text_printf(json, ", \"own_ms\": %.6f, \"others_ms\": %.6f", rows[i].own_ms, rows[i].others_ms);
    text_puts(json, "}");
  }
  text_puts(json, "]");
}

status run_profile_report(const char *log, const compiled *c, double run_median_ms, int splits, text *json) {
  int n = emit_profile_count(c->g, &c->p);
  prof_row *rows = xcalloc((size_t)n + 1, sizeof(prof_row));
  double run_mean_ms = 0;
  status s = read_rows(log, c, rows, n, &run_mean_ms, splits);
  if (!s) {
    add_json(c, rows, n, run_mean_ms, splits, json); /* in the order they run, before the table sorts them */
    print_table(c, rows, n, run_median_ms, run_mean_ms, splits);
  }
  free(rows);
  return s;
}
