/* Running other programs for `onnxcc run` (the C compiler, the built
 * model, an emulator): no shell, output captured, killed with us. */
#ifndef ONNXCC_SUBPROCESS_H
#define ONNXCC_SUBPROCESS_H

#include <sys/types.h>

#include "../codegen/text.h"

/* Runs argv (looked up in PATH, no shell involved) in its own process
 * group, with stdout and stderr captured into *out. Returns 0 and the wait
 * status, or -1 with errno when the program could not be started. */
int spawn_capture(char *const argv[], text *out, int *wstatus);

/* The same in two steps, so several children can run at once (each
 * registered with cleanup.h, at most CLEANUP_CHILDREN): spawn_start starts
 * one; spawn_finish reads its output to the end and reaps it. A child
 * waiting on a full pipe only waits until its turn to be read. */
typedef struct spawned {
  pid_t pid;
  int fd;  /* read end of its stdout and stderr */
} spawned;
int spawn_start(char *const argv[], spawned *c);
int spawn_finish(spawned *c, text *out, int *wstatus);

/* S split on blanks into at most MAX malloc'd words, without any shell
 * interpretation; the count, or -1 (with nothing left allocated) when
 * there are more. */
int split_words(const char *s, char **words, int max);
void free_words(char **words, int n);

/* A growing, NULL-terminated argument list of malloc'd copies. */
typedef struct argvec {
  char **v;
  int n, cap;
} argvec;
void argvec_add(argvec *a, const char *word);
void argvec_add_all(argvec *a, char *const *words, int n);
void argvec_free(argvec *a);

/* Whether PROGRAM (a bare name) is an executable in $PATH. */
int in_path(const char *program);

#endif
