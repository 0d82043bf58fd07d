/* Random numbers: RandomUniform(Like), RandomNormal(Like), Bernoulli,
 * Multinomial, and Dropout in training mode.
 *
 * The runtime keeps no state between calls, so the generator is
 * counter-based: draw i of the stream with key k is splitmix64's output
 * function applied to mix(k) + (i + 1) * 0x9E3779B97F4A7C15, where mix is
 * that same function (the key is mixed first, so that nearby keys do not
 * give shifted copies of one stream). Any draw is computed on its own, in
 * any order. The compiler picks the key (the seed attribute, else a hash of
 * the node's output name), so every run of a compiled model gives the same
 * numbers, and the constant folder, which calls these kernels with the same
 * params, gets the numbers the program would. ONNX leaves the stream
 * unspecified; these are not ONNX Runtime's or numpy's numbers.
 *
 * A uniform u in [0, 1) takes the top 24 bits of a draw for float, float16
 * and bfloat16, the top 53 for double. Values are computed in double and
 * rounded once to the element type (so a float16 or bfloat16 uniform may
 * round up to high).
 *
 * rt_random_uniform_T  y[i] = a + u_i * (b - a)                (low a, high b)
 * rt_random_normal_T   y[i] = a + b * sqrt(-2 ln(1 - u_2i)) * cos(2 pi u_2i+1)
 *                      (mean a, scale b: Box-Muller, one value per pair)
 *                      y (out[0]) has count elements; T: f32, f64, f16, bf16.
 * rt_bernoulli_P_T     y[i] = u_i < p[i] ? 1 : 0 with p (in[0], type P:
 *                      f32, f64, f16, bf16; u of P's precision), so p 0
 *                      gives 0 and p 1 gives 1 exactly; a NaN p gives 0.
 *                      T: f32, f64, f16, bf16, bool, i8..i64, u8..u64.
 * rt_multinomial_P_T   x (in[0], P) is [batch, classes] unnormalised log
 *                      probabilities; y (out[0], T: i32, i64) is [batch,
 *                      samples]: sample s of row r is the first class j
 *                      whose running sum of exp(x - max) exceeds u * total,
 *                      u draw r * samples + s (a row without a positive
 *                      finite total gives classes - 1). Scratch: classes
 *                      doubles.
 * rt_dropout_train_T   x (in[0]) has count elements; training_mode (in[2],
 *                      bool) is read at run time, and the ratio too
 *                      (in[1], of x's type) when ratio_input is 1, else the
 *                      params' ratio (a constant of another type, or the
 *                      default 0.5). Not
 *                      training: y = x, mask all true. Training: element i
 *                      is kept when u_i >= ratio (probability 1 - ratio),
 *                      y = x / (1 - ratio) where kept and 0 elsewhere, and
 *                      mask (out[1], bool, may be NULL) says kept; ratio 0
 *                      keeps every element exactly. A ratio outside [0, 1)
 *                      is RT_ERR_VALUE at out[RT_STATUS_SLOT] (when that
 *                      slot is given) and nothing is written.
 *                      T: f32, f64, f16, bf16. */
#ifndef ONNXCC_KERNELS_RANDOM_H
#define ONNXCC_KERNELS_RANDOM_H

#include "../params.h"
#include "../runtime.h"
#include "sequence.h" /* RT_STATUS_SLOT */

/* key: the stream (a uint64 stored in int64); a, b: low and high, or mean
 * and scale (unused by Bernoulli). */
#define RT_RANDOM_PARAMS(I, F, IA, FA, I32, I32A, E) I(count) I(key) F(a) F(b)
RT_PARAMS_STRUCT(rt_random_params, RT_RANDOM_PARAMS)

#define RT_MULTINOMIAL_PARAMS(I, F, IA, FA, I32, I32A, E) I(batch) I(classes) I(samples) I(key)
RT_PARAMS_STRUCT(rt_multinomial_params, RT_MULTINOMIAL_PARAMS)

#define RT_DROPOUT_TRAIN_PARAMS(I, F, IA, FA, I32, I32A, E) I(count) I(key) F(ratio) I32(ratio_input)
RT_PARAMS_STRUCT(rt_dropout_train_params, RT_DROPOUT_TRAIN_PARAMS)

/* X(K, a, t) over the floating element types, and over every type a
 * Bernoulli writes (a list of its own: a macro cannot expand inside its
 * own expansion, and this one runs inside RT_RANDOM_FLOATS_). */
#define RT_RANDOM_FLOATS_(X, K, a) X(K, a, f32) X(K, a, f64) X(K, a, f16) X(K, a, bf16)
#define RT_RANDOM_BERNOULLI_OUTS_(X, K, a)                                                     \
  X(K, a, f32) X(K, a, f64) X(K, a, f16) X(K, a, bf16) X(K, a, bool) X(K, a, i8) X(K, a, i16) \
  X(K, a, i32) X(K, a, i64) X(K, a, u8) X(K, a, u16) X(K, a, u32) X(K, a, u64)

#define RT_RANDOM_GEN_(K, a, t)                                                                  \
  K(rt_random_uniform_##t, rt_random_params) K(rt_random_normal_##t, rt_random_params)          \
  K(rt_dropout_train_##t, rt_dropout_train_params)
#define RT_RANDOM_BERNOULLI_(K, p, t) K(rt_bernoulli_##p##_##t, rt_random_params)
#define RT_RANDOM_BERNOULLI_IN_(K, a, p) RT_RANDOM_BERNOULLI_OUTS_(RT_RANDOM_BERNOULLI_, K, p)
#define RT_RANDOM_MULTINOMIAL_(K, a, p) \
  K(rt_multinomial_##p##_i32, rt_multinomial_params) K(rt_multinomial_##p##_i64, rt_multinomial_params)

/* The kernel variants of this header, K(function, params type), and its
 * params types, P(type, field list). */
#define RT_RANDOM_KERNELS(K)                          \
  RT_RANDOM_FLOATS_(RT_RANDOM_GEN_, K, _)             \
  RT_RANDOM_FLOATS_(RT_RANDOM_BERNOULLI_IN_, K, _)    \
  RT_RANDOM_FLOATS_(RT_RANDOM_MULTINOMIAL_, K, _)
#define RT_RANDOM_PARAMS_TYPES(P)                                                          \
  P(rt_random_params, RT_RANDOM_PARAMS) P(rt_multinomial_params, RT_MULTINOMIAL_PARAMS) \
  P(rt_dropout_train_params, RT_DROPOUT_TRAIN_PARAMS)
RT_RANDOM_KERNELS(RT_DECLARE_KERNEL)

#endif
