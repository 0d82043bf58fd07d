/* BMP: a BITMAPINFOHEADER (or its V4/V5 successors) with uncompressed
 * 24-bit, 32-bit (BI_RGB, or BI_BITFIELDS with the usual masks) or 8-bit
 * paletted rows, each padded to 4 bytes; a positive height stores the
 * bottom row first, a negative one the top row. */
#include "image_internal.h"

/* BI_BITFIELDS is taken only where its masks say plain BGRX bytes. */
static int standard_masks(const uint8_t *f, size_t n) {
  return n >= 66 && img_u32le(f + 54) == 0xFF0000u && img_u32le(f + 58) == 0xFF00u && img_u32le(f + 62) == 0xFFu;
}

int img_decode_bmp(const uint8_t *f, size_t n, img_out *o) {
  uint32_t off, hs, bpp, comp, colors;
  int64_t w, h, stride, row, col;
  const uint8_t *pal = NULL;
  int top_down, r;
  if (n < 54) return IMG_BAD;
  off = img_u32le(f + 10);
  hs = img_u32le(f + 14);
  w = (int32_t)img_u32le(f + 18);
  h = (int32_t)img_u32le(f + 22);
  bpp = img_u16le(f + 28);
  comp = img_u32le(f + 30);
  colors = img_u32le(f + 46);
  if (hs < 40 || hs > n || img_u16le(f + 26) != 1) return IMG_BAD;
  if (!(comp == 0 || (comp == 3 && bpp == 32 && standard_masks(f, n)))) return IMG_BAD;
  if (bpp != 8 && bpp != 24 && bpp != 32) return IMG_BAD;
  top_down = h < 0;
  if ((r = img_begin(o, top_down ? -h : h, w)) != IMG_OK) return r;
  h = o->h;
  if (bpp == 8) {
    if (colors == 0) colors = 256;
    if (colors > 256 || 14 + (size_t)hs + 4 * (size_t)colors > n) return IMG_BAD;
    pal = f + 14 + hs;
  }
  stride = (w * bpp + 31) / 32 * 4;
  if (off > n || (size_t)(stride * h) > n - off) return IMG_BAD;
  for (row = 0; row < h; row++) {
    const uint8_t *s = f + off + (size_t)(stride * (top_down ? row : h - 1 - row));
    for (col = 0; col < w; col++) {
      const uint8_t *px;
      if (bpp == 8 && s[col] >= colors) return IMG_BAD;
      px = bpp == 8 ? pal + 4 * (size_t)s[col] : s + col * (bpp / 8);
      img_put(o, row, col, px[2], px[1], px[0]); /* stored B, G, R */
    }
  }
  return IMG_OK;
}
