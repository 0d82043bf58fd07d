"""Shape and Size of tensors whose dims vary at run time, and the shape
arithmetic exporters build from them (Gather, Mul, Concat, ...)."""
import numpy as np
from onnx import TensorProto as T, helper as h, numpy_helper as nh

from check import Case

SIZES = [{"N": 1, "S": 1}, {"N": 3, "S": 5}, {"N": 4, "S": 8}]
RANGES = {"N": (1, 4), "S": (1, 8)}


def shape_arithmetic():
    nodes = [h.make_node("Shape", ["x"], ["s"]),
             h.make_node("Gather", ["s", "i0"], ["n"]), h.make_node("Gather", ["s", "i1"], ["sl"]),
             h.make_node("Mul", ["n", "sl"], ["ns"]), h.make_node("Concat", ["ns", "c4"], ["shp"], axis=0),
             h.make_node("Size", ["x"], ["sz"]), h.make_node("Shape", ["x"], ["tail"], start=-2),
             h.make_node("Relu", ["x"], ["y"])]
    g = h.make_graph(nodes, "g", [h.make_tensor_value_info("x", T.FLOAT, ["N", "S", 4])],
                     [h.make_tensor_value_info("shp", T.INT64, [2]), h.make_tensor_value_info("sz", T.INT64, []),
                      h.make_tensor_value_info("tail", T.INT64, [2]),
                      h.make_tensor_value_info("y", T.FLOAT, ["N", "S", 4])],
                     [nh.from_array(np.array([0], np.int64), "i0"), nh.from_array(np.array([1], np.int64), "i1"),
                      nh.from_array(np.array([4], np.int64), "c4")])
    return h.make_model(g, opset_imports=[h.make_opsetid("", 17)])


def static_part_folds():
    # Shape of the exact last dim folds to a constant even though x varies
    nodes = [h.make_node("Shape", ["x"], ["s"], start=2), h.make_node("Add", ["s", "one"], ["y"])]
    g = h.make_graph(nodes, "g", [h.make_tensor_value_info("x", T.FLOAT, ["N", "S", 4])],
                     [h.make_tensor_value_info("y", T.INT64, [1])],
                     [nh.from_array(np.array([1], np.int64), "one")])
    return h.make_model(g, opset_imports=[h.make_opsetid("", 17)])


CASES = [
    Case("shape_arithmetic", shape_arithmetic, RANGES, SIZES),
    Case("shape_static_part_folds", static_part_folds, RANGES, SIZES[:1]),
]


def positions_and_fill():
    # position ids Range(0, S, 1) and a mask ConstantOfShape([N, S]) from Shape
    i64 = lambda v, n: nh.from_array(np.array(v, np.int64), n)
    nodes = [h.make_node("Shape", ["x"], ["s"]),
             h.make_node("Gather", ["s", "one"], ["len"]), h.make_node("Range", ["zero", "len", "one"], ["pos"]),
             h.make_node("Slice", ["s", "z1", "two"], ["ns"]),
             h.make_node("ConstantOfShape", ["ns"], ["mask"], value=h.make_tensor("v", T.FLOAT, [1], [2.5])),
             h.make_node("Cast", ["pos"], ["posf"], to=T.FLOAT),
             h.make_node("Mul", ["mask", "posf"], ["y"])]
    g = h.make_graph(nodes, "g", [h.make_tensor_value_info("x", T.FLOAT, ["N", "S", 4])],
                     [h.make_tensor_value_info("pos", T.INT64, ["S"]),
                      h.make_tensor_value_info("y", T.FLOAT, ["N", "S"])],
                     [i64(0, "zero"), i64(1, "one"), i64([0], "z1"), i64([2], "two")])
    return h.make_model(g, opset_imports=[h.make_opsetid("", 17)])


def range_of_inputs():
    # Range whose limit is data: bounded by --max-dynamic-dim
    g = h.make_graph([h.make_node("Range", ["a", "b", "c"], ["y"])], "g",
                     [h.make_tensor_value_info(n, T.INT32, []) for n in "abc"],
                     [h.make_tensor_value_info("y", T.INT32, ["L"])])
    return h.make_model(g, opset_imports=[h.make_opsetid("", 17)])


def scalar(v):
    return lambda shape, rng: np.array(v, np.int32)


CASES += [
    Case("shape_range_and_constant_of_shape", positions_and_fill, RANGES, SIZES),
    Case("shape_range_of_data", range_of_inputs, {}, [{}], flags=["--max-dynamic-dim", "32"],
         make_input={"a": scalar(3), "b": scalar(-9), "c": scalar(-2)}),
    Case("shape_range_of_data_needs_a_bound", range_of_inputs, {}, [], expect_error="--max-dynamic-dim"),
]


def reshape_from_shape():
    # the exporters' pattern: heads split by a shape built from Shape(x)
    i64 = lambda v, n: nh.from_array(np.array(v, np.int64), n)
    nodes = [h.make_node("Shape", ["x"], ["s"]), h.make_node("Slice", ["s", "z1", "two"], ["ns"]),
             h.make_node("Concat", ["ns", "heads"], ["t"], axis=0), h.make_node("Reshape", ["x", "t"], ["r"]),
             h.make_node("Transpose", ["r"], ["y"], perm=[0, 2, 1, 3]),
             h.make_node("Reshape", ["y", "flat"], ["z"])]
    g = h.make_graph(nodes, "g", [h.make_tensor_value_info("x", T.FLOAT, ["N", "S", 4])],
                     [h.make_tensor_value_info("z", T.FLOAT, ["N", None])],
                     [i64([0], "z1"), i64([2], "two"), i64([2, 2], "heads"), i64([0, -1], "flat")])
    return h.make_model(g, opset_imports=[h.make_opsetid("", 17)])


def reshape_to_data():
    # a target shape that is a graph input: dims read when the model runs
    g = h.make_graph([h.make_node("Reshape", ["x", "t"], ["y"]), h.make_node("Neg", ["y"], ["z"])], "g",
                     [h.make_tensor_value_info("x", T.FLOAT, [2, 3, 4]), h.make_tensor_value_info("t", T.INT64, [3])],
                     [h.make_tensor_value_info("z", T.FLOAT, [None, None, None])])
    return h.make_model(g, opset_imports=[h.make_opsetid("", 17)])


CASES += [
    Case("shape_reshape_from_shape", reshape_from_shape, RANGES, SIZES),
    Case("shape_reshape_to_data", reshape_to_data, {}, [{}],
         make_input={"t": lambda shape, rng: np.array([3, -1, 0], np.int64)}),
]


# rt_status_str(RT_ERR_SHAPE), as the driver prints it
SHAPE_ERROR = "contradicts a shape"


def matmul_two_symbols():
    # K of A and K of B are different names: equal only at run time
    g = h.make_graph([h.make_node("MatMul", ["a", "b"], ["y"])], "g",
                     [h.make_tensor_value_info("a", T.FLOAT, ["N", "K1"]),
                      h.make_tensor_value_info("b", T.FLOAT, ["K2", 3])],
                     [h.make_tensor_value_info("y", T.FLOAT, ["N", 3])])
    return h.make_model(g, opset_imports=[h.make_opsetid("", 17)])


CASES += [
    # a target that does not fit the input fails at run time, before writing
    Case("shape_reshape_to_bad_data", reshape_to_data, {}, [{}], run_error=SHAPE_ERROR,
         make_input={"t": lambda shape, rng: np.array([5, -1, 0], np.int64)}),
    Case("shape_matmul_inner_dims", matmul_two_symbols, {"N": (1, 4), "K1": (1, 8), "K2": (1, 8)},
         [{"N": 1, "K1": 1, "K2": 1}, {"N": 4, "K1": 8, "K2": 8}]),
    Case("shape_matmul_checks_inner_dims", matmul_two_symbols, {"N": (1, 4), "K1": (1, 8), "K2": (1, 8)},
         [{"N": 2, "K1": 3, "K2": 2}], run_error=SHAPE_ERROR),
]


def reshape_minus_one():
    g = h.make_graph([h.make_node("Reshape", ["x", "t"], ["y"]), h.make_node("Relu", ["y"], ["z"])], "g",
                     [h.make_tensor_value_info("x", T.FLOAT, ["N", "S", 4])],
                     [h.make_tensor_value_info("z", T.FLOAT, [None, 4])],
                     [nh.from_array(np.array([-1, 4], np.int64), "t")])
    return h.make_model(g, opset_imports=[h.make_opsetid("", 17)])


CASES += [
    # What the compiler proves needs no run-time check: the heads split from
    # Shape cancels to equal element counts, and [N,S,4] -> [-1,4] gives N*S
    # exactly (no division left, no check).
    Case("shape_reshape_from_shape_proved", reshape_from_shape, RANGES, SIZES[:1],
         dump_has=[r"Reshape.*\n.*rt_copy"], dump_lacks=[r"-> check", r"floordiv"]),
    Case("shape_reshape_minus_one_exact", reshape_minus_one, RANGES, SIZES,
         dump_has=[r"%y:float\[\.\.32,4\]"], dump_lacks=[r"-> check", r"floordiv"]),
    # Shape's values reach Range as an expression: no run-time dim is made
    Case("shape_range_length_is_an_expression", positions_and_fill, RANGES, SIZES[:1],
         dump_lacks=[r"rt_range_prepare", r"defines"]),
]
