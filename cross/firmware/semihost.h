/* Arm semihosting: the debugger (or QEMU's -semihosting) prints, opens the
 * host's files and ends the program for the firmware, so a board run needs
 * no UART or storage driver. */
#ifndef ONNXCC_FW_SEMIHOST_H
#define ONNXCC_FW_SEMIHOST_H

#include <stddef.h>

/* Writes the NUL-terminated string S to the host's console. */
void sh_puts(const char *s);
/* Ends the run; the host (qemu-system-arm) exits with CODE. */
void sh_exit(int code);

/* The host's files (QEMU: -semihosting-config enable=on,target=native; a
 * relative path is relative to QEMU's working folder). sh_open returns a
 * handle, or -1; WRITE 0 opens for reading, 1 creates or truncates for
 * writing, both in binary mode. sh_read and sh_write return 0 when all N
 * bytes moved. sh_flen is the open file's size, or -1. */
int sh_open(const char *path, int write);
int sh_read(int handle, void *buf, size_t n);
int sh_write(int handle, const void *buf, size_t n);
long sh_flen(int handle);
int sh_close(int handle);

/* The command line QEMU was given (-semihosting-config arg=... , joined by
 * blanks) into BUF of CAP bytes, NUL-terminated; 0 on success. */
int sh_cmdline(char *buf, size_t cap);

#endif
