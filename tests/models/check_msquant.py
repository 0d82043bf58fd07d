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
from onnx import numpy_helper  # noqa: E402

from msquant_cases import RNG, cases  # noqa: E402


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
