#!/usr/bin/env python3
"""Chooses the node tests the cross part of scripts/test runs on aarch64 and
riscv64 (tests/conformance/run.py --target TRIPLE --cases
tests/cross/conformance_subset.txt): every kernel family of
compiler/ops/ops.def, so each runtime source is built and run for both
targets, in far less time than the whole suite under qemu.

Per family: 1 + (its op count) tests, at least 2, at most MAX_PER_FAMILY,
taken round-robin over the family's ops so a big family (unary, binary,
reduce) gets many of its ops, each op's smallest tests first (size of the
model and its data: quick under emulation). Only tests that pass on the host
are candidates (none listed in tests/conformance/xfail.txt, no _expanded
variant, which tests other ops' kernels). A family without node tests
(ai.onnx.ml's SVM and CategoryMapper, com.microsoft's quantized ops) gets
the two smallest tests/models models using it (suite models); one with no
test at all is named on stderr: the random family, whose node tests have no
data to compare (their outputs are random). The list is rewritten in place; it is committed, so a new test
or op changes it only when someone runs this again:

    .venv/bin/python tests/cross/choose_subset.py [--suite onnx-new/node] [--out FILE]
"""
from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "tests" / "conformance"))

import onnx  # noqa: E402

import run as conformance  # noqa: E402

MAX_PER_FAMILY = 12


def families() -> dict[str, str]:
    """op type -> family, from ops.def (default and other domains alike)."""
    fam = {}
    text = (ROOT / "compiler" / "ops" / "ops.def").read_text()
    for m in re.finditer(r"^OP\((\w+),\s*(\w+)\)|^OPD\(\w+,\s*(\w+),\s*(\w+)\)", text, re.M):
        op, family = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        fam[op] = family
    return fam


def case_size(case: conformance.Case) -> int:
    files = [case.model] + [p for ds in case.datasets for p in (ds.inputs or []) + ds.outputs]
    return sum(p.stat().st_size for p in files)


def op_of(case: conformance.Case) -> str | None:
    """The op a node test is about: its graph's only node type, or its last
    node's (tests that build an input with a helper node first)."""
    g = onnx.load(str(case.model), load_external_data=False).graph
    return g.node[-1].op_type if g.node else None


def choose(suite: str) -> list[str]:
    fam = families()
    xfail = conformance.XfailList.load(ROOT / "tests" / "conformance" / "xfail.txt").entries
    cases = conformance.discover(suite) or []
    by_op: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for case in cases:
        if case.key in xfail or "_expanded" in case.name:
            continue
        op = op_of(case)
        if op in fam:
            by_op[op].append((case_size(case), case.key))
    ops_of: dict[str, list[str]] = defaultdict(list)
    for op, family in sorted(fam.items()):
        ops_of[family].append(op)
    chosen = []
    for family, ops in sorted(ops_of.items()):
        queues = [sorted(by_op[op]) for op in ops if by_op[op]]
        want = min(max(2, 1 + len(ops)), MAX_PER_FAMILY)
        picked: list[str] = []
        while len(picked) < want and any(queues):
            for q in queues:
                if q and len(picked) < want:
                    picked.append(q.pop(0)[1])
        if not picked:
            picked = from_models(family, ops, xfail)
        if not picked:
            print(f"choose_subset: family {family} has no passing test in {suite} or models", file=sys.stderr)
        chosen += picked
    return sorted(chosen)


def from_models(family: str, ops: list[str], xfail) -> list[str]:
    """For a family no node test covers (ai.onnx.ml's and com.microsoft's):
    the two smallest models of tests/models (suite models) that use it."""
    found = []
    for case in conformance.discover("models") or []:
        if case.key in xfail:
            continue
        g = onnx.load(str(case.model), load_external_data=False).graph
        if any(n.op_type in ops for n in g.node):
            found.append((case_size(case), case.key))
    return [key for _, key in sorted(found)[:2]]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--suite", default="onnx-new/node")
    ap.add_argument("--out", type=Path, default=HERE / "conformance_subset.txt")
    args = ap.parse_args()
    chosen = choose(args.suite)
    header = ("# Node tests run on aarch64 and riscv64 under qemu (scripts/test, part cross-conformance).\n"
              "# Chosen by tests/cross/choose_subset.py: every kernel family of compiler/ops/ops.def.\n")
    args.out.write_text(header + "".join(k + "\n" for k in chosen))
    print(f"{len(chosen)} tests written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
