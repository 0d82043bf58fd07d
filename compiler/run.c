#include "run.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../codegen/template.h"
#include "box_pb.h"
#include "cleanup.h"
#include "compile.h"
#include "fileio.h"
#include "ir_box.h"
#include "load.h"
#include "map_pb.h"
#include "rt_cache.h"
#include "run_profile.h"
#include "subprocess.h"
#include "target.h"
#include "tensor_pb.h"

/* Simple deterministic generator for random inputs (xorshift64*). */
static uint64_t next_rand(uint64_t *s) {
  *s ^= *s >> 12;
  *s ^= *s << 25;
  *s ^= *s >> 27;
  return *s * 2685821657736338717ull;
}

static void random_fill(ir_tensor *t, uint64_t *state) {
  int64_t i, n = tensor_numel(t);
  t->data = xcalloc(1, tensor_bytes(t) + 1);
  for (i = 0; i < n; i++) {
    uint64_t r = next_rand(state);
    double u = (double)(r >> 11) / 9007199254740992.0; /* [0,1) */
    switch (t->dtype) {
    case DT_FLOAT: ((float *)t->data)[i] = (float)(2.0 * u - 1.0); break;
    case DT_DOUBLE: ((double *)t->data)[i] = 2.0 * u - 1.0; break;
    case DT_BOOL: ((uint8_t *)t->data)[i] = (uint8_t)(r >> 63); break;
    case DT_STRING: break; /* empty strings: zeroed slots are */
    default: {
      /* small non-negative integers: valid as indices of most dims */
      ir_tensor one = *t;
      int64_t v = (int64_t)(u * 4.0);
      size_t es = dtype_size(t->dtype);
      one.data = (unsigned char *)t->data + (size_t)i * es;
      memcpy(one.data, &v, es); /* little-endian: low bytes of v */
      break;
    }
    }
  }
}

#define MAX_CC_WORDS 64

/* The C compiler: TRIPLE-gcc and the flags its CPU needs for a target
 * ($CC names the host's), else $CC split into words, or cc. */
static status compiler_words(const target_desc *t, char **words, int *n) {
  const char *cc = getenv("CC");
  if (t) {
    words[0] = target_cc(t);
    for (*n = 1; t->flags[*n - 1]; (*n)++) words[*n] = xstrdup(t->flags[*n - 1]);
    return ST_OK;
  }
  *n = split_words(cc ? cc : "", words, MAX_CC_WORDS);
  if (*n < 0) return diag_error(ST_USAGE, "CC holds more than %d words", MAX_CC_WORDS);
  if (*n == 0) words[(*n)++] = xstrdup("cc");
  return ST_OK;
}

/* Flags of both the runtime's and the model's build: tuned for this
 * machine on the host; a target's baseline ISA, since the emulator stands
 * for no particular chip. */
static char *const host_flags[] = {"-O3", "-march=native"};
static char *const target_flags[] = {"-O3"};

static int build_flags(const target_desc *t, char *const **flags) {
  *flags = t ? target_flags : host_flags;
  return t ? (int)(sizeof target_flags / sizeof *target_flags) : (int)(sizeof host_flags / sizeof *host_flags);
}

/* What a firmware image holds beyond the model's code, for the bare-metal
 * link and its message when the model does not fit the board. */
typedef struct image_sizes {
  size_t arena, io, weights;
} image_sizes;

/* Appends A B C as one word (a path with its option or folder). */
static void add_joined(argvec *v, const char *a, const char *b, const char *c) {
  char *p = xasprintf("%s%s%s", a, b, c);
  argvec_add(v, p);
  free(p);
}

/* The board's compile flags, for the driver and the model alike: the
 * semihosting build of the driver, static buffers of the sizes it needs
 * (no heap on the board), and sections the link can drop. */
static void add_firmware_cflags(argvec *a, const char *fw, const image_sizes *sz) {
  char *pool = xasprintf("-DONNXCC_DRIVER_POOL_BYTES=%zu", sz->io);
  argvec_add(a, "-DONNXCC_BARE_METAL");
  argvec_add(a, pool);
  add_joined(a, "-I", fw, "");
  argvec_add(a, "-ffunction-sections");
  argvec_add(a, "-fdata-sections");
  free(pool);
}

/* The board's files and link flags: the startup code, the semihosting calls
 * the driver's file I/O goes through and the board's linker script. */
static void add_firmware_link(argvec *a, const char *fw, const target_desc *t) {
  char *script = xasprintf("-T%s/%s.ld", fw, t->board.machine);
  add_joined(a, fw, "/", "startup.c");
  add_joined(a, fw, "/", "semihost.c");
  argvec_add(a, "-nostartfiles");
  argvec_add(a, script);
  argvec_add(a, "-Wl,--gc-sections");
  argvec_add(a, "--specs=nosys.specs");
  free(script);
}

/* The linker's "region `RAM' overflowed by N bytes" lines, as one error
 * that says what the image holds. */
static status too_big(const target_desc *t, const image_sizes *sz, const char *log) {
  text why;
  const char *line = log;
  status s;
  text_init(&why);
  while (line && *line) {
    const char *end = strchr(line, '\n'), *from = strstr(line, "region `"), *over = strstr(line, "' overflowed by ");
    /* both on this line, the region's name first */
    if (from && over && from < over && (!end || over < end))
      text_printf(&why, "%s%.*s", why.len ? "; " : "", end ? (int)(end - from) : (int)strlen(from), from);
    line = end ? end + 1 : NULL;
  }
  s = diag_error(ST_UNSUPPORTED, "the model does not fit the %s board of --target %s: arena %zu bytes, inputs and "
                 "outputs %zu bytes, weights %zu bytes (the board's memory: cross/firmware/%s.ld); the linker says: "
                 "%s", t->board.machine, t->triple, sz->arena, sz->io, sz->weights, t->board.machine, why.buf);
  text_free(&why);
  return s;
}

/* Runs the C compiler on A; its output goes to LOG. */
static status run_cc(const argvec *a, const target_desc *t, const image_sizes *sz, text *log) {
  int st;
  if (spawn_capture(a->v, log, &st) != 0)
    return diag_error(ST_IO, "cannot run the C compiler '%s': %s", a->v[0], strerror(errno));
  if (t && t->bare && log->buf && strstr(log->buf, "' overflowed by ")) return too_big(t, sz, log->buf);
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
    return diag_error(ST_INTERNAL, "building the generated code failed (%s):\n%s", a->v[0], log->buf ? log->buf : "");
  return ST_OK;
}

/* The flags both files are compiled with: the compiler's words, the
 * build's, C99, the profile hooks, the runtime's headers and DIR's. */
static void add_compile_flags(argvec *a, const char *dir, const target_desc *t, char **words, int n_words,
                              const rt_cached *rt, const run_options *r, const char *fw, const image_sizes *sz) {
  char *const *flags;
  int n_flags = build_flags(t, &flags);
  argvec_add_all(a, words, n_words);
  argvec_add_all(a, flags, n_flags);
  argvec_add(a, "-std=c99");
  if (r->profile) argvec_add(a, "-DONNXCC_PROFILE"); /* the hooks in both files (run_profile.h) */
  add_joined(a, "-I", rt->include_dir, "");
  add_joined(a, "-I", dir, "");
  if (fw) add_firmware_cflags(a, fw, sz);
}

/* The driver only reads and writes files and reads the clock around the
 * model's calls: -O1 builds it in half the time -O3 takes (0.08 against
 * 0.16 s; at -O3 it was half of a small model's build), and the timings it
 * takes are of the model's code, which keeps the build's level. */
static status compile_driver(const char *dir, const target_desc *t, char **words, int n_words, const rt_cached *rt,
                             const run_options *r, const char *fw, const image_sizes *sz, text *log) {
  argvec a = {0};
  status s;
  add_compile_flags(&a, dir, t, words, n_words, rt, r, fw, sz);
  argvec_add(&a, "-O1"); /* the last -O given wins */
  argvec_add(&a, "-c");
  add_joined(&a, dir, "/", "driver.c");
  argvec_add(&a, "-o");
  add_joined(&a, dir, "/", "driver.o");
  s = run_cc(&a, t, sz, log);
  argvec_free(&a);
  return s;
}

static status link_program(const char *dir, const target_desc *t, char **words, int n_words, const rt_cached *rt,
                           const run_options *r, const image_sizes *sz, text *log) {
  argvec a = {0};
  char *fw = NULL;
  status s = ST_OK;
  if (t && t->bare) {
    fw = rt_firmware_dir();
    if (!fw) return ST_IO;
  }
  s = compile_driver(dir, t, words, n_words, rt, r, fw, sz, log);
  if (s) goto done;
  add_compile_flags(&a, dir, t, words, n_words, rt, r, fw, sz);
  add_joined(&a, dir, "/", "model.c");
  add_joined(&a, dir, "/", "driver.o");
  if (fw) add_firmware_link(&a, fw, t);
  s = rt_cached_objects(rt, &a);
  argvec_add(&a, "-lm");
  if (r->c.threads > 1) argvec_add(&a, "-pthread"); /* the driver's rt_pool */
  /* as tests/cross does: no dependence on the target's shared libraries */
  if (t && !t->bare) argvec_add(&a, "-static");
  argvec_add(&a, "-o");
  add_joined(&a, dir, "/", "prog");
  if (!s) s = run_cc(&a, t, sz, log);
done:
  argvec_free(&a);
  free(fw);
  return s;
}

/* Builds DIR/prog from the generated code, the driver and a runtime built
 * for the same compiler, flags and target. */
static status build_program(const char *dir, const target_desc *t, const run_options *r, const image_sizes *sz,
                            text *log) {
  char *words[MAX_CC_WORDS];
  int n_words = 0;
  rt_cached rt;
  rt_build b;
  status s = compiler_words(t, words, &n_words);
  if (s) return s;
  b.cc = words;
  b.n_cc = n_words;
  b.n_flags = build_flags(t, &b.flags);
  b.target = t ? t->triple : "";
  s = rt_cache_get(&b, &rt);
  if (!s) s = link_program(dir, t, words, n_words, &rt, r, sz, log);
  rt_cached_free(&rt);
  free_words(words, n_words);
  return s;
}

/* The driver's arguments: WEIGHTS RUNS WARMUP DIR INPUT..., the files in
 * DIR (their names as the driver's protocol has them). */
static void driver_args(argvec *a, const char *dir, const char *weights, const run_options *r, int n_inputs) {
  char *p;
  int i;
  argvec_add(a, weights);
  p = xasprintf("%d", r->runs);
  argvec_add(a, p);
  free(p);
  p = xasprintf("%d", r->warmup);
  argvec_add(a, p);
  free(p);
  argvec_add(a, dir);
  for (i = 0; i < n_inputs; i++) {
    p = xasprintf("%s/in_%d.bin", dir, i);
    argvec_add(a, p);
    free(p);
  }
}

/* A firmware image gets no process to run in: QEMU boots it on the board
 * in DIR (coreutils' env -C, so every path the image opens through
 * semihosting is relative and blank-free, as its command line needs),
 * under coreutils' timeout, since a hung image never exits by itself. The
 * weights are built in ("-"). */
#define BOARD_TIMEOUT_S 300

static void board_command(argvec *a, const char *dir, const run_options *r, const target_desc *t, int n_inputs) {
  argvec args = {0};
  text cfg;
  char *p;
  int i;
  argvec_add(a, "env");
  argvec_add(a, "-C");
  argvec_add(a, dir);
  argvec_add(a, "timeout");
  argvec_add(a, "-k");
  argvec_add(a, "5");
  p = xasprintf("%d", BOARD_TIMEOUT_S);
  argvec_add(a, p);
  free(p);
  argvec_add(a, t->board.emulator);
  argvec_add(a, "-M");
  argvec_add(a, t->board.machine);
  argvec_add(a, "-cpu");
  argvec_add(a, t->board.cpu);
  argvec_add(a, "-nographic");
  argvec_add(a, "-monitor");
  argvec_add(a, "none");
  argvec_add(a, "-semihosting-config");
  text_init(&cfg);
  text_puts(&cfg, "enable=on,target=native,arg=prog");
  driver_args(&args, ".", "-", r, n_inputs);
  for (i = 0; i < args.n; i++) text_printf(&cfg, ",arg=%s", args.v[i]);
  argvec_add(a, cfg.buf);
  argvec_add(a, "-kernel");
  argvec_add(a, "prog");
  text_free(&cfg);
  argvec_free(&args);
}

/* Runs the built program, under the target's emulator if any, and reads
 * its timings (none from a board: *timed 0). */
static status run_program(const char *dir, const run_options *r, const target_desc *t, int n_inputs, text *log,
                          double *median, double *minimum, int *timed) {
  argvec a = {0};
  char *p;
  int st;
  status s = ST_OK;
  *timed = !(t && t->bare);
  if (t && t->bare) {
    board_command(&a, dir, r, t, n_inputs);
  } else {
    if (t) {
      argvec_add(&a, t->emulator);
      argvec_add(&a, "-L");
      argvec_add(&a, t->sysroot);
    }
    add_joined(&a, dir, "/", "prog");
    p = xasprintf("%s/model.weights", dir);
    driver_args(&a, dir, p, r, n_inputs);
    free(p);
  }
  if (spawn_capture(a.v, log, &st) != 0) {
    s = diag_error(ST_IO, "cannot run the compiled model: %s", strerror(errno));
  } else if (!*timed && WIFEXITED(st) && (WEXITSTATUS(st) == 124 || WEXITSTATUS(st) == 137)) {
    s = diag_error(ST_INTERNAL, "the compiled model gave no result within %d s under %s:\n%s", BOARD_TIMEOUT_S,
                   t->board.emulator, log->buf ? log->buf : "");
  } else if (WIFSIGNALED(st) || (WIFEXITED(st) && WEXITSTATUS(st) > 128) ||
             (!*timed && log->buf && strstr(log->buf, "fault\n"))) {
    s = diag_error(ST_INTERNAL, "the compiled model crashed:\n%s", log->buf ? log->buf : "");
  } else if (WEXITSTATUS(st) != 0) {
    s = diag_error(ST_INTERNAL, "the compiled model failed:\n%s", log->buf ? log->buf : "");
  } else if (*timed) {
    const char *tm = log->buf ? strstr(log->buf, "ONNXCC_TIMES ") : NULL;
    if (!tm || sscanf(tm, "ONNXCC_TIMES %lf %lf", median, minimum) != 2)
      s = diag_error(ST_INTERNAL, "the compiled model printed no timings:\n%s", log->buf ? log->buf : "");
  }
  argvec_free(&a);
  return s;
}

/* ---- input files ----
 * Every problem with an input file is bad input (exit 1) reported in one
 * line that starts with the file's name. */

static status read_input(const char *path, int kind, ir_tensor *t, box_value *b) {
  struct stat st;
  status s;
  /* O_NONBLOCK: a FIFO must not hang the open; it is refused below. */
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  diag_set_file(path);
  if (fd < 0) return diag_error(ST_BAD_MODEL, "cannot read the input file: %s", strerror(errno));
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return diag_error(ST_BAD_MODEL, "the input is not a regular file");
  }
  close(fd);
  if (kind > VK_TENSOR) s = box_read_file(path, kind, b);
  else s = tensor_read_file(path, t, NULL);
  diag_set_file("");
  /* tensor_read_file has said what is wrong, with the file as prefix; an
   * unreadable external data file is the input's fault too. */
  return s ? ST_BAD_MODEL : ST_OK;
}

static void shape_string(text *w, const ir_tensor *t) {
  int d;
  if (t->rank == 0) text_puts(w, "scalar");
  for (d = 0; d < t->rank; d++) text_printf(w, "%s%lld", d ? "x" : "", (long long)t->dims[d]);
}

static status input_error(const char *file, const ir_tensor *have, const char *input, const ir_tensor *want) {
  text a, b;
  status s;
  text_init(&a);
  text_init(&b);
  shape_string(&a, have);
  shape_string(&b, want);
  diag_set_file(file);
  s = diag_error(ST_BAD_MODEL, "holds %s %s but the model's input '%s' is %s %s", dtype_name(have->dtype), a.buf, input,
                 dtype_name(want->dtype), b.buf);
  text_free(&a);
  text_free(&b);
  return s;
}

/* Checks the input files against the model's inputs before compiling, so a
 * wrong file is reported as the file's fault: the loader names a positional
 * pin's file when its shape contradicts the model (pin.source), and the
 * count and element types are compared here. A model that does not load
 * has said why, once. */
static status check_inputs(run_options *r, const ir_tensor *in_t, const char *const *shown) {
  ir_graph *g = NULL;
  status s = load_model(&r->c, &g), result = ST_OK;
  int i;
  if (s) return s;
  if (r->n_inputs > g->n_inputs) {
    diag_set_file(shown[g->n_inputs]);
    result = diag_error(ST_BAD_MODEL, "one input file too many: the model has %d input%s", g->n_inputs,
                        g->n_inputs == 1 ? "" : "s");
  } else if (r->n_inputs < g->n_inputs) {
    diag_set_file(r->c.model_path);
    result = diag_error(ST_BAD_MODEL, "the model has %d inputs but %d input file%s given", g->n_inputs, r->n_inputs,
                        r->n_inputs == 1 ? " was" : "s were");
  }
  for (i = 0; i < r->n_inputs && i < g->n_inputs && !result; i++) {
    const ir_value *v = g->values[g->inputs[i]];
    int same = in_t[i].dtype == v->t.dtype && in_t[i].rank == v->t.rank;
    if (ir_is_boxed(v)) continue; /* the loader held its size to the file's; box_pack checks its elements */
    int d;
    /* a dim left variable (--dim NAME=LO..HI) was checked by the loader */
    for (d = 0; same && d < v->t.rank; d++) same = v->t.sym[d] || in_t[i].dims[d] == v->t.dims[d];
    if (!same) result = input_error(shown[i], &in_t[i], v->name, &v->t);
  }
  ir_free(g);
  return result;
}

/* Random inputs are generated in memory; refuse sizes that are surely a
 * mistake (or a hostile model) instead of allocating them. */
#define RANDOM_INPUT_MAX ((int64_t)1 << 30)

static status check_random_inputs(const run_options *r, const ir_graph *g) {
  int i;
  for (i = r->n_inputs; i < g->n_inputs; i++) {
    const ir_value *v = g->values[g->inputs[i]];
    /* the loader checked the shape, so tensor_bytes is exact */
    if ((int64_t)tensor_bytes(&v->t) > RANDOM_INPUT_MAX) {
      diag_set_file(r->c.model_path);
      return diag_error(ST_BAD_MODEL, "input '%s' is too large for a random input (over 1 GiB); give an input file",
                        v->name);
    }
  }
  return ST_OK;
}

/* --output-dir must not replace the model or an input file. */
static status check_output_dir(const run_options *r, int n_outputs, const char *const *shown) {
  status s = ST_OK;
  int i, j;
  for (i = 0; i < n_outputs && !s; i++) {
    char *pb = xasprintf("%s/output_%d.pb", r->output_dir, i);
    diag_set_file(r->c.model_path);
    if (path_same_file(pb, r->c.model_path))
      s = diag_error(ST_USAGE, "refusing to overwrite the input model with %s", pb);
    for (j = 0; j < r->n_inputs && !s; j++)
      if (path_same_file(pb, shown[j])) s = diag_error(ST_USAGE, "refusing to overwrite input file %s", pb);
    free(pb);
  }
  return s;
}

/* mkdtemp in $TMPDIR (or /tmp), made absolute so no path we pass to the C
 * compiler can read as an option, and registered for signal cleanup (with
 * --keep only its temporaries are). NULL (reported) on failure. */
char *make_build_dir(const run_options *r, int *slot) {
  const char *tmp = getenv("TMPDIR");
  char *base, *dir;
  int ok, err;
  if (!tmp || !*tmp) tmp = "/tmp";
  base = realpath(tmp, NULL);
  if (!base) {
    diag_error(ST_IO, "cannot create a temporary folder in '%s': %s", tmp, strerror(errno));
    return NULL;
  }
  dir = xasprintf("%s/onnxcc-run-XXXXXX", base);
  free(base);
  cleanup_block();
  ok = mkdtemp(dir) != NULL;
  err = errno;
  if (ok && !r->keep) *slot = cleanup_add(dir, 1);
  cleanup_unblock();
  if (!ok) {
    diag_error(ST_IO, "cannot create a temporary folder in '%s': %s", tmp, strerror(err));
    free(dir);
    return NULL;
  }
  return dir;
}

/* The driver passes dims as text files beside the raw data: "RANK D0 D1 ...". */
static status write_dims(const char *dir, const char *prefix, int i, const ir_tensor *t) {
  text w;
  char *p = xasprintf("%s/%s_%d.dims", dir, prefix, i);
  status s;
  int d;
  text_init(&w);
  text_printf(&w, "%d", t->rank);
  for (d = 0; d < t->rank; d++) text_printf(&w, " %lld", (long long)t->dims[d]);
  text_puts(&w, "\n");
  s = file_write_atomic(p, w.buf, w.len);
  text_free(&w);
  free(p);
  return s;
}

/* An output's actual dims as the driver wrote them: within the bounds the
 * model was compiled for, or the run failed. */
static status read_dims(const char *dir, int i, ir_tensor *t) {
  char *p = xasprintf("%s/output_%d.dims", dir, i);
  unsigned char *data = NULL;
  size_t n;
  status s = file_read_all(p, &data, &n);
  int rank = -1, d, used = 0;
  char buf[512];
  const char *q = buf;
  if (!s) {
    /* not NUL-terminated: a bounded copy that is */
    size_t k = n < sizeof buf - 1 ? n : sizeof buf - 1;
    memcpy(buf, data, k);
    buf[k] = 0;
    if (sscanf(q, "%d%n", &rank, &used) != 1 || rank != t->rank) rank = -1;
    for (d = 0; rank >= 0 && d < rank; d++) {
      long long v;
      int more = 0;
      q += used;
      if (sscanf(q, "%lld%n", &v, &more) != 1 || v < 0 || v > t->dims[d]) rank = -1;
      else t->dims[d] = v;
      used = more;
    }
    if (rank < 0) s = diag_error(ST_INTERNAL, "output %d: the driver wrote bad dims", i);
  }
  free(data);
  free(p);
  return s;
}

static status write_outputs(const run_options *r, const char *dir, const ir_graph *g) {
  status s = ST_OK;
  int i;
  if (mkdir(r->output_dir, 0777) != 0 && errno != EEXIST)
    return diag_error(ST_IO, "cannot create '%s': %s", r->output_dir, strerror(errno));
  for (i = 0; i < g->n_outputs && !s; i++) {
    const ir_value *v = g->values[g->outputs[i]];
    ir_tensor t = v->t;
    unsigned char *data;
    size_t n;
    char *raw = xasprintf("%s/output_%d.bin", dir, i);
    char *pb = xasprintf("%s/output_%d.pb", r->output_dir, i);
    s = read_dims(dir, i, &t);
    if (!s) s = file_read_all(raw, &data, &n);
    if (!s && ir_is_boxed(v)) {
      box_value b;
      s = box_unpack(data, n, &v->box, &b);
      if (!s) s = box_write_file(pb, &b, v->name);
      box_value_free(&b);
      free(data);
    } else if (!s) {
      if (n != tensor_bytes(&t)) {
        s = diag_error(ST_INTERNAL, "output %d has %zu bytes, expected %zu", i, n, tensor_bytes(&t));
      } else {
        t.data = data;
        /* a sequence of maps (ZipMap's) is held as its values' tensor */
        s = v->map_keys ? map_write_file(pb, &t, v->map_keys, v->name) : tensor_write_file(pb, &t, v->name);
      }
      free(data);
    }
    free(raw);
    free(pb);
  }
  return s;
}

/* The files and kinds of a run whose map inputs (MapProto files) were
 * split: the graph holds a map input as two inputs, its keys and its
 * values (load.c), so each such file becomes two TensorProto files in the
 * build folder, and the kinds follow the graph's inputs. */
typedef struct split_inputs {
  const char **files;   /* NULL: no map input, r->inputs as given */
  const char **shown;   /* the file each of them came from, for messages */
  char **made;          /* the files written */
  int n_made;
  const char **given;   /* r->inputs and its count before the split */
  int n_given;
} split_inputs;

static status write_map_parts(const char *path, const char *dir, int i, split_inputs *sp) {
  ir_tensor keys, values;
  status s;
  char *kp = xasprintf("%s/map_%d_keys.pb", dir, i), *vp = xasprintf("%s/map_%d_values.pb", dir, i);
  diag_set_file(path);
  s = map_read_file(path, &keys, &values);
  diag_set_file("");
  if (!s) s = tensor_write_file(kp, &keys, "keys");
  if (!s) s = tensor_write_file(vp, &values, "values");
  free(keys.data);
  free(values.data);
  sp->made[sp->n_made++] = kp;
  sp->made[sp->n_made++] = vp;
  return s ? ST_BAD_MODEL : ST_OK;
}

static status split_map_inputs(run_options *r, const char *dir, int *kinds, int *n_kinds, split_inputs *sp) {
  int i, n = 0, k = 0, any = 0, graph_kinds[2 * OPT_MAX_PINS];
  status s = ST_OK;
  for (i = 0; i < *n_kinds; i++) any |= kinds[i] == LOAD_KIND_MAP;
  if (!any) return ST_OK;
  sp->given = r->inputs;
  sp->n_given = r->n_inputs;
  sp->files = xcalloc(2 * (size_t)r->n_inputs + 1, sizeof(char *));
  sp->shown = xcalloc(2 * (size_t)r->n_inputs + 1, sizeof(char *));
  sp->made = xcalloc(2 * (size_t)r->n_inputs + 1, sizeof(char *));
  for (i = 0; i < *n_kinds; i++) {
    const int is_map = kinds[i] == LOAD_KIND_MAP;
    if (i < sp->n_given && !is_map) sp->shown[n] = sp->given[i], sp->files[n++] = sp->given[i];
    if (i < sp->n_given && is_map && !s) {
      s = write_map_parts(sp->given[i], dir, i, sp);
      sp->shown[n] = sp->shown[n + 1] = sp->given[i];
      sp->files[n++] = sp->made[sp->n_made - 2];
      sp->files[n++] = sp->made[sp->n_made - 1];
    }
    graph_kinds[k++] = is_map ? VK_TENSOR : kinds[i];
    if (is_map) graph_kinds[k++] = VK_TENSOR;
  }
  for (i = *n_kinds; i < sp->n_given; i++) /* one file too many: reported later */
    sp->shown[n] = sp->given[i], sp->files[n++] = sp->given[i];
  if (k > OPT_MAX_PINS || n > OPT_MAX_PINS)
    return diag_error(ST_USAGE, "at most %d inputs, counting a map as two", OPT_MAX_PINS);
  memcpy(kinds, graph_kinds, sizeof(int) * (size_t)k);
  *n_kinds = k;
  r->inputs = sp->files;
  r->n_inputs = n;
  return s;
}

static void split_free(run_options *r, split_inputs *sp) {
  int i;
  if (!sp->files) return;
  r->inputs = sp->given;
  r->n_inputs = sp->n_given;
  for (i = 0; i < sp->n_made; i++) free(sp->made[i]);
  free(sp->made);
  free(sp->files);
  free(sp->shown);
}

/* A board run passes raw numeric buffers only: the runtime's string
 * kernels print and parse numbers with the C library, which on newlib
 * takes a heap the firmware image does not have. */
static status check_board_types(const target_desc *t, const ir_graph *g) {
  int io, i;
  for (io = 0; io < 2; io++)
    for (i = 0; i < (io ? g->n_outputs : g->n_inputs); i++) {
      const ir_value *v = g->values[io ? g->outputs[i] : g->inputs[i]];
      if ((ir_is_boxed(v) ? v->box.elem.dtype : v->t.dtype) == DT_STRING)
        return diag_error(ST_UNSUPPORTED, "--target %s: %s '%s' holds strings, which a bare-metal run does not "
                          "take (the runtime's string kernels need the C library's heap); run it on the host or a "
                          "Linux target", t->triple, io ? "output" : "input", v->name);
    }
  return ST_OK;
}

/* What the driver's static buffers, the arena and the blob take. */
static image_sizes sizes_of(const compiled *c) {
  image_sizes sz;
  int io, i;
  sz.arena = c->p.arena_bytes;
  sz.weights = c->weights.size;
  sz.io = 0;
  for (io = 0; io < 2; io++)
    for (i = 0; i < (io ? c->g->n_outputs : c->g->n_inputs); i++) {
      const ir_value *v = c->g->values[io ? c->g->outputs[i] : c->g->inputs[i]];
      sz.io += (tensor_bytes(&v->t) + 63) & ~(size_t)63; /* the driver aligns each to 64 */
    }
  return sz;
}

/* The JSON line; `extra` (--profile's array) goes before its closing brace. */
static void print_json(const run_options *r, double median, double minimum, int timed, const text *extra) {
  text j;
  text_init(&j);
  text_puts(&j, "{\"model\": ");
  run_json_string(&j, r->c.model_path);
  if (timed)
    text_printf(&j, ", \"runs\": %d, \"median_ms\": %.4f, \"min_ms\": %.4f", r->runs, median, minimum);
  else /* an emulated board's clock says nothing of the chip's */
    text_printf(&j, ", \"runs\": %d, \"median_ms\": null, \"min_ms\": null, \"note\": \"not timed on an emulated "
                    "board\"", r->runs);
  if (extra->len) text_puts(&j, extra->buf);
  text_puts(&j, "}\n");
  fputs(j.buf, stdout);
  fflush(stdout);
  text_free(&j);
}

status run_command(run_options *r) {
  char *dir = NULL, *model_c = NULL, *path = NULL;
  ir_tensor *in_t = NULL;
  box_value *in_box = NULL;
  int kinds[2 * OPT_MAX_PINS], n_kinds = 0;
  split_inputs split;
  const char *const *shown = r->inputs; /* input files as the user named them */
  compiled c;
  text src, log, profile;
  status s = ST_OK;
  int i, n_in = 0, dir_slot = -1, timed = 1;
  double median = 0, minimum = 0;
  image_sizes sizes;
  uint64_t state = r->seed * 0x9E3779B97F4A7C15ull + 1;
  const char *vars[] = {"VERSION", ONNXCC_VERSION, NULL};
  const target_desc *tgt = NULL;

  memset(&c, 0, sizeof c);
  text_init(&src);
  text_init(&log);
  text_init(&profile);
  memset(&split, 0, sizeof split);
  if (r->n_inputs > OPT_MAX_PINS) return diag_error(ST_USAGE, "at most %d input files", OPT_MAX_PINS);
  /* a missing cross tool is said before any work */
  s = target_find(r->target, &tgt);
  if (!s && tgt && tgt->bare && r->c.threads > 1)
    s = diag_error(ST_USAGE, "--threads %d with --target %s: the board has one core and the driver no thread pool "
                   "there (a firmware passes its own parallel_for to NAME_init_ex: docs/api.md)",
                   r->c.threads, tgt->triple);
  if (!s && tgt && tgt->bare && r->profile)
    s = diag_error(ST_USAGE, "--profile with --target %s: an emulated board gives no clock to time the nodes with "
                   "(profile on the host, or on a Linux target under qemu user mode)", tgt->triple);
  if (!s && tgt) s = target_check_tools(tgt, 1);
  if (s) return s;
  /* sequence and optional files are read as the model declares them */
  load_input_kinds(r->c.model_path, kinds, OPT_MAX_PINS, &n_kinds);
  dir = make_build_dir(r, &dir_slot);
  if (!dir) {
    s = ST_IO;
    goto done;
  }
  s = split_map_inputs(r, dir, kinds, &n_kinds, &split);
  if (s) goto done;
  shown = split.files ? split.shown : r->inputs;
  in_t = xcalloc((unsigned long)r->n_inputs + 1, sizeof(ir_tensor));
  in_box = xcalloc((unsigned long)r->n_inputs + 1, sizeof(box_value));
  load_set_string_bound(&r->c); /* string input files are read into slots */
  for (i = 0; i < r->n_inputs; i++) {
    int d, kind = i < n_kinds ? kinds[i] : VK_TENSOR;
    s = read_input(r->inputs[i], kind, &in_t[i], &in_box[i]);
    if (!s && kind > VK_TENSOR) {
      diag_set_file(r->inputs[i]);
      s = box_pin(&in_box[i], &r->c.positional[i]);
      diag_set_file("");
    }
    if (s) goto done;
    r->c.positional[i].source = shown[i];
    if (kind > VK_TENSOR) continue;
    r->c.positional[i].rank = in_t[i].rank;
    for (d = 0; d < in_t[i].rank; d++) r->c.positional[i].dims[d] = in_t[i].dims[d];
  }
  r->c.n_positional = r->n_inputs;
  if (r->n_inputs) {
    s = check_inputs(r, in_t, shown);
    if (s) goto done;
  }

  model_c = xasprintf("%s/model.c", dir);
  r->c.out_path = model_c;
  r->c.name = "model";
  /* a board has no file system to load weights from: they go to flash */
  r->c.embed_weights = tgt && tgt->bare;
  r->c.weights_section = tgt && tgt->bare ? ".onnxcc_weights" : NULL;
  r->c.bare_metal = tgt && tgt->bare;
  s = compile_graph(&r->c, NULL, &c);
  if (s) goto done;
  if (tgt && tgt->bare) s = check_board_types(tgt, c.g);
  if (!s) s = check_random_inputs(r, c.g);
  if (!s && r->output_dir) s = check_output_dir(r, c.g->n_outputs, shown);
  if (!s) s = compile_write(&r->c, &c);
  if (s) goto done;

  n_in = c.g->n_inputs;
  if (n_in > r->n_inputs) {
    in_t = xrealloc(in_t, sizeof(ir_tensor) * (size_t)(n_in + 1));
    memset(in_t + r->n_inputs, 0, sizeof(ir_tensor) * (size_t)(n_in + 1 - r->n_inputs));
  }
  for (i = 0; i < n_in; i++) {
    const ir_value *v = c.g->values[c.g->inputs[i]];
    char *p;
    if (ir_is_boxed(v)) {
      /* the box the code reads: from the file, or an empty sequence or
       * absent optional in place of a random input */
      box_value none;
      unsigned char *bytes;
      size_t n;
      memset(&none, 0, sizeof none);
      none.kind = v->box.kind;
      none.present = v->box.kind == VK_SEQUENCE;
      diag_set_file(i < r->n_inputs ? r->inputs[i] : r->c.model_path);
      s = box_pack(i < r->n_inputs ? &in_box[i] : &none, &v->box, &bytes, &n);
      diag_set_file("");
      if (s) goto done;
      free(in_t[i].data);
      in_t[i] = v->t;
      in_t[i].data = bytes;
    } else if (i >= r->n_inputs) {
      in_t[i] = v->t;
      in_t[i].data = NULL;
      random_fill(&in_t[i], &state);
    }
    p = xasprintf("%s/in_%d.bin", dir, i);
    s = file_write_atomic(p, in_t[i].data, tensor_bytes(&in_t[i]));
    free(p);
    if (s) goto done;
    s = write_dims(dir, "in", i, &in_t[i]);
    if (s) goto done;
  }

  template_expand(&src, tmpl_driver_c, vars);
  path = xasprintf("%s/driver.c", dir);
  s = file_write_atomic(path, src.buf, src.len);
  free(path);
  if (s) goto done;
  sizes = sizes_of(&c);
  s = build_program(dir, tgt, r, &sizes, &log);
  if (s) goto done;
  text_free(&log);
  text_init(&log);
  s = run_program(dir, r, tgt, n_in, &log, &median, &minimum, &timed);
  if (s) goto done;
  if (r->output_dir) {
    s = write_outputs(r, dir, c.g);
    if (s) goto done;
  }
  if (r->profile) {
    s = run_profile_report(log.buf, &c, median, r->c.threads > 1, &profile);
    if (s) goto done;
  }
  print_json(r, median, minimum, timed, &profile);

done:
  if (dir) {
    if (r->keep) fprintf(stderr, "onnxcc: kept build folder %s\n", dir);
    else dir_remove_flat(dir);
    cleanup_forget(dir_slot);
  }
  for (i = 0; in_t && i < (n_in > r->n_inputs ? n_in : r->n_inputs); i++) free(in_t[i].data);
  for (i = 0; in_box && i < r->n_inputs; i++) box_value_free(&in_box[i]);
  free(in_box);
  free(in_t);
  split_free(r, &split);
  free(dir);
  free(model_c);
  text_free(&src);
  text_free(&log);
  text_free(&profile);
  compiled_free(&c);
  return s;
}
