"""Slice, Split, Pad, Tile and Expand whose shape-giving operands (starts,
ends, axes, steps; split sizes; pads; repeats; the target shape) are values
known only when the model runs: graph inputs, or computed from Shape. The
output dims are run-time dims a prepare kernel computes; values ONNX
Runtime rejects are rejected when the model runs too."""
import numpy as np
from onnx import TensorProto as T, helper as h, numpy_helper as nh

from check import Case

SIZES = [{"N": 1}, {"N": 3}, {"N": 4}]
RANGES = {"N": (1, 4)}
INT64_MAX = np.iinfo(np.int64).max
# rt_status_str(RT_ERR_SHAPE), as the driver prints it
REJECTED = "contradicts a shape"
BOUND = ["--max-dynamic-dim", "16"]


def vi(name, t, shape):
    return h.make_tensor_value_info(name, t, shape)


def model(nodes, inputs, outputs, inits=(), opset=18):
    g = h.make_graph(nodes, "g", inputs, outputs, list(inits))
    return h.make_model(g, opset_imports=[h.make_opsetid("", opset)])


def values(*per_run, dtype=np.int64):
    """make_input giving the next of per_run at each run (one per size)."""
    it = iter(per_run * 8)
    return lambda shape, rng: np.array(next(it), dtype)


def ints(v, name, dtype=np.int64):
    return nh.from_array(np.array(v, dtype), name)


# ---- Slice ----

def slice_all_inputs(index=T.INT64, with_steps=True, with_axes=True):
    names = ["x", "starts", "ends"] + (["axes"] if with_axes else [""]) + (["steps"] if with_steps else [])
    ins = [vi("x", T.FLOAT, ["N", 6, 5])] + [vi(n, index, [2]) for n in names[1:] if n]
    return lambda: model([h.make_node("Slice", names, ["y"]), h.make_node("Neg", ["y"], ["z"])], ins,
                         [vi("z", T.FLOAT, [None, None, None])])


def slice_constant_steps():
    # starts and ends read at run time, axes and steps constant: the view
    # keeps its compile-time strides and the prepare fills in the offset
    return model([h.make_node("Slice", ["x", "starts", "ends", "axes", "steps"], ["y"])],
                 [vi("x", T.INT32, ["N", 6, 5]), vi("starts", T.INT64, [2]), vi("ends", T.INT64, [2])],
                 [vi("y", T.INT32, [None, None, None])], [ints([2, 1], "axes"), ints([1, 2], "steps")])


def slice_ends_from_shape():
    # ends = Shape(w)[1:2]: dims the compiler knows as expressions, read at run time like data
    return model([h.make_node("Shape", ["w"], ["s"], start=1, end=2),
                  h.make_node("Slice", ["x", "zero", "s", "one"], ["y"])],
                 [vi("x", T.FLOAT, [3, 8]), vi("w", T.FLOAT, [2, "N"])], [vi("y", T.FLOAT, [3, None])],
                 [ints([0], "zero"), ints([1], "one")])


CASES = [
    Case("runtime_slice_all_operands", slice_all_inputs(), RANGES, SIZES,
         make_input={"starts": values([0, 1], [-2, 4], [INT64_MAX, -100]),
                     "ends": values([3, -1], [-100, 1], [-INT64_MAX - 1, 100]),
                     "axes": values([0, 2], [-1, 1], [1, -3]),
                     "steps": values([1, 2], [-1, -2], [-1, 3])}),
    Case("runtime_slice_int32_default_axes", slice_all_inputs(T.INT32, with_axes=False), RANGES, SIZES,
         make_input={"starts": values([-1, 5], [0, 0], [1, 2], dtype=np.int32),
                     "ends": values([-5, -8], [4, 6], [3, 2], dtype=np.int32),
                     "steps": values([-1, -3], [2, 5], [1, 1], dtype=np.int32)}),
    Case("runtime_slice_default_steps", slice_all_inputs(with_steps=False), RANGES, SIZES,
         make_input={"starts": values([0, 1], [1, -3], [2, 0]), "ends": values([1, 4], [INT64_MAX, -1], [2, 6]),
                     "axes": values([2, 0], [1, 2], [0, 1])}),
    Case("runtime_slice_constant_steps", slice_constant_steps, RANGES, SIZES,
         make_input={"starts": values([0, 1], [3, -4], [4, 0]), "ends": values([5, 6], [-1, INT64_MAX], [2, 3])}),
    Case("runtime_slice_ends_from_shape", slice_ends_from_shape, {"N": (0, 12)}, [{"N": 0}, {"N": 5}, {"N": 12}]),
    Case("runtime_slice_step_0", slice_all_inputs(), RANGES, SIZES[1:2], run_error=REJECTED,
         make_input={"starts": values([0, 0]), "ends": values([2, 2]), "axes": values([0, 1]),
                     "steps": values([1, 0])}),
    Case("runtime_slice_axis_twice", slice_all_inputs(), RANGES, SIZES[1:2], run_error=REJECTED,
         make_input={"starts": values([0, 0]), "ends": values([2, 2]), "axes": values([1, -2])}),
    Case("runtime_slice_axis_out_of_range", slice_all_inputs(), RANGES, SIZES[1:2], run_error=REJECTED,
         make_input={"starts": values([0, 0]), "ends": values([2, 2]), "axes": values([0, 3])}),
]


# ---- Split ----

def split_sizes(axis, shape):
    return lambda: model([h.make_node("Split", ["x", "split"], ["a", "b", "c"], axis=axis)],
                         [vi("x", T.FLOAT, shape), vi("split", T.INT64, [3])],
                         [vi(n, T.FLOAT, [None, None]) for n in "abc"])


CASES += [
    Case("runtime_split_axis_1", split_sizes(1, ["N", 6]), RANGES, SIZES,
         make_input={"split": values([1, 2, 3], [0, 6, 0], [4, 1, 1])}),
    Case("runtime_split_symbolic_axis", split_sizes(0, ["N", 2]), RANGES, [{"N": 4}, {"N": 1}],
         make_input={"split": values([2, 0, 2], [0, 0, 1])}),
    Case("runtime_split_sum_short", split_sizes(1, ["N", 6]), RANGES, SIZES[:1], run_error=REJECTED,
         make_input={"split": values([1, 2, 2])}),
    Case("runtime_split_negative", split_sizes(1, ["N", 6]), RANGES, SIZES[:1], run_error=REJECTED,
         make_input={"split": values([7, -2, 1])}),
]


# ---- Pad ----

def pad_runtime(mode, with_axes=False, with_value=False):
    ins = [vi("x", T.FLOAT, ["N", 5]), vi("pads", T.INT64, [4])]
    names = ["x", "pads", "v" if with_value else ""]
    if with_value:
        ins.append(vi("v", T.FLOAT, []))
    if with_axes:
        names.append("axes")
        ins.append(vi("axes", T.INT32, [2]))
    return lambda: model([h.make_node("Pad", names, ["y"], mode=mode)], ins, [vi("y", T.FLOAT, [None, None])])


CASES += [
    Case("runtime_pad_constant_value", pad_runtime("constant", with_value=True), RANGES, SIZES, flags=BOUND,
         make_input={"pads": values([1, 2, 0, 3], [0, -2, 2, -1], [-1, 0, 0, -5]), "v": values(2.5, dtype=np.float32)}),
    Case("runtime_pad_reflect", pad_runtime("reflect"), RANGES, SIZES[1:], flags=BOUND,
         make_input={"pads": values([2, 3, 0, 4], [1, -1, 1, 2])}),
    Case("runtime_pad_edge_axes", pad_runtime("edge", with_axes=True), RANGES, SIZES, flags=BOUND,
         make_input={"pads": values([1, 2, 0, 3], [3, 0, 0, -2], [0, 0, 0, 0]),
                     "axes": values([0, 1], [-1, 0], [1, 0], dtype=np.int32)}),
    Case("runtime_pad_wrap", pad_runtime("wrap"), RANGES, SIZES, flags=BOUND,
         make_input={"pads": values([1, 2, 0, 3], [0, 4, 2, 1], [0, -1, 3, 0])}),
    Case("runtime_pad_crops_too_much", pad_runtime("constant"), RANGES, SIZES[:1], flags=BOUND, run_error=REJECTED,
         make_input={"pads": values([0, -3, 0, -3])}),
    Case("runtime_pad_above_the_bound", pad_runtime("constant"), RANGES, SIZES[:1], flags=BOUND, run_error=REJECTED,
         make_input={"pads": values([0, 9, 0, 9])}),
    Case("runtime_pad_needs_a_bound", pad_runtime("constant"), RANGES, [], expect_error="--max-dynamic-dim"),
]


# ---- Tile ----

def tile_runtime(dtype=T.FLOAT):
    return lambda: model([h.make_node("Tile", ["x", "r"], ["y"])], [vi("x", dtype, ["N", 3]), vi("r", T.INT64, [2])],
                         [vi("y", dtype, [None, None])])


CASES += [
    Case("runtime_tile", tile_runtime(), RANGES, SIZES, flags=BOUND,
         make_input={"r": values([2, 3], [1, 1], [0, 5])}),
    Case("runtime_tile_int8", tile_runtime(T.INT8), RANGES, SIZES, flags=BOUND,
         make_input={"r": values([4, 1], [1, 5], [3, 2])}),
    Case("runtime_tile_negative", tile_runtime(), RANGES, SIZES[:1], flags=BOUND, run_error=REJECTED,
         make_input={"r": values([1, -1])}),
    Case("runtime_tile_above_the_bound", tile_runtime(), RANGES, SIZES[2:], flags=BOUND, run_error=REJECTED,
         make_input={"r": values([5, 1])}),
]


# ---- Expand ----

def expand_runtime(shape_len, x_shape):
    rank = max(shape_len, len(x_shape))
    return lambda: model([h.make_node("Expand", ["x", "s"], ["y"])],
                         [vi("x", T.FLOAT, x_shape), vi("s", T.INT64, [shape_len])],
                         [vi("y", T.FLOAT, [None] * rank)])


CASES += [
    Case("runtime_expand_grows_rank", expand_runtime(3, [3, 1]), {}, [{}, {}, {}], flags=BOUND,
         make_input={"s": values([2, 1, 4], [1, 3, 1], [5, 3, 0])}),
    Case("runtime_expand_symbolic_dim", expand_runtime(2, ["N", 1]), RANGES, SIZES, flags=BOUND,
         make_input={"s": values([1, 6], [1, 1], [4, 2])}),
    Case("runtime_expand_shorter_shape", expand_runtime(1, [2, 1, 3]), {}, [{}, {}], flags=BOUND,
         make_input={"s": values([3], [1])}),
    Case("runtime_expand_mismatch", expand_runtime(2, [3, 1]), {}, [{}], flags=BOUND, run_error=REJECTED,
         make_input={"s": values([2, 4])}),
    Case("runtime_expand_negative", expand_runtime(2, [3, 1]), {}, [{}], flags=BOUND, run_error=REJECTED,
         make_input={"s": values([3, -1])}),
    Case("runtime_expand_above_the_bound", expand_runtime(2, [3, 1]), {}, [{}], flags=BOUND, run_error=REJECTED,
         make_input={"s": values([3, 17])}),
]


def expand_to_shape_of():
    # Expand(b, Shape(x)) then Add with x: the shape from Shape stays the
    # dim expressions [N, 4] (no run-time dims), so the Add needs no check
    return model([h.make_node("Shape", ["x"], ["s"]), h.make_node("Expand", ["b", "s"], ["e"]),
                  h.make_node("Add", ["e", "x"], ["y"])],
                 [vi("x", T.FLOAT, ["N", 4]), vi("b", T.FLOAT, [1, 4])], [vi("y", T.FLOAT, ["N", 4])])


CASES += [
    Case("runtime_expand_to_shape_of", expand_to_shape_of, RANGES, SIZES),
]
