/* Whole-file reads and safe writes.
 *
 * Outputs are written to a fresh temporary file in the destination's own
 * folder (random name, O_EXCL | O_NOFOLLOW: never through a planted
 * symlink, never onto a file someone else made) and renamed into place, so
 * a failed run never leaves a half-written output. A file_set renames
 * several outputs only once all of them are written. Temporary files are
 * registered with cleanup.h while they exist, so a signal removes them. */
#ifndef ONNXCC_FILEIO_H
#define ONNXCC_FILEIO_H

#include <stddef.h>

#include "diag.h"

status file_read_all(const char *path, unsigned char **data, size_t *size);

#define FILE_SET_MAX 4

typedef struct file_set {
  int n;
  struct {
    char *path;  /* destination */
    char *tmp;   /* written, closed temporary file beside it */
    int slot;    /* cleanup registration */
  } f[FILE_SET_MAX];
} file_set;

void file_set_init(file_set *s);
/* Writes `data` to a new temporary file beside `path`. On failure the
 * temporaries already in the set stay; call file_set_abort. */
status file_set_add(file_set *s, const char *path, const void *data, size_t size);
/* Renames every temporary into place, in the order added, and empties the
 * set. A rename that fails removes the temporaries not yet renamed; the
 * message names the files already replaced. */
status file_set_commit(file_set *s);
/* Removes the temporaries and empties the set. */
void file_set_abort(file_set *s);

/* One file the same way (a set of one). */
status file_write_atomic(const char *path, const void *data, size_t size);

/* malloc'ed dirname / basename without extension. */
char *path_dirname(const char *path);
char *path_stem(const char *path);
/* path with its extension replaced by `ext` (".h"). */
char *path_with_ext(const char *path, const char *ext);
/* The path with its folder resolved (realpath of the folder, then the last
 * component), so two spellings of one file compare equal; a copy of the
 * path itself when the folder does not resolve. */
char *path_canonical(const char *path);
/* 1 when a and b name the same file: the same device and inode if both
 * exist, else the same canonical path. */
int path_same_file(const char *a, const char *b);

/* Removes a folder of plain files (no subfolders), then the folder. */
void dir_remove_flat(const char *dir);

#endif
