"""ReverseSequence and MaxUnpool with operands known only at run time:
ReverseSequence's lengths are always read by its kernel (a graph input
here) and its input dims may vary; MaxUnpool's output_shape may be a graph
input (run-time dims bounded by --max-dynamic-dim) or come from Shape."""
import numpy as np
from onnx import TensorProto as T, helper as h, numpy_helper as nh

from check import Case


def revseq(batch_axis, time_axis, x_shape, lens_shape):
    def build():
        node = h.make_node("ReverseSequence", ["x", "lens"], ["y"], batch_axis=batch_axis, time_axis=time_axis)
        g = h.make_graph([node], "g", [h.make_tensor_value_info("x", T.FLOAT, x_shape),
                                       h.make_tensor_value_info("lens", T.INT64, lens_shape)],
                         [h.make_tensor_value_info("y", T.FLOAT, x_shape)])
        return h.make_model(g, opset_imports=[h.make_opsetid("", 10)])
    return build


class Lens:
    """Lengths in [1, T] for the x of the same run (x is made first). Not 0:
    ONNX Runtime leaves such a row unwritten (the spec copies it; so does
    onnxcc, tests/unit/test_placement.c)."""
    def __init__(self, time_dim_of):
        self.time_dim_of = time_dim_of
        self.t = None

    def x(self, shape, rng):
        self.t = shape[self.time_dim_of]
        return rng.standard_normal(shape).astype(np.float32)

    def lens(self, shape, rng):
        return rng.integers(1, self.t + 1, shape).astype(np.int64)


def revseq_case(name, batch_axis, time_axis, x_shape, lens_shape, ranges, sizes):
    lens = Lens(time_axis)
    return Case(name, revseq(batch_axis, time_axis, x_shape, lens_shape), ranges, sizes,
                make_input={"x": lens.x, "lens": lens.lens})


SIZES = [{"B": 1, "S": 1}, {"B": 3, "S": 5}, {"B": 4, "S": 7}]
RANGES = {"B": (1, 4), "S": (1, 7)}

CASES = [
    revseq_case("reverse_sequence_batch_first", 0, 1, [3, 5, 2], [3], {}, [{}]),
    revseq_case("reverse_sequence_time_first", 1, 0, [5, 3, 2, 2], [3], {}, [{}]),
    revseq_case("reverse_sequence_symbolic_dims", 0, 1, ["B", "S", 3], ["B"], RANGES, SIZES),
    revseq_case("reverse_sequence_symbolic_time_first", 1, 0, ["S", "B"], ["B"], RANGES, SIZES),
]


def revseq_const(lens):
    def build():
        node = h.make_node("ReverseSequence", ["x", "lens"], ["y"], batch_axis=0, time_axis=1)
        g = h.make_graph([node], "g", [h.make_tensor_value_info("x", T.FLOAT, [3, 4])],
                         [h.make_tensor_value_info("y", T.FLOAT, [3, 4])],
                         [nh.from_array(np.array(lens, np.int64), "lens")])
        return h.make_model(g, opset_imports=[h.make_opsetid("", 10)])
    return build


CASES += [
    Case("reverse_sequence_constant_lengths", revseq_const([4, 1, 2]), {}, [{}]),
    Case("reverse_sequence_length_too_long", revseq_const([4, 5, 2]), {}, [], expect_error="outside [0, 4]"),
    Case("reverse_sequence_lengths_count", revseq(0, 1, [3, 4], [2]), {}, [], expect_error="batch dim"),
]


def unpool(shape_input, x_shape=(1, 2, 2, 3), **attrs):
    attrs.setdefault("kernel_shape", [2, 2])
    attrs.setdefault("strides", [2, 2])

    def build():
        ins = ["x", "i"] + (["s"] if shape_input else [])
        inputs = [h.make_tensor_value_info("x", T.FLOAT, list(x_shape)),
                  h.make_tensor_value_info("i", T.INT64, list(x_shape))]
        nodes = [h.make_node("MaxUnpool", ins, ["y"], **attrs)]
        if shape_input == "data":
            inputs.append(h.make_tensor_value_info("s", T.INT64, [len(x_shape)]))
        elif shape_input == "shape_of":
            # the output takes the shape of a tensor whose dims vary
            inputs.append(h.make_tensor_value_info("ref", T.FLOAT, [1, 2, "H", "W"]))
            nodes.insert(0, h.make_node("Shape", ["ref"], ["s"]))
        g = h.make_graph(nodes, "g", inputs, [h.make_tensor_value_info("y", T.FLOAT, [None] * len(x_shape))])
        return h.make_model(g, opset_imports=[h.make_opsetid("", 11)])
    return build


def pool_indices(out_shape):
    """Indices as MaxPool would give them for an output of out_shape: one
    distinct flat position per element of x (x is [1, 2, 2, 3])."""
    def make(shape, rng):
        n = int(np.prod(out_shape))
        return np.sort(rng.choice(n, int(np.prod(shape)), replace=False)).reshape(shape).astype(np.int64)
    return make


def const_shape(v):
    return lambda shape, rng: np.array(v, np.int64)


CASES += [
    Case("max_unpool_default_shape", unpool(None), {}, [{}], make_input={"i": pool_indices([1, 2, 4, 6])}),
    Case("max_unpool_pads", unpool(None, pads=[1, 0, 0, 1]), {}, [{}],
         make_input={"i": pool_indices([1, 2, 3, 5])}),
    Case("max_unpool_output_shape_data", unpool("data"), {}, [{}], flags=["--max-dynamic-dim", "8"],
         make_input={"i": pool_indices([1, 2, 5, 7]), "s": const_shape([1, 2, 5, 7])}),
    Case("max_unpool_output_shape_needs_a_bound", unpool("data"), {}, [], expect_error="--max-dynamic-dim"),
    Case("max_unpool_output_shape_from_shape", unpool("shape_of"), {"H": (4, 6), "W": (6, 9)},
         [{"H": 4, "W": 6}, {"H": 6, "W": 9}], make_input={"i": pool_indices([1, 2, 4, 6])}),
]
