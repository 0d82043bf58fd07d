/* Runs every model of models.c once and prints its outputs as hex bytes
 * over semihosting; check_firmware.py compares them with the references.
 * Hex keeps the values exact and needs no printf (newlib's float printing
 * would pull in malloc). */
#include "fw_models.h"
#include "semihost.h"

static void put_uint(unsigned long v) {
  char buf[24];
  int i = (int)sizeof buf - 1;
  buf[i] = 0;
  do buf[--i] = (char)('0' + v % 10);
  while ((v /= 10) && i > 0);
  sh_puts(buf + i);
}

/* 32 bytes a line: short lines, few semihosting calls. */
static void put_hex(const unsigned char *p, size_t n) {
  static const char digits[] = "0123456789abcdef";
  char line[2 * 32 + 2];
  size_t i = 0;
  while (i < n) {
    int k = 0;
    for (; i < n && k < 64; i++) {
      line[k++] = digits[p[i] >> 4];
      line[k++] = digits[p[i] & 15];
    }
    line[k++] = '\n';
    line[k] = 0;
    sh_puts(line);
  }
}

int main(void) {
  int m, k, failed = 0;
  for (m = 0; m < fw_n_models; m++) {
    const fw_model *md = &fw_models[m];
    int st = md->run(fw_arena, fw_arena_bytes);
    sh_puts("model ");
    sh_puts(md->name);
    sh_puts(" status ");
    put_uint((unsigned long)(st < 0 ? -st : st));
    sh_puts("\n");
    if (st) {
      failed = 1;
      continue;
    }
    for (k = 0; k < md->n_outputs; k++) {
      sh_puts("output ");
      put_uint((unsigned long)k);
      sh_puts(" ");
      put_uint((unsigned long)md->output_bytes[k]);
      sh_puts("\n");
      put_hex(md->outputs[k], md->output_bytes[k]);
    }
  }
  sh_puts("done\n");
  return failed;
}
