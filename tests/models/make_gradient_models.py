#!/usr/bin/env python3
"""Generate the Gradient (ai.onnx.preview.training) test networks under tests/models/.

ONNX Runtime has no Gradient kernel, so the expected gradients come from
numpy in float64: hand-written backpropagation for grad_mlp, checked here
against central differences, and central differences for grad_ops. The
layout is ONNX's backend test data (NAME/model.onnx,
NAME/test_data_set_N/*.pb); run them with
`tests/conformance/run.py --suite models`.

Networks:
  grad_mlp   A tiny MLP and a loss: h = Relu(Gemm(x, W1, b1)),
             o = Sigmoid(Gemm(h, W2, b2, transB=1)),
             loss = ReduceMean(Pow(o - t, 2)) (a scalar, opset 17: axes as
             an attribute). Outputs loss and the gradients of loss with
             respect to the weights W1, b1, W2, b2 (initializers); x and t
             are the zs.
  grad_ops   Most other rules on one graph (opset 13: ReduceSum's axes as
             an input): Mul broadcasting w [3] over x [2, 3], Tanh, Exp,
             Div, Sqrt, Log, Neg, Sub, Pow with a constant exponent, s read
             by three nodes (its gradients summed), Reshape, MatMul of a
             [1, 2, 3] by a [3, 4], Transpose, Identity, and a y of shape
             [1, 4] (the seed is all ones: the gradient of y's sum). u is
             an x y does not depend on: its gradient is zeros.

The files are committed; regenerate from the repository root with

    .venv/bin/python tests/models/make_gradient_models.py [--only NAME]
"""

from __future__ import annotations

import sys
from pathlib import Path

import repo_venv  # noqa: E402

repo_venv.ensure(("numpy", "onnx"), __file__)

import numpy as np  # noqa: E402
import onnx  # noqa: E402
from onnx import TensorProto, helper, numpy_helper  # noqa: E402
import model_cli  # noqa: E402

TRAINING = "ai.onnx.preview.training"


def _vi(name, shape):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)


def _init(name, array):
    return numpy_helper.from_array(np.asarray(array, dtype=np.float32), name)


def central_differences(f, params, which, h=1e-6):
    """d sum(f(params)) / d params[which], element by element, in float64."""
    p = [np.array(a, dtype=np.float64) for a in params]
    grad = np.zeros_like(p[which])
    flat = p[which].reshape(-1)
    for i in range(flat.size):
        keep = flat[i]
        flat[i] = keep + h
        up = np.sum(f(*p))
        flat[i] = keep - h
        down = np.sum(f(*p))
        flat[i] = keep
        grad.reshape(-1)[i] = (up - down) / (2 * h)
    return grad


def _sigmoid(v):
    return 1 / (1 + np.exp(-v))


def mlp_forward(x, t, w1, b1, w2, b2):
    h = np.maximum(x @ w1 + b1, 0)
    o = _sigmoid(h @ w2.T + b2)
    return np.mean((o - t) ** 2)


def mlp_backprop(x, t, w1, b1, w2, b2):
    """The gradients of mlp_forward's loss, by hand."""
    pre = x @ w1 + b1
    h = np.maximum(pre, 0)
    o = _sigmoid(h @ w2.T + b2)
    d_o = 2 * (o - t) / o.size
    d_z2 = d_o * o * (1 - o)
    d_w2 = d_z2.T @ h  # W2 is [out, hidden] (transB=1)
    d_b2 = d_z2.sum(axis=0)
    d_h = d_z2 @ w2
    d_pre = d_h * (pre > 0)
    return [x.T @ d_pre, d_pre.sum(axis=0), d_w2, d_b2]


def grad_mlp(rng):
    x = rng.standard_normal((4, 3))
    t = rng.uniform(0, 1, (4, 2))
    w1 = rng.standard_normal((3, 5)) * 0.7
    b1 = rng.standard_normal(5) * 0.1
    w2 = rng.standard_normal((2, 5)) * 0.7
    b2 = rng.standard_normal(2) * 0.1
    ws = [w1, b1, w2, b2]
    w32 = [np.float32(w).astype(np.float64) for w in ws]
    x32, t32 = (np.float32(a).astype(np.float64) for a in (x, t))
    grads = mlp_backprop(x32, t32, *w32)
    for k, g in enumerate(grads):
        num = central_differences(mlp_forward, [x32, t32] + w32, 2 + k)
        assert np.allclose(g, num, rtol=1e-5, atol=1e-7), (k, g, num)
    nodes = [
        helper.make_node("Gemm", ["x", "W1", "b1"], ["z1"]),
        helper.make_node("Relu", ["z1"], ["h"]),
        helper.make_node("Gemm", ["h", "W2", "b2"], ["z2"], transB=1),
        helper.make_node("Sigmoid", ["z2"], ["o"]),
        helper.make_node("Sub", ["o", "t"], ["e"]),
        helper.make_node("Pow", ["e", "two"], ["e2"]),
        helper.make_node("ReduceMean", ["e2"], ["loss"], keepdims=0),
        helper.make_node("Gradient", ["W1", "b1", "W2", "b2", "x", "t"], ["dW1", "db1", "dW2", "db2"],
                         domain=TRAINING, xs=["W1", "b1", "W2", "b2"], zs=["x", "t"], y="loss"),
    ]
    names = ["W1", "b1", "W2", "b2"]
    graph = helper.make_graph(
        nodes, "grad_mlp", [_vi("x", [4, 3]), _vi("t", [4, 2])],
        [_vi("loss", [])] + [_vi("d" + n, list(w.shape)) for n, w in zip(names, ws)],
        [_init(n, w) for n, w in zip(names, ws)] + [_init("two", 2.0)])
    outputs = [mlp_forward(x32, t32, *w32)] + grads
    return graph, 17, [x, t], outputs


def ops_forward(x, w, m, u):
    s = x * x + 1
    b = np.exp(np.tanh(x) * w) / np.sqrt(s)
    c = np.log(s) - (-b) + 0.1 * s ** 1.5
    f = c.reshape(1, 2, 3) @ m
    return np.sum(np.transpose(_sigmoid(f), (0, 2, 1)), axis=2)


def grad_ops(rng):
    x = rng.standard_normal((2, 3))
    w = rng.standard_normal(3)
    m = rng.standard_normal((3, 4)) * 0.5
    u = rng.standard_normal(2)
    ps = [np.float32(a).astype(np.float64) for a in (x, w, m, u)]
    nodes = [
        helper.make_node("Mul", ["x", "x"], ["xx"]),
        helper.make_node("Add", ["xx", "one"], ["s"]),
        helper.make_node("Tanh", ["x"], ["tx"]),
        helper.make_node("Mul", ["tx", "w"], ["a"]),
        helper.make_node("Exp", ["a"], ["ea"]),
        helper.make_node("Sqrt", ["s"], ["rs"]),
        helper.make_node("Div", ["ea", "rs"], ["b"]),
        helper.make_node("Log", ["s"], ["ls"]),
        helper.make_node("Neg", ["b"], ["nb"]),
        helper.make_node("Sub", ["ls", "nb"], ["c0"]),
        helper.make_node("Pow", ["s", "p15"], ["sp"]),
        helper.make_node("Mul", ["sp", "tenth"], ["sp1"]),
        helper.make_node("Add", ["c0", "sp1"], ["c"]),
        helper.make_node("Reshape", ["c", "shape123"], ["e"]),
        helper.make_node("MatMul", ["e", "M"], ["f"]),
        helper.make_node("Sigmoid", ["f"], ["g"]),
        helper.make_node("Identity", ["g"], ["gi"]),
        helper.make_node("Transpose", ["gi"], ["gt"], perm=[0, 2, 1]),
        helper.make_node("ReduceSum", ["gt", "axis2"], ["y"], keepdims=0),
        helper.make_node("Gradient", ["x", "w", "M", "u"], ["dx", "dw", "dM", "du"],
                         domain=TRAINING, xs=["x", "w", "M", "u"], y="y"),
    ]
    inits = [_init("one", 1.0), _init("p15", 1.5), _init("tenth", 0.1),
             numpy_helper.from_array(np.array([1, 2, 3], dtype=np.int64), "shape123"),
             numpy_helper.from_array(np.array([2], dtype=np.int64), "axis2")]
    graph = helper.make_graph(
        nodes, "grad_ops", [_vi("x", [2, 3]), _vi("w", [3]), _vi("M", [3, 4]), _vi("u", [2])],
        [_vi("y", [1, 4]), _vi("dx", [2, 3]), _vi("dw", [3]), _vi("dM", [3, 4]), _vi("du", [2])], inits)
    grads = [central_differences(ops_forward, ps, k) for k in range(4)]
    assert not grads[3].any()
    return graph, 13, [x, w, m, u], [ops_forward(*ps)] + grads


MODELS = {"grad_mlp": grad_mlp, "grad_ops": grad_ops}


def write(name, out_root: Path) -> None:
    rng = np.random.default_rng(sum(map(ord, name)))
    graph, opset, inputs, outputs = MODELS[name](rng)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset), helper.make_opsetid(TRAINING, 1)],
                              producer_name="make_gradient_models")
    model.ir_version = 8
    onnx.checker.check_model(model)
    d = out_root / name
    ds = d / "test_data_set_0"
    ds.mkdir(parents=True, exist_ok=True)
    onnx.save(model, d / "model.onnx")
    for i, (vi, x) in enumerate(zip(graph.input, inputs)):
        (ds / f"input_{i}.pb").write_bytes(numpy_helper.from_array(np.float32(x), vi.name).SerializeToString())
    for i, (vi, y) in enumerate(zip(graph.output, outputs)):
        y32 = np.asarray(y, dtype=np.float32)
        (ds / f"output_{i}.pb").write_bytes(numpy_helper.from_array(y32, vi.name).SerializeToString())
    print(f"{name}: 1 data set in {d}")


if __name__ == "__main__":
    sys.exit(model_cli.main(__doc__, MODELS, write, sys.argv[1:]))
