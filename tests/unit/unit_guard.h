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

/* fn(params, in with par, out = y) with `scratch_bytes` of scratch; `what`
 * names the case in a failure. */
static inline void unit_run_guarded(rt_kernel_fn fn, const void *params, const void *const *in, float *y,
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
  free(scratch);
}

#endif
