#!/usr/bin/env python3
"""Check the arena that `onnxcc info` plans for models against limits.

For each MODEL=BYTES given, runs `onnxcc info MODEL`, reads its line
`arena N bytes (lower bound B, ...)` and checks N <= BYTES and N within
--slack (default 2 %) of B, the largest total of bytes live at one step with
views and in-place reuse counted. Sizes are deterministic, so this is a
check, not a benchmark. Prints a table and "N passed, M failed".

    .venv/bin/python tests/models/check_memory.py --onnxcc build/onnxcc \\
        build/tv/resnet18/model.onnx=4100000 build/tv/mobilenet_v2/model.onnx=6100000

A model file that does not exist (the torchvision export was skipped) is
reported as SKIP when --skip-missing is given, else as a failure.
"""
from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("limits", nargs="+", metavar="MODEL=BYTES")
    p.add_argument("--onnxcc", default=str(ROOT / "build" / "onnxcc"))
    p.add_argument("--slack", type=float, default=0.02, help="allowed fraction above the lower bound")
    p.add_argument("--skip-missing", action="store_true")
    args = p.parse_args(argv)
    passed = failed = 0
    print(f"{'model':44} {'arena':>10} {'bound':>10} {'limit':>10}  verdict")
    for item in args.limits:
        path, _, limit = item.rpartition("=")
        model = Path(path)
        if not model.exists():
            if args.skip_missing:
                print(f"SKIP: {model} does not exist")
                return 0
            print(f"{str(model):44} missing  FAIL")
            failed += 1
            continue
        r = subprocess.run([args.onnxcc, "info", str(model)], capture_output=True, text=True)
        m = re.search(r"^arena\s+(\d+) bytes \(lower bound (\d+)", r.stdout, re.M)
        if r.returncode != 0 or not m:
            print(f"{str(model):44} onnxcc info failed: {r.stderr.strip()[:80]}  FAIL")
            failed += 1
            continue
        arena, bound, lim = int(m.group(1)), int(m.group(2)), int(limit)
        ok = arena <= lim and arena <= bound * (1 + args.slack)
        print(f"{str(model):44} {arena:>10} {bound:>10} {lim:>10}  {'ok' if ok else 'FAIL'}")
        passed += ok
        failed += not ok
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
