#!/usr/bin/env python3
"""Symbolic-dim checks: each case is a small ONNX model whose inputs have
named dims (dim_param). onnxcc compiles it with those dims left variable
(--dim NAME=LO..HI) and runs it at several sizes; every output must have
ONNX Runtime's shape and values at each size.

Cases live in cases_*.py next to this file, one file per op family: each
defines CASES, a list of Case. A case may also expect onnxcc to refuse
the model (expect_error: a substring of the one `onnxcc: error:` line),
or the compiled model to reject its input values when it runs (run_error:
a substring of what `onnxcc run` reports).

  tests/symbolic/check.py --onnxcc build/onnxcc [--filter REGEX] [-v] [-j N]

Cases run N at a time (default: one per CPU): each is a compile, a C build
and a few runs in its own temporary folder, and under ASan the builds are
what the suite's time goes to.

Closing line: N passed, M failed, 0 skipped.
"""
from __future__ import annotations

import argparse
import concurrent.futures as cf
import importlib.util
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import onnx
from onnx import numpy_helper

HERE = Path(__file__).resolve().parent


@dataclass
class Case:
    name: str
    build: Callable[[], onnx.ModelProto]   # model with dim_param inputs
    ranges: dict[str, tuple[int, int]]     # --dim NAME=LO..HI
    sizes: list[dict[str, int]]            # one run per assignment
    # inputs by name -> function(shape, rng) -> array; default: normal floats
    make_input: dict[str, Callable] = field(default_factory=dict)
    expect_error: str | None = None        # onnxcc must refuse, saying this
    run_error: str | None = None           # each run must fail, saying this (input values the model rejects)
    flags: list[str] = field(default_factory=list)  # more onnxcc options
    # regexes that must (dump_has) or must not (dump_lacks) match the
    # compiler's --dump-after=lower text: what it proved at compile time
    dump_has: list[str] = field(default_factory=list)
    dump_lacks: list[str] = field(default_factory=list)
    rtol: float = 1e-5
    atol: float = 1e-5
    # "onnx": compare with onnx.reference instead, for ops ONNX Runtime
    # does not implement (TreeEnsemble of ai.onnx.ml opset 5)
    reference: str = "ort"


def model(nodes, inputs, outputs, inits=(), opset=17) -> onnx.ModelProto:
    """A one-graph model in the default domain, for the case files."""
    g = onnx.helper.make_graph(nodes, "g", inputs, outputs, list(inits))
    return onnx.helper.make_model(g, opset_imports=[onnx.helper.make_opsetid("", opset)])


def vi(name, dims, dtype=onnx.TensorProto.FLOAT) -> onnx.ValueInfoProto:
    """A tensor's value info. dims: names and sizes; an int: that many dims
    left unknown; None: no shape at all (outputs onnx infers)."""
    if isinstance(dims, int):
        dims = [None] * dims
    return onnx.helper.make_tensor_value_info(name, dtype, None if dims is None else list(dims))


def load_cases() -> list[Case]:
    cases: list[Case] = []
    for path in sorted(HERE.glob("cases_*.py")):
        spec = importlib.util.spec_from_file_location(path.stem, path)
        mod = importlib.util.module_from_spec(spec)
        sys.modules[path.stem] = mod
        spec.loader.exec_module(mod)
        cases.extend(mod.CASES)
    return cases


def concrete_shape(vi: onnx.ValueInfoProto, size: dict[str, int]) -> list[int]:
    dims = []
    for d in vi.type.tensor_type.shape.dim:
        dims.append(size[d.dim_param] if d.dim_param else d.dim_value)
    return dims


def default_input(shape, dtype, rng):
    if np.issubdtype(dtype, np.floating):
        return rng.standard_normal(shape).astype(dtype)
    if dtype == np.bool_:
        return rng.integers(0, 2, shape).astype(np.bool_)
    return rng.integers(0, 4, shape).astype(dtype)


def run_case(case: Case, onnxcc: str, tmp: Path, verbose: bool) -> str | None:
    """None when the case passes, else why it failed."""
    model = case.build()
    onnx.checker.check_model(model)
    mpath = tmp / "model.onnx"
    onnx.save(model, mpath)
    dim_flags = []
    for name, (lo, hi) in case.ranges.items():
        dim_flags += ["--dim", f"{name}={lo}..{hi}"]
    dim_flags += case.flags
    if case.dump_has or case.dump_lacks:
        r = subprocess.run([onnxcc, str(mpath), "-o", str(tmp / "d.c"), "--dump-after=lower"] + dim_flags,
                           capture_output=True, text=True, timeout=120)
        for rx in case.dump_has:
            if not re.search(rx, r.stderr):
                return f"the lowering dump lacks /{rx}/:\n{r.stderr[:1500]}"
        for rx in case.dump_lacks:
            if re.search(rx, r.stderr):
                return f"the lowering dump has /{rx}/:\n{r.stderr[:1500]}"
    if case.expect_error is not None:
        r = subprocess.run([onnxcc, str(mpath), "-o", str(tmp / "m.c")] + dim_flags,
                           capture_output=True, text=True, timeout=120)
        lines = [l for l in r.stderr.splitlines() if l.startswith("onnxcc: error:")]
        if r.returncode != 1 or len(lines) != 1 or case.expect_error not in lines[0]:
            return f"expected a refusal saying '{case.expect_error}', got exit {r.returncode}: {r.stderr.strip()[:300]}"
        return None
    if case.reference == "onnx":
        from onnx.reference import ReferenceEvaluator
        sess = ReferenceEvaluator(model)
    else:
        import onnxruntime as ort
        so = ort.SessionOptions()
        so.intra_op_num_threads = 1
        so.log_severity_level = 3  # no warnings about old opsets in the test log
        sess = ort.InferenceSession(str(mpath), so, providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(7)
    inits = {i.name for i in model.graph.initializer}
    for size in case.sizes:
        feeds, files = {}, []
        for k, vi in enumerate([v for v in model.graph.input if v.name not in inits]):
            shape = concrete_shape(vi, size)
            dtype = onnx.helper.tensor_dtype_to_np_dtype(vi.type.tensor_type.elem_type)
            make = case.make_input.get(vi.name)
            x = make(shape, rng) if make else default_input(shape, dtype, rng)
            feeds[vi.name] = x
            f = tmp / f"in_{k}.pb"
            f.write_bytes(numpy_helper.from_array(x, vi.name).SerializeToString())
            files.append(str(f))
        out_dir = tmp / "out"
        r = subprocess.run([onnxcc, "run", str(mpath)] + files + dim_flags + ["--output-dir", str(out_dir)],
                           capture_output=True, text=True, timeout=300)
        if case.run_error is not None:
            # the program's error (exit 3), and no output file left behind
            if r.returncode != 3 or case.run_error not in r.stderr or (out_dir / "output_0.pb").exists():
                return f"at {size}: expected the run to fail saying '{case.run_error}', got exit {r.returncode}: " \
                       f"{r.stderr.strip()[:300]}"
            continue
        if r.returncode != 0:
            return f"at {size}: onnxcc run exit {r.returncode}: {r.stderr.strip()[:400]}"
        want = [np.asarray(w) for w in sess.run(None, feeds)]
        for k, ref in enumerate(want):
            got = numpy_helper.to_array(onnx.load_tensor(str(out_dir / f"output_{k}.pb")))
            if got.shape != ref.shape:
                return f"at {size}: output {k} has shape {got.shape}, onnxruntime {ref.shape}"
            if ref.dtype.kind in "fc":
                ok = np.allclose(got, ref, rtol=case.rtol, atol=case.atol, equal_nan=True)
            else:
                ok = np.array_equal(got, ref)
            if not ok:
                diff = np.abs(got.astype(np.float64) - ref.astype(np.float64)).max() if got.size else 0
                return f"at {size}: output {k} differs (max abs diff {diff})"
        if verbose:
            print(f"   {case.name} at {size}: ok")
    return None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--onnxcc", default="build/onnxcc")
    ap.add_argument("--filter", default="")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()
    cases = [c for c in load_cases() if re.search(args.filter, c.name)]
    if args.jobs < 1:
        ap.error("-j wants at least 1")

    def one(case: Case) -> str | None:
        with tempfile.TemporaryDirectory(prefix="onnxcc-sym-") as d:
            try:
                return run_case(case, args.onnxcc, Path(d), args.verbose)
            except Exception as exc:  # a broken case is a failure, named
                return f"{type(exc).__name__}: {exc}"

    # Threads are enough: the work is in the subprocesses (onnxcc, cc, the
    # model's program) and in ONNX Runtime, which release the GIL.
    with cf.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        verdicts = list(pool.map(one, cases))
    passed = failed = 0
    for case, why in zip(cases, verdicts):   # reported in the cases' order
        if why is None:
            passed += 1
            if args.verbose:
                print(f"PASS {case.name}")
        else:
            failed += 1
            print(f"FAIL {case.name}: {why}")
    print(f"{passed} passed, {failed} failed, 0 skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
