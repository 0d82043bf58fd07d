/* The onnxcc command line. The only place that exits. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "compile.h"
#include "info.h"
#include "llvm_backend.h"
#include "load.h"
#include "ops/ops.h"
#include "ops/schema_check.h"
#include "run.h"
#include "target.h"
#include "threads.h"

static const char usage_text[] =
    "usage:\n"
    "  onnxcc MODEL.onnx -o OUT.c [options]    compile to OUT.c, OUT.h, OUT.weights\n"
    "  onnxcc MODEL.onnx -o OUT.o [options]    compile with Clang to one object holding the model\n"
    "                                          and the kernels it uses, plus OUT.h, OUT.weights\n"
    "  onnxcc run MODEL.onnx [INPUT.pb ...] [options]\n"
    "                                          compile, build with $CC, run, time\n"
    "  onnxcc info MODEL.onnx [options]        shapes, ops per pass, params, MACs, arena\n"
    "  onnxcc ops [--markdown]                 list the supported ops\n"
    "\n"
    "compile options:\n"
    "  -o OUT.c              output source (OUT.h and OUT.weights go beside it)\n"
    "  --name NAME           symbol prefix (default: OUT's file name)\n"
    "  --embed-weights       put the weights in OUT.c as a const array\n"
    "  --weights-section NAME  with --embed-weights: place that array in linker section NAME\n"
    "  --dim NAME=VALUE      pin a symbolic dimension\n"
    "  --dim NAME=LO..HI     let it vary at run time between LO and HI (NAME_run_dims)\n"
    "  --max-dynamic-dim N   bound for dims computed from run-time values where the\n"
    "                        model gives none (Range's length, ConstantOfShape's dims)\n"
    "  --max-string-bytes N  longest string element the model holds (default 64, at least 32)\n"
    "  --shape INPUT=AxBxC   pin an input's whole shape\n"
    "  -O0, -O1              optimisation level (default -O1; for OUT.o: LLVM's -O1, -O3)\n"
    "  --threads N           split conv, Gemm, MatMul, element-wise, pooling and\n"
    "                        normalisation kernels across N threads\n"
    "                        (NAME_init_ex; default 1: one thread, no NAME_init_ex)\n"
    "  --no-winograd         sum 3x3 convs directly, not by Winograd's F(4x4, 3x3):\n"
    "                        the direct sum's rounding, a fourth of their weight bytes\n"
    "  --dump-after=PASS     print the graph after PASS (load, fuse-qdq, gradient, infer,\n"
    "                        elide, cse, lift-1d, fold-pad, matmul-add-gemm, transpose,\n"
    "                        fuse-conv-bn, fold-bn, fuse-silu, fuse-layernorm,\n"
    "                        fuse-epilogue, fuse-channel-scale, gather-channels,\n"
    "                        layout-nchwc, fuse-input-bn, dce, lower, all)\n"
    "  --fold-budget=SIZE    largest tensor constant folding may compute, e.g. 512M or 4G\n"
    "                        (default 1G; all folded tensors together: twice that, at least 2G)\n"
    "object options (-o OUT.o, needs Debian packages clang and llvm):\n"
    "  --target TRIPLE       build the object for TRIPLE (those of info --target below,\n"
    "                        or the host's as clang -dumpmachine spells it; default: the host)\n"
    "  --cpu CPU             tune for CPU: clang's -march= on x86, -mcpu= elsewhere;\n"
    "                        native on the host (default: the target's baseline)\n"
    "  --emit-llvm           write the optimised LLVM module instead: -o OUT.ll or OUT.bc\n"
    "info options:\n"
    "  --target TRIPLE       also flash and RAM for that target, measured by building the\n"
    "                        generated code and the runtime with its GCC at -Os\n"
    "                        (thumbv7em-none-eabihf or cortex-m4f, thumbv6m-none-eabi or\n"
    "                        cortex-m0plus, aarch64-linux-gnu, riscv64-linux-gnu, or the host's\n"
    "                        " ONNXCC_HOST_TRIPLE ")\n"
    "run options:\n"
    "  --output-dir DIR      write output_K.pb files there\n"
    "  --runs N              timed runs (default 1)\n"
    "  --warmup N            untimed runs first (default 0)\n"
    "  --seed S              seed for random inputs when no INPUT.pb is given (default 0)\n"
    "  --keep                keep the temporary build folder\n"
    "  --profile             time each node of the main graph over the timed runs: a table\n"
    "                        (nodes by time, then op types) on stderr, a \"profile\" array\n"
    "                        in the JSON line (not on a bare-metal --target)\n"
    "  --target TRIPLE       cross-build with TRIPLE-gcc and run under qemu user mode\n"
    "                        (aarch64-linux-gnu, riscv64-linux-gnu; default: this machine),\n"
    "                        or as a firmware image on qemu-system-arm's mps2-an386 board\n"
    "                        (cortex-m4f or thumbv7em-none-eabihf; not timed)\n"
    "  environment: CC       C compiler for run and its flags, split at blanks (default cc);\n"
    "                        the runtime is built from source for it, cached in\n"
    "                        $XDG_CACHE_HOME/onnxcc (default ~/.cache/onnxcc)\n"
    "\n"
    "exit codes: 0 ok, 1 bad model, unsupported feature or bad run input, 2 usage,\n"
    "            3 I/O, build or internal error\n";

static int usage_error(const char *fmt, const char *arg) {
  fputs("onnxcc: error: ", stderr);
  fprintf(stderr, fmt, arg);
  fputs("\n(see onnxcc --help)\n", stderr);
  return 2;
}

/* "N=5" (or a range "N=1..64") into a pin; "x=1x3x224x224" into a shape pin. On success the name
 * is cut out of argv in place (argv strings are writable and live until
 * exit); on failure argv is left whole for the error message. */
static int parse_pin(char *arg, pin *p, int is_shape) {
  char *eq = strrchr(arg, '='), *end;
  const char *q;
  if (!eq || eq == arg || !eq[1]) return 0;
  p->rank = 0;
  p->range = 0;
  if (!is_shape && strstr(eq + 1, "..")) {
    long long lo = strtoll(eq + 1, &end, 10), hi;
    if (end == eq + 1 || lo < 0 || strncmp(end, "..", 2) != 0) return 0;
    q = end + 2;
    hi = strtoll(q, &end, 10);
    if (end == q || *end || hi < lo || hi < 1) return 0;
    p->dims[0] = lo;
    p->dims[1] = hi;
    p->range = 1;
    *eq = 0;
    p->name = arg;
    return 1;
  }
  for (q = eq + 1;; q = end + 1) {
    long long v = strtoll(q, &end, 10);
    if (end == q || v < 0 || p->rank >= 8) return 0;
    p->dims[p->rank++] = v;
    if (*end == 0) break;
    if (!is_shape || (*end != 'x' && *end != ',')) return 0;
  }
  *eq = 0;
  p->name = arg;
  return 1;
}

/* "512M" into bytes: a positive count with an optional K, M or G. */
static int parse_bytes(const char *s, long long *out) {
  char *end;
  long long v = strtoll(s, &end, 10), unit = 1;
  if (end == s || v <= 0) return 0;
  if (*end == 'K' || *end == 'k') unit = 1ll << 10, end++;
  else if (*end == 'M' || *end == 'm') unit = 1ll << 20, end++;
  else if (*end == 'G' || *end == 'g') unit = 1ll << 30, end++;
  if (*end || v > (1ll << 40) / unit) return 0; /* at most 1 TiB, the tensor size limit */
  *out = v * unit;
  return 1;
}

static int parse_int(const char *s, int *out) {
  char *end;
  long v = strtol(s, &end, 10);
  if (end == s || *end || v < 0 || v > 1000000000) return 0;
  *out = (int)v;
  return 1;
}

/* A linker section name goes into a C string of the generated code: only
 * the characters section names use, so nothing can end that string. */
static int section_name_ok(const char *s) {
  size_t n = strlen(s);
  if (n == 0 || n > 64) return 0;
  return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._$") == n;
}

/* The op's schema versions (since_version) onnxcc implements, "1, 6, 13",
 * then those it refuses ("; not 26": a newer version nobody has reviewed). */
static void print_versions(int op) {
  const op_schema *s = schema_first(op);
  int k, n = schema_count(op), printed = 0, refused = 0;
  for (k = 0; s && k < n; k++)
    if (s[k].reviewed) printf("%s%d", printed++ ? ", " : "", s[k].since);
  for (k = 0; s && k < n; k++)
    if (!s[k].reviewed) printf("%s%d", refused++ ? ", " : "; not ", s[k].since);
}

/* The element types one parameter of the op compiles with
 * (compiler/ops/dtypes.def, made by scripts/gen_op_dtypes.py by asking this
 * compiler), as "X: float double"; "(seen)" where only models that use the
 * op gave them. */
typedef struct {
  const char *domain, *name, *how, *param, *types;
} op_dtypes;

static const op_dtypes dtypes_table[] = {
#define DTYPES(domain, name, how, param, types) {domain, #name, #how, param, types},
#include "ops/dtypes.def"
#undef DTYPES
};

static void print_dtypes(int op) {
  size_t k;
  const char *d = op_domain_name(op_domain(op));
  for (k = 0; k < sizeof dtypes_table / sizeof dtypes_table[0]; k++) {
    const op_dtypes *t = &dtypes_table[k];
    if (strcmp(t->name, op_name(op)) || strcmp(t->domain, *d ? d : "")) continue;
    if (!strcmp(t->how, "none")) break;
    printf("%s%s%s%s", t->param, *t->param ? ": " : "", t->types, strcmp(t->how, "seen") ? "" : " (seen)");
    return;
  }
  fputs("?", stdout);
}

static int list_ops(int markdown) {
  int i, n_public = 0;
  for (i = 0; i < OP_COUNT; i++) n_public += op_domain(i) != OP_DOMAIN_onnxcc;
  if (markdown) {
    puts("# Supported operators\n");
    puts("Generated from `compiler/ops/ops.def` by `onnxcc ops --markdown`; do not edit.\n");
    printf("onnxcc %s supports %d ONNX operators (default domain, opsets 1 to %d; ai.onnx.ml, opsets 1\n"
           "to %d; ai.onnx.preview.training, opsets 1 to %d; ai.onnx.preview, opsets 1 to %d; com.microsoft,\n"
           "ONNX Runtime's contrib ops, opsets 1 to %d). Versions are the op's schema versions\n"
           "(since_version) onnxcc implements; \"not N\" marks a newer version it refuses. Element types:\n"
           "those of the op's schema that the op's kernels have, float16 and bfloat16 computed in float where\n"
           "a kernel has no half variant; any other is refused at compile time, naming the node. The column\n"
           "lists them for one parameter (the first input whose type varies, else the first input or\n"
           "output), as scripts/gen_op_dtypes.py found by compiling the conformance data's one-node models\n"
           "re-typed to each type the schema allows (compiler/ops/dtypes.def); \"(seen)\": the types that\n"
           "parameter has in the passing models that use the op, where no one-node model exists. The family\n"
           "is the file `compiler/ops/FAMILY.c` that implements the op.\n\n",
           ONNXCC_VERSION, n_public, ONNXCC_MAX_OPSET, ONNXCC_MAX_OPSET_ML, ONNXCC_MAX_OPSET_TRAINING,
           ONNXCC_MAX_OPSET_PREVIEW, ONNXCC_MAX_OPSET_MS);
    puts("| Operator | Domain | Versions | Element types | Family |");
    puts("| --- | --- | --- | --- | --- |");
  }
  for (i = 0; i < OP_COUNT; i++) {
    const char *d = op_domain_name(op_domain(i));
    if (op_domain(i) == OP_DOMAIN_onnxcc) continue; /* the compiler's own, made by passes */
    if (markdown) {
      printf("| %s | %s | ", op_name(i), *d ? d : "ai.onnx");
      print_versions(i);
      fputs(" | ", stdout);
      print_dtypes(i);
      printf(" | %s |\n", op_family_name(i));
    }
    else printf("%s%s%s\n", d, *d ? "." : "", op_name(i));
  }
  if (markdown) {
    static const char *const refused[][3] = {
#define REFUSED(domain, name, why) {#name, *(domain) ? (domain) : "ai.onnx", why},
#include "ops/refused.def"
#undef REFUSED
        {NULL, NULL, NULL}};
    size_t k;
    puts("\n## Not supported\n");
    if (!refused[0][0]) {
      puts("None: onnxcc implements every op of those domains and opsets (`compiler/ops/refused.def`, the\n"
           "list of refused ops with the reason for each, is empty).");
      return 0;
    }
    puts("The ops of those domains and opsets that onnxcc refuses (`compiler/ops/refused.def`), and why.\n");
    puts("| Operator | Domain | Reason |");
    puts("| --- | --- | --- |");
    for (k = 0; refused[k][0]; k++) printf("| %s | %s | %s |\n", refused[k][0], refused[k][1], refused[k][2]);
  }
  return 0;
}

static int cli(int argc, char **argv, const char **files) {
  run_options r;
  compile_options *o = &r.c;
  int n_files = 0, i, mode = 0, emit_llvm = 0; /* mode: 0 compile, 1 run, 2 info */
  status s;
  memset(&r, 0, sizeof r);
  o->opt_level = 1;
  r.runs = 1;
  if (argc < 2) {
    fputs(usage_text, stderr);
    return 2;
  }
  i = 1;
  if (!strcmp(argv[1], "run")) mode = 1, i = 2;
  else if (!strcmp(argv[1], "info")) mode = 2, i = 2;
  else if (!strcmp(argv[1], "ops")) return list_ops(argc > 2 && !strcmp(argv[2], "--markdown"));
  for (; i < argc; i++) {
    const char *a = argv[i];
    const char *next = i + 1 < argc ? argv[i + 1] : NULL;
#define NEED_ARG()                                          \
  do {                                                      \
    if (!next) return usage_error("%s needs a value", a);   \
    i++;                                                    \
  } while (0)
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      fputs(usage_text, stdout);
      return 0;
    } else if (!strcmp(a, "--version")) {
      printf("onnxcc %s\n", ONNXCC_VERSION);
      return 0;
    } else if (!strcmp(a, "-o")) {
      NEED_ARG();
      o->out_path = next;
    } else if (!strcmp(a, "--name")) {
      NEED_ARG();
      o->name = next;
    } else if (!strcmp(a, "--embed-weights")) {
      o->embed_weights = 1;
    } else if (!strcmp(a, "--weights-section")) {
      NEED_ARG();
      if (!section_name_ok(next))
        return usage_error("--weights-section wants a section name of letters, digits and . _ $ (at most 64), not '%s'",
                           next);
      o->weights_section = next;
    } else if (!strcmp(a, "-O0") || !strcmp(a, "-O1")) {
      o->opt_level = a[2] - '0';
    } else if (!strcmp(a, "--threads")) {
      NEED_ARG();
      if (!parse_int(next, &o->threads) || o->threads < 1 || o->threads > THREADS_MAX)
        return usage_error("--threads wants a count from 1 to 64, not '%s'", next);
    } else if (!strcmp(a, "--no-winograd")) {
      o->no_winograd = 1;
    } else if (!strncmp(a, "--dump-after=", 13)) {
      o->dump_after = a + 13;
    } else if (!strncmp(a, "--fold-budget=", 14)) {
      if (!parse_bytes(a + 14, &o->fold_max_tensor))
        return usage_error("--fold-budget wants a size such as 512M or 4G (at most 1024G), not '%s'", a + 14);
      o->fold_max_total = 2 * o->fold_max_tensor > ((long long)2 << 30) ? 2 * o->fold_max_tensor : (2ll << 30);
    } else if (!strcmp(a, "--max-dynamic-dim")) {
      char *end;
      NEED_ARG();
      o->max_dynamic_dim = strtoll(next, &end, 10);
      if (end == next || *end || o->max_dynamic_dim < 1 || o->max_dynamic_dim > ((long long)1 << 40))
        return usage_error("--max-dynamic-dim wants a positive count, not '%s'", next);
    } else if (!strcmp(a, "--max-string-bytes")) {
      char *end;
      NEED_ARG();
      o->max_string_bytes = strtoll(next, &end, 10);
      if (end == next || *end || o->max_string_bytes < IR_MIN_STRING_BYTES || o->max_string_bytes > IR_MAX_STRING_BYTES_LIMIT)
        return usage_error("--max-string-bytes wants a byte count from 32 to 1048576, not '%s'", next);
    } else if (!strcmp(a, "--dim") || !strcmp(a, "--shape")) {
      int is_shape = a[2] == 's';
      pin *p;
      NEED_ARG();
      if ((is_shape ? o->n_shapes : o->n_dims) >= OPT_MAX_PINS) return usage_error("too many %s options", a);
      p = is_shape ? &o->shapes[o->n_shapes++] : &o->dims[o->n_dims++];
      if (!parse_pin(argv[i], p, is_shape))
        return usage_error(is_shape ? "--shape wants INPUT=D0xD1x..., not '%s'" : "--dim wants NAME=VALUE or NAME=LO..HI, not '%s'",
                           next);
    } else if (mode == 1 && !strcmp(a, "--output-dir")) {
      NEED_ARG();
      r.output_dir = next;
    } else if (mode == 1 && (!strcmp(a, "--runs") || !strcmp(a, "--warmup"))) {
      NEED_ARG();
      if (!parse_int(next, a[2] == 'r' ? &r.runs : &r.warmup)) return usage_error("bad count '%s'", next);
    } else if (mode == 1 && !strcmp(a, "--seed")) {
      NEED_ARG();
      r.seed = strtoul(next, NULL, 10);
    } else if (mode == 0 && !strcmp(a, "--cpu")) {
      NEED_ARG();
      o->cpu = next;
    } else if (mode == 0 && !strcmp(a, "--emit-llvm")) {
      emit_llvm = 1;
    } else if (!strcmp(a, "--target")) {
      NEED_ARG();
      r.target = next;
    } else if (mode == 1 && !strcmp(a, "--keep")) {
      r.keep = 1;
    } else if (mode == 1 && !strcmp(a, "--profile")) {
      r.profile = 1;
    } else if (a[0] == '-' && a[1]) {
      return usage_error("unknown option '%s'", a);
    } else {
      files[n_files++] = a;
    }
#undef NEED_ARG
  }
  if (n_files == 0) return usage_error("%s", "no model file given");
  if (o->weights_section && !o->embed_weights) return usage_error("%s", "--weights-section needs --embed-weights");
  o->model_path = files[0];
  if (r.runs < 1) r.runs = 1;
  /* info and object outputs lower for their target (run sets it itself) */
  o->bare_metal = target_is_bare(r.target);

  if (mode == 1) {
    r.inputs = files + 1;
    r.n_inputs = n_files - 1;
    s = run_command(&r);
  } else if (n_files > 1) {
    return usage_error("unexpected argument '%s'", files[1]);
  } else if (mode == 2) {
    s = info_command(o, r.target);
  } else {
    compiled c;
    llvm_output kind;
    if (!o->out_path) return usage_error("%s", "-o OUT.c is required");
    kind = llvm_output_of(o->out_path);
    if (emit_llvm && kind != LLVM_OUT_IR_TEXT && kind != LLVM_OUT_BITCODE)
      return usage_error("--emit-llvm writes LLVM IR: -o OUT.ll (text) or OUT.bc (bitcode), not '%s'", o->out_path);
    if (!emit_llvm && (kind == LLVM_OUT_IR_TEXT || kind == LLVM_OUT_BITCODE))
      return usage_error("-o '%s' is LLVM IR: add --emit-llvm (or -o OUT.o for an object)", o->out_path);
    if (kind != LLVM_OUT_NONE) return status_exit_code(llvm_compile(o, r.target));
    if (strlen(o->out_path) < 3 || strcmp(o->out_path + strlen(o->out_path) - 2, ".c") != 0)
      return usage_error("the output file must end in .c (or .o for an object), not '%s'", o->out_path);
    if (r.target || o->cpu)
      return usage_error("%s needs an object output (-o OUT.o): the C output is the same for every target",
                         r.target ? "--target" : "--cpu");
    s = compile_check_outputs(o);
    if (s) return status_exit_code(s);
    s = compile_graph(o, NULL, &c);
    if (!s) s = compile_write(o, &c);
    compiled_free(&c);
  }
  return status_exit_code(s);
}

int main(int argc, char **argv) {
  const char **files = calloc((size_t)argc + 1, sizeof(char *));
  int rc;
  if (!files) return 3;
  /* Before anything creates a temporary file or folder. */
  cleanup_install();
  rc = cli(argc, argv, files);
  free(files);
  return rc;
}
