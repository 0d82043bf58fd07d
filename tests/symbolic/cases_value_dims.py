"""Integer inputs whose values size other tensors (AffineGrid's `size`
read as N, H, W): ConstantOfShape, Range and Reshape built from the same
input values must agree on their dims, so the compiler reads such inputs
as dims when the run starts (one symbol per element, bounded by
--max-dynamic-dim) instead of giving each consumer unrelated run-time
dims. A value outside 0..bound, or a 0 that Reshape would read as "copy
the input's dim", is rejected when the model runs."""
import numpy as np
from onnx import TensorProto as T, helper as h, numpy_helper as nh

from check import Case

# rt_status_str(RT_ERR_SHAPE), as the driver prints it
REJECTED = "contradicts a shape"
BOUND = ["--max-dynamic-dim", "16"]
SIZES = [{}, {}, {}]


def values(*per_run):
    """make_input giving the next of per_run at each run."""
    it = iter(per_run * 8)
    return lambda shape, rng: np.array(next(it), np.int64)


def grid_from_size():
    # hw = [H, W]: zeros [H, W] + Range(0, W) broadcast along rows, then
    # reshaped to [W, H] from the same values: every dim is H or W
    nodes = [h.make_node("Split", ["hw"], ["H", "W"], num_outputs=2),
             h.make_node("ConstantOfShape", ["hw"], ["zeros"],
                         value=nh.from_array(np.array([0.5], np.float32))),
             h.make_node("Squeeze", ["W"], ["w"]),
             h.make_node("Range", ["zero", "w", "one"], ["cols_i"]),
             h.make_node("Cast", ["cols_i"], ["cols"], to=T.FLOAT),
             h.make_node("Add", ["zeros", "cols"], ["grid"]),
             h.make_node("Concat", ["W", "H"], ["wh"], axis=0),
             h.make_node("Reshape", ["grid", "wh"], ["flipped"]),
             h.make_node("Mul", ["flipped", "scale"], ["y"])]
    g = h.make_graph(nodes, "g", [h.make_tensor_value_info("hw", T.INT64, [2]),
                                  h.make_tensor_value_info("scale", T.FLOAT, [1])],
                     [h.make_tensor_value_info("grid", T.FLOAT, [None, None]),
                      h.make_tensor_value_info("y", T.FLOAT, [None, None])],
                     [nh.from_array(np.array(0, np.int64), "zero"), nh.from_array(np.array(1, np.int64), "one")])
    return h.make_model(g, opset_imports=[h.make_opsetid("", 18)])


CASES = [
    Case("value_dims_grid", grid_from_size, {}, SIZES, flags=BOUND,
         make_input={"hw": values([3, 5], [1, 16], [16, 2])},
         # one symbol per element of input 0, shared by every consumer: no
         # run-time check that two unrelated dims broadcast (Reshape's
         # "not 0" checks are the only ones)
         dump_has=[r"input0\[1\]"], dump_lacks=[r"check \S+ == (?!max\()"]),
    Case("value_dims_above_bound", grid_from_size, {}, SIZES[:1], flags=BOUND, run_error=REJECTED,
         make_input={"hw": values([3, 17])}),
    Case("value_dims_negative", grid_from_size, {}, SIZES[:1], flags=BOUND, run_error=REJECTED,
         make_input={"hw": values([-1, 4])}),
    Case("value_dims_zero_in_reshape", grid_from_size, {}, SIZES[:1], flags=BOUND, run_error=REJECTED,
         make_input={"hw": values([0, 4])}),
]
