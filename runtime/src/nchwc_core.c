/* The channel-blocked direct convolution core (nchwc_internal.h has the
 * layouts and the contract).
 *
 * Loop order, for a call's range of output blocks and positions:
 *   for each tile of NB output blocks
 *     for each tile of NP positions
 *       acc = the bias
 *       for each input block, tap, input channel (all of K):
 *         NB weight vectors, NP broadcast inputs, NB x NP multiply-adds
 *       store acc to yb
 * The tile's weights (NB x in_blocks x taps KiB) are reused by every tile
 * of positions from L2 and prefetched into L1 four taps ahead; the next
 * input block's lines of each position are prefetched a block ahead.
 * Keeping all of K in the registers was measured faster than cutting K
 * into L1-sized chunks with the partial sums stored and reloaded between
 * them (benchmarks/README.md, "conv_bench"): a tile's start and end cost
 * more than the L2 reads save, and gcc spilled the accumulators around
 * every short run. Every output adds bias, then input blocks, taps and
 * channels in order, whatever the tiles: the results do not depend on the
 * ranges a caller splits the work into, nor on the build's tile sizes.
 *
 * Two bodies with that structure: AVX-512 intrinsics (a zmm per 16
 * output channels; tiles of 4 x 6, 3 x 8, 2 x 12 or 1 x 12: at most 24
 * accumulators + NB weights + 1 broadcast of the 32 registers; 2 x 12 too
 * for wide weights, WIDE_TILE_BYTES) and plain
 * C (float acc[NB][NP][16], an inner loop over the 16 lanes that the C
 * compiler vectorizes for whatever vectors the target has). Those bodies
 * and the tiling are in nchwc_tile.h, which nchwc_stem.c shares. */
#include "nchwc_tile.h"

NCHWC_TILE_TABLE(core, 0)

/* A tile whose weights pass this many bytes (a fourth of L2) has at most
 * 2 blocks: they stream from L2 (or beyond, the first time), and a 2 x 12
 * tile reads half the weight bytes per multiply-add of a 4 x 6 one.
 * Measured on resnet18's convs of 256 and 512 input channels: 3x3 512
 * 73 -> 80 % of peak, 256 -> 512 at stride 2 73 -> 79 %; the smaller ones
 * (whose tiles stay below) run as fast or a little faster with 4 x 6. */
#define WIDE_TILE_BYTES (512 * 1024)

void rt_nchwc_core(const rt_nchwc_geom *g, const float *xp, const float *w, const float *bias, int64_t ocb0,
                   int64_t ocb1, int64_t pos0, int64_t pos1, float *yb) {
  const int64_t taps = g->kernel_h * g->kernel_w, w_block = g->w_block ? g->w_block : g->in_blocks * taps * B * B;
  const int64_t nbm = w_block * (int64_t)sizeof(float) * NB_MAX > WIDE_TILE_BYTES ? 2 : NB_MAX;
  tile_ctx t;
  t.y_block = g->y_block;
  t.y_row = g->y_row;
  t.xp = xp;
  t.units = g->in_blocks * g->kernel_h;
  t.kernel_h = g->kernel_h;
  t.kernel_w = g->kernel_w;
  t.x_block = g->x_block;
  t.tap_h = g->dil_h * g->x_row;
  t.tap_w = g->dil_w * B;
  t.step_h = g->stride_h * g->x_row;
  t.step_w = g->stride_w * B;
  t.out_w = g->out_w;
  t.x_origin = g->x_top * g->x_row;
  t.epi = g->epi;
  t.lanes = B; /* unused: the core's tiles are not PLANAR */
  t.x_lane = 1;
  t.w_tap = B * B;
  nchwc_run_tiles(core_tiles, &t, g, w, w_block, nbm, bias, ocb0, ocb1, pos0, pos1, yb);
}
