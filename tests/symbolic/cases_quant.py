"""Symbolic dims through the quant family: QuantizeLinear and
DequantizeLinear (per tensor, per axis, blocked; scales and zero points as
constants or run-time inputs), DynamicQuantizeLinear, MatMulInteger,
QLinearMatMul, ConvInteger and QLinearConv, against ONNX Runtime's exact
integers (ties included: inputs sit on .5 after scaling)."""
import numpy as np
from onnx import TensorProto as T, helper as h, numpy_helper as nh

from check import Case, model, vi

SIZES = [{"N": 1, "S": 1}, {"N": 2, "S": 5}, {"N": 3, "S": 9}]
RANGES = {"N": (1, 3), "S": (1, 9)}
# convolutions need room for a 3x3 kernel with pads 1: any S works
CONV_SIZES = [{"N": 1, "S": 1}, {"N": 2, "S": 4}, {"N": 3, "S": 7}]


def ties(shape, rng):
    """Multiples of 1/4: with scale 0.5, every other one is a tie."""
    return (rng.integers(-700, 700, shape) / 4).astype(np.float32)


def u8(shape, rng):
    return rng.integers(0, 256, shape).astype(np.uint8)


def i8(shape, rng):
    return rng.integers(-128, 128, shape).astype(np.int8)


def scales(shape, rng):
    return rng.choice(np.array([0.25, 0.5, 1.5, 2.0], np.float32), shape)


def c(name, array):
    return nh.from_array(np.asarray(array), name)


def quantize(x_dims, s, zp, y_type, runtime_scale=None, opset=21, **attrs):
    """s, zp: constants (TensorProto) or, with runtime_scale = (dims, zp
    dims), graph inputs."""
    ins = [vi("x", x_dims)]
    inits = []
    if runtime_scale:
        ins += [vi("s", runtime_scale[0]), vi("zp", runtime_scale[1], y_type)]
    else:
        inits = [s, zp]
    node = h.make_node("QuantizeLinear", ["x", "s", "zp"], ["y"], **attrs)
    return lambda: model([node], ins, [vi("y", x_dims, y_type)], inits, opset)


def dequantize(x_dims, x_type, s, zp, runtime=False, opset=21, **attrs):
    ins = [vi("x", x_dims, x_type)]
    inits = [s, zp] if not runtime else []
    if runtime:
        ins += [vi("s", list(s.dims)), vi("zp", list(zp.dims), x_type)]
    node = h.make_node("DequantizeLinear", ["x", "s", "zp"], ["y"], **attrs)
    return lambda: model([node], ins, [vi("y", x_dims)], inits, opset)


def dynquant():
    node = h.make_node("DynamicQuantizeLinear", ["x"], ["y", "ys", "yz"])
    return lambda: model([node], [vi("x", ("N", "S"))],
                         [vi("y", ("N", "S"), T.UINT8), vi("ys", (), T.FLOAT), vi("yz", (), T.UINT8)], [], 21)


def matmul_integer():
    node = h.make_node("MatMulInteger", ["a", "b", "az", "bz"], ["y"])
    inits = [c("az", np.uint8(130)), c("bz", np.array([[0, 7, 128, 255, 3]], np.uint8))]
    return lambda: model([node], [vi("a", ("N", "S", 4), T.UINT8), vi("b", (4, 5), T.UINT8)],
                         [vi("y", ("N", "S", 5), T.INT32)], inits, 21)


def qlinear_matmul(t, np_t, zps, per_column=False):
    """Per column: B is [4, 3] and its scale and zero point [1, 3], the
    layout ONNX Runtime takes; otherwise a batched B and one of each."""
    node = h.make_node("QLinearMatMul", ["a", "as", "az", "b", "bs", "bz", "ys", "yz"], ["y"])
    bs = np.array([[0.03, 0.02, 0.05]], np.float32) if per_column else np.float32(0.02)
    bz = np.array([[zps[1], zps[1] + 1, zps[1] - 1]], np_t) if per_column else np_t(zps[1])
    b_dims = (4, 3) if per_column else ("N", 4, 3)
    inits = [c("as", np.float32(0.05)), c("az", np_t(zps[0])), c("bs", bs), c("bz", bz),
             c("ys", np.float32(0.125)), c("yz", np_t(zps[2]))]
    return lambda: model([node], [vi("a", ("N", "S", 4), t), vi("b", b_dims, t)], [vi("y", ("N", "S", 3), t)],
                         inits, 21)


def conv_integer():
    rng = np.random.default_rng(3)
    node = h.make_node("ConvInteger", ["x", "w", "xz"], ["y"], pads=[1, 1, 1, 1])
    inits = [c("w", rng.integers(0, 256, (3, 2, 3, 3)).astype(np.uint8)), c("xz", np.uint8(100))]
    return lambda: model([node], [vi("x", ("N", 2, "S", "S"), T.UINT8)], [vi("y", ("N", 3, "S", "S"), T.INT32)],
                         inits, 21)


def qlinear_conv():
    rng = np.random.default_rng(4)
    node = h.make_node("QLinearConv", ["x", "xs", "xz", "w", "ws", "wz", "ys", "yz", "b"], ["y"],
                       pads=[1, 1, 1, 1], strides=[2, 2])
    inits = [c("xs", np.float32(0.02)), c("xz", np.uint8(120)),
             c("w", rng.integers(-128, 128, (4, 2, 3, 3)).astype(np.int8)),
             c("ws", np.array([0.01, 0.02, 0.005, 0.03], np.float32)), c("wz", np.zeros(4, np.int8)),
             c("ys", np.float32(0.25)), c("yz", np.uint8(128)),
             c("b", rng.integers(-500, 500, 4).astype(np.int32))]
    return lambda: model([node], [vi("x", ("N", 2, "S", "S"), T.UINT8)],
                         [vi("y", 4, T.UINT8)], inits, 21)


CASES = [
    Case("quant_quantize_per_tensor_ties",
         quantize(("N", "S"), c("s", np.float32(0.5)), c("zp", np.uint8(128)), T.UINT8),
         RANGES, SIZES, make_input={"x": ties}),
    Case("quant_quantize_per_axis_int8",
         quantize(("N", 3, "S"), c("s", np.array([0.5, 2, 4], np.float32)), c("zp", np.array([-3, 0, 5], np.int8)),
                  T.INT8, opset=13),
         RANGES, SIZES, make_input={"x": ties}),
    Case("quant_quantize_int16_runtime_scale",
         quantize(("N", "S"), None, None, T.INT16, runtime_scale=((), ())),
         RANGES, SIZES, make_input={"x": lambda s, r: (ties(s, r) * 300).astype(np.float32),
                                    "s": lambda s, r: np.array(0.5, np.float32),
                                    "zp": lambda s, r: np.array(-7, np.int16)}),
    # blocks of 4 along axis 1; the scale's first dim follows x's
    Case("quant_quantize_blocked_runtime",
         quantize(("N", 8), None, None, T.INT8, runtime_scale=(("N", 2), ("N", 2)), axis=1, block_size=4),
         RANGES, SIZES, make_input={"x": ties, "s": scales, "zp": i8}),
    Case("quant_dequantize_per_axis_runtime",
         dequantize(("N", 4, "S"), T.INT8, c("s", np.array([0.5, 1, 2, 0.1], np.float32)),
                    c("zp", np.array([0, -5, 7, 127], np.int8)), runtime=True, axis=1),
         RANGES, SIZES, make_input={"x": i8, "s": scales, "zp": i8}),
    Case("quant_dequantize_uint16",
         dequantize(("N", "S"), T.UINT16, c("s", np.float32(0.003)), c("zp", np.uint16(30000))),
         RANGES, SIZES, make_input={"x": lambda s, r: r.integers(0, 65536, s).astype(np.uint16)}),
    Case("quant_dequantize_int32",
         dequantize(("N", "S"), T.INT32, c("s", np.float32(0.5)), c("zp", np.int32(0)), opset=13),
         RANGES, SIZES, make_input={"x": lambda s, r: r.integers(-2**31, 2**31, s).astype(np.int32)}),
    Case("quant_dynamic_quantize", dynquant(), RANGES, SIZES, make_input={"x": ties}),
    Case("quant_matmul_integer_per_column", matmul_integer(), RANGES, SIZES, make_input={"a": u8, "b": u8}),
    Case("quant_qlinear_matmul_uint8", qlinear_matmul(T.UINT8, np.uint8, (128, 100, 90)), RANGES, SIZES,
         make_input={"a": u8, "b": u8}),
    Case("quant_qlinear_matmul_int8_per_column", qlinear_matmul(T.INT8, np.int8, (-3, 0, 5), per_column=True),
         RANGES, SIZES, make_input={"a": i8, "b": i8}),
    Case("quant_conv_integer", conv_integer(), RANGES, CONV_SIZES, make_input={"x": u8}),
    Case("quant_qlinear_conv_per_channel", qlinear_conv(), RANGES, CONV_SIZES, make_input={"x": u8}),
    # y of another type than A: no kernel, refused with the node's name
    Case("quant_qlinear_matmul_mixed_y_refused",
         lambda: model([h.make_node("QLinearMatMul", ["a", "as", "az", "b", "bs", "bz", "ys", "yz"], ["y"])],
                       [vi("a", ("S", 4), T.UINT8), vi("b", (4, 3), T.UINT8)], [vi("y", ("S", 3), T.INT8)],
                       [c("as", np.float32(1)), c("az", np.uint8(0)), c("bs", np.float32(1)), c("bz", np.uint8(0)),
                        c("ys", np.float32(1)), c("yz", np.int8(0))], 21),
         RANGES, SIZES, expect_error="y of type int8 with A of type uint8 is not supported"),
]
