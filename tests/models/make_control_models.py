#!/usr/bin/env python3
"""Generate the control-flow test networks under tests/models/.

PyTorch's exporter only emits If/Loop from scripted code, so these are
built directly with onnx.helper (opset 13), with seeded random weights. As
for make_models.py, expected outputs come from onnxruntime and the layout is
ONNX's backend test data (NAME/model.onnx, NAME/test_data_set_N/*.pb); run
them with `tests/conformance/run.py --suite models`.

Networks:
  if_score     A branch chosen by a computed score: s = sum(x @ w); if s > 0
               then relu(x @ A + a) else 2 * sigmoid(x @ B). The branches read
               outer weights (captures). Two data sets, one per branch.
  loop_rnn     Loop with a constant trip count (6) carrying h [1, 8]:
               h = tanh(h @ W + x @ U + 0.1 * iteration); x is an outer graph
               input read by the body. Outputs the last h and every h
               stacked (a scan output, [6, 1, 8]).
  scan_mix     Scan over two length-5 sequences of [3] (the second read in
               reverse) with a [3] state: state = 0.5 * state + a_t * b_t;
               outputs the final state and each step's state * w.

The files are committed; regenerate from the repository root with

    .venv/bin/python tests/models/make_control_models.py [--only NAME]
"""

from __future__ import annotations

import sys
from pathlib import Path

import repo_venv  # noqa: E402

repo_venv.ensure(("numpy", "onnx", "onnxruntime"), __file__)

import numpy as np  # noqa: E402
from onnx import TensorProto, helper, numpy_helper  # noqa: E402
import model_cli  # noqa: E402

OPSET = 13


def _init(name, array):
    return numpy_helper.from_array(np.asarray(array, dtype=np.float32), name)


def _vi(name, shape, elem=TensorProto.FLOAT):
    return helper.make_tensor_value_info(name, elem, shape)


def if_score(rng):
    w = rng.standard_normal((16, 1)).astype(np.float32)
    a = rng.standard_normal((16, 8)).astype(np.float32) * 0.5
    a_bias = rng.standard_normal((8,)).astype(np.float32) * 0.1
    b = rng.standard_normal((16, 8)).astype(np.float32) * 0.5
    then_g = helper.make_graph(
        [helper.make_node("MatMul", ["x", "A"], ["xa"]),
         helper.make_node("Add", ["xa", "a_bias"], ["xab"]),
         helper.make_node("Relu", ["xab"], ["then_y"])],
        "then_branch", [], [_vi("then_y", [1, 8])])
    else_g = helper.make_graph(
        [helper.make_node("MatMul", ["x", "B"], ["xb"]),
         helper.make_node("Sigmoid", ["xb"], ["sb"]),
         helper.make_node("Add", ["sb", "sb"], ["else_y"])],
        "else_branch", [], [_vi("else_y", [1, 8])])
    nodes = [
        helper.make_node("MatMul", ["x", "w"], ["xw"]),
        helper.make_node("ReduceSum", ["xw"], ["score"], keepdims=0),
        helper.make_node("Greater", ["score", "zero"], ["cond"]),
        helper.make_node("If", ["cond"], ["y"], then_branch=then_g, else_branch=else_g),
    ]
    graph = helper.make_graph(nodes, "if_score", [_vi("x", [1, 16])], [_vi("y", [1, 8])],
                              [_init("w", w), _init("A", a), _init("a_bias", a_bias), _init("B", b),
                               _init("zero", 0.0)])
    # one input for each branch
    inputs, want = [], [True, False]
    while want:
        x = rng.standard_normal((1, 16)).astype(np.float32)
        taken = float((x @ w).sum()) > 0
        if taken == want[0]:
            inputs.append([x])
            want.pop(0)
    return graph, inputs


def loop_rnn(rng):
    W = rng.standard_normal((8, 8)).astype(np.float32) * 0.4
    U = rng.standard_normal((4, 8)).astype(np.float32) * 0.4
    body = helper.make_graph(
        [helper.make_node("MatMul", ["h_in", "W"], ["hw"]),
         helper.make_node("MatMul", ["x", "U"], ["xu"]),
         helper.make_node("Add", ["hw", "xu"], ["pre"]),
         helper.make_node("Cast", ["iter"], ["iter_f"], to=TensorProto.FLOAT),
         helper.make_node("Mul", ["iter_f", "tenth"], ["bump"]),
         helper.make_node("Add", ["pre", "bump"], ["pre2"]),
         helper.make_node("Tanh", ["pre2"], ["h_out"]),
         helper.make_node("Identity", ["cond_in"], ["cond_out"]),
         helper.make_node("Identity", ["h_out"], ["h_scan"])],
        "body",
        [_vi("iter", [], TensorProto.INT64), _vi("cond_in", [], TensorProto.BOOL), _vi("h_in", [1, 8])],
        [_vi("cond_out", [], TensorProto.BOOL), _vi("h_out", [1, 8]), _vi("h_scan", [1, 8])])
    nodes = [helper.make_node("Loop", ["trips", "", "h0"], ["h_last", "h_all"], body=body)]
    graph = helper.make_graph(
        nodes, "loop_rnn", [_vi("x", [1, 4]), _vi("h0", [1, 8])], [_vi("h_last", [1, 8]), _vi("h_all", [6, 1, 8])],
        [_init("W", W), _init("U", U), _init("tenth", 0.1),
         numpy_helper.from_array(np.array(6, dtype=np.int64), "trips")])
    x = rng.standard_normal((1, 4)).astype(np.float32)
    h0 = rng.standard_normal((1, 8)).astype(np.float32) * 0.5
    return graph, [[x, h0]]


def scan_mix(rng):
    w = rng.standard_normal((3,)).astype(np.float32)
    body = helper.make_graph(
        [helper.make_node("Mul", ["s_in", "half"], ["s_half"]),
         helper.make_node("Mul", ["a_t", "b_t"], ["ab"]),
         helper.make_node("Add", ["s_half", "ab"], ["s_out"]),
         helper.make_node("Mul", ["s_out", "w"], ["y_t"])],
        "body", [_vi("s_in", [3]), _vi("a_t", [3]), _vi("b_t", [3])], [_vi("s_out", [3]), _vi("y_t", [3])])
    nodes = [helper.make_node("Scan", ["s0", "a", "b"], ["s_last", "ys"], body=body, num_scan_inputs=2,
                              scan_input_directions=[0, 1])]
    graph = helper.make_graph(
        nodes, "scan_mix", [_vi("s0", [3]), _vi("a", [5, 3]), _vi("b", [5, 3])],
        [_vi("s_last", [3]), _vi("ys", [5, 3])], [_init("w", w), _init("half", 0.5)])
    inputs = [rng.standard_normal((3,)).astype(np.float32), rng.standard_normal((5, 3)).astype(np.float32),
              rng.standard_normal((5, 3)).astype(np.float32)]
    return graph, [inputs]


MODELS = {"if_score": if_score, "loop_rnn": loop_rnn, "scan_mix": scan_mix}


def write(name, out_root: Path) -> None:
    rng = np.random.default_rng(sum(map(ord, name)))
    graph, input_sets = MODELS[name](rng)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="make_control_models")
    model.ir_version = 8
    model_cli.save_with_ort_sets(model, name, input_sets, out_root)


if __name__ == "__main__":
    sys.exit(model_cli.main(__doc__, MODELS, write, sys.argv[1:]))
