/* ImageDecoder's kernel on small hand-made files of each format (BMP,
 * PNM, PNG, TIFF), the pixel formats, the bound, and damaged files: every
 * truncation and many byte flips must give a result without reading past
 * the file (the file is copied into a buffer of its exact size, so ASan
 * sees any over-read). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <onnxcc/kernels.h>

#include "suites.h"

/* The test image: pixel (x, y) channel c. */
static unsigned pix(int x, int y, int c) { return (unsigned)(x * 50 + y * 30 + c * 70 + 5) & 255u; }

typedef struct decoded {
  uint8_t y[64 * 64 * 3];
  int64_t h, w;
  int st;
} decoded;

static void decode(const uint8_t *file, size_t n, int format, int64_t max, decoded *d) {
  uint8_t *f = malloc(n ? n : 1), *scratch = malloc(rt_image_scratch_bytes((int64_t)n, max, max));
  uint8_t *y = malloc((size_t)(max * max * 3));
  int64_t dims[2] = {-1, -1};
  int st = RT_OK;
  rt_image_params p;
  const void *in[RT_MIN_ARGS] = {0};
  void *out[RT_MIN_ARGS] = {0};
  memcpy(f, file, n);
  memset(&p, 0, sizeof p);
  p.nbytes = (int64_t)n;
  p.max_h = p.max_w = max;
  p.format = format;
  in[0] = f;
  out[0] = y;
  out[1] = dims;
  out[RT_STATUS_SLOT] = &st;
  rt_image_decode(&p, in, out, scratch);
  d->h = dims[0];
  d->w = dims[1];
  d->st = st;
  if (d->h > 0 && d->w > 0) memcpy(d->y, y, (size_t)(d->h * d->w * (format == 2 ? 1 : 3)));
  free(f);
  free(scratch);
  free(y);
}

/* d holds the test image (w x h) in pixel format `format`; gray: the
 * image's channel 0 repeated when `gray_src`. */
static void check_image(const decoded *d, int w, int h, int format, int gray_src) {
  int x, yy, c;
  ck_assert_int_eq(d->st, RT_OK);
  ck_assert_int_eq(d->h, h);
  ck_assert_int_eq(d->w, w);
  for (yy = 0; yy < h; yy++)
    for (x = 0; x < w; x++) {
      unsigned rgb[3];
      for (c = 0; c < 3; c++) rgb[c] = pix(x, yy, gray_src ? 0 : c);
      if (format == 2) {
        ck_assert_int_eq(d->y[yy * w + x], (rgb[0] * 19595u + rgb[1] * 38470u + rgb[2] * 7471u + 32768u) >> 16);
      } else {
        for (c = 0; c < 3; c++) ck_assert_int_eq(d->y[(yy * w + x) * 3 + c], rgb[format == 1 ? 2 - c : c]);
      }
    }
}

/* Every truncation gives the empty result (no crash); byte flips give
 * no crash. */
static void check_damage(const uint8_t *f, size_t n, int truncations_fail) {
  uint8_t *g = malloc(n);
  decoded d;
  size_t k;
  for (k = 0; k < n; k++) {
    decode(f, k, 0, 16, &d);
    if (truncations_fail) ck_assert_int_eq(d.h, 0);
    ck_assert(d.h >= 0 && d.h <= 16 && d.w >= 0 && d.w <= 16);
  }
  for (k = 0; k < n; k++) {
    memcpy(g, f, n);
    g[k] ^= (uint8_t)(k * 37 + 1);
    decode(g, n, 0, 16, &d);
    ck_assert(d.h >= 0 && d.h <= 16 && d.w >= 0 && d.w <= 16);
  }
  free(g);
}

static void le16(uint8_t *p, unsigned v) { p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8); }
static void le32(uint8_t *p, uint32_t v) { le16(p, v & 0xFFFFu), le16(p + 2, v >> 16); }
static void be32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8), p[3] = (uint8_t)v;
}

/* ---- BMP ---- */

/* A w x h BMP of the test image; h < 0: top-down. bpp 8 stores channel 0
 * through a gray palette. Returns the size. */
static size_t make_bmp(uint8_t *b, int w, int h, int bpp) {
  const int rows = h < 0 ? -h : h, stride = (w * bpp + 31) / 32 * 4, pal = bpp == 8 ? 256 * 4 : 0;
  const size_t off = 54 + (size_t)pal, size = off + (size_t)(stride * rows);
  int x, r, c;
  memset(b, 0, size);
  b[0] = 'B', b[1] = 'M';
  le32(b + 2, (uint32_t)size);
  le32(b + 10, (uint32_t)off);
  le32(b + 14, 40);
  le32(b + 18, (uint32_t)w);
  le32(b + 22, (uint32_t)h);
  le16(b + 26, 1);
  le16(b + 28, (unsigned)bpp);
  for (c = 0; c < 256 && pal; c++) b[54 + 4 * c] = b[55 + 4 * c] = b[56 + 4 * c] = (uint8_t)c;
  for (r = 0; r < rows; r++) {
    const int y = h < 0 ? r : rows - 1 - r; /* the image row stored r-th */
    uint8_t *s = b + off + (size_t)(r * stride);
    for (x = 0; x < w; x++) {
      if (bpp == 8) s[x] = (uint8_t)pix(x, y, 0);
      else
        for (c = 0; c < 3; c++) s[x * (bpp / 8) + c] = (uint8_t)pix(x, y, 2 - c);
    }
  }
  return size;
}

START_TEST(bmp_formats) {
  static uint8_t b[4096];
  decoded d;
  size_t n = make_bmp(b, 3, 2, 24); /* rows of 9 bytes padded to 12 */
  decode(b, n, 0, 8, &d);
  check_image(&d, 3, 2, 0, 0);
  decode(b, n, 1, 8, &d);
  check_image(&d, 3, 2, 1, 0);
  decode(b, n, 2, 8, &d);
  check_image(&d, 3, 2, 2, 0);
  n = make_bmp(b, 3, -2, 32);
  decode(b, n, 0, 8, &d);
  check_image(&d, 3, 2, 0, 0);
  n = make_bmp(b, 5, -3, 8);
  decode(b, n, 0, 8, &d);
  check_image(&d, 5, 3, 0, 1);
  decode(b, n, 2, 8, &d);
  check_image(&d, 5, 3, 2, 1);
  n = make_bmp(b, 5, 3, 8);
  decode(b, n, 1, 8, &d);
  check_image(&d, 5, 3, 1, 1);
}
END_TEST

START_TEST(gray_is_pillows) {
  /* pure red, green and blue: Pillow's L values 76, 150, 29 */
  static uint8_t b[256];
  const uint8_t bgr[3][3] = {{0, 0, 255}, {0, 255, 0}, {255, 0, 0}};
  const int want[3] = {76, 150, 29};
  decoded d;
  int k;
  size_t n = make_bmp(b, 1, 1, 24);
  for (k = 0; k < 3; k++) {
    memcpy(b + 54, bgr[k], 3);
    decode(b, n, 2, 4, &d);
    ck_assert_int_eq(d.h, 1);
    ck_assert_int_eq(d.y[0], want[k]);
  }
}
END_TEST

START_TEST(bmp_damage_and_bound) {
  static uint8_t b[4096];
  decoded d;
  size_t n = make_bmp(b, 3, 2, 24);
  check_damage(b, n, 1);
  n = make_bmp(b, 4, -2, 8);
  check_damage(b, n, 1);
  /* larger than the bound: refused, not cut */
  n = make_bmp(b, 3, 2, 24);
  decode(b, n, 0, 2, &d);
  ck_assert_int_eq(d.st, RT_ERR_SHAPE);
  ck_assert_int_eq(d.h, 0);
  /* RLE compression is not taken: empty */
  le32(b + 30, 1);
  decode(b, n, 0, 8, &d);
  ck_assert_int_eq(d.st, RT_OK);
  ck_assert_int_eq(d.h, 0);
  ck_assert_int_eq(d.w, 0);
}
END_TEST

/* ---- PNM ---- */

#define PNM_CAP 4096

static size_t make_pnm(char *b, char kind, int w, int h) {
  const int ch = kind == '3' || kind == '6' ? 3 : 1, ascii = kind == '2' || kind == '3';
  size_t n = (size_t)snprintf(b, PNM_CAP, "P%c\n# a comment\n%d %d\n255\n", kind, w, h);
  int x, y, c;
  for (y = 0; y < h; y++)
    for (x = 0; x < w; x++)
      for (c = 0; c < ch; c++) {
        if (ascii) n += (size_t)snprintf(b + n, PNM_CAP - n, "%u%c", pix(x, y, c), c == ch - 1 ? '\n' : ' ');
        else b[n++] = (char)pix(x, y, c);
      }
  return n;
}

START_TEST(pnm_formats) {
  static char b[PNM_CAP];
  const char kinds[4] = {'2', '3', '5', '6'};
  decoded d;
  int k;
  for (k = 0; k < 4; k++) {
    const int gray = kinds[k] == '2' || kinds[k] == '5';
    size_t n = make_pnm(b, kinds[k], 4, 3);
    decode((const uint8_t *)b, n, 0, 8, &d);
    check_image(&d, 4, 3, 0, gray);
    decode((const uint8_t *)b, n, 2, 8, &d);
    check_image(&d, 4, 3, 2, gray);
    check_damage((const uint8_t *)b, n, kinds[k] == '5' || kinds[k] == '6');
  }
  /* maxval other than 255: empty */
  decode((const uint8_t *)"P5 1 1 15 x", 11, 0, 8, &d);
  ck_assert_int_eq(d.h, 0);
}
END_TEST

/* ---- PNG ---- */

/* Appends a chunk (CRC left 0: the decoder does not check it). */
static size_t chunk(uint8_t *b, size_t n, const char *type, const uint8_t *data, uint32_t len) {
  be32(b + n, len);
  memcpy(b + n + 4, type, 4);
  if (len) memcpy(b + n + 8, data, len);
  memset(b + n + 8 + len, 0, 4);
  return n + 12 + len;
}

static uint32_t adler(const uint8_t *p, size_t n) {
  uint32_t a = 1, s = 0;
  size_t i;
  for (i = 0; i < n; i++) a = (a + p[i]) % 65521u, s = (s + a) % 65521u;
  return s << 16 | a;
}

/* A PNG of color type ctype holding `z` (a zlib stream) as two IDATs. */
static size_t make_png(uint8_t *b, int w, int h, int ctype, const uint8_t *z, size_t zn, const uint8_t *pal,
                       uint32_t pal_n) {
  uint8_t hdr[13] = {0};
  size_t n = 8;
  memcpy(b, "\x89PNG\r\n\x1a\n", 8);
  be32(hdr, (uint32_t)w);
  be32(hdr + 4, (uint32_t)h);
  hdr[8] = 8;
  hdr[9] = (uint8_t)ctype;
  n = chunk(b, n, "IHDR", hdr, 13);
  if (pal) n = chunk(b, n, "PLTE", pal, 3 * pal_n);
  n = chunk(b, n, "IDAT", z, (uint32_t)(zn / 2));
  n = chunk(b, n, "IDAT", z + zn / 2, (uint32_t)(zn - zn / 2));
  return chunk(b, n, "IEND", NULL, 0);
}

/* Stored deflate blocks (two) around raw rows. */
static size_t zlib_stored(uint8_t *z, const uint8_t *raw, size_t n) {
  const size_t half = n / 2;
  size_t k = 0;
  z[k++] = 0x78, z[k++] = 0x01;
  z[k++] = 0, le16(z + k, (unsigned)half), le16(z + k + 2, (unsigned)~half & 0xFFFFu), k += 4;
  memcpy(z + k, raw, half), k += half;
  z[k++] = 1, le16(z + k, (unsigned)(n - half)), le16(z + k + 2, (unsigned)~(n - half) & 0xFFFFu), k += 4;
  memcpy(z + k, raw + half, n - half), k += n - half;
  be32(z + k, adler(raw, n));
  return k + 4;
}

/* The test image as PNG rows of `chans` channels (RGBA's alpha 99), row y
 * filtered with filter y % 5. */
static size_t filtered_rows(uint8_t *raw, int w, int h, int chans) {
  const size_t rb = (size_t)(w * chans);
  uint8_t plain[64 * 4 * 2];
  int x, y, c;
  size_t i, n = 0;
  for (y = 0; y < h; y++) {
    const int f = y % 5;
    uint8_t *prev = plain + (y % 2 ? 0 : rb), *cur = plain + (y % 2 ? rb : 0);
    for (x = 0; x < w; x++)
      for (c = 0; c < chans; c++) cur[x * chans + c] = (uint8_t)(c == 3 ? 99 : pix(x, y, chans == 1 ? 0 : c));
    raw[n++] = (uint8_t)f;
    for (i = 0; i < rb; i++) {
      const int a = i >= (size_t)chans ? cur[i - chans] : 0, b = y ? prev[i] : 0;
      const int cc = y && i >= (size_t)chans ? prev[i - chans] : 0;
      const int p = a + b - cc, pa = abs(p - a), pb = abs(p - b), pc = abs(p - cc);
      const int pred = f == 0 ? 0 : f == 1 ? a : f == 2 ? b : f == 3 ? (a + b) / 2 : pa <= pb && pa <= pc ? a : pb <= pc ? b : cc;
      raw[n++] = (uint8_t)(cur[i] - pred);
    }
  }
  return n;
}

START_TEST(png_filters_and_types) {
  static uint8_t raw[8192], z[8192], b[8192];
  const int types[3] = {0, 2, 6}, chans[3] = {1, 3, 4};
  decoded d;
  int k;
  for (k = 0; k < 3; k++) {
    const size_t rn = filtered_rows(raw, 7, 6, chans[k]), zn = zlib_stored(z, raw, rn);
    const size_t n = make_png(b, 7, 6, types[k], z, zn, NULL, 0);
    decode(b, n, 0, 8, &d);
    check_image(&d, 7, 6, 0, chans[k] == 1);
    decode(b, n, 1, 8, &d);
    check_image(&d, 7, 6, 1, chans[k] == 1);
    check_damage(b, n, 1);
  }
}
END_TEST

START_TEST(png_palette) {
  /* 2 x 2, indices 0 1 / 2 0 */
  static uint8_t z[256], b[512];
  const uint8_t raw[6] = {0, 0, 1, 0, 2, 0}, pal[9] = {1, 2, 3, 40, 50, 60, 70, 80, 90};
  decoded d;
  const size_t n = make_png(b, 2, 2, 3, z, zlib_stored(z, raw, 6), pal, 3);
  decode(b, n, 0, 4, &d);
  ck_assert_int_eq(d.h, 2);
  ck_assert_int_eq(d.y[3], 40);
  ck_assert_int_eq(d.y[7], 80);
  ck_assert_int_eq(d.y[11], 3);
  check_damage(b, n, 1);
  /* an index past the palette: empty */
  {
    const uint8_t bad[6] = {0, 0, 3, 0, 2, 0};
    const size_t m = make_png(b, 2, 2, 3, z, zlib_stored(z, bad, 6), pal, 3);
    decode(b, m, 0, 4, &d);
    ck_assert_int_eq(d.st, RT_OK);
    ck_assert_int_eq(d.h, 0);
  }
}
END_TEST

/* zlib streams from zlib.compress(rows, 9) of gray images whose rows all
 * use filter 0: 4 x 4 of (x * 60 + y * 5) & 255 (fixed Huffman codes),
 * 16 x 16 of ((x * 7 + y * 13 + x * y) % 23) * 11 & 255 (dynamic). */
static const uint8_t z_fixed[] = {0x78, 0xda, 0x63, 0x60, 0xb0, 0xa9, 0xd8, 0xc2, 0xc0, 0xea, 0x58, 0xbb, 0x93, 0x81,
                                  0xcb, 0xad, 0x69, 0x1f, 0x03, 0xbf, 0x77, 0xfb, 0x61, 0x00, 0x36, 0x60, 0x06, 0x19};
static const uint8_t z_dynamic[] = {
    0x78, 0xda, 0x05, 0xc1, 0x91, 0x02, 0x40, 0x21, 0x0c, 0x05, 0xd0, 0xeb, 0xf3, 0x79, 0x9e, 0xe7, 0x79, 0x3e, 0xcf,
    0xe7, 0x79, 0x3e, 0xcf, 0xe7, 0xcf, 0xf3, 0x3c, 0xcf, 0xf3, 0xbe, 0xe0, 0x9d, 0x03, 0x94, 0x71, 0x53, 0xdf, 0x41,
    0x27, 0x89, 0xbf, 0x6c, 0xb0, 0x9b, 0xc7, 0x2b, 0x0e, 0xf9, 0xa8, 0x4e, 0xd6, 0x85, 0xd0, 0x6f, 0xf9, 0xb8, 0x9d,
    0xec, 0xa4, 0x3b, 0x0d, 0xe0, 0x0b, 0x06, 0x3d, 0x65, 0xc6, 0x41, 0xed, 0xca, 0x4a, 0xc8, 0x33, 0x7d, 0xd1, 0xc3,
    0x60, 0xa3, 0x8e, 0xf6, 0x14, 0x5b, 0x4e, 0xbd, 0xfa, 0x1a, 0x3a, 0x19, 0x8f, 0xe0, 0xa8, 0xaf, 0xb3, 0xa7, 0x25,
    0xb7, 0xd1, 0x88, 0xb3, 0x1c, 0x3c, 0x8b, 0xab, 0x62, 0xa4, 0xad, 0xe4, 0xf9, 0x34, 0x46, 0x8f, 0xbb, 0x85, 0xa5,
    0x3c, 0x2b, 0x7d, 0x02, 0x2f, 0xe0, 0xd5, 0xe2, 0xb1, 0xfc, 0x5c, 0x68, 0x6a, 0xd8, 0x1d, 0x5e, 0xc3, 0x19, 0xc2,
    0xdb, 0x0a, 0xad, 0x9e, 0x31, 0x91, 0xb0, 0x4c, 0xc2, 0xfd, 0x5a, 0xa6, 0x3d, 0x6a, 0x7c, 0x58, 0x43, 0x33, 0xdf,
    0x69, 0x35, 0xd1, 0xf9, 0xba, 0x44, 0x48, 0xe2, 0xb7, 0x3f, 0xd3, 0x12, 0xe9, 0x2e, 0xef, 0x15, 0x77, 0x4f, 0xb7,
    0x56, 0x4b, 0x0a, 0xf4, 0xce, 0xfa, 0x06, 0x9a, 0x56, 0x29, 0x39, 0xc5, 0xc0, 0x84, 0x77, 0xcf, 0xfe, 0x01, 0x5c,
    0xc0, 0x76, 0x41};

START_TEST(png_huffman_blocks) {
  static uint8_t b[1024];
  decoded d;
  int x, y;
  size_t n = make_png(b, 4, 4, 0, z_fixed, sizeof z_fixed, NULL, 0);
  decode(b, n, 2, 16, &d);
  ck_assert_int_eq(d.h, 4);
  for (y = 0; y < 4; y++)
    for (x = 0; x < 4; x++) ck_assert_int_eq(d.y[y * 4 + x], (x * 60 + y * 5) & 255);
  check_damage(b, n, 1);
  n = make_png(b, 16, 16, 0, z_dynamic, sizeof z_dynamic, NULL, 0);
  decode(b, n, 2, 16, &d);
  ck_assert_int_eq(d.h, 16);
  for (y = 0; y < 16; y++)
    for (x = 0; x < 16; x++) ck_assert_int_eq(d.y[y * 16 + x], ((x * 7 + y * 13 + x * y) % 23) * 11 & 255);
  check_damage(b, n, 1);
}
END_TEST

/* ---- TIFF ---- */

static void put16(uint8_t *p, unsigned v, int be) {
  if (be) p[0] = (uint8_t)(v >> 8), p[1] = (uint8_t)v;
  else le16(p, v);
}
static void put32(uint8_t *p, uint32_t v, int be) {
  if (be) be32(p, v);
  else le32(p, v);
}

/* A w x h TIFF of the test image, `spp` samples (1: channel 0 as gray;
 * 3: RGB; 4: RGB and an extra sample), one row per strip; `pal`: spp 1
 * read through a ColorMap (cmap_red/green/blue). */
static unsigned cmap_red(unsigned i) { return (i * 3) & 255u; }
static unsigned cmap_green(unsigned i) { return i ^ 0x55u; }
static unsigned cmap_blue(unsigned i) { return 255u - i; }

static size_t make_tiff(uint8_t *b, int w, int h, int spp, int be, int pal) {
  const uint16_t tags[10] = {256, 257, 258, 259, 262, 273, 277, 278, 279, 320};
  const int n_tags = pal ? 10 : 9;
  const size_t ifd = 8, bits_at = ifd + 2 + 10 * 12 + 4, offs_at = bits_at + 8, cnts_at = offs_at + 4 * (size_t)h;
  const size_t cmap_at = cnts_at + 4 * (size_t)h;
  size_t data = cmap_at + (pal ? 768 * 2 : 0);
  int k, x, y;
  memcpy(b, be ? "MM\0*" : "II*\0", 4);
  put32(b + 4, (uint32_t)ifd, be);
  put16(b + ifd, (unsigned)n_tags, be);
  for (k = 0; k < n_tags; k++) {
    uint8_t *e = b + ifd + 2 + 12 * k;
    const int lng = tags[k] == 273 || tags[k] == 279;
    uint32_t count = tags[k] == 258 ? (uint32_t)spp : lng ? (uint32_t)h : tags[k] == 320 ? 768 : 1, v = 0;
    put16(e, tags[k], be);
    put16(e + 2, lng ? 4 : 3, be);
    put32(e + 4, count, be);
    switch (tags[k]) {
    case 256: v = (uint32_t)w; break;
    case 257: v = (uint32_t)h; break;
    case 258: v = spp > 2 ? (uint32_t)bits_at : 8; break;
    case 259: v = 1; break;
    case 262: v = pal ? 3 : spp >= 3 ? 2 : 1; break;
    case 273: v = (uint32_t)offs_at; break;
    case 277: v = (uint32_t)spp; break;
    case 278: v = 1; break;
    case 279: v = (uint32_t)cnts_at; break;
    default: v = (uint32_t)cmap_at; break;
    }
    if (count == 1 && !lng) put16(e + 8, v, be), put16(e + 10, 0, be);
    else put32(e + 8, v, be);
  }
  put32(b + ifd + 2 + 12 * n_tags, 0, be);
  for (k = 0; k < 4; k++) put16(b + bits_at + 2 * k, 8, be);
  for (k = 0; k < 256 && pal; k++) {
    put16(b + cmap_at + 2 * k, cmap_red((unsigned)k) << 8 | 0x7f, be);
    put16(b + cmap_at + 512 + 2 * k, cmap_green((unsigned)k) << 8, be);
    put16(b + cmap_at + 1024 + 2 * k, cmap_blue((unsigned)k) << 8 | 0xff, be);
  }
  for (y = 0; y < h; y++) {
    put32(b + offs_at + 4 * y, (uint32_t)data, be);
    put32(b + cnts_at + 4 * y, (uint32_t)(w * spp), be);
    for (x = 0; x < w; x++)
      for (k = 0; k < spp; k++) b[data++] = (uint8_t)(k == 3 ? 7 : pix(x, y, spp == 1 ? 0 : k));
  }
  return data;
}

START_TEST(tiff_orders_and_samples) {
  static uint8_t b[4096];
  const int spps[3] = {1, 3, 4};
  decoded d;
  int k, be;
  for (be = 0; be < 2; be++)
    for (k = 0; k < 3; k++) {
      const size_t n = make_tiff(b, 5, 3, spps[k], be, 0);
      decode(b, n, 0, 8, &d);
      check_image(&d, 5, 3, 0, spps[k] == 1);
      decode(b, n, 2, 8, &d);
      check_image(&d, 5, 3, 2, spps[k] == 1);
      check_damage(b, n, 1);
    }
}
END_TEST

START_TEST(tiff_palette) {
  /* a ColorMap's 16-bit entries give their high byte, as in Pillow */
  static uint8_t b[8192];
  decoded d;
  int be, x, y;
  for (be = 0; be < 2; be++) {
    const size_t n = make_tiff(b, 4, 3, 1, be, 1);
    decode(b, n, 1, 8, &d);
    ck_assert_int_eq(d.h, 3);
    ck_assert_int_eq(d.w, 4);
    for (y = 0; y < 3; y++)
      for (x = 0; x < 4; x++) {
        const uint8_t *px = d.y + (y * 4 + x) * 3; /* BGR */
        ck_assert_int_eq(px[2], cmap_red(pix(x, y, 0)));
        ck_assert_int_eq(px[1], cmap_green(pix(x, y, 0)));
        ck_assert_int_eq(px[0], cmap_blue(pix(x, y, 0)));
      }
    check_damage(b, n, 1);
  }
}
END_TEST

START_TEST(other_formats_are_empty) {
  /* JPEG, WebP and nothing at all: the empty result, not an error */
  const uint8_t jpeg[8] = {0xFF, 0xD8, 0xFF, 0xE0, 0, 16, 'J', 'F'};
  decoded d;
  decode(jpeg, 8, 0, 8, &d);
  ck_assert_int_eq(d.st, RT_OK);
  ck_assert_int_eq(d.h, 0);
  ck_assert_int_eq(d.w, 0);
  decode((const uint8_t *)"RIFF\0\0\0\0WEBPVP8 ", 16, 0, 8, &d);
  ck_assert_int_eq(d.h, 0);
  decode(jpeg, 0, 0, 8, &d);
  ck_assert_int_eq(d.h, 0);
}
END_TEST

Suite *image_suite(void) {
  Suite *s = suite_create("image");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, bmp_formats);
  tcase_add_test(tc, gray_is_pillows);
  tcase_add_test(tc, bmp_damage_and_bound);
  tcase_add_test(tc, pnm_formats);
  tcase_add_test(tc, png_filters_and_types);
  tcase_add_test(tc, png_palette);
  tcase_add_test(tc, png_huffman_blocks);
  tcase_add_test(tc, tiff_orders_and_samples);
  tcase_add_test(tc, tiff_palette);
  tcase_add_test(tc, other_formats_are_empty);
  suite_add_tcase(s, tc);
  return s;
}
