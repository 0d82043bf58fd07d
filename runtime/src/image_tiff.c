/* TIFF: the first IFD of an uncompressed image with 8-bit samples, chunky
 * (interleaved) strips, RGB (photometric 2, 3 or more samples; extra ones
 * such as alpha are skipped), grayscale (photometric 1, or 0 where 0 is
 * white) or paletted (photometric 3: a ColorMap of 16-bit red, green and
 * blue tables, taken as Pillow takes them, value / 256), in either byte
 * order. */
#include "image_internal.h"

typedef struct tiff {
  const uint8_t *f;
  size_t n;
  int be; /* "MM": big-endian */
} tiff;

static uint32_t u16(const tiff *t, size_t at) { return t->be ? img_u16be(t->f + at) : img_u16le(t->f + at); }
static uint32_t u32(const tiff *t, size_t at) { return t->be ? img_u32be(t->f + at) : img_u32le(t->f + at); }

/* An IFD entry: where its values lie, how many, and their size. */
typedef struct entry {
  size_t at;
  uint32_t count, size;
} entry;

/* Value k of entry e (SHORT or LONG), or -1 when it lies outside the file. */
static int64_t value(const tiff *t, const entry *e, uint32_t k) {
  size_t at;
  if (!e->size || k >= e->count) return -1;
  at = e->at + (size_t)k * e->size;
  if (at > t->n - e->size) return -1;
  return e->size == 2 ? (int64_t)u16(t, at) : (int64_t)u32(t, at);
}

/* Entry i of the IFD at `ifd`: 0, or -1 when it does not fit the file. */
static int read_entry(const tiff *t, size_t ifd, uint32_t i, uint32_t *tag, entry *e) {
  const size_t at = ifd + 2 + 12 * (size_t)i;
  uint32_t type;
  if (t->n < 12 || at > t->n - 12) return -1;
  *tag = u16(t, at);
  type = u16(t, at + 2);
  e->count = u32(t, at + 4);
  e->size = type == 3 ? 2 : type == 4 ? 4 : type == 1 ? 1 : 0;
  e->at = at + 8;
  if (e->size == 1) e->size = 0; /* BYTE values: no tag read here takes them */
  if ((uint64_t)e->count * e->size > 4) e->at = u32(t, at + 8);
  return 0;
}

typedef struct tiff_img {
  int64_t w, h, bits, comp, photo, spp, rps, planar;
  entry offsets, counts, cmap;
  int bits_ok;
} tiff_img;

static int64_t first_value(const tiff *t, const entry *e) { return value(t, e, 0); }

static int read_ifd(const tiff *t, size_t ifd, tiff_img *im) {
  uint32_t i, n_entries, tag;
  entry e;
  if (ifd > t->n - 2) return IMG_BAD;
  n_entries = u16(t, ifd);
  im->spp = 1;
  im->comp = 1;
  im->planar = 1;
  im->photo = -1;
  im->rps = -1;
  im->bits_ok = 0; /* no BitsPerSample: 1 bit, which is not taken */
  for (i = 0; i < n_entries; i++) {
    if (read_entry(t, ifd, i, &tag, &e)) return IMG_BAD;
    switch (tag) {
    case 256: im->w = first_value(t, &e); break;
    case 257: im->h = first_value(t, &e); break;
    case 258: {
      uint32_t k;
      im->bits_ok = e.count > 0;
      for (k = 0; k < e.count && im->bits_ok; k++) im->bits_ok = value(t, &e, k) == 8;
      break;
    }
    case 259: im->comp = first_value(t, &e); break;
    case 262: im->photo = first_value(t, &e); break;
    case 273: im->offsets = e; break;
    case 277: im->spp = first_value(t, &e); break;
    case 278: im->rps = first_value(t, &e); break;
    case 279: im->counts = e; break;
    case 284: im->planar = first_value(t, &e); break;
    case 320: im->cmap = e; break;
    default: break;
    }
  }
  return IMG_OK;
}

static int put_rows(const tiff *t, const tiff_img *im, img_out *o) {
  const size_t rowbytes = (size_t)(im->w * im->spp);
  int64_t y, x;
  for (y = 0; y < im->h; y++) {
    const uint32_t strip = (uint32_t)(y / im->rps);
    const int64_t off = value(t, &im->offsets, strip), cnt = value(t, &im->counts, strip);
    const size_t in_strip = (size_t)(y % im->rps) * rowbytes;
    const uint8_t *r;
    if (off < 0 || cnt < 0 || (size_t)off > t->n || (size_t)cnt > t->n - (size_t)off || in_strip + rowbytes > (size_t)cnt)
      return IMG_BAD;
    r = t->f + off + in_strip;
    for (x = 0; x < im->w; x++) {
      const uint8_t *px = r + (size_t)(x * im->spp);
      if (im->photo == 2) img_put(o, y, x, px[0], px[1], px[2]);
      else if (im->photo == 3) {
        const int64_t r = value(t, &im->cmap, px[0]), g = value(t, &im->cmap, 256u + px[0]);
        const int64_t b = value(t, &im->cmap, 512u + px[0]);
        if (r < 0 || g < 0 || b < 0) return IMG_BAD;
        img_put(o, y, x, (unsigned)r >> 8, (unsigned)g >> 8, (unsigned)b >> 8);
      } else {
        const unsigned v = im->photo == 0 ? 255u - px[0] : px[0];
        img_put(o, y, x, v, v, v);
      }
    }
  }
  return IMG_OK;
}

int img_decode_tiff(const uint8_t *f, size_t n, img_out *o) {
  tiff t;
  tiff_img im = {0};
  int r;
  if (n < 8) return IMG_BAD;
  t.f = f;
  t.n = n;
  t.be = f[0] == 'M';
  if (read_ifd(&t, u32(&t, 4), &im) != IMG_OK) return IMG_BAD;
  if (!im.bits_ok || im.comp != 1 || im.planar != 1) return IMG_BAD;
  if (!((im.photo == 2 && im.spp >= 3) || ((im.photo == 0 || im.photo == 1) && im.spp >= 1) ||
        (im.photo == 3 && im.spp == 1 && im.cmap.size == 2 && im.cmap.count == 768)) ||
      im.spp > 8)
    return IMG_BAD;
  if ((r = img_begin(o, im.h, im.w)) != IMG_OK) return r;
  if (im.rps <= 0 || im.rps > im.h) im.rps = im.h;
  return put_rows(&t, &im, o);
}
