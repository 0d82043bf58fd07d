"""Symbolic dims through the reduce family: Reduce* and ArgMax/ArgMin over
symbolic reduced and kept dims, axes as attribute or constant input,
negative axes, keepdims and noop_with_empty_axes."""
import numpy as np
import onnx
from onnx import TensorProto as T, helper as h, numpy_helper as nh

from check import Case

SIZES = [{"N": 1, "S": 1}, {"N": 2, "S": 5}, {"N": 4, "S": 16}]
RANGES = {"N": (1, 4), "S": (1, 16)}


def model(nodes, inputs, outputs, inits=(), opset=18):
    """Outputs declared without a shape get onnx's inferred one."""
    g = h.make_graph(nodes, "g", inputs, outputs, list(inits))
    return onnx.shape_inference.infer_shapes(h.make_model(g, opset_imports=[h.make_opsetid("", opset)]))


def vi(name, dims=("N", "S", 4), dtype=T.FLOAT):
    if dims is None:
        return h.make_value_info(name, h.make_tensor_type_proto(dtype, None))
    return h.make_tensor_value_info(name, dtype, list(dims))


def reduce_input_axes(op, axes, keepdims=1, dims=("N", "S", 4), dtype=T.FLOAT, **attrs):
    """op with axes as a constant input (opset 18)."""
    def build():
        a = nh.from_array(np.array(axes, np.int64), "axes")
        n = h.make_node(op, ["x", "axes"], ["y"], keepdims=keepdims, **attrs)
        return model([n], [vi("x", dims, dtype)], [vi("y", None, dtype)], [a])
    return build


def reduce_attr_axes(op, axes, keepdims=1, dims=("N", "S", 4)):
    """op with axes as an attribute (opset 13; ReduceSum's is an input there)."""
    def build():
        n = h.make_node(op, ["x"], ["y"], axes=axes, keepdims=keepdims)
        return model([n], [vi("x", dims)], [vi("y", None)], opset=13)
    return build


def reduce_all(op, keepdims=1):
    def build():
        return model([h.make_node(op, ["x"], ["y"], keepdims=keepdims)], [vi("x")], [vi("y", None)])
    return build


def noop_empty_axes():
    # an empty axes input (onnxruntime mishandles an absent one here)
    a = nh.from_array(np.array([], np.int64), "axes")
    n = h.make_node("ReduceSum", ["x", "axes"], ["y"], noop_with_empty_axes=1)
    return model([n, h.make_node("Neg", ["y"], ["z"])], [vi("x")], [vi("z", None)], [a])


def arg(op, axis, keepdims=1, select_last_index=0, dims=("N", "S", 4), dtype=T.FLOAT):
    def build():
        n = h.make_node(op, ["x"], ["y"], axis=axis, keepdims=keepdims, select_last_index=select_last_index)
        return model([n], [vi("x", dims, dtype)], [vi("y", None, T.INT64)], opset=13)
    return build


def reduce_then_broadcast():
    # x - mean(x over S): the kept symbolic N and the reduced S meet again
    a = nh.from_array(np.array([1], np.int64), "axes")
    return model([h.make_node("ReduceMean", ["x", "axes"], ["m"], keepdims=1), h.make_node("Sub", ["x", "m"], ["y"])],
                 [vi("x")], [vi("y", None)], [a])


def positive(shape, rng):
    return (rng.random(shape) + 0.5).astype(np.float32)


def ties(shape, rng):
    return rng.integers(0, 3, shape).astype(np.float32)


CASES = [
    Case("reduce_sum_symbolic_axis", reduce_input_axes("ReduceSum", [1]), RANGES, SIZES),
    Case("reduce_sum_empty_axes_reduce_all", reduce_input_axes("ReduceSum", []), RANGES, SIZES),
    Case("reduce_mean_negative_axes_nokeep", reduce_input_axes("ReduceMean", [-1, -3], keepdims=0), RANGES, SIZES),
    Case("reduce_max_batch_and_seq", reduce_input_axes("ReduceMax", [0, 1]), RANGES, SIZES),
    Case("reduce_min_exact_axis_int32", reduce_input_axes("ReduceMin", [2], keepdims=0, dtype=T.INT32), RANGES, SIZES),
    Case("reduce_prod_axis1", reduce_input_axes("ReduceProd", [1]), RANGES, SIZES, make_input={"x": positive},
         rtol=1e-4),
    Case("reduce_l1_all", reduce_all("ReduceL1", keepdims=0), RANGES, SIZES, rtol=1e-4),
    Case("reduce_l2_middle", reduce_input_axes("ReduceL2", [1], dims=("N", "S", "S")), RANGES, SIZES, rtol=1e-4),
    Case("reduce_logsum", reduce_input_axes("ReduceLogSum", [1, 2]), RANGES, SIZES, make_input={"x": positive},
         rtol=1e-4),
    Case("reduce_logsumexp_kept_symbolic", reduce_input_axes("ReduceLogSumExp", [2], keepdims=0), RANGES, SIZES,
         rtol=1e-4),
    Case("reduce_sumsquare_all_keep", reduce_all("ReduceSumSquare"), RANGES, SIZES, rtol=1e-4),
    Case("reduce_attr_axes_mean", reduce_attr_axes("ReduceMean", [-2], keepdims=0), RANGES, SIZES),
    Case("reduce_attr_axes_max_dims1", reduce_attr_axes("ReduceMax", [1], dims=("N", 1, "S", 3)), RANGES, SIZES),
    Case("reduce_noop_with_empty_axes", noop_empty_axes, RANGES, SIZES),
    Case("reduce_mean_then_sub", reduce_then_broadcast, RANGES, SIZES),
    Case("argmax_symbolic_axis", arg("ArgMax", 1), RANGES, SIZES, make_input={"x": ties}),
    Case("argmax_last_index_nokeep", arg("ArgMax", -2, keepdims=0, select_last_index=1), RANGES, SIZES,
         make_input={"x": ties}),
    Case("argmin_exact_axis_int64", arg("ArgMin", 2, dtype=T.INT64), RANGES, SIZES),
    Case("argmin_batch_axis", arg("ArgMin", 0, keepdims=0), RANGES, SIZES),
    Case("argmax_refuses_axis_that_may_be_empty", arg("ArgMax", 1), {"N": (1, 4), "S": (0, 16)}, [],
         expect_error="of size 0"),
]
