"""Symbolic dims through the conv family: Conv and ConvTranspose over
symbolic batch and spatial dims (pads, strides, dilations, groups,
auto_pad, output_padding, output_shape), constant (prepacked) and
non-constant weights, and a symbolic channel dim that must match W."""
import numpy as np
import onnx
from onnx import helper as h, numpy_helper as nh

from check import Case, vi

SIZES = [{"N": 1, "H": 5, "W": 4, "C": 3}, {"N": 2, "H": 8, "W": 7, "C": 3}, {"N": 3, "H": 12, "W": 10, "C": 3}]
RANGES = {"N": (1, 3), "H": (5, 12), "W": (4, 10)}


def conv(op, wshape, dims=("N", 3, "H", "W"), bias=True, w_input=False, opset=17, **attrs):
    """One Conv/ConvTranspose node with constant W (or W as an input) and
    an optional constant bias; the output gets onnx's inferred shape."""
    def build():
        rng = np.random.default_rng(3)
        out_ch = wshape[0] if op == "Conv" else wshape[1] * attrs.get("group", 1)
        inits, inputs = [], [vi("x", dims)]
        if w_input:
            inputs.append(vi("w", wshape))
        else:
            inits.append(nh.from_array(rng.standard_normal(wshape).astype(np.float32), "w"))
        names = ["x", "w"]
        if bias:
            inits.append(nh.from_array(rng.standard_normal(3 if isinstance(out_ch, str) else out_ch)
                                       .astype(np.float32), "b"))
            names.append("b")
        g = h.make_graph([h.make_node(op, names, ["y"], **attrs)], "g", inputs, [vi("y", None)], inits)
        return onnx.shape_inference.infer_shapes(h.make_model(g, opset_imports=[h.make_opsetid("", opset)]))
    return build


TOL = dict(rtol=1e-4, atol=1e-4)
CASES = [
    Case("conv_2d_padded", conv("Conv", (4, 3, 3, 3), pads=[1, 1, 1, 1]), RANGES, SIZES, **TOL),
    Case("conv_2d_strided_dilated", conv("Conv", (5, 3, 2, 3), strides=[2, 1], dilations=[2, 1], pads=[0, 1, 1, 0]),
         RANGES, SIZES, **TOL),
    Case("conv_same_upper_strided", conv("Conv", (4, 3, 3, 2), strides=[2, 3], auto_pad="SAME_UPPER"), RANGES, SIZES,
         **TOL),
    Case("conv_same_lower_no_bias", conv("Conv", (4, 3, 4, 3), bias=False, auto_pad="SAME_LOWER"), RANGES, SIZES,
         **TOL),
    Case("conv_valid", conv("Conv", (2, 3, 3, 3), strides=[1, 2], auto_pad="VALID"), RANGES, SIZES, **TOL),
    Case("conv_pointwise", conv("Conv", (6, 3, 1, 1)), RANGES, SIZES, **TOL),
    Case("conv_pointwise_same", conv("Conv", (6, 3, 1, 1), auto_pad="SAME_UPPER"), RANGES, SIZES, **TOL),
    Case("conv_grouped", conv("Conv", (4, 2, 3, 3), dims=("N", 4, "H", "W"), group=2, pads=[1, 0, 1, 0]),
         RANGES, SIZES, **TOL),
    Case("conv_depthwise", conv("Conv", (3, 1, 3, 3), group=3, strides=[2, 2], pads=[1, 1, 1, 1]), RANGES, SIZES,
         **TOL),
    # the padded-plane depthwise kernel: unrolled 3x3/5x5 at strides 1 and
    # 2, a dilated one, an asymmetric generic kernel, SAME padding
    Case("conv_depthwise_3x3_s1", conv("Conv", (3, 1, 3, 3), group=3, pads=[1, 1, 1, 1]), RANGES, SIZES, **TOL),
    Case("conv_depthwise_5x5_s2", conv("Conv", (3, 1, 5, 5), group=3, strides=[2, 2], pads=[2, 2, 2, 2]), RANGES,
         SIZES, **TOL),
    Case("conv_depthwise_5x5_s1_dilated", conv("Conv", (3, 1, 5, 5), group=3, dilations=[1, 2], pads=[2, 4, 2, 4]),
         RANGES, SIZES, **TOL),
    Case("conv_depthwise_generic_same", conv("Conv", (3, 1, 2, 3), group=3, strides=[1, 3], auto_pad="SAME_UPPER",
                                             bias=False), RANGES, SIZES, **TOL),
    Case("conv_1d", conv("Conv", (4, 2, 3), dims=("N", 2, "W"), strides=[2]), RANGES, SIZES, **TOL),
    Case("conv_3d_batch_only_symbolic", conv("Conv", (2, 3, 2, 2, 2), dims=("N", 3, 4, 5, 3)), RANGES, SIZES, **TOL),
    Case("conv_weights_input", conv("Conv", (4, 3, 3, 3), w_input=True, pads=[1, 1, 0, 0]), RANGES, SIZES, **TOL),
    Case("conv_symbolic_channels", conv("Conv", (4, 3, 3, 3), dims=("N", "C", "H", "W")), dict(RANGES, C=(3, 5)),
         SIZES, **TOL),
    Case("convtranspose_2d", conv("ConvTranspose", (3, 2, 3, 3)), RANGES, SIZES, **TOL),
    Case("convtranspose_strided_padded", conv("ConvTranspose", (3, 4, 3, 2), strides=[2, 3], pads=[1, 0, 1, 1],
                                              output_padding=[1, 0]), RANGES, SIZES, **TOL),
    Case("convtranspose_same_upper", conv("ConvTranspose", (3, 2, 3, 3), strides=[2, 2], auto_pad="SAME_UPPER"),
         RANGES, SIZES, **TOL),
    Case("convtranspose_same_lower_dilated", conv("ConvTranspose", (3, 2, 2, 3), strides=[2, 1], dilations=[2, 1],
                                                  auto_pad="SAME_LOWER"), RANGES, SIZES, **TOL),
    # below the natural size at every input size: pads grow with the input
    Case("convtranspose_output_shape", conv("ConvTranspose", (3, 2, 3, 3), strides=[2, 2], output_shape=[10, 8]),
         RANGES, SIZES, **TOL),
    Case("convtranspose_grouped_weights_input", conv("ConvTranspose", (4, 1, 3, 3), dims=("N", 4, "H", "W"), group=2,
                                                     w_input=True, strides=[1, 2]), RANGES, SIZES, **TOL),
    Case("convtranspose_1d", conv("ConvTranspose", (3, 2, 4), dims=("N", 3, "W"), strides=[3]), RANGES, SIZES, **TOL),
    Case("conv_refuses_input_smaller_than_kernel", conv("Conv", (4, 3, 6, 3)), RANGES, [],
         expect_error="at its smallest size 5"),
    Case("conv_refuses_channels_that_never_match", conv("Conv", (4, 3, 3, 3), dims=("N", "C", "H", "W")),
         dict(RANGES, C=(4, 6)), [], expect_error="can never be equal"),
    Case("conv_refuses_symbolic_weights", conv("Conv", ("N", 3, 3, 3), w_input=True), RANGES, [],
         expect_error="W is"),
]
