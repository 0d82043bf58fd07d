"""If, Loop and Scan over tensors whose dims vary at run time: the bodies
see the outer graph's dim expressions (captures and formal inputs)."""
import numpy as np
from onnx import TensorProto as T, helper as h, numpy_helper as nh

from check import Case, model, vi

SIZES = [{"N": 1, "S": 1}, {"N": 3, "S": 5}, {"N": 4, "S": 8}]
RANGES = {"N": (1, 4), "S": (1, 8)}


def if_on_data():
    # the branch depends on the data; both read the outer x (a capture)
    then_g = h.make_graph([h.make_node("Relu", ["x"], ["t"])], "then", [], [vi("t", ["N", "S", 4])])
    else_g = h.make_graph([h.make_node("Neg", ["x"], ["e"])], "else", [], [vi("e", ["N", "S", 4])])
    nodes = [h.make_node("ReduceSum", ["x"], ["s"], keepdims=0),
             h.make_node("Greater", ["s", "zero"], ["c"]),
             h.make_node("If", ["c"], ["y"], then_branch=then_g, else_branch=else_g),
             h.make_node("Mul", ["y", "x"], ["z"])]
    return model(nodes, [vi("x", ["N", "S", 4])], [vi("z", ["N", "S", 4])],
                 [nh.from_array(np.array(0, np.float32), "zero")])


def loop_carry():
    # h = tanh(h * 0.5 + x) four times; h has x's variable shape
    body = h.make_graph(
        [h.make_node("Mul", ["h_in", "half"], ["hm"]), h.make_node("Add", ["hm", "x"], ["ha"]),
         h.make_node("Tanh", ["ha"], ["h_out"]), h.make_node("Identity", ["cond_in"], ["cond_out"])],
        "body", [vi("i", [], T.INT64), vi("cond_in", [], T.BOOL), vi("h_in", ["N", "S", 4])],
        [vi("cond_out", [], T.BOOL), vi("h_out", ["N", "S", 4])],
        [nh.from_array(np.array(0.5, np.float32), "half")])
    nodes = [h.make_node("Loop", ["m", "", "x"], ["h"], body=body)]
    return model(nodes, [vi("x", ["N", "S", 4])], [vi("h", ["N", "S", 4])],
                 [nh.from_array(np.array(4, np.int64), "m")])


def scan_over_sequence():
    # a running sum over a sequence of variable length S, rows of [N]
    body = h.make_graph([h.make_node("Add", ["acc_in", "row"], ["acc_out"]),
                         h.make_node("Sigmoid", ["acc_out"], ["each"])],
                        "body", [vi("acc_in", ["N"]), vi("row", ["N"])], [vi("acc_out", ["N"]), vi("each", ["N"])])
    nodes = [h.make_node("Scan", ["init", "xs"], ["acc", "ys"], body=body, num_scan_inputs=1)]
    return model(nodes, [vi("init", ["N"]), vi("xs", ["S", "N"])], [vi("acc", ["N"]), vi("ys", ["S", "N"])])


CASES = [
    Case("control_if_on_data", if_on_data, RANGES, SIZES),
    Case("control_loop_carries_variable_shape", loop_carry, RANGES, SIZES),
    Case("control_scan_over_variable_length", scan_over_sequence, RANGES, SIZES),
]


def loop_with_run_time_dims_inside():
    # each step sums 0..i (a Range whose length the iteration decides) into
    # a carried scalar: a run-time dim defined anew in every step
    body = h.make_graph(
        [h.make_node("Add", ["i", "one"], ["lim"]), h.make_node("Range", ["zero", "lim", "one"], ["r"]),
         h.make_node("ReduceSum", ["r"], ["s"], keepdims=0), h.make_node("Add", ["acc_in", "s"], ["acc_out"]),
         h.make_node("Identity", ["cond_in"], ["cond_out"])],
        "body", [vi("i", [], T.INT64), vi("cond_in", [], T.BOOL), vi("acc_in", [], T.INT64)],
        [vi("cond_out", [], T.BOOL), vi("acc_out", [], T.INT64)],
        [nh.from_array(np.array(0, np.int64), "zero"), nh.from_array(np.array(1, np.int64), "one")])
    nodes = [h.make_node("Loop", ["m", "", "acc0"], ["acc"], body=body)]
    return model(nodes, [vi("m", [], T.INT64), vi("acc0", [], T.INT64)], [vi("acc", [], T.INT64)])


CASES += [
    Case("control_loop_run_time_dims_inside", loop_with_run_time_dims_inside, {}, [{}],
         flags=["--max-dynamic-dim", "16"], make_input={"m": lambda shape, rng: np.array(6, np.int64),
                                                         "acc0": lambda shape, rng: np.array(100, np.int64)}),
]
