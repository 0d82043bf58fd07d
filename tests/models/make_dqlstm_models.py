#!/usr/bin/env python3
"""Generate one-node com.microsoft DynamicQuantizeLSTM test models under tests/models/.

ONNX Runtime's quantize_dynamic turns LSTM into DynamicQuantizeLSTM; these
models hold the node alone, built with onnx.helper and seeded random
weights quantized here (int8 or uint8, one scale per direction or one per
gate unit), so that each covers one corner of the op. Expected outputs come
from onnxruntime run with one intra-op thread: with more, ONNX Runtime
splits a batch of 2 or more rows into blocks quantized on their own, and
its numbers depend on the thread count (runtime/include/onnxcc/kernels/
dqlstm.h). Rows shorter than the sequence have zeros in X's padding, so
that the padding does not widen the input's quantization range. Layout:
NAME/model.onnx, NAME/test_data_set_0/*.pb; run them with
`tests/conformance/run.py --suite models`.

Models (seq, batch, input, hidden):
  dqlstm_forward            forward, 5, 1, 4, 3; uint8 W and R (the op
                            takes one type for both; zero point 128), one
                            scale per direction; bias; Y, Y_h, Y_c.
  dqlstm_reverse_channel    reverse, 4, 2, 3, 5; int8, W with a scale per
                            gate unit; initial_h and initial_c.
  dqlstm_bidir_lens         bidirectional, 4, 3, 2, 4; int8, R with
                            per-channel scales; sequence_lens 4, 2, 3;
                            initial states; peepholes.
  dqlstm_states_only        forward, 3, 2, 3, 2; int8; sequence_lens 3, 1;
                            Y left out (finished rows keep their h in ONNX
                            Runtime's hidden-state range); clip 2.

uint8 weights with one scale per gate unit are left out: ONNX Runtime 1.20
refuses them ("RecurrentWeight point must be constant") even with equal
zero points.

The files are committed; regenerate from the repository root with

    .venv/bin/python tests/models/make_dqlstm_models.py [--only NAME]
"""

from __future__ import annotations

import sys
from pathlib import Path

import repo_venv  # noqa: E402

repo_venv.ensure(("numpy", "onnx", "onnxruntime"), __file__)

import numpy as np  # noqa: E402
import onnx  # noqa: E402
from onnx import TensorProto, helper, numpy_helper  # noqa: E402
import model_cli  # noqa: E402



def quantize(w, signed, per_channel):
    """w [dirs, n, 4H] as 8-bit codes, scales and zero points ([dirs] or
    [dirs, 4H]); int8 symmetric (zero point 0), uint8 about 128."""
    axes = (1,) if per_channel else (1, 2)
    scale = (np.abs(w).max(axis=axes) / 127.0).astype(np.float32)
    s = scale[:, None, :] if per_channel else scale[:, None, None]
    codes = np.clip(np.round(w / s), -127, 127)
    zp = np.zeros(scale.shape, np.int8 if signed else np.uint8)
    if not signed:
        zp[...] = 128
        codes = codes + 128
    return codes.astype(np.int8 if signed else np.uint8), scale, zp


def spec(seq, batch, inp, hidden, direction="forward", signed=True, w_channel=False, r_channel=False, bias=True,
         lens=None, states=False, peep=False, y=True, **attrs):
    return dict(seq=seq, batch=batch, inp=inp, hidden=hidden, direction=direction, w=(signed, w_channel),
                r=(signed, r_channel), bias=bias,
                lens=lens, states=states, peep=peep, y=y, attrs=attrs)


SPECS = {
    "dqlstm_forward": spec(5, 1, 4, 3, signed=False),
    "dqlstm_reverse_channel": spec(4, 2, 3, 5, "reverse", w_channel=True, states=True),
    "dqlstm_bidir_lens": spec(4, 3, 2, 4, "bidirectional", r_channel=True, lens=[4, 2, 3],
                              states=True, peep=True),
    "dqlstm_states_only": spec(3, 2, 3, 2, lens=[3, 1], y=False, clip=2.0),
}


def build(name, rng):
    sp = SPECS[name]
    S, N, I, H = sp["seq"], sp["batch"], sp["inp"], sp["hidden"]
    D = 2 if sp["direction"] == "bidirectional" else 1
    inits, inputs, feeds = [], [], []

    def init(n, a):
        inits.append(numpy_helper.from_array(np.asarray(a), n))
        return n

    def graph_input(n, a):
        inputs.append(helper.make_tensor_value_info(n, helper.np_dtype_to_tensor_dtype(a.dtype), list(a.shape)))
        feeds.append(a)
        return n

    x = rng.standard_normal((S, N, I)).astype(np.float32)
    lens = np.array(sp["lens"], np.int32) if sp["lens"] else None
    if lens is not None:
        for b, n in enumerate(lens):
            x[n:, b] = 0
    names = [graph_input("X", x)]
    quant = []  # W_scale, W_zero_point, R_scale, R_zero_point: the last four inputs
    for key, rows in (("W", I), ("R", H)):
        codes, scale, zp = quantize((rng.standard_normal((D, rows, 4 * H)) * 0.4).astype(np.float32),
                                    *sp[key.lower()])
        names.append(init(key, codes))
        quant += [init(key + "_scale", scale), init(key + "_zero_point", zp)]
    names.append(init("B", (rng.standard_normal((D, 8 * H)) * 0.2).astype(np.float32)) if sp["bias"] else "")
    names.append(graph_input("sequence_lens", lens) if lens is not None else "")
    if sp["states"]:
        names.append(graph_input("initial_h", (rng.standard_normal((D, N, H)) * 0.5).astype(np.float32)))
        names.append(graph_input("initial_c", (rng.standard_normal((D, N, H)) * 0.5).astype(np.float32)))
    else:
        names += ["", ""]
    names.append(init("P", (rng.standard_normal((D, 3 * H)) * 0.3).astype(np.float32)) if sp["peep"] else "")
    names += quant
    outs = ["Y" if sp["y"] else "", "Y_h", "Y_c"]
    node = helper.make_node("DynamicQuantizeLSTM", names, outs, domain="com.microsoft", name=name,
                            direction=sp["direction"], hidden_size=H, **sp["attrs"])
    out_shapes = {"Y": [S, D, N, H], "Y_h": [D, N, H], "Y_c": [D, N, H]}
    outputs = [helper.make_tensor_value_info(o, TensorProto.FLOAT, out_shapes[o]) for o in outs if o]
    graph = helper.make_graph([node], name, inputs, outputs, inits)
    opsets = [helper.make_opsetid("", 14), helper.make_opsetid("com.microsoft", 1)]
    model = helper.make_model(graph, opset_imports=opsets, producer_name="make_dqlstm_models")
    model.ir_version = 8
    return model, feeds


def write(name, out_root: Path) -> None:
    import onnxruntime as ort

    rng = np.random.default_rng(sum(map(ord, name)))
    model, feeds = build(name, rng)
    d = out_root / name
    ds = d / "test_data_set_0"
    ds.mkdir(parents=True, exist_ok=True)
    onnx.save(model, d / "model.onnx")
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    sess = ort.InferenceSession(model.SerializeToString(), opts, providers=["CPUExecutionProvider"])
    names = [i.name for i in sess.get_inputs()]
    outs = sess.run(None, dict(zip(names, feeds)))
    for i, (n, x) in enumerate(zip(names, feeds)):
        (ds / f"input_{i}.pb").write_bytes(numpy_helper.from_array(x, n).SerializeToString())
    for i, (o, y) in enumerate(zip(sess.get_outputs(), outs)):
        (ds / f"output_{i}.pb").write_bytes(numpy_helper.from_array(y, o.name).SerializeToString())
    print(f"{name}: {d}")


if __name__ == "__main__":
    sys.exit(model_cli.main(__doc__, SPECS, write, sys.argv[1:]))
