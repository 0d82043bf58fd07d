"""The one-node models of ONNX Runtime's com.microsoft quantized ops that
tests/models/check_msquant.py runs against ONNX Runtime, built here without
ONNX Runtime so that scripts/gen_op_dtypes.py can read their types too."""
from __future__ import annotations

import numpy as np
from onnx import TensorProto, helper

MS = "com.microsoft"
RNG = np.random.default_rng(7)
NP_TO_ONNX = {np.dtype(np.uint8): TensorProto.UINT8, np.dtype(np.int8): TensorProto.INT8,
              np.dtype(np.float32): TensorProto.FLOAT, np.dtype(np.int32): TensorProto.INT32}


def q(shape, dt):
    info = np.iinfo(dt)
    return RNG.integers(info.min, info.max + 1, size=shape).astype(dt)


def scalar(v, dt):
    return np.array(v, dtype=dt)


def model(op, inputs, attrs, out_dtype):
    """A one-node model: every array of `inputs` is a graph input (None
    leaves the slot empty)."""
    names, vis, feeds = [], [], {}
    for k, a in enumerate(inputs):
        if a is None:
            names.append("")
            continue
        name = "in%d" % k
        names.append(name)
        vis.append(helper.make_tensor_value_info(name, NP_TO_ONNX[a.dtype], list(a.shape)))
        feeds[name] = a
    node = helper.make_node(op, names, ["y"], domain=MS, **attrs)
    graph = helper.make_graph([node], op, vis, [helper.make_tensor_value_info("y", NP_TO_ONNX[np.dtype(out_dtype)], None)])
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid(MS, 1)])
    return m, feeds


def cases():
    """(name, model, feeds, tolerance: 0 exact, 1 one step, 'f' float)."""
    for dt in (np.uint8, np.int8):
        t = np.dtype(dt).name
        zp = (lambda v: scalar(v, dt))
        a, b = q((2, 3, 4), dt), q((3, 1), dt)
        for op in ("QLinearAdd", "QLinearMul"):
            ins = [a, scalar(0.05, np.float32), zp(3), b, scalar(0.07, np.float32), zp(-2 if dt == np.int8 else 9),
                   scalar(0.11 if op == "QLinearAdd" else 0.6, np.float32), zp(5)]
            yield "%s_%s_bcast" % (op, t), *model(op, ins, {}, dt), 1
        x = q((2, 5, 3), dt)
        ins = [x, scalar(0.04, np.float32), zp(4), scalar(1 / 256, np.float32), zp(0 if dt == np.uint8 else -128)]
        yield "QLinearSigmoid_%s" % t, *model("QLinearSigmoid", ins, {}, dt), 1
        ins = [x, scalar(0.04, np.float32), zp(4), scalar(0.03, np.float32), zp(7)]
        yield "QLinearLeakyRelu_%s" % t, *model("QLinearLeakyRelu", ins, {"alpha": 0.1}, dt), 1
        for last in (0, 1):
            x = q((2, 3, 4, 5), dt)
            ins = [x, scalar(0.05, np.float32), zp(3), scalar(0.02, np.float32), zp(6)]
            yield "QLinearGlobalAveragePool_%s_last%d" % (t, last), *model(
                "QLinearGlobalAveragePool", ins, {"channels_last": last}, dt), 0
        x1, x2 = q((2, 3, 2), dt), q((2, 1, 2), dt)
        ins = [scalar(0.05, np.float32), zp(3), x1, scalar(0.05, np.float32), zp(3), x2, scalar(0.09, np.float32),
               zp(-1 if dt == np.int8 else 1)]
        yield "QLinearConcat_%s" % t, *model("QLinearConcat", ins, {"axis": 1}, dt), 0
    for at, bt in ((np.uint8, np.int8), (np.uint8, np.uint8), (np.int8, np.int8)):
        t = "%s_%s" % (np.dtype(at).name, np.dtype(bt).name)
        for ta, tb, percol, bias, quant in ((0, 0, 0, 0, 1), (1, 1, 1, 1, 1), (0, 1, 1, 1, 0), (0, 0, 0, 1, 0)):
            a = q((4, 6) if not ta else (6, 4), at)
            b = q((6, 5) if not tb else (5, 6), bt)
            bs = np.linspace(0.01, 0.05, 5).astype(np.float32) if percol else scalar(0.02, np.float32)
            bz = np.arange(5).astype(bt) if percol else scalar(1, bt)
            c = q((5,), np.int32) if bias else None
            if c is not None:
                c = (c % 2000).astype(np.int32)
            ins = [a, scalar(0.03, np.float32), scalar(2, at), b, bs, bz, c]
            if quant:
                ins += [scalar(0.5, np.float32), scalar(4, at)]
            name = "QGemm_%s_t%d%d_col%d_c%d_q%d" % (t, ta, tb, percol, bias, quant)
            yield name, *model("QGemm", ins, {"transA": ta, "transB": tb, "alpha": 0.75},
                               at if quant else np.float32), 0 if quant else "f"
        for percol in (0, 1):
            a, b = q((2, 3, 6), at), q((6, 5), bt)
            bs = np.linspace(0.01, 0.05, 5).astype(np.float32) if percol else scalar(0.02, np.float32)
            bz = np.arange(5).astype(bt) if percol else scalar(1, bt)
            bias = RNG.standard_normal(5).astype(np.float32)
            ins = [a, b, scalar(0.03, np.float32), bs, scalar(2, at), bz, bias]
            yield "MatMulIntegerToFloat_%s_col%d" % (t, percol), *model("MatMulIntegerToFloat", ins, {},
                                                                         np.float32), "f"
        if at == np.uint8:
            a = RNG.standard_normal((3, 6)).astype(np.float32)
            ins = [a, q((6, 5), bt), scalar(0.02, np.float32), scalar(1, bt), RNG.standard_normal(5).astype(np.float32)]
            yield "DynamicQuantizeMatMul_%s" % np.dtype(bt).name, *model("DynamicQuantizeMatMul", ins, {},
                                                                          np.float32), "f"
