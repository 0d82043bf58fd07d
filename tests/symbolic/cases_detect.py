"""NonMaxSuppression and Unique: output counts the kernel finds (bounded by
the input shapes), on inputs whose dims vary at run time and with
thresholds read at run time. Boxes lie on a coarse grid, so that many
overlap, some coincide, some have no area and IOUs fall on the threshold;
scores take few values, so that ties are common: ONNX Runtime's order and
tie rules must hold exactly."""
import numpy as np
from onnx import TensorProto as T, helper as h, numpy_helper as nh

from check import Case, vi


def model(nodes, inputs, outputs, inits=(), opset=11):
    g = h.make_graph(nodes, "g", inputs, outputs, list(inits))
    return h.make_model(g, opset_imports=[h.make_opsetid("", opset)])


# ---- NonMaxSuppression ----

def grid_boxes(shape, rng):
    """Corners on a 0..4 grid (in either order: flipped boxes, empty ones)."""
    return rng.integers(0, 5, shape).astype(np.float32)


def center_boxes(shape, rng):
    """Centers on a half grid, widths and heights 0..3."""
    b = rng.integers(0, 9, shape).astype(np.float32) / 2
    b[..., 2:] = rng.integers(0, 4, shape[:-1] + [2])
    return b


def tied_scores(shape, rng):
    return (rng.integers(0, 5, shape) / 4).astype(np.float32)


def one(values, dtype):
    """A [1] tensor of a value drawn from `values` at each run."""
    return lambda shape, rng: np.array([values[rng.integers(0, len(values))]], dtype)


MAX_OUT = one([0, 1, 2, 3, 5, 100, -1], np.int64)
IOU = one([0.0, 0.2, 1 / 3, 0.5, 0.6, 1.0], np.float32)
SCORE = one([-1.0, 0.0, 0.25, 0.5, 0.75, 1.0], np.float32)

NMS_RANGES = {"B": (1, 3), "C": (1, 3), "S": (1, 24)}
NMS_SIZES = [{"B": 1, "C": 1, "S": 1}, {"B": 2, "C": 3, "S": 7}, {"B": 3, "C": 2, "S": 24},
             {"B": 1, "C": 3, "S": 16}, {"B": 3, "C": 3, "S": 24}, {"B": 2, "C": 1, "S": 11}]


def nms(run_time=("m", "i", "t"), consts=None, cpb=0, opset=11, symbolic=True):
    """boxes [B, S, 4], scores [B, C, S]; the optional inputs in run_time are
    graph inputs, those in consts ({name: value}) initializers."""
    consts = consts or {}
    dims = ("B", "S", 4), ("B", "C", "S")
    if not symbolic:
        dims = (2, 20, 4), (2, 3, 20)
    inputs = [vi("boxes", dims[0]), vi("scores", dims[1])]
    inits, names = [], ["boxes", "scores"]
    for name, dtype in (("m", T.INT64), ("i", T.FLOAT), ("t", T.FLOAT)):
        if name in run_time:
            inputs.append(vi(name, [1], dtype))
            names.append(name)
        elif name in consts:
            np_type = np.int64 if dtype == T.INT64 else np.float32
            inits.append(nh.from_array(np.array([consts[name]], np_type), name))
            names.append(name)
        else:
            names.append("")
    while names[-1] == "":
        names.pop()
    node = h.make_node("NonMaxSuppression", names, ["y"], center_point_box=cpb)
    return lambda: model([node], inputs, [vi("y", 2, T.INT64)], inits, opset)


NMS_INPUTS = {"boxes": grid_boxes, "scores": tied_scores, "m": MAX_OUT, "i": IOU, "t": SCORE}
REPEAT = NMS_SIZES * 4  # a fresh draw of boxes and thresholds at each run

# ---- Unique ----

def few_values(dtype, k=3):
    return lambda shape, rng: rng.integers(-k // 2, k - k // 2, shape).astype(dtype)


def signed_zeros(shape, rng):
    """0, -0 and 1: -0 and 0 are one value; the first occurrence's is kept."""
    return np.array([0.0, -0.0, 1.0], np.float32)[rng.integers(0, 3, shape)]


def unique(dims, dtype=T.FLOAT, outputs=("y", "i", "inv", "c"), after=False, **attrs):
    """x -> Unique -> outputs (an empty name leaves one out); after: Y goes
    through Abs, so a consumer sees the run-time count."""
    outs = list(outputs)
    node = h.make_node("Unique", ["x"], outs, **attrs)
    nodes = [node]
    graph_outs = []
    rank_y = 1 if "axis" not in attrs else len(dims)
    for k, name in enumerate(outs):
        if not name:
            continue
        if k == 0 and after:
            nodes.append(h.make_node("Abs", [name], ["z"]))
            graph_outs.append(vi("z", rank_y, dtype))
        else:
            graph_outs.append(vi(name, rank_y if k == 0 else 1, dtype if k == 0 else T.INT64))
    return lambda: model(nodes, [vi("x", dims, dtype)], graph_outs)


def constant_inputs():
    """Unique and NonMaxSuppression of initializers: the counts are still
    found at run time (folding would keep the bounds' sizes), and the
    results meet a graph input through Add."""
    x = nh.from_array(np.array([3, 1, 3, 2, 1, 3], np.int64), "x")
    boxes = nh.from_array(np.array([[[0, 0, 1, 1], [0, 0, 1, 1], [2, 2, 3, 3]]], np.float32), "boxes")
    scores = nh.from_array(np.array([[[0.5, 0.6, 0.1]]], np.float32), "scores")
    m = nh.from_array(np.array([5], np.int64), "m")
    nodes = [h.make_node("Unique", ["x"], ["y", "i", "inv", "c"], sorted=0),
             h.make_node("Add", ["c", "a"], ["z"]),
             h.make_node("NonMaxSuppression", ["boxes", "scores", "m"], ["sel"])]
    return model(nodes, [vi("a", [1], T.INT64)], [vi("y", 1, T.INT64), vi("z", 1, T.INT64), vi("sel", 2, T.INT64)],
                 [x, boxes, scores, m])


U_RANGES = {"N": (1, 12), "S": (1, 6)}
U_SIZES = [{"N": 1, "S": 1}, {"N": 5, "S": 3}, {"N": 12, "S": 6}, {"N": 7, "S": 2}, {"N": 12, "S": 1}]

CASES = [
    Case("detect_nms_run_time_thresholds", nms(), NMS_RANGES, REPEAT, make_input=NMS_INPUTS),
    Case("detect_nms_center_point_box", nms(cpb=1), NMS_RANGES, REPEAT,
         make_input={**NMS_INPUTS, "boxes": center_boxes}),
    Case("detect_nms_opset10", nms(opset=10), NMS_RANGES, NMS_SIZES, make_input=NMS_INPUTS),
    Case("detect_nms_constant_max_bounds_count", nms(run_time=("i", "t"), consts={"m": 2}), NMS_RANGES, REPEAT,
         make_input=NMS_INPUTS),
    Case("detect_nms_constant_thresholds", nms(run_time=("m",), consts={"i": 0.5, "t": 0.25}), NMS_RANGES, REPEAT,
         make_input=NMS_INPUTS),
    Case("detect_nms_no_score_threshold", nms(run_time=("m", "i")), NMS_RANGES, REPEAT, make_input=NMS_INPUTS),
    Case("detect_nms_max_only", nms(run_time=("m",)), NMS_RANGES, NMS_SIZES, make_input=NMS_INPUTS),
    Case("detect_nms_no_max_is_empty", nms(run_time=()), NMS_RANGES, NMS_SIZES[:2], make_input=NMS_INPUTS),
    Case("detect_nms_static_shapes", nms(symbolic=False), {}, [{}] * 12, make_input=NMS_INPUTS),
    Case("detect_nms_constant_iou_out_of_range", nms(run_time=("m",), consts={"i": 1.5}), NMS_RANGES, [],
         expect_error="iou_threshold must be in [0, 1]"),
    Case("detect_nms_center_point_box_2", nms(cpb=2), NMS_RANGES, [], expect_error="center_point_box must be 0 or 1"),

    Case("detect_unique_flat_sorted", unique(("N", "S")), U_RANGES, U_SIZES,
         make_input={"x": few_values(np.float32, 5)}),
    Case("detect_unique_flat_first_occurrence", unique(("N", "S"), sorted=0), U_RANGES, U_SIZES,
         make_input={"x": few_values(np.float32, 5)}),
    Case("detect_unique_signed_zeros", unique(("N",), sorted=0), U_RANGES, U_SIZES,
         make_input={"x": signed_zeros}),
    Case("detect_unique_axis0_int64", unique(("N", "S"), T.INT64, axis=0), U_RANGES, U_SIZES,
         make_input={"x": few_values(np.int64, 2)}),
    Case("detect_unique_axis1_unsorted", unique(("N", "S", 2), T.INT64, axis=1, sorted=0), U_RANGES, U_SIZES,
         make_input={"x": few_values(np.int64, 2)}),
    Case("detect_unique_negative_axis_double", unique((2, "N"), T.DOUBLE, axis=-1), U_RANGES, U_SIZES,
         make_input={"x": few_values(np.float64, 2)}),
    Case("detect_unique_int8", unique(("N", "S"), T.INT8, sorted=0), U_RANGES, U_SIZES),
    Case("detect_unique_float16", unique(("N", "S"), T.FLOAT16), U_RANGES, U_SIZES,
         make_input={"x": few_values(np.float16, 4)}),
    Case("detect_unique_y_and_counts", unique(("N", "S"), outputs=("y", "", "", "c")), U_RANGES, U_SIZES),
    Case("detect_unique_y_and_inverse", unique(("N", "S"), outputs=("y", "", "inv")), U_RANGES, U_SIZES),
    Case("detect_unique_y_and_indices", unique(("N", "S"), outputs=("y", "i"), sorted=0), U_RANGES, U_SIZES),
    Case("detect_unique_consumed", unique(("N", "S"), after=True, axis=0), U_RANGES, U_SIZES,
         make_input={"x": few_values(np.float32, 2)}),
    Case("detect_constant_inputs_not_folded", constant_inputs, {}, [{}]),
    Case("detect_unique_static", unique((6, 4), sorted=0, axis=1), {}, [{}] * 3,
         make_input={"x": few_values(np.float32, 2)}),
]
