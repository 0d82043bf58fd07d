"""Symbolic dims through the tensor family (data movement: Concat, Gather,
GatherElements, Transpose, Slice, Split, Pad, Expand, Tile, DepthToSpace,
SpaceToDepth)."""
import numpy as np
import onnx
from onnx import TensorProto as T, helper as h, numpy_helper as nh

from check import Case

SIZES = [{"N": 1, "S": 1}, {"N": 2, "S": 5}, {"N": 4, "S": 16}]
RANGES = {"N": (1, 4), "S": (1, 16)}
# Sizes with even S (the lower bound included) for splits into two halves
EVEN_SIZES = [{"N": 1, "S": 2}, {"N": 3, "S": 6}, {"N": 4, "S": 16}]
EVEN_RANGES = {"N": (1, 4), "S": (2, 16)}
# Spatial dims that are multiples of 2, for SpaceToDepth
BLOCK_SIZES = [{"N": 1, "H": 2, "W": 2}, {"N": 2, "H": 4, "W": 6}, {"N": 3, "H": 8, "W": 4}]
BLOCK_RANGES = {"N": (1, 3), "H": (2, 8), "W": (2, 8)}


def model(nodes, inputs, outputs, inits=(), opset=17):
    """Outputs given without a shape (vi(name, None)) get the one ONNX's
    shape inference gives them."""
    g = h.make_graph(nodes, "g", inputs, outputs, list(inits))
    m = h.make_model(g, opset_imports=[h.make_opsetid("", opset)])
    inferred = onnx.shape_inference.infer_shapes(m)
    for o, io in zip(m.graph.output, inferred.graph.output):
        if not o.type.tensor_type.HasField("shape"):
            o.type.CopyFrom(io.type)
    return m


def vi(name, dims, dtype=T.FLOAT):
    return h.make_tensor_value_info(name, dtype, list(dims) if dims is not None else None)


def ints(name, values):
    return nh.from_array(np.array(values, np.int64), name)


def one(op, inputs, dims, inits=(), attrs=None, opset=17, out_dtype=T.FLOAT, extra_inputs=()):
    """A model of one node whose input x has `dims`; the output's shape is
    left for inference (onnxruntime's shape is what counts)."""
    node = h.make_node(op, ["x"] + list(inputs), ["y"], **(attrs or {}))
    return model([node], [vi("x", dims)] + list(extra_inputs), [vi("y", None, out_dtype)], inits, opset)


def indices(low, high):
    """Random int64 indices in [low, high) for an input."""
    return lambda shape, rng: rng.integers(low, high, shape).astype(np.int64)


# ---- Concat ----

def concat_axis_symbolic():
    # [N,S,4] ++ [N,3,4] ++ [N,S,4] on axis 1: S + 3 + S
    return model([h.make_node("Concat", ["x", "a", "b"], ["y"], axis=1)],
                 [vi("x", ("N", "S", 4)), vi("a", ("N", 3, 4)), vi("b", ("N", "S", 4))], [vi("y", None)])


def concat_across_symbolic():
    # symbolic dims off the axis (N, S), negative axis -1
    return model([h.make_node("Concat", ["x", "a"], ["y"], axis=-1)],
                 [vi("x", ("N", "S", 2)), vi("a", ("N", "S", 3))], [vi("y", None)])


def concat_checked():
    # N against S off the axis: equal at these sizes, RT_ERR_SHAPE otherwise
    return model([h.make_node("Concat", ["x", "a"], ["y"], axis=1)],
                 [vi("x", ("N", 2)), vi("a", ("S", "S"))], [vi("y", None)])


def concat_mismatched():
    # N against S off the axis: checked at run time; a constant 3 against
    # the range 5..8 can never match
    return model([h.make_node("Concat", ["x", "a"], ["y"], axis=0)],
                 [vi("x", ("N", "S")), vi("a", ("N", 3))], [vi("y", None)])


# ---- Gather / GatherElements ----

def gather_data_symbolic():
    # data [N,S,4], constant indices on axis 2 (negative included)
    return one("Gather", ["i"], ("N", "S", 4), [ints("i", [[3, 0], [-1, 1]])], {"axis": 2})


def gather_symbolic_axis():
    # gather along the symbolic axis with run-time indices of symbolic count
    return model([h.make_node("Gather", ["x", "i"], ["y"], axis=1)],
                 [vi("x", ("N", "S", 3)), vi("i", ("N",), T.INT64)], [vi("y", None)])


def gather_symbolic_inner_i32():
    # axis 0 of [N,S,4]: the slab per index (S*4 floats) varies at run time
    return model([h.make_node("Gather", ["x", "i"], ["y"], axis=0)],
                 [vi("x", ("N", "S", 4)), vi("i", (2, "S"), T.INT32)], [vi("y", None)])


def gather_elements():
    return model([h.make_node("GatherElements", ["x", "i"], ["y"], axis=1)],
                 [vi("x", ("N", "S", 3)), vi("i", ("N", 2, 3), T.INT64)], [vi("y", None)])


def gather_elements_symbolic_axis():
    # indices as large as data, along axis 0 (negative axis -3)
    return model([h.make_node("GatherElements", ["x", "i"], ["y"], axis=-3)],
                 [vi("x", ("N", "S", 3)), vi("i", ("N", "S", 3), T.INT64)], [vi("y", None)])


def gather_elements_unbounded():
    # indices dim S off the axis against data's N: may be larger at run time
    return model([h.make_node("GatherElements", ["x", "i"], ["y"], axis=0)],
                 [vi("x", ("N", "N")), vi("i", ("N", "S"), T.INT64)], [vi("y", None)])


# ---- Transpose ----

def transpose_perm():
    return one("Transpose", [], ("N", "S", 4), attrs={"perm": [1, 2, 0]})


def transpose_default():
    return one("Transpose", [], ("N", 3, "S"))


def transpose_keeps_pairs():
    # dims 1 and 2 stay neighbours: the copy merges them by expression
    return one("Transpose", [], ("N", "S", 2, 3), attrs={"perm": [1, 2, 0, 3]})


# ---- Slice ----

def slice_case(starts, ends, axes, steps, dims=("N", "S", 4)):
    inits = [ints("st", starts), ints("en", ends)]
    names = ["st", "en"]
    if axes is not None:
        inits.append(ints("ax", axes))
        names.append("ax")
    if steps is not None:
        if axes is None:
            names.append("")
        inits.append(ints("sp", steps))
        names.append("sp")
    return lambda: one("Slice", names, dims, inits)


def slice_v1():
    # opset 9: attributes, negative start counting from the symbolic end
    return one("Slice", [], ("N", "S", 4), attrs={"starts": [-3, 1], "ends": [1000, 3], "axes": [1, 2]}, opset=9)


def chain():
    # symbolic dims through several ops: [N,S,4] -> [S,N,4] -> [S-1,N,4]
    # -> [2S-2,N,4] -> [2S-2,N,8] -> split back into two [2S-2,N,4]
    nodes = [h.make_node("Transpose", ["x"], ["t"], perm=[1, 0, 2]),
             h.make_node("Slice", ["t", "st", "en"], ["s"]),
             h.make_node("Concat", ["s", "s"], ["c"], axis=0),
             h.make_node("Tile", ["c", "r"], ["u"]),
             h.make_node("Split", ["u"], ["a", "b"], axis=2)]
    return model(nodes, [vi("x", ("N", "S", 4))], [vi("a", None), vi("b", None)],
                 [ints("st", [1]), ints("en", [2 ** 40]), ints("r", [1, 1, 2])], opset=13)


# ---- Split ----

def split_sizes_on_symbolic_batch():
    # constant sizes on an exact axis, symbolic dims elsewhere
    return model([h.make_node("Split", ["x", "s"], ["a", "b"], axis=2)],
                 [vi("x", ("N", "S", 5))], [vi("a", None), vi("b", None)], [ints("s", [2, 3])], opset=13)


def split_equal_symbolic():
    return model([h.make_node("Split", ["x"], ["a", "b"], axis=-1)],
                 [vi("x", ("N", 3, "S"))], [vi("a", None), vi("b", None)], opset=13)


def split_sizes_symbolic_axis():
    # constant sizes on a symbolic axis: they must sum to it at run time
    return model([h.make_node("Split", ["x", "s"], ["a", "b"], axis=1)],
                 [vi("x", ("N", "S"))], [vi("a", None), vi("b", None)], [ints("s", [2, 4])], opset=13)


def split_num_outputs_symbolic():
    return model([h.make_node("Split", ["x"], ["a", "b"], axis=1, num_outputs=2)],
                 [vi("x", ("N", "S"))], [vi("a", None), vi("b", None)], opset=18)


def split_num_outputs_exact_axis():
    return model([h.make_node("Split", ["x"], ["a", "b", "c"], axis=1, num_outputs=3)],
                 [vi("x", ("N", 7, "S"))], [vi("a", None), vi("b", None), vi("c", None)], opset=18)


# ---- Pad ----

def pad_case(pads, mode="constant", value=None, axes=None, dims=("N", "S", 4), opset=18):
    inits = [ints("p", pads)]
    names = ["p"]
    if value is not None:
        inits.append(nh.from_array(np.array(value, np.float32), "v"))
        names.append("v")
    if axes is not None:
        if value is None:
            names.append("")
        inits.append(ints("a", axes))
        names.append("a")
    return lambda: one("Pad", names, dims, inits, {"mode": mode}, opset=opset)


def pad_v2():
    return one("Pad", [], ("N", "S"), attrs={"pads": [0, 2, 1, 1], "value": 1.5}, opset=2)


# ---- Expand / Tile ----

def expand_case(shape, dims):
    return lambda: one("Expand", ["s"], dims, [ints("s", shape)])


def tile_case(repeats, dims):
    return lambda: one("Tile", ["r"], dims, [ints("r", repeats)])


# ---- DepthToSpace / SpaceToDepth ----

def d2s(mode):
    return lambda: one("DepthToSpace", [], ("N", 8, "H", "W"), attrs={"blocksize": 2, "mode": mode}, opset=13)


def d2s_symbolic_channels():
    # channels vary: C / 4 with a run-time divisibility check
    return one("DepthToSpace", [], (1, "C", 2, 3), attrs={"blocksize": 2}, opset=13)


def s2d():
    return one("SpaceToDepth", [], ("N", 3, "H", "W"), attrs={"blocksize": 2})


CASES = [
    Case("tensor_concat_axis_symbolic", concat_axis_symbolic, RANGES, SIZES),
    Case("tensor_concat_across_symbolic", concat_across_symbolic, RANGES, SIZES),
    Case("tensor_concat_checked_at_run_time", concat_checked, {"N": (1, 4), "S": (1, 4)},
         [{"N": 1, "S": 1}, {"N": 3, "S": 3}, {"N": 4, "S": 4}]),
    Case("tensor_concat_never_equal", concat_mismatched, {"N": (1, 4), "S": (5, 8)}, [],
         expect_error="can never be equal"),
    Case("tensor_gather_data_symbolic", gather_data_symbolic, RANGES, SIZES),
    Case("tensor_gather_symbolic_axis_and_indices", gather_symbolic_axis, RANGES, SIZES,
         make_input={"i": indices(-1, 1)}),
    Case("tensor_gather_symbolic_slab_int32", gather_symbolic_inner_i32, RANGES, SIZES,
         make_input={"i": lambda shape, rng: rng.integers(-1, 1, shape).astype(np.int32)}),
    Case("tensor_gather_elements", gather_elements, {"N": (1, 4), "S": (2, 16)}, EVEN_SIZES,
         make_input={"i": indices(-2, 2)}),
    Case("tensor_gather_elements_symbolic_axis", gather_elements_symbolic_axis, RANGES, SIZES,
         make_input={"i": indices(0, 1)}),
    # S against N off the axis: checked at run time, no larger
    Case("tensor_gather_elements_checks_indices_dims", gather_elements_unbounded, RANGES,
         [{"N": 4, "S": 2}, {"N": 3, "S": 3}], make_input={"i": indices(0, 1)}),
    Case("tensor_gather_elements_refuses_larger_indices", gather_elements_unbounded, RANGES, [{"N": 2, "S": 3}],
         make_input={"i": indices(0, 1)}, run_error="contradicts a shape"),
    Case("tensor_transpose_perm", transpose_perm, RANGES, SIZES),
    Case("tensor_transpose_default", transpose_default, RANGES, SIZES),
    Case("tensor_transpose_merges_pairs", transpose_keeps_pairs, RANGES, SIZES),
    Case("tensor_slice_symbolic_axis", slice_case([1], [1000], [1], None), RANGES, SIZES),
    Case("tensor_slice_negative_start_end", slice_case([-4, 0], [-1, 3], [-2, 0], None), RANGES, SIZES),
    Case("tensor_slice_step", slice_case([1, 0], [100, 4], [1, 2], [3, 2]), RANGES, SIZES),
    Case("tensor_slice_negative_step", slice_case([-2, 3], [-1000, 0], [1, 2], [-2, -1]), RANGES, SIZES),
    Case("tensor_slice_reverse_all", slice_case([2 ** 62], [-2 ** 62], [1], [-1]), RANGES, SIZES),
    Case("tensor_slice_default_axes", slice_case([0, 2], [2, 1000], None, None), RANGES, SIZES),
    Case("tensor_slice_empty_axis", slice_case([-1], [-1000], [1], [-1]), {"N": (1, 4), "S": (0, 16)},
         [{"N": 1, "S": 0}, {"N": 2, "S": 1}, {"N": 4, "S": 16}]),
    Case("tensor_slice_opset9", slice_v1, RANGES, SIZES),
    Case("tensor_chain_transpose_slice_concat_tile_split", chain, RANGES, SIZES),
    Case("tensor_split_sizes_exact_axis", split_sizes_on_symbolic_batch, RANGES, SIZES),
    Case("tensor_split_equal_symbolic_axis", split_equal_symbolic, EVEN_RANGES, EVEN_SIZES),
    # S varies in 6..8 but the constant sizes fit only 6 (7 and 8 return RT_ERR_SHAPE)
    Case("tensor_split_sizes_symbolic_axis", split_sizes_symbolic_axis, {"N": (1, 4), "S": (6, 8)},
         [{"N": 1, "S": 6}, {"N": 2, "S": 6}, {"N": 4, "S": 6}]),
    Case("tensor_split_num_outputs_exact_axis", split_num_outputs_exact_axis, RANGES, SIZES),
    Case("tensor_split_refuses_num_outputs_on_symbolic_axis", split_num_outputs_symbolic, RANGES, [],
         expect_error="may split unevenly"),
    Case("tensor_pad_constant", pad_case([1, 0, 2, 0, 3, 1], value=2.5), RANGES, SIZES),
    Case("tensor_pad_crop", pad_case([0, 2, 0, 1, 0, -1], dims=("N", "S", 4)),
         {"N": (1, 4), "S": (3, 16)}, [{"N": 1, "S": 3}, {"N": 2, "S": 5}, {"N": 4, "S": 16}]),
    Case("tensor_pad_reflect_axes", pad_case([1, 1], mode="reflect", axes=[-2]),
         {"N": (1, 4), "S": (2, 16)}, EVEN_SIZES),
    Case("tensor_pad_edge", pad_case([2, 1, 0, 3], mode="edge", axes=[0, 1]), RANGES, SIZES),
    Case("tensor_pad_wrap", pad_case([0, 1, 1, 0, 0, 2], mode="wrap", opset=19), RANGES, SIZES),
    Case("tensor_pad_opset2", pad_v2, RANGES, SIZES),
    Case("tensor_pad_refuses_crop_below_range", pad_case([0, -2, 0, 0, 0, 0]), RANGES, [],
         expect_error="pads remove more than axis 1 has"),
    Case("tensor_expand_batch", expand_case([3, 1, 1, 4], ("N", "S", 1)), RANGES, SIZES),
    Case("tensor_expand_ones", expand_case([1, 2], ("N", 1)), RANGES, SIZES),
    # S against the shape's 3: equal at run time, checked
    Case("tensor_expand_checks_constant_against_symbol", expand_case([3, 4], ("S", 4)), RANGES, [{"N": 1, "S": 3}]),
    Case("tensor_expand_checks_constant_against_symbol_unequal", expand_case([3, 4], ("S", 4)), RANGES,
         [{"N": 1, "S": 5}], run_error="contradicts a shape"),
    Case("tensor_tile", tile_case([2, 1, 3], ("N", "S", 2)), RANGES, SIZES),
    Case("tensor_tile_symbolic_inner", tile_case([1, 2], ("N", "S")), RANGES, SIZES),
    Case("tensor_depthtospace_dcr", d2s("DCR"), BLOCK_RANGES, BLOCK_SIZES),
    Case("tensor_depthtospace_crd", d2s("CRD"), BLOCK_RANGES, BLOCK_SIZES),
    Case("tensor_depthtospace_symbolic_channels", d2s_symbolic_channels, {"C": (4, 16)},
         [{"C": 4}, {"C": 8}, {"C": 16}]),
    Case("tensor_spacetodepth", s2d, BLOCK_RANGES, BLOCK_SIZES),
]
