/* The runtime `onnxcc run` links against: built from the runtime's sources
 * with the same compiler and flags as the model's code (so a cross
 * compiler, a sanitizer in $CC or another -march get a matching runtime,
 * never whatever archive happens to be installed), once, into a cache
 * folder: $XDG_CACHE_HOME/onnxcc, else ~/.cache/onnxcc. An entry is keyed
 * by a hash of the compiler's `-v` output, the flags, the target and every
 * runtime source and header, so a new compiler or an edited kernel gets a
 * fresh build and nothing stale is ever linked. */
#ifndef ONNXCC_RT_CACHE_H
#define ONNXCC_RT_CACHE_H

#include "diag.h"
#include "subprocess.h"

typedef struct rt_build {
  char *const *cc;     /* the compiler and its own words ($CC split) */
  int n_cc;
  char *const *flags;  /* code-generation flags shared with the model's build */
  int n_flags;
  const char *target;  /* the triple, "" for the host */
} rt_build;

typedef struct rt_cached {
  char *include_dir;   /* the headers of the sources built (for -I) */
  char *obj_dir;       /* the cache entry: one object per runtime source */
} rt_cached;

/* The folder holding the runtime's sources (src/) and headers (include/):
 * an installed binary's own (bin/../share/onnxcc/runtime, so a moved
 * prefix works too), else the source tree this binary was built from, else
 * the configured install prefix. malloc'ed; NULL (reported) when none is
 * there. */
char *rt_source_root(void);

/* The bare-metal firmware files (startup.c, semihost.c, semihost.h, the
 * board's linker script) beside those sources: ROOT/firmware once
 * installed, the source tree's cross/firmware (ROOT/../cross/firmware)
 * otherwise. malloc'ed; NULL (reported) when neither holds them. */
char *rt_firmware_dir(void);

/* Finds the entry for b, building it first when missing (under a lock, so
 * concurrent runs build it once). */
status rt_cache_get(const rt_build *b, rt_cached *out);
/* Appends the entry's objects to a link command. */
status rt_cached_objects(const rt_cached *r, argvec *link);
void rt_cached_free(rt_cached *r);

#endif
