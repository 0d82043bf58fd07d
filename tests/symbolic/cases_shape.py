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
