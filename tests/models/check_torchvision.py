#!/usr/bin/env python3
"""Compile real torchvision networks with onnxcc and check them against
onnxruntime.

For each of resnet18, mobilenet_v2, squeezenet1_1 and efficientnet_b0:

  1. build it with torchvision (weights=None, torch.manual_seed(0)), give its
     BatchNorm layers real statistics (a few training-mode passes over
     random data; with the default mean 0 / var 1 the deeper nets shrink the
     signal to ~1e-14), switch to eval mode;
  2. export with torch.onnx.export(opset_version=13,
     training=TrainingMode.PRESERVE) so BatchNormalization nodes stay;
  3. run onnxruntime on a seeded random 1x3x224x224 input: the reference
     output comes from the unoptimised graph, the timing from a normally
     optimised session (1 intra-op thread by default, see --ort-threads);
  4. run `build/onnxcc run model.onnx input_0.pb --output-dir OUT --runs N
     --warmup W` and compare: max|onnxcc - ort| <= 1e-4 * max|ort|.

Files go to a temporary folder, or to --keep DIR in the layout of ONNX test
data (DIR/NAME/model.onnx, DIR/NAME/test_data_set_0/{input_0,output_0}.pb),
so tests/conformance/run.py-style tools can reuse them.

Prints a table (model, ops = nodes/distinct op types, max err, rel err,
verdict, onnxcc median ms from its JSON line, ORT median ms over the same
number of runs) and as last line "N passed, M failed"; exit status 1 when
M > 0. Without torch/torchvision it prints "SKIP: torch not available (...)"
and exits 0.

    .venv/bin/python tests/models/check_torchvision.py
    .venv/bin/python tests/models/check_torchvision.py --models resnet18 \\
        --keep /tmp/tv --runs 20
"""

from __future__ import annotations

import argparse
import io
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path


import repo_venv  # noqa: E402

repo_venv.ensure(("numpy", "onnx", "onnxruntime", "torch"), __file__)

import numpy as np  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[2]
MODELS = ["resnet18", "mobilenet_v2", "squeezenet1_1", "efficientnet_b0"]


def parse_args(argv):
    p = argparse.ArgumentParser(
        description="Check onnxcc on torchvision models against onnxruntime.")
    p.add_argument("--models", nargs="+", choices=MODELS, default=MODELS)
    p.add_argument("--onnxcc", type=Path,
                   default=REPO_ROOT / "build" / "onnxcc",
                   help="compiler binary (default build/onnxcc)")
    p.add_argument("--baseline", type=Path, metavar="ONNXCC",
                   help="another compiler binary (an older build) timed on the same "
                        "models in the same run: adds its median and the ratio")
    p.add_argument("--keep", type=Path, metavar="DIR",
                   help="write models and data here instead of a temp dir")
    p.add_argument("--runs", type=int, default=10,
                   help="timed runs for onnxcc and onnxruntime (default 10)")
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--seed", type=int, default=0,
                   help="seed for the input tensor (weights use 0)")
    p.add_argument("--tol", type=float, default=1e-4,
                   help="max|err| <= TOL * max|reference| (default 1e-4)")
    p.add_argument("--timeout", type=float, default=600,
                   help="seconds allowed for one onnxcc run (default 600)")
    p.add_argument("--ort-threads", type=int, default=1,
                   help="onnxruntime intra-op threads for the timing "
                        "(0 = onnxruntime's default; default 1)")
    return p.parse_args(argv)


# --------------------------------------------------------------------------

def build_model(torch, torchvision, name):
    torch.manual_seed(0)
    model = getattr(torchvision.models, name)(weights=None)
    norms = [m for m in model.modules()
             if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    for bn in norms:
        bn.reset_running_stats()
        bn.momentum = None  # plain average over the calibration batches
    model.train()
    with torch.no_grad():
        for _ in range(2):
            model(torch.randn(2, 3, 224, 224))
    return model.eval()


def export(torch, model, x, path: Path):
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, torch.from_numpy(x), buf, opset_version=13,
                          training=torch.onnx.TrainingMode.PRESERVE,
                          input_names=["input"], output_names=["output"])
    path.write_bytes(buf.getvalue())
    return buf.getvalue()


def ort_reference(ort, model_bytes, x, runs, warmup, threads):
    """(reference output, median ms of an optimised session)."""
    so = ort.SessionOptions()
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    ref_sess = ort.InferenceSession(model_bytes, so,
                                    providers=["CPUExecutionProvider"])
    ref = ref_sess.run(None, {"input": x})[0]
    del ref_sess

    so = ort.SessionOptions()
    if threads > 0:
        so.intra_op_num_threads = threads
    sess = ort.InferenceSession(model_bytes, so,
                                providers=["CPUExecutionProvider"])
    for _ in range(warmup):
        sess.run(None, {"input": x})
    times = []
    for _ in range(max(runs, 1)):
        t0 = time.perf_counter()
        sess.run(None, {"input": x})
        times.append((time.perf_counter() - t0) * 1e3)
    return ref, float(np.median(times))


def run_onnxcc(binary: Path, model: Path, inp: Path, out_dir: Path,
               args) -> tuple[str | None, dict | None]:
    """Run onnxcc; returns (error or None, parsed JSON summary)."""
    cmd = [str(binary), "run", str(model), str(inp), "--output-dir",
           str(out_dir), "--runs", str(args.runs), "--warmup",
           str(args.warmup)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        out, err = proc.communicate(timeout=args.timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        return f"crash: timeout after {args.timeout:g} s", None
    stderr = err.decode("utf-8", "replace")
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    msg = next((ln for ln in lines if ln.startswith("onnxcc: error:")),
               lines[0] if lines else "")
    msg = msg.replace("onnxcc: error:", "", 1).strip()
    if msg.startswith(f"{model}:"):
        msg = msg[len(str(model)) + 1:].strip()
    if proc.returncode < 0:
        try:
            sig = signal.Signals(-proc.returncode).name
        except ValueError:
            sig = f"signal {-proc.returncode}"
        return f"crash: {sig}" + (f" ({msg[:100]})" if msg else ""), None
    if proc.returncode != 0:
        return f"exit {proc.returncode}: {msg[:120]}", None
    last = [ln for ln in out.decode("utf-8", "replace").splitlines()
            if ln.strip()]
    try:
        summary = json.loads(last[-1])
    except (IndexError, ValueError):
        summary = None
    return None, summary if isinstance(summary, dict) else None


def main(argv):
    args = parse_args(argv)
    try:
        import torch
        import torchvision
    except Exception as exc:  # noqa: BLE001 - any import failure means skip
        print(f"SKIP: torch not available ({type(exc).__name__}: {exc})")
        return 0
    import onnx
    import onnxruntime as ort
    from onnx import numpy_helper

    binary = args.onnxcc if args.onnxcc.is_absolute() \
        else Path.cwd() / args.onnxcc
    have_binary = binary.is_file() and os.access(binary, os.X_OK)
    if not have_binary:
        print(f"onnxcc binary not found: {binary} (build it, or pass "
              f"--onnxcc); models are still exported and timed with "
              f"onnxruntime", flush=True)
    print(f"torch {torch.__version__}, torchvision {torchvision.__version__}, "
          f"onnx {onnx.__version__}, onnxruntime {ort.__version__}; "
          f"{args.runs} runs after {args.warmup} warm-up, ORT threads "
          f"{args.ort_threads or 'default'}", flush=True)
    torch.set_num_threads(max(1, os.cpu_count() or 1))

    tmp = None
    if args.keep:
        root = args.keep
        root.mkdir(parents=True, exist_ok=True)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="onnxcc-tv-")
        root = Path(tmp.name)

    rows, passed, failed = [], 0, 0
    try:
        for name in args.models:
            row = {"model": name, "ops": "-", "max": "-", "rel": "-",
                   "verdict": "", "cc_ms": "-", "ort_ms": "-", "base_ms": "-",
                   "ratio": "-"}
            rows.append(row)
            try:
                folder = root / name
                data = folder / "test_data_set_0"
                data.mkdir(parents=True, exist_ok=True)
                model = build_model(torch, torchvision, name)
                rng = np.random.default_rng(args.seed)
                x = rng.standard_normal((1, 3, 224, 224)).astype(np.float32)
                model_path = folder / "model.onnx"
                blob = export(torch, model, x, model_path)
                proto = onnx.load_from_string(blob)
                nodes = proto.graph.node
                row["ops"] = f"{len(nodes)}/{len({n.op_type for n in nodes})}"
                inp = data / "input_0.pb"
                inp.write_bytes(numpy_helper.from_array(x, "input")
                                .SerializeToString())
                ref, ort_ms = ort_reference(ort, blob, x, args.runs,
                                            args.warmup, args.ort_threads)
                row["ort_ms"] = f"{ort_ms:.2f}"
                (data / "output_0.pb").write_bytes(
                    numpy_helper.from_array(ref, "output").SerializeToString())
                with torch.no_grad():
                    t_out = model(torch.from_numpy(x)).numpy()
                scale = float(np.max(np.abs(ref)))
                t_err = float(np.max(np.abs(t_out - ref)))
                if t_err > args.tol * scale:
                    print(f"warning: {name}: torch and onnxruntime disagree "
                          f"(max err {t_err:.3g}, max |ref| {scale:.3g})")
            except Exception as exc:  # noqa: BLE001
                row["verdict"] = f"FAIL setup: {type(exc).__name__}: " \
                    f"{str(exc).splitlines()[0][:100] if str(exc) else ''}"
                failed += 1
                continue

            if not have_binary:
                row["verdict"] = "FAIL: no onnxcc binary"
                failed += 1
                continue
            out_dir = folder / "onnxcc_out"
            out_dir.mkdir(exist_ok=True)
            for stale in out_dir.glob("*.pb"):
                stale.unlink()
            error, summary = run_onnxcc(binary, model_path, inp, out_dir,
                                        args)
            if summary and isinstance(summary.get("median_ms"), (int, float)):
                row["cc_ms"] = f"{summary['median_ms']:.2f}"
            if error:
                row["verdict"] = "FAIL " + error
                failed += 1
                continue
            if summary is None:
                row["verdict"] = "FAIL: last stdout line is not JSON"
                failed += 1
                continue
            out_pb = out_dir / "output_0.pb"
            if not out_pb.is_file():
                row["verdict"] = "FAIL: no output_0.pb"
                failed += 1
                continue
            got = numpy_helper.to_array(onnx.load_tensor(str(out_pb)))
            if got.shape != ref.shape:
                row["verdict"] = f"FAIL: shape {list(got.shape)} != " \
                    f"{list(ref.shape)}"
                failed += 1
                continue
            err = np.abs(got.astype(np.float64) - ref.astype(np.float64))
            max_err = float(np.max(err)) if err.size else 0.0
            if not np.all(np.isfinite(got)):
                max_err = float("inf")
            rel = max_err / scale if scale > 0 else max_err
            row["max"], row["rel"] = f"{max_err:.2e}", f"{rel:.2e}"
            if rel <= args.tol:
                row["verdict"] = "ok"
                passed += 1
            else:
                row["verdict"] = "FAIL: mismatch"
                failed += 1
            if args.baseline:
                # timed right after, on the same input: the ratio is what
                # a change did, as far as a noisy machine lets it show
                base_dir = folder / "baseline_out"
                base_dir.mkdir(exist_ok=True)
                b_err, b_sum = run_onnxcc(args.baseline, model_path, inp, base_dir, args)
                if b_sum and isinstance(b_sum.get("median_ms"), (int, float)):
                    row["base_ms"] = f"{b_sum['median_ms']:.2f}"
                    if row["cc_ms"] != "-":
                        row["ratio"] = f"{float(row['cc_ms']) / b_sum['median_ms']:.2f}"
                else:
                    row["base_ms"] = "error"
    finally:
        if tmp is not None:
            tmp.cleanup()

    heads = [("model", "model"), ("ops", "ops"), ("max", "max err"),
             ("rel", "rel err"), ("cc_ms", "onnxcc ms"),
             ("ort_ms", "ORT ms"), ("verdict", "verdict")]
    if args.baseline:
        heads[-1:-1] = [("base_ms", "baseline ms"), ("ratio", "onnxcc/baseline")]
    widths = {k: max(len(h), *(len(str(r[k])) for r in rows))
              for k, h in heads}
    print()
    def line(cells):
        return "  ".join(f"{c:<{widths[k]}}" for c, (k, _) in
                         zip(cells, heads)).rstrip()
    print(line([h for _, h in heads]))
    for r in rows:
        print(line([str(r[k]) for k, _ in heads]))
    if args.keep:
        print(f"(files kept in {args.keep})")
    print(f"{passed} passed, {failed} failed", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
