#!/usr/bin/env python3
"""Generate the test networks of the optimizer passes under tests/models/.

Each holds the patterns that fold-pad, matmul-add-gemm, transpose and
fold-bn rewrite, next to look-alikes they must leave alone, so that the
models suite compares the rewritten graph (-O1) and the plain one (-O0)
with onnxruntime. Built with onnx.helper (opset 13), seeded random
weights; expected outputs from onnxruntime; laid out like ONNX's backend
test data (NAME/model.onnx, NAME/test_data_set_0/*.pb).

Networks:
  pass_pad_conv   Pad (zeros, asymmetric) -> Conv with pads of its own ->
                  Relu -> Pad -> AveragePool(count_include_pad=1), folded;
                  Pad (0.5) -> Conv and Pad -> MaxPool, left.
  pass_linear_bn  MatMul + bias (both operand orders) -> Relu, MatMul +
                  bias -> BatchNormalization (a Gemm, then folded),
                  Transpose -> Sigmoid -> Transpose (cancelled), and
                  MatMul(Transpose(u), u) (a Gemm with transA). The
                  batch dim varies (dims.txt; three data sets).
  pass_convt_bn   grouped ConvTranspose -> BatchNormalization -> Relu
                  (folded), and an NHWC round trip Transpose -> Relu ->
                  Div by a scalar -> Transpose -> Add (cancelled).
  pass_se_block   Conv -> a squeeze-excitation gate (GlobalAveragePool ->
                  1x1 Conv -> Relu -> 1x1 Conv -> Sigmoid) -> Mul by the
                  gate -> 1x1 Conv and (the other operand order) -> 3x3
                  stride-2 Conv, both fused (fuse-channel-scale); a Mul by
                  a per-pixel tensor -> Conv, left. Batch 2: a gate per
                  image.
  plan_concat     the memory planner's Concat in place (not a pass: the
                  plan has no -O0 form of its own): a fire module (two
                  Convs written into their Concat's halves), densenet's
                  Concat(x0, x1) then Concat(x0, x1, x2) (the first a
                  front part of the second), a Concat that is a graph
                  output of a graph input (copied) and a Conv output
                  (in place in the caller's buffer, read again after),
                  and one along H (not contiguous: copied).

Regenerate from the repository root with

    .venv/bin/python tests/models/make_pass_models.py [--only NAME]
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

OPSET = 13


def _f(name, array):
    return numpy_helper.from_array(np.asarray(array, dtype=np.float32), name)


def _i(name, values):
    return numpy_helper.from_array(np.asarray(values, dtype=np.int64), name)


def _vi(name, shape):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)


def _bn(rng, prefix, c):
    return [_f(prefix + "_scale", rng.uniform(0.5, 1.5, c)), _f(prefix + "_b", rng.standard_normal(c) * 0.1),
            _f(prefix + "_mean", rng.standard_normal(c) * 0.1), _f(prefix + "_var", rng.uniform(0.5, 2.0, c))]


def pass_pad_conv(rng):
    inits = [_f("w1", rng.standard_normal((4, 3, 3, 3)) * 0.3), _f("b1", rng.standard_normal(4) * 0.1),
             _f("w2", rng.standard_normal((2, 4, 3, 3)) * 0.3),
             _i("pads1", [0, 0, 1, 2, 0, 0, 2, 1]), _i("pads2", [0, 0, 1, 1, 0, 0, 1, 1]),
             _i("pads3", [0, 0, 0, 1, 0, 0, 1, 0]),
             _f("half", np.array(0.5))]
    nodes = [
        helper.make_node("Pad", ["x", "pads1"], ["p1"]),
        helper.make_node("Conv", ["p1", "w1", "b1"], ["c1"], pads=[1, 0, 1, 0]),
        helper.make_node("Relu", ["c1"], ["r1"]),
        helper.make_node("Pad", ["r1", "pads2"], ["p2"]),
        helper.make_node("AveragePool", ["p2"], ["a1"], kernel_shape=[3, 3], count_include_pad=1),
        helper.make_node("Pad", ["a1", "pads2", "half"], ["p3"]),
        helper.make_node("Conv", ["p3", "w2"], ["y"]),
        helper.make_node("Pad", ["r1", "pads3"], ["p4"]),
        helper.make_node("MaxPool", ["p4"], ["m"], kernel_shape=[2, 2], strides=[2, 2]),
    ]
    graph = helper.make_graph(nodes, "pass_pad_conv", [_vi("x", [1, 3, 8, 8])], [_vi("y", None), _vi("m", None)],
                              inits)
    return graph, [[rng.standard_normal((1, 3, 8, 8)).astype(np.float32)]]


def pass_linear_bn(rng):
    inits = [_f("w1", rng.standard_normal((16, 8)) * 0.3), _f("b1", rng.standard_normal(8) * 0.1),
             _f("w2", rng.standard_normal((8, 8)) * 0.3), _f("b2", rng.standard_normal((1, 8)) * 0.1)]
    inits += _bn(rng, "bn", 8)
    nodes = [
        helper.make_node("MatMul", ["x", "w1"], ["m1"]),
        helper.make_node("Add", ["m1", "b1"], ["a1"]),
        helper.make_node("Relu", ["a1"], ["r1"]),
        helper.make_node("MatMul", ["r1", "w2"], ["m2"]),
        helper.make_node("Add", ["b2", "m2"], ["a2"]),
        helper.make_node("BatchNormalization", ["a2", "bn_scale", "bn_b", "bn_mean", "bn_var"], ["n2"]),
        helper.make_node("Transpose", ["n2"], ["t1"], perm=[1, 0]),
        helper.make_node("Sigmoid", ["t1"], ["s1"]),
        helper.make_node("Transpose", ["s1"], ["u"], perm=[1, 0]),
        helper.make_node("Transpose", ["u"], ["ut"], perm=[1, 0]),
        helper.make_node("MatMul", ["ut", "u"], ["g"]),
    ]
    graph = helper.make_graph(nodes, "pass_linear_bn", [_vi("x", ["batch", 16])], [_vi("u", None), _vi("g", None)],
                              inits)
    return graph, [[rng.standard_normal((b, 16)).astype(np.float32)] for b in (4, 1, 7)]


def pass_convt_bn(rng):
    inits = [_f("w", rng.standard_normal((4, 3, 3, 3)) * 0.3), _f("b", rng.standard_normal(6) * 0.1),
             _f("three", np.array([3.0]))]
    inits += _bn(rng, "bn", 6)
    nodes = [
        helper.make_node("ConvTranspose", ["x", "w", "b"], ["ct"], group=2, strides=[2, 2]),
        helper.make_node("BatchNormalization", ["ct", "bn_scale", "bn_b", "bn_mean", "bn_var"], ["n"]),
        helper.make_node("Relu", ["n"], ["y"]),
        helper.make_node("Transpose", ["x"], ["nhwc"], perm=[0, 2, 3, 1]),
        helper.make_node("Relu", ["nhwc"], ["r"]),
        helper.make_node("Div", ["r", "three"], ["rs"]),
        helper.make_node("Transpose", ["rs"], ["nchw"], perm=[0, 3, 1, 2]),
        helper.make_node("Add", ["nchw", "x"], ["z"]),
    ]
    graph = helper.make_graph(nodes, "pass_convt_bn", [_vi("x", [1, 4, 5, 5])], [_vi("y", None), _vi("z", None)],
                              inits)
    return graph, [[rng.standard_normal((1, 4, 5, 5)).astype(np.float32)]]


def pass_se_block(rng):
    inits = [_f("w0", rng.standard_normal((16, 8, 3, 3)) * 0.2), _f("b0", rng.standard_normal(16) * 0.1),
             _f("wr", rng.standard_normal((4, 16, 1, 1)) * 0.4), _f("br", rng.standard_normal(4) * 0.1),
             _f("we", rng.standard_normal((16, 4, 1, 1)) * 0.4), _f("be", rng.standard_normal(16) * 0.1),
             _f("wp", rng.standard_normal((8, 16, 1, 1)) * 0.3), _f("bp", rng.standard_normal(8) * 0.1),
             _f("w3", rng.standard_normal((6, 16, 3, 3)) * 0.2),
             _f("wq", rng.standard_normal((5, 16, 1, 1)) * 0.3),
             _f("pix", rng.uniform(0.5, 1.5, (1, 16, 6, 6)))]
    nodes = [
        helper.make_node("Conv", ["x", "w0", "b0"], ["c0"], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c0"], ["h"]),
        helper.make_node("GlobalAveragePool", ["h"], ["sq"]),
        helper.make_node("Conv", ["sq", "wr", "br"], ["r"]),
        helper.make_node("Relu", ["r"], ["rr"]),
        helper.make_node("Conv", ["rr", "we", "be"], ["e"]),
        helper.make_node("Sigmoid", ["e"], ["gate"]),
        helper.make_node("Mul", ["h", "gate"], ["hs1"]),
        helper.make_node("Conv", ["hs1", "wp", "bp"], ["y1"]),
        helper.make_node("Mul", ["gate", "h"], ["hs2"]),
        helper.make_node("Conv", ["hs2", "w3"], ["y2"], pads=[1, 1, 1, 1], strides=[2, 2]),
        helper.make_node("Mul", ["h", "pix"], ["hp"]),
        helper.make_node("Conv", ["hp", "wq"], ["y3"]),
    ]
    graph = helper.make_graph(nodes, "pass_se_block", [_vi("x", [2, 8, 6, 6])],
                              [_vi("y1", None), _vi("y2", None), _vi("y3", None)], inits)
    return graph, [[rng.standard_normal((2, 8, 6, 6)).astype(np.float32)]]
def plan_concat(rng):
    def conv(name, cin, cout, k):
        return [_f(name, rng.standard_normal((cout, cin, k, k)) * 0.3), _f(name + "_b", rng.standard_normal(cout) * 0.1)]

    inits = conv("ws", 4, 4, 1) + conv("we1", 4, 8, 1) + conv("we3", 4, 8, 3) + conv("w0", 16, 4, 1)
    inits += conv("w1", 4, 4, 3) + conv("w2", 8, 4, 3) + conv("wt", 12, 4, 1) + _bn(rng, "bn", 8)
    nodes = [
        helper.make_node("Conv", ["x", "ws", "ws_b"], ["s"]),
        helper.make_node("Relu", ["s"], ["sr"]),
        helper.make_node("Conv", ["sr", "we1", "we1_b"], ["e1"]),
        helper.make_node("Relu", ["e1"], ["e1r"]),
        helper.make_node("Conv", ["sr", "we3", "we3_b"], ["e3"], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["e3"], ["e3r"]),
        helper.make_node("Concat", ["e1r", "e3r"], ["fire"], axis=1),
        helper.make_node("MaxPool", ["fire"], ["fire_out"], kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Conv", ["fire", "w0", "w0_b"], ["x0"]),
        helper.make_node("Relu", ["x0"], ["x0r"]),
        helper.make_node("Conv", ["x0r", "w1", "w1_b"], ["x1"], pads=[1, 1, 1, 1]),
        helper.make_node("Concat", ["x0", "x1"], ["c1"], axis=1),
        helper.make_node("BatchNormalization", ["c1", "bn_scale", "bn_b", "bn_mean", "bn_var"], ["n1"]),
        helper.make_node("Relu", ["n1"], ["n1r"]),
        helper.make_node("Conv", ["n1r", "w2", "w2_b"], ["x2"], pads=[1, 1, 1, 1]),
        helper.make_node("Concat", ["x0", "x1", "x2"], ["c2"], axis=1),
        helper.make_node("Relu", ["c2"], ["c2r"]),
        helper.make_node("Conv", ["c2r", "wt", "wt_b"], ["tail"]),
        helper.make_node("Concat", ["x", "tail"], ["p"], axis=1),
        helper.make_node("Sigmoid", ["tail"], ["u"]),
        helper.make_node("Concat", ["x0", "x1"], ["hcat"], axis=2),
    ]
    graph = helper.make_graph(nodes, "plan_concat", [_vi("x", [1, 4, 6, 6])],
                              [_vi(n, None) for n in ("fire_out", "p", "u", "hcat")], inits)
    return graph, [[rng.standard_normal((1, 4, 6, 6)).astype(np.float32)]]


# --dim ranges for tests/models/check_symbolic.py
DIMS = {"pass_linear_bn": "batch=1..8"}

MODELS = {"pass_pad_conv": pass_pad_conv, "pass_linear_bn": pass_linear_bn, "pass_convt_bn": pass_convt_bn,
          "pass_se_block": pass_se_block, "plan_concat": plan_concat}


def write(name, out_root: Path) -> None:
    rng = np.random.default_rng(sum(map(ord, name)))
    graph, input_sets = MODELS[name](rng)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="make_pass_models")
    model.ir_version = 8
    model = onnx.shape_inference.infer_shapes(model)
    model_cli.save_with_ort_sets(model, name, input_sets, out_root, DIMS.get(name))


if __name__ == "__main__":
    sys.exit(model_cli.main(__doc__, MODELS, write, sys.argv[1:]))
