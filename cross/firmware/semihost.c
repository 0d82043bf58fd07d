/* Two semihosting calls (Arm's "Semihosting for AArch32 and AArch64"):
 * SYS_WRITE0 and SYS_EXIT_EXTENDED. On M-profile cores the call is
 * `bkpt 0xab` with the operation in r0 and its argument in r1. */
#include "semihost.h"

#define SYS_WRITE0 0x04
#define SYS_EXIT_EXTENDED 0x20
#define ADP_STOPPED_APPLICATION_EXIT 0x20026

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
