#!/usr/bin/env python3
"""How close onnxcc comes to ONNX Runtime on the models of tests/models:
for each model, runs `onnxcc run` on its data sets and prints, per model,
the largest error of its float outputs relative to the largest magnitude
of the expected output (the models suite passes below 1e-4), and how many
elements of its integer, bool and string outputs (labels, quantized
values, map keys) differ. The models suite asserts; this prints the
figures behind its verdicts, for a person to read.

    .venv/bin/python tests/models/error_table.py --onnxcc build/onnxcc [--filter REGEX] [-O 0]

Closing line: N passed, M failed, 0 skipped (a model fails when it does
not run or its outputs are missing).
"""
from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import repo_venv  # noqa: E402

repo_venv.ensure(("numpy", "onnx"), __file__)

import numpy as np  # noqa: E402
import onnx  # noqa: E402
from onnx import numpy_helper  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "conformance"))
import run as conformance  # noqa: E402


def leaves(msg) -> list[np.ndarray]:
    """The arrays a tensor, sequence, optional or map file holds, in a
    fixed order (a map's entries sorted by key: maps have no order)."""
    if isinstance(msg, onnx.TensorProto):
        return [numpy_helper.to_array(msg)]
    if isinstance(msg, onnx.SequenceProto):
        return [a for item in conformance.sequence_items(msg) for a in leaves(item)]
    if isinstance(msg, onnx.OptionalProto):
        field = conformance.optional_field(msg)
        return leaves(getattr(msg, field)) if field else []
    if isinstance(msg, onnx.MapProto):
        keys = conformance.map_keys(msg)
        values = conformance.map_values(msg)
        order = sorted(range(len(keys)), key=lambda i: keys[i])
        return [np.array([keys[i] for i in order]), np.asarray(values)[order]]
    raise TypeError(type(msg))


def errors(expected: list[np.ndarray], actual: list[np.ndarray]) -> tuple[float, int]:
    """(largest float error relative to the largest expected magnitude,
    elements of other types that differ)."""
    rel, wrong = 0.0, 0
    if len(expected) != len(actual):
        return float("inf"), 0
    for e, a in zip(expected, actual):
        if e.shape != a.shape:
            return float("inf"), 0
        if e.dtype.kind == "f":
            scale = float(np.max(np.abs(e))) if e.size else 0.0
            err = float(np.max(np.abs(e.astype(np.float64) - a.astype(np.float64)))) if e.size else 0.0
            rel = max(rel, err / scale if scale else err)
        else:
            wrong += int(np.sum(e != a))
    return rel, wrong


def check(onnxcc: str, folder: Path, opt: str) -> tuple[str, float, int]:
    model = onnx.load(str(folder / "model.onnx"), load_external_data=False)
    outputs = list(model.graph.output)
    rel, wrong = 0.0, 0
    for ds in sorted(folder.glob("test_data_set_*")):
        inputs = sorted(ds.glob("input_*.pb"), key=lambda p: int(p.stem.split("_")[1]))
        with tempfile.TemporaryDirectory() as out:
            argv = [onnxcc, "run", str(folder / "model.onnx"), *map(str, inputs), "--output-dir", out, "-O" + opt,
                    "--max-dynamic-dim", "64"]
            dims = folder / "dims.txt"
            if dims.exists():
                argv += [w for line in dims.read_text().split() for w in ("--dim", line)]
            r = subprocess.run(argv, capture_output=True, text=True)
            if r.returncode != 0:
                return "run failed: " + (r.stderr.strip().splitlines() or ["?"])[-1], 0.0, 0
            for k, vi in enumerate(outputs):
                got, want = Path(out) / f"output_{k}.pb", ds / f"output_{k}.pb"
                if not got.exists():
                    return f"output {k} missing", 0.0, 0
                e, w = errors(leaves(conformance.load_value(want, vi.type)),
                              leaves(conformance.load_value(got, vi.type)))
                rel, wrong = max(rel, e), wrong + w
    return "", rel, wrong


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--onnxcc", default=str(HERE.parent.parent / "build" / "onnxcc"))
    ap.add_argument("--filter", default="", help="regex on model folder names")
    ap.add_argument("-O", dest="opt", default="1", choices=("0", "1"))
    args = ap.parse_args()
    passed = failed = 0
    print("| model | float error / max magnitude | other elements that differ |")
    print("| --- | --- | --- |")
    for folder in sorted(p.parent for p in HERE.glob("*/model.onnx")):
        if not re.search(args.filter, folder.name):
            continue
        problem, rel, wrong = check(args.onnxcc, folder, args.opt)
        if problem:
            failed += 1
            print(f"| {folder.name} | {problem} | |")
            continue
        passed += 1
        print(f"| {folder.name} | {rel:.1e} | {wrong} |")
    print(f"{passed} passed, {failed} failed, 0 skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
