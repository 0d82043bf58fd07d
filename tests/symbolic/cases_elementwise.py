"""Symbolic dims through the element-wise families (unary, binary, Where)."""
import numpy as np
from onnx import TensorProto as T, helper as h, numpy_helper as nh

from check import Case, model

SIZES = [{"N": 1, "S": 1}, {"N": 2, "S": 5}, {"N": 4, "S": 16}]
RANGES = {"N": (1, 4), "S": (1, 16)}


def x_in(name="x", dims=("N", "S", 4), dtype=T.FLOAT):
    return h.make_tensor_value_info(name, dtype, list(dims))


def affine_relu():
    w = nh.from_array(np.arange(4, dtype=np.float32), "w")
    b = nh.from_array(np.array([-1, 0, 1, 2], np.float32), "b")
    return model([h.make_node("Mul", ["x", "w"], ["m"]), h.make_node("Add", ["m", "b"], ["a"]),
                  h.make_node("Relu", ["a"], ["y"])], [x_in()], [x_in("y")], [w, b])


def two_symbolic_inputs():
    # [N,S,4] op [N,1,4], and Where over [N,S,4]
    return model([h.make_node("Sub", ["x", "z"], ["s"]), h.make_node("Greater", ["s", "x"], ["c"]),
                  h.make_node("Where", ["c", "s", "x"], ["y"]), h.make_node("Tanh", ["y"], ["t"])],
                 [x_in(), x_in("z", ("N", 1, 4))], [x_in("t")])


def mismatched_symbols():
    # N against S in the same position: equal or the run fails
    return model([h.make_node("Add", ["x", "z"], ["y"])], [x_in(), x_in("z", ("S", "S", 4))], [x_in("y")])


CASES = [
    Case("elementwise_affine_relu", affine_relu, RANGES, SIZES),
    Case("elementwise_two_inputs_where", two_symbolic_inputs, RANGES, SIZES),
    # N and S must be equal at run time: checked, an unequal pair refused
    Case("elementwise_checks_mismatched_symbols", mismatched_symbols, RANGES, [{"N": 2, "S": 2}, {"N": 4, "S": 4}]),
    Case("elementwise_checks_mismatched_symbols_unequal", mismatched_symbols, RANGES, [{"N": 2, "S": 3}],
         run_error="contradicts a shape"),
]
