/* zlib inflate (RFC 1950 around RFC 1951's deflate), for PNG. The whole
 * output is in memory, so back-references read it directly and no window
 * is kept. Huffman codes are canonical: a code is decoded bit by bit
 * against the count of codes of each length, which needs only small
 * tables on the stack. */
#include "image_internal.h"

#define MAX_BITS 15

typedef struct bits {
  const uint8_t *src;
  size_t n, pos; /* pos: the next byte */
  uint32_t buf;  /* bits not yet used, lowest first */
  int have;
  int bad;       /* read past the end */
  uint8_t *dst;
  size_t want, out;
} bits;

typedef struct huff {
  uint16_t count[MAX_BITS + 1]; /* codes of each length */
  uint16_t symbol[320];         /* symbols in code order */
} huff;

static uint32_t need(bits *b, int k) {
  uint32_t v;
  while (b->have < k) {
    if (b->pos >= b->n) {
      b->bad = 1;
      return 0;
    }
    b->buf |= (uint32_t)b->src[b->pos++] << b->have;
    b->have += 8;
  }
  v = b->buf & ((1u << k) - 1u);
  b->buf >>= k;
  b->have -= k;
  return v;
}

/* Builds the code of n symbols with these lengths: 0 when it is usable
 * (complete, or a single code as deflate allows), else -1. */
static int build(huff *h, const uint8_t *lengths, int n) {
  uint16_t offs[MAX_BITS + 1];
  int len, sym, left = 1;
  for (len = 0; len <= MAX_BITS; len++) h->count[len] = 0;
  for (sym = 0; sym < n; sym++) h->count[lengths[sym]]++;
  if (h->count[0] == n) return 0; /* no codes: decoding any fails */
  for (len = 1; len <= MAX_BITS; len++) {
    left = left * 2 - h->count[len];
    if (left < 0) return -1; /* oversubscribed */
  }
  offs[1] = 0;
  for (len = 1; len < MAX_BITS; len++) offs[len + 1] = (uint16_t)(offs[len] + h->count[len]);
  for (sym = 0; sym < n; sym++)
    if (lengths[sym]) h->symbol[offs[lengths[sym]]++] = (uint16_t)sym;
  return 0;
}

/* The next symbol, or -1. */
static int decode(bits *b, const huff *h) {
  int code = 0, first = 0, index = 0, len;
  for (len = 1; len <= MAX_BITS; len++) {
    code |= (int)need(b, 1);
    if (b->bad) return -1;
    if (code - first < h->count[len]) return h->symbol[index + code - first];
    index += h->count[len];
    first = (first + h->count[len]) << 1;
    code <<= 1;
  }
  return -1;
}

static const uint16_t len_base[29] = {3,  4,  5,  6,  7,  8,  9,  10, 11,  13,  15,  17,  19,  23, 27,
                                      31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
static const uint8_t len_extra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                      2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
static const uint16_t dist_base[30] = {1,   2,   3,   4,   5,   7,    9,    13,   17,   25,   33,   49,   65,    97,    129,
                                       193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
static const uint8_t dist_extra[30] = {0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6,
                                       6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};

/* Literals and copies until the end-of-block symbol: 0, or -1. */
static int codes(bits *b, const huff *lit, const huff *dist) {
  for (;;) {
    int sym = decode(b, lit);
    if (sym < 0) return -1;
    if (sym < 256) {
      if (b->out >= b->want) return -1;
      b->dst[b->out++] = (uint8_t)sym;
    } else if (sym == 256) {
      return 0;
    } else {
      size_t len, d;
      sym -= 257;
      if (sym >= 29) return -1;
      len = len_base[sym] + need(b, len_extra[sym]);
      if ((sym = decode(b, dist)) < 0 || sym >= 30) return -1;
      d = dist_base[sym] + need(b, dist_extra[sym]);
      if (b->bad || d > b->out || len > b->want - b->out) return -1;
      for (; len > 0; len--, b->out++) b->dst[b->out] = b->dst[b->out - d];
    }
  }
}

static int stored(bits *b) {
  size_t len;
  b->buf = 0; /* to the byte boundary */
  b->have = 0;
  if (b->n - b->pos < 4) return -1;
  len = img_u16le(b->src + b->pos);
  if ((img_u16le(b->src + b->pos + 2) ^ 0xFFFFu) != len) return -1;
  b->pos += 4;
  if (len > b->n - b->pos || len > b->want - b->out) return -1;
  for (; len > 0; len--) b->dst[b->out++] = b->src[b->pos++];
  return 0;
}

static int fixed(bits *b) {
  uint8_t l[320];
  huff lit, dist;
  int i;
  for (i = 0; i < 288; i++) l[i] = (uint8_t)(i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : 8);
  build(&lit, l, 288);
  for (i = 0; i < 30; i++) l[i] = 5;
  build(&dist, l, 30);
  return codes(b, &lit, &dist);
}

static int dynamic(bits *b) {
  static const uint8_t order[19] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};
  uint8_t l[320];
  huff lit, dist;
  int nlen = (int)need(b, 5) + 257, ndist = (int)need(b, 5) + 1, ncode = (int)need(b, 4) + 4, i;
  if (b->bad || nlen > 286 || ndist > 30) return -1;
  for (i = 0; i < 19; i++) l[order[i]] = (uint8_t)(i < ncode ? need(b, 3) : 0);
  if (b->bad || build(&lit, l, 19)) return -1;
  for (i = 0; i < nlen + ndist;) {
    int sym = decode(b, &lit), rep, val = 0;
    if (sym < 0) return -1;
    if (sym < 16) {
      l[i++] = (uint8_t)sym;
      continue;
    }
    if (sym == 16) {
      if (i == 0) return -1;
      val = l[i - 1];
      rep = 3 + (int)need(b, 2);
    } else {
      rep = sym == 17 ? 3 + (int)need(b, 3) : 11 + (int)need(b, 7);
    }
    if (b->bad || i + rep > nlen + ndist) return -1;
    while (rep-- > 0) l[i++] = (uint8_t)val;
  }
  if (l[256] == 0) return -1; /* no end-of-block code */
  if (build(&lit, l, nlen) || build(&dist, l + nlen, ndist)) return -1;
  return codes(b, &lit, &dist);
}

static uint32_t adler32(const uint8_t *p, size_t n) {
  uint32_t a = 1, s = 0;
  size_t i;
  for (i = 0; i < n; i++) {
    a = (a + p[i]) % 65521u;
    s = (s + a) % 65521u;
  }
  return s << 16 | a;
}

int img_zlib_inflate(const uint8_t *src, size_t n, uint8_t *dst, size_t want) {
  bits b = {0};
  int last;
  /* zlib header: deflate, a window of at most 32K, no preset dictionary */
  if (n < 6 || (src[0] & 15) != 8 || (src[0] >> 4) > 7 || (src[0] * 256u + src[1]) % 31 != 0 || (src[1] & 32))
    return -1;
  b.src = src;
  b.n = n;
  b.pos = 2;
  b.dst = dst;
  b.want = want;
  do {
    int type, r;
    last = (int)need(&b, 1);
    type = (int)need(&b, 2);
    if (b.bad) return -1;
    r = type == 0 ? stored(&b) : type == 1 ? fixed(&b) : type == 2 ? dynamic(&b) : -1;
    if (r) return -1;
  } while (!last);
  if (b.out != want || n - b.pos < 4) return -1; /* the bits left in buf are padding */
  return img_u32be(src + b.pos) == adler32(dst, want) ? 0 : -1;
}
