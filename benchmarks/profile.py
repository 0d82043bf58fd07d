#!/usr/bin/env python3
"""Where a whole model's time goes: onnxcc's nodes next to ONNX Runtime's.

    .venv/bin/python benchmarks/profile.py MODEL.onnx INPUT.pb [INPUT.pb ...]
        [--onnxcc build/onnxcc] [--runs N] [--warmup W] [--rounds R] [--stat median|min]
        [--top K] [--json FILE]

onnxcc's side is `onnxcc run --profile` (per-node times measured inside the
compiled program around each node's kernel call); ONNX Runtime's is its own
profiler (SessionOptions.enable_profiling) on the CPU provider with one
intra-op thread, sequential execution and ORT_ENABLE_ALL, as benchmarks/run.py
times it. Each node's figure is its median over the N timed runs (the W
warm-up runs are left out on both sides), and over R alternating rounds the
median of those (--stat min: the minimum, and the smallest of the rounds');
an op type's figure is the sum over its nodes.
benchmarks/README.md, "profile.py", says how to read the table.

A benchmark, not a test: it asserts no time and scripts/test does not run it.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import onnx
import onnxruntime as ort
from onnx import numpy_helper

ROOT = Path(__file__).resolve().parents[1]

# ORT's optimized graph renames and fuses: these of its op types count as the
# ONNX op they stand for, so that the rows line up with onnxcc's.
ORT_SAME_AS = {"FusedConv": "Conv", "FusedGemm": "Gemm", "FusedMatMul": "MatMul",
               "NhwcConv": "Conv", "NhwcMaxPool": "MaxPool"}
# Its NCHWc transformer's layout changes, which onnxcc has no node for.
ORT_LAYOUT = {"ReorderInput", "ReorderOutput"}
LAYOUT_ROW = "(layout change)"
# onnxcc's own blocked-layout nodes (the layout-nchwc pass), likewise.
ONNXCC_SAME_AS = {"BlockedConv": "Conv", "BlockedMaxPool": "MaxPool"}
ONNXCC_LAYOUT = {"ToBlocked", "FromBlocked"}


def parse_args(argv):
    p = argparse.ArgumentParser(description="Per-op-type time of a whole model: onnxcc against ONNX Runtime "
                                            "(see benchmarks/README.md).")
    p.add_argument("model", type=Path)
    p.add_argument("inputs", type=Path, nargs="+", help="TensorProto files, in graph-input order")
    p.add_argument("--onnxcc", type=Path, default=ROOT / "build" / "onnxcc", help="default build/onnxcc")
    p.add_argument("--runs", type=int, default=20, help="timed runs on each side (default 20)")
    p.add_argument("--warmup", type=int, default=5, help="untimed runs first, on each side (default 5)")
    p.add_argument("--rounds", type=int, default=3,
                   help="alternating onnxcc/ORT rounds; every figure is the median of its round medians "
                        "(default 3)")
    p.add_argument("--stat", choices=("median", "min"), default="median",
                   help="each node's figure over the runs: the median (default), or the minimum, which load "
                        "from other processes cannot raise (the rounds then give the smallest of theirs)")
    p.add_argument("--top", type=int, default=0, metavar="K", help="also list each side's K slowest nodes")
    p.add_argument("--json", type=Path, metavar="FILE", help="also write everything as JSON")
    args = p.parse_args(argv)
    if args.runs < 1 or args.warmup < 0 or args.rounds < 1:
        p.error("--runs and --rounds must be at least 1, --warmup at least 0")
    return args


def onnxcc_profile(args, profile=True):
    """`onnxcc run` on the inputs: its JSON line (with "profile" when
    asked), or exits with its error."""
    cmd = [str(args.onnxcc), "run", str(args.model), *map(str, args.inputs), "--runs", str(args.runs),
           "--warmup", str(args.warmup)] + (["--profile"] if profile else [])
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit("profile.py: %s failed (exit %d):\n%s" % (" ".join(cmd), p.returncode, p.stderr.strip()))
    return json.loads([ln for ln in p.stdout.splitlines() if ln.strip()][-1])


def ort_session(args, profile_prefix=None):
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    if profile_prefix:
        so.enable_profiling = True
        so.profile_file_prefix = profile_prefix
    sess = ort.InferenceSession(str(args.model), so, providers=["CPUExecutionProvider"])
    names = [i.name for i in sess.get_inputs()]
    feeds = dict(zip(names, (numpy_helper.to_array(onnx.load_tensor(str(f))) for f in args.inputs)))
    return sess, feeds


def ort_profile(args):
    """ORT's trace of warmup + runs calls: (per-node rows, the median
    model_run in ms). A node's events are those of cat "Node" named
    NODE_kernel_time (the _fence_before/_fence_after ones are the executor's
    bookkeeping around it); its k-th event belongs to the k-th run."""
    with tempfile.TemporaryDirectory(prefix="onnxcc-ortprof-") as tmp:
        sess, feeds = ort_session(args, os.path.join(tmp, "ort"))
        for _ in range(args.warmup + args.runs):
            sess.run(None, feeds)
        with open(sess.end_profiling()) as f:
            events = json.load(f)
    per_node = defaultdict(list)
    op_of, weight_of = {}, {}
    order = []
    for e in events:
        if e.get("cat") != "Node" or not e.get("name", "").endswith("_kernel_time"):
            continue
        name = e["name"][: -len("_kernel_time")]
        if name not in op_of:
            order.append(name)
            op_of[name] = e.get("args", {}).get("op_name", "?")
            shapes = e.get("args", {}).get("input_type_shape", [])
            weight_of[name] = next(iter(shapes[1].values()), None) if len(shapes) > 1 else None
        per_node[name].append(e["dur"] / 1000.0)
    rows = []
    for name in order:
        timed = per_node[name][args.warmup:]
        if timed:
            rows.append({"node": name, "op": op_of[name], "median_ms": statistics.median(timed),
                         "mean_ms": statistics.fmean(timed), "min_ms": min(timed), "weight": weight_of[name]})
    runs = [e["dur"] / 1000.0 for e in events if e.get("cat") == "Session" and e.get("name") == "model_run"]
    runs = runs[args.warmup:]
    return rows, {"median_ms": statistics.median(runs), "min_ms": min(runs)} if runs else None


def ort_plain_ms(args):
    """ORT without the profiler, timed as benchmarks/run.py does (median of
    perf_counter around each call): what the profiler's own cost is."""
    sess, feeds = ort_session(args)
    for _ in range(args.warmup):
        sess.run(None, feeds)
    ts = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        sess.run(None, feeds)
        ts.append((time.perf_counter() - t0) * 1e3)
    return {"median_ms": statistics.median(ts), "min_ms": min(ts)}


def combine(figures, stat):
    """One figure from the rounds' {"median_ms", "min_ms"}: the median of
    the medians, or the smallest minimum."""
    if stat == "min":
        return min(f["min_ms"] for f in figures)
    return statistics.median(f["median_ms"] for f in figures)


def merge_rounds(per_round, stat):
    """Per-node rows of several rounds (the same nodes in the same order)
    as one list, each with "ms": its figure by `stat` over the rounds."""
    if any([r["node"] for r in rows] != [r["node"] for r in per_round[0]] for rows in per_round):
        sys.exit("profile.py: the rounds ran different nodes")
    merged = []
    for k, row in enumerate(per_round[0]):
        r = dict(row)
        r["ms"] = combine([rows[k] for rows in per_round], stat)
        r["median_ms"] = statistics.median(rows[k]["median_ms"] for rows in per_round)
        r["mean_ms"] = statistics.fmean(rows[k]["mean_ms"] for rows in per_round)
        r["min_ms"] = min(rows[k]["min_ms"] for rows in per_round)
        merged.append(r)
    return merged


def measure(args):
    """The rounds, onnxcc first in even ones and ORT first in odd ones, so
    that load which comes and goes falls on both sides."""
    cc_runs, cc_plain, cc_rows, ort_runs, ort_plain, ort_rows = [], [], [], [], [], []
    for k in range(args.rounds):
        for side in (("cc", "ort") if k % 2 == 0 else ("ort", "cc")):
            if side == "cc":
                got = onnxcc_profile(args)
                cc_runs.append(got)
                cc_rows.append(got["profile"])
                cc_plain.append(onnxcc_profile(args, profile=False))
            else:
                rows, run = ort_profile(args)
                if run is None:
                    sys.exit("profile.py: ONNX Runtime's trace holds no model_run event")
                ort_rows.append(rows)
                ort_runs.append(run)
                ort_plain.append(ort_plain_ms(args))
    return (merge_rounds(cc_rows, args.stat), combine(cc_runs, args.stat), combine(cc_plain, args.stat),
            merge_rounds(ort_rows, args.stat), combine(ort_runs, args.stat), combine(ort_plain, args.stat))


def canonical_ort_op(op):
    if op in ORT_LAYOUT:
        return LAYOUT_ROW
    return ORT_SAME_AS.get(op, op)


def canonical_onnxcc_op(op):
    if op in ONNXCC_LAYOUT:
        return LAYOUT_ROW
    return ONNXCC_SAME_AS.get(op, op)


def by_op(rows, canon=lambda op: op):
    """{row op: [nodes, ms, {raw op: nodes}]} from per-node rows."""
    out = {}
    for r in rows:
        key = canon(r["op"])
        entry = out.setdefault(key, [0, 0.0, defaultdict(int)])
        entry[0] += 1
        entry[1] += r["ms"]
        entry[2][r["op"]] += 1
    return out


def note_for(op, mine, theirs):
    if op == LAYOUT_ROW:
        raw = lambda side: ", ".join("%s x%d" % kv for kv in sorted(side[2].items())) if side else "none"  # noqa: E731
        return "NCHWc layout changes: ORT %s; onnxcc %s" % (raw(theirs), raw(mine))
    if theirs is None:
        return "no such node in ORT's optimized graph (fused into another)"
    if mine is None:
        return "ORT only"
    notes = []
    for who, side in (("ORT", theirs), ("onnxcc", mine)):
        if any(k != op for k in side[2]):
            notes.append("%s's %s counted as %s" % (who, ", ".join("%s x%d" % kv for kv in sorted(side[2].items())), op))
    return "; ".join(notes)


def conv_kind(weight):
    """'3x3', '1x1', 'depthwise 3x3' from a Conv weight's shape [M, C/group,
    kH, kW]; '?' when unknown."""
    if not weight or len(weight) != 4:
        return "?"
    m, c_per_group, kh, kw = weight
    return "%s%dx%d" % ("depthwise " if c_per_group == 1 and m > 1 and (kh, kw) != (1, 1) else "", kh, kw)


def onnxcc_weights(model_path):
    """{node name: its weight's shape} for the Conv nodes of the model file
    (onnxcc's profile keeps a Conv's name through its fusions)."""
    m = onnx.load(str(model_path), load_external_data=False)
    shapes = {t.name: list(t.dims) for t in m.graph.initializer}
    return {n.name: shapes.get(n.input[1]) for n in m.graph.node if n.op_type == "Conv" and len(n.input) > 1}


def fmt(x, digits=3):
    return "-" if x is None else "%.*f" % (digits, x)


def print_table(heads, rows):
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(heads)]
    line = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()  # noqa: E731
    print(line(heads))
    print(line(["-" * w for w in widths]))
    for r in rows:
        print(line(r))


def conv_rows(args, cc_rows, ort_rows):
    """The Conv row split by kernel size and depthwise or not, on both sides
    (ORT's from the weight shape in its trace, onnxcc's from the model's)."""
    weights = onnxcc_weights(args.model)
    kinds = defaultdict(lambda: [0, 0.0, 0, 0.0])
    for r in cc_rows:
        if canonical_onnxcc_op(r["op"]) == "Conv":
            k = kinds[conv_kind(weights.get(r["node"]))]
            k[0] += 1
            k[1] += r["ms"]
    for r in ort_rows:
        if canonical_ort_op(r["op"]) == "Conv":
            k = kinds[conv_kind(r.get("weight"))]
            k[2] += 1
            k[3] += r["ms"]
    if not kinds:
        return
    print("\nConv by kind (weight shape):")
    print_table(["kind", "onnxcc nodes", "onnxcc ms", "ORT nodes", "ORT ms", "onnxcc/ORT"],
                [[kind, str(v[0]), fmt(v[1]), str(v[2]), fmt(v[3]), "%.2f" % (v[1] / v[3]) if v[3] > 0 else "-"]
                 for kind, v in sorted(kinds.items(), key=lambda kv: -max(kv[1][1], kv[1][3]))])


def main(argv):
    args = parse_args(argv)
    cc_rows, cc_run, cc_plain, ort_rows, ort_run, ort_plain = measure(args)

    mine, theirs = by_op(cc_rows, canonical_onnxcc_op), by_op(ort_rows, canonical_ort_op)
    ops = sorted(set(mine) | set(theirs), key=lambda o: -max(mine.get(o, [0, 0])[1], theirs.get(o, [0, 0])[1]))
    table = []
    for op in ops:
        m, t = mine.get(op), theirs.get(op)
        ratio = "%.2f" % (m[1] / t[1]) if m and t and t[1] > 0 else "-"
        table.append([op, str(m[0]) if m else "0", fmt(m[1] if m else None), str(t[0]) if t else "0",
                      fmt(t[1] if t else None), ratio, note_for(op, m, t)])
    cc_nodes = sum(r["ms"] for r in cc_rows)
    ort_nodes = sum(r["ms"] for r in ort_rows)
    table.append(["(all nodes)", str(len(cc_rows)), fmt(cc_nodes), str(len(ort_rows)), fmt(ort_nodes),
                  "%.2f" % (cc_nodes / ort_nodes) if ort_nodes else "-", "sum of the nodes' %ss" % args.stat])
    table.append(["(whole run)", "", fmt(cc_run), "", fmt(ort_run), "%.2f" % (cc_run / ort_run) if ort_run else "-",
                  "%s run, profiled: onnxcc's hooks, ORT's model_run event" % args.stat])
    table.append(["(unprofiled run)", "", fmt(cc_plain), "", fmt(ort_plain),
                  "%.2f" % (cc_plain / ort_plain) if ort_plain else "-",
                  "%s run without profiling (ORT: perf_counter around sess.run)" % args.stat])

    print("%s: %d rounds of %d timed runs after %d warm-up on each side; ms per run, each node's %s over the "
          "runs (%s); ORT %s, 1 intra-op thread, ORT_ENABLE_ALL"
          % (args.model, args.rounds, args.runs, args.warmup, args.stat,
             "the smallest of the rounds'" if args.stat == "min" else "the median of the rounds'", ort.__version__))
    print_table(["op", "onnxcc nodes", "onnxcc ms", "ORT nodes", "ORT ms", "onnxcc/ORT", "note"], table)
    conv_rows(args, cc_rows, ort_rows)
    if args.top > 0:
        for side, rows in (("onnxcc", cc_rows), ("ORT", ort_rows)):
            print("\n%s's %d slowest nodes:" % (side, args.top))
            top = sorted(rows, key=lambda r: -r["ms"])[: args.top]
            if side == "onnxcc":
                print_table(["ms", "op", "kernel", "node"],
                            [[fmt(r["ms"], 4), r["op"], r["kernel"], r["node"]] for r in top])
            else:
                print_table(["ms", "op", "node"], [[fmt(r["ms"], 4), r["op"], r["node"]] for r in top])
    if args.json:
        args.json.write_text(json.dumps({
            "model": str(args.model), "rounds": args.rounds, "runs": args.runs, "warmup": args.warmup,
            "stat": args.stat,
            "ort_version": ort.__version__,
            "onnxcc": {"run_ms": cc_run, "unprofiled_run_ms": cc_plain, "nodes": cc_rows},
            "ort": {"run_ms": ort_run, "unprofiled_run_ms": ort_plain, "nodes": ort_rows},
            "by_op": [dict(zip(["op", "onnxcc_nodes", "onnxcc_ms", "ort_nodes", "ort_ms", "ratio", "note"], r))
                      for r in table]}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
