/* A kernel call with guarded scratch, for the kernel tests: the scratch
 * is filled with NaN (a read of what the kernel did not write shows) and
 * followed by a guard band that must stay untouched. */
#ifndef ONNXCC_TEST_UNIT_GUARD_H
#define ONNXCC_TEST_UNIT_GUARD_H

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <onnxcc/parallel.h>
#include <onnxcc/params.h>

#define UNIT_GUARD_BYTES 64

/* fn(params, in with par, out = y) with `scratch_bytes` of scratch filled
 * with 0xff; the scratch as the call left it, for the caller to free.
 * `what` names the case in a failure. */
static inline unsigned char *unit_call_guarded(rt_kernel_fn fn, const void *params, const void *const *in, float *y,
                                               size_t scratch_bytes, const rt_parallel *par, const char *what) {
  const void *args[RT_MIN_ARGS];
  void *out[RT_MIN_ARGS] = {0};
  unsigned char *scratch = malloc(scratch_bytes + UNIT_GUARD_BYTES);
  size_t i;
  memcpy(args, in, sizeof args);
  args[RT_PARALLEL_SLOT] = par;
  memset(scratch, 0xff, scratch_bytes);
  memset(scratch + scratch_bytes, 0x5a, UNIT_GUARD_BYTES);
  out[0] = y;
  fn(params, args, out, scratch);
  for (i = 0; i < UNIT_GUARD_BYTES; i++)
    ck_assert_msg(scratch[scratch_bytes + i] == 0x5a, "%s: wrote past its scratch at +%zu", what, i);
  return scratch;
}

static inline void unit_run_guarded(rt_kernel_fn fn, const void *params, const void *const *in, float *y,
                                    size_t scratch_bytes, const rt_parallel *par, const char *what) {
  free(unit_call_guarded(fn, params, in, y, scratch_bytes, par, what));
}

/* A parallel_for that notes the most tasks one call asked for. */
typedef struct unit_counted {
  rt_parallel_for_fn fn;
  void *user;
  int64_t most;
} unit_counted;

static inline void unit_counted_for(void *user, int64_t n, rt_task_fn body, void *arg) {
  unit_counted *c = (unit_counted *)user;
  if (n > c->most) c->most = n;
  c->fn(c->user, n, body, arg);
}

/* fn in two tasks with rt_parallel.task_stride set past the kernel's own
 * stride (own_stride: its _task_bytes), as a --threads model sets it:
 * scratch is one_bytes (its one-task scratch) + the model's stride. Task
 * 1's buffer must start a model's stride past task 0's, so the bytes
 * between the end of the one-task scratch and that stride stay as they
 * were (a kernel laying it out at its own stride writes there), and some
 * past it change, where the call ran in two tasks. `two` gives
 * parallel_for and user. */
static inline void unit_run_model_stride(rt_kernel_fn fn, const void *params, const void *const *in, float *y,
                                         size_t one_bytes, size_t own_stride, const rt_parallel *two,
                                         const char *what) {
  rt_parallel par = *two;
  unit_counted counted;
  const size_t stride = ((own_stride + 64 * 1024) + 63) & ~(size_t)63;
  const size_t bytes = one_bytes + stride;
  unsigned char *scratch;
  size_t i, changed = 0;
  counted.fn = two->parallel_for;
  counted.user = two->user;
  counted.most = 0;
  par.parallel_for = unit_counted_for;
  par.user = &counted;
  par.tasks = 2;
  par.task_stride = stride;
  scratch = unit_call_guarded(fn, params, in, y, bytes, &par, what);
  for (i = one_bytes; i < stride; i++)
    ck_assert_msg(scratch[i] == 0xff, "%s: wrote at +%zu, between task 0's buffer and the model's stride", what, i);
  for (i = stride; i < bytes; i++) changed += scratch[i] != 0xff;
  /* (a kernel may run such a call as one task) */
  ck_assert_msg(counted.most < 2 || changed > 0, "%s: task 1 wrote nothing a model's stride on", what);
  free(scratch);
}

#endif
