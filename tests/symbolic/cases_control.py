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


# Scan before opset 9: every input has a batch axis 0 and scans along axis
# 1; the states are per batch entry.

def scan8_two_states_reversed():
    # two states (a running sum and a running max) over two sequences, the
    # second read backwards; batch N and length S vary
    body = h.make_graph(
        [h.make_node("Add", ["sum_in", "a"], ["sum_out"]), h.make_node("Max", ["max_in", "r"], ["max_out"]),
         h.make_node("Mul", ["sum_out", "r"], ["prod"])],
        "body", [vi("sum_in", [3]), vi("max_in", [3]), vi("a", [3]), vi("r", [3])],
        [vi("sum_out", [3]), vi("max_out", [3]), vi("prod", [3])])
    nodes = [h.make_node("Scan", ["", "s0", "m0", "xa", "xr"], ["sum", "max", "prods"], body=body,
                         num_scan_inputs=2, directions=[0, 1])]
    return model(nodes, [vi("s0", ["N", 3]), vi("m0", ["N", 3]), vi("xa", ["N", "S", 3]), vi("xr", ["N", "S", 3])],
                 [vi("sum", ["N", 3]), vi("max", ["N", 3]), vi("prods", ["N", "S", 3])], opset=8)


def scan8_sequence_lens():
    # each batch entry runs sequence_lens[b] steps (1..S); a reversed input
    # starts at its entry's last step; output rows past it are zero
    body = h.make_graph(
        [h.make_node("Add", ["acc_in", "x"], ["acc_out"]), h.make_node("Tanh", ["acc_out"], ["y"])],
        "body", [vi("acc_in", [2, 2]), vi("x", [2, 2])], [vi("acc_out", [2, 2]), vi("y", [2, 2])])
    nodes = [h.make_node("Scan", ["lens", "acc0", "xs"], ["acc", "ys"], body=body, num_scan_inputs=1,
                         directions=[1])]
    return model(nodes, [vi("lens", ["N"], T.INT64), vi("acc0", ["N", 2, 2]), vi("xs", ["N", "S", 2, 2])],
                 [vi("acc", ["N", 2, 2]), vi("ys", ["N", "S", 2, 2])], opset=8)


def scan8_map_with_capture():
    # no state: each step scales its row by an outer value (a capture)
    body = h.make_graph([h.make_node("Mul", ["x", "scale"], ["y"])], "body", [vi("x", [4])], [vi("y", [4])])
    nodes = [h.make_node("Scan", ["", "xs"], ["ys"], body=body, num_scan_inputs=1)]
    return model(nodes, [vi("xs", ["N", "S", 4]), vi("scale", [4])], [vi("ys", ["N", "S", 4])], opset=8)


def _lens(size):
    # sequence_lens within 1..S (onnxruntime refuses 0)
    return lambda shape, rng: rng.integers(1, size + 1, shape).astype(np.int64)


CASES += [
    Case("control_scan8_two_states_reversed", scan8_two_states_reversed, RANGES, SIZES),
    Case("control_scan8_map_with_capture", scan8_map_with_capture, RANGES, SIZES),
]
CASES += [
    Case(f"control_scan8_sequence_lens_S{s['S']}", scan8_sequence_lens, RANGES, [s], make_input={"lens": _lens(s["S"])})
    for s in SIZES
]
CASES += [
    # a sequence length past the scanned axis cannot be run
    Case("control_scan8_sequence_lens_too_long", scan8_sequence_lens, RANGES, [{"N": 3, "S": 5}],
         make_input={"lens": lambda shape, rng: np.full(shape, 6, np.int64)}, run_error="contradicts a shape"),
]


# ---- If branches whose outputs differ only in leading 1-dims ----

def if_scalar_or_one(consumer_rank):
    # a scale that is a scalar in one branch and [1] in the other (what
    # AffineGrid's expanded form computes for a step), chosen by the data;
    # Mul with x of rank consumer_rank: rank 1 or more cannot tell the two
    # apart, a scalar x can
    then_g = h.make_graph([h.make_node("Identity", ["half"], ["t"])], "then", [], [vi("t", [])])
    else_g = h.make_graph([h.make_node("ReduceMax", ["x"], ["e"], keepdims=1)], "else", [],
                          [vi("e", [1] * max(consumer_rank, 1))])
    if consumer_rank != 1:  # keep the else branch [1]: reshape its keepdims result
        else_g = h.make_graph([h.make_node("ReduceMax", ["x"], ["m"], keepdims=0),
                               h.make_node("Reshape", ["m", "one"], ["e"])], "else", [], [vi("e", [1])])
    shape = ["N"] if consumer_rank == 1 else []
    nodes = [h.make_node("ReduceSum", ["x"], ["s"], keepdims=0),
             h.make_node("Greater", ["s", "zero"], ["c"]),
             h.make_node("If", ["c"], ["k"], then_branch=then_g, else_branch=else_g),
             h.make_node("CastLike", ["x", "k"], ["xf"]),
             h.make_node("Mul", ["xf", "k"], ["y"])]
    return lambda: model(nodes, [vi("x", shape)], [vi("y", shape or [1])],
                         [nh.from_array(np.array(0, np.float32), "zero"),
                          nh.from_array(np.array(0.5, np.float32), "half"),
                          nh.from_array(np.array([1], np.int64), "one")])


def if_scalar_or_one_out():
    then_g = h.make_graph([h.make_node("Identity", ["half"], ["t"])], "then", [], [vi("t", [])])
    else_g = h.make_graph([h.make_node("Reshape", ["s", "one"], ["e"])], "else", [], [vi("e", [1])])
    nodes = [h.make_node("ReduceSum", ["x"], ["s"], keepdims=0),
             h.make_node("Greater", ["s", "zero"], ["c"]),
             h.make_node("If", ["c"], ["y"], then_branch=then_g, else_branch=else_g)]
    return model(nodes, [vi("x", ["N"])], [vi("y", [1])],
                 [nh.from_array(np.array(0, np.float32), "zero"),
                  nh.from_array(np.array(0.5, np.float32), "half"),
                  nh.from_array(np.array([1], np.int64), "one")])


def _signed(shape, rng):
    """Positive sums at some sizes, negative at others: both branches run."""
    x = rng.normal(size=shape).astype(np.float32)
    return x if rng.integers(2) else -np.abs(x) - 0.1


CASES += [
    Case("control_if_scalar_or_one", if_scalar_or_one(1), {"N": (1, 8)}, [{"N": 1}, {"N": 3}, {"N": 8}, {"N": 5}],
         make_input={"x": _signed}),
    Case("control_if_scalar_or_one_scalar_consumer", if_scalar_or_one(0), {}, [{}],
         expect_error="has rank 1 or 0 depending on the branch its If takes"),
    Case("control_if_scalar_or_one_as_output", if_scalar_or_one_out, {"N": (1, 8)}, [{"N": 2}],
         expect_error="output 'y' has rank 1 or 0 depending on the branch an If takes"),
]
