"""LinearAttention, CausalConvWithState and TensorScatter, the ops of
recurrent (linear attention) decoders, with batch, sequence and cache
lengths that vary at run time: a decode step (one token), a prefill, an
input shorter than the carried state. ONNX Runtime 1.20 has none of these
ops (opsets 24 to 27): the reference is onnx.reference, so the cases need
onnx 1.23 or later and exist only there:

  .venv-onnx-new/bin/python tests/symbolic/check.py --onnxcc build/onnxcc \\
      --filter '^linattn_'
"""
import numpy as np
import onnx
from onnx import TensorProto as T, helper as h, numpy_helper as nh

from check import Case, model

TOL = {"rtol": 1e-4, "atol": 1e-4}


def has_op(name):
    try:
        onnx.defs.get_schema(name)
        return True
    except onnx.defs.SchemaError:
        return False


def decay(shape, rng):
    """Log-space decay: exp(g) in (0.5, 1]."""
    return (-0.7 * rng.random(shape)).astype(np.float32)


def rate(shape, rng):
    return rng.random(shape).astype(np.float32)


def unit_keys(shape, rng):
    """Keys L2-normalised per head (dk 4), as the delta rules expect."""
    k = rng.standard_normal(shape).astype(np.float32).reshape(shape[:-1] + [-1, 4])
    return (k / np.linalg.norm(k, axis=-1, keepdims=True)).reshape(shape).astype(np.float32)


def linear_attention(rule, q_last="16", state=True):
    """4 query heads over 2 key/value heads, dk 4, dv 3; B and T vary."""
    ins = [h.make_tensor_value_info("q", T.FLOAT, ["B", "T", 16 if q_last == "16" else q_last]),
           h.make_tensor_value_info("k", T.FLOAT, ["B", "T", 8]),
           h.make_tensor_value_info("v", T.FLOAT, ["B", "T", 6])]
    names = ["q", "k", "v", "past" if state else ""]
    if state:
        ins.append(h.make_tensor_value_info("past", T.FLOAT, ["B", 2, 4, 3]))
    if rule in ("gated", "gated_delta"):
        ins.append(h.make_tensor_value_info("decay", T.FLOAT, ["B", "T", 8 if rule == "gated" else 2]))
        names.append("decay")
    else:
        names.append("")
    if rule in ("delta", "gated_delta"):
        ins.append(h.make_tensor_value_info("beta", T.FLOAT, ["B", "T", 2]))
        names.append("beta")
    while names[-1] == "":
        names.pop()
    node = h.make_node("LinearAttention", names, ["y", "state"], q_num_heads=4, kv_num_heads=2, update_rule=rule)
    return lambda: model([node], ins, [h.make_tensor_value_info("y", T.FLOAT, ["B", "T", 12]),
                                       h.make_tensor_value_info("state", T.FLOAT, ["B", 2, 4, 3])], opset=27)


def causal_conv(activation="silu"):
    """4 channels, k 3; B and L vary, L from one token (decode) up."""
    rng = np.random.default_rng(3)
    w = nh.from_array(rng.standard_normal([4, 1, 3]).astype(np.float32), "w")
    b = nh.from_array(rng.standard_normal([4]).astype(np.float32), "b")
    node = h.make_node("CausalConvWithState", ["x", "w", "b", "past"], ["y", "state"], activation=activation)
    return lambda: model([node], [h.make_tensor_value_info("x", T.FLOAT, ["B", 4, "L"]),
                                  h.make_tensor_value_info("past", T.FLOAT, ["B", 4, 2])],
                         [h.make_tensor_value_info("y", T.FLOAT, ["B", 4, "L"]),
                          h.make_tensor_value_info("state", T.FLOAT, ["B", 4, 2])], [w, b], opset=27)


def tensor_scatter(mode):
    node = h.make_node("TensorScatter", ["past", "update", "w"], ["y"], mode=mode, axis=-2)
    return lambda: model([node], [h.make_tensor_value_info("past", T.FLOAT, ["B", 2, "M", 3]),
                                  h.make_tensor_value_info("update", T.FLOAT, ["B", 2, "S", 3]),
                                  h.make_tensor_value_info("w", T.INT64, ["B"])],
                         [h.make_tensor_value_info("y", T.FLOAT, ["B", 2, "M", 3])], opset=24)


def first_slots(shape, rng):
    """Write indices 0 or 1: linear writes of up to 3 then fit a cache of 4."""
    return rng.integers(0, 2, shape).astype(np.int64)


def any_slots(shape, rng):
    return rng.integers(0, 20, shape).astype(np.int64)


def past_the_end(shape, rng):
    """Linear writes from slot 8: past the end of any cache of 4 to 8."""
    return np.full(shape, 8, np.int64)


BT = {"B": (1, 3), "T": (1, 8)}
BT_SIZES = [{"B": 1, "T": 1}, {"B": 3, "T": 8}, {"B": 2, "T": 5}]
LA_INPUTS = {"k": unit_keys, "decay": decay, "beta": rate}
BL = {"B": (1, 3), "L": (1, 9)}
BL_SIZES = [{"B": 1, "L": 1}, {"B": 3, "L": 9}, {"B": 2, "L": 2}]
CACHE = {"B": (1, 3), "M": (4, 8), "S": (1, 3)}
CACHE_SIZES = [{"B": 1, "M": 4, "S": 1}, {"B": 3, "M": 8, "S": 3}, {"B": 2, "M": 5, "S": 2}]

CASES = []
if has_op("LinearAttention") and has_op("CausalConvWithState") and has_op("TensorScatter"):
    CASES = [
        Case("linattn_gated_delta_variable_batch_tokens", linear_attention("gated_delta"), BT, BT_SIZES,
             make_input=LA_INPUTS, reference="onnx", **TOL),
        Case("linattn_gated_per_key_no_state", linear_attention("gated", state=False), BT, BT_SIZES,
             make_input=LA_INPUTS, reference="onnx", **TOL),
        Case("linattn_delta_variable_batch_tokens", linear_attention("delta"), BT, BT_SIZES,
             make_input=LA_INPUTS, reference="onnx", **TOL),
        Case("linattn_heads_need_a_fixed_last_dim", linear_attention("linear", q_last="D"), {**BT, "D": (16, 16)},
             [], expect_error="the heads need it fixed"),
        Case("linattn_causal_conv_silu_decode_and_prefill", causal_conv(), BL, BL_SIZES, reference="onnx", **TOL),
        Case("linattn_causal_conv_none", causal_conv("none"), BL, BL_SIZES, reference="onnx", **TOL),
        Case("linattn_tensor_scatter_linear", tensor_scatter("linear"), CACHE, CACHE_SIZES,
             make_input={"w": first_slots}, reference="onnx"),
        Case("linattn_tensor_scatter_circular", tensor_scatter("circular"), CACHE, CACHE_SIZES,
             make_input={"w": any_slots}, reference="onnx"),
        Case("linattn_tensor_scatter_linear_past_the_end", tensor_scatter("linear"), CACHE, CACHE_SIZES[:1],
             make_input={"w": past_the_end}, run_error="refuse", reference="onnx"),
    ]
