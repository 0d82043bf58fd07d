"""Symbolic dims through the view ops: Reshape, Flatten, Squeeze, Unsqueeze,
Identity, Dropout (inference). A view as a graph output runs the copy
kernel (its byte count bound at run time); one between two ops shares its
input's storage."""
import numpy as np
from onnx import TensorProto as T, helper as h, numpy_helper as nh

from check import Case, model, vi

SIZES = [{"N": 1, "S": 1}, {"N": 2, "S": 5}, {"N": 4, "S": 16}]
RANGES = {"N": (1, 4), "S": (1, 16)}


def ints(name, values):
    return nh.from_array(np.array(values, np.int64), name)


def reshape(shape, dims=("N", "S", 4), allowzero=None, around=False):
    """x -> Reshape(shape) -> y; around: Relu before and Neg after, so the
    view sits between two ops and shares storage."""
    attrs = {} if allowzero is None else {"allowzero": allowzero}
    if around:
        nodes = [h.make_node("Relu", ["x"], ["r"]), h.make_node("Reshape", ["r", "shape"], ["v"], **attrs),
                 h.make_node("Neg", ["v"], ["y"])]
    else:
        nodes = [h.make_node("Reshape", ["x", "shape"], ["y"], **attrs)]
    return lambda: model(nodes, [vi("x", dims)], [vi("y", len(shape))], [ints("shape", shape)])


def flatten(axis, around=False):
    if around:
        nodes = [h.make_node("Relu", ["x"], ["r"]), h.make_node("Flatten", ["r"], ["v"], axis=axis),
                 h.make_node("Neg", ["v"], ["y"])]
    else:
        nodes = [h.make_node("Flatten", ["x"], ["y"], axis=axis)]
    return lambda: model(nodes, [vi("x", ("N", "S", 4))], [vi("y", 2)])


def squeeze(dims, axes=None, as_input=True):
    """Squeeze with axes as an input (opset 13) or an attribute (opset 11)."""
    if axes is None:
        node, inits, opset = h.make_node("Squeeze", ["x"], ["y"]), [], 13
    elif as_input:
        node, inits, opset = h.make_node("Squeeze", ["x", "axes"], ["y"]), [ints("axes", axes)], 13
    else:
        node, inits, opset = h.make_node("Squeeze", ["x"], ["y"], axes=axes), [], 11
    return lambda: model([node, h.make_node("Abs", ["y"], ["z"])], [vi("x", dims)], [vi("z", len(dims) - len(axes or [1]))],
                         inits, opset)


def unsqueeze(axes, as_input=True):
    if as_input:
        node, inits, opset = h.make_node("Unsqueeze", ["x", "axes"], ["y"]), [ints("axes", axes)], 13
    else:
        node, inits, opset = h.make_node("Unsqueeze", ["x"], ["y"], axes=axes), [], 11
    return lambda: model([node], [vi("x", ("N", "S", 4))], [vi("y", 3 + len(axes))], inits, opset)


def identity_dropout():
    # Identity between ops (removed), Dropout with its mask (the call stays)
    return model([h.make_node("Relu", ["x"], ["r"]), h.make_node("Identity", ["r"], ["i"]),
                  h.make_node("Dropout", ["i"], ["y", "mask"]), h.make_node("Identity", ["x"], ["z"])],
                 [vi("x", ("N", "S", 4))], [vi("y", 3), vi("mask", 3, T.BOOL), vi("z", 3)])


def dropout_ratio():
    # opset 12: ratio and training_mode (constant false) as inputs
    r = nh.from_array(np.array(0.5, np.float32), "ratio")
    t = nh.from_array(np.array(False), "train")
    return model([h.make_node("Dropout", ["x", "ratio", "train"], ["d"]), h.make_node("Sigmoid", ["d"], ["y"])],
                 [vi("x", ("N", "S", 4))], [vi("y", 3)], [r, t])


EVEN = {"N": (2, 6)}
EVEN_SIZES = [{"N": 2}, {"N": 4}, {"N": 6}]
ONE_B = {"N": (1, 4), "B": (1, 3)}
ONE_B_SIZES = [{"N": 1, "B": 1}, {"N": 3, "B": 1}, {"N": 4, "B": 1}]

CASES = [
    Case("reshape_zero_minus1", reshape([0, -1]), RANGES, SIZES),
    Case("reshape_minus1_first", reshape([-1, 4]), RANGES, SIZES),
    Case("reshape_zero_zero_split", reshape([0, 0, 2, 2], around=True), RANGES, SIZES),
    Case("reshape_minus1_merges_all", reshape([-1], around=True), RANGES, SIZES),
    Case("reshape_unsqueezes_with_ones", reshape([1, 0, 1, -1, 2]), RANGES, SIZES),
    Case("reshape_allowzero_minus1", reshape([-1, 2, 2], allowzero=1), RANGES, SIZES),
    # 6N elements into rows of 4: N even, checked when the model runs
    Case("reshape_minus1_divides_at_run_time", reshape([-1, 4], dims=("N", 6), around=True), EVEN, EVEN_SIZES),
    Case("reshape_refuses_count_never_equal", reshape([16], dims=("N", 4)), {"N": (1, 3)}, [],
         expect_error="can never be equal"),
    Case("reshape_refuses_allowzero_zero", reshape([0, 4], dims=("N", 4), allowzero=1), RANGES, [],
         expect_error="can never be equal"),
    Case("flatten_axis1", flatten(1), RANGES, SIZES),
    Case("flatten_axis0", flatten(0, around=True), RANGES, SIZES),
    Case("flatten_axis2", flatten(2), RANGES, SIZES),
    Case("flatten_negative_axis", flatten(-1, around=True), RANGES, SIZES),
    Case("squeeze_exact_axis", squeeze(("N", 1, "S"), [1]), RANGES, SIZES),
    Case("squeeze_negative_axis_attr", squeeze(("N", "S", 1), [-1], as_input=False), RANGES, SIZES),
    # B is symbolic but must be 1 at run time
    Case("squeeze_symbolic_axis_checked", squeeze(("N", "B", 4), [1]), ONE_B, ONE_B_SIZES),
    Case("squeeze_no_axes_dim_never_1", squeeze(("N", 1, 4)), EVEN, EVEN_SIZES),
    # N may be 1: kept, and a run where it is 1 refused (the rank cannot vary)
    Case("squeeze_no_axes_dim_may_be_1", squeeze(("N", 1, 4)), RANGES, [{"N": 2, "S": 1}, {"N": 4, "S": 1}],
         dump_has=[r"-> check"]),
    Case("squeeze_no_axes_refuses_run_where_dim_is_1", squeeze(("N", 1, 4)), RANGES, [{"N": 1, "S": 1}],
         run_error="contradicts a shape"),
    Case("squeeze_refuses_symbolic_axis_never_1", squeeze(("N", 1, 4), [0]), EVEN, [],
         expect_error="can never be equal"),
    Case("unsqueeze_axes_input", unsqueeze([0, 2]), RANGES, SIZES),
    Case("unsqueeze_negative_axes_attr", unsqueeze([-1, 1], as_input=False), RANGES, SIZES),
    Case("identity_dropout_mask", identity_dropout, RANGES, SIZES),
    Case("dropout_ratio_inference", dropout_ratio, RANGES, SIZES),
]
