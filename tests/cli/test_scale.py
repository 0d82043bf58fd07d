#!/usr/bin/env python3
"""Huge graphs compile in time linear in their size.

Builds graphs of 100,000 nodes (a Relu chain, 100,000 parallel Relu summed
by a chain of Adds, an Identity chain, a chain of Transposes between
Relus, many unsupported nodes) and checks
that onnxcc handles each within a generous bound. The bound guards against
a quadratic step coming back (those took minutes); it is not a benchmark:
benchmarks/compile_scale.py measures. Small versions of the chain and the
wide graph are also built and run, and their outputs checked.

Run: .venv/bin/python tests/cli/test_scale.py --onnxcc build/onnxcc
Prints one line per case and ends with "N passed, M failed".
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_cli import report  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BOUND_S = 60.0


def model(nodes, n_elems=4, inits=()):
    g = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, n_elems])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, n_elems])], list(inits))
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])


def chain(n, op="Relu"):
    """x -> op -> op -> ... -> y (n nodes)."""
    names = ["x"] + ["t%d" % i for i in range(1, n)] + ["y"]
    return model([helper.make_node(op, [names[i]], [names[i + 1]], name="n%d" % i) for i in range(n)])


def transpose_chain(n):
    """x -> Transpose -> Relu -> Transpose -> Relu ... -> y (n nodes, n a multiple
    of 4 so that y has x's shape): the transpose pass moves each Transpose past
    its Relu and cancels the pairs, in one walk."""
    names = ["x"] + ["t%d" % i for i in range(1, n)] + ["y"]
    return model([helper.make_node("Transpose", [names[i]], [names[i + 1]], name="n%d" % i, perm=[1, 0]) if i % 2 == 0
                  else helper.make_node("Relu", [names[i]], [names[i + 1]], name="n%d" % i) for i in range(n)])


def wide(n):
    """n parallel Relu of x, summed by a chain of n - 1 Adds."""
    nodes = [helper.make_node("Relu", ["x"], ["r%d" % i], name="relu%d" % i) for i in range(n)]
    acc = "r0"
    for i in range(1, n):
        out = "y" if i == n - 1 else "s%d" % i
        nodes.append(helper.make_node("Add", [acc, "r%d" % i], [out], name="add%d" % i))
        acc = out
    return model(nodes)


def unsupported(n):
    """n nodes of two unknown ops: compile must fail fast, one message."""
    names = ["x"] + ["t%d" % i for i in range(1, n)] + ["y"]
    return model([helper.make_node("FooOp" if i % 2 else "BarOp", [names[i]], [names[i + 1]], name="n%d" % i)
                  for i in range(n)])


def add_one_chain(n):
    """y = x + n, as n Adds of a constant 1 with an Identity after each."""
    one = numpy_helper.from_array(np.ones((1, 4), np.float32), "one")
    nodes, prev = [], "x"
    for i in range(n):
        a, b = "a%d" % i, ("y" if i == n - 1 else "b%d" % i)
        nodes.append(helper.make_node("Add", [prev, "one"], [a], name="add%d" % i))
        nodes.append(helper.make_node("Identity", [a], [b], name="id%d" % i))
        prev = b
    return model(nodes, inits=[one])


def slug(name):
    return "".join(c if c.isalnum() else "_" for c in name)


def compile_case(onnxcc, folder, name, m, want_exit=0, words=()):
    path = os.path.join(folder, slug(name) + ".onnx")
    onnx.save(m, path)
    out_dir = os.path.join(folder, slug(name))
    os.mkdir(out_dir)
    t0 = time.monotonic()
    p = subprocess.run([onnxcc, path, "-o", os.path.join(out_dir, "model.c")], capture_output=True, text=True,
                       timeout=BOUND_S * 3)
    took = time.monotonic() - t0
    problems = []
    if p.returncode != want_exit:
        problems.append("exit %d (want %d): %s" % (p.returncode, want_exit, p.stderr.strip()[:300]))
    if took > BOUND_S:
        problems.append("took %.1f s (bound %.0f s)" % (took, BOUND_S))
    for w in words:
        if w not in p.stderr:
            problems.append("message lacks %r" % w)
    if want_exit and len(p.stderr.strip().splitlines()) != 1:
        problems.append("want one error line, got %r" % p.stderr[:300])
    return "%s (%.2f s)" % (name, took), problems


def run_case(onnxcc, cc, folder, name, m, x, want):
    """Compile, build and run with `onnxcc run`; compare output 0."""
    path = os.path.join(folder, slug(name) + ".onnx")
    onnx.save(m, path)
    inp = os.path.join(folder, slug(name) + "_x.pb")
    with open(inp, "wb") as f:
        f.write(numpy_helper.from_array(x, "x").SerializeToString())
    out_dir = os.path.join(folder, slug(name) + "_out")
    os.mkdir(out_dir)
    env = dict(os.environ, CC=cc) if cc else None
    p = subprocess.run([onnxcc, "run", path, inp, "--output-dir", out_dir], capture_output=True, text=True,
                       timeout=300, env=env)
    if p.returncode != 0:
        return name, ["run exit %d: %s" % (p.returncode, p.stderr.strip()[:300])]
    t = onnx.TensorProto()
    with open(os.path.join(out_dir, "output_0.pb"), "rb") as f:
        t.ParseFromString(f.read())
    got = numpy_helper.to_array(t)
    if not np.allclose(got, want, rtol=1e-5, atol=1e-5):
        return name, ["output %r, want %r" % (got.ravel()[:4], want.ravel()[:4])]
    return name, []


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--onnxcc", default=os.path.join(ROOT, "build", "onnxcc"))
    ap.add_argument("--cc", default="", help="C compiler for the run cases (e.g. 'cc -fsanitize=address,undefined'"
                    " with a sanitizer build)")
    args = ap.parse_args()
    onnxcc = os.path.abspath(args.onnxcc)
    folder = tempfile.mkdtemp(prefix="onnxcc-scale-")
    results = []
    try:
        n = 100000
        results.append(compile_case(onnxcc, folder, "relu chain of %d" % n, chain(n)))
        results.append(compile_case(onnxcc, folder, "%d parallel relu + add chain" % n, wide(n)))
        results.append(compile_case(onnxcc, folder, "identity chain of %d" % n, chain(n, "Identity")))
        results.append(compile_case(onnxcc, folder, "transpose/relu chain of %d" % n, transpose_chain(n)))
        results.append(compile_case(onnxcc, folder, "%d unsupported nodes" % n, unsupported(n), 1,
                                    ["BarOp (50000 nodes: 'n0', ...)", "FooOp (50000 nodes: 'n1', ...)"]))
        x = np.array([[-2.0, -0.5, 0.5, 3.0]], np.float32)
        results.append(run_case(onnxcc, args.cc, folder, "run: add-one chain of 300 (+ Identity)", add_one_chain(300), x,
                                x + 300))
        results.append(run_case(onnxcc, args.cc, folder, "run: 300 parallel relu summed", wide(300), x,
                                300 * np.maximum(x, 0)))
        results.append(run_case(onnxcc, args.cc, folder, "run: transpose/relu chain of 300", transpose_chain(300), x,
                                np.maximum(x, 0)))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return report(results)


if __name__ == "__main__":
    sys.exit(main())
