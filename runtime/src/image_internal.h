/* What the image decoders share (image_decode.c, image_bmp.c,
 * image_pnm.c, image_png.c, image_inflate.c, image_tiff.c): byte readers
 * that never read past the file, and the pixel sink that writes the
 * output in the pixel format asked for. */
#ifndef ONNXCC_IMAGE_INTERNAL_H
#define ONNXCC_IMAGE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

/* What a decoder returns: decoded, cannot decode (the empty result), or
 * larger than the compiled bound (RT_ERR_SHAPE). */
enum { IMG_OK = 0, IMG_BAD = 1, IMG_BIG = 2 };

typedef struct img_out {
  uint8_t *y;            /* [h, w, channels] */
  int64_t max_h, max_w;  /* the compiled bound */
  int format;            /* 0 RGB, 1 BGR, 2 grayscale */
  int64_t h, w;          /* set by img_begin */
} img_out;

/* Starts an image of h x w: IMG_BAD for an empty or negative size,
 * IMG_BIG above the bound, else IMG_OK. */
int img_begin(img_out *o, int64_t h, int64_t w);

/* Pixel (row, col) of the image begun. */
static inline void img_put(const img_out *o, int64_t row, int64_t col, unsigned r, unsigned g, unsigned b) {
  uint8_t *p;
  if (o->format == 2) {
    /* Pillow's RGB to L: 16-bit fixed-point weights, rounded */
    o->y[row * o->w + col] = (uint8_t)((r * 19595u + g * 38470u + b * 7471u + 0x8000u) >> 16);
    return;
  }
  p = o->y + (row * o->w + col) * 3;
  p[0] = (uint8_t)(o->format == 1 ? b : r);
  p[1] = (uint8_t)g;
  p[2] = (uint8_t)(o->format == 1 ? r : b);
}

static inline uint32_t img_u16le(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8; }
static inline uint32_t img_u32le(const uint8_t *p) { return img_u16le(p) | img_u16le(p + 2) << 16; }
static inline uint32_t img_u16be(const uint8_t *p) { return (uint32_t)p[0] << 8 | (uint32_t)p[1]; }
static inline uint32_t img_u32be(const uint8_t *p) { return img_u16be(p) << 16 | img_u16be(p + 2); }

/* The decoders: f holds n bytes (the caller checked the magic bytes);
 * scratch holds rt_image_scratch_bytes(n, max_h, max_w) bytes. */
int img_decode_bmp(const uint8_t *f, size_t n, img_out *o);
int img_decode_pnm(const uint8_t *f, size_t n, img_out *o);
int img_decode_png(const uint8_t *f, size_t n, img_out *o, uint8_t *scratch);
int img_decode_tiff(const uint8_t *f, size_t n, img_out *o);

/* Inflates the zlib stream (RFC 1950/1951) src[0..n) into exactly `want`
 * bytes at dst: 0 when the stream is valid, ends with a matching Adler-32
 * and gives exactly that many bytes, else -1. */
int img_zlib_inflate(const uint8_t *src, size_t n, uint8_t *dst, size_t want);

#endif
