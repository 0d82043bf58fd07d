/* PNM: P5 (gray) and P6 (RGB) binary, P2 and P3 their ASCII forms, with
 * maxval 255 (other maxvals would need scaling that nobody asked for:
 * such a file gives the empty result). Header fields are decimal numbers
 * separated by whitespace and '#' comments. */
#include "image_internal.h"

static int is_space(uint8_t c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

/* The next decimal number at or after *pos (skipping whitespace and
 * comments), or -1; *pos ends just past its digits. */
static int64_t number(const uint8_t *f, size_t n, size_t *pos) {
  size_t i = *pos;
  int64_t v = 0;
  for (;;) {
    while (i < n && is_space(f[i])) i++;
    if (i < n && f[i] == '#') {
      while (i < n && f[i] != '\n' && f[i] != '\r') i++;
      continue;
    }
    break;
  }
  if (i >= n || f[i] < '0' || f[i] > '9') return -1;
  for (; i < n && f[i] >= '0' && f[i] <= '9'; i++) {
    v = v * 10 + (f[i] - '0');
    if (v > 0x7fffffff) return -1;
  }
  *pos = i;
  return v;
}

int img_decode_pnm(const uint8_t *f, size_t n, img_out *o) {
  const int rgb = f[1] == '3' || f[1] == '6', ascii = f[1] == '2' || f[1] == '3';
  const int ch = rgb ? 3 : 1;
  size_t pos = 2;
  int64_t w = number(f, n, &pos), h = number(f, n, &pos), maxval = number(f, n, &pos), row, col;
  int r, c;
  if (w < 0 || h < 0 || maxval != 255) return IMG_BAD;
  if ((r = img_begin(o, h, w)) != IMG_OK) return r;
  if (!ascii) {
    /* one whitespace byte, then the samples */
    if (pos >= n || !is_space(f[pos])) return IMG_BAD;
    pos++;
    if ((size_t)(w * h * ch) > n - pos) return IMG_BAD;
  }
  for (row = 0; row < h; row++)
    for (col = 0; col < w; col++) {
      unsigned s[3];
      for (c = 0; c < ch; c++) {
        int64_t v = ascii ? number(f, n, &pos) : f[pos++];
        if (v < 0 || v > 255) return IMG_BAD;
        s[c] = (unsigned)v;
      }
      if (ch == 1) s[1] = s[2] = s[0];
      img_put(o, row, col, s[0], s[1], s[2]);
    }
  return IMG_OK;
}
