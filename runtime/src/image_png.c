/* PNG: 8-bit gray, gray + alpha, RGB, RGBA and palette images, not
 * interlaced. The IDAT chunks' bytes are gathered in scratch, inflated
 * after them (a filter byte and the row's bytes per row), unfiltered in
 * place, then written out as pixels. CRCs are not checked: a damaged
 * chunk that still parses decodes as it reads, as a decoder that skips
 * CRCs would have it. */
#include "image_internal.h"

typedef struct png_info {
  int64_t w, h;
  int ctype, chans;
  const uint8_t *pal; /* PLTE's entries, RGB */
  uint32_t pal_n;
} png_info;

static int channels(int ctype) {
  switch (ctype) {
  case 0: return 1; /* gray */
  case 2: return 3; /* RGB */
  case 3: return 1; /* palette index */
  case 4: return 2; /* gray, alpha */
  case 6: return 4; /* RGBA */
  default: return 0;
  }
}

static int ihdr(const uint8_t *d, uint32_t len, png_info *pi) {
  if (len != 13 || d[8] != 8 || d[10] != 0 || d[11] != 0 || d[12] != 0) return IMG_BAD;
  pi->w = img_u32be(d);
  pi->h = img_u32be(d + 4);
  pi->ctype = d[9];
  pi->chans = channels(pi->ctype);
  if (!pi->chans || pi->w > 0x7fffffff || pi->h > 0x7fffffff) return IMG_BAD;
  return IMG_OK;
}

static int paeth(int a, int b, int c) {
  const int p = a + b - c, pa = p > a ? p - a : a - p, pb = p > b ? p - b : b - p, pc = p > c ? p - c : c - p;
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/* Undoes the filter of each row of `rows` in place (bpp bytes a pixel). */
static int unfilter(uint8_t *rows, int64_t h, size_t rowbytes, size_t bpp) {
  int64_t y;
  size_t i;
  for (y = 0; y < h; y++) {
    uint8_t *r = rows + (size_t)y * (rowbytes + 1) + 1;
    const uint8_t *up = y > 0 ? r - (rowbytes + 1) : NULL;
    const int f = r[-1];
    for (i = 0; i < rowbytes; i++) {
      const int a = i >= bpp ? r[i - bpp] : 0, b = up ? up[i] : 0, c = up && i >= bpp ? up[i - bpp] : 0;
      int add;
      switch (f) {
      case 0: add = 0; break;
      case 1: add = a; break;
      case 2: add = b; break;
      case 3: add = (a + b) / 2; break;
      case 4: add = paeth(a, b, c); break;
      default: return IMG_BAD;
      }
      r[i] = (uint8_t)(r[i] + add);
    }
  }
  return IMG_OK;
}

static int put_rows(const uint8_t *rows, const png_info *pi, img_out *o) {
  const size_t rowbytes = (size_t)pi->w * (size_t)pi->chans;
  int64_t y, x;
  for (y = 0; y < pi->h; y++) {
    const uint8_t *r = rows + (size_t)y * (rowbytes + 1) + 1;
    for (x = 0; x < pi->w; x++) {
      const uint8_t *px = r + (size_t)x * (size_t)pi->chans;
      if (pi->ctype == 3) {
        if (px[0] >= pi->pal_n) return IMG_BAD;
        px = pi->pal + 3 * (size_t)px[0];
        img_put(o, y, x, px[0], px[1], px[2]);
      } else if (pi->chans <= 2) {
        img_put(o, y, x, px[0], px[0], px[0]);
      } else {
        img_put(o, y, x, px[0], px[1], px[2]);
      }
    }
  }
  return IMG_OK;
}

int img_decode_png(const uint8_t *f, size_t n, img_out *o, uint8_t *scratch) {
  png_info pi = {0};
  size_t pos = 8, idat = 0, rowbytes, want;
  int seen_ihdr = 0, r;
  for (;;) {
    uint32_t len;
    const uint8_t *type, *d;
    if (n - pos < 12) return IMG_BAD; /* no IEND */
    len = img_u32be(f + pos);
    type = f + pos + 4;
    d = f + pos + 8;
    if (len > n - pos - 12) return IMG_BAD;
    if (!seen_ihdr && !(type[0] == 'I' && type[1] == 'H' && type[2] == 'D' && type[3] == 'R')) return IMG_BAD;
    if (type[0] == 'I' && type[1] == 'H' && type[2] == 'D' && type[3] == 'R') {
      if (seen_ihdr || ihdr(d, len, &pi) != IMG_OK) return IMG_BAD;
      if ((r = img_begin(o, pi.h, pi.w)) != IMG_OK) return r;
      seen_ihdr = 1;
    } else if (type[0] == 'P' && type[1] == 'L' && type[2] == 'T' && type[3] == 'E') {
      if (len % 3 || len > 768) return IMG_BAD;
      pi.pal = d;
      pi.pal_n = len / 3;
    } else if (type[0] == 'I' && type[1] == 'D' && type[2] == 'A' && type[3] == 'T') {
      uint32_t i;
      for (i = 0; i < len; i++) scratch[idat + i] = d[i]; /* idat + len <= n: chunks lie in the file */
      idat += len;
    } else if (type[0] == 'I' && type[1] == 'E' && type[2] == 'N' && type[3] == 'D') {
      break;
    }
    pos += 12 + (size_t)len;
  }
  if (pi.ctype == 3 && !pi.pal) return IMG_BAD;
  rowbytes = (size_t)pi.w * (size_t)pi.chans;
  want = (size_t)pi.h * (rowbytes + 1);
  if (img_zlib_inflate(scratch, idat, scratch + idat, want)) return IMG_BAD;
  if (unfilter(scratch + idat, pi.h, rowbytes, (size_t)pi.chans) != IMG_OK) return IMG_BAD;
  return put_rows(scratch + idat, &pi, o);
}
