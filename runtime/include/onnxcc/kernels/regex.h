/* RegexFullMatch: whether each string matches a regular expression as a
 * whole. The compiler (compiler/ops/regex_compile.c) turns the pattern
 * into a small program for a Pike VM over bytes; the kernel runs every
 * string through it, keeping at most one thread per instruction, so the
 * time is the string's length times the program's, with no backtracking
 * and no pattern that can blow it up. */
#ifndef ONNXCC_KERNELS_REGEX_H
#define ONNXCC_KERNELS_REGEX_H

#include "../params.h"
#include "../runtime.h"

/* The program, in[1], int32: RT_RX_INST words per instruction (op, x,
 * y), then 8 words per byte class (a 256-bit set, bit b of word b / 32).
 *   CLASS x     consume one byte that class x holds, go on to the next
 *   SPLIT x y   go on at x and at y
 *   JMP x       go on at x
 *   ASSERT x    go on only where the position has property x (RT_RX_AT_*)
 *   MATCH       the string matches if this is reached at its end */
#define RT_RX_INST 3
enum rt_rx_op { RT_RX_CLASS, RT_RX_SPLIT, RT_RX_JMP, RT_RX_ASSERT, RT_RX_MATCH };
/* text start, text end, a word boundary (\b: a word byte [0-9A-Za-z_] on
 * exactly one side), not one (\B) */
enum rt_rx_at { RT_RX_AT_BEGIN, RT_RX_AT_END, RT_RX_AT_WORD, RT_RX_AT_NOT_WORD };

/* Scratch for a program of n instructions: three lists of n and a stack
 * of 2n + 2 int32. */
#define RT_RX_SCRATCH(n) ((int64_t)(5 * (int64_t)(n) + 2) * 4)

/* rt_regex_full_match: x in[0] is `count` string slots of `slot` bytes,
 * y out[0] `count` bools; the program in[1] has n_inst instructions. */
#define RT_REGEX_PARAMS(I, F, IA, FA, I32, I32A, E) I(count) I(slot) I(n_inst)
RT_PARAMS_STRUCT(rt_regex_params, RT_REGEX_PARAMS)

#define RT_REGEX_KERNELS(K) K(rt_regex_full_match, rt_regex_params)
#define RT_REGEX_PARAMS_TYPES(P) P(rt_regex_params, RT_REGEX_PARAMS)
RT_REGEX_KERNELS(RT_DECLARE_KERNEL)

#endif
