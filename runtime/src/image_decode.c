/* ImageDecoder (kernels/image.h): picks the decoder by the file's magic
 * bytes and turns what it says into the dims and the status. */
#include <string.h>

#include "onnxcc/kernels/image.h"
#include "onnxcc/kernels/sequence.h" /* RT_STATUS_SLOT */
#include "image_internal.h"

int img_begin(img_out *o, int64_t h, int64_t w) {
  if (h <= 0 || w <= 0) return IMG_BAD;
  if (h > o->max_h || w > o->max_w) return IMG_BIG;
  o->h = h;
  o->w = w;
  return IMG_OK;
}

static int starts_with(const uint8_t *f, size_t n, const char *magic, size_t len) {
  return n >= len && memcmp(f, magic, len) == 0;
}

static int decode(const uint8_t *f, size_t n, img_out *o, uint8_t *scratch) {
  if (starts_with(f, n, "BM", 2)) return img_decode_bmp(f, n, o);
  if (n >= 2 && f[0] == 'P' && (f[1] == '2' || f[1] == '3' || f[1] == '5' || f[1] == '6'))
    return img_decode_pnm(f, n, o);
  if (starts_with(f, n, "\x89PNG\r\n\x1a\n", 8)) return img_decode_png(f, n, o, scratch);
  if (starts_with(f, n, "II*\0", 4) || starts_with(f, n, "MM\0*", 4)) return img_decode_tiff(f, n, o);
  return IMG_BAD; /* JPEG, JPEG 2000, WebP, anything else */
}

RT_KERNEL(rt_image_decode) {
  const rt_image_params *p = (const rt_image_params *)params;
  img_out o;
  int r;
  o.y = (uint8_t *)out[0];
  o.max_h = p->max_h;
  o.max_w = p->max_w;
  o.format = p->format;
  o.h = o.w = 0;
  r = decode((const uint8_t *)in[0], (size_t)p->nbytes, &o, (uint8_t *)scratch);
  if (r != IMG_OK) o.h = o.w = 0;
  if (r == IMG_BIG && out[RT_STATUS_SLOT]) *(int *)out[RT_STATUS_SLOT] = RT_ERR_SHAPE;
  if (out[1]) {
    ((int64_t *)out[1])[0] = o.h;
    ((int64_t *)out[1])[1] = o.w;
  }
}
