"""TopK, OneHot, NonZero and Compress: sizes that are values (TopK's k,
OneHot's depth) read at run time or taken from Shape, counts that only the
kernel finds (NonZero, Compress) and that vary with the data, on inputs
whose dims vary too."""
import numpy as np
from onnx import TensorProto as T, helper as h, numpy_helper as nh

from check import Case, model

SIZES = [{"N": 1, "S": 1}, {"N": 3, "S": 5}, {"N": 4, "S": 8}]
RANGES = {"N": (1, 4), "S": (1, 8)}


def vi(name, dtype, dims):
    return h.make_tensor_value_info(name, dtype, dims)


def one_after_another(values, dtype):
    """An input maker giving values[0] at the first size, values[1] at the
    second, ... (the sizes run in order)."""
    it = iter(values)
    return lambda shape, rng: np.array(next(it), dtype).reshape(shape)


def small_ints(dtype, lo=0, hi=3):
    """Values in [lo, hi): many ties, many zeros."""
    return lambda shape, rng: rng.integers(lo, hi, shape).astype(dtype)


# ---- TopK ----

def topk_runtime_k(dtype=T.FLOAT, largest=1):
    # k is a graph input: a run-time dim bounded by the axis dim S
    def build():
        return model([h.make_node("TopK", ["x", "k"], ["v", "i"], axis=1, largest=largest),
                      h.make_node("Neg", ["v"], ["nv"])],
                     [vi("x", dtype, ["N", "S", 2]), vi("k", T.INT64, [1])],
                     [vi("nv", dtype, ["N", None, 2]), vi("i", T.INT64, ["N", None, 2])])
    return build


def topk_k_from_shape():
    # k = S from Shape: a full sort along the last axis, smallest first
    i64 = lambda v, n: nh.from_array(np.array(v, np.int64), n)
    return model([h.make_node("Shape", ["x"], ["s"]), h.make_node("Slice", ["s", "one", "two"], ["k"]),
                  h.make_node("TopK", ["x", "k"], ["v", "i"], axis=-1, largest=0)],
                 [vi("x", T.INT32, ["N", "S"])], [vi("v", T.INT32, ["N", "S"]), vi("i", T.INT64, ["N", "S"])],
                 [i64([1], "one"), i64([2], "two")])


def topk_constant_k_symbolic_axis():
    # a constant k over a symbolic axis: k <= N is checked when the model runs
    k = nh.from_array(np.array([2], np.int64), "k")
    return model([h.make_node("TopK", ["x", "k"], ["v", "i"], axis=0)],
                 [vi("x", T.INT64, ["N", "S"])], [vi("v", T.INT64, [2, "S"]), vi("i", T.INT64, [2, "S"])], [k])


def topk_opset(opset):
    # opset 1: k is an attribute; opset 10: an input (here a constant)
    inits = [] if opset < 10 else [nh.from_array(np.array([3], np.int64), "k")]
    node = (h.make_node("TopK", ["x"], ["v", "i"], k=3) if opset < 10 else
            h.make_node("TopK", ["x", "k"], ["v", "i"]))
    return lambda: model([node], [vi("x", T.FLOAT, ["N", "S"])],
                         [vi("v", T.FLOAT, ["N", 3]), vi("i", T.INT64, ["N", 3])], inits, opset)


CASES = [
    Case("select_topk_runtime_k", topk_runtime_k(), RANGES, SIZES,
         make_input={"k": one_after_another([[1], [3], [8]], np.int64), "x": small_ints(np.float32)}),
    Case("select_topk_runtime_k_smallest_f64", topk_runtime_k(T.DOUBLE, 0), RANGES, SIZES,
         make_input={"k": one_after_another([[0], [5], [4]], np.int64)}),
    Case("select_topk_runtime_k_i64_ties", topk_runtime_k(T.INT64), RANGES, SIZES,
         make_input={"k": one_after_another([[1], [4], [6]], np.int64), "x": small_ints(np.int64)}),
    Case("select_topk_k_from_shape", topk_k_from_shape, RANGES, SIZES, make_input={"x": small_ints(np.int32, -2, 3)}),
    Case("select_topk_constant_k_symbolic_axis", topk_constant_k_symbolic_axis, {"N": (2, 4), "S": (1, 8)},
         [{"N": 2, "S": 3}, {"N": 4, "S": 1}, {"N": 3, "S": 8}], make_input={"x": small_ints(np.int64, -5, 5)}),
    Case("select_topk_opset_1", topk_opset(1), {"N": (1, 4), "S": (3, 8)}, [{"N": 1, "S": 3}, {"N": 4, "S": 8}]),
    Case("select_topk_opset_10", topk_opset(10), {"N": (1, 4), "S": (3, 8)}, [{"N": 2, "S": 6}]),
    Case("select_topk_k_above_every_axis_dim", topk_constant_k_symbolic_axis, {"N": (1, 1), "S": (1, 8)}, [],
         expect_error="K must not exceed the axis dim"),
]


# ---- OneHot ----

def onehot_runtime_depth(depth_type=T.INT64, axis=-1):
    # depth is a graph input: bounded by --max-dynamic-dim
    def build():
        return model([h.make_node("OneHot", ["ind", "depth", "vals"], ["y"], axis=axis),
                      h.make_node("Relu", ["y"], ["z"])],
                     [vi("ind", T.INT64, ["N", "S"]), vi("depth", depth_type, []), vi("vals", T.FLOAT, [2])],
                     [vi("z", T.FLOAT, [None] * 3)])
    return build


def onehot_depth_from_shape():
    # depth = S from Shape, inserted at axis 0, indices of another shape
    i64 = lambda v, n: nh.from_array(np.array(v, np.int64), n)
    return model([h.make_node("Shape", ["x"], ["s"]), h.make_node("Gather", ["s", "one"], ["d"]),
                  h.make_node("OneHot", ["ind", "d", "vals"], ["y"], axis=0)],
                 [vi("x", T.FLOAT, ["S"]), vi("ind", T.INT64, ["N"])], [vi("y", T.INT64, ["S", "N"])],
                 [i64(0, "one"), nh.from_array(np.array([-1, 7], np.int64), "vals")])


def onehot_indices(lo, hi):
    return lambda shape, rng: rng.integers(lo, hi, shape).astype(np.int64)


CASES += [
    Case("select_onehot_runtime_depth", onehot_runtime_depth(), RANGES, SIZES, flags=["--max-dynamic-dim", "16"],
         make_input={"depth": one_after_another([3, 16, 5], np.int64), "ind": onehot_indices(-7, 7),
                     "vals": lambda shape, rng: np.array([0.5, 2.0], np.float32)}),
    Case("select_onehot_runtime_float_depth_axis_1", onehot_runtime_depth(T.FLOAT, 1), RANGES, SIZES,
         flags=["--max-dynamic-dim", "16"],
         make_input={"depth": one_after_another([1.0, 4.5, 9.9], np.float32), "ind": onehot_indices(-10, 10),
                     "vals": lambda shape, rng: np.array([-1, 1], np.float32)}),
    Case("select_onehot_depth_from_shape", onehot_depth_from_shape, RANGES, SIZES,
         make_input={"ind": onehot_indices(-9, 9)}),
    Case("select_onehot_runtime_depth_needs_a_bound", onehot_runtime_depth(), RANGES, [],
         expect_error="--max-dynamic-dim"),
]


# ---- NonZero and Compress ----

def nonzero(dtype):
    # the count varies with the data; the result feeds a symbolic consumer
    def build():
        return model([h.make_node("NonZero", ["x"], ["nz"]), h.make_node("Cast", ["nz"], ["y"], to=T.FLOAT)],
                     [vi("x", dtype, ["N", "S", 3])], [vi("nz", T.INT64, [3, None]), vi("y", T.FLOAT, [3, None])])
    return build


def compress(axis, cond_len):
    def build():
        attrs = {} if axis is None else {"axis": axis}
        return model([h.make_node("Compress", ["x", "c"], ["y"], **attrs), h.make_node("Neg", ["y"], ["z"])],
                     [vi("x", T.FLOAT, ["N", "S", 3]), vi("c", T.BOOL, [cond_len])],
                     [vi("z", T.FLOAT, [None] * (1 if axis is None else 3))])
    return build


def compress_constant_condition():
    # a constant condition over a symbolic axis: the count is still the kernel's
    c = nh.from_array(np.array([1, 0, 1, 1, 0, 0, 1, 1], bool), "c")
    return model([h.make_node("Compress", ["x", "c"], ["y"], axis=1)],
                 [vi("x", T.INT32, ["N", "S"])], [vi("y", T.INT32, ["N", None])], [c])


def bools(p):
    return lambda shape, rng: rng.random(shape) < p


CASES += [
    Case("select_nonzero_f32", nonzero(T.FLOAT), RANGES, SIZES, make_input={"x": small_ints(np.float32)}),
    Case("select_nonzero_bool", nonzero(T.BOOL), RANGES, SIZES + [{"N": 2, "S": 2}],
         make_input={"x": bools(0.3)}),
    Case("select_nonzero_i32_all_zero", nonzero(T.INT32), RANGES, SIZES[:2],
         make_input={"x": lambda shape, rng: np.zeros(shape, np.int32)}),
    Case("select_compress_axis_1", compress(1, "C"), {**RANGES, "C": (0, 10)},
         [{"N": 1, "S": 1, "C": 1}, {"N": 3, "S": 5, "C": 3}, {"N": 4, "S": 8, "C": 8}, {"N": 2, "S": 4, "C": 10},
          {"N": 2, "S": 4, "C": 0}], make_input={"c": bools(0.6)}),
    Case("select_compress_flattened", compress(None, "C"), {**RANGES, "C": (1, 40)},
         [{"N": 1, "S": 1, "C": 3}, {"N": 3, "S": 5, "C": 40}, {"N": 4, "S": 8, "C": 17}],
         make_input={"c": bools(0.5)}),
    Case("select_compress_negative_axis", compress(-3, 5), RANGES, SIZES, make_input={"c": bools(0.5)}),
    Case("select_compress_constant_condition", compress_constant_condition, RANGES, SIZES),
]


# ---- values the compiled model rejects when it runs, as ONNX Runtime does ----

REJECTED = "contradicts a shape"

CASES += [
    Case("select_topk_runtime_k_above_the_axis_dim", topk_runtime_k(), RANGES,
         [{"N": 2, "S": 5}, {"N": 1, "S": 1}, {"N": 1, "S": 3}],
         make_input={"k": one_after_another([[6], [2], [-1]], np.int64)}, run_error=REJECTED),
    Case("select_topk_constant_k_above_the_axis_dim", topk_constant_k_symbolic_axis, RANGES, [{"N": 1, "S": 3}],
         run_error=REJECTED),
    Case("select_onehot_runtime_depth_below_1", onehot_runtime_depth(T.FLOAT), RANGES, SIZES,
         flags=["--max-dynamic-dim", "16"], run_error=REJECTED,
         make_input={"depth": one_after_another([0, -3, 0.5], np.float32), "ind": onehot_indices(0, 2)}),
    Case("select_onehot_runtime_depth_above_the_bound", onehot_runtime_depth(), RANGES, SIZES[1:2],
         flags=["--max-dynamic-dim", "16"], run_error=REJECTED,
         make_input={"depth": one_after_another([17], np.int64), "ind": onehot_indices(0, 2)}),
]


def all_constant():
    # every operand constant: the compiler evaluates the ops itself (the
    # counts are known then), and a variable input is added afterwards
    c = lambda v, n, t=None: nh.from_array(np.array(v, t), n)
    nodes = [h.make_node("TopK", ["cx", "ck"], ["tv", "ti"], axis=0, largest=0),
             h.make_node("OneHot", ["ci", "cd", "cv"], ["oh"], axis=0),
             h.make_node("NonZero", ["cx"], ["nz"]),
             h.make_node("Compress", ["cx", "cc"], ["cp"]),
             h.make_node("Add", ["tv", "x"], ["y"])]
    return model(nodes, [vi("x", T.FLOAT, [1, 3])],
                 [vi("y", T.FLOAT, [2, 3]), vi("ti", T.INT64, [2, 3]), vi("oh", T.FLOAT, [3, 2]),
                  vi("nz", T.INT64, [2, None]), vi("cp", T.FLOAT, [None])],
                 [c([[1, 0, 2], [0, 0, 5], [1, 3, 0]], "cx", np.float32), c([2], "ck", np.int64),
                  c([2, -1], "ci", np.int64), c(3.0, "cd", np.float32), c([0, 1], "cv", np.float32),
                  c([1, 0, 1, 1, 0, 1, 1], "cc", bool)])


CASES += [Case("select_all_constant", all_constant, {}, [{}])]
