"""DeformConv over a batch and an image size that vary at run time:
offsets move taps between pixels and off the image (which reads 0), with
groups, offset groups, a mask and padding. ONNX Runtime 1.20 has no
DeformConv kernel: the reference is onnx.reference."""
import numpy as np
from onnx import TensorProto as T, helper as h, numpy_helper as nh

from check import Case, model

TOL = {"rtol": 1e-4, "atol": 1e-4}
RANGES = {"N": (1, 3), "H": (3, 9), "W": (2, 8)}
SIZES = [{"N": 1, "H": 3, "W": 2}, {"N": 3, "H": 9, "W": 8}, {"N": 2, "H": 6, "W": 5}]


def moves(shape, rng):
    """Moves of up to about 3 pixels: some taps leave the image."""
    return (1.5 * rng.standard_normal(shape)).astype(np.float32)


def deform_conv(mask=True, group=2, offset_group=2):
    """X [N, 4, H, W], W [6, 4 / group, 3, 3], pads 1: the output is
    [N, 6, H, W], so offset and mask share X's symbols."""
    rng = np.random.default_rng(5)
    w = nh.from_array(rng.standard_normal([6, 4 // group, 3, 3]).astype(np.float32), "w")
    b = nh.from_array(rng.standard_normal([6]).astype(np.float32), "b")
    taps = offset_group * 9
    ins = [h.make_tensor_value_info("x", T.FLOAT, ["N", 4, "H", "W"]),
           h.make_tensor_value_info("offset", T.FLOAT, ["N", 2 * taps, "H", "W"])]
    names = ["x", "w", "offset", "b"]
    if mask:
        ins.append(h.make_tensor_value_info("mask", T.FLOAT, ["N", taps, "H", "W"]))
        names.append("mask")
    node = h.make_node("DeformConv", names, ["y"], pads=[1, 1, 1, 1], group=group, offset_group=offset_group)
    return lambda: model([node], ins, [h.make_tensor_value_info("y", T.FLOAT, ["N", 6, "H", "W"])], [w, b],
                         opset=19)


CASES = [
    Case("deform_conv_groups_mask_variable_dims", deform_conv(), RANGES, SIZES, make_input={"offset": moves},
         reference="onnx", **TOL),
    Case("deform_conv_one_group_no_mask_variable_dims", deform_conv(mask=False, group=1, offset_group=1), RANGES,
         SIZES, make_input={"offset": moves}, reference="onnx", **TOL),
]
