"""Symbolic dims through the norm family: softmax-like ops along any axis,
and the normalisations over symbolic batch, sequence and spatial dims. A
symbolic channel dim that meets constant scale/bias sizes is checked equal
to them at run time (refused when its range cannot reach them)."""
import numpy as np
from onnx import TensorProto as T, helper as h, numpy_helper as nh

from check import Case, model, vi

SIZES = [{"N": 1, "S": 1, "T": 1}, {"N": 2, "S": 5, "T": 3}, {"N": 3, "S": 9, "T": 6}]
RANGES = {"N": (1, 3), "S": (1, 9), "T": (1, 6)}


def const(name, shape, positive=False):
    rng = np.random.default_rng(sum(map(ord, name)))
    v = rng.standard_normal(shape).astype(np.float32)
    return nh.from_array(np.abs(v) + 0.5 if positive else v, name)


def unary(op, dims, opset=17, dtype=T.FLOAT, **attrs):
    return lambda: model([h.make_node(op, ["x"], ["y"], **attrs)], [vi("x", dims, dtype)], [vi("y", dims, dtype)],
                         opset=opset)


def with_params(op, dims, params, outputs=("y",), out_dims=None, extra_inputs=(), **attrs):
    """op(x, *params) with the params constant unless listed in extra_inputs
    (name, dims) as graph inputs."""
    names = ["x"] + [p.name for p in params] + [n for n, _ in extra_inputs]
    outs = [vi(o, d) for o, d in zip(outputs, out_dims or [dims])]
    return lambda: model([h.make_node(op, names, list(outputs), **attrs)],
                         [vi("x", dims)] + [vi(n, d) for n, d in extra_inputs], outs, params)


def bn_params(c):
    return [const("scale", (c,)), const("bias", (c,)), const("mean", (c,)), const("var", (c,), positive=True)]


CASES = [
    # along the last axis (contiguous rows), the middle axis (strided) and
    # along a symbolic axis with a symbolic inner size (strided for any inner)
    Case("norm_softmax_last_axis", unary("Softmax", ("N", "S", "T")), RANGES, SIZES),
    Case("norm_softmax_middle_axis", unary("Softmax", ("N", "S", 4), axis=1), RANGES, SIZES),
    Case("norm_softmax_double", unary("Softmax", ("N", "S", "T"), dtype=T.DOUBLE, axis=1), RANGES, SIZES),
    Case("norm_logsoftmax_negative_axis", unary("LogSoftmax", ("N", "S", "T"), axis=-2), RANGES, SIZES),
    Case("norm_hardmax_first_axis", unary("Hardmax", ("N", "S", 4), axis=0), RANGES, SIZES),
    # before opset 13: coerced to 2-D at axis, rows of S*T elements
    Case("norm_softmax_opset11_coerced", unary("Softmax", ("N", "S", "T"), opset=11, axis=1), RANGES, SIZES),
    Case("norm_logsoftmax_opset11_coerced", unary("LogSoftmax", ("N", "S", "T"), opset=11), RANGES, SIZES),
    Case("norm_hardmax_opset11_coerced", unary("Hardmax", ("N", "S", 4), opset=11, axis=2), RANGES, SIZES),
    # transformer LayerNorm over the features, with Mean and InvStdDev
    Case("norm_layer_norm_last_axis",
         with_params("LayerNormalization", ("N", "S", 8), [const("scale", (8,)), const("bias", (8,))],
                     outputs=("y", "mean", "invstd"), out_dims=[("N", "S", 8), ("N", "S", 1), ("N", "S", 1)]),
         RANGES, SIZES),
    # normalised dims [S, 4] from a negative axis, scale and bias as symbolic inputs
    Case("norm_layer_norm_symbolic_scale",
         with_params("LayerNormalization", ("N", 2, "S", 4), [], outputs=("y", "mean"),
                     out_dims=[("N", 2, "S", 4), ("N", 2, 1, 1)], extra_inputs=[("scale", ("S", 4)), ("b", ("S", 4))],
                     axis=-2),
         RANGES, SIZES),
    Case("norm_batchnorm", with_params("BatchNormalization", ("N", 3, "S", "T"), bn_params(3)), RANGES, SIZES),
    # a symbolic channel dim against constant [3] parameters: checked at
    # run time, so every run has C = 3
    Case("norm_batchnorm_symbolic_channels",
         with_params("BatchNormalization", ("N", "C", "S"), bn_params(3)), dict(RANGES, C=(1, 4)),
         [dict(s, C=3) for s in SIZES]),
    Case("norm_instancenorm",
         with_params("InstanceNormalization", ("N", 3, "S", "T"), [const("scale", (3,)), const("bias", (3,))]),
         RANGES, SIZES),
    # no parameters: channels may vary too (the window slides over them)
    Case("norm_lrn", unary("LRN", ("N", "S", "T", 2), size=3, alpha=0.02, beta=0.6, bias=1.5), RANGES, SIZES),
    # each statistic over 2 or more elements: onnxruntime gives NaN for a
    # single-element variance (0 / 0), onnxcc 0
    Case("norm_mvn_default_axes", unary("MeanVarianceNormalization", ("N", 3, "S", 2)), RANGES, SIZES),
    Case("norm_mvn_negative_axes", unary("MeanVarianceNormalization", ("N", "S", "T"), axes=[-1, 0]),
         dict(RANGES, T=(2, 6)), [dict(s, T=t) for s, t in zip(SIZES, (2, 4, 6))]),
    # refused: channels whose range cannot reach the parameters' size
    Case("norm_instancenorm_refuses_impossible_channels",
         with_params("InstanceNormalization", ("N", "C", "S"), [const("scale", (3,)), const("bias", (3,))]),
         dict(RANGES, C=(4, 8)), [], expect_error="can never be equal"),
    Case("norm_layer_norm_refuses_impossible_features",
         with_params("LayerNormalization", ("N", "S", "F"), [const("scale", (8,))]),
         dict(RANGES, F=(1, 4)), [], expect_error="can never be equal"),
]
