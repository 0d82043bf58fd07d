/* Cleanup on SIGINT, SIGTERM and SIGHUP.
 *
 * The compiler writes its outputs under temporary names and `onnxcc run`
 * builds in a temporary folder. A signal must not leave either behind, so
 * every such path is registered here while it exists. The handler uses only
 * async-signal-safe calls on paths copied at registration time: it kills the
 * running child (if any), unlinks the registered files, empties and removes
 * the registered folders, then restores the default action and re-raises the
 * signal so the exit status still says what killed us. */
#ifndef ONNXCC_CLEANUP_H
#define ONNXCC_CLEANUP_H

#include <sys/types.h>

/* Installs the handlers; call once, early in main(). */
void cleanup_install(void);

/* Registers a file to unlink (or, with is_dir, a folder to empty and
 * remove) if a signal arrives. Returns a slot for cleanup_forget, or -1 when
 * the table is full (the path is then not protected). */
int cleanup_add(const char *path, int is_dir);
/* Unregisters a slot (the file was renamed or removed). -1 is ignored. */
void cleanup_forget(int slot);

/* A child process (also the leader of its own process group) to kill
 * before cleaning up, and its removal once reaped; at most
 * CLEANUP_CHILDREN at a time (call both with the signals blocked). */
#define CLEANUP_CHILDREN 8
void cleanup_add_child(pid_t pid);
void cleanup_forget_child(pid_t pid);

/* Blocks / unblocks the handled signals, so the caller can start a child
 * and register it (or reap it and unregister it) with no signal between.
 * Pairs nest. */
void cleanup_block(void);
void cleanup_unblock(void);

#endif
