#!/usr/bin/env python3
"""ONNX Runtime's com.microsoft quantized ops against ONNX Runtime itself.

Builds one-node models of QLinearAdd, QLinearMul, QLinearSigmoid,
QLinearLeakyRelu, QLinearGlobalAveragePool, QLinearConcat, QGemm,
MatMulIntegerToFloat and DynamicQuantizeMatMul (uint8 and int8, with
broadcasting, per-column scales, transposes, bias), and a small CNN that
ONNX Runtime's quantize_static writes in QOperator format, runs each with
onnxruntime and with `onnxcc run`, and compares: integer outputs must be
equal where msquant.h says ONNX Runtime's kernel is exact, else differ by
at most one quantization step; float outputs within 1e-5 relative to the
largest magnitude. Random data with a fixed seed. Also checks that
tests/models/qdq_cnn_fused (QDQ format) lowers to integer kernels
(`--dump-after=lower`: fuse-qdq), and prints its time on them next to the
same graph's float path (-O0), for a person to read.

    .venv/bin/python tests/models/check_msquant.py --onnxcc build/onnxcc

Closing line: N passed, M failed, 0 skipped (one test per model).
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import repo_venv  # noqa: E402

repo_venv.ensure(("numpy", "onnx", "onnxruntime"), __file__)

import numpy as np  # noqa: E402
import onnx  # noqa: E402
import onnxruntime as ort  # noqa: E402
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

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


def qoperator_cases():
    """make_qdq_model.py's CNN quantized in QOperator format (QLinearConv,
    QLinearAdd, QLinearMul, QLinearGlobalAveragePool, QGemm in the model
    itself), with uint8 and int8 activations."""
    import tempfile as tf

    from onnxruntime.quantization import QuantFormat, QuantType, quantize_static

    import make_qdq_model

    for at in (QuantType.QUInt8, QuantType.QInt8):
        with tf.TemporaryDirectory() as t:
            fp, qp = Path(t) / "f.onnx", Path(t) / "q.onnx"
            onnx.save(make_qdq_model.float_model(RNG), str(fp))
            quantize_static(str(fp), str(qp), make_qdq_model.Reader(RNG), quant_format=QuantFormat.QOperator,
                            activation_type=at, weight_type=QuantType.QInt8)
            m = onnx.load(str(qp))
        x = RNG.standard_normal(make_qdq_model.SHAPE).astype(np.float32)
        yield "qoperator_cnn_%s" % at.name, m, {"x": x}, "f"


def compare(got, want, tol):
    if got.shape != want.shape or got.dtype != want.dtype:
        return "got %s %s, expected %s %s" % (got.dtype, got.shape, want.dtype, want.shape)
    if tol == "f":
        err = float(np.max(np.abs(got - want))) if got.size else 0.0
        ok = err <= 1e-5 * max(1.0, float(np.max(np.abs(want))))
        return "" if ok else "max error %g" % err
    diff = int(np.max(np.abs(got.astype(np.int64) - want.astype(np.int64)))) if got.size else 0
    if diff > tol:
        return "differs by %d step(s) (allowed %d)" % (diff, tol)
    if diff:
        print("      %d of %d elements one step from ONNX Runtime's" % (int(np.sum(got != want)), got.size))
    return ""


def run_one(onnxcc, name, m, feeds, tol, tmp):
    d = tmp / name
    d.mkdir()
    onnx.save(m, str(d / "model.onnx"))
    want = ort.InferenceSession(m.SerializeToString(), providers=["CPUExecutionProvider"]).run(None, feeds)[0]
    files = []
    for k, (n, a) in enumerate(feeds.items()):
        t = numpy_helper.from_array(a, n)
        files.append(str(d / ("input_%d.pb" % k)))
        Path(files[-1]).write_bytes(t.SerializeToString())
    r = subprocess.run([onnxcc, "run", str(d / "model.onnx"), *files, "--output-dir", str(d), "--runs", "1",
                        "--warmup", "0"], capture_output=True, text=True)
    if r.returncode:
        return "onnxcc run failed: %s" % (r.stderr.strip().splitlines() or ["?"])[-1]
    got = numpy_helper.to_array(onnx.load_tensor(str(d / "output_0.pb")))
    return compare(got, want, tol)


def check_fused_kernels(onnxcc, tmp):
    """tests/models/qdq_cnn_fused (QDQ format) must lower to integer
    kernels only, from its input's QuantizeLinear to its output's
    DequantizeLinear: no float Conv, Gemm, Add, Mul or pooling remains."""
    model = Path(__file__).resolve().parent / "qdq_cnn_fused" / "model.onnx"
    r = subprocess.run([onnxcc, str(model), "-o", str(tmp / "fused.c"), "--dump-after=lower"], capture_output=True,
                       text=True)
    if r.returncode:
        return "onnxcc failed: %s" % r.stderr.strip()[-200:]
    kernels = [w for line in r.stderr.splitlines() for w in line.split() if w.startswith("rt_")]
    floats = [k for k in kernels if k.endswith("_f32") and not k.startswith(("rt_quantize", "rt_dequantize"))]
    for want in ("rt_qlinear_conv_", "rt_qladd_", "rt_qlmul_", "rt_qlgap_", "rt_qgemm_"):
        if not any(k.startswith(want) for k in kernels):
            return "no %s* kernel in %s" % (want, " ".join(kernels))
    return "float kernels left: %s" % " ".join(floats) if floats else ""


def median_ms(onnxcc, model, inputs, opt):
    """`onnxcc run`'s median over 50 runs at -O opt (its JSON line)."""
    r = subprocess.run([onnxcc, "run", str(model), *map(str, inputs), "--runs", "50", "-O%d" % opt],
                       capture_output=True, text=True)
    if r.returncode:
        return None
    for line in r.stdout.splitlines() + r.stderr.splitlines():
        if '"median_ms"' in line:
            return json.loads(line)["median_ms"]
    return None


def print_times(onnxcc):
    """The QDQ CNN's time on integer kernels (-O1, fuse-qdq) next to the
    same graph computed in float (-O0: DequantizeLinear, float ops,
    QuantizeLinear). Printed for a person, not asserted: timings belong
    to benchmarks/, and these machines are shared."""
    d = Path(__file__).resolve().parent / "qdq_cnn_fused"
    inputs = sorted((d / "test_data_set_0").glob("input_*.pb"))
    fused, unfused = (median_ms(onnxcc, d / "model.onnx", inputs, o) for o in (1, 0))
    if fused is not None and unfused is not None:
        print("info  qdq_cnn_fused median over 50 runs: %.4f ms on integer kernels (-O1), %.4f ms in float (-O0)"
              % (fused, unfused))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--onnxcc", required=True)
    args = ap.parse_args()
    passed = failed = 0
    with tempfile.TemporaryDirectory() as t:
        for name, m, feeds, tol in [*cases(), *qoperator_cases()]:
            why = run_one(args.onnxcc, name, m, feeds, tol, Path(t))
            print("%s  %s%s" % ("ok  " if not why else "FAIL", name, ": " + why if why else ""))
            passed += not why
            failed += bool(why)
        why = check_fused_kernels(args.onnxcc, Path(t))
        print("%s  qdq_cnn_fused lowers to integer kernels%s" % ("ok  " if not why else "FAIL", ": " + why if why else ""))
        passed += not why
        failed += bool(why)
    print_times(args.onnxcc)
    print("%d passed, %d failed, 0 skipped" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
