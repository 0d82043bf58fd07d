#include "cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/syscall.h>
#endif

#include "diag.h"

/* A compile holds at most three temporary files at once and `run` one
 * folder plus the temporaries of the files it writes into it. */
#define CLEANUP_SLOTS 32

static const int handled[] = {SIGINT, SIGTERM, SIGHUP};
#define N_HANDLED ((int)(sizeof handled / sizeof handled[0]))

/* Written only with the handled signals blocked, read by the handler. */
static char *volatile slot_path[CLEANUP_SLOTS];
static volatile sig_atomic_t slot_is_dir[CLEANUP_SLOTS];
/* Children running now: several while `onnxcc run` builds the runtime. */
static volatile pid_t child_pids[CLEANUP_CHILDREN];

static void handled_set(sigset_t *set) {
  int i;
  sigemptyset(set);
  for (i = 0; i < N_HANDLED; i++) sigaddset(set, handled[i]);
}

/* Nesting depth of cleanup_block, so an inner pair does not unblock what
 * an outer one still needs blocked. */
static int block_depth;

void cleanup_block(void) {
  sigset_t set;
  if (block_depth++ > 0) return;
  handled_set(&set);
  sigprocmask(SIG_BLOCK, &set, NULL);
}

void cleanup_unblock(void) {
  sigset_t set;
  if (block_depth == 0 || --block_depth > 0) return;
  handled_set(&set);
  sigprocmask(SIG_UNBLOCK, &set, NULL);
}

#ifdef __linux__
/* The kernel's record for getdents64; glibc's readdir is not
 * async-signal-safe, the raw system call is. */
struct dirent64_rec {
  uint64_t ino;
  int64_t off;
  unsigned short reclen;
  unsigned char type;
  char name[];
};

/* Unlinks every entry of a folder we created (mode 0700, so only our own
 * files are in it; unlinkat never follows a symlink). */
static void empty_dir(const char *path) {
  char buf[4096] __attribute__((aligned(8)));
  int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  long n;
  if (fd < 0) return;
  while ((n = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0) {
    long off = 0;
    while (off < n) {
      struct dirent64_rec *d = (struct dirent64_rec *)(buf + off);
      off += d->reclen;
      if (d->name[0] == '.' && (!d->name[1] || (d->name[1] == '.' && !d->name[2]))) continue;
      unlinkat(fd, d->name, 0);
    }
  }
  close(fd);
}
#else
static void empty_dir(const char *path) { (void)path; }
#endif

static void on_signal(int sig) {
  int saved_errno = errno, i;
  struct sigaction dfl;
  for (i = 0; i < CLEANUP_CHILDREN; i++) {
    pid_t pid = child_pids[i];
    if (pid <= 0) continue;
    /* Each child leads its own process group: the C compiler's own children
     * (cc1, as, ld) go with it. Reap it so it stops writing into the folder
     * before we empty it. */
    kill(-pid, SIGKILL);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
  }
  for (i = 0; i < CLEANUP_SLOTS; i++) {
    const char *p = slot_path[i];
    if (!p) continue;
    if (slot_is_dir[i]) {
      empty_dir(p);
      rmdir(p);
    } else {
      unlink(p);
    }
  }
  memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  sigaction(sig, &dfl, NULL);
  errno = saved_errno;
  /* Delivered with the default action once the handler returns. */
  raise(sig);
}

void cleanup_install(void) {
  struct sigaction sa;
  int i;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  handled_set(&sa.sa_mask); /* one handler at a time */
  for (i = 0; i < N_HANDLED; i++) {
    struct sigaction old;
    /* A signal ignored by whoever started us (nohup, a shell's `&`) stays
     * ignored. */
    if (sigaction(handled[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN) continue;
    sigaction(handled[i], &sa, NULL);
  }
}

int cleanup_add(const char *path, int is_dir) {
  char *copy = xstrdup(path);
  sigset_t set, old;
  int i;
  handled_set(&set);
  sigprocmask(SIG_BLOCK, &set, &old);
  for (i = 0; i < CLEANUP_SLOTS; i++) {
    if (slot_path[i]) continue;
    slot_is_dir[i] = is_dir;
    slot_path[i] = copy;
    break;
  }
  sigprocmask(SIG_SETMASK, &old, NULL);
  if (i == CLEANUP_SLOTS) {
    free(copy);
    return -1;
  }
  return i;
}

void cleanup_forget(int slot) {
  sigset_t set, old;
  char *p;
  if (slot < 0 || slot >= CLEANUP_SLOTS) return;
  handled_set(&set);
  sigprocmask(SIG_BLOCK, &set, &old);
  p = slot_path[slot];
  slot_path[slot] = NULL;
  sigprocmask(SIG_SETMASK, &old, NULL);
  free(p);
}

void cleanup_add_child(pid_t pid) {
  int i;
  for (i = 0; i < CLEANUP_CHILDREN; i++)
    if (child_pids[i] <= 0) {
      child_pids[i] = pid;
      return;
    }
}

void cleanup_forget_child(pid_t pid) {
  int i;
  for (i = 0; i < CLEANUP_CHILDREN; i++)
    if (child_pids[i] == pid) child_pids[i] = 0;
}
