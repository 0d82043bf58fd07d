/* The epilogue fused into Conv, Gemm and MatMul (compiler pass
 * fuse-epilogue): y = act(y + residual), applied by the kernel to each
 * output tile right after its last store, while the tile is still in
 * cache, instead of by one more kernel that reads and writes the whole
 * tensor again. Not a kernel family: only params fields (RT_EPILOGUE_FIELDS
 * in rt_conv_params, rt_gemm_params and rt_matmul_params). */
#ifndef ONNXCC_KERNELS_EPILOGUE_H
#define ONNXCC_KERNELS_EPILOGUE_H

/* The activations, each what the ONNX op (or the compiler's own fused
 * node) of that name computes, in float, with its two parameters act_a
 * and act_b:
 *   RELU, SIGMOID, TANH, HARD_SWISH, SILU (x * Sigmoid(x)): none
 *   CLIP: min, max       LEAKY_RELU: alpha
 *   HARD_SIGMOID and MUL_HARD_SIGMOID (x * HardSigmoid(x)): alpha, beta
 *   GELU (erf form), GELU_TANH (approximate="tanh"): none */
#define RT_ACT_KINDS(X) \
  X(NONE) X(RELU) X(CLIP) X(LEAKY_RELU) X(HARD_SIGMOID) X(HARD_SWISH) X(MUL_HARD_SIGMOID) X(SIGMOID) \
  X(SILU) X(TANH) X(GELU) X(GELU_TANH)
#define RT_ACT_ENUM_(name) RT_ACT_##name,
enum { RT_ACT_KINDS(RT_ACT_ENUM_) RT_ACT_N_KINDS };
#undef RT_ACT_ENUM_

/* For a params field list: the activation and its parameters, and
 * whether a residual input (the same shape and layout as the output, at
 * the input slot the kernel's header names) is added before it. All zero:
 * no epilogue. */
#define RT_EPILOGUE_FIELDS(F, I32, E) E(act, RT_ACT_, RT_ACT_KINDS) F(act_a) F(act_b) I32(has_residual)

#endif
