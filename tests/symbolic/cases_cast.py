"""Symbolic dims through Cast and CastLike."""
import numpy as np
from onnx import TensorProto as T, helper as h, numpy_helper as nh

from check import Case, model, vi

SIZES = [{"N": 1, "S": 1}, {"N": 2, "S": 5}, {"N": 4, "S": 16}]
RANGES = {"N": (1, 4), "S": (1, 16)}


def cast_chain():
    # float -> int32 (as a graph output: its own buffer) and float -> double
    # -> float between ops (same-size casts may run in place)
    return model([h.make_node("Cast", ["x"], ["i"], to=T.INT32), h.make_node("Relu", ["x"], ["r"]),
                  h.make_node("Cast", ["r"], ["d"], to=T.DOUBLE), h.make_node("Cast", ["d"], ["f"], to=T.FLOAT),
                  h.make_node("Cast", ["f"], ["u"], to=T.UINT32), h.make_node("Cast", ["u"], ["y"], to=T.FLOAT)],
                 [vi("x", ("N", "S", 4))], [vi("i", 3, T.INT32), vi("y", 3)])


def cast_bool_half():
    return model([h.make_node("Cast", ["x"], ["b"], to=T.BOOL), h.make_node("Cast", ["x"], ["hf"], to=T.FLOAT16),
                  h.make_node("Cast", ["hf"], ["y"], to=T.FLOAT)],
                 [vi("x", ("N", "S", 4))], [vi("b", 3, T.BOOL), vi("y", 3)])


def castlike(like_dims):
    return lambda: castlike_model(like_dims)


def castlike_model(like_dims):
    # the target type comes from `like`, whose dims do not matter
    like = nh.from_array(np.zeros(like_dims, np.int64), "like") if like_dims is not None else None
    inputs = [vi("x", ("N", "S", 4))] + ([] if like else [vi("like", ("S",), T.INT64)])
    return model([h.make_node("CastLike", ["x", "like"], ["y"])], inputs, [vi("y", 3, T.INT64)],
                 [like] if like else [], opset=15)


def scale(shape, rng):
    return (rng.standard_normal(shape) * 10).astype(np.float32)


CASES = [
    Case("cast_chain", cast_chain, RANGES, SIZES, make_input={"x": scale}),
    Case("cast_bool_half", cast_bool_half, RANGES, SIZES, rtol=1e-3, atol=1e-3),
    Case("castlike_constant_like", castlike([2]), RANGES, SIZES, make_input={"x": scale}),
    Case("castlike_symbolic_like", castlike(None), RANGES, SIZES, make_input={"x": scale}),
]
