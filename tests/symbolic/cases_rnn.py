"""RNN, GRU and LSTM against onnxruntime, fixed shapes: constant weights
(the compiler stores them transposed, kernels/rnn.h) and weights given as
graph inputs (the kernel reads ONNX's layout), with the attributes that
change the cell: clip, peepholes, input_forget, linear_before_reset,
directions, sequence_lens and initial states. (onnxruntime 1.20 has no
batch-first layout; the conformance tests cover layout 1.)"""
import numpy as np
from onnx import TensorProto as T, helper as h, numpy_helper as nh

from check import Case, model, vi

SEQ, BATCH, INPUT, HIDDEN = 7, 3, 5, 6
GATES = {"RNN": 1, "GRU": 3, "LSTM": 4}


def rnn_model(op, dirs=1, weights_as_inputs=False, peepholes=False, lens=False, initial=False, layout=0,
              opset=14, **attrs):
    rng = np.random.default_rng(len(op) * 7 + dirs)
    g = GATES[op]
    direction = {1: "forward", 2: "bidirectional"}[dirs] if "direction" not in attrs else attrs.pop("direction")
    consts = {
        "W": rng.uniform(-0.6, 0.6, (dirs, g * HIDDEN, INPUT)).astype(np.float32),
        "R": rng.uniform(-0.6, 0.6, (dirs, g * HIDDEN, HIDDEN)).astype(np.float32),
        "B": rng.uniform(-0.3, 0.3, (dirs, 2 * g * HIDDEN)).astype(np.float32),
    }
    names = ["X", "W", "R", "B", "", "", "", ""][:8 if op == "LSTM" else 6]
    inputs = [vi("X", [BATCH, SEQ, INPUT] if layout else [SEQ, BATCH, INPUT])]
    inits = []
    for k in ("W", "R", "B"):
        if weights_as_inputs and k != "B":
            inputs.append(vi(k, list(consts[k].shape)))
        else:
            inits.append(nh.from_array(consts[k], k))
    if lens:
        names[4] = "lens"
        inits.append(nh.from_array(np.array([SEQ, 3, 1][:BATCH], np.int32), "lens"))
    if initial:
        state = [BATCH, dirs, HIDDEN] if layout else [dirs, BATCH, HIDDEN]
        names[5] = "h0"
        inputs.append(vi("h0", state))
        if op == "LSTM":
            names[6] = "c0"
            inputs.append(vi("c0", state))
    if peepholes:
        names[7] = "P"
        inits.append(nh.from_array(rng.uniform(-0.5, 0.5, (dirs, 3 * HIDDEN)).astype(np.float32), "P"))
    while names and names[-1] == "":
        names.pop()
    outs = ["Y", "Y_h"] + (["Y_c"] if op == "LSTM" else [])
    node = h.make_node(op, names, outs, hidden_size=HIDDEN, direction=direction,
                       **({"layout": layout} if layout else {}), **attrs)
    y = [BATCH, SEQ, dirs, HIDDEN] if layout else [SEQ, dirs, BATCH, HIDDEN]
    st = [BATCH, dirs, HIDDEN] if layout else [dirs, BATCH, HIDDEN]
    return model([node], inputs, [vi(o, y if o == "Y" else st) for o in outs], inits, opset)


def case(name, op, **kw):
    return Case(name, lambda: rnn_model(op, **kw), {}, [{}])


CASES = [
    case("rnn_forward", "RNN"),
    case("rnn_bidirectional_lens", "RNN", dirs=2, lens=True),
    case("gru_forward", "GRU"),
    case("gru_linear_before_reset", "GRU", linear_before_reset=1, initial=True),
    case("gru_reverse_runtime_weights", "GRU", direction="reverse", weights_as_inputs=True, linear_before_reset=1),
    case("lstm_forward", "LSTM"),
    case("lstm_peepholes_clip", "LSTM", peepholes=True, clip=0.7),
    case("lstm_input_forget_initial", "LSTM", input_forget=1, initial=True),
    case("lstm_bidirectional_lens", "LSTM", dirs=2, lens=True),
    case("lstm_runtime_weights_peepholes", "LSTM", weights_as_inputs=True, peepholes=True, clip=0.5),
]
