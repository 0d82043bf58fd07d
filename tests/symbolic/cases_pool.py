"""Symbolic dims through the pool family: MaxPool, AveragePool, LpPool and
the Global pools over symbolic batch and spatial dims, the output size an
expression of the input's (floor or ceil, pads, dilations, strides,
auto_pad SAME_UPPER/SAME_LOWER/VALID)."""
import onnx
from onnx import TensorProto as T, helper as h

from check import Case, vi

SIZES = [{"N": 1, "H": 4, "W": 3}, {"N": 2, "H": 7, "W": 6}, {"N": 3, "H": 12, "W": 10}]
RANGES = {"N": (1, 3), "H": (4, 12), "W": (3, 10)}


def pool(op, dims=("N", 3, "H", "W"), dtype=T.FLOAT, outputs=1, opset=19, **attrs):
    """One pool node; outputs declared without a shape get onnx's inferred one."""
    def build():
        outs = ["y", "i"][:outputs]
        n = h.make_node(op, ["x"], outs, **attrs)
        ovis = [vi("y", None, dtype)] + ([vi("i", None, T.INT64)] if outputs > 1 else [])
        g = h.make_graph([n], "g", [vi("x", dims, dtype)], ovis)
        return onnx.shape_inference.infer_shapes(h.make_model(g, opset_imports=[h.make_opsetid("", opset)]))
    return build


CASES = [
    Case("pool_maxpool_2d", pool("MaxPool", kernel_shape=[2, 2]), RANGES, SIZES),
    Case("pool_maxpool_strided_padded", pool("MaxPool", kernel_shape=[3, 2], strides=[2, 2], pads=[1, 0, 1, 1]),
         RANGES, SIZES),
    Case("pool_maxpool_ceil_dilated", pool("MaxPool", kernel_shape=[2, 2], strides=[2, 3], dilations=[1, 2],
                                            pads=[0, 1, 0, 1], ceil_mode=1), RANGES, SIZES),
    Case("pool_maxpool_same_upper_indices", pool("MaxPool", outputs=2, kernel_shape=[3, 2], strides=[2, 2],
                                                 auto_pad="SAME_UPPER"), RANGES, SIZES),
    Case("pool_maxpool_indices_column_major", pool("MaxPool", outputs=2, kernel_shape=[2, 2], storage_order=1),
         RANGES, SIZES),
    Case("pool_maxpool_1d_uint8", pool("MaxPool", dims=("N", 2, "W"), dtype=T.UINT8, kernel_shape=[3], strides=[2]),
         RANGES, SIZES),
    Case("pool_maxpool_3d_symbolic_channels", pool("MaxPool", dims=("N", "W", "H", 3, "W"), kernel_shape=[2, 2, 2],
                                                    strides=[1, 1, 2]), RANGES, SIZES),
    Case("pool_avgpool_same_lower", pool("AveragePool", kernel_shape=[3, 3], strides=[2, 2], auto_pad="SAME_LOWER"),
         RANGES, SIZES),
    Case("pool_avgpool_include_pad_ceil", pool("AveragePool", kernel_shape=[3, 2], strides=[2, 2], pads=[1, 1, 1, 0],
                                                count_include_pad=1, ceil_mode=1), RANGES, SIZES),
    Case("pool_avgpool_valid", pool("AveragePool", kernel_shape=[2, 3], strides=[1, 2], auto_pad="VALID"),
         RANGES, SIZES),
    Case("pool_lppool", pool("LpPool", kernel_shape=[2, 2], strides=[1, 2], p=3), RANGES, SIZES, rtol=1e-4),
    Case("pool_global_avg", pool("GlobalAveragePool"), RANGES, SIZES),
    Case("pool_global_max_1d", pool("GlobalMaxPool", dims=("N", 5, "W")), RANGES, SIZES),
    Case("pool_global_lp", pool("GlobalLpPool", p=2), RANGES, SIZES, rtol=1e-4),
    Case("pool_refuses_window_larger_than_smallest_input", pool("MaxPool", kernel_shape=[5, 2]), RANGES, [],
         expect_error="at its smallest size 4"),
]
