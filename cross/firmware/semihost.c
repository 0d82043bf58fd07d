/* Arm semihosting calls ("Semihosting for AArch32 and AArch64"). On
 * M-profile cores the call is `bkpt 0xab` with the operation in r0 and a
 * pointer to its argument block in r1; the result comes back in r0. */
#include "semihost.h"

#include <stdint.h>
#include <string.h>

#define SYS_OPEN 0x01
#define SYS_CLOSE 0x02
#define SYS_WRITE0 0x04
#define SYS_WRITE 0x05
#define SYS_READ 0x06
#define SYS_FLEN 0x0C
#define SYS_GET_CMDLINE 0x15
#define SYS_EXIT_EXTENDED 0x20
#define ADP_STOPPED_APPLICATION_EXIT 0x20026
/* SYS_OPEN's modes are fopen's, by index: "rb" is 1, "wb" is 5. */
#define OPEN_RB 1
#define OPEN_WB 5

static int sh_call(int op, const void *arg) {
  register int r0 __asm__("r0") = op;
  register const void *r1 __asm__("r1") = arg;
  __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

void sh_puts(const char *s) { (void)sh_call(SYS_WRITE0, s); }

void sh_exit(int code) {
  /* The extended call carries the exit code; plain SYS_EXIT only says
   * whether the application stopped normally. */
  const int block[2] = {ADP_STOPPED_APPLICATION_EXIT, code};
  (void)sh_call(SYS_EXIT_EXTENDED, block);
  for (;;) {
  }
}

/* The argument blocks are arrays of 32-bit words: pointers and sizes alike
 * (AArch32). */
int sh_open(const char *path, int write) {
  const uint32_t block[3] = {(uint32_t)(uintptr_t)path, write ? OPEN_WB : OPEN_RB, (uint32_t)strlen(path)};
  return sh_call(SYS_OPEN, block);
}

/* Both answer the bytes NOT moved. */
int sh_read(int handle, void *buf, size_t n) {
  const uint32_t block[3] = {(uint32_t)handle, (uint32_t)(uintptr_t)buf, (uint32_t)n};
  return sh_call(SYS_READ, block) != 0;
}

int sh_write(int handle, const void *buf, size_t n) {
  const uint32_t block[3] = {(uint32_t)handle, (uint32_t)(uintptr_t)buf, (uint32_t)n};
  return sh_call(SYS_WRITE, block) != 0;
}

long sh_flen(int handle) {
  const uint32_t block[1] = {(uint32_t)handle};
  return sh_call(SYS_FLEN, block);
}

int sh_close(int handle) {
  const uint32_t block[1] = {(uint32_t)handle};
  return sh_call(SYS_CLOSE, block);
}

int sh_cmdline(char *buf, size_t cap) {
  uint32_t block[2] = {(uint32_t)(uintptr_t)buf, (uint32_t)cap};
  if (cap == 0 || sh_call(SYS_GET_CMDLINE, block) != 0) return -1;
  buf[block[1] < cap ? block[1] : cap - 1] = 0;
  return 0;
}
