/* Whole-file reads and atomic writes (temporary name, then rename), so a
 * failed run never leaves a half-written output. */
#ifndef ONNXCC_FILEIO_H
#define ONNXCC_FILEIO_H

#include <stddef.h>

#include "diag.h"

status file_read_all(const char *path, unsigned char **data, size_t *size);
status file_write_atomic(const char *path, const void *data, size_t size);
/* malloc'ed dirname / basename without extension. */
char *path_dirname(const char *path);
char *path_stem(const char *path);
/* path with its extension replaced by `ext` (".h"). */
char *path_with_ext(const char *path, const char *ext);

#endif
