/* Arm semihosting: the debugger (or QEMU's -semihosting) prints and ends
 * the program for the firmware, so a board run needs no UART driver. */
#ifndef ONNXCC_FW_SEMIHOST_H
#define ONNXCC_FW_SEMIHOST_H

/* Writes the NUL-terminated string S to the host's console. */
void sh_puts(const char *s);
/* Ends the run; the host (qemu-system-arm) exits with CODE. */
void sh_exit(int code);

#endif
