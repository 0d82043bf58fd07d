"""Axes read at run time (a graph input or computed from one, neither a
constant nor dims from Shape): Reduce* (keepdims, noop_with_empty_axes, an
axes list whose length varies), Squeeze and Unsqueeze (views whose prepare
step still runs). The output's rank is known; the dims that depend on the
axes are run-time dims. Bad axes (out of range, listed twice, squeezing a
dim that is not 1) must stop the run with RT_ERR_SHAPE."""
import numpy as np
from onnx import TensorProto as T, helper as h, numpy_helper as nh

from check import Case

SIZES = [{"N": 1, "S": 1}, {"N": 2, "S": 5}, {"N": 4, "S": 16}]
RANGES = {"N": (1, 4), "S": (1, 16)}


def model(nodes, inputs, outputs, inits=(), opset=18):
    g = h.make_graph(nodes, "g", inputs, outputs, list(inits))
    return h.make_model(g, opset_imports=[h.make_opsetid("", opset)])


def vi(name, dims, dtype=T.FLOAT):
    return h.make_tensor_value_info(name, dtype, list(dims))


def out(rank, dtype=T.FLOAT):
    """The output "y": its rank is known, its dims depend on the axes."""
    return h.make_tensor_value_info("y", dtype, [None] * rank)


def values(v):
    """make_input for the axes: these int64 values, whatever the shape."""
    return lambda shape, rng: np.array(v, np.int64)


def reduce_rt(op, n_axes, keepdims=1, dims=("N", "S", 4), dtype=T.FLOAT, then=None, **attrs):
    """op with axes a graph input of n_axes values (a name: that many)."""
    if keepdims:
        rank = len(dims)
    elif n_axes == 0:  # every dim reduced, or none with noop_with_empty_axes
        rank = len(dims) if attrs.get("noop_with_empty_axes") else 0
    else:  # a varying length: any rank will do for the refusal
        rank = len(dims) - n_axes if isinstance(n_axes, int) else 0

    def build():
        nodes = [h.make_node(op, ["x", "axes"], ["y" if then is None else "r"], keepdims=keepdims, **attrs)]
        if then is not None:
            nodes.append(h.make_node(then, ["r"], ["y"]))
        return model(nodes, [vi("x", dims, dtype), vi("axes", [n_axes], T.INT64)], [out(rank, dtype)])
    return build


def reduce_computed_axes():
    # the axes come from arithmetic on an input: axes = a + 1
    one = nh.from_array(np.array([1], np.int64), "one")
    return model([h.make_node("Add", ["a", "one"], ["axes"]),
                  h.make_node("ReduceMax", ["x", "axes"], ["y"], keepdims=0)],
                 [vi("x", ["N", "S", 4]), vi("a", [1], T.INT64)], [out(2)], [one])


def reduce_then_unsqueeze():
    # the dims one run-time-axes op finds feed another: mean without
    # keepdims, then the reduced axes put back
    return model([h.make_node("ReduceMean", ["x", "axes"], ["m"], keepdims=0),
                  h.make_node("Unsqueeze", ["m", "axes"], ["y"])],
                 [vi("x", ["N", "S", 4]), vi("axes", [2], T.INT64)], [out(3)])


def squeeze_rt(dims, n_axes, then=None, op="Squeeze"):
    rank = len(dims) + (n_axes if op == "Unsqueeze" else -n_axes)

    def build():
        nodes = [h.make_node(op, ["x", "axes"], ["y" if then is None else "s"])]
        if then is not None:
            nodes.append(h.make_node(then, ["s"], ["y"]))
        return model(nodes, [vi("x", dims), vi("axes", [n_axes], T.INT64)], [out(rank)], opset=13)
    return build


def positive(shape, rng):
    return (rng.random(shape) + 0.5).astype(np.float32)


def first_axes(order):
    """As many of `order` as the axes input has room for."""
    return lambda shape, rng: np.array(order[:shape[0]], np.int64)


# rt_status_str(RT_ERR_SHAPE), as the driver prints it
SHAPE_ERROR = "contradicts a shape"

CASES = [
    Case("rt_axes_reduce_sum_keepdims", reduce_rt("ReduceSum", 1), RANGES, SIZES,
         make_input={"axes": values([1])}),
    Case("rt_axes_reduce_sum_no_keepdims", reduce_rt("ReduceSum", 1, keepdims=0), RANGES, SIZES,
         make_input={"axes": values([-1])}),
    Case("rt_axes_reduce_mean_two_axes", reduce_rt("ReduceMean", 2, keepdims=0), RANGES, SIZES,
         make_input={"axes": values([2, 0])}),
    Case("rt_axes_reduce_min_all_axes", reduce_rt("ReduceMin", 3, keepdims=0), RANGES, SIZES,
         make_input={"axes": values([1, -1, 0])}),
    Case("rt_axes_reduce_logsumexp", reduce_rt("ReduceLogSumExp", 2), RANGES, SIZES,
         make_input={"axes": values([0, 1])}),
    Case("rt_axes_reduce_l2_then_neg", reduce_rt("ReduceL2", 1, keepdims=0, then="Neg"), RANGES, SIZES,
         make_input={"axes": values([0])}),
    Case("rt_axes_reduce_prod_int32", reduce_rt("ReduceProd", 1, dtype=T.INT32), RANGES, SIZES,
         make_input={"axes": values([2])}),
    Case("rt_axes_reduce_logsum_noop_flag", reduce_rt("ReduceLogSum", 1, noop_with_empty_axes=1), RANGES, SIZES,
         make_input={"axes": values([1]), "x": positive}),
    Case("rt_axes_reduce_computed", reduce_computed_axes, RANGES, SIZES, make_input={"a": values([0])}),
    Case("rt_axes_reduce_then_unsqueeze", reduce_then_unsqueeze, RANGES, SIZES,
         make_input={"axes": values([2, 0])}),
    # the axes list's length varies: none reduces every dim
    Case("rt_axes_reduce_sum_any_length", reduce_rt("ReduceSum", "K"), {**RANGES, "K": (0, 3)},
         [{"N": 2, "S": 3, "K": 0}, {"N": 3, "S": 5, "K": 1}, {"N": 4, "S": 2, "K": 2}, {"N": 1, "S": 7, "K": 3}],
         make_input={"axes": first_axes([2, 0, 1])}),
    # an empty axes input, its length known: reduce all, or nothing with the flag
    Case("rt_axes_reduce_sum_empty", reduce_rt("ReduceSum", 0, keepdims=0), RANGES, SIZES,
         make_input={"axes": values([])}),
    Case("rt_axes_reduce_max_empty_noop", reduce_rt("ReduceMax", 0, noop_with_empty_axes=1), RANGES, SIZES,
         make_input={"axes": values([])}),
    Case("rt_axes_reduce_varying_length_no_keepdims", reduce_rt("ReduceSum", "K", keepdims=0),
         {**RANGES, "K": (0, 3)}, [], expect_error="leaves the output's rank unknown"),
    Case("rt_axes_reduce_varying_length_noop", reduce_rt("ReduceSum", "K", noop_with_empty_axes=1),
         {**RANGES, "K": (0, 3)}, [], expect_error="an empty list would leave the input as it is"),
    Case("rt_axes_reduce_too_many_axes", reduce_rt("ReduceSum", 4, keepdims=0), RANGES, [],
         expect_error="axes has 4 values but the input has rank 3"),
    Case("rt_axes_reduce_duplicate_axes", reduce_rt("ReduceSum", 2), RANGES, [{"N": 2, "S": 3}],
         run_error=SHAPE_ERROR,
         make_input={"axes": values([1, -2])}),
    Case("rt_axes_reduce_axis_out_of_range", reduce_rt("ReduceSum", 1, keepdims=0), RANGES,
         [{"N": 2, "S": 3}, {"N": 1, "S": 1}],
         run_error=SHAPE_ERROR, make_input={"axes": values([3])}),
    Case("rt_axes_reduce_negative_out_of_range", reduce_rt("ReduceMax", 1), RANGES, [{"N": 2, "S": 3}],
         run_error=SHAPE_ERROR, make_input={"axes": values([-4])}),

    Case("rt_axes_squeeze", squeeze_rt(["N", 1, "S"], 1), RANGES, SIZES, make_input={"axes": values([1])}),
    Case("rt_axes_squeeze_negative_then_relu", squeeze_rt([1, "N", "S", 1], 2, then="Relu"), RANGES, SIZES,
         make_input={"axes": values([-1, 0])}),
    # squeezing N: fine where N is 1, RT_ERR_SHAPE elsewhere
    Case("rt_axes_squeeze_symbolic_dim", squeeze_rt(["N", "S"], 1), RANGES, [{"N": 1, "S": 3}, {"N": 1, "S": 16}],
         make_input={"axes": values([0])}),
    Case("rt_axes_squeeze_symbolic_dim_not_one", squeeze_rt(["N", "S"], 1), RANGES, [{"N": 2, "S": 3}],
         run_error=SHAPE_ERROR, make_input={"axes": values([0])}),
    Case("rt_axes_squeeze_not_one", squeeze_rt([2, "S"], 1), RANGES, [{"N": 1, "S": 1}], run_error=SHAPE_ERROR,
         make_input={"axes": values([0])}),
    Case("rt_axes_squeeze_duplicate", squeeze_rt([1, 1, "S"], 2), RANGES, [{"N": 1, "S": 1}], run_error=SHAPE_ERROR,
         make_input={"axes": values([0, -3])}),
    Case("rt_axes_unsqueeze", squeeze_rt(["N", "S"], 2, op="Unsqueeze"), RANGES, SIZES,
         make_input={"axes": values([0, 3])}),
    Case("rt_axes_unsqueeze_unsorted_then_neg", squeeze_rt(["N", "S", 4], 2, then="Neg", op="Unsqueeze"), RANGES,
         SIZES, make_input={"axes": values([-1, 1])}),
    Case("rt_axes_unsqueeze_out_of_range", squeeze_rt(["N", "S"], 1, op="Unsqueeze"), RANGES, [{"N": 2, "S": 3}],
         run_error=SHAPE_ERROR, make_input={"axes": values([3])}),
    Case("rt_axes_unsqueeze_duplicate", squeeze_rt(["N", "S"], 2, op="Unsqueeze"), RANGES, [{"N": 2, "S": 3}],
         run_error=SHAPE_ERROR, make_input={"axes": values([1, -3])}),
]
