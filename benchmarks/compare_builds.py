#!/usr/bin/env python3
"""Two onnxcc builds on the same models: what a compiler change gains.

    .venv/bin/python benchmarks/compare_builds.py --a build-before/onnxcc --b build/onnxcc \\
        --models densenet121,squeezenet1_1,shufflenet_v2_x1_0 --runs 10 --rounds 10

For each model, `onnxcc run --keep` builds one program per compiler (the
same driver, cc, flags and runtime sources: only the generated code
differs), once. The two programs then run in turns, A B then B A in the
next round, so that load which comes and goes on a shared machine falls on
both alike; each run times --runs calls of NAME_run after --warmup untimed
ones. A column is the median of its round medians, "B/A" the median of the
per-round ratios (below 1: B is faster), with their range. "B/A cpu" is the
same for the CPU time each program used (user + system, startup and
warm-ups included, so it understates a difference): on a 2-core machine
with a load of 10 a program is on a core a third of the time, and its
wall-clock median mostly measures the others; its CPU time much less so.
"arena" is each program's NAME_ARENA_BYTES; "outputs" says whether the two
programs wrote the same bytes (a planner change should not move a bit).

A benchmark, not a test: it never fails on a timing. benchmarks/README.md.
"""
from __future__ import annotations

import argparse
import re
import resource
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as bench  # noqa: E402  (the model set, its export, tables)

ROOT = bench.ROOT
DEFAULT_MODELS = "squeezenet1_1,shufflenet_v2_x1_0,densenet121"


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--a", type=Path, required=True, help="the first onnxcc (the baseline)")
    p.add_argument("--b", type=Path, required=True, help="the second onnxcc")
    p.add_argument("--models", default=DEFAULT_MODELS, help=f"comma-separated (default {DEFAULT_MODELS})")
    p.add_argument("--runs", type=int, default=10)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--rounds", type=int, default=10)
    p.add_argument("--cache", type=Path, default=ROOT / "build" / "bench",
                   help="exported models, as benchmarks/run.py (default build/bench)")
    p.add_argument("--skip-build", action="store_true", help="export nothing")
    p.add_argument("--timeout", type=float, default=900)
    p.add_argument("--threads", type=int, default=1,
                   help="onnxcc run --threads: both programs split their kernels this many ways (default 1)")
    args = p.parse_args(argv)
    args.a, args.b, args.cache = args.a.resolve(), args.b.resolve(), args.cache.resolve()
    return args


def kept_program(args, onnxcc: Path, model, inputs) -> Path | str:
    """The folder `onnxcc run --keep` built (prog, model.h, in_*), or why not."""
    r = subprocess.run([str(onnxcc), "run", str(model), *map(str, inputs), "--keep", "--threads", str(args.threads)],
                       capture_output=True, text=True, timeout=args.timeout)
    m = re.search(r"kept build folder (\S+)", r.stderr)
    if r.returncode or not m:
        return f"{onnxcc} run: " + bench.first_error_line(r.stderr or r.stdout)
    return Path(m.group(1))


def arena_bytes(folder: Path) -> int | None:
    m = re.search(r"#define \w+_ARENA_BYTES (\d+)", (folder / "model.h").read_text())
    return int(m.group(1)) if m else None


def cpu_seconds() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def time_once(args, folder: Path, n_inputs: int) -> tuple[float, float]:
    """The program's median ms over --runs calls (prog WEIGHTS RUNS WARMUP DIR
    INPUT...), and the CPU seconds the whole process used."""
    cmd = [folder / "prog", folder / "model.weights", args.runs, args.warmup, folder,
           *[folder / f"in_{i}.bin" for i in range(n_inputs)]]
    before = cpu_seconds()
    rc, out, err = bench.call(cmd, args.timeout)
    cpu = cpu_seconds() - before
    m = re.search(r"ONNXCC_TIMES (\S+)", out + err)
    if rc != 0 or not m:
        raise RuntimeError(f"{folder / 'prog'} exit {rc}: {(err or out).strip()[:200]}")
    return float(m.group(1)), cpu


def same_outputs(a: Path, b: Path) -> str:
    names = sorted(f.name for f in a.glob("output_*.bin"))
    if not names:
        return "none"
    differ = [n for n in names if not (b / n).is_file() or (a / n).read_bytes() != (b / n).read_bytes()]
    return "same bytes" if not differ else "DIFFER: " + ",".join(differ)


def bench_model(args, name, mods_cache) -> dict:
    row = {"model": name}
    files = bench.model_files(name, args, mods_cache)
    if isinstance(files, str):
        row["note"] = files
        return row
    model, inputs = files
    dirs = {}
    try:
        for k, onnxcc in (("A", args.a), ("B", args.b)):
            d = kept_program(args, onnxcc, model, inputs)
            if isinstance(d, str):
                row["note"] = d
                return row
            dirs[k] = d
        times, cpu = {"A": [], "B": []}, {"A": [], "B": []}
        for rd in range(args.rounds):
            for k in ("A", "B") if rd % 2 == 0 else ("B", "A"):
                ms, seconds = time_once(args, dirs[k], len(inputs))
                times[k].append(ms)
                cpu[k].append(seconds)
        ratios = [b / a for a, b in zip(times["A"], times["B"])]
        cpu_ratios = [b / a for a, b in zip(cpu["A"], cpu["B"]) if a > 0]
        row.update({"A": bench.fmt_ms(statistics.median(times["A"])), "B": bench.fmt_ms(statistics.median(times["B"])),
                    "B/A": f"{statistics.median(ratios):.3f}", "range": f"{min(ratios):.2f}-{max(ratios):.2f}",
                    "B/A cpu": f"{statistics.median(cpu_ratios):.3f}" if cpu_ratios else "-",
                    "cpu range": f"{min(cpu_ratios):.2f}-{max(cpu_ratios):.2f}" if cpu_ratios else "-",
                    "arena A": str(arena_bytes(dirs["A"])), "arena B": str(arena_bytes(dirs["B"])),
                    "outputs": same_outputs(dirs["A"], dirs["B"]), "_ratio": statistics.median(ratios)})
    except (RuntimeError, subprocess.TimeoutExpired) as exc:
        row["note"] = str(exc)[:160]
    finally:
        for d in dirs.values():
            shutil.rmtree(d, ignore_errors=True)
    return row


def main(argv):
    args = parse_args(argv)
    info = bench.machine_info()
    print(f"{info['cpu']}, {info['cpus']} CPUs, load {info['load'][0]:.2f}; A {args.a}, B {args.b}; "
          f"{args.runs} runs x {args.rounds} rounds, ms per NAME_run (median of round medians)", flush=True)
    for onnxcc in (args.a, args.b):
        if not onnxcc.is_file():
            print(f"onnxcc binary not found: {onnxcc}")
            return 2
    rows, mods_cache = [], {}
    for name in args.models.split(","):
        rows.append(bench_model(args, name, mods_cache))
        print(f"  {name}: done", flush=True)
    ratios = [r["_ratio"] for r in rows if "_ratio" in r]
    if ratios:
        rows.append({"model": "geomean", "B/A": f"{bench.geomean(ratios):.3f}"})
    heads = [("model", "model"), ("A", "A ms"), ("B", "B ms"), ("B/A", "B/A"), ("range", "range"),
             ("B/A cpu", "B/A cpu"), ("cpu range", "cpu range"), ("arena A", "arena A"), ("arena B", "arena B"), ("outputs", "outputs"), ("note", "note")]
    bench.print_table(heads, rows)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
