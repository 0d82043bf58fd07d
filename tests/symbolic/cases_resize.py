"""Resize and Upsample whose scales, sizes or roi are known only at run
time (graph inputs, or sizes computed from Shape): the output dims on the
axes they describe are run-time dims, computed by rt_resize_prepare with
the compiler's own rules. Also Resize of inputs with variable dims: on
axes it leaves alone, or by constant scales (bounded by the largest
input)."""
import numpy as np
from onnx import TensorProto as T, helper as h, numpy_helper as nh

from check import Case, vi

BOUND = ["--max-dynamic-dim", "40"]


def model(nodes, inputs, outputs, inits=(), opset=19):
    g = h.make_graph(nodes, "g", inputs, outputs, list(inits))
    return h.make_model(g, opset_imports=[h.make_opsetid("", opset)])


def values(v, dtype):
    return lambda shape, rng: np.array(v, dtype)


def resize_of_inputs(x_dims, operands, opset=19, dtype=T.FLOAT, **attrs):
    """Resize(x, roi, scales, sizes) with the operands named in `operands`
    ({"roi": n, "scales": n, "sizes": n}: their value counts) as graph
    inputs; the others absent."""
    names = ["x"] + [k if k in operands else "" for k in ("roi", "scales", "sizes")]
    while names[-1] == "":
        names.pop()
    ins = [vi("x", x_dims, dtype)] + [vi(k, [n], T.INT64 if k == "sizes" else T.FLOAT) for k, n in operands.items()]
    node = h.make_node("Resize", names, ["y"], **attrs)
    return lambda: model([node], ins, [vi("y", len(x_dims), dtype)], opset=opset)


def upsample9():
    node = h.make_node("Upsample", ["x", "scales"], ["y"], mode="nearest")
    return model([node], [vi("x", [1, 2, 3, 2]), vi("scales", [4])], [vi("y", 4)], opset=9)


def sizes_from_shape(mode, **attrs):
    """sizes = [N, C, 2H - 1, 7] from Shape(x): dims as values at run time
    (with the stretch policy the output dims are those expressions)."""
    i64 = lambda v, n: nh.from_array(np.array(v, np.int64), n)
    nodes = [h.make_node("Shape", ["x"], ["s"]),
             h.make_node("Slice", ["s", "z", "two"], ["nc"]),
             h.make_node("Slice", ["s", "two", "three"], ["hh"]),
             h.make_node("Mul", ["hh", "two"], ["h2"]), h.make_node("Sub", ["h2", "one"], ["h3"]),
             h.make_node("Concat", ["nc", "h3", "seven"], ["sizes"], axis=0),
             h.make_node("Resize", ["x", "", "", "sizes"], ["y"], mode=mode, **attrs)]
    inits = [i64([0], "z"), i64([2], "two"), i64([3], "three"), i64([1], "one"), i64([7], "seven")]
    return model(nodes, [vi("x", ["N", "C", "H", 5])], [vi("y", 4)], inits)


def constant_scales(x_dims, scales, **attrs):
    node = h.make_node("Resize", ["x", "", "scales"], ["y"], **attrs)
    inits = [nh.from_array(np.array(scales, np.float32), "scales")]
    return lambda: model([node], [vi("x", x_dims)], [vi("y", len(x_dims))], inits)


def constant_sizes(x_dims, sizes, **attrs):
    node = h.make_node("Resize", ["x", "", "", "sizes"], ["y"], **attrs)
    inits = [nh.from_array(np.array(sizes, np.int64), "sizes")]
    return lambda: model([node], [vi("x", x_dims)], [vi("y", len(x_dims))], inits)


def crop_constant_sizes():
    """Only the roi varies: the output shape is known, the prepare fills in the box."""
    node = h.make_node("Resize", ["x", "roi", "", "sizes"], ["y"], mode="cubic", axes=[2, 3],
                       coordinate_transformation_mode="tf_crop_and_resize")
    inits = [nh.from_array(np.array([6, 5], np.int64), "sizes")]
    return model([node], [vi("x", [1, 2, 4, 4]), vi("roi", [4])], [vi("y", [1, 2, 6, 5])], inits)


F32, I64 = np.float32, np.int64
NC = {"N": (1, 3), "C": (1, 4)}
NC_SIZES = [{"N": 1, "C": 1}, {"N": 3, "C": 2}, {"N": 2, "C": 4}]

CASES = [
    Case("resize_scales_input_linear", resize_of_inputs([1, 2, 4, 5], {"scales": 4}, mode="linear"), {}, [{}],
         flags=BOUND, make_input={"scales": values([1, 1, 0.5, 2.2], F32)}),
    Case("resize_scales_input_cubic_upsample", resize_of_inputs([1, 1, 3, 4], {"scales": 4}, mode="cubic"), {},
         [{}], flags=BOUND, make_input={"scales": values([1, 1, 2.5, 3], F32)}),
    Case("resize_scales_input_antialias", resize_of_inputs([1, 1, 12, 9], {"scales": 2}, mode="linear",
                                                           antialias=1, axes=[2, 3]), {}, [{}], flags=BOUND,
         make_input={"scales": values([0.3, 0.45], F32)}),
    Case("resize_scales_input_cubic_antialias", resize_of_inputs([1, 1, 10, 10], {"scales": 4}, mode="cubic",
                                                                 antialias=1), {}, [{}], flags=BOUND,
         make_input={"scales": values([1, 1, 0.25, 0.6], F32)}),
    # scratch for every scale the values may bring: too many tap combinations
    Case("resize_antialias_scales_input_too_wide", resize_of_inputs([8, 3, 50, 50], {"scales": 4}, mode="cubic",
                                                                    antialias=1), {}, [], flags=BOUND,
         expect_error="antialias on this many axes"),
    Case("resize_sizes_input_not_larger", resize_of_inputs([1, 2, 6, 4], {"sizes": 2}, mode="cubic",
                                                           axes=[3, 2], keep_aspect_ratio_policy="not_larger"),
         {}, [{}], flags=BOUND, make_input={"sizes": values([9, 10], I64)}),
    Case("resize_sizes_input_nearest_int", resize_of_inputs([2, 3, 4], {"sizes": 3}, mode="nearest",
                                                            nearest_mode="ceil", dtype=T.INT32), {}, [{}], flags=BOUND,
         make_input={"x": lambda shape, rng: rng.integers(-9, 9, shape).astype(np.int32),
                     "sizes": values([3, 5, 7], I64)}),
    # (with scales, onnxruntime maps tf_crop_and_resize differently from the
    # ONNX reference, which onnxcc follows: sizes here)
    Case("resize_roi_input_crop", resize_of_inputs([1, 1, 5, 6], {"roi": 4, "sizes": 2}, mode="linear", axes=[2, 3],
                                                   coordinate_transformation_mode="tf_crop_and_resize",
                                                   extrapolation_value=-1.0), {}, [{}], flags=BOUND,
         make_input={"roi": values([0.2, -0.1, 0.9, 1.3], F32), "sizes": values([7, 4], I64)}),
    Case("resize_roi_input_constant_sizes", lambda: crop_constant_sizes(), {}, [{}],
         make_input={"roi": values([0.6, 0.1, 0.0, 0.9], F32)}),
    Case("resize_upsample9_scales_input", upsample9, {}, [{}], flags=BOUND,
         make_input={"scales": values([1, 2, 2, 3], F32)}),
    Case("resize_scales_input_needs_a_bound", resize_of_inputs([1, 2, 4, 5], {"scales": 4}), {}, [],
         expect_error="--max-dynamic-dim"),
    # no bound needed: the output dims are the sizes' expressions
    Case("resize_sizes_from_shape", lambda: sizes_from_shape("linear"), {"N": (1, 2), "C": (1, 3), "H": (1, 6)},
         [{"N": 1, "C": 1, "H": 1}, {"N": 2, "C": 3, "H": 4}, {"N": 1, "C": 2, "H": 6}]),
    Case("resize_sizes_from_shape_not_smaller", lambda: sizes_from_shape("nearest", keep_aspect_ratio_policy="not_smaller"),
         {"N": (1, 2), "C": (1, 3), "H": (1, 6)}, [{"N": 1, "C": 1, "H": 1}, {"N": 2, "C": 3, "H": 6}], flags=BOUND),
    # variable batch and channels, left alone by the resize
    Case("resize_variable_batch_scales_1", constant_scales(["N", "C", 4, 5], [1, 1, 2, 0.6], mode="linear"), NC,
         NC_SIZES),
    Case("resize_variable_batch_axes", constant_sizes(["N", "C", 4, 5], [7, 3], mode="cubic", axes=[2, 3]), NC,
         NC_SIZES),
    # a variable spatial dim scaled by a constant: bounded by the largest input, no flag needed
    Case("resize_variable_height_scaled", constant_scales([1, 2, "H", 5], [1, 1, 1.5, 2], mode="nearest"),
         {"H": (1, 9)}, [{"H": 1}, {"H": 4}, {"H": 9}]),
    Case("resize_variable_height_sizes", constant_sizes(["N", 1, "H", 5], [6, 3], mode="linear", axes=[2, 3],
                                                        keep_aspect_ratio_policy="not_smaller"),
         {"N": (1, 2), "H": (2, 8)}, [{"N": 1, "H": 2}, {"N": 2, "H": 8}], flags=BOUND),
]
