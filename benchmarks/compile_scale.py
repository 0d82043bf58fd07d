#!/usr/bin/env python3
"""Compile time against graph size, to show it grows linearly.

For 10k, 30k and 100k nodes, builds a Relu chain and a wide graph (n
parallel Relu of one input summed by a chain of n - 1 Adds), compiles each
three times and prints the median wall time, plus the time per 1k nodes
(flat when compilation is linear).

Run: .venv/bin/python benchmarks/compile_scale.py --onnxcc build/onnxcc
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import onnx

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "cli"))
from test_scale import chain, wide  # noqa: E402  (the same graph builders the test uses)


def median_compile(onnxcc, path, out_dir, repeats):
    times = []
    for _ in range(repeats):
        t0 = time.monotonic()
        p = subprocess.run([onnxcc, path, "-o", os.path.join(out_dir, "model.c")], capture_output=True, text=True)
        times.append(time.monotonic() - t0)
        if p.returncode != 0:
            raise SystemExit("compiling %s failed: %s" % (path, p.stderr.strip()))
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--onnxcc", default=os.path.join(ROOT, "build", "onnxcc"))
    ap.add_argument("--sizes", default="10000,30000,100000")
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    onnxcc = os.path.abspath(args.onnxcc)
    folder = tempfile.mkdtemp(prefix="onnxcc-bench-")
    try:
        print("%-6s %8s %12s %14s" % ("graph", "nodes", "median s", "ms / 1k nodes"))
        for kind, build in (("chain", chain), ("wide", wide)):
            for n in (int(s) for s in args.sizes.split(",")):
                m = build(n)
                nodes = len(m.graph.node)
                path = os.path.join(folder, "%s_%d.onnx" % (kind, n))
                onnx.save(m, path)
                out_dir = os.path.join(folder, "%s_%d" % (kind, n))
                os.mkdir(out_dir)
                t = median_compile(onnxcc, path, out_dir, args.repeats)
                print("%-6s %8d %12.3f %14.2f" % (kind, nodes, t, 1000.0 * t / (nodes / 1000.0)))
                sys.stdout.flush()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
