#include "subprocess.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "diag.h"

extern char **environ;

/* Output kept from a child: enough for any compiler error or the
 * driver's timings; the rest is read and dropped so the child never blocks
 * on a full pipe. */
#define CAPTURE_MAX (1 << 20)

static int reap(pid_t pid, int *wstatus) {
  siginfo_t info;
  int rc;
  /* Wait without reaping, then reap with the signals blocked: the cleanup
   * handler must never kill a process id that was already reaped (and maybe
   * reused). */
  do rc = waitid(P_PID, (id_t)pid, &info, WEXITED | WNOWAIT);
  while (rc != 0 && errno == EINTR);
  cleanup_block();
  rc = waitpid(pid, wstatus, 0);
  cleanup_forget_child(pid);
  cleanup_unblock();
  return rc == pid ? 0 : -1;
}

int spawn_start(char *const argv[], spawned *c) {
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t attr;
  sigset_t none, dfl;
  int fds[2], rc;
  if (pipe2(fds, O_CLOEXEC) != 0) return -1;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
  posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
  posix_spawnattr_init(&attr);
  sigemptyset(&none);
  sigemptyset(&dfl);
  sigaddset(&dfl, SIGINT);
  sigaddset(&dfl, SIGTERM);
  sigaddset(&dfl, SIGHUP);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &dfl);
  /* Its own group, so the handler can kill the compiler's children too. */
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  cleanup_block();
  rc = posix_spawnp(&c->pid, argv[0], &fa, &attr, argv, environ);
  if (rc == 0) cleanup_add_child(c->pid);
  cleanup_unblock();
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  close(fds[1]);
  if (rc != 0) {
    close(fds[0]);
    errno = rc;
    return -1;
  }
  c->fd = fds[0];
  return 0;
}

int spawn_finish(spawned *c, text *out, int *wstatus) {
  size_t kept = 0;
  char buf[4096];
  ssize_t n;
  while ((n = read(c->fd, buf, sizeof buf - 1)) != 0) {
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (kept < CAPTURE_MAX) {
      buf[n] = 0;
      text_puts(out, buf);
      kept += (size_t)n;
    }
  }
  close(c->fd);
  return reap(c->pid, wstatus);
}

int spawn_capture(char *const argv[], text *out, int *wstatus) {
  spawned c;
  if (spawn_start(argv, &c) != 0) return -1;
  return spawn_finish(&c, out, wstatus);
}

/* $CC split on blanks into words, without any shell interpretation (no
 * quotes, no variables), so "ccache gcc" and "clang -m64" work and nothing
 * in it can run a command. */
int split_words(const char *s, char **words, int max) {
  int n = 0;
  while (*s) {
    size_t len;
    while (*s == ' ' || *s == '\t' || *s == '\n') s++;
    len = strcspn(s, " \t\n");
    if (!len) break;
    if (n == max) {
      free_words(words, n); /* nothing for the caller to free */
      return -1;
    }
    words[n] = xmalloc((unsigned long)len + 1);
    memcpy(words[n], s, len);
    words[n][len] = 0;
    n++;
    s += len;
  }
  return n;
}

void free_words(char **words, int n) {
  while (n > 0) free(words[--n]);
}

int in_path(const char *program) {
  const char *path = getenv("PATH"), *p;
  if (!path) return 0;
  for (p = path; *p;) {
    size_t len = strcspn(p, ":");
    /* an empty entry means the current folder */
    char *full = len ? xasprintf("%.*s/%s", (int)len, p, program) : xasprintf("./%s", program);
    int ok = access(full, X_OK) == 0;
    free(full);
    if (ok) return 1;
    p += len;
    if (*p == ':') p++;
  }
  return 0;
}

void argvec_add(argvec *a, const char *word) {
  if (a->n + 2 > a->cap) {
    a->cap = a->cap ? 2 * a->cap : 32;
    a->v = xrealloc(a->v, sizeof(char *) * (size_t)a->cap);
  }
  a->v[a->n++] = xstrdup(word);
  a->v[a->n] = NULL;
}

void argvec_add_all(argvec *a, char *const *words, int n) {
  int i;
  for (i = 0; i < n; i++) argvec_add(a, words[i]);
}

void argvec_free(argvec *a) {
  int i;
  for (i = 0; i < a->n; i++) free(a->v[i]);
  free(a->v);
  a->v = NULL;
  a->n = a->cap = 0;
}
