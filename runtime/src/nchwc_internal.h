/* Internal to the runtime: the channel-blocked direct convolution core
 * (nchwc_core.c) that rt_conv_f32_nchwc_packed (conv_nchwc.c) runs on
 * blocked copies of its NCHW tensors, and that rt_conv_f32_nchwc_blocked
 * (nchwc_blocked.c) runs on the blocked tensors of a chain of convs (the
 * layout-nchwc pass) themselves.
 *
 * The blocked layouts ("NCHWc16"): channels in blocks of RT_NCHWC_BLOCK,
 * the block's channels innermost, so one output position's 16 channels
 * are one 64-byte line:
 *   input   xp[icb][row][col][16]   (zero-padded: every tap is in bounds)
 *   output  yb[ocb][row][col][16]
 *   weights packed[ocb][icb][kh][kw][ic 16][oc 16]   (onnxcc/kernels/conv.h)
 * The core keeps a tile of NB output-channel blocks x NP output positions
 * in registers: each step (one input channel of one tap) loads NB weight
 * vectors (16 output channels each) and broadcasts NP input values, then
 * does NB * NP multiply-adds. No unfolding, and no lane is wasted on a
 * small plane: the positions of a tile may run over the end of a row. */
#ifndef ONNXCC_RT_NCHWC_INTERNAL_H
#define ONNXCC_RT_NCHWC_INTERNAL_H

#include <stdint.h>

#include "index_internal.h"
#include "onnxcc/kernels/conv.h"

struct rt_epi;

/* AVX-512 builds get the core in intrinsics (a fixed tile on gcc and
 * clang alike); -DRT_NCHWC_PORTABLE, or -DRT_SGEMM_PORTABLE (which selects
 * the plain C GEMM micro-kernel), selects the plain C core there too. */
#if defined(__AVX512F__) && !defined(RT_NCHWC_PORTABLE) && !defined(RT_SGEMM_PORTABLE)
#define RT_NCHWC_AVX512 1
#else
#define RT_NCHWC_AVX512 0
#endif

/* The block: the channels of one vector of the packed weights. Fixed, not
 * the build's vector width (see the weight layout in conv.h). */
#define RT_NCHWC_BLOCK RT_CONV_NCHWC_BLOCK

/* Where the core reads and writes (counts in floats unless said).
 *
 * Output position q (row q / out_w, column q % out_w) reads the window
 * whose top-left input is padded row row * stride_h, column col * stride_w,
 * at xp + (row * stride_h - x_top) * x_row + col * stride_w * 16 (xp may
 * hold a band of rows starting at padded row x_top); tap (kh, kw) of input
 * block icb at + icb * x_block + kh * dil_h * x_row + kw * dil_w * 16. Its
 * output block ocb goes to yb + (ocb - ocb0) * y_block + row * y_row
 * + col * 16, less the offset of position pos0 (yb points at pos0's
 * slot). */
typedef struct rt_nchwc_geom {
  int64_t in_blocks;          /* input channel blocks (Cb) */
  int64_t out_ch;             /* output channels: the bias past them is 0 */
  int64_t kernel_h, kernel_w; /* taps */
  int64_t stride_h, stride_w, dil_h, dil_w;
  int64_t x_row, x_block;     /* xp: between rows, between channel blocks */
  int64_t x_top;              /* the padded row xp starts at */
  int64_t out_w;              /* output positions per row */
  int64_t y_row, y_block;     /* yb: between rows, between channel blocks */
  /* floats between two output blocks' weights; 0: in_blocks x taps x
   * 16 x 16, all of theirs (a call over some of the input blocks, w at
   * the first, passes the whole conv's) */
  int64_t w_block;
  /* NULL, or the fused epilogue, applied to each tile of outputs as soon
   * as it is stored; only where y_row = out_w * 16 (a tile's positions
   * are consecutive floats of each block) */
  const struct rt_epi *epi;
  /* NULL, or bytes [warm, warm + warm_bytes) that the next node reads
   * first (RT_WARM_SLOT): the call's tiles prefetch them into L1 and L2
   * a slice at a time between their multiply-adds. Only for a conv's last
   * call: its cache is the next node's. */
  const char *warm;
  int64_t warm_bytes;
} rt_nchwc_geom;

/* Output blocks [ocb0, ocb1) at positions [pos0, pos1) (pos0 < pos1) of
 * yb become bias (0 where bias is NULL) + the sum over input blocks icb,
 * taps (kh, kw) and input channels ic, in that order, of
 * w[ocb][icb][kh][kw][ic][oc] * x. The order of each output's sum does not
 * depend on the ranges or the build's tile, so an output's value is the
 * same whichever call computes it (a split across threads is exact). */
void rt_nchwc_core(const rt_nchwc_geom *g, const float *xp, const float *w, const float *bias, int64_t ocb0,
                   int64_t ocb1, int64_t pos0, int64_t pos1, float *yb);

/* The pieces both conv kernels cut their output into (conv_nchwc.c,
 * nchwc_blocked.c): at most RT_NCHWC_PIECE_BLOCKS output blocks (128
 * channels) x a band of at most RT_NCHWC_PIECE_POSITIONS positions, so a
 * piece's blocked buffer is at most 128 KiB, in L2 from the core's last
 * store to its copy out. Constants, not tile sizes: the compiler sizes the
 * scratch with its own build. Below RT_NCHWC_SPLIT_MIN multiply-adds per
 * image a call runs as one task. */
#define RT_NCHWC_PIECE_BLOCKS 8
#define RT_NCHWC_PIECE_POSITIONS 256
#define RT_NCHWC_SPLIT_MIN ((int64_t)1 << 18)

/* The most bytes of the next node's weights a conv warms: half of the
 * 1 MiB L2 of the machine it was measured on (the call's own tiles keep
 * the rest); and at most one byte per RT_NCHWC_WARM_MACS multiply-adds of
 * the piece that warms, so a short conv does not stall on its prefetches.
 * resnet18's layer4 downsample (512 KiB of weights, after a 3x3 conv
 * whose tiles hold 288 KiB): in-model 0.136 -> 0.119 ms; docs/design.md
 * has the other measurements. */
#define RT_NCHWC_WARM_MAX ((int64_t)512 * 1024)
#define RT_NCHWC_WARM_MACS 32

/* The warm range a conv call got (in[RT_WARM_SLOT], in[RT_WARM_END_SLOT]),
 * for its image `last` (1: the call's last image, else none): its start
 * or NULL, and in *bytes its length, at most RT_NCHWC_WARM_MAX. */
static inline const char *rt_nchwc_warm_of(const void *const *in, int last, int64_t *bytes) {
  const char *warm = last ? (const char *)in[RT_WARM_SLOT] : NULL, *end = (const char *)in[RT_WARM_END_SLOT];
  const int64_t n = warm && end && end > warm ? (int64_t)(end - warm) : 0;
  *bytes = n < RT_NCHWC_WARM_MAX ? n : RT_NCHWC_WARM_MAX;
  return n ? warm : NULL;
}

/* Channel blocks of ch channels. */
static inline int64_t rt_nchwc_blocks(int64_t ch) { return RT_IDIV(ch + RT_NCHWC_BLOCK - 1, RT_NCHWC_BLOCK); }

/* The 16 x 16 transposes between NCHW planes and blocks (conv_nchwc.c),
 * which the layout changes of kernels/nchwc.h use too.
 * rows_to_block: d[c * 16 + ch] = s[ch * plane + c * step] for c < n,
 * ch < c_in, and 0 for ch in [c_in, 16): one row of a block of channels,
 * channels innermost. block_to_rows: d[ch * ld + q] = s[q * 16 + ch] for
 * q < n, ch < nch, back to planes, with the epilogue e applied on the way
 * where it is a residual and/or Relu (e may be NULL; any other e is left
 * for the caller). */
struct rt_epi;
void rt_nchwc_rows_to_block(const float *s, int64_t plane, int64_t c_in, int64_t n, int64_t step, float *d);
void rt_nchwc_block_to_rows(const float *s, int64_t nch, int64_t n, int64_t ld, float *d, const struct rt_epi *e);

#endif
