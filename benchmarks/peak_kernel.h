/* The FMA loop that measures one core's peak: benchmarks/peak.c prints it,
 * conv_bench.c times it between its kernel trials so that its % columns
 * divide by a peak measured in the same seconds (a shared machine's clock
 * moves by 10 % and more between minutes). Needs <immintrin.h> first where
 * the target has AVX-512 or AVX2+FMA.
 *
 * NCHAIN independent accumulators each do acc = acc * m + a over and over.
 * One chain alone would measure the FMA latency (4-5 cycles), not the
 * throughput; with more chains in flight than latency x FMA ports (2 x 4 on
 * recent x86) the units never wait. The multiplier is just under 1 and the
 * addend small, so the values stay finite and normal (denormals would slow
 * some cores down). m and a are read through volatile so the compiler cannot
 * fold the loop into a formula, and the result is returned so it cannot drop
 * it.
 *
 * Vector width: the widest the compiler targets (-march=native decides):
 * AVX-512 (16 floats), AVX2+FMA (8), otherwise GCC/Clang vector extensions
 * of 4 floats, where a*b+c may or may not become one instruction; ISA says
 * which was used. */
#ifndef ONNXCC_PEAK_KERNEL_H
#define ONNXCC_PEAK_KERNEL_H

#define NCHAIN 12

static volatile float v_mul = 0.9999999f, v_add = 1e-7f;

#if defined(__AVX512F__)
#define ISA "avx512f-fma"
#define WIDTH 16
typedef __m512 vec;
#define SPLAT(x) _mm512_set1_ps(x)
#define FMA(a, b, c) _mm512_fmadd_ps(a, b, c)
static float hsum(vec v) { return _mm512_reduce_add_ps(v); }
#elif defined(__AVX2__) && defined(__FMA__)
#define ISA "avx2-fma"
#define WIDTH 8
typedef __m256 vec;
#define SPLAT(x) _mm256_set1_ps(x)
#define FMA(a, b, c) _mm256_fmadd_ps(a, b, c)
static float hsum(vec v) {
  float t[8];
  int i;
  float s = 0.0f;
  _mm256_storeu_ps(t, v);
  for (i = 0; i < 8; i++) s += t[i];
  return s;
}
#else
#define ISA "generic-vector-4"
#define WIDTH 4
typedef float vec __attribute__((vector_size(16)));
#define SPLAT(x) ((vec){(x), (x), (x), (x)})
#define FMA(a, b, c) ((a) * (b) + (c))
static float hsum(vec v) { return v[0] + v[1] + v[2] + v[3]; }
#endif

/* iters rounds of NCHAIN FMAs of WIDTH lanes: 2 flops per lane each. */
static float peak_kernel(long iters) {
  vec m = SPLAT(v_mul), a = SPLAT(v_add);
  vec acc[NCHAIN];
  long i;
  int c;
  float s = 0.0f;
  for (c = 0; c < NCHAIN; c++) acc[c] = SPLAT((float)c * 0.01f);
  for (i = 0; i < iters; i++) {
    /* written out so every chain is its own register, not an array in memory */
    acc[0] = FMA(acc[0], m, a);
    acc[1] = FMA(acc[1], m, a);
    acc[2] = FMA(acc[2], m, a);
    acc[3] = FMA(acc[3], m, a);
    acc[4] = FMA(acc[4], m, a);
    acc[5] = FMA(acc[5], m, a);
    acc[6] = FMA(acc[6], m, a);
    acc[7] = FMA(acc[7], m, a);
    acc[8] = FMA(acc[8], m, a);
    acc[9] = FMA(acc[9], m, a);
    acc[10] = FMA(acc[10], m, a);
    acc[11] = FMA(acc[11], m, a);
  }
  for (c = 0; c < NCHAIN; c++) s += hsum(acc[c]);
  return s;
}

/* Flops of one peak_kernel(iters) call. */
static double peak_flops(long iters) { return 2.0 * WIDTH * NCHAIN * (double)iters; }

#endif
